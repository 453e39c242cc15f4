"""The outputs of a build, each an *output unit* behind one small protocol.

A unit has a ``name``, cuts its work into :class:`Piece` s (``pieces``: one workbook, forty letters...)
that worker processes can share, and writes one piece into the staging folder (``write``), returning
the files it wrote. ``tally`` names the :class:`matrix.build.BuildSummary` counter its files add to.
:func:`matrix.build.build` drives the units and publishes what they wrote; PDF conversion is a
separate step run afterwards over every written document (:func:`convert_documents`). Adding an
output means adding a unit to :data:`UNITS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from .export import to_csv, to_json
from .pivot import Matrix

if TYPE_CHECKING:
    from .build import BuildPlan

WORKBOOK = "ma-tran.xlsx"
LETTERS = "thu-giao-nhiem-vu"
TABLE = "bang-phan-cong.docx"
STATUS_WORKBOOK = "tinh-hinh-thuc-hien.xlsx"  # in tong-hop/
REMINDERS = "don-doc"  # in tong-hop/
EXPORTS = ("assignments.csv", "assignments.json")  # at the top of the output folder

LETTERS_PER_PIECE = 40


@dataclass(frozen=True)
class Piece:
    """One share of a unit's work: a view of the plan (its index in ``plan.views``), maybe some agencies."""

    unit: str
    view: int
    agencies: tuple[str, ...] = ()


class OutputUnit(Protocol):
    """One kind of output of a build."""

    @property
    def name(self) -> str: ...

    @property
    def tally(self) -> str | None:
        """The :class:`~matrix.build.BuildSummary` counter the unit's files count in (None: not counted)."""
        ...

    def pieces(self, plan: BuildPlan) -> list[Piece]:
        """The unit's work, cut into pieces that can be written independently (in any process)."""
        ...

    def write(self, plan: BuildPlan, piece: Piece, stage: Path) -> list[Path]:
        """Write one piece into the staging folder ``stage``; return the files written."""
        ...


def _folder(plan: BuildPlan, piece: Piece, stage: Path) -> tuple[Path, Matrix]:
    name, view = plan.views[piece.view]
    return stage / name, view


def _consolidated(plan: BuildPlan) -> int:
    return len(plan.views) - 1


def _by_agencies(name: str, view: int, agencies: Sequence[str]) -> list[Piece]:
    return [
        Piece(name, view, tuple(agencies[start : start + LETTERS_PER_PIECE]))
        for start in range(0, len(agencies), LETTERS_PER_PIECE)
    ]


def workbook_title(view: Matrix) -> str:
    """ "Chỉ thị 05/CT-UBND: Về ..." for one directive; "Tổng hợp phân công nhiệm vụ (n văn bản)" for several."""
    if len(view.directives) == 1:
        d = view.directives[0]
        return f"{d.label}: {d.title}"
    return f"Tổng hợp phân công nhiệm vụ ({len(view.directives)} văn bản)"


class Exports:
    """assignments.csv and assignments.json: the whole matrix, for other systems."""

    name, tally = "exports", None

    def pieces(self, plan: BuildPlan) -> list[Piece]:
        return [Piece(self.name, _consolidated(plan))]

    def write(self, plan: BuildPlan, piece: Piece, stage: Path) -> list[Path]:
        csv_path, json_path = (stage / name for name in EXPORTS)
        csv_path.write_text(to_csv(plan.matrix), encoding="utf-8-sig")
        json_path.write_text(to_json(plan.matrix), encoding="utf-8")
        return [csv_path, json_path]


class Workbooks:
    """ma-tran.xlsx in every view's folder (excel.write_workbook)."""

    name, tally = "workbook", "workbooks"

    def pieces(self, plan: BuildPlan) -> list[Piece]:
        return [Piece(self.name, index) for index in range(len(plan.views))]

    def write(self, plan: BuildPlan, piece: Piece, stage: Path) -> list[Path]:
        from .excel import write_workbook

        folder, view = _folder(plan, piece, stage)
        write_workbook(view, folder / WORKBOOK, title=workbook_title(view), paper=plan.options.paper)
        return [folder / WORKBOOK]


