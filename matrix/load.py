"""Load and validate the registry and directive files into the model.

Every problem is collected with its file, line and column before anything is
returned, so a clerk sees all mistakes at once. Readers know YAML; the model
they produce knows nothing of files.
"""
from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Iterable

import yaml

from .errors import InputError, Problem, os_message
from .model import (
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
)
from .text import ascii_key, match_key, nfc, safe_filename, slugify
from .yamlio import Report, compose, position

REGISTRY_FILE = "co-quan.yaml"
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_DATE_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ROLE_KEYS = {match_key(r.value): r for r in Role} | {ascii_key(r.value): r for r in Role}
_ISSUER_KINDS = {match_key(k.value): k for k in IssuerKind} | {ascii_key(k.value): k for k in IssuerKind}

Node = yaml.Node


@dataclass
class LoadResult:
    """What loading produced: the corpus (None when there are errors) and every problem."""

    corpus: Corpus | None
    problems: list[Problem] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    def require(self) -> Corpus:
        """The corpus, or :class:`InputError` with every problem."""
        if self.corpus is None:
            raise InputError(self.problems)
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

    def __init__(self, node: Node, path: str, report: Report, what: str, known: Iterable[str], label_key: str | None = None) -> None:
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
            self.report.error(self.path, node, f"'{name}' ({label}) của {self.what} phải là một đoạn văn bản, không phải danh sách hay bảng")
            return None
        value = nfc(node.value).strip()
        if not value:
            if required:
                self.report.error(self.path, node, f"'{name}' ({label}) của {self.what} đang để trống")
            return None
        return value

    def texts(self, name: str, label: str) -> tuple[str, ...]:
        node = self.value_node(name)
        if node is None:
            return ()
        if isinstance(node, yaml.ScalarNode):
            return (nfc(node.value).strip(),) if node.value.strip() else ()
        if not isinstance(node, yaml.SequenceNode):
            self.report.error(self.path, node, f"'{name}' ({label}) của {self.what} phải là danh sách các dòng")
            return ()
        out = []
        for item in node.value:
            if isinstance(item, yaml.ScalarNode) and not _is_null(item):
                out.append(nfc(item.value).strip())
            else:
                self.report.error(self.path, item, f"mỗi mục của '{name}' ({label}) phải là một dòng văn bản")
        return tuple(t for t in out if t)

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
            self.report.error(self.path, self.value_node(name), f"mã '{value}' ({label}) chỉ được gồm chữ thường không dấu, chữ số và dấu '-'",
                              f"ví dụ: '{slugify(value)}'")
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
    """A date written YYYY-MM-DD or dd/mm/yyyy; impossible dates are errors."""
    raw = str(node.value).strip()
    match = _DATE_DMY.match(raw)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return dt.date(year, month, day)
        return dt.date.fromisoformat(raw)
    except ValueError:
        report.error(path, node, f"{label}: ngày '{raw}' không tồn tại hoặc sai định dạng",
                     "viết dạng YYYY-MM-DD, ví dụ 2024-12-27, hoặc 27/12/2024")
        return None


# --------------------------------------------------------------------------- registry

_BLOCK_KEYS = ("id", "name")
_AGENCY_KEYS = ("id", "name", "short", "block", "requested", "aliases", "province", "valid_from", "valid_to", "successor", "members")


def load_registry(path: Path, report: Report) -> Registry | None:
    """Read and check the agency registry file."""
    name = str(path)
    root = compose(path, report)
    if root is None:
        return None
    top = _Fields(root, name, report, "danh mục cơ quan", ("provinces", "blocks", "agencies", "groups"))
    if not top.ok:
        return None
    provinces = _provinces(top, report)
    blocks = [_block(n, name, report) for n in top.sequence("blocks", "khối", required=True)]
    block_ids = {b.id for b in blocks if b}
    entries: list[tuple[Agency, Node, _Fields]] = []
    for section, is_group in (("agencies", False), ("groups", True)):
        for node in top.sequence(section, "cơ quan" if not is_group else "nhóm cơ quan", required=not is_group):
            item = _agency(node, name, report, is_group, block_ids, provinces)
            if item:
                entries.append(item)
    _check_registry_links(entries, name, report)
    if report.has_errors:
        return None
    return Registry(tuple(b for b in blocks if b), tuple(a for a, _, _ in entries), MappingProxyType(provinces))


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
    fields = _Fields(node, path, report, "khối", _BLOCK_KEYS)
    if not fields.ok:
        return None
    block_id = fields.ident("id", "mã khối", required=True)
    label = fields.text("name", "tên khối", required=True)
    return Block(block_id, label) if block_id and label else None


