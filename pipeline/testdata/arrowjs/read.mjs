// read.mjs prints every document of tok shards, read with apache-arrow
// (the JavaScript implementation of Arrow), one line per document:
//   <num_bytes> <id> <id> ...
// Usage: node read.mjs SHARD.arrow...  (Arrow IPC stream files, in order)
import { readFileSync } from 'node:fs';
import { RecordBatchReader } from 'apache-arrow';

const out = [];
for (const path of process.argv.slice(2)) {
  const reader = RecordBatchReader.from(readFileSync(path));
  reader.open();
  const fields = reader.schema.fields.map((f) => `${f.name}:${f.type}`);
  if (fields[0] !== 'input_ids:List<Int32>' || fields[1] !== 'num_bytes:Int64') {
    console.error(`${path}: unexpected schema ${fields.join(', ')}`);
    process.exit(1);
  }
  for (const batch of reader) {
    const ids = batch.getChild('input_ids');
    const nb = batch.getChild('num_bytes');
    for (let i = 0; i < batch.numRows; i++) {
      out.push(`${nb.get(i)} ${Array.from(ids.get(i).toArray()).join(' ')}`.trimEnd());
    }
  }
}
process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
