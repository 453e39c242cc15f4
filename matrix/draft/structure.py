"""Body lines -> paragraphs -> numbered items (1., 3.1., a), dash bullets), preamble and closing.

Line breaks inside a paragraph are joined with one space. Whether a line
break ends a paragraph is decided by the layout: in text pasted from Word
each paragraph is one line; in text extracted from a PDF every line is
broken at the page width, and a paragraph ends where a sentence ends on a
short line, or where the next line starts an item.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from .footnotes import SENTINEL
from .reader import PAGE_BREAK

_ROMAN = re.compile(r"^(?P<label>[IVX]{1,5})\.\s+(?=[^\W\d_])")
_DOTTED = re.compile(r"^(?P<label>\d{1,2}(?:\.\d{1,2}){1,3})\.?\s+(?=\S)")
_NUMBER = re.compile(r"^(?P<label>\d{1,2})[.)]\s+(?=\S)")
_LETTER = re.compile(r"^(?P<label>[a-zđ])\)\s+(?=\S)")
_DASH = re.compile(r"^(?P<label>[-–—+•])\s*(?=\S)")
_CHAPTER = re.compile(r"^Chương\s+(?P<label>[IVXL]{1,6}|\d{1,2})\b[.:]?\s*")
_SECTION = re.compile(r"^Mục\s+(?P<label>\d{1,2})\b[.:]?\s*")
_ARTICLE = re.compile(r"^Điều\s+(?P<label>\d{1,3})\b[.:]?\s*")
_PAREN = re.compile(r"^\((?P<label>\d{1,2})\)\s*(?=\S)")
_PAREN_ROMAN = re.compile(r"^\((?P<label>[ivx]{1,5})\)\s*(?=\S)")
_STYLES = (
    ("chapter", _CHAPTER),
    ("section", _SECTION),
    ("article", _ARTICLE),
    ("roman", _ROMAN),
    ("dotted", _DOTTED),
    ("number", _NUMBER),
    ("letter", _LETTER),
    ("paren", _PAREN),
    ("proman", _PAREN_ROMAN),
    ("dash", _DASH),
)
_HEADINGS = ("chapter", "section", "article")  # may stand alone on their line ("Chương I")
_NUMERIC = ("number", "article", "section", "paren")
_ENDS_SENTENCE = re.compile(r"(?:[.:;!?…]|\./\.)[\"”’)]*$")
_CLOSING_CUE = re.compile(
    r"^(?:Giao|Yêu cầu|Đề nghị|Trên đây|Đây là nhiệm vụ|Trong quá trình|Quá trình (?:tổ chức )?thực hiện|Nhận được|"
    r"(?:Chỉ thị|Công văn|Kế hoạch|Quyết định|Thông báo|Hướng dẫn|Công điện) này|"
    r"(?:Chủ tịch|Ủy ban|Uỷ ban|UBND|Ban Thường vụ|Thường trực|Tỉnh ủy|Tỉnh uỷ)[^.;:]{0,60}?\b(?:yêu cầu|đề nghị|giao)\b)"
)
_LETTERS = "abcdđefghijklmnopqrstuvwxyz"
_BULLETS = {"–": "-", "—": "-"}
_ROMANS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV")
_CUT_SYMBOL = re.compile(r"\d-$")


@dataclass
class Item:
    """A numbered item, sub-item or dash bullet, with its own paragraphs and its sub-items."""

    style: str
    label: str
    paragraphs: list[str] = field(default_factory=list)
    children: list[Item] = field(default_factory=list)
    id: str = ""
    notes: list[str] = field(default_factory=list)
    # Label lines absorbed into this item: (kind, value), kind in lead | partner | doer | deadline.
    labels: list[tuple[str, str]] = field(default_factory=list)
    consumed: list[str] = field(default_factory=list)  # label lines and table rows read into ``labels``

    def walk(self) -> Iterator[Item]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Body:
    preamble: list[str]
    items: list[Item]
    closing: list[str]
    notes: list[str] = field(default_factory=list)
    context: list[str] = field(default_factory=list)  # sections that are not tasks (Mục đích, Yêu cầu ...)
    unused: list[str] = field(default_factory=list)  # paragraphs no field of the draft holds


# --------------------------------------------------------------------------- paragraphs


_NUMBER_NOTE = re.compile(
    rf"^((?:[IVX]{{1,5}}|\d{{1,2}}(?:\.\d{{1,2}}){{0,3}})[.)])(\[\d{{1,3}}\]|{SENTINEL.pattern})(?=\s)"
)


def item_marker(text: str) -> tuple[str, str, str] | None:
    """(style, label, rest) when ``text`` starts with an item marker followed by a capital or a digit.

    Each bullet symbol is a style of its own ("dash-", "dash+"), so "+" bullets nest under "-" bullets.
    A footnote marker right after the number ("2.[5] Sở Y tế ...") is moved to the end of the item's text.
    """
    note = _NUMBER_NOTE.match(text)
    if note:
        found = item_marker(note.group(1) + text[note.end() :])
        return (found[0], found[1], f"{found[2]} {note.group(2)}") if found else None
    for style, pattern in _STYLES:
        match = pattern.match(text)
        if match:
            rest = text[match.end() :]
            if style == "dash":
                style = "dash" + _BULLETS.get(match.group("label"), match.group("label"))
            if style in _HEADINGS and (not rest or rest[:1].isupper()):
                return style, match.group("label"), rest
            if rest[:1].isupper() or rest[:1] in '“"(' or (rest[:1].isdigit() and not is_bullet(style)):
                return style, match.group("label"), rest
            return None
    return None


def is_bullet(style: str) -> bool:
    """Dash, plus and dot bullets (ids ``<parent>-<n>``), as opposed to numbered items."""
    return style.startswith("dash")


def join_paragraphs(lines: list[str]) -> list[str]:
    """The paragraphs of the body lines.

    Blank lines count only where they are informative: a layout that puts a
    blank line after every line (double spacing) says nothing about
    paragraphs; one that puts them between some lines marks paragraphs.
    """
    rows: list[tuple[str, bool]] = []
    blank = page = False
    for line in _markers_joined(lines):
        if line == PAGE_BREAK:
            page = bool(rows)
        elif not line.strip() or line.strip() == "---":
            blank = bool(rows)
        else:
            rows.append((line.strip(), blank or (page and bool(_ENDS_SENTENCE.search(rows[-1][0])))))
            blank = page = False
    if not rows:
        return []
    texts = [text for text, _ in rows]
    gaps = sum(1 for _, gap in rows[1:] if gap)
    informative = 0 < gaps < 0.6 * (len(rows) - 1)
    wrapped = _is_hard_wrapped(texts)
    width = sorted(len(t) for t in texts)[int(len(texts) * 0.9)] if wrapped else 0
    paragraphs = [texts[0]]
    for previous, (line, gap) in zip(texts, rows[1:], strict=False):
        if _breaks(previous, line, wrapped, width, gap and informative, informative):
            paragraphs.append(line)
        else:  # a symbol cut at its hyphen ("21-" / "CTr/TU") is joined without a space
            paragraphs[-1] += ("" if _CUT_SYMBOL.search(previous) else " ") + line
    return paragraphs


_MARKER_ALONE = re.compile(r"^\s*(?:[IVX]{1,5}\.|\d{1,2}(?:\.\d{1,2})*[.)]|[a-zđ]\)|\(\d{1,2}\)|[-–+•])\s*$")


def _markers_joined(lines: list[str]) -> list[str]:
    """An item number alone on its line (text copied from a web page) is joined to the line after it."""
    out: list[str] = []
    pending = ""
    for line in lines:
        if _MARKER_ALONE.match(line):
            pending = line.strip()
            continue
        if pending and line.strip() and line != PAGE_BREAK:
            out.append(f"{pending} {line.strip()}")
            pending = ""
            continue
        out.append(line)
    if pending:
        out.append(pending)
    return out


def _is_hard_wrapped(rows: list[str]) -> bool:
    """True for PDF-like text: many lines end mid-sentence and go on in lower case."""
    if len(rows) < 8:
        return False
    mid = sum(1 for a, b in itertools.pairwise(rows) if not _ENDS_SENTENCE.search(a) and b[:1].islower())
    return mid >= 0.25 * (len(rows) - 1)


def _breaks(previous: str, line: str, wrapped: bool, width: int, gap: bool, informative: bool = False) -> bool:
    """Whether ``line`` starts a new paragraph after ``previous`` (``gap``: a telling blank line between).

    In hard-wrapped text whose blank lines mark the paragraphs (``informative``), a line that starts like an
    item ("(v) Bộ Tài chính", "- xã hội") right under a full line, with no blank line between, is the wrap
    of an enumeration or a phrase written inside the paragraph, not a new item.
    """
    if item_marker(line):
        return not (wrapped and informative and not gap and len(previous) >= 0.8 * width)
    starts_low = line[:1].islower()
    if not wrapped:
        return not starts_low and (_ENDS_SENTENCE.search(previous) is not None or line[:1].isupper())
    if gap and not starts_low:
        return True
    return bool(_ENDS_SENTENCE.search(previous)) and not starts_low and len(previous) < 0.8 * width


# --------------------------------------------------------------------------- items


def build_body(paragraphs: list[str], footnotes: dict[int, str]) -> Body:
    """Split paragraphs into preamble, items and closing; attach footnotes where their markers stand."""
    paragraphs, after = _until_signed_off(paragraphs)
    paragraphs = _run_in_first_item(paragraphs)
    paragraphs, leads = _news_sections(paragraphs)
    first = _first_item(paragraphs)
    preamble = paragraphs[:first] if first is not None else []
    rest = paragraphs[first:] if first is not None else []
    if first is None:
        cue = next((i for i, p in enumerate(paragraphs) if i and _CLOSING_CUE.match(p)), len(paragraphs))
        preamble, rest = paragraphs[:cue], paragraphs[cue:]
        return _attach_notes(Body(preamble, [], rest, unused=after), footnotes)
    items, closing = _build_items(rest)
    for item in items:
        absorb_labels(item)
    items, context = split_context(items)
    context = leads + context
    assign_ids(items)
    return _attach_notes(Body(preamble, items, closing, context=context, unused=after), footnotes)


# A news page's lead-in to the part of a text it quotes: "Tại Mục 2 Công văn 86-CV/VPTU năm 2025 hướng dẫn ... như
# sau:", "Tại Điều 3 Quyết định 12/2025/QĐ-UBND quy định:".
_NEWS_LEAD = re.compile(
    r"^Tại (?P<unit>Mục|Phần|Điều|khoản|Khoản) (?P<label>\d{1,3}|[IVX]{1,5}) (?:của )?"
    r"(?:Công văn|Công điện|Chỉ thị|Quyết định|Kế hoạch|Thông báo|Nghị quyết|Kết luận|Hướng dẫn|Thông tư|Nghị định)\b"
    r".*:$"
)


def _news_sections(paragraphs: list[str]) -> tuple[list[str], list[str]]:
    """A news copy that quotes parts of a text, each after a lead-in ("Tại Mục 1 Công văn ... như sau:"): the
    paragraph after each lead-in opens that part as a section ("Mục 1. <paragraph>"), the lead-ins and the
    page's questions between the parts ("... tại Công văn 86?") are not tasks. Only when the text has no
    numbered item of its own before the lead-in's paragraph and at least one lead-in is followed by an
    unnumbered paragraph."""
    marks = [i for i, p in enumerate(paragraphs[:-1]) if _NEWS_LEAD.match(p) and not item_marker(paragraphs[i + 1])]
    if not marks or any(_numbered(p) for p in paragraphs[: marks[0]]):
        return paragraphs, []
    out: list[str] = []
    leads: list[str] = []
    for i, paragraph in enumerate(paragraphs):
        lead = _NEWS_LEAD.match(paragraph)
        if i in marks and lead:
            leads.append(paragraph)
        elif i - 1 in marks:
            lead = _NEWS_LEAD.match(paragraphs[i - 1])
            assert lead is not None
            out.append(f"Mục {lead.group('label')}. {paragraph}")
        elif marks[0] < i and paragraph.rstrip().endswith("?") and not item_marker(paragraph):
            leads.append(paragraph)
        else:
            out.append(paragraph)
    return out, leads


_RUN_IN = re.compile(r"(?<=:)\s*(?=1\.\s+\S)")


def _run_in_first_item(paragraphs: list[str]) -> list[str]:
    """A copy that lost the line break after the lead-in ("... kết luận như sau:1. Cơ bản thống nhất ..."): the
    item "1." starts a paragraph of its own, when no paragraph starts with "1." and one starts with "2." after."""
    numbers = [(k, m[1]) for k, m in enumerate(map(item_marker, paragraphs)) if m and m[0] == "number"]
    if any(label == "1" for _, label in numbers):
        return paragraphs
    for k, paragraph in enumerate(paragraphs):
        cut = _RUN_IN.search(paragraph)
        if cut is None or not any(j > k and label == "2" for j, label in numbers):
            continue
        head, rest = paragraph[: cut.start()].rstrip(), paragraph[cut.end() :]
        if head and item_marker(rest) is not None:
            return [*paragraphs[:k], head, rest, *paragraphs[k + 1 :]]
    return paragraphs


def _numbered(paragraph: str) -> bool:
    marker = item_marker(paragraph)
    return marker is not None and not is_bullet(marker[0])


def _until_signed_off(paragraphs: list[str]) -> tuple[list[str], list[str]]:
    """Paragraphs up to the one ending with "./." (the end of the body), and those after it."""
    for i, paragraph in enumerate(paragraphs):
        if paragraph.rstrip().endswith("./."):
            return paragraphs[: i + 1], paragraphs[i + 1 :]
    return paragraphs, []


def _first_item(paragraphs: list[str]) -> int | None:
    """The first numbered item (Roman or Arabic); else the first marker of any kind."""
    marked = [(i, item_marker(p)) for i, p in enumerate(paragraphs)]
    numbered = [
        i
        for i, m in marked
        if m
        and m[0] in ("roman", "number", "chapter", "article", "paren")
        and (m[1] in ("1", "I") or (m[0] == "roman" and _is_capitals(m[2])))
    ]  # a copy may start at "II. NHIỆM VỤ" (part I left out): a section heading in capitals starts the items
    if numbered:
        return numbered[0]
    any_marked = [i for i, m in marked if m]
    return any_marked[0] if any_marked else None


def _is_capitals(text: str) -> bool:
    """A heading written in capitals ("NHIỆM VỤ VÀ GIẢI PHÁP"): at least two letters, none lower case."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and not any(c.islower() for c in letters)


