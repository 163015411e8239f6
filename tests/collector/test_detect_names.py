"""Person names: table tests of true positives in six languages and of look-alikes that must not count."""

from __future__ import annotations

import pytest

from collector.detect import scan
from collector.detect.names import PersonNameDetector, gazetteer

NAMES = [
    # introductions
    ("Hallo, mein Name ist Anna Müller und die Lieferung fehlt.", 1),
    ("ich heiße Jonas, wo bleibt mein Paket?", 1),
    ("Bonjour, je m'appelle Chloé Dubois, ma commande est en retard.", 1),
    ("Hola, me llamo Lucía García y no ha llegado mi pedido.", 1),
    ("Ciao, mi chiamo Giulia Rossi, il pacco non è arrivato.", 1),
    ("Hallo, mijn naam is Pieter de Vries en mijn bestelling is kwijt.", 1),
    ("Hi, my name is Xandra Okonkwo and my order is late.", 1),  # not in the gazetteer: the cue decides
    # form labels
    ("Empfänger: Jan Schneider, Torstraße 5, 10119 Berlin", 1),
    ("Destinataire : Marie Lefebvre", 1),
    ("Destinatario: Alejandro Fernández", 1),
    ("Ontvanger: Sanne Bakker", 1),
    ("Name: Oliver Smith\nOrder: WC-123456", 1),
    # titles and salutations
    ("Sehr geehrte Frau Okonkwo, vielen Dank für die Nachricht.", 1),
    ("Dear Mrs. Thompson, your parcel is on its way.", 1),
    ("Buongiorno Sig.ra Esposito, il rimborso è partito.", 1),
    ("Estimada Sra. Navarro: su pedido ha salido.", 1),
    ("Beste mevrouw Jansen, uw pakket is onderweg.", 1),
    ("Kann Herr Schmidt das Paket abholen?", 1),
    ("Hallo Anna, danke für die Bestellung!", 1),
    # sign-offs
    ("Das Paket fehlt immer noch.\nViele Grüße\nSabine", 1),
    ("Ma commande n'est pas arrivée. Cordialement, Nathalie Girard", 1),
    ("Still waiting for my refund. Best regards,\nJames Walker", 1),
    ("Il pacco non è arrivato. Cordiali saluti, Marco", 1),
    # no cue: a known given name and a known surname
    ("Giulia Rossi hat zwei Packungen bestellt, Lukas Weber eine.", 2),
    ("La commande de Camille Martin est partie hier.", 1),
    ("Sean O'Brien asked about the grinder.", 1),
    # a capitalised word after the name opens the next phrase (the corpus joins phrases without stops)
    ("livrez chez Oriane Dubois Artikel KB-1-A", 1),
    ("send it to Imogen Okafor I'm a Cancer by zodiac sign", 1),
    ("il pacco è per Ubaldo Sgarbossa IBAN DE41 0855 1638", 1),
]

LOOK_ALIKES = [
    "Haben Sie die Jordan 4 in Größe 42?",
    "Is the Victoria's Secret gift card accepted?",
    "Lieferung in die Karl-Marx-Straße 12 bitte.",
    "Espresso Via Giuseppe Verdi, 250 g",
    "Wir liefern nach San Sebastián und Santa Maria.",
    "Passt der Filter in den Monsieur Cuisine?",
    "Ist der Mr. Coffee Entkalker noch da?",
    "Ein Hemd von Paul Smith und ein Parfum von Hugo Boss.",
    "Die Dr. Oetker Backmischung ist ausverkauft.",
    "Ein Buch über Robert Koch und eines über Karl Marx.",
    "Dear support team, my order is late.",
    "Hallo Team, wann kommt die Lieferung?",
    "Liebe Grüße aus Berlin!",
    "Ich trinke gern Kaffee, meine Frau Tee.",
    "Name: Espresso Crema, Röstung: mittel",
    "Produktname: Victoria Blend",
    "Madame, Monsieur, ma commande est en retard.",
    "Die Siebträger von Bialetti und Lavazza Qualità Rossa.",
    "Florence and Paris are on the delivery list.",
    "Thanks for the quick reply!",
    "My name is on the order, please check.",
    "Ich heiße Sie herzlich willkommen!",
    "Die Sommer Edition ist ausverkauft.",
    "Das Winter Angebot ist super.",
    "Empfänger: Kaffee Rösterei GmbH, Hauptstraße 5",
    "Kunde: Café Central GmbH",
]

