#!/usr/bin/env bash
# bench-model.sh: tok's built-in transformer against PyTorch on this machine, one after the other, same
# configuration, batch, context, data and thread count. Prints tokens/s for training and sampling and
# tok/PyTorch ratios, then fp32 matmul GFLOP/s of both.
#
# Needs Debian's python3-torch and the OpenMP OpenBLAS (apt-get install -y python3-torch libopenblas0-openmp)
# and ../shared (the PyTorch model is ../shared/peers/torch/gpt.py, nanoGPT-equivalent; data is tiny
# Shakespeare). Environment: TOK_BIN (a tok binary to use instead of building ./cmd/tok), THREADS (2), STEPS (30 timed training steps), WARMUP (5), SAMPLE (500 tokens),
# CONFIG (A: 4 layers, 4 heads, 128 wide, context 64, batch 12; B: 6/6/384, context 256, batch 8),
# MATMUL (1; 0 skips the matmul comparison, which measures ./model of this tree, not TOK_BIN).
# The machine is shared: run it when it is quiet, and quote the ratio of one run, not the absolute figures.
#
# bench-model.sh anchor: instead, nanoGPT's CPU recipe for tiny Shakespeare end to end (2000 steps, config A,
# validation loss over 200 batches): tok at byte level, then gpt.py at character level, THREADS each; prints
# both validation losses and wall times.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED="${TOK_SHARED:-../shared}"
DATA="$SHARED/corpora/en-tinyshakespeare.txt"
GPT="$SHARED/peers/torch/gpt.py"
THREADS="${THREADS:-2}" STEPS="${STEPS:-30}" WARMUP="${WARMUP:-5}" SAMPLE="${SAMPLE:-500}" CONFIG="${CONFIG:-A}"
PY=/usr/bin/python3
BLAS="/usr/lib/$($PY -c 'import sysconfig; print(sysconfig.get_config_var("MULTIARCH"))')/openblas-openmp"
case "$CONFIG" in
  A) L=4 H=4 C=128 T=64 B=12 ;;
  B) L=6 H=6 C=384 T=256 B=8 ;;
  *) echo "CONFIG must be A or B" >&2; exit 2 ;;
esac
WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
if [ -n "${TOK_BIN:-}" ]; then cp "$TOK_BIN" "$WORK/tok"; else go build -o "$WORK/tok" ./cmd/tok; fi

if [ "${1:-}" = anchor ]; then
  echo "tiny Shakespeare anchor, config A, 2000 steps, threads $THREADS, load $(cut -d' ' -f1-3 /proc/loadavg)"
  t0=$(date +%s.%N)
  GOMAXPROCS=$THREADS "$WORK/tok" train --data "$DATA" --out "$WORK/anchor" --workers "$THREADS" \
    --eval-every 500 --eval-batches 200 --checkpoint-every 500 --log-every 250 2>"$WORK/tok.err" | tail -1
  t1=$(date +%s.%N)
  LD_LIBRARY_PATH="$BLAS" OMP_NUM_THREADS=$THREADS OPENBLAS_NUM_THREADS=$THREADS $PY "$GPT" train --data "$DATA" \
    --iters 2000 --eval_batches 200 --threads "$THREADS" | tail -1 >"$WORK/torch.json"
  t2=$(date +%s.%N)
  $PY - "$WORK/torch.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
print("PyTorch: val loss %.4f nats/char, train loss %.4f, training %.1f s" % (d["val_loss"], d["train_loss"], d["train_s"]))
PYEOF
  awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { printf "wall: tok %.1f s, PyTorch %.1f s (whole processes)\n", b - a, c - b }'
  exit 0
fi

echo "config $CONFIG: layers $L heads $H width $C context $T batch $B, threads $THREADS, $STEPS timed steps after $WARMUP"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"

# tok: the step timer excludes evaluation and checkpoints; warm-up steps are run in a first invocation
# and the timed ones resume from its checkpoint (exact resume: same data and state as one run).
common=(--data "$DATA" --out "$WORK/run" --layers $L --heads $H --width $C --context-len $T --batch-size $B
  --workers "$THREADS" --eval-every 0 --eval-batches 1 --checkpoint-every 0 --log-every 1000000)
GOMAXPROCS=$THREADS "$WORK/tok" train "${common[@]}" --steps "$WARMUP" >/dev/null 2>&1
tok_line=$(GOMAXPROCS=$THREADS "$WORK/tok" train "${common[@]}" --resume --steps $((WARMUP + STEPS)) 2>&1 | grep "^step $((WARMUP + STEPS))/" | head -1)
tok_train=$(sed -E 's/.* ([0-9.]+) tok\/s.*/\1/' <<<"$tok_line")
tok_gflops=$(sed -E 's/.* ([0-9.]+) GFLOP\/s.*/\1/' <<<"$tok_line")
tok_sample=$(GOMAXPROCS=$THREADS "$WORK/tok" sample --run "$WORK/run" --max-tokens "$SAMPLE" --workers "$THREADS" --stats 2>&1 >/dev/null |
  sed -nE 's/.*: ([0-9.]+) tokens\/s.*/\1/p')

export LD_LIBRARY_PATH="$BLAS" OMP_NUM_THREADS=$THREADS OPENBLAS_NUM_THREADS=$THREADS
torch_bench=$($PY "$GPT" bench --data "$DATA" --n_layer $L --n_head $H --n_embd $C --block_size $T --batch_size $B \
  --warmup "$WARMUP" --iters "$STEPS" --threads "$THREADS" | tail -1)
torch_train=$($PY -c 'import json,sys; print("%.0f" % json.loads(sys.argv[1])["tokens_per_s"])' "$torch_bench")
torch_sample_json=$($PY "$GPT" train --data "$DATA" --n_layer $L --n_head $H --n_embd $C --block_size $T --batch_size $B \
  --iters 2 --eval_batches 1 --sample_tokens "$SAMPLE" --threads "$THREADS" | tail -1)
torch_sample=$($PY -c 'import json,sys; print("%.0f" % json.loads(sys.argv[1])["sample_kvcache_tok_per_s"])' "$torch_sample_json")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
printf '%-26s %12s %12s %8s\n' "" "tok" "PyTorch" "ratio"
printf '%-26s %12s %12s %8s\n' "training tokens/s" "$tok_train" "$torch_train" "$(ratio "$tok_train" "$torch_train")"
printf '%-26s %12s %12s %8s\n' "sampling tokens/s (KV)" "$tok_sample" "$torch_sample" "$(ratio "$tok_sample" "$torch_sample")"
echo "tok training achieved $tok_gflops GFLOP/s (model.FlopsPerToken)"

# fp32 matmul, 1024^3
[ "${MATMUL:-1}" = 0 ] && exit 0
tok_mm=$(GOMAXPROCS=$THREADS go test ./model -run '^$' -bench "Gemm/.*/workers=0/1024x1024x1024" -benchtime 10x 2>/dev/null | grep -v '/go/' |
  awk '/Gemm/ { for (i = 1; i <= NF; i++) if ($(i+1) == "GFLOP/s") print $1, $i }')
torch_mm=$($PY "$SHARED/peers/torch/matmul.py" --sizes 1024 --threads "$THREADS" --reps 5 | tail -1)
echo "matmul 1024^3 fp32, $THREADS threads:"
echo "$tok_mm" | sed 's/^/  tok /'
echo "  PyTorch (OpenBLAS) $($PY -c 'import json,sys; d=json.loads(sys.argv[1]); print("%.1f GFLOP/s median" % d["gflops_median"])' "$torch_mm")"
