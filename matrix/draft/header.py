"""The parts of a directive around its body: header, title, Kính gửi, Nơi nhận, signature.

:func:`split_document` cuts the cleaned lines into three parts and reads
what it can from the first and the last; the body lines go to
:mod:`.structure`. Two-column layouts (header table, "Nơi nhận" beside the
signature) arrive as one line with a wide gap, or as consecutive lines:
lines are cut into *fragments* at gaps of three spaces or more, and each
fragment is recognised on its own.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ..core.doctypes import KINDS
from ..core.model import Signer
from ..core.text import CAPITALS, ascii_key, match_key
from .reader import PAGE_BREAK

_KIND_KEYS = {match_key(k): k for k in KINDS}

_GAP = re.compile(r"\s{3,}")
_KIND_WITH_TITLE = re.compile(r"^(\w+ \w+(?: \w+)?)\s+((?:VỀ|Về|về|V/v)\b.*)$")
_MOTTO = re.compile(
    r"cong hoa xa hoi chu nghia viet nam|doc lap\s*[-–]\s*tu do\s*[-–]\s*hanh phuc|dang cong san viet nam"
)  # ascii
_NUMBER = re.compile(r"^Số\s*:?\s*(\d{1,5})\s*([-/])\s*([^\s,;]+)", re.IGNORECASE)
_NUMBER_BLANK = re.compile(r"^Số\s*:?\s*[/-]?\s*[A-ZĐ]{1,5}[-/]", re.IGNORECASE)
_DATE = re.compile(
    r"^(?P<place>[^,\d]{2,40}),\s*ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s+năm\s+(?P<y>\d{4})", re.IGNORECASE
)
_DATE_BLANK = re.compile(r"^(?P<place>[^,\d]{2,40}),\s*ngày\s+[.…\s]*tháng", re.IGNORECASE)
_SUBJECT = re.compile(r"^V/v\.?\s*:?\s*(.+)$", re.IGNORECASE)
_RECIPIENTS = re.compile(r"^Kính\s+gửi\s*:?\s*(.*)$", re.IGNORECASE)
_DISTRIBUTION = re.compile(r"^Nơi\s+nhận\s*:?\s*(.*)$", re.IGNORECASE)
_AUTHORITY = re.compile(rf"^(?:TM|KT|TL|TUQ|T/M|K/T|T/L|T\.M|K\.T|T\.L)\s*\.?\s+[{CAPITALS}]")
_AUTHORITY_INSIDE = re.compile(rf"\s(?=(?:TM|KT|TL|TUQ|T/M|K/T|T/L)\.?\s+[{CAPITALS}])")
_MARKER = re.compile(r"^\s*(?:[IVX]{1,5}\.|\d{1,2}(?:\.\d{1,2})*[.)]|[a-zđ]\)|[-–+•])\s")
_SIGNED = re.compile(r"^\(?\s*(?:đã ký|ký tên|ký, ghi rõ|ký và đóng dấu|đóng dấu)", re.IGNORECASE)
_END_PUNCT = " ;,.:"


@dataclass
class Header:
    """What the header and tail say; None where the text says nothing."""

    kind: str | None = None
    kind_heading: bool = False
    number: str | None = None
    symbol: str | None = None
    date: dt.date | None = None
    place: str | None = None
    header_lines: list[str] = field(default_factory=list)
    party: bool = False
    issuer_phrase: str | None = None
    title: str | None = None
    title_from_subject: bool = False
    title_in_capitals: bool = False
    recipients: list[str] = field(default_factory=list)
    distribution: list[str] = field(default_factory=list)
    signer: Signer = field(default_factory=Signer)


@dataclass
class Document:
    header: Header
    body: list[str]


def fragments(line: str) -> list[str]:
    """The pieces of a line separated by wide gaps (columns), stripped."""
    return [f.strip() for f in _GAP.split(line.strip()) if f.strip()]


def is_upper(text: str) -> bool:
    """True for text written in capitals (at least two letters, none lower case)."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def split_document(lines: list[str]) -> Document:
    """Read the header and the tail; return them with the body lines in between."""
    header = Header()
    start = _read_header(lines, header)
    end = _tail_start(lines, start)
    _read_tail(lines[end:], header)
    return Document(header, lines[start:end])


