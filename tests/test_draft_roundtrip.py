"""`matrix draft` round trip: a directive rendered as text drafts back to the same tasks and assignments.

Random directives are built as model objects whose task texts are written the
way Vietnamese directives name their addressees (docs/directive-format.md):

* specific bodies as the subject of an item ("2. Công an tỉnh: ...",
  "3. Sở Y tế, Sở Tư pháp tăng cường ...") or introduced by "Giao ... chủ trì"
  lead (chủ trì); a State issuer asks the bodies it cannot command with
  "Đề nghị ...";
* groups ("Các sở, ban, ngành tỉnh", "Ủy ban nhân dân các huyện, thành phố,
  thị xã") as the subject each do the work (thực hiện);
* bodies named after "phối hợp (chặt chẽ) với" are partners (phối hợp);
* sub-items (dash bullets, "1.1.", "a)") name nobody, or only partners
  ("- Chủ trì, phối hợp với Sở Tư pháp ..."), never a body an ancestor names;
* general items name nobody and take the groups the preamble ("... yêu cầu
  Thủ trưởng các sở, ban, ngành tỉnh, ... thực hiện các nhiệm vụ sau:") or
  "Kính gửi" names, as thực hiện;
* closing paragraphs "Giao X chủ trì, phối hợp với Y theo dõi ..." and
  "Yêu cầu <groups> tổ chức triển khai ..." are the tasks "cuối-1", "cuối-2".

Combinations the format leaves open are not generated (a specific body listed
with a group as the subject of an item, a sub-item with its own subject, an
item that names only partners).

The directive is rendered by :mod:`render_text`, drafted with
:func:`matrix.draft.draft_file`, and both the original (written out with
:func:`matrix.input.dump.dump_directive`) and the draft are loaded with
:func:`matrix.input.load.load_corpus` against input/co-quan.yaml. They must have the
same task ids and tree, the same (task id, agency id, role) triples, the same
task texts (whitespace folded) and the same header, preamble, closing and tail.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from matrix.core.model import Agency, Assignment, Directive, Issuer, IssuerKind, Registry, Role, Signer, Task
from matrix.core.text import match_key
from matrix.draft import draft_file
from matrix.input.dump import dump_directive
from matrix.input.load import Unknown, load_corpus, load_registry
from matrix.input.yamlio import Report

from .helpers import REGISTRY, examples
from .helpers.render_text import Layout, render_text, write_docx, write_txt

REGISTRY_PATH = REGISTRY
REGISTRY: Registry = load_registry(REGISTRY_PATH, Report())  # type: ignore[assignment]
C, P, T = Role.LEAD, Role.PARTNER, Role.DOER

# --------------------------------------------------------------------------- vocabulary
# Task text is made of these words only: no agency names, no verbs of assignment
# (giao, yêu cầu, đề nghị), no "chủ trì" / "phối hợp", no level words after a name.

VERBS = (
    "tăng cường",
    "rà soát",
    "triển khai",
    "kiểm tra",
    "hướng dẫn",
    "đôn đốc",
    "tuyên truyền",
    "nắm chắc",
    "đẩy mạnh",
    "nâng cao hiệu quả",
    "thực hiện tốt",
    "tập trung chỉ đạo",
    "chủ động nắm tình hình về",
)
OBJECTS = (
    "công tác phòng ngừa tội phạm",
    "tình hình an ninh, trật tự tại cơ sở",
    "các biện pháp bảo đảm trật tự, an toàn giao thông",
    "công tác phòng cháy, chữa cháy",
    "việc quản lý vũ khí, vật liệu nổ, công cụ hỗ trợ",
    "hoạt động kinh doanh ngành nghề có điều kiện",
    "phong trào toàn dân bảo vệ an ninh Tổ quốc",
    "công tác quản lý cư trú",
    "hoạt động tín dụng đen",
    "công tác bảo vệ bí mật nhà nước",
    "việc giải quyết khiếu nại, tố cáo",
    "an ninh mạng",
)
QUALIFIERS = (
    "",
    "",
    " trên địa bàn tỉnh",
    " trong dịp Tết Nguyên đán",
    " nhất là tại vùng sâu, vùng xa",
    " theo chức năng, nhiệm vụ",
    " bảo đảm thiết thực, hiệu quả",
    " ngay từ cơ sở",
)
CONTEXT = (
    "Thời gian qua, tình hình an ninh, trật tự trên địa bàn tỉnh cơ bản ổn định; tuy nhiên, tội phạm và "
    "vi phạm pháp luật còn diễn biến phức tạp.",
    "Năm 2024, công tác bảo đảm an ninh, trật tự đạt nhiều kết quả quan trọng.",
    "Để chủ động phòng ngừa, kiềm chế sự gia tăng của tội phạm, bảo đảm an ninh, trật tự trong tình hình mới.",
)
TITLES = (
    "Về tăng cường bảo đảm an ninh, trật tự năm 2025",
    "Về việc tăng cường công tác phòng, chống tội phạm",
    "Về bảo đảm trật tự, an toàn giao thông dịp Tết Nguyên đán",
    "Về tăng cường phòng cháy, chữa cháy",
)
SUBJECTS = (
    "tăng cường công tác bảo đảm an ninh, trật tự",
    "triển khai các biện pháp phòng, chống tội phạm",
    "bảo đảm an ninh, trật tự dịp Tết Nguyên đán",
)
INTROS = (
    "thực hiện tốt các nhiệm vụ sau:",
    "tập trung thực hiện một số nội dung sau:",
    "theo chức năng, nhiệm vụ triển khai thực hiện tốt một số nhiệm vụ trọng tâm sau:",
)
PEOPLE = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường", "Phạm Minh Đức", "Võ Thị Hồng Nhung")
LETTERS = "abcdđeg"

# --------------------------------------------------------------------------- addressees

_TITLE_WORDS = ("Giám đốc", "Thủ trưởng", "Chủ tịch", "Chánh", "Viện trưởng", "Người đứng đầu")
_PARTY_WORDS = ("Đảng ủy", "Đảng uỷ", "Ban cán sự đảng", "BCS đảng", "Đảng đoàn")
STATE_GROUPS = ("so-ban-nganh", "ubnd-cap-huyen", "ubnd-cap-xa")
STATE_REQUESTED_GROUPS = ("doan-the-tinh", "co-quan-trung-uong", "mttq-doan-the-cac-cap")
PARTY_GROUPS = (
    "cap-uy-to-chuc-dang",
    "bcsd-dang-doan",
    "co-quan-tham-muu-tu",
    "huyen-uy-dang-uy-truc-thuoc",
    "mttq-doan-the-cac-cap",
)


def _own(group: str, province: str) -> Agency:
    """The province's own copy of a group of the registry ("dong-thap-so-ban-nganh")."""
    return REGISTRY.get(f"{province}-{group}") if f"{province}-{group}" in REGISTRY else REGISTRY.get(group)


