"""From the lines of a source file to the model (:class:`~matrix.core.model.Directive`) and its review notes.

Reading order: footnotes out, header and tail apart, body into paragraphs and
items, then the metadata (issuer, kind, title, province) and, item by item,
the addressees with their roles. Every guess leaves a note for the clerk
(:class:`~matrix.input.dump.Note`, written next to what it is about).
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ..core.doctypes import kind_of_code
from ..core.model import Assignment, Directive, Issuer, IssuerKind, Registry, Role, Task
from ..core.text import ascii_key, match_key
from ..input.dump import Note
from ..input.load import Unresolved, suggest_names
from .addressees import Assigned, RoleReader
from .details import read_details
from .footnotes import SENTINEL, extract_footnotes
from .header import Header, split_document
from .names import Mention, NameReader
from .reader import PAGE_BREAK, Source
from .structure import Body, Item, assign_ids, build_body, item_marker, join_paragraphs
from .tables import Attachment, Table, read_table, split_attachments

NO_TITLE = "(chưa có trích yếu)"
NO_ISSUER = "(chưa rõ cơ quan ban hành)"
_ISSUER_VERB = re.compile(r"\s(?:yêu cầu|đề nghị|chỉ thị|giao|quyết định|ban hành)\b")
_ISSUER_HEAD = re.compile(
    r"^(?:Chủ tịch|Thường trực|Ban Thường vụ|Ban Chấp hành|Ủy ban|Uỷ ban|UBND|Tỉnh ủy|Tỉnh uỷ|"
    r"Thành ủy|Huyện ủy|Hội đồng|Ban Chỉ đạo|Giám đốc|Sở|Ban)\b"
)
# A central issuer as a news copy's lead-in names it, the whole phrase before the verb: "Thủ tướng Chính phủ yêu cầu",
# "Bộ trưởng Bộ Xây dựng đề nghị:" (not "Bộ Chỉ huy quân sự tỉnh", not "Bộ đội Biên phòng").
_CENTRAL_ISSUER = re.compile(
    r"^(?:(?:Phó )?Thủ tướng(?: Chính phủ)?|Chính phủ|Văn phòng Chính phủ|"
    r"(?:Bộ trưởng )?Bộ (?!Chỉ huy|đội)[A-ZĐ][^,;:.()]{1,50})$"
)
_ABBREVIATION_IN_PARENS = re.compile(r"\s*\([A-ZĐ&]{2,10}\)")
_PARTY_WORDS = re.compile(
    r"\b(?:tinh uy|thanh uy|huyen uy|thi uy|dang uy|ban thuong vu|ban chap hanh|dang bo|"
    r"dang cong san)\b(?! ban\b)"
)
_ORGAN_CASE = (
    "Ban Thường vụ Tỉnh ủy",
    "Ban Chấp hành Đảng bộ tỉnh",
    "Ủy ban nhân dân",
    "Hội đồng nhân dân",
    "Tỉnh ủy",
    "Thành ủy",
    "Huyện ủy",
    "Ban Thường vụ",
    "Thường trực",
    "Chủ tịch",
)
_PLACE_WORDS = ("tỉnh", "thành phố", "huyện", "thị xã")
_CENTRAL = re.compile(r"\b(?:chinh phu|thu tuong|trung uong|bo chinh tri|ban bi thu|quoc hoi)\b")
_THIS_DOCUMENT = re.compile(r"\b(Chỉ thị|Công văn|Kế hoạch|Quyết định|Thông báo|Hướng dẫn) này\b")


@dataclass(frozen=True)
class Composed:
    """What :func:`compose` makes of a source file.

    ``registry`` is the one the names were read with (the province's catalogue when the given one does
    not know the province), with the names it lacks as placeholder agencies (:class:`~matrix.input.load.Unresolved`);
    ``unused`` the source lines no field holds (reported, not written).
    """

    directive: Directive
    notes: tuple[Note, ...]
    registry: Registry
    unused: tuple[str, ...]
    names: Registry | None = None  # the registry the names were read with, without the placeholders


@dataclass
class _Node:
    """An item being analysed: its addressees, before they become YAML entries."""

    item: Item
    assigned: list[Assigned]
    children: list[_Node] = field(default_factory=list)

    def walk(self) -> Iterator[_Node]:
        yield self
        for child in self.children:
            yield from child.walk()

    def names_own(self) -> bool:
        return any(a.own for node in self.walk() for a in node.assigned)


def compose(source: Source, registry: Registry, directive_id: str) -> Composed:
    """The draft of one source file."""
    found = extract_footnotes(source.lines, source.footnotes)
    main, attachments = split_attachments(found.lines)
    prose, table = separate_tables(main)
    document = split_document(prose)
    body = build_body(join_paragraphs(document.body), found.notes)
    body.unused.extend(table.unused)
    _add_table(body, table, "")
    parts = [_attachment_body(part, found.notes, k) for k, part in enumerate(attachments, 1)]
    header = document.header
    full_text = "\n".join(
        body.preamble + [p for i in body.items for n in i.walk() for p in n.paragraphs] + body.closing
    )
    notes: list[Note] = []
    issuer = _issuer(header, body, notes)
    # a copy without its header (a news page) whose lead-in names a central issuer ("Bộ trưởng Bộ Xây dựng đề
    # nghị:"): a central text, the provinces it names are its addressees
    from_centre = not header.header_lines and bool(_CENTRAL_ISSUER.match(issuer.name))
    province, sure = (None, False) if from_centre else find_province(header, full_text, registry)
    registry = registry_for_province(registry, province)
    kind = _kind(header, full_text, notes)
    title = _title(header, full_text, notes)
    if not (header.number or header.date):
        notes.append(
            Note(
                "văn bản nguồn không ghi số, ký hiệu và ngày ban hành (hoặc không đọc được): bổ sung nếu có",
                review=False,
                key="kind",
            )
        )
    if province and not sure:
        notes.append(
            Note(f"tỉnh suy ra từ tên tỉnh '{registry.provinces[province]}' nêu trong văn bản", key="province")
        )
    central = from_centre or (province is None and bool(_CENTRAL.search(ascii_key(" ".join(header.header_lines)))))
    names = NameReader(registry, province, central)
    lines = header.header_lines
    names.know_issuer(
        issuer.name,
        *(" ".join(p) for p in itertools.pairwise(lines)),
        *(f"{b} {a}" for a, b in itertools.pairwise(lines)),
        *lines,
    )
    names.learn_plurals(
        "\n".join([full_text] + [p for part in parts for i in part.items for n in i.walk() for p in n.paragraphs])
    )
    defining = "\n".join(
        [full_text, *body.context]
        + [
            p
            for part in parts
            for p in [*part.context, *(q for i in part.items for n in i.walk() for q in n.paragraphs)]
        ]
    )
    names.learn_definitions(defining)
    names.learn_members(defining)
    roles = RoleReader(names)
    preamble = "\n".join(body.preamble + body.context) or None
    nodes, closing = _tasks(body, roles, header.recipients, notes)
    if not nodes:
        notes.append(
            Note(
                "không tìm thấy mục đánh số nào: cả phần nội dung được ghi thành một nhiệm vụ, hãy tách lại",
                key="tasks",
            )
        )
        nodes = [_Node(Item("paragraph", "1", body.preamble or [title], id="1"), [])]
        preamble = None
    for part in parts:
        more, rest = _attachment_nodes(part, roles)
        nodes.extend(more)
        closing.extend(rest)
        context = "\n".join(p for p in part.context if p)
        if context:
            preamble = "\n".join(p for p in (preamble, context) if p)
    unresolved = Unresolved()
    directive = Directive(
        id=directive_id,
        kind=kind,
        title=title,
        issuer=issuer,
        tasks=tuple(_draft_task(node, registry, unresolved, notes, top=True) for node in nodes),
        number=header.number,
        symbol=header.symbol,
        date=header.date,
        place=header.place,
        province=province,
        signer=header.signer,
        recipients=tuple(header.recipients),
        distribution=tuple(header.distribution),
        preamble=preamble,
        closing=tuple(closing),
        notes=tuple(body.notes),
    )
    checked = document.body + [r for r in table_rows(main)] + [line for part in attachments for line in part.lines]
    used = (
        [table.header]
        + [p for part in parts for p in part.context]
        + [p for b in [body, *parts] for i in b.items for n in i.walk() for p in n.consumed]
    )
    unused = unused_lines(directive, checked, used)
    return Composed(directive, tuple(notes), unresolved.registry(registry), tuple(unused), registry)


def table_rows(lines: list[str]) -> list[str]:
    return [line for line in lines if "\t" in line]


def unused_lines(directive: Directive, lines: list[str], used: list[str]) -> list[str]:
    """The body lines whose words no field of the draft holds (nothing is dropped silently)."""
    from .evaluate import fold

    held = [directive.preamble or "", directive.title, *directive.closing, *directive.notes, *used]
    for task, _ in directive.walk():
        held.extend([task.text, task.deadline or "", task.report or "", *task.targets, *task.notes])
    corpus = "\n".join(fold(text) for text in held if text)
    out = []
    for line in lines:
        text = line.strip()
        if not text or text in (PAGE_BREAK, "---"):
            continue
        marker = item_marker(text)
        bare = SENTINEL.sub("", marker[2] if marker else text)
        key = fold(bare)
        if key and key not in corpus:
            out.append(" ".join(text.replace("\t", " | ").split()))
    return out


# --------------------------------------------------------------------------- attachments and tables


def separate_tables(lines: list[str]) -> tuple[list[str], Table]:
    """Prose lines (TAB as a wide gap) and the table found among them: from a header row with role columns
    to the end of the part; rows of other tables are not prose either."""
    prose: list[str] = []
    rows: list[str] = []
    started = False
    for line in lines:
        if started or ("\t" in line and line.strip()):
            rows.append(line)
            started = started or (read_table([line]).unused == [] and bool(read_table([line, "1\tx"]).items))
        else:
            prose.append(line.replace("\t", "   "))
    return prose, read_table(rows)


def _add_table(body: Body, table: Table, prefix: str) -> None:
    """The table's rows become top-level items of ``body`` (ids "bảng.<label>")."""
    assign_ids(table.items)
    for item in table.items:
        for node in item.walk():
            node.id = f"bảng.{node.id}"
        body.items.append(item)
    if table.items:
        table.items[0].consumed.append(table.header)


