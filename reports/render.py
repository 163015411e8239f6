"""Render report models to HTML (Jinja2, autoescaped) and PDF (WeasyPrint); JSON straight from the model."""

from __future__ import annotations

import logging
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from pydantic import BaseModel

from reports.charts import destinations_chart
from reports.models import Article30Report

TEMPLATES = Path(__file__).parent / "templates"


def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def article30_html(report: Article30Report) -> str:
    """The Article 30 record as a standalone HTML document."""
    template = _environment().get_template("article30.html.j2")
    return template.render(r=report, css=(TEMPLATES / "style.css").read_text(), chart=destinations_chart(report))


def to_pdf(html: str) -> bytes:
    """A PDF of ``html`` (fonts from the system; no network access)."""
    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return HTML(string=html, base_url=str(TEMPLATES)).write_pdf()


def to_json(report: BaseModel) -> str:
    """The report's data, for tools."""
    return report.model_dump_json(indent=2)
