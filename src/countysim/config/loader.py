"""Turn scenario YAML files into a validated schema instance, or into precise error reports.

The pipeline is: ``read_yaml`` (parse one file, remembering the line of every key) →
``resolve_extends`` (layer a scenario on the base it ``extends``) → ``apply_overrides``
(command-line ``--set key=value``) → ``validate`` (pydantic, with every error translated into a
``Problem`` that names the file, line, key, bad value and what would be allowed).
``load_scenario`` runs all of it.

Everything here is generic over the pydantic root model. It relies on these conventions of the
schema: ``extra="forbid"`` on every model; numeric bounds given with ``Field(ge=, le=, gt=,
lt=)`` and the unit in ``json_schema_extra={"unit": ...}``; fields naming an input file marked
with ``json_schema_extra={"file": True}``.
"""

from __future__ import annotations

import copy
import datetime
import difflib
import enum
import itertools
import json
import os
import re
import types
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.scalarbool import ScalarBoolean

from .errors import OVERRIDE_SOURCE, Problem, ScenarioError, show_value
from .schedule import ScheduleModel, is_schedule
from .schema import Scenario

#: Dotted key (``"a.b[2].c"``; ``""`` is the top level) → (file, 1-based line) where it was written.
LineMap = dict[str, tuple[str, int | None]]
#: One step of a key path: a mapping key or a list index.
Step = str | int
PathLike = str | os.PathLike[str]

EXTENDS_KEY = "extends"


# --------------------------------------------------------------------------------------------
# Reading YAML


def _yaml() -> YAML:
    """A YAML 1.2 parser (``1e-3`` is a float; ``yes``/``no``/``on``/``off`` are strings).

    The round-trip loader is used because it records the line of every key and item.
    """
    return YAML(typ="rt")


