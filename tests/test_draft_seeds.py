"""`matrix draft` end to end on the five seed texts: valid, loadable, exportable, and close to the hand encodings."""

from __future__ import annotations

import json
import shutil
import sys

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from matrix.cli import main
from matrix.core.pivot import build_matrix
from matrix.draft import draft_file, evaluate, load_draft, summary
from matrix.draft.evaluate import Scores, total
from matrix.input.dump import scalar
from matrix.input.load import load_corpus
from matrix.writers.export import to_json

from .helpers import INPUT, REGISTRY, ROOT
from .helpers import SEEDS as SEEDS_DIR

SEEDS = sorted(SEEDS_DIR.glob("*.txt"))


@pytest.fixture(scope="module")
def corpus():
    return load_corpus([INPUT], REGISTRY).require()


@pytest.fixture(scope="module")
def drafts(corpus):
    return {seed.stem: draft_file(seed, corpus.registry) for seed in SEEDS}


@pytest.fixture(scope="module")
def scores(corpus, drafts) -> dict[str, Scores]:
    return {name: evaluate(load_draft(draft, REGISTRY), corpus.directive(name)) for name, draft in drafts.items()}


@pytest.mark.parametrize("seed", [s.stem for s in SEEDS])
def test_each_seed_scores_at_least_095_and_finds_every_task(scores, seed):
    assert scores[seed].f1 >= 0.95, (scores[seed].missing, scores[seed].extra)
    assert scores[seed].structure_recall == 1.0


def test_overall_f1(scores):
    assert total(scores.values()).f1 >= 0.95


@pytest.mark.parametrize("seed", [s.stem for s in SEEDS])
def test_the_draft_reads_back_to_the_model_the_drafter_returned(drafts, seed):
    """The drafter returns the model; its YAML (one writer, with the review notes) is that model."""
    from dataclasses import replace

    def ordered(directive):
        def task(t):
            return replace(t, assignments=tuple(sorted(t.assignments, key=repr)), tasks=tuple(map(task, t.tasks)))

        return replace(directive, tasks=tuple(map(task, directive.tasks)))

    draft = drafts[seed]
    assert draft.review == sum(n.review for n in draft.notes) > 0
    assert ordered(load_draft(draft, REGISTRY).directives[0]) == ordered(draft.directive)


@pytest.mark.parametrize("seed", [s.stem for s in SEEDS])
def test_draft_is_valid_yaml_that_the_strict_loader_accepts(tmp_path, drafts, seed):
    draft = drafts[seed]
    data = yaml.safe_load(draft.yaml)
    assert data["id"] == seed and data["tasks"]
    path = tmp_path / f"{seed}.yaml"
    path.write_text(draft.yaml, encoding="utf-8")
    result = load_corpus([path], REGISTRY)  # not lenient: every seed name is in the registry
    assert not result.errors, [str(p) for p in result.errors]
    assert draft.unresolved == [] and draft.resolved == draft.assignments > 0


def test_matrix_validate_accepts_the_drafts(tmp_path, drafts):
    for name, draft in drafts.items():
        (tmp_path / f"{name}.yaml").write_text(draft.yaml, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(tmp_path), "--registry", str(REGISTRY)])
    assert result.exit_code == 0, result.output
    *warnings, last = result.output.splitlines()
    assert last.startswith("Hợp lệ: 5 văn bản")
    # Undated texts are checked against today's registry (W02), and the old bodies they name are warned about.
    assert all(": cảnh báo: " in w and ("không ghi ngày" in w or "không còn từ" in w) for w in warnings), warnings


def test_drafts_export_to_json(drafts):
    for draft in drafts.values():
        corpus = load_draft(draft, REGISTRY)
        data = json.loads(to_json(build_matrix(corpus)))
        exported = data["directives"][0]
        assert exported["id"] == draft.id and len(exported["tasks"]) >= 1


def test_unresolved_names_fail_only_strict_validation(tmp_path, corpus):
    source = tmp_path / "cv.txt"
    source.write_text(
        "CÔNG VĂN\nVề thử\nYêu cầu:\n1. Sở Du lịch chủ trì, phối hợp với Công an tỉnh kiểm tra.\n", encoding="utf-8"
    )
    draft = draft_file(source, corpus.registry)
    path = tmp_path / "cv.yaml"
    path.write_text(draft.yaml, encoding="utf-8")
    strict = load_corpus([path], REGISTRY)
    assert [p.message for p in strict.errors] == ["nhiệm vụ '1': cơ quan 'Sở Du lịch' không có trong danh mục"]
    lenient = load_draft(draft, REGISTRY)
    assert (
        json.loads(to_json(build_matrix(lenient)))["directives"][0]["tasks"][0]["assignments"][0]["agency"]
        == "Sở Du lịch"
    )


