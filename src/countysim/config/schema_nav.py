"""Walking the schema alongside scenario data: what type, bounds, unit and choices apply at a
dotted key, which keys exist there (for "did you mean"), and which values name input files.

It relies on these conventions of the schema: ``extra="forbid"`` on every model; numeric
bounds given with ``Field(ge=, le=, gt=, lt=)`` and the unit in ``json_schema_extra={"unit":
...}``; fields naming an input file marked with ``json_schema_extra={"file": True}``.
"""

from __future__ import annotations

import difflib
import enum
import json
import types
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from .errors import Problem
from .keys import KEY_PATTERN, Step, dotted, join_key, split_key
from .schedule import ScheduleModel
from .schema import Scenario


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
class SchemaNode:
    """What the schema says about the value at some key path.

    ``annotations`` are the possible types (several when a union was entered). ``infos`` are
    the ``FieldInfo`` objects that describe the value (bounds, unit); those of an enclosing
    list or dict field are kept, so a list item inherits the list field's unit.
    """

    annotations: list[Any]
    infos: list[FieldInfo] = field(default_factory=list)

    def child(self, step: Step) -> SchemaNode:
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
        return SchemaNode(annotations, infos + self.infos if inherited else infos)

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


def schema_node(schema_cls: type[BaseModel], steps: Iterable[Step]) -> SchemaNode:
    node = SchemaNode([schema_cls])
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
    if not KEY_PATTERN.fullmatch(key):
        message = "malformed key; expected dotted names, e.g. choice.moving_cost"
        return Problem(None, None, key, None, message)
    steps = split_key(key)
    node = SchemaNode([schema_cls])
    for position, step in enumerate(steps):
        child = node.child(step)
        if not child.annotations:
            where = dotted(steps[:position]) or "the top level"
            close = difflib.get_close_matches(str(step), node.field_names(), n=1)
            suggestion = None
            if close:
                fixed = dotted([*steps[:position], close[0], *steps[position + 1 :]])
                suggestion = f"did you mean {fixed!r}?"
            message = f"unknown key {quote(step)} in {where}"
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


def file_values(node: SchemaNode, value: Any, path: str) -> Iterator[tuple[Any, Step, str]]:
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
        sub = join_key(path, step)
        if isinstance(item, str) and child.extra("file"):
            yield value, step, sub
        elif child.annotations:
            yield from file_values(child, item, sub)


def quote(value: object) -> str:
    return repr(value) if isinstance(value, str) else json.dumps(value)


def did_you_mean(word: str, candidates: list[str]) -> str | None:
    close = difflib.get_close_matches(word, candidates, n=1)
    return f"did you mean {close[0]!r}?" if close else None
