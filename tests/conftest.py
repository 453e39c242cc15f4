"""Fixtures shared by the test modules; the code they use lives in :mod:`tests.helpers`."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from matrix.model import Corpus

from .helpers import INPUT
from .helpers.corpus import seed_corpus as load_seed_corpus
from .helpers.corpus import small_corpus

# HYPOTHESIS_PROFILE=thorough: more examples everywhere (heavy properties use helpers.examples, full counts).
settings.register_profile("thorough", max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture
def corpus() -> Corpus:
    return small_corpus()


@pytest.fixture(scope="session")
def seed_corpus() -> Corpus:
    """The five seed directives, loaded and validated from tests/fixtures/input/ (a broken copy fails)."""
    return load_seed_corpus()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/ from the seed outputs (then review the diff)",
    )


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    """A copy of the tests' seed input (tests/fixtures/input/) that a test may change (records, directives, registry)."""
    target = tmp_path / "input"
    shutil.copytree(INPUT, target)
    return target
