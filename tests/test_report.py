"""The HTML report: `countysim report`, the report `countysim run` writes, its content, that
it is well-formed and self-contained, and that a real browser renders it."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

import countysim.reports.run_report
import countysim.runner
from countysim.analysis import INDICATORS
from countysim.cli import main
from countysim.reports import REPORT_NAME, inline_svg
from countysim.results import Results
from countysim.runner import prepare, simulate

SMALL = Path(__file__).resolve().parent / "data" / "small.yaml"
RUN_FIGURES = ("population", "urbanization", "income", "migration", "map")
ANALYSIS_FIGURES = (
    "sigma",
    "beta",
    "theil",
    "flows",
    "net_migration_map",
    "migrant_destinations",
    "migrant_ages",
)
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
URL_ATTRIBUTES = {"src", "href", "xlink:href", "srcset", "action", "data", "poster", "background"}
CHROMIUM = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)


class StrictHTML(HTMLParser):
    """Collects tags, ids and URL attributes, and every nesting error."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: Counter[str] = Counter()
        self.ids: Counter[str] = Counter()
        self.urls: list[str] = []

    def _attrs(self, tag: str, attrs) -> None:
        self.tags[tag] += 1
        for name, value in attrs:
            if name == "id":
                self.ids[value] += 1
            if name in URL_ATTRIBUTES or (value and "url(" in value and name == "style"):
                self.urls.append(f"{tag} {name}={value}")

    def handle_starttag(self, tag, attrs):
        self._attrs(tag, attrs)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self._attrs(tag, attrs)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
        else:
            self.stack.pop()


def parse(text: str) -> StrictHTML:
    parser = StrictHTML()
    parser.feed(text)
    parser.close()
    assert parser.errors == []
    assert parser.stack == [], "unclosed elements"
    return parser


def cli(*argv) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main([str(a) for a in argv])
    return status, out.getvalue()


@pytest.fixture(scope="module")
def results():
    return simulate(prepare(SMALL))


@pytest.fixture(scope="module")
def saved_report(results, tmp_path_factory) -> Path:
    """`countysim report DIR --years 2012 2015 2018` on a saved result directory."""
    directory = tmp_path_factory.mktemp("report") / "res"
    results.save(directory)
    args = ("--years", 2012, 2015, 2018, "--format", "pdf", "--dpi", 60)
    status, stdout = cli("report", directory, *args)
    assert status == 0
    path = directory / REPORT_NAME
    assert stdout == f"report in {path}\n"
    return path


def test_report_is_well_formed_html(saved_report):
    text = saved_report.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    parser = parse(text)
    assert parser.tags["html"] == parser.tags["head"] == parser.tags["body"] == 1
    duplicated = [i for i, n in parser.ids.items() if n > 1]
    assert duplicated == [], "ids must be unique across the inline figures"


def test_report_is_self_contained(saved_report):
    text = saved_report.read_text(encoding="utf-8")
    parser = parse(text)
    external = [u for u in parser.urls if re.search(r"=\s*(https?:|//|file:)", u)]
    assert external == []
    # every reference is to an element of the page itself or inline data (the colour bars)
    elsewhere = [u for u in parser.urls if not re.search(r"=#|url\(#|=data:image/png;", u)]
    assert elsewhere == []
    assert "http://" not in text and "https://" not in text  # not even a namespace
    assert parser.tags["script"] == parser.tags["link"] == parser.tags["img"] == 0
    assert parser.tags["style"] >= 1


def test_report_holds_every_figure(saved_report):
    text = saved_report.read_text(encoding="utf-8")
    for name in (*RUN_FIGURES, *ANALYSIS_FIGURES):
        match = re.search(rf'<figure id="fig-{name}"[^>]*>(.*?)</figure>', text, re.S)
        assert match, name
        body = match.group(1)
        assert body.lstrip().startswith("<svg") and "</svg>" in body, name
        assert "<figcaption><b>Figure " in body, name
    assert text.count("<svg") == len(RUN_FIGURES) + len(ANALYSIS_FIGURES)


