"""Incremental builds: each document's content key changes exactly when what it reads changes, a document whose
key the previous build recorded is reused, and an incremental build writes the same bytes as a full one."""

from __future__ import annotations

import dataclasses
import datetime as dt
import multiprocessing as mp
import shutil
import zipfile
from pathlib import Path

import pytest

import matrix.build.keys
from matrix.build.outputs import EXPORTS, plan_items
from matrix.build.outputs import STATUS_WORKBOOK as STATUS
from matrix.build.pipeline import BuildOptions, BuildPlan, build, build_unchanged, plan_build
from matrix.build.publish import MANIFEST
from matrix.core.model import Corpus, Directive, IssuerKind
from matrix.core.text import safe_filename
from matrix.input.dump import dump_directive
from matrix.input.load import load_corpus
from matrix.tracking.records import Record, State
from matrix.writers.reminders import plan_reminders
from matrix.writers.templates import PACKAGE_TEMPLATES
from matrix.writers.word import LETTER_TEMPLATES

from .helpers import INPUT, run_cli
from .helpers.keys import rendered_after_task_edit

EPOCH = "1752548645"  # 2025-07-15: the documents' stamp, so that two builds can be compared byte for byte
AS_OF = dt.date(2025, 7, 15)
Place = tuple[str, str, str | None]  # unit, view folder, agency


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return load_corpus([INPUT]).require()


def keyed(plan: BuildPlan) -> dict[Place, str]:
    return {(i.unit, plan.views[i.view][0], i.agency): i.key for i in plan_items(plan)}


def changed(before: dict[Place, str], after: dict[Place, str]) -> set[Place]:
    """The documents whose key differs, or that only one of the two builds has."""
    return {place for place in before.keys() | after.keys() if before.get(place) != after.get(place)}


def edit_first_task(directive: Directive) -> Directive:
    first = directive.tasks[0]
    return dataclasses.replace(
        directive, tasks=(dataclasses.replace(first, text=first.text + " (sửa)"), *directive.tasks[1:])
    )


def with_directive(corpus: Corpus, directive: Directive) -> Corpus:
    return dataclasses.replace(
        corpus, directives=tuple(directive if d.id == directive.id else d for d in corpus.directives)
    )


def test_the_same_inputs_give_the_same_keys(corpus):
    plan = plan_build(corpus, BuildOptions(as_of=AS_OF))
    assert keyed(plan) == keyed(plan_build(load_corpus([INPUT]).require(), BuildOptions(as_of=AS_OF)))


def test_a_task_edit_changes_the_documents_that_print_that_task(corpus):
    before = plan_build(corpus, BuildOptions(as_of=AS_OF))
    target = corpus.directives[2]
    after = plan_build(with_directive(corpus, edit_first_task(target)), BuildOptions(as_of=AS_OF))
    folder = safe_filename(target.id)
    own = next(view for name, view in after.views if name == folder)
    consolidated = after.views[-1][1]
    edited = target.tasks[0].id

    def reads(entry) -> bool:  # a letter prints its agency's tasks with their parents and sub-tasks
        return entry.row.directive.id == target.id and edited in {n.id for n in entry.row.node.chain()}

    holders = {e.agency.id for e in consolidated.entries if reads(e)}
    addressed = {e.agency.id for e in own.entries if reads(e)}
    late = {
        r.agency.id
        for r in plan_reminders(after.statuses)
        if any(reads(s.entry) for s in r.items)  # a reminder quotes its overdue tasks as a letter does
    }
    expected = rendered_after_task_edit(folder, addressed, holders, late)
    assert holders and len(holders) < len(consolidated.columns)  # some extracts stay
    assert addressed and len(addressed) < len(own.columns)  # and some of the directive's letters
    assert changed(keyed(before), keyed(after)) == expected


