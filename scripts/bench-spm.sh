#!/usr/bin/env bash
# bench-spm.sh [MODEL...] — tok vs SentencePiece, side by side, in one run.
#
# Encoding: for every MODEL (default: Llama 2's BPE tokenizer.model and
# ALBERT's Unigram albert-30k-clean.model from ../shared/vocab) and every
# text class, `tok encode --per-line` vs `spm_encode --output_format=id` on
# the same file, one line at a time, single-threaded each (spm_encode is;
# tok runs with GOMAXPROCS=1 and --workers 1), both writing ids to
# /dev/null. Neither is pinned to a core: on a shared machine another job
# pinned to the same core would stall one of them.
# Text classes:
#   en     the first MB (default 20) MB of en-large (English prose+technical)
#   multi  MULTI_MB (default 8) MB: equal shares of de, es, ru, uk, ja,
#          zh-hans, hi, ar from ../shared/corpora (ar has 0.8 MB)
# TEXTS="en multi" chooses the classes. Each tool runs REPEAT (default 3)
# times, the two alternating, and the least wall time, CPU time and RSS
# are kept, which filters out some of the noise of a shared machine. MB/s is input bytes
# over that wall time (and CPU time); the ratios are of one script run.
# Training (TRAIN=1, off by default): `tok train-vocab --algo unigram` vs
# spm_train (unigram, vocab 8000, THREADS threads each, default 2) on
# TRAIN_MB (default 10) MB of the English text; wall time, CPU time and
# peak RSS (GNU time).
# Wall times on a shared machine are noisy: the load average is printed
# with the results; compare the ratios, and re-run on a quiet machine.
# Needs: the peers (spm_encode, spm_train), GNU time, zstd, bc.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${TOK_SHARED:-$root/../shared}
if [ $# -gt 0 ]; then models=("$@"); else
	models=("$shared/vocab/llama2-tokenizer.model" "$shared/vocab/albert-30k-clean.model")
fi
mb=${MB:-20}
multi_mb=${MULTI_MB:-8}
texts=${TEXTS:-en multi}
repeat=${REPEAT:-3}
train_mb=${TRAIN_MB:-10}
threads=${THREADS:-2}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PATH="${TOK_PEERS:-$HOME/.cache/tok-peers}/bin:$PATH"
(cd "$root" && go build -o "$work/tok" ./cmd/tok)

# cat_head N FILE: the first N bytes of FILE (plain, .zst or .gz), cut at
# a line end. head closes the pipe early, so zstd dies of SIGPIPE: not an
# error here.
cat_head() {
	local n=$1 f=$2
	case $f in
	*.zst) { zstd -dc "$f" || true; } ;;
	*.gz) { gzip -dc "$f" || true; } ;;
	*) { cat "$f" || true; } ;;
	esac | head -c "$n" | sed '$d'
}
cat_head $((mb * 1000000)) "$shared/corpora/en-large.txt.zst" > "$work/en.txt"
share=$((multi_mb * 1000000 / 8))
for l in de.txt.zst es.txt ru.txt.zst uk.txt.zst ja.txt.zst zh-hans.txt.zst hi.txt.zst ar.txt; do
	cat_head "$share" "$shared/corpora/$l"
done > "$work/multi.txt"

# once NAME CMD...: run CMD once under GNU time; sets wall, cpu, rss.
once() {
	local name=$1 user sys
	shift
	/usr/bin/time -f "%e %U %S %M" -o "$work/$name.time" "$@"
	read -r wall user sys rss < "$work/$name.time"
	cpu=$(echo "$user + $sys" | bc)
}
# keep NAME: fold the last run of NAME into best_NAME (least wall, CPU
# and RSS over the runs).
declare -A best_wall best_cpu best_rss
keep() {
	local n=$1
	if [ -z "${best_wall[$n]:-}" ] || [ "$(echo "$wall < ${best_wall[$n]}" | bc)" = 1 ]; then best_wall[$n]=$wall; fi
	if [ -z "${best_cpu[$n]:-}" ] || [ "$(echo "$cpu < ${best_cpu[$n]}" | bc)" = 1 ]; then best_cpu[$n]=$cpu; fi
	if [ -z "${best_rss[$n]:-}" ] || [ "$rss" -lt "${best_rss[$n]}" ]; then best_rss[$n]=$rss; fi
}
run() { # name cmd... ; prints name wall cpu rss of one run
	once "$@"
	echo "$1 $wall $cpu $rss"
}

