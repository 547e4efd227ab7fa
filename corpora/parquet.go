package corpora

import (
	"fmt"

	"github.com/toklabs/tok"
)

// openParquet opens a Parquet input.
func openParquet(path string, opts *Options) (recordReader, error) {
	return nil, &tok.FormatError{File: path, Offset: -1, Msg: fmt.Sprintf("reading Parquet (column %q) is not supported yet", opts.TextField)}
}