def test_an_alias_changes_only_the_letters_to_that_agency(corpus):
    before = plan_build(corpus, BuildOptions(as_of=AS_OF))
    agency = before.views[-1][1].columns[0]
    aliased = dataclasses.replace(agency, aliases=(*agency.aliases, "Cơ quan thử bí danh"))
    registry = dataclasses.replace(
        corpus.registry, agencies=tuple(aliased if a.id == agency.id else a for a in corpus.registry.agencies)
    )
    after = plan_build(dataclasses.replace(corpus, registry=registry), BuildOptions(as_of=AS_OF))
    late = {r.agency.id for r in plan_reminders(after.statuses)}
    expected = {
        *(("letters", name, agency.id) for name, view in after.views[:-1] if agency.id in {a.id for a in view.columns}),
        ("extracts", "tong-hop", agency.id),
        *([("reminders", "tong-hop", agency.id)] if agency.id in late else []),
    }
    assert len(expected) > 2
    assert changed(keyed(before), keyed(after)) == expected  # workbooks and tables do not print aliases


def test_a_template_edit_changes_the_documents_made_from_it(corpus, tmp_path):
    before = keyed(plan_build(corpus, BuildOptions(as_of=AS_OF, templates=tmp_path)))
    name = LETTER_TEMPLATES[corpus.directives[0].issuer.kind]
    (tmp_path / name).write_bytes((PACKAGE_TEMPLATES / name).read_bytes() + b"\0")  # the clerk's own copy
    after = plan_build(corpus, BuildOptions(as_of=AS_OF, templates=tmp_path))
    kinds = {safe_filename(d.id): d.issuer.kind for d in corpus.directives}
    expected = {
        place
        for place in keyed(after)
        if place[0] == "extracts"  # the consolidated letters of each issuer come with the extracts
        or (place[0] == "letters" and LETTER_TEMPLATES[kinds[place[1]]] == name)
    }
    assert {p[0] for p in expected} == {"letters", "extracts"}
    assert changed(before, keyed(after)) == expected


def test_a_new_report_changes_the_status_workbook_and_that_agencys_reminder_only(corpus):
    before = plan_build(corpus, BuildOptions(as_of=AS_OF))
    status = next(s for s in before.statuses if s.state is State.OVERDUE)
    entry = status.entry
    report = Record(entry.row.directive.id, entry.agency.id, entry.written, AS_OF, entry.row.task.id, done=True)
    after = plan_build(corpus, BuildOptions(as_of=AS_OF), records=(report,))
    assert changed(keyed(before), keyed(after)) == {
        ("status", "tong-hop", None),
        ("reminders", "tong-hop", entry.agency.id),
    }


def test_the_date_moving_past_a_deadline_changes_the_status_and_the_reminders_only(corpus, monkeypatch):
    first = plan_build(corpus, BuildOptions(as_of=AS_OF))
    due = min(s.overdue_since for s in first.statuses if s.overdue_since is not None)
    day = {"today": due - dt.timedelta(days=1)}
    monkeypatch.setattr("matrix.build.pipeline.today", lambda: day["today"])  # the build's today, no --as-of
    before = plan_build(corpus)
    day["today"] = due + dt.timedelta(days=1)
    after = plan_build(corpus)
    assert len(plan_reminders(after.statuses)) > len(plan_reminders(before.statuses))
    assert changed(keyed(before), keyed(after)) == {
        ("status", "tong-hop", None),
        *(("reminders", "tong-hop", r.agency.id) for r in plan_reminders(after.statuses)),
    }


def test_a_version_bump_changes_every_key(corpus, monkeypatch):
    before = keyed(plan_build(corpus, BuildOptions(as_of=AS_OF)))
    monkeypatch.setattr(matrix.build.keys, "__version__", "99.0")
    after = keyed(plan_build(corpus, BuildOptions(as_of=AS_OF)))
    assert before.keys() == after.keys() and changed(before, after) == set(before)


# --------------------------------------------------------------------------- builds


class _FrozenClock:
    """zipfile dates each entry of a .docx/.xlsx with the wall clock, and openpyxl stamps a workbook's "modified"
    property with it when saving: both fixed here, so that two builds of the same inputs can be compared byte for
    byte (matrix's own dates follow SOURCE_DATE_EPOCH)."""

    class datetime(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime.fromtimestamp(int(EPOCH), tz)

    timezone = dt.timezone

    @staticmethod
    def time() -> float:
        return float(EPOCH)

    @staticmethod
    def localtime(seconds: float | None = None):
        import time

        return time.gmtime(float(EPOCH))


def frozen_clock(monkeypatch) -> None:
    import openpyxl.writer.excel

    monkeypatch.setattr(zipfile, "time", _FrozenClock)
    monkeypatch.setattr(openpyxl.writer.excel, "datetime", _FrozenClock)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }


