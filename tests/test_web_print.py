"""Ma trận printed from the browser (issue 20): a matrix too wide for one sheet is printed in parts of at most 30
agency columns on A4 landscape (48 on A3), each part from a new page with the Mục and Nhiệm vụ columns again and
its header row repeated on every page; checked in the page and in headless Chromium's own print to PDF."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from matrix.web.app import PRINT_COLUMNS, print_parts

from .helpers.web import page_client

TG = "tiengiang-ubnd-ct-antt-2025"


def _columns(*sizes: int) -> list[tuple[object, list[str]]]:
    return [(SimpleNamespace(id=f"k{b}"), [f"k{b}-{i}" for i in range(n)]) for b, n in enumerate(sizes)]


def test_columns_are_shared_out_in_even_parts_and_a_cut_block_is_marked_continued():
    parts = print_parts(_columns(10, 50, 30), 30)
    assert [(p.first, p.last) for p in parts] == [(1, 30), (31, 60), (61, 90)]
    assert [[(b.id, len(a), more) for b, a, more in p.columns] for p in parts] == [
        [("k0", 10, False), ("k1", 20, False)],
        [("k1", 30, True)],
        [("k2", 30, False)],
    ]
    assert [p.last - p.first + 1 for p in print_parts(_columns(61), 30)] == [21, 20, 20]  # never 30, 30 and 1
    assert len(print_parts(_columns(30), 30)) == 1 and len(print_parts([], 30)) == 1


@pytest.fixture()
def client(dirs, monkeypatch):
    monkeypatch.setitem(PRINT_COLUMNS, "A4", 5)  # the seed matrix made "wide" for the paper
    monkeypatch.setitem(PRINT_COLUMNS, "A3", 8)
    with page_client(*dirs) as c:
        yield c


def test_the_print_view_repeats_the_task_columns_in_each_part_on_the_paper_chosen(client):
    one = client.get(f"/ma-tran?van_ban={TG}").text  # the print links keep the filters
    assert f'href="/ma-tran?van_ban={TG}&amp;in=A4">Bản in A4 ngang' in one and f"van_ban={TG}&amp;in=A3" in one
    screen = client.get("/ma-tran").text
    total = len(re.findall(r'<th class="col-agency">', screen))
    assert total > 8
    assert f"Bảng có {total} cột cơ quan, in trên một trang sẽ khó đọc" in screen  # said on paper, when printed
    rows = len(re.findall(r'<tr><td class="sticky"', screen))

    for paper, most in (("A4", 5), ("A3", 8)):
        page = client.get(f"/ma-tran?in={paper}").text
        assert f"@page {{ size: {paper} landscape" in page
        parts = page.split('<section class="print-part">')[1:]
        count = -(-total // most)
        assert len(parts) == count and f"Phần {count}/{count}: cột " in parts[-1]
        widths = [len(re.findall(r'<th class="col-agency">', p)) for p in parts]
        assert sum(widths) == total and max(widths) <= most and max(widths) - min(widths) <= 1
        for part in parts:  # every part: both task columns, every row
            assert '<th rowspan="2" class="sticky">Mục</th><th rowspan="2" class="sticky text">Nhiệm vụ</th>' in part
            assert len(re.findall(r'<tr><td class="sticky"', part)) == rows
    css = client.get("/static/style.css").text
    assert re.search(r"\.print-part \+ \.print-part \{ break-before: page;", css)


@pytest.mark.browser
def test_a_wide_matrix_prints_legibly_from_chromium_in_parts_on_a4_landscape(tmp_path):
    import pypdf

    from matrix.input.dump import dump_directive, dump_registry
    from matrix.input.synthetic import make_corpus
    from matrix.web import create_app

    from .helpers.browser import print_to_pdf
    from .helpers.server import live

    corpus = make_corpus(120, 60, 1, seed=1)  # 88 agency columns, 60 tasks
    folder = tmp_path / "input"
    folder.mkdir()
    (folder / "co-quan.yaml").write_text(dump_registry(corpus.registry), encoding="utf-8")
    for directive in corpus.directives:
        (folder / f"{directive.id}.yaml").write_text(dump_directive(directive, corpus.registry), encoding="utf-8")
    with live(create_app(folder, tmp_path / "output")) as port:
        pdf = print_to_pdf(f"http://127.0.0.1:{port}/ma-tran?in=A4", tmp_path / "ma-tran-A4.pdf")
    print(f"\nbản in: {pdf}")
    pages = pypdf.PdfReader(pdf).pages
    texts = [page.extract_text() for page in pages]
    for page, text in zip(pages, texts, strict=True):
        assert round(float(page.mediabox.width)) == 842 and round(float(page.mediabox.height)) == 595  # A4 landscape
        assert "Mục" in text and "Nhiệm vụ" in text  # the header row on every page
    starts = [n for n, text in enumerate(texts) for k in (1, 2, 3) if f"Phần {k}/3: cột" in text]
    assert len(starts) == 3 and starts[0] == 0 and starts == sorted(set(starts))  # three parts, each from a new page
    for n in starts[1:]:
        assert texts[n].lstrip().startswith(f"Phần {starts.index(n) + 1}/3: cột")  # at the top of its page
    assert len(pages) <= 3 * 60 // 5  # at least five task rows a page
