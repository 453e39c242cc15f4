"""The workbook's blocks of rows kept for the next writing (excel.BlockCache, issue 23): a workbook written from the
blocks of an earlier one is, part for part and byte for byte, the workbook written afresh, whatever changed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import openpyxl
import openpyxl.writer.excel
import pytest

from matrix.core.model import Assignment, Corpus, Role, Task
from matrix.core.pivot import build_matrix
from matrix.input.synthetic import make_corpus
from matrix.tracking.records import Letter, Record, State, assess
from matrix.writers import excel, status_excel
from matrix.writers.excel import write_workbook
from matrix.writers.status_excel import write_status_workbook
from matrix.writers.xlsx_seam import Deflated

CREATED = dt.datetime(2025, 7, 15, 8, 0)


class _Clock:
    """openpyxl stamps a saved workbook's "modified" with the wall clock: fixed, so two saves compare."""

    class datetime(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime(2025, 7, 15, 9, 0, tzinfo=tz)

    timezone = dt.timezone


@pytest.fixture(autouse=True)
def _frozen(monkeypatch):
    monkeypatch.setattr(openpyxl.writer.excel, "datetime", _Clock)


@pytest.fixture
def caches(monkeypatch) -> list[excel.BlockCache]:
    """Every block cache write_workbook makes, to count what it reused."""
    made: list[excel.BlockCache] = []

    class Counted(excel.BlockCache):
        def __init__(self, path):
            super().__init__(path)
            made.append(self)

    monkeypatch.setattr(excel, "BlockCache", Counted)
    monkeypatch.setattr(status_excel, "BlockCache", Counted)
    return made


def _parts(path: Path) -> dict[str, bytes]:
    """Every part of a workbook, as stored bytes once unzipped."""
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _kept(path: Path) -> tuple[dict, dict[str, bytes]]:
    """The cache file's head (a line of JSON) and its blocks' rows by key (inflated: each is kept compressed, with
    the CRC-32 and length of its rows)."""
    data = path.read_bytes()
    end = data.index(b"\n")
    head, at, rows = json.loads(data[:end]), end + 1, {}
    for key, size, *_, crc, length, _ in head["blocks"]:
        rows[key] = zlib.decompressobj(-15).decompress(data[at : at + size])
        assert (zlib.crc32(rows[key]), len(rows[key])) == (crc, length)
        at += size
    assert at == len(data)
    return head, rows


def _write(corpus: Corpus, path: Path, blocks: Path | None, paper: str = "A4") -> None:
    write_workbook(build_matrix(corpus), path, title="Tổng hợp", paper=paper, created=CREATED, blocks=blocks)


def _edit_task(corpus: Corpus, change: Callable[[Task], Task], which: int = 1, index: int = 0) -> Corpus:
    """``corpus`` with the ``index``-th task of its ``which``-th directive changed by ``change``."""
    directive = corpus.directives[which]
    tasks = directive.tasks
    edited = dataclasses.replace(directive, tasks=(*tasks[:index], change(tasks[index]), *tasks[index + 1 :]))
    return dataclasses.replace(corpus, directives=(*corpus.directives[:which], edited, *corpus.directives[which + 1 :]))


def _text(corpus: Corpus) -> Corpus:
    return _edit_task(corpus, lambda t: dataclasses.replace(t, text=t.text + " Sửa đổi, bổ sung thêm một câu dài."))


def _role(corpus: Corpus) -> Corpus:
    directive = next(d for d in corpus.directives[1:] if any(t.assignments for t in d.tasks))
    which = corpus.directives.index(directive)
    index = next(i for i, t in enumerate(directive.tasks) if t.assignments)
    task = directive.tasks[index]
    first = task.assignments[0]
    flipped = dataclasses.replace(first, role=Role.PARTNER if first.role is Role.LEAD else Role.LEAD)
    changed = dataclasses.replace(task, assignments=(flipped, *task.assignments[1:]))
    edited = dataclasses.replace(directive, tasks=(*directive.tasks[:index], changed, *directive.tasks[index + 1 :]))
    return dataclasses.replace(corpus, directives=(*corpus.directives[:which], edited, *corpus.directives[which + 1 :]))


def _agency(corpus: Corpus) -> Corpus:
    registry = corpus.registry
    named = tuple(
        dataclasses.replace(a, name=a.name + " tỉnh") if i == 3 else a for i, a in enumerate(registry.agencies)
    )
    return dataclasses.replace(corpus, registry=dataclasses.replace(registry, agencies=named))


def _numbering(corpus: Corpus) -> Corpus:
    """Two tasks of a directive swapped: their numbers ("1.", "2.") change, and the directive's number too."""
    directive = corpus.directives[2]
    tasks = (directive.tasks[1], directive.tasks[0], *directive.tasks[2:])
    edited = dataclasses.replace(directive, tasks=tasks, number=(directive.number or "") + "9")
    return dataclasses.replace(corpus, directives=(*corpus.directives[:2], edited, *corpus.directives[3:]))


def _longer(corpus: Corpus) -> Corpus:
    """A task that needs more rows: every row after it moves down."""
    return _edit_task(corpus, lambda t: dataclasses.replace(t, text=(t.text + " ") * 30), which=0)


def _taller(corpus: Corpus) -> Corpus:
    """A task's text that wraps to more lines in its row (a taller row, no row added): nothing moves."""
    return _edit_task(corpus, lambda t: dataclasses.replace(t, text=t.text + " thêm" * 40), which=1)


def _assigned(corpus: Corpus) -> Corpus:
    """An agency added to a task (an assignment more): the task's rows, its agency's blocks and the form change."""
    directive = corpus.directives[1]
    task = directive.tasks[0]
    named = {a.agency for a in task.assignments}
    agency = next(a for a in corpus.registry.agencies if a.id not in named and not a.is_group)
    added = Assignment(agency.id, Role.DOER, agency.name)
    return _edit_task(corpus, lambda t: dataclasses.replace(t, assignments=(*t.assignments, added)))


CHANGES: dict[str, Callable[[Corpus], Corpus]] = {
    "nothing": lambda corpus: corpus,
    "task text": _text,
    "taller row": _taller,
    "role": _role,
    "assignment": _assigned,
    "agency name": _agency,
    "numbering": _numbering,
    "rows moved": _longer,
}


@pytest.mark.parametrize("change", CHANGES)
@pytest.mark.parametrize("shape", [(30, 120, 4), (260, 260, 3)], ids=["dense", "sparse"])
def test_a_workbook_from_kept_blocks_is_the_workbook_written_afresh(change, shape, tmp_path, caches):
    corpus = make_corpus(*shape, seed=7)
    kept = tmp_path / "cache" / "blocks.json"
    _write(corpus, tmp_path / "first.xlsx", kept)
    assert caches[0].hits == 0 and caches[0].misses > 0
    changed = CHANGES[change](corpus)
    assert (changed == corpus) is (change == "nothing")
    _write(changed, tmp_path / "kept.xlsx", kept)
    _write(changed, tmp_path / "afresh.xlsx", None)
    assert _parts(tmp_path / "kept.xlsx") == _parts(tmp_path / "afresh.xlsx")
    again = caches[1]
    assert again.hits > 0  # blocks were reused...
    if change == "nothing":  # all but the blocks not kept (the first rows of the Theo dõi form: new styles)
        assert 0 <= again.misses == caches[0].misses - len(caches[0].new) < 5
    else:  # ...and those showing what changed written again
        assert again.misses > 0


def _stale(method: str) -> Callable[..., str]:
    """:class:`excel.InputKeys`'s ``method`` made stale: it still works (a directive's tasks are still digested)
    but says the same whatever it is given."""
    real = getattr(excel.InputKeys, method)
    return lambda self, *args: (real(self, *args), "stale")[1]


# a change, and an identity that the blocks showing it are known by: made stale, a kept block shows the old rows
STALE = [
    ("task text", "directive"),  # Ma trận, Nhiệm vụ, Theo dõi: a directive's rows
    ("taller row", "directive"),
    ("task text", "task"),  # Theo cơ quan: an agency's tasks
    ("role", "directive entries"),  # an assignment is the task's, and an entry: both say it
    ("assignment", "directive entries"),
    ("agency name", "entries"),  # Nhiệm vụ: the agencies named on a task
    ("agency name", "agency"),  # what the entries are known by
]


@pytest.mark.parametrize(("change", "method"), STALE)
def test_a_stale_identity_would_show_old_rows_so_the_tests_above_tell(change, method, tmp_path, monkeypatch):
    # ``method``: the identities made stale, by name
    """Each identity the blocks are known by is needed: with it stale, the workbook written from kept blocks is not the
    one written afresh (what the tests above would catch)."""
    corpus = make_corpus(30, 120, 4, seed=7)
    changed = CHANGES[change](corpus)
    for name in method.split():
        monkeypatch.setattr(excel.InputKeys, name, _stale(name))
    kept = tmp_path / "blocks.json"
    _write(corpus, tmp_path / "first.xlsx", kept)
    _write(changed, tmp_path / "kept.xlsx", kept)
    _write(changed, tmp_path / "afresh.xlsx", None)
    assert _parts(tmp_path / "kept.xlsx") != _parts(tmp_path / "afresh.xlsx")


def test_a_kept_block_is_not_worked_out(tmp_path, monkeypatch):
    """A block is known by what it reads, not by its rows: the rows of a kept block are never computed (the form
    rows of the Theo dõi sheet, a directive's task records, an agency's), only those of the blocks that changed."""
    from matrix.writers import tracking_sheet

    corpus = make_corpus(30, 240, 12, seed=7)
    kept = tmp_path / "blocks.json"
    _write(corpus, tmp_path / "first.xlsx", kept)
    counted: dict[str, int] = {}
    for module, name in ((tracking_sheet, "_values"), (excel, "_task_records"), (excel, "_agency_records")):
        real = getattr(module, name)

        def count(*args, _real=real, _name=name, **kwargs):
            counted[_name] = counted.get(_name, 0) + 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, name, count)
    _write(_text(corpus), tmp_path / "kept.xlsx", kept)
    written = dict(counted)
    counted.clear()
    _write(_text(corpus), tmp_path / "afresh.xlsx", None)
    assert _parts(tmp_path / "kept.xlsx") == _parts(tmp_path / "afresh.xlsx")
    assert written["_task_records"] == 1  # the edited directive's
    assert 0 < written["_agency_records"] < counted["_agency_records"] / 4
    assert written["_values"] < counted["_values"] / 4  # the edited directive's, and the first rows of the form