def _build_items(paragraphs: list[str]) -> tuple[list[Item], list[str]]:
    """The item tree; unmarked paragraphs after the last item that start with a closing cue are closing."""
    closing_at = _closing_start(paragraphs)
    body = paragraphs[:closing_at]
    markers = [item_marker(p) for p in body]
    ahead = _markers_ahead(markers)
    roots: list[Item] = []
    stack: list[Item] = []
    sections = 0
    for k, (paragraph, marker) in enumerate(zip(body, markers, strict=True)):
        if marker and stack and k and _restarts(stack, roots, body[k - 1], markers[k - 1], marker):
            # "(1) ... (2) ... / ĐỐI VỚI CẤP XÃ / (1) ...": the unnumbered heading before a numbering that starts
            # again opens a section of its own; the new items are not sub-items of the last one
            heading = stack[-1].paragraphs.pop()
            sections += 1
            letter = re.match(r"([A-ZĐ])\.\s+", heading)  # "B. VỀ GIAO THÔNG"
            roots.append(
                Item("upper", letter.group(1), [heading[letter.end() :]])
                if letter
                else Item("heading", str(sections), [heading])
            )
            stack = [roots[-1]]
        if marker and _accepts(stack, roots, marker[0], marker[1], ahead[k + 1]):
            style, label, rest = marker
            item = Item(style, label, [rest.strip()])
            while stack and not _is_parent(stack, style):
                stack.pop()
            (stack[-1].children if stack else roots).append(item)
            stack.append(item)
        elif stack:
            stack[-1].paragraphs.append(paragraph)
        else:
            roots.append(Item("paragraph", "", [paragraph]))
    return roots, paragraphs[closing_at:]


