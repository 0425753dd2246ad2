"""The exports of a consultation: the report (with its economics chart) and the trace, as files or one zip."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from decider.reasoning.consultation import Consultation
from decider.storage.atomic import write_atomic

DEFAULT_REPORT = Path("decider-report.md")
"""What the TUI's export suggests first (in the current directory; never overwritten without asking)."""


class Exported(BaseModel):
    """Where an export put the report and the trace (None for the one not asked for)."""

    model_config = ConfigDict(frozen=True)

    report: Path | None = None
    trace: Path | None = None
    chart: Path | None = None
    """The economics chart written beside the report (None when the costs are not known or no report)."""


def export(consultation: Consultation, report: Path | None, trace: Path | None, *, status: str | None = None) -> Exported:
    """Write the Markdown report (with its economics chart beside it, when the costs are known) and/or the
    JSON trace, whichever is given (new files get the mode the umask allows, as any saved file); `status`
    marks a provisional report (interview unfinished)."""
    report_path = report.resolve() if report else None
    trace_path = trace.resolve() if trace else None
    chart_path = None
    if report_path is not None:
        files = report_files(consultation, report_path.name, status=status)
        for name, text in files[1:]:
            chart_path = report_path.with_name(name)
            write_atomic(chart_path, text)
        write_atomic(report_path, files[0][1])
    if trace_path is not None:
        write_atomic(trace_path, consultation.trace.to_json() + "\n")
    return Exported(report=report_path, trace=trace_path, chart=chart_path)


def report_files(consultation: Consultation, report_name: str, *, status: str | None = None) -> list[tuple[str, str]]:
    """(file name, text) of the report and, when the costs are known, its economics SVG, which the report links."""
    from decider.reasoning.charts import economics_svg
    from decider.reasoning.economics import economics
    from decider.reasoning.report import render_markdown

    result = economics(consultation)
    if result is None:
        return [(report_name, render_markdown(consultation, status=status))]
    chart = chart_name(report_name)
    return [(report_name, render_markdown(consultation, chart, status=status)), (chart, economics_svg(result))]


def chart_name(report_name: str) -> str:
    """The economics chart's file name beside a report: `report.md` -> `report-economics.svg`."""
    return f"{Path(report_name).stem}-economics.svg"


def export_bundle(consultation: Consultation) -> bytes:
    """The report (with its chart) and the trace as one zip, for a browser to download as a single file."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name, text in report_files(consultation, DEFAULT_REPORT.name):
            bundle.writestr(name, text)
        bundle.writestr("decider-trace.json", consultation.trace.to_json() + "\n")
    return buffer.getvalue()


def free_path(wanted: Path) -> Path:
    """`wanted`, or the first of name-2, name-3 … that does not exist yet (a suggestion never overwrites)."""
    if not wanted.exists():
        return wanted
    for number in range(2, 10_000):
        candidate = wanted.with_name(f"{wanted.stem}-{number}{wanted.suffix}")
        if not candidate.exists():
            return candidate
    return wanted


def trace_beside(report: Path) -> Path:
    """The trace file that goes with a report: same folder and name, `.trace.json`."""
    return report.with_name(f"{report.stem}.trace.json")
