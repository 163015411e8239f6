"""Person names the detector does not list: names outside the labelled corpus and the gazetteer, in frames of their own.

The names below were written before the gazetteer was last grown and kept out of it and out of
``labelled_corpus_people``, so what is found here is found by cues and frames alone: a worst case
for the gazetteer, not for the frames, whose words were chosen with these sentences in view (a blind
set of other frames is measured in docs/collector.md). The look-alikes sit in the same frames (a
recipient, an agent, a sign-off), where a brand, a product or a place is most easily read as a person.
"""

from __future__ import annotations

import pytest

from collector.detect import scan
from collector.detect.names import gazetteer
from tests.collector import labelled_corpus_people as people

HELD_OUT = {
    "de": [("Ingeborg", "Wachtel"), ("Ole", "Thiessen"), ("Gesine", "Rademacher"), ("Wendelin", "Eichhorn"),
           ("Merle", "Hinrichs"), ("Almut", "Vollmer"), ("Hauke", "Tjarks"), ("Elif", "Aydın"),
           ("Bärbel", "Stüber"), ("Frederik", "Nolte"), ("Annegret", "Wulf"), ("Gunnar", "Pfitzner")],
    "fr": [("Clémence", "Fauvel"), ("Gwenaël", "Kerbrat"), ("Thibault", "Delmas"), ("Ségolène", "Aubry"),
           ("Jean-Baptiste", "Carré"), ("Blandine", "Pelletier"), ("Goulven", "Le Bihan"), ("Mireille", "Castagné"),
           ("Anne-Sophie", "Vasseur"), ("Florent", "Quéméner"), ("Nolwenn", "Le Floch"), ("Grégory", "Mallet")],
    "es": [("Irati", "Goikoetxea"), ("Fermín", "Lizarraga"), ("Ariadna", "Ribas"), ("Visitación", "Carvajal"),
           ("Borja", "Villanueva"), ("Araceli", "Pizarro"), ("Xabier", "Agirre"), ("Remedios", "Olmedo"),
           ("Anselmo", "Echeverría"), ("Amparo", "Solís"), ("Celestino", "Escobar"), ("Consuelo", "Benavides")],
    "it": [("Rosalba", "Lo Presti"), ("Gianmarco", "Pellizzari"), ("Donatella", "Ciccone"), ("Ermanno", "Bortolotti"),
           ("Assunta", "Di Marzio"), ("Tiziano", "Scognamiglio"), ("Loredana", "Cusumano"), ("Ivano", "Tagliaferri"),
           ("Marisa", "De Filippis"), ("Gennaro", "Iannone"), ("Ornella", "Zampieri"), ("Settimio", "Balducci")],
    "nl": [("Geertje", "Wiersma"), ("Hylke", "Bouma"), ("Mieke", "van den Broek"), ("Gert-Jan", "Kuijpers"),
           ("Dieuwke", "Hofstede"), ("Rens", "Verhagen"), ("Marijke", "de Kloet"), ("Sietse", "Zwanenburg"),
           ("Jorien", "Oosterhuis"), ("Bastiaan", "van Rijn"), ("Famke", "Steenbergen"), ("Ruud", "Klaassen")],
    "en": [("Gwendolyn", "Hargreaves"), ("Dermot", "Flanagan"), ("Bethan", "Pritchard"), ("Alistair", "Crawford"),
           ("Orla", "Keane"), ("Rupert", "Ainsworth"), ("Shauna", "Mulligan"), ("Dylan", "Prosser"),
           ("Tamsin", "Blackwood"), ("Eoin", "Costigan"), ("Priya", "Chaudhry"), ("Kwame", "Asante")],
}
FRAMES = {
    "de": ["Die Rechnung bitte an {g} {s} schicken.", "{g} {s} hat gestern angerufen.",
           "Mit freundlichen Grüßen\n{g} {s}", "Können Sie das Paket für {g} {s} zurücklegen?"],
    "fr": ["Le colis est pour {g} {s}.", "{g} {s} a appelé hier.", "Bien à vous,\n{g} {s}",
           "Merci d'envoyer la facture à {g} {s}."],
    "es": ["La factura es para {g} {s}.", "{g} {s} llamó ayer.", "Un saludo,\n{g} {s}",
           "Enviad el paquete a {g} {s}."],
    "it": ["La fattura è per {g} {s}.", "{g} {s} ha chiamato ieri.", "Distinti saluti,\n{g} {s}",
           "Spedite il pacco a {g} {s}."],
    "nl": ["De factuur is voor {g} {s}.", "{g} {s} belde gisteren.", "Groeten,\n{g} {s}",
           "Stuur het pakket naar {g} {s}."],
    "en": ["The invoice is for {g} {s}.", "{g} {s} called yesterday.", "Kind regards,\n{g} {s}",
           "Please ship it to {g} {s}."],
}
LOOK_ALIKES = [
    "Die Lieferung an Hamburg Altona dauert zwei Tage.", "Espresso Crema hat ein kräftiges Aroma.",
    "Rancilio Silvia hat einen neuen Dampfhahn.", "Können Sie das Paket an die Packstation schicken?",
    "Le colis est pour Nespresso Vertuo ?", "La commande de Café Richard est partie.",
    "Le Moulin Rouge est sur la boîte.", "La factura es para Bodega Central.",
    "Enviad el paquete a Puerta del Sol.", "La fattura è per Bar Sport.", "Spedite il pacco a Porta Nuova.",
    "Caffè Vergnano ha un nuovo blend.", "De factuur is voor Albert Heijn.", "Stuur het pakket naar Den Haag.",
    "Douwe Egberts heeft een nieuwe melange.", "The invoice is for Costa Coffee.",
    pytest.param("Please ship it to Milton Keynes.", marks=pytest.mark.xfail(
        strict=True, reason="known limit: a two-word place after a verb of sending reads as a person")),
    "Kenco Millicano was out of stock.",
]
SENTENCES = [(lang, frame.format(g=g, s=s)) for lang, pairs in HELD_OUT.items() for g, s in pairs
             for frame in FRAMES[lang]]


