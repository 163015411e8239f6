"""What the benchmarks share: a private local broker, and percentiles."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

from deploy.kafka import LocalBroker, ensure_topics, fetch_jars
from douane.settings import Settings


@contextlib.contextmanager
def private_broker() -> Iterator[tuple[str, Path]]:
    """A broker in a temporary folder (its topics hold only this run's traffic); yields (bootstrap, folder)."""
    libs = fetch_jars(Settings().kafka_home.absolute() / "libs")
    with tempfile.TemporaryDirectory() as home:
        broker = LocalBroker(Path(home) / "kafka", port=0, controller_port=0, libs=libs)
        bootstrap = broker.up().bootstrap
        ensure_topics(bootstrap, Settings().topic_partitions)
        try:
            yield bootstrap, Path(home)
        finally:
            broker.down()


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


_SENTENCES = (
    "Hallo, ich habe am Montag die Espressomühle Modell K3 bestellt und sie ist noch nicht angekommen.",
    "Meine Bestellnummer ist {order}, können Sie bitte nachsehen, wo das Paket gerade ist?",
    "Sie erreichen mich unter {email} oder telefonisch unter {phone}.",
    "Lieferadresse: {street}, {zip} Berlin.",
    "Bitte erstatten Sie den Betrag auf mein Konto {iban}, falls die Lieferung verloren ging.",
    "Which grinder setting do you recommend for a French press with a medium roast?",
    "The description says 58 mm burrs, 1.2 kg, 230 V; is the EU plug included in the box?",
    "Ich würde gern wissen, ob der Rabattcode HERBST25 auch für Zubehör gilt.",
    "Wir brauchen eine kurze Produktbeschreibung für die neue Bohnenmischung aus Kolumbien und Äthiopien.",
)


def shop_prompt(rng, size: int = 2048) -> str:
    """A support-chat style prompt of about ``size`` bytes carrying e-mail, phone, IBAN and address."""
    facts = {"order": f"WC-{rng.randint(100000, 999999)}", "email": f"kunde{rng.randint(1, 9999)}@example.de",
             "phone": f"+49 30 {rng.randint(1000000, 9999999)}", "street": f"Torstraße {rng.randint(1, 200)}",
             "zip": f"10{rng.randint(100, 999)}", "iban": "DE89 3704 0044 0532 0130 00"}
    parts: list[str] = []
    while sum(len(p) + 1 for p in parts) < size:
        parts.append(rng.choice(_SENTENCES).format(**facts))
    return " ".join(parts)[:size]
