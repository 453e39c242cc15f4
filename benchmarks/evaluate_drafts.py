"""Draft every seed text and every corpus text, and score the drafts.

    python benchmarks/evaluate_drafts.py [--seeds DIR] [--input DIR] [--corpus DIR] [--form FORM] [-v]

Seeds: for each tests/fixtures/seeds/<id>.txt, ``matrix.draft.draft_file``
makes the draft, the draft is read back like any directive (unknown names kept), and
its (task id, agency id, role) triples are compared with input/<id>.yaml.

Corpus: for each tests/fixtures/corpus/<id>.txt that has a gold reading
<id>.gold.yaml, the draft's (task, addressee, role) triples are compared with
the gold reading (:func:`matrix.draft.evaluate.evaluate_gold`): a gold item
maps to the draft task whose own text holds its quote, addressees are equal
when the registry resolves both to one agency or their folded names are equal.

Prints precision, recall and F1 per document and pooled, and structure (task)
recall. With -v, lists every missing and extra triple.

With --form web|docx|pdf (or all), every text is first turned into that form
(:mod:`forms`: a web page copy, a Word document, a PDF printed by LibreOffice)
and the file of that form is drafted: the tables per form, then one pooled line
per form.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from forms import FORMS, write_form  # noqa: E402

from matrix.draft import draft_file, evaluate, load_draft  # noqa: E402
from matrix.draft.evaluate import Scores, score_text, total  # noqa: E402
from matrix.input.load import load_corpus  # noqa: E402


def score_seed(seed: Path, input_dir: Path, source: Path | None = None) -> Scores:
    """Draft one seed (or ``source``, the seed in another form) and score it against input/<same id>.yaml."""
    registry_path = input_dir / "co-quan.yaml"
    corpus = load_corpus([input_dir / f"{seed.stem}.yaml"], registry_path).require()
    draft = draft_file(source or seed, corpus.registry)
    return evaluate(load_draft(draft, registry_path), corpus.directive(seed.stem))


def _row(name: str, scores: Scores) -> str:
    return (
        f"{name:<42} {scores.precision:>9.3f} {scores.recall:>7.3f} {scores.f1:>7.3f}   "
        f"{scores.structure_recall:>6.3f} ({scores.tasks_found}/{scores.reference_tasks})"
    )


def _table(title: str, rows: list[tuple[str, Scores]], verbose: bool) -> Scores:
    print(f"{title:<42} {'precision':>9} {'recall':>7} {'F1':>7}   task recall")
    for name, scores in rows:
        print(_row(name, scores))
        if verbose:
            for triple in scores.missing:
                print(f"    missing {triple}")
            for triple in scores.extra:
                print(f"    extra   {triple}")
    pooled = total(s for _, s in rows)
    print(_row("overall (pooled)", pooled))
    return pooled


def score_form(form: str, seeds: list[Path], texts: list[Path], input_dir: Path, verbose: bool) -> dict[str, Scores]:
    """Print the seed and corpus tables for one form; the pooled scores of each table."""
    pooled: dict[str, Scores] = {}
    with tempfile.TemporaryDirectory() as folder:
        if seeds:
            made = [(p, write_form(p, form, Path(folder) / "seeds")) for p in seeds]
            rows = [(p.stem, score_seed(p, input_dir, f)) for p, f in made if f is not None]
            if rows:
                pooled["seed"] = _table(f"seed ({form})" if form != "clean" else "seed", rows, verbose)
        if texts:
            made = [(p, write_form(p, form, Path(folder) / "corpus")) for p in texts]
            rows = [(p.stem, score_text(p, f)) for p, f in made if f is not None]
            if rows:
                if pooled:
                    print()
                title = f"corpus document ({form})" if form != "clean" else "corpus document"
                pooled["corpus"] = _table(title, rows, verbose)
    if not pooled:
        print(f"{form}: LibreOffice (soffice) is not installed: no {form} made", file=sys.stderr)
    return pooled


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=ROOT / "tests" / "fixtures" / "seeds")
    parser.add_argument("--input", type=Path, default=ROOT / "input")
    parser.add_argument(
        "--corpus",
        type=Path,
        action="append",
        help="a folder of <id>.txt with <id>.gold.yaml (repeatable; default: both development sets)",
    )
    parser.add_argument("--only", help="score only the corpus documents whose id contains this")
    parser.add_argument(
        "--form", choices=(*FORMS, "all"), default="clean", help="draft the texts in this form (all: every form)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="list missing and extra triples")
    args = parser.parse_args(argv)
    seeds = sorted(p for p in args.seeds.glob("*.txt") if (args.input / f"{p.stem}.yaml").is_file())
    corpora = args.corpus or [ROOT / "tests" / "fixtures" / "corpus", ROOT / "tests" / "fixtures" / "corpus2"]
    texts = [
        p for folder in corpora for p in sorted(folder.glob("*.txt")) if p.with_name(f"{p.stem}.gold.yaml").is_file()
    ]
    if args.only:
        seeds, texts = [], [p for p in texts if args.only in p.stem]
    if not seeds and not texts:
        print(f"No seed with a reference encoding in {args.seeds} and no gold reading in {corpora}", file=sys.stderr)
        return 2
    forms = FORMS if args.form == "all" else (args.form,)
    summary: dict[str, dict[str, Scores]] = {}
    for i, form in enumerate(forms):
        if i:
            print()
        summary[form] = score_form(form, seeds, texts, args.input, args.verbose)
    if len(forms) > 1:
        print()
        print(f"{'form':<42} {'precision':>9} {'recall':>7} {'F1':>7}   task recall")
        for form, tables in summary.items():
            for table, scores in tables.items():
                print(_row(f"{form}: {table} (pooled)", scores))
    return 0


if __name__ == "__main__":
    sys.exit(main())
