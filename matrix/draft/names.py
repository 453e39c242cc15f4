"""Find addressee names in a sentence and resolve them through the registry.

A list of addressees ("Các sở, ban, ngành tỉnh, UBND các huyện, thành phố,
thị xã và đề nghị đoàn thể tỉnh") is read name by name. At each position the
longest span of words that the registry knows wins (any alias, spelling-,
case- and tone-mark tolerant), so names with commas inside are kept whole.
Otherwise general rules apply:

* a leadership title before a name is not part of it ("Thủ trưởng các sở...");
* a level without its head takes the head of the previous name
  ("Ủy ban nhân dân cấp huyện, cấp xã" -> "... cấp xã");
* in a list opened with "các", a bare group takes the "các" too
  ("các ban, ngành, đoàn thể" -> "Các đoàn thể");
* a looser key (abbreviations expanded, "các"/"Việt Nam" dropped, list
  order ignored) catches the remaining variants of group names;
* a phrase that starts like the name of a body (Sở, Ban, Cục, Công an...)
  and is not in the registry is kept as written, flagged as unresolved;
* vague mentions ("lực lượng Công an", "các cơ quan liên quan") are read,
  so the list goes on after them, but are not addressees.

The words these rules turn on (titles, heads of names, levels, stop words,
abbreviations, the bodies above an issuer) are data: the commented lists of
``matrix/draft/data/names.yaml``, read once by :mod:`matrix.draft.wordlists`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..core.model import Agency, Registry
from ..core.text import ascii_key, match_key
from .wordlists import word_lists

_TOKEN = re.compile(r"[^\W_]+(?:[&'’./-][^\W_]+)*|[^\w\s]")


@dataclass(frozen=True)
class Token:
    """A word or a punctuation mark: its text, its offsets, and its matching key (``low``)."""

    text: str
    start: int
    end: int
    low: str
    is_word: bool
    capital: bool


def tokenize(text: str) -> list[Token]:
    """Words (with their inner dots, slashes, hyphens) and single punctuation marks, with offsets."""
    tokens = []
    for match in _TOKEN.finditer(text):
        word = match.group()
        is_word = word[:1].isalnum()
        tokens.append(
            Token(word, match.start(), match.end(), match_key(word) if is_word else word, is_word, word[:1].isupper())
        )
    return tokens


def _words(*phrases: str) -> tuple[tuple[str, ...], ...]:
    """Phrases as tuples of token keys, longest first."""
    return tuple(sorted((tuple(t.low for t in tokenize(p)) for p in phrases), key=len, reverse=True))


# The word lists are data: matrix/draft/data/names.yaml, where each says what it is used for (read once, checked).
_LISTS = word_lists()


def _listed(name: str) -> tuple[tuple[str, ...], ...]:
    """The list ``name`` of the data file as token keys, longest first."""
    return _words(*_LISTS.phrases(name))


def _keys(name: str) -> frozenset[str]:
    """The list ``name`` of the data file as a set of folded phrases."""
    return frozenset(match_key(w) for w in _LISTS.phrases(name))


def _ascii_alternatives(name: str) -> str:
    """The list ``name`` of the data file as a regular expression's alternatives, on ``ascii_key``."""
    return "|".join(re.escape(ascii_key(w)) for w in _LISTS.phrases(name))


TITLES = _listed("titles")
_STANDING = _words("thường trực")
_CO = match_key("có")
_AREA = _listed("areas")
_PARTY_ORGANS = _listed("party_organs")
_PARTY_GROUP = re.compile(
    "^(?:" + "|".join(re.escape(" ".join(p)) for p in _PARTY_ORGANS) + ") " + re.escape(match_key("các")) + " "
)
_BODY_KINDS = _listed("party_body_kinds")
_NOT_RESTRICTING = _listed("not_restricting")
_SECRETARY = _words("bí thư")[0]
_PEOPLE_S_COMMITTEES = _keys("people_s_committees")
_COMMITTEE_OF = {match_key(place): committee for place, committee in _LISTS.mapping("party_committee_of").items()}
_STANDING_BOARD = _words("ban thường vụ")[0]
_PARTY_COMMITTEES = _listed("party_committees")
_COLLECTIVE = _listed("collective_bodies")
ORG_HEADS = _listed("org_heads")
_MINISTRY_LIKE = _listed("ministry_like")
GROUP_HEADS = _listed("group_heads")
VAGUE_HEADS = _listed("vague_heads")
_VAGUE_WORDS = _listed("vague_words")
# Bodies above a provincial issuer (or the issuer itself): never its addressees; a ministry is "bộ" followed by
# any word but those of not_ministries. All on ascii_key.
_MINISTRY = rf"bo (?!{_ascii_alternatives('not_ministries')})"
_TITLED = rf"^(?:(?:{_ascii_alternatives('superior_titles')}) )?"
_SUPERIOR = re.compile(rf"{_TITLED}(?:{_ascii_alternatives('superior_bodies')}|{_MINISTRY}\w+)(?:$|\s)")
# For a central issuer (Chính phủ, Thủ tướng, Bộ Chính trị...), only itself and the bodies above it.
_CENTRAL_SUPERIOR = re.compile(rf"{_TITLED}(?:{_ascii_alternatives('central_superior_bodies')})(?:$|\s)")
_CENTRAL_BODY = re.compile(rf"^(?:{_MINISTRY}|{_ascii_alternatives('central_bodies')}|.*\btrung uong\b)")
_DEFINITION = re.compile(
    r"\((?:sau đây|dưới đây)?\s*(?:được\s+)?(?:gọi|viết)(?:\s+(?:tắt|chung))?\s+là:?\s*[“\"]?"
    r"(?P<term>[^()“”\"]{2,80}?)[”\"]?\)",
    re.IGNORECASE,
)
# "Cơ quan thẩm định (gồm Sở Tài chính, Sở Xây dựng)": the words before the brackets name those bodies.
_MEMBERS = re.compile(r"\((?:bao\s+)?gồm(?:\s+có)?\s*:?\s*(?P<members>[^()]{3,400})\)", re.IGNORECASE)
_ASSIGNING = _listed("assigning_verbs")
_REQUESTING = _listed("requesting_verbs")
_DUTY_WORDS = _listed("duty_words")
_RELATED = _listed("related_words")
_LEVELS = _keys("levels")
CAC, VA, TINH = match_key("các"), match_key("và"), match_key("tỉnh")
_LIEN_QUAN_WORD = match_key("liên")
_PLACE_LEVELS = _keys("place_levels")
_OTHER_LEVELS = _listed("other_levels")
_GROUP_LEVELS = _listed("group_levels")
_DEFINITE_LEVELS = _GROUP_LEVELS + _listed("definite_levels")
_DESCRIBED_HEADS = _listed("described_heads")
_FIELD_HEADS = _listed("field_heads")
_OWNED_BY = _listed("owned_by")
_GENERIC_FIELDS = _listed("generic_fields")
_NO_FIELD = VAGUE_HEADS + _listed("no_field") + _DEFINITE_LEVELS
_DESCRIBED_BREAKS = _listed("described_breaks")
_VAGUE_DESCRIBED = _listed("vague_described")
_LOWER_LEVELS = _listed("lower_levels")
_NAME_WORDS = _keys("name_words")
_STOPS = _listed("stops")
_CAPITAL_VERBS = _listed("capital_verbs")
_MINISTER = _words("bộ trưởng")[0]
_UY = match_key("ủy")  # "tỉnh ủy, thành ủy": a party committee at other levels
_CENTRAL_PLACES = _listed("central_places")
_PLACE_LIST = _keys("place_list_words")
LIST_WORDS = _listed("list_words")
_KIND_WORDS = _listed("kind_words")
_NAME_NOUNS = _listed("name_nouns")
_CLOSERS = frozenset({",", ";", ":", "(", ")", ".", "!", "?", "“", "”", '"', "…", "/"})
_ABBREVIATIONS = {match_key(k): match_key(v) for k, v in _LISTS.mapping("loose_abbreviations").items()}
_DROPPED = _keys("loose_dropped")
_PAREN = re.compile(r"\([^)]*\)")


@dataclass
class Mention:
    """One name read in the text: what it says, what it resolves to, and how sure that is."""

    written: str
    agencies: tuple[Agency, ...]
    start: int
    end: int
    how: str = "exact"  # exact | composed | loose | unknown | vague | above
    source: str = ""  # the words of the text when ``written`` differs from them

    @property
    def vague(self) -> bool:
        """Not an addressee: a vague mention, or the issuer or a body above it ("above": a partner at most)."""
        return self.how in ("vague", "above", "related")

    @property
    def resolved(self) -> Agency | None:
        return self.agencies[0] if len(self.agencies) == 1 else None

    @property
    def is_group(self) -> bool:
        if self.resolved is None and self.how in ("unknown", "related"):  # an unknown name that reads as a group
            key = f" {match_key(self.written)} "
            return (
                f" {CAC} " in key
                or "," in self.written
                or not self.written[:1].isupper()
                or _ends_with(self.written, _GROUP_LEVELS)
            )
        return self.resolved is not None and self.resolved.is_group

    @property
    def bare(self) -> bool:
        """A group named by a bare common noun ("chính quyền"): generic unless a list makes it plural."""
        words = match_key(self.written).split()
        return (
            self.is_group
            and not any(c.isupper() for c in self.written)
            and words[0] != CAC
            and not _LEVELS.intersection(words)
        )

    @property
    def key(self) -> str:
        """Identity for "one role per addressee": the agency id, or the words for unknown names."""
        return self.resolved.id if self.resolved else match_key(self.written)


def loose_key(name: str) -> str:
    """A key that ignores abbreviations, "các", "Việt Nam", parentheses and the order of a list."""
    parts: list[list[str]] = []
    for part in re.split(r"\s*(?:[,;]|\s(?:và|Và)\s)\s*", _PAREN.sub(" ", name)):
        key = match_key(part).replace(match_key("cấp tỉnh"), match_key("tỉnh"))
        words = [w for w in " ".join(_ABBREVIATIONS.get(w, w) for w in key.split()).split()]
        if words:
            parts.append(words)
    if parts and parts[0][0] == CAC and parts[-1][-1] == TINH and len(parts[-1]) > 1:
        parts[-1] = parts[-1][:-1]  # "Các sở, ngành tỉnh" is "các sở, ngành"
    kept = [" ".join(w for w in words if w not in _DROPPED) for words in parts]
    return "|".join(sorted(k for k in kept if k))


