#!/usr/bin/env bash
# bench-encode.sh [RUNS]: encode throughput of tok against the reference and
# second-opinion peers on the same 20 MB of English (Newton's Opticks, 36
# copies: the peers' data/opticks20.txt), all pinned to ONE core
# (taskset -c 0), plus tok on two cores. Each line of the file is encoded on
# its own (the peers' contract); the MB/s are of the encode loop alone, as
# each tool reports it (PEER_TIME=1 for the peers, the hidden --bench mode
# for tok), so start-up and vocabulary loading are left out. The median of
# RUNS rounds (default 3) is printed, with tok's ratio to each peer
# (hf-gpt35turbo.tokenizer.json gives the same ids as cl100k_base).
#
# Needs the peers (../shared/peers/setup.sh; PATH is set from TOK_PEERS,
# default ~/.cache/tok-peers) and TOK_SHARED (default ../shared) for the
# vocabularies. The machine may be shared: load is printed with the table.
#
# One run (2 rounds) on 2026-11-27 09:00 UTC, the 2-core machine shared with
# other helpers (load average 3.1 at the start, 3.1 at the end), encode MB/s:
#   tok cl100k_base 66.44 | tiktoken 4.05 (16.4x) | gpt-tokenizer 10.53 (6.3x)
#   | tiktoken-go 6.79 (9.8x) | HF tokenizers hf-gpt35turbo 2.13 (31.2x);
#   tok r50k_base 65.39 vs tiktoken 5.17 (12.6x); tok o200k_base 54.58 vs
#   tiktoken 3.71 (14.7x); tok cl100k_base on 2 cores 81.79 (another
#   process was using about one core at the time).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
PEERS=${TOK_PEERS:-$HOME/.cache/tok-peers}
SHARED=${TOK_SHARED:-../shared}
V=$SHARED/vocab
export PATH="$PEERS/bin:$PATH"
export TOKENIZERS_PARALLELISM=false RAYON_NUM_THREADS=1 RAYON_RS_NUM_CPUS=1 PEER_TIME=1 PEER_NOOUT=1
DATA=$PEERS/data/opticks20.txt
if [ "$(stat -c %s "$DATA" 2>/dev/null)" != 20419164 ]; then
  DATA=$(mktemp --suffix=.txt)
  for _ in $(seq 36); do cat "$PEERS/data/opticks.txt"; echo; done > "$DATA"
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
go build -o "$TMP/tok" ./cmd/tok

# name|vocab|cpus|command
runs=(
  "tok|cl100k_base|0|$TMP/tok encode --bench --per-line --workers 1 -t $V/cl100k_base.tiktoken $DATA"
  "tiktoken 1.0.22 (wasm)|cl100k_base|0|peer-tiktoken cl100k_base $DATA"
  "gpt-tokenizer 4.0.0 (js)|cl100k_base|0|peer-gpt-tokenizer cl100k_base $DATA"
  "tiktoken-go/tokenizer (go)|cl100k_base|0|peer-go-tiktoken cl100k_base $DATA"
  "hf tokenizers 0.23.2 (napi), hf-gpt35turbo.json|cl100k_base|0|peer-hf-encode $V/hf-gpt35turbo.tokenizer.json $DATA"
  "tok|r50k_base|0|$TMP/tok encode --bench --per-line --workers 1 -t $V/r50k_base.tiktoken $DATA"
  "tiktoken 1.0.22 (wasm)|r50k_base|0|peer-tiktoken r50k_base $DATA"
  "tok|o200k_base|0|$TMP/tok encode --bench --per-line --workers 1 -t $V/o200k_base.tiktoken $DATA"
  "tiktoken 1.0.22 (wasm)|o200k_base|0|peer-tiktoken o200k_base $DATA"
  "tok, 2 cores|cl100k_base|0,1|$TMP/tok encode --bench --per-line --workers 2 -t $V/cl100k_base.tiktoken $DATA"
)
echo "# $(date -u +%FT%TZ) $(nproc) cpus, load: $(cut -d' ' -f1-3 /proc/loadavg); file: $DATA ($(stat -c %s "$DATA") bytes); runs: $RUNS"
: > "$TMP/results"
# Rounds outside, tools inside: each round runs every tool once, so a
# change of load on the shared machine hits all tools alike.
for i in $(seq "$RUNS"); do
  for r in "${runs[@]}"; do
    IFS='|' read -r name vocab cpus cmd <<< "$r"
    # shellcheck disable=SC2086
    mbps=$(taskset -c "$cpus" $cmd 2>&1 >/dev/null | grep -o 'MBps=[0-9.]*' | tail -1 | cut -d= -f2)
    echo "$name|$vocab|${mbps:-NaN}" >> "$TMP/results"
  done
done
python3 - "$TMP/results" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, vocab, mbps = line.rstrip("\n").split("|")
    rows.setdefault((name, vocab), []).append(float(mbps))
med = {k: statistics.median(v) for k, v in rows.items()}
print(f"{'tool':30} {'vocab':14} {'MB/s':>8}  {'tok (1 core) / tool':>20}")
for (name, vocab), m in med.items():
    tok = med.get(("tok", vocab))
    ratio = f"{tok / m:.2f}x" if tok and m and not name.startswith("tok") else ""
    print(f"{name:30} {vocab:14} {m:8.2f}  {ratio:>20}")
PY
