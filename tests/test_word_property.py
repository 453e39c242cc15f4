"""Property: for random registries and directives, every letter read back holds exactly its agency's tasks."""

from __future__ import annotations

import dataclasses
import itertools
import tempfile
from pathlib import Path

from docx import Document
from hypothesis import given, settings

from matrix.core.model import Corpus, Task
from matrix.core.pivot import build_matrix
from matrix.writers.word import EXTRACTS_FOLDER, write_assignment_table, write_consolidated, write_letters

from .helpers.strategies import corpora
from .helpers.word import assert_letter_matches, paragraphs


def _unique_texts(corpus: Corpus) -> Corpus:
    """Prefix every task text with a unique token, so "not in another letter" is decidable."""
    counter = itertools.count(1)

    def fix(task: Task) -> Task:
        return dataclasses.replace(
            task, text=f"ND{next(counter):04d} {task.text}", tasks=tuple(fix(t) for t in task.tasks)
        )

    return dataclasses.replace(
        corpus,
        directives=tuple(dataclasses.replace(d, tasks=tuple(fix(t) for t in d.tasks)) for d in corpus.directives),
    )


@given(corpora())
@settings(max_examples=25, deadline=None)
def test_letters_and_table_hold_exactly_the_model(corpus):
    corpus = _unique_texts(corpus)
    for expand in (False, True):
        matrix = build_matrix(corpus, expand_groups=expand)
        with tempfile.TemporaryDirectory() as tmp:
            for view in [matrix.subset([d.id]) for d in corpus.directives]:
                paths = write_letters(view, Path(tmp) / "letters" / view.directives[0].id)
                assert sorted(p.stem for p in paths) == sorted(a.id for a in view.columns)
                for path in paths:
                    assert_letter_matches(view, path.stem, path)
            if len(corpus.directives) > 1:  # extracts per agency, and letters of issuers with several directives
                for path in write_consolidated(matrix, Path(tmp) / "all"):
                    shown = matrix if path.parent.name == EXTRACTS_FOLDER else None
                    if shown is not None:
                        assert_letter_matches(shown, path.stem, path)
            table = Path(tmp) / "table.docx"
            write_assignment_table(matrix, table)
            texts = "\n".join(paragraphs(Document(str(table))))
            for row in matrix.rows:
                assert texts.count(row.task.text.split("\n")[0].split(" ")[0]) == 1  # each task once, by its token
