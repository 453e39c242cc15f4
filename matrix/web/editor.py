"""The form editor of a directive, and the review of a draft, as plain HTML forms (no JavaScript needed).

One page per edit session (``/sua/<token>``): a draft before it is saved (opened from ``/them/<token>``), or a
saved directive of the input folder (opened from ``/van-ban/<id>``). The page is one form; every button posts
it: the typed fields are applied first, then the button's action (``do``), then the directive is checked by the
loader and the page shown again with each problem beside its field. The edits are the pure functions of
:mod:`matrix.input.edit`; saving goes through :func:`matrix.input.edit.save` (the one writer, locked, atomic, a
``.bak``), refused when the file changed since the session opened it (optimistic version check), the clerk's
edit kept in the session.
"""

from __future__ import annotations

import collections
import datetime as dt
import re
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from ..core.errors import InputError, MatrixError, Problem
from ..core.model import ROLES, Registry, Role
from ..core.text import slugify
from ..input import edit as ed
from ..input.load import REGISTRY_FILE, is_unresolved, load_corpus, open_registry
from ..tracking.moves import carry_reports, reports_by_task
from .edits import add_alias

if TYPE_CHECKING:
    from .app import Pages

MAX_SESSIONS = 60
META_KEYS = frozenset((*ed.META_FIELDS, "notes"))
MAX_FIELDS = 5000
# a task's fields with their own place for messages (the others' show under the task's text)
TASK_FIELDS = ("deadline", "report", "assign", "id", "due", "targets", "title", "notes")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass
class EditSession:
    """One clerk's edit of one directive: the doc, the file it saves to and the version it was opened from."""

    doc: ed.Doc
    path: Path
    version: str  # "" for a draft: the file must not exist yet
    draft: bool
    source_name: str = ""
    source_lines: list[str] = field(default_factory=list)
    notice: str | None = None
    conflict: str | None = None
    saved: bool = False
    typed: dict[str, str] = field(default_factory=dict)  # fields kept as typed when they could not be read
    bad: dict[str, str] = field(default_factory=dict)  # their messages
    searches: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # place -> (query, agency ids)
    problems: list[Problem] = field(default_factory=list)  # of the last action (registry edits)
    new_roles: dict[str, str] = field(default_factory=dict)  # task place -> the role picked for the next agency
    carried: int = 0  # reports of Theo dõi moved to their tasks' new numbers by the last save
    first: Any = None  # the directive as its file had it when opened (to name a deleted task)
    pending: dict[str, str] = field(default_factory=dict)  # reports a save could not carry: id in records -> id
    draft_token: str = ""  # the draft (on /them/<token>) this edit opened, to keep its source document on save


