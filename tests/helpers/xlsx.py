"""Workbooks compared part by part."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from lxml import etree

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _canonical(xml: bytes) -> bytes:
    return etree.tostring(etree.fromstring(xml), method="c14n")


def xml_parts(path: Path, style_order: bool = True) -> dict[str, bytes]:
    """Every XML part of a workbook in canonical form (character references and quoting normalised), but
    docProps/core.xml (it holds the time of the save).

    Without ``style_order`` the order of the cell styles (``cellXfs``) does not count: each cell's ``s="3"``
    becomes the style it names, and the styles are sorted (openpyxl numbers them in the order it meets them).
    """
    with zipfile.ZipFile(path) as archive:
        parts = {
            name: _canonical(archive.read(name))
            for name in archive.namelist()
            if name.endswith((".xml", ".rels")) and name != "docProps/core.xml"
        }
    if style_order:
        return parts
    styles = etree.fromstring(parts["xl/styles.xml"])
    table = styles.find(f"{MAIN}cellXfs")
    assert table is not None
    xfs = [etree.tostring(xf, method="c14n") for xf in table]
    for xf in list(table):
        table.remove(xf)
    parts["xl/styles.xml"] = etree.tostring(styles, method="c14n") + b"".join(sorted(xfs))
    for name in parts:
        if name.startswith("xl/worksheets/sheet"):
            parts[name] = re.sub(rb' s="(\d+)"', lambda m: b' s="' + xfs[int(m.group(1))] + b'"', parts[name])
    return parts