class Letters:
    """Thư giao nhiệm vụ, one per agency of each directive (word.write_letters)."""

    name, tally = "letters", "letters"

    def pieces(self, plan: BuildPlan) -> list[Piece]:
        single = [i for i, (_, view) in enumerate(plan.views) if len(view.directives) == 1]
        return [p for i in single for p in _by_agencies(self.name, i, [a.id for a in plan.views[i][1].columns])]

    def write(self, plan: BuildPlan, piece: Piece, stage: Path) -> list[Path]:
        from .word import write_letters

        folder, view = _folder(plan, piece, stage)
        return list(write_letters(view, folder / LETTERS, templates=plan.options.templates, agencies=piece.agencies))


class Extracts:
    """The consolidated view: per agency an extract of every directive, letters per issuer
    (word.write_consolidated)."""

    name, tally = "extracts", "letters"

    def pieces(self, plan: BuildPlan) -> list[Piece]:
        several = [i for i, (_, view) in enumerate(plan.views) if len(view.directives) > 1]
        return [p for i in several for p in _by_agencies(self.name, i, [a.id for a in plan.views[i][1].columns])]

    def write(self, plan: BuildPlan, piece: Piece, stage: Path) -> list[Path]:
        from .word import write_consolidated

        folder, view = _folder(plan, piece, stage)
        return list(write_consolidated(view, folder, templates=plan.options.templates, agencies=piece.agencies))


class Tables:
    """bang-phan-cong.docx, the assignment table, in every view's folder (word.write_assignment_table)."""

    name, tally = "table", "tables"

    def pieces(self, plan: BuildPlan) -> list[Piece]:
        return [Piece(self.name, index) for index in range(len(plan.views))]

    def write(self, plan: BuildPlan, piece: Piece, stage: Path) -> list[Path]:
        from .word import write_assignment_table

        folder, view = _folder(plan, piece, stage)
        write_assignment_table(view, folder / TABLE, templates=plan.options.templates)
        return [folder / TABLE]


class StatusWorkbook:
    """tong-hop/tinh-hinh-thuc-hien.xlsx: how far each assignment has got (status_excel)."""

    name, tally = "status", None

    def pieces(self, plan: BuildPlan) -> list[Piece]:
        return [Piece(self.name, _consolidated(plan))]

    def write(self, plan: BuildPlan, piece: Piece, stage: Path) -> list[Path]:
        from .status_excel import write_status_workbook

        folder, view = _folder(plan, piece, stage)
        path = folder / STATUS_WORKBOOK
        write_status_workbook(
            view, plan.statuses, plan.as_of, path, paper=plan.options.paper, letters=plan.sent_letters
        )
        return [path]


class Reminders:
    """tong-hop/don-doc/: a đôn đốc letter per agency with overdue tasks (reminders)."""

    name, tally = "reminders", "reminders"

    def pieces(self, plan: BuildPlan) -> list[Piece]:
        late = list(dict.fromkeys(s.entry.agency.id for s in plan.statuses if s.overdue_since is not None))
        return _by_agencies(self.name, _consolidated(plan), late)

    def write(self, plan: BuildPlan, piece: Piece, stage: Path) -> list[Path]:
        from .reminders import write_reminders

        folder, view = _folder(plan, piece, stage)
        return list(
            write_reminders(
                view,
                plan.statuses,
                plan.as_of,
                folder / REMINDERS,
                templates=plan.options.templates,
                letters=plan.sent_letters,
                agencies=piece.agencies,
            )
        )


#: Every output of a build, in the order their pieces are handed out.
UNITS: tuple[OutputUnit, ...] = (Workbooks(), Letters(), Extracts(), Tables(), StatusWorkbook(), Reminders(), Exports())
_BY_NAME = {unit.name: unit for unit in UNITS}


def unit(name: str) -> OutputUnit:
    return _BY_NAME[name]


def plan_pieces(plan: BuildPlan, units: Sequence[OutputUnit] = UNITS) -> list[Piece]:
    """Every piece of work of ``plan``: the consolidated view, the largest, first (so workers finish together)."""
    pieces = [piece for u in units for piece in u.pieces(plan)]
    return sorted(pieces, key=lambda p: -p.view)  # stable: unit order within a view


def convert_documents(folder: Path) -> tuple[int, str | None]:
    """The PDF step: every .docx and .xlsx under ``folder`` converted beside itself (LibreOffice).

    Returns how many PDFs were written and, when LibreOffice is missing, why none were.
    """
    from .word import PdfUnavailable, convert_to_pdf

    documents = sorted(p for p in folder.rglob("*") if p.suffix in (".docx", ".xlsx"))
    try:
        return len(convert_to_pdf(documents)), None
    except PdfUnavailable as exc:
        return 0, str(exc)
