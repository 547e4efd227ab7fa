#!/usr/bin/env node
// Regenerates hf-normalizers.jsonl: the output of HuggingFace tokenizers'
// normalizers (npm `tokenizers` 0.23.2, the Rust core) on the inputs below.
// Run from this directory:
//   NODE_PATH=$HOME/.cache/tok-peers/node/node_modules node gen-hf-normalizers.js > hf-normalizers.jsonl
const t = require('tokenizers');

const normalizers = {
  'bert': () => t.bertNormalizer({}),
  'bert-cased': () => t.bertNormalizer({ lowercase: false }),
  'bert-nostrip': () => t.bertNormalizer({ stripAccents: false }),
  'bert-nochinese': () => t.bertNormalizer({ handleChineseChars: false }),
  'bert-noclean': () => t.bertNormalizer({ cleanText: false }),
  'nfc': () => t.nfcNormalizer(),
  'nfd': () => t.nfdNormalizer(),
  'nfkc': () => t.nfkcNormalizer(),
  'nfkd': () => t.nfkdNormalizer(),
  'lowercase': () => t.lowercase(),
  'strip-accents': () => t.stripAccentsNormalizer(),
  'strip': () => t.stripNormalizer(true, true),
  'strip-left': () => t.stripNormalizer(true, false),
  'strip-right': () => t.stripNormalizer(false, true),
  'nmt': () => t.nmt(),
  'prepend': () => t.prependNormalizer('\u2581'),
  'replace': () => t.replace(' ', '\u2581'),
  'replace-multi': () => t.replace('ab', 'X'),
  'seq-nfkd-strip-lower': () => t.sequenceNormalizer([t.nfkdNormalizer(), t.stripAccentsNormalizer(), t.lowercase()]),
  'seq-prepend-replace': () => t.sequenceNormalizer([t.prependNormalizer('\u2581'), t.replace(' ', '\u2581')]),
};

const inputs = [
  '', 'a', 'Hello, World!', '  leading and trailing  ', '\t\ttabs\tand\nnewlines\r\n',
  'ÀÉÎÕÜ àéîõü Ççñ', 'e\u0301 o\u0308 a\u030a', 'Z\u0351\u0352a\u0353l\u0354g\u0355o',
  'İstanbul ISTANBUL ıi', 'ΣΊΣΥΦΟΣ Straße ǅ ǈ ǋ', 'Ⅻ ⅻ ① ㈱ ﬁ ﬀ ℌ ℍ ½ ² ₃',
  'ＡＢＣ ｆｕｌｌ　ｗｉｄｔｈ', '𝐀𝐁𝐂 𝕏 𝔸', '中文字符和日本語のテキスト', '한국어 텍스트 ㄱㄴ 가각',
  '\u1100\u1161\u11a8 decomposed hangul', '𠀀𠀁𠀂𠀃 𪚥 𩸽 𠮷野家', '丽 兀 﨎 鿿 㐀',
  'عربي مع \u200f علامة \u200e', 'हिन्दी क्\u200dष क्\u200cष', 'ภาษาไทย ำน\u0e49ำ',
  'zero\u200bwidth\u200cjoin\u200dzwj\ufeffbom', 'nbsp\u00a0ideo\u3000thin\u2009line\u2028para\u2029nel\u0085',
  'ctrl\u0001\u0002\u0007\u000b\u000c\u001b\u007f\u0080\u008f\u009f end', 'null\u0000char', 'repl\ufffdchar',
  'private\ue000\uf8ff noncharacter\ufdd0\uffff', 'emoji 👍🏽 👨‍👩‍👧 🇫🇷 🏴\u{e0067}\u{e0062}\u{e0065}\u{e006e}\u{e0067}\u{e007f}',
  'newer emoji 🥰 🫠 🪿', 'Vietnamese Cụ thể, bạn sẽ …', 'ậ…', 'Ω Å K ℃ ℉', '\u2581already\u2581meta',
  'abab aab bab', 'x\u0345y \u0651\u064b', 'ŉ ︰ ǰ ΐ', 'ﷺ ﷻ', '\u0f73 \u0f75 \u0f81', 'Ǆ ǆ ß ẞ',
  'a\u0300\u0301\u0302\u0303\u0304\u0305\u0306 stack', 'Ⓐⓑ ⒜ ⑴', 'ｶﾞ ｷﾞｬ ﾟ', '\u00ad soft\u00adhyphen',
  'mixed CASE Words', 'tab\tsep', '   ', '\r', 'ⅰⅱⅲ ℵ ℶ',
];

for (const [name, make] of Object.entries(normalizers)) {
  const n = make();
  for (const input of inputs) {
    console.log(JSON.stringify({ n: name, in: input, out: n.normalizeString(input) }));
  }
}
