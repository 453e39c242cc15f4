"""The one reply every command returns: what it prints, in order, and the code it exits with."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Reply:
    """What a command prints, in order (each piece of text with whether it goes to stderr), and the code it exits
    with."""

    lines: list[tuple[str, bool]] = field(default_factory=list)
    code: int = 0

    def say(self, text: str, to_stderr: bool = False, end: str = "\n") -> None:
        self.lines.append((text + end, to_stderr))
