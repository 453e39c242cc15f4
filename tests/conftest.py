"""Shared fixtures: a small hand-built corpus, and the shipped seed corpus."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from types import MappingProxyType

import pytest

from matrix.model import (
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

ROOT = Path(__file__).resolve().parent.parent
INPUT = ROOT / "input"
SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"


def small_registry() -> Registry:
    blocks = (
        Block("noi-chinh", "Khối nội chính"),
        Block("so-nganh", "Sở, ban, ngành"),
        Block("cap-huyen", "Cấp huyện"),
    )
    agencies = (
        Agency("cong-an-tinh", "Công an tỉnh", "Công an tỉnh", "noi-chinh", aliases=("Đảng ủy Công an tỉnh",)),
        Agency("vksnd-tinh", "Viện kiểm sát nhân dân tỉnh", "VKSND tỉnh", "noi-chinh", requested=True),
        Agency("so-noi-vu", "Sở Nội vụ", "Sở Nội vụ", "so-nganh"),
        Agency(
            "vp-ubnd-tinh",
            "Văn phòng Ủy ban nhân dân tỉnh",
            "VP UBND tỉnh",
            "so-nganh",
            aliases=("Văn phòng UBND tỉnh",),
        ),
        Agency("h-a", "Ủy ban nhân dân huyện A", "UBND huyện A", "cap-huyen", province="p"),
        Agency("h-b", "Ủy ban nhân dân huyện B", "UBND huyện B", "cap-huyen", province="p"),
        Agency(
            "ubnd-cap-huyen",
            "Ủy ban nhân dân các huyện",
            "UBND cấp huyện",
            "cap-huyen",
            is_group=True,
            members=MappingProxyType({"p": ("h-a", "h-b")}),
        ),
    )
    return Registry(blocks, agencies, MappingProxyType({"p": "Tỉnh P"}))


def small_corpus() -> Corpus:
    """Two directives (State and Party) exercising every role, a group and awkward text."""
    a = Assignment
    state = Directive(
        id="ct-1",
        kind="chỉ thị",
        title="Về bảo đảm an ninh, trật tự năm 2025",
        issuer=Issuer("Chủ tịch Ủy ban nhân dân tỉnh P", IssuerKind.STATE, ("ỦY BAN NHÂN DÂN", "TỈNH P")),
        number="05",
        symbol="CT-UBND",
        date=dt.date(2025, 1, 6),
        place="P",
        province="p",
        signer=Signer(("KT. CHỦ TỊCH",), "PHÓ CHỦ TỊCH", "Nguyễn Văn A"),
        recipients=("Các sở, ban, ngành tỉnh", "UBND các huyện"),
        distribution=("Như trên", "Lưu: VT, NC"),
        tasks=(
            Task(
                "1", "Các huyện triển khai thực hiện nghiêm túc.", (a("ubnd-cap-huyen", Role.DOER, "UBND các huyện"),)
            ),
            Task(
                "2",
                "Công an tỉnh:",
                (a("cong-an-tinh", Role.LEAD, "Công an tỉnh"),),
                tasks=(
                    Task(
                        "2-1",
                        '- Chủ trì, phối hợp với Sở Nội vụ & các đơn vị <liên quan> "rà soát".',
                        (a("so-noi-vu", Role.PARTNER, "Sở Nội vụ"),),
                    ),
                    Task("2-2", "=SUM(A1) không phải công thức; + - @ cũng vậy."),
                ),
            ),
            Task(
                "3",
                "Đề nghị Viện kiểm sát nhân dân tỉnh phối hợp.",
                (a("vksnd-tinh", Role.LEAD, "Viện kiểm sát nhân dân tỉnh"),),
            ),
            Task(
                "cuối-1",
                "Giao Công an tỉnh chủ trì, phối hợp với Văn phòng UBND tỉnh theo dõi; định kỳ 6 tháng, năm báo cáo.",
                (a("cong-an-tinh", Role.LEAD, "Công an tỉnh"), a("vp-ubnd-tinh", Role.PARTNER, "Văn phòng UBND tỉnh")),
                report="định kỳ 6 tháng, năm báo cáo",
                deadline="trước ngày 15/12/2025",
            ),
        ),
    )
    party = Directive(
        id="cv-2",
        kind="công văn",
        title="Về phòng, chống tội phạm",
        issuer=Issuer("Ban Thường vụ Tỉnh ủy", IssuerKind.PARTY, ("TỈNH ỦY P",)),
        signer=Signer(("T/M BAN THƯỜNG VỤ",), "PHÓ BÍ THƯ", "Trần Thị B"),
        tasks=(
            Task(
                "1",
                "Đảng ủy Công an tỉnh tăng cường lãnh đạo.",
                (a("cong-an-tinh", Role.LEAD, "Đảng ủy Công an tỉnh"),),
            ),
            Task(
                "2",
                "Phối hợp chặt chẽ với Viện kiểm sát.",
                (
                    a("vksnd-tinh", Role.PARTNER, "Viện kiểm sát nhân dân tỉnh"),
                    a("cong-an-tinh", Role.LEAD, "Công an tỉnh"),
                ),
            ),
        ),
    )
    return Corpus(small_registry(), (state, party))


@pytest.fixture
def corpus() -> Corpus:
    return small_corpus()


@pytest.fixture(scope="session")
def seed_corpus() -> Corpus:
    """The five shipped seed directives, loaded and validated from input/."""
    from matrix.load import load_corpus

    return load_corpus([INPUT]).corpus


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/ from the seed outputs (then review the diff)",
    )


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    """A copy of the shipped input/ that a test may change (records, directives, registry)."""
    target = tmp_path / "input"
    shutil.copytree(INPUT, target)
    return target


def run_cli(*args: object) -> tuple[int, str]:
    """Run the `matrix` command through click's CliRunner: (exit code, output)."""
    from click.testing import CliRunner

    from matrix.cli import main

    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.output
