#!/usr/bin/env bash
# bench-train.sh: BPE training, tok vs HuggingFace tokenizers, side by side
# in one run: wall time and peak RSS (/usr/bin/time -v) of each, their
# ratios, and whether the learned merges are identical.
#
# Usage: scripts/bench-train.sh [CORPUS] [VOCAB_SIZE]
#   CORPUS      default ../shared/corpora/en-large.txt.zst (~100 MB of English);
#               .zst/.gz are decompressed once to a temporary file that both read
#   VOCAB_SIZE  default 30000 (the peer cannot go higher)
# Env: BENCH_NICE (default 10) niceness of both runs; TOK_PEERS (peer install dir);
#      TOK_FLAGS extra train-vocab flags (e.g. --workers 1).
# Both runs train HF's default setting: ByteLevel (GPT-2 regex) pre-tokenizer,
# no normalizer, alphabet = bytes seen (tok: --alphabet seen), files read line
# by line. The machine may be shared: say so when quoting the numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpora/en-large.txt.zst}
vocab=${2:-30000}
nice_level=${BENCH_NICE:-10}
export PATH="${TOK_PEERS:-$HOME/.cache/tok-peers}/bin:$PATH"
command -v peer-hf-train >/dev/null || { echo "bench-train: peer-hf-train not on PATH (see ../shared/peers/README.md)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench-train: needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

case "$corpus" in
*.zst) zstd -dc "$corpus" >"$tmp/corpus.txt" ;;
*.gz) gzip -dc "$corpus" >"$tmp/corpus.txt" ;;
*) cp "$corpus" "$tmp/corpus.txt" ;;
esac
bytes=$(stat -c %s "$tmp/corpus.txt")
go build -o "$tmp/tok" ./cmd/tok

# field NAME FILE: a value from /usr/bin/time -v output.
field() { grep -F "$1" "$2" | sed 's/.*: //'; }
# secs H:MM:SS.ss or M:SS.ss -> seconds
secs() { echo "$1" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }'; }

echo "corpus $corpus: $bytes bytes, vocab $vocab, nice $nice_level, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -v nice -n "$nice_level" "$tmp/tok" train-vocab --alphabet seen --vocab-size "$vocab" \
	--out "$tmp/tok-out" ${TOK_FLAGS:-} "$tmp/corpus.txt" 2>"$tmp/tok.time" >/dev/null ||
	{ cat "$tmp/tok.time" >&2; exit 1; }
/usr/bin/time -v nice -n "$nice_level" peer-hf-train bpe "$vocab" "$tmp/corpus.txt" "$tmp/hf.json" \
	2>"$tmp/hf.time" >/dev/null || { cat "$tmp/hf.time" >&2; exit 1; }

tw=$(secs "$(field 'Elapsed (wall clock)' "$tmp/tok.time")")
hw=$(secs "$(field 'Elapsed (wall clock)' "$tmp/hf.time")")
tu=$(field 'User time' "$tmp/tok.time"); hu=$(field 'User time' "$tmp/hf.time")
ts=$(field 'System time' "$tmp/tok.time"); hs=$(field 'System time' "$tmp/hf.time")
tr=$(field 'Maximum resident set size' "$tmp/tok.time")
hr=$(field 'Maximum resident set size' "$tmp/hf.time")
awk -v tw="$tw" -v hw="$hw" -v tu="$tu" -v hu="$hu" -v ts="$ts" -v hs="$hs" -v tr="$tr" -v hr="$hr" -v b="$bytes" 'BEGIN {
	printf "%-8s %10s %10s %12s %12s\n", "", "wall s", "cpu s", "peak RSS MB", "MB/s (wall)"
	printf "%-8s %10.2f %10.2f %12.1f %12.2f\n", "tok", tw, tu + ts, tr / 1024, b / 1e6 / tw
	printf "%-8s %10.2f %10.2f %12.1f %12.2f\n", "hf", hw, hu + hs, hr / 1024, b / 1e6 / hw
	printf "ratio tok/hf: wall %.3f, cpu %.3f, peak RSS %.3f\n", tw / hw, (tu + ts) / (hu + hs), tr / hr
}'

# Compare merges line by line.
python3 - "$tmp/hf.json" "$tmp/tok-out/merges.txt" <<'PY'
import json, sys
hf = json.load(open(sys.argv[1], encoding="utf-8"))["model"]["merges"]
hf = [" ".join(m) if isinstance(m, list) else m for m in hf]
ours = [l.rstrip("\n") for l in open(sys.argv[2], encoding="utf-8") if not l.startswith("#version")]
same = sum(1 for a, b in zip(hf, ours) if a == b)
print(f"merges identical: {same}/{len(hf)} (tok has {len(ours)})")
for i, (a, b) in enumerate(zip(hf, ours)):
    if a != b:
        print(f"first difference at merge {i + 1}: hf {a!r}, tok {b!r}")
        break
else:
    if len(hf) != len(ours):
        print(f"lengths differ: hf {len(hf)}, tok {len(ours)}")
sys.exit(0 if same == len(hf) == len(ours) else 1)
PY
