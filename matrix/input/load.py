"""Load and validate the registry and directive files into the model.

Every problem is collected with its file, line and column before anything is
returned, so a clerk sees all mistakes at once. Readers know YAML; the model
they produce knows nothing of files.
"""

from __future__ import annotations

import datetime as dt
import difflib
import enum
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import yaml

from ..core import stamp
from ..core.errors import InputError, Problem, WithProblems, os_message
from ..core.model import (
    ANY_PROVINCE,
    Agency,
    Assignment,
    Block,
    Corpus,
    Directive,
    Issuer,
    IssuerKind,
    Registry,
    Role,
    Signer,
    Task,
    TaskNode,
    TaskTree,
    format_date,
)
from ..core.text import ascii_key, match_key, nfc, safe_filename, slugify
from .schema import (
    AGENCY,
    BLOCK,
    DATE,
    DIRECTIVE,
    FLAG,
    IDENT,
    ISSUER,
    LIST,
    REGISTRY,
    SIGNER,
    TASK,
    TEXT,
    TEXTS,
    Shape,
)
from .yamlio import INVISIBLE_CHARS, Report, compose, control_char_name, position, read_bytes

if TYPE_CHECKING:
    from .cache import DirectiveCache, Loaded

REGISTRY_FILE = "co-quan.yaml"
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# Fields that hold names of bodies or people: an invisible or direction-changing mark in them is an error.
NAME_KEYS = frozenset({"name", "short", "aliases"})
_ROLE_KEYS = {match_key(r.value): r for r in Role} | {ascii_key(r.value): r for r in Role}
_ISSUER_KINDS = {match_key(k.value): k for k in IssuerKind} | {ascii_key(k.value): k for k in IssuerKind}

Node = yaml.Node


class Unknown(enum.Enum):
    """The resolver policy: what the loader does with a name the registry lacks.

    ``ERROR``: an input error (validate, build, show). ``KEEP``: the name is
    kept as written under a placeholder agency of :class:`Unresolved`, and a
    warning at its place goes to :attr:`LoadResult.unresolved` (drafts, the web
    page, ``matrix export --keep-unknown``). A draft also keeps a body that no
    longer existed on its date, and its id need not match its file name.
    """

    ERROR = "error"
    KEEP = "keep"


UNRESOLVED_BLOCK = Block("chua-ro", "Chưa có trong danh mục")


class Unresolved:
    """Names the registry lacks, kept as written: one placeholder agency per name (spelling-tolerant,
    :func:`~matrix.core.text.match_key`), ids ``chua-ro-1``, ``chua-ro-2``... in order of first use.

    The one representation of an unresolved name: the loader (:attr:`Unknown.KEEP`) and the drafter
    both put such a name in the model through it, so the pivot and every writer can show it.
    """

    def __init__(self) -> None:
        self._by_key: dict[str, Agency] = {}

    def agency(self, written: str) -> Agency:
        """The placeholder agency standing for ``written``."""
        key = match_key(written)
        if key not in self._by_key:
            self._by_key[key] = Agency(
                id=f"chua-ro-{len(self._by_key) + 1}", name=written, short=written, block=UNRESOLVED_BLOCK.id
            )
        return self._by_key[key]

    @property
    def agencies(self) -> tuple[Agency, ...]:
        return tuple(self._by_key.values())

    def registry(self, registry: Registry) -> Registry:
        """``registry`` with the placeholder agencies (in their own block), or itself when there are none."""
        if not self._by_key:
            return registry
        return Registry(
            (*registry.blocks, UNRESOLVED_BLOCK),
            registry.agencies + self.agencies,
            registry.provinces,
            registry.mergers,
            registry.merger_date,
        )


def is_unresolved(agency: Agency) -> bool:
    """A placeholder of :class:`Unresolved`: a name the registry lacks, kept as written."""
    return agency.block == UNRESOLVED_BLOCK.id


@dataclass
class LoadResult(WithProblems):
    """What loading produced: the corpus (None when there are errors) and every problem.

    ``unresolved``: with :attr:`Unknown.KEEP`, one warning per name the registry
    lacks, at its place (the corpus holds those names under placeholder agencies).
    """

    corpus: Corpus | None
    problems: list[Problem] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    unresolved: list[Problem] = field(default_factory=list)

    def require(self, warn: Callable[[str], None] | None = None) -> Corpus:
        """The corpus (each warning told to ``warn`` first, if given), or :class:`InputError` with every
        problem, the warnings among them (so none is said twice)."""
        if self.corpus is None:
            raise InputError(self.problems)
        if warn is not None:
            for problem in self.warnings:
                warn(str(problem))
        return self.corpus


def _peek_node(node: Node, key: str) -> Node | None:
    """The node under ``key`` in a mapping node, before it is checked."""
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == key:
                return v  # type: ignore[no-any-return]
    return None


def _peek(node: Node, key: str) -> str | None:
    """The scalar under ``key`` in a mapping node (for messages), or None."""
    value = _peek_node(node, key)
    return str(value.value) if isinstance(value, yaml.ScalarNode) and value.value else None


