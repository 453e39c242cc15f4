"""Dumping the model to YAML and loading it back gives the same model."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings

from matrix.dump import dump_directive, dump_registry
from matrix.load import load_corpus

from .helpers.strategies import corpora


def _roundtrip(corpus, folder: Path):
    for old in folder.glob("*.yaml"):
        old.unlink()
    (folder / "co-quan.yaml").write_text(dump_registry(corpus.registry), encoding="utf-8")
    for directive in corpus.directives:
        (folder / f"{directive.id}.yaml").write_text(dump_directive(directive, corpus.registry), encoding="utf-8")
    result = load_corpus([folder])
    assert result.errors == [], [str(p) for p in result.errors]
    return result.require()


def test_seed_corpus_roundtrips(seed_corpus, tmp_path):
    again = _roundtrip(seed_corpus, tmp_path)
    assert again.registry.agencies == seed_corpus.registry.agencies
    assert sorted(again.directives, key=lambda d: d.id) == sorted(seed_corpus.directives, key=lambda d: d.id)


@given(corpora())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_random_corpora_roundtrip(tmp_path, corpus):
    again = _roundtrip(corpus, tmp_path)
    originals = {d.id: d for d in corpus.directives}
    for directive in again.directives:
        original = originals[directive.id]

        def shape(d):
            return [(t.id, t.text, sorted(t.assignments, key=repr)) for t, _ in d.walk()]

        assert shape(directive) == shape(original)
