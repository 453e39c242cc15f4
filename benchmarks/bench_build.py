"""Scale benchmark: a synthetic province through validate, Excel, Word and the whole build.

Not a test: it prints time and peak memory (each stage runs in its own
process, so the peak is that stage's alone). Defaults follow the target:
300 directives, 6,000 tasks, 150 agencies of which 100 are communes.
The stage ``rebuild`` times what a clerk does most, each a `matrix build`
command into one output folder: a full build, the build after editing one
task of one directive (``edit-one``), and a build with nothing changed
(``unchanged``).

    python benchmarks/bench_build.py                 # the full size
    python benchmarks/bench_build.py --stages rebuild
    python benchmarks/bench_build.py --scales 1 2 5 10 --base-directives 30
    python benchmarks/bench_build.py --seeds         # the five shipped seeds, and `matrix --help`
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing as mp
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def write_inputs(folder: Path, directives: int, tasks: int, agencies: int, communes: int) -> None:
    from matrix.input.dump import dump_directive, dump_registry
    from matrix.input.synthetic import make_corpus

    corpus = make_corpus(agencies, tasks, directives, seed=1, n_communes=communes)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "co-quan.yaml").write_text(dump_registry(corpus.registry), encoding="utf-8")
    for directive in corpus.directives:
        (folder / f"{directive.id}.yaml").write_text(dump_directive(directive, corpus.registry), encoding="utf-8")


def _stage(name: str, inputs: str, out: str, queue: mp.Queue) -> None:
    from matrix.core.pivot import build_matrix
    from matrix.input.load import load_corpus

    start = time.perf_counter()
    corpus = load_corpus([Path(inputs)]).require()
    if name == "excel":
        from matrix.writers.excel import write_workbook

        start = time.perf_counter()
        matrix = build_matrix(corpus)
        write_workbook(matrix, Path(out) / "ma-tran.xlsx", title="Tổng hợp")
        for directive in corpus.directives:
            write_workbook(matrix.subset([directive.id]), Path(out) / f"{directive.id}.xlsx", title=directive.title)
    elif name == "word":
        from matrix.writers.word import write_consolidated, write_letters

        start = time.perf_counter()
        matrix = build_matrix(corpus)
        count = len(write_consolidated(matrix, Path(out) / "tong-hop"))
        for directive in corpus.directives:
            count += len(write_letters(matrix.subset([directive.id]), Path(out) / directive.id))
        queue.put(("letters", count))
    elif name == "build":  # exactly what a clerk runs: the command, loading included
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "matrix", "build", inputs, "-o", out],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        queue.put(("letters", float(done.stdout.split(" thư giao")[0].rsplit(" ", 1)[-1])))
    elapsed = time.perf_counter() - start
    queue.put(("tasks", sum(1 for d in corpus.directives for _ in d.walk())))
    queue.put(("seconds", elapsed))
    # the stage's own process, or the largest of its worker processes (the build forks workers)
    peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    queue.put(("peak_mb", peak / 1024))


def _timed_build(inputs: Path, out: Path) -> tuple[float, float, str, tuple[float, float]]:
    """One `matrix build` command: seconds, peak memory (MB) of its largest process, what it printed, and the CPU
    seconds (user, system) of the command and the processes it waited for (its workers)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "matrix", "build", str(inputs), "-o", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
    )
    assert process.stdout is not None
    printed = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"matrix build failed ({process.returncode})")
    return elapsed, usage.ru_maxrss / 1024, printed, (usage.ru_utime, usage.ru_stime)


def settle() -> None:
    """Write out what the earlier steps left for the disk, before a step is timed.

    A full build writes 640 MB in 14,000 files, which the kernel writes out some 30 s later: without this the
    next step would also pay for that writing. The writing out of a build's own files after it ends is not part
    of its time, as for the clerk.

    What this cannot undo: on an ext4 file system without a journal (this project's 2-core VM), each new file or
    folder skips the free inodes deleted in the last minute, or in the last six while their inode table block is
    unwritten (``find_inode_bit`` / ``recently_deleted`` in the kernel's ``fs/ext4/ialloc.c``), looking each of
    them over. With tens of thousands just deleted, making a file takes 0.3-0.65 ms instead of 0.02 ms (measured:
    14,100 empty files in 300 folders, 8-9 s of system time two minutes after such a deletion, 0.2 s seven
    minutes after), so a full build started within minutes of one (the clean-up of this script's last run, or
    the old tree a build removes after its switch) takes 4-8 s longer. For a series of runs, give each its own
    ``--work`` folder, start each at least seven minutes after the last, and delete the folders after the
    series."""
    if hasattr(os, "sync"):
        os.sync()


def edit_one_task(folder: Path) -> None:
    """Change the text of the first task of one directive, as a clerk correcting a word would."""
    path = sorted(folder.glob("van-ban-2.yaml")) or sorted(p for p in folder.glob("*.yaml") if p.name != "co-quan.yaml")
    text = path[0].read_text(encoding="utf-8")
    path[0].write_text(text.replace("    text: |-\n      ", "    text: |-\n      Sửa: ", 1), encoding="utf-8")


