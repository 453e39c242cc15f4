"""Time `matrix import` of a large filled "Theo dõi" sheet (issue 22: 20,000 rows in under 10 s).

    python benchmarks/bench_import.py                 # 20,000 rows on the seed directives
    python benchmarks/bench_import.py --rows 50000 --input input

Copies the input folder to a temporary one, writes a workbook whose "Theo dõi" sheet holds the seed matrix's
form rows repeated with distinct report numbers, then runs `matrix import` in a new process and prints its wall
time and CPU time (on a loaded machine the CPU time is the figure to compare), its peak memory (ru_maxrss of the
child) and how many records the records files hold after it. ``--one`` puts every row on one directive (one
records file of ``--rows`` reports).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook

from matrix.core.pivot import build_matrix
from matrix.input.load import load_corpus
from matrix.tracking.records import load_records
from matrix.writers.tracking_sheet import FIRST_INPUT, KEY_COL, write_tracking_sheet

ROOT = Path(__file__).resolve().parents[1]


def write_book(path: Path, input_dir: Path, rows: int, one: bool = False) -> None:
    """The seed matrix's "Theo dõi" form, its rows repeated until there are ``rows`` distinct filled ones."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    write_tracking_sheet(sheet, build_matrix(load_corpus([input_dir]).require()))
    form = [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
    if one:  # the rows of the first directive only
        first = str(form[0][KEY_COL - 1]).split("|")[0]
        form = [r for r in form if str(r[KEY_COL - 1]).startswith(first + "|")]
    sheet.delete_rows(2, sheet.max_row)
    for n in range(rows):
        values = list(form[n % len(form)])
        values[FIRST_INPUT - 1 : FIRST_INPUT + 3] = [dt.datetime(2025, 6, 28), f"{n + 1}/BC", "Đang thực hiện", "x"]
        sheet.append(values)
    book.save(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--input", type=Path, default=ROOT / "tests" / "fixtures" / "input")
    parser.add_argument("--one", action="store_true", help="every row on one directive (one records file)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "input"
        shutil.copytree(args.input, folder, ignore=shutil.ignore_patterns("theo-doi"))
        book = Path(tmp) / "so.xlsx"
        start = time.perf_counter()
        write_book(book, folder, args.rows, args.one)
        print(
            f"workbook: {args.rows:,} rows, {book.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - start:.1f} s"
        )
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "matrix", "import", str(book), "-i", str(folder)],
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - start
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak, cpu = usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime
        if done.returncode != 0:
            print(done.stdout[-2000:], done.stderr[-2000:], sep="\n")
            return 1
        records = load_records(folder, load_corpus([folder]).require())
        load = os.getloadavg()[0]
        print(
            f"matrix import: {wall:.1f} s wall, {cpu:.1f} s CPU (load average {load:.1f}), peak {peak:.0f} MB; "
            f"{len(records):,} records on file"
        )
        print(done.stdout.strip().splitlines()[-1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