class NameReader:
    """Reads addressee names in token lists, resolving them through one registry and province."""

    def __init__(self, registry: Registry, province: str | None = None, central: bool = False) -> None:
        self.registry, self.province, self.central = registry, province, central
        # Short terms the document defines ("(sau đây gọi là Ủy ban nhân dân cấp xã)"): term words -> names.
        self.defined: dict[tuple[str, ...], list[Mention]] = {}
        # Short forms of a name's head ("Ban Chỉ huy phòng thủ dân sự (viết tắt là Ban chỉ huy) cấp xã"):
        # short form words -> the long form ("Ban chỉ huy cấp xã" then reads "Ban Chỉ huy phòng thủ dân sự cấp xã").
        self.short_forms: dict[tuple[str, ...], str] = {}
        self.issuers: list[str] = []
        self.plural_text = ""
        self.source_text = ""
        self._full_groups: list[tuple[tuple[str, ...], str]] | None = None  # unknown groups named in the document
        self._source_key: str | None = None  # the source text under match_key, made when first asked
        names = [n for a in registry.agencies for n in a.names()]
        self.max_words = max((len(tokenize(n)) for n in names), default=1)
        self.loose: dict[str, set[str]] = {}
        for agency in registry.agencies:
            if province and agency.province not in (None, province):
                continue
            for name in agency.names():
                self.loose.setdefault(loose_key(name), set()).add(agency.id)

    # ----------------------------------------------------------------- lookups

    def lookup(self, name: str) -> tuple[Agency, ...]:
        """Registry entries called ``name`` exactly (tolerant of case, spaces and tone marks)."""
        return self.registry.candidates(name, self.province)

    def lookup_loose(self, name: str) -> Agency | None:
        ids = self.loose.get(loose_key(name), set())
        # each province has its own bodies: the one the text's province (or a text naming none) means
        found = self.registry.scoped((self.registry.get(i) for i in sorted(ids)), self.province)
        return found[0] if len(found) == 1 else None

    def is_superior(self, name: str) -> bool:
        """The issuer itself or a body above it (UBND tỉnh, Tỉnh ủy, ministries): never an addressee here."""
        key = ascii_key(name)
        if (_CENTRAL_SUPERIOR if self.central else _SUPERIOR).match(key):
            return True
        key = _unabbreviated(re.sub(r"^(?:chu tich|thuong truc|lanh dao|giam doc|truong ban) ", "", key))
        return any(
            key == issuer
            or key == issuer + " dang"
            or (issuer.startswith(key + " ") and key.endswith((" tinh", " pho")))
            for issuer in self.issuers
        )

    def learn_plurals(self, text: str) -> None:
        """The document's text, to tell groups: a body it also calls "các <name>" is several bodies."""
        self.plural_text = " " + " ".join(re.sub(r"[^\w\s]+", " | ", ascii_key(text)).split()) + " "
        self.source_text, self._full_groups, self._source_key = text, None, None

    def _groups_named(self) -> list[tuple[tuple[str, ...], str]]:
        """Every group the document names that the registry does not know (its words and its written name)."""
        if self._full_groups is None:
            self._full_groups = []  # also the guard: names read while scanning are not completed
            found: dict[tuple[str, ...], str] = {}
            for line in self.source_text.split("\n"):
                tokens = tokenize(line)
                for i in range(len(tokens)):
                    if not (tokens[i].low == CAC or _starts_with(tokens, i, GROUP_HEADS)) or (
                        i and tokens[i - 1].is_word and tokens[i - 1].low == CAC
                    ):
                        continue
                    mention = self.read_name(tokens, line, i, None, tokens[i].low == CAC)
                    if mention is not None and mention.how == "unknown" and mention.is_group:
                        found.setdefault(tuple(t.low for t in tokenize(mention.written) if t.is_word), mention.written)
            self._full_groups = list(found.items())
        return self._full_groups

    def _completed(self, written: str) -> str | None:
        """A group written short ("Các văn phòng", "Ủy ban nhân dân các tỉnh, thành phố") where the document
        names it in full elsewhere ("các văn phòng tỉnh ủy, thành ủy", "... thành phố trực thuộc Trung ương"):
        the one full name that starts with the short one's words."""
        if not self.source_text or self._full_groups == []:
            return None
        words = tuple(t.low for t in tokenize(written) if t.is_word)
        fuller = {
            name
            for keys, name in self._groups_named()
            if len(keys) > len(words)
            and keys[: len(words)] == words
            and len(keys) - len(words) <= 6
            and not _lists_on(name, len(words))
        }
        return next(iter(fuller)) if len(fuller) == 1 else None

    def is_plural(self, mention: Mention) -> bool:
        """A group: in the registry, by its wording, or named with "các" elsewhere in the document
        ("Chi nhánh Văn phòng đăng ký đất đai" where the text also says "các Chi nhánh ...")."""
        if mention.is_group:
            return True
        if mention.resolved is not None or not self.plural_text:
            return False
        name = " ".join(re.sub(r"[^\w]+", " ", ascii_key(mention.written)).split())
        return f" cac {name} " in self.plural_text

    def know_issuer(self, *names: str) -> None:
        """The document's issuer (its name and header lines): never one of its own addressees."""
        for name in names:
            key = _unabbreviated(re.sub(r"^(?:chu tich|thuong truc) ", "", ascii_key(name)))
            if len(key.split()) >= 3:
                self.issuers.append(key)

    # ----------------------------------------------------------------- lists

    def learn_definitions(self, text: str) -> None:
        """Read "X (sau đây gọi là Y)" where X are bodies: Y then stands for X in this document."""
        for paragraph in text.split("\n"):
            for match in _DEFINITION.finditer(paragraph):
                term = tuple(t.low for t in tokenize(match.group("term")) if t.is_word)
                before = paragraph[: match.start()]
                tokens = tokenize(before)
                self._learn_short_form(term, before, tokens)
                last_entry = max((k + 1 for k, t in enumerate(tokens) if t.text == ";"), default=0)
                for start in range(last_entry, len(tokens)):  # "A; B (gọi chung là C)": C is B, the last entry
                    if (
                        start
                        and tokens[start - 1].text not in (",", ";", ":", ".")
                        and tokens[start - 1].is_word
                        and not any(_ends_at(tokens, start, verb) for verb in _ASSIGNING)
                    ):
                        continue
                    mentions, end = self.read_list(tokens, before, start)
                    if mentions and end < len(tokens) and _qualifier(tokens, end):
                        end = len(tokens)  # "... các tỉnh, thành phố bị ảnh hưởng bởi thiên tai (sau đây gọi là ...)"
                    members = [_as_member(m) if m.vague else m for m in mentions]
                    if members and end == len(tokens) and all(m is not None for m in members):
                        mentions = [m for m in members if m is not None]
                        shortened = (
                            len(mentions) == 1
                            and tuple(t.low for t in tokenize(mentions[0].written))[: len(term)] == term
                        )
                        if term and len(term) <= 10 and not shortened:
                            self.defined[term] = mentions
                        break

    def learn_members(self, text: str) -> None:
        """Read "<term> (gồm X, Y)" where X, Y are bodies: the term then stands for X and Y in this document
        ("Cơ quan thẩm định (gồm Sở Tài chính, Sở Xây dựng) ... Cơ quan thẩm định báo cáo ...")."""
        for paragraph in text.split("\n"):
            for match in _MEMBERS.finditer(paragraph):
                inside = match.group("members").strip().rstrip(".;,")
                tokens = tokenize(inside)
                mentions, end = self.read_list(tokens, inside, 0)
                if not mentions or end != len(tokens) or any(m.vague for m in mentions):
                    continue
                term = _term_before(tokenize(paragraph[: match.start()]))
                if not (2 <= len(term) <= 8) or self.defined.get(term) is not None:
                    continue
                phrase = " ".join(term)
                named = self.read_name(tokenize(phrase), phrase, 0, None, False)
                if named is not None and named.end == len(term) and named.resolved is not None:
                    continue  # a body's own name followed by its parts ("Sở Y tế (gồm các phòng ...)")
                self.defined[term] = mentions

    def _learn_short_form(self, term: tuple[str, ...], before: str, tokens: list[Token]) -> None:
        """ "Ban Chỉ huy phòng thủ dân sự (viết tắt là Ban chỉ huy)": the term repeats the first words of the
        name just before the brackets, so the term written later stands for that longer name."""
        if not term or len(term) > 6:
            return
        for k in range(len(tokens) - len(term) - 1, max(-1, len(tokens) - 12), -1):
            if tuple(t.low for t in tokens[k : k + len(term)]) != term or not tokens[k].capital:
                continue
            if all(t.is_word for t in tokens[k:]) and _starts_with(tokens, k, ORG_HEADS + GROUP_HEADS):
                self.short_forms[term] = _span(before, tokens, k, len(tokens))
            return

    def _long_form(self, written: str) -> str:
        """``written`` with a short form the document defined at its head replaced by the long form."""
        words = tokenize(written)
        keys = tuple(t.low for t in words)
        for term, long in self.short_forms.items():
            long_keys = tuple(t.low for t in tokenize(long))
            if keys[: len(term)] == term and keys[: len(long_keys)] != long_keys and len(words) > len(term):
                return f"{long} {written[words[len(term)].start :]}"
        return written

    def _defined_at(self, tokens: list[Token], i: int) -> tuple[list[Mention], int] | None:
        for term, mentions in self.defined.items():
            end = _words_at(tokens, i, term)
            if end is not None:
                return [
                    Mention(m.written, m.agencies, i, end, m.how, _span_words(tokens, i, end)) for m in mentions
                ], end
        return None

    def read_list(self, tokens: list[Token], text: str, i: int) -> tuple[list[Mention], int]:
        """Names from token ``i`` on, joined by ",", ";", "và" (and "và đề nghị"); the index after them."""
        mentions: list[Mention] = []
        plural = i < len(tokens) and tokens[i].low == CAC
        if self.defined:  # a term the document defines, even one that reads as no name by itself
            first = self._defined_at(tokens, i)
            if first is not None:
                mentions.extend(first[0])
                i = first[1]
                j = _skip_separator(tokens, i)
                if j == i:
                    return mentions, i
                current = self.read_name(tokens, text, j, mentions[-1], plural)
            else:
                current = self.read_name(tokens, text, i, None, plural)
        else:
            current = self.read_name(tokens, text, i, None, plural)
        while current is not None:
            defined = self._defined_at(tokens, current.start) if self.defined else None
            if defined:
                mentions.extend(defined[0])
                i = defined[1]
                j = _skip_separator(tokens, i)
                if j == i:
                    break
                current = self.read_name(tokens, text, j, mentions[-1], plural)
                continue
            listed = self._enumeration(tokens, text, current) or self._fields_listed(tokens, text, current)
            mentions.extend(listed or [current])
            i = listed[-1].end if listed else current.end
            if current.vague:
                related = _related_at(tokens, i)  # "đơn vị chức năng có liên quan và ...": the list goes on
                _relate_kinds(mentions, tokens, text, i, related)
                i += related
            k = i
            while current.vague and k < min(len(tokens), i + 6) and tokens[k].is_word:
                k += 1  # "Các cơ quan đăng ký đầu tư (Sở ...)": the words of the vague phrase, then the brackets
            inner, after = self._parenthesis(tokens, text, k if k < len(tokens) and tokens[k].text == "(" else i)
            if after > i:  # "Các cơ quan đăng ký đầu tư (Sở Tài chính, ...)": the bodies in brackets
                if current.vague and inner and not listed:
                    mentions[-1:] = inner
                i = after
            if current.is_group:  # "các Hội được Đảng, Nhà nước giao nhiệm vụ ...; X": the ";" list goes on
                i = _past_qualifier(tokens, i)
            j = _skip_separator(tokens, i)
            if j == i:
                break
            current = self.read_name(tokens, text, j, current, plural)
        _share_owner(mentions, tokens)
        self._share_level(mentions, tokens)
        return mentions, i

    def _share_level(self, mentions: list[Mention], tokens: list[Token]) -> None:
        """ "Hội đồng nhân dân, Ủy ban nhân dân các xã, phường và đặc khu": a head with no level of its own, listed
        with a comma right before a name that closes with its levels ("các xã, phường", "cấp xã"), is at those levels
        too ("Hội đồng nhân dân các xã, phường và đặc khu")."""
        for n in range(len(mentions) - 1):
            head, named = mentions[n], mentions[n + 1]
            level = _LEVEL_TAIL.search(named.written)
            if (
                level is None
                or head.resolved is not None
                or head.how != "unknown"
                or named.how not in ("exact", "composed", "loose")  # a body the registry knows at those levels
                or head.end + 1 != named.start
                or tokens[head.end].text != ","
                or _LEVELS.intersection(t.low for t in tokenize(head.written))
                or not _is_org_head(tokenize(head.written), 0)  # "Hội đồng nhân dân", not "Các cơ quan báo chí"
                or not all(
                    t.low in _LEVELS or t.low in _PLACE_LIST or t.low in (CAC, VA) or not t.is_word
                    for t in tokenize(level.group(1))
                )
            ):
                continue
            written = f"{head.written} {level.group(1)}"
            agencies = self.lookup(written)
            mentions[n] = Mention(
                written,
                agencies,
                head.start,
                head.end,
                "composed" if agencies else "unknown",
                head.source or head.written,
            )

    def _parenthesis(self, tokens: list[Token], text: str, i: int) -> tuple[list[Mention], int]:
        """Names inside brackets right after a name, and the index after the closing bracket (``i`` if none)."""
        if i >= len(tokens) or tokens[i].text != "(":
            return [], i
        close = next((k for k in range(i + 1, min(len(tokens), i + 40)) if tokens[k].text in ("(", ")")), None)
        if close is None or tokens[close].text != ")":
            return [], i
        inner, end = self.read_list(tokens[:close], text, i + 1)
        real = [m for m in inner if not m.vague]
        return (real if end == close else []), close + 1

    def _enumeration(self, tokens: list[Token], text: str, group: Mention) -> list[Mention]:
        """ "Các sở: Xây dựng, Y tế" -> Sở Xây dựng, Sở Y tế; "Ủy ban nhân dân các xã: Gia Thuận, Tân Điền"."""
        end = group.end
        first = end + 1
        if (
            end < len(tokens)
            and tokens[end].capital
            and match_key(group.written)
            in (match_key(f"các {k}") for k in (*_SHARED_HEADS, *_LISTS.phrases("enterprises")))
            and self.lookup(
                f"{' '.join(group.written.split()[1:])} "
                + re.split(r"\s+và\s+", _span(text, tokens, end, self._extent(tokens, end)))[0]
            )
        ):
            first = end  # "Các bộ Công an, Quốc phòng" (no colon): read as "Các bộ: Công an, Quốc phòng"
        elif end + 1 >= len(tokens) or tokens[end].text != ":" or not tokens[end + 1].capital:
            return []
        enterprises = self._enterprises(tokens, text, group, first)
        if enterprises:
            return enterprises
        words = _span(text, tokens, group.start, end).split()
        keys = [match_key(w) for w in words]
        # "các" or a count ("Ủy ban nhân dân 04 xã: Gia Thuận, Tân Điền") before the kind
        k = next((n for n, key in enumerate(keys) if key == CAC or key.isdigit()), None)
        if k is None or len(words) > 8:
            return []
        kinds = [w.strip(",") for w in words[k + 1 :]]
        if k == 0 and len(kinds) > 1 and all(any((match_key(w),) == p for p in _KIND_WORDS) for w in kinds):
            words, keys = [words[0], kinds[0]], [keys[0], match_key(kinds[0])]  # "Các bộ, ngành: Công an, ..."
        elif not any(tuple(keys[k + 1 :]) == p for p in LIST_WORDS + _ENTERPRISES):
            return []  # "các sở:", "các Bộ:", "Ủy ban nhân dân các xã:" - the kind ends the group's name
        head = " ".join(words[:k] + words[k + 1 :])
        head = head[:1].upper() + head[1:]
        found: list[Mention] = []
        j = first
        while (
            j < len(tokens)
            and tokens[j].capital
            and tokens[j].is_word
            and not (found and _is_org_head(tokens, j))
            and (not _starts_with(tokens, j, _STOPS + _CAPITAL_VERBS) or self._known_with(head, tokens, text, j))
        ):
            stop = self._extent(tokens, j)
            name = f"{head} {_span(text, tokens, j, stop)}"
            agencies = self.lookup(name)
            for shorter in range(stop - 1, j, -1) if not agencies else ():  # "Tân Phú Đông thành lập mới ..."
                if tokens[shorter - 1].is_word and self.lookup(f"{head} {_span(text, tokens, j, shorter)}"):
                    stop, name = shorter, f"{head} {_span(text, tokens, j, shorter)}"
                    agencies = self.lookup(name)
                    break
            parts = [f"{head} {p}" for p in re.split(r"\s+và\s+", _span(text, tokens, j, stop))]
            if not agencies and len(parts) > 1 and all(self.lookup(p) for p in parts):
                found.extend(Mention(p, self.lookup(p), j, stop) for p in parts)  # "Nội vụ và Y tế": two sở
            elif not agencies and len(kinds) > 1 and self.lookup(_span(text, tokens, j, stop)):
                bare = _span(text, tokens, j, stop)  # a body of the other kind ("ngành"), named in full
                found.append(Mention(bare, self.lookup(bare), j, stop))
            else:
                found.append(Mention(name, agencies, j, stop, "exact" if agencies else "unknown"))
            j = stop
            if j < len(tokens) and tokens[j].text == ",":
                j += 1
            if j < len(tokens) and tokens[j].low == VA:
                j += 1
            if j >= len(tokens) or (tokens[j - 1].text not in (",",) and tokens[j - 1].low != VA):
                break
        return found

    def _fields_listed(self, tokens: list[Token], text: str, group: Mention) -> list[Mention]:
        """ "Các cơ quan Thanh tra, Điều tra, Tòa án", "các cơ quan y tế, điện lực": one group per field named after
        the noun of the bodies, the noun shared ("Các cơ quan Thanh tra", "Các cơ quan Điều tra", ...)."""
        tokens_of = tokenize(group.written)
        head = next((p for p in _FIELD_HEADS if tuple(t.low for t in tokens_of[: len(p)]) == p), None)
        if group.how != "unknown" or head is None or len(tokens_of) <= len(head) or _owner(group.written):
            return []
        capital = tokens_of[len(head)].capital
        noun = group.written[: tokens_of[len(head) - 1].end]
        found = [group]
        j = group.end
        while j + 1 < len(tokens) and (tokens[j].text == "," or (capital and tokens[j].low == VA)):
            stop = self._extent(tokens, j + 1) if capital else _lower_field(tokens, j + 1)
            if (
                stop == j + 1
                or stop - (j + 1) > (4 if capital else 3)
                or tokens[j + 1].capital != capital
                or (capital and _is_org_head(tokens, j + 1) and self.read_name(tokens, text, j + 1, None, False))
            ):
                break  # a body of its own ("..., Sở Tư pháp"), not a field
            written = f"{noun} {_span(text, tokens, j + 1, stop)}"
            found.append(Mention(written, (), j + 1, stop, "unknown", written))
            j = stop
        return found if len(found) > 1 else []

    def _enterprises(self, tokens: list[Token], text: str, group: Mention, first: int) -> list[Mention]:
        """ "các tập đoàn, tổng công ty: Điện lực Việt Nam, Viễn thông MobiFone": each name after the colon with
        the kind the registry knows it by ("Tập đoàn Điện lực Việt Nam", "Tổng công ty Viễn thông MobiFone")."""
        kinds: list[str] = []
        k = group.start + (1 if tokens[group.start].low == CAC else 0)
        while k < group.end:
            kind = next((p for p in _ENTERPRISES if tuple(t.low for t in tokens[k : k + len(p)]) == p), None)
            if kind is None:
                return []
            kinds.append(_span(text, tokens, k, k + len(kind)))
            k += len(kind)
            if k < group.end and (tokens[k].text == "," or tokens[k].low == VA):
                k += 1
        if len(kinds) < 2:
            return []
        found: list[Mention] = []
        j = first
        while j < len(tokens) and tokens[j].capital and tokens[j].is_word:
            stop = self._extent(tokens, j)
            name = ""
            for end in range(stop, j, -1):  # the longest known ("Viễn thông MobiFone khôi phục ...": before the verb)
                bare = _span(text, tokens, j, end)
                unhyphened = re.sub(r"\s+[-–]\s+", " ", bare)  # "Bưu chính - Viễn thông" is written without it too
                names = [
                    f"{kind[:1].upper()}{kind[1:]} {b}" for b in dict.fromkeys((bare, unhyphened)) for kind in kinds
                ]
                name = next((n for n in names if self.lookup(n)), "")
                if name:
                    stop = end
                    break
            bare = _span(text, tokens, j, stop)
            name = name or f"{kinds[0][:1].upper()}{kinds[0][1:]} {bare}"
            found.append(
                Mention(name, self.lookup(name), j, stop, "composed" if self.lookup(name) else "unknown", bare)
            )
            j = stop + 1 if stop < len(tokens) and tokens[stop].text == "," else stop
            if j == stop:
                break
        return found

    def _known_with(self, head: str, tokens: list[Token], text: str, j: int) -> bool:
        """ "Xây dựng" after "Các Bộ": a field that starts like a verb, known as a body with the list's head."""
        span = re.split(r"\s+và\s+", _span(text, tokens, j, self._extent(tokens, j)))[0]
        return bool(self.lookup(f"{head} {span}"))

    def read_name(
        self, tokens: list[Token], text: str, i: int, previous: Mention | None, plural: bool
    ) -> Mention | None:
        """One name at token ``i``, or None when no name starts there."""
        if i >= len(tokens) or not tokens[i].is_word:
            return None
        minister = self._ministers(tokens, text, i)
        if minister is not None:  # "Các Bộ trưởng, ...": the title, not "Các Bộ" and a stray word
            return minister
        sector = _sector_managers(tokens, text, i)
        if sector is not None:
            return sector
        if previous is not None and _PARTY_GROUP.match(match_key(previous.written)):
            shared = self._party_groups(tokens, text, i, previous)  # "đảng ủy các bộ, cơ quan ngang bộ"
            if shared is not None:
                return shared
        for start in self._starts(tokens, i):
            found = self._longest(tokens, text, start)
            if found:
                listed = self._listed(tokens, text, self._qualified(tokens, text, found))
                if listed.resolved is None and _starts_with(tokens, i, _FORCE) and start == i + len(_FORCE[0]):
                    continue  # "lực lượng Công an cấp xã, phường": a force only for a name the registry knows
                return listed
        end = self._extent(tokens, i)
        span = _span(text, tokens, i, end)
        found = self._composed(span, i, end, previous, plural) or self._loose(tokens, text, i)
        if found is None and previous is not None and tokens[i].low in _LEVELS:
            for stop in range(end - 1, i + 1, -1):  # "..., tỉnh Quảng Ninh trực tiếp hỗ trợ": the place, not the verb
                found = self._composed(_span(text, tokens, i, stop), i, stop, previous, plural)
                if found is not None:
                    break
        if found is not None:
            other = self._other_level(tokens, text, i, found.end)
            if other is not None:
                return other
            found.end = _after_list(tokens, found.end)  # "đoàn thể Thành phố": the place is part of the name
        found = (
            found
            or self._unknown(tokens, text, i, end)
            or self._kinds(tokens, text, i)
            or self._ministers(tokens, text, i)
            or _counted(tokens, text, i)
        )
        if found is None:
            return self._secretaries(tokens, text, i, plural) or self._party_groups(tokens, text, i, previous)
        return self._in_area(tokens, text, self._listed(tokens, text, found))

    def _in_area(self, tokens: list[Token], text: str, found: Mention) -> Mention:
        """An unknown group and the area it is named for ("các Cảng vụ đường thủy nội địa tại khu vực Quảng Ninh"):
        the area is part of its name."""
        end = found.end
        if found.how != "unknown" or not found.is_group or not _starts_with(tokens, end, _AREA):
            return found
        k = end + next(len(p) for p in _AREA if _starts_with(tokens, end, (p,)))
        stop = k
        while stop < len(tokens) and tokens[stop].is_word and tokens[stop].capital:
            stop += 1
        if stop == k:
            return found
        area = _span(text, tokens, end, stop)
        if match_key(found.written).endswith(match_key(area)):
            found.end = stop  # completed already from the full name the document gives elsewhere
            return found
        written = f"{found.written} {area}"
        return Mention(written, (), found.start, stop, "unknown", f"{found.source} {_span(text, tokens, end, stop)}")

    def _party_groups(self, tokens: list[Token], text: str, i: int, previous: Mention | None) -> Mention | None:
        """ "đảng ủy các bộ, cơ quan ngang bộ": the Party committees of each kind of body listed, one group per kind
        ("Đảng ủy các bộ", "Đảng ủy các cơ quan ngang bộ"); the second kind takes the head of the first."""
        head = next((p for p in _PARTY_ORGANS if _starts_with(tokens, i, (p,))), None)
        if head is not None and i + len(head) < len(tokens) and tokens[i + len(head)].low == CAC:
            start, at = i, i + len(head) + 1
            written_head = _span(text, tokens, i, i + len(head))
        elif previous is not None and _PARTY_GROUP.match(match_key(previous.written)):
            start, at = i, i
            written_head = previous.written.split(" các ")[0] if " các " in previous.written else ""
            if not written_head:
                return None
        else:
            return None
        kind = next((p for p in _BODY_KINDS if _starts_with(tokens, at, (p,))), None)
        if kind is None:
            return None
        end = at + len(kind)
        if (
            end < len(tokens)
            and tokens[end].is_word
            and tokens[end].low != VA
            and not _starts_with(tokens, end, _STOPS)
        ):
            return None  # "đảng ủy các bộ phận": another word
        written = f"{written_head[:1].upper()}{written_head[1:]} các {_span(text, tokens, at, end)}"
        return Mention(written, self.lookup(written), start, end, "exact" if self.lookup(written) else "unknown")

    def _secretaries(self, tokens: list[Token], text: str, i: int, plural: bool) -> Mention | None:
        """ "(Đồng chí) Bí thư, (đồng chí) Chủ tịch Ủy ban nhân dân các tỉnh, thành phố ...": the secretary's title
        alone shares the places of the next name, so it stands for the Party committees of those places
        ("Tỉnh ủy, Thành ủy các tỉnh, thành phố ..."); the next name is read after it, as the list goes on."""
        start = list(self._starts(tokens, i, force=False))[-1]
        if start == i:
            return None
        after = _skip_separator(tokens, start)
        if after == start:
            return None
        following = self.read_name(tokens, text, after, None, plural)
        if tuple(t.low for t in tokens[start - 2 : start]) != _SECRETARY:
            # "Chủ tịch Hội đồng thành viên, Tổng giám đốc các Tập đoàn, Tổng công ty": two titles of one body's head
            if following is None or not _starts_with(tokens, after, TITLES):
                return None
            return Mention(following.written, following.agencies, i, following.end, following.how, following.source)
        if following is None or not following.is_group:
            return None
        words = following.written.split()
        head = next((n for n in range(len(words)) if match_key(words[n]) == CAC), None)
        if head is None or match_key(" ".join(words[:head])) not in _PEOPLE_S_COMMITTEES:
            return None
        places = " ".join(words[head:])
        key = " " + " ".join(t.low for t in tokenize(places) if t.is_word) + " "
        committees = [c for w, c in _COMMITTEE_OF.items() if f" {w} " in key]
        if not committees:
            return None
        written = f"{', '.join(committees)} {places}"
        return Mention(written, self.lookup(written), i, start, "exact" if self.lookup(written) else "unknown")

    def _ministers(self, tokens: list[Token], text: str, i: int) -> Mention | None:
        """ "(các đồng chí) Bộ trưởng, Thủ trưởng cơ quan ngang bộ": the title alone, with no ministry after it,
        stands for the ministers of every ministry, so for the group of ministries."""
        for start in self._starts(tokens, i):
            start += 1 if start < len(tokens) and tokens[start].low == CAC else 0  # "Các Bộ trưởng"
            end = start + len(_MINISTER)
            if tuple(t.low for t in tokens[start:end]) == _MINISTER and not (
                end < len(tokens) and tokens[end].is_word and tokens[end].low != VA
            ):
                known = self.lookup("các bộ")  # the group of ministries, when the registry has it
                return Mention("các bộ", known, i, end, "exact" if known else "unknown", _span(text, tokens, i, end))
        return None

    def _kinds(self, tokens: list[Token], text: str, i: int) -> Mention | None:
        """A list of kinds of bodies without "các" ("sở, ban, ngành", "Sở, ban, ngành thành phố"): a group."""
        kind = next((p for p in _KIND_WORDS if tuple(t.low for t in tokens[i : i + len(p)]) == p), None)
        if kind is None:
            return None
        end = i + len(kind)
        if not (
            end + 1 < len(tokens)
            and tokens[end].text == ","
            and any(tuple(t.low for t in tokens[end + 1 : end + 1 + len(p)]) == p for p in _KIND_WORDS)
        ):
            return None
        listed = self._listed(tokens, text, Mention(_span(text, tokens, i, end), (), i, end, "unknown"))
        return listed if listed.end > end + 1 else None

    def _listed(self, tokens: list[Token], text: str, found: Mention) -> Mention:
        """A group named with a list of levels or kinds goes on over the commas: "Ủy ban nhân dân các xã,
        phường, đặc khu Cồn Cỏ", "các sở, ban, ngành, đoàn thể Thành phố", "Công an các phường, xã"."""
        if (
            found.vague
            or not found.end
            or not any(tuple(t.low for t in tokens[max(0, found.end - len(p)) : found.end]) == p for p in LIST_WORDS)
        ):
            return found
        end = found.end
        while end + 1 < len(tokens) and (tokens[end].text == "," or tokens[end].low == VA):
            k = end + 1
            if k < len(tokens) and tokens[k].low == VA:
                k += 1
            word = next((p for p in LIST_WORDS if tuple(t.low for t in tokens[k : k + len(p)]) == p), None)
            if word is None or tokens[k].capital or _starts_with(tokens, k, _STOPS):
                break
            end = k + len(word)
        if end == found.end:
            return found
        listed = end
        end = _after_list(tokens, end)
        start = list(self._starts(tokens, found.start))[-1]
        written = _span(text, tokens, start, end)
        agencies = self.lookup(written)
        if agencies:
            return Mention(written, agencies, found.start, end)
        related = _related_at(tokens, end)
        # "Sở, ban, ngành có liên quan", a list of kinds no part of which the registry knows: the related ones,
        # vague (except as a heading's addressee), before a looser key reads the list as the province's group
        if related and not found.agencies and not _contains(tokens, start, listed, _VAGUE_WORDS):
            return Mention(_span(text, tokens, start, end + related), (), found.start, end + related, "related")
        agency = self.lookup_loose(written)
        if agency is not None:
            return Mention(agency.name, (agency,), found.start, end, "loose", written)
        extra = tokens[found.end : end]
        if (
            found.agencies
            and end == listed
            and not all(
                t.low in _LEVELS or t.low in _PLACE_LIST or t.low == _UY or not t.is_word or t.low == VA for t in extra
            )
        ):
            return found  # the registry knows the parts ("các ban" ... "đoàn thể"): read them one by one,
            # unless a place closes the list ("các sở, ban, ngành, đoàn thể Thành phố": one group)
        if _contains(tokens, start, listed, _VAGUE_WORDS):  # not the place: "... trực thuộc Trung ương"
            return Mention(written, (), found.start, end, "vague")
        if related:  # "các sở, ngành, địa phương có liên quan": vague, except as a heading's addressee
            end += related
            return Mention(_span(text, tokens, start, end), (), found.start, end, "related")
        return self._unresolved(written, found.start, end)

    def _qualified(self, tokens: list[Token], text: str, found: Mention) -> Mention:
        """A known name and what follows it: a place of the same level is part of it ("Công an tỉnh Long
        An"); a lower level makes another body ("Viện kiểm sát nhân dân huyện X", kept as unknown); "liên
        quan" makes it vague ("các sở, ngành liên quan"); a higher level makes another body too ("Tòa án nhân dân
        tối cao", "các đoàn thể Trung ương")."""
        other = self._other_level(tokens, text, found.start, found.end)
        if other is not None:
            return other
        restricted = self._restricted(tokens, text, found)
        if restricted is not None:
            return restricted
        if _starts_with(tokens, found.end, _LOWER_LEVELS):
            end = _after_place(tokens, found.end, found.written)
            end = end if end > found.end else self._extent(tokens, found.end)
            written = _span(text, tokens, found.start, end)
            return Mention(
                written, self.lookup(written), found.start, end, "exact" if self.lookup(written) else "unknown"
            )
        found.end = _after_place(tokens, found.end, found.written)
        if found.resolved is not None and found.resolved.is_group:
            found.end += _own_place(tokens, found.end)  # "các sở, ban, ngành thuộc tỉnh": the province's own
        related = _related_at(tokens, found.end)
        if related:
            end = found.end + related
            return Mention(_span(text, tokens, found.start, end), (), found.start, end, "related")
        if _starts_with(tokens, found.end, _VAGUE_WORDS):
            end = self._extent(tokens, found.end)
            return Mention(_span(text, tokens, found.start, end), (), found.start, end, "vague")
        return found

    def _restricted(self, tokens: list[Token], text: str, found: Mention) -> Mention | None:
        """A group followed by "có ..." up to a punctuation mark ("Ủy ban nhân dân các tỉnh, thành phố có tàu thuyền
        hoạt động trên biển, ..."): only the members that have it, another group, kept as written."""
        end = found.end
        if not found.is_group or end >= len(tokens) or tokens[end].low != _CO:
            return None
        if _related_at(tokens, end) or _action_word(tokens, end) or _starts_with(tokens, end + 1, _NOT_RESTRICTING):
            return None  # "có liên quan", "có trách nhiệm", "có ý kiến": not what the members have
        stop = next((k for k in range(end + 1, min(len(tokens), end + 12)) if not tokens[k].is_word), None)
        if stop is None or stop < end + 3 or tokens[stop].text not in (",", ";", ":", "(", "."):
            return None
        if any(t.capital for t in tokens[end + 1 : stop]):
            return None
        written = _span(text, tokens, found.start, stop)
        return Mention(written, self.lookup(written), found.start, stop, "exact" if self.lookup(written) else "unknown")

    def _other_level(self, tokens: list[Token], text: str, start: int, end: int) -> Mention | None:
        """The name at ``start:end`` followed by a level above the province ("tối cao", "Trung ương"): another
        body, looked up as a whole, else kept as written (flagged), never the provincial one."""
        level = next((p for p in _OTHER_LEVELS if tuple(t.low for t in tokens[end : end + len(p)]) == p), None)
        if level is None:
            return None
        end += len(level)
        written = _span(text, tokens, start, end)
        agencies = self.lookup(written)
        if agencies:
            return Mention(written, agencies, start, end)
        if self.is_superior(written):
            return Mention(written, (), start, end, "above" if _CENTRAL_BODY.match(ascii_key(written)) else "vague")
        return self._unresolved(written, start, end)

    def _starts(self, tokens: list[Token], i: int, force: bool = True) -> Iterable[int]:
        """The name may start at ``i``, after a leadership title, or (``force``: for names the registry knows) after
        "lực lượng" before a capital ("lực lượng Công an cấp xã": the body's force is the body)."""
        yield i
        j = i
        if force and _starts_with(tokens, i, _FORCE) and i + 2 < len(tokens) and tokens[i + 2].capital:
            j = i + 2
            yield j
        for _ in range(2):  # "các đồng chí bí thư tỉnh uỷ": titles may follow one another
            words = tuple(t.low for t in tokens[j : j + 6])
            title = next((t for t in TITLES if words[: len(t)] == t and j + len(t) < len(tokens)), None)
            if title is None and words[:3] == _STANDING_BOARD and _starts_with(tokens, j + 3, _PARTY_COMMITTEES):
                title = _STANDING_BOARD  # "Ban Thường vụ Đảng ủy X" acts for its committee, "Đảng ủy X"
            if title is None:
                return
            j += len(title)
            yield j

    def _longest(self, tokens: list[Token], text: str, i: int) -> Mention | None:
        """The longest span from ``i`` that the registry knows."""
        for end in range(min(len(tokens), i + self.max_words), i, -1):
            if not (tokens[end - 1].is_word or tokens[end - 1].text == ")"):
                continue
            span = _span(text, tokens, i, end)
            found = self.lookup(span)
            if found:
                return Mention(span, found, i, end)
        return None

    def _composed(self, span: str, i: int, end: int, previous: Mention | None, plural: bool) -> Mention | None:
        """A level that borrows the previous name's head, or a bare group made plural by the list."""
        words = span.split()
        if not words:
            return None
        candidates = []
        if previous is not None and match_key(words[0]) in _LEVELS:
            head = _head_before(previous.written, words[0])
            if head:
                candidates.append(f"{head} {span}")
        if plural and not span[:1].isupper() and match_key(words[0]) != CAC:
            candidates.append(f"Các {span}")
        kind = _kind_of(previous.written) if previous is not None and span[:1].isupper() else None
        if kind:  # "Bộ Công an, Quốc phòng": the next name shares the head of the previous one
            candidates.append(f"{kind} {span}")
        for name in candidates:
            found = self.lookup(name)
            if found:
                return Mention(name, found, i, end, "composed", span)
        return None

    def _loose(self, tokens: list[Token], text: str, i: int) -> Mention | None:
        """The longest span that matches a registry name on the loose key (lists of levels included)."""
        if not (_starts_with(tokens, i, ORG_HEADS + GROUP_HEADS + TITLES)):
            return None
        for stop in range(self._list_extent(tokens, i), i + 1, -1):
            if not tokens[stop - 1].is_word:
                continue
            span = _span(text, tokens, i, stop)
            agency = self.lookup_loose(span)
            if agency is not None and not (tokens[i].low == CAC and not agency.is_group):  # "các X" is not one X
                return Mention(agency.name, (agency,), i, stop, "loose", span)
        return None

    def _unknown(self, tokens: list[Token], text: str, i: int, end: int) -> Mention | None:
        """A phrase shaped like a body's name (kept, flagged) or a vague mention (read, not an addressee)."""
        # "Giám đốc các đơn vị điện lực": the bodies after a leadership title
        described = self._described(tokens, text, i) or self._field_group(
            tokens, text, list(self._starts(tokens, i, force=False))[-1], end
        )
        if described is not None:
            return described
        if _starts_with(tokens, i, VAGUE_HEADS) and not _starts_with(tokens, i, _MINISTRY_LIKE):
            return Mention(_span(text, tokens, i, end), (), i, end, "vague")
        start = list(self._starts(tokens, i, force=False))[-1]
        if end <= start or not _is_org_head(tokens, start):
            return None
        if _starts_with(tokens, i, _STANDING) and _starts_with(tokens, i + len(_STANDING[0]), _COLLECTIVE):
            start = i  # "Thường trực Tỉnh ủy": the standing committee is the body addressed, not a person's title
        written = _span(text, tokens, start, end)
        if _contains(tokens, start, end, _VAGUE_WORDS):
            return Mention(written, (), i, end, "vague")
        if self.is_superior(written):  # the issuer never; a ministry or a central body may be a partner
            return Mention(written, (), i, end, "above" if _CENTRAL_BODY.match(ascii_key(written)) else "vague")
        return self._unresolved(written, i, end)

    def _field_group(self, tokens: list[Token], text: str, i: int, end: int) -> Mention | None:
        """ "các đơn vị điện lực", "các cơ quan y tế", "các doanh nghiệp nhà nước trực thuộc Ủy ban nhân dân tỉnh":
        bodies named by their field (and their owner), a group (kept as written; a list of fields is read by
        :meth:`_fields_listed`); not when no field follows the noun ("các cơ quan, đơn vị", "các đơn vị khác", "các
        cơ quan có thẩm quyền", "các cơ quan cấp tỉnh"), when the words are vague ("các đơn vị chức năng", "... có
        liên quan", "các cơ quan chuyên môn": every department), or when brackets after them list the bodies meant
        ("các cơ quan đăng ký đầu tư (Sở ...)"). A named owner makes any units definite, with no field or a
        generic one ("các đơn vị thuộc Bộ Quốc phòng", "các phòng, ban chuyên môn thuộc Ủy ban nhân dân cấp xã")."""
        titled = tokens[i].low != CAC and _after_title(
            tokens, i
        )  # "Người đứng đầu cơ quan chuyên môn thuộc ...": the head of each body
        if titled:
            head = next((p for p in _FIELD_HEADS if tuple(t.low for t in tokens[i : i + len(p) - 1]) == p[1:]), None)
        else:
            head = next((p for p in _FIELD_HEADS if tuple(t.low for t in tokens[i : i + len(p)]) == p), None)
        if head is None or (tokens[i].low != CAC and not titled):
            return None
        field = i + len(head) - titled
        if end < field and "," in head:  # "các phòng, ban chuyên môn ...": the head's comma does not end the name
            end = self._extent(tokens, field - 1)
        owned = next((k for k in range(field, end + 1) if _starts_with(tokens, k, _OWNED_BY)), None)
        owner = None
        if owned is not None:  # "... trực thuộc Ủy ban nhân dân Thành phố": the bodies' owner closes the name
            words = next(len(p) for p in _OWNED_BY if _starts_with(tokens, owned, (p,)))
            owner = self.read_name(tokens, text, owned + words, None, False)
            if owner is None or not tokens[owned + words].capital or (owned == field and owner.vague):
                return None  # units with no field of their own are definite only by a named owner
            end = owned - (tokens[owned - 1].text == ",")  # "các đơn vị sự nghiệp, thuộc Sở Y tế"
        generic = (CAC,) * titled + tuple(t.low for t in tokens[i:end]) in _GENERIC_FIELDS
        if titled and owner is None and generic:  # "Người đứng đầu cơ quan chuyên môn, ...": vague, as "các ..."
            return Mention("Các " + _span(text, tokens, i, end), (), i, end, "vague")
        if owner is None and (  # a named owner makes any units definite: "các đơn vị thuộc Bộ Quốc phòng"
            field >= end or _starts_with(tokens, field, _NO_FIELD) or generic
        ):
            return None
        if (
            _contains(tokens, field, end, _VAGUE_WORDS)
            or not all(t.is_word for t in tokens[field:end])
            or _bracket_follows(tokens, end)
        ):
            return None
        if owner is not None:
            end = owner.end
        written = ("Các " if titled else "") + _COMMA_OWNER.sub(r" \1", _span(text, tokens, i, end))
        # a capitalised head ("Các Trung tâm Y tế") is a name the text may give in full ("... Y tế khu vực")
        full = self._completed(written) if tokens[i + 1 - titled].capital else None
        return Mention((full or written)[:1].upper() + (full or written)[1:], (), i, end, "unknown", written)

    def _described(self, tokens: list[Token], text: str, i: int) -> Mention | None:
        """ "cơ quan có chức năng quản lý đất đai cấp xã", "các cơ quan chuyên môn cấp xã": a body described by
        its function and closed by a level is one definite body (a group below the province), not a vague
        mention; "cơ quan liên quan cấp xã" and "cơ quan cấp xã" (nothing between) stay vague."""
        head = next((p for p in _DESCRIBED_HEADS if tuple(t.low for t in tokens[i : i + len(p)]) == p), None)
        if head is None:
            return None
        for end in range(i + len(head) + 1, min(len(tokens), i + 16)):
            if (
                not tokens[end].is_word
                or (tokens[end].low == VA and not _starts_with(tokens, end - 1, _NAME_NOUNS))
                or _starts_with(tokens, end, _DESCRIBED_BREAKS)
            ):
                return None
            level = next((p for p in _DEFINITE_LEVELS if _starts_with(tokens, end, (p,))), None)
            if level is None:
                continue
            stop = end + len(level)
            if (
                stop < len(tokens)
                and tokens[stop].is_word
                and not tokens[stop].capital
                and tokens[stop].low != VA
                and not _starts_with(tokens, stop, _STOPS + _CAPITAL_VERBS)
                and not _action_word(tokens, stop)
            ):
                continue  # the level belongs to a longer phrase ("cấp xã quản lý ...")
            if _contains(tokens, i, end, _VAGUE_DESCRIBED):
                return None
            written = _span(text, tokens, i, stop)
            return Mention(written[:1].upper() + written[1:], (), i, stop, "unknown", written)
        return None

    def _unresolved(self, written: str, start: int, end: int) -> Mention:
        """A name the registry does not know as written: with its abbreviations expanded ("Sở KH&CN" -> "Sở
        Khoa học và Công nghệ", "UBND" -> "Ủy ban nhân dân") it may be known; else it is kept, expanded."""
        expanded = self._long_form(expand_abbreviations(written))
        words = expanded.split()
        if len(words) > 2 and match_key(words[0]) == CAC:  # "Các Đảng ủy Bộ Tài chính, Bộ Nội vụ": each is one body
            single = [a for a in self.lookup(" ".join(words[1:])) if not a.is_group]
            if len(single) == 1:
                return Mention(" ".join(words[1:]), tuple(single), start, end, "composed", written)
        if expanded != written:
            agencies = self.lookup(expanded)
            if agencies:
                return Mention(expanded, agencies, start, end, "composed", written)
            agency = self.lookup_loose(expanded)
            if agency is not None:
                return Mention(agency.name, (agency,), start, end, "loose", written)
        mention = Mention(expanded, (), start, end, "unknown", written if expanded != written else "")
        placed = self._placed(expanded)
        if placed is not None and not mention.is_group:
            return Mention(placed, (), start, end, "unknown", written)
        if mention.is_group:
            full = self._completed(expanded)
            if full is not None:
                full = full[:1].upper() + full[1:] if expanded[:1].isupper() else full
                return Mention(full, (), start, end, "unknown", written)
        return mention

    def _placed(self, written: str) -> str | None:
        """A body written without its place ("Thường trực Tỉnh ủy") where the document also writes it with the
        name of one province after it ("Thường trực Tỉnh ủy Thanh Hóa"): that full name, when there is one."""
        if not self.source_text or not self.registry.provinces:
            return None
        places = "|".join(re.escape(match_key(n)) for n in self.registry.provinces.values())
        if self._source_key is None:
            self._source_key = "\n".join(match_key(line) for line in self.source_text.split("\n"))
        key = match_key(written)
        found = {m.group(1) for m in re.finditer(rf"(?<!\w){re.escape(key)} ({places})(?!\w)", self._source_key)}
        if len(found) != 1:
            return None
        place = next(n for n in self.registry.provinces.values() if match_key(n) == next(iter(found)))
        return f"{written} {place}"

    def _list_extent(self, tokens: list[Token], i: int) -> int:
        """Like :meth:`_extent`, going on over ", thị xã", "và thành phố" (lower-case parts of a group's name)."""
        end = self._extent(tokens, i)
        while (
            end + 1 < len(tokens)
            and tokens[end].low in (",", VA)
            and tokens[end + 1].is_word
            and not tokens[end + 1].capital
            and not _starts_with(tokens, end + 1, _STOPS + VAGUE_HEADS)
        ):
            end = self._extent(tokens, end + 1)
        return end

    def _extent(self, tokens: list[Token], i: int) -> int:
        """Where a name not in the registry ends: at punctuation, a verb or a preposition."""
        end, commas = i + 1, 0
        while end < len(tokens) and end - i - commas < 12:
            token = tokens[end]
            if token.text == "," and _owner_follows(tokens, end + 1):
                end, commas = end + 1, 1  # "cơ quan hành chính khác, thuộc Ủy ban nhân dân tỉnh": the owner set off
                continue
            if token.text in _CLOSERS or (token.low == VA and _next_is_new_name(tokens, end + 1)):
                break
            if len(token.text) == 1 and token.text.islower() and end + 1 < len(tokens) and tokens[end + 1].text == ")":
                break  # "Thủ trưởng cơ quan ngang bộ a) Khẩn trương ...": a sub-item's letter, run in by a web copy
            if (
                not token.capital
                and _starts_with(tokens, end, _STOPS)
                and not _starts_with(tokens, end, _NAME_NOUNS)
                and not _starts_with(tokens, end - 1, _NAME_NOUNS)
            ):
                break
            if token.capital and end > i + 1 and _starts_with(tokens, end, _CAPITAL_VERBS):
                break  # "Giao Sở X Khẩn trương ...": the verb of a heading written with a capital
            end += 1
        return end