echo "machine: $(nproc) cores, load average$(uptime | sed 's/.*load average//')"
summary=()
for model in "${models[@]}"; do
	for t in $texts; do
		text=$work/$t.txt
		bytes=$(wc -c < "$text")
		echo
		echo "encode: $(basename "$model") on $t, $bytes bytes, one line at a time, 1 core each"
		printf '%-12s %8s %8s %10s %10s %8s\n' tool wall_s cpu_s MB/s_wall MB/s_cpu rss_MB
		best_wall=() best_cpu=() best_rss=()
		for _ in $(seq "$repeat"); do # interleaved, so that load changes hit both
			once spm_encode sh -c "spm_encode --model='$model' --output_format=id < '$text' > /dev/null"
			keep spm_encode
			once tok_encode env GOMAXPROCS=1 "$work/tok" encode -t "$model" --per-line --workers 1 -o /dev/null "$text"
			keep tok_encode
		done
		enc_spm="spm_encode ${best_wall[spm_encode]} ${best_cpu[spm_encode]} ${best_rss[spm_encode]}"
		enc_tok="tok_encode ${best_wall[tok_encode]} ${best_cpu[tok_encode]} ${best_rss[tok_encode]}"
		for r in "$enc_spm" "$enc_tok"; do
			set -- $r
			awk -v n="$1" -v w="$2" -v c="$3" -v k="$4" -v b="$bytes" 'BEGIN{printf "%-12s %8.2f %8.2f %10.2f %10.2f %8.1f\n", n, w, c, b/w/1e6, b/c/1e6, k/1024}'
		done
		set -- $enc_spm
		spm_w=$2 spm_c=$3
		set -- $enc_tok
		tok_w=$2 tok_c=$3
		line=$(awk -v m="$(basename "$model")" -v t="$t" -v b="$bytes" -v a="$spm_w" -v bb="$tok_w" -v c="$spm_c" -v d="$tok_c" \
			'BEGIN{printf "%-26s %-6s spm_encode %6.2f MB/s  tok %6.2f MB/s  tok/spm %.2fx (wall), %.2fx (cpu)", m, t, b/a/1e6, b/bb/1e6, a/bb, c/d}')
		echo "$line"
		summary+=("$line")
		# Where tok's time goes: the encode loop alone (input in memory, no
		# output; tok encode's hidden --bench), the rest being loading the
		# model, reading, and formatting and writing ids.
		loop=$(GOMAXPROCS=1 "$work/tok" encode -t "$model" --per-line --workers 1 --bench "$text" 2>&1 | grep -o 'MBps=[0-9.]*' | cut -d= -f2)
		echo "tok encode loop alone (--bench): ${loop:-?} MB/s"
	done
done
echo
echo "summary (load average$(uptime | sed 's/.*load average//')):"
printf '%s\n' "${summary[@]}"

if [ "${TRAIN:-0}" = 1 ]; then
	cat_head $((train_mb * 1000000)) "$work/en.txt" > "$work/train.txt"
	echo
	echo "train: unigram, vocab 8000, $(wc -c < "$work/train.txt") bytes, $threads threads"
	printf '%-12s %8s %8s %8s\n' tool wall_s cpu_s rss_MB
	tr_spm=$(run spm_train env PEER_SPM_THREADS="$threads" peer-spm-train unigram 8000 "$work/train.txt" "$work/spm")
	tr_tok=$(run tok_train "$work/tok" train-vocab --algo unigram --vocab-size 8000 --workers "$threads" --out "$work/tokout" "$work/train.txt" 2> /dev/null)
	for r in "$tr_spm" "$tr_tok"; do
		set -- $r
		awk -v n="$1" -v w="$2" -v c="$3" -v k="$4" 'BEGIN{printf "%-12s %8.2f %8.2f %8.1f\n", n, w, c, k/1024}'
	done
	set -- $tr_spm
	a_w=$2 a_k=$4
	set -- $tr_tok
	b_w=$2 b_k=$4
	awk -v a="$a_w" -v b="$b_w" -v c="$a_k" -v d="$b_k" 'BEGIN{printf "tok vs spm_train: %.2fx faster (wall), %.2fx the peak memory\n", a/b, d/c}'
fi