def test_a_fingerprint_tells_values_apart():
    fingerprint = excel._fingerprint
    assert fingerprint(("a", "b")) != fingerprint(("ab",)) != fingerprint(("a", ("b",)))
    assert fingerprint((None,)) != fingerprint(("None",)) != fingerprint(((),))
    assert fingerprint((1,)) != fingerprint((True,)) != fingerprint(("1",)) != fingerprint((1.0,))
    assert fingerprint((Role.LEAD,)) != fingerprint((Role.LEAD.value,))
    task = Task("1", "Chủ trì")
    assert fingerprint(task) == fingerprint(Task("1", "".join(["Chủ ", "trì"])))  # by value
    assert fingerprint(task) != fingerprint(dataclasses.replace(task, title="Chủ trì"))
    assert fingerprint(task) != fingerprint(dataclasses.replace(task, due=(dt.date(2026, 1, 1),)))
    with_sub = dataclasses.replace(task, tasks=(Task("a", "x"),))
    assert fingerprint(with_sub) != fingerprint(task)
    assert fingerprint(with_sub, "tasks") == fingerprint(task, "tasks") != fingerprint(task)


def test_a_workbook_on_other_paper_reuses_no_block_of_the_first(tmp_path, caches):
    corpus = make_corpus(30, 120, 4, seed=3)
    kept = tmp_path / "blocks.json"
    _write(corpus, tmp_path / "a4.xlsx", kept)
    _write(corpus, tmp_path / "a3.xlsx", kept, paper="A3")
    _write(corpus, tmp_path / "afresh.xlsx", None, paper="A3")
    assert _parts(tmp_path / "a3.xlsx") == _parts(tmp_path / "afresh.xlsx")
    assert caches[1].misses > 0