_NAME_ABBREVIATIONS = _LISTS.mapping("name_abbreviations")
_ABBREVIATION_TOKEN = re.compile(
    r"(?<![\w&])(" + "|".join(re.escape(k) for k in sorted(_NAME_ABBREVIATIONS, key=len, reverse=True)) + r")(?![\w&])"
)


_SHARED_HEADS = _LISTS.phrases("shared_heads")
_ENTERPRISES = _listed("enterprises")
_COUNT_KIND = re.compile(r"^(?:\d{1,3}\s+)(bộ|sở|Bộ|Sở)$")


_HOAC = match_key("hoặc")
_FORCE = _words("lực lượng")
_COMMA_OWNER = re.compile(r",\s+((?:trực\s+)?thuộc\s)", re.IGNORECASE)


def _owner_follows(tokens: list[Token], i: int) -> bool:
    """Whether "thuộc"/"trực thuộc" and a capitalised name start at token ``i``."""
    words = next((len(p) for p in _OWNED_BY if _starts_with(tokens, i, (p,))), 0)
    return words > 0 and i + words < len(tokens) and tokens[i + words].capital


def _after_title(tokens: list[Token], i: int) -> bool:
    """Whether a leadership title ("Người đứng đầu", "Thủ trưởng") ends right before token ``i``."""
    return any(i >= len(t) and tuple(k.low for k in tokens[i - len(t) : i]) == t for t in TITLES)


