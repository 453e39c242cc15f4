"""Golden checks on the five shipped seed encodings: would catch a wrong encoding."""

from __future__ import annotations

import re
import unicodedata

import pytest

from matrix.core.model import IssuerKind, Role
from matrix.core.pivot import build_matrix

from .helpers import SEEDS

TET = "ubnd-ct-cao-diem-tet-giap-thin-2024"
TIEN_GIANG = "tiengiang-ubnd-ct-antt-2025"
DONG_THAP = "dongthap-ubnd-cv-antt-2025"
KL13 = "tinhuy-cv-kl13-phong-chong-toi-pham"
HUNG_YEN = "hungyen-tinhuy-ct-antt-2024"


def roles(corpus, directive_id, task_id):
    """{agency id: role} stated at one task."""
    for task, _ in corpus.directive(directive_id).walk():
        if task.id == task_id:
            return {a.agency: a.role for a in task.assignments}
    raise AssertionError(f"no task {task_id} in {directive_id}")


def test_every_seed_is_encoded(seed_corpus):
    ids = {d.id for d in seed_corpus.directives}
    assert ids == {p.stem for p in SEEDS.glob("*.txt")}


@pytest.mark.parametrize("seed", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.stem)
def test_every_numbered_item_is_a_task(seed_corpus, seed):
    text = seed.read_text(encoding="utf-8")
    numbered = set(re.findall(r"(?m)^\s*(?:#+\s*)?(\d+(?:\.\d+)*)\.\s+(?=\w)", text))
    task_ids = {t.id for t, _ in seed_corpus.directive(seed.stem).walk()}
    assert numbered, "the seed text has numbered items"
    assert numbered <= task_ids


def _fold(text):
    text = unicodedata.normalize("NFC", re.sub(r"[*#]+", " ", text))
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize("seed", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.stem)
def test_task_text_is_verbatim_from_the_seed(seed_corpus, seed):
    """Every sentence of every task occurs in the seed once line breaks are folded.

    The footnotes (kept as notes) are cut out of the source first, and their
    markers ("trật tự1.") dropped, as the encoding rules say.
    """
    directive = seed_corpus.directive(seed.stem)
    source = _fold(seed.read_text(encoding="utf-8"))
    for task, _ in directive.walk():
        for note in task.notes:
            number, _, body = note.partition(". ")
            source = source.replace(f"{number} {_fold(body)}", " ")
            source = re.sub(rf"(?<=[^\W\d]){number}(?=[.,;])", "", source)
    source = _fold(source)
    for task, _ in directive.walk():
        for sentence in re.split(r"(?<=[.;:])\s", task.text):
            assert _fold(sentence) in source, f"{seed.stem} {task.id}: {sentence[:80]!r}"


def test_tet_item_4_goes_to_border_guard_and_customs(seed_corpus):
    assert roles(seed_corpus, TET, "4") == {"bdbp-tinh": Role.LEAD, "cuc-hai-quan-tinh": Role.LEAD}


def test_tet_item_7_requests_procuracy_and_court(seed_corpus):
    assert roles(seed_corpus, TET, "7") == {"vksnd-tinh": Role.LEAD, "tand-tinh": Role.LEAD}
    directive = seed_corpus.directive(TET)
    assert directive.issuer.kind is IssuerKind.STATE
    for agency_id in ("vksnd-tinh", "tand-tinh"):
        assert seed_corpus.registry.get(agency_id).requested  # so the verb is "đề nghị"
    assert not seed_corpus.registry.get("cong-an-tinh").requested


def test_tet_general_item_goes_to_groups(seed_corpus):
    assert roles(seed_corpus, TET, "1") == {"so-ban-nganh": Role.DOER, "ubnd-cap-huyen": Role.DOER}
    assert roles(seed_corpus, TET, "9") == {"ubnd-cap-huyen": Role.DOER, "ubnd-cap-xa": Role.DOER}
    assert roles(seed_corpus, TET, "6-1") == {"ban-tuyen-giao-tu": Role.PARTNER}


def test_tet_closing_paragraph_assigns_monitoring(seed_corpus):
    assert roles(seed_corpus, TET, "cuối-2") == {"cong-an-tinh": Role.LEAD, "so-noi-vu": Role.PARTNER}


