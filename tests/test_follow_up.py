"""Theo dõi, đôn đốc (second part): `due:` overrides, unread phrases in `validate`, the Tình hình workbook, đôn đốc letters."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest
from click.testing import CliRunner

from conftest import INPUT
from matrix.cli import main
from matrix.dump import dump_directive
from matrix.load import load_corpus
from matrix.pivot import build_matrix
from matrix.tracking import State, assess, load_records

TG = "tiengiang-ubnd-ct-antt-2025"
TASK_7_REPORT = "    report: định kỳ 6 tháng, năm báo cáo kết quả về UBND tỉnh\n"


@pytest.fixture()
def folder(tmp_path):
    target = tmp_path / "input"
    shutil.copytree(INPUT, target)
    return target


def _run(*args):
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def _edit(folder, old: str, new: str) -> None:
    path = folder / f"{TG}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(folder, needle: str) -> int:
    lines = (folder / f"{TG}.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


# ------------------------------------------------------------------ due: and unread phrases

def test_due_overrides_the_deadline_text(folder):
    _edit(folder, TASK_7_REPORT, TASK_7_REPORT + "    deadline: khi có hướng dẫn của Bộ Công an\n    due: [15/10/2025, 2025-09-30]\n")
    result = load_corpus([folder])
    corpus = result.require()
    task = next(t for t, _ in corpus.directive(TG).walk() if t.id == "7")
    assert task.due == (dt.date(2025, 9, 30), dt.date(2025, 10, 15))
    assert task.deadline == "khi có hướng dẫn của Bộ Công an"  # the text stays as written
    assert not [p for p in result.warnings if "khi có hướng dẫn" in p.message]  # due: answers it
    statuses = assess(build_matrix(corpus), (), dt.date(2025, 10, 20))
    lead = next(s for s in statuses if s.entry.row.task.id == "7" and s.entry.agency.id == "cong-an-tinh")
    assert lead.deadline == dt.date(2025, 10, 15) and lead.state is State.OVERDUE


def test_due_round_trips_through_dump(folder):
    _edit(folder, TASK_7_REPORT, TASK_7_REPORT + "    due: 15/10/2025\n")
    corpus = load_corpus([folder]).require()
    text = dump_directive(corpus.directive(TG), corpus.registry)
    assert "due: '2025-10-15'" in text or "due: 2025-10-15" in text or 'due: "2025-10-15"' in text
    (folder / f"{TG}.yaml").write_text(text, encoding="utf-8")
    again = load_corpus([folder]).require()
    assert again.directive(TG) == corpus.directive(TG)


def test_bad_due_is_an_error_with_file_and_line(folder):
    _edit(folder, TASK_7_REPORT, TASK_7_REPORT + "    due: [2025-09-30, 31/02/2025]\n")
    code, out = _run("validate", str(folder))
    assert code == 2
    line = _line_of(folder, "31/02/2025")
    assert f"{TG}.yaml:{line}:" in out and "31/02/2025" in out and "không tồn tại" in out


def test_validate_warns_about_texts_it_cannot_date_but_not_open_ended_ones(folder):
    _edit(folder, TASK_7_REPORT, TASK_7_REPORT + "    deadline: sau khi có hướng dẫn của Bộ Công an\n")
    code, out = _run("validate", str(folder))
    assert code == 0, out
    line = _line_of(folder, "sau khi có hướng dẫn")
    column = (folder / f"{TG}.yaml").read_text(encoding="utf-8").splitlines()[line - 1].index("sau") + 1
    warned = [w for w in out.splitlines() if "không hiểu" in w]
    assert warned == [w for w in warned if w.startswith(f"{folder / TG}.yaml:{line}:{column}: ")] and len(warned) == 1, out
    assert "sau khi có hướng dẫn của Bộ Công an" in warned[0] and "due:" in warned[0]
    # "kịp thời báo cáo", "theo quy định": open-ended on purpose, not warned about
    assert "kịp thời" not in out
    code, out = _run("validate", "--strict", str(folder))
    assert code == 2


def test_seeds_pass_strict_validation():
    code, out = _run("validate", "--strict", str(INPUT))
    assert code == 0, out