def _kind_of(written: str) -> str | None:
    """ "Bộ" of "Bộ Công an", "Sở" of "Sở Y tế": the head a following bare name may share."""
    first = written.split()[0] if written.split() else ""
    return first if match_key(first) in (match_key(h) for h in _SHARED_HEADS) and len(written.split()) > 1 else None


def _counted(tokens: list[Token], text: str, i: int) -> Mention | None:
    """ "03 bộ: Công an, Quốc phòng, Y tế", "các Tập đoàn: Viễn thông Quân đội, ...": a counted kind, or a kind
    of enterprise after "các", before a colon: a group whose list follows (read by :meth:`NameReader._enumeration`)."""
    if i + 2 >= len(tokens) or not (tokens[i].text.isdigit() or tokens[i].low == CAC):
        return None
    kind = next((p for p in _ENTERPRISES if tuple(t.low for t in tokens[i + 1 : i + 1 + len(p)]) == p), None)
    if tokens[i].low == CAC and kind is not None and tokens[i + 1 + len(kind)].text == ":":
        return Mention(_span(text, tokens, i, i + 1 + len(kind)), (), i, i + 1 + len(kind), "vague")
    if tokens[i].low == CAC and kind is not None and tokens[i + 1 + len(kind)].capital:  # "các Tập đoàn VNPT, ..."
        return Mention(_span(text, tokens, i, i + 1 + len(kind)), (), i, i + 1 + len(kind), "vague")
    if tokens[i + 2].text != ":":
        return None
    written = _span(text, tokens, i, i + 2)
    return Mention(written, (), i, i + 2, "vague") if _COUNT_KIND.match(written) else None


