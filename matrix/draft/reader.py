"""Read a directive from .txt, .docx or .pdf into plain lines of text.

Every reader returns a :class:`Source`: the lines in reading order (NFC, no
CR, no BOM), a form feed line ``"\\f"`` at each known page break, and the
footnotes a format stores apart from the body (Word). Footnotes printed in
the body (PDF, pasted text) are found later by :mod:`.footnotes`.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
import stat
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path
from typing import Any

from ..core.errors import MatrixError, os_message
from ..input.yamlio import NOT_UTF8, TO_UNICODE

PAGE_BREAK = "\f"
MAX_BYTES = 20 * 1024 * 1024
MAX_UNPACKED = 64 * 1024 * 1024  # a .docx once unzipped, counted as it inflates (see matrix.files.safezip)
MAX_XML = 24 * 1024 * 1024  # of which XML (Word's body of a 300-page document is a few MB)
MAX_TEXT_CHARS = 2_000_000  # a long plan with its appendices is a few hundred thousand characters
# Control characters never reach a draft (the terminal, a YAML file): Word's line break (VT) becomes a line end.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_SPACES = str.maketrans({"\u00a0": " ", "\u2007": " ", "\u202f": " "})  # TAB kept: it separates table cells
_VIETNAMESE = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯ\u1ea0-\u1ef9]")
_LATIN1_LETTERS = re.compile(r"[\u00a1-\u00af\u00b1-\u00ff]")  # what TCVN3/VNI bytes look like as Unicode
_MARKDOWN_HEADING = re.compile(r"^\s*#{1,6}\s+")
_MARKDOWN_EMPHASIS = re.compile(r"\*\*|__|(?<!\w)\*(?=\S)|(?<=\S)\*(?!\w)")
_RULE = re.compile(r"^\s*(?:[-_*=~·•]\s*){3,}$")
_PAGE_NUMBER = re.compile(r"^\s*(?:-\s*\d{1,3}\s*-|\d{1,3}|[Tt]rang\s+\d{1,3}(?:\s*/\s*\d{1,3})?)\s*$")


class DraftError(MatrixError):
    """A source file that cannot be drafted (unknown format, unreadable, no text)."""


@dataclass
class Source:
    """The text of one source file, as lines, with Word's footnotes kept apart."""

    path: Path
    lines: list[str]
    footnotes: dict[int, str] = field(default_factory=dict)


def read_source(path: Path) -> Source:
    """Read ``path`` (.txt, .docx or .pdf) into a :class:`Source`; :class:`DraftError` if it cannot."""
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise DraftError(f"Không tìm thấy tệp '{path}'.") from None
    except OSError as exc:
        raise DraftError(f"Không đọc được tệp '{path}': {os_message(exc)}.") from None
    if not stat.S_ISREG(info.st_mode):
        raise DraftError(f"'{path}' không phải tệp văn bản thường (thư mục, thiết bị hay ống dẫn).")
    if info.st_size > MAX_BYTES:
        raise DraftError(f"Tệp '{path.name}' quá lớn (tối đa {MAX_BYTES // 1024 // 1024} MB).")
    suffix = path.suffix.lower()
    notes: dict[int, str] = {}
    if suffix in (".txt", ".text", ".md", ""):
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise DraftError(f"Không đọc được tệp '{path}': {os_message(exc)}.") from None
        lines = split_lines(decode_text(data, path.name))
    elif suffix == ".docx":
        lines, notes = _read_docx(path)
    elif suffix == ".pdf":
        lines = _read_pdf(path)
    elif suffix in (".doc", ".odt", ".rtf"):
        lines, notes = _read_converted(path)
    elif suffix in _IMAGES:
        lines = split_lines(ocr_image(path))
    else:
        raise DraftError(
            f"Không đọc được loại tệp '{suffix}': matrix draft nhận tệp .txt, .docx, .doc, .odt, .pdf "
            "hoặc ảnh chụp (.png, .jpg, .tif)."
        )
    check_length(sum(len(line) + 1 for line in lines), path.name)
    lines = clean_lines(lines)
    if not any(line.strip() for line in lines):
        raise DraftError(f"Tệp '{path.name}' không có chữ nào để đọc.")
    return Source(path, lines, notes)


