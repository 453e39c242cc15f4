"""Names a draft dropped: bodies a task's text gives the task to that no assignment of the task holds.

The drafter reads names through the registry and its word lists; a body it does not know under a head it
does not list ("Đội Quản lý thị trường số 5 chủ trì, ...") can be left out of the task's assignments with no
trace. This second, simpler reading of each task's text finds such names so the review (the web page's draft
and editor) can flag them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..core.model import Directive, Registry, Role
from ..core.pivot import Row, location
from ..core.text import ascii_key, match_key
from .names import ORG_HEADS, tokenize


@dataclass(frozen=True)
class Dropped:
    """A name of a body in a task's text that no assignment of the task holds and the registry does not know."""

    name: str
    task: str  # where the task stands ("mục 3"), as the document prints it


def _phrases(*phrases: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(match_key(w) for w in phrase.split()) for phrase in phrases)


# What a body named in a task is told to do: a name followed by one of these is given the task.
_ROLE_VERBS = _phrases(
    "chủ trì",
    "phối hợp",
    "thực hiện",
    "chỉ đạo",
    "tổ chức",
    "chịu trách nhiệm",
    "có trách nhiệm",
    "tham mưu",
    "triển khai",
    "theo dõi",
    "tăng cường",
    "kiểm tra",
    "xây dựng",
    "rà soát",
    "hướng dẫn",
)
# The words before a name that give it the task ("giao ...", "phối hợp với ...").
_ASSIGNING = _phrases("giao", "giao cho", "yêu cầu", "đề nghị", "phối hợp với", "chủ trì phối hợp với")
# Small words that end a name without giving it anything.
_NAME_ENDS = _ROLE_VERBS + _phrases(
    "và", "với", "cho", "tại", "trên", "để", "về", "của", "trong", "theo", "được", "đã", "sẽ", "cần", "phải", "là",
    "có", "do", "nhằm", "trước", "sau", "từ", "đến", "kết quả", "tuyên truyền", "bảo đảm", "đảm bảo", "xử lý", "tiếp tục", "khẩn trương", "thường xuyên",
)  # fmt: skip
# Heads of bodies the drafter's list may lack (a team, a station, a post).
_MORE_HEADS = _phrases("đội", "hải đội", "chi đội", "tổ công tác", "trạm", "đồn")
_MAX_NAME_WORDS = 14


def dropped_names(directive: Directive, registry: Registry) -> list[Dropped]:
    """Names of bodies a task's text gives the task to ("Đội Quản lý thị trường số 5 chủ trì, ...", "giao Đội ...")
    that none of the task's assignments holds and the registry does not know: the drafter dropped them, the page
    flags them. A name starts at a body's head (the drafter's :data:`ORG_HEADS`, a team, a station) written with a
    capital and ends before a punctuation mark or a small word; it is given the task when a role verb or a colon
    follows it, or "giao", "đề nghị", "phối hợp với" comes before it."""
    heads: dict[str, list[tuple[str, ...]]] = {}  # by first word, the longest first
    for h in sorted({*ORG_HEADS, *_MORE_HEADS}, key=len, reverse=True):
        heads.setdefault(h[0], []).append(h)
    out: list[Dropped] = []
    issuer = [match_key(n) for n in (directive.issuer.name, " ".join(directive.issuer.header)) if n]
    seen: set[str] = set(issuer)  # the issuer is told nothing in its own text ("tham mưu Ủy ban nhân dân tỉnh")
    for node in directive.tree:
        text = node.task.text
        written = [match_key(a.written) for a in node.task.assignments]
        tokens = tokenize(text)
        lows = [t.low for t in tokens]
        i = 0
        while i < len(tokens):
            token = tokens[i]
            head = next((h for h in heads.get(lows[i], ()) if tuple(lows[i : i + len(h)]) == h), None)
            named = head is not None and i + len(head) < len(tokens) and _names_on(tokens[i + len(head)])
            if not (token.is_word and token.capital and named) or (
                i and tokens[i - 1].is_word and tokens[i - 1].capital
            ):
                i += 1  # a name goes on with a capital or a number after its head ("Bộ luật Hình sự" is no body)
                continue
            assert head is not None
            end = i + len(head)
            while end < len(tokens) and end - i < _MAX_NAME_WORDS and tokens[end].is_word:
                if not tokens[end].capital and any(tuple(lows[end : end + len(w)]) == w for w in _NAME_ENDS):
                    break
                end += 1
            name, key = text[token.start : tokens[end - 1].end], match_key(text[token.start : tokens[end - 1].end])
            role = _role_given(lows, i, end, tokens[end].text if end < len(tokens) else "")
            capitals = sum(1 for t in tokens[i:end] if t.capital or t.text[:1].isdigit())
            first, i = i, end
            superior = _SUPERIOR.match(ascii_key(name))  # the province's council or committee: above the text
            if role is None or capitals < 2 or key in seen or superior or any(key in n for n in issuer):
                continue  # "Ban hành", "Phòng, chống": words, not names
            if any(a.role == role for a in node.task.assignments) if role else node.task.assignments:
                continue  # the role is someone's (the name renamed or resolved by the clerk)
            if any(key in w or w in key for w in written) or _known_prefix(registry, tokens, text, first, end):
                continue
            seen.add(key)
            out.append(Dropped(name, location(Row(directive, node))))
    return out


_SUPERIOR = re.compile(r"^(?:uy ban nhan dan|hoi dong nhan dan|ubnd|hdnd) (?:tinh|thanh pho)$")


def _names_on(token: Any) -> bool:
    return bool(token.is_word and (token.capital or token.text[:1].isdigit()))


_LEAD, _PARTNER = _phrases("chủ trì", "phối hợp")
_PARTNER_OF = _phrases("phối hợp với", "phối hợp cùng")


def _role_given(lows: list[str], start: int, end: int, after: str) -> Role | str | None:
    """The role the words around a name at ``start:end`` give it: chủ trì, phối hợp, "" for a task given without
    a role ("giao X ...", "X tăng cường ..."), None when they give it nothing."""
    if any(tuple(lows[max(0, start - len(w)) : start]) == w for w in _PARTNER_OF):
        return Role.PARTNER
    if tuple(lows[end : end + len(_LEAD)]) == _LEAD:
        return Role.LEAD
    if tuple(lows[end : end + len(_PARTNER)]) == _PARTNER:
        return Role.PARTNER
    if after == ":" or any(tuple(lows[end : end + len(w)]) == w for w in _ROLE_VERBS):
        return ""
    if any(tuple(lows[max(0, start - len(w)) : start]) == w for w in _ASSIGNING):
        return ""
    return None


def _known_prefix(registry: Registry, tokens: list[Any], text: str, first: int, end: int) -> bool:
    """Whether the registry knows the name from token ``first`` up to one of the tokens before ``end`` (the
    longest first): "Sở Công Thương tỉnh", "Ủy ban nhân dân cấp xã" are bodies, whatever words follow them."""
    start = tokens[first].start
    return any(registry.typed(text[start : tokens[stop - 1].end]) for stop in range(end, first + 1, -1))
