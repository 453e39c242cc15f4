"""(Re)generate the default Word templates in templates/ with python-docx.

The committed .docx files are the product: clerks open them in Word, change
the wording or the layout, and keep the jinja2 tags. This script only exists to
reset them to the defaults, with every tag typed in one run so docxtpl sees it
whole. Usage::

    python tools/make_templates.py            # writes templates/*.docx
    python tools/make_templates.py --out DIR  # somewhere else

The variables the tags use are documented in docs/templates.md.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, Twips
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph

ROOT = Path(__file__).resolve().parent.parent
FONT = "Times New Roman"
LANGUAGE = "vi-VN"
CENTER, LEFT, JUSTIFY = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.JUSTIFY

# Nghị định 30/2020, Phụ lục I: A4, top/bottom 20-25 mm, left 30-35 mm, right 15-20 mm.
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
TEXT_WIDTH_CM = 21.0 - (MARGINS_MM["left"] + MARGINS_MM["right"]) / 10
TABLE_TEXT_WIDTH_CM = 29.7 - (MARGINS_MM["left"] + MARGINS_MM["right"]) / 10
# The header block reaches 6 mm into the left margin, as printed letters do, so the
# issuing body and the "V/v" line have room.
HEADER_INDENT_CM = -0.6
HEADER_COLUMNS_CM = (6.8, TEXT_WIDTH_CM - HEADER_INDENT_CM - 6.8)
SIGNATURE_COLUMNS_CM = (7.5, TEXT_WIDTH_CM - 7.5)
# The landscape text width (25.2 cm) shared so the task text gets most of it; the three agency columns
# hold names of 20-40 characters in two or three lines.
TABLE_COLUMNS_CM = (1.4, 11.1, 3.5, 3.5, 3.4, 2.3)
TABLE_HEADINGS = ("STT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Cơ quan thực hiện", "Thời hạn")


@dataclass(frozen=True)
class StyleSpec:
    """A paragraph style the templates use, so a clerk can restyle every letter at once."""

    id: str
    name: str
    size: float
    align: WD_ALIGN_PARAGRAPH = JUSTIFY
    bold: bool = False
    italic: bool = False
    first_line_cm: float = 0.0
    before_pt: float = 0.0
    after_pt: float = 0.0
    keep_with_next: bool = False


STYLES = (
    StyleSpec("DauVanBan", "Đầu văn bản", 13, CENTER),
    StyleSpec("QuocHieu", "Quốc hiệu", 13, CENTER, bold=True),
    StyleSpec("TieuNgu", "Tiêu ngữ", 14, CENTER, bold=True),
    StyleSpec("DiaDanh", "Địa danh ngày tháng", 14, CENTER, italic=True),
    StyleSpec("TrichYeu", "Trích yếu", 12, CENTER),
    StyleSpec("KinhGui", "Kính gửi", 14, CENTER, before_pt=12, after_pt=12),
    StyleSpec(
        "DeMuc", "Đề mục", 14, JUSTIFY, bold=True, first_line_cm=1.27, before_pt=6, after_pt=6, keep_with_next=True
    ),
    StyleSpec(
        "NhiemVu", "Nhiệm vụ", 14, JUSTIFY, bold=True, italic=True, first_line_cm=1.27, after_pt=6, keep_with_next=True
    ),
    StyleSpec("ChiTiet", "Chi tiết nhiệm vụ", 14, JUSTIFY, first_line_cm=1.27, after_pt=6),
    StyleSpec("GhiChuBang", "Ghi chú trong bảng", 11, JUSTIFY, italic=True, before_pt=2, after_pt=2),
    StyleSpec("TieuDeTongHop", "Tiêu đề tổng hợp", 14, CENTER, bold=True, after_pt=6),
    StyleSpec("ChuThich", "Chú thích", 12, JUSTIFY, italic=True, before_pt=12),
    StyleSpec("NoiNhanTieuDe", "Nơi nhận tiêu đề", 12, LEFT, bold=True, italic=True),
    StyleSpec("NoiNhan", "Nơi nhận", 11, LEFT),
    StyleSpec("ChuKy", "Chữ ký", 14, CENTER, bold=True),
    StyleSpec("TenBang", "Tên bảng", 14, CENTER, bold=True),
    StyleSpec("Bang", "Chữ trong bảng", 12, JUSTIFY, before_pt=2, after_pt=2),
    StyleSpec("BangTrai", "Chữ trong bảng căn trái", 12, LEFT, before_pt=2, after_pt=2),
    StyleSpec("BangGiua", "Chữ trong bảng căn giữa", 12, CENTER, before_pt=2, after_pt=2),
    StyleSpec("BangTieuDe", "Tiêu đề bảng", 12, CENTER, bold=True, before_pt=3, after_pt=3),
    StyleSpec("SoTrang", "Số trang", 13, CENTER),
    StyleSpec("Vach", "Vạch kẻ", 2, CENTER, before_pt=2),
)
STYLE_NAMES = {spec.id: spec.name for spec in STYLES}


@dataclass(frozen=True)
class R:
    """A run: text with optional direct formatting (None keeps the style's)."""

    text: str
    bold: bool | None = None
    italic: bool | None = None
    underline: bool | None = None


Text = str | R


# --------------------------------------------------------------------------- jinja snippets
# Each snippet is typed once here and used wherever the same words are needed.


def cite(d: str) -> str:
    """Cite a directive: "Chỉ thị số 05/CT-UBND ngày 06/01/2025 của ... về ..."."""
    return (
        f"{{{{ {d}.kind|capitalize }}}}{{% if {d}.reference %}} số {{{{ {d}.reference }}}}{{% endif %}}"
        f"{{% if {d}.date %}} ngày {{{{ {d}.date.short }}}}{{% endif %}} của {{{{ {d}.issuer }}}} về {{{{ {d}.about }}}}"
    )


def short_cite(d: str) -> str:
    """Name a directive briefly: "Chỉ thị số 05/CT-UBND" (its date, or its issuer, when it has no number)."""
    return (
        f"{{{{ {d}.kind|capitalize }}}}{{% if {d}.reference %}} số {{{{ {d}.reference }}}}"
        f"{{% elif {d}.date %}} ngày {{{{ {d}.date.short }}}}{{% else %}} của {{{{ {d}.issuer }}}}{{% endif %}}"
    )


def item_label(t: str, section: str) -> str:
    """Where a task sits in its directive: "Mục 2 của Chỉ thị", "Mục 6, ý thứ nhất của Chỉ thị", "Đoạn cuối của Chỉ thị"."""
    return f"{{{{ {t}.where[:1]|upper }}}}{{{{ {t}.where[1:] }}}} của {{{{ {section}.directive.kind|capitalize }}}}"


def balanced(text: str) -> str:
    """A trích yếu on lines of even length (the ``balanced`` filter), so that no line ends with an orphan word."""
    return "{% filter balanced(" + str(TRICH_YEU_CHARS) + ") %}" + text + "{% endfilter %}"


# Characters of the V/v line that fit on one line of the header's left column (6.8 cm, 13 pt).
TRICH_YEU_CHARS = 32
ISSUER_NAME = "{{ issuer.inline }}"
DATE_LINE = "{% if place %}{{ place }}{% else %}.........{% endif %}, ngày ..... tháng ..... năm ......."
SUBJECT = "{% if consolidated %}bảo đảm an ninh, trật tự{% else %}theo " + short_cite("directive") + "{% endif %}"
STATE_VERB = "{% if agency.requested %}đề nghị{% else %}yêu cầu{% endif %}"
# The addressee on the Kính gửi line and inside sentences; Party letters keep the words of the text.
ADDRESSEE = {False: "{{ agency.name }}", True: "{{ agency.written }}"}
ADDRESSEE_INLINE = {False: "{{ agency.inline }}", True: "{{ agency.written_inline }}"}


# --------------------------------------------------------------------------- low-level helpers


# Child order the OOXML schema requires (Word refuses files that break it).
SCHEMA_ORDER = {
    "rPr": (
        "rStyle",
        "rFonts",
        "b",
        "bCs",
        "i",
        "iCs",
        "caps",
        "smallCaps",
        "strike",
        "dstrike",
        "outline",
        "shadow",
        "emboss",
        "imprint",
        "noProof",
        "snapToGrid",
        "vanish",
        "webHidden",
        "color",
        "spacing",
        "w",
        "kern",
        "position",
        "sz",
        "szCs",
        "highlight",
        "u",
        "effect",
        "bdr",
        "shd",
        "fitText",
        "vertAlign",
        "rtl",
        "cs",
        "em",
        "lang",
        "eastAsianLayout",
        "specVanish",
        "oMath",
    ),
    "pPr": (
        "pStyle",
        "keepNext",
        "keepLines",
        "pageBreakBefore",
        "framePr",
        "widowControl",
        "numPr",
        "suppressLineNumbers",
        "pBdr",
        "shd",
        "tabs",
        "suppressAutoHyphens",
        "kinsoku",
        "wordWrap",
        "overflowPunct",
        "topLinePunct",
        "autoSpaceDE",
        "autoSpaceDN",
        "bidi",
        "adjustRightInd",
        "snapToGrid",
        "spacing",
        "ind",
        "contextualSpacing",
        "mirrorIndents",
        "suppressOverlap",
        "jc",
        "textDirection",
        "textAlignment",
        "textboxTightWrap",
        "outlineLvl",
        "divId",
        "cnfStyle",
        "rPr",
        "sectPr",
        "pPrChange",
    ),
    "tblPr": (
        "tblStyle",
        "tblpPr",
        "tblOverlap",
        "bidiVisual",
        "tblStyleRowBandSize",
        "tblStyleColBandSize",
        "tblW",
        "jc",
        "tblCellSpacing",
        "tblInd",
        "tblBorders",
        "shd",
        "tblLayout",
        "tblCellMar",
        "tblLook",
        "tblCaption",
        "tblDescription",
    ),
}


def child(parent: object, name: str) -> object:
    """The ``w:name`` child of ``parent``, created at its schema position if missing."""
    existing = parent.find(qn(f"w:{name}"))  # type: ignore[attr-defined]
    if existing is not None:
        return existing
    element = OxmlElement(f"w:{name}")
    order = SCHEMA_ORDER[parent.tag.rsplit("}", 1)[1]]  # type: ignore[attr-defined]
    later = {qn(f"w:{n}") for n in order[order.index(name) + 1 :]}
    for position, sibling in enumerate(parent):  # type: ignore[arg-type]
        if sibling.tag in later:
            parent.insert(position, element)  # type: ignore[attr-defined]
            return element
    parent.append(element)  # type: ignore[attr-defined]
    return element


def set_run_defaults(rpr: object, size_pt: float) -> None:
    """Times New Roman for every script (ascii, hAnsi, cs, eastAsia), no theme fonts, Vietnamese."""
    fonts = child(rpr, "rFonts")
    for attr in list(fonts.attrib):  # type: ignore[attr-defined]
        del fonts.attrib[attr]  # type: ignore[attr-defined]
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)  # type: ignore[attr-defined]
    for name in ("sz", "szCs"):
        child(rpr, name).set(qn("w:val"), str(int(size_pt * 2)))  # type: ignore[attr-defined]
    child(rpr, "lang").set(qn("w:val"), LANGUAGE)  # type: ignore[attr-defined]