def rebuild(label: str, inputs: Path, work: Path) -> None:
    """Full build, then one task edited, then nothing changed: three commands into one output folder."""
    private = work / "rebuild-input"
    shutil.rmtree(private, ignore_errors=True)
    shutil.copytree(inputs, private)
    out = work / "rebuild-output"
    shutil.rmtree(out, ignore_errors=True)
    tasks = sum(
        1 for p in private.glob("*.yaml") for line in p.open(encoding="utf-8") if line.lstrip().startswith("- id:")
    )
    for step in ("build", "edit-one", "unchanged"):
        if step == "edit-one":
            edit_one_task(private)
        settle()
        seconds, peak, printed, (user, system) = _timed_build(private, out)
        reused = printed.split("Trong đó ")[1].split(" ")[0] if "Trong đó " in printed else "0"
        print(
            f"{label:>8}  {step:<9} {seconds:7.2f} s  peak {peak:6.0f} MB  {tasks:6d} tasks  "
            f"{1000 * seconds / tasks:6.2f} ms/task, {reused} files reused, CPU {user:.1f} s user {system:.1f} s system",
            flush=True,
        )


def run_stage(name: str, inputs: Path, out: Path) -> dict[str, float]:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    settle()
    queue: mp.Queue = mp.get_context("spawn").Queue()
    process = mp.get_context("spawn").Process(target=_stage, args=(name, str(inputs), str(out), queue))
    process.start()
    process.join()
    if process.exitcode != 0:
        raise SystemExit(f"stage {name} failed ({process.exitcode})")
    result: dict[str, float] = {}
    while not queue.empty():
        key, value = queue.get()
        result[key] = value
    return result


def report(label: str, stages: list[str], inputs: Path, work: Path) -> None:
    for stage in stages:
        if stage == "rebuild":
            rebuild(label, inputs, work)
            continue
        r = run_stage(stage, inputs, work / stage)
        extra = f", {int(r['letters'])} letters ({r['letters'] / r['seconds']:.0f}/s)" if "letters" in r else ""
        print(
            f"{label:>8}  {stage:<9} {r['seconds']:7.2f} s  peak {r['peak_mb']:6.0f} MB  "
            f"{r['tasks']:6.0f} tasks  {1000 * r['seconds'] / r['tasks']:6.2f} ms/task{extra}",
            flush=True,
        )


def seeds() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        report("seeds", ["validate", "build"], ROOT / "input", Path(tmp))
    times = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "matrix", "--help"], check=True, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
    print(f"matrix --help: best {min(times):.3f} s, median {sorted(times)[2]:.3f} s (includes interpreter start)")


def compile_modules() -> None:
    """Write matrix's compiled modules (``__pycache__``) before anything is timed, as a clerk's first run does.

    Python writes them on a module's first import, unless ``PYTHONDONTWRITEBYTECODE`` is set (as on this
    project's VM): then every command would compile its 40 or so modules again, 0.1-0.2 s the clerk's Python
    spends once. An edited module is compiled again when imported (the compiled copy names its source's time
    and size), so a stale copy is never used."""
    import compileall

    for package in ("matrix", "templates"):
        compileall.compile_dir(ROOT / package, quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--directives", type=int, default=300)
    parser.add_argument("--tasks", type=int, default=6000)
    parser.add_argument("--agencies", type=int, default=150)
    parser.add_argument("--communes", type=int, default=100)
    parser.add_argument("--scales", type=int, nargs="*", help="run these multiples of --base-* instead of one size")
    parser.add_argument("--base-directives", type=int, default=30)
    parser.add_argument("--stages", nargs="*", default=["validate", "excel", "word", "build", "rebuild"])
    parser.add_argument("--seeds", action="store_true", help="time the shipped seeds and `matrix --help` only")
    parser.add_argument(
        "--work",
        type=Path,
        help="a new folder for the inputs and outputs, kept after the run (default: a temporary folder, deleted); "
        "for a series of runs, so that no run starts right after the deletion of the last one's files (see settle)",
    )
    args = parser.parse_args()
    compile_modules()
    if args.seeds:
        seeds()
        return
    with contextlib.ExitStack() as stack:
        if args.work is not None:
            args.work.mkdir(parents=True)
            work = args.work
        else:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        sizes = [(s, args.base_directives * s) for s in args.scales] if args.scales else [(1, args.directives)]
        for scale, directives in sizes:
            tasks = directives * args.tasks // args.directives
            inputs = work / f"input-{scale}"
            write_inputs(inputs, directives, tasks, args.agencies, args.communes)
            report(f"{scale}x" if args.scales else "full", args.stages, inputs, work)


if __name__ == "__main__":
    main()
