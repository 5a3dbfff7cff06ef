"""Validating plain scenario data against a schema, with every pydantic error translated into
a ``Problem`` that names the file, line, key, bad value and what would be allowed."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import OVERRIDE_SOURCE, Problem, ScenarioError
from .keys import LineMap, PathLike, Step, dotted, yaml_type
from .schedule import schedules_outside
from .schema import Scenario
from .schema_nav import SchemaNode, did_you_mean, file_values, quote, schema_node

#: What a pydantic type error expected, by error type.
_EXPECTED = {
    "bool_type": "true or false",
    "int_type": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "string_type": "a string",
    "list_type": "a list",
    "tuple_type": "a list",
    "set_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "none_required": "null",
    "date_type": "a date (YYYY-MM-DD)",
    "datetime_type": "a date and time (YYYY-MM-DDTHH:MM:SS)",
}
_BOUND_TYPES = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}
_NOT_FINITE = "finite_number"
_CHOICE_TYPES = {"literal_error", "enum"}
_MESSAGE_PREFIXES = ("Value error, ", "Assertion failed, ")


def validate(
    data: dict[str, Any],
    linemap: LineMap,
    schema_cls: type[BaseModel],
    *,
    source_dirs: Mapping[str, PathLike] | None = None,
) -> BaseModel:
    """Validate ``data`` against ``schema_cls``; raise one ``ScenarioError`` with every problem.

    Validation is strict, as if the data were JSON: a quoted ``"0.5"`` or a boolean is not a
    number and a float is not an integer (an integer is a fine float); nested models, enums and
    tuples are still built from plain mappings, strings and lists.

    Relative paths in ``{"file": True}`` fields are resolved against the directory of the file
    the key was written in (per ``linemap``) and stored as absolute paths; ``source_dirs`` maps a
    line-map file name to another directory, and values from ``"<--set>"`` (or with no known
    file) default to the current directory. Missing files are problems too, and so are, for a
    ``Scenario``, lever schedules with no year in the simulated years.
    """
    data = copy.deepcopy(data)
    problems = _resolve_files(data, linemap, schema_cls, source_dirs or {})
    try:
        model = schema_cls.model_validate_json(json.dumps(data), strict=True)
    except ValidationError as exc:
        problems += _translate(exc, data, linemap, schema_cls)
    else:
        if isinstance(model, Scenario):
            problems += _idle_schedules(model, linemap)
    if problems:
        raise ScenarioError(problems)
    return model


def _idle_schedules(scenario: Scenario, linemap: LineMap) -> list[Problem]:
    """Lever schedules that never act in the scenario's years (see ``schedules_outside``)."""
    first, last = scenario.years.start, scenario.years.end
    problems = []
    for steps, value, message in schedules_outside(scenario, first, last):
        key = dotted(steps)
        problems.append(Problem(*_locate(key, linemap), key, value, message))
    return problems


def _resolve_files(
    data: dict[str, Any],
    linemap: LineMap,
    schema_cls: type[BaseModel],
    source_dirs: Mapping[str, PathLike],
) -> list[Problem]:
    """Make the paths in file fields absolute, in place; report those that do not exist."""
    problems = []
    for container, step, key in file_values(SchemaNode([schema_cls]), data, ""):
        file, line = _locate(key, linemap)
        if file in source_dirs:
            base = os.fspath(source_dirs[file])
        elif file is None or file == OVERRIDE_SOURCE:
            base = os.getcwd()
        else:
            base = os.path.dirname(file)
        written = container[step]
        container[step] = os.path.abspath(os.path.join(base, written))
        if not os.path.isfile(container[step]):
            problems.append(Problem(file, line, key, written, f"file not found: {container[step]}"))
    return problems


def _locate(key: str, linemap: LineMap) -> tuple[str | None, int | None]:
    """Where ``key`` was written, or else its nearest enclosing key (e.g. for a missing key)."""
    while key not in linemap and key:
        key = key[: max(key.rfind("."), key.rfind("["), 0)]
    return linemap.get(key, (None, None))


