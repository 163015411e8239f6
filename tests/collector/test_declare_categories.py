"""What an event says of a text's personal data: one entry per category, counts summed over its detectors."""

from __future__ import annotations

from collector.declare import personal_data

IDS = "Steuer-ID 36 574 261 809, BSN 111222333, DNI 54362315K"


def test_detectors_of_one_category_sum_into_one_entry_in_detector_order() -> None:
    data = personal_data(IDS, b"k", "k1")
    assert [(c.category, c.count, c.detectors) for c in data.categories] == [
        ("user.government_id.national_identification_number", 3, ("de_idnr", "es_dni", "nl_bsn"))]
    assert not data.special_category


def test_categories_are_sorted_and_health_data_is_special() -> None:
    data = personal_data("Diabetes; anna@web.de; +49 30 1234567; " + IDS, b"k", "k1")
    assert [c.category for c in data.categories] == sorted(c.category for c in data.categories)
    assert {c.category: c.count for c in data.categories} == {
        "user.contact.email": 1, "user.contact.phone_number": 1, "user.health_and_medical": 1,
        "user.government_id.national_identification_number": 3}
    assert data.special_category


def test_calls_with_the_same_findings_share_their_entries_but_not_their_hash() -> None:
    first, second = personal_data(IDS, b"k", "k1"), personal_data(IDS + " ", b"k", "k1")
    assert first.categories[0] is second.categories[0]
    assert first.content_hash != second.content_hash
