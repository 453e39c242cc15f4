"""The standard catalogue: the bodies of any province, before and after the 2025 reorganisation.

Provinces and communes come from the maintained PyPI package ``vietnam-provinces``
(34 provinces and cities, 3,321 xã / phường / đặc khu since 1/7/2025). What that
package does not hold is data in this package: the 2025 merger table
(``data/tinh-2025.yaml``, Nghị quyết 202/2025/QH15) and the bodies every province has
(``data/co-quan-chuan.yaml``), each with its validity dates, successor and aliases.

Public entry points:

* :func:`province_registry` -- a ready :class:`~matrix.core.model.Registry` for one province
  (what ``matrix registry init`` writes and what the drafter uses for any province);
* :func:`catalogue_entries` -- the blocks and bodies of several provinces, which
  ``co-quan.yaml`` pulls in with its ``catalogue:`` key;
* :func:`find_province` / :func:`province_in_text` -- a province id from a name as a
  text writes it ("tỉnh Đắk Lắk", "Thành phố Hồ Chí Minh", "TP. Cần Thơ");
* :func:`provinces`, :func:`province`, :func:`communes`, :func:`mergers`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from ..core.model import ANY_PROVINCE, Agency, Block, Registry
from ..core.text import ascii_key, nfc

_CITY_PREFIX = "Thành phố "


@dataclass(frozen=True)
class Province:
    """A province or centrally-run city as it stands from 1/7/2025."""

    id: str
    name: str  # "Đồng Tháp", "Hà Nội" (without "Thành phố")
    code: int
    is_city: bool
    merged_from: tuple[str, ...] = ()
    border: bool = True
    optional: frozenset[str] = frozenset()

    @property
    def kind(self) -> str:
        """ "tỉnh" or "thành phố" (a centrally-run city)."""
        return "thành phố" if self.is_city else "tỉnh"

    @property
    def full_name(self) -> str:
        """ "tỉnh Đồng Tháp", "thành phố Hà Nội"."""
        return f"{self.kind} {self.name}"


@dataclass(frozen=True)
class Commune:
    """A xã, phường or đặc khu (from ``vietnam-provinces``)."""

    name: str  # as printed inside a sentence: "xã Mỹ Hiệp", "phường Mỹ Tho", "đặc khu Phú Quốc"
    kind: str  # "xã", "phường", "đặc khu"
    slug: str  # "xa-my-hiep"


@functools.cache
def _data(name: str) -> Any:
    text = (resources.files("matrix") / "data" / name).read_text(encoding="utf-8")
    return yaml.safe_load(text)  # package data, not user input


def merger_date() -> dt.date:
    """The day the 34 provinces came into being (1/7/2025)."""
    value = _data("tinh-2025.yaml")["effective"]
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


@functools.cache
def provinces() -> tuple[Province, ...]:
    """The 34 provinces and cities, in the package's order (by code)."""
    import vietnam_provinces as vp

    facts = _data("tinh-2025.yaml")["provinces"]
    out = []
    for item in vp.Province.iter_all():
        pid = item.codename.replace("_", "-")
        name = nfc(item.name)
        is_city = str(getattr(item.division_type, "value", item.division_type)) == "thành phố trung ương"
        if name.startswith(_CITY_PREFIX):
            name = name[len(_CITY_PREFIX) :]
        fact = facts.get(pid, {})
        out.append(
            Province(
                pid,
                name,
                int(item.code),
                is_city,
                tuple(fact.get("merged_from", ())),
                bool(fact.get("border", True)),
                frozenset(fact.get("optional", ())),
            )
        )
    return tuple(out)


def province(province_id: str) -> Province:
    """The province with this id (KeyError for an unknown or pre-2025 id)."""
    for item in provinces():
        if item.id == province_id:
            return item
    raise KeyError(province_id)


@functools.cache
def mergers() -> Mapping[str, str]:
    """Pre-2025 province id -> the id of the province it merged into on :func:`merger_date`."""
    return MappingProxyType({old: p.id for p in provinces() for old in p.merged_from})


@functools.cache
def province_names() -> Mapping[str, str]:
    """Every province id, the 34 and the 29 merged away, with its name."""
    names = {p.id: p.name for p in provinces()}
    names.update(_data("tinh-2025.yaml")["old_names"])
    return MappingProxyType(names)