def _syntax_problem(exc: YAMLError) -> tuple[int | None, str]:
    """The 1-based line and a short reason for a YAML parse error."""
    if isinstance(exc, MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        reason = exc.problem or exc.context or "invalid YAML"
        return (mark.line + 1 if mark else None), f"invalid YAML: {reason}"
    return None, f"invalid YAML: {exc}"


def _join(prefix: str, step: Step) -> str:
    """Extend a dotted key by one step: ("a", "b") → "a.b", ("a", 2) → "a[2]"."""
    if isinstance(step, int):
        return f"{prefix}[{step}]"
    return f"{prefix}.{step}" if prefix else step


def _dotted(steps: Iterable[Step]) -> str:
    key = ""
    for step in steps:
        key = _join(key, step)
    return key


def _in_subtree(key: str, root: str) -> bool:
    """Whether ``key`` is ``root`` itself or lies below it."""
    return not root or key == root or key.startswith((root + ".", root + "["))


def _yaml_type(value: object) -> str:
    """The YAML name of a plain value's type, for "expected X, got Y" messages."""
    if value is None:
        return "null"
    names = {bool: "boolean", int: "integer", float: "number", str: "string"}
    names |= {dict: "mapping", list: "list"}
    return names.get(type(value), type(value).__name__)


def _line(node: Any, getter: str, index: Any) -> int | None:
    """1-based line of a key or item of a ruamel node, or of the node itself as a fallback.

    Keys brought in by a YAML merge key (``<<: *anchor``) have no position of their own.
    """
    try:
        return getattr(node.lc, getter)(index)[0] + 1
    except (KeyError, IndexError, TypeError):
        return node.lc.line + 1 if node.lc.line is not None else None


def _to_plain(node: Any, key: str, file: str, linemap: LineMap, problems: list[Problem]) -> Any:
    """Convert ruamel data to plain Python, recording every key and list item in ``linemap``.

    Plain data keeps ruamel types out of the rest of the program, and ``json.dumps`` (used by
    ``validate``) works on it.
    """
    if isinstance(node, Mapping):
        result = {}
        for sub, value in node.items():
            line = _line(node, "key", sub)
            if not isinstance(sub, str):
                message = f"keys must be names (strings), got {_yaml_type(sub)}"
                problems.append(Problem(file, line, _join(key, show_value(sub)), None, message))
                continue
            path = _join(key, sub)
            linemap[path] = (file, line)
            result[sub] = _to_plain(value, path, file, linemap, problems)
        return result
    if isinstance(node, list):
        result = []
        for index, value in enumerate(node):
            path = _join(key, index)
            linemap[path] = (file, _line(node, "item", index))
            result.append(_to_plain(value, path, file, linemap, problems))
        return result
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


def read_yaml(path: PathLike) -> tuple[dict[str, Any], LineMap]:
    """Parse one YAML 1.2 file into plain data and a line map.

    The line map gives, for every mapping key and list item (dotted key, list indices as
    ``[i]``), the file and line where it was written; ``""`` is the top-level mapping. An empty
    file is an empty mapping. Missing files, syntax errors, duplicate keys and a top level that
    is not a mapping raise ``ScenarioError``.
    """
    file = os.fspath(path)
    try:
        text = Path(file).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError([Problem(file, None, "", None, "file not found")], file) from None
    except (OSError, UnicodeDecodeError) as exc:
        problem = Problem(file, None, "", None, f"cannot read file: {exc}")
        raise ScenarioError([problem], file) from None
    try:
        root = _yaml().load(text)
    except YAMLError as exc:
        line, message = _syntax_problem(exc)
        raise ScenarioError([Problem(file, line, "", None, message)], file) from None
    if root is None:
        return {}, {"": (file, 1)}
    if not isinstance(root, Mapping):
        message = f"the top level must be a mapping of keys to values, not a {_yaml_type(root)}"
        raise ScenarioError([Problem(file, 1, "", None, message)], file)
    linemap: LineMap = {"": (file, 1)}
    problems: list[Problem] = []
    data = _to_plain(root, "", file, linemap, problems)
    if problems:
        raise ScenarioError(problems, file)
    return data, linemap


# --------------------------------------------------------------------------------------------
# extends: layering a scenario on a base scenario


def resolve_extends(path: PathLike) -> tuple[dict[str, Any], LineMap]:
    """Read a scenario and, recursively, the base scenario named by its top-level ``extends``.

    The base path is relative to the file that names it. The child is deep-merged over the base:
    mappings merge key by key, anything else (scalars, lists, lever schedules such as
    ``{steps: ...}``) in the child replaces the base value. Line-map entries come from
    whichever file supplied the value, so errors point at the file the user has to edit. The
    ``extends`` key itself is removed.
    """
    return _resolve_extends(os.fspath(path), ())


def _resolve_extends(file: str, chain: tuple[str, ...]) -> tuple[dict[str, Any], LineMap]:
    """``resolve_extends`` for ``file``, reached through the files in ``chain`` (for cycles)."""
    data, linemap = read_yaml(file)
    if EXTENDS_KEY not in data:
        return data, linemap
    base_name = data.pop(EXTENDS_KEY)
    where = linemap[EXTENDS_KEY]
    _drop_subtree(linemap, EXTENDS_KEY)

    def fail(message: str) -> ScenarioError:
        return ScenarioError([Problem(*where, EXTENDS_KEY, base_name, message)], file)

    if not isinstance(base_name, str) or not base_name:
        raise fail("expected the path of a base scenario file")
    base_file = os.path.normpath(os.path.join(os.path.dirname(file), base_name))
    if not os.path.isfile(base_file):
        raise fail(f"base scenario file not found: {base_file}")
    here = (*chain, file)
    if any(os.path.samefile(base_file, seen) for seen in here):
        raise fail("extends cycle: " + " -> ".join([*here, base_file]))
    base, merged_lines = _resolve_extends(base_file, here)
    merged_lines[""] = linemap[""]
    return _merge(base, data, "", linemap, merged_lines), merged_lines


def _drop_subtree(linemap: LineMap, root: str) -> None:
    for key in [key for key in linemap if _in_subtree(key, root)]:
        del linemap[key]


def _merge(
    base: dict[str, Any], child: dict[str, Any], prefix: str, child_lines: LineMap, lines: LineMap
) -> dict[str, Any]:
    """Deep-merge ``child`` over ``base``; ``lines`` (the base's line map) is updated in place."""
    merged = dict(base)
    for key, value in child.items():
        path = _join(prefix, key)
        if (
            isinstance(value, dict)
            and isinstance(base.get(key), dict)
            and not (is_schedule(value) or is_schedule(base[key]))
        ):
            lines[path] = child_lines[path]
            merged[key] = _merge(base[key], value, path, child_lines, lines)
        else:
            _drop_subtree(lines, path)
            lines.update((k, v) for k, v in child_lines.items() if _in_subtree(k, path))
            merged[key] = value
    return merged


# --------------------------------------------------------------------------------------------
# Command-line overrides

_OVERRIDE_KEY = re.compile(r"[^.\[\]\s]+(\[\d+\])*(\.[^.\[\]\s]+(\[\d+\])*)*")
_KEY_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def apply_overrides(data: dict[str, Any], linemap: LineMap, overrides: Iterable[str]) -> None:
    """Apply ``--set dotted.key=value`` items to ``data`` in place, in order.

    The value is parsed as YAML 1.2 (``1e-3`` → 0.001, ``[1, 2]`` → list, ``true`` → True,
    ``abc`` → "abc"), so it is typed exactly as if written in the file. Missing intermediate
    mappings are created; ``key[2].sub`` addresses an existing list item. Overridden keys are
    located at ``"<--set>"`` in the line map. All malformed items are reported together.
    """
    problems = [
        problem
        for item in overrides
        if (problem := _apply_override(data, linemap, item)) is not None
    ]
    if problems:
        raise ScenarioError(problems)


def _apply_override(data: dict[str, Any], linemap: LineMap, item: str) -> Problem | None:
    """Apply one ``key=value`` item; return what is wrong with it instead, if anything."""
    key, sep, text = item.partition("=")
    key = key.strip()
    if not sep or not _OVERRIDE_KEY.fullmatch(key):
        message = f"malformed override {item!r}; expected KEY=VALUE, e.g. simulation.scale=10"
        return Problem(OVERRIDE_SOURCE, None, "", None, message)

    def problem(message: str, value: object = None) -> Problem:
        return Problem(OVERRIDE_SOURCE, None, key, value, message)

    value_lines: LineMap = {}
    parse_problems: list[Problem] = []
    try:
        value = _to_plain(_yaml().load(text), key, OVERRIDE_SOURCE, value_lines, parse_problems)
    except YAMLError as exc:
        return problem(_syntax_problem(exc)[1], text)
    if parse_problems:
        return problem(parse_problems[0].message, text)

    steps = split_key(key)
    node: Any = data
    path = ""
    for step, next_step in itertools.pairwise(steps):
        if (message := _step_problem(node, step, path)) is not None:
            return problem(message)
        path = _join(path, step)
        if isinstance(step, str) and node.get(step) is None:
            if isinstance(next_step, int):
                return problem(f"{path} does not exist, so it has no item [{next_step}]")
            node[step] = {}
            linemap[path] = (OVERRIDE_SOURCE, None)
        node = node[step]
    if (message := _step_problem(node, steps[-1], path)) is not None:
        return problem(message)
    node[steps[-1]] = value
    _drop_subtree(linemap, key)
    linemap[key] = (OVERRIDE_SOURCE, None)
    linemap.update(dict.fromkeys(value_lines, (OVERRIDE_SOURCE, None)))
    return None


def split_key(key: str) -> list[Step]:
    """The steps of a dotted key: ``"a.b[2].c"`` → ``["a", "b", 2, "c"]``."""
    return [name or int(index) for name, index in _KEY_STEP.findall(key)]


def _step_problem(node: Any, step: Step, path: str) -> str | None:
    """Why ``node`` (found at ``path``) cannot be entered with ``step``, or None if it can."""
    where = path or "the top level"
    if isinstance(step, str):
        if isinstance(node, dict):
            return None
        return f"cannot set key {step!r}: {where} is a {_yaml_type(node)}, not a mapping"
    if not isinstance(node, list):
        return f"cannot use index [{step}]: {where} is a {_yaml_type(node)}, not a list"
    if step >= len(node):
        return f"index [{step}] out of range: {where} has {len(node)} item(s)"
    return None


# --------------------------------------------------------------------------------------------
# Walking the schema alongside the data


def type_alternatives(annotation: Any) -> list[Any]:
    """The types a value may take: ``Annotated`` is unwrapped and unions are flattened."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return type_alternatives(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        return [alt for arg in get_args(annotation) for alt in type_alternatives(arg)]
    return [annotation]


def _annotated_infos(annotation: Any) -> list[FieldInfo]:
    """``Field(...)``/annotated-types metadata attached to ``annotation`` or its union members."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return [FieldInfo.from_annotation(annotation)]
    if origin is Union or origin is types.UnionType:
        return [info for arg in get_args(annotation) for info in _annotated_infos(arg)]
    return []


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _model_fields(model: type[BaseModel]) -> dict[str, FieldInfo]:
    """A model's fields under the key they are written with in YAML (the alias, if any)."""
    return {info.alias or name: info for name, info in model.model_fields.items()}


@dataclass
class _SchemaNode:
    """What the schema says about the value at some key path.

    ``annotations`` are the possible types (several when a union was entered). ``infos`` are
    the ``FieldInfo`` objects that describe the value (bounds, unit); those of an enclosing
    list or dict field are kept, so a list item inherits the list field's unit.
    """

    annotations: list[Any]
    infos: list[FieldInfo] = field(default_factory=list)

    def child(self, step: Step) -> _SchemaNode:
        annotations: list[Any] = []
        infos: list[FieldInfo] = []
        inherited = False
        for alt in _alternatives_of(self.annotations):
            if _is_model(alt):
                info = _model_fields(alt).get(step) if isinstance(step, str) else None
                if info is not None:
                    annotations.append(info.annotation)
                    infos += [info, *_annotated_infos(info.annotation)]
                continue
            element = _element_type(alt, step)
            if element is not None:
                annotations.append(element)
                infos += _annotated_infos(element)
                inherited = True
        return _SchemaNode(annotations, infos + self.infos if inherited else infos)

    def field_names(self) -> list[str]:
        """Keys allowed here, if this is a model (for "did you mean")."""
        models = [alt for alt in _alternatives_of(self.annotations) if _is_model(alt)]
        return [name for model in models for name in _model_fields(model)]

    def choices(self) -> list[Any]:
        """Allowed values if this is a ``Literal`` or an ``Enum`` (by value), else empty."""
        values: list[Any] = []
        for alt in _alternatives_of(self.annotations):
            if get_origin(alt) is Literal:
                values += get_args(alt)
            elif isinstance(alt, type) and issubclass(alt, enum.Enum):
                values += [member.value for member in alt]
        return values

    def bounds(self) -> dict[str, Any]:
        """The ``gt``/``ge``/``lt``/``le`` bounds that apply here (first declaration wins)."""
        found: dict[str, Any] = {}
        for info in self.infos:
            for constraint in info.metadata:
                for name in ("gt", "ge", "lt", "le"):
                    if getattr(constraint, name, None) is not None:
                        found.setdefault(name, getattr(constraint, name))
        return found

    def extra(self, name: str) -> Any:
        """A ``json_schema_extra`` entry (``"unit"``, ``"file"``) of the innermost field."""
        for info in self.infos:
            if isinstance(info.json_schema_extra, dict) and name in info.json_schema_extra:
                return info.json_schema_extra[name]
        return None


def _alternatives_of(annotations: list[Any]) -> list[Any]:
    return [alt for annotation in annotations for alt in type_alternatives(annotation)]


def _element_type(annotation: Any, step: Step) -> Any:
    """The type of item ``step`` of a list/tuple/set or dict annotation, or None if not one."""
    origin = get_origin(annotation)
    args = get_args(annotation)
    if isinstance(step, int) and origin in (list, set, frozenset, Sequence) and args:
        return args[0]
    if isinstance(step, int) and origin is tuple and args:
        if len(args) == 2 and args[1] is Ellipsis:
            return args[0]
        return args[step] if step < len(args) else None
    if isinstance(step, str) and origin in (dict, Mapping) and len(args) == 2:
        return args[1]
    return None


def _schema_node(schema_cls: type[BaseModel], steps: Iterable[Step]) -> _SchemaNode:
    node = _SchemaNode([schema_cls])
    for step in steps:
        node = node.child(step)
    return node


def check_key(key: str, schema_cls: type[BaseModel] = Scenario) -> Problem | None:
    """Whether the dotted ``key`` (``"a.b[2].c"``) names one value of ``schema_cls``.

    For keys written as data rather than as YAML structure (the parameters of a sweep), which
    ``validate`` cannot see. Returns None if the key is fine, else a ``Problem`` without a file
    or line (the caller knows where the key was written) naming the first unknown step, with a
    "did you mean" for the whole key.
    """
    if not _OVERRIDE_KEY.fullmatch(key):
        message = "malformed key; expected dotted names, e.g. choice.moving_cost"
        return Problem(None, None, key, None, message)
    steps = split_key(key)
    node = _SchemaNode([schema_cls])
    for position, step in enumerate(steps):
        child = node.child(step)
        if not child.annotations:
            where = _dotted(steps[:position]) or "the top level"
            close = difflib.get_close_matches(str(step), node.field_names(), n=1)
            suggestion = None
            if close:
                fixed = _dotted([*steps[:position], close[0], *steps[position + 1 :]])
                suggestion = f"did you mean {fixed!r}?"
            message = f"unknown key {_quote(step)} in {where}"
            return Problem(None, None, key, None, message, suggestion)
        node = child
    # A lever's schedule form (steps, ramp) is one value: a number may stand for it.
    is_lever = any(
        _is_model(alt) and issubclass(alt, ScheduleModel)
        for alt in _alternatives_of(node.annotations)
    )
    if (names := node.field_names()) and not is_lever:
        message = f"a section, not a value; name one of its keys: {', '.join(names)}"
        return Problem(None, None, key, None, message)
    return None


def _file_values(node: _SchemaNode, value: Any, path: str) -> Iterator[tuple[Any, Step, str]]:
    """Yield ``(container, step, dotted key)`` for every string given to a ``{"file": True}``
    field (or, for a list of files, to its items).

    Only the parts of the schema that are present in the data are visited.
    """
    if isinstance(value, dict):
        items: Iterable[tuple[Step, Any]] = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return
    for step, item in items:
        child = node.child(step)
        sub = _join(path, step)
        if isinstance(item, str) and child.extra("file"):
            yield value, step, sub
        elif child.annotations:
            yield from _file_values(child, item, sub)


# --------------------------------------------------------------------------------------------
# Validation

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
    file) default to the current directory. Missing files are problems too.
    """
    data = copy.deepcopy(data)
    problems = _resolve_files(data, linemap, schema_cls, source_dirs or {})
    try:
        model = schema_cls.model_validate_json(json.dumps(data), strict=True)
    except ValidationError as exc:
        problems += _translate(exc, data, linemap, schema_cls)
    if problems:
        raise ScenarioError(problems)
    return model


def _resolve_files(
    data: dict[str, Any],
    linemap: LineMap,
    schema_cls: type[BaseModel],
    source_dirs: Mapping[str, PathLike],
) -> list[Problem]:
    """Make the paths in file fields absolute, in place; report those that do not exist."""
    problems = []
    for container, step, key in _file_values(_SchemaNode([schema_cls]), data, ""):
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
        key = _dotted(steps)
        file, line = _locate(key, linemap)
        value = None if kind == "missing" or not steps else error["input"]
        suggestion = None
        if kind in _EXPECTED:
            expected.setdefault(key, [])
            if _EXPECTED[kind] not in expected[key]:
                expected[key].append(_EXPECTED[kind])
            message = f"expected {' or '.join(expected[key])}, got {_yaml_type(value)}"
            message += _allowed(schema_cls, steps)
        elif kind == "missing":
            message = "required key missing" + _allowed(schema_cls, steps)
        elif kind == "extra_forbidden":
            message = "unknown key"
            names = _schema_node(schema_cls, steps[:-1]).field_names()
            suggestion = _did_you_mean(str(steps[-1]), names)
        elif kind in _BOUND_TYPES:
            node = _schema_node(schema_cls, steps)
            message = f"out of range; allowed: {_range_text(node.bounds() or error['ctx'])}"
            unit = node.extra("unit")
            message += f" ({unit})" if unit else ""
        elif kind in _CHOICE_TYPES:
            choices = _schema_node(schema_cls, steps).choices()
            allowed = ", ".join(map(_quote, choices)) if choices else error["ctx"]["expected"]
            message = f"not an allowed value; allowed: {allowed}"
            suggestion = _did_you_mean(str(value), [str(choice) for choice in choices])
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
        node = _schema_node(schema_cls, steps)
        bounds, unit = node.bounds(), node.extra("unit")
    except (KeyError, IndexError, TypeError, AttributeError):
        return ""
    text = f"; allowed: {_range_text(bounds)}" if bounds else ""
    return text + (f" ({unit})" if unit and text else "")


def _quote(value: object) -> str:
    return repr(value) if isinstance(value, str) else json.dumps(value)


def _did_you_mean(word: str, candidates: list[str]) -> str | None:
    close = difflib.get_close_matches(word, candidates, n=1)
    return f"did you mean {close[0]!r}?" if close else None


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


# --------------------------------------------------------------------------------------------
# Entry points


def load_scenario(
    path: PathLike, overrides: Iterable[str] = (), schema_cls: type[BaseModel] = Scenario
) -> BaseModel:
    """Read, layer (``extends``), override (``--set``) and validate a scenario in one call.

    Raises ``ScenarioError`` listing every problem found in the first stage that has any.
    """
    try:
        data, linemap = resolve_extends(path)
        apply_overrides(data, linemap, overrides)
        return validate(data, linemap, schema_cls)
    except ScenarioError as exc:
        raise ScenarioError(exc.problems, os.fspath(path)) from None


def resolved_dict(model: BaseModel) -> dict[str, Any]:
    """The fully resolved scenario as plain data, e.g. to save next to a run's results."""
    return model.model_dump(mode="json")


def dump_yaml(data: Mapping[str, Any], path: PathLike) -> None:
    """Write ``data`` as block-style YAML 1.2, keeping key order, readable by ``read_yaml``."""
    yaml = _yaml()
    yaml.default_flow_style = False
    with open(path, "w", encoding="utf-8") as stream:
        yaml.dump(data, stream)
