"""Error types for scenario input.

A scenario is usually written by hand, so a single run should report every mistake at once,
each pointing at the file and line the user has to edit. ``Problem`` is one such mistake and
``ScenarioError`` carries all of them to the command line, which prints them and exits with
``ScenarioError.exit_code``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

#: Pseudo file name for values given on the command line with ``--set``.
OVERRIDE_SOURCE = "<--set>"

_MAX_VALUE_CHARS = 60


def show_value(value: object) -> str:
    """Render a value compactly in YAML/JSON flow style for a one-line message.

    Strings are quoted so that ``"0.5"`` (a string) is visibly different from ``0.5``;
    infinities and NaN are written as in YAML (``.inf``, ``-.inf``, ``.nan``).
    """
    if isinstance(value, float) and not math.isfinite(value):
        return ".nan" if math.isnan(value) else (".inf" if value > 0 else "-.inf")
    text = json.dumps(value, ensure_ascii=False, default=str)
    if len(text) > _MAX_VALUE_CHARS:
        text = text[: _MAX_VALUE_CHARS - 3] + "..."
    return text


@dataclass(frozen=True)
class Problem:
    """One mistake in a scenario, located where the user wrote it.

    ``file`` is the YAML file the key came from (``"<--set>"`` for command-line overrides),
    ``line`` is 1-based, ``key`` is dotted with list indices as ``[i]``, ``value`` is the
    offending value (``None`` when the key is missing) and ``message`` says what is wrong and
    what would be allowed.
    """

    file: str | None
    line: int | None
    key: str
    value: object
    message: str
    suggestion: str | None = None

    def format(self) -> str:
        """One line, e.g. ``x.yaml:12: sim.activty_rate = 0.3: unknown key; did you mean ...?``."""
        parts = []
        if self.file is not None:
            parts.append(self.file if self.line is None else f"{self.file}:{self.line}")
        if self.key and (self.value is None or isinstance(self.value, dict)):
            parts.append(self.key)  # a whole mapping would not fit on the line
        elif self.key:
            parts.append(f"{self.key} = {show_value(self.value)}")
        text = ": ".join([*parts, self.message])
        return f"{text}; {self.suggestion}" if self.suggestion else text

    def sort_key(self) -> tuple[str, int, str]:
        """Order problems as they appear in the files, so the report reads top to bottom."""
        return (self.file or "", self.line or 0, self.key)


class ScenarioError(Exception):
    """All problems found in a scenario; raised once so the user can fix everything in one go."""

    exit_code = 2
    #: What kind of input the problems are in, for the first line of the report.
    subject = "scenario"

    def __init__(self, problems: list[Problem], scenario: str | None = None) -> None:
        self.problems = sorted(problems, key=Problem.sort_key)
        self.scenario = scenario
        super().__init__(str(self))

    def __str__(self) -> str:
        count = len(self.problems)
        where = f" {self.scenario}" if self.scenario else ""
        header = f"{count} problem{'' if count == 1 else 's'} in {self.subject}{where}:"
        return "\n".join([header, *(f"  {p.format()}" for p in self.problems)])