def project(tmp_path: Path) -> Path:
    folder = tmp_path / "input"
    shutil.copytree(INPUT, folder)
    return folder


def test_an_incremental_build_writes_what_a_full_build_writes(tmp_path, monkeypatch):
    frozen_clock(monkeypatch)
    inputs = project(tmp_path)
    out = tmp_path / "output"
    first = build(plan_build(load_corpus([inputs]).require(), BuildOptions(as_of=AS_OF)), out)
    assert first.reused == 0
    # a task edited, a directive removed (its outputs must go), an agency renamed (every document naming it)
    corpus = load_corpus([inputs]).require()
    target = next(d for d in corpus.directives if d.id == "tiengiang-ubnd-ct-antt-2025")
    last = target.tasks[-1]
    edited = dataclasses.replace(
        target, tasks=(*target.tasks[:-1], dataclasses.replace(last, text=last.text + " Sửa."))
    )
    (inputs / f"{target.id}.yaml").write_text(dump_directive(edited, corpus.registry), encoding="utf-8")
    letters = sorted((out / target.id / "thu-giao-nhiem-vu").glob("*.docx"))
    inodes = {p.name: p.stat().st_ino for p in letters}
    (inputs / "hungyen-tinhuy-ct-antt-2024.yaml").unlink()
    registry = inputs / "co-quan.yaml"
    registry.write_text(
        registry.read_text(encoding="utf-8").replace("Sở Tư pháp", "Sở Tư pháp tỉnh", 1), encoding="utf-8"
    )
    plan = plan_build(load_corpus([inputs]).require(), BuildOptions(as_of=AS_OF))
    again = build(plan, out)
    assert 0 < again.rendered < len(plan_items(plan)) and again.reused > 0
    full = build(plan_build(load_corpus([inputs]).require(), BuildOptions(as_of=AS_OF, jobs=1)), tmp_path / "full")
    assert full.reused == 0
    assert not (out / "hungyen-tinhuy-ct-antt-2024").exists()
    kept = {p.name for p in letters if p.stat().st_ino == inodes[p.name]}  # reused: the same file, linked
    assert kept and len(kept) < len(letters)  # the letters printing the edited task were rendered again
    assert snapshot(out) == snapshot(tmp_path / "full")
    assert sorted(again.files) == sorted(full.files)


def test_with_nothing_changed_every_document_is_reused_and_the_folder_left_alone(tmp_path, monkeypatch):
    frozen_clock(monkeypatch)
    inputs = project(tmp_path)
    out = tmp_path / "output"
    first = build(plan_build(load_corpus([inputs]).require(), BuildOptions(as_of=AS_OF)), out)
    before = {str(p): p.stat().st_ino for p in out.rglob("*")}
    second = build(plan_build(load_corpus([inputs]).require(), BuildOptions(as_of=AS_OF)), out)
    assert second.rendered == 0 and second.reused == len(first.files) == len(second.files)
    assert (second.letters, second.workbooks, second.tables) == (first.letters, first.workbooks, first.tables)
    assert {str(p): p.stat().st_ino for p in out.rglob("*")} == before


def test_a_published_file_changed_since_is_not_reused(tmp_path, monkeypatch):
    frozen_clock(monkeypatch)
    inputs = project(tmp_path)
    out = tmp_path / "output"
    build(plan_build(load_corpus([inputs]).require(), BuildOptions(as_of=AS_OF)), out)
    letter = next((out / "tiengiang-ubnd-ct-antt-2025" / "thu-giao-nhiem-vu").glob("*.docx"))
    rendered = letter.read_bytes()
    letter.write_bytes(b"sua tay")  # edited by hand: kept, and the new letter written beside it
    second = build(plan_build(load_corpus([inputs]).require(), BuildOptions(as_of=AS_OF)), out)
    assert second.rendered == 1
    assert letter.read_bytes() == b"sua tay"
    assert letter.with_name(f"{letter.stem} (mới).docx").read_bytes() == rendered


