"""The cache of loaded directives (matrix.input.cache): the codec gives back the model it was given, an entry
is read back only when the file, the registry and the loader are the same, a bad entry is no entry, and a load
with the cache says and gives exactly what a load without it does."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matrix.core.errors import Problem
from matrix.core.model import Directive, Registry, Signer, Task
from matrix.input import cache as cache_module
from matrix.input import load
from matrix.input.cache import DirectiveCache, decode, encode
from matrix.input.load import load_corpus

from .helpers.strategies import TEXT, corpora

SEED = "tiengiang-ubnd-ct-antt-2025"


def round_trip(kind, value):
    return decode(kind, json.loads(json.dumps(encode(value), ensure_ascii=False)))


def loaded(folder: Path, cache_dir: Path | None):
    """(corpus, problems as printed, the cache) of a load of ``folder`` with the cache in ``cache_dir``."""
    cache = DirectiveCache(cache_dir)
    result = load_corpus([folder], cache=cache if cache_dir is not None else None)
    return result.corpus, [str(p) for p in result.problems], cache


def same_as_uncached(folder: Path, cache_dir: Path):
    corpus, problems, cache = loaded(folder, cache_dir)
    plain, plain_problems, _ = loaded(folder, None)
    assert problems == plain_problems
    assert (corpus.directives if corpus else None) == (plain.directives if plain else None)
    return cache


# --------------------------------------------------------------------------- the codec


def test_every_seed_directive_and_the_registry_round_trip(seed_corpus):
    for directive in seed_corpus.directives:
        assert round_trip(Directive, directive) == directive
    assert round_trip(Registry, seed_corpus.registry) == seed_corpus.registry
    problem = Problem("a.yaml", 3, 7, "thông báo", None, "cảnh báo")
    assert round_trip(Problem, problem) == problem


DAYS = st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31))


@st.composite
def full_directives(draw):
    """Generated directives with every optional field drawn too (dates, signer, lists, due dates)."""
    corpus = draw(corpora())

    def task(t: Task) -> Task:
        return replace(
            t,
            title=draw(st.none() | TEXT),
            deadline=draw(st.none() | TEXT),
            report=draw(st.none() | TEXT),
            targets=tuple(draw(st.lists(TEXT, max_size=2))),
            notes=tuple(draw(st.lists(TEXT, max_size=2))),
            due=tuple(sorted(set(draw(st.lists(DAYS, max_size=2))))),
            tasks=tuple(task(s) for s in t.tasks),
        )

    out = []
    for d in corpus.directives:
        out.append(
            replace(
                d,
                tasks=tuple(task(t) for t in d.tasks),
                number=draw(st.none() | TEXT),
                date=draw(st.none() | DAYS),
                as_of=draw(st.none() | DAYS),
                ended=draw(st.none() | DAYS),
                signer=Signer(tuple(draw(st.lists(TEXT, max_size=2))), draw(st.none() | TEXT), draw(st.none() | TEXT)),
                recipients=tuple(draw(st.lists(TEXT, max_size=3))),
                preamble=draw(st.none() | TEXT),
                closing=tuple(draw(st.lists(TEXT, max_size=2))),
            )
        )
    return corpus.registry, out


@given(full_directives())
@settings(max_examples=60, deadline=None)
def test_generated_models_round_trip(drawn):
    registry, directives = drawn
    assert round_trip(Registry, registry) == registry
    for directive in directives:
        assert round_trip(Directive, directive) == directive


@pytest.mark.parametrize(
    "data",
    [
        None,
        "x",
        [],
        ["d", "chỉ thị"],  # too few fields
        ["d", "chỉ thị", "t", ["UBND", "nhà nước"], [], None, None, None, None, None, None, None, None, 1, 2, 3, 4, 5],
        ["d", "chỉ thị", "t", ["UBND", "không là loại nào"], []],  # an unknown issuer kind
        ["d", "chỉ thị", "t", ["UBND", ["nhà nước"]], []],  # a list for the issuer kind
        ["d", "chỉ thị", "t", ["UBND", "nhà nước"], [["1", 5]]],  # a number for a task's text
        ["d", "chỉ thị", "t", ["UBND", "nhà nước"], [], None, None, "2024-01-01"],  # a date written as text
        ["d", "chỉ thị", "t", ["UBND", "nhà nước"], "abc"],  # a text for the tasks
    ],
)
def test_data_that_is_not_a_directive_is_refused(data):
    with pytest.raises(ValueError):
        decode(Directive, data)


# --------------------------------------------------------------------------- the cache


def test_a_second_load_reads_every_file_back_and_says_the_same(folder, tmp_path):
    # a warning of its own in one file: its id is not its file name
    (folder / f"{SEED}.yaml").rename(folder / "khac-ten.yaml")
    first = same_as_uncached(folder, tmp_path / "cache")
    assert (first.hits, first.misses) == (0, 5)
    second = same_as_uncached(folder, tmp_path / "cache")
    assert (second.hits, second.misses) == (5, 0)
    corpus, problems, _ = loaded(folder, tmp_path / "cache")
    assert any("khác tên tệp 'khac-ten.yaml'" in p for p in problems)  # warnings are told again
    assert corpus is not None and len(corpus.directives) == 5


def test_an_edited_file_is_read_again(folder, tmp_path):
    same_as_uncached(folder, tmp_path / "cache")
    path = folder / f"{SEED}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Tiếp tục triển khai", "Khẩn trương triển khai", 1))
    again = same_as_uncached(folder, tmp_path / "cache")
    assert (again.hits, again.misses) == (4, 1)
    corpus, _, _ = loaded(folder, tmp_path / "cache")
    assert corpus.directive(SEED).tasks[0].text.startswith("Khẩn trương triển khai")


def test_a_changed_registry_reads_every_file_again(folder, tmp_path):
    """A name the registry lacks is an error kept in the entry; the body added to the registry reads it again."""
    path = folder / f"{SEED}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("- đoàn thể tỉnh\n", "- Đoàn thể Tỉnh Nhà\n", 1))
    corpus, problems, _ = loaded(folder, tmp_path / "cache")
    assert corpus is None and any("'Đoàn thể Tỉnh Nhà' không có trong danh mục" in p for p in problems)
    same_as_uncached(folder, tmp_path / "cache")
    registry = folder / "co-quan.yaml"
    plain = registry.read_text(encoding="utf-8")
    body = "  - id: doan-the-tinh-nha\n    name: Đoàn thể Tỉnh Nhà\n    short: Đoàn thể\n    block: mat-tran\n"
    registry.write_text(plain.replace("agencies:\n", f"agencies:\n{body}    province: tien-giang\n"))
    again = same_as_uncached(folder, tmp_path / "cache")
    assert again.hits == 0
    corpus, problems, _ = loaded(folder, tmp_path / "cache")
    assert corpus is not None, problems


def test_another_loader_reads_every_file_again(folder, tmp_path, monkeypatch):
    same_as_uncached(folder, tmp_path / "cache")
    assert same_as_uncached(folder, tmp_path / "cache").hits == 5
    monkeypatch.setattr(cache_module, "code_version", lambda: "matrix-directives-1 9.9.9 other code")
    assert same_as_uncached(folder, tmp_path / "cache").hits == 0


def test_the_loader_version_names_matrix_pyyaml_and_the_code(monkeypatch):
    import matrix

    now = cache_module.code_version.__wrapped__()
    monkeypatch.setattr(matrix, "__version__", "99.0")
    assert cache_module.code_version.__wrapped__() != now


def test_an_undated_directive_is_read_again_another_day(folder, tmp_path, monkeypatch):
    path = folder / f"{SEED}.yaml"
    path.write_text(re.sub(r"^date: .*\n", "", path.read_text(encoding="utf-8"), flags=re.M))
    monkeypatch.setattr(load, "today", lambda: dt.date(2026, 1, 5))
    same_as_uncached(folder, tmp_path / "cache")
    assert same_as_uncached(folder, tmp_path / "cache").hits == 5
    monkeypatch.setattr(load, "today", lambda: dt.date(2026, 1, 6))
    cache = same_as_uncached(folder, tmp_path / "cache")
    assert (cache.hits, cache.misses) == (4, 1)
    _, problems, _ = loaded(folder, tmp_path / "cache")
    assert any("06/01/2026" in p for p in problems)


def spoil(entry: Path, how: str, other: Path) -> None:
    data = entry.read_bytes()
    if how == "truncated":
        entry.write_bytes(data[: len(data) // 2])
    elif how == "empty":
        entry.write_bytes(b"")
    elif how == "garbage":
        entry.write_bytes(b"\x80\x81 not json")
    elif how == "foreign":  # another file's entry under this name
        entry.write_bytes(other.read_bytes())
    elif how == "format":
        entry.write_bytes(data.replace(f'"format":"{cache_module.FORMAT}"'.encode(), b'"format":"matrix-directives-0"'))
    elif how == "content":  # the directive's digest not one
        raw = json.loads(data)
        raw["content"] = "0" * 63
        entry.write_text(json.dumps(raw))
    elif how == "field":  # valid JSON, a wrong value in the directive
        raw = json.loads(data)
        raw["directive"][0] = 5
        entry.write_text(json.dumps(raw))
    elif how == "deep":  # nested past what the JSON reader recurses through
        entry.write_bytes(b"[" * 100_000 + b"]" * 100_000)
    elif how == "problem":
        raw = json.loads(data)
        raw["problems"] = [["a.yaml", 1, 1, "x", None, "lạ"]]
        entry.write_text(json.dumps(raw))
    else:
        raise AssertionError(how)


@pytest.mark.parametrize(
    "how", ["truncated", "empty", "garbage", "foreign", "format", "field", "problem", "deep", "content"]
)
def test_a_damaged_or_foreign_entry_is_no_entry(folder, tmp_path, how):
    same_as_uncached(folder, tmp_path / "cache")
    entries = sorted((tmp_path / "cache").glob("*.json"))
    assert len(entries) == 5
    for entry, other in zip(entries, entries[1:] + entries[:1], strict=True):
        spoil(entry, how, other)
    cache = same_as_uncached(folder, tmp_path / "cache")
    assert (cache.hits, cache.misses) == (0, 5)
    assert same_as_uncached(folder, tmp_path / "cache").hits == 5  # written again


def test_checks_across_files_run_with_every_entry_read_back(folder, tmp_path):
    """Two files with one id, two ids giving one output folder: errors at every load, with their places."""
    (folder / "ban-sao.yaml").write_text((folder / f"{SEED}.yaml").read_text(encoding="utf-8"))
    text = (folder / f"{SEED}.yaml").read_text(encoding="utf-8")
    (folder / "gan-giong.yaml").write_text(text.replace(f"id: {SEED}", f"id: {SEED}-"))
    for _ in range(2):
        cache = same_as_uncached(folder, tmp_path / "cache")
        corpus, problems, _ = loaded(folder, tmp_path / "cache")
        assert corpus is None
        assert any(f"mã văn bản '{SEED}' trùng với tệp" in p for p in problems)
        assert any(re.search(rf"gan-giong\.yaml:4:5: lỗi: .*'{SEED}-' và '{SEED}'", p) for p in problems), problems
    assert cache.hits == 7


def test_an_error_elsewhere_is_told_as_without_the_cache(folder, tmp_path):
    """The loader gives no directive once an earlier file has an error: the entries, made file by file, too."""
    (folder / "a-hong.yaml").write_text("id: a-hong\nkind: [\n", encoding="utf-8")
    for _ in range(2):
        same_as_uncached(folder, tmp_path / "cache")


def test_a_build_keeps_the_entries_it_used_beside_the_output(folder, tmp_path):
    from matrix.build.pipeline import BuildOptions, cache_folder, prepare

    out = tmp_path / "output"
    told: list[str] = []
    (folder / f"{SEED}.yaml").rename(folder / "khac-ten.yaml")
    options = BuildOptions(jobs=1)
    first = prepare([folder], None, options, told.append, cache_folder(out))
    entries = cache_folder(out) / "directives"
    assert len(list(entries.glob("*.json"))) == 5
    again: list[str] = []
    second = prepare([folder], None, options, again.append, cache_folder(out))
    assert again == told and any("khác tên tệp" in t for t in told)
    assert second.matrix.directives == first.matrix.directives
    (folder / "khac-ten.yaml").unlink()
    prepare([folder], None, options, again.append, cache_folder(out))
    assert len(list(entries.glob("*.json"))) == 4  # the entry no build asks for is removed


# --------------------------------------------------------------------------- a loaded directive's fingerprint


def prints_of(folder: Path, cache_dir: Path) -> dict[str, str]:
    """Each directive of ``folder`` loaded with the cache in ``cache_dir``: its fingerprint as a build keys it."""
    from matrix.build.keys import Fingerprints

    corpus, problems, _ = loaded(folder, cache_dir)
    assert corpus is not None, problems
    prints = Fingerprints(None)
    return {d.id: prints.directive(d) for d in corpus.directives}


def test_a_loaded_directive_is_fingerprinted_by_its_entry_not_by_its_tasks(folder, tmp_path, monkeypatch):
    from matrix.build.keys import Fingerprints

    corpus, _, _ = loaded(folder, tmp_path / "cache")
    assert all(cache_module.identity(d) for d in corpus.directives)

    def hashed(self, task):
        raise AssertionError("a loaded directive's tasks are hashed")

    monkeypatch.setattr(Fingerprints, "task", hashed)
    prints = Fingerprints(None)
    assert len({prints.directive(d) for d in corpus.directives}) == 5
    copy = replace(corpus.directives[0], title="Khác")  # made in memory: no entry names it, hashed in full
    assert cache_module.identity(copy) is None
    with pytest.raises(AssertionError, match="tasks are hashed"):
        prints.directive(copy)


DAY_BEFORE, DAY_AFTER = dt.date(2025, 2, 20), dt.date(2025, 7, 2)  # an undated directive's bodies differ


def edit_text(folder: Path) -> set[str]:
    path = folder / f"{SEED}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Tiếp tục triển khai", "Khẩn trương triển khai", 1))
    return {SEED}


def edit_registry(folder: Path) -> set[str]:
    """A body's short name changed: what a directive holds of it may change, so every directive is keyed anew."""
    registry = folder / "co-quan.yaml"
    text = registry.read_text(encoding="utf-8")
    changed = re.sub(r"(\n    short: )([^\n]+)", r"\1\2 mới", text, count=1)
    assert changed != text
    registry.write_text(changed, encoding="utf-8")
    return {"*"}


