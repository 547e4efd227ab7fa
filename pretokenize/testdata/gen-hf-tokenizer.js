#!/usr/bin/env node
// Regenerates hf-tokenizer-pretokens.json: pre-token offsets that
// HuggingFace tokenizers (npm `tokenizers` 0.23.2, Rust core, napi) makes
// for pre-tokenizers its binding cannot run alone: Split with a Regex
// pattern (run by Oniguruma) and UnicodeScripts. Each is put in a
// tokenizer.json whose model is a WordLevel with only [UNK], so every
// pre-token becomes one token and its offsets are the pre-token's.
//
//   NODE_PATH=/root/.cache/tok-peers/node/node_modules node gen-hf-tokenizer.js \
//       ../../../shared/golden/texts/edge.txt > hf-tokenizer-pretokens.json
'use strict';
const fs = require('fs');
const t = require('tokenizers');

const edgeFile = process.argv[2];
if (!edgeFile) { console.error('usage: gen-hf-tokenizer.js EDGE_TXT'); process.exit(2); }
const edge = fs.readFileSync(edgeFile, 'utf8').split('\n');
if (edge[edge.length - 1] === '') edge.pop();
const handmade = [
  '', ' ', 'Hello, world! It\'s 2024.', 'HTTPServer iPhone\'s camelCase', '  a  \n\n b \r\n c  ', 'x\n   ',
  'Hello\u4e16\u754c \u3053\u3093\u306b\u3061\u306f123 abc-def', '\u3072\u3089\u304c\u306a\u30ab\u30bf\u30ab\u30ca\u30fc\u6f22\u5b57',
  'e\u0301x \u041f\u0440\u0438\u0432\u0435\u0442 \u043c\u0438\u0440', 'a\ud83d\ude00b', '\u0928\u092e\u0938\u094d\u0924\u0947 \u0926\u0941\u0928\u093f\u092f\u093e',
  'mixed\u0627\u0644\u0639\u0631\u0628\u064a\u0629text', '\u24b6\u24b7\u24b8 \u2160\u2161 \u0903\u0904 a\u0903b', '12\u00bd \u0661\u0662 x\u00b2',
  '\u0e20\u0e32\u0e29\u0e32\u0e44\u0e17\u0e22 \ud55c\uad6d\uc5b4', '\u02b0\u02b1 \u01c5 \u1f88', 'tab\tsep\u00a0nbsp\u3000ideo',
];
const inputs = handmade.concat(edge);

function byteOffsets(s) {
  const offs = [0];
  let b = 0;
  for (const c of Array.from(s)) { b += Buffer.byteLength(c, 'utf8'); offs.push(b); }
  return offs;
}

function tokenizer(pre) {
  return t.Tokenizer.fromString(JSON.stringify({
    version: '1.0', truncation: null, padding: null, added_tokens: [], normalizer: null,
    pre_tokenizer: pre, post_processor: null, decoder: null,
    model: { type: 'WordLevel', vocab: { '[UNK]': 0 }, unk_token: '[UNK]' },
  }));
}

const patterns = {
  gpt2: "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
  cl100k: "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
  qwen2: "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
  o200k: "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
  digits: '\\p{N}+',
  spaces: '\\s+',
  letters_marks: '[\\p{L}\\p{M}]+',
  words: '\\w+|[^\\w\\s]+',
  nonwords: '\\W+',
  word_class: '[\\w\\-]+',
};

(async () => {
  const cases = [];
  async function add(name, pre) {
    const tk = tokenizer(pre);
    const want = [];
    for (const s of inputs) {
      const offs = byteOffsets(s);
      const e = await tk.encode(s);
      want.push(e.getOffsets().map(([a, b]) => [offs[a], offs[b]]));
    }
    cases.push({ name, pre, want });
  }
  await add('unicode_scripts', { type: 'UnicodeScripts' });
  for (const [name, p] of Object.entries(patterns)) {
    const behaviors = ['gpt2', 'cl100k', 'qwen2', 'o200k'].includes(name)
      ? [['Isolated', false], ['Removed', true]]
      : [['Removed', false], ['Isolated', false], ['MergedWithPrevious', false], ['MergedWithNext', false], ['Contiguous', true], ['Removed', true]];
    for (const [behavior, invert] of behaviors) {
      await add(`split_${name}_${behavior}_${invert}`, { type: 'Split', pattern: { Regex: p }, behavior, invert });
    }
  }
  process.stdout.write(JSON.stringify({
    generator: 'gen-hf-tokenizer.js with npm tokenizers ' + require('tokenizers/package.json').version,
    inputs, cases,
  }) + '\n');
})();