def _valid(agency: Agency, date: dt.date, province: str) -> bool:
    # each province has its own bodies (issue 21): the bodies of no province are those of texts naming none
    return (
        (agency.province == province or (agency.province is None and not REGISTRY.per_province))
        and (agency.valid_from is None or agency.valid_from <= date)
        and (agency.valid_to is None or date <= agency.valid_to)
    )


def _state_names(agency: Agency) -> tuple[str, ...]:
    """How a State directive writes the body: its name or an alias that is neither a title nor a Party organ."""
    return tuple(
        dict.fromkeys([agency.name] + [a for a in agency.aliases if not a.startswith(_TITLE_WORDS + _PARTY_WORDS)])
    )


def _party_names(agency: Agency) -> tuple[str, ...]:
    """How a Party directive writes the body: its Party organ ("Đảng ủy Công an tỉnh"), else its name."""
    organs = tuple(a for a in agency.aliases if a.startswith(_PARTY_WORDS))
    return organs or (agency.name,)


def mid_sentence(name: str) -> str:
    """A group's name inside a sentence: "các sở, ban, ngành tỉnh", "đoàn thể tỉnh"."""
    first, _, rest = name.partition(" ")
    if first in ("Các", "Cơ", "Đoàn", "Cấp"):
        return f"{first.lower()} {rest}"
    return name


@dataclass(frozen=True)
class Named:
    """A body as one text writes it."""

    agency: str
    written: str
    group: bool


@dataclass
class Setting:
    """What the items of one directive may name."""

    party: bool
    province: str
    date: dt.date
    leads: list[Agency]  # specific bodies that may be the subject
    requested: list[Agency]  # specific bodies a State issuer asks ("Đề nghị")
    partners: list[Agency]
    groups: list[Agency]
    requested_groups: list[Agency]
    general: tuple[Named, ...] = ()
    letters_used: bool = False  # "a)" sub-items under one item only (under two, their ids would repeat)


def setting(party: bool, province: str, date: dt.date) -> Setting:
    ok = [a for a in REGISTRY.agencies if _valid(a, date, province)]
    specific = [a for a in ok if not a.is_group]
    if party:
        leads = [a for a in specific if a.block == "dang" or any(x.startswith(_PARTY_WORDS) for x in a.aliases)]
        return Setting(True, province, date, leads, [], specific, [_own(g, province) for g in PARTY_GROUPS], [])
    leads = [a for a in specific if not a.requested and a.block != "dang"]
    requested = [a for a in specific if a.requested]
    return Setting(
        False,
        province,
        date,
        leads,
        requested,
        specific,
        [_own(g, province) for g in STATE_GROUPS],
        [_own(g, province) for g in STATE_REQUESTED_GROUPS],
    )


@st.composite
def named(draw, agencies: list[Agency], party: bool, exclude: set[str], n_min: int = 1, n_max: int = 2) -> list[Named]:
    """Distinct bodies from ``agencies`` (none of ``exclude``), each with a way of writing it."""
    pool = [a for a in agencies if a.id not in exclude]
    if len(pool) < n_min:
        return []
    chosen = draw(
        st.lists(st.sampled_from(pool), min_size=n_min, max_size=min(n_max, len(pool)), unique_by=lambda a: a.id)
    )
    out = []
    for agency in chosen:
        if agency.is_group:
            written = draw(
                st.sampled_from([agency.name] + [a for a in agency.aliases if not a.startswith(_TITLE_WORDS)])
            )
        else:
            written = draw(st.sampled_from(_party_names(agency) if party else _state_names(agency)))
        out.append(Named(agency.id, written, agency.is_group))
    return out