class Editor:
    """The editor's routes over the pages' settings, templates, sessions and CSRF check."""

    def __init__(self, pages: Pages) -> None:
        self.pages = pages
        self.sessions: collections.OrderedDict[str, EditSession] = collections.OrderedDict()
        self._registry: tuple[tuple[int, int], Registry] | None = None

    def routes(self) -> list[Route]:
        return [
            Route("/van-ban/{id}/sua", self.open_saved),
            Route("/them/{token}/sua", self.open_draft),
            Route("/sua/{token}", self.page),
            Route("/sua/{token}", self.post, methods=["POST"]),
            Route("/sua/{token}/yaml", self.yaml_view),
            Route("/sua/{token}/kiem-tra", self.check, methods=["POST"]),
        ]

    # ------------------------------------------------------------------ state

    @property
    def input_dir(self) -> Path:
        return self.pages.settings.input_dir

    def registry(self) -> Registry:
        """The registry of the input folder, read again only when its file changed."""
        path = self.input_dir / REGISTRY_FILE
        try:
            stat = path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            stamp = (0, 0)
        if self._registry is None or self._registry[0] != stamp:
            self._registry = (stamp, open_registry([self.input_dir], path))
        return self._registry[1]

    def _keep(self, session: EditSession) -> Response:
        token = secrets.token_urlsafe(16)
        self.sessions[token] = session
        while len(self.sessions) > MAX_SESSIONS:
            self.sessions.popitem(last=False)
        return RedirectResponse(f"/sua/{token}", status_code=303)

    def _session(self, request: Request) -> tuple[str, EditSession]:
        token = request.path_params["token"]
        session = self.sessions.get(token)
        if session is None:
            raise HTTPException(404, "Phiên sửa này không còn (máy chủ đã khởi động lại). Hãy mở lại văn bản.")
        return token, session

    # ------------------------------------------------------------------ opening

    async def open_saved(self, request: Request) -> Response:
        directive_id = request.path_params["id"]
        path = self.input_dir / f"{directive_id}.yaml"
        if not _ID.match(directive_id) or directive_id == Path(REGISTRY_FILE).stem or not path.is_file():
            raise HTTPException(404, f"Không có văn bản mã '{directive_id}' trong thư mục đầu vào.")
        data = path.read_bytes()
        doc, _ = ed.open_doc(data.decode("utf-8-sig", errors="replace"), self.registry(), path.name)
        if doc is None:  # not readable at all: its page says what is wrong and how to mend it without YAML
            return RedirectResponse(f"/van-ban/{directive_id}", status_code=303)
        return self._keep(EditSession(doc, path, ed.version_of(data), draft=False, first=doc.directive))

    async def open_draft(self, request: Request) -> Response:
        draft = self.pages.drafts.get(request.path_params["token"])
        if draft is None:
            raise HTTPException(404, "Bản nháp này không còn (máy chủ đã khởi động lại). Hãy thêm lại văn bản.")
        doc, problems = ed.open_doc(draft.yaml, self.registry(), f"{draft.id}.yaml")
        if doc is None:
            return self.pages.error(request, 400, "Không mở được bản nháp", "Bản nháp có lỗi:", problems)
        doc = replace(doc, directive=replace(doc.directive, id=draft.id))
        path = self.input_dir / f"{draft.id}.yaml"
        return self._keep(
            # a new draft of an unreadable file replaces it only if that file is still the version it was drafted for
            EditSession(
                doc,
                path,
                draft.replaces,
                draft=True,
                source_name=draft.source_name,
                source_lines=draft.source_lines,
                draft_token=request.path_params["token"],
            )
        )

    # ------------------------------------------------------------------ the page

    async def page(self, request: Request) -> Response:
        token, session = self._session(request)
        return self._render(request, token, session, 409 if session.conflict else 200)

    async def check(self, request: Request) -> Response:
        """The page's script, on a change of a field: the typed fields applied and the page rendered again, from
        which the script takes the messages beside each field (the clerk's fields are not replaced)."""
        token, session = self._session(request)
        form = await self.pages.form(request, max_fields=MAX_FIELDS)
        self._apply(session, form)
        return self._render(request, token, session)

    async def yaml_view(self, request: Request) -> Response:
        _, session = self._session(request)
        return PlainTextResponse(ed.text_of(session.doc))

    def _render(self, request: Request, token: str, session: EditSession, status: int = 200) -> Response:
        registry = self.registry()
        d = session.doc.directive
        checked = ed.check(session.doc, registry)
        # every message in words: the loader's, shared with the command line, names the keys of the file
        in_words = {key: [ed.in_words(p, d) for p in ps] for key, ps in checked.problems.items()}
        nodes = list(d.tree)
        paths = [p for p, _ in ed.walk_paths(d.tasks)]
        unassigned = [
            ed.path_text(p)
            for p, n in zip(paths, nodes, strict=True)
            if not n.in_force and not any(x.in_force for x in n.descendants())
        ]
        names = _names_to_review(session.doc, checked)
        reviews = [(i, n) for i, n in enumerate(session.doc.notes) if n.review and n.name is None]
        assigned_to: dict[str, list[dict[str, Any]]] = {}
        for p, node in zip(paths, nodes, strict=True):
            rows = []
            place = ed.path_text(p)
            order = [i for role in ROLES for i, a in enumerate(node.task.assignments) if a.role is role]
            for i, a in enumerate(node.task.assignments):
                agency = registry.get(a.agency) if a.agency in registry else None
                unknown = a.written in checked.unresolved or agency is None or is_unresolved(agency)
                here = in_words.get(f"task:{place}:assign:{order.index(i)}", [])
                rows.append({"index": i, "a": a, "unknown": unknown, "problems": here})
            assigned_to[ed.path_text(p)] = rows
        inherited = {
            ed.path_text(p): [a for a in n.in_force if a not in n.task.assignments]
            for p, n in zip(paths, nodes, strict=True)
        }
        found = {
            place: (query, [registry.get(i) for i in ids if i in registry])
            for place, (query, ids) in session.searches.items()
        }
        left = []
        if names:
            left.append(f"{len(names)} tên chưa rõ")
        if unassigned:
            left.append(f"{len(unassigned)} nhiệm vụ chưa có cơ quan")
        if reviews:
            left.append(f"{len(reviews)} ghi chú cần kiểm tra")
        if session.bad:
            left.append(f"{len(session.bad)} ô chưa đọc được")
        if checked.errors:
            left.append(f"{checked.errors} lỗi")
        return self.pages.render(
            request,
            "editor.html",
            status=status,
            token=token,
            s=session,
            d=d,
            rows=list(zip([ed.path_text(p) for p in paths], nodes, strict=True)),
            assigned=assigned_to,
            inherited=inherited,
            checked=checked,
            problems=in_words,
            task_problems=lambda place: [
                p
                for key, ps in in_words.items()
                if key == f"task:{place}"
                or (key.startswith(f"task:{place}:") and key.split(":")[2] not in TASK_FIELDS)
                or key == f"task:{place}:assign"
                for p in ps
            ],
            general=[
                p for key, ps in in_words.items() if not key.startswith("task:") and key not in META_KEYS for p in ps
            ],
            action_problems=[ed.in_words(p, d) for p in session.problems],
            numbers={
                ed.path_text(p): session.typed.get(
                    f"task:{ed.path_text(p)}:number", ed.number_of(n.task, n.parent.task if n.parent else None)
                )
                for p, n in zip(paths, nodes, strict=True)
            },
            words=lambda task_id: ed.task_in_words(d, task_id),
            provinces=sorted(registry.provinces.items(), key=lambda item: item[1]),
            hint=ed.plain_hint,
            unassigned=unassigned,
            names=names,
            reviews=reviews,
            found=found,
            left=left,
            roles=ROLES,
            blocks=[b for b in registry.blocks if b.id != "chua-ro"],
            label=registry.label,
            schedule=lambda text: ed.describe_schedule(text, d.date),
            task_place=_task_place(d),
            meta=_meta_values(session),
        )

    # ------------------------------------------------------------------ posting

    async def post(self, request: Request) -> Response:
        token, session = self._session(request)
        form = await self.pages.form(request, max_fields=MAX_FIELDS)
        action = str(form.get("do", "check"))
        session.notice, session.conflict, session.problems = None, None, []
        self._apply(session, form)
        anchor = ""
        try:
            anchor = self._act(session, action, form)
        except (IndexError, ValueError, KeyError):
            session.notice = "Thao tác không còn khớp với trang (trang đã cũ?): trang được hiện lại như hiện có."
        except ed.Conflict as exc:
            session.conflict = f"Không lưu được: {exc.message}."
            return self._render(request, token, session, 409)
        except InputError as exc:
            session.problems = list(exc.problems)
        except MatrixError as exc:
            session.notice = exc.message
        if action == "save" and session.saved and not session.conflict and not session.problems:
            # as the build will read it: a name the registry lacks is an error there
            strict = load_corpus([session.path], self.input_dir / REGISTRY_FILE)
            state = "loi" if strict.errors else "ok"
            carried = f"&bao_cao={session.carried}" if session.carried else ""
            return RedirectResponse(f"/van-ban/{session.doc.directive.id}?da_luu={state}{carried}", status_code=303)
        return RedirectResponse(f"/sua/{token}{anchor}", status_code=303)

    def _apply(self, session: EditSession, form: FormData) -> None:
        """The typed fields into the doc (a field that cannot be read is kept as typed, with its message)."""
        values = {name: str(form[f"m:{name}"]) for name in ed.META_FIELDS if f"m:{name}" in form}
        doc, bad = ed.set_meta(session.doc, values)
        if session.draft and "m:id" in form:
            doc = replace(doc, directive=replace(doc.directive, id=slugify(str(form["m:id"]))))
        session.typed = {k: values[k] for k in bad}
        session.bad = bad
        for path, task in list(ed.walk_paths(doc.directive.tasks)):
            key = f"t:{ed.path_text(path)}"
            if f"{key}:text" not in form:
                continue
            due: tuple[dt.date, ...] | None = None
            if f"{key}:due" in form:
                typed = str(form[f"{key}:due"])
                try:
                    due = ed.read_dates(typed)
                except ValueError as exc:
                    session.typed[f"task:{ed.path_text(path)}:due"] = typed
                    session.bad[f"task:{ed.path_text(path)}:due"] = str(exc)
            doc = ed.set_task(
                doc,
                path,
                text=str(form[f"{key}:text"]),
                deadline=str(form.get(f"{key}:deadline", "")),
                report=str(form.get(f"{key}:report", "")),
                notes=str(form.get(f"{key}:notes", "")),
                targets=str(form[f"{key}:targets"]) if f"{key}:targets" in form else None,
                title=str(form[f"{key}:title"]) if f"{key}:title" in form else None,
                due=due,
            )
            session.new_roles[ed.path_text(path)] = str(form.get(f"{key}:new-role", ""))
            for i, assignment in enumerate(task.assignments):
                role = _role(str(form.get(f"{key}:role:{i}", "")))
                if role is not None and role is not assignment.role:
                    doc = ed.set_role(doc, path, i, role)
        numbers = {
            path: str(form[f"t:{ed.path_text(path)}:number"])
            for path, _ in ed.walk_paths(doc.directive.tasks)
            if f"t:{ed.path_text(path)}:number" in form
        }
        doc, refused = ed.set_numbers(doc, numbers)
        for path, message in refused.items():
            session.typed[f"task:{ed.path_text(path)}:number"] = numbers[path]
            session.bad[f"task:{ed.path_text(path)}:number"] = message
        session.doc = doc

    def _act(self, session: EditSession, action: str, form: FormData) -> str:
        """Do the button's action; the anchor of the place to show."""
        verb, _, rest = action.partition(":")
        doc = session.doc
        if verb == "check":
            return ""
        if verb == "save":
            return self._save(session)
        if verb == "add":
            doc, new = ed.add_task(doc, ed.parse_path(rest) if rest else None)
            session.doc = doc
            return f"#t-{ed.path_text(new)}"
        if verb == "child":
            doc, new = ed.add_task(doc, ed.parse_path(rest), child=True)
            session.doc = doc
            return f"#t-{ed.path_text(new)}"
        if verb == "note-ok":
            session.doc = ed.drop_note(doc, int(rest))
            return "#xem-lai"
        if verb in ("name-search", "name-pick", "name-alias", "name-create"):
            return self._name_action(session, verb, rest, form)
        path = ed.parse_path(rest.split(":")[0])
        place = ed.path_text(path)
        anchor = f"#t-{place}"
        if verb == "delete":
            session.doc = ed.delete_task(doc, path)
            return ""
        if verb == "split":
            cursor = str(form.get(f"t:{place}:cursor", "")).strip()
            text = ed.task_at(doc.directive.tasks, path).text
            at = int(cursor) if cursor.isdigit() else (text.find("\n") if "\n" in text else -1)
            if at <= 0:
                session.notice = (
                    "Hãy đặt con trỏ vào chỗ cần tách trong nội dung nhiệm vụ (hoặc xuống dòng ở đó) rồi bấm 'Tách'."
                )
                return anchor
            session.doc = ed.split_task(doc, path, at)
            return anchor
        if verb == "merge":
            session.doc = ed.merge_next(doc, path)
        elif verb == "indent":
            session.doc = ed.indent(doc, path)
        elif verb == "outdent":
            session.doc = ed.outdent(doc, path)
        elif verb == "up":
            session.doc = ed.move(doc, path, -1)
        elif verb == "down":
            session.doc = ed.move(doc, path, 1)
        elif verb == "remove":
            session.doc = ed.remove_assignment(doc, path, int(rest.split(":")[1]))
        elif verb == "search":
            query = str(form.get(f"t:{place}:tim", ""))
            d = doc.directive
            hits = ed.search_bodies(self.registry(), query, d.on, d.province)
            session.searches[f"t:{place}"] = (query, [a.id for a in hits])
            if not hits:
                session.notice = f"Không tìm thấy cơ quan nào có tên '{query.strip()}' (còn hoạt động ngày văn bản)."
        elif verb == "assign":
            agency = self.registry().get(rest.split(":")[1])
            role = _role(str(form.get(f"t:{place}:new-role", ""))) or Role.LEAD
            session.doc = ed.add_assignment(doc, path, agency, role)
            session.searches.pop(f"t:{place}", None)
        else:
            raise ValueError(action)
        return anchor

    def _name_action(self, session: EditSession, verb: str, rest: str, form: FormData) -> str:
        index, _, agency_id = rest.partition(":")
        written = str(form.get(f"n:{index}:name", ""))
        if not written:
            raise ValueError(rest)
        registry_path = self.input_dir / REGISTRY_FILE
        d = session.doc.directive
        if verb == "name-search":
            query = str(form.get(f"n:{index}:tim", ""))
            hits = ed.search_bodies(self.registry(), query, d.on, d.province)
            session.searches[f"n:{written}"] = (query, [a.id for a in hits])
            if not hits:
                session.notice = f"Không tìm thấy cơ quan nào có tên '{query.strip()}' (còn hoạt động ngày văn bản)."
        elif verb == "name-pick":
            session.doc = ed.rename_name(session.doc, written, self.registry().get(agency_id))
            session.notice = f"Đã thay '{written}' bằng '{self.registry().get(agency_id).name}' trong văn bản."
        elif verb == "name-alias":
            add_alias(registry_path, agency_id, written)
            session.doc = _settled(session.doc, written)
            session.notice = f"Đã thêm '{written}' làm tên gọi khác của '{self.registry().get(agency_id).name}'."
        else:
            block = str(form.get(f"n:{index}:block", ""))
            name = str(form.get(f"n:{index}:new", written))
            if block not in {b.id for b in self.registry().blocks}:
                raise ValueError(block)
            requested = form.get(f"n:{index}:requested") == "co"
            created = ed.create_body(registry_path, name, block, requested, d.province, d.on)
            if " ".join(name.split()) != written:
                session.doc = ed.rename_name(session.doc, written, self.registry().get(created))
            session.doc = _settled(session.doc, written)
            session.notice = f"Đã tạo cơ quan mới '{name.strip()}' trong danh mục."
        if verb != "name-search":
            session.searches.pop(f"n:{written}", None)
        return "#xem-lai"

    def _save(self, session: EditSession) -> str:
        if session.bad:
            session.notice = "Chưa lưu: còn ô chưa đọc được (xem thông báo đỏ bên cạnh ô)."
            return ""
        registry = self.registry()
        d = session.doc.directive
        if session.draft:
            new_id = slugify(d.id) if d.id else ""
            if not new_id or new_id == Path(REGISTRY_FILE).stem:
                session.notice = "Chưa lưu: mã văn bản (tên tệp) không hợp lệ."
                return ""
            session.path = self.input_dir / f"{new_id}.yaml"
        checked = ed.check(session.doc, registry)
        if checked.errors:
            session.notice = f"Chưa lưu: văn bản còn {checked.errors} lỗi (xem thông báo đỏ bên cạnh từng ô)."
            return ""
        # the reports recorded in Theo dõi for a task follow it to its new number; a deleted task's have nowhere to go
        moved = ed.moved_tasks(session.doc) if not session.draft else {}
        recorded = reports_by_task(self.input_dir, d.id) if moved else {}
        gone = [(old, n) for old, n in recorded.items() if old in moved and moved[old] is None]
        if gone:
            was = session.first or d
            said = "; ".join(f"{ed.task_in_words(was, old)}: {n} báo cáo" for old, n in gone)
            session.notice = (
                f"Chưa lưu: đã có báo cáo ghi trong Theo dõi cho nhiệm vụ bị xóa ({said}). Xóa thì các báo cáo đó "
                "không còn thuộc nhiệm vụ nào. Hãy giữ nhiệm vụ lại, hoặc gộp nó vào nhiệm vụ khác (báo cáo đi theo "
                "nhiệm vụ được gộp vào); muốn bỏ thao tác xóa, mở lại văn bản từ trang văn bản."
            )
            return ""
        carry = {old: new for old, new in moved.items() if new and new != old and old in recorded}
        # reports a former save could not carry: from their ids in the records file to the ids of now
        carry.update({old: moved.get(mid) or mid for old, mid in session.pending.items()})
        session.version = ed.save(session.doc, session.path, session.version, registry)
        if session.draft and session.draft_token in self.pages.drafts:
            self.pages.saved_draft(session.draft_token, self.pages.drafts[session.draft_token].source_file)
        session.draft, session.saved = False, True
        session.doc, session.first = ed.opened(session.doc), session.doc.directive
        session.carried, session.pending = 0, {}
        if carry:
            try:
                session.carried = carry_reports(self.input_dir, d.id, carry)
            except MatrixError as exc:  # the directive is saved: the reports wait for the next save
                session.pending = carry
                session.saved = False
                session.notice = (
                    "Đã lưu văn bản, nhưng chưa chuyển được các báo cáo ghi trong Theo dõi sang số thứ tự mới "
                    f"({exc.message.rstrip('.')}). Hãy bấm 'Lưu' lại để thử lại."
                )
        return ""


