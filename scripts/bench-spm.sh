#!/usr/bin/env bash
# bench-spm.sh [MODEL] [MB] — tok vs SentencePiece, side by side, in one run.
#
# Encoding: the same MB (default 20) MB of English text (en-large from
# ../shared/corpora), one line at a time, on one core (taskset -c 0,
# GOMAXPROCS=1): `tok encode --per-line` vs `spm_encode --output_format=id`,
# both writing ids to /dev/null. MODEL defaults to Llama 2's tokenizer.model.
# Training: `tok train-vocab --algo unigram` vs spm_train (unigram, vocab
# 8000, THREADS threads each, default 2) on TRAIN_MB (default 10) MB of the
# same text; wall time, CPU time and peak RSS (GNU time).
# Wall times on a shared machine are noisy; CPU seconds are printed too and
# the ratios use wall time of one run.
# Needs: the peers (spm_encode, spm_train), GNU time, zstd, taskset.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${TOK_SHARED:-$root/../shared}
model=${1:-$shared/vocab/llama2-tokenizer.model}
mb=${2:-20}
train_mb=${TRAIN_MB:-10}
threads=${THREADS:-2}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PATH="${TOK_PEERS:-$HOME/.cache/tok-peers}/bin:$PATH"
(cd "$root" && go build -o "$work/tok" ./cmd/tok)
# head closes the pipe early, so zstd dies of SIGPIPE: not an error here.
{ zstd -dc "$shared/corpora/en-large.txt.zst" || true; } | head -c $((mb * 1000000)) | sed '$d' > "$work/text.txt"
bytes=$(wc -c < "$work/text.txt")

run() { # name cmd... ; prints name wall cpu rss
  local name=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$work/$name.time" "$@"
  read -r wall user sys rss < "$work/$name.time"
  echo "$name $wall $(echo "$user + $sys" | bc) $rss"
}
echo "encode: $(basename "$model"), $bytes bytes, one line at a time, 1 core"
printf '%-12s %8s %8s %10s %10s %8s\n' tool wall_s cpu_s MB/s_wall MB/s_cpu rss_MB
enc_spm=$(run spm_encode taskset -c 0 sh -c "spm_encode --model='$model' --output_format=id < '$work/text.txt' > /dev/null")
enc_tok=$(run tok_encode taskset -c 0 env GOMAXPROCS=1 "$work/tok" encode -t "$model" --per-line -o /dev/null "$work/text.txt")
for r in "$enc_spm" "$enc_tok"; do
  set -- $r
  awk -v n="$1" -v w="$2" -v c="$3" -v k="$4" -v b="$bytes" 'BEGIN{printf "%-12s %8.2f %8.2f %10.2f %10.2f %8.1f\n", n, w, c, b/w/1e6, b/c/1e6, k/1024}'
done
set -- $enc_spm; spm_w=$2 spm_c=$3
set -- $enc_tok; tok_w=$2 tok_c=$3
awk -v a="$spm_w" -v b="$tok_w" -v c="$spm_c" -v d="$tok_c" 'BEGIN{printf "tok/spm_encode throughput: %.2fx (wall), %.2fx (cpu)\n", a/b, c/d}'

head -c $((train_mb * 1000000)) "$work/text.txt" | sed '$d' > "$work/train.txt"
echo
echo "train: unigram, vocab 8000, $(wc -c < "$work/train.txt") bytes, $threads threads"
printf '%-12s %8s %8s %8s\n' tool wall_s cpu_s rss_MB
tr_spm=$(run spm_train env PEER_SPM_THREADS="$threads" peer-spm-train unigram 8000 "$work/train.txt" "$work/spm")
tr_tok=$(run tok_train "$work/tok" train-vocab --algo unigram --vocab-size 8000 --workers "$threads" --out "$work/tokout" "$work/train.txt" 2>/dev/null)
for r in "$tr_spm" "$tr_tok"; do
  set -- $r
  awk -v n="$1" -v w="$2" -v c="$3" -v k="$4" 'BEGIN{printf "%-12s %8.2f %8.2f %8.1f\n", n, w, c, k/1024}'
done
set -- $tr_spm; a_w=$2 a_k=$4
set -- $tr_tok; b_w=$2 b_k=$4
awk -v a="$a_w" -v b="$b_w" -v c="$a_k" -v d="$b_k" 'BEGIN{printf "tok vs spm_train: %.2fx faster (wall), %.2fx the peak memory\n", a/b, d/c}'
