package pipeline

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/toklabs/tok/corpora"
)

// Names inside a dataset directory.
const (
	ManifestFile    = "tok_manifest.json"
	RanksDir        = "ranks"
	RankStateFile   = "rank.json"
	rankStateFormat = "tok-rank v2"
	manifestFormat  = "tok-dataset v2"
	// manifestFormatV1 datasets (SHA-256 checksums) are still read.
	manifestFormatV1 = "tok-dataset v1"
)

// Settings are the choices that must not change between a run and its
// resumption, nor between the ranks of one dataset.
type Settings struct {
	TokenizerSHA256 string          `json:"tokenizer_sha256"`
	VocabSize       int             `json:"vocab_size"`
	WorldSize       int             `json:"world_size"`
	ShardBytes      int64           `json:"shard_bytes"`
	PieceBytes      int64           `json:"piece_bytes"`
	BatchRows       int             `json:"batch_rows"`
	BatchTokens     int             `json:"batch_tokens"`
	Compression     string          `json:"compression"`
	ValFraction     float64         `json:"val_fraction"`
	EOS             *uint32         `json:"eos,omitempty"`
	EncodeOptions   string          `json:"encode_options,omitempty"`
	Corpus          CorpusSettings  `json:"corpus"`
	Inputs          []InputIdentity `json:"inputs"`
}

// CorpusSettings are the corpora.Options that change what is read.
type CorpusSettings struct {
	TextField        string `json:"text_field"`
	MaxDocBytes      int    `json:"max_doc_bytes"`
	SkipBad          bool   `json:"skip_bad"`
	AllowInvalidUTF8 bool   `json:"allow_invalid_utf8"`
}

// InputIdentity names one input file of the whole corpus (all ranks).
type InputIdentity struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	Format string `json:"format"`
	Split  string `json:"split"`
}

// ShardInfo describes one finished shard.
type ShardInfo struct {
	File      string `json:"file"`
	Documents int64  `json:"documents"`
	Tokens    int64  `json:"tokens"`
	Bytes     int64  `json:"bytes"` // UTF-8 bytes of the documents' text
	FileBytes int64  `json:"file_bytes"`
	XXH3      string `json:"xxh3_128,omitempty"` // of the shard file (see VerifyShard)
	SHA256    string `json:"sha256,omitempty"`   // of the shard file, in format v1 instead
	// Where the shard's first and last documents are in the rank's
	// reading order.
	FirstPos DocPos `json:"first_pos"`
	LastPos  DocPos `json:"last_pos"`
	First    DocRef `json:"first"` // the shard's first document
	Last     DocRef `json:"last"`  // and its last
}

// DocRef names a document by its input and its index there (a line-based
// document's index counts documents, not lines; a Parquet one's is the row).
type DocRef struct {
	Source string `json:"source"`
	Index  int64  `json:"index"`
}

// DocPos is where a document is in a rank's reading order: its input
// (index among the rank's inputs) and its index within the input. A
// resumed run skips the documents up to the last position of a split's
// finished shards.
type DocPos struct {
	Input int   `json:"input"`
	Index int64 `json:"index"`
}

// noPos precedes every document.
var noPos = DocPos{Input: -1, Index: -1}

// after reports whether p comes after q in reading order.
func (p DocPos) after(q DocPos) bool {
	return p.Input > q.Input || p.Input == q.Input && p.Index > q.Index
}

// SplitState is a rank's finished shards of one split.
type SplitState struct {
	Shards []ShardInfo `json:"shards"`
}

func (s *SplitState) lastPos() DocPos {
	if s == nil || len(s.Shards) == 0 {
		return noPos
	}
	return s.Shards[len(s.Shards)-1].LastPos
}

func (s *SplitState) shardsOrNil() []ShardInfo {
	if s == nil {
		return nil
	}
	return s.Shards
}

func (s *SplitState) totals() (docs, tokens, nbytes int64) {
	if s == nil {
		return
	}
	for _, sh := range s.Shards {
		docs += sh.Documents
		tokens += sh.Tokens
		nbytes += sh.Bytes
	}
	return
}

// InputDigest is the content digest of one input as read.
type InputDigest struct {
	Path      string `json:"path"`
	Documents int64  `json:"documents"`
	Bytes     int64  `json:"bytes"`
	XXH3      string `json:"xxh3_128,omitempty"` // of each document's length (uint64 LE) and text, in order
	SHA256    string `json:"sha256,omitempty"`   // the same with SHA-256, in format v1 instead
}

// RankState is the resumable state of one rank, saved atomically after
// every finished shard. Done is the rank's completion marker.
type RankState struct {
	Format   string                 `json:"format"`
	Rank     int                    `json:"rank"`
	Settings Settings               `json:"settings"`
	Splits   map[string]*SplitState `json:"splits"`
	Done     bool                   `json:"done"`
	// Filled in when Done:
	Documents int64         `json:"documents,omitempty"`
	Skipped   int64         `json:"skipped,omitempty"`
	Inputs    []InputDigest `json:"inputs,omitempty"`
}

func rankDir(out string, rank int) string {
	return filepath.Join(out, RanksDir, fmt.Sprintf("rank-%05d", rank))
}

func shardName(split string, k int) string { return fmt.Sprintf("%s-%05d.arrow", split, k) }

// writeFileAtomic writes data to path through a temporary file, fsync and
// rename, so a reader sees the old or the new content, never a mix.
func writeFileAtomic(path string, data []byte) error {
	if err := writeAtomic(path, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	d.Sync() // not supported everywhere; best effort
	return nil
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(b, '\n'))
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("pipeline: %s: %w", path, err)
	}
	return nil
}

// compareSettings explains how two settings differ, or returns nil.
func compareSettings(have, want Settings, where string) error {
	if have.TokenizerSHA256 != want.TokenizerSHA256 {
		return fmt.Errorf("%w: %s has tokenizer sha256 %s, this run uses %s", ErrOtherTokenize, where, have.TokenizerSHA256, want.TokenizerSHA256)
	}
	// SkipBad may change between a run stopped by a bad record and its
	// resumption: the documents before the bad record are the same.
	have.Corpus.SkipBad, want.Corpus.SkipBad = false, false
	a, _ := json.Marshal(have)
	b, _ := json.Marshal(want)
	if bytes.Equal(a, b) {
		return nil
	}
	var ma, mb map[string]json.RawMessage
	json.Unmarshal(a, &ma)
	json.Unmarshal(b, &mb)
	var diff []string
	for k := range mb {
		if !bytes.Equal(ma[k], mb[k]) {
			diff = append(diff, k)
		}
	}
	sort.Strings(diff)
	return fmt.Errorf("%w: %s differs in %v (start over in an empty directory, or use the same settings)", ErrMismatch, where, diff)
}

// HashFiles returns the hex sha256 identifying a tokenizer stored at path:
// the file's content, or for a directory the names and contents of its
// regular files in lexical order.
func HashFiles(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	if !fi.IsDir() {
		f, err := os.Open(path)
		if err != nil {
			return "", err
		}
		defer f.Close()
		if _, err := io.Copy(h, f); err != nil {
			return "", err
		}
		return hex.EncodeToString(h.Sum(nil)), nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(path, e.Name()))
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", e.Name(), len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func inputIdentities(inputs []corpora.Input) []InputIdentity {
	out := make([]InputIdentity, len(inputs))
	for i, in := range inputs {
		out[i] = InputIdentity{Path: in.Name(), Size: in.Size, Format: in.Format.String(), Split: in.Split.String()}
	}
	return out
}
