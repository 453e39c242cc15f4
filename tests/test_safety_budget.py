"""The render budget counts every text a template makes, not only its output (issue 22).

A template that builds a huge text and prints only its length (through ``replace``, ``format``, ``join``, ``*``,
``+``, ``%`` or a macro doubling its argument) is stopped before the text is made, with the budget lowered so
that the test itself never builds a large string.
"""

from __future__ import annotations

import pytest

import matrix.writers.templates
from matrix.writers.templates import TemplateLimit, make_environment

BUDGET = 100_000
A = "{% set a = 'x' * 1000 %}"  # 1,000 characters: a replace of every x by a makes 1,000,000


@pytest.mark.parametrize(
    "source",
    [
        A + "{{ (a|replace('x', a))|length }}",
        A + "{{ a.replace('x', a)|length }}",
        "{{ ('%0200000d'|format(1))|length }}",
        "{{ ('%0200000d' % 1)|length }}",
        "{{ '{:>200000}'.format('x')|length }}",
        A + "{{ ([1] * 200)|join(a)|length }}",
        A + "{{ ', '.join([a] * 200)|length }}",
        A + "{% for i in range(200) %}{{ (a ~ 'y')|upper|length }}{% endfor %}",
        A + "{% for i in range(200) %}{{ (a + a)|length }}{% endfor %}",
        "{% macro d(s, n) %}{{ d(s ~ s, n - 1) if n else s|length }}{% endmacro %}{{ d('x', 18) }}",
    ],
    ids=["replace-filter", "replace-method", "format", "percent", "str-format", "join-filter", "join-method",
         "filters", "plus", "macro-doubling"],
)  # fmt: skip
def test_an_intermediate_text_past_the_budget_stops_the_render(monkeypatch, source):
    monkeypatch.setattr(matrix.writers.templates, "MAX_RENDER_CHARS", BUDGET)
    with pytest.raises(TemplateLimit, match="quá nhiều chữ"):
        make_environment().from_string(source).render()
