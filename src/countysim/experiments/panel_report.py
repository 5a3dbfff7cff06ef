"""The HTML report of a county panel: one self-contained page (inline figures and style, no
links) with the scores of the model next to the null models', the counties it misses most,
the failed counties, the figures and the provenance."""

from __future__ import annotations

import html
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from countysim.experiments.panel import shown_path
from countysim.experiments.panel_figures import CAPTIONS
from countysim.experiments.panel_quantities import LABELS, LOG_CHANGE, SCORED, UNITS
from countysim.experiments.panel_scores import NULL_LABELS, NULL_MODELS
from countysim.experiments.store import write_atomically
from countysim.reports.html import inline_svg, page

if TYPE_CHECKING:
    from countysim.experiments.panel import PanelPlan
    from countysim.experiments.panel_runner import PanelTables

SOURCES = ("model", *NULL_MODELS)
SOURCE_LABELS = {"model": "model"} | NULL_LABELS
#: Score columns of the report, with their headers.
SHOWN = (("rmse", "RMSE"), ("mae", "MAE"), ("correlation", "corr."), ("right_sign_share", "sign"))
WORST_SHOWN = 10


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _number(value: float, digits: int = 3) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:.{digits}g}" if abs(value) >= 1e-3 or value == 0 else f"{value:.2e}"


def _section(anchor: str, title: str, body: str) -> str:
    return f'<section id="{anchor}"><h2>{_e(title)}</h2>{body}</section>'


def summary_section(plan: PanelPlan, tables: PanelTables) -> str:
    counties = tables.counties
    ok = int((counties["status"] == "ok").sum())
    failed = int((counties["status"] == "failed").sum())
    scored = int(tables.scores.query("source == 'model' and quantity == 'residents'")["n"].sum())
    spec = plan.spec
    items = [
        ("Scenario", f"{plan.base['name']} ({shown_path(plan.base_source)})"),
        ("Years", f"{spec.years.start} to {spec.years.end}"),
        ("Counties", f"{len(counties)} ({ok} ran, {failed} failed; {scored} with targets)"),
        ("Scale", f"{spec.scale} persons per simulated row"),
        ("Replicates", f"{spec.replicates} per county ({spec.streams} random numbers)"),
        ("Targets", str(plan.targets_file.name)),
    ]
    rows = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in items)
    text = f"<p>{_e(spec.description)}</p>" if spec.description else ""
    return _section("summary", "Panel", f"{text}<table>{rows}</table>")


