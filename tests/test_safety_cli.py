"""Every writing command keeps input files, every message is Vietnamese, and it works on a Windows PC (issue 14)."""

from __future__ import annotations

import codecs
import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

import matrix.build.pipeline

from .helpers import SEEDS
from .helpers.safety import ONE, directive, english_words, make_project, run


@pytest.fixture
def project(tmp_path, monkeypatch):
    make_project(tmp_path, ONE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _cli(project: Path, *args: str, env: dict[str, str] | None = None, stdout=subprocess.PIPE):
    path = str(Path(matrix.build.pipeline.__file__).parent.parent)
    return subprocess.run(
        [sys.executable, "-m", "matrix", *args],
        cwd=project,
        stdout=stdout,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": path, **(env or {})},
        timeout=120,
    )


# --------------------------------------------------------------------------- input files are never overwritten


def test_E37_draft_never_overwrites_the_registry(project):
    registry = project / "input" / "co-quan.yaml"
    before = registry.read_bytes()
    seed = SEEDS / "tiengiang-ubnd-ct-antt-2025.txt"
    for target in ("input/co-quan.yaml", f"input/{ONE}.yaml"):
        result = run("draft", str(seed), "-o", target)
        assert result.exit_code == 2 and "không ghi đè tệp đầu vào" in result.output and "--force" in result.output
    assert registry.read_bytes() == before
    assert run("draft", str(seed), "-o", "ban-nhap.yaml").exit_code == 0
    assert run("draft", str(seed), "-o", "ban-nhap.yaml").exit_code == 2  # a draft is an input file too
    assert run("draft", str(seed), "-o", "ban-nhap.yaml", "--force").exit_code == 0


def test_E37_export_and_build_never_write_over_inputs(project):
    before = (project / "input" / f"{ONE}.yaml").read_bytes()
    result = run("export", "-o", f"input/{ONE}.yaml")
    assert result.exit_code == 2 and "không ghi đè tệp đầu vào" in result.output
    assert (project / "input" / f"{ONE}.yaml").read_bytes() == before
    result = run("build", "-o", "input")
    assert result.exit_code == 2 and "trùng với thư mục đầu vào" in result.output, result.output
    result = run("build", "-o", ".")
    assert result.exit_code == 2 and "trùng với thư mục đầu vào" in result.output, result.output


# --------------------------------------------------------------------------- output errors


def test_E38_export_to_a_full_disk_exits_1_in_vietnamese(project):
    with open("/dev/full", "wb") as full:
        done = _cli(project, "export", stdout=full)
    err = done.stderr.decode("utf-8")
    assert done.returncode == 1 and "ổ đĩa đã đầy" in err, err
    assert "Traceback" not in err and not english_words(err), err


def test_E38_disk_full_in_a_worker_process_is_a_vietnamese_message(project, monkeypatch):
    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("matrix.writers.word.write_assignment_table", disk_full)  # forked workers inherit it
    result = run("build", "-j", "2")
    assert result.exit_code == 1 and "ổ đĩa đã đầy" in result.output, result.output
    assert "Traceback" not in result.output and not english_words(result.output)


# --------------------------------------------------------------------------- Windows


@pytest.mark.parametrize(
    "args",
    [
        ("validate",),
        ("show", "Công an tỉnh"),
        ("export",),
        ("export", "-f", "csv"),
        ("agencies",),
        ("validate", "khong-co.yaml"),
    ],
)
@pytest.mark.parametrize("codepage", ["cp1252", "cp1258", "ascii"])
def test_output_is_utf8_whatever_the_console_code_page(project, args, codepage):
    done = _cli(project, *args, env={"PYTHONIOENCODING": codepage})
    assert done.returncode in (0, 2), done.stderr.decode("utf-8", "replace")
    text = (done.stdout + done.stderr).decode("utf-8")
    assert "UnicodeEncodeError" not in text and ("ệ" in text or "ơ" in text or "ố" in text)


def test_export_to_a_file_for_excel(project):
    (project / "input" / "ct-thu.yaml").write_text(directive(texts=('"=HYPERLINK(\\"x\\")"',)), encoding="utf-8")
    result = run("export", "-o", "phan-cong.csv", "--sep", ";")
    assert result.exit_code == 0, result.output
    data = (project / "phan-cong.csv").read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["directive", "task", "agency", "role", "text"]
    assert any(r[4] == '\'=HYPERLINK("x")' for r in rows[1:])
    assert run("export", "-o", "phan-cong.xlsx").exit_code == 0
    from openpyxl import load_workbook

    sheet = load_workbook(project / "phan-cong.xlsx").active
    values = [c for row in sheet.iter_rows() for c in row]
    assert any(c.value == '=HYPERLINK("x")' and c.data_type == "s" for c in values)
    assert all(c.data_type != "f" for c in values)
    assert run("export", "-o", "phan-cong.json").exit_code == 0
    assert (project / "phan-cong.json").read_text(encoding="utf-8").startswith("{")


# --------------------------------------------------------------------------- every message is Vietnamese


def _write(project: Path, name: str, text: str | bytes) -> None:
    path = project / "input" / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))