_LEVEL_TAIL = re.compile(r"\s((?:các|cấp)\s.*)$")
_LIEN_QUAN = _words("liên quan")
_OWNER = re.compile(r"\s((?:trực\s+)?thuộc\s+(\w).*)$")


def _owner(written: str) -> re.Match[str] | None:
    """ "... trực thuộc Ủy ban nhân dân Thành phố" closing a name: the owner of the bodies named (a capital after)."""
    match = _OWNER.search(written)
    return match if match is not None and match.group(2).isupper() else None


_BODY_NOUNS = _listed("body_nouns")
_VAGUE_KINDS = _listed("vague_kinds")


def _share_owner(mentions: list[Mention], tokens: list[Token]) -> None:
    """ "các cơ quan chuyên môn, cơ quan hành chính khác thuộc Ủy ban nhân dân Thành phố": kinds of bodies listed
    with commas before the one that names their owner are that owner's too; each kind with its owner is a group of
    its own ("Các cơ quan chuyên môn thuộc Ủy ban nhân dân Thành phố"), vague as a kind may be alone."""

    def kind(mention: Mention) -> bool:
        words = tokenize(mention.written)
        start = 1 if words and words[0].low == CAC else 0
        owned = _owner(mention.written)
        field = len(tokenize(mention.written[: owned.start()])) if owned else len(words)
        return (
            mention.resolved is None
            and mention.how in ("vague", "unknown")
            and _starts_with(words, start, _BODY_NOUNS)
            and field > start + 2  # a field after the noun: "cơ quan hành chính", not "các cơ quan"
            and not _contains(words, 0, len(words), _VAGUE_KINDS)
        )

    for n, last in enumerate(mentions):
        match = _owner(last.written)
        if match is None or not kind(last):
            continue
        run = [n]
        while (
            run[0] > 0
            and kind(mentions[run[0] - 1])
            and _owner(mentions[run[0] - 1].written) is None
            and mentions[run[0] - 1].end < len(tokens)
            and tokens[mentions[run[0] - 1].end].text == ","
            and mentions[run[0] - 1].end + 1 == mentions[run[0]].start
        ):
            run.insert(0, run[0] - 1)
        if len(run) < 2:
            continue
        for k in run:
            mention = mentions[k]
            base = (mention.written[: match.start()] if k == n else mention.written).rstrip(" ,")
            base = base if tokenize(base)[0].low == CAC else f"các {base[:1].lower()}{base[1:]}"
            written = f"{base[:1].upper()}{base[1:]} {match.group(1)}"
            mentions[k] = Mention(written, (), mention.start, mention.end, "unknown", mention.source or mention.written)


