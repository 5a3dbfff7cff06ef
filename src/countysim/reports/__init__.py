"""HTML reports and result directories:

- :mod:`~countysim.reports.run_report`: the report of a run, and :func:`save_run`, which
  writes a run's tables, figures and report in one atomic step;
- :mod:`~countysim.reports.comparison_report`: the report of a scenario comparison;
- :mod:`~countysim.reports.run_sections`, :mod:`~countysim.reports.levers`: the sections
  they share (scenario, indicators, beta convergence, scale, policy levers);
- :mod:`~countysim.reports.html`: the page, tables, inline SVG and provenance.
"""

from countysim.reports.comparison_report import differences_text, render_comparison
from countysim.reports.html import inline_svg, page
from countysim.reports.levers import lever_changes, lever_section
from countysim.reports.run_report import REPORT_NAME, render_report, save_run, write_report

__all__ = [
    "REPORT_NAME",
    "differences_text",
    "inline_svg",
    "lever_changes",
    "lever_section",
    "page",
    "render_comparison",
    "render_report",
    "save_run",
    "write_report",
]
