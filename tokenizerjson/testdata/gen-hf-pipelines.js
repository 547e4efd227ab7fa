#!/usr/bin/env node
// Regenerates testdata/hf-pipelines/: for each pipeline below, a
// tokenizer.json (a WordLevel model whose vocabulary is every piece HF's own
// normalizer + pre-tokenizer produce on the inputs, so that ids show the
// exact pre-tokens) and a .jsonl with HF's ids (without and with special
// tokens), tokens and decoded text per input; plus decoders.jsonl, HF's
// decoders on token lists. Reference: npm `tokenizers` 0.23.2 (HF's Rust
// core). Run from tokenizerjson/testdata:
//   NODE_PATH=$HOME/.cache/tok-peers/node/node_modules node gen-hf-pipelines.js
const fs = require('fs');
const t = require('tokenizers');

const inputs = [
  '', 'Hello world', '  leading  and trailing  ', 'Hello, World! How are you?', "it's don't we'll I'M",
  'a-b--c---d', 'x1y22z333 4444', 'über naïve café ÅNGSTRÖM', '中文字符 和 日本語のテキスト', 'tabs\tand\nnewlines\r\nend',
  'pipe|separated||values', 'emoji 👍🏽 and 👨‍👩‍👧', 'The [MASK] is <tag> here', 'word words sword word.', 'hello HELLO Hello',
  '<s>start and end</s>', 'a <s> b', '▁already▁meta ▁', '   ', 'x', 'e\u0301 o\u0308', 'numbers 3.14 and 1,000,000',
  'mixedCASE camelCase HTTPServer', 'Русский текст and English ελληνικά', 'カタカナとひらがな漢字mixed123', 'x\u00a0y\u3000z', '[MASK][MASK] [MASK]', 'wordword word_word',
];

const added = (content, o) => Object.assign({ id: 0, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }, o);