def _set_doc_defaults(document: DocumentObject) -> None:
    """The document-wide run defaults: Times New Roman 14, Vietnamese."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    set_run_defaults(defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")), 14)


def _format_style(style: object, spec: StyleSpec) -> None:
    font = style.font  # type: ignore[attr-defined]
    font.name, font.size, font.bold, font.italic = FONT, Pt(spec.size), spec.bold, spec.italic
    set_run_defaults(style.element.get_or_add_rPr(), spec.size)  # type: ignore[attr-defined]
    fmt = style.paragraph_format  # type: ignore[attr-defined]
    fmt.alignment = spec.align
    fmt.first_line_indent = Cm(spec.first_line_cm)
    fmt.left_indent = fmt.right_indent = Cm(0)
    fmt.space_before, fmt.space_after = Pt(spec.before_pt), Pt(spec.after_pt)
    fmt.line_spacing = 1.0
    fmt.keep_with_next = spec.keep_with_next
    fmt.widow_control = True


def _define_styles(document: DocumentObject) -> None:
    """Normal (body: TNR 14, justified, 1.27 cm first line, 6 pt after) and the named styles."""
    normal = document.styles["Normal"]
    _format_style(normal, StyleSpec("Normal", "Normal", 14, JUSTIFY, first_line_cm=1.27, after_pt=6))
    for spec in STYLES:
        style = document.styles.add_style(spec.name, WD_STYLE_TYPE.PARAGRAPH)
        style.style_id = spec.id
        style.base_style = normal
        style.quick_style = True
        _format_style(style, spec)
    _set_doc_defaults(document)


def paragraph(container: object, style: str, *texts: Text) -> Paragraph:
    """Append a paragraph of ``style`` (an id of STYLES) holding ``texts``, one run each (tags stay whole)."""
    style = STYLE_NAMES.get(style, style)
    if _is_fresh_cell(container):
        para = container.paragraphs[0]  # type: ignore[attr-defined]
        para.style = style
    else:
        para = container.add_paragraph(style=style)  # type: ignore[attr-defined]
    for text in texts:
        spec = text if isinstance(text, R) else R(text)
        run = para.add_run(spec.text)
        run.bold, run.italic, run.underline = spec.bold, spec.italic, spec.underline
    return para


def _is_fresh_cell(container: object) -> bool:
    """A new table cell holds one empty paragraph: fill it rather than add below it."""
    if not isinstance(container, _Cell):
        return False
    paras = container.paragraphs
    return len(paras) == 1 and not paras[0].runs and paras[0]._p.pPr is None


def tags(container: object, open_tag: str, body: Sequence[tuple[str, Sequence[Text]]], close_tag: str) -> None:
    """``{%p open %}`` + paragraphs + ``{%p close %}``: a paragraph-level block."""
    paragraph(container, "Normal", open_tag)
    for style, texts in body:
        paragraph(container, style, *texts)
    paragraph(container, "Normal", close_tag)


def rule(container: object, width_cm: float, cell_width_cm: float) -> None:
    """A short centred line under a heading: an empty paragraph with a top border."""
    para = paragraph(container, "Vach")
    side = max((cell_width_cm - 0.38 - width_cm) / 2, 0)
    para.paragraph_format.left_indent = Cm(side)
    para.paragraph_format.right_indent = Cm(side)
    top = OxmlElement("w:top")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        top.set(qn(key), value)
    child(para._p.get_or_add_pPr(), "pBdr").append(top)


def _table_borders(table: Table, value: str) -> None:
    """Every border of ``table`` set to ``value`` ("nil" for none, "single" for a grid)."""
    borders = child(table._tbl.tblPr, "tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:val"), value)
        if value != "nil":
            element.set(qn("w:sz"), "4")
            element.set(qn("w:space"), "0")
            element.set(qn("w:color"), "000000")
        borders.append(element)


def new_table(
    container: DocumentObject, rows: int, widths_cm: Sequence[float], *, borders: bool, indent_cm: float | None = None
) -> Table:
    """A fixed-layout table with the given column widths, with or without a grid.

    Centred, unless ``indent_cm`` places its left edge (negative: into the margin).
    """
    table = container.add_table(rows=rows, cols=len(widths_cm))
    if indent_cm is None:
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
    else:
        indent = child(table._tbl.tblPr, "tblInd")
        indent.set(qn("w:w"), str(int(Cm(indent_cm).twips)))  # type: ignore[attr-defined]
        indent.set(qn("w:type"), "dxa")  # type: ignore[attr-defined]
    table.autofit = False  # w:tblLayout fixed
    _table_borders(table, "single" if borders else "nil")
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)
        for cell in column.cells:
            cell.width = Cm(width)
    return table


def flag_row(row: _Row, tag: str) -> None:
    """Set a row property: ``w:tblHeader`` (repeat on each page) or ``w:cantSplit``."""
    tr_pr = row._tr.get_or_add_trPr()
    element = OxmlElement(tag)
    element.set(qn("w:val"), "true")
    tr_pr.append(element)


def _field_char(para: Paragraph, kind: str) -> None:
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    para.add_run()._r.append(char)


def _page_number_field(para: Paragraph) -> None:
    """A PAGE field (begin, instruction, separate, shown value, end): the page number."""
    _field_char(para, "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    para.add_run()._r.append(instr)
    _field_char(para, "separate")
    para.add_run("2")
    _field_char(para, "end")


def new_document(*, landscape: bool = False) -> DocumentObject:
    """An empty A4 document with the margins, styles and page numbers of Nghị định 30."""
    document = Document()
    _define_styles(document)
    section = document.sections[0]
    width, height = Mm(210), Mm(297)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (height, width) if landscape else (width, height)
    for side, mm in MARGINS_MM.items():  # Word stores twips: round up to stay inside the range
        setattr(section, f"{side}_margin", Twips(math.ceil(mm * 1440 / 25.4)))
    section.header_distance = section.footer_distance = Mm(10)
    # Page numbers centred in the top margin, from page 2 on.
    section.different_first_page_header_footer = True
    number = section.header.paragraphs[0]
    number.style = document.styles["Số trang"]
    _page_number_field(number)
    section.first_page_header.paragraphs[0].style = document.styles["Số trang"]
    props = document.core_properties
    props.author, props.title, props.comments, props.subject = "matrix", "", "", ""
    body = document.element.body
    for para in list(body.iterchildren(qn("w:p"))):  # the default template's empty first paragraph
        body.remove(para)
    return document


# --------------------------------------------------------------------------- letters


def letter_header(document: DocumentObject, party: bool) -> None:
    """The two-column borderless block: issuing body and number left, national title and date right.

    State (Nghị định 30): the superior body regular, the issuing body's name bold (both lines of
    "ỦY BAN NHÂN DÂN" / "TỈNH ĐỒNG THÁP"), 13 pt. Party (Hướng dẫn 36): the body's name and the
    number 14 pt, "ĐẢNG CỘNG SẢN VIỆT NAM" 15 pt bold underlined.
    """
    left_w, right_w = HEADER_COLUMNS_CM
    table = new_table(document, 2, HEADER_COLUMNS_CM, borders=False, indent_cm=HEADER_INDENT_CM)
    body_cell, title_cell = table.rows[0].cells
    size = Pt(14) if party else None
    tags(body_cell, "{%p for line in issuer.header_superior %}", [("DauVanBan", ["{{ line|upper }}"])], "{%p endfor %}")
    tags(
        body_cell,
        "{%p for line in issuer.header_body %}",
        [("DauVanBan", [R("{{ line|upper }}", bold=True)])],
        "{%p endfor %}",
    )
    if party:
        for para in body_cell.paragraphs:
            for run in para.runs:
                if "line" in run.text:
                    run.font.size = size
        paragraph(body_cell, "DauVanBan", "*")
        paragraph(title_cell, "QuocHieu", R("ĐẢNG CỘNG SẢN VIỆT NAM", underline=True)).runs[0].font.size = Pt(15)
    else:
        rule(body_cell, 2.2, left_w)
        paragraph(title_cell, "QuocHieu", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
        paragraph(title_cell, "TieuNgu", "Độc lập - Tự do - Hạnh phúc")
        rule(title_cell, 6.1, right_w)
    number_cell, date_cell = table.rows[1].cells
    if party:
        number = paragraph(number_cell, "DauVanBan", 'Số        -CV/{{ issuer.abbreviation or "TU" }}')
        number.runs[0].font.size = size
        subject = paragraph(number_cell, "TrichYeu", R(balanced("V/v triển khai nhiệm vụ " + SUBJECT), italic=True))
    else:
        paragraph(number_cell, "DauVanBan", 'Số:          /{{ issuer.abbreviation or "UBND" }}-NC')
        subject = paragraph(number_cell, "TrichYeu", balanced("V/v triển khai nhiệm vụ " + SUBJECT))
    subject.paragraph_format.space_before = Pt(3)
    paragraph(date_cell, "DiaDanh", DATE_LINE)


def letter_opening(document: DocumentObject, party: bool) -> None:
    """Kính gửi and the sentence that cites the directive."""
    verb = "yêu cầu" if party else STATE_VERB
    paragraph(document, "KinhGui", f"Kính gửi: {ADDRESSEE[party]}.")
    paragraph(
        document,
        "Normal",
        "{% if consolidated %}Thực hiện các văn bản của "
        + ISSUER_NAME
        + " dưới đây{% else %}Thực hiện "
        + cite("directive")
        + "{% endif %}, "
        + ISSUER_NAME
        + f" {verb} {ADDRESSEE_INLINE[party]} "
        + ("lãnh đạo, chỉ đạo " if party else "")
        + "triển khai thực hiện các nhiệm vụ sau:",
    )


def _detail(label: str, value: str) -> tuple[str, Sequence[Text]]:
    return ("ChiTiet", [R(f"- {label}: ", italic=True), value])


def letter_tasks(document: DocumentObject) -> None:
    """Sections (one per directive), role groups (chủ trì, phối hợp, thực hiện), tasks."""
    paragraph(document, "Normal", "{%p for section in sections %}")
    tags(
        document,
        "{%p if consolidated %}",
        [("DeMuc", ["{{ section.roman }}. " + cite("section.directive")])],
        "{%p endif %}",
    )
    paragraph(document, "Normal", "{%p for group in section.groups %}")
    paragraph(
        document,
        "DeMuc",
        "{{ group.index }}. {% if group.request %}Nội dung đề nghị {{ group.role }}"
        '{% elif group.role == "chủ trì" %}Nhiệm vụ chủ trì'
        '{% elif group.role == "phối hợp" %}Nhiệm vụ phối hợp{% else %}Nhiệm vụ cùng thực hiện{% endif %}',
    )
    paragraph(document, "Normal", "{%p for t in group.tasks %}")
    paragraph(document, "NhiemVu", "{{ t.letter }}) " + item_label("t", "section") + ":")
    tags(document, "{%p for p in t.paragraphs %}", [("Normal", ["{{ p }}"])], "{%p endfor %}")
    tags(
        document,
        "{%p for s in t.subtasks %}",
        [("Normal", ["{% if s.marker %}{{ s.marker }} {% endif %}{{ s.text }}"])],
        "{%p endfor %}",
    )
    lead_label = '{% if t.role == "chủ trì" %}Cơ quan cùng chủ trì{% else %}Cơ quan chủ trì{% endif %}'
    partner_label = '{% if t.role == "phối hợp" %}Cơ quan cùng phối hợp{% else %}Cơ quan phối hợp{% endif %}'
    tags(document, "{%p if t.leads %}", [_detail(lead_label, '{{ t.leads|join(", ") }}.')], "{%p endif %}")
    tags(document, "{%p if t.partners %}", [_detail(partner_label, '{{ t.partners|join(", ") }}.')], "{%p endif %}")
    tags(document, "{%p if t.deadline %}", [_detail("Thời hạn", "{{ t.deadline }}.")], "{%p endif %}")
    tags(document, "{%p if t.report %}", [_detail("Chế độ báo cáo", "{{ t.report }}.")], "{%p endif %}")
    tags(document, "{%p for x in t.targets %}", [_detail("Chỉ tiêu", "{{ x }}.")], "{%p endfor %}")
    tags(document, "{%p for x in t.notes %}", [_detail("Ghi chú", "{{ x }}")], "{%p endfor %}")
    for _ in range(3):
        paragraph(document, "Normal", "{%p endfor %}")


def letter_closing(document: DocumentObject, party: bool) -> None:
    """The closing request; it stays on the page of the signature."""
    if party:
        text = (
            ISSUER_NAME + " yêu cầu " + ADDRESSEE_INLINE[True] + " quán triệt, tổ chức thực hiện nghiêm túc, hiệu quả "
            "các nhiệm vụ nêu trên; định kỳ báo cáo kết quả về " + ISSUER_NAME + " theo quy định./."
        )
    else:
        text = (
            "{% if agency.requested %}Đề nghị " + ADDRESSEE_INLINE[False] + " quan tâm, phối hợp triển khai thực hiện "
            "các nội dung nêu trên; trong quá trình thực hiện, nếu có vấn đề cần phối hợp, đề nghị trao đổi với "
            + ISSUER_NAME
            + " để cùng giải quyết./."
            "{% else %}Yêu cầu " + ADDRESSEE_INLINE[False] + " tổ chức triển khai thực hiện nghiêm túc, hiệu quả các "
            "nhiệm vụ nêu trên; định kỳ báo cáo kết quả thực hiện theo quy định. Trong quá trình thực hiện, nếu có "
            "khó khăn, vướng mắc, kịp thời báo cáo " + ISSUER_NAME + " để xem xét, giải quyết./.{% endif %}"
        )
    closing = paragraph(document, "Normal", text)
    closing.paragraph_format.keep_with_next = True
    closing.paragraph_format.space_after = Pt(12)


def signature_block(document: DocumentObject, party: bool) -> None:
    """Nơi nhận bottom left; authority, title, space to sign and name bottom right.

    The letter's own copies: "Như trên" (the addressee), lines a clerk adds here, and the file copy;
    never the directive's distribution list. Where the directive names no signer, placeholders.
    """
    table = new_table(document, 1, SIGNATURE_COLUMNS_CM, borders=False)
    flag_row(table.rows[0], "w:cantSplit")
    copies, signature = table.rows[0].cells
    if party:  # Hướng dẫn 36: "Nơi nhận:" 14 pt underlined, the list 12 pt
        heading = paragraph(copies, "NoiNhanTieuDe", R("Nơi nhận:", bold=False, italic=False, underline=True))
        heading.runs[0].font.size = Pt(14)
    else:
        paragraph(copies, "NoiNhanTieuDe", "Nơi nhận:")
    lines = ["- Như trên;", "- Lưu Văn phòng Tỉnh ủy." if party else "- Lưu: VT, NC."]
    for line in lines:
        para = paragraph(copies, "NoiNhan", line)
        if party:
            para.runs[0].font.size = Pt(12)
    tags(signature, "{%p for line in signer.authority %}", [("ChuKy", ["{{ line|upper }}"])], "{%p endfor %}")
    paragraph(
        signature, "ChuKy", "{% if signer.title %}{{ signer.title|upper }}{% else %}(CHỨC VỤ NGƯỜI KÝ){% endif %}"
    )
    for _ in range(4):
        paragraph(signature, "ChuKy")
    paragraph(signature, "ChuKy", "{% if signer.name %}{{ signer.name }}{% else %}(Họ và tên){% endif %}")
    for cell in (copies, signature):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP


def build_letter(party: bool) -> DocumentObject:
    """The letter to one addressee: Nghị định 30 layout (State) or Hướng dẫn 36 (Party)."""
    document = new_document()
    letter_header(document, party)
    letter_opening(document, party)
    letter_tasks(document)
    letter_closing(document, party)
    signature_block(document, party)
    return document


# --------------------------------------------------------------------------- assignment table


def _tr(table: Table, tag: str) -> None:
    """A row holding only a ``{%tr ... %}`` tag (docxtpl drops the row itself)."""
    paragraph(table.add_row().cells[0], "Bang", tag)


def _task_row(table: Table) -> None:
    """A task: its text as the document prints it (with its number), then who and when."""
    cells = table.add_row().cells
    paragraph(cells[0], "BangGiua", "{{ r.stt }}")
    tags(
        cells[1],
        '{%p if r.kind == "closing" %}',
        [("Bang", [R("(Đoạn cuối của {{ section.directive.kind|capitalize }})", italic=True)])],
        "{%p endif %}",
    )
    tags(
        cells[1],
        "{%p for p in r.paragraphs %}",
        [("Bang", ["{% if loop.first and r.marker %}{{ r.marker }} {% endif %}{{ p }}"])],
        "{%p endfor %}",
    )
    paragraph(cells[2], "BangTrai", '{{ r.leads|lines(";") }}')
    paragraph(cells[3], "BangTrai", '{{ r.partners|lines(";") }}')
    paragraph(cells[4], "BangTrai", '{{ r.doers|lines(";") }}')
    paragraph(cells[5], "BangGiua", "{{ r.deadline }}")


def _notes_row(table: Table) -> None:
    """Reporting, targets and notes of a task, in a row under it across the table (not in a narrow column)."""
    _tr(table, "{%tr if r.report or r.targets or r.notes %}")
    cells = table.add_row().cells
    paragraph(cells[0], "BangGiua", "")
    merged = cells[1].merge(cells[-1])
    tags(merged, "{%p if r.report %}", [("GhiChuBang", ["Chế độ báo cáo: {{ r.report }}."])], "{%p endif %}")
    tags(merged, "{%p for x in r.targets %}", [("GhiChuBang", ["Chỉ tiêu: {{ x }}."])], "{%p endfor %}")
    tags(merged, "{%p for x in r.notes %}", [("GhiChuBang", ["Ghi chú: {{ x }}"])], "{%p endfor %}")
    _tr(table, "{%tr endif %}")


def build_table() -> DocumentObject:
    """The assignment table for meetings: landscape, header row repeated on every page."""
    document = new_document(landscape=True)
    paragraph(document, "TenBang", "BẢNG PHÂN CÔNG NHIỆM VỤ")
    tags(document, "{%p if consolidated %}", [("DiaDanh", ["Tổng hợp từ các văn bản:"])], "{%p endif %}")
    tags(
        document,
        "{%p for d in directives %}",
        [
            (
                "DiaDanh",
                [
                    "{% if consolidated %}- {% else %}(Thực hiện {% endif %}"
                    + cite("d")
                    + "{% if not consolidated %}){% endif %}"
                ],
            )
        ],
        "{%p endfor %}",
    )
    paragraph(document, "Normal")
    table = new_table(document, 1, TABLE_COLUMNS_CM, borders=True)
    heading = table.rows[0]
    flag_row(heading, "w:tblHeader")
    for cell, text in zip(heading.cells, TABLE_HEADINGS, strict=True):
        paragraph(cell, "BangTieuDe", text)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    _tr(table, "{%tr for section in sections %}")
    _tr(table, "{%tr if consolidated %}")
    merged = table.add_row().cells
    paragraph(merged[0].merge(merged[-1]), "Bang", R("{{ section.roman }}. " + cite("section.directive"), bold=True))
    _tr(table, "{%tr endif %}")
    _tr(table, "{%tr for r in section.rows %}")
    _task_row(table)
    _notes_row(table)
    _tr(table, "{%tr endfor %}")
    _tr(table, "{%tr endfor %}")
    return document


# --------------------------------------------------------------------------- đôn đốc letters


def _reminder_header(document: DocumentObject, party: bool) -> None:
    """The header block of a đôn đốc letter: as the assignment letters', with its own subject line."""
    left_w, right_w = HEADER_COLUMNS_CM
    table = new_table(document, 2, HEADER_COLUMNS_CM, borders=False, indent_cm=HEADER_INDENT_CM)
    body_cell, title_cell = table.rows[0].cells
    tags(body_cell, "{%p for line in issuer.header_above %}", [("DauVanBan", ["{{ line|upper }}"])], "{%p endfor %}")
    paragraph(body_cell, "DauVanBan", R("{{ issuer.header_last|upper }}", bold=True))
    if party:
        paragraph(body_cell, "DauVanBan", "*")
        paragraph(title_cell, "QuocHieu", R("ĐẢNG CỘNG SẢN VIỆT NAM", underline=True)).runs[0].font.size = Pt(15)
    else:
        rule(body_cell, 2.2, left_w)
        paragraph(title_cell, "QuocHieu", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
        paragraph(title_cell, "TieuNgu", "Độc lập - Tự do - Hạnh phúc")
        rule(title_cell, 6.1, right_w)
    number_cell, date_cell = table.rows[1].cells
    subject = balanced("V/v đôn đốc thực hiện nhiệm vụ quá hạn")
    if party:
        paragraph(number_cell, "DauVanBan", 'Số        -CV/{{ issuer.abbreviation or "TU" }}')
        line = paragraph(number_cell, "TrichYeu", R(subject, italic=True))
    else:
        paragraph(number_cell, "DauVanBan", 'Số:          /{{ issuer.abbreviation or "UBND" }}-NC')
        line = paragraph(number_cell, "TrichYeu", subject)
    line.paragraph_format.space_before = Pt(3)
    paragraph(date_cell, "DiaDanh", DATE_LINE)


def _detail_paragraph(document: DocumentObject, label: str, value: str) -> None:
    style, texts = _detail(label, value)
    paragraph(document, style, *texts)


def _reminder_items(document: DocumentObject) -> None:
    """Each overdue task: where it stands, its text, the document that assigned it, what was missed."""
    paragraph(document, "Normal", "{%p for i in items %}")
    where = "{{ i.task.where[:1]|upper }}{{ i.task.where[1:] }}"  # "Mục 7", as item_label words it
    paragraph(document, "NhiemVu", "{{ i.index }}. " + where + " của " + short_cite("i.directive") + ":")
    tags(document, "{%p for p in i.task.paragraphs %}", [("Normal", ["{{ p }}"])], "{%p endfor %}")
    tags(
        document,
        "{%p for s in i.subtasks %}",
        [("Normal", ["{% if s.marker %}{{ s.marker }} {% endif %}{{ s.text }}"])],
        "{%p endfor %}",
    )
    tags(document, "{%p if i.task.title %}", [_detail("Tên nhiệm vụ", "{{ i.task.title }}.")], "{%p endif %}")
    _detail_paragraph(
        document,
        "Văn bản giao nhiệm vụ",
        cite("i.directive") + "{% if not i.assigned %} (văn bản không ghi ngày){% endif %}.",
    )
    tags(
        document,
        "{%p if i.was %}",
        [_detail("Nhiệm vụ giao cho", "{{ i.was }} (nay là {{ i.now }}).")],
        "{%p endif %}",
    )
    tags(
        document,
        "{%p if i.letter %}",
        [
            _detail(
                "Thư giao nhiệm vụ",
                "{% if i.letter.number %}số {{ i.letter.number }} {% endif %}ngày {{ i.letter.date.short }}.",
            )
        ],
        "{%p endif %}",
    )
    tags(
        document,
        "{%p if i.deadline %}",
        [
            _detail(
                "Thời hạn hoàn thành",
                "{{ i.deadline.short }}{% if i.deadline_text %} ({{ i.deadline_text }}){% endif %}.",
            )
        ],
        "{%p endif %}",
    )
    tags(
        document,
        "{%p if i.missed %}",
        [
            _detail(
                "Kỳ báo cáo chưa báo cáo",
                "{% for d in i.missed %}{{ d.short }}{% if not loop.last %}, {% endif %}{% endfor %}{% if i.task.report %} ({{ i.task.report }}){% endif %}.",
            )
        ],
        "{%p endif %}",
    )
    _detail_paragraph(document, "Quá hạn", "{{ i.days }} ngày (từ ngày {{ i.since.short }}).")
    paragraph(document, "Normal", "{%p endfor %}")


def build_reminder(party: bool) -> DocumentObject:
    """The đôn đốc letter to one agency: its overdue tasks of one issuer, Nghị định 30 layout (State) or HD 36 (Party)."""
    document = new_document()
    _reminder_header(document, party)
    paragraph(document, "KinhGui", f"Kính gửi: {ADDRESSEE[party]}.")
    verb = "yêu cầu" if party else STATE_VERB
    paragraph(
        document,
        "Normal",
        "Qua theo dõi tình hình thực hiện nhiệm vụ, đến ngày {{ as_of.short }}, "
        + ADDRESSEE_INLINE[party]
        + " còn {{ item_count }} nhiệm vụ quá hạn chưa hoàn thành hoặc chưa báo cáo kết quả theo yêu cầu, cụ thể như sau:",
    )
    _reminder_items(document)
    closing = paragraph(
        document,
        "Normal",
        ISSUER_NAME + f" {verb} " + ADDRESSEE_INLINE[party] + " khẩn trương thực hiện các nhiệm vụ nêu trên và báo cáo "
        "kết quả về " + ISSUER_NAME + " trước ngày ...... tháng ...... năm ........; trường hợp chưa hoàn thành, "
        "báo cáo rõ lý do, khó khăn, vướng mắc và đề xuất thời hạn hoàn thành./.",
    )
    closing.paragraph_format.keep_with_next = True
    closing.paragraph_format.space_after = Pt(12)
    table = new_table(document, 1, SIGNATURE_COLUMNS_CM, borders=False)
    flag_row(table.rows[0], "w:cantSplit")
    copies, signature = table.rows[0].cells
    if party:
        heading = paragraph(copies, "NoiNhanTieuDe", R("Nơi nhận:", bold=False, italic=False, underline=True))
        heading.runs[0].font.size = Pt(14)
    else:
        paragraph(copies, "NoiNhanTieuDe", "Nơi nhận:")
    paragraph(copies, "NoiNhan", "- Như trên;")
    paragraph(copies, "NoiNhan", "- Lưu Văn phòng Tỉnh ủy." if party else "- Lưu: VT, NC.")
    tags(signature, "{%p for line in signer.authority %}", [("ChuKy", ["{{ line|upper }}"])], "{%p endfor %}")
    paragraph(
        signature, "ChuKy", "{% if signer.title %}{{ signer.title|upper }}{% else %}(CHỨC VỤ NGƯỜI KÝ){% endif %}"
    )
    for _ in range(4):
        paragraph(signature, "ChuKy")
    paragraph(signature, "ChuKy", "(Họ và tên người ký)")
    for cell in (copies, signature):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    return document


# --------------------------------------------------------------------------- consolidated extract


def build_extract() -> DocumentObject:
    """ "Tổng hợp nhiệm vụ": one agency's tasks from every directive, each under its directive's full reference.

    A working document, not a letter: no national title, no number, no signature, because no one
    issuer sends tasks of several issuers.
    """
    document = new_document()
    paragraph(document, "TenBang", "TỔNG HỢP NHIỆM VỤ")
    paragraph(document, "TieuDeTongHop", "của {{ agency.name }}")
    paragraph(document, "DiaDanh", "(theo {{ directives|length }} văn bản chỉ đạo; {{ task_count }} nhiệm vụ)")
    paragraph(document, "Normal", "{%p for section in sections %}")
    paragraph(document, "DeMuc", "{{ section.roman }}. " + cite("section.directive"))
    paragraph(document, "Normal", "{%p for group in section.groups %}")
    paragraph(
        document,
        "DeMuc",
        "{{ group.index }}. {% if group.request %}Đề nghị {{ group.role }}"
        '{% elif group.role == "chủ trì" %}Chủ trì'
        '{% elif group.role == "phối hợp" %}Phối hợp{% else %}Cùng thực hiện{% endif %}',
    )
    paragraph(document, "Normal", "{%p for t in group.tasks %}")
    paragraph(document, "NhiemVu", "{{ t.letter }}) " + item_label("t", "section") + ":")
    tags(document, "{%p for p in t.paragraphs %}", [("Normal", ["{{ p }}"])], "{%p endfor %}")
    tags(
        document,
        "{%p for s in t.subtasks %}",
        [("Normal", ["{% if s.marker %}{{ s.marker }} {% endif %}{{ s.text }}"])],
        "{%p endfor %}",
    )
    lead_label = '{% if t.role == "chủ trì" %}Cơ quan cùng chủ trì{% else %}Cơ quan chủ trì{% endif %}'
    partner_label = '{% if t.role == "phối hợp" %}Cơ quan cùng phối hợp{% else %}Cơ quan phối hợp{% endif %}'
    tags(document, "{%p if t.leads %}", [_detail(lead_label, '{{ t.leads|join(", ") }}.')], "{%p endif %}")
    tags(document, "{%p if t.partners %}", [_detail(partner_label, '{{ t.partners|join(", ") }}.')], "{%p endif %}")
    paragraph(
        document,
        "ChiTiet",
        R("- Thời hạn: ", italic=True),
        "{% if t.deadline %}{{ t.deadline }}.{% else %}văn bản không nêu.{% endif %}",
    )
    tags(document, "{%p if t.report %}", [_detail("Chế độ báo cáo", "{{ t.report }}.")], "{%p endif %}")
    tags(document, "{%p for x in t.targets %}", [_detail("Chỉ tiêu", "{{ x }}.")], "{%p endfor %}")
    tags(document, "{%p for x in t.notes %}", [_detail("Ghi chú", "{{ x }}")], "{%p endfor %}")
    for _ in range(3):
        paragraph(document, "Normal", "{%p endfor %}")
    paragraph(
        document,
        "ChuThich",
        "Bản tổng hợp để theo dõi, không phải văn bản ban hành: mỗi nhiệm vụ thực hiện theo văn bản gốc nêu ở đầu mỗi phần.",
    )
    return document


# --------------------------------------------------------------------------- main

BUILDERS = {
    "thu-nha-nuoc.docx": lambda: build_letter(party=False),
    "thu-dang.docx": lambda: build_letter(party=True),
    "bang-phan-cong.docx": build_table,
    "tong-hop-nhiem-vu.docx": build_extract,
    "don-doc.docx": lambda: build_reminder(party=False),
    "don-doc-dang.docx": lambda: build_reminder(party=True),
}


def write_templates(out_dir: Path, names: Iterable[str] = BUILDERS) -> list[Path]:
    """Write the default templates to ``out_dir``; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in names:
        path = out_dir / name
        BUILDERS[name]().save(path)
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "templates", help="output folder (default: templates/)")
    args = parser.parse_args(argv)
    for path in write_templates(args.out):
        print(path)


if __name__ == "__main__":
    main()
