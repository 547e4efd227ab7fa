package wordpiece_test

import (
	"fmt"

	"github.com/toklabs/tok/wordpiece"
)

func ExampleModel_AppendEncodeWord() {
	v := wordpiece.NewVocab([]string{"[UNK]", "un", "##aff", "##able", "a", "##b"})
	m, err := wordpiece.NewModel(v, wordpiece.DefaultModelConfig())
	if err != nil {
		panic(err)
	}
	for _, w := range []string{"unaffable", "ab", "abc"} {
		ids := m.AppendEncodeWord(nil, []byte(w))
		var toks []string
		for _, id := range ids {
			t, _ := v.IDToToken(id)
			toks = append(toks, t)
		}
		fmt.Println(w, ids, toks)
	}
	// Output:
	// unaffable [1 2 3] [un ##aff ##able]
	// ab [4 5] [a ##b]
	// abc [0] [[UNK]]
}

func ExampleBERT_Encode() {
	v := wordpiece.NewVocab([]string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", ",", "world", "!", "cafe"})
	b, err := wordpiece.NewBERT(v, wordpiece.DefaultBERTConfig())
	if err != nil {
		panic(err)
	}
	text := []byte("Hello, Wörld! Café")
	enc, err := b.Encode(text, nil)
	if err != nil {
		panic(err)
	}
	for i, id := range enc.IDs {
		sp := enc.Offsets[i]
		fmt.Printf("%d %q type=%d\n", id, text[sp.Start:sp.End], enc.TypeIDs[i])
	}
	// Output:
	// 2 "" type=0
	// 5 "Hello" type=0
	// 6 "," type=0
	// 7 "Wörld" type=0
	// 8 "!" type=0
	// 9 "Café" type=0
	// 3 "" type=0
}

func ExampleTrainer_Train() {
	words := []wordpiece.WordCount{{Word: "hug", Count: 10}, {Word: "pug", Count: 5}, {Word: "hugs", Count: 5}}
	cfg := wordpiece.DefaultTrainerConfig()
	cfg.SpecialTokens = []string{"[UNK]"}
	cfg.VocabSize = 12
	for _, algo := range []wordpiece.Algorithm{wordpiece.HF, wordpiece.Likelihood} {
		cfg.Algorithm = algo
		tr, err := wordpiece.NewTrainer(cfg)
		if err != nil {
			panic(err)
		}
		tokens, _ := tr.Train(words)
		fmt.Println(algo, tokens[9:])
	}
	// Output:
	// hf [##ug hug pug]
	// likelihood [##ug hug pug]
}
