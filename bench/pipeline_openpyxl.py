"""Benchmark baseline: the pandas pipeline of pipeline_common.py, reading workbooks with openpyxl (read-only mode).

Not part of huizong; it stands for what a user would write instead.
Usage: python3 bench/pipeline_openpyxl.py WORKSPACE OUTDIR
"""

import sys

from openpyxl import load_workbook

from pipeline_common import run


def read_rows(path):
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        return list(wb.worksheets[0].iter_rows(values_only=True))
    finally:
        wb.close()


if __name__ == "__main__":
    run(sys.argv[1], sys.argv[2], read_rows)