def _restarts(
    stack: list[Item],
    roots: list[Item],
    previous: str,
    before: tuple[str, str, str] | None,
    marker: tuple[str, str, str],
) -> bool:
    """A numbering that starts again ("(1)", "1.", "a)") after an unnumbered heading of the last item's text: a
    short line in capitals or ending with a colon, when the same numbering is already open above."""
    style, label, _ = marker
    if before is not None or is_bullet(style) or label not in ("1", "a", "i", "I"):
        return False
    if len(stack[-1].paragraphs) < 2 or stack[-1].paragraphs[-1] != previous or len(previous) > 150:
        return False
    if not (_is_capitals(previous) or previous.rstrip().endswith(":")):
        return False
    return any(item.style == style for item in stack) and _previous_label(stack, roots, style) not in (None, "")


def _markers_ahead(markers: list[tuple[str, str, str] | None]) -> list[set[tuple[str, str]]]:
    """For each position, the (style, label) of every marker from there to the end."""
    ahead: list[set[tuple[str, str]]] = [set()]
    for marker in reversed(markers):
        ahead.insert(0, ahead[0] | ({(marker[0], marker[1])} if marker else set()))
    return ahead


def _closing_start(paragraphs: list[str]) -> int:
    """Index of the first closing paragraph: a cue after the last marked paragraph."""
    last = max((i for i, p in enumerate(paragraphs) if item_marker(p)), default=-1)
    if last >= 0 and paragraphs[last].rstrip().endswith(":"):
        return len(paragraphs)  # the last item announces what follows ("Tổ chức thực hiện:")
    for i in range(last + 1, len(paragraphs)):
        if _CLOSING_CUE.match(paragraphs[i]) or (i == len(paragraphs) - 1 and _signs_off(paragraphs[i])):
            return i
    return len(paragraphs)


