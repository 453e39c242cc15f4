"""Vietnamese name matching: tone placement, NFD, case, spacing; printing is never altered."""

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matrix.core import text as text_module
from matrix.core.text import ascii_key, match_key, safe_filename, shorten, slugify


@pytest.mark.parametrize(
    "old, new",
    [
        ("Hoà", "Hòa"),
        ("Uỷ ban", "Ủy ban"),
        ("Thuỷ", "Thủy"),
        ("Toà án", "Tòa án"),
        ("khoẻ", "khỏe"),
        ("UỶ BAN", "Ủy ban"),
    ],
)
def test_old_and_new_tone_placement_match(old, new):
    assert match_key(old) == match_key(new)


def test_nfd_case_spacing_and_lookalike_d():
    assert match_key(unicodedata.normalize("NFD", "Công an tỉnh")) == match_key("CÔNG  AN\tTỈNH:")
    assert match_key("\u00d0ảng ủy") == match_key("Đảng ủy")


def test_different_names_stay_different():
    assert match_key("Công an tỉnh") != match_key("Công an tĩnh")
    assert match_key("Hòa") != match_key("Hóa")


def test_ascii_key_and_slug():
    assert ascii_key("Đảng ủy Công an tỉnh") == "dang uy cong an tinh"
    assert slugify("Ủy ban MTTQ Việt Nam tỉnh") == "uy-ban-mttq-viet-nam-tinh"
    assert slugify("../../etc/passwd") == "etc-passwd"


def test_shorten_on_word_boundary():
    assert shorten("Tăng cường công tác phòng cháy", 18) == "Tăng cường công…"
    assert shorten("ngắn", 18) == "ngắn"


def _shortened(text: str, limit: int) -> str:
    """shorten as first written: the whole text flattened, then cut."""
    flat = re.sub(r"\s+", " ", text).strip()
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:") + "…"


@given(
    st.lists(st.sampled_from(["a", "ắ", "Bộ", " ", "  ", "\n", "\t\t ", ",", ";", "xyzw"]), max_size=400),
    st.integers(min_value=2, max_value=60),
)
def test_shorten_flattens_the_head_of_a_long_text_only_and_gives_what_the_whole_text_gives(pieces, limit):
    text = "".join(pieces)
    read: list[int] = []
    spaces = text_module._SPACES

    class Recorded:
        def sub(self, new: str, found: str) -> str:
            read.append(len(found))
            return spaces.sub(new, found)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(text_module, "_SPACES", Recorded())
        assert shorten(text, limit) == _shortened(text, limit)
        long = text + " rồi" * 10_000
        read.clear()
        assert shorten(long, limit) == _shortened(long, limit)
    assert max(read) < 3 * limit + 16 or len(re.sub(r"\s+", " ", long[: 2 * limit + 16]).strip()) <= limit


@pytest.mark.parametrize(
    "name, expected",
    [
        ("cong-an-tinh", "cong-an-tinh"),
        ("../../x", "x"),
        ("a/b\\c", "a-b-c"),
        ("CON", "con-"),
        ("nul", "nul-"),
        ("com1", "com1-"),
        ("Ủy ban", "uy-ban"),
    ],
)
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected


def test_safe_filename_keeps_long_names_distinct():
    a, b = safe_filename("x" * 300 + "a"), safe_filename("x" * 300 + "b")
    assert len(a) <= 80 and len(b) <= 80 and a != b