def _data_steps(loc: tuple[int | str, ...], data: Any, missing: bool) -> list[Step]:
    """The steps of a pydantic error location that are real keys and indices in ``data``.

    Pydantic adds labels to locations (the member of a union, ``[key]`` for dict keys); they
    are dropped by following the location through the data itself. For a missing key, the
    last step names the key that is absent.
    """
    steps: list[Step] = []
    node = data
    for position, step in enumerate(loc):
        last = position == len(loc) - 1
        if (
            isinstance(node, dict)
            and isinstance(step, str)
            and (step in node or (last and missing))
        ):
            steps.append(step)
            node = node.get(step)
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            steps.append(step)
            node = node[step]
    return steps


def _translate(
    exc: ValidationError, data: dict[str, Any], linemap: LineMap, schema_cls: type[BaseModel]
) -> list[Problem]:
    """One ``Problem`` per pydantic error (type errors from union members on the same key are
    merged into one "expected A or B")."""
    problems: dict[tuple[str, str], Problem] = {}
    expected: dict[str, list[str]] = {}
    for error in exc.errors(include_url=False):
        kind = error["type"]
        steps = _data_steps(error["loc"], data, kind == "missing")
        key = dotted(steps)
        file, line = _locate(key, linemap)
        value = None if kind == "missing" or not steps else error["input"]
        suggestion = None
        if kind in _EXPECTED:
            expected.setdefault(key, [])
            if _EXPECTED[kind] not in expected[key]:
                expected[key].append(_EXPECTED[kind])
            message = f"expected {' or '.join(expected[key])}, got {yaml_type(value)}"
            message += _allowed(schema_cls, steps)
        elif kind == "missing":
            message = "required key missing" + _allowed(schema_cls, steps)
        elif kind == "extra_forbidden":
            message = "unknown key"
            names = schema_node(schema_cls, steps[:-1]).field_names()
            suggestion = did_you_mean(str(steps[-1]), names)
        elif kind in _BOUND_TYPES:
            node = schema_node(schema_cls, steps)
            message = f"out of range; allowed: {_range_text(node.bounds() or error['ctx'])}"
            unit = node.extra("unit")
            message += f" ({unit})" if unit else ""
        elif kind == "string_pattern_mismatch":
            allowed = schema_node(schema_cls, steps).extra("allowed") or error["ctx"]["pattern"]
            message = f"not allowed here; allowed: {allowed}"
        elif kind == _NOT_FINITE:
            message = "not a finite number (.inf and .nan are not allowed)"
            message += _allowed(schema_cls, steps)
        elif kind in _CHOICE_TYPES:
            choices = schema_node(schema_cls, steps).choices()
            allowed = ", ".join(map(quote, choices)) if choices else error["ctx"]["expected"]
            message = f"not an allowed value; allowed: {allowed}"
            suggestion = did_you_mean(str(value), [str(choice) for choice in choices])
        else:
            message = error["msg"]
            for prefix in _MESSAGE_PREFIXES:
                message = message.removeprefix(prefix)
        # Keyed by message kind so that merged type errors replace their earlier version.
        slot = (key, "expected" if kind in _EXPECTED else message)
        problems[slot] = Problem(file, line, key, value, message, suggestion)
    return list(problems.values())


def _allowed(schema_cls: type[BaseModel], steps: list) -> str:
    """ "; allowed: 0 <= value <= 1 (share)" for a bounded field, else an empty string."""
    try:
        node = schema_node(schema_cls, steps)
        bounds, unit = node.bounds(), node.extra("unit")
    except (KeyError, IndexError, TypeError, AttributeError):
        return ""
    text = f"; allowed: {_range_text(bounds)}" if bounds else ""
    return text + (f" ({unit})" if unit and text else "")


def _range_text(bounds: Mapping[str, Any]) -> str:
    """E.g. ``0 <= value <= 1``, ``0 < value``."""
    lower = next(
        (f"{_number(bounds[n])} {op}" for n, op in (("ge", "<="), ("gt", "<")) if n in bounds), None
    )
    upper = next(
        (f"{op} {_number(bounds[n])}" for n, op in (("le", "<="), ("lt", "<")) if n in bounds), None
    )
    return " ".join(part for part in (lower, "value", upper) if part)


def _number(value: float) -> str:
    """A bound as written in a schema: ``0.0`` → ``0``, ``0.25`` → ``0.25``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