# --------------------------------------------------------------------------- header


def _read_header(lines: list[str], header: Header) -> int:
    """Recognise header lines from the top; return the index where the body starts."""
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if not line or line in (PAGE_BREAK, "---", "*"):
            i += 1
            continue
        if _MARKER.match(line):
            return i
        step = _header_line(lines, i, header)
        if step == 0:
            return i
        i += step
    return i


def _header_line(lines: list[str], i: int, header: Header) -> int:
    """Recognise line ``i``; return how many lines it took (0: the body starts here)."""
    line = lines[i].strip()
    recipients = _RECIPIENTS.match(line)
    if recipients:
        return _read_recipients(lines, i, recipients.group(1), header)
    kind = _KIND_KEYS.get(match_key(line))
    if kind and is_upper(line):
        header.kind, header.kind_heading = kind, True
        return 1 + _read_title(lines, i + 1, header)
    joined = _KIND_WITH_TITLE.match(line)
    if joined and is_upper(joined.group(1)) and _KIND_KEYS.get(match_key(joined.group(1))):
        header.kind, header.kind_heading = _KIND_KEYS[match_key(joined.group(1))], True  # "CHỈ THỊ VỀ ..." on one line
        return _read_title([joined.group(2), *lines[i + 1 :]], 0, header)
    pieces = fragments(line)
    known = [_header_fragment(piece, header) for piece in pieces]
    if not all(known):
        return 0
    subject = _SUBJECT.match(pieces[-1])
    if subject:
        return 1 + _read_subject(lines, i + 1, subject.group(1), header)
    return 1


def _header_fragment(piece: str, header: Header) -> bool:
    """Record one header fragment; False when it is not header material."""
    key = ascii_key(piece)
    if _MOTTO.search(key):
        header.party = header.party or "dang cong san" in key
        return True
    number = _NUMBER.match(piece)
    if number:
        header.number, header.symbol = number.group(1), number.group(3).rstrip(_END_PUNCT)
        header.party = header.party or number.group(2) == "-"
        return True
    if _NUMBER_BLANK.match(piece):
        return True
    date = _DATE.match(piece)
    if date:
        header.place = date.group("place").strip()
        try:
            header.date = dt.date(int(date.group("y")), int(date.group("m")), int(date.group("d")))
        except ValueError:
            header.date = None
        return True
    if _DATE_BLANK.match(piece):
        header.place = _DATE_BLANK.match(piece).group("place").strip()  # type: ignore[union-attr]
        return True
    if _SUBJECT.match(piece):
        return True
    if piece in ("---", "*", "-") or not any(c.isalnum() for c in piece):
        return True
    if is_upper(piece) and len(piece) <= 70:
        header.header_lines.append(piece)
        return True
    return False


def _read_title(lines: list[str], i: int, header: Header) -> int:
    """The title (trích yếu) under a kind heading; return the number of lines it took."""
    taken, parts = 0, list[str]()
    while i + taken < len(lines) and len(parts) < 5:
        line = lines[i + taken].strip()
        if line in (PAGE_BREAK, "---", "*"):
            break
        if not line:
            taken += 1
            continue
        if not parts and line.upper().startswith("CỦA ") and is_upper(line):
            header.issuer_phrase = line[4:].strip()
            taken += 1
            continue
        if parts and not _continues_title(parts, line):
            break
        if _RECIPIENTS.match(line) or _MARKER.match(line):
            break
        parts.append(line)
        taken += 1
    if parts:
        header.title = " ".join(parts)
        header.title_in_capitals = is_upper(header.title)
    return taken


def _continues_title(parts: list[str], line: str) -> bool:
    """A further title line: capitals after capitals, or a line going on in lower case."""
    if is_upper(parts[0]):
        return is_upper(line)
    return line[:1].islower()


def _read_subject(lines: list[str], i: int, first: str, header: Header) -> int:
    """A "V/v ..." subject and its wrapped lines (they go on in lower case)."""
    parts, taken, blank = [first.strip()], 0, 0
    while i + taken < len(lines):
        line = lines[i + taken].strip()
        if not line:
            taken, blank = taken + 1, blank + 1
            continue
        if not line[:1].islower() or len(line) > 90:
            taken -= blank
            break
        parts.append(fragments(line)[0])
        taken, blank = taken + 1, 0
    subject = " ".join(parts).strip()
    header.title = (
        "Về việc " + subject if not match_key(subject).startswith("về") else subject[:1].upper() + subject[1:]
    )
    header.title_from_subject = True
    header.kind = header.kind or "công văn"
    return taken