def _attachment_body(part: Attachment, notes: dict[int, str], number: int) -> Body:
    prose, table = separate_tables(part.lines)
    body = build_body(join_paragraphs(prose), notes)
    body.items.extend(table.items)
    body.unused.extend(table.unused)
    if table.items:
        table.items[0].consumed.append(table.header)
    assign_ids(body.items)
    prefix = f"PL{number}."
    for item in body.items:
        for node in item.walk():
            node.id = prefix + node.id
    body.context = [" ".join(part.heading), *body.preamble, *body.context]
    body.preamble = []
    if is_form(part) or is_roster(part):  # a blank form, a list of names: nobody's task
        body.context.extend(p for item in body.items for node in item.walk() for p in node.paragraphs)
        body.context.extend(body.closing)
        body.items, body.closing = [], []
    return body


_FORM_HEADING = re.compile(r"^(?:BIỂU\s+)?(?:Mẫu|MẪU)\b|\b(?:Mẫu|MẪU|mẫu)\s+(?:số|SỐ)\b")
_BLANK = re.compile(r"(?:\.\s?){4,}|…{2,}|_{4,}")


_ROSTER = re.compile(r"^DANH SÁCH\b")
_WORK = re.compile(r"NHIỆM VỤ|CÔNG VIỆC|HOẠT ĐỘNG|DỰ ÁN|ĐỀ ÁN|GIAO")