def _template(project: Path, text: str) -> None:
    import shutil

    from docx import Document

    from matrix.writers.templates import PACKAGE_TEMPLATES

    (project / "mau").mkdir()
    path = Path(shutil.copy(PACKAGE_TEMPLATES / "thu-nha-nuoc.docx", project / "mau" / "thu-nha-nuoc.docx"))
    doc = Document(str(path))
    doc.add_paragraph(text)
    doc.save(str(path))


CASES = {
    "E06": (
        "validate",
        lambda p: _write(p, "x.yaml", directive(id="x", texts=("a", "b")).replace('id: "2"', 'id: "1"')),
    ),
    "E17": ("build --templates mau", lambda p: _template(p, "Đoạn: {% if %}")),
    "E18": ("build --templates mau", lambda p: _template(p, "{{ khong_co }}")),
    "E28": ("build --templates mau", lambda p: _template(p, "{{ ''.__class__.__mro__ }}")),
    "E29": ("build --templates mau", lambda p: _template(p, "{{ 1/0 }}")),
    "E30": ("build --templates mau", lambda p: _template(p, "{{ agency.name }")),
    "E01": ("validate", lambda p: _write(p, "x.yaml", "id: x\ntitle: a: b\n")),
    "E02": ("validate", lambda p: _write(p, "x.yaml", "id: x\nissuer:\n\tname: a\n")),
    "E03": ("validate", lambda p: _write(p, "x.yaml", directive(id="x", title="[a, b]"))),
    "E04": ("validate", lambda p: _write(p, "x.yaml", "id: x\n")),
    "E05": (
        "validate",
        lambda p: _write(p, "x.yaml", directive(id="x").replace("chủ trì: Công an tỉnh", "chủ trì: Công an tinh X")),
    ),
    "E07": ("validate", lambda p: _write(p, "x.yaml", directive(id="x").replace("2025-01-06", "30/02/2025"))),
    "E08": ("validate", lambda p: _write(p, "x.yaml", "")),
    "E09": ("validate", lambda p: _write(p, "x.yaml", "id: x\n".encode("utf-16"))),
    "E10": ("validate", lambda p: _write(p, "x.yaml", "id: x\ntitle: Hòa bình, Đà Lạt\n".encode("cp1258", "ignore"))),
    "E13": ("validate", lambda p: _write(p, "x.yaml", "id: !!python/object:os.system x\n")),
    "E14": (
        "validate",
        lambda p: _write(
            p,
            "x.yaml",
            "a: &a ["
            + ",".join(["x"] * 50)
            + "]\nb: &b ["
            + ",".join(["*a"] * 50)
            + "]\nc: &c ["
            + ",".join(["*b"] * 50)
            + "]\n",
        ),
    ),
    "E15": ("validate", lambda p: _write(p, "x.yaml", "a: " + "x" * (6 * 1024 * 1024) + "\n")),
    "E16": ("validate", lambda p: _write(p, "x.yaml", directive(id="../x"))),
    "E22": ("validate", lambda p: _write(p, "x.yaml", directive(id="x", texts=('""',)))),
    "missing-path": ("validate khong-co.yaml", None),
    "jobs-range": ("build -j 0", None),
    "paper": ("build --paper A5", None),
    "unknown-command": ("xay-dung", None),
    "unknown-option": ("build --khong-co", None),
    "show-unknown": ("show Không-có-cơ-quan-này", None),
    "draft-missing": ("draft khong-co.txt", None),
    "draft-docx-not-zip": ("draft van-ban.docx", lambda p: (p / "van-ban.docx").write_bytes(b"not a zip")),
    "draft-pdf-broken": ("draft van-ban.pdf", lambda p: (p / "van-ban.pdf").write_bytes(b"%PDF-1.4\nbroken")),
    "draft-folder": ("draft input", None),
    "templates-missing": ("build --templates khong-co", None),
    "registry-folder": ("validate --registry input", None),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_message_is_vietnamese(project, case):
    command, prepare = CASES[case]
    if prepare is not None:
        prepare(project)
    result = run(*command.split())
    assert result.exit_code in (1, 2), (case, result.exit_code, result.output)
    assert "Traceback" not in result.output
    assert not english_words(result.output), (case, english_words(result.output), result.output)
    assert "Thư Mục" not in result.output and "Tệp " not in result.output.replace("Tệp '", "")


@pytest.mark.parametrize(
    "english",
    [
        "found character that cannot start any token",
        "exceeded maximum nesting depth",
        "Is a directory",
        "Permission denied",
        "File exists",
        "Invalid cross-device link",
        "Unexpected end of template",
        "Package not found at 'x.docx'",
        "File has not been decrypted",
        "0 is not in the range x>=1.",
        "No space left on device",
        "'dict object' has no attribute 'x'",
    ],
)
def test_the_english_detector_catches_the_library_wordings_of_the_issue(english):
    assert english_words(f"input/x.yaml:1:1: lỗi: {english}")