def _signs_off(paragraph: str) -> bool:
    """The body's last paragraph ("./."), unmarked, whose later sentence is a closing cue ("... là nhiệm vụ cấp
    bách. Đề nghị các sở, ban, ngành ... thực hiện./."): the document's closing, not the last item's text."""
    if not paragraph.rstrip().endswith("./."):
        return False
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-ZĐ])", paragraph.strip())
    return any(_CLOSING_CUE.match(sentence) for sentence in sentences[1:])


def _is_parent(stack: list[Item], style: str) -> bool:
    """True when the top of the stack can hold an item of ``style`` as a child."""
    if style in _HEADINGS:  # Chương > Mục > Điều, whatever stands between
        top = stack[-1].style
        return top in _HEADINGS and _HEADINGS.index(top) < _HEADINGS.index(style)
    if any(item.style == style for item in stack):
        return False  # pop up to the level of the same style, then one more
    if style == "roman":  # a part ("II.", "V.") is never inside a numbered item, whatever its number
        return stack[-1].style in _HEADINGS
    if style == "dotted":
        return stack[-1].style == "number"
    return True


def _accepts(stack: list[Item], roots: list[Item], style: str, label: str, ahead: set[tuple[str, str]]) -> bool:
    """Whether a marker continues the numbering: the next label, or a later one when the next never comes
    (so "3. Luật ..." at the start of a wrapped line between items 1 and 2 is text)."""
    if is_bullet(style):
        return True
    previous = _previous_label(stack, roots, style)
    expected = _next_label(style, previous)
    if label == expected:
        return True
    if label == previous and style == "roman" and (style, expected) not in ahead:
        return True  # a section number printed twice ("IV." ... "IV."): two sections
    return _rank(style, label) > _rank(style, previous or "") and (style, expected) not in ahead


