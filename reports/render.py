"""Render report models to HTML (Jinja2, autoescaped) and PDF (WeasyPrint); JSON straight from the model."""

from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from pydantic import BaseModel

from reports.charts import destinations_chart, failures_chart, findings_over_time, flows_sankey, risk_matrix
from reports.feared import SCALE
from reports.incident_models import IncidentReport
from reports.models import Article30Report, DpiaReport
from rules.derogations import derogation_of
from rules.taxonomy import display_name
from rules.wording import BASES, basis_in_words

TEMPLATES = Path(__file__).parent / "templates"


def label(key: str) -> str:
    """A key in words for people: taxonomy names for categories and subjects, transfer bases spelt out."""
    if key in BASES or derogation_of(key) is not None:  # a Basis value, a derogation's included
        return basis_in_words(key)
    name = display_name(key)
    return name.replace("_", " ") if name == key and "." not in key else name


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["label"] = label
    return env


def article30_html(report: Article30Report) -> str:
    """The Article 30 record as a standalone HTML document."""
    return _render("article30.html.j2", r=report, chart=destinations_chart(report))


def dpia_html(report: DpiaReport) -> str:
    """The DPIA as a standalone HTML document, its pictures inline as SVG."""
    inherent = [SimpleNamespace(likelihood=e.likelihood, impact=e.severity) for e in report.feared_events]
    residual = [SimpleNamespace(likelihood=e.residual_likelihood, impact=e.residual_severity)
                for e in report.feared_events]
    words = tuple(SCALE.values())  # the CNIL scale, for likelihood and severity alike
    names = (words, words)
    charts = {"flows": flows_sankey(report.flows), "inherent": risk_matrix(inherent, title="Before measures", names=names),
              "residual": risk_matrix(residual, title="After measures", names=names),
              "over_time": findings_over_time(report.findings_over_time, report.findings_bin_minutes)}
    return _render("dpia.html.j2", r=report, charts=charts, scale=SCALE)


def incident_html(report: IncidentReport) -> str:
    """The NIS2 incident report drafts as a standalone HTML document."""
    return _render("incident.html.j2", r=report, chart=failures_chart(report.buckets, report.bucket_minutes))


def _render(template: str, **values) -> str:
    return _environment().get_template(template).render(css=(TEMPLATES / "style.css").read_text(), **values)


def to_pdf(html: str) -> bytes:
    """A PDF of ``html`` (fonts from the system; no network access)."""
    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return HTML(string=html, base_url=str(TEMPLATES)).write_pdf()


def to_json(report: BaseModel) -> str:
    """The report's data, for tools."""
    return report.model_dump_json(indent=2)
