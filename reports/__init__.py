"""reports/: Article 30, DPIA and NIS2 incident reports rendered from the DuckDB store."""

from reports.article30 import build_article30
from reports.errors import ReportError
from reports.render import article30_html, to_json, to_pdf

__all__ = ["ReportError", "article30_html", "build_article30", "to_json", "to_pdf"]