def _previous_label(stack: list[Item], roots: list[Item], style: str) -> str | None:
    """The label of the item the new one would follow at its level, or None when it would be the first."""
    for depth, item in enumerate(stack):
        if item.style == style:
            siblings = stack[depth - 1].children if depth else roots
            return [i for i in siblings if i.style == style][-1].label
    return None


def _next_label(style: str, previous: str | None) -> str:
    if style in ("roman", "chapter") and not (previous or "").isdigit():
        return _ROMANS[min(_rank("roman", previous), len(_ROMANS) - 1) if previous else 0]
    if style == "proman":
        return _ROMANS[min(_rank("roman", previous.upper()), len(_ROMANS) - 1) if previous else 0].lower()
    if style in _NUMERIC or style == "chapter":
        return str(int(previous) + 1) if previous else "1"
    if style == "letter":
        return _LETTERS[_LETTERS.find(previous) + 1] if previous and previous != _LETTERS[-1] else "a"
    return ""  # dotted: its parent's number is not known here; any higher last part is accepted


def _rank(style: str, label: str) -> int:
    """The position of a label in its numbering (0 for none)."""
    if not label:
        return 0
    if style in ("roman", "chapter", "proman") and not label.isdigit():
        return _ROMANS.index(label.upper()) + 1 if label.upper() in _ROMANS else 0
    if style in _NUMERIC or style == "chapter":
        return int(label)
    if style == "letter":
        return _LETTERS.find(label) + 1
    return int(label.split(".")[-1])


