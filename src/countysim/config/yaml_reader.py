"""Reading YAML input files into plain data, with a line for every key, within fixed limits.

Scenario and sweep files are written by hand and small, so anything far larger is refused
before it is parsed into memory: a YAML file can otherwise make a reader do unbounded work
(an "alias bomb" of nested anchors grows to gigabytes; thousands of nested brackets exhaust
the stack). The limits, each far above what a real scenario needs:

- ``MAX_FILE_BYTES``: the size of one file;
- ``MAX_DEPTH``: mappings and lists nested inside each other;
- ``MAX_ALIASES``: ``*alias`` references in one file;
- ``MAX_VALUES``: keys, items and values after every alias has been expanded.

Only the tags of plain data are accepted (``!!str``, ``!!int``, ``!!float``, ``!!bool``,
``!!null``, ``!!map``, ``!!seq``); any other tag (``!!python/object``, ``!custom``) is
reported with its line instead of being ignored.
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import TaggedScalar
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from ruamel.yaml.scalarbool import ScalarBoolean

from .errors import Problem, ScenarioError, show_value
from .keys import LineMap, PathLike, join_key, yaml_type

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 32
MAX_ALIASES = 100
MAX_VALUES = 100_000

_CORE_TAGS = {
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq")
}


def _yaml() -> YAML:
    """A YAML 1.2 parser (``1e-3`` is a float; ``yes``/``no``/``on``/``off`` are strings).

    The round-trip loader is used because it records the line of every key and item.
    """
    return YAML(typ="rt")


def syntax_problem(exc: YAMLError) -> tuple[int | None, str]:
    """The 1-based line and a short reason for a YAML parse error."""
    if isinstance(exc, MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        reason = exc.problem or exc.context or "invalid YAML"
        return (mark.line + 1 if mark else None), f"invalid YAML: {reason}"
    return None, f"invalid YAML: {exc}"


def _shown_tag(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org") else tag


def check_structure(text: str) -> tuple[int | None, str] | None:
    """The line and reason if ``text`` exceeds the nesting or alias limits or uses a tag that
    is not plain data, else None. Works on the parser's event stream, which holds one event
    at a time, so it costs little whatever the text."""
    depth = aliases = 0
    for event in _yaml().parse(text):
        line = event.start_mark.line + 1 if event.start_mark else None
        tag = getattr(event, "tag", None)
        if tag is not None and str(tag) not in ("!", *_CORE_TAGS):
            return line, (
                f"unknown tag {_shown_tag(str(tag))}; only plain values, mappings and lists "
                "are allowed (remove the tag)"
            )
        if tag is not None and isinstance(event, ScalarEvent) and not _fits_tag(str(tag), event):
            return line, f"{event.value!r} is not a value of tag {_shown_tag(str(tag))}"
        if isinstance(event, MappingStartEvent | SequenceStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return line, f"nested more than {MAX_DEPTH} levels deep (the limit for input files)"
        elif isinstance(event, MappingEndEvent | SequenceEndEvent):
            depth -= 1
        elif isinstance(event, AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                return line, f"more than {MAX_ALIASES} aliases (*name; the limit for input files)"
    return None


def _fits_tag(tag: str, event: ScalarEvent) -> bool:
    """Whether a scalar's text is a value of its explicit core tag (the parser would fail
    without a line otherwise)."""
    text = event.value.strip().replace("_", "")
    kind = tag.rsplit(":", 1)[-1]
    try:
        if kind == "int":
            int(text, 0)
        elif kind == "float":
            float(text.lower().replace(".inf", "inf").replace(".nan", "nan"))
        elif kind == "bool":
            return text.lower() in ("true", "false")
        elif kind == "null":
            return text.lower() in ("", "~", "null")
    except ValueError:
        return False
    return True


#: Quoted strings and comments, whose brackets do not nest anything.
_NOT_FLOW = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|'[^'\n]*'|(?:^|(?<=\s))#[^\n]*", re.MULTILINE)
_BRACKET = re.compile(r"[\[\]{}\n]")


def _flow_too_deep(text: str) -> tuple[int, str] | None:
    """The line where ``[`` and ``{`` nest deeper than ``MAX_DEPTH``, found by counting
    brackets before the parser sees them: its scanner slows down with every open bracket, so
    tens of thousands of them would take minutes to reach ``check_structure``'s limit."""
    depth, line = 0, 1
    for match in _BRACKET.finditer(_NOT_FLOW.sub(lambda m: "\n" * m[0].count("\n"), text)):
        char = match[0]
        if char == "\n":
            line += 1
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line, f"nested more than {MAX_DEPTH} levels deep (the limit for input files)"
        else:
            depth = max(depth - 1, 0)
    return None


def parse_text(text: str) -> Any:
    """Parse YAML text within the limits; raise ``YAMLError`` or ``InputLimitError``."""
    if (trouble := _flow_too_deep(text) or check_structure(text)) is not None:
        raise InputLimitError(*trouble)
    return _yaml().load(text)


class InputLimitError(Exception):
    """Text beyond a limit of this module (line, reason)."""

    def __init__(self, line: int | None, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


def _line(node: Any, getter: str, index: Any) -> int | None:
    """1-based line of a key or item of a ruamel node, or of the node itself as a fallback.

    Keys brought in by a YAML merge key (``<<: *anchor``) have no position of their own.
    """
    if not hasattr(node, "lc"):
        return None  # plain Python data (an override given as a dict) has no lines
    try:
        return getattr(node.lc, getter)(index)[0] + 1
    except (KeyError, IndexError, TypeError):
        return node.lc.line + 1 if node.lc.line is not None else None


class _Budget:
    """Counts the values made while converting, so that aliases cannot multiply them."""

    def __init__(self, limit: int = MAX_VALUES) -> None:
        self.left = limit

    def spend(self, key: str) -> None:
        self.left -= 1
        if self.left < 0:
            raise InputLimitError(
                None,
                f"more than {MAX_VALUES} values once aliases are expanded (at {key or 'the top'};"
                " the limit for input files)",
            )


def to_plain(
    node: Any,
    key: str,
    file: str,
    linemap: LineMap,
    problems: list[Problem],
    budget: _Budget | None = None,
) -> Any:
    """Convert ruamel data to plain Python, recording every key and list item in ``linemap``.

    Plain data keeps ruamel types out of the rest of the program, and ``json.dumps`` (used by
    ``validate``) works on it. Raises ``InputLimitError`` past ``MAX_VALUES`` values.
    """
    budget = budget or _Budget()
    budget.spend(key)
    if isinstance(node, Mapping):
        result = {}
        for sub, value in node.items():
            line = _line(node, "key", sub)
            if not isinstance(sub, str):
                message = f"keys must be names (strings), got {yaml_type(sub)}"
                problems.append(Problem(file, line, join_key(key, show_value(sub)), None, message))
                continue
            path = join_key(key, sub)
            linemap[path] = (file, line)
            result[sub] = to_plain(value, path, file, linemap, problems, budget)
        return result
    if isinstance(node, list):
        result = []
        for index, value in enumerate(node):
            path = join_key(key, index)
            linemap[path] = (file, _line(node, "item", index))
            result.append(to_plain(value, path, file, linemap, problems, budget))
        return result
    if isinstance(node, TaggedScalar):  # an explicit core tag (others are refused earlier)
        return _tagged(node, key, file, linemap, problems)
    if isinstance(node, ScalarBoolean | bool):  # ScalarBoolean (an anchored bool) is an int
        return bool(node)
    if isinstance(node, str):
        return str(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, datetime.date):
        return node.isoformat()
    if node is None:
        return None
    line = linemap.get(key, (file, None))[1]
    problems.append(
        Problem(file, line, key, None, f"unsupported YAML value ({type(node).__name__})")
    )
    return None


def _tagged(node: TaggedScalar, key: str, file: str, linemap: LineMap, problems: list[Problem]):
    """The value of a scalar with an explicit ``!!str``, ``!!int``, ``!!float``, ``!!bool`` or
    ``!!null`` tag."""
    tag, text = str(node.tag).rsplit(":", 1)[-1], str(node.value)
    try:
        if tag == "int":
            return int(text.replace("_", ""), 0)
        if tag == "float":
            return float(text.replace("_", "").replace(".inf", "inf").replace(".nan", "nan"))
        if tag == "bool" and text.lower() in ("true", "false"):
            return text.lower() == "true"
        if tag == "null" and text.lower() in ("", "~", "null"):
            return None
        if tag == "str":
            return text
    except ValueError:
        pass
    line = linemap.get(key, (file, None))[1]
    problems.append(Problem(file, line, key, text, f"not a value of tag !!{tag}"))
    return None


def read_yaml(path: PathLike) -> tuple[dict[str, Any], LineMap]:
    """Parse one YAML 1.2 file into plain data and a line map.

    The line map gives, for every mapping key and list item (dotted key, list indices as
    ``[i]``), the file and line where it was written; ``""`` is the top-level mapping. An empty
    file is an empty mapping. Missing files, files beyond the limits of this module, syntax
    errors, unknown tags, duplicate keys and a top level that is not a mapping raise
    ``ScenarioError``.
    """
    file = os.fspath(path)

    def fail(line: int | None, message: str) -> ScenarioError:
        return ScenarioError([Problem(file, line, "", None, message)], file)

    try:
        size = os.stat(file).st_size
        if not Path(file).is_file():
            raise fail(None, "not a file (a folder or device); give a YAML file")
        if size > MAX_FILE_BYTES:
            raise fail(
                None,
                f"file of {size:,} bytes; input files may have at most {MAX_FILE_BYTES:,} bytes",
            )
        text = Path(file).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise fail(None, "file not found") from None
    except UnicodeDecodeError as exc:
        raise fail(None, f"not UTF-8 text (byte {exc.start}); save the file as UTF-8") from None
    except OSError as exc:
        raise fail(None, f"cannot read file: {exc.strerror or exc}") from None
    try:
        root = parse_text(text)
    except InputLimitError as exc:
        raise fail(exc.line, exc.reason) from None
    except YAMLError as exc:
        raise fail(*syntax_problem(exc)) from None
    if root is None:
        return {}, {"": (file, 1)}
    if not isinstance(root, Mapping):
        raise fail(1, f"the top level must be a mapping of keys to values, not a {_kind(root)}")
    linemap: LineMap = {"": (file, 1)}
    problems: list[Problem] = []
    try:
        data = to_plain(root, "", file, linemap, problems)
    except InputLimitError as exc:
        raise fail(exc.line, exc.reason) from None
    if problems:
        raise ScenarioError(problems, file)
    return data, linemap


def _kind(node: Any) -> str:
    return "list" if isinstance(node, list) else yaml_type(node)


def dump_yaml(data: Mapping[str, Any], path: PathLike) -> None:
    """Write ``data`` as block-style YAML 1.2, keeping key order, readable by ``read_yaml``."""
    yaml = _yaml()
    yaml.default_flow_style = False
    with open(path, "w", encoding="utf-8") as stream:
        yaml.dump(data, stream)