class _Fields:
    """Typed access to a YAML mapping node, reporting every problem against its node."""

    def __init__(
        self,
        node: Node,
        path: str,
        report: Report,
        what: str,
        known: Iterable[str],
        label_key: str | None = None,
        names: bool = False,
    ) -> None:
        self.all_names = names  # every field holds names of bodies (the roles of an 'assign')
        label = _peek(node, label_key) if label_key else None
        what = f"{what} '{label}'" if label else what
        self.node, self.path, self.report, self.what = node, path, report, what
        self.items: dict[str, tuple[Node, Node]] = {}
        if not isinstance(node, yaml.MappingNode):
            report.error(path, node, f"{what} phải là một bảng 'tên: giá trị'", "xem mẫu trong README")
            return
        known = tuple(known)
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else str(key.value)
            if name in self.items:
                line = self.items[name][0].start_mark.line + 1
                report.error(path, key, f"trường '{name}' của {what} bị lặp lại (đã có ở dòng {line})")
                continue
            if name not in known:
                close = difflib.get_close_matches(name, known, n=1)
                hint = f"có phải ý bạn là '{close[0]}'?" if close else f"các trường hợp lệ: {', '.join(known)}"
                report.warn(path, key, f"trường '{name}' của {what} không được dùng, sẽ bỏ qua", hint)
            self.items[name] = (key, value)

    shape: Shape | None = None

    @classmethod
    def of(
        cls, node: Node, path: str, report: Report, shape: Shape, label_key: str | None = None, what: str | None = None
    ) -> _Fields:
        """Fields of a record declared in :mod:`matrix.input.schema` (its keys are the known ones)."""
        fields = cls(node, path, report, what or shape.what, shape.names, label_key)
        fields.shape = shape
        return fields

    def get(self, name: str) -> Any:
        """The value of ``name``, read as the schema declares it (kind, Vietnamese label, required)."""
        assert self.shape is not None, "get() needs fields made with _Fields.of()"
        key = self.shape[name]
        if key.kind == TEXTS:
            return self.texts(key.name, key.label)
        if key.kind == DATE:
            return self.date(key.name, key.label)
        if key.kind == FLAG:
            return self.flag(key.name, key.label)
        if key.kind == IDENT:
            return self.ident(key.name, key.label, key.required)
        if key.kind == LIST:
            return self.sequence(key.name, key.label, key.required)
        if key.kind == TEXT:
            return self.text(key.name, key.label, key.required)
        raise ValueError(f"{name}: a {key.kind} value is read by its own code")

    def label(self, name: str) -> str:
        """The Vietnamese label of ``name`` in messages."""
        return self.shape[name].label if self.shape is not None else name

    @property
    def ok(self) -> bool:
        return isinstance(self.node, yaml.MappingNode)

    def value_node(self, name: str) -> Node | None:
        item = self.items.get(name)
        if item is None or _is_null(item[1]):
            return None
        return item[1]

    def missing(self, name: str, label: str) -> None:
        self.report.error(self.path, self.node, f"{self.what} thiếu trường bắt buộc '{name}' ({label})")

    def text(self, name: str, label: str, required: bool = False) -> str | None:
        node = self.value_node(name)
        if node is None:
            if required:
                self.missing(name, label)
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.report.error(
                self.path,
                node,
                f"'{name}' ({label}) của {self.what} phải là một đoạn văn bản, không phải danh sách hay bảng",
            )
            return None
        value = nfc(node.value).strip()
        if not value:
            if required:
                self.report.error(self.path, node, f"'{name}' ({label}) của {self.what} đang để trống")
            return None
        if self._hidden(name, value, node):
            return None
        return value

    def _hidden(self, name: str, value: str, node: Node) -> bool:
        """Report an invisible or direction-changing mark in a name (at its column, once); True when there is one.

        "Công an\u200btỉnh" looks like "Công an tỉnh" and would make a second body that reaches the letters."""
        if name not in NAME_KEYS and not self.all_names:
            return False
        found = INVISIBLE_CHARS.search(value)
        if found is None:
            return False
        raw = str(node.value)
        at = raw.find(found.group())
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        if at >= 0 and "\n" not in raw[:at]:
            column += at + (1 if getattr(node, "style", None) in ('"', "'") else 0)
        self.report.problems.append(
            Problem(
                self.path,
                line,
                column,
                f"tên '{INVISIBLE_CHARS.sub('', value)}' của {self.what} có ký tự ẩn {control_char_name(found.group())}",
                "ký tự này không hiện ra nhưng làm tên khác đi (hai tên trông như nhau); hãy xóa tên rồi gõ lại",
            )
        )
        return True

    def texts(self, name: str, label: str) -> tuple[str, ...]:
        return tuple(text for text, _ in self.texts_at(name, label))

    def texts_at(self, name: str, label: str) -> tuple[tuple[str, Node], ...]:
        """Each non-empty line of a text-or-list field with its own node (for messages about one item)."""
        node = self.value_node(name)
        if node is None:
            return ()
        if isinstance(node, yaml.ScalarNode):
            value = nfc(node.value).strip()
            return ((value, node),) if value and not self._hidden(name, value, node) else ()
        if not isinstance(node, yaml.SequenceNode):
            self.report.error(self.path, node, f"'{name}' ({label}) của {self.what} phải là danh sách các dòng")
            return ()
        out = []
        for item in node.value:
            if isinstance(item, yaml.ScalarNode) and not _is_null(item):
                if item.value.strip() and not self._hidden(name, nfc(item.value).strip(), item):
                    out.append((nfc(item.value).strip(), item))
            else:
                self.report.error(self.path, item, f"mỗi mục của '{name}' ({label}) phải là một dòng văn bản")
        return tuple(out)

    def flag(self, name: str, label: str) -> bool:
        node = self.value_node(name)
        if node is None:
            return False
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":bool"):
            return node.value.lower() in ("true", "yes", "on")
        self.report.error(self.path, node, f"'{name}' ({label}) phải là true hoặc false")
        return False

    def date(self, name: str, label: str) -> dt.date | None:
        node = self.value_node(name)
        if node is None:
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.report.error(self.path, node, f"'{name}' ({label}) phải là một ngày")
            return None
        return parse_date(node, self.path, self.report, f"'{name}' ({label})")

    def ident(self, name: str, label: str, required: bool = False) -> str | None:
        value = self.text(name, label, required)
        if value is not None and not _ID.match(value):
            self.report.error(
                self.path,
                self.value_node(name),
                f"mã '{value}' ({label}) chỉ được gồm chữ thường không dấu, chữ số và dấu '-'",
                f"ví dụ: '{slugify(value)}'",
            )
            return None
        return value

    def sequence(self, name: str, label: str, required: bool = False) -> list[Node]:
        node = self.value_node(name)
        if node is None:
            if required:
                self.missing(name, label)
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.report.error(self.path, node, f"'{name}' ({label}) phải là một danh sách (mỗi mục bắt đầu bằng '- ')")
            return []
        return list(node.value)


