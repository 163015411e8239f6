"""The taxonomy is fideslang's: keys, names, Art. 9/10 keys and the detectors' alias table."""

from __future__ import annotations

import pytest

from rules import taxonomy


def test_the_snapshot_is_the_installed_fideslang_taxonomy() -> None:
    pytest.importorskip("fideslang")  # in the test extra; the snapshot must equal the package
    assert taxonomy.from_fideslang() == taxonomy._snapshot()


def test_every_special_and_criminal_root_is_a_fideslang_key() -> None:
    for key in (*taxonomy.ART9_KEYS, *taxonomy.ART10_KEYS):
        assert key in taxonomy.category_names(), key


@pytest.mark.parametrize(("key", "article"), [
    ("user.health_and_medical", "9"), ("user.health_and_medical.genetic", "9"), ("user.biometric.voice", "9"),
    ("user.authorization.biometric", "9"), ("user.demographic.political_opinion", "9"),
    ("user.demographic.race_ethnicity", "9"), ("user.demographic.religious_belief", "9"),
    ("user.demographic.sexual_orientation", "9"), ("user.criminal_history", "10"),
    ("user.demographic.date_of_birth", None), ("user.contact.email", None), ("user.financial.tax_id", None),
    ("user.health_and_medicalish", None),
])
def test_articles_come_from_fideslang_keys(key, article) -> None:
    assert taxonomy.article_of(key) == article


def test_every_alias_points_at_a_fideslang_key() -> None:
    for alias, target in taxonomy.ALIASES.items():
        assert alias not in taxonomy.category_names() and target in taxonomy.category_names()


def test_every_key_the_detectors_emit_is_known() -> None:
    from collector.detect import DEFAULT_DETECTORS

    keys = {d.category for d in DEFAULT_DETECTORS}
    assert keys and all(taxonomy.known_category(k) for k in keys), sorted(k for k in keys
                                                                         if not taxonomy.known_category(k))


def test_display_names_for_reports() -> None:
    assert taxonomy.display_name("user.contact.email") == "e-mail address"
    assert taxonomy.display_name("user.financial.tax_id") == taxonomy.display_name(
        "user.government_id.national_identification_number")
    assert taxonomy.display_name("customer") == "Customer"
    assert taxonomy.display_name("user.not_a_key") == "user.not_a_key"
