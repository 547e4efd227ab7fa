package model

import (
	"encoding/json"
	"math"
	"path/filepath"
	"testing"
)

// relErr is the largest |got-want| over the tensor divided by the largest
// |want| (a norm-wise relative error: elements far below the tensor's scale
// carry float32 rounding that says nothing about correctness).
func relErr(got, want []float32) float64 {
	var maxDiff, maxWant float64
	for i := range want {
		maxDiff = max(maxDiff, math.Abs(float64(got[i])-float64(want[i])))
		maxWant = max(maxWant, math.Abs(float64(want[i])))
	}
	if maxWant == 0 {
		return maxDiff
	}
	return maxDiff / maxWant
}

// elemRelErr is the largest element-wise |got-want|/|want|, with |want|
// floored at 1e-3 of the tensor's largest entry.
func elemRelErr(got, want []float32) float64 {
	var maxWant float64
	for _, w := range want {
		maxWant = max(maxWant, math.Abs(float64(w)))
	}
	var worst float64
	for i := range want {
		d := math.Abs(float64(got[i]) - float64(want[i]))
		worst = max(worst, d/max(math.Abs(float64(want[i])), 1e-3*maxWant))
	}
	return worst
}

// TestMatchesPyTorch runs the model on the weights and inputs that
// testdata/make_reference.py fed an independent PyTorch implementation,
// and compares logits, loss and every weight gradient within 1e-4 relative.
func TestMatchesPyTorch(t *testing.T) {
	files, _ := filepath.Glob("testdata/torch_*.safetensors")
	if len(files) != 6 {
		t.Fatalf("want 6 reference files, found %d", len(files))
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			tensors, meta, err := ReadSafetensors(file)
			if err != nil {
				t.Fatal(err)
			}
			var c Config
			if err := json.Unmarshal([]byte(meta["config"]), &c); err != nil {
				t.Fatal(err)
			}
			byName := map[string][]float32{}
			for _, x := range tensors {
				byName[x.Name] = x.Data
			}
			for _, w := range []int{1, 2} {
				m, err := newEmpty(c)
				if err != nil {
					t.Fatal(err)
				}
				m.Workers = w
				off := 0
				for _, s := range ParamSpecs(c) {
					src, ok := byName[s.Name]
					if !ok || len(src) != s.Size() {
						t.Fatalf("reference lacks %s", s.Name)
					}
					copy(m.Params[off:], src)
					off += s.Size()
				}
				toIDs := func(f []float32) []uint32 {
					ids := make([]uint32, len(f))
					for i, v := range f {
						ids[i] = uint32(v)
					}
					return ids
				}
				tokens, targets := toIDs(byName["tokens"]), toIDs(byName["targets"])
				B, T := 2, c.ContextLen
				loss, err := m.Forward(tokens, targets, B, T)
				if err != nil {
					t.Fatal(err)
				}
				worst, worstElem := 0.0, 0.0
				check := func(name string, got, want []float32) {
					e := relErr(got, want)
					worst = max(worst, e)
					worstElem = max(worstElem, elemRelErr(got, want))
					if e > 1e-4 {
						t.Errorf("%s: relative error %.3g > 1e-4", name, e)
					}
				}
				check("loss", []float32{float32(loss)}, byName["loss"])
				// Logits are overwritten by the loss; recompute them.
				if _, err := m.Forward(tokens, nil, B, T); err != nil {
					t.Fatal(err)
				}
				check("logits", m.Logits(), byName["logits"])
				m.Forward(tokens, targets, B, T)
				m.ZeroGrad()
				if err := m.Backward(1); err != nil {
					t.Fatal(err)
				}
				off = 0
				for _, s := range ParamSpecs(c) {
					check("grad."+s.Name, m.Grads[off:off+s.Size()], byName["grad."+s.Name])
					off += s.Size()
				}
				t.Logf("workers=%d: max relative error %.3g (element-wise, floor 1e-3 of the tensor's largest: %.3g)", w, worst, worstElem)
			}
		})
	}
}
