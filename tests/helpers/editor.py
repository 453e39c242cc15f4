"""Shared by the editor's tests: the fields of the editor's form as a browser would send them."""

from __future__ import annotations

from html.parser import HTMLParser


class _Fields(HTMLParser):
    """The named fields of the form ``editor`` (inputs, textareas, selects with their selected option)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, str] = {}
        self.inside = False
        self._textarea: str | None = None
        self._select: str | None = None
        self._first_option: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("id") == "editor":
            self.inside = True
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("checkbox", "submit"):
            self.fields[name] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""
        elif tag == "select" and name:
            self._select, self._first_option = name, None
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = a.get("value", "")
                self.fields.setdefault(self._select, self._first_option)
            if "selected" in a:
                self.fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            # a textarea drops one leading newline, as browsers do
            value = self.fields[self._textarea] + data
            self.fields[self._textarea] = value


def editor_fields(page: str) -> dict[str, str]:
    """The fields the editor page's form sends (textareas without the newline browsers drop)."""
    parser = _Fields()
    parser.feed(page)
    return {k: (v[1:] if v.startswith("\n") else v) for k, v in parser.fields.items()}
