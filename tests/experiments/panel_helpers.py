"""Helpers of the panel tests: small panel files on three small calibration-half counties."""

from __future__ import annotations

import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CENSUS_2010 = ROOT / "seeds" / "data" / "county_census_2010.csv"
TARGETS = ROOT / "seeds" / "data" / "county_census_2020_calibration.csv"
HISTORY = ROOT / "scenarios" / "history.yaml"

#: Small counties of the calibration half: Heilongjiang (northeast), Zhejiang (east) and
#: Hunan (central), 68,000 to 86,000 residents in 2010.
SMALL_CODES = ("230722", "330922", "430382")


def write_panel(
    directory: Path, body: str = "", *, name: str = "tiny", targets: Path = TARGETS
) -> Path:
    """``<directory>/<name>.yaml``: the history on the small counties at a coarse scale with
    a short spin-up, plus ``body``."""
    codes = ", ".join(f'"{code}"' for code in SMALL_CODES)
    text = textwrap.dedent(
        f"""\
        name: {name}
        scenario: {HISTORY}
        targets: {targets}
        counties:
          census: {CENSUS_2010}
          codes: [{codes}]
        scale: 100
        set:
          simulation.spinup_years: 1
        null_models:
          folds: 5
        """
    )
    path = directory / f"{name}.yaml"
    path.write_text(text + textwrap.dedent(body), encoding="utf-8")
    return path
