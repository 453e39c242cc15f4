"""Finding what a clerk typed on a command line or in a form: a body by any of its names, a directive by its id.

Every miss is an input error with the closest names as a hint."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable

from ..core.errors import problem
from ..core.model import Agency, Corpus, Directive, Registry
from .load import did_you_mean, suggest_names


def find_agencies(
    registry: Registry, name: str, on: dt.date | None = None, among: Iterable[Agency] | None = None
) -> tuple[Agency, ...]:
    """The agencies a clerk means by ``name`` (see :meth:`Registry.typed`), or an input error with close names
    (among the bodies ``among``, else the whole registry)."""
    found = registry.typed(name, on=on)
    if not found:
        hint = did_you_mean(suggest_names(registry, name, among=among)) or "xem 'matrix agencies'"
        raise problem(f"cơ quan '{name}' không có trong danh mục", hint)
    return found


def agency_ids(registry: Registry, name: str | None) -> set[str] | None:
    """The ids an ``--agency`` name stands for (any alias, with or without diacritics); None for all."""
    if name is None:
        return None
    return {a.id for a in find_agencies(registry, name)}


def agency_ids_in(registry: Registry, name: str, directive: Directive) -> set[str]:
    """The ids ``name`` stands for in ``directive``'s province ("Công an tỉnh" in a text of Tiền Giang is Tiền Giang's
    police, not Hưng Yên's); an input error with close names when there is none."""
    return {a.id for a in registry.scoped(find_agencies(registry, name), directive.province, directive.on)}


def find_directive(corpus: Corpus, directive_id: str) -> Directive:
    """The directive a clerk typed the id of, or an input error naming the closest id."""
    ids = [d.id for d in corpus.directives]
    if directive_id not in ids:
        close = [i for i in ids if directive_id.lower() in i] or difflib.get_close_matches(directive_id, ids, n=1)
        raise problem(
            f"văn bản '{directive_id}' không có trong input",
            f"có phải ý bạn là '{close[0]}'?" if close else "mã văn bản là tên tệp .yaml, không có đuôi",
        )
    return corpus.directive(directive_id)