def test_the_kept_blocks_are_those_of_the_last_writing_only(tmp_path, caches):
    corpus = make_corpus(30, 120, 4, seed=5)
    kept = tmp_path / "blocks.json"
    _write(corpus, tmp_path / "a.xlsx", kept)
    first = _kept(kept)[1]
    _write(_text(corpus), tmp_path / "b.xlsx", kept)
    second = _kept(kept)[1]
    assert len(second) == len(first) == len(caches[0].new)  # one a block: the old ones of the edited task dropped
    assert second.keys() != first.keys()
    # blocks of every sheet written by directive or agency, the Theo dõi form's too (its hidden key "directive|task|")
    kept_xml = b"".join(second.values()).decode()
    assert f"{corpus.directives[-1].id}|" in kept_xml and "Chủ trì" in kept_xml
    assert "DANH SÁCH NHIỆM VỤ" not in kept_xml  # the sheets' headings are no block


@pytest.mark.parametrize(
    "damage",
    [b"", b"{", b'{"format": "matrix-blocks-0", "blocks": []}\n', b'{"format": 1}\n', b"\xff\n", b"cut"],
)
def test_a_damaged_cache_costs_time_only(damage, tmp_path, caches):
    corpus = make_corpus(30, 60, 2, seed=2)
    kept = tmp_path / "blocks.json"
    if damage == b"cut":  # a file cut short (a full disk): its blocks do not add up
        _write(corpus, tmp_path / "first.xlsx", kept)
        damage = kept.read_bytes()[:-10]
        caches.clear()
    kept.write_bytes(damage)
    _write(corpus, tmp_path / "a.xlsx", kept)
    _write(corpus, tmp_path / "afresh.xlsx", None)
    assert _parts(tmp_path / "a.xlsx") == _parts(tmp_path / "afresh.xlsx")
    assert caches[0].hits == 0 and _kept(kept)[1]


