"""Dotted keys: how a place in scenario data is named in messages, overrides and line maps.

A key is written ``"a.b[2].c"``: mapping keys joined by dots, list indices in brackets, and
``""`` for the top level. A ``LineMap`` records, for every key of a file, where it was
written, so that every problem can point at the line the user has to edit.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

#: Dotted key (``"a.b[2].c"``; ``""`` is the top level) → (file, 1-based line) where it was written.
LineMap = dict[str, tuple[str, int | None]]
#: One step of a key path: a mapping key or a list index.
Step = str | int
PathLike = str | os.PathLike[str]

#: A well-formed dotted key, as given to ``--set`` or named by a sweep parameter.
KEY_PATTERN = re.compile(r"[^.\[\]\s]+(\[\d+\])*(\.[^.\[\]\s]+(\[\d+\])*)*")
_KEY_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def join_key(prefix: str, step: Step) -> str:
    """Extend a dotted key by one step: ("a", "b") → "a.b", ("a", 2) → "a[2]"."""
    if isinstance(step, int):
        return f"{prefix}[{step}]"
    return f"{prefix}.{step}" if prefix else step


def dotted(steps: Iterable[Step]) -> str:
    key = ""
    for step in steps:
        key = join_key(key, step)
    return key


def split_key(key: str) -> list[Step]:
    """The steps of a dotted key: ``"a.b[2].c"`` → ``["a", "b", 2, "c"]``."""
    return [name or int(index) for name, index in _KEY_STEP.findall(key)]


def in_subtree(key: str, root: str) -> bool:
    """Whether ``key`` is ``root`` itself or lies below it."""
    return not root or key == root or key.startswith((root + ".", root + "["))


def drop_subtree(linemap: LineMap, root: str) -> None:
    """Forget where ``root`` and everything below it were written."""
    for key in [key for key in linemap if in_subtree(key, root)]:
        del linemap[key]


def yaml_type(value: object) -> str:
    """The YAML name of a plain value's type, for "expected X, got Y" messages."""
    if value is None:
        return "null"
    names = {bool: "boolean", int: "integer", float: "number", str: "string"}
    names |= {dict: "mapping", list: "list"}
    return names.get(type(value), type(value).__name__)