_SECTOR_HEADS = _listed("sector_heads")
_SO = _words("sở")[0]
_MANAGES = _words("quản lý")
_SECTORS = _listed("sectors")
_PROVINCE_LEVELS = _listed("sector_levels")


def _sector_managers(tokens: list[Token], text: str, i: int) -> Mention | None:
    """ "Sở quản lý ngành, lĩnh vực", "các cơ quan chuyên môn quản lý ngành, lĩnh vực cấp tỉnh": a role, not one
    body: the department (or agency) that manages each sector concerned, so a group ("Các Sở quản lý ngành, lĩnh
    vực"), kept as written (no registry lists it)."""
    j = i + 1 if i < len(tokens) and tokens[i].low == CAC else i
    head = next((p for p in _SECTOR_HEADS if _starts_with(tokens, j, (p,))), None)
    if head is None or not _starts_with(tokens, j + len(head), _MANAGES):
        return None
    k = j + len(head) + len(_MANAGES[0])
    sector = next((p for p in _SECTORS if _starts_with(tokens, k, (p,))), None)
    if sector is None:
        return None
    k += len(sector)
    k += next((len(p) for p in _PROVINCE_LEVELS if _starts_with(tokens, k, (p,))), 0)
    written = _span(text, tokens, i, k)
    if j == i and head != _SO:
        written = written[:1].lower() + written[1:]  # a common noun: "Các cơ quan ...", but "Các Sở ..."
    written = written[:1].upper() + written[1:] if j > i else f"Các {written}"
    return Mention(written, (), i, k, "unknown", _span(text, tokens, i, k))