def found(text: str) -> bool:
    return "user.name" in {h.category for h in scan(text)}


def test_the_held_out_names_are_neither_corpus_names_nor_listed() -> None:
    given = {g for names in people.GIVEN.values() for g in names}
    surnames = {s for names in people.SURNAMES.values() for s in names}
    assert not given & {g for pairs in HELD_OUT.values() for g, _ in pairs}
    assert not surnames & {s for pairs in HELD_OUT.values() for _, s in pairs}
    names = gazetteer()
    words = {word for pairs in HELD_OUT.values() for g, s in pairs for word in (g, *s.split())}
    assert not words & (names.given | names.surnames)  # hyphenated ones may be known by their parts


def test_at_most_half_the_corpus_names_are_listed() -> None:
    """The corpus's recall must rest on cues and frames as much as on the list (31 of 62 given names, 27 of 62
    surnames were listed before the list grew; those that the corpus names were kept out of the growth)."""
    names = gazetteer()
    given = [g for pairs in people.GIVEN.values() for g in pairs]
    surnames = [s.split()[-1] for pairs in people.SURNAMES.values() for s in pairs]
    assert sum(g in names.given for g in given) <= len(given) / 2
    assert sum(s in names.surnames for s in surnames) <= len(surnames) / 2


@pytest.mark.parametrize("lang", sorted(HELD_OUT))
def test_held_out_names_are_found_per_language(lang: str) -> None:
    sentences = [text for language, text in SENTENCES if language == lang]
    missed = [text for text in sentences if not found(text)]
    assert 1 - len(missed) / len(sentences) >= 0.95, missed


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_held_out_look_alikes_are_not_names(text: str) -> None:
    assert not found(text), text
