"""Letters and the assignment table: read back with python-docx and compared with the matrix."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from matrix.core.errors import MatrixError, TemplateProblem
from matrix.core.model import Assignment, Corpus, Issuer, IssuerKind, Role, Signer, Task
from matrix.core.pivot import Matrix, build_matrix
from matrix.writers.office import PdfUnavailable, convert_to_pdf
from matrix.writers.templates import PACKAGE_TEMPLATES, WordTemplateError
from matrix.writers.word import (
    EXTRACT_TEMPLATE,
    EXTRACTS_FOLDER,
    LETTER_TEMPLATES,
    TABLE_TEMPLATE,
    letter_count,
    write_assignment_table,
    write_consolidated,
    write_letters,
)

from .helpers.corpus import awkward_corpus, seed_matrix, small_corpus
from .helpers.word import addressee_line, assert_letter_matches, full_text, opening, paragraphs

STATE, PARTY = "ct-1", "cv-2"
TEMPLATE_NAMES = (*LETTER_TEMPLATES.values(), TABLE_TEMPLATE, EXTRACT_TEMPLATE)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def matrix() -> Matrix:
    return build_matrix(small_corpus())


@pytest.fixture(scope="module")
def letters(matrix, tmp_path_factory) -> dict[str, dict[str, Path]]:
    """Letters per view ("ct-1", "cv-2", "all") -> agency id -> path."""
    out = tmp_path_factory.mktemp("letters")
    views = {STATE: matrix.subset([STATE]), PARTY: matrix.subset([PARTY])}
    found = {name: {p.stem: p for p in write_letters(view, out / name)} for name, view in views.items()}
    # Two issuers: the consolidated documents are extracts, and there is no combined letter.
    found["all"] = {p.stem: p for p in write_consolidated(matrix, out / "all")}
    return found


# --------------------------------------------------------------------------- letters


def test_one_letter_per_column_with_progress(matrix, tmp_path):
    view = matrix.subset([STATE])
    calls: list[int] = []
    paths = write_letters(view, tmp_path / "out", progress=calls.append)
    assert [p.name for p in paths] == [f"{a.id}.docx" for a in view.columns]
    assert letter_count(view) == len(paths) == len(calls) == 5
    assert calls == [1] * 5
    assert all(p.is_file() for p in paths)


def test_a_build_writing_each_letter_by_itself_reads_each_task_once(monkeypatch, tmp_path):
    """A build asks for one letter at a time (``agencies=[id]``): the data of a task, of its sub-tasks and of the
    directive are made once per matrix, not once per letter that quotes them; the letters are the same."""
    import datetime as dt

    import matrix.writers.word as word

    day = dt.datetime(2025, 7, 15, 3, 4, 5)
    view = build_matrix(small_corpus()).subset([STATE])
    whole = {p.name: p.read_bytes() for p in write_letters(view, tmp_path / "whole", date=day)}
    counted: dict[str, int] = {"task_data": 0, "subtask_lines": 0, "directive_data": 0}
    for name in counted:
        original = getattr(word, name)

        def spy(*args, _name=name, _original=original):
            counted[_name] += 1
            return _original(*args)

        monkeypatch.setattr(word, name, spy)
    view = build_matrix(small_corpus()).subset([STATE])  # a new matrix: nothing made for it yet
    one_by_one = {}
    for agency in view.columns:
        (path,) = write_letters(view, tmp_path / "each", agencies=[agency.id], date=day)
        one_by_one[path.name] = path.read_bytes()
    quoted = {e.row.task.id for e in view.entries}
    assert len(view.columns) > 2 and counted["task_data"] == counted["subtask_lines"] <= len(quoted)
    assert counted["directive_data"] == 1
    assert one_by_one == whole


def test_a_consolidated_view_written_agency_by_agency_checks_its_issuers_once(monkeypatch, tmp_path):
    """A build writes a consolidated view's extract and its issuers' combined letters agency by agency; the
    matrices of the view and of each issuer's group keep their data between calls (issuer_key: once per
    directive and matrix, not once per agency), and the documents are those written in one call."""
    import datetime as dt

    import matrix.writers.word as word

    corpus = small_corpus()
    second = dataclasses.replace(corpus.directives[0], id="ct-3", number="07")
    day = dt.datetime(2025, 7, 15, 3, 4, 5)
    view = build_matrix(Corpus(corpus.registry, (*corpus.directives, second)))
    whole = {
        str(p.relative_to(tmp_path / "whole")): p.read_bytes()
        for p in write_consolidated(view, tmp_path / "whole", date=day)
    }
    calls = []
    original = word.issuer_key
    monkeypatch.setattr(word, "issuer_key", lambda d, m: calls.append(d.id) or original(d, m))
    view = build_matrix(Corpus(corpus.registry, (*corpus.directives, second)))
    one_by_one = {}
    for agency in view.columns:
        for path in write_consolidated(view, tmp_path / "each", agencies=[agency.id], date=day):
            one_by_one[str(path.relative_to(tmp_path / "each"))] = path.read_bytes()
    assert len(view.columns) > 3 and any("thu-giao-nhiem-vu" in name for name in one_by_one)
    assert len(calls) <= 2 * len(view.directives)  # the view's groups, then the group's one-issuer check
    assert one_by_one == whole


@pytest.mark.parametrize("view", [STATE, PARTY, "all"])
def test_every_task_of_the_agency_and_no_other(matrix, letters, view):
    shown = matrix if view == "all" else matrix.subset([view])
    for agency in shown.columns:
        assert_letter_matches(shown, agency.id, letters[view][agency.id])


def test_addressee_state_uses_the_registry_name(letters):
    doc = Document(str(letters[STATE]["vksnd-tinh"]))
    assert addressee_line(doc) == "Kính gửi: Viện kiểm sát nhân dân tỉnh."


def test_addressee_party_keeps_the_words_of_the_text(letters):
    doc = Document(str(letters[PARTY]["cong-an-tinh"]))
    assert addressee_line(doc) == "Kính gửi: Đảng ủy Công an tỉnh."


def test_verb_follows_the_registry_for_a_state_issuer(letters):
    requested = opening(Document(str(letters[STATE]["vksnd-tinh"])))
    commanded = opening(Document(str(letters[STATE]["cong-an-tinh"])))
    assert "đề nghị Viện kiểm sát nhân dân tỉnh" in requested
    assert "yêu cầu Công an tỉnh" in commanded
    assert "đề nghị" not in commanded.lower()


def test_party_issuer_requires_everyone(letters):
    text = opening(Document(str(letters[PARTY]["vksnd-tinh"])))
    assert "yêu cầu Viện kiểm sát nhân dân tỉnh" in text
    assert "đề nghị" not in text.lower()


def test_opening_cites_the_directive(letters):
    text = opening(Document(str(letters[STATE]["cong-an-tinh"])))
    assert text.startswith(
        "Thực hiện Chỉ thị số 05/CT-UBND ngày 06/01/2025 của Chủ tịch Ủy ban nhân dân tỉnh P "
        "về bảo đảm an ninh, trật tự năm 2025,"
    )


def test_state_header(letters):
    doc = Document(str(letters[STATE]["cong-an-tinh"]))
    header = doc.tables[0]
    left, right = header.rows[0].cells
    assert [p.text for p in left.paragraphs if p.text] == ["ỦY BAN NHÂN DÂN", "TỈNH P"]
    assert left.paragraphs[-2].runs[0].bold  # the issuing body itself
    assert left.paragraphs[-1]._p.pPr.find(qn("w:pBdr")) is not None  # the short rule
    assert [p.text for p in right.paragraphs if p.text] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ]
    number, date = header.rows[1].cells
    assert re.fullmatch(r"Số: +/UBND-NC", number.paragraphs[0].text)
    assert number.paragraphs[1].text == "V/v triển khai nhiệm vụ\ntheo Chỉ thị số 05/CT-UBND"  # balanced lines
    assert date.paragraphs[0].text == "P, ngày ..... tháng ..... năm ......."
    assert "ĐẢNG CỘNG SẢN" not in full_text(letters[STATE]["cong-an-tinh"])


def test_party_header(letters):
    doc = Document(str(letters[PARTY]["cong-an-tinh"]))
    left, right = doc.tables[0].rows[0].cells
    assert [p.text for p in left.paragraphs if p.text] == ["TỈNH ỦY P", "*"]
    title = right.paragraphs[0]
    assert title.text == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert title.runs[0].underline and (title.runs[0].bold or title.style.font.bold)
    number = doc.tables[0].rows[1].cells[0].paragraphs[0].text
    assert re.fullmatch(r"Số +-CV/TU", number)
    assert "CỘNG HÒA XÃ HỘI" not in full_text(letters[PARTY]["cong-an-tinh"])


def test_place_falls_back_to_the_province_then_to_dots(tmp_path):
    corpus = small_corpus()
    state = dataclasses.replace(corpus.directives[0], place=None)
    matrix = build_matrix(Corpus(corpus.registry, (state,)))
    path = write_letters(matrix, tmp_path / "state")[0]
    assert Document(str(path)).tables[0].rows[1].cells[1].text == "Tỉnh P, ngày ..... tháng ..... năm ......."
    path = write_letters(build_matrix(corpus).subset([PARTY]), tmp_path / "party")[0]
    assert Document(str(path)).tables[0].rows[1].cells[1].text == "........., ngày ..... tháng ..... năm ......."


def test_header_table_has_no_borders(letters):
    doc = Document(str(letters[STATE]["cong-an-tinh"]))
    for table in doc.tables:  # header and signature blocks
        borders = table._tbl.tblPr.find(qn("w:tblBorders"))
        assert borders is not None
        assert {b.get(qn("w:val")) for b in borders} == {"nil"}


def test_tasks_grouped_by_role_with_partners_deadline_and_report(letters):
    texts = paragraphs(Document(str(letters[STATE]["cong-an-tinh"])))
    assert "1. Nhiệm vụ chủ trì" in texts
    assert "a) Mục 2 của Chỉ thị:" in texts
    assert "- Cơ quan phối hợp: Sở Nội vụ." in texts  # named in a bullet of item 2
    assert "- Cơ quan phối hợp: Văn phòng Ủy ban nhân dân tỉnh." in texts
    assert "- Thời hạn: trước ngày 15/12/2025." in texts
    assert "- Chế độ báo cáo: định kỳ 6 tháng, năm báo cáo." in texts
    partner = paragraphs(Document(str(letters[STATE]["so-noi-vu"])))
    assert "1. Nhiệm vụ phối hợp" in partner
    assert "a) Ý thứ nhất mục 2 của Chỉ thị:" in partner
    assert "- Cơ quan chủ trì: Công an tỉnh." in partner


def test_roles_in_order_chu_tri_first(letters):
    texts = paragraphs(Document(str(letters[PARTY]["vksnd-tinh"])))
    assert "1. Nhiệm vụ phối hợp" in texts
    assert "- Cơ quan chủ trì: Công an tỉnh." in texts


def test_signature_and_distribution(letters):
    doc = Document(str(letters[STATE]["cong-an-tinh"]))
    copies, signature = doc.tables[-1].rows[0].cells
    lines = [p.text for p in copies.paragraphs]
    assert lines[0] == "Nơi nhận:"
    assert lines[1] == "- Như trên;"
    assert lines[-1].startswith("- Lưu: VT")
    assert sum(line.startswith("- Như trên") for line in lines) == 1  # the directive's own is not repeated
    signed = [p.text for p in signature.paragraphs if p.text]
    assert signed == ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Văn A"]
    assert signature.paragraphs[0].alignment in (None, WD_ALIGN_PARAGRAPH.CENTER)


def test_consolidated_extract_gathers_every_directive_without_an_issuer(letters):
    """Two issuers (UBND and Tỉnh ủy): per agency an extract, no letter claims to come from either."""
    path = letters["all"]["cong-an-tinh"]
    assert path.parent.name == EXTRACTS_FOLDER
    assert not (path.parent.parent / "thu-giao-nhiem-vu").exists()
    texts = paragraphs(Document(str(path)))
    assert texts[:2] == ["TỔNG HỢP NHIỆM VỤ", "của Công an tỉnh"]
    headings = [p for p in texts if re.match(r"^(I|II)\. ", p)]
    assert headings == [
        "I. Chỉ thị số 05/CT-UBND ngày 06/01/2025 của Chủ tịch Ủy ban nhân dân tỉnh P về bảo đảm an ninh, trật tự năm 2025",
        "II. Công văn của Ban Thường vụ Tỉnh ủy về phòng, chống tội phạm",
    ]
    assert "Đảng ủy Công an tỉnh tăng cường lãnh đạo." in texts
    assert "Công an tỉnh:" not in texts  # the heading that only names the addressee is not repeated
    assert "- Thời hạn: trước ngày 15/12/2025." in texts and "- Thời hạn: văn bản không nêu." in texts
    text = "\n".join(texts)
    for issuer_only in (
        "CỘNG HÒA",
        "ĐẢNG CỘNG SẢN",
        "Kính gửi",
        "Nơi nhận",
        "Nguyễn Văn A",
        "Trần Thị B",
        "TỈNH ỦY P",
        "ỦY BAN NHÂN DÂN",
    ):
        assert issuer_only not in text


def test_directives_of_one_issuer_get_one_combined_letter_from_it(tmp_path):
    corpus = small_corpus()
    state = corpus.directives[0]
    second = dataclasses.replace(
        state,
        id="ct-3",
        number="07",
        tasks=(Task("1", "Công an tỉnh rà soát.", (Assignment("cong-an-tinh", Role.LEAD, "Công an tỉnh"),)),),
    )
    matrix = build_matrix(Corpus(corpus.registry, (*corpus.directives, second)))
    paths = write_consolidated(matrix, tmp_path)
    letters = [p for p in paths if p.parent.parent.name == "thu-giao-nhiem-vu"]
    assert {p.parent.name for p in letters} == {"uy-ban-nhan-dan-tinh-p"}
    assert sorted(p.stem for p in letters) == sorted(a.id for a in matrix.subset(["ct-1", "ct-3"]).columns)
    assert len(paths) == letter_count(matrix) == len(matrix.columns) + len(letters)
    text = full_text(tmp_path / "thu-giao-nhiem-vu" / "uy-ban-nhan-dan-tinh-p" / "cong-an-tinh.docx")
    assert "I. Chỉ thị số 05/CT-UBND" in text and "II. Chỉ thị số 07/CT-UBND" in text
    assert "Đảng ủy Công an tỉnh" not in text and "Trần Thị B" not in text  # the Party directive stays out
    assert "Nguyễn Văn A" in text  # both directives name the same signer


def test_a_letter_never_mixes_issuers(matrix, tmp_path):
    with pytest.raises(ValueError):
        write_letters(matrix, tmp_path)


def test_no_signer_gives_placeholders_and_the_header_keeps_a_province(tmp_path):
    corpus = small_corpus()
    state = dataclasses.replace(
        corpus.directives[0],
        signer=Signer(),
        province=None,
        issuer=Issuer("Chủ tịch Ủy ban nhân dân tỉnh", IssuerKind.STATE, ("ỦY BAN NHÂN DÂN TỈNH",), "UBND Tỉnh"),
    )
    matrix = build_matrix(Corpus(corpus.registry, (state,)))
    path = write_letters(matrix, tmp_path)[0]
    doc = Document(str(path))
    left = doc.tables[0].rows[0].cells[0]
    assert [p.text for p in left.paragraphs if p.text] == ["ỦY BAN NHÂN DÂN", "TỈNH ……………"]
    assert all(p.runs[0].bold for p in left.paragraphs if p.text)  # one body's name on two lines: bold
    copies, signature = doc.tables[-1].rows[0].cells
    # the issuer fixes the authority lines (the clerk keeps or strikes them); the name is left to fill in
    assert [p.text for p in signature.paragraphs if p.text] == [
        "TM. ỦY BAN NHÂN DÂN",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "(Họ và tên)",
    ]
    assert [p.text for p in copies.paragraphs][:2] == ["Nơi nhận:", "- Như trên;"]
    text = full_text(path)
    assert "UBND tỉnh yêu cầu" in text and "UBND Tỉnh" not in text


def test_requested_body_is_not_ordered_to_report(letters):
    closing = [
        p
        for p in paragraphs(Document(str(letters[STATE]["vksnd-tinh"])))
        if p.startswith("Đề nghị Viện kiểm sát nhân dân tỉnh quan tâm")
    ]
    assert closing and "yêu cầu" not in closing[0].lower() and "định kỳ báo cáo" not in closing[0]
    assert closing[0].endswith("./.")


def test_closing_mark_of_the_source_only_at_the_end(tmp_path):
    corpus = small_corpus()
    state = corpus.directives[0]
    task = dataclasses.replace(state.tasks[-1], text=state.tasks[-1].text + "/.")
    matrix = build_matrix(Corpus(corpus.registry, (dataclasses.replace(state, tasks=(*state.tasks[:-1], task)),)))
    texts = paragraphs(Document(str(write_letters(matrix, tmp_path)[0].parent / "cong-an-tinh.docx")))
    marked = [p for p in texts if "./." in p]
    assert len(marked) == 1 and marked[0].startswith("Yêu cầu")


def test_party_letter_is_addressed_to_the_party_organ_as_written(tmp_path):
    corpus = small_corpus()
    party = corpus.directives[1]
    task = Task(
        "3",
        "Đảng ủy Biên phòng phối hợp.",
        (Assignment("cong-an-tinh", Role.PARTNER, "Công an tỉnh nhân dân dài hơn"),),
    )
    matrix = build_matrix(Corpus(corpus.registry, (dataclasses.replace(party, tasks=(*party.tasks, task)),)))
    path = {p.stem: p for p in write_letters(matrix, tmp_path)}["cong-an-tinh"]
    assert addressee_line(Document(str(path))) == "Kính gửi: Đảng ủy Công an tỉnh."


def test_party_header_and_copies_sizes(letters):
    doc = Document(str(letters[PARTY]["cong-an-tinh"]))
    left, _ = doc.tables[0].rows[0].cells
    name = next(p for p in left.paragraphs if p.text == "TỈNH ỦY P")
    assert name.runs[0].font.size == Pt(14) and name.runs[0].bold
    number = doc.tables[0].rows[1].cells[0].paragraphs[0]
    assert number.runs[0].font.size == Pt(14)
    copies = doc.tables[-1].rows[0].cells[0].paragraphs
    assert copies[0].runs[0].font.size == Pt(14) and copies[0].runs[0].underline
    assert all(p.runs[0].font.size == Pt(12) for p in copies[1:] if p.runs)


def test_documents_are_dated_with_the_build_date(matrix, tmp_path):
    import datetime as dt

    when = dt.datetime(2025, 3, 4, 5, 6, 7)
    path = write_letters(matrix.subset([STATE]), tmp_path, date=when)[0]
    props = Document(str(path)).core_properties
    assert props.created.replace(tzinfo=None) == when == props.modified.replace(tzinfo=None)


def test_group_is_one_addressee_when_not_expanded(letters):
    assert "ubnd-cap-huyen" in letters[STATE]
    doc = Document(str(letters[STATE]["ubnd-cap-huyen"]))
    assert addressee_line(doc) == "Kính gửi: Ủy ban nhân dân các huyện."


def test_expanded_groups_write_to_each_member(tmp_path):
    matrix = build_matrix(small_corpus(), expand_groups=True).subset([STATE])
    paths = {p.stem: p for p in write_letters(matrix, tmp_path)}
    assert "ubnd-cap-huyen" not in paths
    for member, name in (("h-a", "Ủy ban nhân dân huyện A"), ("h-b", "Ủy ban nhân dân huyện B")):
        doc = Document(str(paths[member]))
        assert addressee_line(doc) == f"Kính gửi: {name}."
        assert_letter_matches(matrix, member, paths[member])
        assert "a) Mục 1 của Chỉ thị:" in paragraphs(doc)


# --------------------------------------------------------------------------- format


def test_letter_page_margins_and_fonts(letters):
    doc = Document(str(letters[STATE]["cong-an-tinh"]))
    section = doc.sections[0]
    assert section.orientation == WD_ORIENT.PORTRAIT
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert 20 <= section.top_margin.mm <= 25 and 20 <= section.bottom_margin.mm <= 25
    assert 30 <= section.left_margin.mm <= 35 and 15 <= section.right_margin.mm <= 20
    normal = doc.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert Pt(13) <= normal.font.size <= Pt(14)
    fonts = normal.element.rPr.rFonts
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        assert fonts.get(qn(attr)) == "Times New Roman"
    fmt = normal.paragraph_format
    assert fmt.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert abs(fmt.first_line_indent - Cm(1.27)) < Cm(0.05)
    assert fmt.space_after == Pt(6)


def test_page_numbers_from_the_second_page(letters):
    doc = Document(str(letters[STATE]["cong-an-tinh"]))
    section = doc.sections[0]
    assert section.different_first_page_header_footer
    header_xml = section.header._element.xml
    assert "PAGE" in header_xml and "fldChar" in header_xml
    assert section.header.paragraphs[0].alignment in (None, WD_ALIGN_PARAGRAPH.CENTER)
    assert section.header.paragraphs[0].style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert "PAGE" not in section.first_page_header._element.xml


# --------------------------------------------------------------------------- assignment table


def table_rows(path: Path):
    doc = Document(str(path))
    return doc, doc.tables[0]


def test_assignment_table_one_row_per_task_with_repeated_header(matrix, tmp_path):
    view = matrix.subset([STATE])
    path = tmp_path / "bang.docx"
    write_assignment_table(view, path)
    doc, table = table_rows(path)
    header = table.rows[0]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    assert [c.text for c in header.cells] == [
        "STT",
        "Nội dung nhiệm vụ",
        "Cơ quan chủ trì",
        "Cơ quan phối hợp",
        "Cơ quan thực hiện",
        "Thời hạn",
    ]
    body = [r for r in table.rows[1:] if r.cells[0].text]  # a task's notes follow in a row of their own
    assert len(body) == len(view.rows)
    for row, data in zip(view.rows, body, strict=True):
        assert data.cells[1].text.endswith(row.task.text) or row.task.text in data.cells[1].text
    by_task = {r.task.id: body[i] for i, r in enumerate(view.rows)}
    assert by_task["2-1"].cells[2].text == "Công an tỉnh"  # inherited from item 2
    assert by_task["2-1"].cells[3].text == "Sở Nội vụ"
    assert by_task["1"].cells[4].text == "Ủy ban nhân dân các huyện" and by_task["1"].cells[2].text == ""
    assert by_task["cuối-1"].cells[5].text == "trước ngày 15/12/2025"
    assert by_task["2"].cells[1].text == "2. Công an tỉnh:"
    texts = [r.cells[1].text for r in table.rows[1:] if not r.cells[0].text]
    assert texts == ["Chế độ báo cáo: định kỳ 6 tháng, năm báo cáo."]
    section = doc.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE and section.page_width > section.page_height


def test_consolidated_table_has_a_heading_row_per_directive(matrix, tmp_path):
    path = tmp_path / "bang.docx"
    write_assignment_table(matrix, path)
    _, table = table_rows(path)
    notes = sum(1 for r in matrix.rows if r.task.report or r.task.targets or r.task.notes)
    assert len(table.rows) == 1 + len(matrix.rows) + len(matrix.directives) + notes
    headings = [r.cells[0].text for r in table.rows if r.cells[0].text.startswith(("I.", "II."))]
    assert len(headings) == 2


# --------------------------------------------------------------------------- awkward text


def test_awkward_text_gives_valid_documents(tmp_path):
    matrix = build_matrix(awkward_corpus())
    paths = write_letters(matrix.subset([STATE]), tmp_path / "letters")
    write_assignment_table(matrix, tmp_path / "bang.docx")
    text = full_text(tmp_path / "letters" / "so-noi-vu.docx")
    assert "A & B < C > D \"E\" 'F' =1+2 {{ x }} {% if y %} bellvtff – ‘G’" in text
    assert "=NOW() & <ngay>" in text and '"quý" & <năm>' in text and "<5%" in text
    assert 'về A & B "<C>"' in text
    for path in [*paths, tmp_path / "bang.docx"]:
        Document(str(path))  # opens: the XML is well formed


# --------------------------------------------------------------------------- templates


def copy_template(name: str, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(PACKAGE_TEMPLATES / name, folder / name))


def append_paragraph(path: Path, text: str) -> None:
    doc = Document(str(path))
    doc.add_paragraph(text)
    doc.save(str(path))


@pytest.mark.parametrize("tag", ["{{ nonexistent_variable }}", "{{ agency.nonexistent_field }}"])
def test_E18_unknown_variable_is_an_error_naming_the_template(matrix, tmp_path, tag):
    path = copy_template(LETTER_TEMPLATES[matrix.directives[0].issuer.kind], tmp_path / "mau")
    append_paragraph(path, tag)
    with pytest.raises(WordTemplateError) as caught:
        write_letters(matrix.subset([STATE]), tmp_path / "out", templates=tmp_path / "mau")
    message = str(caught.value)
    assert str(path) in message
    assert "nonexistent" in message
    assert isinstance(caught.value, TemplateProblem) and isinstance(caught.value, MatrixError)


def test_E17_syntax_error_names_the_template(matrix, tmp_path):
    path = copy_template(TABLE_TEMPLATE, tmp_path / "mau")
    append_paragraph(path, "Đoạn có lỗi: {% if %}")
    with pytest.raises(WordTemplateError, match=re.escape(str(path))) as caught:
        write_assignment_table(matrix, tmp_path / "bang.docx", templates=tmp_path / "mau")
    assert "thẻ viết sai" in str(caught.value)
    # the paragraph (the "line" of a Word file) and the faulty tag itself
    assert re.search(r"Tại đoạn văn thứ \d+: «Đoạn có lỗi: \{% if %\}", str(caught.value)), str(caught.value)


def test_user_templates_come_first_then_the_defaults(matrix, tmp_path):
    path = copy_template(LETTER_TEMPLATES[matrix.directives[0].issuer.kind], tmp_path / "mau")
    append_paragraph(path, "Mẫu riêng của văn phòng: {{ agency.short }}")
    out = write_letters(matrix.subset([STATE]), tmp_path / "out", templates=tmp_path / "mau")
    assert "Mẫu riêng của văn phòng: VKSND tỉnh" in full_text(tmp_path / "out" / "vksnd-tinh.docx")
    write_assignment_table(matrix, tmp_path / "bang.docx", templates=tmp_path / "mau")  # falls back
    assert "BẢNG PHÂN CÔNG NHIỆM VỤ" in full_text(tmp_path / "bang.docx")
    assert out


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_shipped_templates_type_every_tag_in_one_run(name):
    doc = Document(str(PACKAGE_TEMPLATES / name))
    runs = ["".join(t.text or "" for t in run.iter(qn("w:t"))) for run in doc.element.body.iter(qn("w:r"))]
    assert any("{{" in r or "{%" in r for r in runs)
    for text in runs:
        assert text.count("{{") == text.count("}}"), text
        assert text.count("{%") == text.count("%}"), text


def test_pdf_conversion_without_libreoffice_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr("matrix.writers.office.shutil.which", lambda name: None)  # LibreOffice is looked up there
    with pytest.raises(PdfUnavailable, match="LibreOffice"):
        convert_to_pdf([tmp_path / "x.docx"])
    assert convert_to_pdf([]) == []


# --------------------------------------------------------------------------- seed corpus


def test_seed_letters_hold_every_task(tmp_path):
    matrix = seed_matrix()
    for directive in matrix.directives:
        view = matrix.subset([directive.id])
        paths = write_letters(view, tmp_path / directive.id)
        assert len(paths) == letter_count(view)
        for agency, path in zip(view.columns, paths, strict=True):
            assert_letter_matches(view, agency.id, path)
            line = addressee_line(Document(str(path)))
            if directive.issuer.kind is IssuerKind.STATE:
                assert line == f"Kính gửi: {agency.name}."
            else:
                written = {e.written for e in view.entries_for(agency.id)} | {agency.name}
                assert line[len("Kính gửi: ") : -1] in written


def test_seed_consolidated_extracts_and_table(tmp_path):
    matrix = seed_matrix()
    paths = write_consolidated(matrix, tmp_path / "all")
    assert len(paths) == len(matrix.columns) == letter_count(matrix)  # five issuers: no combined letter
    for agency, path in zip(matrix.columns, paths, strict=True):
        assert_letter_matches(matrix, agency.id, path)
    write_assignment_table(matrix, tmp_path / "bang.docx")
    _, table = table_rows(tmp_path / "bang.docx")
    notes = sum(1 for r in matrix.rows if r.task.report or r.task.targets or r.task.notes)
    assert len(table.rows) == 1 + len(matrix.rows) + len(matrix.directives) + notes


def test_seed_requested_bodies_are_asked_not_ordered(tmp_path):
    matrix = seed_matrix()
    for directive in matrix.directives:
        if directive.issuer.kind is not IssuerKind.STATE:
            continue
        view = matrix.subset([directive.id])
        for agency, path in zip(view.columns, write_letters(view, tmp_path / directive.id), strict=True):
            text = opening(Document(str(path)))
            assert ("đề nghị" in text) == agency.requested, (directive.id, agency.id, text)


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_shipped_templates_are_what_the_generator_writes(name, tmp_path):
    """templates/*.docx are regenerated from tools/make_templates.py after every change of the generator."""
    import importlib.util
    import zipfile

    spec = importlib.util.spec_from_file_location(
        "make_templates", PACKAGE_TEMPLATES.parent / "tools" / "make_templates.py"
    )
    if spec is None or spec.loader is None or not (PACKAGE_TEMPLATES.parent / "tools").is_dir():
        pytest.skip("no tools/ folder (installed copy)")
    import sys

    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_templates", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    [fresh] = module.write_templates(tmp_path, [name])
    for part in ("word/document.xml", "word/styles.xml", "word/header1.xml"):
        with zipfile.ZipFile(fresh) as a, zipfile.ZipFile(PACKAGE_TEMPLATES / name) as b:
            if part in a.namelist():
                assert a.read(part) == b.read(part), f"{name}: {part} differs (python tools/make_templates.py)"


def test_the_builds_today_follows_source_date_epoch(monkeypatch):
    """Reproducible builds: with SOURCE_DATE_EPOCH the status workbook and reminders count to that day, on any day."""
    import datetime as dt

    from matrix.core import stamp

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1752548645")  # 2025-07-15 03:04:05 UTC
    assert stamp.today() == dt.date(2025, 7, 15) and stamp.build_date() == dt.datetime(2025, 7, 15, 3, 4, 5)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert stamp.today() == dt.date.today()
