package sentencepiece

import (
	"fmt"
	"math"
	"sync"
)

// HFUnigram is the Unigram model as HuggingFace tokenizers runs it (the
// "Unigram" model of a tokenizer.json): Viterbi over one pre-token that is
// already normalized, in float64, every vocabulary entry a candidate
// (special pieces included), unknown characters scored 10 below the
// lowest score, runs of unknown characters fused into one, and with byte
// fallback an unknown run spelled as <0xNN> pieces when all of them exist.
// Package tokenizerjson uses it for Unigram files. It is immutable and
// safe for concurrent use.
type HFUnigram struct {
	pieces       []string
	scores       []float64
	da           *doubleArray
	unkID        int32 // -1: none
	byteFallback bool
	byteIDs      [256]int32
	unkScore     float64
}

// NewHFUnigram builds the model from the vocabulary (id = index) and the
// unk_id (-1 for none).
func NewHFUnigram(pieces []string, scores []float64, unkID int, byteFallback bool) (*HFUnigram, error) {
	if len(pieces) != len(scores) {
		return nil, fmt.Errorf("sentencepiece: %d pieces but %d scores", len(pieces), len(scores))
	}
	if unkID >= len(pieces) || unkID < -1 {
		return nil, fmt.Errorf("sentencepiece: unk_id %d outside vocabulary of %d", unkID, len(pieces))
	}
	u := &HFUnigram{pieces: pieces, scores: scores, unkID: int32(unkID), byteFallback: byteFallback}
	ids := make([]int32, len(pieces))
	minScore := math.Inf(1)
	index := map[string]int32{}
	for i, p := range pieces {
		if p == "" {
			return nil, fmt.Errorf("sentencepiece: piece %d is empty", i)
		}
		ids[i] = int32(i)
		minScore = min(minScore, scores[i])
		if _, dup := index[p]; !dup {
			index[p] = int32(i)
		}
	}
	if len(pieces) == 0 {
		minScore = 0
	}
	// The first of duplicate pieces wins, as HF's token→id map keeps it.
	keys := make([]string, 0, len(index))
	vals := make([]int32, 0, len(index))
	for p, id := range index {
		keys = append(keys, p)
		vals = append(vals, id)
	}
	u.da = newDoubleArray(keys, vals)
	u.unkScore = minScore - unkPenalty
	for b := range u.byteIDs {
		u.byteIDs[b] = -1
		if id, ok := index[fmt.Sprintf("<0x%02X>", b)]; ok {
			u.byteIDs[b] = id
		}
	}
	return u, nil
}

// VocabSize is the number of pieces.
func (u *HFUnigram) VocabSize() int { return len(u.pieces) }

// Piece returns the text and score of id.
func (u *HFUnigram) Piece(id uint32) (string, float64, bool) {
	if int(id) >= len(u.pieces) {
		return "", 0, false
	}
	return u.pieces[id], u.scores[id], true
}

// UnkID returns the unknown id, -1 if none.
func (u *HFUnigram) UnkID() int { return int(u.unkID) }

// ByteFallback reports whether unknown runs are spelled as bytes.
func (u *HFUnigram) ByteFallback() bool { return u.byteFallback }

type hfBest struct {
	id    int32
	start int32
	score float64
}

// hfScratch is the per-call working memory of HFUnigram.AppendEncode,
// pooled so that encoding does not allocate in steady state.
type hfScratch struct {
	best []hfBest
	rev  []hfSeg
}

type hfSeg struct{ id, start, end int32 }

var hfScratchPool = sync.Pool{New: func() any { return new(hfScratch) }}

// AppendEncode appends the ids of one pre-token. Characters that no piece
// covers are dropped when the model has no unk_id (HF reports an error).
func (u *HFUnigram) AppendEncode(dst []uint32, text []byte) []uint32 {
	n := len(text)
	if n == 0 {
		return dst
	}
	sc := hfScratchPool.Get().(*hfScratch)
	defer hfScratchPool.Put(sc)
	if cap(sc.best) < n+1 {
		sc.best = make([]hfBest, n+1)
	}
	best := sc.best[:n+1]
	for i := range best {
		best[i] = hfBest{id: -1, start: -1}
	}
	best[0].start = 0
	units := u.da.units
	for at := 0; at < n; {
		here := best[at].score
		mblen := min(oneCharLen(text[at]), n-at)
		single := false
		node, base := int32(0), units[0].base
		for k := at; k < n; k++ {
			t := base + int32(text[k])
			du := &units[t]
			if du.check != node {
				break
			}
			node, base = t, du.base
			id := du.value
			if id < 0 {
				continue
			}
			cand := u.scores[id] + here
			if tgt := &best[k+1]; tgt.start < 0 || cand > tgt.score {
				*tgt = hfBest{id, int32(at), cand}
			}
			if k+1-at == mblen {
				single = true
			}
		}
		if !single {
			cand := u.unkScore + here
			if tgt := &best[at+mblen]; tgt.start < 0 || cand > tgt.score {
				*tgt = hfBest{u.unkID, int32(at), cand}
			}
		}
		at += mblen
	}
	rev := sc.rev[:0]
	for end := int32(n); end > 0; {
		b := best[end]
		if b.id == u.unkID && len(rev) > 0 && rev[len(rev)-1].id == u.unkID {
			rev[len(rev)-1].start = b.start // fuse unknown runs
		} else {
			rev = append(rev, hfSeg{b.id, b.start, end})
		}
		end = b.start
	}
	sc.rev = rev
	for i := len(rev) - 1; i >= 0; i-- {
		s := rev[i]
		if s.id != u.unkID {
			dst = append(dst, uint32(s.id))
			continue
		}
		if u.byteFallback {
			ok := true
			for _, c := range text[s.start:s.end] {
				if u.byteIDs[c] < 0 {
					ok = false
					break
				}
			}
			if ok {
				for _, c := range text[s.start:s.end] {
					dst = append(dst, uint32(u.byteIDs[c]))
				}
				continue
			}
		}
		if u.unkID >= 0 {
			dst = append(dst, uint32(u.unkID))
		}
	}
	return dst
}