FRAMED = [
    # who a parcel, an order or an invoice is for, or whose it is: neither name is in the gazetteer
    ("Le colis est pour Oriane Kerjean.", 1),
    ("el pedido es para Eliseo Quintanilla", 1),
    ("il pacco è per Ubaldo Sgarbossa", 1),
    ("het pakket is voor Tjitske Veltkamp", 1),
    ("The invoice is for Peregrine Ashdown.", 1),
    ("la commande de Oriane Kerjean est partie", 1),
    ("livrez chez Oriane Kerjean", 1),
    # whom it is sent to
    ("Please ship it to Peregrine Ashdown.", 1),
    ("Spedite il pacco a Ubaldo Sgarbossa.", 1),
    ("Stuur het pakket naar Tjitske Veltkamp.", 1),
    ("Bitte an Ortwin Hagedorn schicken.", 1),
    # an action only a person takes
    ("Ortwin Hagedorn hat gestern angerufen.", 1),
    ("Eliseo Quintanilla pagó dos veces.", 1),
    ("Ubaldo Sgarbossa ha pagato due volte.", 1),
    ("Tjitske Veltkamp heeft twee keer betaald.", 1),
    ("Peregrine Ashdown was charged twice.", 1),
    ("Ortwin Hagedorn fragt, ob der Rabatt noch gilt.", 1),
    ("Eliseo Quintanilla pregunta por el descuento.", 1),
    # in whose name
    ("Put the invoice in the name of Peregrine Ashdown.", 1),
    ("La livraison au nom de Oriane Kerjean, s'il vous plaît.", 1),
    # who is writing: a self-introduction ("ich bin", "I'm", "je suis", "soy", "sono", "ik ben")
    ("Hallo, ich bin Ortwin Hagedorn, das Paket fehlt.", 1),
    ("Guten Tag, hier ist Ortwin Hagedorn von der Firma.", 1),
    ("Hi, I'm Peregrine Ashdown and my order is late.", 1),
    ("Hello, this is Peregrine Ashdown from the café.", 1),
    ("Bonjour, je suis Oriane Kerjean, ma commande est en retard.", 1),
    ("Hola, soy Eliseo Quintanilla y no llegó el pedido.", 1),
    ("Buongiorno, sono Ubaldo Sgarbossa, il pacco non è arrivato.", 1),
    ("Goedemiddag, ik ben Tjitske Veltkamp en mijn pakket is kwijt.", 1),
    # who collects it, and in whose name an invoice is made out
    ("Abholung durch Ortwin Hagedorn am Freitag.", 1),
    ("The parcel will be collected by Peregrine Ashdown.", 1),
    ("Le retrait se fera par Oriane Kerjean.", 1),
    ("Bitte die Rechnung auf Ortwin Hagedorn ausstellen.", 1),
    ("Please make the invoice out to Peregrine Ashdown.", 1),
    # a relation or colleague named
    ("Mein Kollege Ortwin Hagedorn holt das Paket ab.", 1),
    ("My husband Peregrine Ashdown will sign for it.", 1),
    ("Ma collègue Oriane Kerjean passera le chercher.", 1),
    ("Mi marido Eliseo Quintanilla lo recogerá.", 1),
    ("Il mio collega Ubaldo Sgarbossa passerà a ritirarlo.", 1),
    ("Mijn collega Tjitske Veltkamp haalt het op.", 1),
    # whom to ask
    ("Bitte wenden Sie sich an Ortwin Hagedorn.", 1),
    ("Please contact Peregrine Ashdown about the refund.", 1),
    # what someone said
    ("Ortwin Hagedorn sagte, die Lieferung sei vollständig.", 1),
    ("Peregrine Ashdown said the box was damaged.", 1),
    # a title before two unlisted names, an account holder, a caller's "… hier", "according to", a sign-off
    ("Können Sie mich mit Herrn Ortwin Hagedorn verbinden?", 1),
    ("The account holder is Peregrine Ashdown.", 1),
    ("Hoi, Tjitske Veltkamp hier, waar blijft mijn pakket?", 1),
    ("Selon Oriane Kerjean du service client, c'est remboursé.", 1),
    ("Ich schreibe für meine Mutter, Ortwin Hagedorn, sie hat kein Konto.", 1),
    ("ho già rispedito il pacco, grazie mille, Ubaldo Sgarbossa", 1),
    ("Ici Oriane Kerjean, le colis est abîmé.", 1),
]
FRAMED_LOOK_ALIKES = [
    "Die Lieferung an Hamburg Altona dauert zwei Tage.", "Stuur het pakket naar Den Haag.",
    "Spedite il pacco a Porta Nuova.", "Espresso Crema hat ein kräftiges Aroma.",
    "Ich habe Espresso Crema bestellt.", "Passt der Filter für Siebträger Maschinen?",
    "Do you have a grinder for French Press?", "Un moulin pour Cold Brew ?", "Is this order for Black Friday?",
    "Le colis est pour Nespresso Vertuo ?", "Please send it to New York.", "Bitte an Hauptstraße 5 liefern.",
    "Espresso Crema kauft man am besten frisch.", "The Moka Express pays off.", "Cold Brew says it all.",
    "A gift for Father Christmas?",
    # after a self-introduction, a collection, a relation or an ask: nouns, places, firms and products
    "Hallo, ich bin Neukunde und habe eine Frage.", "Ich bin Stammkundin Ihres Shops.",
    "Ich bin Berliner und bestelle oft.", "Hi, I'm Customer Service at the shop.",
    "Hello, this is Black Friday at last.", "I'm in New York until Monday.",
    "Bonjour, je suis à Saint Malo.", "Soy Cliente Premium desde 2019.",
    "Abholung durch Deutsche Post am Freitag.", "The parcel will be collected by Royal Mail.",
    "Bitte die Rechnung auf Kaffee Rösterei GmbH ausstellen.", "Please contact Customer Service about the refund.",
    "Bitte wenden Sie sich an Hermes Versand.", "My husband loves the Moka Express.",
    "Please contact Amazon Support.", "Mein Kollege trinkt Espresso Crema.",
    "Veuillez contacter Darty Services pour la garantie.", "This is Harrogate Garden Supplies, our order is late.",
    "Retrait par Chronopost Relais à Lille.", "Cordiali saluti, Ufficio Acquisti Ferramenta Centrale",
    "Mijn bestelling voor Tweede Kerstdag is er niet.", "Please make the invoice out to Hackney Council.",
    "Emitan la factura a nombre del Ayuntamiento de Santa Cruz.", "Laut Stiftung Warentest ist sie gut.",
]
SHAPES = [
    # a capitalised particle belongs to the surname after it
    ("il pacco è per Ubaldo Lo Bianco", "Ubaldo Lo Bianco"),
    ("Mrs De Vries is waiting for it", "De Vries"),
    # a hyphenated given name is known when its parts are
    ("Bonjour Jean-Baptiste, merci !", "Jean-Baptiste"),
    # letters outside Latin-1 (Turkish, Polish)
    ("Sehr geehrte Frau Kılıç, danke.", "Kılıç"),
    ("Name: Łukasz Wiśniewski", "Łukasz Wiśniewski"),
]

