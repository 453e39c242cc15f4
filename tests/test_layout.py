"""The suite's own layout: a package whose modules share code through tests.helpers, reading their own seeds."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from .helpers import INPUT, SEED_IDS, SHIPPED_INPUT, TESTS

MODULES = sorted(p for p in TESTS.rglob("*.py") if ".venv" not in p.parts)
# The tests that look at what a clerk gets: the shipped seeds validate, the shipped registry documents its keys.
READ_SHIPPED_INPUT = {"test_validate.py", "test_schema.py", "test_layout.py"}
USERS = [p for p in MODULES if p != TESTS / "helpers" / "__init__.py"]  # all but where SHIPPED_INPUT is declared


def imported_modules(path: Path) -> list[str]:
    """Every module ``path`` imports, relative imports written with their leading dots."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            found += [base] if node.module else [base + alias.name for alias in node.names]
    return found


def test_the_tests_are_a_package():
    assert (TESTS / "__init__.py").is_file() and (TESTS / "helpers" / "__init__.py").is_file()


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(TESTS).as_posix())
def test_no_module_imports_a_test_module_or_the_conftest(path):
    """Shared code lives in tests.helpers; a test module is never imported by another one."""
    wrong = [
        name for name in imported_modules(path) if re.search(r"(^|\.)(conftest|test_\w+)$", name) or name == "tests"
    ]
    assert wrong == [], f"{path.name} imports {wrong}: move what is shared to tests/helpers/"


@pytest.mark.parametrize("path", USERS, ids=lambda p: p.relative_to(TESTS).as_posix())
def test_tests_read_their_own_copy_of_the_seeds(path):
    """input/ is the clerk's folder: the tests use tests/fixtures/input/, but for the checks of the shipped files."""
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"ROOT\s*/\s*[\"']input[\"']", text), f"{path.name} reads the shipped input/"
    if path.name not in READ_SHIPPED_INPUT:
        assert "SHIPPED_INPUT" not in text, f"{path.name} reads the shipped input/"


def test_the_copy_of_the_seeds_is_complete():
    assert INPUT != SHIPPED_INPUT
    assert sorted(p.name for p in INPUT.glob("*.yaml")) == sorted(["co-quan.yaml", *(f"{i}.yaml" for i in SEED_IDS)])


def test_a_broken_seed_corpus_fails_instead_of_skipping(monkeypatch, tmp_path):
    """The seed loader raises on a copy that does not load; nothing is skipped."""
    import shutil

    from matrix.errors import InputError

    from .helpers import corpus

    broken = tmp_path / "input"
    shutil.copytree(INPUT, broken)
    (broken / f"{SEED_IDS[0]}.yaml").write_text("id: [\n", encoding="utf-8")
    monkeypatch.setattr(corpus, "INPUT", broken)
    corpus.seed_corpus.cache_clear()
    try:
        with pytest.raises(InputError):
            corpus.seed_corpus()
    finally:
        corpus.seed_corpus.cache_clear()
