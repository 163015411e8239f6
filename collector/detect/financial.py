"""Financial identifiers: IBAN, payment cards, VAT numbers — each confirmed by its checksum."""

from __future__ import annotations

from stdnum import iban
from stdnum.eu import vat

from collector.detect.base import Detector, digits, luhn_ok


class IbanDetector(Detector):
    """IBANs with a valid ISO 13616 mod-97 checksum and country format, spaced or not, in either case."""

    name = "iban"
    category = "user.financial.bank_account"
    patterns = (r"([A-Z](?<!\w.)[A-Z]\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?)\b",)
    checks = (iban,)


class PaymentCardDetector(Detector):
    """Payment card numbers: 13-19 digits (spaces or dashes between groups) passing the Luhn check."""

    name = "payment_card"
    category = "user.financial.credit_card"
    patterns = (r"(\d(?<![\d-].)(?:[ -]?\d){12,18})(?![\d-])",)

    def validate(self, value: str) -> bool:
        number = digits(value)
        return 13 <= len(number) <= 19 and number[0] in "23456" and luhn_ok(number)


class VatDetector(Detector):
    """EU VAT identification numbers with their country prefix, confirmed by the country's checksum."""

    name = "vat"
    category = "user.financial.tax_id"
    patterns = (r"((?:AT|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|FR|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK)(?<!\w..)"
                r" ?[0-9A-Z]{2}[ .]?[0-9A-Z]{3}[ .]?[0-9A-Z]{2,8})\b",)
    flags = 0
    checks = (vat,)