_ALL_KEYS = tuple({match_key(n) for agency in REGISTRY.agencies for n in agency.names()})


def swallows(before: str, separator: str, after: str) -> bool:
    """True when a registry name runs from ``before`` over the separator into ``after``: "Mặt trận Tổ quốc"
    + " và " + "các đoàn thể tỉnh" reads as the group "Mặt trận Tổ quốc và các đoàn thể" (the text is ambiguous)."""
    joined, head = match_key(before + separator + after), len(match_key(before))
    return any(
        len(key) > head and joined.startswith(key) and joined[len(key) : len(key) + 1] in ("", " ", ",")
        for key in _ALL_KEYS
    )


def name_list(names: list[Named], start: bool, last: str = " và ") -> str:
    """ "A, B và C" (groups written in lower case inside the sentence); lists the registry would read
    otherwise are rejected."""
    written = [n.written if (i == 0 and start) or not n.group else mid_sentence(n.written) for i, n in enumerate(names)]
    separators = [", "] * (len(written) - 2) + [last] if len(written) > 1 else []
    assume(not any(swallows(x, sep, y) for x, sep, y in zip(written, separators, written[1:], strict=False)))
    return written[0] + "".join(sep + w for sep, w in zip(separators, written[1:], strict=True))


@st.composite
def clause(draw) -> str:
    """ "tăng cường công tác phòng ngừa tội phạm trên địa bàn tỉnh" (lower case, no end mark)."""
    return f"{draw(st.sampled_from(VERBS))} {draw(st.sampled_from(OBJECTS))}{draw(st.sampled_from(QUALIFIERS))}"


@st.composite
def sentences(draw, n_max: int = 2) -> str:
    parts = [draw(clause()) for _ in range(draw(st.integers(1, n_max)))]
    return " ".join(p[:1].upper() + p[1:] + "." for p in parts)


@st.composite
def extra_paragraphs(draw) -> str:
    """Unnumbered paragraphs of an item ("\\n" + each), usually none."""
    return "".join("\n" + draw(sentences()) for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))))


def assignments(names: list[Named], role: Role | None = None) -> tuple[Assignment, ...]:
    return tuple(Assignment(n.agency, role or (T if n.group else C), n.written) for n in names)


# --------------------------------------------------------------------------- tasks


@st.composite
def sub_tasks(
    draw, s: Setting, parent_id: str, first_level: bool, named_above: set[str], lead_above: bool, group_above: bool
) -> tuple[Task, ...]:
    """Sub-items of one item: all dash bullets, all "N.k." or all "a)" (under a numbered item; dash bullets
    only below that); they name nobody, or only partners none of their ancestors names."""
    n = draw(st.integers(1, 3))
    styles = ["dash", "dash", "dotted"] if first_level else ["dash"]
    if first_level and not s.letters_used:
        styles.append("letter")
    style = draw(st.sampled_from(styles))
    if style == "letter":
        s.letters_used = True
    out = []
    for k in range(1, n + 1):
        task_id = {"dash": f"{parent_id}-{k}", "dotted": f"{parent_id}.{k}", "letter": LETTERS[k - 1]}[style]
        text, names = draw(st.sampled_from(["plain", "plain", "partner"])), []
        if text == "partner" and (lead_above or group_above):
            names = draw(named(s.partners + s.groups, s.party, named_above, 1, 2))
        if names:
            opening = "Chủ trì, phối hợp" if lead_above else "Phối hợp chặt chẽ"
            body = f"{opening} với {name_list(names, False)} {draw(clause())}."
        else:
            body = draw(sentences())
        children: tuple[Task, ...] = ()
        if first_level and draw(st.integers(0, 5)) == 0:
            children = draw(
                sub_tasks(s, task_id, False, named_above | {x.agency for x in names}, lead_above, group_above)
            )
        out.append(Task(task_id, body, assignments(names, P), children))
    return tuple(out)


@st.composite
def colon_text(draw) -> str:
    """What follows "<addressees>:" on the same line: a clause, in lower case or as a sentence."""
    text = draw(clause())
    return text[:1].upper() + text[1:] if draw(st.integers(0, 3)) == 0 else text


