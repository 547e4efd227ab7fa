package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/corpora"
	"github.com/toklabs/tok/internal/arrowio"
)

// byteTok is a test tokenizer: one id per byte, offset by a value that
// depends on the previous byte so that ids are not just the text.
type byteTok struct{}

func (byteTok) AppendEncode(dst []uint32, text []byte) []uint32 {
	prev := byte(0)
	for _, b := range text {
		dst = append(dst, uint32(b)+256*uint32(prev%4))
		prev = b
	}
	return dst
}

func (byteTok) AppendDecode(dst []byte, ids []uint32) ([]byte, error) {
	for _, id := range ids {
		dst = append(dst, byte(id%256))
	}
	return dst, nil
}
func (byteTok) VocabSize() int                    { return 1024 }
func (byteTok) TokenToID(string) (uint32, bool)   { return 0, false }
func (byteTok) IDToToken(uint32) (string, bool)   { return "", false }
func (byteTok) SpecialTokens() []tok.SpecialToken { return nil }
func testConfig(t *testing.T, out string) Config {
	cfg := DefaultConfig()
	cfg.Tokenizer = byteTok{}
	cfg.TokenizerHash = "byte-test-tokenizer"
	cfg.Out = out
	cfg.ShardBytes = 1 << 20 // several shards
	cfg.BatchRows = 100
	cfg.ValFraction = 0.1
	return cfg
}

// testInputs is a corpus of many files: the built-in default corpus.
func testInputs(t testing.TB) []corpora.Input {
	inputs, err := corpora.DefaultInputs()
	if err != nil {
		t.Fatal(err)
	}
	return inputs
}

// expected returns the documents of inputs and their ids, per split.
func expected(t *testing.T, inputs []corpora.Input, valFraction float64) (ids [2][][]int32, nbytes [2][]int64) {
	c := corpora.OpenInputs(inputs, corpora.DefaultOptions())
	for {
		d, err := c.Read()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		sp := SplitOf(d.Text, valFraction)
		var v []int32
		for _, id := range (byteTok{}).AppendEncode(nil, d.Text) {
			v = append(v, int32(id))
		}
		ids[sp] = append(ids[sp], v)
		nbytes[sp] = append(nbytes[sp], int64(len(d.Text)))
	}
}

