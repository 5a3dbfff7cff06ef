"""The shipped scenarios: they validate, their places files load, and every baseline number
says where it comes from."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from countysim.config import ScenarioError
from countysim.runner import prepare
from countysim.world import COUNTY_TOWN, PLACES_COLUMNS, read_places

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
PLACES = sorted((ROOT / "scenarios" / "places").glob("*.csv"))
BASELINE = ROOT / "scenarios" / "baseline.yaml"

#: A trailing comment that says where a number comes from.
PROVENANCE = re.compile(r"source:|assumption|calibrated")
#: `key: value` or `- key: value` or `- value`, with an optional trailing comment.
LINE = re.compile(
    r"^(?P<indent>\s*)(?:(?P<dash>-)(?=\s|$)\s*)?(?:(?P<key>[^\s#:'\"][^:#]*?):(?=\s|$))?"
    r"\s*(?P<value>[^\s#].*?)?(?:\s+#(?P<comment>.*))?$"
)


def test_there_are_scenarios():
    assert BASELINE in SCENARIOS
    assert len(SCENARIOS) >= 2
    assert PLACES


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_scenario_validates(path):
    try:
        prepare(path)  # also reads its places file, if any
    except ScenarioError as exc:
        pytest.fail(str(exc))


@pytest.mark.parametrize("path", PLACES, ids=lambda p: p.name)
def test_places_file_loads(path):
    county = read_places(path)
    n = len(county["names"])
    assert n >= 2
    assert (county["level"] == COUNTY_TOWN).sum() == 1
    assert all(len(county[k]) == n for k in ("ids", "level", "parent", "x_km", "registered"))
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert set(PLACES_COLUMNS) <= set(header)


# --------------------------------------------------------------------------------------------
# Every number in the baseline carries its provenance


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _numeric(text: str) -> bool:
    """Whether a YAML value written on one line is a number, or a flow list/mapping of them."""
    if not text:
        return False
    try:
        value = YAML(typ="safe", pure=True).load(text)
    except YAMLError:
        return False
    if isinstance(value, list):
        return bool(value) and all(_is_number(v) for v in value)
    if isinstance(value, dict):
        return bool(value) and all(_is_number(v) for v in value.values())
    return _is_number(value)


def unsourced_numbers(text: str) -> list[int]:
    """1-based numbers of the lines that set a number without a trailing source comment.

    A numeric line may go without a comment of its own if the key line it sits under (e.g.
    ``quality:  # assumption: ...`` over ``village: 0.3``) has one.
    """
    lines = text.splitlines()
    # (indent of the key, comment, whether it opens a block) of every key line so far
    seen: list[tuple[int, str | None, bool]] = []
    bad = []
    text_indent = None  # indent of the key whose block text (`>` or `|`) is being skipped
    for index, line in enumerate(lines):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = LINE.match(line)
        assert match is not None, line
        dash = match["dash"] is not None
        indent = len(match["indent"])
        if text_indent is not None and indent > text_indent:
            continue
        text_indent = None
        # where the key (or the item's value) starts: `- key:` nests its key under the dash
        key_indent = match.start("key") if match["key"] is not None else match.start("value")
        if key_indent < 0:  # a bare `-` opening a nested item
            key_indent = indent + 2
        comment = match["comment"]
        value = match["value"] or ""
        opens_block = match["key"] is not None and not value
        if match["key"] is not None and re.fullmatch(r"[>|][-+0-9]*", value):
            text_indent = indent
        if _numeric(value) and not (comment and PROVENANCE.search(comment)):
            # A key's parent is the nearest earlier line with a key further left; a bare
            # `- 0.3` item may also sit at the same indent as the `key:` that holds it.
            parent = next(
                (
                    (parent_comment, parent_opens)
                    for parent_indent, parent_comment, parent_opens in reversed(seen)
                    if parent_indent < key_indent
                    or (match["key"] is None and parent_indent == indent and parent_opens)
                ),
                (None, False),
            )
            parent_comment, parent_opens = parent
            if not (parent_opens and parent_comment and PROVENANCE.search(parent_comment)):
                bad.append(index + 1)
        if match["key"] is not None or dash:
            seen.append((key_indent, comment, opens_block))
    return bad


def test_every_baseline_number_has_a_source():
    bad = unsourced_numbers(BASELINE.read_text(encoding="utf-8"))
    lines = BASELINE.read_text(encoding="utf-8").splitlines()
    report = "\n".join(f"  {BASELINE.name}:{n}: {lines[n - 1].strip()}" for n in bad)
    assert not bad, (
        "numbers without a trailing '# source: ...', '# assumption...' or '# calibrated...'"
        f" comment (on the line or on its parent key):\n{report}"
    )


def test_unsourced_numbers_finds_the_offending_lines():
    text = textwrap.dedent(
        """\
        # header: 12 is not a setting
        seed: 1  # assumption: any
        years:
          start: 2012
          end: 2035  # source: plan
        name: x1
        flag: true
        shares: [0.5, 0.5]
        sized: [0.5, 0.5]  # calibrated: flows
        options: [farm, move]
        quality:  # assumption: index
          village: 0.3
          town: 1
        access:  # no provenance here
          village: 1.0
        cities:
          - name: A
            distance_km: 70
            wage: 25000  # source: seeds/data
          - 4
        levels:  # assumption: by level
        - 1
        - 2
        rate: 5.0e-5  # a comment without provenance
        text: "# 3"
        description: >
          a folded text
          12
        nested:
          deeper:  # assumption: covers its own children only
            a: 1
          b: 2
        """
    )
    assert unsourced_numbers(text) == [4, 8, 15, 18, 20, 24, 32]


def test_unsourced_numbers_on_the_real_baseline():
    """Removing provenance from the real file is caught, both on a line and on a parent."""
    lines = BASELINE.read_text(encoding="utf-8").splitlines()
    activity = next(n for n, line in enumerate(lines) if "activity_rate:" in line)
    quality = next(n for n, line in enumerate(lines) if line.strip().startswith("quality:"))
    lines[activity] = lines[activity].split("#")[0].rstrip()
    lines[quality] = lines[quality].replace("assumption", "guess")
    bad = unsourced_numbers("\n".join(lines))
    assert bad == [activity + 1, quality + 2, quality + 3, quality + 4]


def test_line_pattern_reads_keys_values_and_comments():
    match = LINE.match("  - wage_yuan: 25000  # calibrated: below the mean")
    assert (match["dash"], match["key"], match["value"]) == ("-", "wage_yuan", "25000")
    assert match["comment"].strip() == "calibrated: below the mean"
    assert _numeric("[0.72, 0.2, 0.08]")
    assert _numeric("{start: 2012, end: 2061}")
    assert _numeric("1e-3")
    assert not _numeric("[farm, move_city]")
    assert not _numeric("true")
    assert not _numeric("household")