def is_roster(part: Attachment) -> bool:
    """A part that lists bodies or people ("DANH SÁCH CÁC ĐƠN VỊ THU GOM ..."), not work to do."""
    heading = " ".join(part.heading).upper()
    return any(_ROSTER.match(line.upper()) for line in part.heading) and not _WORK.search(heading)


def is_form(part: Attachment) -> bool:
    """A part that is a blank form: headed "Mẫu số 01" / "BIỂU MẪU", or with fill-in dots on a third of its lines."""
    if any(_FORM_HEADING.search(line) for line in part.heading):
        return True
    lines = [line for line in part.lines if line.strip() and line not in (PAGE_BREAK, "---")]
    return bool(lines) and sum(1 for line in lines if _BLANK.search(line)) >= len(lines) / 3


def _attachment_nodes(body: Body, roles: RoleReader) -> tuple[list[_Node], list[str]]:
    """Tasks of a part after the signature (after the main document's tasks), and its closing paragraphs
    that give no task."""
    nodes = [_analyse(item, roles, frozenset()) for item in body.items]
    closing: list[str] = []
    for k, paragraph in enumerate(body.closing, 1):
        assigned = roles.item([paragraph], closing=True)
        if assigned:
            nodes.append(
                _Node(
                    Item(
                        "closing",
                        "",
                        [paragraph],
                        id=f"{body.items[0].id.split('.')[0] if body.items else 'PL'}.cuối-{k}",
                    ),
                    assigned,
                )
            )
        else:
            closing.append(paragraph)
    return nodes, closing


# --------------------------------------------------------------------------- metadata


