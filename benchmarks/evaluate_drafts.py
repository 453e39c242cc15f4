"""Draft every seed text and score it against its hand encoding in input/.

    python benchmarks/evaluate_drafts.py [--seeds DIR] [--input DIR] [-v]

For each tests/fixtures/seeds/<id>.txt: ``matrix.draft.draft_file`` makes the
draft, the draft is read back like any directive (leniently), and its
(task id, agency id, role) triples are compared with input/<id>.yaml.
Prints precision, recall and F1 per seed and pooled over all seeds, and,
separately, structure recall (the share of reference task ids the draft
has). With -v, lists every missing and extra triple.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from matrix.draft import draft_file, evaluate, load_draft  # noqa: E402
from matrix.draft.evaluate import Scores, total  # noqa: E402
from matrix.load import load_corpus  # noqa: E402


def score_seed(seed: Path, input_dir: Path) -> Scores:
    """Draft one seed and score it against input/<same id>.yaml."""
    registry_path = input_dir / "co-quan.yaml"
    corpus = load_corpus([input_dir / f"{seed.stem}.yaml"], registry_path).require()
    draft = draft_file(seed, corpus.registry)
    return evaluate(load_draft(draft, registry_path), corpus.directive(seed.stem))


def _row(name: str, scores: Scores) -> str:
    return (f"{name:<42} {scores.precision:>9.3f} {scores.recall:>7.3f} {scores.f1:>7.3f}   "
            f"{scores.structure_recall:>6.3f} ({scores.tasks_found}/{scores.reference_tasks})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=ROOT / "tests" / "fixtures" / "seeds")
    parser.add_argument("--input", type=Path, default=ROOT / "input")
    parser.add_argument("-v", "--verbose", action="store_true", help="list missing and extra triples")
    args = parser.parse_args(argv)
    seeds = sorted(p for p in args.seeds.glob("*.txt") if (args.input / f"{p.stem}.yaml").is_file())
    if not seeds:
        print(f"No seed with a reference encoding in {args.seeds}", file=sys.stderr)
        return 2
    print(f"{'seed':<42} {'precision':>9} {'recall':>7} {'F1':>7}   structure recall")
    all_scores = []
    for seed in seeds:
        scores = score_seed(seed, args.input)
        all_scores.append(scores)
        print(_row(seed.stem, scores))
        if args.verbose:
            for triple in scores.missing:
                print(f"    missing {triple}")
            for triple in scores.extra:
                print(f"    extra   {triple}")
    print(_row("overall (pooled)", total(all_scores)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
