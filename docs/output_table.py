"""Build docs/outputs.md, the list of every column countysim writes, from the definitions in
``countysim.output_columns`` (meaning and unit of each column of each table).

    python docs/output_table.py            # rewrite docs/outputs.md
    python docs/output_table.py --check    # exit 1 if docs/outputs.md is out of date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from countysim.analysis import MIN_ROWS_PER_PLACE, PLACE_MEASURES
from countysim.output_columns import EXTRA_TABLES, LEVER_COLUMN, TABLES, Column
from countysim.recorder import LEVER_COLUMN_PREFIX

OUTPUTS = Path(__file__).resolve().parent / "outputs.md"

#: What each table is, in the order they are listed.
TABLE_NOTES = {
    "county": "`county.csv`: one row per year, the county as a whole.",
    "places": "`places.csv`: one row per place and year (the county's places and the outside "
    "cities).",
    "flows": "`flows.csv`: one row per year and pair of levels, moves between places.",
    "ages": "`ages.csv`: one row per year and age band, the migration age profile.",
    "world": "`world.csv`: one row per place, where it is and what it holds at the start.",
}

INTRO = """# Outputs

A run writes its tables as CSV files in its result directory (`countysim run`, or
`countysim.reports.save_run` / `Results.save` from Python), with `manifest.json` (provenance),
`scenario.yaml` (the resolved scenario), `figures/` and `report.html`. This page lists every
column of every table with its meaning and unit. It is generated from
`src/countysim/output_columns.py` by `python docs/output_table.py`; a test fails when a run
records a column that has no definition there, or when this page is out of date.

Units: *persons* are counts of people (simulated rows times `simulation.scale`); *share* is a
fraction between 0 and 1; *yuan* are nominal yuan (prices of each year, as the national
statistics report them), except in the columns whose unit says *at base-year prices*: those
are deflated by the national consumer price index (`consumer_price_index`, 1 in the
scenario's `incomes.price_base_year`); *mu* is the Chinese land unit (1/15 hectare); *index* is a
dimensionless measure.
"""

SCALE = f"""## Scale and place-level measures

`simulation.scale` lets one simulated person stand for several. County totals, shares and
incomes average over every simulated row and hold at coarse scales. Measures that compare
places with each other ({", ".join(PLACE_MEASURES)}) do not: a place's income per person is a
mean over its simulated households, and with few rows its sampling error adds to the true
spread across places, so sigma comes out too high and the beta half-life too short (the
baseline's sigma in 2035 is 0.158 at scale 10 against 0.106 at scale 1; its half-life 22
years against 33). When the median village has fewer than {MIN_ROWS_PER_PLACE} simulated persons
(in the baseline, any scale above 1), `countysim run` prints a warning and the report shows it
above the indicators; `Analysis.scale_warnings()` returns it in Python. Run at scale 1 to read
these measures.
"""


def _rows(columns: dict[str, Column]) -> list[str]:
    return [f"| `{name}` | {c.meaning} | {c.unit} |" for name, c in columns.items()]


def render() -> str:
    parts = [INTRO]
    for table, columns in TABLES.items():
        parts.append(f"## {table}\n\n{TABLE_NOTES[table]}\n")
        rows = ["| column | meaning | unit |", "|---|---|---|", *_rows(columns)]
        if table == "county":
            rows.append(
                f"| `{LEVER_COLUMN_PREFIX}<key>` | {LEVER_COLUMN.meaning} | {LEVER_COLUMN.unit} |"
            )
        parts.append("\n".join(rows) + "\n")
    parts.append(
        "## Replicates and comparisons\n\n`countysim run --replicates` adds a `replicate` "
        "column to every table and writes `summary.csv`; `countysim compare` writes "
        "`comparison.csv` (the county tables of every run with the columns below), "
        "`summary.csv` and `differences.csv`.\n"
    )
    for title, columns in EXTRA_TABLES.items():
        rows = ["| column | meaning | unit |", "|---|---|---|", *_rows(columns)]
        parts.append(f"### {title}\n\n" + "\n".join(rows) + "\n")
    parts.append(SCALE)
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if not OUTPUTS.is_file() or OUTPUTS.read_text(encoding="utf-8") != text:
            print(
                f"{OUTPUTS.name} is out of date: run python docs/output_table.py", file=sys.stderr
            )
            return 1
        return 0
    OUTPUTS.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