@st.composite
def item(draw, s: Setting, number: int) -> Task:
    """One numbered item: its text names its addressees the way the format gives a definite role for."""
    task_id = str(number)
    forms = [
        "lead_colon",
        "lead_colon_subs",
        "lead_intro_subs",
        "lead_verb",
        "lead_partners",
        "lead_then_partners",
        "giao",
        "group_colon",
        "group_colon_subs",
        "group_intro_subs",
        "group_verb",
        "general",
        "general_subs",
    ]
    if not s.party:
        forms += ["request_colon", "request_colon_subs", "request_partners", "request_group"]
    form = draw(st.sampled_from(forms))
    prefix = ""
    if form.startswith("request"):
        prefix = "Đề nghị "
        pool = s.requested_groups if form == "request_group" else s.requested
        names = draw(named(pool, s.party, set(), 1, 2))
        form = {
            "request_colon": "lead_colon",
            "request_colon_subs": "lead_colon_subs",
            "request_partners": "lead_partners",
            "request_group": "group_colon",
        }[form]
    elif form.startswith("group"):
        names = draw(named(s.groups, s.party, set(), 1, 2))
    elif form.startswith("general"):
        names = []
    else:
        names = draw(named(s.leads, s.party, set(), 1, 2))
    if form.startswith(("lead", "group", "giao")) and not names:
        form, names = "general", []
    if form == "giao":
        prefix = "Giao "
        if len(names) == 1 and names[0].written.startswith("Sở ") and draw(st.booleans()):
            prefix = "Giao Giám đốc "  # a title before the name is not part of it
    subject = name_list(names, not prefix) if names else ""
    own = assignments(names)
    partners: list[Named] = []
    if form in ("lead_colon", "group_colon"):
        text = f"{prefix}{subject}: {draw(colon_text())}.{draw(extra_paragraphs())}"
    elif form in ("lead_colon_subs", "group_colon_subs"):
        text = f"{prefix}{subject}:"
    elif form in ("lead_intro_subs", "group_intro_subs"):  # "... thực hiện tốt các nhiệm vụ sau:" and its sub-items
        text = f"{prefix}{subject} {draw(st.sampled_from(INTROS))}"
    elif form in ("lead_verb", "group_verb"):
        text = f"{prefix}{subject} {draw(clause())}.{draw(extra_paragraphs())}"
    elif form in ("lead_partners", "giao", "lead_then_partners"):
        partners = draw(named(s.partners + s.groups, s.party, {n.agency for n in names}, 1, 3))
        vague = draw(st.sampled_from(["", "", " và các cơ quan liên quan"]))
        if form == "giao":
            link = "chủ trì, phối hợp với"
        elif form == "lead_then_partners":
            link = f"{draw(clause())}, {draw(st.sampled_from(['phối hợp với', 'phối hợp chặt chẽ với']))}"
        else:
            link = draw(st.sampled_from(["chủ trì, phối hợp với", "phối hợp với", "phối hợp chặt chẽ với"]))
        text = (
            f"{prefix}{subject} {link} {name_list(partners, False)}{vague} {draw(clause())}.{draw(extra_paragraphs())}"
        )
    else:  # general
        text = f"{draw(sentences())}{draw(extra_paragraphs())}"
    general = form.startswith("general") and bool(s.general)
    if general:
        own = assignments(list(s.general), T)
    subs: tuple[Task, ...] = ()
    if form.endswith("_subs") or (form not in ("lead_colon", "group_colon") and draw(st.integers(0, 3)) == 0):
        above = (
            {n.agency for n in names}
            | {n.agency for n in partners}
            | ({n.agency for n in s.general} if general else set())
        )
        lead = any(not n.group for n in names)
        subs = draw(sub_tasks(s, task_id, True, above, lead, general or any(n.group for n in names)))
    return Task(task_id, text, own + assignments(partners, P), subs)


@st.composite
def closing_tasks(draw, s: Setting, document: str) -> tuple[list[Task], list[str]]:
    """ "Giao X chủ trì, phối hợp với Y theo dõi ..." and "Yêu cầu <groups> ... tổ chức triển khai ..." (cuối-n),
    then paragraphs that assign nothing; the last one ends the body with "./."."""
    tasks: list[Task] = []
    if draw(st.booleans()):
        lead = draw(named(s.leads, s.party, set(), 1, 1))
        partners = draw(named(s.partners, s.party, {n.agency for n in lead}, 0, 2))
        with_partners = f", phối hợp với {name_list(partners, False)}" if partners else ""
        report = draw(st.sampled_from(["", "; định kỳ báo cáo kết quả thực hiện"]))
        title = "Giám đốc " if lead[0].written.startswith("Sở ") and draw(st.booleans()) else ""
        text = f"Giao {title}{name_list(lead, False)} chủ trì{with_partners} theo dõi, đôn đốc, kiểm tra việc thực hiện {document} này{report}."
        tasks.append(Task(f"cuối-{len(tasks) + 1}", text, assignments(lead) + assignments(partners, P)))
    if draw(st.booleans()):
        groups = draw(named(s.groups, s.party, set(), 1, 2))
        asked = draw(named(s.requested_groups, s.party, set(), 0, 1)) if s.requested_groups else []
        titled = [
            Named(
                n.agency,
                {
                    "so-ban-nganh": "Thủ trưởng các sở, ban, ngành tỉnh",
                    "ubnd-cap-huyen": "Chủ tịch UBND các huyện, thành phố, thị xã",
                }.get(n.agency, n.written),
                n.group,
            )
            if draw(st.booleans())
            else n
            for n in groups
        ]
        ask = f" và đề nghị {name_list(asked, False)}" if asked else ""
        text = f"Yêu cầu {name_list(titled, False)}{ask} tổ chức triển khai thực hiện nghiêm túc {document} này."
        tasks.append(Task(f"cuối-{len(tasks) + 1}", text, assignments(titled + asked, T)))
    if s.requested and draw(st.integers(0, 3)) == 0:  # State: "Đề nghị <bodies it cannot command> phối hợp ..."
        asked = draw(named(s.requested, False, set(), 1, 2))
        text = f"Đề nghị {name_list(asked, False)} phối hợp {draw(clause())}."
        tasks.append(Task(f"cuối-{len(tasks) + 1}", text, assignments(asked)))
    closing = []
    if not tasks or draw(st.booleans()):
        closing.append(
            draw(
                st.sampled_from(
                    [
                        "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, kịp thời báo cáo để xem xét, giải quyết.",
                        f"{document} này có hiệu lực kể từ ngày ký.",
                        f"{document} này được phổ biến đến chi bộ."
                        if s.party
                        else f"{document} này được phổ biến rộng rãi.",
                    ]
                )
            )
        )
    if closing:
        closing[-1] = closing[-1][:-1] + "./."
    else:
        last = tasks[-1]
        tasks[-1] = Task(last.id, last.text[:-1] + "./.", last.assignments)
    return tasks, closing


