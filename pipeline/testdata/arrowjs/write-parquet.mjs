// write-parquet.mjs writes a Parquet file with hyparquet-writer (a JavaScript
// Parquet implementation) for the corpora Parquet tests.
// Usage: node write-parquet.mjs IN.json OUT.parquet ROWGROUP
//   IN.json: {"text": [string or null, ...]}; the file gets an INT64 "id"
//   column (the row number) and a STRING "text" column, SNAPPY-compressed,
//   with ROWGROUP rows per row group. ROWGROUP may be a list "5,30,1": the
//   rows of the first row groups, the last one repeating.
import { readFileSync } from 'node:fs';
import { parquetWriteFile } from 'hyparquet-writer';

const [inPath, outPath, rowGroup] = process.argv.slice(2);
const { text } = JSON.parse(readFileSync(inPath, 'utf8'));
parquetWriteFile({
  filename: outPath,
  columnData: [
    { name: 'id', data: text.map((_, i) => BigInt(i)), type: 'INT64' },
    { name: 'text', data: text, type: 'STRING' },
  ],
  rowGroupSize: rowGroup.split(',').map(Number),
  pageSize: 4096,
});