def _read_recipients(lines: list[str], i: int, rest: str, header: Header) -> int:
    """Kính gửi: one entry on the same line, or one per line ("- X;"), the last ending with "."."""
    entries: list[str] = []
    taken = 1
    entries.extend(part.strip() for part in rest.split(";") if part.strip())
    while i + taken < len(lines):
        line = lines[i + taken].strip()
        if not line:
            taken += 1
            continue
        if not _recipient_line(entries, line):
            break
        if line[:1].islower():
            entries[-1] += " " + line
        else:
            entries.append(line)
        taken += 1
        if entries[-1].rstrip().endswith("."):
            break
    header.recipients = [_list_entry(e) for e in entries if _list_entry(e)]
    return taken


def _recipient_line(entries: list[str], line: str) -> bool:
    """Whether ``line`` goes on with the Kính gửi list: a dashed entry, a wrapped entry, or the next
    undashed entry after one ending with ";" or "," (lists written with dashes take only dashed lines)."""
    if line.startswith(("-", "+", "•")):
        return True
    if not entries or entries[-1].rstrip().endswith((".", ":")) or len(line) > 90:
        return False
    if line[:1].islower():
        return True
    dashed = any(e.lstrip().startswith(("-", "+", "•")) for e in entries)
    return not dashed and entries[-1].rstrip().endswith((";", ",")) and len(line) < 70


def _list_entry(text: str) -> str:
    """A Kính gửi / Nơi nhận entry without its dash and its closing punctuation."""
    return text.strip().lstrip("-+• ").strip().rstrip(_END_PUNCT).strip()


# --------------------------------------------------------------------------- tail


def _tail_start(lines: list[str], start: int) -> int:
    """Where the tail (Nơi nhận, signature) begins: the first such line among the last ones."""
    end = len(lines)
    floor = max(start, len(lines) - 80)
    for i in range(len(lines) - 1, floor - 1, -1):
        line = lines[i].strip()
        if not line or line == PAGE_BREAK:
            continue
        if line.endswith("./."):
            break  # the last words of the body
        first = fragments(line)[0]
        if (
            _DISTRIBUTION.match(first)
            or _AUTHORITY.match(first)
            or _SIGNED.match(first)
            or _DISTRIBUTION.match(line)
            or any(_AUTHORITY.match(f) for f in fragments(line))
        ):
            end = i
    return end


def _read_tail(lines: list[str], header: Header) -> None:
    """Nơi nhận entries and the signature (authority lines, title, name), in any column order."""
    in_list = False
    authority: list[str] = []
    title = name = None
    for line in lines:
        for piece in _tail_fragments(line):
            distribution = _DISTRIBUTION.match(piece)
            if distribution:
                in_list = True
                piece = distribution.group(1).strip()
                if not piece:
                    continue
            if in_list and piece.startswith(("-", "+", "•")):
                header.distribution.append(_list_entry(piece))
            elif _AUTHORITY.match(piece):
                authority.append(piece.rstrip(_END_PUNCT))
            elif _SIGNED.match(piece):
                continue
            elif is_upper(piece) and title is None and not piece.startswith(("-", "+")):
                title = piece
            elif _looks_like_name(piece) and (title or authority):
                name = piece
            elif in_list and header.distribution and piece[:1].islower():
                header.distribution[-1] += " " + _list_entry(piece)
    header.distribution = [d for d in header.distribution if d]
    header.signer = Signer(tuple(authority), title, name)


def _tail_fragments(line: str) -> list[str]:
    """Fragments of a tail line, also cut where an authority line follows on the same column."""
    out: list[str] = []
    for piece in fragments(line):
        out.extend(p.strip() for p in _AUTHORITY_INSIDE.split(piece) if p.strip())
    return out


def _looks_like_name(text: str) -> bool:
    """A person's name: two to six words, each starting with a capital, no digits or punctuation."""
    words = text.split()
    return 2 <= len(words) <= 6 and all(w[:1].isupper() and w.replace("-", "").isalpha() for w in words)