_EXTRA_NAMES = {
    "thua thien hue": "hue",
    "tp hcm": "ho-chi-minh",
    "tphcm": "ho-chi-minh",
    "hcm": "ho-chi-minh",
    "sai gon": "ho-chi-minh",
    "ba ria vung tau": "ba-ria-vung-tau",
}
_PREFIX = re.compile(r"^(?:tinh|thanh pho|tp|t\.p|t\. p)\.?\s+")


def _key(text: str) -> str:
    return re.sub(r"[\s\-_]+", " ", ascii_key(text)).strip(" .,;:")


@functools.cache
def _name_index() -> Mapping[str, str]:
    index = {_key(name): pid for pid, name in province_names().items()}
    index.update({_key(pid): pid for pid in province_names()})
    index.update(_EXTRA_NAMES)
    return MappingProxyType(index)


def find_province(name: str) -> str | None:
    """The province id written as ``name``: "Đồng Tháp", "dong-thap", "Dong Thap", "tỉnh Đắk Lắk",
    "Thành phố Hồ Chí Minh", "TP. Cần Thơ", "Tiền Giang" (a pre-2025 id is returned as such; see :func:`mergers`)."""
    key = _key(name)
    return _name_index().get(key) or _name_index().get(_PREFIX.sub("", key))


def province_in_text(text: str) -> str | None:
    """The first province a text names with its kind ("tỉnh Đắk Lắk", "TP. Cần Thơ", "Thành phố Huế"), or None."""
    folded = _key(text)
    best: tuple[int, str] | None = None
    for key, pid in _name_index().items():
        if "-" in key:
            continue
        for match in re.finditer(rf"\b(?:tinh|thanh pho|tp\.?|t\.p\.?)\s+{re.escape(key)}\b", folded):
            if best is None or match.start() < best[0] or (match.start() == best[0] and len(key) > len(best[1])):
                best = (match.start(), pid)
            break
    return best[1] if best else None


@functools.cache
def communes(province_id: str) -> tuple[Commune, ...]:
    """The xã, phường and đặc khu of a province since 1/7/2025."""
    import vietnam_provinces as vp

    wards = list(vp.Ward.iter_by_province(vp.ProvinceCode(province(province_id).code)))
    shared = {w.codename for w in wards if sum(v.codename == w.codename for v in wards) > 1}
    out = []
    for ward in wards:
        name = nfc(ward.name)
        kind = str(getattr(ward.division_type, "value", ward.division_type))
        if name.lower().startswith(kind):
            name = kind + name[len(kind) :]
        slug = ward.codename.replace("_", "-")
        if ward.codename in shared:  # "Tân Thành" and "Tân Thạnh" share a codename: the code tells them apart
            slug += f"-{int(ward.code)}"
        out.append(Commune(name, kind, slug))
    return tuple(out)


# --------------------------------------------------------------------------- bodies


def _words(item: Province) -> dict[str, str]:
    city = item.is_city
    return {
        "tinh": item.kind,
        "Tinh": "Thành phố" if city else "Tỉnh",
        "tinh_uy": "Thành ủy" if city else "Tỉnh ủy",
        "ten": item.name,
    }


_PLACEHOLDER = re.compile(r"<(\w+)>")


def _fill(text: str, words: Mapping[str, str]) -> str:
    """``text`` with its placeholders (<tinh>, <ten>...) replaced."""
    return _PLACEHOLDER.sub(lambda m: words[m.group(1)], text)


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


@dataclass(frozen=True)
class Scope:
    """Whose bodies a part of a registry holds: a province of the 34, or a province merged into one on 1/7/2025.

    ``prefix`` starts the ids of its bodies ("" for the one province of a one-province registry,
    "tien-giang-" for the bodies of Tiền Giang); ``into`` is the province a merged-away one became.
    """

    province: str
    name: str
    prefix: str
    into: str | None = None
    into_prefix: str = ""