def _kind(header: Header, text: str, notes: list[Note]) -> str:
    """The document kind: its heading, else the number's code, else Kính gửi (a letter), else "... này"."""
    if header.kind and (header.kind_heading or header.title_from_subject):
        return header.kind
    coded = kind_of_code((header.symbol or "").split("/")[0].split("-")[0])
    if coded:
        notes.append(Note(f"loại văn bản suy ra từ ký hiệu '{header.symbol}'", key="kind"))
        return coded
    if header.recipients:
        notes.append(Note("không có tên loại văn bản; có 'Kính gửi' nên ghi là công văn", key="kind"))
        return "công văn"
    said = Counter(m.group(1).lower() for m in _THIS_DOCUMENT.finditer(text))
    if said:
        kind = said.most_common(1)[0][0]
        notes.append(Note(f"loại văn bản suy ra từ cụm '{kind.capitalize()} này' trong văn bản", key="kind"))
        return kind
    notes.append(Note("không xác định được loại văn bản: ghi tạm là công văn", key="kind"))
    return "công văn"


def _title(header: Header, text: str, notes: list[Note]) -> str:
    if not header.title:
        notes.append(
            Note("văn bản không có trích yếu (dòng V/v hoặc dòng dưới tên loại): hãy ghi trích yếu", key="title")
        )
        return NO_TITLE
    title = " ".join(header.title.split())
    if header.title_in_capitals:
        notes.append(
            Note(
                f"trích yếu in hoa trong văn bản ('{title}'): đã chuyển sang chữ thường, "
                "kiểm tra chữ hoa của tên riêng",
                key="title",
            )
        )
        return sentence_case(title, text)
    return title[:1].upper() + title[1:]


def _issuer(header: Header, body: Body, notes: list[Note]) -> Issuer:
    """The issuer as the text names it ("... yêu cầu"), else from the header lines."""
    name = issuer_phrase(body.preamble)
    if name is None and not header.header_lines:
        name = issuer_phrase(body.preamble, _CENTRAL_ISSUER)
    if name is None and header.header_lines:
        name = organ_case(_issuing_body(header.header_lines))
        notes.append(Note("tên cơ quan ban hành lấy từ dòng tiêu đề góc trái", key="issuer"))
    if name is None and header.issuer_phrase:
        name = organ_case(header.issuer_phrase)
    if name is None:
        notes.append(Note("không tìm thấy tên cơ quan ban hành: hãy ghi tên và loại (nhà nước/đảng)", key="issuer"))
        name = NO_ISSUER
    party = header.party or any(_PARTY_WORDS.search(ascii_key(text)) for text in [name, *header.header_lines])
    party = party or any("THƯỜNG VỤ" in a.upper() or a.upper().startswith("T/M") for a in header.signer.authority)
    short = "UBND tỉnh" if "uy ban nhan dan tinh" in ascii_key(name) else None
    return Issuer(name, IssuerKind.PARTY if party else IssuerKind.STATE, tuple(header.header_lines), short)


def issuer_phrase(preamble: list[str], head: re.Pattern[str] = _ISSUER_HEAD) -> str | None:
    """ "Chủ tịch Ủy ban nhân dân (UBND) tỉnh yêu cầu ..." -> "Chủ tịch Ủy ban nhân dân tỉnh" (the last such
    phrase whose words before the verb start like ``head``)."""
    for paragraph in reversed(preamble):
        for verb in _ISSUER_VERB.finditer(paragraph):
            before = re.split(r"[,;.:]\s*", paragraph[: verb.start()])[-1].strip()
            if head.match(before) and len(before) <= 80:
                name = _ABBREVIATION_IN_PARENS.sub("", before)
                return re.sub(r"\bUBND\b", "Ủy ban nhân dân", name)
    return None


def _issuing_body(lines: list[str]) -> str:
    """The issuing body among the header lines: "ỦY BAN NHÂN DÂN" + "TỈNH X", or the line under a superior body."""
    last = lines[-1]
    if (
        len(lines) >= 2
        and ascii_key(last).startswith(tuple(ascii_key(p) + " " for p in _PLACE_WORDS))
        and not ascii_key(last).startswith("tinh uy")
    ):
        return f"{lines[-2]} {last}"
    return last


