// jsonl-to-parquet.mjs turns a JSON Lines corpus into a Parquet file with
// hyparquet-writer, the way public corpora ship (a "text" column,
// SNAPPY-compressed, row groups of ROWS rows), for scripts/bench-pipeline.sh.
// Usage: node jsonl-to-parquet.mjs IN.jsonl OUT.parquet [ROWS]
// The whole input is held in memory: meant for the benchmark's 100 MB.
import { readFileSync } from 'node:fs';
import { parquetWriteFile } from 'hyparquet-writer';

const [inPath, outPath, rows = '1000'] = process.argv.slice(2);
const text = readFileSync(inPath, 'utf8').split('\n').filter((l) => l.length).map((l) => JSON.parse(l).text);
parquetWriteFile({
  filename: outPath,
  columnData: [{ name: 'text', data: text, type: 'STRING' }],
  rowGroupSize: Number(rows),
});
