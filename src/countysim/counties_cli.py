"""`countysim counties`: search the 2010 county census for a county to model.

countysim counties 夏邑                      # part of a name
countysim counties 4114 --type county        # the start of a code
countysim counties --province Henan --region central --limit 10
countysim counties --province 河南 --csv > henan.csv
"""

from __future__ import annotations

import argparse
import sys
import unicodedata

import pandas as pd

from countysim.census import REGIONS, UNIT_TYPES, find_counties

EXIT_BAD_INPUT = 2
EXIT_NO_MATCH = 1
DEFAULT_LIMIT = 30

#: Key figures shown for each unit: (column of the census table, heading, format).
SHOWN = (
    ("code", "code", "{}"),
    ("name", "name", "{}"),
    ("province", "province", "{}"),
    ("unit_type", "type", "{}"),
    ("residents", "residents", "{:,}"),
    ("registered", "registered", "{:,}"),
    ("urban_share", "urban", "{:.1%}"),
    ("share_age_65_plus", "65+", "{:.1%}"),
    ("household_size", "hh size", "{:.2f}"),
    ("farm_employment_share", "farm", "{:.1%}"),
    ("mean_years_schooling", "school yrs", "{:.2f}"),
    ("in_migrants_share", "hukou elsewhere", "{:.1%}"),
)


def add_parser(commands) -> None:
    """Register the `counties` command on the command line's sub-parsers."""
    parser = commands.add_parser(
        "counties",
        help="search the 2010 county census for a county to model",
        description="Search the county-level units of the 2010 census by code or by part of "
        "a Chinese name; a unit that is not an urban district can be modelled with "
        "county.census.code in a scenario (see scenarios/census_county.yaml).",
    )
    parser.add_argument("query", nargs="?", help="start of a code, or part of a Chinese name")
    parser.add_argument("--province", help="Chinese or English name, or 2-digit code")
    parser.add_argument("--region", choices=REGIONS)
    parser.add_argument("--type", dest="unit_type", choices=UNIT_TYPES, help="unit type")
    parser.add_argument(
        "--limit",
        type=int,
        metavar="N",
        help=f"show at most N units (default {DEFAULT_LIMIT} for the table, all for --csv)",
    )
    parser.add_argument("--csv", action="store_true", help="every column of the matches as CSV")


def main(args: argparse.Namespace) -> int:
    try:
        found = find_counties(args.query, args.province, args.region, args.unit_type)
    except ValueError as exc:
        print(f"countysim counties: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if found.empty:
        print("countysim counties: no county-level unit matches", file=sys.stderr)
        return EXIT_NO_MATCH
    limit = args.limit if args.limit is not None else (None if args.csv else DEFAULT_LIMIT)
    shown = found if limit is None else found.head(max(limit, 0))
    if args.csv:
        shown.to_csv(sys.stdout, index=False)
        return 0
    print(table_text(shown))
    if len(shown) < len(found):
        print(f"({len(found) - len(shown)} more; --limit N shows more)")
    return 0


def table_text(units: pd.DataFrame) -> str:
    """The key figures of ``units`` as an aligned text table (Chinese characters count as
    two columns, as terminals draw them)."""
    rows = [[heading for _, heading, _ in SHOWN]]
    for _, unit in units.iterrows():
        rows.append([_cell(unit[column], fmt) for column, _, fmt in SHOWN])
    widths = [max(_width(row[i]) for row in rows) for i in range(len(SHOWN))]
    numeric = [fmt != "{}" for _, _, fmt in SHOWN]
    lines = []
    for row in rows:
        cells = [
            _pad(text, width, right)
            for text, width, right in zip(row, widths, numeric, strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _cell(value, fmt: str) -> str:
    return "-" if pd.isna(value) else fmt.format(value)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool) -> str:
    space = " " * (width - _width(text))
    return space + text if right else text + space