def _relate_kinds(mentions: list[Mention], tokens: list[Token], text: str, i: int, related: int) -> None:
    """ "các sở, ngành, địa phương có liên quan": the closing "(có) liên quan" qualifies the kinds of bodies listed
    before it too, so "các sở, ngành" there are the related ones, vague as a partner (the list's last member, read
    at ``mentions[-1]``, ends at token ``i``; ``related`` words of "có liên quan" follow it, or it holds them).
    Only bare kinds are qualified ("các sở, ban, ngành"), not a body or a group with its level or place."""
    words = _span(text, tokens, i, i + related) if related else ""
    if not words:
        written = mentions[-1].written
        words = next((m.group(1) for m in re.finditer(r"\s((?:có\s+)?liên quan)\b", written)), "")
    if not words:
        return
    first = len(mentions) - 1  # where the list the qualifier closes starts: at its "các"
    while first > 0 and tokenize(mentions[first].written)[0].low != CAC:
        first -= 1
    if tokenize(mentions[first].written)[0].low != CAC:
        return
    if len(mentions) - first > 1 and all(
        m.how == "vague" and _starts_with(tokenize(m.written), 0, VAGUE_HEADS) for m in mentions[first:]
    ):
        # "Các cơ quan, đơn vị liên quan": one related group (an item's subject at most), read as written
        last = mentions[-1]
        end = next((k + 2 for k in range(last.start, last.end) if _starts_with(tokens, k, _LIEN_QUAN)), last.end)
        end += related
        mentions[first:] = [
            Mention(_span(text, tokens, mentions[first].start, end), (), mentions[first].start, end, "related")
        ]
        return
    for n in range(len(mentions) - 2, first - 1, -1):
        mention = mentions[n]
        if mention.how in ("vague", "related"):
            continue
        kinds = [t.low for t in tokenize(mention.written) if t.is_word and t.low != CAC]
        separator = tokens[mention.end].low if mention.end < len(tokens) else ""
        if not kinds or not all((w,) in _KIND_WORDS for w in kinds) or separator not in (",", VA):
            return
        if separator == VA and len(mentions) - n > 2:
            return  # "các sở, ban, ngành và cơ quan, đơn vị có liên quan": a list of its own after "và"

        mentions[n] = Mention(
            f"{mention.written} {words}", (), mention.start, mention.end, "related", mention.source or mention.written
        )


_QUALIFIERS = _listed("qualifiers")


def _past_qualifier(tokens: list[Token], i: int) -> int:
    """ "các Hội được Đảng, Nhà nước giao nhiệm vụ trên địa bàn Thành phố; Ủy ban nhân dân ...": a list whose
    members are separated by ";" goes on after a member's qualifier (a passive clause, a place) up to the ";"."""
    if not _starts_with(tokens, i, _QUALIFIERS):
        return i
    for k in range(i + 1, min(len(tokens), i + 24)):
        if tokens[k].text == ";":
            return k
        if tokens[k].text in (".", ":", "!", "?", "(", ")"):
            return i
    return i


def _lower_field(tokens: list[Token], i: int) -> int:
    """The end of a field in lower case at ``i`` ("điện lực" in "các cơ quan y tế, điện lực, ..."): a few words up
    to a stop word, a punctuation mark or a capital; ``i`` when the words there are not a field."""
    stop = i
    while (
        stop < len(tokens)
        and stop - i < 4
        and tokens[stop].is_word
        and not tokens[stop].capital
        and not (stop > i and _starts_with(tokens, stop, _STOPS))
    ):
        stop += 1
    if _starts_with(tokens, i, _NO_FIELD + _STOPS + GROUP_HEADS + LIST_WORDS) or (
        stop < len(tokens) and tokens[stop].is_word and not _starts_with(tokens, stop, _STOPS)
    ):
        return i
    return stop


def _bracket_follows(tokens: list[Token], i: int) -> bool:
    """A bracket opens at ``i`` or after a few more words of the phrase ("các cơ quan đăng ký đầu tư (Sở ...)")."""
    k = i
    while k < min(len(tokens), i + 6) and tokens[k].is_word:
        k += 1
    return k < len(tokens) and tokens[k].text == "("


def expand_abbreviations(name: str) -> str:
    """ "Sở KH&CN" -> "Sở Khoa học và Công nghệ"; "UBND các xã" -> "Ủy ban nhân dân các xã"."""
    return _ABBREVIATION_TOKEN.sub(lambda m: _NAME_ABBREVIATIONS[m.group(1)], name)


def _ends_at(tokens: list[Token], k: int, phrase: tuple[str, ...]) -> bool:
    """The words just before token ``k`` are ``phrase``."""
    return k >= len(phrase) and tuple(t.low for t in tokens[k - len(phrase) : k]) == phrase


def _words_at(tokens: list[Token], i: int, words: tuple[str, ...]) -> int | None:
    """The index after ``words`` read from token ``i`` on, commas between them allowed ("các bộ, cơ quan, địa
    phương" for a term written with its commas); None when they are not there."""
    k = i
    for n, word in enumerate(words):
        if n and k < len(tokens) and tokens[k].text == ",":
            k += 1
        if k >= len(tokens) or tokens[k].low != word:
            return None
        k += 1
    return k


