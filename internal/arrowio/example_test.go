package arrowio_test

import (
	"bytes"
	"fmt"

	"github.com/toklabs/tok/internal/arrowio"
)

// Three documents whose ids lie back to back at positions 100..106 of a
// larger buffer, appended with one call and read back.
func ExampleBatchWriter_AppendDocs() {
	var shard bytes.Buffer
	w := arrowio.NewBatchWriter(&shard, false, 1000, 4<<20)
	ids := []uint32{15496, 995, 0, 2, 40, 41, 42}
	ends := []int{102, 102, 107} // the second document is empty
	if err := w.AppendDocs(ids, ends, 100, []int64{11, 0, 17}); err != nil {
		panic(err)
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
	arrowio.ReadShard(&shard, func(ids []int32, numBytes int64) error {
		fmt.Println(ids, numBytes)
		return nil
	})
	// Output:
	// [15496 995] 11
	// [] 0
	// [0 2 40 41 42] 17
}
