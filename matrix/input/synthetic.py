"""Synthetic corpora of any size, for benchmarks of the writers.

The text is Vietnamese-looking (diacritics, long paragraphs, dash bullets,
text that starts with "-" or "="), the registry has blocks and groups with
members, and every task may carry several assignments: enough to exercise
a writer the way the real corpus does, at sizes the real corpus never has.
"""

from __future__ import annotations

import datetime as dt
import random
from types import MappingProxyType

from ..core.model import ROLES, Agency, Assignment, Block, Corpus, Directive, Issuer, IssuerKind, Registry, Signer, Task

PROVINCE = "tinh-mau"

_BLOCKS = (
    ("noi-chinh", "Khối nội chính"),
    ("so-nganh", "Sở, ban, ngành"),
    ("trung-uong", "Cơ quan Trung ương trên địa bàn"),
    ("mat-tran", "Mặt trận và đoàn thể"),
    ("dang", "Cơ quan Đảng"),
    ("cap-huyen", "Cấp huyện, cấp xã"),
)
_BODIES = ("Sở", "Ban", "Cục", "Chi cục", "Ủy ban nhân dân huyện", "Hội", "Trung tâm")
_FIELDS = (
    "Nội vụ",
    "Tư pháp",
    "Tài chính",
    "Xây dựng",
    "Giáo dục và Đào tạo",
    "Y tế",
    "Văn hóa, Thể thao và Du lịch",
    "Khoa học và Công nghệ",
    "Nông nghiệp và Môi trường",
    "Công Thương",
    "Dân tộc và Tôn giáo",
    "Hải quan",
    "Thuế",
    "Quản lý thị trường",
)
_WORDS = (
    "tăng cường",
    "công tác",
    "phòng, chống",
    "tội phạm",
    "bảo đảm",
    "an ninh",
    "trật tự",
    "triển khai",
    "thực hiện",
    "nghiêm túc",
    "chỉ đạo",
    "quyết liệt",
    "địa bàn",
    "tỉnh",
    "tuyên truyền",
    "vi phạm pháp luật",
    "tệ nạn xã hội",
    "ma túy",
    "giao thông",
    "cháy, nổ",
    "kịp thời",
    "phát hiện",
    "xử lý",
    "đấu tranh",
    "Nhân dân",
    "cơ sở",
    "phong trào",
    "toàn dân",
    "bảo vệ",
    "an ninh Tổ quốc",
    "định kỳ",
    "báo cáo",
    "kết quả",
    "Ủy ban nhân dân tỉnh",
)


def make_corpus(n_agencies: int, n_tasks: int, n_directives: int, seed: int = 0, n_communes: int = 0) -> Corpus:
    """A corpus of ``n_directives`` directives sharing ``n_tasks`` tasks among ``n_agencies`` addressees.

    About one agency in twenty is a group whose members are other agencies;
    tasks nest up to two levels; each task has zero to six assignments.
    ``n_communes`` of the agencies are commune People's Committees, members
    of a group "Ủy ban nhân dân cấp xã" (the province after the 2025 reform).
    The same arguments always give the same corpus.
    """
    rng = random.Random(seed)
    registry = _registry(rng, max(n_agencies - n_communes, 1))
    if n_communes:
        registry = _with_communes(registry, n_communes)
    per_directive = _split(max(n_tasks, n_directives), max(n_directives, 1))
    directives = tuple(_directive(rng, registry, index, count) for index, count in enumerate(per_directive, 1))
    return Corpus(registry, directives)


