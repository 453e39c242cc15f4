"""`matrix serve`: the whole workflow as local web pages (Starlette, server-rendered with jinja2).

Every page calls the library through :mod:`matrix.web.library`; this module
only reads requests, checks them (CSRF token, upload size and type, ids) and
renders templates. Every error a clerk can meet is a Vietnamese page.
"""

from __future__ import annotations

import collections
import datetime as dt
import functools
import hmac
import io
import math
import re
import secrets
import shutil
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import anyio
import jinja2
from starlette.applications import Starlette
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive

from ..commands import options as declared
from ..core.errors import InputError, MatrixError, Problem
from ..core.model import format_date
from ..core.stamp import today
from ..core.text import shorten, slugify
from ..input.load import REGISTRY_FILE
from ..writers.export import neutralise
from . import library as lib
from . import rescue
from .downloads import Generated, InOutput, Zipped, download, listing
from .edits import add_alias, replace_name
from .jobs import BuildJob
from .security import LOCAL_HOSTS, Session, Sessions, Throttle, host_name, same_origin
from .worker import DEFAULT_LIMITS, Limits, run_limited

SESSION_COOKIE = "matrix-phien"
SECURE_SESSION_COOKIE = "__Host-matrix-phien"  # over https: Secure, Path=/, no Domain, fixed to this host
CSRF_FIELD = "csrf"
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_FORM_BYTES = MAX_UPLOAD_BYTES + 64 * 1024  # the file and the form's other fields, as they arrive
MAX_PASTE_BYTES = 2 * 1024 * 1024
DRAFTS_AT_ONCE = 2  # drafting workers at a time (each may use up to its memory limit)
MAX_DRAFTS = 30
# agency columns a printed part of Ma trận holds, by paper (landscape, 8 mm margins, 6 cm for the task columns):
# about 7 mm a column, two vertical lines of 6.5 pt labels
PRINT_COLUMNS = {"A4": 30, "A3": 48}
SHOWN_MATCHES = 20  # bodies listed for a name searched on the draft page (the page says how many matched)
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")

NAV = (
    ("van-ban", "Văn bản"),
    ("them", "Thêm văn bản"),
    ("co-quan", "Cơ quan"),
    ("ma-tran", "Ma trận"),
    ("theo-doi", "Theo dõi"),
    ("tao-ket-qua", "Tạo kết quả"),
)


@dataclass
class DraftSession:
    """A draft being reviewed: its YAML (edited in the page), its source's lines, the proposed id."""

    id: str
    yaml: str
    source_name: str
    source_lines: list[str]
    notice: str | None = None
    problems: list[Problem] = field(default_factory=list)
    replaces: str = ""  # the version of the unreadable file this new draft of it may replace ("" for none)
    source_file: Path | None = None  # the document uploaded (in a temporary folder), kept in input/nguon/ on save


@dataclass
class Settings:
    input_dir: Path
    output_dir: Path
    password: str | None = None
    allowed_hosts: tuple[str, ...] = LOCAL_HOSTS  # the host names this server answers to
    limits: Limits = DEFAULT_LIMITS  # of each drafting worker


class Forbidden(HTTPException):
    pass


