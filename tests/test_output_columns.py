"""Every recorded column has a meaning and a unit, and docs/outputs.md lists them all."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from countysim.output_columns import (
    COMPARISON_EXTRAS,
    SUMMARY,
    TABLES,
    definition,
    undefined,
)
from countysim.runner import prepare, simulate

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "docs" / "output_table.py"
SMALL = ["simulation.scale=200", "years.end=2014", "simulation.spinup_years=1"]


def _generator():
    spec = importlib.util.spec_from_file_location("output_table", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def baseline_run():
    """A small run of the baseline: every module and lever writes its columns."""
    return simulate(prepare(ROOT / "scenarios" / "baseline.yaml", SMALL))


def test_outputs_doc_is_current(capsys):
    """Fails when a definition changed without regenerating docs/outputs.md
    (fix: python docs/output_table.py)."""
    assert _generator().main(["--check"]) == 0, capsys.readouterr().err


def test_every_recorded_column_is_defined_and_every_definition_recorded(baseline_run):
    for table, columns in TABLES.items():
        recorded = list(getattr(baseline_run, table).columns)
        assert undefined(table, recorded) == [], f"{table}: columns without a definition"
        stale = [c for c in columns if c not in recorded]
        assert stale == [], f"{table}: definitions of columns no run records"
    assert any(c.startswith("lever:") for c in baseline_run.county.columns)


def test_definitions_have_a_meaning_and_a_unit():
    for columns in TABLES.values():
        for name, column in columns.items():
            assert column.meaning and column.unit, name
    assert definition("county", "lever:hukou.residence_permit_access").unit
    assert definition("places", "replicate") is not None
    assert definition("county", "no_such_column") is None


def test_incomes_are_documented_as_nominal_yuan():
    text = (ROOT / "docs" / "outputs.md").read_text(encoding="utf-8")
    assert "nominal yuan" in text
    assert definition("county", "income_urban_pc").unit == "yuan per year"


def test_replicate_summary_and_comparison_columns_are_defined():
    import pandas as pd

    from countysim.experiments.replicates import replicate_summary

    county = pd.DataFrame({"replicate": [0, 1], "year": [2012, 2012], "gini": [0.3, 0.4]})
    assert list(replicate_summary(county).columns) == list(SUMMARY)
    assert {"scenario", "seed", "near_share", "far_share"} <= set(COMPARISON_EXTRAS)