def test_report_holds_summary_indicators_and_provenance(saved_report, results):
    text = saved_report.read_text(encoding="utf-8")
    m = results.manifest
    assert "<title>countysim report: small</title>" in text
    for value in (
        m["countysim_version"],
        m["git_commit"],
        m["scenario_hash"],
        str(m["seed"]),
        m["started_utc"],
        str(m["run_seconds"]),
    ):
        assert value in text, value
    assert "2012–2018 (after 3 spin-up years)" in text
    assert "1 county town, 3 township seats" in text
    # the indicator table: one row per indicator, the years asked for as columns
    for key, _, _ in INDICATORS:
        assert f'<tr id="ind-{key}">' in text, key
    header = re.search(r'<section id="indicators">.*?</thead>', text, re.S).group(0)
    assert re.findall(r'<th class="num">(\d{4})</th>', header) == ["2012", "2015", "2018"]
    assert '<section id="beta">' in text
    # the resolved scenario, collapsed
    details = re.search(
        r"<details><summary>Resolved scenario: small</summary><pre>(.*?)</pre>", text, re.S
    )
    assert details and "name: small" in details.group(1) and "spinup_years: 3" in details.group(1)


def test_report_command_rejects_bad_input(tmp_path, saved_report, capsys):
    assert main(["report", str(tmp_path / "missing")]) == 2
    assert "countysim report:" in capsys.readouterr().err
    before = saved_report.stat().st_mtime_ns
    assert main(["report", str(saved_report.parent), "--years", "1999"]) == 2
    assert "year 1999 is not in the run (2012..2018)" in capsys.readouterr().err
    assert saved_report.stat().st_mtime_ns == before  # nothing rewritten


def test_run_writes_the_report_unless_told_not_to(results, tmp_path, monkeypatch):
    # the simulation is the one of the fixture, and the page is a stand-in (the real page
    # is checked above): this is about `run` writing report.html after saving, or not
    monkeypatch.setattr(countysim.runner, "simulate", lambda scenario, **_: results)
    rendered = []

    def render(res, years):
        rendered.append((res, years))
        return "<!DOCTYPE html><title>stand-in</title>"

    monkeypatch.setattr(countysim.reports.run_report, "render_report", render)
    status, stdout = cli("run", SMALL, "--out", tmp_path / "with", "--quiet")
    assert status == 0 and "results in" in stdout
    assert len(rendered) == 1 and rendered[0][0] is results
    assert rendered[0][1] is None  # default years: first, middle and last
    assert (tmp_path / "with" / REPORT_NAME).read_text() == render(results, None)
    assert (tmp_path / "with" / "county.csv").is_file()

    rendered.clear()
    status, _ = cli("run", SMALL, "--out", tmp_path / "without", "--quiet", "--no-report")
    assert status == 0
    assert rendered == []
    assert (tmp_path / "without" / "figures" / "map.png").is_file()
    assert not (tmp_path / "without" / REPORT_NAME).exists()


