"""Financial identifiers: IBAN, payment cards, VAT numbers — each confirmed by its checksum."""

from __future__ import annotations

import re

from stdnum import iban
from stdnum.eu import vat

from collector.detect.base import Detector, digits, luhn_ok
from collector.detect.gate import NOT_WORD


CARD_SCHEMES = (
    (("4",), (16, 19)),  # Visa (13-digit Visa numbers are no longer issued; EAN-13 barcodes look like them)
    (tuple(str(p) for p in [*range(51, 56), *range(2221, 2721)]), (16,)),  # Mastercard
    (("34", "37"), (15,)),  # American Express
    (("6011", "65", *(str(p) for p in range(644, 650))), (16, 19)),  # Discover
    (tuple(str(p) for p in range(3528, 3590)), (16, 19)),  # JCB
    (("36", "38", "300", "301", "302", "303", "304", "305"), (14,)),  # Diners Club
    (("50", "56", "57", "58", "67", "63"), (16, 19)),  # Maestro
)
"""Scheme prefixes (IIN ranges) and the lengths each issues, from the schemes' published ranges."""
NOT_A_CARD = (r"order", r"bestell", r"commande", r"pedido", r"ordine", r"bestelling", r"\bean\b", r"gtin",
              r"\bsku\b", r"artikel", r"article", r"tracking", r"sendung", r"invoice", r"rechnung", r"factur",
              r"fattura", r"factuur", r"ticket")
"""Words that name a long Luhn-valid number as something else (order and article numbers, barcodes)."""


CARD_WORDS = re.compile(r"karte|card|carte|tarjeta|carta|visa|mastercard|amex|kaart", re.IGNORECASE)


class IbanDetector(Detector):
    """IBANs with a valid ISO 13616 mod-97 checksum and country format, spaced or not, in either case."""

    name = "iban"
    category = "user.financial.bank_account"
    patterns = (r"([A-Z](?<!\w.)[A-Z]\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?)(?![\w])",)
    triggers = (rf"{NOT_WORD}[A-Z]{{2}}[0-9]{{2}} ?[A-Z0-9]{{4}}",)
    checks = (iban,)

    def validate(self, value: str) -> bool:
        """The match, or the match without the trailing groups a following word filled (``... 1756 codi``)."""
        groups = value.split(" ")
        return any(iban.is_valid(" ".join(groups[:len(groups) - drop])) for drop in range(min(3, len(groups))))


class PaymentCardDetector(Detector):
    """Payment card numbers: a scheme's prefix and length (Visa, Mastercard, Amex, Discover, JCB, Diners,
    Maestro), passing the Luhn check, and not named as an order, article or barcode number nearby."""

    name = "payment_card"
    category = "user.financial.credit_card"
    patterns = (r"(\d(?<![\d-].)(?:[ -]?\d){12,18})(?![\d-])",)
    triggers = (r"[^0-9-][0-9](?:[ -]?[0-9]){12}",)
    not_context = NOT_A_CARD

    def _in_context(self, text: str, match) -> bool:
        """Not a card when an order/EAN word names it: the nearest naming word before it decides."""
        before = text[max(0, match.start() - 30):match.start()]
        negative = [m.end() for m in self._not_context.finditer(before)]
        positive = [m.end() for m in CARD_WORDS.finditer(before)]
        return not negative or (bool(positive) and positive[-1] > negative[-1])

    def validate(self, value: str) -> bool:
        number = digits(value)
        return any(number.startswith(prefixes) and len(number) in lengths for prefixes, lengths in CARD_SCHEMES) \
            and luhn_ok(number)


class VatDetector(Detector):
    """EU VAT identification numbers with their country prefix, confirmed by the country's checksum."""

    name = "vat"
    category = "user.financial.tax_id"
    patterns = (r"((?:AT|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|FR|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK)(?<!\w..)"
                r"(?:[ .]?[0-9A-Z]){8,12})(?![\w])",)
    triggers = (rf"{NOT_WORD}(?:AT|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|FR|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK)"
                r"[ .]?[0-9A-Z]",)
    flags = 0
    checks = (vat,)

    def validate(self, value: str) -> bool:
        """The match, or the match cut at a separator (``DE515263639 EAN`` took in the next word's letters)."""
        cuts = [i for i, ch in enumerate(value) if ch in " ."]
        return any(vat.is_valid(value[:end]) for end in [len(value), *reversed(cuts)][:4])
