"""Limits on what is read (issue 14): only regular files, bounded sizes, bounded nesting, all in Vietnamese."""

from __future__ import annotations

import os
import threading
import time
import zipfile
from pathlib import Path

import pytest

import matrix.input.yamlio

from .helpers.safety import directive, english_words, make_project, run


@pytest.fixture
def project(tmp_path, monkeypatch):
    make_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "input" / "ct-thu.yaml").write_text(directive(), encoding="utf-8")
    return tmp_path


def vietnamese_refusal(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and not english_words(result.output), result.output
    for word in words:
        assert word in result.output, result.output


def timed(*args: str, limit: float = 20.0):
    """Run the CLI in a thread; fail (instead of hanging the suite) when it takes longer than ``limit``."""
    box: list = []
    worker = threading.Thread(target=lambda: box.append(run(*args)), daemon=True)
    start = time.monotonic()
    worker.start()
    worker.join(limit)
    assert box, f"matrix {' '.join(args)} still running after {limit} s"
    return box[0], time.monotonic() - start


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_E35_a_device_as_registry_is_refused_at_once(project, device):
    result, _ = timed("validate", "--registry", device)
    vietnamese_refusal(result, "không phải tệp văn bản thường")


def test_E35_a_fifo_or_a_folder_named_yaml_is_refused(project):
    os.mkfifo(project / "input" / "ong-dan.yaml")
    (project / "input" / "thu-muc.yaml").mkdir()
    result, _ = timed("validate")
    vietnamese_refusal(result, "ong-dan.yaml", "thu-muc.yaml", "ống dẫn", "thư mục")
    result, _ = timed("validate", "--registry", str(project / "input" / "ong-dan.yaml"))
    vietnamese_refusal(result, "ống dẫn")


def test_E35_an_input_folder_that_cannot_be_opened(project, monkeypatch):
    real = os.listdir

    def refused(path="."):
        if Path(path).name == "input":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "listdir", refused)
    result = run("validate")
    vietnamese_refusal(result, "không mở được thư mục: không có quyền truy cập")


def test_E36_an_anchored_text_aliased_many_times_is_refused_quickly(project):
    big = "x" * (4_500_000)
    tasks = "".join(f'  - id: "{i}"\n    text: *t\n    assign:\n      chủ trì: Công an tỉnh\n' for i in range(2, 302))
    text = directive().replace("    text: Giao Công an tỉnh chủ trì.", f"    text: &t {big}") + tasks
    (project / "input" / "ct-thu.yaml").write_text(text, encoding="utf-8")
    result, seconds = timed("validate")
    vietnamese_refusal(result, "khi mở các bí danh")
    assert seconds < 15


def test_E36_deep_nesting_is_refused_with_its_line(project):
    lines = [
        "id: ct-thu",
        "kind: chỉ thị",
        "title: Về",
        "issuer:",
        "  name: Chủ tịch UBND tỉnh",
        "  kind: nhà nước",
        "tasks:",
    ]
    for depth in range(256):
        pad = "  " * (2 * depth)
        lines += [f'{pad}  - id: "{depth}"', f"{pad}    text: Mục {depth}", f"{pad}    tasks:"]
    lines.append(f"{'  ' * 512}  - text: cuối")
    (project / "input" / "ct-thu.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result, _ = timed("validate")
    vietnamese_refusal(result, "lồng nhau quá sâu", "ct-thu.yaml:")
    result, _ = timed("build")
    vietnamese_refusal(result, "lồng nhau quá sâu")


@pytest.mark.parametrize(
    "text, line, words",
    [
        ('id: ct-thu\ntitle: "Về bảo đảm\nkind: chỉ thị\n\n\n\n\n\nissuer: x\n', 2, ("ngoặc", "chưa được đóng")),
        ("id: ct-thu\ntitle: @Về\n", 2, ("không được đứng đầu",)),
        ('id: ct-thu\ntitle: "Về \\q"\n', 2, ("mã thoát",)),
        ("id: ct-thu\ntitle: " + "[" * 2000 + "\n", 2, ("lồng nhau quá sâu",)),
        ("id: ct-thu\nissuer:\n\u00a0 name: UBND\n", 3, ("U+00A0",)),
        ("id: ct-thu\nbase: &b {kind: chỉ thị}\nx:\n  <<: *b\n", 4, ("'<<'",)),
        ("id: ct-thu\ntitle: [a, b\nkind: x\n", 3, ("chưa đóng",)),
    ],
)
def test_E01_pyyaml_wordings_are_vietnamese_with_the_right_line(project, text, line, words):
    (project / "input" / "ct-thu.yaml").write_text(text, encoding="utf-8")
    result = run("validate")
    vietnamese_refusal(result, f"ct-thu.yaml:{line}:", *words)


def test_E35_a_docx_zip_bomb_is_refused_before_unpacking(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    make_project(tmp_path)
    bomb = tmp_path / "bom.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", b" " * (400 * 1024 * 1024))
    assert bomb.stat().st_size < 2 * 1024 * 1024
    result, seconds = timed("draft", str(bomb))
    vietnamese_refusal(result, "giải nén ra quá lớn")
    assert seconds < 10


def _docx_with_footnotes(path: Path, footnotes: bytes) -> Path:
    from docx import Document
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    doc = Document()
    doc.add_paragraph("CHỈ THỊ")
    doc.add_paragraph("1. Giao Công an tỉnh chủ trì theo dõi.")
    kind = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
    doc.part.relate_to(Part(PackURI("/word/footnotes.xml"), kind, footnotes, doc.part.package), RT.FOOTNOTES)
    doc.save(str(path))
    return path


@pytest.mark.parametrize(
    "footnotes",
    [
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:footnote w:id="1">'
        b"<w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:footnote></w:footnotes>",
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
        b'<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:footnote w:id="1">'
        b"<w:p><w:r><w:t>&d;&d;&d;&d;</w:t></w:r></w:p></w:footnote></w:footnotes>",
        b'<?xml version="1.0"?><w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:foot',
    ],
)
def test_E35_a_docx_with_a_hostile_or_truncated_footnotes_part(tmp_path, monkeypatch, footnotes):
    monkeypatch.chdir(tmp_path)
    make_project(tmp_path)
    path = _docx_with_footnotes(tmp_path / "chi-thi.docx", footnotes)
    result, _ = timed("draft", str(path))
    assert result.exit_code in (0, 2), result.output
    assert not english_words(result.output.split("\n")[-2] if result.exit_code else "")
    assert (
        "root:" not in result.output
        and "Traceback" not in result.output
        and "aaaaaaaaaaaaaaaaaaaa" not in result.output
    )


@pytest.mark.parametrize("char", ["\x0b", "\x00", "\x1b", "\x07"])
def test_E32_a_draft_source_with_control_characters(tmp_path, monkeypatch, char):
    monkeypatch.chdir(tmp_path)
    make_project(tmp_path)
    source = tmp_path / "chi-thi.txt"
    source.write_text(
        f"ỦY BAN NHÂN DÂN\nTỈNH TIỀN GIANG\nCHỈ THỊ\nVề an ninh{char}trật tự\n"
        f"1. Giao Công an tỉnh chủ trì{char}\x1b[2J theo dõi.\n",
        encoding="utf-8",
    )
    result = run("draft", str(source))
    assert result.exit_code == 0, result.output
    assert not matrix.input.yamlio.CONTROL_CHARS.search(result.output), repr(result.output)