def scopes(province_ids: Iterable[str]) -> tuple[Scope, ...]:
    """The scopes of a registry of ``province_ids`` (ids of the 34): each province, then the provinces merged into it.

    A registry of one province keeps the short ids for that province's bodies; a registry of several
    prefixes every body's id with its province's ("dong-thap-cong-an-tinh", "hung-yen-cong-an-tinh").
    """
    ids = list(dict.fromkeys(province_ids))
    names = province_names()
    out = []
    for pid in ids:
        prefix = "" if len(ids) == 1 else f"{pid}-"
        out.append(Scope(pid, names[pid], prefix))
        out.extend(Scope(old, names[old], f"{old}-", pid, prefix) for old in province(pid).merged_from)
    return tuple(out)


def _scope_words(scope: Scope) -> dict[str, str]:
    if scope.into is None:
        return _words(province(scope.province))
    return _words(Province(scope.province, scope.name, 0, False))  # the merged-away provinces were all "tỉnh"


def scoped_validity(
    scope: Scope, template_id: str, valid_from: dt.date | None, valid_to: dt.date | None, successor: str | None
) -> tuple[bool, dt.date | None, str | None]:
    """Whether a body exists in ``scope`` at all, its last day and its successor's id there.

    A merged-away province's bodies end the day before the merger: the body then succeeds to the same body
    of the province it merged into (or, when it had ended earlier, to its successor in the old province).
    Bodies that only began with the merger have no copy in a merged-away province.
    """
    if scope.into is None:
        return True, valid_to, scope.prefix + successor if successor else None
    start = merger_date()
    if valid_from is not None and valid_from >= start:
        return False, None, None
    last = start - dt.timedelta(days=1)
    if valid_to is not None and valid_to < last:
        return True, valid_to, scope.prefix + successor if successor else None
    return True, last, scope.into_prefix + (successor or template_id)


class _Builder:
    """Accumulates the bodies of a registry; the bodies common to the provinces (no province) have their aliases merged."""

    def __init__(self) -> None:
        self.agencies: dict[str, Agency] = {}
        self.members: dict[str, dict[str, list[str]]] = {}

    def add(
        self,
        template: Mapping[str, Any],
        words: Mapping[str, str],
        agency_id: str,
        province: str | None,
        is_group: bool,
        valid: tuple[dt.date | None, dt.date | None, str | None],
        keep: Callable[[str], bool] = lambda _: True,
    ) -> None:
        name = _fill(template["name"], words)
        aliases = tuple(dict.fromkeys(_fill(a, words) for a in template.get("aliases", ()) if keep(a)))
        existing = self.agencies.get(agency_id)
        if existing is not None:
            merged = tuple(dict.fromkeys(existing.aliases + aliases))
            self.agencies[agency_id] = replace(existing, aliases=merged)
            return
        valid_from, valid_to, successor = valid
        self.agencies[agency_id] = Agency(
            id=agency_id,
            name=name,
            short=_fill(template.get("short", template["name"]), words),
            block=template["block"],
            requested=bool(template.get("requested", False)),
            aliases=aliases,
            is_group=is_group,
            province=province,
            valid_from=valid_from,
            valid_to=valid_to,
            successor=successor,
        )

    def member(self, group: str, province: str, agency_id: str) -> None:
        bucket = self.members.setdefault(group, {}).setdefault(province, [])
        if agency_id not in bucket:
            bucket.append(agency_id)

    def result(self) -> tuple[Agency, ...]:
        out = []
        for agency in self.agencies.values():
            if agency.is_group:
                members = {p: tuple(m) for p, m in self.members.get(agency.id, {}).items()}
                agency = replace(agency, members=MappingProxyType(members))
            out.append(agency)
        bodies = [a for a in out if not a.is_group]
        return tuple(bodies + [a for a in out if a.is_group])


def catalogue_blocks() -> tuple[Block, ...]:
    """The blocks (matrix column groups) the catalogue's bodies use, in order (provincial, then central)."""
    return tuple(Block(b["id"], b["name"]) for name in ("co-quan-chuan.yaml", _CENTRAL) for b in _data(name)["blocks"])


_CENTRAL = "trung-uong.yaml"