@pytest.mark.parametrize(("text", "count"), NAMES)
def test_names_are_counted(text: str, count: int) -> None:
    hits = {h.category: h.count for h in scan(text)}
    assert hits.get("user.name") == count, (text, hits)


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_look_alikes_are_not_names(text: str) -> None:
    assert "user.name" not in {h.category for h in scan(text)}, text


@pytest.mark.parametrize(("text", "count"), NAMES[:8] + NAMES[-3:] + FRAMED)
def test_without_the_gate_the_same_names_are_found(text: str, count: int) -> None:
    assert PersonNameDetector().count(text) == count


def test_the_gazetteer_holds_a_few_hundred_names_and_no_particles() -> None:
    names = gazetteer()
    assert len(names.given) >= 500 and len(names.surnames) >= 500
    assert not {"de", "van", "di", "De", "Van", "Di", "Da", "Le"} & (names.given | names.surnames)
    assert {"Victoria", "Jordan", "Paris", "Mercedes"}.isdisjoint(names.given)


def test_no_value_reaches_the_hit() -> None:
    hit, = scan("mein Name ist Anna Müller")
    assert "Anna" not in repr(hit) and hit.count == 1


@pytest.mark.parametrize(("text", "count"), FRAMED)
def test_a_frame_makes_two_unknown_words_a_name(text: str, count: int) -> None:
    names = gazetteer()
    framed = [word for word in text.split() if word.rstrip(".") in ("Oriane", "Kerjean", "Eliseo", "Quintanilla",
              "Ubaldo", "Sgarbossa", "Tjitske", "Veltkamp", "Peregrine", "Ashdown", "Ortwin", "Hagedorn")]
    assert framed and not any(names.is_given(w.rstrip(".")) or names.is_surname(w.rstrip(".")) for w in framed)
    assert {h.category: h.count for h in scan(text)}.get("user.name") == count, text


@pytest.mark.parametrize("text", FRAMED_LOOK_ALIKES)
def test_a_frame_does_not_make_products_places_or_days_names(text: str) -> None:
    assert "user.name" not in {h.category for h in scan(text)}, text


@pytest.mark.parametrize(("text", "name"), SHAPES)
def test_the_name_read_is_the_whole_name_and_no_more(text: str, name: str) -> None:
    assert [value for value, _, _ in PersonNameDetector().find(text)] == [name]
