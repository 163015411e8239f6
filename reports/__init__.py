"""reports/: Article 30, DPIA and NIS2 incident reports rendered from the DuckDB store."""

from reports.article30 import build_article30
from reports.dpia import build_dpia
from reports.errors import ReportError
from reports.incident import build_incident
from reports.record import build_record
from reports.render import article30_html, dpia_html, incident_html, to_json, to_pdf

__all__ = ["ReportError", "article30_html", "build_article30", "build_dpia", "build_incident", "build_record",
           "dpia_html", "incident_html", "to_json", "to_pdf"]