const pipelines = {
  'metaspace-always': { pre_tokenizer: { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'always', split: true }, decoder: { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'always', split: true } },
  'metaspace-first-nosplit': { pre_tokenizer: { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'first', split: false }, decoder: { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'first', split: false }, added: [added('<s>'), added('</s>')] },
  'metaspace-never': { pre_tokenizer: { type: 'Metaspace', replacement: '_', prepend_scheme: 'never', split: true }, decoder: { type: 'Metaspace', replacement: '_', prepend_scheme: 'never', split: true } },
  'bytelevel-prefix': { pre_tokenizer: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true }, decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true }, added: [added('<s>')] },
  'bytelevel-noregex-roberta': { pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false }, decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true }, post_processor: { type: 'RobertaProcessing', sep: ['</s>', 2], cls: ['<s>', 1], trim_offsets: true, add_prefix_space: false }, added: [added('<s>', { id: 1 }), added('</s>', { id: 2 })] },
  'split-behaviors': { pre_tokenizer: { type: 'Sequence', pretokenizers: [
    { type: 'Split', pattern: { String: '-' }, behavior: 'MergedWithPrevious', invert: false },
    { type: 'Split', pattern: { Regex: '\\d+' }, behavior: 'MergedWithNext', invert: false },
    { type: 'Split', pattern: { Regex: '[aeiou]' }, behavior: 'Contiguous', invert: false },
    { type: 'Split', pattern: { String: ' ' }, behavior: 'Removed', invert: false }] } },
  'split-invert': { pre_tokenizer: { type: 'Split', pattern: { Regex: '\\p{L}+' }, behavior: 'Removed', invert: true } },
  'split-isolated-string': { pre_tokenizer: { type: 'Split', pattern: { String: 'or' }, behavior: 'Isolated', invert: false } },
  'whitespace-digits': { pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'Whitespace' }, { type: 'Digits', individual_digits: true }] } },
  'wssplit-punct-next': { pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'WhitespaceSplit' }, { type: 'Punctuation', behavior: 'MergedWithNext' }, { type: 'Digits', individual_digits: false }] } },
  'bert': { normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true }, pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: { type: 'BertProcessing', sep: ['[SEP]', 102], cls: ['[CLS]', 101] }, decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    added: [added('[CLS]', { id: 101 }), added('[SEP]', { id: 102 }), added('[MASK]', { id: 103, lstrip: true })] },
  'unicode-scripts': { pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'WhitespaceSplit' }, { type: 'UnicodeScripts' }] } },
  'trunc-pad-right': { pre_tokenizer: { type: 'WhitespaceSplit' }, post_processor: { type: 'BertProcessing', sep: ['[SEP]', 102], cls: ['[CLS]', 101] },
    truncation: { direction: 'Right', max_length: 6, strategy: 'LongestFirst', stride: 0 },
    padding: { strategy: { Fixed: 8 }, direction: 'Right', pad_to_multiple_of: null, pad_id: 0, pad_type_id: 0, pad_token: '[UNK]' },
    added: [added('[CLS]', { id: 101 }), added('[SEP]', { id: 102 })] },
  'trunc-pad-left': { pre_tokenizer: { type: 'WhitespaceSplit' }, post_processor: { type: 'BertProcessing', sep: ['[SEP]', 102], cls: ['[CLS]', 101] },
    truncation: { direction: 'Left', max_length: 5, strategy: 'LongestFirst', stride: 0 },
    padding: { strategy: 'BatchLongest', direction: 'Left', pad_to_multiple_of: 4, pad_id: 0, pad_type_id: 1, pad_token: '[UNK]' },
    added: [added('[CLS]', { id: 101 }), added('[SEP]', { id: 102 })] },
  'trunc-stride': { pre_tokenizer: { type: 'WhitespaceSplit' }, post_processor: { type: 'BertProcessing', sep: ['[SEP]', 102], cls: ['[CLS]', 101] },
    truncation: { direction: 'Right', max_length: 9, strategy: 'LongestFirst', stride: 1 },
    padding: { strategy: { Fixed: 9 }, direction: 'Right', pad_to_multiple_of: null, pad_id: 0, pad_type_id: 0, pad_token: '[UNK]' },
    added: [added('[CLS]', { id: 101 }), added('[SEP]', { id: 102 })] },
  'trunc-stride-left': { pre_tokenizer: { type: 'Whitespace' },
    truncation: { direction: 'Left', max_length: 4, strategy: 'LongestFirst', stride: 1 } },
  'chardelim': { pre_tokenizer: { type: 'CharDelimiterSplit', delimiter: '|' } },
  'normalizer-seq-template': { normalizer: { type: 'Sequence', normalizers: [{ type: 'NFKD' }, { type: 'StripAccents' }, { type: 'Lowercase' }, { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' }, { type: 'Strip', strip_left: true, strip_right: true }] },
    pre_tokenizer: { type: 'WhitespaceSplit' },
    post_processor: { type: 'TemplateProcessing', single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } }],
      special_tokens: { '[CLS]': { id: '[CLS]', ids: [101], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [102], tokens: ['[SEP]'] } } },
    decoder: { type: 'Sequence', decoders: [{ type: 'Replace', pattern: { String: 'a' }, content: 'A' }, { type: 'Fuse' }, { type: 'Strip', content: 'A', start: 1, stop: 0 }] },
    added: [added('[CLS]', { id: 101 }), added('[SEP]', { id: 102 })] },
  'added-flags': { normalizer: { type: 'Lowercase' }, pre_tokenizer: { type: 'WhitespaceSplit' },
    added: [added('[MASK]', { id: 900, lstrip: true, rstrip: true }), added('<tag>', { id: 901, rstrip: true, special: false }), added('word', { id: 902, single_word: true, special: false }),
      added('hello', { id: 903, normalized: true, special: false }), added('<s>', { id: 904 })] },
  'prepend-replace': { normalizer: { type: 'Sequence', normalizers: [{ type: 'Prepend', prepend: '\u2581' }, { type: 'Replace', pattern: { String: ' ' }, content: '\u2581' }] },
    pre_tokenizer: { type: 'Split', pattern: { String: '\u2581' }, behavior: 'MergedWithNext', invert: false },
    decoder: { type: 'Sequence', decoders: [{ type: 'Replace', pattern: { String: '\u2581' }, content: ' ' }, { type: 'Fuse' }, { type: 'Strip', content: ' ', start: 1, stop: 0 }] }, added: [added('<s>', { id: 1 })] },
};

function tokenizerJSON(p, vocab) {
  return JSON.stringify({
    version: '1.0', truncation: p.truncation || null, padding: p.padding || null, added_tokens: p.added || [],
    normalizer: p.normalizer || null, pre_tokenizer: p.pre_tokenizer || null, post_processor: p.post_processor || null,
    decoder: p.decoder || null, model: { type: 'WordLevel', vocab, unk_token: '[UNK]' },
  });
}

