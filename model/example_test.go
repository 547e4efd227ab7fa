package model_test

import (
	"fmt"

	"github.com/toklabs/tok/model"
)

// The default configuration is nanoGPT's CPU recipe for tiny Shakespeare
// at byte level: 4 blocks of 12·128² weights, 256×128 token and 64×128
// position embeddings, 9 norm gains of 128.
func ExampleNumParams() {
	c := model.DefaultConfig()
	fmt.Println(model.NumParams(c), 4*12*128*128+256*128+64*128+9*128)
	// Output: 828544 828544
}

func ExampleParsePosScheme() {
	for _, s := range []string{"learned", "RoPE", "alibi", "sinusoidal"} {
		p, err := model.ParsePosScheme(s)
		fmt.Println(p, err)
	}
	// Output:
	// learned <nil>
	// rope <nil>
	// alibi <nil>
	// learned model: unknown position scheme "sinusoidal" (want learned, rope or alibi)
}

func ExampleTrainConfig_LearningRate() {
	tc := model.DefaultTrainConfig() // warm-up 100 steps to 1e-3, cosine to 1e-4 at step 2000
	for _, step := range []int{0, 100, 1050, 2000} {
		fmt.Printf("%d %.6f\n", step, tc.LearningRate(step))
	}
	// Output:
	// 0 0.000010
	// 100 0.001000
	// 1050 0.000550
	// 2000 0.000100
}
