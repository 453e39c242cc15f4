"""The forms of a directive a clerk receives (web copy, Word, PDF), made by ``benchmarks/forms.py``.

The drafter's tests and ``benchmarks/evaluate_drafts.py --form`` make the forms with the same code; the
benchmark does not import the tests, so the code lives in ``benchmarks/`` and is loaded from there.
"""

from __future__ import annotations

import importlib.util

from . import ROOT

_spec = importlib.util.spec_from_file_location("forms", ROOT / "benchmarks" / "forms.py")
assert _spec and _spec.loader
forms = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(forms)

web_text = forms.web_text
write_docx = forms.write_docx
write_pdf = forms.write_pdf
