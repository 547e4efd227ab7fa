package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// ParamSpec names one weight tensor and gives its shape. The names are
// nanoGPT's (PyTorch state_dict keys), so a checkpoint reads like one.
type ParamSpec struct {
	Name  string
	Shape []int
	// Decay marks tensors that take weight decay (the 2-D ones).
	Decay bool
}

// Size is the number of elements.
func (p ParamSpec) Size() int {
	n := 1
	for _, d := range p.Shape {
		n *= d
	}
	return n
}

// ParamSpecs returns the sizes table of c, in storage order. There are no
// biases (nanoGPT's bias=False); the output layer is tied to wte.
func ParamSpecs(c Config) []ParamSpec {
	C, V, H := c.Width, c.VocabSize, c.hidden()
	specs := []ParamSpec{{Name: "wte.weight", Shape: []int{V, C}, Decay: true}}
	if c.Position == PosLearned {
		specs = append(specs, ParamSpec{Name: "wpe.weight", Shape: []int{c.ContextLen, C}, Decay: true})
	}
	for l := 0; l < c.Layers; l++ {
		p := fmt.Sprintf("h.%d.", l)
		specs = append(specs,
			ParamSpec{Name: p + "ln_1.weight", Shape: []int{C}},
			ParamSpec{Name: p + "attn.c_attn.weight", Shape: []int{3 * C, C}, Decay: true},
			ParamSpec{Name: p + "attn.c_proj.weight", Shape: []int{C, C}, Decay: true},
			ParamSpec{Name: p + "ln_2.weight", Shape: []int{C}},
			ParamSpec{Name: p + "mlp.c_fc.weight", Shape: []int{H, C}, Decay: true},
			ParamSpec{Name: p + "mlp.c_proj.weight", Shape: []int{C, H}, Decay: true},
		)
	}
	return append(specs, ParamSpec{Name: "ln_f.weight", Shape: []int{C}})
}

// NumParams is the total number of weights of c.
func NumParams(c Config) int {
	n := 0
	for _, s := range ParamSpecs(c) {
		n += s.Size()
	}
	return n
}

// layerTensors are the views of one block's weights.
type layerTensors struct {
	ln1   []float32 // (C)
	qkv   []float32 // (3C, C)
	proj  []float32 // (C, C)
	ln2   []float32 // (C)
	fc    []float32 // (H, C)
	fcOut []float32 // (C, H)
}

// tensors are named views into one flat []float32 (weights, gradients or
// AdamW moments all use this layout).
type tensors struct {
	wte    []float32 // (V, C)
	wpe    []float32 // (T, C), nil unless PosLearned
	layers []layerTensors
	lnf    []float32 // (C)
}

// views slices flat (of length NumParams(c)) into named tensors.
func views(c Config, flat []float32) tensors {
	var t tensors
	off := 0
	take := func(n int) []float32 {
		s := flat[off : off+n : off+n]
		off += n
		return s
	}
	C, V, H := c.Width, c.VocabSize, c.hidden()
	t.wte = take(V * C)
	if c.Position == PosLearned {
		t.wpe = take(c.ContextLen * C)
	}
	t.layers = make([]layerTensors, c.Layers)
	for l := range t.layers {
		t.layers[l] = layerTensors{
			ln1: take(C), qkv: take(3 * C * C), proj: take(C * C),
			ln2: take(C), fc: take(H * C), fcOut: take(C * H),
		}
	}
	t.lnf = take(C)
	if off != len(flat) {
		panic(fmt.Sprintf("model: layout has %d weights, buffer %d", off, len(flat)))
	}
	return t
}

// initParams fills flat with nanoGPT's initialisation: N(0, InitStd) for
// matrices, N(0, InitStd/sqrt(2L)) for the residual output projections,
// ones for norm gains. The draws come from a PCG seeded with seed, in
// storage order.
func initParams(c Config, flat []float32, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	off := 0
	for _, s := range ParamSpecs(c) {
		dst := flat[off : off+s.Size()]
		off += s.Size()
		if len(s.Shape) == 1 {
			for i := range dst {
				dst[i] = 1
			}
			continue
		}
		std := c.InitStd
		if strings.HasSuffix(s.Name, "c_proj.weight") {
			std /= math.Sqrt(2 * float64(c.Layers))
		}
		for i := range dst {
			dst[i] = float32(rng.NormFloat64() * std)
		}
	}
}