def test_review_count_matches_the_marks_and_the_summary_is_vietnamese(drafts):
    draft = drafts["dongthap-ubnd-cv-antt-2025"]
    assert draft.review == draft.yaml.count("# kiểm tra:") > 0
    text = summary(draft)
    assert text.startswith(
        "Đã lập bản nháp 'dongthap-ubnd-cv-antt-2025': 8 nhiệm vụ, 8 có cơ quan được giao, 0 chưa có ai; "
        "15 lượt giao cho cơ quan (15 lượt khớp danh mục cơ quan)."
    )
    assert f"Cần kiểm tra {draft.review} chỗ" in text


def test_summary_lists_unresolved_names(tmp_path, corpus):
    source = tmp_path / "cv.txt"
    source.write_text("CÔNG VĂN\nVề thử\nYêu cầu:\n1. Sở Du lịch kiểm tra.\n", encoding="utf-8")
    assert "Chưa có trong danh mục (1): Sở Du lịch" in summary(draft_file(source, corpus.registry))


def test_long_texts_are_block_scalars(drafts):
    assert "    text: |-\n" in drafts["tiengiang-ubnd-ct-antt-2025"].yaml


def test_the_benchmark_script_prints_every_seed_and_the_total(capsys, tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import evaluate_drafts
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    # The seeds against the tests' own copy of input/, and one corpus document (the whole corpus is the benchmark's job).
    for name in ("daklak-ct012-tthc-2025.txt", "daklak-ct012-tthc-2025.gold.yaml"):
        shutil.copy(ROOT / "tests" / "fixtures" / "corpus" / name, tmp_path / name)
    assert evaluate_drafts.main(["--input", str(INPUT), "--corpus", str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    seeds = out[: 1 + len(SEEDS) + 1]  # then, after a blank line, the corpus table (tests/fixtures/corpus)
    assert seeds[-1].startswith("overall (pooled)") and seeds[-1].split()[2:5] == ["1.000"] * 3
    assert out[len(seeds)] == "" and out[-1].startswith("overall (pooled)")


def test_scores_count_triples_and_task_ids(corpus):
    reference = corpus.directive("ubnd-ct-cao-diem-tet-giap-thin-2024")
    perfect = evaluate(corpus, reference)
    assert (perfect.precision, perfect.recall, perfect.f1, perfect.structure_recall) == (1.0, 1.0, 1.0, 1.0)
    other = evaluate(corpus.directive("tinhuy-cv-kl13-phong-chong-toi-pham"), reference)
    assert other.f1 < 0.2 and other.structure_recall < 1.0


_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp", "Zs")), min_size=1, max_size=30
)


@given(st.lists(_TEXT, min_size=1, max_size=3).map(" ".join))
def test_scalar_round_trips(value):
    value = value.strip() or "x"
    assert yaml.safe_load(f"k: {scalar(value)}") == {"k": value}


@pytest.mark.parametrize(
    "value",
    [
        "Lưu: VT, NC",
        "- Như trên",
        "#1",
        "yes",
        "2024-12-27",
        "'a'",
        '"b"',
        "100%",
        "a #b",
        "[x]",
        "@x",
        "Số: 12/UBND-NC",
        "null",
        "~",
    ],
)
def test_scalar_quotes_what_yaml_would_misread(value):
    assert yaml.safe_load(f"k: {scalar(value)}") == {"k": value}


def test_cli_helpers_find_the_registry_and_write_the_draft(tmp_path):
    from matrix.core.errors import InputError, OutputError
    from matrix.draft import write_draft
    from matrix.input.load import open_registry

    seed = SEEDS[0]
    registry = open_registry([seed], REGISTRY)
    draft = draft_file(seed, registry)
    write_draft(draft, tmp_path / "nhap.yaml")
    assert (tmp_path / "nhap.yaml").read_text(encoding="utf-8") == draft.yaml
    with pytest.raises(OutputError, match="Không ghi được tệp"):
        write_draft(draft, tmp_path / "khong-co" / "nhap.yaml")
    broken = tmp_path / "co-quan.yaml"
    broken.write_text("blocks: [\n", encoding="utf-8")
    with pytest.raises(InputError):
        open_registry([seed], broken)