def check_length(size: int, name: str) -> None:
    """Refuse a text of more than :data:`MAX_TEXT_CHARS` characters before the drafter reads it."""
    if size > MAX_TEXT_CHARS:
        raise DraftError(
            f"Văn bản '{name}' quá dài ({size:,} ký tự; tối đa {MAX_TEXT_CHARS:,}): ".replace(",", ".")
            + "hãy tách phần phụ lục hoặc các văn bản gộp chung thành tệp riêng rồi lập bản nháp từng phần."
        )


# --------------------------------------------------------------------------- plain text


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with BOM; refuse legacy Vietnamese encodings clearly."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DraftError(f"Tệp '{name}' {NOT_UTF8}: {TO_UNICODE} rồi lưu với mã hóa UTF-8.") from None
    check_length(len(text), name)
    if _looks_legacy(text):
        raise DraftError(
            f"Tệp '{name}' có vẻ được gõ bằng phông TCVN3/VNI cũ (chữ hiển thị sai dấu): {TO_UNICODE} rồi thử lại."
        )
    return text


def _looks_legacy(text: str) -> bool:
    """True when accented Latin-1 letters far outnumber Vietnamese letters (TCVN3/VNI read as Unicode)."""
    vietnamese = len(_VIETNAMESE.findall(text))
    latin1 = len(_LATIN1_LETTERS.findall(text))
    return latin1 > 40 and latin1 > 3 * vietnamese