@functools.cache
def central_entries() -> tuple[Agency, ...]:
    """The central bodies and groups (ministries, Party boards, State groups... ``data/trung-uong.yaml``).

    One body for every province (``province`` None), with the 2025 successions; groups list their
    members for any province. Every registry built from the catalogue holds them, so a Thủ tướng's
    công điện resolves and a provincial text's central names are known bodies, not strangers.
    """
    data = _data(_CENTRAL)
    build = _Builder()
    for template in data["agencies"]:
        valid = (_date(template.get("valid_from")), _date(template.get("valid_to")), template.get("successor"))
        build.add(template, {}, template["id"], None, False, valid)
        for group in template.get("in", ()):
            build.member(group, ANY_PROVINCE, template["id"])
    for template in data["groups"]:
        build.add(template, {}, template["id"], None, True, (None, None, None))
    for template, valid in _province_heads():
        build.add(template, {}, template["id"], None, False, valid)
    return build.result()


def _province_heads() -> list[tuple[dict[str, Any], tuple[dt.date | None, dt.date | None, str | None]]]:
    """The People's Committee and the Party committee of every province, as a central text names them
    ("Ủy ban nhân dân tỉnh Quảng Ninh", "Thường trực Tỉnh ủy Thanh Hóa"): one central body each (province None),
    the 29 provinces merged away on 1/7/2025 ending the day before, succeeded by the province they became.
    A provincial registry's own bodies come first in a lookup (:meth:`Registry.scoped`), so no name is taken
    from them."""
    last = merger_date() - dt.timedelta(days=1)
    rows: list[tuple[str, str, bool, str | None]] = [(p.id, p.name, p.is_city, None) for p in provinces()]
    rows += [(old, province_names()[old], False, new) for old, new in mergers().items()]
    out: list[tuple[dict[str, Any], tuple[dt.date | None, dt.date | None, str | None]]] = []
    for pid, name, city, into in rows:
        kind, party = ("thành phố", "Thành ủy") if city else ("tỉnh", "Tỉnh ủy")
        ubnd = f"Ủy ban nhân dân {kind} {name}"
        committee = f"{party} {name}"
        heads = (
            {
                "id": f"ubnd-{pid}",
                "name": ubnd,
                "short": f"UBND {kind} {name}",
                "block": "dia-phuong",
                "aliases": [f"UBND {kind} {name}"],  # no title: the drafter reads "Chủ tịch" as one
            },
            {
                "id": f"tinh-uy-{pid}",
                "name": committee,
                "block": "dia-phuong",
                "requested": True,
                "aliases": [f"Thường trực {committee}", f"Ban Thường vụ {committee}", f"{party} {kind} {name}"],
            },
        )
        for head in heads:
            stem = str(head["id"]).split("-" + pid)[0]
            valid = (None, last, f"{stem}-{into}") if into else (None, None, None)
            out.append((head, valid))
    return out


def _named(template: Mapping[str, Any]) -> Mapping[str, Any]:
    """A body's template with the names that carry the province's name among its aliases, as texts write them:
    the name followed by it when the name ends with the province's kind ("Thống kê tỉnh Bắc Ninh", "Ban Tổ chức
    Tỉnh ủy Đồng Tháp"), or with the province's name in place of the kind ("Công an Tiền Giang"); a department
    followed by the province with or without its kind ("Sở Y tế tỉnh Tiền Giang", "Sở Y tế Tiền Giang")."""
    name = str(template["name"])
    if name.endswith("<tinh>"):
        named = [f"{name} <ten>", name.removesuffix("<tinh>") + "<ten>"]
    elif name.endswith("<tinh_uy>"):
        named = [f"{name} <ten>"]
    elif name.startswith("Sở "):
        named = [f"{name} <tinh> <ten>", f"{name} <ten>"]
    else:
        return template
    return {**template, "aliases": [*template.get("aliases", ()), *named]}


def _renamed(template: Mapping[str, Any], province_id: str) -> Mapping[str, Any]:
    """A body's template as a province calls it: ``names`` in tinh-2025.yaml gives a province's own name,
    short name and aliases of a standard body (Hà Nội's "Bộ Tư lệnh Thủ đô Hà Nội" is its military command)."""
    own = _data("tinh-2025.yaml")["provinces"].get(province_id, {}).get("names", {}).get(template["id"])
    if not own:
        return template
    return {**template, "name": own["name"], "short": own.get("short", own["name"]), "aliases": own.get("aliases", [])}


def _exists(template: Mapping[str, Any], item: Province) -> bool:
    return not (
        (template.get("optional") and template["optional"] not in item.optional)
        or (template.get("border") and not item.border)
    )


