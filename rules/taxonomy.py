"""The fideslang taxonomy: which data-category and data-subject keys exist, what they are called,
and which GDPR article (9 or 10) governs them.

Keys come from the ``fideslang`` package's default taxonomy, so a policy, a rule or an event
can only name a category that the taxonomy knows. They are read from ``data/taxonomy.yaml``,
written from the package by ``python -m rules.taxonomy`` (importing fideslang's pydantic
models costs about a second at every start of the gateway, a stream worker or the CLI); a test
checks the file against the installed package. The few keys Douane's detectors emitted
before the switch are mapped by :data:`ALIASES`, a documented table, never guessed.
"""

from __future__ import annotations

import difflib
from functools import cache
from pathlib import Path

import yaml

from rules.types import NonEmpty, Strict
from rules.yamlio import load_model

SNAPSHOT = Path(__file__).parent / "data" / "taxonomy.yaml"

ALIASES: dict[str, str] = {
    # The tax-id detector (German Steuer-ID, French NIF, ...): a national identification number.
    "user.financial.tax_id": "user.government_id.national_identification_number",
}
"""Keys outside fideslang that Douane accepts, and the fideslang key each stands for."""

PLAIN_NAMES: dict[str, str] = {
    "user.name": "name",
    "user.contact.email": "e-mail address",
    "user.contact.phone_number": "phone number",
    "user.contact.address": "postal address",
    "user.demographic.date_of_birth": "date of birth",
    "user.device.ip_address": "IP address",
    "user.financial": "financial data",
    "user.financial.bank_account": "IBAN / bank account",
    "user.financial.credit_card": "payment card number",
    "user.government_id.national_identification_number": "national ID or tax number",
    "user.health_and_medical": "health data",
    "user.health_and_medical.genetic": "genetic data",
    "user.biometric": "biometric data",
    "user.demographic.political_opinion": "political opinions",
    "user.demographic.race_ethnicity": "racial or ethnic origin",
    "user.demographic.religious_belief": "religious or philosophical beliefs",
    "user.demographic.sexual_orientation": "sexual orientation",
    "user.criminal_history": "criminal convictions and offences",
}
"""The names a compliance officer reads for the keys Douane's detectors and example policies use.

Alerts, findings and reports all read names through :func:`display_name`; any other key
keeps fideslang's own name (``User Contact Email`` reads as a field label, not as data).
"""

ART9_KEYS = (
    "user.health_and_medical",  # health, incl. .genetic (Art. 4(13)) and health record identifiers
    "user.biometric",  # biometric data (Art. 4(14)), incl. .health
    "user.authorization.biometric",  # biometric data used to identify a person
    "user.demographic.political_opinion",
    "user.demographic.race_ethnicity",
    "user.demographic.religious_belief",
    "user.demographic.sexual_orientation",
)
"""Keys (and everything below them) that are special categories under GDPR Art. 9(1).

Trade-union membership and data on sex life have no fideslang key: detectors flag them with
``special_category`` on the event instead.
"""

ART10_KEYS = ("user.criminal_history",)
"""Keys of personal data relating to criminal convictions and offences (GDPR Art. 10)."""


class Snapshot(Strict):
    """The taxonomy file: the fideslang version it was written from, and every key with its name."""

    fideslang: NonEmpty
    data_categories: dict[NonEmpty, NonEmpty]
    data_subjects: dict[NonEmpty, NonEmpty]


def load_snapshot(path: Path | str = SNAPSHOT) -> Snapshot:
    """Load and validate a taxonomy file (``douane rules validate``)."""
    return load_model(path, Snapshot)


@cache
def _snapshot() -> dict:
    return yaml.safe_load(SNAPSHOT.read_text(encoding="utf-8"))


def category_names() -> dict[str, str]:
    """Every fideslang data-category key with its human name."""
    return _snapshot()["data_categories"]


def subject_names() -> dict[str, str]:
    """Every fideslang data-subject key with its human name."""
    return _snapshot()["data_subjects"]


def from_fideslang() -> dict:
    """The snapshot's content, read from the installed ``fideslang`` package."""
    import fideslang
    from fideslang.default_taxonomy import DEFAULT_TAXONOMY

    return {"fideslang": fideslang.__version__,
            "data_categories": {c.fides_key: c.name for c in DEFAULT_TAXONOMY.data_category},
            "data_subjects": {s.fides_key: s.name for s in DEFAULT_TAXONOMY.data_subject}}


def canonical(key: str) -> str:
    """The fideslang key ``key`` stands for (itself, or the alias's target)."""
    return ALIASES.get(key, key)


def known_category(key: str) -> bool:
    """True when ``key`` is a fideslang data category or a documented alias."""
    return canonical(key) in category_names()


def display_name(key: str) -> str:
    """The human name of a category or data-subject key (``e-mail address``); the key if unknown.

    :data:`PLAIN_NAMES` first, then fideslang's name.
    """
    key = canonical(key)
    return PLAIN_NAMES.get(key) or category_names().get(key) or subject_names().get(key) or key


def _under(key: str, roots: tuple[str, ...]) -> bool:
    return any(key == r or key.startswith(r + ".") for r in roots)


@cache
def article_of(key: str) -> str | None:
    """``"9"`` for a special category, ``"10"`` for criminal-offence data, else None."""
    key = canonical(key)
    if _under(key, ART9_KEYS):
        return "9"
    if _under(key, ART10_KEYS):
        return "10"
    return None


def nearest(value: str, choices) -> str | None:
    """The closest valid name to ``value``, for a "did you mean" hint."""
    found = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def check_category(key: str) -> str:
    """``key`` when it is a known category key, else a ValueError naming the nearest valid key."""
    if known_category(key):
        return key
    leaf = key.rsplit(".", 1)[-1]
    same_leaf = [k for k in category_names() if k.rsplit(".", 1)[-1] == leaf]
    hint = same_leaf[0] if len(same_leaf) == 1 else nearest(key, same_leaf or category_names())
    raise ValueError(f"{key!r} is not a fideslang data category" + (f"; did you mean {hint!r}?" if hint else ""))


def check_subject(key: str) -> str:
    """``key`` when it is a fideslang data-subject key, else a ValueError naming the nearest one."""
    if key in subject_names():
        return key
    hint = nearest(key, subject_names())
    raise ValueError(f"{key!r} is not a fideslang data subject" + (f"; did you mean {hint!r}?" if hint else ""))


if __name__ == "__main__":
    header = "# The fideslang default taxonomy's keys and names. Generated: python -m rules.taxonomy\n"
    SNAPSHOT.write_text(header + yaml.safe_dump(from_fideslang(), sort_keys=False, allow_unicode=True),
                        encoding="utf-8")
