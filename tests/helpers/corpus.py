"""Corpora built by the tests: a small hand-built one, an awkward-text one, and the seed corpus."""

from __future__ import annotations

import dataclasses
import datetime as dt
from functools import cache
from types import MappingProxyType

from matrix.core.model import (
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
from matrix.core.pivot import Matrix, build_matrix

from . import INPUT, SEED_IDS


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


def awkward_corpus() -> Corpus:
    corpus = small_corpus()
    state = corpus.directives[0]
    text = "A & B < C > D \"E\" 'F' =1+2 {{ x }} {% if y %} \x07bell\x0bvt\x0cff – ‘G’"
    task = Task(
        "9",
        text,
        (Assignment("so-noi-vu", Role.LEAD, "Sở Nội vụ & <Tư pháp>"),),
        deadline="=NOW() & <ngay>",
        report='"quý" & <năm>',
        targets=("<5%",),
        notes=("1. a & b",),
    )
    changed = dataclasses.replace(state, tasks=(*state.tasks, task), title='Về A & B "<C>"')
    return Corpus(corpus.registry, (changed, corpus.directives[1]))


@cache
def seed_corpus() -> Corpus:
    """The five seed directives of tests/fixtures/input/, loaded and validated.

    A copy that does not load is a failure (InputError with every problem), never a skip.
    """
    from matrix.input.load import load_corpus

    corpus = load_corpus([INPUT]).require()
    assert tuple(sorted(d.id for d in corpus.directives)) == SEED_IDS, f"{INPUT}: not the five seed directives"
    return corpus


def seed_matrix() -> Matrix:
    """The matrix of the seed corpus."""
    return build_matrix(seed_corpus())