def _is_null(node: Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")


def parse_date(node: Node, path: str, report: Report, label: str) -> dt.date | None:
    """A date written in one of :data:`~matrix.core.stamp.DATE_FORMATS`; impossible dates are errors."""
    from ..core.stamp import out_of_range, read_day

    raw = str(node.value).strip()
    found = read_day(raw)
    if found is None:
        report.error(
            path,
            node,
            f"{label}: ngày '{raw}' không tồn tại hoặc sai định dạng",
            "viết dạng YYYY-MM-DD, ví dụ 2024-12-27, hoặc 27/12/2024",
        )
        return None
    reason = out_of_range(found)
    if reason is not None:  # 9999-12-31 would overflow the deadlines and calendars computed from it
        report.error(path, node, f"{label}: {reason}", "hãy kiểm tra năm, ví dụ 27/12/2024")
        return None
    return found


# --------------------------------------------------------------------------- registry


def load_registry(path: Path, report: Report) -> Registry | None:
    """Read and check the agency registry file.

    ``catalogue:`` lists provinces (ids or names) whose standard bodies
    (:mod:`matrix.input.catalogue`) are pulled in first; the file's own entries then
    add to them, or override the fields they give of an entry with the same id
    (aliases and group members are added to the catalogue's).
    """
    from ..input import catalogue

    name = str(path)
    root = compose(path, report)
    if root is None:
        return None
    top = _Fields.of(root, name, report, REGISTRY)
    if not top.ok:
        return None
    provinces = dict(catalogue.province_names()) | _provinces(top, report)
    included = _catalogue_provinces(top, report)
    standard = catalogue.catalogue_entries(included) if included else ()
    blocks = [_block(n, name, report) for n in top.sequence("blocks", "khối", required=not included)]
    if included:
        blocks += [b for b in catalogue.catalogue_blocks() if b.id not in {x.id for x in blocks if x}]
    block_ids = {b.id for b in blocks if b}
    block_names = {match_key(b.name): b.id for b in blocks if b}
    where = top.value_node("catalogue") or root
    entries: list[tuple[Agency, Node, _Fields | None]] = [(a, where, None) for a in standard]
    positions = {a.id: i for i, a in enumerate(standard)}
    regions = catalogue.scopes(included) if included else ()
    by_province = {s.province: s for s in regions}
    copies: dict[str, list[int]] = {}  # a catalogue body's short id -> its copies, one per province
    for i, a in enumerate(standard):
        copies.setdefault(_template_id(a, by_province), []).append(i)
    localised: list[tuple[int, catalogue.Scope]] = []
    for section, is_group in (("agencies", False), ("groups", True)):
        for node in top.sequence(
            section, "cơ quan" if not is_group else "nhóm cơ quan", required=not is_group and not included
        ):
            item = _agency(node, name, report, is_group, block_ids, provinces, block_names, copies)
            if item is None:
                continue
            hand, _, fields = item
            if hand.province is None and hand.id in copies and entries[copies[hand.id][0]][2] is None:
                # a catalogue body named by its short id: the entry applies to its copy in every province
                for pos in copies[hand.id]:
                    base = entries[pos][0]
                    scope = by_province.get(base.province or "")
                    local = _localise(hand, scope) if scope else hand
                    entries[pos] = (_override(base, local or hand, fields), node, fields)
                    if scope:
                        localised.append((pos, scope))
            elif hand.province is None and regions and hand.id not in positions:
                # a body or group of every province (UBND cấp huyện): one per province, as the catalogue's
                for scope in regions:
                    local = _localise(hand, scope)
                    if local is not None:
                        localised.append((len(entries), scope))
                        entries.append((local, node, fields))
                if len(included) > 1:  # and the one of a province the text does not name
                    entries.append(item)
            else:
                entries.append(item)
    _relink(entries, localised)
    _check_registry_links(entries, name, report)
    if report.has_errors:
        return None
    agencies = [a for a, _, _ in entries]  # bodies first, then groups, as the file lists them
    return Registry(
        tuple(b for b in blocks if b),
        tuple(a for a in agencies if not a.is_group) + tuple(a for a in agencies if a.is_group),
        MappingProxyType(provinces),
        catalogue.mergers(),
        catalogue.merger_date(),
        home=included[0] if len(included) == 1 else _home(agencies, catalogue.mergers()),
        per_province=bool(included),
    )


def _home(agencies: Iterable[Agency], mergers: Mapping[str, str]) -> str | None:
    """The one province of a registry written out in full ('matrix registry init'), or None."""
    owners = {a.province for a in agencies if a.province not in mergers}
    return owners.pop() if len(owners) == 1 else None


def _template_id(agency: Agency, scopes: Mapping[str, Any]) -> str:
    """The short id of a catalogue body ("cong-an-tinh" for "tien-giang-cong-an-tinh")."""
    scope = scopes.get(agency.province or "")
    if scope is not None and scope.prefix and agency.id.startswith(scope.prefix):
        return str(agency.id[len(scope.prefix) :])
    return agency.id


def _localise(agency: Agency, scope: Any) -> Agency | None:
    """A hand entry written for every province, as the body of ``scope`` (None when it did not exist there)."""
    from .catalogue import scoped_validity

    exists, valid_to, successor = scoped_validity(
        scope, agency.id, agency.valid_from, agency.valid_to, agency.successor
    )
    if not exists:
        return None
    members = agency.members.get(scope.province) or agency.members.get(ANY_PROVINCE, ())
    return replace(
        agency,
        id=scope.prefix + agency.id,
        province=scope.province,
        valid_to=valid_to,
        successor=successor,
        members=MappingProxyType({scope.province: tuple(scope.prefix + m for m in members)} if members else {}),
    )


def _relink(entries: list[tuple[Agency, Node, _Fields | None]], localised: list[tuple[int, Any]]) -> None:
    """Members and successors of the bodies made per province point at that province's bodies where they exist
    (a prefixed id), else at the id as written (a district committee written with its province)."""
    ids = {a.id for a, _, _ in entries}

    def fix(ref: str, scope: Any) -> str:
        if ref in ids:
            return ref
        for prefix in (scope.prefix, scope.into_prefix):
            if ref.startswith(prefix) and ref[len(prefix) :] in ids:
                return str(ref[len(prefix) :])
        return ref

    for pos, scope in localised:
        agency, node, fields = entries[pos]
        members = {p: tuple(fix(m, scope) for m in ms) for p, ms in agency.members.items()}
        successor = fix(agency.successor, scope) if agency.successor else None
        entries[pos] = (replace(agency, members=MappingProxyType(members), successor=successor), node, fields)


def _catalogue_provinces(top: _Fields, report: Report) -> list[str]:
    """The province ids listed under ``catalogue:`` (names accepted; a pre-2025 province is an error naming its successor)."""
    from ..input import catalogue

    out = []
    for item in top.texts("catalogue", "các tỉnh lấy danh mục chuẩn"):
        pid = catalogue.find_province(item)
        node = top.value_node("catalogue")
        if pid is not None and pid in catalogue.mergers():
            new = catalogue.mergers()[pid]
            report.error(
                top.path,
                node,
                f"tỉnh '{item}' đã hợp nhất vào '{new}' từ {format_date(catalogue.merger_date())}",
                f"ghi '{new}'; các cơ quan cũ của tỉnh '{item}' ghi riêng trong 'agencies' với valid_to",
            )
        elif pid is None:
            names = {ascii_key(n): n for n in catalogue.province_names().values()}
            found = difflib.get_close_matches(ascii_key(item), list(names), n=1, cutoff=0.6)
            close = f"có phải ý bạn là '{names[found[0]]}'?" if found else None
            report.error(
                top.path,
                node,
                f"không có tỉnh, thành phố '{item}' trong 34 tỉnh, thành phố từ 01/07/2025",
                close or "ghi mã tỉnh, ví dụ 'dong-thap', hoặc tên, ví dụ 'Đồng Tháp'",
            )
        else:
            out.append(pid)
    return out


def _override(base: Agency, hand: Agency, fields: _Fields | None) -> Agency:
    """A catalogue entry with the fields a hand entry of the same id gives; aliases and members are added."""
    given = set(fields.items) if fields else set()
    changes: dict[str, Any] = {
        key: getattr(hand, key)
        for key in ("name", "short", "block", "requested", "province", "valid_from", "valid_to", "successor")
        if key in given
    }
    if "name" in given and "short" not in given:
        changes["short"] = hand.short
    changes["aliases"] = tuple(dict.fromkeys(base.aliases + hand.aliases))
    if base.is_group:
        changes["members"] = MappingProxyType({**base.members, **hand.members})
    return replace(base, **changes)


def _provinces(top: _Fields, report: Report) -> dict[str, str]:
    node = top.value_node("provinces")
    if node is None:
        return {}
    fields = _Fields(node, top.path, report, "danh sách tỉnh", [k.value for k, _ in getattr(node, "value", [])])
    out = {}
    for key, (knode, _) in fields.items.items():
        if not _ID.match(key):
            report.error(top.path, knode, f"mã tỉnh '{key}' chỉ được gồm chữ thường không dấu, chữ số và '-'")
        value = fields.text(key, "tên tỉnh", required=True)
        if value:
            out[key] = value
    return out


def _block(node: Node, path: str, report: Report) -> Block | None:
    fields = _Fields.of(node, path, report, BLOCK)
    if not fields.ok:
        return None
    block_id = fields.get("id")
    label = fields.get("name")
    return Block(block_id, label) if block_id and label else None


def _agency(
    node: Node,
    path: str,
    report: Report,
    is_group: bool,
    blocks: set[str],
    provinces: dict[str, str],
    block_names: dict[str, str] | None = None,
    known: Mapping[str, object] | None = None,
) -> tuple[Agency, Node, _Fields] | None:
    what = "nhóm cơ quan" if is_group else "cơ quan"
    fields = _Fields.of(node, path, report, AGENCY, "id", what)
    if not fields.ok:
        return None
    agency_id = fields.ident("id", f"mã {what}", required=True)
    overrides = (
        agency_id is not None and known is not None and agency_id in known
    )  # a catalogue entry: name and block optional
    label = fields.text("name", "tên đầy đủ", required=not overrides)
    block = fields.text("block", "khối", required=not overrides)
    if block and block not in blocks:
        named = (block_names or {}).get(match_key(block))
        if named:
            block = named
        else:
            report.error(
                path,
                fields.value_node("block"),
                f"khối '{block}' không có trong danh sách 'blocks'",
                _suggest(block, blocks) or f"các mã khối: {', '.join(sorted(blocks))}",
            )
    province = fields.get("province")
    if province and province not in provinces:
        province = _province_id(province, provinces, path, fields.value_node("province"), report)
    members = _members(fields, provinces) if is_group else {}
    if not is_group and fields.value_node("members") is not None:
        report.error(
            path,
            fields.value_node("members"),
            f"{fields.what} không phải nhóm nên không có 'members'",
            "chuyển mục này sang phần 'groups'",
        )
    if not (agency_id and ((label and block) or overrides)):
        return None
    agency = Agency(
        id=agency_id,
        name=label or "",
        short=fields.get("short") or label or "",
        block=block or "",
        requested=fields.get("requested"),
        aliases=fields.get("aliases"),
        members=MappingProxyType(members),
        is_group=is_group,
        province=province,
        valid_from=fields.get("valid_from"),
        valid_to=fields.get("valid_to"),
        successor=fields.get("successor"),
    )
    return agency, node, fields


def _province_id(
    written: str, provinces: Mapping[str, str], path: str, node: Node | None, report: Report
) -> str | None:
    """The id of a province written by id or by name ("Đồng Tháp", "tỉnh Đồng Tháp"); an error naming the ids otherwise."""
    from ..input import catalogue

    pid = catalogue.find_province(written)
    if pid is None:
        by_name = {match_key(n): k for k, n in provinces.items()}
        pid = by_name.get(match_key(written))
    if pid is not None and pid in provinces:
        return pid
    names = {ascii_key(n): n for n in provinces.values()}
    found = difflib.get_close_matches(ascii_key(written), list(names), n=1, cutoff=0.6)
    close = f"có phải ý bạn là '{names[found[0]]}'?" if found else None
    report.error(
        path,
        node,
        f"tỉnh '{written}' không có trong danh mục",
        (close + " " if close else "") + "ghi mã tỉnh (ví dụ 'dong-thap') hoặc tên tỉnh (ví dụ 'Đồng Tháp')",
    )
    return None


def _members(fields: _Fields, provinces: dict[str, str]) -> dict[str, tuple[str, ...]]:
    node = fields.value_node("members")
    if node is None:
        return {}
    if isinstance(node, yaml.SequenceNode):  # a plain list: members in any province
        return {ANY_PROVINCE: tuple(nfc(str(n.value)) for n in node.value)}
    keys = [k.value for k, _ in node.value] if isinstance(node, yaml.MappingNode) else []
    by_province = _Fields(node, fields.path, fields.report, f"thành viên của {fields.what}", keys)
    out: dict[str, tuple[str, ...]] = {}
    for key, (knode, _) in by_province.items.items():
        pid: str | None = key
        if key != ANY_PROVINCE and key not in provinces:
            pid = _province_id(key, provinces, fields.path, knode, fields.report)
        if pid:
            out[pid] = tuple(by_province.texts(key, "mã cơ quan thành viên"))
    return out


def _check_registry_links(entries: list[tuple[Agency, Node, _Fields | None]], path: str, report: Report) -> None:
    """Ids unique, members and successors known, no name shared by two bodies of one province."""
    ids: dict[str, Node] = {}
    for agency, node, _ in entries:
        if agency.id in ids:
            line = ids[agency.id].start_mark.line + 1
            report.error(path, node, f"mã cơ quan '{agency.id}' bị trùng (đã dùng ở dòng {line})")
        ids.setdefault(agency.id, node)
    unique_file_names([(agency.id, path, node) for agency, node, _ in entries], "mã cơ quan", "thư", report)
    owners: dict[tuple[str, str | None], Agency] = {}
    from .catalogue import unscoped

    reported: set[tuple[int, int, str]] = set()  # a hand entry copied into each province: one problem, said once
    for agency, node, fields in entries:

        def at(key: str, fields: _Fields | None = fields, node: Node = node) -> Node | None:
            """Where a field is written; a catalogue entry points at the 'catalogue:' key."""
            return fields.value_node(key) if fields else node

        for members in agency.members.values():
            for member in members:
                if member not in ids:
                    report.error(
                        path,
                        at("members"),
                        f"nhóm '{agency.id}' có thành viên '{member}' không có trong danh mục",
                        _suggest(member, ids),
                    )
                elif member == agency.id:
                    report.error(path, at("members"), f"nhóm '{agency.id}' không thể là thành viên của chính nó")
        if agency.successor and agency.successor not in ids:
            report.error(
                path,
                at("successor"),
                f"cơ quan kế thừa '{agency.successor}' không có trong danh mục",
                _suggest(agency.successor, ids),
            )
        if agency.valid_from and agency.valid_to and agency.valid_from > agency.valid_to:
            report.error(path, at("valid_to"), f"'{agency.id}': ngày hết hiệu lực trước ngày có hiệu lực")
        said = set()
        for label in agency.names():
            key = (match_key(label), agency.province)
            if key in said:  # the short name is the name unless written: one problem, said once
                continue
            said.add(key)
            other = owners.setdefault(key, agency)
            if other.id != agency.id and _overlap(other, agency):
                where = (node.start_mark.line, node.start_mark.column, key[0])
                if where in reported:
                    continue
                reported.add(where)
                report.error(
                    path,
                    node,
                    f"tên '{label}' của '{unscoped(agency.id)}' trùng với tên của '{unscoped(other.id)}'",
                    "mỗi tên hoặc tên gọi khác chỉ được thuộc về một cơ quan",
                )


def _overlap(a: Agency, b: Agency) -> bool:
    """Whether two bodies existed on a common day (one name may pass from an old body to a new one)."""
    start = max(a.valid_from or dt.date.min, b.valid_from or dt.date.min)
    end = min(a.valid_to or dt.date.max, b.valid_to or dt.date.max)
    return start <= end


def _suggest(value: str, choices: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f"có phải ý bạn là '{close[0]}'?" if close else None


def suggest_names(
    registry: Registry,
    name: str,
    limit: int = 3,
    province: str | None = None,
    on: dt.date | None = None,
    among: Iterable[Agency] | None = None,
) -> list[str]:
    """Registry names closest to ``name`` (spelling-, tone- and diacritic-tolerant), among bodies existing on ``on``
    in ``province`` (or among the bodies ``among``)."""
    by_ascii: dict[str, str] = {}
    sort = _sort_of(name)
    for agency in registry.valid_on(on, province) if among is None else among:
        for label in agency.names():
            if _sort_of(label) == sort:  # a ministry is never "close" to a commune's police
                by_ascii.setdefault(ascii_key(label), agency.name)
    close = difflib.get_close_matches(ascii_key(name), list(by_ascii), n=limit * 3, cutoff=0.55)
    seen: list[str] = []
    for key in close:
        if by_ascii[key] not in seen:
            seen.append(by_ascii[key])
    return seen[:limit]


_CENTRAL_WORDS = re.compile(r"\b(?:trung uong|chinh phu|quoc gia|toi cao|quoc hoi|viet nam|tong cong ty|tap doan)\b")
_COMMUNE_WORDS = re.compile(r"\b(?:xa|phuong|dac khu|thi tran)\b")
_DISTRICT_WORDS = re.compile(r"\b(?:huyen|quan|thi xa|cap huyen)\b")


def _sort_of(name: str) -> tuple[str, str]:
    """The level (central, province, district, commune) and the head word ("so", "cong", "bo", "uy"...) of a
    body's name: suggestions for a mistyped name come only from bodies of the same level and kind."""
    key = ascii_key(name)
    words = [w for w in re.split(r"[^a-z0-9]+", key) if w]
    while words and words[0] in ("cac", "ban", "thuong", "vu", "dang") and len(words) > 2:
        words = words[1:]  # "Các ...", "Ban Thường vụ Đảng ủy ..." name the body after them
    head = words[0] if words else ""
    if head == "bo" or _CENTRAL_WORDS.search(key):
        level = "central"
    elif _COMMUNE_WORDS.search(key):
        level = "commune"
    elif _DISTRICT_WORDS.search(key):
        level = "district"
    else:
        level = "province"
    return level, head


def did_you_mean(names: Iterable[str]) -> str | None:
    """ "có phải ý bạn là 'A' hoặc 'B'?" for the close names of :func:`suggest_names` (None when there are none)."""
    quoted = [f"'{n}'" for n in names]
    return f"có phải ý bạn là {' hoặc '.join(quoted)}?" if quoted else None


def today() -> dt.date:
    """The build's today (:func:`matrix.core.stamp.today`; one place, so tests can fix it)."""
    return stamp.today()


def defunct_message(registry: Registry, agency: Agency, written: str, on: dt.date | None) -> str:
    """ "'Sở Thông tin và Truyền thông' không còn từ 01/03/2025, nay là 'Sở Khoa học và Công nghệ'" (or "chỉ có từ ...")."""
    if on is not None and agency.valid_from is not None and on < agency.valid_from:
        return f"'{written}' chỉ có từ {format_date(agency.valid_from)}"
    ended = format_date(agency.valid_to + dt.timedelta(days=1)) if agency.valid_to else "?"
    now = registry.current(agency, on)
    if now is not None:
        return f"'{written}' không còn từ {ended}, nay là '{now.name}'"
    return f"'{written}' không còn từ {ended}"


def unknown_name_hint(registry: Registry, written: str, province: str | None, on: dt.date | None) -> str:
    """A hint for a name the registry lacks: close names existing then and there, and the YAML lines that add it."""
    suggestions = suggest_names(registry, written, province=province, on=on)
    lines = []
    block = registry.blocks[0].id if registry.blocks else "so-nganh"
    if suggestions:
        lines.append(did_you_mean(suggestions) or "")
        near = registry.scoped((a for a in registry.valid_on(on, province) if a.name == suggestions[0]), province, on)
        first = near[0] if near else next(a for a in registry.agencies if a.name == suggestions[0])
        block = first.block
        lines.append(
            f"nếu đó là tên khác của '{first.name}', thêm vào mục 'agencies' của co-quan.yaml:\n"
            f"  - id: {first.id}\n    aliases:\n      - {written}"
        )
    new = f"  - id: {slugify(written)}\n    name: {written}\n    block: {block}"
    if province:
        new += f"\n    province: {province}"
    lines.append(f"nếu là cơ quan mới, thêm vào mục 'agencies' của co-quan.yaml:\n{new}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- directives


class _DirectiveReader:
    def __init__(
        self, path: Path, registry: Registry, report: Report, unknown: Unknown, unresolved: Unresolved, kept: Report
    ) -> None:
        self.path, self.name = path, str(path)
        self.registry, self.report = registry, report
        self.keep = unknown is Unknown.KEEP
        self.unresolved, self.kept = unresolved, kept
        self.warned: set[str] = set()
        self.province: str | None = None
        self.on: dt.date | None = None
        self.undated = False
        self.directive_id = path.stem
        self.task_ids: dict[str, Node] = {}
        self.issued: dt.date | None = None

    def read(self, data: bytes | None = None) -> Directive | None:
        """The directive of the file (``data``: its bytes, read already), or None when it has errors."""
        root = compose(self.path, self.report, data)
        if root is None:
            return None
        fields = _Fields.of(root, self.name, self.report, DIRECTIVE, "id")
        if not fields.ok:
            return None
        directive_id = fields.get("id")
        if directive_id:
            self.directive_id = directive_id
            self.id_node = fields.value_node("id")
            if directive_id != self.path.stem and not self.keep:
                self.report.warn(
                    self.name,
                    fields.value_node("id"),
                    f"mã văn bản '{directive_id}' khác tên tệp '{self.path.name}'",
                    f"nên đặt tên tệp là '{directive_id}.yaml'",
                )
        self.province = fields.get("province")
        if self.province and self.province not in self.registry.provinces:
            self.province = _province_id(
                self.province, self.registry.provinces, self.name, fields.value_node("province"), self.report
            )
        issuer = self._issuer(fields)
        signer = self._signer(fields)
        kind = fields.get("kind")
        title = fields.get("title")
        date = fields.get("date")
        as_of = fields.get("as_of")
        self.on = date or as_of
        self.undated = self.on is None
        if self.on is None:
            self.on = today()
            self.report.warn(
                self.name,
                root,
                f"văn bản '{self.directive_id}' không ghi ngày: tên cơ quan được đối chiếu theo danh mục hôm nay ({format_date(self.on)})",
                "thêm 'date' (ngày ban hành) hoặc 'as_of' (ngày đối chiếu, khi văn bản không ghi ngày)",
            )
        self.issued = date
        task_nodes = fields.get("tasks")
        if (
            fields.value_node("tasks") is not None
            and not task_nodes
            and isinstance(fields.value_node("tasks"), yaml.SequenceNode)
        ):
            self.report.error(self.name, fields.value_node("tasks"), f"{fields.what} chưa có nhiệm vụ nào")
        read = [(self._task(n, None, i), n) for i, n in enumerate(task_nodes, 1)]
        tasks = tuple(t for t, _ in read if t)
        self._warn_unassigned(list(zip(TaskTree(tasks).roots, [n for t, n in read if t], strict=True)))
        if not (directive_id and kind and title and issuer) or self.report.has_errors:
            return None
        return Directive(
            id=directive_id,
            kind=kind,
            title=title,
            issuer=issuer,
            tasks=tasks,
            number=fields.get("number"),
            symbol=fields.get("symbol"),
            date=date,
            as_of=as_of,
            ended=fields.get("ended"),
            place=fields.get("place"),
            province=self.province,
            signer=signer,
            recipients=fields.get("recipients"),
            distribution=fields.get("distribution"),
            preamble=fields.get("preamble"),
            closing=fields.get("closing"),
            notes=fields.get("notes"),
        )

    def _issuer(self, parent: _Fields) -> Issuer | None:
        node = parent.value_node("issuer")
        if node is None:
            parent.missing("issuer", parent.label("issuer"))
            return None
        fields = _Fields.of(node, self.name, self.report, ISSUER)
        if not fields.ok:
            return None
        label = fields.get("name")
        raw_kind = fields.get("kind")
        kind = _ISSUER_KINDS.get(match_key(raw_kind)) or _ISSUER_KINDS.get(ascii_key(raw_kind)) if raw_kind else None
        if raw_kind and kind is None:
            self.report.error(
                self.name,
                fields.value_node("kind"),
                f"loại cơ quan ban hành '{raw_kind}' không hợp lệ",
                "chỉ dùng 'nhà nước' hoặc 'đảng'",
            )
        if not (label and kind):
            return None
        return Issuer(label, kind, fields.get("header"), fields.get("short"))

    def _signer(self, parent: _Fields) -> Signer:
        node = parent.value_node("signer")
        if node is None:
            return Signer()
        fields = _Fields.of(node, self.name, self.report, SIGNER)
        signer = Signer(fields.get("authority"), fields.get("title"), fields.get("name"))
        if signer.title and any(match_key(line) == match_key(signer.title) for line in signer.authority):
            # "authority: [TM. ỦY BAN NHÂN DÂN, CHỦ TỊCH]" with "title: CHỦ TỊCH" prints "CHỦ TỊCH" twice
            self.report.warn(
                self.name,
                fields.value_node("authority") or node,
                f"thẩm quyền ký lặp lại chức vụ '{signer.title}': chữ ký sẽ in chức vụ hai lần",
                "'authority' chỉ ghi dòng TM., KT., TL., T/M (ví dụ [TM. ỦY BAN NHÂN DÂN, KT. CHỦ TỊCH]); "
                "chức vụ ghi ở 'title'",
            )
        return signer

    def _task(self, node: Node, parent: str | None, position: int) -> Task | None:
        fields = _Fields.of(node, self.name, self.report, TASK, "id")
        if not fields.ok:
            return None
        task_id = fields.get("id")
        if task_id is None:
            if parent is None:
                fields.missing("id", 'số thứ tự của mục, ví dụ "1" hoặc "cuối-1"')
                return None
            task_id = f"{parent}-{position}"
        fields.what = f"nhiệm vụ '{task_id}'"
        if task_id in self.task_ids:
            line = self.task_ids[task_id].start_mark.line + 1
            self.report.error(
                self.name,
                fields.value_node("id") or node,
                f"mã nhiệm vụ '{task_id}' bị trùng trong văn bản '{self.directive_id}' (đã dùng ở dòng {line})",
                "mỗi mục cần một số thứ tự riêng",
            )
        self.task_ids.setdefault(task_id, node)
        text = fields.get("text")
        subtasks = tuple(t for t in (self._task(n, task_id, i) for i, n in enumerate(fields.get("tasks"), 1)) if t)
        due = self._due(fields)
        deadline, report = fields.get("deadline"), fields.get("report")
        if not due:
            self._check_schedule(fields, "deadline", deadline)
        self._check_schedule(fields, "report", report)
        return Task(
            id=task_id,
            text=text or "",
            assignments=self._assignments(fields),
            tasks=subtasks,
            title=fields.get("title"),
            deadline=deadline,
            report=report,
            targets=fields.get("targets"),
            notes=fields.get("notes"),
            due=due,
        )

    def _due(self, task: _Fields) -> tuple[dt.date, ...]:
        """``due``: one date or a list of dates that override the dates read from ``deadline``."""
        node = task.value_node("due")
        if node is None:
            return ()
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        dates = []
        for item in items:
            if not isinstance(item, yaml.ScalarNode) or _is_null(item):
                self.report.error(
                    self.name,
                    item,
                    f"mỗi mục của 'due' (hạn hoàn thành) của {task.what} phải là một ngày",
                    "viết dạng YYYY-MM-DD hoặc dd/mm/yyyy, ví dụ due: 2025-12-15",
                )
                continue
            date = parse_date(item, self.name, self.report, f"'due' (hạn hoàn thành) của {task.what}")
            if date is not None:
                dates.append(date)
        return tuple(sorted(set(dates)))

    def _check_schedule(self, task: _Fields, name: str, text: str | None) -> None:
        """Warn about a ``deadline``/``report`` text that gives no date and is not open-ended on purpose."""
        from ..core.deadlines import read_schedule

        if not text:
            return
        schedule = read_schedule(text, self.issued)
        if schedule.has_dates or (schedule.understood and schedule.open_ended):
            return
        label = "thời hạn" if name == "deadline" else "chế độ báo cáo"
        hint = (
            "ghi thêm 'due: YYYY-MM-DD' cho nhiệm vụ"
            if name == "deadline"
            else "viết rõ ngày, ví dụ 'hằng quý, trước ngày 15 của tháng cuối quý'"
        )
        if schedule.understood is False and self.issued is None:
            hint += "; nếu thời hạn tính từ ngày ban hành, hãy ghi 'date' của văn bản"
        self.report.warn(
            self.name,
            task.value_node(name),
            f"{task.what}: không hiểu {label} '{text}', sẽ không theo dõi hạn này",
            hint,
        )

    def _assignments(self, task: _Fields) -> tuple[Assignment, ...]:
        node = task.value_node("assign")
        if node is None:
            return ()
        keys = [k.value for k, _ in node.value] if isinstance(node, yaml.MappingNode) else []
        fields = _Fields(node, self.name, self.report, f"phân công của {task.what}", keys, names=True)
        out: list[Assignment] = []
        seen: dict[str, tuple[Role, str]] = {}
        for key, (knode, _) in fields.items.items():
            role = _ROLE_KEYS.get(match_key(key)) or _ROLE_KEYS.get(ascii_key(key))
            if role is None:
                self.report.error(
                    self.name, knode, f"vai trò '{key}' không hợp lệ", "chỉ dùng 'chủ trì', 'phối hợp' hoặc 'thực hiện'"
                )
                continue
            for written, item in fields.texts_at(key, f"cơ quan {role.value}"):
                agency = self._resolve(written, item, task.what)
                if agency is None:
                    continue
                if agency.id in seen:
                    prior_role, prior = seen[agency.id]
                    self.report.error(
                        self.name,
                        item,
                        f"{task.what}: '{written}' đã được phân công ({prior_role.value}, '{prior}')",
                        "mỗi cơ quan chỉ có một vai trò trong một nhiệm vụ",
                    )
                    continue
                seen[agency.id] = (role, written)
                out.append(Assignment(agency.id, role, written))
        return tuple(out)

    def _resolve(self, written: str, node: Node, what: str) -> Agency | None:
        """The body ``written`` names in the directive's province on its date (see :meth:`Registry.lookup`)."""
        found = self.registry.lookup(written, self.province, self.on)
        if found.agency is not None:
            return found.agency
        if len(found.found) > 1:
            self.report.error(
                self.name,
                node,
                f"{what}: tên '{written}' ứng với nhiều cơ quan ({', '.join(a.id for a in found.found)})",
                "hãy ghi 'province' của văn bản hoặc dùng tên đầy đủ hơn",
            )
            return None
        if found.defunct and self.keep:  # a draft keeps the body it names, and says it is gone
            if match_key(written) not in self.warned:
                self.warned.add(match_key(written))
                self.kept.warn(
                    self.name,
                    node,
                    f"{what}: {defunct_message(self.registry, found.defunct[0], written, self.on)}, "
                    "tạm giữ nguyên tên như đã viết",
                    f"văn bản ngày {format_date(self.on)}" if self.on else None,
                )
            return found.defunct[0]
        if found.defunct and self.undated:  # the text may predate the change: say so, keep the body it names
            self.report.warn(
                self.name,
                node,
                f"{what}: {defunct_message(self.registry, found.defunct[0], written, self.on)}",
                "văn bản không ghi ngày; nếu văn bản ban hành khi cơ quan này còn tồn tại, thêm 'as_of' "
                "(ngày đối chiếu), nếu không hãy dùng tên cơ quan hiện nay",
            )
            return found.defunct[0]
        if found.defunct:
            self.report.error(
                self.name,
                node,
                f"{what}: {defunct_message(self.registry, found.defunct[0], written, self.on)}",
                f"văn bản ngày {format_date(self.on)}" if self.on else None,
            )
            return None
        message = f"{what}: cơ quan '{written}' không có trong danh mục"
        hint = unknown_name_hint(self.registry, written, self.province, self.on)
        if self.keep:
            if match_key(written) not in self.warned:  # one warning per name and file, at its first place
                self.warned.add(match_key(written))
                self.kept.warn(self.name, node, f"{message}, tạm giữ nguyên tên như đã viết", hint)
            return self.unresolved.agency(written)
        self.report.error(self.name, node, message, hint)
        return None

    def _warn_unassigned(self, tasks: list[tuple[TaskNode, Node]]) -> None:
        """Warn about tasks nobody is assigned to, and tasks with partners but no lead."""
        for tree_node, node in tasks:
            task, effective = tree_node.task, tree_node.in_force
            sub = _peek_node(node, "tasks")
            # A sub-task is read from every mapping node of its list (it needs no id), so the two align.
            sub_nodes = (
                [n for n in sub.value if isinstance(n, yaml.MappingNode)] if isinstance(sub, yaml.SequenceNode) else []
            )
            written = _peek_node(node, "assign") is not None  # names written but not resolved: already an error
            if not effective and not written and not any(t.assignments for sub in task.tasks for t, _ in sub.walk()):
                self.report.warn(
                    self.name,
                    node,
                    f"nhiệm vụ '{task.id}' chưa được giao cho cơ quan nào",
                    "thêm mục 'assign' nếu văn bản có nêu cơ quan",
                )
            elif task.assignments and not any(a.role in (Role.LEAD, Role.DOER) for a in effective):
                self.report.warn(
                    self.name, node, f"nhiệm vụ '{task.id}' có cơ quan phối hợp nhưng không có cơ quan chủ trì"
                )
            self._warn_unassigned(list(zip(tree_node.children, sub_nodes, strict=True)))


# --------------------------------------------------------------------------- corpus


def find_registry(paths: Iterable[Path]) -> Path | None:
    """The registry next to the inputs: in a given folder, beside a given file, or ./input/."""
    for path in paths:
        folder = path if path.is_dir() else path.parent
        if (folder / REGISTRY_FILE).is_file():
            return folder / REGISTRY_FILE
    default = Path("input") / REGISTRY_FILE
    return default if default.is_file() else None


def directive_files(paths: Iterable[Path], report: Report) -> list[Path]:
    """The directive files among ``paths`` (folders give their *.yaml, registry excluded)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            try:
                names = os.listdir(path)  # glob would hide a folder that cannot be opened
            except OSError as exc:
                report.error(str(path), None, f"không mở được thư mục: {os_message(exc)}")
                continue
            files.extend(
                sorted(
                    path / n
                    for n in names
                    if n != REGISTRY_FILE and not n.startswith(".") and Path(n).suffix in (".yaml", ".yml")
                )
            )
        elif path.is_file():
            if path.name != REGISTRY_FILE:
                files.append(path)
        else:
            report.error(str(path), None, "không tìm thấy tệp hoặc thư mục này")
    return files


def _locate_registry(paths: list[Path], registry_path: Path | None, report: Report) -> Path | None:
    """The registry to use: the one given, else :func:`find_registry`; a problem when there is none."""
    found = registry_path or find_registry(paths)
    if found is None:
        report.error(
            str(paths[0] if paths else "input"),
            None,
            f"không tìm thấy danh mục cơ quan '{REGISTRY_FILE}'",
            "đặt co-quan.yaml trong thư mục input/ hoặc dùng tùy chọn --registry",
        )
    return found


_PROVINCE_LINE = re.compile(r"^province:[ \t]*[\"']?([^\"'#\n]+)", re.MULTILINE)


def _standard_registry(paths: list[Path], files: list[Path], report: Report) -> Registry:
    """No ``co-quan.yaml`` beside the inputs: the names are read with the standard catalogue of the provinces
    the files name (and the central bodies), as ``matrix draft`` read them; said once as a warning."""
    from .catalogue import find_province, mergers, standard_registry

    named = []
    for file in files:
        try:
            head = file.read_text(encoding="utf-8-sig", errors="replace")[:20000]
        except OSError:
            continue  # the directive reader reports it
        found = _PROVINCE_LINE.search(head)
        if found:
            named.append(found.group(1).strip())
    registry = standard_registry(named)
    known = {mergers().get(p, p) for p in (find_province(n) for n in named) if p}
    where = ", ".join(sorted(registry.provinces[p] for p in known if p in registry.provinces))
    report.warn(
        str(paths[0] if paths else "input"),
        None,
        f"không thấy danh mục cơ quan '{REGISTRY_FILE}': tên cơ quan được đối chiếu với danh mục chuẩn"
        + (f" của {where}" if where else "")
        + " và các cơ quan Trung ương",
        "đặt co-quan.yaml trong thư mục input/ (matrix registry init) hoặc dùng tùy chọn --registry",
    )
    return registry


def open_registry(paths: Iterable[Path], registry_path: Path | None = None) -> Registry:
    """The registry for ``paths`` (see :func:`find_registry`), or :class:`InputError` with every problem."""
    report = Report()
    found = _locate_registry(list(paths), registry_path, report)
    registry = load_registry(found, report) if found else None
    if registry is None:
        raise InputError(report.problems)
    return registry


def load_corpus(
    paths: Iterable[Path],
    registry_path: Path | None = None,
    unknown: Unknown = Unknown.ERROR,
    *,
    registry: Registry | None = None,
    cache: DirectiveCache | None = None,
) -> LoadResult:
    """Load the registry and every directive under ``paths``; gather all problems.

    ``unknown`` says what a name missing from the registry is: an error, or
    (:attr:`Unknown.KEEP`, drafts) kept as written under a placeholder agency.
    ``registry``, when given, is used as it is (the drafter checks its draft with the registry it drafted with).
    ``cache``: the directives loaded by earlier builds (:mod:`matrix.input.cache`), read back instead of files
    that did not change (with :attr:`Unknown.ERROR` only: kept names are numbered across files).
    """
    paths = list(paths)
    report = Report()
    if registry is not None:
        files = directive_files(paths, report)
    elif registry_path is None and find_registry(paths) is None:
        files = directive_files(paths, report)
        registry = _standard_registry(paths, files, report)
    else:
        registry_path = _locate_registry(paths, registry_path, report)
        if registry_path is None:
            return LoadResult(None, report.problems)
        registry = load_registry(registry_path, report)
        files = directive_files(paths, report)
    if not files and not report.has_errors:
        report.error(str(paths[0]) if paths else "input", None, "không có tệp văn bản (.yaml) nào để xử lý")
    if registry is None:
        return LoadResult(None, report.problems, files)
    directives: list[Directive] = []
    unresolved, kept = Unresolved(), Report()
    seen: dict[str, Path] = {}
    named: list[tuple[str, str, Node | None]] = []
    ready = _read_spread(files, registry, cache) if cache is not None and unknown is Unknown.ERROR else None
    for file in files:
        if cache is not None and unknown is Unknown.ERROR:
            directive, id_node = _read_cached(file, registry, report, cache, ready)
        else:
            reader = _DirectiveReader(file, registry, report, unknown, unresolved, kept)
            directive, id_node = reader.read(), getattr(reader, "id_node", None)
        if directive is None:
            continue
        if directive.id in seen:
            report.error(str(file), None, f"mã văn bản '{directive.id}' trùng với tệp {seen[directive.id]}")
            continue
        seen[directive.id] = file
        named.append((directive.id, str(file), id_node))
        directives.append(directive)
    unique_file_names(named, "mã văn bản", "thư mục kết quả", report, reserved=("tong-hop",))
    if report.has_errors:
        return LoadResult(None, report.problems, files, kept.problems)
    return LoadResult(Corpus(unresolved.registry(registry), tuple(directives)), report.problems, files, kept.problems)


def _read_cached(
    file: Path, registry: Registry, report: Report, cache: DirectiveCache, ready: Mapping[str, Loaded] | None = None
) -> tuple[Directive | None, Node | None]:
    """What :class:`_DirectiveReader` makes of ``file`` (the directive, the node of its ``id``), its problems added to
    ``report``: read back from ``cache`` when the file, the registry and the loader are those of an entry, else read
    and kept there. As the reader does, no directive once ``report`` holds an error (of this file or another).
    ``ready``: the files this process has just read (:func:`_read_spread`), by their entries' keys."""
    from .cache import remember

    data = read_bytes(file, report)
    if data is None:
        return None, None
    key, day = cache.key(file, data, registry), today()
    found = ready.get(key) if ready else None
    if found is not None:
        cache.found(False)  # read anew (and kept) by this load
    else:
        found = cache.get(key, day)
    if found is None:
        found = _read_anew(file, data, registry, day, cache.folder is not None)
        cache.put(key, found)
    report.problems.extend(found.problems)
    if found.directive is None or report.has_errors:
        return None, None
    if found.content is not None:
        remember(found.directive, found.content)
    mark = None
    if found.id_at is not None:
        line, column = found.id_at
        at = yaml.Mark(str(file), 0, line - 1, column - 1, None, 0)
        mark = yaml.ScalarNode("tag:yaml.org,2002:str", found.directive.id, at, at)
    return found.directive, mark


def _read_anew(file: Path, data: bytes, registry: Registry, day: dt.date, digest: bool) -> Loaded:
    """What the loader makes of ``file`` (its bytes ``data``) alone, as a cache entry keeps it (``digest``: with
    the SHA-256 of the directive's content, :func:`cache.content`)."""
    from .cache import Loaded, written

    own = Report()  # this file's problems alone: the entry must not depend on the files read before it
    reader = _DirectiveReader(file, registry, own, Unknown.ERROR, Unresolved(), Report())
    directive = reader.read(data)
    node: Node | None = getattr(reader, "id_node", None)
    text, made = written(directive) if directive is not None and digest else (None, None)
    return Loaded(directive, tuple(own.problems), position(node) if node else None, reader.undated, day, made, text)


SPREAD_FILES = 12  # the fewest directive files read anew worth a process of their own (a fork, an entry decoded)
_PARENT_SHARE = 0.85  # this process's share of the reading against a helper's: it then decodes the helpers' entries


def _read_spread(files: Sequence[Path], registry: Registry, cache: DirectiveCache) -> dict[str, Loaded]:
    """The directive files ``cache`` holds no entry for, read by several processes at once (a build's first load
    reads every file: 1.3 s of CPU for 300 files, while the build's workers are not started yet): helper processes
    forked here each read a share and keep its entries in ``cache`` (to be read back by the load like any entry,
    :meth:`cache.DirectiveCache.get`: the same directives and problems as if this process had read them), this
    process reads its own share meanwhile, returned by the entries' keys. Nothing is spread (an empty answer) with
    one core or one job (``cache.jobs``), without fork (Windows), in a daemonic process (a pool's worker) or with
    fewer than ``2 * SPREAD_FILES`` files to read. Stopped (Ctrl+C), the helpers are ended; they ignore Ctrl+C and
    die with this process (Linux)."""
    import multiprocessing as mp

    if cache.folder is None:
        return {}
    processes = cache.jobs or os.cpu_count() or 1
    if processes < 2 or "fork" not in mp.get_all_start_methods() or mp.current_process().daemon:
        return {}  # (a daemonic process may not have children)
    missing: list[tuple[Path, bytes, str]] = []
    for file in files:
        data = read_bytes(file, Report())  # its problems are told by the load itself
        if data is not None:
            key = cache.key(file, data, registry)
            if not cache.holds(key):
                missing.append((file, data, key))
    processes = min(processes, len(missing) // SPREAD_FILES)
    if processes < 2:
        return {}
    # the longest first, each to the process with the least to read for its share (this one: index 0)
    shares: list[list[tuple[Path, bytes, str]]] = [[] for _ in range(processes)]
    loads = [0.0] * processes
    for item in sorted(missing, key=lambda m: len(m[1]), reverse=True):
        least = min(range(processes), key=lambda i: loads[i] / (_PARENT_SHARE if i == 0 else 1.0))
        shares[least].append(item)
        loads[least] += len(item[1])
    day = today()
    helpers = [
        mp.get_context("fork").Process(target=_keep_share, args=(share, registry, cache, day), daemon=True)
        for share in shares[1:]
    ]
    try:
        for helper in helpers:
            helper.start()
        mine: dict[str, Loaded] = {}
        for file, data, key in shares[0]:
            mine[key] = _read_anew(file, data, registry, day, True)
            cache.put(key, mine[key])
        for helper in helpers:
            helper.join()
    finally:
        for helper in helpers:
            if helper.is_alive():
                helper.terminate()
                helper.join()
    cache.spread({key for share in shares[1:] for _, _, key in share})
    return mine


def _keep_share(share: list[tuple[Path, bytes, str]], registry: Registry, cache: DirectiveCache, day: dt.date) -> None:
    """In a helper process of :func:`_read_spread`: read each file of ``share`` and keep its entry in ``cache``."""
    from ..files.children import forked_child

    forked_child()
    for file, data, key in share:
        cache.put(key, _read_anew(file, data, registry, day, True))


__all__ = [
    "UNRESOLVED_BLOCK",
    "LoadResult",
    "Unknown",
    "Unresolved",
    "find_registry",
    "is_unresolved",
    "load_corpus",
    "load_registry",
    "open_registry",
    "suggest_names",
]


def unique_file_names(
    ids: list[tuple[str, str, Node | None]], label: str, what: str, report: Report, reserved: tuple[str, ...] = ()
) -> None:
    """Ids that would give one output file name (``cong-an-tinh`` / ``cong-an-tinh-``, ``a--b`` / ``a-b``)
    or a reserved one (``tong-hop``) are errors naming both ids and their lines."""
    owners: dict[str, tuple[str, str, Node | None]] = {}
    for ident, path, node in ids:
        name = safe_filename(ident)
        if name in reserved:
            report.error(
                path,
                node,
                f"{label} '{ident}' cho tên {what} '{name}', tên này dành cho kết quả tổng hợp",
                "hãy đổi mã khác",
            )
            continue
        if name in owners and owners[name][0] != ident:
            other, other_path, other_node = owners[name]
            line = position(other_node)[0]
            where = f"{other_path}:{line}" if line else other_path
            report.error(
                path,
                node,
                f"{label} '{ident}' và '{other}' ({where}) cho cùng một tên {what} '{name}'",
                "hãy đổi một trong hai mã để mỗi mã cho một tệp riêng",
            )
        owners.setdefault(name, (ident, path, node))


def draft_registry(source: Path, registry: Path | None) -> tuple[Registry, bool]:
    """The registry ``matrix draft`` reads ``source``'s names with, and whether it is the standard one: the
    ``--registry`` file, else ``co-quan.yaml`` beside the file or in input/, else the standard catalogue (the
    drafter takes the catalogue of the province the text names; ``matrix validate`` reads the draft the same way)."""
    from .catalogue import standard_registry

    if registry is None and find_registry([source]) is None:
        return standard_registry(), True
    return open_registry([source], registry), False
