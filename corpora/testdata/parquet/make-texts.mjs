// make-texts.mjs prints the texts of rowgroups.parquet as JSON,
// {"text": [string or null, ...]}: made up from a fixed seed, with nulls,
// empty strings, non-ASCII text and a few long texts, so that row groups
// differ in size. Usage: node make-texts.mjs > texts.json
let seed = 12345; // xorshift32
const rand = (n) => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed % n;
};
const words = ['tok', 'row', 'group', 'piece', 'parquet', 'byte', 'range', 'Zürich', 'naïve', '日本語', 'emoji 🙂', 'tab\there', 'line\nbreak'];
const text = [];
for (let i = 0; i < 300; i++) {
  const k = rand(20);
  if (k === 0) {
    text.push(null);
  } else if (k === 1) {
    text.push('');
  } else {
    const n = k === 2 ? 300 + rand(200) : 1 + rand(30);
    const w = [];
    for (let j = 0; j < n; j++) w.push(words[rand(words.length)]);
    text.push(`${i}: ${w.join(' ')}`);
  }
}
process.stdout.write(JSON.stringify({ text }, null, 0) + '\n');
