// Package model is tok's built-in compact decoder-only transformer
// (GPT-2 style: Vaswani et al. 2017, Radford et al. 2019), written in pure Go
// with a hand-written forward and backward pass, so that every tokenizer can
// be validated end to end: train on its token shards, measure the loss in
// nats per token and bits per byte, and sample text.
//
// # Layout
//
//   - config.go: [Config] (architecture) and [TrainConfig] (optimisation),
//     each with a Default function; the tok CLI flags mirror them.
//   - params.go: all weights live in one []float32 with named views built
//     from a sizes table; gradients and AdamW moments share the layout.
//   - layers.go: every layer as an xxxForward/xxxBackward pair, outputs
//     first, with a shape comment on every tensor.
//   - matmul.go, matmul_amd64.s: the blocked, packed, parallel matmul with
//     an AVX2+FMA micro-kernel on amd64 and a portable Go micro-kernel
//     elsewhere (or with the noasm build tag); matmulNaive is the
//     reference the tests compare against.
//   - model.go: [Model] forward, backward and loss over a batch.
//   - train.go: [Trainer]: AdamW, warmup + cosine schedule, clipping,
//     gradient accumulation, evaluation, NaN detection, resume.
//   - checkpoint.go, safetensors.go: checkpoints in safetensors plus JSON.
//   - sample.go: [Sampler] with a KV cache, temperature, top-k, top-p.
//   - data.go: [TokenSource], the small data interface the trainer reads
//     windows from; [Tokens] is the in-memory implementation.
//
// # Determinism
//
// Every random choice (initialisation, batch positions, sampling) comes from
// PCG generators seeded from the configured seed and the step number, and
// every parallel kernel assigns each output element to exactly one worker
// with a fixed summation order, so a run is bit-identical for a given seed
// whatever the number of workers, and a resumed run continues exactly.
package model