def scores_section(scores: pd.DataFrame) -> str:
    """One row per quantity; per source its RMSE, MAE, correlation and right-sign share.
    The lowest RMSE of a row is bold."""
    indexed = scores.set_index(["quantity", "source"])
    head = "<tr><th rowspan='2'>quantity</th><th rowspan='2'>n</th>" + "".join(
        f"<th colspan='{len(SHOWN)}'>{_e(SOURCE_LABELS[s])}</th>" for s in SOURCES
    )
    head += "</tr><tr>" + "".join(f"<th>{h}</th>" for _ in SOURCES for _, h in SHOWN) + "</tr>"
    body = []
    for name in SCORED:
        rmse = {s: indexed.loc[(name, s), "rmse"] for s in SOURCES if (name, s) in indexed.index}
        finite = [v for v in rmse.values() if math.isfinite(v)]
        best = min(finite) if finite else None
        n = indexed.loc[(name, "model"), "n"] if (name, "model") in indexed.index else 0
        cells = [f"<th>{_e(LABELS[name])} <small>({_e(UNITS[name])})</small></th>",
                 f"<td>{int(n)}</td>"]  # fmt: skip
        for source in SOURCES:
            for column, _ in SHOWN:
                value = (
                    indexed.loc[(name, source), column] if (name, source) in indexed.index else None
                )
                text = _number(value)
                if column == "rmse" and value is not None and value == best:
                    text = f"<b>{text}</b>"
                cells.append(f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    note = (
        "<p>RMSE and MAE are in the quantity's unit (the resident population in log points, "
        "so 0.1 is about 10%); corr. is the correlation of predicted and census values across "
        "counties; sign is the share of counties whose change since 2010 has the right sign. "
        "The null models are fitted on the targets (the calibration half) and scored out of "
        "sample by k-fold cross-validation, each county predicted by a fit that did not see "
        "it; the model is scored on every county it ran. The lowest RMSE of each row is bold."
        "</p>"
    )
    return _section(
        "scores", "Scores against the census",
        f'<div class="scroll"><table><thead>{head}</thead><tbody>{"".join(body)}</tbody>'
        f"</table></div>{note}",
    )  # fmt: skip


def worst_section(counties: pd.DataFrame) -> str:
    """The counties whose population change the model misses most."""
    column = f"{LOG_CHANGE}_error"
    worst = counties.dropna(subset=[column])
    worst = worst.reindex(worst[column].abs().sort_values(ascending=False).index).head(WORST_SHOWN)
    if worst.empty:
        return ""
    headers = ("code", "name", "province", "region", "2010 residents", "predicted log change",
               "census log change", "error")  # fmt: skip
    head = "<tr>" + "".join(f"<th>{h}</th>" for h in headers) + "</tr>"
    rows = "".join(
        f"<tr><td>{_e(r.code)}</td><td>{_e(r.name)}</td><td>{_e(r.province)}</td>"
        f"<td>{_e(r.region)}</td><td>{int(r.residents_2010):,}</td>"
        f"<td>{_number(getattr(r, f'{LOG_CHANGE}_predicted'))}</td>"
        f"<td>{_number(getattr(r, f'{LOG_CHANGE}_actual'))}</td>"
        f"<td>{_number(getattr(r, column))}</td></tr>"
        for r in worst.itertuples(index=False)
    )
    return _section(
        "worst", "Largest errors in the population change",
        f"<table><thead>{head}</thead><tbody>{rows}</tbody></table>",
    )  # fmt: skip


def failed_section(counties: pd.DataFrame) -> str:
    failed = counties[counties["status"] == "failed"]
    if failed.empty:
        return ""
    rows = "".join(
        f"<tr><td>{_e(r.code)}</td><td>{_e(r.name)}</td><td><code>{_e(r.error)}</code></td></tr>"
        for r in failed.itertuples(index=False)
    )
    body = f"<table><thead><tr><th>code</th><th>name</th><th>error</th></tr></thead><tbody>{rows}"
    return _section("failed", f"Failed counties ({len(failed)})", body + "</tbody></table>")


def figures_section(figures: Mapping[str, str]) -> str:
    items = []
    for number, (name, svg) in enumerate(figures.items(), start=1):
        caption = CAPTIONS.get(name, name)
        items.append(
            f'<figure id="fig-{_e(name)}" class="wide">{inline_svg(svg, f"f{number}-", caption)}'
            f"<figcaption><b>Figure {number}.</b> {_e(caption)}</figcaption></figure>"
        )
    return _section("figures", "Figures", f'<div class="figures">{"".join(items)}</div>')


def provenance_section(manifest: Mapping[str, Any]) -> str:
    keys = ("countysim_version", "git_commit", "config_hash", "panel_file", "written_utc",
            "python", "numpy", "mesa", "run_seconds")  # fmt: skip
    rows = "".join(
        f"<tr><th>{_e(k)}</th><td><code>{_e(manifest.get(k, '–'))}</code></td></tr>" for k in keys
    )
    runs = manifest.get("runs_environment", {})
    rows += (
        f"<tr><th>runs started by</th><td><code>countysim {_e(runs.get('countysim_version', '–'))}"
        f" ({_e(runs.get('git_commit', '–'))})</code></td></tr>"
    )
    for label, info in manifest["data_files"].items():
        rows += (
            f"<tr><th>{_e(label)}</th><td><code>{_e(Path(info['path']).name)} "
            f"sha256:{_e(info['sha256'][:16])}</code></td></tr>"
        )
    seeds = manifest["seeds"]
    rows += f"<tr><th>seeds</th><td>base seed {seeds['base_seed']}; {_e(seeds['rule'])}</td></tr>"
    scenario = json.dumps(manifest["scenario"], indent=1, ensure_ascii=False)
    details = f"<details><summary>Resolved scenario</summary><pre>{_e(scenario)}</pre></details>"
    return _section("provenance", "Provenance", f"<table>{rows}</table>{details}")


def render_panel_report(
    plan: PanelPlan, tables: PanelTables, manifest: Mapping[str, Any], figures: Mapping[str, str]
) -> str:
    sections = [
        summary_section(plan, tables),
        scores_section(tables.scores),
        worst_section(tables.counties),
        figures_section(figures),
        failed_section(tables.counties),
        provenance_section(manifest),
    ]
    note = f"countysim {manifest['countysim_version']} ({str(manifest['git_commit'])[:12]})"
    return page(f"County panel: {plan.name}", [s for s in sections if s], note)


def write_panel_report(
    plan: PanelPlan,
    tables: PanelTables,
    manifest: Mapping[str, Any],
    figures: Mapping[str, str],
    path: Path,
) -> Path:
    text = render_panel_report(plan, tables, manifest, figures)
    write_atomically(path, lambda p: p.write_text(text, encoding="utf-8"))
    return path
