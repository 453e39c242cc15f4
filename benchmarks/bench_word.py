"""Benchmark: letters for 150 agencies on a synthetic corpus (a script, not a test).

    python benchmarks/bench_word.py [--agencies 150] [--tasks 300] [--directives 1] [--repeat 2] [--one-by-one]

Prints letters per second and CPU milliseconds per letter (the process's CPU
time: on a busy machine it moves less than the wall clock), the time of the
assignment table, the process's peak resident memory, and (with
--trace-memory, which slows the run) the peak of Python allocations during
one run of the letters. ``--one-by-one`` asks for each letter by a call of its
own, as a build does (``agencies=[id]``).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
import tracemalloc
from pathlib import Path

from matrix.core.pivot import build_matrix
from matrix.input.synthetic import make_corpus
from matrix.writers.word import letter_count, write_assignment_table, write_consolidated, write_letters


def _write(matrix, out: Path, one_by_one: bool = False) -> list[Path]:
    """Letters of one directive; extracts and per-issuer letters of several (one call per agency: as a build)."""
    writer = write_letters if len(matrix.directives) == 1 else write_consolidated
    if not one_by_one:
        return writer(matrix, out)
    return [path for agency in matrix.columns for path in writer(matrix, out, agencies=[agency.id])]


def bench_letters(matrix, out: Path, one_by_one: bool = False) -> tuple[int, float, float]:
    """(letters, seconds, CPU seconds) for one run of the letter writer."""
    started, cpu = time.perf_counter(), time.process_time()
    paths = _write(matrix, out, one_by_one)
    return len(paths), time.perf_counter() - started, time.process_time() - cpu


def traced_peak(matrix, out: Path) -> int:
    """Peak bytes of Python allocations during one run of write_letters."""
    tracemalloc.start()
    _write(matrix, out)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=150)
    parser.add_argument("--tasks", type=int, default=300, help="enough for every agency to get a letter")
    parser.add_argument("--directives", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--trace-memory", action="store_true", help="also measure Python allocations (slow)")
    parser.add_argument("--expand", action="store_true", help="expand groups into their members")
    parser.add_argument("--one-by-one", action="store_true", help="one call per letter, as a build writes them")
    args = parser.parse_args()

    corpus = make_corpus(args.agencies, args.tasks, args.directives, seed=1)
    matrix = build_matrix(corpus, expand_groups=args.expand)
    print(
        f"corpus: {len(corpus.directives)} directive(s), {len(matrix.rows)} tasks, "
        f"{len(matrix.entries)} assignments, {letter_count(matrix)} letters"
    )
    with tempfile.TemporaryDirectory(prefix="bench-word-") as tmp:
        for run in range(1, args.repeat + 1):
            count, elapsed, cpu = bench_letters(matrix, Path(tmp) / f"run{run}", args.one_by_one)
            print(
                f"run {run}: {count} letters in {elapsed:.2f} s = {count / elapsed:.1f} letters/s, "
                f"{cpu / count * 1000:.2f} ms CPU per letter"
            )
        started = time.perf_counter()
        write_assignment_table(matrix, Path(tmp) / "bang-phan-cong.docx")
        print(f"assignment table ({len(matrix.rows)} rows): {time.perf_counter() - started:.2f} s")
        print(
            f"peak resident memory of the process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
        )
        if args.trace_memory:
            print(
                f"peak Python allocations during the letters: {traced_peak(matrix, Path(tmp) / 'traced') / 2**20:.1f} MiB"
            )


if __name__ == "__main__":
    main()