def organ_case(caps: str) -> str:
    """Capitals to the usual writing of an organ's name ("TỈNH ỦY HƯNG YÊN" -> "Tỉnh ủy Hưng Yên")."""
    text = " ".join(caps.lower().split())
    fixed = False
    for phrase in _ORGAN_CASE:
        if phrase.lower() in text:
            text, fixed = text.replace(phrase.lower(), phrase), True
    if not fixed:  # "sở tư pháp" -> "Sở Tư pháp": the word after the head starts the proper name
        text = re.sub(
            r"^((?:chi cục|bộ chỉ huy|công an|sở|ban|cục|phòng|trung tâm|hội|văn phòng) )(\w)",
            lambda m: m.group(1) + m.group(2).upper(),
            text,
        )
    for place in _PLACE_WORDS:
        text = re.sub(rf"\b({place}) ((?!ủy\b)\w+(?: \w+)*)$", lambda m: f"{m.group(1)} " + m.group(2).title(), text)
    return text[:1].upper() + text[1:]


def sentence_case(caps: str, text: str) -> str:
    """A title in capitals in sentence case, proper names capitalised as the body writes them."""
    counts: Counter[tuple[str, bool]] = Counter()
    for paragraph in text.split("\n"):
        words = paragraph.split()
        for previous, word in itertools.pairwise(["", *words]):
            if previous and not previous.endswith((".", ":", "!", "?")):
                counts[(word.strip(',.;:()“”"').lower(), word[:1].isupper())] += 1
    out = []
    for word in caps.lower().split():
        core = word.strip(',.;:()“”"')
        out.append(word.replace(core, core.capitalize()) if counts[(core, True)] > counts[(core, False)] else word)
    first = out[0] if out else ""
    return " ".join([first[:1].upper() + first[1:], *out[1:]])


def registry_for_province(registry: Registry, province: str | None) -> Registry:
    """The registry to read a document of ``province`` with: the given one when it knows that province's
    bodies, else the standard catalogue of that province (a Hà Nội plan drafted with a Đồng Tháp registry
    would resolve nothing of Hà Nội's). Central documents (no province) keep the given registry."""
    if province is None:
        return registry
    from ..input.catalogue import mergers, province_registry

    current = mergers().get(province, province)
    if any(a.province in (province, current) for a in registry.agencies):
        return registry
    try:
        return province_registry(current)
    except KeyError:
        return registry


def find_province(header: Header, text: str, registry: Registry) -> tuple[str | None, bool]:
    """The registry province the document is from: named in the header (sure), else the only one named in the text.
    A central issuer's header ("BAN CHẤP HÀNH TRUNG ƯƠNG", "THỦ TƯỚNG CHÍNH PHỦ") has none: its place ("Hà Nội,
    ngày ...") is the seat of the issuer, and the provinces its text names are addressees, not its own."""
    central = bool(_CENTRAL.search(ascii_key(" ".join(header.header_lines))))
    heading = " ".join([*header.header_lines, *([] if central else [header.place or "", header.issuer_phrase or ""])])
    for province, name in registry.provinces.items():
        if _names(heading, name):
            return province, True
    if central:
        return None, False
    found = [p for p, name in registry.provinces.items() if _names(text, name, match_key)]
    return (found[0], False) if len(found) == 1 else (None, False)


# Provinces named after a person: the name alone is the person ("tư tưởng Hồ Chí Minh", "Học viện Chính trị quốc gia
# Hồ Chí Minh", "Đoàn Thanh niên Cộng sản Hồ Chí Minh"); the city is named with its place word before it.
_PERSON_NAMED = ("Hồ Chí Minh",)
_CITY_WORD = r"(?:thanh pho|tp\.?) "


def _names(text: str, name: str, key: Callable[[str], str] = ascii_key) -> bool:
    """``text`` names the province ``name``: in a heading without tone marks (capitals may lose them), in the
    body with them: "diễn biến phức tạp" does not name Điện Biên."""
    before = ""
    if name in _PERSON_NAMED and key is not ascii_key:  # a heading names the city ("THÀNH ỦY ... HỒ CHÍ MINH")
        before = _CITY_WORD.replace("thanh pho", re.escape(key("thành phố")))
    return re.search(rf"(?<!\w){before}{re.escape(key(name))}\b", key(text)) is not None


# --------------------------------------------------------------------------- tasks


