package tokenizerjson

import (
	"encoding/json"
	"fmt"
	"sort"
	"sync"

	"github.com/toklabs/tok"
)

// Model is the model stage of a tokenizer.json pipeline: it turns one
// pre-token into ids. Each family plugs its model in with [RegisterModel]
// from an init function in its own file of this package
// (tokenizerjson/wordpiece*.go, tokenizerjson/unigram*.go), without editing
// the loader.
//
// Implementations must be safe for concurrent use.
type Model interface {
	// AppendEncodePiece appends the ids of one pre-token to dst. piece is
	// the pre-token as HF's model sees it: UTF-8 text, except under a
	// byte-level pre-tokenizer when the model reports ByteLevel() true
	// (see [ByteLevelModel]), where it is the raw bytes.
	AppendEncodePiece(dst []uint32, piece []byte) []uint32

	// TokenToID and IDToToken map tokens as written in the file's "vocab".
	TokenToID(token string) (uint32, bool)
	IDToToken(id uint32) (string, bool)

	// VocabSize is one more than the largest id of the model's vocabulary
	// (added tokens not counted).
	VocabSize() int
}

// ByteLevelModel is implemented by models that can take raw bytes under a
// byte-level pre-tokenizer (ByteLevel). When ByteLevel returns true the
// pipeline hands them the raw bytes of each pre-token; otherwise the
// pipeline spells the bytes in GPT-2's byte alphabet (as HF does) before
// calling AppendEncodePiece.
type ByteLevelModel interface {
	ByteLevel() bool
}

// SpanModel is implemented by models that can report where each token
// comes from inside the pre-token. Without it, [Tokenizer.Encode] derives
// offsets from the length of each token (exact for byte-level BPE).
type SpanModel interface {
	// AppendEncodePieceSpans is AppendEncodePiece that also appends one
	// span per id: the byte range of piece the token covers.
	AppendEncodePieceSpans(ids []uint32, spans []tok.Span, piece []byte) ([]uint32, []tok.Span)
}

// ModelContext is what the loader tells a model parser about the rest of
// the file.
type ModelContext struct {
	// File names the file, for error messages.
	File string

	// Path is the JSON path of the model object ("model").
	Path string

	// ByteLevel is true when the pre-tokenizer or the normalizer is
	// ByteLevel: the parser may build a model that works on raw bytes and
	// report it through [ByteLevelModel].
	ByteLevel bool

	// AddedTokens are the file's added_tokens.
	AddedTokens []AddedToken
}

// ModelParser builds a model from the JSON object of "model". Errors
// should say what is wrong and where (ctx.Path and, for list entries, the
// index); the loader adds the file name.
type ModelParser func(raw json.RawMessage, ctx ModelContext) (Model, error)

// Writing a model back: a Model that implements json.Marshaler is written
// as the "model" object by [Tokenizer.WriteTo]; it must produce the object
// its ModelParser reads, "type" included.

var (
	modelsMu sync.RWMutex
	models   = map[string]ModelParser{}
)

// RegisterModel makes a model type known to the loader: typ is the
// "type" field of the "model" object ("BPE", "WordPiece", "Unigram",
// "WordLevel"). Registering a type twice panics.
func RegisterModel(typ string, parse ModelParser) {
	modelsMu.Lock()
	defer modelsMu.Unlock()
	if _, dup := models[typ]; dup {
		panic(fmt.Sprintf("tokenizerjson: model type %q registered twice", typ))
	}
	models[typ] = parse
}

// ModelTypes lists the registered model types, sorted.
func ModelTypes() []string {
	modelsMu.RLock()
	defer modelsMu.RUnlock()
	var names []string
	for k := range models {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

func lookupModel(typ string) (ModelParser, bool) {
	modelsMu.RLock()
	defer modelsMu.RUnlock()
	p, ok := models[typ]
	return p, ok
}

// AddedToken is one entry of "added_tokens": a string matched whole in the
// text before the model runs.
type AddedToken struct {
	ID         uint32 `json:"id"`
	Content    string `json:"content"`
	SingleWord bool   `json:"single_word"`
	LStrip     bool   `json:"lstrip"`
	RStrip     bool   `json:"rstrip"`
	Normalized bool   `json:"normalized"`
	Special    bool   `json:"special"`
}