@st.composite
def directives(draw) -> Directive:
    party = draw(st.booleans())
    # A clerk's registry covers the clerk's province; for another province 'matrix draft' reads the text with
    # that province's standard catalogue (draft.compose.registry_for_province), which this test does not model.
    province = draw(
        st.sampled_from(sorted(p for p in REGISTRY.provinces if any(a.province == p for a in REGISTRY.agencies)))
    )
    place = REGISTRY.provinces[province]
    date = draw(st.dates(dt.date(2024, 1, 1), dt.date(2025, 6, 30)))
    s = setting(party, province, date)
    kind = draw(st.sampled_from(["chỉ thị", "chỉ thị", "công văn"]))
    document = kind.capitalize()
    number = str(draw(st.integers(1, 450)))
    general = draw(named(s.groups, party, set(), 0, 2))
    if party:
        name = (
            "Ban Thường vụ Tỉnh ủy"
            if kind == "chỉ thị"
            else draw(st.sampled_from(["Ban Thường vụ Tỉnh ủy", "Thường trực Tỉnh ủy"]))
        )
        issuer = Issuer(name, IssuerKind.PARTY, (f"TỈNH ỦY {place.upper()}",))
        symbol = "CT/TU" if kind == "chỉ thị" else "CV/TU"
        signer = Signer(
            ("T/M BAN THƯỜNG VỤ",), draw(st.sampled_from(["BÍ THƯ", "PHÓ BÍ THƯ"])), draw(st.sampled_from(PEOPLE))
        )
        distribution = ("Ban Nội chính Trung ương", "Các đồng chí Tỉnh ủy viên", "Lưu Văn phòng Tỉnh ủy")
    else:
        header = ("ỦY BAN NHÂN DÂN", f"TỈNH {place.upper()}")
        name = "Chủ tịch Ủy ban nhân dân tỉnh" if kind == "chỉ thị" else "Ủy ban nhân dân tỉnh"
        issuer = Issuer(name, IssuerKind.STATE, header, "UBND tỉnh")
        symbol = "CT-UBND" if kind == "chỉ thị" else "UBND-NC"
        # "TM. ỦY BAN NHÂN DÂN" (new-style tone mark) is left to its own test: the drafter misreads it.
        authority = draw(st.sampled_from([(), ("KT. CHỦ TỊCH",), ("TM. UỶ BAN NHÂN DÂN", "KT. CHỦ TỊCH")]))
        signer = Signer(authority, "CHỦ TỊCH" if not authority else "PHÓ CHỦ TỊCH", draw(st.sampled_from(PEOPLE)))
        distribution = ("Như trên", "Thường trực Tỉnh ủy", "Chủ tịch, các PCT UBND tỉnh", "Lưu: VT, NC")
        if general:
            general += draw(named(s.requested_groups, False, set(), 0, 1))
    # The issuer as the preamble names it ("Chủ tịch Ủy ban nhân dân (UBND) tỉnh yêu cầu ...").
    said = name.replace("Ủy ban nhân dân tỉnh", "Ủy ban nhân dân (UBND) tỉnh") if draw(st.booleans()) else name
    recipients: tuple[str, ...] = ()
    if kind == "công văn":  # the general addressees are those of "Kính gửi"
        title = "Về việc " + draw(st.sampled_from(SUBJECTS))
        recipients = tuple(n.written for n in general)
        opening = (
            f"Để chủ động bảo đảm an ninh, trật tự, {said} yêu cầu các cơ quan, đơn vị thực hiện một số nội dung sau:"
        )
    else:
        title = draw(st.sampled_from(TITLES))
        if general:
            asked = [n for n in general if REGISTRY.get(n.agency).requested and not party]
            told = [n for n in general if n not in asked]
            ask = f" và đề nghị {name_list(asked, False)}" if asked and told else ""
            who = name_list(told or asked, False, ", " if ask else " và ")
            verb = "yêu cầu" if told else "đề nghị"
            opening = f"{said} {verb} {who}{ask} thực hiện tốt các nhiệm vụ sau:"
        else:
            opening = f"{said} yêu cầu:"
    s.general = tuple(general)
    preamble = "\n".join([*draw(st.lists(st.sampled_from(CONTEXT), max_size=2, unique=True)), opening])
    items = [draw(item(s, k)) for k in range(1, draw(st.integers(1, 6)) + 1)]
    cuoi, closing = draw(closing_tasks(s, document))
    return Directive(
        id="thu-" + number,
        kind=kind,
        title=title,
        issuer=issuer,
        tasks=tuple(items + cuoi),
        number=number,
        symbol=symbol,
        date=date,
        place=place,
        province=province,
        signer=signer,
        recipients=recipients,
        distribution=distribution,
        preamble=preamble,
        closing=tuple(closing),
    )


