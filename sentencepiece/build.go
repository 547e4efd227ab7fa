package sentencepiece

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/toklabs/tok/sentencepiece/internal/modelpb"
)

// buildModel lays out a trained vocabulary as SentencePiece does: the
// meta pieces at their ids (unk, bos, eos, pad), then control and
// user-defined symbols and the 256 byte pieces in the next free ids, then
// the trained pieces in score order.
func buildModel(pieces []scoredPiece, cfg *TrainConfig) (*Model, error) {
	type meta struct {
		text string
		typ  modelpb.ModelProto_SentencePiece_Type
	}
	metas := map[int]meta{}
	put := func(id int, text string, typ modelpb.ModelProto_SentencePiece_Type) error {
		if id < 0 {
			return nil
		}
		if _, dup := metas[id]; dup {
			return fmt.Errorf("sentencepiece: id %d is given to two special pieces", id)
		}
		metas[id] = meta{text, typ}
		return nil
	}
	if err := put(cfg.UnkID, "<unk>", modelpb.ModelProto_SentencePiece_UNKNOWN); err != nil {
		return nil, err
	}
	if err := put(cfg.BosID, "<s>", modelpb.ModelProto_SentencePiece_CONTROL); err != nil {
		return nil, err
	}
	if err := put(cfg.EosID, "</s>", modelpb.ModelProto_SentencePiece_CONTROL); err != nil {
		return nil, err
	}
	if err := put(cfg.PadID, "<pad>", modelpb.ModelProto_SentencePiece_CONTROL); err != nil {
		return nil, err
	}
	next := 0
	addNext := func(text string, typ modelpb.ModelProto_SentencePiece_Type) {
		for {
			if _, used := metas[next]; !used {
				break
			}
			next++
		}
		metas[next] = meta{text, typ}
	}
	for _, s := range cfg.ControlSymbols {
		addNext(s, modelpb.ModelProto_SentencePiece_CONTROL)
	}
	for _, s := range cfg.UserDefinedSymbols {
		addNext(s, modelpb.ModelProto_SentencePiece_USER_DEFINED)
	}
	if cfg.ByteFallback {
		for b := 0; b < 256; b++ {
			addNext(fmt.Sprintf("<0x%02X>", b), modelpb.ModelProto_SentencePiece_BYTE)
		}
	}
	total := len(metas) + len(pieces)
	mp := &modelpb.ModelProto{}
	seen := map[string]bool{}
	k := 0
	for id := 0; id < total; id++ {
		if m, ok := metas[id]; ok {
			mp.Pieces = append(mp.Pieces, &modelpb.ModelProto_SentencePiece{Piece: proto.String(m.text), Score: proto.Float32(0), Type: m.typ.Enum()})
			seen[m.text] = true
			continue
		}
		if k >= len(pieces) {
			return nil, fmt.Errorf("sentencepiece: special piece ids leave a gap at id %d", id)
		}
		p := pieces[k]
		k++
		if seen[p.text] {
			return nil, fmt.Errorf("sentencepiece: trained piece %q is also a special piece", p.text)
		}
		seen[p.text] = true
		mp.Pieces = append(mp.Pieces, &modelpb.ModelProto_SentencePiece{Piece: proto.String(p.text), Score: proto.Float32(float32(p.score)), Type: modelpb.ModelProto_SentencePiece_NORMAL.Enum()})
	}
	norm, name, err := cfg.normalizer()
	if err != nil {
		return nil, err
	}
	mt := modelpb.TrainerSpec_UNIGRAM
	if cfg.Algorithm == BPE {
		mt = modelpb.TrainerSpec_BPE
	}
	mp.TrainerSpec = &modelpb.TrainerSpec{
		ModelType:              mt.Enum(),
		VocabSize:              proto.Int32(int32(len(mp.Pieces))),
		CharacterCoverage:      proto.Float32(float32(cfg.CharacterCoverage)),
		MaxSentenceLength:      proto.Int32(int32(cfg.MaxSentenceLength)),
		MaxSentencepieceLength: proto.Int32(int32(cfg.MaxPieceLength)),
		SeedSentencepieceSize:  proto.Int32(int32(cfg.SeedSize)),
		ShrinkingFactor:        proto.Float32(float32(cfg.ShrinkingFactor)),
		NumSubIterations:       proto.Int32(int32(cfg.SubIterations)),
		SplitByUnicodeScript:   proto.Bool(cfg.SplitByUnicodeScript),
		SplitByNumber:          proto.Bool(cfg.SplitByNumber),
		SplitByWhitespace:      proto.Bool(cfg.SplitByWhitespace),
		SplitDigits:            proto.Bool(cfg.SplitDigits),
		ControlSymbols:         cfg.ControlSymbols,
		UserDefinedSymbols:     cfg.UserDefinedSymbols,
		ByteFallback:           proto.Bool(cfg.ByteFallback),
		UnkId:                  proto.Int32(int32(cfg.UnkID)),
		BosId:                  proto.Int32(int32(cfg.BosID)),
		EosId:                  proto.Int32(int32(cfg.EosID)),
		PadId:                  proto.Int32(int32(cfg.PadID)),
		NumThreads:             proto.Int32(int32(cfg.Workers)),
	}
	mp.NormalizerSpec = &modelpb.NormalizerSpec{
		Name:                   proto.String(name),
		PrecompiledCharsmap:    norm.Map.Bytes(),
		AddDummyPrefix:         proto.Bool(cfg.AddDummyPrefix),
		RemoveExtraWhitespaces: proto.Bool(cfg.RemoveExtraWhitespaces),
		EscapeWhitespaces:      proto.Bool(true),
	}
	if cfg.NormalizationTSV != "" {
		mp.NormalizerSpec.NormalizationRuleTsv = proto.String(cfg.NormalizationTSV)
	}
	return newModel(mp, "trained model")
}
