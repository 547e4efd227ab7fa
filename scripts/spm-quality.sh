#!/usr/bin/env bash
# spm-quality.sh CORPUS [VOCAB_SIZE] [TRAIN_MB] [ALGO]
#
# Trains a SentencePiece model on the same text with spm_train (Debian
# sentencepiece, via peer-spm-train) and with `tok train-vocab`, then
# compares them on held-out text: bytes per token (both models encoded
# with spm_encode, so the encoder is the same), the share of pieces in
# common, training time and peak RSS. One run, side by side.
#
# CORPUS is a text file (.zst/.gz allowed; .jsonl files use their "text"
# field). Of the first TRAIN_MB/0.9 MB (default TRAIN_MB 20), 90% of the
# lines train and the last 10% are held out. ALGO is unigram (default) or bpe.
# Env: THREADS (default 2) for both trainers; TOK (default: go build ./cmd/tok).
# Speed and memory are one side-by-side run: on a shared machine, look at
# the load averages it prints and re-run on a quiet one.
# Needs: the peers on PATH (spm_train, spm_encode), GNU time, zstd.
set -euo pipefail
corpus=$1 vs=${2:-8000} mb=${3:-20} algo=${4:-unigram}
threads=${THREADS:-2}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -z "${TOK:-}" ]; then (cd "$root" && go build -o "$work/tok" ./cmd/tok); TOK=$work/tok; fi
export PATH="${TOK_PEERS:-$HOME/.cache/tok-peers}/bin:$PATH"

cat_corpus() {
  case "$1" in
    *.jsonl.zst) zstd -dc "$1" | python3 -c 'import sys,json
for l in sys.stdin:
    t=json.loads(l).get("text","")
    sys.stdout.write(t if t.endswith("\n") else t+"\n")' ;;
    *.zst) zstd -dc "$1" ;;
    *.gz) gzip -dc "$1" ;;
    *) cat "$1" ;;
  esac
}
# The first TRAIN_MB/0.9 MB (whole lines): 90% of the lines train, the last 10% are held out.
# head closes the pipe early, so the decompressor dies of SIGPIPE: not an error here.
{ cat_corpus "$corpus" || true; } 2>/dev/null | head -c $(( mb * 1000000 * 10 / 9 )) | sed '$d' > "$work/all.txt"
lines=$(wc -l < "$work/all.txt")
head -n $(( lines * 9 / 10 )) "$work/all.txt" > "$work/train.txt"
tail -n +$(( lines * 9 / 10 + 1 )) "$work/all.txt" > "$work/test.txt"

load_before=$(uptime | sed 's/.*load average: //')
spm_algo=$algo tok_algo=$algo
[ "$algo" = bpe ] && tok_algo=spm-bpe
PEER_SPM_THREADS=$threads /usr/bin/time -f "%e %M" -o "$work/spm.time" \
  peer-spm-train "$spm_algo" "$vs" "$work/train.txt" "$work/spm" 2>/dev/null
/usr/bin/time -f "%e %M" -o "$work/tok.time" \
  "$TOK" train-vocab --algo "$tok_algo" --vocab-size "$vs" --workers "$threads" --out "$work/tokout" "$work/train.txt" 2>/dev/null

load_after=$(uptime | sed 's/.*load average: //')
test_bytes=$(wc -c < "$work/test.txt")
tokens() { spm_encode --model="$1" --output_format=id < "$work/test.txt" | awk '{n+=NF} END{print n}'; }
spm_tokens=$(tokens "$work/spm.model")
tok_tokens=$(tokens "$work/tokout/spm.model")
cut -f1 "$work/spm.vocab" | sort > "$work/a"
cut -f1 "$work/tokout/spm.vocab" | sort > "$work/b"
shared=$(comm -12 "$work/a" "$work/b" | wc -l)
read -r spm_s spm_kb < "$work/spm.time"
read -r tok_s tok_kb < "$work/tok.time"
printf 'corpus %s, %s, vocab %s, train %s bytes, held out %s bytes, %s threads\n' \
  "$(basename "$corpus")" "$algo" "$vs" "$(wc -c < "$work/train.txt")" "$test_bytes" "$threads"
printf 'load average (1, 5, 15 min) before training: %s, after: %s (ratios come from this one run)\n' "$load_before" "$load_after"
printf '%-10s %12s %14s %10s %12s\n' tool held_out_tok bytes_per_tok train_s peak_rss_MB
awk -v t="$spm_tokens" -v b="$test_bytes" -v s="$spm_s" -v k="$spm_kb" 'BEGIN{printf "%-10s %12d %14.4f %10.2f %12.1f\n","spm_train",t,b/t,s,k/1024}'
awk -v t="$tok_tokens" -v b="$test_bytes" -v s="$tok_s" -v k="$tok_kb" 'BEGIN{printf "%-10s %12d %14.4f %10.2f %12.1f\n","tok",t,b/t,s,k/1024}'
awk -v a="$spm_tokens" -v b="$tok_tokens" -v sh="$shared" -v vs="$vs" -v s1="$spm_s" -v s2="$tok_s" -v k1="$spm_kb" -v k2="$tok_kb" \
  'BEGIN{printf "tok/spm tokens %.4f (%+.2f%% bytes/token), shared pieces %d/%d (%.1f%%), speed %.2fx, memory %.2fx\n", b/a, (a/b-1)*100, sh, vs, 100*sh/vs, s1/s2, k2/k1}'