# --------------------------------------------------------------------------- helpers


def _role(value: str) -> Role | None:
    return next((r for r in ROLES if r.value == value), None)


def _settled(doc: ed.Doc, written: str) -> ed.Doc:
    """The doc without the review notes about the name ``written`` (now in the registry)."""
    from ..core.text import match_key

    key = match_key(written)
    return replace(doc, notes=tuple(n for n in doc.notes if n.name is None or match_key(n.name[1]) != key))


def _names_to_review(doc: ed.Doc, checked: ed.Checked) -> list[dict[str, Any]]:
    """Each name the registry lacks, and each name a review note doubts, with the notes about it."""
    out: dict[str, dict[str, Any]] = {}
    for name in checked.unresolved:
        out[name] = {"name": name, "unknown": True, "notes": []}
    for note in doc.notes:
        if note.review and note.name is not None:
            entry = out.setdefault(note.name[1], {"name": note.name[1], "unknown": False, "notes": []})
            if "chưa có trong danh mục" in note.text:  # said by the page already; keep the drafter's close names
                close = note.text.partition("gần giống:")[2].strip()
                if close:
                    entry["notes"].append(f"Gần giống: {close}")
            else:
                entry["notes"].append(note.text)
    return list(out.values())


def _task_place(d: Any) -> dict[str, str]:
    """task id -> its path, for links from a note to its task."""
    return {t.id: ed.path_text(p) for p, t in ed.walk_paths(d.tasks)}


def _meta_values(session: EditSession) -> dict[str, str]:
    from ..core.model import format_date

    d = session.doc.directive
    values = {
        "kind": d.kind,
        "number": d.number or "",
        "symbol": d.symbol or "",
        "date": format_date(d.date),
        "place": d.place or "",
        "province": d.province or "",
        "issuer.short": d.issuer.short or "",
        "recipients": "\n".join(d.recipients),
        "distribution": "\n".join(d.distribution),
        "preamble": d.preamble or "",
        "closing": "\n".join(d.closing),
        "issuer.name": d.issuer.name,
        "issuer.kind": d.issuer.kind.value,
        "issuer.header": "\n".join(d.issuer.header),
        "title": d.title,
        "signer.authority": "\n".join(d.signer.authority),
        "signer.title": d.signer.title or "",
        "signer.name": d.signer.name or "",
    }
    values.update(session.typed)
    return values
