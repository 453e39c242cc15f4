"""Document-type codes, declared once: the drafter reads a kind from a symbol, the letters find the body after it."""

from __future__ import annotations

import pytest
import yaml

from matrix.core.doctypes import DOCUMENT_TYPES, KINDS, is_type_code, kind_of_code
from matrix.core.model import Directive, Issuer, IssuerKind, Task
from matrix.draft import draft_text
from matrix.input.load import load_corpus, load_registry
from matrix.input.yamlio import Report
from matrix.writers.word import issuer_data

from .helpers import REGISTRY

LETTER = """ỦY BAN NHÂN DÂN                    CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
TỈNH ĐỒNG THÁP                           Độc lập - Tự do - Hạnh phúc
Số: 12/{code}-UBND                        Đồng Tháp, ngày 05 tháng 02 năm 2025
Bảo đảm an ninh, trật tự dịp Tết Nguyên đán Ất Tỵ 2025
1. Giao Công an tỉnh chủ trì.
Nơi nhận:                                                KT. CHỦ TỊCH
- Lưu: VT, NC.                                            PHÓ CHỦ TỊCH
                                                          Nguyễn Văn An
"""


def _directive(symbol: str, kind: IssuerKind = IssuerKind.STATE) -> Directive:
    return Directive("d", "chỉ thị", "t", Issuer("UBND tỉnh", kind), (Task("1", "x"),), number="12", symbol=symbol)


@pytest.mark.parametrize(("code", "kind"), DOCUMENT_TYPES)
def test_every_code_opens_a_state_symbol_and_names_its_kind(code, kind):
    assert kind_of_code(code) == kind and kind_of_code(code.upper()) == kind and kind in KINDS
    assert issuer_data(_directive(f"{code}-UBND"))["abbreviation"] == "UBND"


def test_bodies_are_not_codes():
    assert issuer_data(_directive("UBND-NC"))["abbreviation"] == "UBND"  # a State công văn
    assert issuer_data(_directive("CT/TU", IssuerKind.PARTY))["abbreviation"] == "TU"
    assert not any(is_type_code(body) for body in ("UBND", "TU", "NC", "VX", "BCĐ", "HĐND"))


@pytest.mark.parametrize(("code", "kind"), [("PA", "phương án"), ("CĐ", "công điện")])
def test_pa_and_cd_round_trip_through_the_drafter_and_the_letters(tmp_path, code, kind):
    """Drafted from "Số: 12/PA-UBND" the kind is read from the code; loaded back, the abbreviation is UBND."""
    report = Report()
    draft = draft_text(LETTER.format(code=code), load_registry(REGISTRY, report), "ban-nhap")
    data = yaml.safe_load(draft.yaml)
    assert (data["kind"], data["symbol"]) == (kind, f"{code}-UBND")
    path = tmp_path / "ban-nhap.yaml"
    path.write_text(draft.yaml, encoding="utf-8")
    result = load_corpus([path], REGISTRY)
    (directive,) = result.corpus.directives
    assert issuer_data(directive)["abbreviation"] == "UBND"
