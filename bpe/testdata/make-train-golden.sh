#!/usr/bin/env bash
# Regenerates hf-train-golden.json.zst: HuggingFace tokenizers' BPE trainer
# (npm tokenizers 0.23.2 through the peer `peer-hf-train`, default
# BpeTrainer, ByteLevel pre-tokenizer with add_prefix_space=false, no
# normalizer) on a ~364 KB slice of the shared corpora, vocab size 5000, and
# hf-train-golden-special.json.zst: vocab 3000 with special tokens
# <|endoftext|> and <pad>.
# TestTrainer_HFGolden (train_golden_test.go) rebuilds the same slice from
# TOK_SHARED and asserts our merges and vocabulary are identical.
#
# Usage: bpe/testdata/make-train-golden.sh [SHARED_DIR]   (default ../shared)
# Needs the peers on PATH (see ../shared/peers/README.md) and zstd.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
shared=$(cd "${1:-$here/../../../shared}" && pwd)
export PATH="${TOK_PEERS:-$HOME/.cache/tok-peers}/bin:$PATH"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
c="$shared/corpora"
# The slice: keep in sync with goldenSlices in train_golden_test.go.
{
	head -n 10000 "$c/en-tinyshakespeare.txt"
	head -n 150 "$c/fr.txt"
	(zstdcat "$c/ja.txt.zst" || true) | head -n 150
	head -n 150 "$c/ar.txt"
	(zstdcat "$c/ru.txt.zst" || true) | head -n 150
	head -n 100 "$c/ko.txt"
} >"$tmp/corpus.txt"
wc -c "$tmp/corpus.txt" >&2
peer-hf-train bpe 5000 "$tmp/corpus.txt" "$tmp/tokenizer.json"
zstd -q -19 -f "$tmp/tokenizer.json" -o "$here/hf-train-golden.json.zst"
echo "wrote $here/hf-train-golden.json.zst" >&2
# The same with two special tokens (ids 0 and 1, counted in the size).
PEER_SPECIALS='<|endoftext|>,<pad>' peer-hf-train bpe 3000 "$tmp/corpus.txt" "$tmp/tokenizer-special.json"
zstd -q -19 -f "$tmp/tokenizer-special.json" -o "$here/hf-train-golden-special.json.zst"
echo "wrote $here/hf-train-golden-special.json.zst" >&2
