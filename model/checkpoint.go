package model

import (
	"encoding/json"
	"fmt"
	"github.com/toklabs/tok/internal/atomicfile"
	"os"
	"path/filepath"
	"strconv"
)

// A run directory holds:
//
//	model.safetensors      the weights (nanoGPT names, F32) with the
//	                       configuration, tokenizer identity and step in
//	                       __metadata__, so it is self-contained for sampling
//	optimizer.safetensors  AdamW moments "adam.m.<name>", "adam.v.<name>"
//	state.json             format, step, both configs, tokenizer, loss curve
//
// Each file is written atomically (temporary file, fsync, rename) and
// state.json last; Load checks that the three agree on the step.
const (
	checkpointFormat  = "tok-model"
	checkpointVersion = 1
	modelFile         = "model.safetensors"
	optimizerFile     = "optimizer.safetensors"
	stateFile         = "state.json"
)

// RunState is the content of state.json.
type RunState struct {
	Format    string      `json:"format"`
	Version   int         `json:"version"`
	Step      int         `json:"step"`
	Config    Config      `json:"config"`
	Train     TrainConfig `json:"train"`
	Tokenizer TokenizerID `json:"tokenizer"`
	History   []Record    `json:"history"`
}

// Save writes the trainer's model, optimizer state and run state to dir.
func (t *Trainer) Save(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	c := t.Model.Config
	cfg, _ := json.Marshal(c)
	tokid, _ := json.Marshal(t.Data.Tokenizer)
	step := strconv.Itoa(t.Step)
	meta := map[string]string{"format": checkpointFormat, "version": strconv.Itoa(checkpointVersion),
		"config": string(cfg), "tokenizer": string(tokid), "step": step}
	if err := WriteSafetensors(filepath.Join(dir, modelFile), namedTensors(c, t.Model.Params, ""), meta); err != nil {
		return err
	}
	opt := append(namedTensors(c, t.m, "adam.m."), namedTensors(c, t.v, "adam.v.")...)
	if err := WriteSafetensors(filepath.Join(dir, optimizerFile), opt,
		map[string]string{"format": checkpointFormat, "step": step}); err != nil {
		return err
	}
	st := RunState{Format: checkpointFormat, Version: checkpointVersion, Step: t.Step, Config: c,
		Train: t.Config, Tokenizer: t.Data.Tokenizer, History: t.History}
	js, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, stateFile), append(js, '\n'))
}

func writeFileAtomic(path string, data []byte) error { return atomicfile.WriteBytes(path, data) }

// namedTensors views flat (layout of c) as tensors named prefix+spec name.
func namedTensors(c Config, flat []float32, prefix string) []Tensor {
	var out []Tensor
	off := 0
	for _, s := range ParamSpecs(c) {
		out = append(out, Tensor{Name: prefix + s.Name, Shape: s.Shape, Data: flat[off : off+s.Size()]})
		off += s.Size()
	}
	return out
}

// fillFromTensors copies the tensors named prefix+spec into flat, checking
// that every one is present with the right shape.
func fillFromTensors(file string, c Config, flat []float32, tensors []Tensor, prefix string) error {
	byName := make(map[string]Tensor, len(tensors))
	for _, t := range tensors {
		byName[t.Name] = t
	}
	off := 0
	for _, s := range ParamSpecs(c) {
		t, ok := byName[prefix+s.Name]
		if !ok {
			return &CorruptError{File: file, Offset: -1, Msg: fmt.Sprintf("tensor %s is missing", prefix+s.Name)}
		}
		if fmt.Sprint(t.Shape) != fmt.Sprint(s.Shape) {
			return &CorruptError{File: file, Offset: -1, Msg: fmt.Sprintf("tensor %s has shape %v, the configuration needs %v",
				prefix+s.Name, t.Shape, s.Shape)}
		}
		copy(flat[off:], t.Data)
		off += s.Size()
	}
	return nil
}

