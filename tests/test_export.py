"""The exports' own writers give the text of the standard library's (json.dumps with an indent, csv.writer)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from matrix.core.model import Corpus, Task
from matrix.core.pivot import build_matrix
from matrix.writers.export import csv_rows, neutralise, to_csv, to_data, to_json

from .helpers.strategies import corpora

# Texts with every character CSV quoting or a spreadsheet cares about.
AWKWARD = st.text(st.sampled_from(list("ab ,;\t\"'\n\r=+-@ĐờỦ\u00a0")), max_size=12)


def reference_csv(matrix, sep=","):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", delimiter=sep)
    for row in csv_rows(matrix):
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue()


def retexted(corpus: Corpus, texts: list[str]) -> Corpus:
    """``corpus`` with its task texts (and the agencies' names) taken in turn from ``texts``."""
    pool = iter(texts * 200)

    def task(t: Task) -> Task:
        return replace(t, text=next(pool), tasks=tuple(task(s) for s in t.tasks))

    agencies = tuple(replace(a, name=next(pool) or a.name) for a in corpus.registry.agencies)
    registry = replace(corpus.registry, agencies=agencies)
    return Corpus(registry, tuple(replace(d, tasks=tuple(task(t) for t in d.tasks)) for d in corpus.directives))


def test_the_seeds_export_as_the_standard_library_writes_them(seed_corpus):
    corpus = seed_corpus
    for expand in (False, True):
        matrix = build_matrix(corpus, expand)
        assert to_json(matrix) == json.dumps(to_data(matrix), ensure_ascii=False, indent=2) + "\n"
        for sep in (",", ";", "\t"):
            assert to_csv(matrix, sep) == reference_csv(matrix, sep)


@given(corpora(), st.lists(AWKWARD, min_size=1, max_size=8), st.sampled_from([",", ";", "\t"]))
@settings(max_examples=80, deadline=None)
def test_csv_is_the_csv_module_text(corpus, texts, sep):
    matrix = build_matrix(retexted(corpus, texts))
    assert to_csv(matrix, sep) == reference_csv(matrix, sep)


@given(corpora(), st.lists(AWKWARD, min_size=1, max_size=8))
@settings(max_examples=80, deadline=None)
def test_json_is_json_dumps_text(corpus, texts):
    matrix = build_matrix(retexted(corpus, texts))
    assert to_json(matrix) == json.dumps(to_data(matrix), ensure_ascii=False, indent=2) + "\n"


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | AWKWARD,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(AWKWARD, inner, max_size=3),
        max_leaves=12,
    )
)
@settings(max_examples=150, deadline=None)
def test_the_indented_writer_is_json_dumps(value):
    from matrix.writers.export import _indented

    out: list[str] = []
    _indented(value, "\n", out)
    assert "".join(out) == json.dumps(value, ensure_ascii=False, indent=2)