def assign_ids(items: list[Item]) -> None:
    """Document numbering for numbered items, ``<parent>-<n>`` for dash bullets.

    When the labels of one style repeat in the document (the "1." under "I."
    and under "II."), every item of that style is qualified by its parent's
    id ("II.1", "II.2").
    """
    seen: dict[str, set[str]] = {}
    repeated: set[str] = set()
    for item in _all(items):
        if not is_bullet(item.style) and item.style != "paragraph":
            if item.label in seen.setdefault(item.style, set()):
                repeated.add(item.style)
            seen[item.style].add(item.label)
    _assign(items, None, repeated)


# --------------------------------------------------------------------------- label layouts

_LABEL = re.compile(
    r"^(?P<name>(?:(?:Cơ quan|Đơn vị|Cơ quan, đơn vị|Các cơ quan|Các đơn vị)\s+(?:chủ trì(?:,\s*phối hợp)?|phối hợp|"
    r"thực hiện|chịu trách nhiệm|tham gia)(?:\s+thực hiện)?|Chủ trì(?: thực hiện)?|Phối hợp(?: thực hiện)?|"
    r"Trách nhiệm thực hiện|Nhiệm vụ|Nội dung(?: thực hiện| công việc| nhiệm vụ| hoạt động)?|Tên nhiệm vụ|"
    r"Hoạt động|Thời gian(?: thực hiện| hoàn thành)?|Thời hạn(?: hoàn thành| thực hiện)?|Tiến độ(?: thực hiện)?|"
    r"Sản phẩm(?: đầu ra)?|Kết quả(?: dự kiến| đầu ra)?|Kinh phí(?: thực hiện)?|Nguồn kinh phí))\s*:\s*(?P<value>.*)$",
    re.IGNORECASE,
)


def label_kind(name: str) -> str:
    """The field a label fills: lead, partner, doer, deadline, content or other."""
    low = name.lower()
    if "chủ trì" in low:
        return "lead"
    if "phối hợp" in low or "tham gia" in low:
        return "partner"
    if ("thực hiện" in low and not low.startswith(("nội dung", "thời", "kinh phí", "tiến độ"))) or "trách nhiệm" in low:
        return "doer"
    if low.startswith(("nhiệm vụ", "nội dung", "tên nhiệm vụ", "hoạt động")):
        return "content"
    if low.startswith(("thời", "tiến độ")):
        return "deadline"
    return "other"


def read_label(text: str) -> tuple[str, str] | None:
    """(kind, value) when a paragraph is a label line ("Cơ quan chủ trì: Sở Tư pháp."), else None."""
    match = _LABEL.match(text)
    if not match:
        return None
    return label_kind(match.group("name")), match.group("value").strip()


def absorb_labels(item: Item) -> None:
    """Label lines under an item become its fields, not sub-items.

    "a) Nhiệm vụ: ..." adds its text to the item; "b) Cơ quan thực hiện:" with
    "- Đơn vị chủ trì: X", "- Đơn vị phối hợp: Y", or "- Cơ quan thực hiện: X
    chủ trì, phối hợp với Y" become the item's labels (its addressees);
    "c) Thời gian thực hiện: ..." its deadline.
    """
    if len(item.paragraphs) > 1 and not item.paragraphs[0]:
        item.paragraphs = item.paragraphs[1:]  # a heading alone on its line ("Chương I"), its title below
    paragraphs = [item.paragraphs[0]] if item.paragraphs else []
    for paragraph in item.paragraphs[1:]:
        found = read_label(paragraph)
        if found is None:
            paragraphs.append(paragraph)
        else:
            item.consumed.append(paragraph)
            _take_label(item, paragraphs, found, [], None)
    item.paragraphs = paragraphs
    children: list[Item] = []
    for child in item.children:
        found = read_label(child.paragraphs[0]) if child.paragraphs else None
        if found is None:
            children.append(child)
        else:
            kept = _take_label(item, item.paragraphs, found, child.paragraphs[1:], child)
            children.extend(kept)
    item.children = children
    for child in item.children:
        absorb_labels(child)


