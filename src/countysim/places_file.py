"""Reading a places CSV: the villages, townships and county town of a real county.

The file has one row per place with the columns ``PLACES_COLUMNS``; see
``scenarios/places/example_county.csv``. Everything wrong with a file is reported at once,
each problem as ``file:line:column: what is wrong`` (column counted from 1), before anything
runs.

Files saved by spreadsheet programs are accepted as they come: UTF-8 with or without the
byte-order mark that Excel's "CSV UTF-8" writes, and GB18030 (which includes GBK, the default
of Chinese Windows) when the file is not UTF-8; which one was used is reported back.
Sizes are bounded so that a mistyped number cannot make a run allocate without end:
``MAX_FILE_BYTES``, ``MAX_PLACES``, ``MAX_PLACE_PERSONS`` persons and ``MAX_ARABLE_MU`` in one
place, coordinates within ``MAX_COORDINATE_KM``.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from countysim.config.schema import LEVELS

PLACES_COLUMNS = (
    "id",
    "name",
    "level",
    "parent",
    "x_km",
    "y_km",
    "population",
    "registered_population",
    "arable_mu",
)
NON_NEGATIVE = ("id", "population", "registered_population", "arable_mu")
COUNTY_LEVELS = ("village", "township", "county_town")

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_PLACES = 100_000
#: More than any real place holds (the largest Chinese cities have about 3e7 residents).
MAX_PLACE_PERSONS = 100_000_000
#: Coordinates in km from any origin: the earth's circumference is about 40,000 km, and
#: distances of larger numbers would overflow in the squares of the distance matrix.
MAX_COORDINATE_KM = 100_000
#: All of China's arable land is about 2e9 mu.
MAX_ARABLE_MU = 1_000_000_000
_MAX_ID = 2**63 - 1  # ids are stored as int64
#: Problems listed before the rest are only counted.
_MAX_REPORTED = 20

_VILLAGE, _TOWNSHIP, _COUNTY_TOWN = (LEVELS.index(level) for level in COUNTY_LEVELS)


class PlacesFileError(ValueError):
    """A places CSV that cannot describe a county; ``problems`` holds one
    ``file:line:column: message`` line per mistake."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:_MAX_REPORTED]
        if len(problems) > _MAX_REPORTED:
            shown.append(f"... and {len(problems) - _MAX_REPORTED} more problems")
        super().__init__("\n".join(shown))


@dataclass
class PlacesTable:
    """The county's places as arrays (the keys ``world.build_world`` uses) and the text
    encoding the file was read with."""

    places: dict[str, np.ndarray | list[str]]
    encoding: str


def read_places(path: Path) -> dict[str, np.ndarray | list[str]]:
    """Read a places CSV and check it describes one county tree (``PlacesFileError`` if not,
    ``OSError`` if it cannot be read)."""
    return read_places_table(path).places


def decode(path: Path, data: bytes) -> tuple[str, str]:
    """The text of a places file and the name of the encoding it was read with."""
    if data.startswith(b"\xef\xbb\xbf"):
        encodings = [("utf-8-sig", "UTF-8 with byte-order mark")]
    else:
        encodings = [("utf-8", "UTF-8"), ("gb18030", "GB18030 (GBK)")]
    for codec, name in encodings:
        try:
            return data.decode(codec), name
        except UnicodeDecodeError as exc:
            failure = exc
    line = data[: failure.start].count(b"\n") + 1
    raise PlacesFileError(
        [
            f"{path}:{line}: the file is neither UTF-8 nor GB18030/GBK text (byte "
            f"{failure.start}); save it as CSV UTF-8"
        ]
    )


def read_places_table(path: Path) -> PlacesTable:
    """``read_places`` with the encoding used."""
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise PlacesFileError(
            [f"{path}: file of {size:,} bytes; a places file may have {MAX_FILE_BYTES:,}"]
        )
    text, encoding = decode(path, path.read_bytes())
    reader = _Rows(path, text)
    return PlacesTable(reader.places(), encoding)