def test_tien_giang_item_7(seed_corpus):
    # Tiền Giang's own bodies (until 30/06/2025), not those of Đồng Tháp or Hưng Yên
    assert roles(seed_corpus, TIEN_GIANG, "7") == {
        "tien-giang-cong-an-tinh": Role.LEAD,
        "tien-giang-vp-ubnd-tinh": Role.PARTNER,
    }
    task = next(t for t, _ in seed_corpus.directive(TIEN_GIANG).walk() if t.id == "7")
    assert "định kỳ 6 tháng, năm" in task.report


def test_tien_giang_general_items_go_to_the_addressed_groups(seed_corpus):
    groups = {f"tien-giang-{g}" for g in ("so-ban-nganh", "ubnd-cap-huyen", "doan-the-tinh", "co-quan-trung-uong")}
    for item in "123456":
        assert roles(seed_corpus, TIEN_GIANG, item) == dict.fromkeys(groups, Role.DOER)
    targets = next(t for t, _ in seed_corpus.directive(TIEN_GIANG).walk() if t.id == "3").targets
    assert any("kéo giảm ít nhất 05%" in t for t in targets)


def test_dong_thap_items_go_to_departments_and_districts(seed_corpus):
    for item in "1234567":
        assert roles(seed_corpus, DONG_THAP, item) == {
            "dong-thap-so-ban-nganh": Role.DOER,
            "dong-thap-ubnd-cap-huyen": Role.DOER,
        }
    assert roles(seed_corpus, DONG_THAP, "8") == {"dong-thap-cong-an-tinh": Role.LEAD}
    directive = seed_corpus.directive(DONG_THAP)
    item1 = directive.tasks[0]
    assert item1.notes and "Nghị quyết số 13-NQ/TW" in item1.notes[0]
    assert "Nghị quyết số 13-NQ/TW" not in item1.text  # the footnote is a note, not text
    assert directive.signer.name == "Trần Trí Quang"


def test_kl13_party_organs_resolve_to_their_agencies(seed_corpus):
    assert roles(seed_corpus, KL13, "2") == {"cong-an-tinh": Role.LEAD}
    assert roles(seed_corpus, KL13, "3") == {"bdbp-tinh": Role.LEAD, "cuc-hai-quan-tinh": Role.PARTNER}
    assert roles(seed_corpus, KL13, "4") == {"vksnd-tinh": Role.LEAD, "tand-tinh": Role.LEAD}
    assert roles(seed_corpus, KL13, "7") == {"ban-noi-chinh-tu": Role.LEAD, "cong-an-tinh": Role.PARTNER}
    written = {a.written for t, _ in seed_corpus.directive(KL13).walk() for a in t.assignments}
    assert "Đảng ủy Công an tỉnh" in written  # the words as written are kept for the letters
    assert seed_corpus.directive(KL13).issuer.kind is IssuerKind.PARTY


def test_hung_yen_structure_and_closing(seed_corpus):
    directive = seed_corpus.directive(HUNG_YEN)
    item3 = next(t for t in directive.tasks if t.id == "3")
    assert [t.id for t in item3.tasks] == ["3.1", "3.2", "3.3", "3.4", "3.5"]
    assert roles(seed_corpus, HUNG_YEN, "3") == {"hung-yen-cong-an-tinh": Role.LEAD}
    assert roles(seed_corpus, HUNG_YEN, "cuối-1") == {
        "hung-yen-cong-an-tinh": Role.LEAD,
        "hung-yen-ban-noi-chinh-tu": Role.PARTNER,
        "hung-yen-vp-tinh-uy": Role.PARTNER,
    }


def test_expanding_groups_uses_the_province_members(seed_corpus):
    matrix = build_matrix(seed_corpus, expand_groups=True)
    dong_thap_rows = [r for r in matrix.rows if r.directive.id == DONG_THAP and r.task.id == "1"]
    agencies = {e.agency.id for e in matrix.entries_in(dong_thap_rows[0])}
    assert len([a for a in agencies if a.startswith("dt-ubnd-")]) == 12
    assert not any(a.startswith("tg-") for a in agencies)
