"""Time the Excel writer on a large synthetic consolidated workbook.

    python benchmarks/bench_excel.py                      # 150 agencies x 2,000 tasks
    python benchmarks/bench_excel.py --agencies 40 --tasks 300 --directives 3 --expand

Prints the wall time of building the matrix and of writing the workbook, the
workbook's size, the time XlsxWriter takes to write the same grid (the anchor of
benchmarks/xlsx_anchor.py: every cell, look, width, height and merge of the workbook
read back) and the ratio of the two (issue 23: at most 2), and the peak memory of the process (ru_maxrss) and of Python
allocations while writing (tracemalloc, only with --tracemalloc: it slows
everything down about twofold).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from matrix.core.pivot import build_matrix
from matrix.input.synthetic import make_corpus
from matrix.writers.excel import write_workbook

sys.path.insert(0, str(Path(__file__).resolve().parent))
from xlsx_anchor import grid_of, write_with_xlsxwriter


def _timed(run: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds of ``run()``."""
    start, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - start, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=150)
    parser.add_argument("--tasks", type=int, default=2000)
    parser.add_argument("--directives", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--expand", action="store_true", help="expand groups into their members")
    parser.add_argument("--paper", choices=("A4", "A3"), default="A3")
    parser.add_argument("--tracemalloc", action="store_true", help="also measure Python allocations")
    parser.add_argument("--repeat", type=int, default=3, help="alternating runs of both writers (best counts)")
    parser.add_argument("--no-anchor", action="store_true", help="skip the XlsxWriter anchor")
    parser.add_argument("--out", type=Path, help="keep the workbook here (default: a temporary file)")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    corpus = make_corpus(args.agencies, args.tasks, args.directives, args.seed)
    matrix = build_matrix(corpus, args.expand)
    built = time.perf_counter()
    print(
        f"matrix: {len(matrix.rows)} rows x {len(matrix.columns)} columns, "
        f"{len(matrix.entries)} entries, built in {built - start:.2f} s"
    )

    with tempfile.TemporaryDirectory() as tmp:
        path = args.out or Path(tmp) / "bench.xlsx"
        if args.tracemalloc:
            tracemalloc.start()
        title = "Tổng hợp phân công nhiệm vụ (dữ liệu mẫu)"
        ours = _timed(lambda: write_workbook(matrix, path, title=title, paper=args.paper))
        print(f"write_workbook: {ours[0]:.2f} s ({ours[1]:.2f} s CPU), {path.stat().st_size / 1e6:.1f} MB")
        if args.tracemalloc:
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(f"peak Python allocations while writing: {peak / 1e6:.0f} MB")
        if not args.no_anchor:
            grid = grid_of(path)
            cells = sum(len(sheet.cells) for sheet in grid)
            anchor = _timed(lambda: write_with_xlsxwriter(grid, Path(tmp) / "anchor.xlsx"))
            runs = [(ours, anchor)]
            for _ in range(args.repeat - 1):  # alternate, so both meet the same load
                runs.append(
                    (
                        _timed(lambda: write_workbook(matrix, path, title=title, paper=args.paper)),
                        _timed(lambda: write_with_xlsxwriter(grid, Path(tmp) / "anchor.xlsx")),
                    )
                )
            best = [min(r[0][i] for r in runs) for i in (0, 1)]
            best_anchor = [min(r[1][i] for r in runs) for i in (0, 1)]
            # On a shared machine the best of a few alternating runs, and CPU time, are the steadier figures.
            print(
                f"XlsxWriter, the same grid ({cells} cells): {best_anchor[0]:.2f} s ({best_anchor[1]:.2f} s CPU); "
                f"best of {len(runs)}: matrix {best[0]:.2f} s ({best[1]:.2f} s CPU); "
                f"ratio {best[0] / best_anchor[0]:.1f} (CPU {best[1] / best_anchor[1]:.1f})"
            )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    scale = 1 if sys.platform == "darwin" else 1024
    print(f"peak resident memory: {rss * scale / 1e6:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
