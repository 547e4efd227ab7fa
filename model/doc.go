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
//   - pool.go: the team of helper goroutines every parallel kernel runs
//     on, kept across regions (spinning briefly, then parked) because a
//     training step of a small model is hundreds of regions of a few
//     microseconds each.
//   - model.go: [Model] forward, backward and loss over a batch.
//   - train.go: [Trainer]: AdamW, warmup + cosine schedule, clipping,
//     gradient accumulation, evaluation, NaN detection, resume.
//   - checkpoint.go, safetensors.go: checkpoints in safetensors plus JSON.
//   - sample.go: [Sampler] with a KV cache, temperature, top-k, top-p.
//   - data.go: [TokenSource], the small data interface the trainer reads
//     windows from; [Tokens] is the in-memory implementation.
//
// # Speed
//
// The matmul micro-kernels are Go assembly (matmul_amd64.s), chosen at
// start-up from the CPU flags (golang.org/x/sys/cpu): a 12×32 AVX-512
// kernel, else a 6×16 AVX2+FMA kernel, else the portable kernelGo; the
// noasm build tag forces pure Go. Go assembly rather than simd/archsimd
// because it needs no GOEXPERIMENT and so runs in every build and in CI.
// The attention inner loops (dot, axpy) and the GELU are AVX2 too.
// BenchmarkGemm reports GFLOP/s per wall second and per CPU second for
// every kernel; the second is what one core achieves when the machine is
// shared with other jobs.
//
// The fp32 peak a kernel is measured against is
// cores × FMA units × lanes × 2 flops × clock: on the 2-core AMD EPYC
// (Zen 5) development machine, which lscpu shows with avx512f and fma and
// /proc/cpuinfo at 2096 MHz (the VM exposes no boost clock), that is
// 2 × 2 × 16 × 2 × 2.096 GHz = 268 GFLOP/s with AVX-512 (134 per core) and
// 134 GFLOP/s with AVX2 (67 per core). Boost clocks above the nominal
// 2.096 GHz make these peaks underestimates.
//
// scripts/bench-model.sh runs tok and PyTorch (Debian's python3-torch
// with OpenBLAS) on the same configuration, batch, context and threads,
// one after the other, and prints tokens/s for training and sampling and
// their ratio.
//
// # Determinism
//
// Every random choice (initialisation, batch positions, sampling) comes from
// PCG generators seeded from the configured seed and the step number, and
// every parallel kernel assigns each output element to exactly one worker
// with a fixed summation order, so a run is bit-identical for a given seed
// whatever the number of workers, and a resumed run continues exactly.
package model
