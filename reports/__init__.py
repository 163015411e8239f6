"""reports/: Article 30, DPIA and NIS2 incident reports rendered from the DuckDB store."""