def _agency(node: Node, path: str, report: Report, is_group: bool, blocks: set[str], provinces: dict[str, str]) -> tuple[Agency, Node, _Fields] | None:
    what = "nhóm cơ quan" if is_group else "cơ quan"
    fields = _Fields(node, path, report, what, _AGENCY_KEYS, "id")
    if not fields.ok:
        return None
    agency_id = fields.ident("id", f"mã {what}", required=True)
    label = fields.text("name", "tên đầy đủ", required=True)
    block = fields.text("block", "khối", required=True)
    if block and block not in blocks:
        report.error(path, fields.value_node("block"), f"khối '{block}' không có trong danh sách 'blocks'", _suggest(block, blocks))
    province = fields.text("province", "tỉnh")
    if province and province not in provinces:
        report.error(path, fields.value_node("province"), f"tỉnh '{province}' không có trong 'provinces'", _suggest(province, provinces))
    members = _members(fields, provinces) if is_group else {}
    if not is_group and fields.value_node("members") is not None:
        report.error(path, fields.value_node("members"), f"{fields.what} không phải nhóm nên không có 'members'", "chuyển mục này sang phần 'groups'")
    if not (agency_id and label and block):
        return None
    agency = Agency(
        id=agency_id,
        name=label,
        short=fields.text("short", "tên ngắn") or label,
        block=block,
        requested=fields.flag("requested", "chỉ được đề nghị"),
        aliases=fields.texts("aliases", "tên gọi khác"),
        members=MappingProxyType(members),
        is_group=is_group,
        province=province,
        valid_from=fields.date("valid_from", "có hiệu lực từ"),
        valid_to=fields.date("valid_to", "có hiệu lực đến"),
        successor=fields.text("successor", "cơ quan kế thừa"),
    )
    return agency, node, fields


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
        if key != ANY_PROVINCE and key not in provinces:
            fields.report.error(fields.path, knode, f"tỉnh '{key}' không có trong 'provinces'", _suggest(key, provinces))
        out[key] = tuple(by_province.texts(key, "mã cơ quan thành viên"))
    return out


def _check_registry_links(entries: list[tuple[Agency, Node, _Fields]], path: str, report: Report) -> None:
    """Ids unique, members and successors known, no name shared by two bodies of one province."""
    ids: dict[str, Node] = {}
    for agency, node, _ in entries:
        if agency.id in ids:
            line = ids[agency.id].start_mark.line + 1
            report.error(path, node, f"mã cơ quan '{agency.id}' bị trùng (đã dùng ở dòng {line})")
        ids.setdefault(agency.id, node)
    unique_file_names([(agency.id, path, node) for agency, node, _ in entries], "mã cơ quan", "thư", report)
    owners: dict[tuple[str, str | None], Agency] = {}
    for agency, node, fields in entries:
        for members in agency.members.values():
            for member in members:
                if member not in ids:
                    report.error(path, fields.value_node("members"), f"nhóm '{agency.id}' có thành viên '{member}' không có trong danh mục",
                                 _suggest(member, ids))
                elif member == agency.id:
                    report.error(path, fields.value_node("members"), f"nhóm '{agency.id}' không thể là thành viên của chính nó")
        if agency.successor and agency.successor not in ids:
            report.error(path, fields.value_node("successor"), f"cơ quan kế thừa '{agency.successor}' không có trong danh mục", _suggest(agency.successor, ids))
        if agency.valid_from and agency.valid_to and agency.valid_from > agency.valid_to:
            report.error(path, fields.value_node("valid_to"), f"'{agency.id}': ngày hết hiệu lực trước ngày có hiệu lực")
        for label in agency.names():
            key = (match_key(label), agency.province)
            other = owners.setdefault(key, agency)
            if other.id != agency.id:
                report.error(path, node, f"tên '{label}' của '{agency.id}' trùng với tên của '{other.id}'",
                             "mỗi tên hoặc tên gọi khác chỉ được thuộc về một cơ quan")


