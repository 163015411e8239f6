"""Detectors as tables: true positives, and look-alikes that must not match."""

from __future__ import annotations

import pytest

from collector.detect import DEFAULT_DETECTORS, scan

BY_NAME = {d.name: d for d in DEFAULT_DETECTORS}

CASES = [
    # detector, text, expected count
    ("email", "Schreiben Sie an anna.schmidt@web.de bitte", 1),
    ("email", "a@b.de und A.B+shop@mail.example.co.uk", 2),
    ("email", "twitter @kaffee_spree, user@localhost, 50@ 3 EUR", 0),
    ("phone", "Rufen Sie mich an: +49 30 12345678", 1),
    ("phone", "Tel. 030 12345678 oder 0049 89 1234567", 2),
    ("phone", "Appelez le 06 12 34 56 78", 1),
    ("phone", "Bestellung 4711, am 03.04.2024, Server 84.23.11.2, EAN 4006381333931", 0),
    ("phone", "Ticket 1b9d6bcd-4711-4b2d-8123-ab8dfbbd4bed", 0),
    ("iban", "IBAN: DE89 3704 0044 0532 0130 00", 1),
    ("iban", "GB82WEST12345698765432 and FR1420041010050500013M02606", 2),
    ("iban", "DE89 3704 0044 0532 0130 01 (one digit off)", 0),
    ("payment_card", "Karte 4111 1111 1111 1111, Ablauf 12/27", 1),
    ("payment_card", "5500-0000-0000-0004", 1),
    ("payment_card", "4111 1111 1111 1112 and order 1234567890123", 0),
    ("vat", "USt-IdNr. DE136695976", 1),
    ("vat", "TVA FR40303265045, BTW NL004495445B01", 2),
    ("vat", "DE136695977 (bad check digit)", 0),
    ("vat", "btw-nummer DE515263639 EAN 4014585705065", 1),  # the next word's capitals read into the match
    ("vat", "VAT ID: ATU98038756 I think", 1),
    ("de_idnr", "Meine Steuer-ID ist 36 574 261 809", 1),
    ("de_idnr", "Bestellnummer 36574261809", 0),  # no context word: an order number
    ("fr_nir", "numéro de sécurité sociale 2 95 10 99 126 111 93", 1),
    ("fr_nir", "sécurité sociale 2 95 10 99 126 111 94", 0),
    ("es_dni", "DNI 54362315K, NIE X2482300W", 2),
    ("es_dni", "54362315A", 0),
    ("it_codice_fiscale", "codice fiscale RCCMNL83S18D969H", 1),
    ("it_codice_fiscale", "RCCMNL83S18D969A", 0),
    ("nl_bsn", "mijn BSN is 111222333", 1),
    ("nl_bsn", "artikel 111222333", 0),
    ("ip_address", "Login von 84.23.11.2 und 2001:db8::8a2e:370:7334", 2),
    ("ip_address", "Version 1.2.3.4.5, 127.0.0.1, 999.1.1.1", 0),
    ("postal_address", "Lieferung an Oranienstraße 12, 10999 Berlin", 2),
    ("postal_address", "livrer au 12 rue de Rivoli", 1),
    ("postal_address", "Our espresso 12 is strong; size 10999 ml", 0),
    ("postal_address", "ship to 71 Church Road, Leeds; my address is 5a Baker Street", 2),
    ("postal_address", "Blend Abbey Road, 2 Cups, Mischung Kastanienallee", 0),
    ("date_of_birth", "geboren am 03.04.1985", 1),
    ("date_of_birth", "Date of birth: 1990-12-31", 1),
    ("date_of_birth", "Lieferung am 03.04.2025", 0),
    ("date_of_birth", "born 31.02.1990 (no such day)", 0),
    ("health_terms", "Ich bin schwanger und habe Diabetes", 2),
    ("health_terms", "je suis enceinte; tengo asma; ho il diabete; ik ben zwanger", 4),
    ("health_terms", "Ein Rezept für Cold Brew? Decaf please, cancel my order, Krebsstraße 3", 0),
]


@pytest.mark.parametrize("name,text,expected", CASES, ids=[f"{c[0]}:{c[1][:24]}" for c in CASES])
def test_detector_counts(name: str, text: str, expected: int) -> None:
    assert BY_NAME[name].count(text) == expected


def test_scan_reports_categories_counts_and_detectors_never_values() -> None:
    hits = scan("anna@web.de, IBAN DE89370400440532013000, ich bin schwanger")
    assert {(h.category, h.detector, h.count) for h in hits} == {
        ("user.contact.email", "email", 1), ("user.financial.bank_account", "iban", 1),
        ("user.health_and_medical", "health_terms", 1)}
    assert "anna" not in repr(hits) and "DE89" not in repr(hits)


@pytest.mark.timeout(20)
@pytest.mark.parametrize("hostile", ["a" * 200_000 + "@", "1 " * 100_000, "+" + "1-" * 60_000,
                                     "Straße" * 30_000 + "1", "a." * 100_000, ":" * 100_000 + "a",
                                     "1 Aa " * 40_000, "Anna " * 40_000, "Name: " * 30_000])
def test_hostile_text_does_not_make_the_detectors_backtrack(hostile: str) -> None:
    scan(hostile)  # a backtracking pattern would blow the timeout on these
