"""The one reply every command returns: what it prints, in order, and the code it exits with."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Reply:
    """What a command prints, in order (each piece of text with whether it goes to stderr), the code it exits
    with, and which lines (by index) are headings, printed in bold on a terminal."""

    lines: list[tuple[str, bool]] = field(default_factory=list)
    code: int = 0
    strong: set[int] = field(default_factory=set)

    def say(self, text: str, to_stderr: bool = False, end: str = "\n", strong: bool = False) -> None:
        if strong:
            self.strong.add(len(self.lines))
        self.lines.append((text + end, to_stderr))
