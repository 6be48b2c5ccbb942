"""Benchmark baseline: the pandas pipeline of pipeline_common.py, reading workbooks with python-calamine.

Not part of huizong; it stands for what a user would write instead.
Usage: python3 bench/pipeline_calamine.py WORKSPACE OUTDIR
"""

import sys

from python_calamine import CalamineWorkbook

from pipeline_common import run


def read_rows(path):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


if __name__ == "__main__":
    run(sys.argv[1], sys.argv[2], read_rows)