def _take_label(
    item: Item, paragraphs: list[str], found: tuple[str, str], more: list[str], child: Item | None
) -> list[Item]:
    """Record one label on ``item``; the sub-items that stay sub-items (the bullets of a "Nhiệm vụ:")."""
    kind, value = found
    item.consumed.extend(p for node in (child.walk() if child else []) for p in node.paragraphs)
    item.consumed.extend(more)
    if kind == "content":
        paragraphs.extend(p for p in [value, *more] if p)
        return child.children if child else []
    if kind in ("deadline", "other"):
        text = " ".join(
            p
            for p in [
                value,
                *more,
                *(p for c in (child.walk() if child else []) if c is not child for p in c.paragraphs),
            ]
            if p
        )
        if kind == "deadline":
            item.labels.append((kind, text))
        else:
            paragraphs.append(
                f"{child.paragraphs[0] if child else value}"
                if not more
                else " ".join([child.paragraphs[0] if child else value, *more])
            )
        return []
    for text in [value, *more]:
        if text:
            item.labels.append((kind, text))
    for grandchild in child.children if child else []:
        sub = read_label(grandchild.paragraphs[0]) if grandchild.paragraphs else None
        if sub is not None:
            _take_label(item, paragraphs, sub, grandchild.paragraphs[1:], grandchild)
        else:
            for text in grandchild.paragraphs:
                item.labels.append((kind, text))
    return []


# --------------------------------------------------------------------------- sections that are not tasks

_CONTEXT_WORDS = (
    "mục đích",
    "yêu cầu",
    "mục tiêu",
    "chỉ tiêu",
    "phạm vi",
    "đối tượng",
    "quan điểm",
    "căn cứ",
    "nguyên tắc",
    "giải thích từ ngữ",
    "sự cần thiết",
    "định hướng",
    "tầm nhìn",
)
_CONTEXT_TAIL = (
    "chung",
    "cụ thể",
    "điều chỉnh",
    "áp dụng",
    "phối hợp",
    "thực hiện",
    "xây dựng",
    "kế hoạch",
    "tổng quát",
    "chủ yếu",
    "hỗ trợ",
    "đến năm \\d{4}",
    "năm \\d{4}",
    "và",
    "của",
)
_CONTEXT_HEADING = re.compile(
    r"^(?:(?:{w})(?:\s+(?:{t}))*(?:\s*(?:,|và|;)\s*)?)+\s*[.:]?$".format(
        w="|".join(_CONTEXT_WORDS), t="|".join(_CONTEXT_TAIL)
    ),
    re.IGNORECASE,
)


# Headings of a part that assesses, not demands: "I. ĐÁNH GIÁ CHUNG", "TÌNH HÌNH VÀ KẾT QUẢ THỰC HIỆN NĂM 2024".
_ASSESSMENT_HEADING = re.compile(r"^(?:ĐÁNH GIÁ|TÌNH HÌNH|KẾT QUẢ|THỰC TRẠNG|BỐI CẢNH)\b")


def is_assessment_heading(item: Item) -> bool:
    """A section heading in capitals that opens an assessment of the past ("ĐÁNH GIÁ ...", "TÌNH HÌNH ...",
    "KẾT QUẢ ...", "THỰC TRẠNG ..."): its items report what was done, they assign nothing. Only a heading in
    capitals: "1. Đánh giá kết quả thực hiện ..." in sentence case is a demand."""
    head = _heading(item)
    return len(head) <= 120 and _is_capitals(head) and bool(_ASSESSMENT_HEADING.match(head))


