"""Read a directive from .txt, .docx or .pdf into plain lines of text.

Every reader returns a :class:`Source`: the lines in reading order (NFC, no
CR, no BOM), a form feed line ``"\\f"`` at each known page break, and the
footnotes a format stores apart from the body (Word). Footnotes printed in
the body (PDF, pasted text) are found later by :mod:`.footnotes`.
"""

from __future__ import annotations

import codecs
import re
import stat
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import MatrixError, os_message
from ..yamlio import NOT_UTF8, TO_UNICODE

PAGE_BREAK = "\f"
MAX_BYTES = 20 * 1024 * 1024
MAX_UNPACKED = 200 * 1024 * 1024  # a .docx once unzipped (zip bombs are refused before reading)
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
    lines = clean_lines(lines)
    if not any(line.strip() for line in lines):
        raise DraftError(f"Tệp '{path.name}' không có chữ nào để đọc.")
    return Source(path, lines, notes)


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


def _read_docx(path: Path) -> tuple[list[str], dict[int, str]]:
    """Paragraphs and table cells in document order; footnotes apart, their references as digits."""
    import docx  # python-docx
    from docx.table import Table

    from ..templates import check_zip

    refused = check_zip(path, MAX_UNPACKED)
    if refused:
        raise DraftError(f"Không mở được tệp Word '{path.name}': {refused}.")
    try:
        document = docx.Document(str(path))
        notes = _docx_footnotes(document)
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
    """The text of one ``w:p``, with footnote references written as their numbers ("trật tự1.")."""
    parts: list[str] = []
    for node in element.iter():
        tag = node.tag
        if tag == f"{_W}t":
            parts.append(node.text or "")
        elif tag in (f"{_W}tab", f"{_W}br", f"{_W}cr"):
            parts.append("\n" if tag != f"{_W}tab" else " ")
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
    import shutil
    import subprocess
    import tempfile

    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        kind = {".doc": "Word cũ (.doc)", ".odt": "OpenDocument (.odt)"}.get(path.suffix.lower(), path.suffix)
        raise DraftError(
            f"Tệp '{path.name}' là {kind}: cần LibreOffice để chuyển sang .docx nhưng máy chưa cài "
            "(cài gói libreoffice), hoặc hãy mở tệp và lưu lại dạng .docx."
        )
    with tempfile.TemporaryDirectory() as folder:
        try:
            subprocess.run(
                [office, "--headless", "--convert-to", "docx", "--outdir", folder, str(path)],
                check=True,
                capture_output=True,
                timeout=180,
                env={**__import__("os").environ, "HOME": folder},
            )
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
    try:
        reader = PdfReader(str(path))
        pages = [_page_lines(page) for page in reader.pages]
    except Exception:
        raise DraftError(
            f"Không đọc được tệp PDF '{path.name}': tệp bị hỏng hoặc được mã hóa (có mật khẩu); "
            "hãy mở và lưu lại thành PDF thường."
        ) from None
    if not any(line.strip() for page in pages for line in page):
        return split_lines(ocr_pdf(path))  # a scanned PDF: no text layer
    lines: list[str] = []
    for page in pages:
        if lines:
            lines.append(PAGE_BREAK)
        lines.extend(page)
    return lines


def _page_lines(page: Any) -> list[str]:
    plain = split_lines(page.extract_text() or "")
    try:
        layout = split_lines(page.extract_text(extraction_mode="layout") or "")
    except Exception:
        return plain
    return with_gaps(plain, layout)


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
