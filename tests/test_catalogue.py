"""Every row of the README's error catalogue has a test named after its code."""

import re

from .helpers import ROOT


def test_every_catalogue_row_is_tested():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Bảng lỗi thường gặp", 1)[1].split("\n## ", 1)[0]
    codes = re.findall(r"^\| ([EW]\d\d) \|", section, re.M)
    assert len(codes) >= 20
    tests = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").glob("test_*.py"))
    missing = [c for c in codes if not re.search(rf"def test_{c}_\w+\(", tests)]
    assert missing == []