// LoadModel reads dir/model.safetensors (or a .safetensors path) and
// returns the model, its tokenizer identity and step.
func LoadModel(path string) (*Model, TokenizerID, int, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		path = filepath.Join(path, modelFile)
	}
	tensors, meta, err := ReadSafetensors(path)
	if err != nil {
		return nil, TokenizerID{}, 0, err
	}
	bad := func(format string, args ...any) error {
		return &CorruptError{File: path, Offset: -1, Msg: fmt.Sprintf(format, args...)}
	}
	if meta["format"] != checkpointFormat {
		return nil, TokenizerID{}, 0, bad("not a tok model checkpoint (metadata format %q)", meta["format"])
	}
	if v, _ := strconv.Atoi(meta["version"]); v != checkpointVersion {
		return nil, TokenizerID{}, 0, bad("checkpoint version %q, this tok reads %d", meta["version"], checkpointVersion)
	}
	var c Config
	if err := json.Unmarshal([]byte(meta["config"]), &c); err != nil {
		return nil, TokenizerID{}, 0, bad("config metadata: %v", err)
	}
	var tok TokenizerID
	if err := json.Unmarshal([]byte(meta["tokenizer"]), &tok); err != nil {
		return nil, TokenizerID{}, 0, bad("tokenizer metadata: %v", err)
	}
	step, err := strconv.Atoi(meta["step"])
	if err != nil {
		return nil, TokenizerID{}, 0, bad("step metadata %q", meta["step"])
	}
	m, err := newEmpty(c)
	if err != nil {
		return nil, TokenizerID{}, 0, fmt.Errorf("%s: %w", path, err)
	}
	if err := fillFromTensors(path, c, m.Params, tensors, ""); err != nil {
		return nil, TokenizerID{}, 0, err
	}
	return m, tok, step, nil
}

// Resume loads a run directory written by Save and returns a trainer that
// continues it exactly on data. steps, if > 0, replaces the configured
// number of steps (to extend a run). Data from a different tokenizer than
// the run's is an error.
func Resume(dir string, data Dataset, steps int) (*Trainer, error) {
	js, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil {
		return nil, err
	}
	var st RunState
	if err := json.Unmarshal(js, &st); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, stateFile), err)
	}
	if st.Format != checkpointFormat || st.Version != checkpointVersion {
		return nil, fmt.Errorf("%s: format %q version %d, want %q version %d",
			filepath.Join(dir, stateFile), st.Format, st.Version, checkpointFormat, checkpointVersion)
	}
	m, tok, step, err := LoadModel(filepath.Join(dir, modelFile))
	if err != nil {
		return nil, err
	}
	if step != st.Step || m.Config != st.Config {
		return nil, fmt.Errorf("%s: model.safetensors (step %d) and state.json (step %d) disagree; the checkpoint was interrupted while written",
			dir, step, st.Step)
	}
	if tok.Name != data.Tokenizer.Name || tok.SHA256 != data.Tokenizer.SHA256 || tok.VocabSize != data.Tokenizer.VocabSize {
		return nil, fmt.Errorf("%s: the run was trained on tokens of %s (vocab %d, sha256 %q) but the data comes from %s (vocab %d, sha256 %q)",
			dir, tok.Name, tok.VocabSize, tok.SHA256, data.Tokenizer.Name, data.Tokenizer.VocabSize, data.Tokenizer.SHA256)
	}
	tc := st.Train
	if steps > 0 {
		tc.Steps = steps
	}
	t, err := NewTrainer(m, tc, data)
	if err != nil {
		return nil, err
	}
	optPath := filepath.Join(dir, optimizerFile)
	opt, meta, err := ReadSafetensors(optPath)
	if err != nil {
		return nil, err
	}
	if meta["step"] != strconv.Itoa(st.Step) {
		return nil, fmt.Errorf("%s: optimizer step %q, run step %d: the checkpoint was interrupted while written", optPath, meta["step"], st.Step)
	}
	if err := fillFromTensors(optPath, m.Config, t.m, opt, "adam.m."); err != nil {
		return nil, err
	}
	if err := fillFromTensors(optPath, m.Config, t.v, opt, "adam.v."); err != nil {
		return nil, err
	}
	t.Step, t.History = st.Step, st.History
	return t, nil
}