def _tasks(body: Body, roles: RoleReader, recipients: list[str], notes: list[Note]) -> tuple[list[_Node], list[str]]:
    """The analysed items of the body and its closing paragraphs that give a task; the other closing paragraphs."""
    nodes = [_analyse(item, roles, frozenset()) for item in body.items]
    general = roles.general(body.preamble, recipients)
    if not general and body.preamble:
        general = roles.lead_in(body.preamble[-1])
    _apply_general(nodes, general, roles, notes)
    _apply_lead_ins(nodes, roles, notes)
    _apply_everyone(nodes, general, roles)
    _apply_cross_references(nodes)
    count = 0
    closing: list[str] = []
    for paragraph in body.closing:
        assigned = roles.item([paragraph], closing=True)
        if not assigned and general and roles.asks_everyone(paragraph):
            # "... đề nghị các cơ quan, đơn vị khẩn trương thực hiện": the addressees of the whole document
            assigned = [Assigned(Role.DOER, m, "general", own=False) for m in general]
        if assigned:
            count += 1
            nodes.append(_Node(Item("closing", "", [paragraph], id=f"cuối-{count}"), assigned))
        else:
            closing.append(paragraph)
    return nodes, closing


def _analyse(item: Item, roles: RoleReader, inherited: frozenset[str]) -> _Node:
    """Roles named by one item; those already stated by a parent are inherited, not repeated."""
    _split_actors(item, roles)
    by_label = any(kind in ("lead", "partner", "doer") for kind, _ in item.labels)
    found = roles.labels(item.labels) if by_label else roles.item(item.paragraphs)
    if not any(a.own for a in found) and item.paragraphs and (item.children or len(item.paragraphs) > 1):
        found = roles.heading(item.paragraphs[0]) + found  # "9. Các cơ sở sản xuất ..." over its sub-items
    # a parent's addressee named again as a partner is stated again ("6. Các bộ, ...:" / "a) Bộ X chủ trì, phối hợp
    # với các bộ, ...:"): partnering with the lead of the sub-item is not what the parent said
    assigned = [a for a in found if a.mention.key not in inherited or a.rule in ("subject", "partner")]
    keys = inherited | {a.mention.key for a in assigned}
    children = [_analyse(child, roles, keys) for child in item.children]
    if _umbrella(item, assigned, children, roles):
        assigned = []
        children = [_analyse(child, roles, inherited) for child in item.children]
    return _Node(item, assigned, children)


def _umbrella(item: Item, assigned: list[Assigned], children: list[_Node], roles: RoleReader) -> bool:
    """ "Điều 4. Trách nhiệm của các sở, ban, ngành" over "1. Sở Công Thương", "2. Sở Xây dựng" ...: a heading that
    only names a group, over sub-items each led by a body of its own, gathers their duties; the group itself is
    given nothing (each body's sub-item says what it does). A heading that states a duty of the group ("1. Sở quản
    lý ngành có trách nhiệm đề xuất ..., cụ thể như sau:") keeps it."""
    if not assigned or len(children) < 2 or not all(roles.names.is_plural(a.mention) for a in assigned):
        return False
    if not item.paragraphs or not roles.names_only(item.paragraphs[0]):
        return False
    return all(
        any(a.own and a.role is Role.LEAD and a.rule in ("subject", "label") for a in child.assigned)
        for child in children
    )


def _split_actors(item: Item, roles: RoleReader) -> None:
    """The paragraphs of an item that open with their own actor ("Ban Quản lý X chủ trì ...", "Công an tỉnh
    tăng cường ...", "Giao Sở Y tế ...") are tasks of their own, sub-tasks of the item (ids "<item> (đoạn n)"),
    each with the unmarked paragraphs that follow it. Not split: a paragraph whose actors the item's first paragraph
    already names ("2. Sở X, Sở Y" / "Sở X chủ trì, phối hợp với Sở Y ..."), and the one actor paragraph of an item
    whose first paragraph is a heading or a condition that assigns nothing ("2. Khi dự báo đến Cấp II: ..." /
    "Chủ tịch ... chỉ đạo ...")."""
    if item.labels or len(item.paragraphs) < 2 or item.style in ("closing", "paragraph"):
        return
    named = {a.mention.key for a in roles.item(item.paragraphs[:1])}
    actors = []
    for k, paragraph in enumerate(item.paragraphs[1:], 1):
        keys = roles.opening_actors(paragraph)
        if keys and not keys <= named:  # the heading's own bodies going on ("2. Sở X, Sở Y" / "Sở X chủ trì ...")
            actors.append(k)
    first = item.paragraphs[0].rstrip()
    statement = first.endswith((".", ";", "!")) and not _CONDITION.match(first)
    if not actors or (len(actors) == 1 and not statement and not roles.assigns(first)):
        return  # one actor paragraph after a heading or a condition that assigns nothing: it is their text
    split: list[Item] = []
    for n, start in enumerate(actors):
        stop = actors[n + 1] if n + 1 < len(actors) else len(item.paragraphs)
        split.append(Item("paragraph", "", item.paragraphs[start:stop], id=f"{item.id} (đoạn {start + 1})"))
    item.paragraphs = item.paragraphs[: actors[0]]
    item.children = split + item.children


