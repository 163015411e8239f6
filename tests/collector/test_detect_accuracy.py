"""Accuracy defects found on a labelled corpus of EU prompts: each case is the categories ``scan`` must report.

Misses (ids after "TIN", "N° de sécu", "Persoonsnummer"; health conditions the vocabulary lacked;
allergy compounds), false positives from other senses (crab, zodiac sign, recipe, a pharmacy as a
business), look-alikes read as identifiers (a Luhn-valid order number and an EAN-13 as cards, a
firmware version as an IP address), and one span counted in two categories (an IBAN's digits, a
VAT number or a tax id also counted as a phone number).
"""

from __future__ import annotations

import pytest

from collector.detect import scan

EMAIL, PHONE, IBAN, CARD = ("user.contact.email", "user.contact.phone_number", "user.financial.bank_account",
                            "user.financial.credit_card")
TAX, NATIONAL, IP, HEALTH = ("user.financial.tax_id", "user.government_id.national_identification_number",
                             "user.device.ip_address", "user.health_and_medical")

CASES = [
    # national ids after the words people write
    ("My TIN is 36 574 261 809", {NATIONAL}),
    ("N° de sécu : 2 95 10 99 126 111 93", {NATIONAL}),
    ("Mijn persoonsnummer is 111222333", {NATIONAL}),
    # health conditions in six languages
    ("I suffer from rheumatism and migraine", {HEALTH}),
    ("Meine Hypertonie und mein Ekzem", {HEALTH}),
    ("Ich habe Arthrose im Knie", {HEALTH}),
    ("j'ai de l'hypertension et de l'eczéma", {HEALTH}),
    ("tengo migraña y artrosis", {HEALTH}),
    ("soffro di emicrania e ipertensione", {HEALTH}),
    ("ik heb last van migraine en eczeem", {HEALTH}),
    ("Mein Sohn hat eine Nussallergie", {HEALTH}),
    ("mijn dochter heeft een pinda-allergie", {HEALTH}),
    ("my hypertension medication", {HEALTH}),
    # other senses of health words
    ("Ein Rezept für Krebsfleisch mit Knoblauch", set()),
    ("Crab cakes recipe: what wine pairs with crab and cancer crab claws?", set()),
    ("Mein Sternzeichen ist Krebs, welches Parfum passt dazu?", set()),
    ("Je suis du signe Cancer, quel bijou me conseillez-vous ?", set()),
    ("La farmacia Rossi ordina 20 confezioni di tè", set()),
    ("Heb je een recept voor appeltaart?", set()),
    # look-alikes of identifiers
    ("Bestellnummer 4111 1111 1111 1111 bitte stornieren", set()),
    ("Order number 5500000000000004 was shipped", set()),
    ("EAN 4006381333931, GTIN 4012345678901", set()),
    ("Firmware version 10.2.1.4 is installed", set()),
    ("Update auf Version 192.168.2.1 der App", set()),
    # one span, one category: the most specific validated one
    ("IBAN DE89 3704 0044 0532 0130 00", {IBAN}),
    ("IBAN DE89370400440532013000", {IBAN}),
    ("USt-IdNr. DE 136 695 976", {TAX}),
    ("Steuer-ID 36 574 261 809", {NATIONAL}),
    ("BSN 1112.22.333", {NATIONAL}),
    ("Karte 4111 1111 1111 1111", {CARD}),
    ("geboren am 03.04.1985", {"user.demographic.date_of_birth"}),
    # still found
    ("Rufen Sie an: +49 30 12345678 oder 030 12345678", {PHONE}),
    ("Login von 84.23.11.2", {IP}),
]


@pytest.mark.parametrize("text,expected", CASES, ids=[c[0][:40] for c in CASES])
def test_scan_reports_exactly_the_categories_a_person_would(text: str, expected: set[str]) -> None:
    assert {h.category for h in scan(text)} == expected