def _qualifier(tokens: list[Token], end: int) -> bool:
    """The tokens from ``end`` on are a short qualifier of the last name, in lower case and without a stop
    ("bị ảnh hưởng bởi thiên tai", "có tàu thuyền hoạt động trên biển")."""
    rest = tokens[end:]
    return 0 < len(rest) <= 10 and all(t.is_word and not t.capital for t in rest)


def _as_member(mention: Mention) -> Mention | None:
    """A vague phrase listed among the bodies a term stands for, made definite by its words ("các cơ quan khác ở
    trung ương"): a group of its own, kept as written; None for bare or related words ("các đơn vị liên quan")."""
    words = match_key(mention.written).split()
    if mention.how != "vague" or len(words) < 4 or words[0] != CAC or _LIEN_QUAN_WORD in words:
        return None
    written = mention.written[:1].upper() + mention.written[1:]
    return Mention(written, (), mention.start, mention.end, "unknown", mention.written)


def _term_before(tokens: list[Token]) -> tuple[str, ...]:
    """The words of the phrase that ends the token list: back to a punctuation mark or the start, past a
    verb of assignment that opens it ("Giao cơ quan thẩm định" -> "cơ quan thẩm định")."""
    start = len(tokens)
    while start > 0 and tokens[start - 1].is_word and len(tokens) - start < 12:
        start -= 1
    if start > 0 and tokens[start - 1].is_word:
        return ()  # longer than a term
    words = tuple(t.low for t in tokens[start:])
    for verb in _ASSIGNING:
        if words[: len(verb)] == verb:
            return words[len(verb) :]
    return words


def _related_at(tokens: list[Token], i: int) -> int:
    """The length of "có liên quan" / "liên quan" at ``i`` (0 if none)."""
    for phrase in _RELATED:
        if tuple(t.low for t in tokens[i : i + len(phrase)]) == phrase:
            return len(phrase)
    return 0


def level_group(mention: Mention) -> bool:
    """An unknown name closed by a level below the province ("Ban Chỉ huy cấp xã"): that body in every unit."""
    return mention.resolved is None and mention.how == "unknown" and _ends_with(mention.written, _GROUP_LEVELS)


def _lists_on(name: str, words: int) -> bool:
    """After its first ``words`` words, ``name`` goes on with another member of a list (", địa phương", "và Y")."""
    tokens = tokenize(name)
    seen = 0
    for k, token in enumerate(tokens):
        if token.is_word:
            seen += 1
            if seen == words:
                after = tokens[k + 1] if k + 1 < len(tokens) else None
                return after is not None and (after.text in (",", ";") or after.low == VA)
    return False


def _ends_with(written: str, phrases: tuple[tuple[str, ...], ...]) -> bool:
    words = tuple(t.low for t in tokenize(written) if t.is_word)
    return any(len(words) > len(p) and words[-len(p) :] == p for p in phrases)


def _action_word(tokens: list[Token], i: int) -> bool:
    """A verb of duty right after a name ("phải", "có trách nhiệm", "cần")."""
    return _starts_with(tokens, i, _DUTY_WORDS)


def _span_words(tokens: list[Token], i: int, end: int) -> str:
    return " ".join(t.text for t in tokens[i:end])


def _after_list(tokens: list[Token], end: int) -> int:
    """After a listed group: its place ("Thành phố", "tỉnh", "Cồn Cỏ", "trực thuộc Trung ương") is part of its name."""
    j = end
    for place in _CENTRAL_PLACES:
        if _starts_with(tokens, j, (place,)):
            return j + len(place)
    if j < len(tokens) and tokens[j].low in (TINH, match_key("thành")) and not _starts_with(tokens, j, _STOPS):
        j += 2 if tokens[j].low == match_key("thành") else 1
    k = j
    while (
        k < len(tokens)
        and tokens[k].capital
        and tokens[k].is_word
        and not _is_org_head(tokens, k)
        and not _starts_with(tokens, k, _STOPS + _CAPITAL_VERBS)
    ):
        k += 1
    return k


_OWN_PLACES = _listed("own_places")


def _own_place(tokens: list[Token], end: int) -> int:
    """The words of "thuộc tỉnh" / "của tỉnh" at ``end`` when they close the name (0 otherwise)."""
    place = next((p for p in _OWN_PLACES if _starts_with(tokens, end, (p,))), None)
    if place is None:
        return 0
    after = end + len(place)
    return len(place) if after >= len(tokens) or not tokens[after].is_word or _starts_with(tokens, after, _STOPS) else 0


def _after_place(tokens: list[Token], end: int, written: str) -> int:
    """Skip a place name after a body's name ("Sở Tư pháp tỉnh Bến Tre", "Công an tỉnh Tiền Giang")."""
    j = end
    if j < len(tokens) and tokens[j].low in _LEVELS and not tokens[j].capital:
        j += 2 if j + 1 < len(tokens) and tokens[j + 1].low in _LEVELS else 1
    elif not (written.split() and match_key(written.split()[-1]) in _LEVELS):
        return end
    k = j
    while k < len(tokens) and tokens[k].capital and tokens[k].is_word and not _is_org_head(tokens, k):
        k += 1
    return k if k > j else end


def _span(text: str, tokens: list[Token], i: int, end: int) -> str:
    return text[tokens[i].start : tokens[end - 1].end]


@functools.lru_cache(maxsize=256)
def _first_words(phrases: tuple[tuple[str, ...], ...]) -> frozenset[str] | None:
    """The words the phrases start with (None when one is empty: it matches anywhere)."""
    return None if any(not p for p in phrases) else frozenset(p[0] for p in phrases)


_ISSUER_ABBREVIATIONS = tuple(
    (re.compile(rf"\b{re.escape(ascii_key(short))}\b"), ascii_key(_NAME_ABBREVIATIONS[short]))
    for short in _LISTS.phrases("issuer_abbreviations")
)


def _unabbreviated(key: str) -> str:
    """An ascii key with "UBND", "HĐND" written out, so "UBND thành phố Hà Nội" is the issuer "Ủy ban nhân dân
    thành phố Hà Nội" of the header."""
    for pattern, words in _ISSUER_ABBREVIATIONS:
        key = pattern.sub(words, key)
    return key


def _starts_with(tokens: list[Token], i: int, phrases: tuple[tuple[str, ...], ...]) -> bool:
    firsts = _first_words(phrases)
    if firsts is not None and (i >= len(tokens) or tokens[i].low not in firsts):
        return False  # the common case, without comparing every phrase (the drafter asks at every word)
    words = tuple(t.low for t in tokens[i : i + 5])
    return any(words[: len(p)] == p for p in phrases)


def _contains(tokens: list[Token], i: int, end: int, phrases: tuple[tuple[str, ...], ...]) -> bool:
    words = tuple(t.low for t in tokens[i:end])
    return any(words[k : k + len(p)] == p for k in range(len(words)) for p in phrases)


def _is_org_head(tokens: list[Token], i: int) -> bool:
    """A body's name starts here: a capitalised head (Sở, Ban, Công an...) or a group head ("các sở")."""
    if i >= len(tokens):
        return False
    if _starts_with(tokens, i, GROUP_HEADS):
        return True
    if tokens[i].low == CAC and i + 1 < len(tokens) and tokens[i + 1].capital:
        if _is_org_head(tokens, i + 1):  # "các Thuế cơ sở", "các Chi nhánh Văn phòng đăng ký đất đai"
            return True
        # "các Cảng vụ đường thủy nội địa": a head written with its capital, its field in lower case after it
        head = next((p for p in ORG_HEADS if _starts_with(tokens, i + 1, (p,))), None)
        after = i + 1 + len(head) if head else len(tokens)
        return after < len(tokens) and tokens[after].is_word and not _starts_with(tokens, after, _STOPS)
    if not tokens[i].capital:
        return False
    words = tuple(t.low for t in tokens[i : i + 5])
    head = next((p for p in ORG_HEADS if words[: len(p)] == p), None)
    return head is not None and _names_after(tokens, i + len(head))


def _names_after(tokens: list[Token], i: int) -> bool:
    """What follows a head makes it a name ("Sở Du lịch", "Công an huyện"), not a verb ("Ban hành", "Báo cáo")."""
    if i + 1 < len(tokens) and tokens[i].text in ("-", "–") and tokens[i + 1].capital:
        return True  # "Báo và Phát thanh - Truyền hình"
    if i >= len(tokens) or not tokens[i].is_word:
        return False
    return (
        tokens[i].capital
        or tokens[i].low in _LEVELS
        or tokens[i].low in _NAME_WORDS
        or _starts_with(tokens, i, _NAME_NOUNS)
    )


def _next_is_new_name(tokens: list[Token], i: int) -> bool:
    """After "và": a new name (or a vague mention) starts, rather than the name going on ("Khoa học và Công nghệ")."""
    if i >= len(tokens):
        return True
    return (
        not tokens[i].capital
        or _is_org_head(tokens, i)
        or _starts_with(tokens, i, VAGUE_HEADS)
        or _starts_with(tokens, i, _REQUESTING)
    )


def _skip_separator(tokens: list[Token], i: int) -> int:
    """The index after a list separator at ``i`` (",", ";", "và", "hoặc", ", và", "và đề nghị"), or ``i``."""
    j = i
    if j < len(tokens) and tokens[j].text in (",", ";"):
        j += 1
    if j < len(tokens) and tokens[j].low in (VA, _HOAC):  # "Công an xã hoặc Ủy ban nhân dân xã": either may act
        j += 1
    if j > i and _starts_with(tokens, j, _REQUESTING):
        j += 2
    return j


def _head_before(written: str, level: str) -> str:
    """The head of a name before its level word ("Ủy ban nhân dân cấp huyện", "cấp") -> "Ủy ban nhân dân"."""
    words = written.split()
    keys = [match_key(w) for w in words]
    target = match_key(level)
    if target not in keys[1:]:
        # "Ủy ban nhân dân thành phố Hải Phòng và tỉnh Quảng Ninh": the head before the previous name's own level
        places = [k for k, key in enumerate(keys) if k and key in _LEVELS and words[k][:1].islower()]
        return " ".join(words[: places[-1]]) if places and target in _PLACE_LEVELS else ""
    cut = len(keys) - 1 - keys[::-1].index(target)
    return " ".join(words[:cut])
