#!/usr/bin/env node
// Times HuggingFace tokenizers' pre-tokenizers (npm `tokenizers` 0.23.2, the
// Rust core through napi) on a text file, one preTokenizeString call per
// line, for the side-by-side with BenchmarkPeer_* in bench_test.go:
//
//   NODE_PATH=/root/.cache/tok-peers/node/node_modules node bench-hf.js ../../../shared/golden/texts/en.txt
//
// The time includes the binding's conversion of the pieces to JS arrays, so
// it overstates the Rust core's own cost; see the report for the ratio.
'use strict';
const fs = require('fs');
const t = require('tokenizers');
const file = process.argv[2];
const lines = fs.readFileSync(file, 'utf8').split('\n');
const bytes = Buffer.byteLength(lines.join('\n'), 'utf8');
const pres = {
  bert: t.bertPreTokenizer(),
  whitespace: t.whitespacePreTokenizer(),
  bytelevel_gpt2_regex: t.byteLevelPreTokenizer(false, true),
  split_string_space: t.splitPreTokenizer(' ', 'isolated', false),
};
for (const [name, pre] of Object.entries(pres)) {
  for (const l of lines) pre.preTokenizeString(l); // warm up
  const reps = 3;
  const t0 = process.hrtime.bigint();
  let pieces = 0;
  for (let r = 0; r < reps; r++) for (const l of lines) pieces += pre.preTokenizeString(l).length;
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`hf ${name}: ${(bytes * reps / s / 1e6).toFixed(2)} MB/s (${pieces / reps} pieces)`);
}