def _scoped_valid(
    scope: Scope, template: Mapping[str, Any]
) -> tuple[dt.date | None, dt.date | None, str | None] | None:
    """(valid from, valid to, successor) of a catalogue body in ``scope`` (see :func:`scoped_validity`), or None
    when the body does not exist there."""
    exists, valid_to, successor = scoped_validity(
        scope,
        template["id"],
        _date(template.get("valid_from")),
        _date(template.get("valid_to")),
        template.get("successor"),
    )
    return (_date(template.get("valid_from")), valid_to, successor) if exists else None


def catalogue_entries(province_ids: Iterable[str]) -> tuple[Agency, ...]:
    """The standard bodies and groups of the given provinces (ids of the 34), with communes.

    Every body belongs to one province (``province``): the police of Đồng Tháp is not that of Hưng
    Yên. Each province also gets the bodies of the provinces merged into it on 1/7/2025, ending the
    day before and succeeded by the new province's (``tien-giang-cong-an-tinh`` →
    ``cong-an-tinh``). Ids follow :func:`scopes`: short for a one-province registry, prefixed by the
    province for several. A registry of several provinces also holds the bodies of a province a text
    does not name (no ``province``, short ids, no names with the province's name in them): the
    directives that name no province resolve to those. Commune bodies always carry the province's id.
    """
    items = [province(p) for p in dict.fromkeys(province_ids)]
    data = _data("co-quan-chuan.yaml")
    start = merger_date()
    build = _Builder()
    for scope in scopes(p.id for p in items):
        item = province(scope.into or scope.province)
        words = _scope_words(scope)
        for template in data["agencies"]:
            if not _exists(template, item):
                continue
            valid = _scoped_valid(scope, template)
            if valid is None:
                continue
            agency_id = scope.prefix + template["id"]
            own = _named(_renamed(template, item.id) if scope.into is None else template)
            build.add(own, words, agency_id, scope.province, False, valid)
            for group in template.get("in", ()):
                build.member(scope.prefix + group, scope.province, agency_id)
        for template in data["groups"]:
            valid = _scoped_valid(scope, template)
            if valid is not None:
                build.add(template, words, scope.prefix + template["id"], scope.province, True, valid)
        if scope.into is None:
            for commune in communes(item.id):
                local = dict(words, xa=commune.name)
                for template in data["communes"]:
                    agency_id = f"{item.id}-{template['id']}-{commune.slug}"
                    build.add(template, local, agency_id, item.id, False, (start, None, None))
                    for group in template.get("in", ()):
                        build.member(scope.prefix + group, item.id, agency_id)
    if len(items) > 1:  # the bodies of a province the text does not name
        words = _words(items[0])
        unnamed = lambda alias: "<ten>" not in alias  # noqa: E731
        for template in data["agencies"]:
            if any(_exists(template, i) for i in items):
                valid = (_date(template.get("valid_from")), _date(template.get("valid_to")), template.get("successor"))
                build.add(template, words, template["id"], None, False, valid, unnamed)
                for group in template.get("in", ()):
                    if not template.get("optional"):
                        build.member(group, ANY_PROVINCE, template["id"])
        for template in data["groups"]:
            valid = (_date(template.get("valid_from")), _date(template.get("valid_to")), template.get("successor"))
            build.add(template, words, template["id"], None, True, valid, unnamed)
    provincial = build.result()
    return provincial + tuple(a for a in central_entries() if a.id not in {p.id for p in provincial})


def unscoped(agency_id: str) -> str:
    """An id without the province prefix a per-province copy carries ("hung-yen-cong-an-tinh" -> "cong-an-tinh")."""
    head = next((p for p in province_names() if agency_id.startswith(p + "-")), None)
    return agency_id[len(head) + 1 :] if head else agency_id


def province_registry(province_id: str) -> Registry:
    """The registry of one province (any of the 34, or a pre-2025 id: its successor) from the catalogue alone.

    Every standard body with its validity dates, successors and aliases, the
    province's communes, and the groups with their members. Names use the
    province's kind ("Công an thành phố", "Thành ủy" for the six cities).
    ``province_id`` may also be a name ("Đồng Tháp", "TP. Cần Thơ"): see
    :func:`find_province`.
    """
    pid = find_province(province_id) or province_id
    pid = mergers().get(pid, pid)
    province(pid)  # KeyError for an unknown province
    return Registry(
        catalogue_blocks(),
        catalogue_entries([pid]),
        province_names(),
        mergers(),
        merger_date(),
        home=pid,
        per_province=True,
    )


