#!/usr/bin/env bash
# Regenerates texts.json and rowgroups.parquet (see README.md). Needs node
# and the npm packages of pipeline/testdata/arrowjs (npm ci --prefix
# pipeline/testdata/arrowjs, or .ci/install-test-deps).
set -euo pipefail
cd "$(dirname "$0")"
node make-texts.mjs > texts.json
# Row groups of 1, 17, 40, 3, 60, 25, 2, 90 rows, then 31 each.
node ../../../pipeline/testdata/arrowjs/write-parquet.mjs texts.json rowgroups.parquet 1,17,40,3,60,25,2,90,31
