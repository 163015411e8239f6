"""The standing record as CSV and XLSX: one row per activity and recipient, columns as the common RoPA
templates (the ICO's and the CNIL's registers) name them, so a DPO can keep or import it as a sheet."""

from __future__ import annotations

import csv
import io

from reports.models import RecordRow, StandingRecord

COLUMNS: tuple[tuple[str, str], ...] = (
    ("Activity ID", "activity_id"),
    ("Processing activity", "activity"),
    ("Purpose of processing", "purpose"),
    ("Lawful basis (Art. 6)", "legal_basis"),
    ("Special category condition (Art. 9(2))", "special_category_condition"),
    ("Criminal offence data basis (Art. 10)", "criminal_data_basis"),
    ("Categories of data subjects", "data_subjects"),
    ("Categories of personal data", "categories"),
    ("Recipient", "recipient"),
    ("Recipient role", "recipient_role"),
    ("Recipient entity (country)", "recipient_entity"),
    ("Processor contract (Art. 28)", "dpa"),
    ("Third countries", "third_countries"),
    ("Transfer tool", "transfer_tools"),
    ("Retention", "retention"),
    ("Security measures (Art. 32(1))", "security_measures"),
)
"""(column heading, RecordRow field), in the sheet's order."""

HEADER_FIELDS = ("Controller", "Role", "Record as of", "Last updated", "Policy version")


def _cell(row: RecordRow, field: str) -> str:
    value = getattr(row, field)
    if isinstance(value, list):
        return "; ".join(value)
    return value or ""


def table(record: StandingRecord) -> list[list[str]]:
    """The record as rows of text, the headings first."""
    return [[h for h, _ in COLUMNS]] + [[_cell(r, f) for _, f in COLUMNS] for r in record.rows]


def _about(record: StandingRecord) -> list[str]:
    return [record.controller.name, record.role, str(record.as_of), str(record.last_updated), record.policy_version]


def to_csv(record: StandingRecord) -> str:
    """CSV (RFC 4180, UTF-8): one row per activity and recipient; who, role and dates are in the XLSX's
    first sheet and the PDF, so the CSV stays a plain table a privacy tool can import."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(table(record))
    return out.getvalue()


def to_xlsx(record: StandingRecord) -> bytes:
    """An XLSX workbook: the sheet "Record" (headings frozen, filter on) and "About" (controller, dates)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Record"
    for row in table(record):
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in sheet.columns:
        width = min(60, max(12, *(len(str(c.value or "")) for c in column)))
        sheet.column_dimensions[column[0].column_letter].width = width
        for cell in column[1:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    about = book.create_sheet("About")
    for heading, value in zip(HEADER_FIELDS, _about(record)):
        about.append([heading, value])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
