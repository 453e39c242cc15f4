"""Templates are data, not programs: sandboxed, bounded, checked before anything is published (issue 14)."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from docx import Document

import matrix.writers.templates
from matrix.writers.templates import PACKAGE_TEMPLATES

from .helpers.safety import ONE, english_words, make_project, run, snapshot

LETTER = "thu-nha-nuoc.docx"  # the seed directive ONE is a State one


@pytest.fixture
def project(tmp_path, monkeypatch):
    make_project(tmp_path, ONE)
    monkeypatch.chdir(tmp_path)
    assert run("build").exit_code == 0
    return tmp_path


def template_with(folder: Path, text: str, name: str = LETTER, first: bool = False) -> Path:
    """A copy of a shipped template with a paragraph holding ``text`` added (first or last)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = Path(shutil.copy(PACKAGE_TEMPLATES / name, folder / name))
    doc = Document(str(path))
    if first:
        doc.paragraphs[0].insert_paragraph_before(text)
    else:
        doc.add_paragraph(text)
    doc.save(str(path))
    return folder


def refused(project: Path, text: str, *words: str, name: str = LETTER, first: bool = False) -> str:
    """Build with a template holding ``text``: exit 2, a Vietnamese message naming it, output/ untouched."""
    before = snapshot(project / "output")
    folder = template_with(project / "mau", text, name, first)
    result = run("build", "--templates", str(folder), "-j", "1")
    assert result.exit_code == 2, result.output
    assert str(folder / name) in result.output
    for word in words:
        assert word in result.output, result.output
    assert "Traceback" not in result.output and not english_words(result.output.replace(str(folder / name), "")), (
        result.output
    )
    assert snapshot(project / "output") == before
    assert not list(project.glob(".matrix-tmp-*")) and not list((project / "output").glob(".matrix-tmp-*"))
    return result.output


@pytest.mark.parametrize(
    "payload",
    [
        "{{ cycler.__init__.__globals__.os.popen('touch PWNED').read() }}",
        "{{ joiner.__init__.__globals__.os.popen('touch PWNED').read() }}",
        "{{ namespace.__init__.__globals__.os.popen('touch PWNED').read() }}",
        "{{ lipsum.__globals__['os'].popen('touch PWNED').read() }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ agency.__class__.__init__.__globals__ }}",
    ],
)
def test_E28_a_template_cannot_run_commands(project, payload):
    output = refused(project, f"Chèn: {payload}")
    assert not (project / "PWNED").exists()
    if "__class__" in payload:
        assert "bị cấm vì lý do an toàn" in output and "Tại đoạn văn thứ" in output, output


@pytest.mark.parametrize(
    "payload, words",
    [
        ("{{ 1/0 }}", ("chia cho 0",)),
        ("{% macro m(n) %}{{ m(n) }}{% endmacro %}{{ m(1) }}", ("đệ quy",)),
        ("{{ 'x' * 10**10 }}", ("quá lớn",)),
        ("{{ 'x' * 10000000 * 10 }}", ("quá lớn",)),
        ("{% for i in range(10**9) %}x{% endfor %}", ("quá lớn",)),
        ("{{ 'x'|center(1000000000) }}", ("quá lớn",)),
        ("{{ agency.name|int + 'a' }}", ("không hợp lệ",)),
    ],
)
def test_E29_a_template_that_fails_at_run_time_is_an_input_error(project, payload, words):
    output = refused(project, f"Lỗi: {payload}", *words)
    assert re.search(r"Tại đoạn văn thứ \d+: «Lỗi: ", output), output  # the place: the paragraph and its text


def test_E29_a_template_that_never_ends_is_stopped(project, monkeypatch):
    monkeypatch.setattr(matrix.writers.templates, "RENDER_SECONDS", 0.5)
    refused(project, "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}", "giây")


def test_E29_a_template_writing_too_much_is_stopped(project, monkeypatch):
    monkeypatch.setattr(matrix.writers.templates, "MAX_RENDER_CHARS", 100_000)
    refused(project, "{% for i in range(90000) %}{{ agency.name }}{% endfor %}", "quá nhiều chữ")


@pytest.mark.parametrize(
    "payload",
    ["Kính gửi {{ agency.name }", "{% if agency.requested %}đề nghị{% endif", "{{ agency.name }} }}", "{# ghi chú"],
)
@pytest.mark.parametrize("name", [LETTER, "bang-phan-cong.docx"])
def test_E30_a_tag_left_open_is_refused_before_any_letter_is_written(project, payload, name):
    refused(project, payload, "chưa đóng", "Tại đoạn văn thứ 1", name=name, first=True)


def test_E30_every_rendered_part_is_well_formed_xml(project):
    # each paragraph closes its tags, but the if runs from a paragraph into a table: when false it cuts Word's XML
    before = snapshot(project / "output")
    folder = template_with(project / "mau", "Mở {% if agency.requested %}đề nghị")
    doc = Document(str(folder / LETTER))
    doc.add_table(rows=1, cols=1).cell(0, 0).text = "thêm{% endif %} đóng"
    doc.save(str(folder / LETTER))
    result = run("build", "--templates", str(folder), "-j", "1")
    assert result.exit_code == 2, result.output
    assert "XML không hợp lệ" in result.output and str(folder / LETTER) in result.output
    assert snapshot(project / "output") == before


def test_E30_a_template_that_is_a_zip_bomb_is_refused(project, monkeypatch):
    monkeypatch.setattr(matrix.writers.templates, "MAX_TEMPLATE_BYTES", 1024 * 1024)
    folder = template_with(project / "mau", "thêm")
    with zipfile.ZipFile(folder / LETTER, "a") as package:
        package.writestr("word/bom.bin", b"\0" * (2 * 1024 * 1024), compress_type=zipfile.ZIP_DEFLATED)
    result = run("build", "--templates", str(folder), "-j", "1")
    assert result.exit_code == 2 and "giải nén ra quá lớn" in result.output, result.output


def test_the_sandbox_still_renders_the_shipped_templates(project):
    out = project / "output" / ONE / "thu-giao-nhiem-vu" / "tien-giang-cong-an-tinh.docx"
    assert "Công an tỉnh" in "\n".join(p.text for p in Document(str(out)).paragraphs)
