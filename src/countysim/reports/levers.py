"""The policy levers of runs over time: what each lever was at the start and when it
changed, read from the county table's ``lever:<key>`` columns."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from countysim.config.keys import split_key
from countysim.config.schema import Scenario
from countysim.config.schema_nav import schema_node
from countysim.recorder import LEVER_COLUMN_PREFIX
from countysim.reports.html import esc, html_table, section


def lever_label(key: str) -> str:
    """A readable name of a lever's dotted key: ``hukou.settlement_years.county`` ->
    ``hukou: settlement years, county``."""
    module, *rest = key.split(".")
    return f"{module}: " + ", ".join(part.replace("_", " ") for part in rest)


def lever_unit(key: str) -> str:
    """The unit the scenario schema gives the lever at ``key`` (empty if it gives none)."""
    return str(schema_node(Scenario, split_key(key)).extra("unit") or "")


def lever_changes(county: pd.DataFrame) -> pd.DataFrame:
    """One row per lever and year in which its value differs from the year before (and one
    for the first year): ``lever``, ``year``, ``value``. A table of several replicates is
    read from its first replicate (levers are the same in every replicate)."""
    if "replicate" in county:
        county = county[county["replicate"] == county["replicate"].min()]
    county = county.sort_values("year")
    rows = []
    for col in (c for c in county.columns if c.startswith(LEVER_COLUMN_PREFIX)):
        values = county[col].to_numpy(float)
        changed = np.r_[True, ~np.isclose(values[1:], values[:-1], rtol=1e-9, atol=1e-12)]
        for year, value in zip(county["year"][changed], values[changed], strict=True):
            rows.append(
                {"lever": col[len(LEVER_COLUMN_PREFIX) :], "year": int(year), "value": value}
            )
    return pd.DataFrame(rows, columns=["lever", "year", "value"])


def _number(value: float) -> str:
    return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def _schedule_text(changes: pd.DataFrame) -> str:
    """``0.8 from 2012, 1 from 2013`` or just ``0.8`` for a constant lever."""
    if len(changes) == 1:
        return _number(changes["value"].iloc[0])
    return ", ".join(
        f"{_number(v)} from {y}" for y, v in zip(changes["year"], changes["value"], strict=True)
    )


def lever_section(names: Sequence[str], counties: Sequence[pd.DataFrame]) -> str:
    """A table of the levers of one or more runs: one row per lever, one column per run
    with its value and the years it changed. Levers that change over time or differ
    between runs are listed first and marked in bold."""
    tables = [lever_changes(c) for c in counties]
    levers = list(dict.fromkeys(k for t in tables for k in t["lever"]))
    if not levers:
        return ""
    rows = []
    for key in levers:
        texts = [
            _schedule_text(t[t["lever"] == key]) if key in set(t["lever"]) else "–" for t in tables
        ]
        moving = any(len(t[t["lever"] == key]) > 1 for t in tables) or len(set(texts)) > 1
        cells = "".join(
            f"<td>{'<b>' if moving else ''}{esc(x)}{'</b>' if moving else ''}</td>" for x in texts
        )
        rows.append(
            (
                not moving,
                f"<tr><th>{esc(lever_label(key))}</th><td><code>{esc(key)}</code></td>"
                f'<td class="unit">{esc(lever_unit(key))}</td>{cells}</tr>',
            )
        )
    rows.sort(key=lambda r: r[0])  # levers that move first, in their recorded order otherwise
    header = [
        [("Lever", 1, ""), ("Scenario key", 1, ""), ("Unit", 1, "")] + [(n, 1, "") for n in names]
    ]
    note = (
        '<p class="note">The value of every policy lever in force each year (a lever acts from '
        "the start of its year); bold: levers that change over the run or differ between "
        "runs. Units are those of the scenario schema; yuan are nominal.</p>"
    )
    return section(
        "levers", "Policy levers over time", html_table(header, [r for _, r in rows]) + note
    )