class _Rows:
    """Parses and checks the rows of one file, collecting every problem."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.problems: list[str] = []
        self.text = text

    def fail(self, line: int, column: str | None, message: str) -> None:
        where = f"{self.path}:{line}"
        if column is not None:
            where += f":{self.columns.index(column) + 1}: column {column!r}"
        self.problems.append(f"{where}: {message}")

    def places(self) -> dict[str, np.ndarray | list[str]]:
        try:
            rows = self._parse()
        except csv.Error as exc:
            raise PlacesFileError([f"{self.path}: not a readable CSV file: {exc}"]) from None
        table = self._check(rows)  # rows already reported are left out
        if self.problems:
            raise PlacesFileError(self.problems)
        return table

    def _parse(self) -> list[tuple[int, dict[str, str]]]:
        reader = csv.reader(io.StringIO(self.text, newline=""))
        header = next(reader, None)
        self.columns = [name.strip() for name in header or []]
        missing = [c for c in PLACES_COLUMNS if c not in self.columns]
        if missing:
            self.fail(
                1,
                None,
                f"missing column(s) {', '.join(missing)}; the header must "
                f"name {', '.join(PLACES_COLUMNS)}",
            )
            return []
        rows = []
        for fields in reader:
            line = reader.line_num
            if not any(field.strip() for field in fields):
                continue  # blank line
            if len(rows) >= MAX_PLACES:
                self.fail(line, None, f"more than {MAX_PLACES:,} places")
                break
            if len(fields) < len(self.columns):
                absent = self.columns[len(fields) :]
                self.fail(
                    line,
                    None,
                    f"row has {len(fields)} of {len(self.columns)} fields; missing "
                    f"{', '.join(absent)} (column {len(fields) + 1} on)",
                )
                continue
            if len(fields) > len(self.columns):
                self.fail(
                    line,
                    None,
                    f"row has {len(fields)} fields, the header {len(self.columns)}; a name with "
                    "a comma must be in double quotes",
                )
                continue
            rows.append((line, dict(zip(self.columns, fields, strict=True))))
        if not rows and not self.problems:
            self.fail(2, None, "no places")
        return rows

    def _number(self, line: int, row: dict[str, str], column: str, integer: bool = False):
        text = row[column].strip()
        try:
            value = int(text) if integer else float(text)
        except ValueError:
            kind = "an integer" if integer else "a number"
            self.fail(line, column, f"{text!r} is not {kind}")
            return None
        if not integer and not math.isfinite(value):
            self.fail(line, column, f"{text!r} is not a finite number")
            return None
        if column in NON_NEGATIVE and value < 0:
            self.fail(line, column, f"{text} must be >= 0")
            return None
        if integer and abs(value) > _MAX_ID:
            self.fail(line, column, f"{text} is too large for an id; allowed: 0 to {_MAX_ID}")
            return None
        if column in ("population", "registered_population") and value > MAX_PLACE_PERSONS:
            self.fail(
                line, column, f"{text} persons in one place; allowed: at most {MAX_PLACE_PERSONS:,}"
            )
            return None
        if column in ("x_km", "y_km") and abs(value) > MAX_COORDINATE_KM:
            allowed = f"-{MAX_COORDINATE_KM:,} to {MAX_COORDINATE_KM:,} km"
            self.fail(line, column, f"{text} km is off the map; allowed: {allowed}")
            return None
        if column == "arable_mu" and value > MAX_ARABLE_MU:
            self.fail(line, column, f"{text} mu in one place; allowed: at most {MAX_ARABLE_MU:,}")
            return None
        return value

    def _check(self, rows: list[tuple[int, dict[str, str]]]) -> dict[str, np.ndarray | list[str]]:
        ids, names, levels, parents, lines = [], [], [], [], []
        numeric = ("x_km", "y_km", "population", "registered_population", "arable_mu")
        cols: dict[str, list[float | None]] = {c: [] for c in numeric}
        first_line: dict[int, int] = {}
        for line, row in rows:
            place_id = self._number(line, row, "id", integer=True)
            if place_id is not None and place_id in first_line:
                earlier = first_line[place_id]
                self.fail(line, "id", f"{place_id} is already the id of line {earlier}")
            elif place_id is not None:
                first_line[place_id] = line
            level = row["level"].strip()
            if level not in COUNTY_LEVELS:
                self.fail(line, "level", f"{level!r} is not one of {', '.join(COUNTY_LEVELS)}")
            # The county town has no parent in the county; its parent cell may be empty.
            parent = -1 if level == "county_town" else self._number(line, row, "parent", True)
            ids.append(place_id)
            names.append(row["name"])
            levels.append(LEVELS.index(level) if level in COUNTY_LEVELS else None)
            parents.append(parent)
            lines.append(line)
            for c in numeric:
                cols[c].append(self._number(line, row, c))
        if self.problems:
            return {}
        level_a = np.array(levels, dtype=np.int8)
        towns = [lines[i] for i in np.flatnonzero(level_a == _COUNTY_TOWN)]
        if len(towns) != 1:
            found = f"found {len(towns)}"
            found += f" (lines {', '.join(map(str, towns))})" if towns else ""
            self.fail(lines[0], "level", f"there must be exactly one county_town; {found}")
        index_of = {pid: i for i, pid in enumerate(ids)}
        parent_a = np.full(len(ids), -1, dtype=np.int32)
        for i, (pid, lev) in enumerate(zip(parents, levels, strict=True)):
            if lev == _COUNTY_TOWN:
                continue
            want = _COUNTY_TOWN if lev == _TOWNSHIP else _TOWNSHIP
            if pid not in index_of or level_a[index_of[pid]] != want:
                self.fail(
                    lines[i], "parent", f"{pid} of {names[i]!r} must be the id of a {LEVELS[want]}"
                )
                continue
            parent_a[i] = index_of[pid]
        return {
            "ids": np.array(ids, dtype=np.int64),
            "names": names,
            "level": level_a,
            "parent": parent_a,
            "x_km": np.array(cols["x_km"], dtype=float),
            "y_km": np.array(cols["y_km"], dtype=float),
            "registered": np.array(cols["registered_population"]).round().astype(np.int64),
            "population": np.array(cols["population"]).round().astype(np.int64),
            "arable_mu": np.array(cols["arable_mu"], dtype=float),
        }
