package rawbytes

import (
	"bytes"
	"testing"
)

func TestTokenNames(t *testing.T) {
	var tk Tokenizer
	for id := uint32(0); id < 256; id++ {
		name, ok := tk.IDToToken(id)
		if !ok {
			t.Fatalf("IDToToken(%d) not ok", id)
		}
		back, ok := tk.TokenToID(name)
		if !ok || back != id {
			t.Fatalf("TokenToID(%q) = %d, %v; want %d", name, back, ok, id)
		}
	}
	for _, bad := range []string{"", "a", "<0x100>", "<0xZZ>", "<0x1>"} {
		if _, ok := tk.TokenToID(bad); ok {
			t.Errorf("TokenToID(%q) accepted", bad)
		}
	}
	if _, ok := tk.IDToToken(256); ok {
		t.Error("IDToToken(256) accepted")
	}
}

func TestDecodeRejectsOutOfRange(t *testing.T) {
	var tk Tokenizer
	if _, err := tk.AppendDecode(nil, []uint32{65, 300}); err == nil {
		t.Fatal("decoding id 300 gave no error")
	}
}

func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte("hello, world"))
	f.Add([]byte{0xff, 0x00, 0xc3})
	f.Fuzz(func(t *testing.T, text []byte) {
		var tk Tokenizer
		ids := tk.AppendEncode(nil, text)
		if len(ids) != len(text) {
			t.Fatalf("%d ids for %d bytes", len(ids), len(text))
		}
		back, err := tk.AppendDecode(nil, ids)
		if err != nil || !bytes.Equal(back, text) {
			t.Fatalf("round trip: %q, %v; want %q", back, err, text)
		}
	})
}