def test_inline_svg_prefixes_ids_and_drops_namespaces():
    svg = (
        '<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://x">\n'
        '<svg xmlns:xlink="http://www.w3.org/1999/xlink" width="10pt" '
        'xmlns="http://www.w3.org/2000/svg"><metadata><a>https://matplotlib.org/</a></metadata>'
        '<defs><path id="m1" d="M0 0"/><clipPath id="p1"><rect/></clipPath></defs>'
        '<use xlink:href="#m1" clip-path="url(#p1)"/><a href="#elsewhere"/></svg>'
    )
    out = inline_svg(svg, "f3-", 'a "figure"')
    assert out == (
        '<svg role="img" aria-label="a &quot;figure&quot;" width="10pt">'
        '<defs><path id="f3-m1" d="M0 0"/><clipPath id="f3-p1"><rect/></clipPath></defs>'
        '<use href="#f3-m1" clip-path="url(#f3-p1)"/><a href="#elsewhere"/></svg>'
    )


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_report_renders_in_headless_chromium(saved_report, tmp_path):
    """Chromium, offline, builds the page with every inline figure and paints it."""
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1400,2400",
    ]
    url = saved_report.as_uri()
    dom = subprocess.run(
        [CHROMIUM, *flags, "--dump-dom", url], capture_output=True, text=True, timeout=120
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    for name in (*RUN_FIGURES, *ANALYSIS_FIGURES):
        assert f'id="fig-{name}"' in dom.stdout, name
    assert dom.stdout.count("<svg") == len(RUN_FIGURES) + len(ANALYSIS_FIGURES)

    shot = tmp_path / "report.png"
    run = subprocess.run(
        [CHROMIUM, *flags, f"--screenshot={shot}", url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0 and shot.is_file(), run.stderr[-2000:]
    from matplotlib.image import imread

    image = imread(shot)
    assert image.shape[:2] == (2400, 1400)
    colours = {tuple(px) for px in (image[::7, ::7, :3] * 255).astype(int).reshape(-1, 3)}
    assert len(colours) > 50, "the page is blank"


def test_numbers_are_formatted_by_unit():
    from countysim.reports.html import fmt_value as _fmt

    assert _fmt(12345.6, "persons") == "12,346"
    assert _fmt(0.2934, "share") == "29.3%"
    assert _fmt(-1e-17, "share") == "0.0%"  # never "-0.0%"
    assert _fmt(1.3478, "ratio") == "1.35"
    assert _fmt(-0.0111402, "") == "-0.01114"
    assert _fmt(float("nan"), "index") == "–"


# ------------------------------------------- levers, units, scale, figure formats


def test_report_shows_levers_over_time_and_units(saved_report):
    text = saved_report.read_text(encoding="utf-8")
    assert 'id="levers"' in text and "Policy levers over time" in text
    # the baseline's settlement period in the county town changes during the run
    row = text[text.index("<code>hukou.settlement_years.county</code>") :]
    row = row[: row.index("</tr>")]
    assert "<b>" in row and " from 2012, " in row
    assert "nominal yuan/person/year" in text
    assert "for reference" in text  # national statistics are labelled as such


def test_run_warns_when_the_scale_is_too_coarse_and_so_does_the_report(tmp_path, capsys):
    from countysim.reports.run_sections import beta_section, indicator_section, scale_section

    args = ("--set", "simulation.scale=20", "--set", "years.end=2013", "--no-figures")
    status, stdout = cli("run", SMALL, *args, "--out", tmp_path / "coarse", "--quiet")
    assert status == 0
    assert "warning: At simulation.scale=20" in capsys.readouterr().err
    assert stdout.startswith("small: 2012-2013, scale 20")  # the brief summary
    assert "nominal yuan" in stdout
    coarse = Results.load(tmp_path / "coarse")
    section = scale_section([coarse])
    assert 'id="scale"' in section and "simulation.scale=20" in section
    assert "Not reliable at this scale" in beta_section([coarse])
    assert "sigma rows are not reliable" in indicator_section([coarse])


def test_report_has_no_scale_warning_at_scale_one(saved_report):
    assert 'id="scale"' not in saved_report.read_text(encoding="utf-8")


def test_run_and_report_write_figures_in_the_chosen_format(saved_report, tmp_path):
    out = tmp_path / "svg"
    args = ("--set", "years.end=2013", "--out", out, "--quiet", "--no-report")
    status, _ = cli("run", SMALL, *args, "--format", "svg", "--dpi", 80)
    assert status == 0
    assert sorted(p.name for p in (out / "figures").iterdir()) == sorted(
        f"{name}.svg" for name in RUN_FIGURES
    )
    # `countysim report --format pdf` (the fixture) wrote the figure files beside the report
    figures = saved_report.parent / "figures"
    assert sorted(p.name for p in figures.iterdir()) == sorted(
        f"{name}.pdf" for name in RUN_FIGURES
    )
    assert (figures / "map.pdf").read_bytes()[:4] == b"%PDF"
    with pytest.raises(SystemExit):
        cli("run", SMALL, "--format", "docx")


def test_lever_changes_and_units():
    import pandas as pd

    from countysim.reports.levers import lever_changes, lever_label, lever_unit

    county = pd.DataFrame(
        {
            "year": [2012, 2013, 2014, 2015],
            "lever:hukou.settlement_years.county": [3.0, 3.0, 1.0, 1.0],
            "lever:pensions.portability": [0.7, 0.7, 0.7, 0.7],
        }
    )
    changes = lever_changes(county)
    moving = changes[changes.lever == "hukou.settlement_years.county"]
    assert list(zip(moving.year, moving.value, strict=True)) == [(2012, 3.0), (2014, 1.0)]
    assert len(changes[changes.lever == "pensions.portability"]) == 1
    assert lever_label("hukou.settlement_years.county") == "hukou: settlement years, county"
    assert lever_unit("pensions.resident_basic_pension") == "yuan per year"
