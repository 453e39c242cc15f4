"""The drafter's word lists as data (matrix/draft/data/names.yaml): shipped, well formed, all read, each fault of
the file named with its line; and the glossary of the romanised names in identifiers (docs/glossary.md)."""

from __future__ import annotations

import ast
import configparser
import fnmatch
import re
from importlib import resources
from pathlib import Path

import pytest

from matrix.core.text import ascii_key, match_key
from matrix.draft import names
from matrix.draft.wordlists import DATA_FILE, WordListError, parse_word_lists, word_lists

ROOT = Path(__file__).resolve().parent.parent


def test_the_shipped_lists_are_all_read_none_empty_none_repeated():
    lists = word_lists()
    assert names.ORG_HEADS  # the drafter has read its lists
    assert lists.unused() == []
    assert len(lists.lists) + len(lists.mappings) > 50
    for name, phrases in lists.lists.items():
        keys = [match_key(p) for p in phrases]
        assert phrases and len(set(keys)) == len(keys), name
    for name, mapping in lists.mappings.items():
        keys = [match_key(k) for k in mapping]
        assert mapping and len(set(keys)) == len(keys) and all(mapping.values()), name


def test_the_drafter_reads_the_lists_from_the_data_file():
    lists = word_lists()
    assert names._words(*lists.phrases("titles")) == names.TITLES
    assert names._words("thủ trưởng")[0] in names.TITLES
    assert names.expand_abbreviations("Sở KH&CN") == "Sở Khoa học và Công nghệ"
    assert names._unabbreviated(ascii_key("UBND tỉnh Đồng Tháp")) == "uy ban nhan dan tinh dong thap"
    assert names._SUPERIOR.match(ascii_key("Chủ tịch UBND tỉnh"))
    assert names._SUPERIOR.match(ascii_key("Bộ Công an"))
    assert not names._SUPERIOR.match(ascii_key("Bộ Chỉ huy Quân sự tỉnh"))
    assert not names._SUPERIOR.match(ascii_key("Bộ đội Biên phòng tỉnh"))
    assert names._CENTRAL_BODY.match(ascii_key("Ngân hàng Nhà nước chi nhánh tỉnh"))


def test_the_data_file_is_package_data():
    """Read through importlib.resources, and declared for the wheel and the sdist in setup.cfg."""
    assert (resources.files("matrix.draft") / DATA_FILE).is_file()
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    patterns = [p.strip() for p in config["options.package_data"]["matrix.draft"].replace(",", "\n").split()]
    assert any(fnmatch.fnmatch(DATA_FILE, p) for p in patterns), patterns
    manifest = ROOT / "MANIFEST.in"
    assert not manifest.exists() or "prune matrix/draft" not in manifest.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "titles:\n  - chủ tịch\n  - Chủ Tịch\n",
            "x.yaml:3:5: 'Chủ Tịch' repeats 'chủ tịch' (line 2) in 'titles'"
            " (phrases are compared folded: case and tone marks do not count)",
        ),
        (
            "# comment\norgans:\n  - đảng ủy\n  - ban cán sự đảng\n  - đảng uỷ\n",
            "x.yaml:5:5: 'đảng uỷ' repeats 'đảng ủy' (line 3) in 'organs'"
            " (phrases are compared folded: case and tone marks do not count)",
        ),
        (
            "short:\n  TP: Thành phố\n  tp: thành phố\n",
            "x.yaml:3:3: 'tp' repeats 'TP' (line 2) in 'short' (phrases are compared folded: case and tone marks do"
            " not count)",
        ),
        ("titles:\n  - a\nstops: []\n", "x.yaml:3:8: 'stops' is empty"),
        ("titles:\n  - a\n  - [b, c]\n", "x.yaml:3:5: a phrase should be a text, not a list or a mapping"),
        ("titles:\n  - a\n  - no\n", "x.yaml:3:5: 'no' is read as bool: quote it"),
        ("titles:\n  - 03\n", "x.yaml:2:5: '03' is read as int: quote it"),
        ("titles:\n  - ' chủ tịch'\n", "x.yaml:2:5: a phrase should be words without spaces around them"),
        ("titles: chủ tịch\n", "x.yaml:1:9: 'titles' should be a list of phrases (one '- ' a line)"),
        ("titles:\n  - a\ntitles:\n  - b\n", "x.yaml:3:1: 'titles' is given twice (first on line 1)"),
        ("- a\n- b\n", "x.yaml:1:1: the file should map list names to lists"),
        ("", "x.yaml:1:1: the file should map list names to lists"),
    ],
)
def test_a_malformed_file_is_refused_with_its_line(text, message):
    with pytest.raises(WordListError) as caught:
        parse_word_lists(text, "x.yaml")
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("text", "where"),
    [("titles:\n  - a\n - b\n", "x.yaml:3:2: "), ('titles:\n  - a\n  - "b\n', "x.yaml:4:1: ")],
)
def test_a_file_that_is_not_yaml_is_refused_with_its_line(text, where):
    """PyYAML's own words (its C and Python loaders word some faults differently), after the place."""
    with pytest.raises(WordListError) as caught:
        parse_word_lists(text, "x.yaml")
    assert str(caught.value).startswith(where + "not valid YAML: ")