def standard_registry(province_ids: Iterable[str] = ()) -> Registry:
    """The registry matrix reads names with when a folder has no ``co-quan.yaml``: the standard bodies of the
    given provinces (pre-2025 ids count as their successor; unknown ones are left out) and the central bodies."""
    wanted = []
    for pid in province_ids:
        found = find_province(pid) or pid
        found = mergers().get(found, found)
        if found in {p.id for p in provinces()}:
            wanted.append(found)
    if len(set(wanted)) == 1:
        return province_registry(wanted[0])
    entries = catalogue_entries(wanted) if wanted else central_entries()
    return Registry(catalogue_blocks(), entries, province_names(), mergers(), merger_date(), per_province=bool(wanted))


def init_registry_yaml(name: str) -> str:
    """The text of a starting ``co-quan.yaml`` for one of the 34 provinces (by id or name, diacritics optional).

    KeyError (with a Vietnamese message) for an unknown or pre-2025 province.
    """
    from .dump import dump_registry

    pid = find_province(name)
    if pid is not None and pid in mergers():
        raise KeyError(
            f"tỉnh '{name}' đã hợp nhất vào {province(mergers()[pid]).full_name} từ 01/07/2025: dùng '{mergers()[pid]}'"
        )
    if pid is None:
        raise KeyError(f"không có tỉnh, thành phố '{name}' trong 34 tỉnh, thành phố từ 01/07/2025")
    item = province(pid)
    registry = province_registry(pid)
    used = {a.province for a in registry.agencies} | {
        p for a in registry.agencies for p in a.members if p != ANY_PROVINCE
    }
    registry = replace(registry, provinces=MappingProxyType({k: v for k, v in registry.provinces.items() if k in used}))
    header = (
        f"# Danh mục cơ quan của {item.full_name}, tạo bằng 'matrix registry init' từ danh mục chuẩn sau sắp xếp\n"
        f"# năm 2025 (Nghị định 45/2025/NĐ-CP, Nghị quyết 202/2025/QH15) và danh sách {len(communes(pid))} xã, phường,\n"
        "# đặc khu của gói vietnam-provinces. Hãy rà soát: thêm tên gọi khác (aliases), số hiệu khu vực của Chi cục\n"
        "# Hải quan, Kho bạc Nhà nước, Tòa án, Viện kiểm sát, các sở không có ở tỉnh mình (Sở Ngoại vụ, Sở Dân tộc và\n"
        "# Tôn giáo...), và các cơ quan riêng của tỉnh. Cách ghi: xem README, mục danh mục cơ quan.\n"
    )
    return header + dump_registry(registry)


__all__ = [
    "Commune",
    "Province",
    "Scope",
    "catalogue_blocks",
    "catalogue_entries",
    "communes",
    "find_province",
    "init_registry_yaml",
    "merger_date",
    "mergers",
    "province",
    "province_in_text",
    "province_names",
    "province_registry",
    "provinces",
    "scoped_validity",
    "scopes",
]


def write_registry(name: str, output: Path, force: bool = False) -> str:
    """``matrix registry init``: write the registry of the province called ``name`` to ``output``; the message."""
    from ..core.errors import InputError, Problem

    try:
        text = init_registry_yaml(name)
    except KeyError as exc:
        raise InputError(
            [Problem("<dòng lệnh>", 0, 0, str(exc.args[0]), 'ví dụ: matrix registry init "Đồng Tháp"')]
        ) from None
    from ..files.safeio import is_stream, write_file

    if output.exists() and not is_stream(output) and not force:
        raise InputError(
            [
                Problem(
                    str(output), 0, 0, "tệp đã có, không ghi đè", "thêm --force để ghi đè, hoặc chọn tệp khác bằng -o"
                )
            ]
        )
    write_file(output, text, "danh mục cơ quan", backup=True, make_parents=True)
    return f"Đã tạo {output}: {text.count(chr(10) + '- id: ')} cơ quan và nhóm."
