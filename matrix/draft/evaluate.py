"""Score a draft against a hand encoding: (task id, agency id, role) triples.

Only the assignments stated at each task count (what the YAML says there),
so an addressee put on the parent instead of the sub-task is both a miss and
an extra. Names missing from the registry get placeholder ids when a draft
is loaded and never match.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.model import Assignment, Corpus, Directive
from ..input.load import is_unresolved

if TYPE_CHECKING:
    from ..core.model import Registry
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

    def __add__(self, other: Scores) -> Scores:
        return Scores(
            self.true_positives + other.true_positives,
            self.false_positives + other.false_positives,
            self.false_negatives + other.false_negatives,
            self.reference_tasks + other.reference_tasks,
            self.tasks_found + other.tasks_found,
            self.missing + other.missing,
            self.extra + other.extra,
        )


def triples(directive: Directive) -> set[Triple]:
    """(task id, agency id, role) for every assignment stated in the directive.

    The agency id without its province ("cong-an-tinh" for "hung-yen-cong-an-tinh"): a text that does not name
    its province is drafted with the bodies of a province not named, the reference with its province's.
    """
    return {(task.id, _body(a.agency), a.role.value) for task, _ in directive.walk() for a in task.assignments}


def _body(agency_id: str) -> str:
    from ..input.catalogue import unscoped

    return unscoped(agency_id)


def evaluate(draft: Corpus | Directive, reference: Directive) -> Scores:
    """Compare a drafted directive (or the corpus holding it) with the reference encoding."""
    directive = _pick(draft, reference.id)
    got, want = triples(directive), triples(reference)
    draft_ids = {task.id for task, _ in directive.walk()}
    reference_ids = [task.id for task, _ in reference.walk()]
    return Scores(
        true_positives=len(got & want),
        false_positives=len(got - want),
        false_negatives=len(want - got),
        reference_tasks=len(reference_ids),
        tasks_found=sum(1 for i in reference_ids if i in draft_ids),
        missing=tuple(sorted(want - got)),
        extra=tuple(sorted(got - want)),
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


def load_draft(draft: Draft, registry_path: Path) -> Corpus:
    """The draft read back as the loader reads any directive (unknown names kept, :attr:`Unknown.KEEP`)."""
    from ..input.load import Unknown, load_corpus

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{draft.id}.yaml"
        path.write_text(draft.yaml, encoding="utf-8")
        return load_corpus([path], registry_path, Unknown.KEEP).require()


def total(scores: Iterable[Scores]) -> Scores:
    """All scores pooled (micro-average)."""
    out = Scores()
    for score in scores:
        out = out + score
    return out


# --------------------------------------------------------------------------- gold readings of real texts
#
# A gold reading (tests/fixtures/corpus/<id>.gold.yaml) lists items by a quote
# from the start of their own text and the roles their own text states.  A
# gold item maps to the draft task whose own text contains the quote; names
# are the same addressee when the registry resolves both to one agency, or
# when their folded written forms are equal.


@dataclass(frozen=True)
class GoldItem:
    label: str
    quote: str
    assign: tuple[tuple[str, str], ...]  # (role, name)


@dataclass(frozen=True)
class Gold:
    document: str
    province: str | None
    kind: str | None
    issuer_kind: str | None
    items: tuple[GoldItem, ...]


def read_gold(path: Path) -> Gold:
    """A gold reading file (see tests/fixtures/corpus/SOURCES.md)."""
    import yaml

    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    items = []
    for raw in data.get("tasks") or []:
        pairs = tuple(
            (str(role), str(name)) for role, names in (raw.get("assign") or {}).items() for name in (names or [])
        )
        items.append(GoldItem(str(raw.get("label", "")), str(raw.get("quote", "")), pairs))
    return Gold(
        str(data.get("document", Path(path).stem)),
        data.get("province"),
        data.get("kind"),
        data.get("issuer_kind"),
        tuple(items),
    )


def fold(text: str) -> str:
    """Punctuation- and space-insensitive form of a text, for finding a quote in a task."""
    import re

    from ..core.text import match_key

    words = re.sub(r"[^\w]+", " ", text).replace("_", " ")  # punctuation out first: tone marks stay on their word
    return "".join(ch for ch in match_key(words) if not ch.isspace())


class Names:
    """Identity of addressee names in one document: the agency id, else the folded written name.

    A gold name is looked up with the registry's own lookup (the one the loader uses, on the document's date);
    a drafted name is the agency id the draft chose, so nothing the drafter's reader would guess again counts.
    """

    def __init__(self, registry: Registry | None, province: str | None, on: dt.date | None = None) -> None:
        self.registry = registry
        self.province = province if registry is not None and province in registry.provinces else None
        self.on = on

    def key(self, name: str) -> str:
        """A gold name: ``id:<agency>`` when the registry resolves it to one body, else ``name:<folded>``."""
        if self.registry is not None:
            found = self.registry.lookup(name, self.province, self.on)
            agency = found.agency
            if agency is None and len(found.found) + len(found.defunct) == 1:
                agency = (found.found + found.defunct)[0]
            if agency is not None and not is_unresolved(agency):
                return "id:" + agency.id
        return "name:" + fold(name)

    def chosen(self, assignment: Assignment) -> str:
        """A drafted assignment: the agency id the draft chose, or the folded name it kept unresolved."""
        registry = self.registry
        if (
            registry is not None
            and assignment.agency in registry
            and not is_unresolved(registry.get(assignment.agency))
        ):
            return "id:" + assignment.agency
        return "name:" + fold(assignment.written)


def evaluate_gold(directive: Directive, gold: Gold, registry: Registry | None) -> Scores:
    """Score a drafted directive against a gold reading: (gold item, addressee, role) triples.

    ``registry`` is the one the draft was made with (``Draft.registry``). A gold item maps to the draft task
    whose own text starts with its quote (a quote found only inside another task's text is a miss).
    """
    names = Names(registry, gold.province, directive.on)
    tasks = [task for task, _ in directive.walk()]
    folded = [fold(task.text) for task in tasks]
    mapped: dict[int, list[int]] = {}  # draft task index -> gold item indices
    target: dict[int, int] = {}  # gold item index -> draft task index
    taken: set[int] = set()
    for g, item in enumerate(gold.items):
        quote = fold(item.quote)
        # among the tasks the quote starts (a quote that repeats), the one whose addressees agree most
        candidates = [t for t, text in enumerate(folded) if quote and text.startswith(quote) and t not in taken]
        wanted = {(names.key(name), role) for role, name in item.assign}
        hit = max(
            candidates,
            default=None,
            key=lambda t: (len(wanted & {(names.chosen(a), a.role.value) for a in tasks[t].assignments}), -t),
        )
        if hit is not None:
            taken.add(hit)
            target[g] = hit
            mapped.setdefault(hit, []).append(g)
    want = {(g, names.key(name), role) for g, item in enumerate(gold.items) for role, name in item.assign}
    got: set[tuple[int, str, str]] = set()
    extra: list[Triple] = []
    for t, task in enumerate(tasks):
        for assignment in task.assignments:
            key, role = names.chosen(assignment), assignment.role.value
            hits = [g for g in mapped.get(t, []) if (g, key, role) in want]
            if hits:
                got.update((g, key, role) for g in hits)
            else:
                extra.append((task.id, assignment.written, role))
    found = {w for w in want if w in got}
    missing = tuple(sorted((gold.items[g].label, name, role) for g, name, role in want - found))
    return Scores(
        true_positives=len(found),
        false_positives=len(extra),
        false_negatives=len(want) - len(found),
        reference_tasks=len(gold.items),
        tasks_found=len(target),
        missing=missing,
        extra=tuple(sorted(extra)),
    )


def score_text(text: Path, source: Path | None = None) -> Scores:
    """Draft a development text (or ``source``, the same text in another form) as ``matrix draft`` does with
    the file alone in a folder (no co-quan.yaml: the standard catalogue of the text's province and the central
    bodies), and score it against ``<text stem>.gold.yaml`` beside it with the registry the draft was made with."""
    from ..input.load import draft_registry
    from . import draft_file

    text = Path(text).resolve()
    gold = read_gold(text.with_name(f"{text.stem}.gold.yaml"))
    path = Path(source or text).resolve()
    with tempfile.TemporaryDirectory() as folder, _inside(Path(folder)):  # no input/ of the current folder
        alone = Path(folder) / path.name
        alone.write_bytes(path.read_bytes())
        registry, _ = draft_registry(alone, None)
        draft = draft_file(alone, registry)
    assert draft.directive is not None
    return evaluate_gold(draft.directive, gold, draft.registry)


@contextlib.contextmanager
def _inside(folder: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)
