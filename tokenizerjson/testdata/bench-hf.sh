#!/bin/sh
# Side-by-side encode throughput of tok (tokenizerjson through `tok encode
# --progress --per-line`) and HF tokenizers (peer-hf-encode, npm `tokenizers`
# 0.23.2, encodeBatch) on the golden texts, one line at a time, plus the
# time to load each tokenizer.json in both. Both sides use all cores
# (tok: --workers default GOMAXPROCS; HF: rayon). Ratios are from one run;
# on a shared machine they are noisy. (For one core each, on
# SentencePiece-style files and larger texts, see scripts/bench-tokjson.sh.) Needs the peers. From the module root:
#   TOK_SHARED=../shared sh tokenizerjson/testdata/bench-hf.sh [FILE...]
set -eu
: "${TOK_SHARED:=../shared}"
export PATH="${TOK_PEERS:-$HOME/.cache/tok-peers}/bin:$PATH"
NODE_PATH="${TOK_PEERS:-$HOME/.cache/tok-peers}/node/node_modules"
export NODE_PATH
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/tok" ./cmd/tok
files=${*:-"hf-gpt2-derived hf-gpt35turbo hf-gpt4o hf-llama3 hf-qwen3 hf-mistral7b-from-lenml-llama2 hf-claude hf-bert-base-uncased-derived"}
printf '%-32s %-6s %10s %10s %7s\n' file text tok_MBps hf_MBps ratio
for f in $files; do
  tj="$TOK_SHARED/vocab/$f.tokenizer.json"
  for t in en code multi; do
    txt="$TOK_SHARED/golden/texts/$t.txt"
    ours=$("$tmp/tok" encode --progress --per-line -t "$tj" "$txt" 2>&1 >/dev/null | sed -n 's/.* \([0-9.]*\) MB\/s.*/\1/p' | tail -1)
    theirs=$(PEER_TIME=1 PEER_NOOUT=1 peer-hf-encode "$tj" "$txt" 2>&1 | sed -n 's/.*MBps=\([0-9.]*\).*/\1/p' | tail -1)
    ratio=$(awk -v a="$ours" -v b="$theirs" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "-" }')
    printf '%-32s %-6s %10s %10s %7s\n' "$f" "$t" "$ours" "$theirs" "$ratio"
  done
done
echo
echo "load time (seconds, wall, one load each):"
cat > "$tmp/load.js" <<'JS'
const t = require('tokenizers');
const s = process.hrtime.bigint();
t.Tokenizer.fromFile(process.argv[2]);
console.log((Number(process.hrtime.bigint() - s) / 1e9).toFixed(3));
JS
for f in $files; do
  tj="$TOK_SHARED/vocab/$f.tokenizer.json"
  s=$(date +%s.%N); "$tmp/tok" encode -t "$tj" /dev/null > /dev/null; e=$(date +%s.%N)
  ours=$(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f", e - s }')
  theirs=$(node "$tmp/load.js" "$tj")
  printf '%-32s tok %s (whole process)  hf %s (fromFile only)\n' "$f" "$ours" "$theirs"
done