_CONDITION = re.compile(r"^(?:Khi|Trong trường hợp|Trường hợp|Nếu|Đối với|Về|Trong quá trình)\b")


def general_role(mentions: list[Mention], roles: RoleReader) -> Role:
    """The role the addressees of a preamble or a lead-in take on the items they are given: specific bodies
    named alone ("yêu cầu Bộ Công an thực hiện các nội dung sau:") lead them (chủ trì); once a group is among
    them, the instruction is general and every one of them does the work (thực hiện)."""
    return Role.DOER if any(roles.names.is_plural(m) for m in mentions) else Role.LEAD


def _apply_general(nodes: list[_Node], general: list[Mention], roles: RoleReader, notes: list[Note]) -> None:
    """Items that name no addressee of their own get the document's addressees (see :func:`general_role`)."""
    if not general:
        return
    role = general_role(general, roles)
    applied = []
    for node in nodes:
        if node.names_own():
            continue
        present = {a.mention.key for a in node.assigned}
        node.assigned = [
            Assigned(role, m, "general", own=False) for m in general if m.key not in present
        ] + node.assigned
        keys = {m.key for m in general}
        for child in node.walk():
            if child is not node:
                child.assigned = [a for a in child.assigned if a.mention.key not in keys]
        applied.append(node.item.id)
    if applied:
        names = ", ".join(m.written for m in general)
        which = f"mục {applied[0]}" if len(applied) == 1 else f"các mục {', '.join(applied)}"
        notes.append(
            Note(
                f"{which} không nêu cơ quan riêng: đã ghi các cơ quan được giao ở phần mở đầu hoặc "
                f"'Kính gửi' ({names}) với vai trò {role.value}",
                key="tasks",
            )
        )


def _apply_everyone(nodes: list[_Node], general: list[Mention], roles: RoleReader) -> None:
    """An item whose subject is the addressees at large ("(4) Các cơ quan, tổ chức, đơn vị gửi hồ sơ ...") is
    given to the document's addressees (thực hiện), as a closing "Đề nghị các cơ quan, đơn vị ..." is."""
    if not general:
        return
    for top in nodes:
        for node in top.walk():
            if not node.assigned and node.item.paragraphs and roles.everyone_acts(node.item.paragraphs[0]):
                node.assigned = [Assigned(Role.DOER, m, "general", own=False) for m in general]


# "Các cơ quan được giao nhiệm vụ báo cáo tại khoản 1 Điều này", "các đơn vị được phân công tại khoản 2": bodies
# named by another clause of the same article.
_CROSS_REFERENCE = re.compile(
    r"\b(?:[Cc]ác\s+)?(?:cơ quan|đơn vị)(?:,\s*đơn vị)?\s+được\s+(?:giao|phân công)\b[^.;:]{0,80}?"
    r"\btại\s+khoản\s+(?P<label>\d{1,2})(?:\s+Điều\s+này)?\b"
)


def _apply_cross_references(nodes: list[_Node]) -> None:
    """An item that names no addressee of its own but refers to the bodies given work by another clause of its
    article ("Các cơ quan được giao nhiệm vụ báo cáo tại khoản 1 Điều này định kỳ gửi báo cáo về Sở X") is given
    to each of them (thực hiện): the bodies that clause and its points name as their own, except those the
    item's own sentence names otherwise (Sở X, whom the reports go to)."""

    def visit(node: _Node, article: _Node | None) -> None:
        if node.item.style == "article":
            article = node
        text = " ".join(node.item.paragraphs)
        found = _CROSS_REFERENCE.search(text)
        if found and article is not None and not node.names_own():
            label = found.group("label")
            target = next((c for c in article.children if c.item.style == "number" and c.item.label == label), None)
            if target is not None and not any(node is n for n in target.walk()):
                present = {a.mention.key for a in node.assigned}
                named = match_key(text)
                for other in target.walk():
                    for a in other.assigned:
                        if a.own and a.role is not Role.PARTNER and a.mention.key not in present:
                            if match_key(a.mention.written) in named:
                                continue  # named by the item itself, in another role ("gửi ... về Sở X")
                            present.add(a.mention.key)
                            node.assigned.append(Assigned(Role.DOER, a.mention, "general", own=False))
        for child in node.children:
            visit(child, article)

    for node in nodes:
        visit(node, None)


