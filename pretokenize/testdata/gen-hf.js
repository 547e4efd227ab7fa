#!/usr/bin/env node
// Regenerates hf-pretokenizers.json: the pieces HuggingFace tokenizers (npm
// `tokenizers` 0.23.2, the Rust core through its napi binding) makes with
// each pre-tokenizer on a set of inputs.
//
//   export PATH=/root/.cache/tok-peers/bin:$PATH   # peers, see shared/peers/README.md
//   NODE_PATH=/root/.cache/tok-peers/node/node_modules node gen-hf.js ../../../shared/golden/texts/edge.txt > hf-pretokenizers.json
//
// The binding reports offsets in characters (code points); they are
// converted to UTF-8 byte offsets here. Metaspace rewrites the text, so its
// cases record the piece strings instead of offsets.
'use strict';
const fs = require('fs');
const t = require('tokenizers');

const edgeFile = process.argv[2];
if (!edgeFile) { console.error('usage: gen-hf.js EDGE_TXT'); process.exit(2); }
const edge = fs.readFileSync(edgeFile, 'utf8').split('\n');
if (edge[edge.length - 1] === '') edge.pop();

const handmade = [
  '', ' ', '   ', 'a', 'Hello, world!', 'Hello,  world! (don\'t) $5+3=8 <tag> a^b `c` x|y ~z',
  'the-final--countdown', '--a--', '-', 'a-b-', '-a-b', 'a\u2014b\u2013c', '\u00bfQu\u00e9? \u00a1S\u00ed!',
  'tab\there\nnew\r\nline\u000bvt\u000cff', 'nbsp\u00a0nel\u0085ls\u2028ps\u2029ideo\u3000end', 'zw\u200bsp zwj\u200dx',
  '\u001cfs\u001fus', '\u0000nul\u007fdel', '\u4f60\u597d\u4e16\u754c\u3002\u3001', '\u3010\u3011\u300c\u300d\uff01\uff1f',
  '\ud83d\ude00\ud83d\udc4d\ud83c\udffd x\u200d\ud83d\udcbb', '\ud840\udc00\ud840\udc01 \ud869\udea5', 'e\u0301\u0302 a\u0308',
  '\u0627\u0644\u0639\u0631\u0628\u064a\u0629\u060c \u061f', '\u0928\u092e\u0938\u094d\u0924\u0947\u0964', '\u00b2\u00b3\u00bd \u2160\u216b \u0660\u0661\u0662 \u0967\u0968',
  '12345 1,000,000.50 3.14 \uff11\uff12\uff13', 'a_b snake_case __init__', '\u00a7\u00b6\u00b7\u2020\u2021\u2022\u2026', '\u2018quoted\u2019 \u201cdouble\u201d \u00abguillemets\u00bb',
  '\u24b6\u24b7 \u00aa\u00ba \u02b0\u02b1', 'http://example.com/a?b=c&d=e#f', 'x\u2581y\u2581\u2581z', '\u2581\u2581lead', 'trail\u2581',
  'a\u2581b c', '  two  spaces  ', '\u00c0\u00e9\u00ee\u00f5\u00fc', '\u2028\u2029', 'mixed123abc456', '\u0e20\u0e32\u0e29\u0e32\u0e44\u0e17\u0e22',
];
const inputs = handmade.concat(edge);

function byteOffsets(s) {
  const cps = Array.from(s);
  const offs = [0];
  let b = 0;
  for (const c of cps) { b += Buffer.byteLength(c, 'utf8'); offs.push(b); }
  return offs;
}

function spans(pre, s) {
  const offs = byteOffsets(s);
  return pre.preTokenizeString(s).map(([, [a, e]]) => [offs[a], offs[e]]);
}

const behaviors = ['removed', 'isolated', 'mergedWithPrevious', 'mergedWithNext', 'contiguous'];
const cases = [];
function add(name, config, pre, which, strings) {
  const idx = which === 'all' ? inputs.map((_, i) => i) : inputs.map((_, i) => i).filter((i) => i < handmade.length);
  cases.push({
    name, config,
    inputs: idx,
    want: idx.map((i) => strings ? pre.preTokenizeString(inputs[i]).map(([p]) => p) : spans(pre, inputs[i])),
    strings: !!strings,
  });
}

add('bert', { type: 'BertPreTokenizer' }, t.bertPreTokenizer(), 'all');
add('whitespace', { type: 'Whitespace' }, t.whitespacePreTokenizer(), 'all');
add('whitespace_split', { type: 'WhitespaceSplit' }, t.whitespaceSplitPreTokenizer(), 'all');
for (const b of behaviors) add('punctuation_' + b, { type: 'Punctuation', behavior: b }, t.punctuationPreTokenizer(b), b === 'isolated' ? 'all' : 'handmade');
add('digits_individual', { type: 'Digits', individual_digits: true }, t.digitsPreTokenizer(true), 'all');
add('digits_contiguous', { type: 'Digits', individual_digits: false }, t.digitsPreTokenizer(false), 'handmade');
add('char_delimiter_dash', { type: 'CharDelimiterSplit', delimiter: '-' }, t.charDelimiterSplit('-'), 'handmade');
add('char_delimiter_meta', { type: 'CharDelimiterSplit', delimiter: '\u2581' }, t.charDelimiterSplit('\u2581'), 'handmade');
for (const delim of ['-', '--', ' ', '\u2581']) {
  for (const b of behaviors) {
    for (const invert of [false, true]) {
      add(`split_${JSON.stringify(delim)}_${b}_${invert}`, { type: 'Split', pattern: { String: delim }, behavior: b, invert },
        t.splitPreTokenizer(delim, b, invert), 'handmade');
    }
  }
}
for (const scheme of ['always', 'never', 'first']) {
  add('metaspace_' + scheme, { type: 'Metaspace', replacement: '\u2581', prepend_scheme: scheme, split: true },
    t.metaspacePreTokenizer('\u2581', scheme, true), 'all', true);
}
add('sequence_ws_punct_digits', { type: 'Sequence', pretokenizers: ['WhitespaceSplit', 'Punctuation(contiguous)', 'Digits(true)'] },
  t.sequencePreTokenizer([t.whitespaceSplitPreTokenizer(), t.punctuationPreTokenizer('contiguous'), t.digitsPreTokenizer(true)]), 'all');

process.stdout.write(JSON.stringify({
  generator: 'gen-hf.js with npm tokenizers ' + require('tokenizers/package.json').version,
  inputs, cases,
}) + '\n');