def _edited_template(folder: Path) -> Path:
    """The clerk's copy of the State letter template, one word changed."""
    name = LETTER_TEMPLATES[IssuerKind.STATE]
    folder.mkdir(exist_ok=True)
    with zipfile.ZipFile(PACKAGE_TEMPLATES / name) as source, zipfile.ZipFile(folder / name, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                data = data.replace("Nơi nhận".encode(), "Nơi nhận bản này".encode(), 1)
            target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return folder


@pytest.mark.parametrize("change", ["report", "template", "date", "version"])
def test_after_each_kind_of_change_an_incremental_build_matches_a_full_one(change, tmp_path, monkeypatch):
    """Nothing stale survives: a reminder whose task was reported done goes, letters follow the edited template,
    reminders follow the date, a new version renders everything."""
    frozen_clock(monkeypatch)
    corpus = load_corpus([INPUT]).require()
    day = {"today": AS_OF}
    monkeypatch.setattr("matrix.build.pipeline.today", lambda: day["today"])
    out = tmp_path / "output"
    first = build(plan_build(corpus), out)
    records: tuple[Record, ...] = ()
    options = BuildOptions()
    if change == "report":  # the one overdue assignment reported done: its reminder must go
        late = next(s for s in plan_build(corpus).statuses if s.state is State.OVERDUE).entry
        records = (Record(late.row.directive.id, late.agency.id, late.written, AS_OF, late.row.task.id, done=True),)
    elif change == "template":
        options = BuildOptions(templates=_edited_template(tmp_path / "mau"))
    elif change == "date":
        day["today"] = AS_OF + dt.timedelta(days=200)
    else:
        monkeypatch.setattr(matrix.build.keys, "__version__", "99.0")
    again = build(plan_build(corpus, options, records=records), out)
    full = build(plan_build(corpus, dataclasses.replace(options, jobs=1), records=records), tmp_path / "full")
    assert snapshot(out) == snapshot(tmp_path / "full") and again.files == full.files
    if change == "version":
        assert again.reused == 0
    else:
        assert again.rendered > 0 and again.reused > 0
    if change == "report":
        assert first.reminders == 1 and again.reminders == 0 and not (out / "tong-hop" / "don-doc").exists()


# --------------------------------------------------------------------------- nothing changed: nothing loaded


def _no_loading(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("the build loaded its inputs")

    monkeypatch.setattr("matrix.build.pipeline.prepare", refuse)


def test_with_nothing_changed_a_build_loads_nothing_and_says_what_the_last_one_said(tmp_path, monkeypatch):
    inputs = project(tmp_path)
    (inputs / "hong.yaml").write_text("id: hong\nkind: [\n", encoding="utf-8")  # left out, and said again
    (inputs / "tiengiang-ubnd-ct-antt-2025.yaml").rename(inputs / "tg.yaml")  # a warning, told again
    out = tmp_path / "output"
    code, said = run_cli("build", inputs, "-o", out, "-j", "1")
    assert code == 2 and "Bỏ qua văn bản 'hong'" in said and "khác tên tệp 'tg.yaml'" in said
    inodes = {str(p): p.stat().st_ino for p in out.rglob("*")}
    _no_loading(monkeypatch)
    again_code, again = run_cli("build", inputs, "-o", out, "-j", "1")
    assert again_code == 2
    files = len([p for p in out.rglob("*") if p.is_file() and p.name != MANIFEST])
    lines = said.splitlines()
    at = next(n for n, line in enumerate(lines) if line.startswith("Đã tạo")) + 1
    assert again.splitlines() == [
        *lines[:at],
        f"Trong đó {files} tệp không đổi được dùng lại từ lần tạo trước.",
        *lines[at:],
    ]
    assert {str(p): p.stat().st_ino for p in out.rglob("*")} == inodes


def _change(change: str, inputs: Path, out: Path, monkeypatch) -> list[str]:
    """Make one change a build reads; return the options of the build after it."""
    if change == "directive":
        path = inputs / "tiengiang-ubnd-ct-antt-2025.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("Giao Công an", "Giao  Công an", 1), encoding="utf-8")
    elif change == "registry":
        path = inputs / "co-quan.yaml"
        path.write_text(path.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    elif change == "records":
        assert (
            run_cli("report", "Công an tỉnh", "tiengiang-ubnd-ct-antt-2025", "--ngay", "2025-06-28", "-i", inputs)[0]
            == 0
        )
    elif change == "template":
        _edited_template(inputs.parent / "mau")
        return ["--templates", str(inputs.parent / "mau")]
    elif change == "paper":
        return ["--paper", "A3"]
    elif change == "date":
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(EPOCH) + 86400))
    elif change == "output":
        next((out / "tiengiang-ubnd-ct-antt-2025" / "thu-giao-nhiem-vu").glob("*.docx")).unlink()
    elif change == "version":
        monkeypatch.setattr("matrix.build.inputs.__version__", "99.0")
        monkeypatch.setattr(matrix.build.keys, "__version__", "99.0")
    return []


@pytest.mark.parametrize(
    "change", ["directive", "registry", "records", "template", "paper", "date", "output", "version"]
)
def test_any_change_a_build_reads_is_built_again_as_a_full_build_would(change, tmp_path, monkeypatch):
    frozen_clock(monkeypatch)
    inputs = project(tmp_path)
    out = tmp_path / "output"
    assert run_cli("build", inputs, "-o", out, "-j", "1")[0] == 0
    assert build_unchanged([inputs], None, BuildOptions(), out) is not None  # the control: nothing changed yet
    options = _change(change, inputs, out, monkeypatch)
    parsed = (
        BuildOptions(paper="A3")
        if change == "paper"
        else BuildOptions(templates=inputs.parent / "mau")
        if change == "template"
        else BuildOptions()
    )
    assert build_unchanged([inputs], None, parsed, out) is None
    assert run_cli("build", inputs, "-o", out, "-j", "1", *options)[0] == 0
    assert run_cli("build", inputs, "-o", tmp_path / "full", "-j", "1", *options)[0] == 0
    assert snapshot(out) == snapshot(tmp_path / "full")
    assert build_unchanged([inputs], None, parsed, out) is not None  # and the next build is quick again


# --------------------------------------------------------------------------- pieces started before the keys


@pytest.mark.skipif("fork" not in mp.get_all_start_methods(), reason="pieces start early in forked workers only")
@pytest.mark.parametrize("change", ["task", "report", "nothing"])
def test_the_pieces_started_before_the_keys_are_taken_only_when_their_key_is_new(change, tmp_path, monkeypatch):
    """A build whose directives were read anew starts the consolidated pieces before keying; each is taken when its
    key is not reusable (else the published file is linked) and the output is a full build's, byte for byte."""
    import matrix.build.pipeline as pipeline

    frozen_clock(monkeypatch)
    monkeypatch.setattr("matrix.build.pipeline.today", lambda: AS_OF)
    corpus = load_corpus([INPUT]).require()
    options = BuildOptions(jobs=2)
    out = tmp_path / "output"
    build(plan_build(corpus, options), out)
    records: tuple[Record, ...] = ()
    if change == "task":
        target = corpus.directives[0]
        corpus = with_directive(corpus, edit_first_task(target))
    elif change == "report":  # the status workbook reads it, the consolidated workbook, table and exports do not
        late = next(s for s in plan_build(corpus).statuses if s.state is State.OVERDUE).entry
        records = (Record(late.row.directive.id, late.agency.id, late.written, AS_OF, late.row.task.id, done=True),)
    started: list[str] = []
    taken: list[str] = []
    start, take = pipeline._Workers.start_early, pipeline._Workers._take

    def spied_start(self, pieces):
        started.extend(p.unit for p in pieces)
        return start(self, pieces)

    def spied_take(self, done):
        taken.extend(rel for _, files in done for rel in files)
        return take(self, done)

    monkeypatch.setattr(pipeline._Workers, "start_early", spied_start)
    monkeypatch.setattr(pipeline._Workers, "_take", spied_take)
    plan = dataclasses.replace(plan_build(corpus, options, records=records), fresh=True)
    again = build(plan, out)
    assert sorted(started) == ["exports", "status", "table", "workbook"]
    expected = {
        "task": [*EXPORTS, *(f"tong-hop/{name}" for name in ("bang-phan-cong.docx", "ma-tran.xlsx", STATUS))],
        "report": [f"tong-hop/{STATUS}"],
        "nothing": [],
    }[change]
    assert sorted(taken) == expected
    full = build(plan_build(corpus, dataclasses.replace(options, jobs=1), records=records), tmp_path / "full")
    assert snapshot(out) == snapshot(tmp_path / "full") and again.files == full.files
    assert (again.rendered == 0) == (change == "nothing") and again.reused > 0