def test_a_block_holding_other_bytes_under_its_key_is_what_the_workbook_shows(tmp_path):
    """The cache is trusted by key: a planted block shows (so the keys, not luck, keep stale bytes out)."""
    corpus = make_corpus(30, 60, 2, seed=2)
    kept = tmp_path / "blocks.json"
    _write(corpus, tmp_path / "a.xlsx", kept)
    head, rows = _kept(kept)
    planted = 0
    packed = {}
    for entry in head["blocks"]:
        if "Chủ trì".encode() in rows[entry[0]]:
            rows[entry[0]] = rows[entry[0]].replace("Chủ trì".encode(), "Chủ trì (cũ)".encode())
            planted += 1
        packed[entry[0]] = Deflated.of(rows[entry[0]])
        entry[1], entry[-3:] = (
            len(packed[entry[0]].data),
            [packed[entry[0]].crc, packed[entry[0]].size, packed[entry[0]].shift],
        )
    kept.write_bytes(json.dumps(head).encode() + b"\n" + b"".join(packed[entry[0]].data for entry in head["blocks"]))
    _write(corpus, tmp_path / "b.xlsx", kept)
    sheets = b"".join(v for k, v in _parts(tmp_path / "b.xlsx").items() if "worksheets/sheet" in k)
    assert planted and "Chủ trì (cũ)".encode() in sheets


def test_blocks_kept_by_another_version_of_the_writer_are_not_used(tmp_path, caches, monkeypatch):
    corpus = make_corpus(30, 60, 2, seed=2)
    kept = tmp_path / "blocks.json"
    _write(corpus, tmp_path / "a.xlsx", kept)
    monkeypatch.setattr(excel, "_code_version", lambda: "matrix-blocks-2 0.1.1 (another writer)")
    _write(corpus, tmp_path / "b.xlsx", kept)
    assert caches[1].hits == 0 and caches[1].misses > 0


def test_a_task_edited_lays_out_again_its_runs_of_directives_in_the_agency_sheet_not_every_task_of_its_agencies(
    tmp_path, monkeypatch
):
    """Theo cơ quan keeps an agency's tasks in blocks of whole directives (excel.AGENCY_BLOCK_RECORDS records or
    more): one letter of a task changed (no row moves) lays out again the blocks holding that task only."""
    corpus = make_corpus(20, 800, 40, seed=4)
    kept = tmp_path / "blocks.json"
    _write(corpus, tmp_path / "first.xlsx", kept)
    edited = _edit_task(
        corpus, lambda t: dataclasses.replace(t, text=t.text[:-1] + ("x" if t.text[-1] != "x" else "y"))
    )
    laid: list[str] = []
    put_records = excel.put_records

    def counted(ws, ctx, row, columns, values, *args, **kwargs):
        laid.append(ws.title)
        return put_records(ws, ctx, row, columns, values, *args, **kwargs)

    monkeypatch.setattr(excel, "put_records", counted)
    _write(edited, tmp_path / "kept.xlsx", kept)
    _write(edited, tmp_path / "afresh.xlsx", None)
    assert _parts(tmp_path / "kept.xlsx") == _parts(tmp_path / "afresh.xlsx")
    matrix = build_matrix(edited)
    task = next(row for row in matrix.rows if row.directive.id == edited.directives[1].id)
    agencies = {e.agency.id for row in matrix.rows for e in matrix.context(row) if row.key == task.key}
    whole = sum(1 for row in matrix.rows for e in matrix.context(row) if e.agency.id in agencies)
    again = laid.count(excel.SHEET_AGENCIES) - sum(len(matrix.context(row)) for row in matrix.rows)  # minus afresh
    assert agencies and 0 < again < whole / 2