@st.composite
def layouts(draw, directive: Directive) -> Layout:
    party_heading = directive.issuer.kind is IssuerKind.PARTY and directive.kind == "chỉ thị"
    return Layout(
        columns=draw(st.booleans()),
        dash=draw(st.sampled_from(["-", "-", "–"])),
        signed=draw(st.booleans()),
        issuer_line=party_heading and draw(st.booleans()),
        number_colon=draw(st.booleans()),
        zero_pad=draw(st.booleans()),
        title_lines=draw(st.sampled_from([1, 1, 2])),
        double_spaced=draw(st.integers(0, 3)) == 0,
        page_every=draw(st.sampled_from([0, 0, 4, 7])),
    )


# --------------------------------------------------------------------------- round trip


def fold(text: str | None) -> str | None:
    return " ".join(text.split()) if text is not None else None


def shape(directive: Directive) -> list[tuple[str, tuple[str, ...]]]:
    """Every task id with the ids of its sub-tasks, depth first."""
    return [(t.id, tuple(s.id for s in t.tasks)) for t, _ in directive.walk()]


def triples(directive: Directive) -> set[tuple[str, str, str]]:
    return {(t.id, a.agency, a.role.value) for t, _ in directive.walk() for a in t.assignments}


def texts(directive: Directive) -> dict[str, str | None]:
    return {t.id: fold(t.text) for t, _ in directive.walk()}


def header_of(d: Directive) -> dict[str, object]:
    return {
        "kind": d.kind,
        "title": d.title,
        "number": d.number,
        "symbol": d.symbol,
        "date": d.date,
        "place": d.place,
        "province": d.province,
        "issuer": d.issuer,
        "signer": d.signer,
        "recipients": d.recipients,
        "distribution": d.distribution,
        "preamble": fold(d.preamble),
        "closing": tuple(fold(c) for c in d.closing),
    }


def load_one(path: Path, unknown: Unknown) -> Directive:
    result = load_corpus([path], REGISTRY_PATH, unknown)
    assert not result.errors, "\n".join(str(p) for p in result.errors)
    return result.require().directives[0]


PLAIN = Layout()  # frozen: one shared default


def roundtrip(
    directive: Directive, folder: Path, layout: Layout = PLAIN, docx: bool = False
) -> tuple[Directive, Directive, str]:
    """(the original as the loader reads it, the draft as the loader reads it, the rendered text)."""
    original = folder / "original" / f"{directive.id}.yaml"
    original.parent.mkdir()
    original.write_text(dump_directive(directive, REGISTRY), encoding="utf-8")
    expected = load_one(original, Unknown.ERROR)
    source = folder / f"{directive.id}.{'docx' if docx else 'txt'}"
    (write_docx if docx else write_txt)(directive, source, layout)
    draft = draft_file(source, REGISTRY)
    drafted = folder / "draft" / f"{directive.id}.yaml"
    drafted.parent.mkdir()
    drafted.write_text(draft.yaml, encoding="utf-8")
    assert draft.unresolved == [], f"names the drafter did not resolve: {draft.unresolved}"
    return expected, load_one(drafted, Unknown.KEEP), render_text(directive, layout)


def assert_same(expected: Directive, got: Directive, text: str) -> None:
    where = f"\n--- rendered text ---\n{text}"
    assert shape(got) == shape(expected), where
    assert triples(got) == triples(expected), (
        f"missing {sorted(triples(expected) - triples(got))}, extra {sorted(triples(got) - triples(expected))}{where}"
    )
    assert texts(got) == texts(expected), where
    assert header_of(got) == header_of(expected), where