def split_lines(text: str) -> list[str]:
    """Lines of ``text`` whatever its line ends; form feeds become page-break lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n").replace("\f", f"\n{PAGE_BREAK}\n")
    return text.split("\n")


def clean_lines(lines: list[str]) -> list[str]:
    """NFC, ordinary spaces, no invisible characters, no Markdown markup, no page numbers.

    A horizontal rule (``-----``) is kept as the line ``"---"``: the header
    parser reads it as the end of a title.
    """
    out: list[str] = []
    for raw in lines:
        if raw == PAGE_BREAK:
            out.append(PAGE_BREAK)
            continue
        line = unicodedata.normalize("NFC", _CONTROLS.sub("", raw)).translate(_INVISIBLE).translate(_SPACES).rstrip()
        if _RULE.match(line):
            out.append("---")
            continue
        if _PAGE_NUMBER.match(line):
            out.append(PAGE_BREAK)
            continue
        line = _MARKDOWN_EMPHASIS.sub("", _MARKDOWN_HEADING.sub("", line))
        out.append(line.rstrip())
    return out


# --------------------------------------------------------------------------- Word

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_COLUMN_GAP = "   "  # a tab between two texts of one line: the header's columns (see matrix.draft.header._GAP)


def _read_docx(path: Path) -> tuple[list[str], dict[int, str]]:
    """Paragraphs and table cells in document order; footnotes apart, their references as digits."""
    import docx  # python-docx
    from docx.table import Table

    from ..files.safezip import check_zip

    try:
        data = path.read_bytes()  # read once: the bytes checked are the bytes opened
    except OSError as exc:
        raise DraftError(f"Không đọc được tệp '{path}': {os_message(exc)}.") from None
    refused = check_zip(data, MAX_UNPACKED, MAX_XML)
    if refused:
        raise DraftError(f"Không mở được tệp Word '{path.name}': {refused}.")
    try:
        document = docx.Document(io.BytesIO(data))
        notes = _docx_footnotes(document)
    except MemoryError:
        raise  # a limit of the caller (the web page's worker), not a broken file
    except Exception:
        raise DraftError(
            f"Không mở được tệp Word '{path.name}': tệp bị hỏng, được mã hóa hoặc không phải .docx "
            "(hãy mở bằng Word và lưu lại)."
        ) from None
    numbers = {key: i for i, key in enumerate(notes, 1)}
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(_table_lines(block, numbers))
        else:
            lines.extend(_paragraph_text(block._p, numbers).split("\n"))
    return lines, {numbers[key]: text for key, text in notes.items()}


def _table_lines(table: Any, numbers: dict[str, int]) -> Iterator[str]:
    """Each cell's paragraphs, column by column (header and signature tables are two columns); a table of three
    columns or more is data: one line per row, cells separated by TAB (see :mod:`.tables`)."""
    seen: set[int] = set()
    columns = max((len(row.cells) for row in table.rows), default=0)
    if columns >= 3:
        for row in table.rows:
            cells: list[str] = []
            in_row: set[int] = set()
            for cell in row.cells:
                if id(cell._tc) in in_row:  # a cell merged across columns: its text once
                    continue
                in_row.add(id(cell._tc))  # merged down rows: repeated, as it holds for each row
                cells.append(
                    " ".join(_paragraph_text(p._p, numbers).replace("\n", " ").strip() for p in cell.paragraphs).strip()
                )
            if any(cells):
                yield "\t".join(cells)
        return
    for column in range(columns):
        for row in table.rows:
            if column >= len(row.cells) or id(row.cells[column]._tc) in seen:
                continue
            seen.add(id(row.cells[column]._tc))
            for paragraph in row.cells[column].paragraphs:
                yield from _paragraph_text(paragraph._p, numbers).split("\n")


def _paragraph_text(element: Any, numbers: dict[str, int]) -> str:
    """The text of one ``w:p``, with footnote references written as their numbers ("trật tự1.").

    A line break (Shift+Enter, ``w:br``/``w:cr``) ends a line. A tab after text on its line is a column gap
    (three spaces, as the PDF reader writes the gap between a header's two columns): a header typed as
    "ỦY BAN NHÂN DÂN<tab>CỘNG HÒA...<br/>Số: 07/CT-UBND<tab>Tiền Giang, ngày ..." keeps its date and place.
    """
    parts: list[str] = []
    text_on_line = False
    for node in element.iter():
        tag = node.tag
        if tag == f"{_W}t":
            parts.append(node.text or "")
            text_on_line = text_on_line or bool((node.text or "").strip())
        elif tag in (f"{_W}br", f"{_W}cr"):
            parts.append("\n")
            text_on_line = False
        elif tag == f"{_W}tab":
            parts.append(_COLUMN_GAP if text_on_line else " ")
        elif tag == f"{_W}footnoteReference":
            key = node.get(f"{_W}id")
            if key in numbers:
                parts.append(str(numbers[key]))
    return "".join(parts)


def _docx_footnotes(document: Any) -> dict[str, str]:
    """Footnote id -> text, from the footnotes part (python-docx has no API for it)."""
    from lxml import etree

    for part in document.part.package.iter_parts():
        if str(part.partname).endswith("/footnotes.xml"):
            parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
            root = etree.fromstring(part.blob, parser)
            notes = {}
            for note in root.iter(f"{_W}footnote"):
                if note.get(f"{_W}type") in ("separator", "continuationSeparator", "continuationNotice"):
                    continue
                text = " ".join(_paragraph_text(p, {}).strip() for p in note.iter(f"{_W}p")).strip()
                number = note.get(f"{_W}id")
                if text and number is not None:
                    notes[number] = text
            return notes
    return {}


# --------------------------------------------------------------------------- other formats and scans

_IMAGES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")
OCR_LANGUAGE = "vie"


def _read_converted(path: Path) -> tuple[list[str], dict[int, str]]:
    """Old Word (.doc), OpenDocument (.odt), RTF: converted to .docx by LibreOffice, then read as Word."""
    import subprocess
    import tempfile

    from ..writers.office import convert, find_soffice

    if path.suffix.lower() == ".odt":  # a zip package too: refused before LibreOffice unpacks it
        from ..files.safezip import check_zip

        refused = check_zip(path, MAX_UNPACKED, MAX_XML)
        if refused:
            raise DraftError(f"Không mở được tệp OpenDocument '{path.name}': {refused}.")
    office = find_soffice()
    if office is None:
        kind = {".doc": "Word cũ (.doc)", ".odt": "OpenDocument (.odt)"}.get(path.suffix.lower(), path.suffix)
        raise DraftError(
            f"Tệp '{path.name}' là {kind}: cần LibreOffice để chuyển sang .docx nhưng máy chưa cài "
            "(cài gói libreoffice), hoặc hãy mở tệp và lưu lại dạng .docx."
        )
    with tempfile.TemporaryDirectory() as folder:
        try:
            convert(office, "docx", Path(folder), [path], Path(folder) / "profile", timeout=180)
        except (subprocess.SubprocessError, OSError):
            raise DraftError(
                f"LibreOffice không chuyển được tệp '{path.name}' sang .docx: hãy mở tệp và lưu lại dạng .docx."
            ) from None
        converted = Path(folder) / f"{path.stem}.docx"
        if not converted.is_file():
            raise DraftError(
                f"LibreOffice không chuyển được tệp '{path.name}' sang .docx: hãy mở tệp và lưu lại dạng .docx."
            )
        return _read_docx(converted)


def _tesseract() -> str:
    """The tesseract program with its Vietnamese data, or a clear :class:`DraftError`."""
    import shutil
    import subprocess

    program = shutil.which("tesseract")
    if program is None:
        raise DraftError(
            "Văn bản là bản quét (ảnh) nên cần nhận dạng chữ (OCR), nhưng máy chưa cài Tesseract: cài "
            "gói tesseract-ocr và tesseract-ocr-vie rồi chạy lại, hoặc dùng bản Word/văn bản."
        )
    try:
        languages = subprocess.run([program, "--list-langs"], capture_output=True, text=True, timeout=60).stdout
    except (subprocess.SubprocessError, OSError):
        languages = ""
    if OCR_LANGUAGE not in languages.split():
        raise DraftError(
            "Máy đã có Tesseract nhưng thiếu dữ liệu tiếng Việt để nhận dạng chữ: cài gói "
            "tesseract-ocr-vie rồi chạy lại."
        )
    return program


def ocr_image(path: Path) -> str:
    """The text of one scanned page (an image file), read by Tesseract in Vietnamese."""
    import subprocess

    program = _tesseract()
    try:
        done = subprocess.run(
            [program, str(path), "stdout", "-l", OCR_LANGUAGE, "--psm", "4"], capture_output=True, timeout=600
        )
    except (subprocess.SubprocessError, OSError) as exc:
        raise DraftError(f"Không nhận dạng được chữ trong '{path.name}': {exc}") from None
    if done.returncode != 0:
        raise DraftError(f"Không nhận dạng được chữ trong '{path.name}' (Tesseract báo lỗi).")
    return done.stdout.decode("utf-8", "replace")


def ocr_pdf(path: Path) -> str:
    """The text of a scanned PDF: each page rendered by pdftoppm and read by Tesseract; pages split by form feeds."""
    import shutil
    import subprocess
    import tempfile

    _tesseract()
    renderer = shutil.which("pdftoppm")
    if renderer is None:
        raise DraftError(
            f"Tệp PDF '{path.name}' là bản quét: cần pdftoppm (gói poppler-utils) để đọc ảnh từng trang "
            "rồi nhận dạng chữ; hãy cài gói này hoặc dùng bản Word/văn bản."
        )
    with tempfile.TemporaryDirectory() as folder:
        try:
            subprocess.run(
                [renderer, "-r", "300", "-gray", "-png", str(path), f"{folder}/trang"],
                check=True,
                capture_output=True,
                timeout=600,
            )
        except (subprocess.SubprocessError, OSError):
            raise DraftError(f"Không đọc được ảnh các trang của tệp PDF '{path.name}'.") from None
        pages = sorted(Path(folder).glob("trang*.png"))
        texts = [ocr_image(page) for page in pages]
    if not any(text.strip() for text in texts):
        raise DraftError(
            f"Tệp PDF '{path.name}' không có lớp chữ (bản quét) và nhận dạng chữ (OCR) không đọc được "
            "chữ nào: hãy dùng bản Word/văn bản."
        )
    return "\f".join(texts)


# --------------------------------------------------------------------------- PDF


_SILENT = logging.NullHandler()


def _read_pdf(path: Path) -> list[str]:
    """The text layer of every page, pages separated by a page-break line.

    The plain extraction gives the words; the layout extraction, when its
    lines are the same, adds the blank lines that stand for the space
    between paragraphs.
    """
    try:
        from pypdf import PdfReader
    except ImportError:  # pragma: no cover - pypdf is a declared dependency
        raise DraftError("Cần cài thư viện pypdf để đọc tệp PDF (pip install pypdf).") from None
    # pypdf logs what it repairs ("invalid pdf header", "EOF marker not found") in English on stderr; the clerk
    # gets the one Vietnamese message below instead.
    logging.getLogger("pypdf").addHandler(_SILENT)
    try:
        reader = PdfReader(str(path))
        pages: list[list[str]] = []
        columns: list[int] | None = None
        for page in reader.pages:
            lines, columns = _page_lines(page, columns)
            pages.append(lines)
    except Exception:
        raise DraftError(
            f"Không đọc được tệp PDF '{path.name}': tệp bị hỏng hoặc được mã hóa (có mật khẩu); "
            "hãy mở và lưu lại thành PDF thường."
        ) from None
    if not any(line.strip() for page in pages for line in page):
        return split_lines(ocr_pdf(path))  # a scanned PDF: no text layer
    return join_pages(pages)


def _page_lines(page: Any, columns: list[int] | None = None) -> tuple[list[str], list[int] | None]:
    """The lines of one page, and the columns of a table still open at its foot (``columns``: the last page's)."""
    plain = split_lines(page.extract_text() or "")
    try:
        layout = split_lines(page.extract_text(extraction_mode="layout") or "")
    except Exception:
        return plain, None
    tabled, open_columns = layout_tables(layout, columns)
    if tabled != layout:  # the plain extraction reads a table column by column: the layout's rows instead
        return with_gaps([_flat_cells(line) for line in tabled if line.strip()], tabled), open_columns
    return with_gaps(plain, layout), None


def _flat_cells(line: str) -> str:
    return "\t".join(_flat(cell) for cell in line.split("\t"))


def join_pages(pages: list[list[str]]) -> list[str]:
    """The pages one after the other, a page-break line between; a table row cut by the page end is joined."""
    lines: list[str] = []
    for page in pages:
        first = next((k for k, line in enumerate(page) if line.strip()), None)
        last = next((k for k in range(len(lines) - 1, -1, -1) if lines[k].strip()), None)
        if first is not None and last is not None and page[first].startswith("\t") and "\t" in lines[last]:
            above, below = lines[last].split("\t"), page[first].split("\t")
            cells = zip_longest(above, below, fillvalue="")
            lines[last] = "\t".join(f"{a} {b}".strip() for a, b in cells).rstrip("\t")
            page = page[first + 1 :]
        if lines:
            lines.append(PAGE_BREAK)
        lines.extend(page)
    return lines


_WORD_RUN = re.compile(r"\S+(?: \S+)*")  # words with single spaces between: one cell's line in a layout table
_ROW_START = re.compile(r"^(?:[IVX]{1,5}|\d{1,3}(?:\.\d{1,2})*|[a-zđ])[.)]?(?:\s|$)")
Segments = list[tuple[int, str]]


def _segments(line: str) -> Segments:
    """(column, text) of each run of words in a layout line; two spaces or more separate runs."""
    return [(m.start(), m.group()) for m in _WORD_RUN.finditer(line)]


def _at(col: int, columns: list[int]) -> bool:
    return any(abs(col - c) <= 1 for c in columns)


def _aligned(a: Segments, b: Segments) -> bool:
    """Two lines of one table: three runs or more on the first, two runs of the second at its inner columns
    (the left margin, where every line starts, says nothing)."""
    if len(a) < 3 or len(b) < 2:
        return False
    starts = [col for col, _ in a[1:]]
    return sum(1 for col, _ in b if col > a[0][0] + 1 and _at(col, starts)) >= 2


def _fits(segments: Segments, columns: list[int]) -> bool:
    """A line that goes on with a table of these columns: two runs or more at its columns."""
    return len(segments) >= 2 and sum(1 for col, _ in segments if _at(col, columns)) >= 2


def layout_tables(lines: list[str], columns: list[int] | None = None) -> tuple[list[str], list[int] | None]:
    """The layout extraction of a PDF page with each table as rows of TAB-separated cells (see :mod:`.tables`).

    A table is a line of three runs of words or more (two spaces or more between runs) and a line under it
    whose runs start at the same columns, with the lines that go on with it. A row starts where the first
    column holds a row number (or, in a table without numbers, a word in upper case); the lines below it add
    to its cells. ``columns``: a table still open at the foot of the last page, whose rows may go on at the
    top of this one (such a row is written with an empty first cell). Also returns the columns of a table
    open at the foot of this page.
    """
    out: list[str] = []
    i = 0
    if columns:
        top = next((k for k, line in enumerate(lines) if line.strip() and not _PAGE_NUMBER.match(line)), None)
        first = _segments(lines[top])[0] if top is not None else (0, "")
        if first[0] <= min(columns) + 1 and first[1][:1].islower():  # a cell's end at the page's left edge
            shift = _shift(lines[top:], columns)
            lines = [" " * shift + line if line.strip() else line for line in lines]
        if top is not None and _segments(lines[top])[0][0] > min(columns) + 1:
            out.extend(lines[:top])
            rows, i, _ = _read_table(lines, top, columns)
            out.extend("\t".join(cells) for cells in rows)
    open_columns = columns if columns and i >= len(lines) else None
    while i < len(lines):
        here = _segments(lines[i])
        following = _segments(lines[i + 1]) if i + 1 < len(lines) else []
        if not _aligned(here, following):
            out.append(lines[i])
            i += 1
            continue
        rows, i, found = _read_table(lines, i)
        out.extend("\t".join(cells) for cells in rows)
        open_columns = found if i >= len(lines) or not any(line.strip() for line in lines[i:]) else None
    return out, open_columns


def _shift(lines: list[str], columns: list[int]) -> int:
    """How far a page that goes on with a table was moved left: the layout extraction drops the margin that
    every line of a page has, so a page holding only the ends of cells starts at their column, not the table's.

    The shift puts the runs of the first lines at the table's columns best (the first column after the number
    column when any would do: a task's text is the cell most often cut by the page's foot).
    """
    runs = [col for line in lines[:6] for col, _ in _segments(line)]
    candidates = [c - columns[0] for c in sorted(columns)[1:]]
    return min(candidates, key=lambda d: sum(min(abs(col + d - c) for c in columns) for col in runs), default=0)


def _table_end(lines: list[str], start: int, columns: list[int]) -> int:
    """The index of the first line after the table whose first line is ``lines[start]``."""
    col0 = min(columns)
    k = start + 1
    while k < len(lines):
        segments = _segments(lines[k])
        spanning = len(segments) == 1 and segments[0][0] <= col0 + 1
        if segments and not spanning:
            if len(segments) == 1 and not _at(segments[0][0], columns):
                return k  # a line of its own (a centred heading): the table is over
            k += 1
            continue
        # blank lines and lines across the table: still the table only if a row of cells follows them
        run = k
        while run < len(lines) and (
            not lines[run].strip() or (len(_segments(lines[run])) == 1 and _segments(lines[run])[0][0] <= col0 + 1)
        ):
            run += 1
        if run < len(lines) and _fits(_segments(lines[run]), columns):
            k = run
            continue
        return k
    return k


def _read_table(
    lines: list[str], start: int, columns: list[int] | None = None
) -> tuple[list[list[str]], int, list[int]]:
    """The rows of the layout table starting at ``lines[start]``, the index of the line after it, its columns."""
    columns = list(columns) if columns else [col for col, _ in _segments(lines[start])]
    end = _table_end(lines, start, columns)
    columns.sort()
    body = [_segments(line) for line in lines[start:end] if line.strip() and not _PAGE_NUMBER.match(line)]
    labelled = sum(1 for segs in body if segs[0][0] <= columns[0] + 1 and _ROW_START.match(segs[0][1]))
    rows: list[list[str]] = []
    for segments in body:
        first = segments[0][0] <= columns[0] + 1
        if not rows or (
            first and (_ROW_START.match(segments[0][1]) or (labelled < 2 and segments[0][1][:1].isupper()))
        ):
            rows.append([""] * len(columns))
        for col, text in segments:
            k = max((n for n, c in enumerate(columns) if c <= col + 1), default=0)
            rows[-1][k] = f"{rows[-1][k]} {text}".strip()
    return rows, end, columns


def with_gaps(plain: list[str], layout: list[str]) -> list[str]:
    """``plain`` with an empty line where ``layout`` shows a paragraph: a blank line or a first-line indent.

    When the two extractions do not have the same lines, ``plain`` as it is.
    """
    words = [line for line in plain if line.strip()]
    shown = [line for line in layout if line.strip()]
    if [_flat(line) for line in shown] != [_flat(line) for line in words]:
        return plain
    margin = Counter(_indent(line) for line in shown).most_common(1)[0][0] if shown else 0
    out: list[str] = []
    gap = False
    taken = 0
    for line in layout:
        if not line.strip():
            gap = taken > 0
            continue
        if taken and (gap or _indent(line) >= margin + 3):
            out.append("")
        out.append(words[taken])
        taken, gap = taken + 1, False
    return out


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _flat(line: str) -> str:
    return " ".join(line.split())
