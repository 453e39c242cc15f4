"""Who does what in one item: the patterns Vietnamese directives use to name addressees.

* The item starts with its addressees ("2. Công an tỉnh:", "3. Đảng ủy Bộ đội
  Biên phòng tỉnh phối hợp với ...", "7. Đề nghị Viện Kiểm sát nhân dân tỉnh,
  Tòa án nhân dân tỉnh:"): specific bodies lead (chủ trì), groups each do
  the work (thực hiện).
* A sentence starts with "Giao X ...", "Yêu cầu X ...", "Đề nghị X ..." (or
  "UBND tỉnh giao X ..."): the same roles for X. In closing paragraphs, a
  "Yêu cầu/Đề nghị" list that contains a group is general work: everyone in
  it does it (thực hiện).
* "phối hợp (chặt chẽ) với Y", "phối hợp Y": Y is a partner (phối hợp);
  "phối hợp giữa X với Y": X leads, Y is a partner, when X is a named body.
* A sentence inside an item that starts with a known group ("Người đứng đầu
  cấp ủy, chính quyền các cấp phải ...") adds that group (thực hiện).
* Vague mentions and the issuer itself are never addressees.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..core.model import Role
from ..core.text import match_key
from .names import CAC, VA, Mention, NameReader, Token, level_group, tokenize

_K = match_key
_VERBS = {
    # a request made with courtesy ("Chính phủ trân trọng đề nghị X", "Văn phòng Thành ủy kính đề nghị X")
    (_K("trân"), _K("trọng"), _K("đề"), _K("nghị")): "đề nghị",
    (_K("kính"), _K("đề"), _K("nghị")): "đề nghị",
    (_K("giao"), _K("cho")): "giao",
    (_K("giao"),): "giao",
    (_K("yêu"), _K("cầu")): "yêu cầu",
    (_K("đề"), _K("nghị")): "đề nghị",
}
# Words that introduce an item's addressee without assigning ("1. Trách nhiệm của Công an tỉnh:").
_INTRODUCERS = ((_K("trách"), _K("nhiệm"), _K("của")), (_K("nhiệm"), _K("vụ"), _K("của")), (_K("đối"), _K("với")))
# Predicates that make a known body opening a sentence an addressee ("... phải chịu trách nhiệm").
_ACTIONS = tuple(
    tuple(_K(w) for w in p.split())
    for p in (
        "chủ trì",
        "chịu trách nhiệm",
        "có trách nhiệm",
        "phải",
        "cần",
        "phối hợp",
        "tham mưu",
        "thực hiện",
        "triển khai",
        "tổ chức",
        "chỉ đạo",
        "lãnh đạo",
        "tăng cường",
        "tập trung",
        "xây dựng",
        "khẩn trương",
        "chủ động",
        "theo dõi",
        "kiểm tra",
        "hướng dẫn",
        "rà soát",
        "báo cáo",
        "tiếp tục",
        "quán triệt",
        "đẩy mạnh",
        "nâng cao",
        "nghiên cứu",
        "bố trí",
        "kịp thời",
        "đảm bảo",
        "bảo đảm",
        "thường xuyên",
        "quan tâm",
        "tích cực",
        "đôn đốc",
        "giám sát",
        "ban hành",
        "khẩn trương",
        "căn cứ",
        "hoàn thành",
        "cung cấp",
        "phản ánh",
        "phân công",
        "lập",
        "tiếp nhận",
        "huy động",
        "hỗ trợ",
        "đề xuất",
        "đánh giá",
        "trình",
        "tổng hợp",
        "cập nhật",
    )
)
_DOI, _CAC = _K("đối"), _K("các")
# A "Kính gửi" line that starts with a common noun of bodies ("Doanh nghiệp nhà nước ...") addresses every one of them.
_BODY_NOUN_STARTS = tuple(tuple(_K(w) for w in p.split()) for p in ("doanh nghiệp", "đơn vị", "tổ chức", "cơ quan"))
_KINH = _K("kính")
_PHOI, _HOP, _VOI, _GIUA, _VA, _CUNG = _K("phối"), _K("hợp"), _K("với"), _K("giữa"), _K("và"), _K("cùng")
_ADVERBS = frozenset(
    _K(w)
    for w in (
        "chặt",
        "chẽ",
        "thường",
        "xuyên",
        "hiệu",
        "quả",
        "tốt",
        "tích",
        "cực",
        "đồng",
        "bộ",
        "kịp",
        "thời",
        "nhịp",
        "nhàng",
        "sâu",
        "sát",
        "chủ",
        "động",
        "toàn",
        "diện",
        "có",
        "hơn",
        "nữa",
    )
)
_SENTENCE_ENDS = frozenset({".", "!", "?"})
_CLAUSE_ENDS = _SENTENCE_ENDS | {";", ":"}
_CHU_TRI = (_K("chủ"), _K("trì"))
_LIEN_QUAN = (_K("liên"), _K("quan"))
_COPULAS = frozenset(tuple(_K(w) for w in p.split()) for p in ("là cơ quan", "là đơn vị", "làm cơ quan", "làm đầu mối"))
# Words that make vague words definite ("các đơn vị trong ngành Y tế", "các cơ quan được giao ...", "các đơn vị thuộc Bộ").
_QUALIFIERS = frozenset(_K(w) for w in ("trong", "thuộc", "được", "của", "ở"))
_ANNOUNCES_WORK = re.compile(
    r"\b(?:nhiệm vụ|nội dung|giải pháp|biện pháp|công việc|yêu cầu|thực hiện|triển khai)\b", re.IGNORECASE
)
_CIRCUMSTANCES = tuple(
    tuple(_K(w) for w in p.split())
    for p in (
        "trong trường hợp",
        "trong quá trình",
        "quá trình",
        "trường hợp",
        "khi",
        "sau khi",
        "nếu",
        "trên cơ sở",
        "căn cứ",
        "để",
        "đối với",
    )
)
_VUONG_MAC = (_K("vướng"), _K("mắc"))
_REPORT_VERBS = frozenset(_K(w) for w in ("phản", "ánh", "cáo", "gửi"))  # "phản ánh về", "báo cáo về", "gửi về"
_VE, _DE, _CHO = _K("về"), _K("để"), _K("cho")
_HANDLES = tuple(
    tuple(_K(w) for w in p.split()) for p in ("tổng hợp", "tham mưu", "phối hợp giải quyết", "xem xét", "giải quyết")
)
_THI, _HANH, _NAY = _K("thi"), _K("hành"), _K("này")
_THI_THEN = _K("thì")
_CHI_DAO = (_K("chỉ"), _K("đạo"))
_ADVISES = tuple(tuple(_K(w) for w in p.split()) for p in ("tham mưu", "tham mưu cho", "giúp", "đề xuất", "trình"))
_DUTY_WORDS = frozenset(_K(w) for w in ("nhiệm", "vụ", "quyền", "hạn", "được", "giao", "và"))
_NOUN_MARKERS = frozenset(_K(w) for w in ("sự", "theo", "của", "các", "những", "ban", "công", "tác"))


@dataclass
class Assigned:
    """One addressee of one item, the role the text gives it, and which pattern said so."""

    role: Role
    mention: Mention
    rule: str  # subject | giao | partner | between | sentence | general
    own: bool = True  # the item names its own addressee (so it is not a general item)


class RoleReader:
    """Applies the addressee patterns to the paragraphs of one item."""

    def __init__(self, names: NameReader) -> None:
        self.names = names

    def item(self, paragraphs: list[str], closing: bool = False) -> list[Assigned]:
        """Every addressee named by the item's own paragraphs (not its sub-items), one role each."""
        found: list[Assigned] = []
        for number, paragraph in enumerate(paragraphs):
            tokens = tokenize(paragraph)
            for start in _sentence_starts(tokens):
                at_item_start = number == 0 and start == 0
                executors = self._executors(tokens, paragraph, start)
                found.extend(executors or self._sentence(tokens, paragraph, start, at_item_start, closing))
                found.extend(self._after_circumstance(tokens, paragraph, start))
            for k in range(1, len(tokens)):  # "Trong quá trình thực hiện, nếu có vướng mắc, đề nghị X ..."
                if _verb_at(tokens, k) in ("yêu cầu", "đề nghị") and (
                    tokens[k - 1].text == "," or self._asker_before(tokens, paragraph, k)
                ):
                    found.extend(self._sentence(tokens, paragraph, k, False, closing))
            found.extend(self._leads(tokens, paragraph))
            found.extend(self._partners(tokens, paragraph))
            found.extend(self._reported_to(tokens, paragraph))
            found.extend(self._directed(tokens, paragraph))
            coordinating = self._coordinating(tokens, paragraph)
            if coordinating:  # "X chủ trì, Y phối hợp": Y is a partner, however else its sentence reads
                keys = {a.mention.key for a in coordinating}
                found = [a for a in found if a.mention.key not in keys] + coordinating
        return _one_role_each(found)

    def _asker_before(self, tokens: list[Token], text: str, k: int) -> bool:
        """ "..., Văn phòng Thành ủy (kính) đề nghị X ...": the clause before the verb at ``k`` is only the name
        of who asks, so X is an addressee wherever the sentence puts the request."""
        end = k - 1 if tokens[k - 1].low == _KINH else k
        start = end
        while start > 0 and tokens[start - 1].text not in _CLAUSE_ENDS | {","}:
            start -= 1
        if start >= end:
            return False
        mentions, stop = self.names.read_list(tokens, text, start)
        if mentions and stop == end:
            return True
        return self.names.is_superior(text[tokens[start].start : tokens[end - 1].end])  # "Chính phủ trân trọng đề nghị"

    def labels(self, labels: list[tuple[str, str]]) -> list[Assigned]:
        """Addressees given by label lines: "Cơ quan chủ trì: X" (chủ trì), "Cơ quan phối hợp: Y" (phối hợp),
        "Cơ quan thực hiện: X chủ trì, phối hợp với Y" (read as a sentence; a plain list: bodies chủ trì,
        groups thực hiện)."""
        found: list[Assigned] = []
        for kind, value in labels:
            if kind == "doer":
                for clause in (c.strip() for c in value.split(";")):
                    if clause:
                        found.extend(self.item([clause[:1].upper() + clause[1:]]))
                continue
            if kind not in ("lead", "partner"):
                continue
            tokens = tokenize(value)
            i = 0
            while i < len(tokens):
                mentions, end = self.names.read_list(tokens, value, i)
                for m in mentions:
                    if (m.vague and not (kind == "partner" and m.how == "above")) or (
                        kind == "lead" and self.names.is_superior(m.written)
                    ):
                        continue
                    role = Role.PARTNER if kind == "partner" else Role.DOER if self.names.is_plural(m) else Role.LEAD
                    found.append(Assigned(role, m, "label"))
                i = max(end, i) + 1
                while i < len(tokens) and tokens[i - 1].text not in (",", ";", "và") and tokens[i - 1].low != VA:
                    i += 1
        return _one_role_each(found)

    def general(self, preamble: list[str], recipients: list[str]) -> list[Mention]:
        """Addressees of the whole document: "yêu cầu X ... và đề nghị Y" in the preamble, else Kính gửi."""
        for paragraph in reversed(preamble):
            tokens = tokenize(paragraph)
            for i in range(len(tokens)):
                verb = _verb_at(tokens, i)
                if verb and verb != "giao":
                    mentions = self._addressees(tokens, paragraph, i + _verb_length(tokens, i))
                    if mentions:
                        return mentions
        found: list[Mention] = []
        for line in recipients:
            tokens = tokenize(line)
            if tuple(t.low for t in tokens[:2]) in _BODY_NOUN_STARTS and not self.names.lookup(line.strip(" ;.,")):
                # "Doanh nghiệp nhà nước trực thuộc ...": every one (unless the registry knows the line as written)
                line = f"Các {line[:1].lower()}{line[1:]}"
                tokens = tokenize(line)
            found.extend(self._addressees(tokens, line, 0))
        if found:
            return found
        for paragraph in reversed(preamble[-1:]):  # the lead-in of the items, only when nobody else is named
            if not paragraph.rstrip().endswith(":"):
                continue
            tokens = tokenize(paragraph)
            for i in range(len(tokens)):
                if _verb_at(tokens, i) in ("yêu cầu", "đề nghị"):
                    collective = self._collective(tokens, paragraph, i + _verb_length(tokens, i))
                    if collective is not None:
                        return [collective]
        return []

    def _collective(self, tokens: list[Token], text: str, i: int) -> Mention | None:
        """ "yêu cầu các đơn vị trong ngành Công Thương tập trung ...", "đề nghị các cơ quan được Bộ Chính trị giao
        thẩm quyền quản lý biên chế khẩn trương ...": vague words made definite by what follows them (up to the
        action): the group the demand is addressed to, kept as written ("liên quan" stays vague)."""
        if i >= len(tokens) or tokens[i].low != CAC:
            return None
        mentions, end = self.names.read_list(tokens, text, i)
        if not mentions or not all(m.how == "vague" for m in mentions) or end >= len(tokens):
            return None
        if tokens[end].low not in _QUALIFIERS:
            return None
        for k in range(end + 2, min(len(tokens), end + 16)):
            if not tokens[k - 1].is_word or tokens[k - 1].low in _LIEN_QUAN:
                return None
            if _action_at(tokens, k):
                written = text[tokens[i].start : tokens[k - 1].end]
                return Mention(written[:1].upper() + written[1:], (), i, k, "unknown")
        return None

    def asks_everyone(self, paragraph: str) -> bool:
        """ "yêu cầu/đề nghị các cơ quan, đơn vị ...": a request to the addressees at large (vague words only)."""
        tokens = tokenize(paragraph)
        for i in range(len(tokens)):
            verb = _verb_at(tokens, i)
            if verb in ("yêu cầu", "đề nghị"):
                mentions, _ = self.names.read_list(tokens, paragraph, i + _verb_length(tokens, i))
                if (
                    mentions
                    and all(m.how == "vague" for m in mentions)
                    and tokens[i + _verb_length(tokens, i)].low == CAC
                ):
                    return True
        return False

    def everyone_acts(self, paragraph: str) -> bool:
        """The paragraph opens with the addressees at large as its subject: "Các cơ quan, tổ chức, đơn vị gửi ..."
        (only vague nouns of bodies, two at least, then a verb in lower case)."""
        tokens = tokenize(paragraph)
        if not tokens or tokens[0].low != _CAC:
            return False
        mentions, end = self.names.read_list(tokens, paragraph, 0)
        return (
            len(mentions) >= 2
            and all(m.how == "vague" and len(tokenize(m.written)) <= 3 for m in mentions)
            and end < len(tokens)
            and tokens[end].is_word
            and not tokens[end].capital
        )

    def lead_in(self, paragraph: str) -> list[Mention]:
        """The bodies a lead-in paragraph gives the items under it to: "..., X và Y cần tập trung một số nhiệm
        vụ trọng tâm sau:" (the subject of its last sentence), or "yêu cầu X ... thực hiện các nội dung sau:"."""
        if not paragraph.rstrip().endswith(":") or "sau" not in paragraph[-40:]:
            return []
        last = re.split(r"(?<=[.!?])\s+(?=[A-ZĐ])", paragraph.strip())[-1]
        if not _ANNOUNCES_WORK.search(last.split(",")[-1]):
            return []  # "... đạt được một số kết quả nổi bật như sau:" announces results, not work
        verb_led = self.general([last], [])
        if verb_led:
            return verb_led
        tokens = tokenize(last)
        for k in range(len(tokens)):
            if k and tokens[k - 1].text not in (",", ";"):
                continue
            mentions, end = self.names.read_list(tokens, last, k)
            real = [m for m in mentions if not m.vague and not self.names.is_superior(m.written)]
            if real and end < len(tokens) and tokens[end].text not in (",", ";", ":") and not _verb_at(tokens, end):
                return real  # (the subject of "yêu cầu", "đề nghị" is the one who asks)
        return []

    def heading(self, paragraph: str) -> list[Assigned]:
        """A heading that only describes a group ("9. Các cơ sở sản xuất, kinh doanh và đơn vị thu gom rác"),
        read when sub-items or paragraphs follow it: the group is the item's own addressee (thực hiện), kept as
        written (its words are too general to resolve), so the document's addressees do not take its place.
        "," or "và" before another kind of body starts another group ("... và các đơn vị ..."); a bare noun ("tổ
        chức", "cá nhân") or a group "có liên quan" is the public, not an addressee. After "Đối với", "Trách nhiệm
        của": the first group named, as far as the name reader reads it."""
        text = paragraph.strip().rstrip(":.").strip()
        tokens = tokenize(text)
        skip = _introducer_length(tokens, 0)
        if skip:  # "Đối với các cơ sở sản xuất có lưu lượng xả thải lớn:": the group the name reader sees
            mentions, _ = self.names.read_list(tokens, text, skip)
            first = mentions[0] if mentions else None
            if first is None or first.how != "vague" or tokens[skip].low != CAC or first.end - skip <= 3:
                return []
            written = text[tokens[skip].start : tokens[first.end - 1].end]
            return [
                Assigned(
                    Role.DOER, Mention(written[:1].upper() + written[1:], (), skip, first.end, "unknown"), "subject"
                )
            ]
        if not tokens or tokens[0].low != CAC or len(tokens) > 24 or any(t.text in ":;.!?()" for t in tokens):
            return []
        mentions, end = self.names.read_list(tokens, text, 0)
        if not mentions or mentions[0].how != "vague" or _action_at(tokens, end):
            return []  # "Các cơ quan, đơn vị tăng cường ...": a sentence, not a heading
        cuts = [0]
        for k in range(1, len(tokens) - 1):
            if (tokens[k].low == VA or tokens[k].text == ",") and self.names.read_name(tokens, text, k + 1, None, True):
                cuts.append(k + 1)
        found = []
        for start, stop in zip(cuts, [*(c - 1 for c in cuts[1:]), len(tokens)], strict=True):
            words = [t.low for t in tokens[start:stop] if t.low != CAC]
            if len(words) <= 2 or tuple(words[-2:]) == _LIEN_QUAN:
                continue  # "tổ chức", "cá nhân có liên quan": the public, not an addressee
            written = text[tokens[start].start : tokens[stop - 1].end]
            if tokens[start].low != CAC:
                written = f"Các {written[:1].lower()}{written[1:]}"
            found.append(Assigned(Role.DOER, Mention(written, (), start, stop, "unknown"), "subject"))
        return found

    def names_only(self, paragraph: str) -> bool:
        """The paragraph only names bodies ("Trách nhiệm của các sở, ban, ngành thuộc tỉnh:"), a heading: nothing
        but a few words of place after them, no action."""
        text = paragraph.strip().rstrip(":.").strip()
        tokens = tokenize(text)
        mentions, end = self.names.read_list(tokens, text, _introducer_length(tokens, 0))
        return bool(mentions) and len(tokens) - end <= 3 and not _action_at(tokens, end)

    def opening_actors(self, paragraph: str) -> set[str]:
        """Who the paragraph opens with as acting (their keys): a known body or group followed by an action
        ("Công an tỉnh tăng cường ..."), or the addressees of a verb of assignment ("Giao Sở Y tế ...";
        "(vague)" when they are only vague words: "Yêu cầu các cơ quan, đơn vị ...")."""
        tokens = tokenize(paragraph)
        if not tokens or not tokens[0].capital:
            return set()
        if _verb_at(tokens, 0):  # "Yêu cầu các cấp ủy, cơ quan, đơn vị ...": a new assignment, vague as it may be
            mentions, _ = self.names.read_list(tokens, paragraph, _verb_length(tokens, 0))
            real = {m.key for m in mentions if not m.vague}
            return real or ({"(vague)"} if mentions else set())
        found = self._sentence_subject(tokens, paragraph, self._past_issuer(tokens, paragraph, 0))
        if any(self.names.is_superior(a.mention.written) for a in found):
            return set()
        return {a.mention.key for a in found}

    def assigns(self, paragraph: str) -> bool:
        """The paragraph names an addressee of its own, or opens with a verb of assignment ("Yêu cầu ...")."""
        tokens = tokenize(paragraph)
        return bool(tokens and _verb_at(tokens, 0)) or bool(self.item([paragraph]))

    # ----------------------------------------------------------------- patterns

    def _sentence(self, tokens: list[Token], text: str, i: int, at_item_start: bool, closing: bool) -> list[Assigned]:
        """A sentence that starts with its addressees, with or without a verb of assignment."""
        i = self._past_issuer(tokens, text, i)
        verb = _verb_at(tokens, i)
        if verb:
            i += _verb_length(tokens, i)
        elif not at_item_start:
            return self._sentence_subject(tokens, text, i)
        introduced = 0 if verb else _introducer_length(tokens, i)
        topic = bool(introduced) and tokens[i].low == _DOI  # "Đối với các cơ quan, đơn vị liên quan:": a topic
        i += introduced
        mentions, _end = self.names.read_list(tokens, text, i)
        # "4. Các sở, ngành có liên quan:": the heading addresses them, vague as the words are, when they open it
        # (after other bodies, "... và các đơn vị liên quan" is the vague rest)
        real = [
            m
            for k, m in enumerate(mentions)
            if not m.vague or (m.how == "related" and at_item_start and not verb and not topic and k == 0)
        ]
        if not real:
            return []
        general = closing and verb in ("yêu cầu", "đề nghị") and any(self.names.is_plural(m) for m in real)
        rule = "giao" if verb else "subject"
        return [Assigned(Role.DOER if general or self.names.is_plural(m) else Role.LEAD, m, rule) for m in real]

    def _after_circumstance(self, tokens: list[Token], text: str, i: int) -> list[Assigned]:
        """ "Trong trường hợp ..., Giám đốc Sở X chỉ đạo ...", "Khi ..., Công an tỉnh ...": the subject after
        the opening clause."""
        if not any(tuple(t.low for t in tokens[i : i + len(o)]) == o for o in _CIRCUMSTANCES):
            return []
        # the clause may hold commas of its own ("Khi đám cháy vượt tầm kiểm soát của lực lượng, phương tiện cấp
        # xã, Ban chỉ huy cấp xã lập báo cáo"): the subject is after the comma that an acting name follows
        for comma in range(i, min(len(tokens), i + 40)):
            if tokens[comma].text == ":" and comma + 1 < len(tokens) and tokens[comma + 1].capital:
                pass  # "Khi có cháy rừng xảy ra: Cơ quan thường trực ... tiếp nhận"
            elif tokens[comma].text in _CLAUSE_ENDS:
                return []
            elif tokens[comma].text != "," and tokens[comma].low != _THI_THEN:
                continue  # "nếu có khó khăn, vướng mắc thì các sở kịp thời báo cáo"
            mentions, end = self.names.read_list(tokens, text, comma + 1)
            real = [m for m in mentions if not m.vague]
            if (
                not real
                or any(m.resolved is None and not self.names.is_plural(m) for m in real)
                or not _action_at(tokens, _past_scope(tokens, end))
            ):
                continue
            return [Assigned(Role.DOER if self.names.is_plural(m) else Role.LEAD, m, "sentence") for m in real]
        return []

    def _executors(self, tokens: list[Token], text: str, i: int) -> list[Assigned]:
        """ "Chánh Văn phòng ...; Giám đốc các sở ...; Chủ tịch UBND ... chịu trách nhiệm thi hành Quyết định
        này": everyone listed carries the decision out (thực hiện)."""
        end = next((k for k in range(i, len(tokens)) if tokens[k].text in _SENTENCE_ENDS), len(tokens))
        words = [t.low for t in tokens[i:end]]
        if not any(words[k : k + 2] == [_THI, _HANH] for k in range(len(words))) or _NAY not in words:
            return []
        mentions, _ = self.names.read_list(tokens, text, i)
        return [Assigned(Role.DOER, m, "execute", own=True) for m in mentions if not m.vague]

    def _sentence_subject(self, tokens: list[Token], text: str, i: int) -> list[Assigned]:
        """A known body opening a sentence inside an item; groups add to the general addressees."""
        mentions, end = self.names.read_list(tokens, text, i)
        real = [m for m in mentions if not m.vague]
        # a paragraph that only names its addressees ("1.2. Hỗ trợ về nhà ở" / "Ủy ban nhân dân các tỉnh:"): the
        # item's heading names them for what follows
        if (
            real
            and len(real) == len(mentions)
            and end == len(tokens) - 1
            and tokens[end].text == ":"
            and not any(m.bare or (m.resolved is None and not self.names.is_plural(m)) for m in real)
        ):
            return [Assigned(Role.DOER if self.names.is_plural(m) else Role.LEAD, m, "subject") for m in real]
        if (
            not real
            or any((m.resolved is None and not level_group(m)) or m.bare for m in real)
            or not _action_at(tokens, _past_scope(tokens, end))
        ):
            return []
        return [Assigned(Role.DOER if m.is_group else Role.LEAD, m, "sentence", own=not m.is_group) for m in real]

    def _directed(self, tokens: list[Token], text: str) -> list[Assigned]:
        """ "Giao X lãnh đạo, chỉ đạo các bộ, ngành ... rà soát", "Công an Thành phố chỉ đạo Công an các phường, xã
        phối hợp", "chỉ đạo Tổng công ty A, Tổng công ty B hỗ trợ ...": the groups or the several bodies directed do
        the work (thực hiện) when an action follows them; one directed body, or a group with no action of its own
        ("lãnh đạo, chỉ đạo Công an các cấp:"), is only the object."""
        found: list[Assigned] = []
        for k in range(1, len(tokens) - 2):
            if (tokens[k].low, tokens[k + 1].low) != _CHI_DAO or tokens[k - 1].low in _NOUN_MARKERS:
                continue
            mentions, end = self.names.read_list(tokens, text, k + 2)
            directed = [m for m in mentions if not m.vague and not m.bare]
            several = len(directed) > 1 or all(self.names.is_plural(m) for m in directed)
            if directed and several and len(directed) == len(mentions) and _acts(tokens, _past_duties(tokens, end)):
                found.extend(Assigned(Role.DOER, m, "directed", own=False) for m in directed)
        return found

    def _reported_to(self, tokens: list[Token], text: str) -> list[Assigned]:
        """ "nếu có khó khăn, vướng mắc, các cơ quan ... phản ánh về Sở X để tổng hợp, báo cáo": the body the
        difficulties go to handles them (chủ trì)."""
        words = [t.low for t in tokens]
        if not any(words[k : k + 2] == list(_VUONG_MAC) for k in range(len(words))):
            return []
        found: list[Assigned] = []
        for k in range(len(tokens) - 2):
            if tokens[k].low not in _REPORT_VERBS or tokens[k + 1].low != _VE:
                continue
            mentions, end = self.names.read_list(tokens, text, k + 2)
            real = [m for m in mentions if not m.vague and m.resolved is not None and not m.is_group]
            if end < len(tokens) and tokens[end].low == _DE:
                end += 1
            if real and any(tuple(t.low for t in tokens[end : end + len(w)]) == w for w in _HANDLES):
                found.extend(Assigned(Role.LEAD, m, "reported") for m in real)
        return found

    def _leads(self, tokens: list[Token], text: str) -> list[Assigned]:
        """ "... chỉ đạo Công an tỉnh chủ trì, ...", "Sở X là cơ quan chủ trì": the body named just before "chủ
        trì" leads; "Năm 2025, Công an tỉnh, Bộ đội Biên phòng tỉnh phối hợp với Y": the bodies named just before
        "phối hợp với" are its subject and lead (groups do the work), wherever the sentence puts them."""
        found: list[Assigned] = []
        for k in range(1, len(tokens) - 1):
            pair = (tokens[k].low, tokens[k + 1].low)
            if pair == _CHU_TRI:
                end = k - _copula_before(tokens, k)
                inside = 0  # a name never starts inside a known name read before it ("Đảng ủy các cơ quan Đảng
                # tỉnh và VKSND chủ trì": not the unknown "các cơ quan Đảng tỉnh và VKSND" from the third word)
                for j in range(max(0, end - max(12, self.names.max_words)), end):  # the longest name there is
                    if j < inside or any(t.text in _CLAUSE_ENDS for t in tokens[j:end]):
                        continue
                    mention = self.names.read_name(tokens, text, j, None, False)
                    if mention is not None and mention.resolved is not None:
                        inside = max(inside, mention.end)
                    if mention is not None and mention.end == end and not mention.vague:
                        if self._receiving(tokens, text, j):
                            break  # "báo cáo Sở X và các sở, ngành chủ trì dự án": whom the reports go to
                        role = Role.DOER if self.names.is_plural(mention) else Role.LEAD
                        found.append(Assigned(role, mention, "giao"))
                        break
            elif pair == (_PHOI, _HOP) and self._partnered(tokens, text, k):
                found.extend(
                    Assigned(Role.DOER if self.names.is_plural(m) else Role.LEAD, m, "giao")
                    for m in self._subject_list(tokens, text, k)
                )
        return found

    def _receiving(self, tokens: list[Token], text: str, j: int) -> bool:
        """The name at ``j`` is in a list that a report is sent to ("báo cáo Ban Chỉ đạo, Sở X và các sở, ngành
        ...", "gửi về ...") or that brackets explain ("cấp thẩm quyền (UBND thành phố, các Bộ ...)")."""
        for start in range(max(0, j - 40), j + 1):
            if start and tokens[start - 1].is_word and tokens[start - 1].low not in _REPORT_VERBS | {_VE, _CHO}:
                continue
            mentions, _ = self.names.read_list(tokens, text, start)
            if mentions and any(m.start == j for m in mentions):
                before = tokens[start - 1] if start else None
                return before is not None and (before.text == "(" or before.low in _REPORT_VERBS | {_VE, _CHO})
        return False

    def _coordinating(self, tokens: list[Token], text: str) -> list[Assigned]:
        """ "Giao Sở X chủ trì, Sở Y, Sở Z phối hợp thực hiện": the bodies named right before a "phối hợp" that
        names no partner after it coordinate with the lead its sentence names before them ("chủ trì")."""
        found: list[Assigned] = []
        for k in range(2, len(tokens) - 1):
            if (tokens[k].low, tokens[k + 1].low) != (_PHOI, _HOP) or self._partnered(tokens, text, k):
                continue
            start = k
            while start > 0 and tokens[start - 1].text not in _SENTENCE_ENDS:
                start -= 1
            if not any((tokens[j].low, tokens[j + 1].low) == _CHU_TRI for j in range(start, k - 1)):
                continue
            mentions = self._subject_list(tokens, text, k)
            found.extend(Assigned(Role.PARTNER, m, "partner", own=False) for m in mentions)
        return found

    def _partnered(self, tokens: list[Token], text: str, k: int) -> bool:
        """ "phối hợp" at ``k`` names a partner after it ("với Y", "cùng Y", "Y"), and no issuer advises before it."""
        after = k + 2
        if after < len(tokens) and tokens[after].low in (_VOI, _CUNG):
            after += 1
        partner = self.names.read_name(tokens, text, after, None, False) if after < len(tokens) else None
        return partner is not None and not partner.vague and not self._issuer_before(tokens, text, k)

    def _subject_list(self, tokens: list[Token], text: str, k: int) -> list[Mention]:
        """The names listed right before token ``k`` in its clause ("Công an tỉnh, Bộ đội Biên phòng tỉnh"), the
        longest such list; none when a vague word or the issuer is among them."""
        for j in range(max(0, k - 40), k):
            if any(t.text in _CLAUSE_ENDS for t in tokens[j:k]):
                continue
            mentions, end = self.names.read_list(tokens, text, j)
            if mentions and end == k:
                if any(m.vague or m.bare or self.names.is_superior(m.written) for m in mentions):
                    return []
                if j >= 2 and (tokens[j - 2].low, tokens[j - 1].low) == _CHI_DAO:
                    return []  # "Chỉ đạo X phối hợp với Y": X is directed (see :meth:`_directed`)
                return mentions
        return []

    def _past_issuer(self, tokens: list[Token], text: str, i: int) -> int:
        """Skip "UBND tỉnh" / "Chủ tịch UBND tỉnh" before "giao", "yêu cầu", "đề nghị"."""
        mentions, end = self.names.read_list(tokens, text, i)
        if mentions and all(self.names.is_superior(m.written) for m in mentions) and _verb_at(tokens, end):
            return end
        return i

    def _partners(self, tokens: list[Token], text: str) -> list[Assigned]:
        """ "phối hợp (chặt chẽ) với Y", "phối hợp Y", "phối hợp giữa X với Y"."""
        found: list[Assigned] = []
        for k in range(len(tokens) - 2):
            if (
                tokens[k].low != _PHOI
                or tokens[k + 1].low != _HOP
                or self._issuer_before(tokens, text, k)
                or _in_citation(tokens, k)
            ):
                continue
            j = k + 2
            while (
                j < len(tokens)
                and j - k < 8
                and (tokens[j].text == "," or (tokens[j].low in _ADVERBS and not tokens[j].capital))
            ):
                j += 1
            if j < len(tokens) and tokens[j].low == _GIUA:
                found.extend(self._between(tokens, text, j + 1))
            elif j < len(tokens) and tokens[j].low in (_VOI, _CUNG):
                found.extend(self._partner_list(tokens, text, j + 1))
            elif j == k + 2:
                first = self.names.read_name(tokens, text, j, None, False)
                if first is not None and not first.vague:
                    found.extend(self._partner_list(tokens, text, j))
                elif first is not None:  # "Phối hợp các lực lượng và UBND các xã", "phối hợp UBND tỉnh, Sở X":
                    # the named bodies after the vague words or the issuer (never an addressee) are the partners
                    found.extend(a for a in self._partner_list(tokens, text, j) if not a.mention.vague)
        return found

    def _issuer_before(self, tokens: list[Token], text: str, k: int) -> bool:
        """ "tham mưu Ủy ban nhân dân tỉnh phối hợp với các bộ, ngành Trung ương": the item advises the issuer, which
        coordinates, so its partners are not the item's."""
        lows = [t.low for t in tokens[max(0, k - 11) : k]]
        if not any(w[-1] in lows for w in _ADVISES):  # no "tham mưu" near: no name need be read (a cheap test)
            return False
        for j in range(max(0, k - 8), k):
            mention = self.names.read_name(tokens, text, j, None, False)
            if mention is not None and mention.end == k and self.names.is_superior(mention.written):
                before = [t.low for t in tokens[max(0, j - 3) : j]]
                return any(before[-len(w) :] == list(w) for w in _ADVISES)
        return False

    def _partner_list(self, tokens: list[Token], text: str, i: int) -> list[Assigned]:
        mentions, _ = self.names.read_list(tokens, text, i)
        return [
            Assigned(Role.PARTNER, m, "partner", own=False)
            for m in mentions
            if (not m.vague or m.how == "above") and not m.bare
        ]

    def _between(self, tokens: list[Token], text: str, i: int) -> list[Assigned]:
        """ "giữa X với Y": only when X is a named body (not "lực lượng Công an")."""
        leads, end = self.names.read_list(tokens, text, i)
        named = [m for m in leads if not m.vague and m.resolved is not None and not m.is_group]
        if not named or end >= len(tokens) or tokens[end].low not in (_VOI, _VA):
            return []
        partners = self._partner_list(tokens, text, end + 1)
        return [Assigned(Role.LEAD, m, "between") for m in named] + partners

    def _addressees(self, tokens: list[Token], text: str, i: int) -> list[Mention]:
        mentions, _ = self.names.read_list(tokens, text, i)
        return [m for m in mentions if not m.vague]


