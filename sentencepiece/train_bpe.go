package sentencepiece

import "errors"

func trainBPE(words []string, freqs []int64, required []rune, cfg *TrainConfig) ([]scoredPiece, error) {
	return nil, errors.New("sentencepiece: BPE training is not implemented yet")
}