func encodeAll(t *testing.T, cfg Config, inputs []corpora.Input) *Manifest {
	t.Helper()
	if _, err := Encode(context.Background(), cfg, inputs, corpora.DefaultOptions()); err != nil {
		t.Fatal(err)
	}
	m, err := Finalize(cfg.Out)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// datasetFiles returns the relative paths and contents of the dataset's
// files (shards and metadata).
func datasetFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() || strings.Contains(p, string(filepath.Separator)+RanksDir+string(filepath.Separator)) {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		out[rel] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameFiles(t *testing.T, a, b map[string][]byte, what string) {
	t.Helper()
	var names []string
	for k := range a {
		names = append(names, k)
	}
	sort.Strings(names)
	if len(a) != len(b) {
		var nb []string
		for k := range b {
			nb = append(nb, k)
		}
		sort.Strings(nb)
		t.Fatalf("%s: files differ: %v vs %v", what, names, nb)
	}
	for _, k := range names {
		if !bytes.Equal(a[k], b[k]) {
			t.Errorf("%s: %s differs", what, k)
		}
	}
}

// parallelism is the workers and readers of the runs that must give
// identical datasets.
var parallelism = []struct{ workers, readers int }{{1, 1}, {2, 1}, {5, 1}, {2, 2}, {5, 3}, {3, 50}}

func TestEncodeWorkersIdentical(t *testing.T) {
	inputs := testInputs(t)
	var sets []map[string][]byte
	for _, p := range parallelism {
		cfg := testConfig(t, filepath.Join(t.TempDir(), "ds"))
		cfg.Workers, cfg.Readers = p.workers, p.readers
		m := encodeAll(t, cfg, inputs)
		if len(m.Splits[SplitTrain].Shards) < 2 {
			t.Fatalf("want several train shards, got %d", len(m.Splits[SplitTrain].Shards))
		}
		// Each shard names its first and last documents, in input order.
		order := map[string]int{}
		for i, in := range inputs {
			order[in.Path] = i
		}
		prev := DocRef{Source: inputs[0].Path, Index: -1}
		for _, sh := range m.Splits[SplitTrain].Shards {
			a, b, p := order[sh.First.Source], order[sh.Last.Source], order[prev.Source]
			if sh.First.Source == "" || a < p || a == p && sh.First.Index <= prev.Index || b < a {
				t.Fatalf("shard %s: first %+v last %+v after %+v", sh.File, sh.First, sh.Last, prev)
			}
			prev = sh.Last
		}
		sets = append(sets, datasetFiles(t, cfg.Out))
	}
	for i, p := range parallelism[1:] {
		sameFiles(t, sets[0], sets[i+1], fmt.Sprintf("1 worker vs %d workers and %d readers", p.workers, p.readers))
	}
}

func TestRoundTripArrowAndReader(t *testing.T) {
	inputs := testInputs(t)
	for _, comp := range []Compression{CompressionNone, CompressionZstd} {
		t.Run(comp.String(), func(t *testing.T) {
			cfg := testConfig(t, filepath.Join(t.TempDir(), "ds"))
			cfg.Compression = comp
			m := encodeAll(t, cfg, inputs)
			want, wantBytes := expected(t, inputs, cfg.ValFraction)
			ds, err := OpenDataset(cfg.Out)
			if err != nil {
				t.Fatal(err)
			}
			defer ds.Close()
			for sp, name := range splitNames {
				sm := m.Splits[name]
				if sm.Documents != int64(len(want[sp])) || sm.Documents == 0 {
					t.Fatalf("%s: %d documents, want %d", name, sm.Documents, len(want[sp]))
				}
				// 1. Every shard read back with the Arrow library.
				got, gotBytes := readShards(t, cfg.Out, name, sm.Shards)
				if fmt.Sprint(got) != fmt.Sprint(want[sp]) || fmt.Sprint(gotBytes) != fmt.Sprint(wantBytes[sp]) {
					t.Fatalf("%s: shards do not hold the expected ids", name)
				}
				// 2. The reader: whole documents and windows across shards.
				s, err := ds.Split(name)
				if err != nil {
					t.Fatal(err)
				}
				var flat []int32
				for _, d := range want[sp] {
					flat = append(flat, d...)
				}
				if s.NumTokens() != int64(len(flat)) || s.NumDocuments() != int64(len(want[sp])) {
					t.Fatalf("%s: reader has %d tokens %d docs, want %d %d", name, s.NumTokens(), s.NumDocuments(), len(flat), len(want[sp]))
				}
				var at int64
				for i := int64(0); i < s.NumDocuments(); i++ {
					if i%7 == 0 {
						ids, nb, err := s.Document(i, nil)
						if err != nil {
							t.Fatal(err)
						}
						if fmt.Sprint(ids) != fmt.Sprint(want[sp][i]) || nb != wantBytes[sp][i] {
							t.Fatalf("%s: document %d differs", name, i)
						}
						if start, err := s.DocumentStart(i); err != nil || start != at {
							t.Fatalf("%s: document %d starts at %d (%v), want %d", name, i, start, err, at)
						}
					}
					at += int64(len(want[sp][i]))
				}
				for _, win := range [][2]int64{{0, 10}, {int64(len(flat)) - 5, 5}, {int64(len(flat)) / 3, int64(len(flat)) / 2}, {12345, 1}} {
					w, err := s.ReadWindow(win[0], int(win[1]), []int32{-1})
					if err != nil {
						t.Fatal(err)
					}
					if w[0] != -1 || fmt.Sprint(w[1:]) != fmt.Sprint(flat[win[0]:win[0]+win[1]]) {
						t.Fatalf("%s: window %v differs", name, win)
					}
				}
				if _, err := s.ReadWindow(s.NumTokens()-1, 2, nil); !errors.Is(err, ErrOutOfRange) {
					t.Errorf("window past the end: %v", err)
				}
			}
		})
	}
}

// readShards reads the documents of a split's shards with the Arrow
// library.
func readShards(t *testing.T, out, split string, shards []ShardInfo) (ids [][]int32, nbytes []int64) {
	t.Helper()
	for _, sh := range shards {
		f, err := os.Open(filepath.Join(out, split, sh.File))
		if err != nil {
			t.Fatal(err)
		}
		err = arrowio.ReadShard(f, func(doc []int32, nb int64) error {
			ids = append(ids, append([]int32(nil), doc...))
			nbytes = append(nbytes, nb)
			return nil
		})
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return ids, nbytes
}

func TestOtherTokenizerRefused(t *testing.T) {
	inputs := testInputs(t)[:5]
	cfg := testConfig(t, filepath.Join(t.TempDir(), "ds"))
	encodeAll(t, cfg, inputs)
	cfg.TokenizerHash = "another"
	_, err := Encode(context.Background(), cfg, inputs, corpora.DefaultOptions())
	if !errors.Is(err, ErrOtherTokenize) || !strings.Contains(err.Error(), ManifestFile) {
		t.Fatalf("got %v, want ErrOtherTokenize naming the manifest", err)
	}
	// A half-done rank directory is refused too.
	cfg2 := testConfig(t, filepath.Join(t.TempDir(), "ds"))
	cfg2.WorldSize, cfg2.Rank = 2, 0
	if _, err := Encode(context.Background(), cfg2, inputs, corpora.DefaultOptions()); err != nil {
		t.Fatal(err)
	}
	if _, err := Finalize(cfg2.Out); !errors.Is(err, ErrIncomplete) {
		t.Fatalf("finalize with rank 1 missing: %v", err)
	}
	cfg2.TokenizerHash = "another"
	if _, err := Encode(context.Background(), cfg2, inputs, corpora.DefaultOptions()); !errors.Is(err, ErrOtherTokenize) {
		t.Fatalf("got %v", err)
	}
}

func TestRanksSameDataset(t *testing.T) {
	inputs := testInputs(t)
	one := testConfig(t, filepath.Join(t.TempDir(), "one"))
	mOne := encodeAll(t, one, inputs)
	const world = 3
	multi := testConfig(t, filepath.Join(t.TempDir(), "multi"))
	multi.WorldSize = world
	for r := world - 1; r >= 0; r-- {
		c := multi
		c.Rank = r
		if _, err := Encode(context.Background(), c, inputs, corpora.DefaultOptions()); err != nil {
			t.Fatal(err)
		}
	}
	mMulti, err := Finalize(multi.Out)
	if err != nil {
		t.Fatal(err)
	}
	if mOne.Corpus.XXH3 != mMulti.Corpus.XXH3 || mOne.Corpus.Documents != mMulti.Corpus.Documents {
		t.Errorf("corpus identity differs: %+v vs %+v", mOne.Corpus.XXH3, mMulti.Corpus.XXH3)
	}
	a, _ := OpenDataset(one.Out)
	b, _ := OpenDataset(multi.Out)
	for _, name := range splitNames {
		sa, err := a.Split(name)
		if err != nil {
			t.Fatal(err)
		}
		sb, err := b.Split(name)
		if err != nil {
			t.Fatal(err)
		}
		if sa.NumTokens() != sb.NumTokens() || sa.NumDocuments() != sb.NumDocuments() {
			t.Fatalf("%s: %d/%d tokens, %d/%d docs", name, sa.NumTokens(), sb.NumTokens(), sa.NumDocuments(), sb.NumDocuments())
		}
		wa, _ := sa.ReadWindow(0, int(sa.NumTokens()), nil)
		wb, _ := sb.ReadWindow(0, int(sb.NumTokens()), nil)
		if !slices.Equal(wa, wb) {
			t.Fatalf("%s: token streams differ", name)
		}
	}
}

func TestPartition(t *testing.T) {
	var in []corpora.Input
	for i, sz := range []int64{100, 100, 100, 100, 400, 0, 100} {
		in = append(in, corpora.Input{Path: fmt.Sprint(i), Size: sz})
	}
	var all []string
	for r := 0; r < 3; r++ {
		part, err := Partition(in, r, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range part {
			all = append(all, p.Path)
		}
		if len(part) == 0 {
			t.Errorf("rank %d got nothing", r)
		}
	}
	if strings.Join(all, ",") != "0,1,2,3,4,5,6" {
		t.Errorf("partition order %v", all)
	}
	// Eight equal pieces and a small one over two ranks: four and five,
	// not five and four (the fifth piece's middle is past the half).
	var pieces []corpora.Input
	for i := range 9 {
		pieces = append(pieces, corpora.Input{Path: fmt.Sprint(i), Size: map[bool]int64{true: 10, false: 100}[i == 8]})
	}
	if p0, _ := Partition(pieces, 0, 2); len(p0) != 4 {
		t.Errorf("rank 0 of 2 got %d of 8 equal pieces and a small one, want 4", len(p0))
	}
	if _, err := Partition([]corpora.Input{{Path: "-", Size: -1}}, 0, 2); err == nil {
		t.Error("stdin split across ranks: want an error")
	}
}

func TestProgressLines(t *testing.T) {
	for _, terminal := range []bool{false, true} {
		var buf bytes.Buffer
		cfg := testConfig(t, filepath.Join(t.TempDir(), "ds"))
		cfg.Progress, cfg.ProgressTerminal = &buf, terminal
		if _, err := Encode(context.Background(), cfg, testInputs(t)[:4], corpora.DefaultOptions()); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if terminal {
			if !strings.Contains(out, "\r") || !strings.Contains(out, "100%") || !strings.Contains(out, "Mtok/s") {
				t.Errorf("terminal bar: %q", out)
			}
		} else if !strings.HasPrefix(out, "encode: done: ") || !strings.Contains(out, " docs, ") || strings.Contains(out, "\r") {
			t.Errorf("plain lines: %q", out)
		}
	}
}

// A split that gets no document still has one (empty) shard, so that
// datasets.load_from_disk and OpenDataset can open it.
func TestEmptySplit(t *testing.T) {
	cfg := testConfig(t, filepath.Join(t.TempDir(), "ds"))
	cfg.ValFraction = 1e-6
	m := encodeAll(t, cfg, testInputs(t)[1:3])
	v := m.Splits[SplitValidation]
	if v == nil || v.Documents != 0 || len(v.Shards) != 1 || v.Shards[0].File != "data-00000-of-00001.arrow" {
		t.Fatalf("validation split: %+v", v)
	}
	ds, err := OpenDataset(cfg.Out)
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	s, err := ds.Split(SplitValidation)
	if err != nil {
		t.Fatal(err)
	}
	if s.NumTokens() != 0 || s.NumDocuments() != 0 {
		t.Fatalf("empty split has %d tokens", s.NumTokens())
	}
	if _, err := s.ReadWindow(0, 1, nil); !errors.Is(err, ErrOutOfRange) {
		t.Errorf("window in an empty split: %v", err)
	}
	f, _ := os.Open(filepath.Join(cfg.Out, SplitValidation, v.Shards[0].File))
	defer f.Close()
	n := 0
	if err := arrowio.ReadShard(f, func([]int32, int64) error { n++; return nil }); err != nil || n != 0 {
		t.Fatalf("empty shard read by Arrow: %v, %d rows", err, n)
	}
}

// TestHFLayout checks the files datasets.load_from_disk reads: every key of
// state.json it indexes, the features of dataset_info.json, and
// dataset_dict.json (facts from huggingface/datasets, see
// ../shared/reference/pipeline-model.md §1.1).
func TestHFLayout(t *testing.T) {
	cfg := testConfig(t, filepath.Join(t.TempDir(), "ds"))
	cfg.ShardBytes = 256 << 10
	m := encodeAll(t, cfg, testInputs(t)[:6])
	var dict map[string][]string
	if err := readJSON(filepath.Join(cfg.Out, "dataset_dict.json"), &dict); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(dict["splits"]) != "[train validation]" {
		t.Errorf("dataset_dict.json: %v", dict)
	}
	for _, split := range splitNames {
		var state map[string]any
		if err := readJSON(filepath.Join(cfg.Out, split, "state.json"), &state); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"_data_files", "_fingerprint", "_format_columns", "_format_kwargs", "_format_type", "_output_all_columns", "_split"} {
			if _, ok := state[k]; !ok {
				t.Errorf("%s/state.json lacks %s", split, k)
			}
		}
		files := state["_data_files"].([]any)
		if len(files) != len(m.Splits[split].Shards) {
			t.Fatalf("%s: %d data files, %d shards", split, len(files), len(m.Splits[split].Shards))
		}
		for i, f := range files {
			want := fmt.Sprintf("data-%05d-of-%05d.arrow", i, len(files))
			if f.(map[string]any)["filename"] != want {
				t.Errorf("%s: data file %d is %v, want %s", split, i, f, want)
			}
			b, err := os.ReadFile(filepath.Join(cfg.Out, split, want))
			if err != nil {
				t.Fatal(err)
			}
			// A stream, not the file format (which starts with ARROW1).
			if bytes.HasPrefix(b, []byte("ARROW1")) || !bytes.HasPrefix(b, []byte{0xff, 0xff, 0xff, 0xff}) {
				t.Errorf("%s: not an Arrow IPC stream", want)
			}
		}
		var info map[string]json.RawMessage
		if err := readJSON(filepath.Join(cfg.Out, split, "dataset_info.json"), &info); err != nil {
			t.Fatal(err)
		}
		var feats map[string]any
		json.Unmarshal(info["features"], &feats)
		if fmt.Sprint(feats) != "map[input_ids:map[_type:Sequence feature:map[_type:Value dtype:int32]] num_bytes:map[_type:Value dtype:int64]]" {
			t.Errorf("features: %v", feats)
		}
	}
}

// TestShardCuts checks where shards end: each after the first document
// that brings its ids to ShardBytes (4 bytes an id), the last one at the
// end, and every document in exactly one shard with its own counts.
func TestShardCuts(t *testing.T) {
	inputs := testInputs(t)[:20]
	for _, shardBytes := range []int64{1, 4 << 10, 100 << 10} {
		cfg := testConfig(t, filepath.Join(t.TempDir(), "ds"))
		cfg.ShardBytes = shardBytes
		m := encodeAll(t, cfg, inputs)
		want, _ := expected(t, inputs, cfg.ValFraction)
		for sp, name := range splitNames {
			shards := m.Splits[name].Shards
			var docs int64
			for k, sh := range shards {
				ids, nbytes := readShards(t, cfg.Out, name, shards[k:k+1])
				var tokens, size int64
				for i := range ids {
					tokens += int64(len(ids[i]))
					size += nbytes[i]
				}
				if sh.Documents != int64(len(ids)) || sh.Tokens != tokens || sh.Bytes != size || len(ids) == 0 {
					t.Fatalf("ShardBytes %d, %s shard %d: info %d docs %d tokens %d bytes, holds %d, %d, %d",
						shardBytes, name, k, sh.Documents, sh.Tokens, sh.Bytes, len(ids), tokens, size)
				}
				before := tokens - int64(len(ids[len(ids)-1]))
				if full := 4*tokens >= shardBytes; k < len(shards)-1 && (!full || 4*before >= shardBytes) {
					t.Errorf("ShardBytes %d, %s shard %d: %d ids, %d before its last document", shardBytes, name, k, tokens, before)
				}
				docs += sh.Documents
			}
			if docs != int64(len(want[sp])) {
				t.Errorf("ShardBytes %d, %s: %d documents in shards, want %d", shardBytes, name, docs, len(want[sp]))
			}
		}
	}
}

// arrowFiles returns the shards of a dataset by relative path (the
// metadata names the inputs, which differ between pieces and whole files).
func arrowFiles(t *testing.T, dir string) map[string][]byte {
	out := map[string][]byte{}
	for name, b := range datasetFiles(t, dir) {
		if strings.HasSuffix(name, ".arrow") {
			out[name] = b
		}
	}
	return out
}

// encodeRanks encodes inputs as world ranks, one after the other, and
// finalizes.
func encodeRanks(t *testing.T, cfg Config, inputs []corpora.Input, world int) *Manifest {
	t.Helper()
	cfg.WorldSize = world
	for r := range world {
		cfg.Rank = r
		if _, err := Encode(context.Background(), cfg, inputs, corpora.DefaultOptions()); err != nil {
			t.Fatalf("rank %d of %d: %v", r, world, err)
		}
	}
	m, err := Finalize(cfg.Out)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// piecesRun is one way to encode a corpus read as pieces.
type piecesRun struct{ workers, readers, world int }

// encodePieces encodes inputs read as pieces of pieceBytes in each way of
// runs, with whole's other settings. A one-rank run must give shards
// byte-identical to whole's (the same inputs read whole); every run must
// hold the ids want and byte counts wantBytes of expected, and no split
// may be empty. It returns each run's configuration and manifest.
func encodePieces(t *testing.T, whole Config, inputs []corpora.Input, pieceBytes int64, runs []piecesRun,
	want [2][][]int32, wantBytes [2][]int64) ([]Config, []*Manifest) {
	t.Helper()
	var cfgs []Config
	var ms []*Manifest
	for _, p := range runs {
		cfg := whole
		cfg.Out = filepath.Join(t.TempDir(), "pieces")
		cfg.PieceBytes = pieceBytes
		cfg.Workers, cfg.Readers = p.workers, p.readers
		var m *Manifest
		if p.world == 1 {
			m = encodeAll(t, cfg, inputs)
			sameFiles(t, arrowFiles(t, whole.Out), arrowFiles(t, cfg.Out), fmt.Sprintf("whole vs pieces, %+v", p))
		} else {
			m = encodeRanks(t, cfg, inputs, p.world)
		}
		for sp, name := range splitNames {
			got, gotBytes := readShards(t, cfg.Out, name, m.Splits[name].Shards)
			if len(got) == 0 || fmt.Sprint(got) != fmt.Sprint(want[sp]) || fmt.Sprint(gotBytes) != fmt.Sprint(wantBytes[sp]) {
				t.Fatalf("%+v, %s: %d documents, not the expected ids (want %d documents)", p, name, len(got), len(want[sp]))
			}
		}
		cfgs, ms = append(cfgs, cfg), append(ms, m)
	}
	return cfgs, ms
}