def _apply_lead_ins(nodes: list[_Node], roles: RoleReader, notes: list[Note]) -> None:
    """A section whose own text ends with a lead-in ("... X cần tập trung các nhiệm vụ sau:") gives its
    sub-items that name no addressee of their own to X (see :func:`general_role`). When the lead-in is the
    heading itself ("3. Công an tỉnh chỉ đạo thực hiện các nội dung sau:"), the heading keeps X and its
    sub-items inherit it; a lead-in paragraph under a heading that does not name X ("II. NHIỆM VỤ" then
    "Đề nghị X thực hiện các nội dung sau:") gives X to the sub-items, not to the heading."""
    for top in nodes:
        for node in top.walk():
            if not node.children or not node.item.paragraphs:
                continue
            mentions = roles.lead_in(node.item.paragraphs[-1])
            if not mentions:
                continue
            keys = {m.key for m in mentions}
            if len(node.item.paragraphs) == 1:
                heading = node.assigned
            else:
                heading = roles.item(node.item.paragraphs[:1])
            if keys <= {a.mention.key for a in heading if a.rule in ("subject", "giao", "label")}:
                continue  # the item's heading names them: its sub-items inherit them
            node.assigned = [a for a in node.assigned if a.mention.key not in keys]  # given to the sub-items
            role = general_role(mentions, roles)
            for child in node.children:
                if child.names_own():
                    continue
                present = {a.mention.key for a in child.assigned}
                child.assigned = [
                    Assigned(role, m, "general", own=False) for m in mentions if m.key not in present
                ] + child.assigned
            names = ", ".join(m.written for m in mentions)
            notes.append(
                Note(
                    f"các mục con của mục {node.item.id} không nêu cơ quan riêng: đã ghi {names} "
                    f"(được giao ở đoạn dẫn của mục) với vai trò {role.value}",
                    key="tasks",
                )
            )


def _draft_task(node: _Node, registry: Registry, unresolved: Unresolved, notes: list[Note], top: bool = False) -> Task:
    """The task of an analysed item, its sub-tasks built first (the model is immutable)."""
    item = node.item
    details = read_details(item.paragraphs)
    deadline = next((value for kind, value in item.labels if kind == "deadline" and value), details.deadline)
    if top and not any(n.assigned for n in node.walk()):
        notes.append(
            Note(
                "mục này (và các mục con) chưa xác định được cơ quan nào: bổ sung 'assign' nếu văn bản có nêu",
                task=item.id,
            )
        )
    assignments = []
    for assigned in node.assigned:
        agency, note = _entry(assigned, registry, unresolved)
        assignments.append(Assignment(agency, assigned.role, assigned.mention.written))
        if note is not None:
            notes.append(Note(note, task=item.id, name=(assigned.role, assigned.mention.written)))
    return Task(
        id=item.id,
        text="\n".join(item.paragraphs),
        assignments=tuple(assignments),
        tasks=tuple(_draft_task(child, registry, unresolved, notes) for child in node.children),
        deadline=deadline,
        report=details.report,
        targets=tuple(details.targets),
        notes=tuple(item.notes),
    )


def _entry(assigned: Assigned, registry: Registry, unresolved: Unresolved) -> tuple[str, str | None]:
    """The agency id of one name (a placeholder when the registry has no one body of that name), and the
    note the clerk must check, if any."""
    mention = assigned.mention
    written = mention.written
    if mention.how == "unknown":
        close = suggest_names(registry, written)
        hint = f"; gần giống: {', '.join(close)}" if close else ""
        return (
            unresolved.agency(written).id,
            f"'{written}' chưa có trong danh mục cơ quan (co-quan.yaml): thêm cơ quan hoặc tên gọi khác{hint}",
        )
    if len(mention.agencies) > 1:
        ids = ", ".join(a.id for a in mention.agencies)
        return unresolved.agency(
            written
        ).id, f"'{written}' ứng với nhiều cơ quan ({ids}): ghi 'province' hoặc tên đầy đủ hơn"
    if mention.resolved is None:  # a name read without a body ("related", "above"): kept as written, unflagged
        return unresolved.agency(written).id, None
    agency = mention.resolved.id
    if mention.how == "composed":
        return agency, f"văn bản viết '{mention.source}', ghi đầy đủ là '{written}'"
    if mention.how == "loose":
        return (
            agency,
            f"văn bản viết '{mention.source}', ghi theo tên trong danh mục (nên thêm tên gọi khác vào co-quan.yaml)",
        )
    if assigned.rule == "sentence":
        return agency, f"'{written}' đứng đầu một câu trong mục: kiểm tra có đúng là cơ quan {assigned.role.value}"
    return agency, None
