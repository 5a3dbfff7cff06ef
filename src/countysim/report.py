"""The run report under its earlier module name; it lives in :mod:`countysim.reports`. Kept
so that code importing ``countysim.report`` keeps working."""

from countysim.reports import REPORT_NAME, render_comparison, render_report, save_run, write_report

__all__ = ["REPORT_NAME", "render_comparison", "render_report", "save_run", "write_report"]