def _suggest(value: str, choices: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f"có phải ý bạn là '{close[0]}'?" if close else None


def suggest_names(registry: Registry, name: str, limit: int = 3) -> list[str]:
    """Registry names closest to ``name`` (spelling-, tone- and diacritic-tolerant)."""
    by_ascii: dict[str, str] = {}
    for agency in registry.agencies:
        for label in agency.names():
            by_ascii.setdefault(ascii_key(label), agency.name)
    close = difflib.get_close_matches(ascii_key(name), list(by_ascii), n=limit * 3, cutoff=0.55)
    seen: list[str] = []
    for key in close:
        if by_ascii[key] not in seen:
            seen.append(by_ascii[key])
    return seen[:limit]


# --------------------------------------------------------------------------- directives

_DIRECTIVE_KEYS = ("id", "kind", "number", "symbol", "date", "place", "province", "issuer", "title", "signer",
                   "recipients", "distribution", "preamble", "closing", "notes", "tasks")
_ISSUER_KEYS = ("name", "kind", "header", "short")
_SIGNER_KEYS = ("authority", "title", "name")
_TASK_KEYS = ("id", "text", "assign", "deadline", "report", "targets", "notes", "title", "tasks")


class _DirectiveReader:
    def __init__(self, path: Path, registry: Registry, report: Report, lenient: bool) -> None:
        self.path, self.name = path, str(path)
        self.registry, self.report, self.lenient = registry, report, lenient
        self.province: str | None = None
        self.directive_id = path.stem
        self.task_ids: dict[str, Node] = {}
        self.unresolved: dict[str, Agency] = {}

    def read(self) -> Directive | None:
        root = compose(self.path, self.report)
        if root is None:
            return None
        fields = _Fields(root, self.name, self.report, "văn bản", _DIRECTIVE_KEYS, "id")
        if not fields.ok:
            return None
        directive_id = fields.ident("id", "mã văn bản", required=True)
        if directive_id:
            self.directive_id = directive_id
            self.id_node = fields.value_node("id")
            if directive_id != self.path.stem and not self.lenient:
                self.report.warn(self.name, fields.value_node("id"), f"mã văn bản '{directive_id}' khác tên tệp '{self.path.name}'",
                                 f"nên đặt tên tệp là '{directive_id}.yaml'")
        self.province = fields.text("province", "tỉnh")
        if self.province and self.province not in self.registry.provinces:
            self.report.error(self.name, fields.value_node("province"), f"tỉnh '{self.province}' không có trong danh mục",
                              _suggest(self.province, self.registry.provinces))
        issuer = self._issuer(fields)
        signer = self._signer(fields)
        kind = fields.text("kind", "loại văn bản: chỉ thị, công văn, kế hoạch...", required=True)
        title = fields.text("title", "trích yếu", required=True)
        date = fields.date("date", "ngày ban hành")
        task_nodes = fields.sequence("tasks", "danh sách nhiệm vụ", required=True)
        if fields.value_node("tasks") is not None and not task_nodes and isinstance(fields.value_node("tasks"), yaml.SequenceNode):
            self.report.error(self.name, fields.value_node("tasks"), f"{fields.what} chưa có nhiệm vụ nào")
        tasks = tuple(t for t in (self._task(n, None, i) for i, n in enumerate(task_nodes, 1)) if t)
        self._warn_unassigned(tasks, (), task_nodes)
        if not (directive_id and kind and title and issuer) or self.report.has_errors:
            return None
        return Directive(
            id=directive_id, kind=kind, title=title, issuer=issuer, tasks=tasks,
            number=fields.text("number", "số"), symbol=fields.text("symbol", "ký hiệu"), date=date,
            place=fields.text("place", "địa danh"), province=self.province, signer=signer,
            recipients=fields.texts("recipients", "kính gửi"), distribution=fields.texts("distribution", "nơi nhận"),
            preamble=fields.text("preamble", "phần mở đầu"), closing=fields.texts("closing", "phần kết"),
            notes=fields.texts("notes", "ghi chú"),
        )

    def _issuer(self, parent: _Fields) -> Issuer | None:
        node = parent.value_node("issuer")
        if node is None:
            parent.missing("issuer", "cơ quan ban hành")
            return None
        fields = _Fields(node, self.name, self.report, "cơ quan ban hành", _ISSUER_KEYS)
        if not fields.ok:
            return None
        label = fields.text("name", "tên cơ quan ban hành", required=True)
        raw_kind = fields.text("kind", "nhà nước hoặc đảng", required=True)
        kind = _ISSUER_KINDS.get(match_key(raw_kind)) or _ISSUER_KINDS.get(ascii_key(raw_kind)) if raw_kind else None
        if raw_kind and kind is None:
            self.report.error(self.name, fields.value_node("kind"), f"loại cơ quan ban hành '{raw_kind}' không hợp lệ", "chỉ dùng 'nhà nước' hoặc 'đảng'")
        if not (label and kind):
            return None
        return Issuer(label, kind, fields.texts("header", "dòng tiêu đề"), fields.text("short", "tên ngắn"))

    def _signer(self, parent: _Fields) -> Signer:
        node = parent.value_node("signer")
        if node is None:
            return Signer()
        fields = _Fields(node, self.name, self.report, "người ký", _SIGNER_KEYS)
        return Signer(fields.texts("authority", "thẩm quyền ký"), fields.text("title", "chức vụ"), fields.text("name", "họ tên"))

    def _task(self, node: Node, parent: str | None, position: int) -> Task | None:
        fields = _Fields(node, self.name, self.report, "nhiệm vụ", _TASK_KEYS, "id")
        if not fields.ok:
            return None
        task_id = fields.text("id", "số thứ tự nhiệm vụ")
        if task_id is None:
            if parent is None:
                fields.missing("id", "số thứ tự của mục, ví dụ \"1\" hoặc \"cuối-1\"")
                return None
            task_id = f"{parent}-{position}"
        fields.what = f"nhiệm vụ '{task_id}'"
        if task_id in self.task_ids:
            line = self.task_ids[task_id].start_mark.line + 1
            self.report.error(self.name, fields.value_node("id") or node, f"mã nhiệm vụ '{task_id}' bị trùng trong văn bản '{self.directive_id}' (đã dùng ở dòng {line})",
                              "mỗi mục cần một số thứ tự riêng")
        self.task_ids.setdefault(task_id, node)
        text = fields.text("text", "nội dung", required=True)
        subtasks = tuple(t for t in (self._task(n, task_id, i) for i, n in enumerate(fields.sequence("tasks", "nhiệm vụ con"), 1)) if t)
        return Task(
            id=task_id, text=text or "", assignments=self._assignments(fields), tasks=subtasks,
            title=fields.text("title", "tiêu đề ngắn"), deadline=fields.text("deadline", "thời hạn"),
            report=fields.text("report", "chế độ báo cáo"), targets=fields.texts("targets", "chỉ tiêu"),
            notes=fields.texts("notes", "ghi chú"),
        )

    def _assignments(self, task: _Fields) -> tuple[Assignment, ...]:
        node = task.value_node("assign")
        if node is None:
            return ()
        keys = [k.value for k, _ in node.value] if isinstance(node, yaml.MappingNode) else []
        fields = _Fields(node, self.name, self.report, f"phân công của {task.what}", keys)
        out: list[Assignment] = []
        seen: dict[str, tuple[Role, str]] = {}
        for key, (knode, _) in fields.items.items():
            role = _ROLE_KEYS.get(match_key(key)) or _ROLE_KEYS.get(ascii_key(key))
            if role is None:
                self.report.error(self.name, knode, f"vai trò '{key}' không hợp lệ", "chỉ dùng 'chủ trì', 'phối hợp' hoặc 'thực hiện'")
                continue
            value = fields.value_node(key)
            names = fields.texts(key, f"cơ quan {role.value}")
            items = value.value if isinstance(value, yaml.SequenceNode) else [value]
            for written, item in zip(names, [n for n in items if n is not None and not _is_null(n)]):
                agency = self._resolve(written, item, task.what)
                if agency is None:
                    continue
                if agency.id in seen:
                    prior_role, prior = seen[agency.id]
                    self.report.error(self.name, item, f"{task.what}: '{written}' đã được phân công ({prior_role.value}, '{prior}')",
                                      "mỗi cơ quan chỉ có một vai trò trong một nhiệm vụ")
                    continue
                seen[agency.id] = (role, written)
                out.append(Assignment(agency.id, role, written))
        return tuple(out)

    def _resolve(self, written: str, node: Node, what: str) -> Agency | None:
        found = self.registry.candidates(written, self.province)
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            self.report.error(self.name, node, f"{what}: tên '{written}' ứng với nhiều cơ quan ({', '.join(a.id for a in found)})",
                              "hãy ghi 'province' của văn bản hoặc dùng tên đầy đủ hơn")
            return None
        if self.lenient:
            return self._placeholder(written)
        suggestions = suggest_names(self.registry, written)
        hint = ("có phải ý bạn là " + " hoặc ".join(f"'{s}'" for s in suggestions) + "?") if suggestions else \
            "hãy thêm cơ quan (hoặc tên gọi khác) vào danh mục co-quan.yaml"
        self.report.error(self.name, node, f"{what}: cơ quan '{written}' không có trong danh mục", hint)
        return None

    def _placeholder(self, written: str) -> Agency:
        """An agency standing for a name the registry lacks (drafts only: kept as written)."""
        key = match_key(written)
        if key not in self.unresolved:
            self.unresolved[key] = Agency(id=f"chua-ro-{len(self.unresolved) + 1}", name=written, short=written, block=UNRESOLVED_BLOCK.id)
        return self.unresolved[key]

    def _warn_unassigned(self, tasks: tuple[Task, ...], inherited: tuple[Assignment, ...], nodes: list[Node]) -> None:
        """Warn about tasks nobody is assigned to, and tasks with partners but no lead."""
        for task, node in zip(tasks, nodes):
            effective = inherited + task.assignments
            sub = _peek_node(node, "tasks")
            sub_nodes = list(sub.value) if isinstance(sub, yaml.SequenceNode) else []
            written = _peek_node(node, "assign") is not None  # names written but not resolved: already an error
            if not effective and not written and not any(t.assignments for sub in task.tasks for t, _ in sub.walk()):
                self.report.warn(self.name, node, f"nhiệm vụ '{task.id}' chưa được giao cho cơ quan nào", "thêm mục 'assign' nếu văn bản có nêu cơ quan")
            elif task.assignments and not any(a.role in (Role.LEAD, Role.DOER) for a in effective):
                self.report.warn(self.name, node, f"nhiệm vụ '{task.id}' có cơ quan phối hợp nhưng không có cơ quan chủ trì")
            self._warn_unassigned(task.tasks, effective, sub_nodes)


UNRESOLVED_BLOCK = Block("chua-ro", "Chưa có trong danh mục")


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
            files.extend(sorted(path / n for n in names
                                if n != REGISTRY_FILE and not n.startswith(".") and Path(n).suffix in (".yaml", ".yml")))
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
        report.error(str(paths[0] if paths else "input"), None, f"không tìm thấy danh mục cơ quan '{REGISTRY_FILE}'",
                     "đặt co-quan.yaml trong thư mục input/ hoặc dùng tùy chọn --registry")
    return found


def open_registry(paths: Iterable[Path], registry_path: Path | None = None) -> Registry:
    """The registry for ``paths`` (see :func:`find_registry`), or :class:`InputError` with every problem."""
    report = Report()
    found = _locate_registry(list(paths), registry_path, report)
    registry = load_registry(found, report) if found else None
    if registry is None:
        raise InputError(report.problems)
    return registry


def load_corpus(paths: Iterable[Path], registry_path: Path | None = None, lenient: bool = False) -> LoadResult:
    """Load the registry and every directive under ``paths``; gather all problems.

    With ``lenient`` (drafts), a name missing from the registry is kept as
    written under a placeholder agency instead of being an error.
    """
    paths = list(paths)
    report = Report()
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
    placeholders: dict[str, Agency] = {}
    seen: dict[str, Path] = {}
    named: list[tuple[str, str, Node | None]] = []
    for file in files:
        reader = _DirectiveReader(file, registry, report, lenient)
        directive = reader.read()
        if directive is None:
            continue
        if directive.id in seen:
            report.error(str(file), None, f"mã văn bản '{directive.id}' trùng với tệp {seen[directive.id]}")
            continue
        seen[directive.id] = file
        named.append((directive.id, str(file), getattr(reader, "id_node", None)))
        directive, placeholders = _merge_placeholders(directive, reader.unresolved, placeholders)
        directives.append(directive)
    unique_file_names(named, "mã văn bản", "thư mục kết quả", report, reserved=("tong-hop",))
    if report.has_errors:
        return LoadResult(None, report.problems, files)
    if placeholders:
        registry = Registry(registry.blocks + (UNRESOLVED_BLOCK,), registry.agencies + tuple(placeholders.values()), registry.provinces)
    return LoadResult(Corpus(registry, tuple(directives)), report.problems, files)


def _merge_placeholders(directive: Directive, local: dict[str, Agency], merged: dict[str, Agency]) -> tuple[Directive, dict[str, Agency]]:
    """Give placeholder agencies one id across all files (they are numbered per file)."""
    if not local:
        return directive, merged
    renames: dict[str, str] = {}
    for key, agency in local.items():
        if key not in merged:
            merged[key] = Agency(id=f"chua-ro-{len(merged) + 1}", name=agency.name, short=agency.short, block=agency.block)
        renames[agency.id] = merged[key].id

    def fix(task: Task) -> Task:
        return replace(task, assignments=tuple(replace(a, agency=renames.get(a.agency, a.agency)) for a in task.assignments),
                       tasks=tuple(fix(t) for t in task.tasks))

    return replace(directive, tasks=tuple(fix(t) for t in directive.tasks)), merged


__all__ = ["LoadResult", "load_corpus", "load_registry", "open_registry", "find_registry", "suggest_names", "UNRESOLVED_BLOCK"]


def unique_file_names(ids: list[tuple[str, str, Node | None]], label: str, what: str, report: Report,
                      reserved: tuple[str, ...] = ()) -> None:
    """Ids that would give one output file name (``cong-an-tinh`` / ``cong-an-tinh-``, ``a--b`` / ``a-b``)
    or a reserved one (``tong-hop``) are errors naming both ids and their lines."""
    owners: dict[str, tuple[str, str, Node | None]] = {}
    for ident, path, node in ids:
        name = safe_filename(ident)
        if name in reserved:
            report.error(path, node, f"{label} '{ident}' cho tên {what} '{name}', tên này dành cho kết quả tổng hợp",
                         "hãy đổi mã khác")
            continue
        if name in owners and owners[name][0] != ident:
            other, other_path, other_node = owners[name]
            line = position(other_node)[0]
            where = f"{other_path}:{line}" if line else other_path
            report.error(path, node, f"{label} '{ident}' và '{other}' ({where}) cho cùng một tên {what} '{name}'",
                         "hãy đổi một trong hai mã để mỗi mã cho một tệp riêng")
        owners.setdefault(name, (ident, path, node))
