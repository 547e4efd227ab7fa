#!/usr/bin/env node
'use strict';
// node hf-offsets.js TOKENIZER_JSON FILE            -> one {"ids","offsets"} per line
// node hf-offsets.js TOKENIZER_JSON FILE pairs      -> post-processing cases (see below)
// node hf-offsets.js TOKENIZER_JSON FILE decode     -> one JSON string per line: decode(ids, skipSpecialTokens=false)
// Uses npm tokenizers 0.23.2 (HF Rust core). Offsets are HF's: code points into the line.
// In "pairs" mode, consecutive lines (1,2), (3,4), ... are encoded as pairs with special
// tokens, under each setting of CASES; output one JSON object per (case, pair).
const fs = require('fs');
const { Tokenizer } = require('tokenizers');
const [tj, file, mode] = process.argv.slice(2);
const text = fs.readFileSync(file, 'utf8');
let lines = text.split('\n');
if (lines.length && lines[lines.length - 1] === '') lines.pop();
const CASES = [
  { name: 'plain' },
  { name: 'trunc16-longest', trunc: { maxLength: 16, strategy: 'LongestFirst' } },
  { name: 'trunc16-only_second', trunc: { maxLength: 16, strategy: 'OnlySecond' } },
  { name: 'trunc9-longest-left', trunc: { maxLength: 9, strategy: 'LongestFirst', direction: 'left' } },
  { name: 'pad40', pad: { maxLength: 40 } },
  { name: 'pad40-left-trunc20', pad: { maxLength: 40, direction: 'left' }, trunc: { maxLength: 20, strategy: 'LongestFirst' } },
];
(async () => {
  const out = [];
  if (mode === 'decode') {
    const tok = Tokenizer.fromFile(tj);
    for (const l of lines) {
      const e = await tok.encode(l, null, { addSpecialTokens: false });
      out.push(JSON.stringify(await tok.decode(e.getIds(), false)));
    }
  } else if (mode !== 'pairs') {
    const tok = Tokenizer.fromFile(tj);
    for (const l of lines) {
      const e = await tok.encode(l, null, { addSpecialTokens: false });
      out.push(JSON.stringify({ ids: e.getIds(), offsets: e.getOffsets() }));
    }
  } else {
    for (const c of CASES) {
      const tok = Tokenizer.fromFile(tj);
      if (c.trunc) tok.setTruncation(c.trunc.maxLength, { strategy: c.trunc.strategy, direction: c.trunc.direction || 'right' });
      if (c.pad) tok.setPadding({ maxLength: c.pad.maxLength, direction: c.pad.direction || 'right', padId: 0, padToken: '[PAD]' });
      for (let i = 0; i + 1 < lines.length; i += 2) {
        let e;
        try {
          e = await tok.encode(lines[i], lines[i + 1], { addSpecialTokens: true });
        } catch (err) {
          out.push(JSON.stringify({ case: c.name, pair: i / 2, error: String(err) }));
          continue;
        }
        out.push(JSON.stringify({ case: c.name, pair: i / 2, ids: e.getIds(), type_ids: e.getTypeIds(),
          offsets: e.getOffsets(), special: e.getSpecialTokensMask(), attention: e.getAttentionMask() }));
      }
    }
  }
  process.stdout.write(out.join('\n') + '\n');
})().catch((e) => { console.error(e); process.exit(1); });