def test_a_list_read_as_the_wrong_kind_or_missing_is_named():
    lists = parse_word_lists("# lists\ntitles:\n  - a\nshort:\n  X: y\nspare:\n  - b\n", "x.yaml")
    assert lists.phrases("titles") == ("a",)
    assert lists.mapping("short") == {"X": "y"}
    assert lists.unused() == ["spare"]
    with pytest.raises(WordListError) as caught:
        lists.mapping("titles")
    assert str(caught.value) == "x.yaml:2:1: 'titles' should be a mapping of phrase: phrase"
    with pytest.raises(WordListError) as caught:
        lists.phrases("short")
    assert str(caught.value) == "x.yaml:4:1: 'short' should be a list of phrases"
    with pytest.raises(WordListError) as caught:
        lists.phrases("levels")
    assert str(caught.value) == "x.yaml: no list 'levels' (matrix/draft/names.py reads it)"


# ----------------------------------------------------------------------------------------------- the glossary

GLOSSARY = ROOT / "docs" / "glossary.md"


def _glossary_names() -> set[str]:
    rows = re.findall(r"^\| (`[^|]+`) \|", GLOSSARY.read_text(encoding="utf-8"), re.M)
    return {name for row in rows for name in re.findall(r"`([^`]+)`", row)}


def _romanised_constants() -> set[str]:
    """The module-level constants of matrix/draft/ named after the Vietnamese words they hold (``CAC = match_key
    ("các")``, ``_CHU_TRI = (_K("chủ"), _K("trì"))``, ``_SO = _words("sở")[0]``)."""

    def words(node: ast.expr) -> str | None:
        if isinstance(node, ast.Subscript):
            node = node.value
        if isinstance(node, ast.Tuple):
            parts = [words(e) for e in node.elts]
            return " ".join(p for p in parts if p) if all(parts) else None
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("match_key", "_K", "_words")
            and len(node.args) == 1
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            return node.args[0].value
        return None

    found = set()
    for path in sorted((ROOT / "matrix" / "draft").glob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.Assign) or len(node.targets) != 1:
                continue
            target, value = node.targets[0], node.value
            pairs = (
                list(zip(target.elts, value.elts, strict=True))
                if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple)
                else [(target, value)]
            )
            for name, held in pairs:
                said = words(held)
                if (
                    isinstance(name, ast.Name)
                    and said
                    and name.id.lstrip("_") == ascii_key(said).upper().replace(" ", "_")
                ):
                    found.add(name.id)
    return found


def test_every_romanised_constant_of_the_drafter_is_in_the_glossary():
    constants = _romanised_constants()
    assert {"CAC", "VA", "TINH", "_CHU_TRI", "_SO"} <= constants
    assert sorted(constants - _glossary_names()) == []


def test_every_name_of_the_glossary_is_used_in_matrix():
    sources = "\n".join(
        p.read_text(encoding="utf-8")
        for p in sorted((ROOT / "matrix").rglob("*"))
        if p.suffix in (".py", ".html", ".js", ".yaml")
    )
    names_ = _glossary_names()
    assert len(names_) > 40
    unused = sorted(n for n in names_ if not re.search(rf"(?<![\w-]){re.escape(n)}(?![\w])", sources))
    assert unused == []