@settings(
    max_examples=examples(50), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(data=st.data())
def test_a_rendered_directive_drafts_back_to_its_tasks_and_assignments(data: st.DataObject) -> None:
    directive = data.draw(directives(), label="directive")
    layout = data.draw(layouts(directive), label="layout")
    docx = data.draw(st.sampled_from([False, False, False, True]), label="docx")
    with tempfile.TemporaryDirectory() as folder:
        expected, got, text = roundtrip(directive, Path(folder), layout, docx)
        assert_same(expected, got, text)


# --------------------------------------------------------------------------- fixed examples


def a(agency: str, role: Role, written: str) -> Assignment:
    return Assignment(agency, role, written)


STATE = Directive(
    id="thu-ct-12",
    kind="chỉ thị",
    title="Về tăng cường bảo đảm an ninh, trật tự năm 2025",
    issuer=Issuer(
        "Chủ tịch Ủy ban nhân dân tỉnh", IssuerKind.STATE, ("ỦY BAN NHÂN DÂN", "TỈNH TIỀN GIANG"), "UBND tỉnh"
    ),
    number="12",
    symbol="CT-UBND",
    date=dt.date(2025, 2, 5),
    place="Tiền Giang",
    province="tien-giang",
    signer=Signer(("KT. CHỦ TỊCH",), "PHÓ CHỦ TỊCH", "Nguyễn Văn An"),
    distribution=("Như trên", "Thường trực Tỉnh ủy", "Lưu: VT, NC"),
    preamble="Năm 2024, công tác bảo đảm an ninh, trật tự đạt nhiều kết quả quan trọng.\n"
    "Chủ tịch Ủy ban nhân dân tỉnh yêu cầu:",
    tasks=(
        Task(
            "1",
            "Công an tỉnh chủ trì, phối hợp với Sở Nội vụ, Văn phòng Ủy ban nhân dân tỉnh rà soát công tác "
            "quản lý cư trú trên địa bàn tỉnh.",
            (
                a("cong-an-tinh", C, "Công an tỉnh"),
                a("so-noi-vu", P, "Sở Nội vụ"),
                a("vp-ubnd-tinh", P, "Văn phòng Ủy ban nhân dân tỉnh"),
            ),
        ),
        Task(
            "2",
            "Sở Y tế:",
            (a("so-y-te", C, "Sở Y tế"),),
            (
                Task("2-1", "Tăng cường công tác phòng cháy, chữa cháy tại các cơ sở khám bệnh."),
                Task(
                    "2-2",
                    "Chủ trì, phối hợp với Sở Tư pháp tuyên truyền an ninh mạng.",
                    (a("so-tu-phap", P, "Sở Tư pháp"),),
                ),
            ),
        ),
        Task(
            "3",
            "Đề nghị Viện kiểm sát nhân dân tỉnh, Tòa án nhân dân tỉnh: đẩy nhanh tiến độ giải quyết các vụ án.",
            (a("vksnd-tinh", C, "Viện kiểm sát nhân dân tỉnh"), a("tand-tinh", C, "Tòa án nhân dân tỉnh")),
        ),
        Task(
            "4",
            "Các sở, ban, ngành tỉnh, Ủy ban nhân dân các huyện, thành phố, thị xã: nắm chắc tình hình an ninh, "
            "trật tự tại cơ sở.\nKịp thời phát hiện, giải quyết các vụ việc phức tạp.",
            (
                a("so-ban-nganh", T, "Các sở, ban, ngành tỉnh"),
                a("ubnd-cap-huyen", T, "Ủy ban nhân dân các huyện, thành phố, thị xã"),
            ),
        ),
        Task(
            "5",
            "Bộ Chỉ huy Quân sự tỉnh:",
            (a("bchqs-tinh", C, "Bộ Chỉ huy Quân sự tỉnh"),),
            (
                Task("5.1", "Xây dựng phương án bảo vệ các mục tiêu trọng điểm."),
                Task(
                    "5.2",
                    "Phối hợp chặt chẽ với Công an tỉnh tuần tra, kiểm soát.",
                    (a("cong-an-tinh", P, "Công an tỉnh"),),
                ),
            ),
        ),
        Task(
            "cuối-1",
            "Giao Công an tỉnh chủ trì, phối hợp với Văn phòng Ủy ban nhân dân tỉnh theo dõi, đôn đốc, "
            "kiểm tra việc thực hiện Chỉ thị này; định kỳ báo cáo kết quả thực hiện./.",
            (a("cong-an-tinh", C, "Công an tỉnh"), a("vp-ubnd-tinh", P, "Văn phòng Ủy ban nhân dân tỉnh")),
        ),
    ),
)

PARTY = Directive(
    id="thu-ct-tu-15",
    kind="chỉ thị",
    title="Về tăng cường phòng, chống tội phạm",
    issuer=Issuer("Ban Thường vụ Tỉnh ủy", IssuerKind.PARTY, ("TỈNH ỦY HƯNG YÊN",)),
    number="15",
    symbol="CT/TU",
    date=dt.date(2024, 3, 11),
    place="Hưng Yên",
    province="hung-yen",
    signer=Signer(("T/M BAN THƯỜNG VỤ",), "BÍ THƯ", "Trần Thị Bình"),
    distribution=("Ban Nội chính Trung ương", "Lưu Văn phòng Tỉnh ủy"),
    preamble="Ban Thường vụ Tỉnh ủy yêu cầu các cấp ủy, tổ chức đảng thực hiện tốt các nhiệm vụ sau:",
    tasks=(
        Task(
            "1",
            "Tăng cường công tác phòng ngừa tội phạm ngay từ cơ sở.",
            (a("cap-uy-to-chuc-dang", T, "các cấp ủy, tổ chức đảng"),),
            (
                Task("a", "Rà soát hoạt động tín dụng đen."),
                Task(
                    "b",
                    "Phối hợp chặt chẽ với Ban Nội chính Tỉnh ủy kiểm tra công tác quản lý cư trú.",
                    (a("ban-noi-chinh-tu", P, "Ban Nội chính Tỉnh ủy"),),
                ),
            ),
        ),
        Task(
            "2",
            "Đảng ủy Công an tỉnh phối hợp với Ban Tuyên giáo Tỉnh ủy đẩy mạnh tuyên truyền an ninh mạng.",
            (a("cong-an-tinh", C, "Đảng ủy Công an tỉnh"), a("ban-tuyen-giao-tu", P, "Ban Tuyên giáo Tỉnh ủy")),
        ),
        Task(
            "3",
            "Đảng đoàn Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh: vận động Nhân dân tham gia phong trào toàn dân "
            "bảo vệ an ninh Tổ quốc.",
            (a("ubmttq-tinh", C, "Đảng đoàn Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh"),),
        ),
        Task(
            "cuối-1",
            "Giao Đảng ủy Công an tỉnh chủ trì, phối hợp với Văn phòng Tỉnh ủy theo dõi, đôn đốc việc thực "
            "hiện Chỉ thị này.",
            (a("cong-an-tinh", C, "Đảng ủy Công an tỉnh"), a("vp-tinh-uy", P, "Văn phòng Tỉnh ủy")),
        ),
    ),
    closing=("Chỉ thị này được phổ biến đến chi bộ./.",),
)

LETTER = Directive(
    id="thu-cv-345",
    kind="công văn",
    title="Về việc triển khai các biện pháp phòng, chống tội phạm",
    issuer=Issuer("Ủy ban nhân dân tỉnh", IssuerKind.STATE, ("ỦY BAN NHÂN DÂN", "TỈNH ĐỒNG THÁP"), "UBND tỉnh"),
    number="345",
    symbol="UBND-NC",
    date=dt.date(2025, 1, 20),
    place="Đồng Tháp",
    province="dong-thap",
    signer=Signer(("KT. CHỦ TỊCH",), "PHÓ CHỦ TỊCH", "Lê Hoàng Cường"),
    recipients=("Các sở, ban, ngành tỉnh", "Ủy ban nhân dân các huyện, thành phố"),
    distribution=("Như trên", "Lưu: VT, NC"),
    preamble="Để chủ động bảo đảm an ninh, trật tự, Ủy ban nhân dân tỉnh yêu cầu các cơ quan, đơn vị thực hiện một "
    "số nội dung sau:",
    tasks=(
        Task(
            "1",
            "Rà soát, nắm chắc tình hình tại cơ sở.",
            (
                a("so-ban-nganh", T, "Các sở, ban, ngành tỉnh"),
                a("ubnd-cap-huyen", T, "Ủy ban nhân dân các huyện, thành phố"),
            ),
        ),
        Task(
            "2",
            "Ủy ban nhân dân huyện Tháp Mười chủ trì, phối hợp với Bộ Chỉ huy Bộ đội Biên phòng tỉnh tuần tra "
            "khu vực biên giới.",
            (
                a("dt-ubnd-huyen-thap-muoi", C, "Ủy ban nhân dân huyện Tháp Mười"),
                a("bdbp-tinh", P, "Bộ Chỉ huy Bộ đội Biên phòng tỉnh"),
            ),
        ),
        Task(
            "cuối-1",
            "Giao Công an tỉnh chủ trì theo dõi, đôn đốc việc thực hiện Công văn này./.",
            (a("cong-an-tinh", C, "Công an tỉnh"),),
        ),
    ),
)


@pytest.mark.parametrize("directive", [STATE, PARTY, LETTER], ids=lambda d: d.id)
@pytest.mark.parametrize("columns", [False, True], ids=["stacked", "columns"])
def test_fixed_directives_draft_back(tmp_path: Path, directive: Directive, columns: bool) -> None:
    expected, got, text = roundtrip(directive, tmp_path, Layout(columns=columns))
    assert_same(expected, got, text)


def test_the_word_reader_gives_the_same_draft(tmp_path: Path) -> None:
    """A .docx with one paragraph a line drafts like the text (python-docx writes it)."""
    expected, got, text = roundtrip(STATE, tmp_path, Layout(columns=True), docx=True)
    assert_same(expected, got, text)


@pytest.mark.parametrize("columns", [False, True], ids=["stacked", "columns"])
def test_an_authority_line_on_behalf_of_the_people_s_committee_is_read(tmp_path: Path, columns: bool) -> None:
    """ "TM. ỦY BAN NHÂN DÂN" / "KT. CHỦ TỊCH" / "PHÓ CHỦ TỊCH": two authority lines and the title.

    Fails today: the drafter's authority pattern (matrix/draft/header.py, ``_AUTHORITY``) accepts only
    some Vietnamese capitals after "TM."/"KT." and not "Ủ", so "TM. ỦY BAN NHÂN DÂN" becomes the
    signer's title and "PHÓ CHỦ TỊCH" is lost ("TM. UỶ BAN NHÂN DÂN", old-style, is read).
    """
    directive = replace(
        LETTER, signer=Signer(("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"), "PHÓ CHỦ TỊCH", "Lê Hoàng Cường")
    )
    expected, got, text = roundtrip(directive, tmp_path, Layout(columns=columns))
    assert got.signer == expected.signer, text


def test_the_rendered_text_looks_like_a_directive() -> None:
    text = render_text(STATE, Layout(columns=True))
    lines = text.splitlines()
    assert lines[0].startswith("ỦY BAN NHÂN DÂN") and lines[0].endswith("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert "Số: 12/CT-UBND" in text and "Tiền Giang, ngày 05 tháng 02 năm 2025" in text
    assert "\nCHỈ THỊ\nVề tăng cường bảo đảm an ninh, trật tự năm 2025\n" in text
    assert "\n2. Sở Y tế:\n- Tăng cường" in text and "\n5.2. Phối hợp chặt chẽ với Công an tỉnh" in text
    assert "\nGiao Công an tỉnh chủ trì" in text and text.rstrip().endswith("Nguyễn Văn An")
    party = render_text(PARTY)
    assert "Số 15-CT/TU" in party and "\na) Rà soát" in party and "ĐẢNG CỘNG SẢN VIỆT NAM" in party
    assert "Kính gửi:\n- Các sở, ban, ngành tỉnh;\n- Ủy ban nhân dân các huyện, thành phố.\n" in render_text(LETTER)
