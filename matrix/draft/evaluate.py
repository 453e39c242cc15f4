"""Score a draft against a hand encoding: (task id, agency id, role) triples.

Only the assignments stated at each task count (what the YAML says there),
so an addressee put on the parent instead of the sub-task is both a miss and
an extra. Names missing from the registry get placeholder ids when a draft
is loaded and never match.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from ..model import Corpus, Directive

if TYPE_CHECKING:
    from . import Draft

Triple = tuple[str, str, str]


@dataclass(frozen=True)
class Scores:
    """Counts behind precision, recall, F1 and structure recall; add Scores to pool them."""

    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    reference_tasks: int = 0
    tasks_found: int = 0
    missing: tuple[Triple, ...] = ()
    extra: tuple[Triple, ...] = ()

    @property
    def precision(self) -> float:
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else float(self.false_negatives == 0)

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def structure_recall(self) -> float:
        """The share of the reference's task ids that the draft has."""
        return self.tasks_found / self.reference_tasks if self.reference_tasks else 1.0

    def __add__(self, other: "Scores") -> "Scores":
        return Scores(self.true_positives + other.true_positives, self.false_positives + other.false_positives,
                      self.false_negatives + other.false_negatives, self.reference_tasks + other.reference_tasks,
                      self.tasks_found + other.tasks_found, self.missing + other.missing, self.extra + other.extra)


def triples(directive: Directive) -> set[Triple]:
    """(task id, agency id, role) for every assignment stated in the directive."""
    return {(task.id, a.agency, a.role.value) for task, _ in directive.walk() for a in task.assignments}


def evaluate(draft: Corpus | Directive, reference: Directive) -> Scores:
    """Compare a drafted directive (or the corpus holding it) with the reference encoding."""
    directive = _pick(draft, reference.id)
    got, want = triples(directive), triples(reference)
    draft_ids = {task.id for task, _ in directive.walk()}
    reference_ids = [task.id for task, _ in reference.walk()]
    return Scores(
        true_positives=len(got & want), false_positives=len(got - want), false_negatives=len(want - got),
        reference_tasks=len(reference_ids), tasks_found=sum(1 for i in reference_ids if i in draft_ids),
        missing=tuple(sorted(want - got)), extra=tuple(sorted(got - want)),
    )


def _pick(draft: Corpus | Directive, directive_id: str) -> Directive:
    if isinstance(draft, Directive):
        return draft
    for directive in draft.directives:
        if directive.id == directive_id:
            return directive
    if len(draft.directives) == 1:
        return draft.directives[0]
    raise KeyError(directive_id)


def load_draft(draft: "Draft", registry_path: Path) -> Corpus:
    """The draft read back as the loader reads any directive (leniently: unknown names kept)."""
    from ..load import load_corpus

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{draft.id}.yaml"
        path.write_text(draft.yaml, encoding="utf-8")
        return load_corpus([path], registry_path, lenient=True).require()


def total(scores: Iterable[Scores]) -> Scores:
    """All scores pooled (micro-average)."""
    out = Scores()
    for score in scores:
        out = out + score
    return out
