"""``extends``: layering a scenario on the base scenario it names."""

from __future__ import annotations

import os
from typing import Any

from .errors import Problem, ScenarioError
from .keys import LineMap, PathLike, drop_subtree, in_subtree, join_key
from .schedule import is_schedule
from .yaml_reader import read_yaml

EXTENDS_KEY = "extends"
#: Bases building on bases: far more than any real chain, far less than a runaway one.
MAX_EXTENDS_DEPTH = 20


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
    drop_subtree(linemap, EXTENDS_KEY)

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
    if len(here) >= MAX_EXTENDS_DEPTH:
        raise fail(f"more than {MAX_EXTENDS_DEPTH} scenarios extend one another")
    base, merged_lines = _resolve_extends(base_file, here)
    merged_lines[""] = linemap[""]
    return _merge(base, data, "", linemap, merged_lines), merged_lines


def _merge(
    base: dict[str, Any], child: dict[str, Any], prefix: str, child_lines: LineMap, lines: LineMap
) -> dict[str, Any]:
    """Deep-merge ``child`` over ``base``; ``lines`` (the base's line map) is updated in place."""
    merged = dict(base)
    for key, value in child.items():
        path = join_key(prefix, key)
        if (
            isinstance(value, dict)
            and isinstance(base.get(key), dict)
            and not (is_schedule(value) or is_schedule(base[key]))
        ):
            lines[path] = child_lines[path]
            merged[key] = _merge(base[key], value, path, child_lines, lines)
        else:
            drop_subtree(lines, path)
            lines.update((k, v) for k, v in child_lines.items() if in_subtree(k, path))
            merged[key] = value
    return merged
