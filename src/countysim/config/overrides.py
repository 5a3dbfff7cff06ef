"""Overrides: setting scenario values by dotted key, from ``--set key=value`` or a dict."""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Iterable, Mapping
from typing import Any

from ruamel.yaml.error import YAMLError

from .errors import OVERRIDE_SOURCE, Problem, ScenarioError
from .keys import KEY_PATTERN, LineMap, drop_subtree, join_key, split_key, yaml_type
from .yaml_reader import InputLimitError, parse_text, syntax_problem, to_plain

#: What the Python API accepts as overrides: ``["key=value", ...]`` or ``{"key": value}``.
Overrides = Iterable[str] | Mapping[str, Any]


def apply_overrides(data: dict[str, Any], linemap: LineMap, overrides: Overrides | None) -> None:
    """Apply overrides to ``data`` in place, in order.

    ``overrides`` is a list of ``"dotted.key=value"`` strings, whose value is parsed as YAML
    1.2 (``1e-3`` → 0.001, ``[1, 2]`` → list, ``true`` → True, ``abc`` → "abc") so it is
    typed exactly as if written in the file, or a mapping of dotted key to a Python value
    (numbers, strings, booleans, None, lists and dicts of them). Missing intermediate mappings
    are created; ``key[2].sub`` addresses an existing list item. Overridden keys are located
    at ``"<--set>"`` in the line map. All malformed items are reported together.
    """
    problems = [
        problem
        for key, value in _items(overrides)
        if (problem := _apply_override(data, linemap, key, value)) is not None
    ]
    if problems:
        raise ScenarioError(problems)


def _items(overrides: Overrides) -> list[tuple[str, Any]]:
    """``(key, value)`` pairs; a string value is YAML text still to be parsed (``_Text``)."""
    if overrides is None:
        return []
    if isinstance(overrides, str | bytes):
        message = (
            f"overrides must be a list of 'key=value' strings or a dict, not one string "
            f"{overrides!r}; write [{overrides!r}]"
        )
        raise ScenarioError([Problem(OVERRIDE_SOURCE, None, "", None, message)])
    if isinstance(overrides, Mapping):
        return [(str(key), value) for key, value in overrides.items()]
    items: list[tuple[str, Any]] = []
    for item in overrides:
        if not isinstance(item, str):
            items.append(("", _Malformed(item)))
            continue
        key, sep, text = item.partition("=")
        items.append((key.strip(), _Text(text)) if sep else ("", _Malformed(item)))
    return items


class _Text(str):
    """The YAML text of an override written as ``key=value``."""


class _Malformed:
    def __init__(self, item: object) -> None:
        self.item = item


def _apply_override(data: dict[str, Any], linemap: LineMap, key: str, raw: Any) -> Problem | None:
    """Apply one override; return what is wrong with it instead, if anything."""
    if isinstance(raw, _Malformed) or not KEY_PATTERN.fullmatch(key):
        item = raw.item if isinstance(raw, _Malformed) else key
        message = f"malformed override {item!r}; expected KEY=VALUE, e.g. simulation.scale=10"
        return Problem(OVERRIDE_SOURCE, None, "", None, message)

    def problem(message: str, value: object = None) -> Problem:
        return Problem(OVERRIDE_SOURCE, None, key, value, message)

    value_lines: LineMap = {}
    parse_problems: list[Problem] = []
    try:
        parsed = parse_text(raw) if isinstance(raw, _Text) else _python_value(raw, key)
        value = to_plain(parsed, key, OVERRIDE_SOURCE, value_lines, parse_problems)
    except YAMLError as exc:
        return problem(syntax_problem(exc)[1], str(raw))
    except InputLimitError as exc:
        return problem(exc.reason)
    except TypeError as exc:
        return problem(str(exc))
    if parse_problems:
        return problem(parse_problems[0].message, str(raw))

    steps = split_key(key)
    node: Any = data
    path = ""
    for step, next_step in itertools.pairwise(steps):
        if (message := _step_problem(node, step, path)) is not None:
            return problem(message)
        path = join_key(path, step)
        if isinstance(step, str) and node.get(step) is None:
            if isinstance(next_step, int):
                return problem(f"{path} does not exist, so it has no item [{next_step}]")
            node[step] = {}
            linemap[path] = (OVERRIDE_SOURCE, None)
        node = node[step]
    if (message := _step_problem(node, steps[-1], path)) is not None:
        return problem(message)
    node[steps[-1]] = value
    drop_subtree(linemap, key)
    linemap[key] = (OVERRIDE_SOURCE, None)
    linemap.update(dict.fromkeys(value_lines, (OVERRIDE_SOURCE, None)))
    return None


def _python_value(value: Any, key: str) -> Any:
    """A Python override value as YAML-like data (tuples become lists); ``TypeError`` for
    anything a scenario file could not hold."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, numbers.Number) and hasattr(value, "item"):  # a numpy scalar
        return value.item()
    if isinstance(value, list | tuple):
        return [_python_value(item, key) for item in value]
    if isinstance(value, Mapping) and all(isinstance(k, str) for k in value):
        return {k: _python_value(v, key) for k, v in value.items()}
    raise TypeError(
        f"a {type(value).__name__} cannot be a scenario value; use numbers, strings, "
        "booleans, None, lists or dicts"
    )


def _step_problem(node: Any, step: int | str, path: str) -> str | None:
    """Why ``node`` (found at ``path``) cannot be entered with ``step``, or None if it can."""
    where = path or "the top level"
    if isinstance(step, str):
        if isinstance(node, dict):
            return None
        return f"cannot set key {step!r}: {where} is a {yaml_type(node)}, not a mapping"
    if not isinstance(node, list):
        return f"cannot use index [{step}]: {where} is a {yaml_type(node)}, not a list"
    if step >= len(node):
        return f"index [{step}] out of range: {where} has {len(node)} item(s)"
    return None
