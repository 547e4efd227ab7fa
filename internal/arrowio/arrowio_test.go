package arrowio

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

func TestBatchWriterRoundTrip(t *testing.T) {
	docs := [][]uint32{{1, 2, 3}, {}, {4}, {5, 6, 7, 8, 9, 10, 11}, {2147483647}}
	for _, zstd := range []bool{false, true} {
		for _, limits := range [][2]int{{1000, 1 << 20}, {2, 1 << 20}, {1000, 4}} {
			var buf bytes.Buffer
			w := NewBatchWriter(&buf, zstd, limits[0], limits[1])
			for i, d := range docs {
				if err := w.Append(d, int64(10*i)); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			var got []string
			err := ReadShard(&buf, func(ids []int32, nb int64) error {
				got = append(got, fmt.Sprint(ids, nb))
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			want := "[1 2 3] 0|[] 10|[4] 20|[5 6 7 8 9 10 11] 30|[2147483647] 40"
			if strings.Join(got, "|") != want {
				t.Errorf("zstd %v limits %v: got %q", zstd, limits, strings.Join(got, "|"))
			}
		}
	}
}

func TestReadShardRejectsOtherStreams(t *testing.T) {
	if err := ReadShard(strings.NewReader("not arrow"), func([]int32, int64) error { return nil }); err == nil {
		t.Error("garbage: want an error")
	}
	var buf bytes.Buffer
	w := NewBatchWriter(&buf, false, 10, 10)
	w.Append([]uint32{1, 2}, 2)
	w.Close()
	b := buf.Bytes()
	if err := ReadShard(bytes.NewReader(b[:len(b)/2]), func([]int32, int64) error { return nil }); err == nil {
		t.Error("truncated stream: want an error")
	}
}