_DOCUMENTS = tuple(
    tuple(_K(w) for w in p.split())
    for p in (
        "quy chế",
        "kế hoạch",
        "nghị định",
        "nghị quyết",
        "thông tư",
        "thông tư liên tịch",
        "quyết định",
        "chỉ thị",
        "chương trình",
        "công văn",
        "luật",
        "hướng dẫn",
        "kết luận",
        "thông báo",
        "quy định",
    )
)


def _in_citation(tokens: list[Token], k: int) -> bool:
    """The words at ``k`` belong to the name of a cited document ("Thực hiện Quy chế phối hợp giữa X với Y, ...",
    "Theo Thông tư số 12/2020/TT-BCA về phối hợp với Bộ Y tế"): a document named with a capital opens the
    stretch of the clause before them (back to the last comma)."""
    start = k
    while start > 0 and tokens[start - 1].text not in _CLAUSE_ENDS | {","}:
        start -= 1
    return any(
        tokens[j].capital and tuple(t.low for t in tokens[j : j + len(d)]) == d
        for j in range(start, k)
        for d in _DOCUMENTS
    )


def _sentence_starts(tokens: list[Token]) -> Iterable[int]:
    """Token indices where a sentence or a clause begins (a capital after ".", "!", "?", any word after ";" or ":",
    or the start)."""
    if tokens:
        yield 0
    for i in range(1, len(tokens)):
        if tokens[i - 1].text in _SENTENCE_ENDS | {";"} and tokens[i].capital:
            yield i
        elif tokens[i - 1].text in (":", ";") and tokens[i].is_word and i + 1 < len(tokens):
            yield i  # "2. Về dự án X: Bộ Xây dựng khẩn trương ...", "3. Về Y: giao Tập đoàn Z ..."


