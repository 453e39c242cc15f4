"""The `matrix` command: thin click wrappers over the library.

Heavy libraries (openpyxl, python-docx) are imported inside the commands
that need them, so `matrix --help` stays fast.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Iterable

import click

from . import __version__
from .clickvi import install as _install_vietnamese
from .errors import EXIT_INPUT, MatrixError

_install_vietnamese()

EXIT_INTERNAL = 3
DEFAULT_INPUT = Path("input")


class _Group(click.Group):
    """Turns every library error into a Vietnamese message and an exit code, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MatrixError as exc:
            click.echo(exc.message, err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:  # `matrix export | head`: the reader left, nothing to report
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(0)
        except KeyboardInterrupt:
            click.echo("Đã dừng theo yêu cầu.", err=True)
            ctx.exit(130)
        except Exception as exc:  # noqa: BLE001 - the last line of defence for users
            if os.environ.get("MATRIX_DEBUG"):
                raise
            click.echo(f"Lỗi nội bộ của matrix ({type(exc).__name__}: {exc}). "
                       "Hãy báo lại cho nhóm phát triển; đặt biến MATRIX_DEBUG=1 để xem chi tiết.", err=True)
            ctx.exit(EXIT_INTERNAL)


CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

paths_argument = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
registry_option = click.option("--registry", type=click.Path(path_type=Path, dir_okay=False),
                               help="Tệp danh mục cơ quan (mặc định: co-quan.yaml trong thư mục đầu vào).")
expand_option = click.option("--expand-groups", is_flag=True,
                             help="Tách mỗi nhóm (UBND các huyện...) thành từng cơ quan thành viên.")


@click.group(name="matrix", cls=_Group, context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="matrix")
def main() -> None:
    """matrix: lập bảng phân công nhiệm vụ và thư giao nhiệm vụ từ chỉ thị, công văn.

    \b
    Các bước thường dùng:
      matrix validate            kiểm tra các tệp trong input/
      matrix build               tạo bảng Excel, thư Word, CSV/JSON trong output/
      matrix show "Công an tỉnh" xem nhiệm vụ của một cơ quan
    """


def _inputs(paths: Iterable[Path]) -> list[Path]:
    return list(paths) or [DEFAULT_INPUT]


def _load(paths: Iterable[Path], registry: Path | None, lenient: bool = False) -> Any:
    from .load import load_corpus

    result = load_corpus(_inputs(paths), registry, lenient)
    for problem in result.warnings:
        click.echo(str(problem), err=True)
    return result.require()


@main.command()
@paths_argument
@registry_option
@click.option("--strict", is_flag=True, help="Coi cảnh báo là lỗi.")
def validate(paths: tuple[Path, ...], registry: Path | None, strict: bool) -> None:
    """Kiểm tra danh mục cơ quan và các tệp văn bản; báo mọi lỗi cùng lúc.

    PATHS là tệp .yaml hoặc thư mục (mặc định: input/).
    """
    from .load import load_corpus

    result = load_corpus(_inputs(paths), registry)
    for problem in result.problems:
        click.echo(str(problem))
    errors, warnings = len(result.errors), len(result.warnings)
    if errors or (strict and warnings):
        click.echo(f"Có {errors} lỗi, {warnings} cảnh báo.")
        sys.exit(EXIT_INPUT)
    corpus = result.require()
    tasks = sum(1 for d in corpus.directives for _ in d.walk())
    click.echo(f"Hợp lệ: {len(corpus.directives)} văn bản, {tasks} nhiệm vụ, "
               f"{len(corpus.registry.agencies)} cơ quan trong danh mục; {warnings} cảnh báo.")


@main.command()
@paths_argument
@registry_option
@expand_option
@click.option("-o", "--output", "output", type=click.Path(path_type=Path, file_okay=False), default=Path("output"),
              show_default=True, help="Thư mục kết quả.")
@click.option("--paper", type=click.Choice(["A4", "A3"], case_sensitive=False), default="A4", show_default=True,
              help="Khổ giấy của bảng Excel.")
@click.option("--templates", type=click.Path(path_type=Path, file_okay=False, exists=True),
              help="Thư mục mẫu thư (.docx) dùng thay mẫu mặc định.")
@click.option("--pdf", is_flag=True, help="Chuyển thêm mọi tệp sang PDF (cần LibreOffice).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Số tiến trình chạy song song (mặc định: số lõi CPU).")
def build(paths: tuple[Path, ...], registry: Path | None, expand_groups: bool, output: Path, paper: str,
          templates: Path | None, pdf: bool, jobs: int | None) -> None:
    """Tạo mọi kết quả: bảng Excel, thư giao nhiệm vụ, bảng phân công, CSV và JSON.

    \b
    Ví dụ:
      matrix build                      # input/ -> output/
      matrix build --expand-groups --paper A3 --pdf
    """
    from .build import BuildOptions, build as run_build, plan_build

    options = BuildOptions(expand_groups=expand_groups, paper=paper.upper(), templates=templates, pdf=pdf, jobs=jobs)
    plan = plan_build(_load(paths, registry), options)
    with click.progressbar(length=plan.letters, label="Đang tạo thư", file=sys.stderr, show_pos=True) as bar:
        summary = run_build(plan, output, progress=bar.update)
    click.echo(f"Đã tạo {summary.workbooks} bảng Excel, {summary.letters} thư giao nhiệm vụ, "
               f"{summary.tables} bảng phân công, assignments.csv và assignments.json trong {output}/.")
    if pdf:
        if summary.pdf_skipped:
            click.echo(f"Không tạo PDF: {summary.pdf_skipped}", err=True)
        else:
            click.echo(f"Đã chuyển {summary.pdfs} tệp sang PDF.")


@main.command()
@paths_argument
@registry_option
@expand_option
@click.option("-f", "--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True,
              help="Định dạng xuất.")
def export(paths: tuple[Path, ...], registry: Path | None, expand_groups: bool, fmt: str) -> None:
    """Xuất phân công ra màn hình (stdout) dạng JSON hoặc CSV cho hệ thống khác.

    Bản nháp còn tên cơ quan chưa có trong danh mục vẫn xuất được; tên đó giữ nguyên như đã viết.
    """
    from .export import to_csv, to_json
    from .pivot import build_matrix

    matrix = build_matrix(_load(paths, registry, lenient=True), expand_groups)
    click.echo(to_json(matrix) if fmt == "json" else to_csv(matrix), nl=False)


@main.command()
@click.argument("source", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@registry_option
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Tệp YAML kết quả (mặc định: in ra màn hình); mã văn bản lấy theo tên tệp này.")
@click.option("--force", is_flag=True, help="Ghi đè tệp -o nếu đã có.")
def draft(source: Path, registry: Path | None, output: Path | None, force: bool) -> None:
    """Lập bản nháp YAML từ văn bản .txt, .docx hoặc .pdf để cán bộ rà soát.

    Chỗ cần xem lại có ghi chú '# kiểm tra: ...'. Tên cơ quan chưa có trong danh mục
    được giữ nguyên và đánh dấu.

    \b
    Ví dụ:
      matrix draft chi-thi.pdf -o input/chi-thi.yaml
      matrix validate input/chi-thi.yaml
    """
    from .draft import draft_file, summary, write_draft
    from .load import open_registry
    from .text import slugify

    if output is not None and output.exists() and not force:
        click.echo(f"Tệp '{output}' đã có: không ghi đè. Chọn tên khác hoặc thêm --force để ghi đè.", err=True)
        sys.exit(EXIT_INPUT)
    directive_id = slugify(output.stem) if output is not None else None
    result = draft_file(source, open_registry([source], registry), directive_id)
    if output:
        write_draft(result, output)
    else:
        click.echo(result.yaml, nl=False)
    click.echo(summary(result), err=True)


@main.command()
@registry_option
@click.option("--province", help="Chỉ hiện cơ quan chung và cơ quan của tỉnh này (mã tỉnh).")
def agencies(registry: Path | None, province: str | None) -> None:
    """Liệt kê danh mục cơ quan: mã, tên, khối, đề nghị hay giao."""
    from .load import open_registry

    reg = open_registry([DEFAULT_INPUT], registry)
    rows = [("Mã", "Tên", "Khối", "Loại", "Động từ")]
    for agency in reg.agencies:
        if province and agency.province not in (None, province):
            continue
        kind = "nhóm" if agency.is_group else "cơ quan"
        rows.append((agency.id, agency.name, reg.block_name(agency.block), kind, "đề nghị" if agency.requested else "giao"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    click.echo(f"\n{len(rows) - 1} mục.")


@main.command()
@click.argument("agency")
@paths_argument
@registry_option
@expand_option
def show(agency: str, paths: tuple[Path, ...], registry: Path | None, expand_groups: bool) -> None:
    """Xem các nhiệm vụ của một cơ quan trên mọi văn bản (nhận mọi tên gọi khác).

    \b
    Ví dụ:  matrix show "Đảng ủy Công an tỉnh"
    """
    from .errors import InputError, Problem
    from .load import suggest_names
    from .pivot import build_matrix
    from .text import shorten

    corpus = _load(paths, registry)
    found = corpus.registry.candidates(agency) or _ascii_match(corpus.registry, agency)
    if not found:
        names = suggest_names(corpus.registry, agency)
        hint = ("có phải ý bạn là " + " hoặc ".join(f"'{n}'" for n in names) + "?") if names else "xem 'matrix agencies'"
        raise InputError([Problem("<dòng lệnh>", 0, 0, f"cơ quan '{agency}' không có trong danh mục", hint)])
    matrix = build_matrix(corpus, expand_groups)
    for target in found:
        entries = matrix.entries_for(target.id)
        counts = matrix.counts(target.id)
        summary = ", ".join(f"{n} {role.value}" for role, n in counts.items() if n)
        click.secho(f"{target.name} ({target.id}): {len(entries)} nhiệm vụ" + (f" — {summary}" if summary else ""), bold=True)
        current = None
        for entry in entries:
            if entry.row.directive.id != current:
                current = entry.row.directive.id
                d = entry.row.directive
                heading = " ".join(filter(None, (d.kind.capitalize(), d.reference)))
                click.echo(f"\n  {heading} — {shorten(d.title, 80)} [{d.id}]")
            via = f" (qua {entry.via.short})" if entry.via else ""
            click.echo(f"    Mục {entry.row.task.id:<8} {entry.role.value:<10}{via} {shorten(entry.row.task.text, 90)}")
            if entry.row.task.deadline or entry.row.task.report:
                click.echo(f"{'':23}Thời hạn/báo cáo: {'; '.join(filter(None, (entry.row.task.deadline, entry.row.task.report)))}")
        if not entries:
            click.echo("  (không có nhiệm vụ nào)")


def _ascii_match(registry: Any, name: str) -> tuple[Any, ...]:
    """Agencies whose name matches ``name`` typed without diacritics ("Cong an tinh"), if unique."""
    from .text import ascii_key

    key = ascii_key(name)
    found = {a.id: a for a in registry.agencies if any(ascii_key(n) == key for n in a.names())}
    return tuple(found.values()) if len(found) == 1 else ()