def _split(total: int, parts: int) -> list[int]:
    """``total`` as ``parts`` near-equal positive counts."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _registry(rng: random.Random, n_agencies: int) -> Registry:
    blocks = tuple(Block(block_id, name) for block_id, name in _BLOCKS)
    bodies: list[Agency] = []
    n_groups = n_agencies // 20
    for i in range(n_agencies - n_groups):
        body, topic = rng.choice(_BODIES), rng.choice(_FIELDS)
        name = f"{body} {topic} số {i + 1}"
        short = f"{body.split()[0]} {topic.split(',')[0]} {i + 1}"
        bodies.append(Agency(f"co-quan-{i + 1}", name, short, rng.choice(blocks).id, requested=rng.random() < 0.2))
    groups = [
        Agency(
            f"nhom-{g + 1}",
            f"Các cơ quan thuộc nhóm {g + 1}",
            f"Nhóm {g + 1}",
            rng.choice(blocks).id,
            is_group=True,
            members=MappingProxyType({PROVINCE: tuple(a.id for a in rng.sample(bodies, min(len(bodies), 8)))}),
        )
        for g in range(n_groups)
    ]
    return Registry(blocks, tuple(bodies + groups), MappingProxyType({PROVINCE: "Tỉnh Mẫu"}))


def _with_communes(registry: Registry, n_communes: int) -> Registry:
    """Add ``n_communes`` commune committees and the group that holds them."""
    communes = tuple(
        Agency(
            f"ubnd-xa-{i + 1}",
            f"Ủy ban nhân dân xã Mẫu {i + 1}",
            f"UBND xã Mẫu {i + 1}",
            "cap-huyen",
            province=PROVINCE,
        )
        for i in range(n_communes - 1)
    )
    group = Agency(
        "ubnd-cap-xa",
        "Ủy ban nhân dân cấp xã",
        "UBND cấp xã",
        "cap-huyen",
        is_group=True,
        members=MappingProxyType({PROVINCE: tuple(a.id for a in communes)}),
    )
    return Registry(registry.blocks, registry.agencies + communes + (group,), registry.provinces)


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(_WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _text(rng: random.Random) -> str:
    """One to three paragraphs, sometimes opening with "- " or "=" like real bullets."""
    paragraphs = [" ".join(_sentence(rng, rng.randint(6, 30)) for _ in range(rng.randint(1, 6)))]
    paragraphs += [_sentence(rng, rng.randint(8, 40)) for _ in range(rng.randint(0, 2))]
    prefix = rng.choice(("", "", "", "- ", "=", "+ "))
    return prefix + "\n".join(paragraphs)


def _assignments(rng: random.Random, registry: Registry) -> tuple[Assignment, ...]:
    chosen = rng.sample(registry.agencies, min(len(registry.agencies), rng.choice((0, 1, 1, 2, 3, 4, 6))))
    return tuple(Assignment(a.id, rng.choice(ROLES), a.name) for a in chosen)


def _task(rng: random.Random, registry: Registry, task_id: str, depth: int, budget: list[int]) -> Task:
    budget[0] -= 1
    subs: list[Task] = []
    if depth < 2:
        for k in range(rng.choice((0, 0, 1, 2, 3))):
            if budget[0] <= 0:
                break
            subs.append(_task(rng, registry, f"{task_id}.{k + 1}", depth + 1, budget))
    return Task(
        id=task_id,
        text=_text(rng),
        assignments=_assignments(rng, registry),
        tasks=tuple(subs),
        title=_sentence(rng, rng.randint(4, 12)) if rng.random() < 0.3 else None,
        deadline=f"trước ngày {rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2025" if rng.random() < 0.3 else None,
        report="định kỳ 6 tháng, năm báo cáo kết quả" if rng.random() < 0.3 else None,
    )


def _directive(rng: random.Random, registry: Registry, index: int, n_tasks: int) -> Directive:
    budget = [n_tasks]
    tasks: list[Task] = []
    while budget[0] > 0:
        tasks.append(_task(rng, registry, str(len(tasks) + 1), 0, budget))
    party = index % 2 == 0
    return Directive(
        id=f"van-ban-{index}",
        kind="công văn" if party else "chỉ thị",
        title=f"Về tăng cường bảo đảm an ninh, trật tự (văn bản mẫu số {index})",
        issuer=Issuer(
            "Ban Thường vụ Tỉnh ủy" if party else "Chủ tịch Ủy ban nhân dân tỉnh",
            IssuerKind.PARTY if party else IssuerKind.STATE,
        ),
        tasks=tuple(tasks),
        number=f"{index:02d}",
        symbol="CV/TU" if party else "CT-UBND",
        date=dt.date(2025, 1, 1) + dt.timedelta(days=index),
        province=PROVINCE,
        signer=Signer(("KT. CHỦ TỊCH",), "PHÓ CHỦ TỊCH", "Nguyễn Văn Mẫu"),
    )