def _verb_at(tokens: list[Token], i: int) -> str | None:
    """The verb of assignment at ``i`` ("giao", "giao cho", "yêu cầu", "đề nghị"), or None."""
    for words, verb in _VERBS.items():
        if tuple(t.low for t in tokens[i : i + len(words)]) == words:
            return verb
    return None


def _verb_length(tokens: list[Token], i: int) -> int:
    """The verb's words, and the colon after it ("Đề nghị: Hội Nông dân tỉnh, ...")."""
    length = next(len(w) for w in _VERBS if tuple(t.low for t in tokens[i : i + len(w)]) == w)
    return length + 1 if i + length < len(tokens) - 1 and tokens[i + length].text == ":" else length


def _copula_before(tokens: list[Token], k: int) -> int:
    """The words "là cơ quan" / "là đơn vị" just before ``k`` ("Sở Tư pháp là cơ quan chủ trì"), or 0."""
    words = tuple(t.low for t in tokens[max(0, k - 3) : k])
    return 3 if words in _COPULAS else 0


def _introducer_length(tokens: list[Token], i: int) -> int:
    words = tuple(t.low for t in tokens[i : i + 3])
    return next((len(p) for p in _INTRODUCERS if words[: len(p)] == p), 0)


def _past_duties(tokens: list[Token], i: int) -> int:
    """After "theo chức năng, nhiệm vụ (được giao)," at ``i`` (``i`` itself when the phrase is not there)."""
    words = [t.low for t in tokens[i : i + 8]]
    if words[:3] != [_K("theo"), _K("chức"), _K("năng")]:
        return i
    j = i + 3
    while j < len(tokens) and (tokens[j].text == "," or tokens[j].low in _DUTY_WORDS):
        j += 1
    return j


