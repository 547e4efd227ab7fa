#!/usr/bin/env bash
# Trains WordPiece vocabularies with HF tokenizers (peer-hf-train: npm tokenizers
# 0.23.2, WordPieceTrainer defaults, BertNormalizer lowercase, BertPreTokenizer,
# special tokens [PAD] [UNK] [CLS] [SEP] [MASK]) on en-tinyshakespeare.txt,
# vocabulary 3000, RUNS times (HF's WordPiece trainer is not deterministic).
#
#   SHARED=/path/to/shared PEERS=$HOME/.cache/tok-peers RUNS=5 ./make-hf-train.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SHARED=${SHARED:-$here/../../../shared}
PEERS=${PEERS:-$HOME/.cache/tok-peers}
RUNS=${RUNS:-5}
export PATH="$PEERS/bin:$PATH"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for i in $(seq 1 "$RUNS"); do
  peer-hf-train wordpiece 3000 "$SHARED/corpora/en-tinyshakespeare.txt" "$tmp/run$i.json"
  gzip -9nc "$tmp/run$i.json" > "$here/hf-train/tinyshakespeare-3000-run$i.json.gz"
done
