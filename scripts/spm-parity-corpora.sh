#!/usr/bin/env bash
# spm-parity-corpora.sh [LINES] — tok vs SentencePiece (peer-spm-encode,
# python3-sentencepiece 0.1.97) ids on the first LINES (default 3000) lines
# of each language corpus in ../shared/corpora, for every .model in
# ../shared/vocab. Prints "model corpus: N of M lines differ" per pair.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${TOK_SHARED:-$root/../shared}
n=${1:-3000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PATH="${TOK_PEERS:-$HOME/.cache/tok-peers}/bin:$PATH"
(cd "$root" && go build -o "$work/tok" ./cmd/tok)
for f in "$shared"/corpora/*.txt "$shared"/corpora/*.txt.zst; do
  name=$(basename "$f"); name=${name%.zst}; name=${name%.txt}
  case "$name" in en-*|zh-classical-poetry) continue ;; esac
  { case "$f" in *.zst) zstd -dc "$f" ;; *) cat "$f" ;; esac || true; } 2>/dev/null | head -n "$n" > "$work/$name.txt"
done
for model in "$shared"/vocab/*.model; do
  for t in "$work"/*.txt; do
    peer-spm-encode "$model" "$t" > "$t.spm"
    "$work/tok" encode -t "$model" --per-line "$t" > "$t.tok"
    echo "$(basename "$model") $(basename "$t" .txt): $(compare-ids "$t.spm" "$t.tok" | head -1)"
  done
done
