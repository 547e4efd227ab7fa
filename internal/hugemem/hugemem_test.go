package hugemem

import (
	"runtime"
	"testing"
)

func TestAlloc(t *testing.T) {
	for _, n := range []int{1, 4095, Page, 3*Page + 17, 10 << 20} {
		buf, free := Alloc(n)
		if len(buf) != n || cap(buf) != n {
			t.Fatalf("Alloc(%d): len %d cap %d", n, len(buf), cap(buf))
		}
		align := uintptr(4 << 10)
		if runtime.GOOS == "linux" {
			align = Page
		}
		if a := addr(buf) % align; a != 0 {
			t.Errorf("Alloc(%d) at %#x: not aligned to %d", n, addr(buf), align)
		}
		for i := range buf {
			if buf[i] != 0 {
				t.Fatalf("Alloc(%d): byte %d is %d, want zeroed memory", n, i, buf[i])
			}
			buf[i] = byte(i)
		}
		for i := range buf {
			if buf[i] != byte(i) {
				t.Fatalf("Alloc(%d): byte %d reads %d after writing %d", n, i, buf[i], byte(i))
			}
		}
		free()
	}
	if buf, free := Alloc(0); len(buf) != 0 {
		t.Errorf("Alloc(0) has %d bytes", len(buf))
	} else {
		free()
	}
}

func BenchmarkAlloc_Touch(b *testing.B) {
	const n = 24 << 20
	b.Run("hugemem", func(b *testing.B) {
		b.SetBytes(n)
		for b.Loop() {
			buf, free := Alloc(n)
			for i := 0; i < n; i += 4096 {
				buf[i] = 1
			}
			free()
		}
	})
	b.Run("heap", func(b *testing.B) {
		b.SetBytes(n)
		for b.Loop() {
			buf, _ := allocHeap(n)
			for i := 0; i < n; i += 4096 {
				buf[i] = 1
			}
			runtime.GC() // give the memory back, as a fresh process would not have it
		}
	})
}