def is_context_heading(text: str) -> bool:
    """A heading of a section that sets the frame, not work: "MỤC ĐÍCH, YÊU CẦU", "Mục tiêu cụ thể",
    "Phạm vi điều chỉnh, đối tượng áp dụng"."""
    head = text.split(":")[0].strip() if ":" in text[:60] else text.strip()
    return len(head) <= 70 and bool(_CONTEXT_HEADING.match(head)) and head.lower().startswith(_CONTEXT_WORDS)


_DEMANDS_HEADING = re.compile(r"^(?:những\s+)?yêu\s+cầu(?:\s+chung)?\s*[.:]?$", re.IGNORECASE)
_PURPOSE_HEADING = re.compile(r"^mục\s+(?:đích|tiêu)\b", re.IGNORECASE)


def _heading(item: Item) -> str:
    text = item.paragraphs[0] if item.paragraphs else ""
    return text.split(":")[0].strip() if ":" in text[:60] else text.strip()


def _is_demands(item: Item, siblings: list[Item]) -> bool:
    """A section of demands headed "Yêu cầu chung" / "Yêu cầu" that no "Mục đích" / "Mục tiêu" section stands
    beside: the demands of a công văn, not the aims of a plan ("I. MỤC ĐÍCH, YÊU CẦU" / "1. Mục đích", "2. Yêu cầu")."""
    if not _DEMANDS_HEADING.match(_heading(item)) or not item.children:
        return False
    return not any(_PURPOSE_HEADING.match(_heading(other)) for other in siblings if other is not item)


def split_context(items: list[Item]) -> tuple[list[Item], list[str]]:
    """Items without the non-task sections (at any level); those sections' paragraphs, labelled."""
    kept: list[Item] = []
    context: list[str] = []
    for item in items:
        if item.paragraphs and (
            (is_context_heading(item.paragraphs[0]) and not _is_demands(item, items)) or is_assessment_heading(item)
        ):
            for node in item.walk():
                prefix = f"{node.label}. " if node.label and not is_bullet(node.style) else ("- " if node.label else "")
                context.extend([prefix + node.paragraphs[0], *node.paragraphs[1:]] if node.paragraphs else [])
                context.extend(node.consumed)
            continue
        item.children, inner = split_context(item.children)
        context.extend(inner)
        kept.append(item)
    return kept, context


_ID_FORMS = {
    "heading": "Phần {}",
    "chapter": "Chương {}",
    "section": "Mục {}",
    "article": "Điều {}",
    "paren": "({})",
    "proman": "({})",
}


def _assign(items: list[Item], parent: Item | None, repeated: set[str], used: set[str] | None = None) -> None:
    used = set() if used is None else used
    for position, item in enumerate(items, 1):
        label = _ID_FORMS.get(item.style, "{}").format(item.label)
        if is_bullet(item.style) or item.style == "paragraph":
            item.id = f"{parent.id}-{position}" if parent else str(position)
        elif item.style in repeated and parent is not None:
            item.id = f"{parent.id}.{label}"
        else:
            item.id = label
        base, n = item.id, 2
        while item.id in used:  # a number printed twice ("IV." ... "IV.")
            item.id, n = f"{base}-{n}", n + 1
        used.add(item.id)
        _assign(item.children, item, repeated, used)


def _all(items: list[Item]) -> Iterator[Item]:
    for item in items:
        yield from item.walk()


# --------------------------------------------------------------------------- footnotes


def _attach_notes(body: Body, footnotes: dict[int, str]) -> Body:
    """Remove footnote sentinels; each footnote becomes "n. text" on the task (or document) holding it."""
    for item in _all(body.items):
        item.paragraphs = [_take_notes(p, footnotes, item.notes) for p in item.paragraphs]
    body.preamble = [_take_notes(p, footnotes, body.notes) for p in body.preamble]
    body.closing = [_take_notes(p, footnotes, body.notes) for p in body.closing]
    return body


def _take_notes(paragraph: str, footnotes: dict[int, str], notes: list[str]) -> str:
    def take(match: re.Match[str]) -> str:
        number = int(match.group(1))
        if number in footnotes:
            notes.append(f"{number}. {footnotes[number]}")
        return ""

    return SENTINEL.sub(take, paragraph)