def test_the_turned_matrix_from_kept_blocks_is_the_one_written_afresh(tmp_path, caches, monkeypatch):
    """Ma trận printed turned (agencies as rows): a block of rows per block of agencies, kept like the others."""
    from matrix.input.load import load_corpus

    from .helpers import WIDE

    corpus = load_corpus([WIDE]).require()
    (directive,) = corpus.directives
    twin = dataclasses.replace(directive, id=directive.id + "-2", number=(directive.number or "") + "9")
    corpus = dataclasses.replace(corpus, directives=(directive, twin))

    def write(corpus: Corpus, name: str, blocks: Path | None) -> None:
        matrix = build_matrix(corpus, True)
        write_workbook(matrix, tmp_path / name, title="Tổng hợp", created=CREATED, blocks=blocks)

    kept = tmp_path / "blocks.json"
    write(corpus, "first.xlsx", kept)
    last = build_matrix(corpus, True).column_blocks()[-1][1][0]  # an agency of the last block renamed
    agencies = tuple(
        dataclasses.replace(a, name=a.name + " mới") if a.id == last.id else a for a in corpus.registry.agencies
    )
    changed = dataclasses.replace(corpus, registry=dataclasses.replace(corpus.registry, agencies=agencies))
    laid: list[str] = []
    turned_block = excel._turned_block
    monkeypatch.setattr(excel, "_turned_block", lambda *args: laid.append(args[3]) or turned_block(*args))
    write(changed, "kept.xlsx", kept)
    assert laid == [build_matrix(changed, True).column_blocks()[-1][0].name]  # the block of the agency renamed only
    write(changed, "afresh.xlsx", None)
    assert _parts(tmp_path / "kept.xlsx") == _parts(tmp_path / "afresh.xlsx")
    assert openpyxl.load_workbook(tmp_path / "kept.xlsx")["Ma trận"].print_title_cols == "$A:$B"  # printed turned
    assert caches[1].hits > 0 and caches[1].misses > 0


def test_block_inputs_are_told_apart_by_value_whether_shared_or_not():
    text = "Chủ trì " * 20
    again = "".join(["Chủ trì "] * 20)  # equal, another object
    assert text is not again
    assert excel._pickled((text, text, (1, 2.5, None))) == excel._pickled((text, again, (1, 2.5, None)))
    assert excel._pickled((text, text)) != excel._pickled((text, text + "."))
    assert excel._pickled(("a", "b")) != excel._pickled(("ab",))


def test_the_turned_layout_is_not_worked_out_when_it_cannot_print_more_rows_a_page(monkeypatch):
    """A matrix that prints more rows a page split (the 6,000-task consolidated one): its task headers are not read
    to lay it out turned."""
    matrix = build_matrix(make_corpus(30, 12, 2, seed=1))
    ctx = excel.WorkbookContext(matrix, "t", "A4", excel.Painter(True), excel.directive_labels(matrix))
    groups = excel._column_groups(matrix)
    turned = excel._by_agency(ctx, groups)
    assert turned is not None and turned.rows > 0

    def unread(row):
        raise AssertionError("a task header read")

    monkeypatch.setattr(excel, "_task_header", unread)
    assert excel._by_agency(ctx, groups, beat=turned.rows + 1000) is None


# --------------------------------------------------------------------------- the status workbook

AS_OF = dt.date(2026, 6, 30)


def _status(corpus: Corpus, path: Path, blocks: Path | None, records=(), as_of=AS_OF, letters=()) -> None:
    matrix = build_matrix(corpus)
    statuses = assess(matrix, records, as_of)
    write_status_workbook(matrix, statuses, as_of, path, letters=letters, blocks=blocks)


