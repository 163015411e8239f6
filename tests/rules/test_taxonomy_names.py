"""Category names as a compliance officer reads them, in alerts, findings and reports (issue 16)."""

from __future__ import annotations

import pytest

from rules import taxonomy
from tests.rules.conftest import call, engine_for, make_policy


@pytest.mark.parametrize(("key", "name"), [
    ("user.contact.email", "e-mail address"),
    ("user.contact.phone_number", "phone number"),
    ("user.contact.address", "postal address"),
    ("user.financial.bank_account", "IBAN / bank account"),
    ("user.financial.credit_card", "payment card number"),
    ("user.health_and_medical", "health data"),
    ("user.demographic.date_of_birth", "date of birth"),
    ("user.device.ip_address", "IP address"),
    ("user.financial.tax_id", "national ID or tax number"),  # an alias reads as the key it stands for
    ("user.government_id.national_identification_number", "national ID or tax number"),
    ("user.name", "name"),
])
def test_the_keys_detectors_emit_read_as_people_say_them(key: str, name: str) -> None:
    assert taxonomy.display_name(key) == name


def test_other_keys_keep_fideslang_names_and_unknown_keys_stay_keys() -> None:
    assert taxonomy.display_name("user.device.cookie_id") == taxonomy.category_names()["user.device.cookie_id"]
    assert taxonomy.display_name("customer") == "Customer"
    assert taxonomy.display_name("user.not_a_key") == "user.not_a_key"


def test_every_plain_name_is_for_a_real_key() -> None:
    assert [k for k in taxonomy.PLAIN_NAMES if not taxonomy.known_category(k)] == []


def test_findings_use_the_plain_names() -> None:
    event = call("api.deepseek.com", categories=("user.contact.email", "user.financial.bank_account"))
    texts = " ".join(f.explanation for f in engine_for(make_policy()).evaluate(event).findings)
    assert "e-mail address" in texts and "IBAN / bank account" in texts
    assert "User Contact Email" not in texts
