"""Turn scenario YAML files into a validated schema instance, or into precise error reports.

The pipeline is: ``read_yaml`` (parse one file within fixed limits, remembering the line of
every key; ``yaml_reader.py``) → ``resolve_extends`` (layer a scenario on the base it
``extends``; ``extends.py``) → ``apply_overrides`` (``--set key=value`` or a dict;
``overrides.py``) → ``validate`` (pydantic, with every error translated into a ``Problem``
that names the file, line, key, bad value and what would be allowed; ``validation.py``,
helped by ``schema_nav.py``). ``load_scenario`` runs all of it.
"""

from __future__ import annotations

import os
from typing import Any

from pydantic import BaseModel

from .errors import ScenarioError
from .extends import resolve_extends
from .keys import PathLike
from .overrides import Overrides, apply_overrides
from .schema import Scenario
from .validation import validate


def load_scenario(
    path: PathLike, overrides: Overrides = (), schema_cls: type[BaseModel] = Scenario
) -> BaseModel:
    """Read, layer (``extends``), override (``--set`` strings or a dict) and validate a
    scenario in one call.

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
