#!/bin/sh
# Side-by-side encode throughput on the golden texts, one line at a time,
# of the Llama 2 SentencePiece model converted to tokenizer.json
# (`tok convert`): tok through the tokenizer.json and through the .model
# (`tok encode --bench --per-line`), HF tokenizers on the tokenizer.json
# (peer-hf-encode) and SentencePiece on the .model (peer-spm-encode), all in
# one run. Ratios from one run; on a shared machine they are noisy (the
# load average is printed). Needs the peers and ../shared. From anywhere:
#   tokenizerjson/testdata/spmbpe/bench.sh
set -eu
. "$(dirname "$0")/env.sh"
model="$shared/vocab/llama2-tokenizer.model"
"$tmp/tok" convert "$model" "$tmp/llama2.json" 2>/dev/null
mbps() { sed -n 's/.*MBps=\([0-9.]*\).*/\1/p' | tail -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
echo "load: $(uptime | sed 's/.*load average/load average/')"
printf '%-6s %12s %10s %12s %10s %10s %10s\n' text tok_json hf_json tok_model spm_model json_ratio model_ratio
for t in en code multi; do
  txt="$shared/golden/texts/$t.txt"
  tj=$("$tmp/tok" encode --bench --per-line -t "$tmp/llama2.json" "$txt" 2>&1 | mbps)
  hj=$(PEER_TIME=1 PEER_NOOUT=1 peer-hf-encode "$tmp/llama2.json" "$txt" 2>&1 | mbps)
  tm=$("$tmp/tok" encode --bench --per-line -t "$model" "$txt" 2>&1 | mbps)
  sm=$(PEER_TIME=1 PEER_NOOUT=1 peer-spm-encode "$model" "$txt" 2>&1 | mbps)
  printf '%-6s %12s %10s %12s %10s %10s %10s\n' "$t" "$tj" "$hj" "$tm" "$sm" "$(ratio "$tj" "$hj")" "$(ratio "$tm" "$sm")"
done
echo "MB/s of the encode loop; json_ratio = tok/HF on the tokenizer.json, model_ratio = tok/SentencePiece on the .model"
echo "load: $(uptime | sed 's/.*load average/load average/')"
