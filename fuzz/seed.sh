#!/usr/bin/env bash
# Seeds the fuzz corpora from the project's fixtures and calamine's test workbooks.
set -euo pipefail
cd "$(dirname "$0")/.."
for ext in xlsx xls ods csv; do
  dir=fuzz/corpus/read_$ext
  mkdir -p "$dir"
  cp tests/fixtures/reader/*."$ext" tests/fixtures/hostile/*."$ext" "$dir"/ 2>/dev/null || true
  cp ../shared/corpora/calamine-tests/*."$ext" "$dir"/ 2>/dev/null || true
  find samples/returns -name "*.$ext" -exec cp {} "$dir"/ \; 2>/dev/null || true
done
ls fuzz/corpus/*/ | head -40