def edit_undated_day(folder: Path, monkeypatch) -> set[str]:
    monkeypatch.setattr(load, "today", lambda: DAY_AFTER)
    return {SEED}


def edit_code(folder: Path, monkeypatch) -> set[str]:
    monkeypatch.setattr(cache_module, "code_version", lambda: "matrix-directives-1 9.9.9 other code")
    return {"*"}


def add_comment(folder: Path) -> set[str]:
    """A comment and a blank line added: other bytes, the same directive."""
    path = folder / f"{SEED}.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# ghi chú của văn thư\n", encoding="utf-8")
    return set()


def move_file(folder: Path) -> set[str]:
    """The same bytes under another name: the id may come from the name, so it is read anew."""
    (folder / f"{SEED}.yaml").rename(folder / "khac-ten.yaml")
    return {SEED}


@pytest.mark.parametrize("change", ["text", "registry", "undated day", "code", "file name", "comment"])
def test_any_change_of_what_the_loader_reads_changes_the_fingerprint(folder, tmp_path, monkeypatch, change):
    """Whatever the loader reads changed (the file, the registry, the loader, the day of an undated directive),
    the fingerprint of each directive is new exactly when the directive loaded without the cache is (a stale one
    would give its documents their old keys; a new one for an equal directive would render them again: a comment
    added to a file changes no document)."""
    path = folder / f"{SEED}.yaml"
    path.write_text(re.sub(r"^date: .*\n", "", path.read_text(encoding="utf-8"), flags=re.M))
    monkeypatch.setattr(load, "today", lambda: DAY_BEFORE)
    before = prints_of(folder, tmp_path / "cache")
    plain_before, _, _ = loaded(folder, None)
    if change == "text":
        edit_text(folder)
    elif change == "registry":
        edit_registry(folder)
    elif change == "undated day":
        edit_undated_day(folder, monkeypatch)
    elif change == "code":
        edit_code(folder, monkeypatch)
    elif change == "comment":
        add_comment(folder)
    else:
        move_file(folder)
    after = prints_of(folder, tmp_path / "cache")
    plain_after, _, _ = loaded(folder, None)
    assert set(after) == set(before)
    for name in before:
        assert (after[name] != before[name]) is (plain_after.directive(name) != plain_before.directive(name)), name
    # the model itself changed where the fingerprint must (else the test would prove nothing)
    if change in ("text", "undated day"):
        assert after[SEED] != before[SEED]
    if change == "comment":
        assert after == before


def test_a_comment_added_to_a_directive_renders_nothing_again(folder, tmp_path):
    """Other bytes, the same directive: the build finds every document as it is (its keys read the directive,
    not the file's bytes)."""
    from click.testing import CliRunner

    from matrix.cli import main

    out = tmp_path / "out"
    first = CliRunner().invoke(main, ["build", str(folder), "-o", str(out), "-j", "1"])
    assert first.exit_code == 0, first.output
    add_comment(folder)
    again = CliRunner().invoke(main, ["build", str(folder), "-o", str(out), "-j", "1"])
    assert again.exit_code == 0, again.output
    from matrix.build.publish import read_manifest

    reused = re.search(r"Trong đó (\d+) tệp không đổi được dùng lại", again.output)
    assert reused is not None and int(reused.group(1)) == len(read_manifest(out)), again.output
