"""Vietnamese text helpers: normalisation for matching, never for printing.

Names are matched on a *key*: NFC, lower case, single spaces, and the tone mark
of every word moved to the end of the word. Old-style ("hoà", "thuỷ", "uỷ") and
new-style ("hòa", "thủy", "ủy") placements give the same key because a
Vietnamese syllable carries at most one tone mark; only its position differs.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

# Combining tone marks: grave, acute, tilde, hook above, dot below.
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
# Look-alikes that arrive from other encodings or keyboards.
_LOOKALIKES = str.maketrans({"\u00d0": "đ", "\u0110": "đ", "\u0189": "đ", "\u00a0": " "})
_SPACES = re.compile(r"\s+")
# Every Vietnamese capital, for regular-expression classes ("[" + CAPITALS + "]").
CAPITALS = "A-ZĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
_EDGE_PUNCT = " \t\r\n:;,.-–—"
# Characters XML 1.0 cannot carry, as the body of a regular-expression class (PDF extraction leaves
# form feeds behind, Word's \x0b line break and NUL break a document's XML).
XML_ILLEGAL = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC (the form every file and output uses)."""
    return unicodedata.normalize("NFC", text)


@functools.lru_cache(maxsize=1 << 16)  # Vietnamese has a few thousand syllables: each is folded once
def _fold_word(word: str) -> str:
    tones = "".join(ch for ch in word if ch in _TONES)
    base = "".join(ch for ch in word if ch not in _TONES)
    return base + tones


@functools.lru_cache(maxsize=1 << 16)  # the drafter asks for the same spans again and again
def match_key(name: str) -> str:
    """The key under which two spellings of one name are equal.

    Tolerates NFC/NFD, tone-mark placement, case, repeated or odd spaces and
    punctuation at the edges (``"Công an tỉnh:"``).
    """
    text = unicodedata.normalize("NFD", name.translate(_LOOKALIKES)).lower()
    text = _SPACES.sub(" ", text).strip(_EDGE_PUNCT)
    return nfc(" ".join(_fold_word(w) for w in text.split(" ")))


def ascii_key(name: str) -> str:
    """``match_key`` without any diacritics: used only to suggest names."""
    text = unicodedata.normalize("NFD", match_key(name).replace("đ", "d"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


_SLUG_BAD = re.compile(r"[^a-z0-9]+")


def slugify(text: str, max_length: int = 60) -> str:
    """An ASCII file-name-safe slug of ``text`` ("Công an tỉnh" -> "cong-an-tinh")."""
    slug = _SLUG_BAD.sub("-", ascii_key(text)).strip("-")
    return slug[:max_length].strip("-") or "x"


def shorten(text: str, limit: int) -> str:
    """The first ``limit`` characters of ``text`` on a word boundary, with an ellipsis.

    Spaces are flattened in the head of a long text only: flattened, a head of ``text`` is the head of the
    whole text flattened, so when it holds more than ``limit`` characters the rest is not needed.
    """
    flat = _SPACES.sub(" ", text[: 2 * limit + 16]).lstrip()
    if len(flat.rstrip()) <= limit:
        flat = _SPACES.sub(" ", text).strip()
        if len(flat) <= limit:
            return flat
    cut = flat[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:") + "…"


_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
)


def safe_filename(name: str, max_length: int = 80) -> str:
    """A file name (without extension) that is safe on Windows, macOS and Linux.

    Slugifies ``name`` (no ``/``, ``\\``, ``..`` or diacritics), avoids the
    reserved Windows device names (CON, NUL, COM1...) and keeps long names
    short but distinct with a hash suffix.
    """
    slug = slugify(name, max_length=10_000)
    if len(slug) > max_length:
        digest = hashlib.sha1(slug.encode()).hexdigest()[:8]
        slug = slug[: max_length - 9].rstrip("-") + "-" + digest
    if slug.split(".")[0] in _WINDOWS_RESERVED:
        slug += "-"
    return slug


def roman(number: int) -> str:
    """``number`` in Roman numerals (section headings I, II, III...)."""
    numerals = (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    )
    out = []
    for value, letters in numerals:
        count, number = divmod(number, value)
        out.append(letters * count)
    return "".join(out)


_TRAILING_LOCALITY = re.compile(r"(?<=\S )(Tỉnh|Huyện|Thành phố|Thị xã|Xã|Phường)$")


def inline_name(name: str) -> str:
    """A body's name inside a sentence: a trailing "Tỉnh" is written "tỉnh" ("UBND Tỉnh" -> "UBND tỉnh")."""
    return _TRAILING_LOCALITY.sub(lambda m: m.group(1).lower(), name.strip())