def _reported(corpus: Corpus) -> dict:
    """A report of the first overdue assignment, done: it leaves the overdue list (every row after it moves up)."""
    late = next(s for s in assess(build_matrix(corpus), (), AS_OF) if s.state is State.OVERDUE).entry
    return {
        "records": (Record(late.row.directive.id, late.agency.id, late.written, AS_OF, late.row.task.id, done=True),)
    }


def _lettered(corpus: Corpus) -> dict:
    """A thư giao nhiệm vụ sent for the last directive: cited beside each of its overdue tasks."""
    return {"letters": (Letter(corpus.directives[-1].id, dt.date(2025, 3, 1), "12/TB-UBND"),)}


def _overdue_text(corpus: Corpus) -> Corpus:
    """The text of a task on the overdue list edited (one shown by its text: no title)."""
    return _overdue_edited(corpus, lambda t: dataclasses.replace(t, text="Sửa. " + t.text))


def _longer_overdue(corpus: Corpus) -> Corpus:
    """A task on the overdue list made long enough to take more rows: the rows after it move down."""
    return _overdue_edited(corpus, lambda t: dataclasses.replace(t, text=(t.text + " ") * 12))


def _overdue_edited(corpus: Corpus, change) -> Corpus:
    """The first top-level task on the overdue list shown by its text (no title) changed by ``change``."""
    for status in assess(build_matrix(corpus), (), AS_OF):
        task, directive = status.entry.row.task, status.entry.row.directive
        if status.state is State.OVERDUE and task.title is None and task in directive.tasks:
            return _edit_task(corpus, change, corpus.directives.index(directive), directive.tasks.index(task))
    raise AssertionError("no overdue task")


STATUS_CHANGES: dict[str, Callable[[Corpus], tuple[Corpus, dict]]] = {
    "rows moved": lambda corpus: (_longer_overdue(corpus), {}),
    "nothing": lambda corpus: (corpus, {}),
    "task text": lambda corpus: (_overdue_text(corpus), {}),
    "agency name": lambda corpus: (_agency(corpus), {}),
    "a report": lambda corpus: (corpus, _reported(corpus)),
    "a letter": lambda corpus: (corpus, _lettered(corpus)),
    "status date": lambda corpus: (corpus, {"as_of": AS_OF + dt.timedelta(days=40)}),
}


@pytest.mark.parametrize("change", STATUS_CHANGES)
def test_a_status_workbook_from_kept_blocks_is_the_one_written_afresh(change, tmp_path, caches, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1782000000")  # the workbook's "created": the two saves compare
    corpus = make_corpus(30, 400, 8, seed=3)
    kept = tmp_path / "cache" / "status.json"
    _status(corpus, tmp_path / "first.xlsx", kept)
    assert caches[0].hits == 0 and caches[0].misses > 0
    changed, options = STATUS_CHANGES[change](corpus)
    _status(changed, tmp_path / "kept.xlsx", kept, **options)
    _status(changed, tmp_path / "afresh.xlsx", None, **options)
    assert _parts(tmp_path / "kept.xlsx") == _parts(tmp_path / "afresh.xlsx")
    with zipfile.ZipFile(tmp_path / "kept.xlsx") as archive:
        assert archive.testzip() is None
    again = caches[1]
    if change == "nothing":
        assert again.misses == 0 and again.hits == caches[0].misses
    elif change == "task text":  # the blocks showing it only
        assert 0 < again.misses < again.hits
    else:
        assert again.misses > 0


def test_a_stale_text_identity_would_show_the_old_task_in_the_status_workbook(tmp_path, monkeypatch):
    """The overdue list knows a task's text by its digest: made stale, a kept block would show the old text."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1782000000")
    monkeypatch.setattr(status_excel, "digest", lambda text: "stale")
    corpus = make_corpus(30, 400, 8, seed=3)
    kept = tmp_path / "status.json"
    _status(corpus, tmp_path / "first.xlsx", kept)
    changed = _overdue_text(corpus)
    _status(changed, tmp_path / "kept.xlsx", kept)
    _status(changed, tmp_path / "afresh.xlsx", None)
    assert _parts(tmp_path / "kept.xlsx") != _parts(tmp_path / "afresh.xlsx")