_SCOPE = (_K("đối"), _K("với"))
_DUTIES = tuple(tuple(_K(w) for w in p.split()) for p in ("có trách nhiệm", "chịu trách nhiệm"))


def _past_scope(tokens: list[Token], i: int) -> int:
    """After "đối với <what>" at ``i`` when a duty follows it ("Sở X đối với hàng hóa, dịch vụ có trách nhiệm ..."):
    the scope of the subject, not its action; ``i`` itself otherwise. A bracket in the scope is part of it ("đối
    với hàng hóa, dịch vụ (quy định tại Phụ lục I) có trách nhiệm ...")."""
    if tuple(t.low for t in tokens[i : i + 2]) != _SCOPE:
        return i
    k, words = i + 2, 0
    while k < len(tokens) and words < 14:
        if tokens[k].text == "(":
            close = next((j for j in range(k + 1, min(len(tokens), k + 30)) if tokens[j].text in "()"), None)
            if close is None or tokens[close].text != ")":
                return i
            k = close + 1
            continue
        if tokens[k].text in _CLAUSE_ENDS:
            return i
        if any(tuple(t.low for t in tokens[k : k + len(d)]) == d for d in _DUTIES):
            return k
        k, words = k + 1, words + 1
    return i


def _action_at(tokens: list[Token], i: int) -> bool:
    """An action or a duty follows the subject ("... phải chịu trách nhiệm", "... chủ trì")."""
    words = tuple(t.low for t in tokens[i : i + 3])
    return any(words[: len(p)] == p for p in _ACTIONS)


_NOT_ACTIONS = frozenset(_K(w) for w in ("về", "của", "trong", "tại", "trên", "đối", "với", "và", "để", "nhằm", "theo"))


def _acts(tokens: list[Token], i: int) -> bool:
    """What follows directed bodies is their work: an action of the list, or any verb in lower case that is no
    preposition ("chỉ đạo Tập đoàn Điện lực Việt Nam, ... khôi phục ..."); not a colon ("chỉ đạo X:" heads the
    director's own sub-items)."""
    if _action_at(tokens, i):
        return True
    return i < len(tokens) and tokens[i].is_word and not tokens[i].capital and tokens[i].low not in _NOT_ACTIONS


def _one_role_each(found: list[Assigned]) -> list[Assigned]:
    """The first role stated for each addressee wins, except that leading (chủ trì) beats the others."""
    chosen: dict[str, Assigned] = {}
    for assigned in found:
        key = assigned.mention.key
        current = chosen.get(key)
        if current is None or (assigned.role is Role.LEAD and current.role is not Role.LEAD):
            chosen[key] = assigned
    return list(chosen.values())
