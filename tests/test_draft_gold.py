"""The corpus evaluation: a draft scored against a gold reading (quotes, names, roles)."""

from __future__ import annotations

import textwrap

from matrix.draft import draft_text
from matrix.draft.evaluate import evaluate_gold, fold, read_gold
from matrix.input.load import load_registry
from matrix.input.yamlio import Report

from .helpers import REGISTRY as REGISTRY_FILE

REGISTRY = load_registry(REGISTRY_FILE, Report())

TEXT = (
    "CHỈ THỊ\nVề an ninh\nChủ tịch UBND tỉnh yêu cầu:\n"
    "1. Công an tỉnh chủ trì, phối hợp với Sở Tư pháp tuần tra.\n"
    "2. Sở Du lịch Xanh tổ chức quảng bá điểm đến.\n"
    "3. Đài Phát thanh tỉnh đưa tin.\n"
)
GOLD = textwrap.dedent("""\
    document: thu
    province: null
    kind: chỉ thị
    issuer_kind: nhà nước
    tasks:
      - label: "1"
        quote: "Công an tỉnh chủ trì, phối hợp"
        assign:
          chủ trì: [Đảng ủy Công an tỉnh]      # an alias: the same agency
          phối hợp: [Sở Tư pháp, Sở Y tế]      # Sở Y tế: missed by the draft
      - label: "2"
        quote: "Sở Du lịch Xanh tổ chức quảng bá"
        assign:
          chủ trì: [Sở  du lịch xanh]          # unknown to the registry: equal when folded
    """)


def test_gold_triples_are_matched_by_quote_agency_and_role(tmp_path):
    path = tmp_path / "thu.gold.yaml"
    path.write_text(GOLD, encoding="utf-8")
    gold = read_gold(path)
    scores = evaluate_gold(draft_text(TEXT, REGISTRY, "thu").directive, gold, REGISTRY)
    # found: Công an tỉnh (alias), Sở Tư pháp, Sở Du lịch Xanh; missed: Sở Y tế;
    # extra: Đài Phát thanh tỉnh on item 3, which no gold item maps to
    assert (scores.true_positives, scores.false_negatives, scores.false_positives) == (3, 1, 1)
    assert scores.tasks_found == 2 and round(scores.precision, 2) == 0.75 and scores.recall == 0.75


def test_quotes_are_found_whatever_the_punctuation_and_spacing():
    assert fold("Công an tỉnh; Sở  Tư pháp,") in fold("1. Công an tỉnh ;Sở Tư pháp , phối hợp")