(async () => {
  for (const [name, p] of Object.entries(pipelines)) {
    const probe = t.Tokenizer.fromString(tokenizerJSON(p, { '[UNK]': 0 }));
    const norm = probe.getNormalizer();
    const pre = probe.getPreTokenizer();
    const pieces = new Set();
    for (const s of inputs) {
      const n = norm ? norm.normalizeString(s) : s;
      for (const [piece] of (pre ? pre.preTokenizeString(n) : [[n]])) pieces.add(piece);
    }
    const vocab = { '[UNK]': 0 };
    let next = 10;
    for (const piece of [...pieces].sort()) {
      while ([1, 2, 101, 102, 103].includes(next)) next++;
      vocab[piece] = next++;
    }
    const json = tokenizerJSON(p, vocab);
    fs.writeFileSync(`hf-pipelines/${name}.json`, json + '\n');
    const tk = t.Tokenizer.fromString(json);
    const out = [];
    for (const s of inputs) {
      const plain = await tk.encode(s, null, { addSpecialTokens: false });
      const special = await tk.encode(s, null, { addSpecialTokens: true });
      const decoded = await tk.decode(plain.getIds(), false);
      const decodedSkip = await tk.decode(special.getIds(), true);
      out.push(JSON.stringify({ in: s, ids: plain.getIds(), tokens: plain.getTokens(), special: special.getIds(), types: special.getTypeIds(), attention: special.getAttentionMask(), decoded, decoded_skip: decodedSkip,
        overflowing: special.getOverflowing().map((o) => o.getIds()) }));
    }
    const pair = await tk.encode('first pair of words here', 'second one', { addSpecialTokens: true });
    out.push(JSON.stringify({ pair: ['first pair of words here', 'second one'], special: pair.getIds(), types: pair.getTypeIds(), attention: pair.getAttentionMask() }));
    fs.writeFileSync(`hf-pipelines/${name}.jsonl`, out.join('\n') + '\n');
  }

  const decoders = {
    bytelevel: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true }, metaspace: { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'always', split: true },
    wordpiece: { type: 'WordPiece', prefix: '##', cleanup: true }, 'wordpiece-nocleanup': { type: 'WordPiece', prefix: '##', cleanup: false },
    bpe: { type: 'BPEDecoder', suffix: '</w>' }, ctc: { type: 'CTC', pad_token: '<pad>', word_delimiter_token: '|', cleanup: true },
    bytefallback: { type: 'ByteFallback' }, fuse: { type: 'Fuse' }, strip: { type: 'Strip', content: ' ', start: 2, stop: 1 },
    replace: { type: 'Replace', pattern: { String: '\u2581' }, content: ' ' },
    llama: { type: 'Sequence', decoders: [{ type: 'Replace', pattern: { String: '\u2581' }, content: ' ' }, { type: 'ByteFallback' }, { type: 'Fuse' }, { type: 'Strip', content: ' ', start: 1, stop: 0 }] },
  };
  const tokenLists = [
    [], ['Hello'], ['\u2581Hello', '\u2581world', '!'], ['ĠHello', 'Ġworld', 'Ċ', 'Ã©'], ['un', '##believ', '##able', '.', 'do', 'not', "'", 's'],
    ['hel', 'lo</w>', 'wor', 'ld</w>'], ['<pad>', 'h', 'h', 'e', '<pad>', 'l', 'l', '<pad>', 'l', 'o', '|', 'w', '|', '|'],
    ['<0x48>', '<0x69>', '\u2581', '<0xE4>', '<0xB8>', '<0xAD>', 'x', '<0xE4>'], ['  a ', ' b  ', '   '],
    ['\u2581\u2581a', '\u2581b\u2581'], ['a', ' ,', 'b', ' .', 'c', " n't", ' do not'],
  ];
  const out = [];
  for (const [name, d] of Object.entries(decoders)) {
    const tk = t.Tokenizer.fromString(tokenizerJSON({ decoder: d }, { '[UNK]': 0 }));
    const dec = tk.getDecoder();
    for (const toks of tokenLists) out.push(JSON.stringify({ name, decoder: d, tokens: toks, out: dec.decode(toks) }));
  }
  fs.writeFileSync('hf-decoders.jsonl', out.join('\n') + '\n');
})();