# --------------------------------------------------------------------------- rendering


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("matrix.web", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["vn_date"] = format_date
    env.filters["shorten"] = shorten
    env.filters["mark_names"] = _mark_names
    env.filters["in_words"] = rescue.in_words
    env.globals["nav"] = NAV
    env.globals["colours"] = lib.ROLE_COLOURS
    env.globals["options"] = declared  # the fields and labels of the options the command line shares
    return env


def _mark_names(text: str, names: list[str]) -> Any:
    """``text`` escaped, with every flagged name wrapped in <mark>."""
    from markupsafe import Markup, escape

    out = str(escape(text))
    for name in sorted(names, key=len, reverse=True):
        escaped = str(escape(name))
        if escaped:
            out = out.replace(escaped, f'<mark class="flag">{escaped}</mark>')
    return Markup(out)


class Pages:
    """The routes, sharing the settings, the templates, the drafts under review and the build job."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.env = _environment()
        self.drafts: collections.OrderedDict[str, DraftSession] = collections.OrderedDict()
        self.job = BuildJob()
        self.sessions = Sessions()
        self.throttle = Throttle()
        self.workers = anyio.CapacityLimiter(DRAFTS_AT_ONCE)

    # ------------------------------------------------------------------ helpers

    def session_of(self, request: Request) -> Session | None:
        """The live session the request's cookie names (looked up once per request)."""
        if "matrix.session" not in request.scope:
            request.scope["matrix.session"] = self.sessions.get(request.cookies.get(_cookie_name(request)))
        session = request.scope["matrix.session"]
        return session if isinstance(session, Session) else None

    def render(self, request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        session = self.session_of(request)
        fresh = session is None
        if session is None:
            session = self.sessions.new()
            request.scope["matrix.session"] = session
        token = session.csrf
        section = request.url.path.strip("/").split("/")[0]
        cat = context.get("cat")
        context.setdefault("labels", lib.labels(cat.corpus) if isinstance(cat, lib.Catalogue) else {})
        html = self.env.get_template(name).render(
            request=request, csrf=token, section=section, auth=self.settings.password is not None, **context
        )
        response = HTMLResponse(html, status_code=status)
        if fresh:
            _set_session_cookie(request, response, session)
        return response

    def error(
        self,
        request: Request,
        status: int,
        title: str,
        message: str,
        problems: list[Problem] | tuple[Problem, ...] = (),
    ) -> HTMLResponse:
        return self.render(request, "error.html", status=status, title=title, message=message, problems=list(problems))

    async def form(self, request: Request, max_part_size: int = MAX_PASTE_BYTES, max_fields: int = 50) -> FormData:
        """The posted form of a live session, from this server's own page, with that session's CSRF token.

        The origin and the session are checked before the body is read; the body is counted as it
        arrives (with or without Content-Length) and refused with 413 as soon as it passes the cap.
        """
        session = self.session_of(request)
        if session is None or not same_origin(
            request.headers.get("origin"),
            request.headers.get("referer"),
            request.url.scheme,
            request.headers.get("host", ""),
        ):
            raise Forbidden(403)
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > MAX_FORM_BYTES:
            raise HTTPException(413)
        counted = Request(request.scope, _capped(request.receive, MAX_FORM_BYTES))
        try:
            form = await counted.form(max_files=1, max_fields=max_fields, max_part_size=max_part_size)
        except HTTPException:
            raise
        except Exception:
            raise HTTPException(400, "Biểu mẫu gửi lên không đọc được.") from None
        sent = form.get(CSRF_FIELD)
        if not isinstance(sent, str) or not hmac.compare_digest(session.csrf, sent):
            raise Forbidden(403)
        return form

    async def in_worker(self, func: Callable[..., Any], *args: Any) -> Any:
        """``func(*args)`` in a drafting worker process under the limits (the event loop stays free)."""
        call = functools.partial(run_limited, func, *args, limits=self.settings.limits)
        return await anyio.to_thread.run_sync(call, limiter=self.workers)

    def catalogue(self) -> lib.Catalogue:
        return lib.load_catalogue(self.settings.input_dir)

    # ------------------------------------------------------------------ Văn bản

    async def home(self, request: Request) -> Response:
        return RedirectResponse("/van-ban", status_code=302)

    async def directives(self, request: Request) -> Response:
        cat = self.catalogue()
        withdrawn = lib.withdrawn_files(self.settings.input_dir)
        return self.render(request, "directives.html", cat=cat, withdrawn=withdrawn, today=today())

    # A directive withdrawn (moved to input/da-rut/, never deleted), restored, or marked ended, from its page.

    async def directive_withdraw(self, request: Request) -> Response:
        await self.form(request)
        directive_id = _checked_id(request)
        try:
            lib.withdraw_directive(self.settings.input_dir, directive_id)
        except InputError as exc:
            return self.error(
                request, 409, "Chưa rút được văn bản", "Văn bản vẫn ở chỗ cũ, không tệp nào bị thay:", exc.problems
            )
        return RedirectResponse(f"/van-ban?da_rut={directive_id}", status_code=303)

    async def directive_restore(self, request: Request) -> Response:
        await self.form(request)
        directive_id = _checked_id(request)
        try:
            lib.restore_directive(self.settings.input_dir, directive_id)
        except InputError as exc:
            return self.error(
                request,
                409,
                "Chưa khôi phục được văn bản",
                "Văn bản vẫn trong thư mục đã rút, không tệp nào bị thay:",
                exc.problems,
            )
        return RedirectResponse(f"/van-ban/{directive_id}?da_khoi_phuc=1", status_code=303)

    async def directive_end(self, request: Request) -> Response:
        form = await self.form(request)
        directive_id = _checked_id(request)
        day, why = lib.read_day(str(form.get("ngay_ket_thuc", "")), "ngày kết thúc")
        try:
            if day is None:
                raise InputError([Problem("", 0, 0, why or "hãy ghi ngày kết thúc, ví dụ 31/12/2025")])
            lib.end_directive(self.catalogue(), directive_id, day)
        except InputError as exc:
            return self.error(request, 400, "Chưa đánh dấu kết thúc", "Tệp văn bản chưa bị thay đổi:", exc.problems)
        return RedirectResponse(f"/van-ban/{directive_id}?da_ket_thuc=1", status_code=303)

    async def directive(self, request: Request) -> Response:
        directive_id = request.path_params["id"]
        cat = self.catalogue()
        item = cat.file(directive_id) if _ID.match(directive_id) else None
        if item is None:
            return self.error(
                request, 404, "Không có văn bản này", f"Không có văn bản mã '{directive_id}' trong thư mục đầu vào."
            )
        if item.directive is None:  # not readable at all: what is wrong in words, and what a clerk can do
            found = rescue.rescue(item.path, item.problems, cat.input_dir, cat.registry)
            return self.render(request, "rescue.html", cat=cat, item=item, rescue=found, problems=[])
        matrix = None
        corpus_shown = None
        tree: list[dict[str, Any]] = []
        general = list(item.problems)
        if item.directive is not None:
            corpus = cat.corpus if item.valid and cat.corpus else None
            if corpus is None or item.directive.id not in {d.id for d in corpus.directives}:
                corpus = lib.single_corpus(item.path, cat.input_dir)
            if corpus is None:
                raise HTTPException(404, f"Không đọc được văn bản '{directive_id}'.")
            matrix = lib.pivot(corpus)
            corpus_shown = corpus
            starts, last = _task_lines(item.path, [t for t, _ in item.directive.walk()])
            owner = {id(p): _owner(p.line, starts, last) for p in item.problems}
            for row in matrix.rows_of(item.directive.id):
                here = sorted((p for p in item.problems if owner[id(p)] == row.task.id), key=lambda p: p.line)
                general = [p for p in general if p not in here]
                tree.append(
                    {
                        "row": row,
                        "entries": matrix.entries_in(row),
                        "problems": here,
                        "unresolved": [e for e in matrix.entries_in(row) if lib.is_unresolved(e.agency)],
                    }
                )
        out = self.settings.output_dir
        downloads = []
        if item.directive is not None:
            for label, path in (
                ("Bảng Excel (ma trận, nhiệm vụ, theo dõi)", lib.workbook_file(out, item.id)),
                ("Bảng phân công (Word)", lib.table_file(out, item.id)),
            ):
                downloads.append((label, path))
                downloads.append((label.split(" (")[0] + " — PDF", path.with_suffix(".pdf")))
        letters = []
        if item.directive is not None and matrix is not None:
            for agency in matrix.columns:
                path = lib.letter_file(out, item.id, agency.id)
                letters.append((agency, path, path.with_suffix(".pdf")))
        return self.render(
            request,
            "directive.html",
            cat=cat,
            item=item,
            labels=lib.labels(corpus_shown),
            tree=tree,
            general=general,
            matrix=matrix,
            downloads=[(label, self.link(p)) for label, p in downloads if p.is_file()],
            letters=[
                (a, self.link(p), self.link(pdf) if pdf.is_file() else None) for a, p, pdf in letters if p.is_file()
            ],
            followed=cat.corpus is not None and item.directive is not None and item.valid,
            today=today(),
        )

    # An unreadable directive file (see rescue.py): its previous version put back, its raw text, a new draft of it.

    def _rescued(self, request: Request) -> Path:
        directive_id = _checked_id(request)
        path = self.settings.input_dir / f"{directive_id}.yaml"
        if path.name == REGISTRY_FILE or not path.is_file() or path.is_symlink():
            raise HTTPException(404, f"Không có văn bản mã '{directive_id}' trong thư mục đầu vào.")
        return path

    async def directive_put_back(self, request: Request) -> Response:
        form = await self.form(request)
        path = self._rescued(request)
        try:
            rescue.put_back(path, str(form.get("phien_ban", "")))
        except InputError as exc:
            return self.error(request, 409, "Chưa khôi phục bản trước", "Tệp chưa bị thay đổi:", exc.problems)
        return RedirectResponse(f"/van-ban/{path.stem}?ban_truoc=1", status_code=303)

    async def directive_text(
        self, request: Request, problems: list[Problem] | None = None, typed: str | None = None
    ) -> Response:
        path = self._rescued(request)
        data = path.read_bytes()
        text = data.decode("utf-8-sig", errors="replace")
        found = problems if problems is not None else lib.file_problems(path)
        errors = [p for p in found if p.is_error]
        return self.render(
            request,
            "raw.html",
            status=409 if problems else 200,
            path=path,
            text=text if typed is None else typed,
            version=rescue.version_of(data),
            lines=sorted({p.line for p in errors if p.line}),
            problems=found,
            refused=problems,
        )

    async def directive_text_save(self, request: Request) -> Response:
        form = await self.form(request, max_part_size=MAX_PASTE_BYTES)
        path = self._rescued(request)
        typed = str(form.get("noi_dung", ""))
        try:
            rescue.write_text(path, typed, str(form.get("phien_ban", "")))
        except InputError as exc:
            return await self.directive_text(request, problems=list(exc.problems), typed=typed)
        return RedirectResponse(f"/van-ban/{path.stem}?da_luu_tho=1", status_code=303)

    async def directive_redraft(self, request: Request) -> Response:
        """A new draft of an unreadable directive, from the document sent or the source its header names; the
        draft opens for review as any new one, and saving it replaces the unreadable file (kept as .bak)."""
        form = await self.form(request)
        path = self._rescued(request)
        data = path.read_bytes()
        version = rescue.version_of(data)
        upload = form.get("tep")
        if isinstance(upload, UploadFile) and upload.filename:
            return await self._add_upload(request, upload, path.stem, replaces=version)
        _, source = rescue.source_of(data.decode("utf-8-sig", errors="replace"), self.settings.input_dir)
        if source is None:
            return self.error(
                request,
                400,
                "Chưa lập lại được bản nháp",
                "Không tìm thấy tệp gốc của văn bản này: hãy chọn tệp gốc (.docx, .txt hoặc .pdf) rồi bấm lại.",
            )
        drafted, lines = await self.in_worker(lib.drafted_upload, source, self.settings.input_dir)
        session = DraftSession(path.stem, drafted, source.name, lines, replaces=version)
        return self._open_draft(session)

    def link(self, path: Path) -> str:
        return "/tai/" + path.relative_to(self.settings.output_dir).as_posix()

    # ------------------------------------------------------------------ Thêm văn bản

    async def add(self, request: Request) -> Response:
        return self.render(request, "add.html", message=None)

    async def add_post(self, request: Request) -> Response:
        form = await self.form(request)
        upload = form.get("tep")
        pasted = form.get("noi_dung")
        wanted = str(form.get("ma") or "").strip()
        if isinstance(upload, UploadFile) and upload.filename:
            return await self._add_upload(request, upload, wanted)
        if isinstance(pasted, str) and pasted.strip():
            directive_id = slugify(wanted or "ban-nhap")
            drafted = await self.in_worker(lib.drafted_paste, pasted, directive_id, self.settings.input_dir)
            return self._open_draft(DraftSession(directive_id, drafted, "văn bản dán vào", pasted.splitlines()))
        return self.render(
            request, "add.html", status=400, message="Hãy chọn một tệp .txt, .docx, .pdf hoặc dán nội dung văn bản."
        )

    async def _add_upload(self, request: Request, upload: UploadFile, wanted: str, replaces: str = "") -> Response:
        name = upload.filename or ""
        suffix = Path(name).suffix.lower()
        if suffix not in rescue.UPLOAD_TYPES:
            return self.render(
                request,
                "add.html",
                status=415,
                message=f"Không nhận loại tệp '{suffix or name}': chỉ nhận .txt, .docx hoặc .pdf"
                + (" (tệp .doc: hãy mở bằng Word và lưu lại dạng .docx)." if suffix == ".doc" else "."),
            )
        data = await upload.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            return self.render(
                request, "add.html", status=413, message=f"Tệp quá lớn: tối đa {MAX_UPLOAD_BYTES // 1024 // 1024} MB."
            )
        if not data:
            return self.render(request, "add.html", status=400, message=f"Tệp '{name}' rỗng.")
        if not data.startswith(rescue.UPLOAD_TYPES[suffix]) or (
            suffix == ".txt" and b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff"))
        ):
            return self.render(
                request,
                "add.html",
                status=415,
                message=f"Tệp '{name}' không phải tệp {suffix} thật (nội dung không khớp đuôi tệp).",
            )
        directive_id = slugify(wanted or Path(name).stem)
        folder = Path(tempfile.mkdtemp(prefix="matrix-web-upload-"))
        path = folder / f"{directive_id}{suffix}"  # never the sent name: a slug and a known suffix
        path.write_bytes(data)
        try:
            drafted, lines = await self.in_worker(lib.drafted_upload, path, self.settings.input_dir)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        # the document stays in its temporary folder until the draft is saved (then kept in input/nguon/) or dropped
        return self._open_draft(DraftSession(directive_id, drafted, name, lines, replaces=replaces, source_file=path))

    def _open_draft(self, session: DraftSession) -> Response:
        token = secrets.token_urlsafe(16)
        self.drafts[token] = session
        while len(self.drafts) > MAX_DRAFTS:
            drop_source(self.drafts.popitem(last=False)[1].source_file)
        return RedirectResponse(f"/them/{token}", status_code=303)

    def saved_draft(self, token: str, source: Path | None) -> None:
        """A draft saved (from its page or the form editor): its source document kept in input/nguon/."""
        self.drafts.pop(token, None)
        if source is not None and source.is_file():
            try:
                rescue.keep_source(source, self.settings.input_dir)
            except MatrixError:
                pass  # the directive is saved; only a later new draft of it will need its source sent again
        drop_source(source)

    def _session(self, request: Request) -> tuple[str, DraftSession]:
        token = request.path_params["token"]
        session = self.drafts.get(token)
        if session is None:
            raise HTTPException(
                404, "Bản nháp này không còn (máy chủ đã khởi động lại hoặc đã lưu). Hãy thêm lại văn bản."
            )
        return token, session

    async def draft(self, request: Request) -> Response:
        token, session = self._session(request)
        # a draft of two million characters takes seconds to read: in a thread, the other pages go on
        view = await anyio.to_thread.run_sync(lib.view_draft, session.yaml, session.id, self.settings.input_dir)
        day = view.directive.date if view.directive else None
        query = request.query_params.get("tim", "").strip()
        target = request.query_params.get("ten", "")
        found: list[Any] = []
        suggestions: list[str] = []
        matched = 0
        cat_registry = self.catalogue().registry
        if query and cat_registry is not None:
            result = lib.search_agencies(cat_registry, query, day)
            found, suggestions, matched = result.agencies[:SHOWN_MATCHES], result.suggestions, len(result.agencies)
        stored = self.settings.input_dir / f"{session.id}.yaml"
        exists = stored.name == REGISTRY_FILE or stored.exists()
        return self.render(
            request,
            "draft.html",
            token=token,
            session=session,
            view=view,
            query=query,
            target=target,
            found=found,
            matched=matched,
            named={a.id: cat_registry.label(a) for a in found} if cat_registry is not None else {},
            suggestions=suggestions,
            exists=exists,
            day=day,
        )

    async def draft_update(self, request: Request) -> Response:
        token, session = self._session(request)
        form = await self.form(request)
        text = form.get("yaml")
        if isinstance(text, str) and text.strip():
            session.yaml = text.replace("\r\n", "\n")
        session.notice = "Đã cập nhật bản nháp."
        return RedirectResponse(f"/them/{token}", status_code=303)

    async def draft_rename(self, request: Request) -> Response:
        token, session = self._session(request)
        form = await self.form(request)
        written, agency_id = str(form.get("ten", "")), str(form.get("co_quan", ""))
        registry = self.catalogue().registry
        if registry is None or agency_id not in registry:
            raise HTTPException(404, f"Cơ quan '{agency_id}' không có trong danh mục.")
        agency = registry.get(agency_id)
        if form.get("cach") == "ten-goi-khac":
            add_alias(self.settings.input_dir / "co-quan.yaml", agency_id, written)
            session.notice = f"Đã thêm '{written}' làm tên gọi khác của {agency.name} trong danh mục (co-quan.yaml)."
        else:
            session.yaml = replace_name(session.yaml, written, agency.name)
            session.notice = f"Đã thay '{written}' bằng '{agency.name}' trong bản nháp."
        return RedirectResponse(f"/them/{token}", status_code=303)

    async def draft_save(self, request: Request) -> Response:
        token, session = self._session(request)
        form = await self.form(request)
        text = form.get("yaml")
        if isinstance(text, str) and text.strip():
            session.yaml = text.replace("\r\n", "\n")
        directive_id = slugify(str(form.get("ma") or session.id))
        if directive_id != session.id:
            session.yaml = _with_id(session.yaml, directive_id)
            session.id = directive_id
        path = self.settings.input_dir / f"{directive_id}.yaml"
        if session.replaces and path.is_file() and not path.is_symlink():  # a new draft of an unreadable file
            try:
                await anyio.to_thread.run_sync(rescue.replace_with_draft, session.yaml, path, session.replaces)
            except InputError as exc:
                session.notice = "Chưa ghi: " + "; ".join(p.message for p in exc.problems) + "."
                return RedirectResponse(f"/them/{token}", status_code=303)
            self.saved_draft(token, session.source_file)
            problems = lib.file_problems(path)
            state = "ok" if not any(p.is_error for p in problems) else "loi"
            return RedirectResponse(f"/van-ban/{directive_id}?da_luu={state}", status_code=303)
        if path.name == REGISTRY_FILE or path.exists() or path.is_symlink():
            # the registry, another directive, anything already there: never replaced from the page
            what = "danh mục cơ quan" if path.name == REGISTRY_FILE else "một văn bản khác"
            session.notice = (
                f"Mã '{directive_id}' trùng tên tệp input/{path.name} ({what}): chưa ghi. "
                "Hãy đổi mã văn bản; muốn thay văn bản cũ thì xóa hoặc đổi tên tệp cũ trong thư mục đầu vào trước."
            )
            return RedirectResponse(f"/them/{token}", status_code=303)
        problems = await anyio.to_thread.run_sync(lib.save_draft, session.yaml, path)
        self.saved_draft(token, session.source_file)
        state = "ok" if not any(p.is_error for p in problems) else "loi"
        return RedirectResponse(f"/van-ban/{directive_id}?da_luu={state}", status_code=303)

    # ------------------------------------------------------------------ Cơ quan

    async def agencies(self, request: Request) -> Response:
        """Cơ quan: the registry filtered (province, khối, existing on a date), searched, a page at a time."""
        cat = self.catalogue()
        params = request.query_params
        query = params.get("q", "").strip()
        province = params.get("tinh", "")
        block = params.get("khoi", "")
        raw_day = params.get(declared.NAMES_ON.field, "").strip()
        on, why = lib.read_day(raw_day, "ngày")
        page_number = int(params["trang"]) if params.get("trang", "").isdigit() else 1
        page = None
        if cat.registry is not None:
            page = lib.agency_page(
                cat.registry,
                query,
                None if not province else ("" if province == "chung" else province),
                block or None,
                on,
                min(page_number, 10**6),
            )
            filtered = province or block or on
            if query and page.total == 1 and not filtered:
                return RedirectResponse(f"/co-quan/{page.rows[0].id}", status_code=302)
        filters = {k: v for k, v in (("q", query), ("tinh", province), ("khoi", block), ("ngay", raw_day)) if v}
        return self.render(
            request,
            "agencies.html",
            cat=cat,
            query=query,
            page=page,
            province=province,
            block=block,
            day=raw_day,
            day_problem=why,
            filters=filters,
        )

    def _agency(self, request: Request, cat: lib.Catalogue) -> Any:
        agency_id = request.path_params["id"]
        if cat.registry is None or not _ID.match(agency_id) or agency_id not in cat.registry:
            suggestions = lib.find_agencies(cat.registry, agency_id.replace("-", " "))[1] if cat.registry else []
            hint = (" Có phải ý bạn là " + " hoặc ".join(f"'{n}'" for n in suggestions) + "?") if suggestions else ""
            raise HTTPException(404, f"Cơ quan '{agency_id}' không có trong danh mục.{hint}")
        return cat.registry.get(agency_id)

    async def agency(self, request: Request) -> Response:
        cat = self.catalogue()
        agency = self._agency(request, cat)
        entries = lib.agency_entries(cat.corpus, agency) if cat.corpus else ()
        groups: dict[str, list[Any]] = {}
        for entry in entries:
            groups.setdefault(entry.row.directive.id, []).append(entry)
        out = self.settings.output_dir
        letters = []
        for directive_id in [*groups, None]:
            owners = {agency.id} | {e.via.id for e in groups.get(directive_id or "", []) if e.via}
            for owner in sorted(owners):
                path = lib.letter_file(out, directive_id, owner)
                if path.is_file():
                    letters.append((directive_id, owner, self.link(path)))
        directives = {d.id: d for d in cat.corpus.directives} if cat.corpus else {}
        return self.render(
            request,
            "agency.html",
            cat=cat,
            agency=agency,
            groups=groups,
            directives=directives,
            letters=letters,
            block=cat.registry.block_name(agency.block) if cat.registry else "",
        )

    async def agency_extract(self, request: Request) -> Response:
        import csv

        cat = self.catalogue()
        agency = self._agency(request, cat)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(
            ("Văn bản", "Số, ký hiệu", "Mục", "Vai trò", "Qua nhóm", "Nội dung nhiệm vụ", "Thời hạn", "Báo cáo")
        )
        for entry in lib.agency_entries(cat.corpus, agency) if cat.corpus else ():
            row = entry.row
            writer.writerow(
                neutralise(cell)
                for cell in (
                    row.directive.id,
                    row.directive.reference,
                    row.task.id,
                    entry.role.value,
                    entry.via.name if entry.via else "",
                    row.task.text,
                    row.task.deadline or "",
                    row.task.report or "",
                )
            )
        return download(Generated(buffer.getvalue().encode("utf-8-sig"), f"{agency.id}-nhiem-vu.csv", "text/csv"))

    # ------------------------------------------------------------------ Ma trận

    async def grid(self, request: Request) -> Response:
        cat = self.catalogue()
        if cat.corpus is None:
            return self.render(
                request,
                "grid.html",
                cat=cat,
                matrix=None,
                blocks=[],
                chosen=[],
                directive=None,
                rows=[],
                today=today(),
                paper="",
            )
        matrix = lib.pivot(cat.corpus)
        directive = request.query_params.get("van_ban") or None
        if directive is not None and directive not in {d.id for d in matrix.directives}:
            raise HTTPException(404, f"Không có văn bản mã '{directive}'.")
        if directive is not None:
            matrix = matrix.subset([directive])
        blocks = matrix.column_blocks()
        chosen = request.query_params.getlist("khoi") or [b.id for b, _ in blocks]
        shown = [(b, agencies) for b, agencies in blocks if b.id in chosen]
        labels = collections.Counter(a.short for _, agencies in shown for a in agencies)
        paper = request.query_params.get("in", "")
        paper = paper if paper in PRINT_COLUMNS else ""
        kept = [(k, v) for k, v in request.query_params.multi_items() if k in ("van_ban", "khoi") and v]
        return self.render(
            request,
            "grid.html",
            cat=cat,
            matrix=matrix,
            blocks=blocks,
            chosen=chosen,
            shown_columns=[(b, agencies, False) for b, agencies in shown],
            parts=print_parts(shown, PRINT_COLUMNS[paper]) if paper else [],
            paper=paper,
            papers=tuple(PRINT_COLUMNS),
            papers_fit=PRINT_COLUMNS["A3"],
            total=sum(len(agencies) for _, agencies in shown),
            query=("?" + urlencode(kept)) if kept else "",
            directive=directive,
            rows=matrix.rows,
            today=today(),
            shared={label for label, n in labels.items() if n > 1},  # columns told apart by their province
            where=_where,
        )

    # ------------------------------------------------------------------ Theo dõi

    async def tracking(
        self,
        request: Request,
        message: str | None = None,
        problems: tuple[Problem, ...] = (),
        status: int = 200,
        typed: dict[str, str] | None = None,
        shown: dt.date | None = None,
    ) -> Response:
        """Theo dõi as of ``?ngay=``; the report form filled with ``typed`` (what a refused form held) or with the
        task a row's "Ghi báo cáo" button names (``?co_quan=&nhiem_vu=``)."""
        from ..commands.status import by_agency, counts
        from ..tracking.records import State

        cat = self.catalogue()
        day = shown or _parse_date(request.query_params.get(declared.STATUS_ON.field, "")) or today()
        try:
            statuses = lib.statuses(cat, day)
        except InputError as exc:
            statuses, problems = (), tuple(problems) + exc.problems
        order = {State.OVERDUE: 0, State.IN_PROGRESS: 1, State.DONE_LATE: 2, State.DONE_ON_TIME: 3}
        groups = [
            (group[0].entry.agency, counts(group), sorted(group, key=lambda s: order.get(s.state, len(order))))
            for group in by_agency(statuses).values()
        ]
        tracked = {}
        per_directive: dict[str, list[Any]] = {}
        for s in statuses:
            tracked[s.entry.agency.id] = s.entry.agency
            per_directive.setdefault(s.entry.row.directive.id, []).append(s)
        directives = [(directive_id, counts(items)) for directive_id, items in per_directive.items()]
        directives.sort(key=lambda item: -item[1][State.OVERDUE])
        out = self.settings.output_dir
        workbooks = [
            (d.id, self.link(lib.workbook_file(out, d.id)))
            for d in (cat.corpus.directives if cat.corpus else ())
            if lib.workbook_file(out, d.id).is_file()
        ]
        if lib.workbook_file(out, None).is_file():
            workbooks.append(("tổng hợp", self.link(lib.workbook_file(out, None))))
        follow_up = [(label, self.link(path)) for label, path in lib.follow_up_files(out, cat.registry)]
        query = request.query_params
        filled = typed or {
            "co_quan": query.get("co_quan", ""),
            "nhiem_vu": query.get("nhiem_vu", ""),
            "ngay_bao_cao": format_date(day),
        }
        return self.render(
            request,
            "tracking.html",
            status=status,
            cat=cat,
            day=day,
            groups=groups,
            total=counts(statuses),
            states=list(State),
            directives=directives,
            agencies=sorted(tracked.values(), key=lambda a: a.name),
            choices=lib.task_choices(cat.corpus),
            task_value=lib.task_value,
            where=_where,
            message=message,
            problems=list(problems),
            workbooks=workbooks,
            follow_up=follow_up,
            filled=filled,
            refused=typed is not None,
        )

    async def tracking_post(self, request: Request) -> Response:
        form = await self.form(request)
        cat = self.catalogue()
        typed = {name: str(form.get(name, "")) for name in ("co_quan", "nhiem_vu", "ngay_bao_cao", "so", "ghi_chu")}
        typed["xong"] = "co" if form.get("xong") == "co" else ""
        if "nhiem_vu" in form:
            directive_id, task = lib.split_task_value(typed["nhiem_vu"])
        else:  # the two fields of a script posting as the page did before the task list
            directive_id, task = str(form.get("van_ban", "")), str(form.get("muc", "")).strip() or None
            typed["nhiem_vu"] = lib.task_value(directive_id, task)
        day, why = lib.read_day(typed["ngay_bao_cao"], "ngày báo cáo")
        shown = _parse_date(str(form.get("xem_ngay", "")))  # the day the page was showing
        try:
            if day is None:
                raise InputError([Problem("", 0, 0, why or "hãy ghi ngày báo cáo, ví dụ 15/12/2025")])
            path = lib.record_report(
                cat,
                typed["co_quan"],
                directive_id,
                task,
                day,
                typed["so"].strip() or None,
                typed["xong"] == "co",
                typed["ghi_chu"].strip() or None,
            )
        except InputError as exc:
            return await self.tracking(request, problems=exc.problems, status=400, typed=typed, shown=shown)
        return RedirectResponse(
            f"/theo-doi?da_ghi={path.stem}" + (f"&ngay={shown.isoformat()}" if shown else ""), status_code=303
        )

    async def calendar(self, request: Request) -> Response:
        cat = self.catalogue()
        data = lib.calendar(cat)
        return download(Generated(data, "lich-theo-doi.ics", "text/calendar; charset=utf-8"))

    # ------------------------------------------------------------------ Tạo kết quả

    async def build_page(self, request: Request) -> Response:
        files = self._output_files()
        return self.render(request, "build.html", state=self.job.state, files=files, busy=False)

    async def build_post(self, request: Request) -> Response:
        form = await self.form(request)
        pdf = form.get(declared.PDF.field) == "co"
        settings = self.settings

        def work(progress: Callable[[int], None], total: Callable[[int], None]) -> Any:
            return lib.run_build(
                settings.input_dir, settings.output_dir, progress, total, pdf=pdf, current=self.job.tell
            )

        if not self.job.start(work):
            return self.render(
                request, "build.html", status=409, state=self.job.state, files=self._output_files(), busy=True
            )
        return RedirectResponse("/tao-ket-qua", status_code=303)

    async def build_state(self, request: Request) -> Response:
        return JSONResponse(self.job.state.as_json())

    def _output_files(self) -> list[Path]:
        return [Path(p) for p in listing(self.settings.output_dir)]

    async def download(self, request: Request) -> Response:
        return download(InOutput(self.settings.output_dir, request.path_params["path"]))

    async def download_all(self, request: Request) -> Response:
        return download(Zipped(self.settings.output_dir, "ket-qua-matrix.zip"))

    # ------------------------------------------------------------------ sign-in and sign-out

    async def login(self, request: Request) -> Response:
        return self.render(request, "login.html", message=None, next=_safe_next(request.query_params.get("tiep", "/")))

    async def login_post(self, request: Request) -> Response:
        form = await self.form(request)
        target = _safe_next(str(form.get("tiep", "/")))
        address = request.client.host if request.client else ""
        wait = self.throttle.wait(address)
        if wait:
            minutes = (wait + 59) // 60
            return self.render(
                request,
                "login.html",
                status=429,
                message=f"Đã nhập sai mật khẩu quá nhiều lần: hãy thử lại sau {minutes} phút.",
                next=target,
            )
        sent = str(form.get("mat_khau", ""))
        if self.settings.password is None or not hmac.compare_digest(sent.encode(), self.settings.password.encode()):
            self.throttle.failed(address)
            return self.render(request, "login.html", status=403, message="Mật khẩu không đúng.", next=target)
        self.throttle.succeeded(address)
        old = self.session_of(request)
        self.sessions.end(old.id if old else None)  # a new id once signed in: a planted one is worth nothing
        response = RedirectResponse(target, status_code=303)
        _set_session_cookie(request, response, self.sessions.new(signed_in=True))
        return response

    async def logout(self, request: Request) -> Response:
        await self.form(request)
        session = self.session_of(request)
        self.sessions.end(session.id if session else None)
        response = RedirectResponse("/dang-nhap" if self.settings.password is not None else "/", status_code=303)
        response.delete_cookie(_cookie_name(request), path="/", secure=request.url.scheme == "https")
        return response


def _cookie_name(request: Request) -> str:
    return SECURE_SESSION_COOKIE if request.url.scheme == "https" else SESSION_COOKIE


def _set_session_cookie(request: Request, response: Response, session: Session) -> None:
    secure = request.url.scheme == "https"
    response.set_cookie(_cookie_name(request), session.id, path="/", httponly=True, samesite="strict", secure=secure)


def drop_source(source: Path | None) -> None:
    """The temporary folder of an uploaded document, removed."""
    if source is not None:
        shutil.rmtree(source.parent, ignore_errors=True)


def _capped(receive: Receive, limit: int) -> Receive:
    """``receive`` that counts the body as it arrives and raises 413 once it passes ``limit`` bytes."""
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise HTTPException(413)
        return message

    return counted


@dataclass(frozen=True)
class PrintPart:
    """A part of the printed Ma trận: its agency columns by block (a block cut by the previous part "continued"),
    and their numbers among all columns (1-based)."""

    columns: list[tuple[Any, list[Any], bool]]
    first: int
    last: int


def print_parts(shown: Sequence[tuple[Any, Sequence[Any]]], most: int) -> list[PrintPart]:
    """The agency columns shared out into as few parts of at most ``most`` columns as needed, of even sizes (90
    columns on A4: 30, 30, 30, never 31, 31, 28 and a few); the task columns are repeated in each by the page."""
    flat = [(b, a) for b, agencies in shown for a in agencies]
    count = max(1, math.ceil(len(flat) / most))
    base, extra = divmod(len(flat), count)
    parts = []
    start = 0
    for index in range(count if flat else 0):
        size = base + (index < extra)
        columns: list[tuple[Any, list[Any], bool]] = []
        for block, agency in flat[start : start + size]:
            if columns and columns[-1][0] is block:
                columns[-1][1].append(agency)
            else:  # "continued" when the block's first column is in an earlier part
                columns.append((block, [agency], bool(start) and flat[start - 1][0] is block and not columns))
        parts.append(PrintPart(columns, start + 1, start + size))
        start += size
    return parts or [PrintPart([], 0, 0)]


def _task_lines(path: Path, tasks: list[Any]) -> tuple[dict[str, int], int]:
    """Each task's first line in its file (1-based), matched to the tasks in document order, and the tasks' last line."""
    import yaml

    try:
        root = yaml.compose(path.read_text(encoding="utf-8-sig"), Loader=yaml.SafeLoader)
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return {}, 0
    starts: list[int] = []
    last = 0

    def visit(node: Any) -> None:
        if not isinstance(node, yaml.SequenceNode):
            return
        for task in node.value:
            if isinstance(task, yaml.MappingNode):
                starts.append(task.start_mark.line + 1)
                for k, v in task.value:
                    if k.value == "tasks":
                        visit(v)

    if isinstance(root, yaml.MappingNode):
        for k, v in root.value:
            if k.value == "tasks":
                visit(v)
                last = v.end_mark.line + (1 if v.end_mark.column else 0)
    if len(starts) != len(tasks):
        return {}, 0
    return {task.id: start for task, start in zip(tasks, starts, strict=True)}, last


def _owner(line: int, starts: dict[str, int], last: int) -> str | None:
    """The task a problem on ``line`` belongs to: the nearest task starting at or before it."""
    if not line or line > last:
        return None
    best = None
    for task_id, start in starts.items():
        if start <= line and (best is None or start >= starts[best]):
            best = task_id
    return best


def _with_id(yaml_text: str, directive_id: str) -> str:
    lines = yaml_text.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("id:"):
            lines[i] = f'id: "{directive_id}"'
            return "\n".join(lines)
    return f'id: "{directive_id}"\n' + yaml_text


def _parse_date(raw: str) -> dt.date | None:
    """A typed date, or None when it is not one or lies outside the years matrix computes (stamp.out_of_range)."""
    from ..core.stamp import out_of_range, read_day

    day = read_day(raw)
    return None if day is None or out_of_range(day) else day


def _where(row: Any) -> str:
    """ "Mục 3, điểm a": where a task stands, as the document prints it."""
    from ..core.pivot import location

    text = location(row)
    return text[:1].upper() + text[1:]


def _checked_id(request: Request) -> str:
    directive_id = str(request.path_params["id"])
    if not _ID.match(directive_id):
        raise HTTPException(404, f"Không có văn bản mã '{directive_id}'.")
    return directive_id


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else "/"


# --------------------------------------------------------------------------- the application


class _Guard(BaseHTTPMiddleware):
    """Only the served host names; with a password, every page but the sign-in page and the styles needs a
    signed-in session."""

    def __init__(self, app: Any, pages: Pages) -> None:
        super().__init__(app)
        self.pages = pages

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if host_name(request.headers.get("host", "")) not in self.pages.settings.allowed_hosts:
            # a page of another site pointed at this machine's address (DNS rebinding) is not served
            return self.pages.error(
                request,
                400,
                "Địa chỉ không hợp lệ",
                "Hãy mở matrix bằng địa chỉ máy chủ đã in khi khởi động (ví dụ http://127.0.0.1:8765).",
            )
        if self.pages.settings.password is not None and not request.url.path.startswith(("/dang-nhap", "/static/")):
            session = self.pages.session_of(request)
            if session is None or not session.signed_in:
                if request.method == "GET":
                    return RedirectResponse(f"/dang-nhap?tiep={request.url.path}", status_code=303)
                return self.pages.error(request, 403, "Cần đăng nhập", "Hãy đăng nhập bằng mật khẩu của máy chủ.")
        response = await call_next(request)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


_STATUS_TITLES = {
    400: ("Yêu cầu không hợp lệ", "Yêu cầu gửi lên không hợp lệ."),
    403: (
        "Không được phép",
        "Biểu mẫu thiếu mã bảo vệ hoặc mã không đúng (có thể trang đã cũ). Hãy tải lại trang rồi gửi lại.",
    ),
    404: ("Không tìm thấy", "Không tìm thấy trang hoặc tệp này."),
    405: ("Không được phép", "Trang này không nhận cách gửi này."),
    413: ("Tệp quá lớn", f"Dữ liệu gửi lên quá lớn (tối đa {MAX_UPLOAD_BYTES // 1024 // 1024} MB)."),
    429: ("Thử lại sau", "Đã thử quá nhiều lần; hãy đợi vài phút rồi thử lại."),
}


def create_app(
    input_dir: Path,
    output_dir: Path,
    password: str | None = None,
    allowed_hosts: tuple[str, ...] = LOCAL_HOSTS,
    limits: Limits = DEFAULT_LIMITS,
) -> Starlette:
    """The web application over ``input_dir`` (directives, registry, tracking) and ``output_dir`` (results).

    Only the host names ``allowed_hosts`` are served (default this machine's: 127.0.0.1, localhost, ::1;
    ``matrix serve --host`` adds the served ones, see :func:`security.served_names`); with a password,
    every page is behind the sign-in page. ``limits``: of each drafting worker.
    """
    hosts = tuple(sorted({h.lower() for h in allowed_hosts}))
    pages = Pages(Settings(Path(input_dir), Path(output_dir), password, hosts, limits))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        title, message = _STATUS_TITLES.get(exc.status_code, ("Lỗi", "Yêu cầu không thực hiện được."))
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail and not exc.detail.isascii() else message
        return pages.error(request, exc.status_code, title, detail)

    async def matrix_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, MatrixError)
        problems = exc.problems if isinstance(exc, InputError) else ()
        return pages.error(
            request,
            400 if exc.exit_code == 2 else 500,
            "Không thực hiện được",
            "Dữ liệu có lỗi:" if problems else exc.message,
            problems,
        )

    async def internal_error(request: Request, exc: Exception) -> Response:
        return pages.error(
            request,
            500,
            "Lỗi nội bộ",
            f"Lỗi nội bộ của matrix ({type(exc).__name__}). Hãy báo lại cho nhóm phát triển.",
        )

    from .editor import Editor  # the form editor (its own module and template)

    p = pages
    routes = [
        *Editor(pages).routes(),
        Route("/", p.home),
        Route("/van-ban", p.directives),
        Route("/van-ban/{id}", p.directive),
        Route("/van-ban/{id}/rut", p.directive_withdraw, methods=["POST"]),
        Route("/van-ban/{id}/ket-thuc", p.directive_end, methods=["POST"]),
        Route("/van-ban/{id}/ban-truoc", p.directive_put_back, methods=["POST"]),
        Route("/van-ban/{id}/van-ban-tho", p.directive_text),
        Route("/van-ban/{id}/van-ban-tho", p.directive_text_save, methods=["POST"]),
        Route("/van-ban/{id}/lap-lai", p.directive_redraft, methods=["POST"]),
        Route("/van-ban/da-rut/{id}/khoi-phuc", p.directive_restore, methods=["POST"]),
        Route("/them", p.add),
        Route("/them", p.add_post, methods=["POST"]),
        Route("/them/{token}", p.draft),
        Route("/them/{token}/cap-nhat", p.draft_update, methods=["POST"]),
        Route("/them/{token}/doi-ten", p.draft_rename, methods=["POST"]),
        Route("/them/{token}/luu", p.draft_save, methods=["POST"]),
        Route("/co-quan", p.agencies),
        Route("/co-quan/{id}", p.agency),
        Route("/co-quan/{id}/trich-xuat.csv", p.agency_extract),
        Route("/ma-tran", p.grid),
        Route("/theo-doi", p.tracking),
        Route("/theo-doi", p.tracking_post, methods=["POST"]),
        Route("/theo-doi/lich.ics", p.calendar),
        Route("/tao-ket-qua", p.build_page),
        Route("/tao-ket-qua", p.build_post, methods=["POST"]),
        Route("/tao-ket-qua/trang-thai", p.build_state),
        Route("/tai-tat-ca.zip", p.download_all),
        Route("/tai/{path:path}", p.download),
        Route("/dang-nhap", p.login),
        Route("/dang-nhap", p.login_post, methods=["POST"]),
        Route("/dang-xuat", p.logout, methods=["POST"]),
        Mount("/static", StaticFiles(packages=[("matrix.web", "static")]), name="static"),
    ]
    handlers: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
        HTTPException: http_error,
        MatrixError: matrix_error,
        Exception: internal_error,
    }
    app = Starlette(routes=routes, middleware=[Middleware(_Guard, pages=pages)], exception_handlers=handlers)
    app.state.pages = pages
    return app
