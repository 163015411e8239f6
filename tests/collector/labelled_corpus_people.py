"""The labelled corpus's people: names, postal addresses, dates of birth and VAT numbers, with their look-alikes.

Names are written here, apart from the detector's gazetteer: some are common (and so in it),
some are rare or regional (and so not), and some come in forms the detector may not know
("Camille Le Goff", "Tijmen van der Meulen"). Half the name templates give no cue at all.
Look-alikes are brands, products, streets and places that read as names. VAT numbers are
generated valid by their country's checksum (python-stdnum validates, it does not choose).
"""

from __future__ import annotations

import random
import string

from stdnum.eu import vat

GIVEN = {
    "de": ["Anna", "Lukas", "Sabine", "Jürgen", "Hannelore", "Malte", "Ilka", "Torben", "Friederike", "Detlef",
           "Yasemin", "Mehmet"],
    "fr": ["Camille", "Nicolas", "Sylvie", "Benoît", "Gaëlle", "Yves-Marie", "Solène", "Tristan", "Maëlys", "Enzo"],
    "es": ["Lucía", "Javier", "Carmen", "Iñaki", "Begoña", "Rocío", "Álvaro", "Ximena", "Ander", "Maite"],
    "it": ["Giulia", "Marco", "Chiara", "Lorenzo", "Gaia", "Ludovica", "Ottavio", "Benedetta", "Corrado", "Nunzia"],
    "nl": ["Pieter", "Sanne", "Joost", "Femke", "Tijmen", "Lotte", "Maarten", "Annelies", "Wout", "Ymke"],
    "en": ["James", "Olivia", "Harry", "Emily", "Niamh", "Rhys", "Imogen", "Tobias", "Keisha", "Declan"],
}
SURNAMES = {
    "de": ["Müller", "Schneider", "Hoffmann", "Krüger", "Vogt", "Brockmann", "Kleinschmidt", "Oberhuber", "Wiesner",
           "Lindemann", "Özdemir", "Pietsch"],
    "fr": ["Dubois", "Lefebvre", "Fontaine", "Garnier", "Le Goff", "Deschamps", "Besnard", "Tessier", "Poulain",
           "Marchal"],
    "es": ["García", "Fernández", "Navarro", "Ortega", "Urrutia", "Sepúlveda", "Quiroga", "Beltrán", "Arrieta",
           "Zamora"],
    "it": ["Rossi", "Esposito", "Ferrara", "Colombo", "Brambilla", "Zanetti", "Lo Russo", "Cavallaro", "Tedeschi",
           "Scarpa"],
    "nl": ["de Vries", "Jansen", "Bakker", "van Dijk", "Terpstra", "van der Meulen", "Hoogendoorn", "Kooistra",
           "Verschoor", "Bouwman"],
    "en": ["Smith", "Taylor", "Walker", "O'Brien", "Pemberton", "Ashworth", "Okafor", "Fairbanks", "Whitfield",
           "McAllister"],
}
NAME_TEMPLATES = {  # {g} given name, {s} surname, {S} surname as written without a given name
    "de": ["mein Name ist {g} {s}", "Empfänger: {g} {s}", "Viele Grüße\n{g}", "Sehr geehrte Frau {S},",
           "bitte an {g} {s} liefern", "{g} {s} hat die Bestellung aufgegeben"],
    "fr": ["je m'appelle {g} {s}", "Destinataire : {g} {s}", "Cordialement,\n{g} {s}", "Madame {S} attend le colis",
           "livrez chez {g} {s}", "la commande de {g} {s} est partie"],
    "es": ["me llamo {g} {s}", "Destinatario: {g} {s}", "Saludos,\n{g}", "la Sra. {S} espera el paquete",
           "el pedido es para {g} {s}", "{g} {s} pagó dos veces"],
    "it": ["mi chiamo {g} {s}", "Destinatario: {g} {s}", "Cordiali saluti,\n{g} {s}", "la Sig.ra {S} aspetta il pacco",
           "il pacco è per {g} {s}", "{g} {s} ha pagato due volte"],
    "nl": ["mijn naam is {g} {s}", "Ontvanger: {g} {s}", "Met vriendelijke groet,\n{g} {s}",
           "mevrouw {S} wacht op het pakket", "het pakket is voor {g} {s}", "{g} {s} heeft twee keer betaald"],
    "en": ["my name is {g} {s}", "Recipient: {g} {s}", "Best regards,\n{g}", "Mrs {S} is waiting for it",
           "please send it to {g} {s}", "{g} {s} was charged twice"],
}
NAME_LOOK_ALIKES = ["Jordan 4 Retro", "Victoria's Secret", "Monsieur Cuisine", "Mr. Coffee", "Dr. Oetker",
                    "Marco Polo", "Douwe Egberts", "Jacobs Krönung", "De'Longhi Dedica", "Melitta Bentz",
                    "Karl-Marx-Allee", "Via Giuseppe Verdi", "Rue Victor Hugo", "Calle Miguel Servet",
                    "Anna-Paulownastraat", "Lavazza Qualità Rossa", "Bialetti Moka Express", "Gran Caffè Garibaldi",
                    "Thomas Sabo", "Simon Lévelt", "Max Havelaar", "Jack Wolfskin", "Hello Kitty", "Peter Pan",
                    "Santa Maria", "San Sebastián", "Emma Matratze", "Tommy Hilfiger"]
"""Brands, products, streets and places that read as names; some the detector lists, most it does not."""
NAME_LOOK_ALIKE_TEMPLATES = {"de": ["gibt es {x} auch im Set?"], "fr": ["avez-vous {x} en stock ?"],
                             "es": ["¿tenéis {x}?"], "it": ["avete {x}?"], "nl": ["hebben jullie {x}?"],
                             "en": ["do you stock {x}?"]}

ADDRESS_TEMPLATES = {
    "de": ["Lieferadresse: {street_de} {n}, {zip} {city_de}", "bitte an {street_de} {n} schicken"],
    "fr": ["mon adresse : {n} rue {rue}, {zip} {city_fr}", "livrez au {n} avenue {rue}"],
    "es": ["dirección: Calle {calle} {n}, {zip} {city_es}", "enviadlo a la calle {calle} {n}"],
    "it": ["indirizzo: Via {via} {n}, {zip} {city_it}", "spedite in via {via} {n}"],
    "nl": ["adres: {straat} {n}, {pc} {city_nl}", "stuur het naar {straat} {n}"],
    "en": ["ship to {n} {road} Road, {city_en}", "my address is {n} {road} Street"],
}
ADDRESS_PARTS = {
    "street_de": ["Torstraße", "Hauptstraße", "Lindenweg", "Bahnhofstraße", "Schillerplatz", "Goethestraße"],
    "city_de": ["Berlin", "München", "Köln", "Hamburg", "Leipzig"],
    "rue": ["de la République", "des Lilas", "du Moulin", "Jean Jaurès", "Victor Hugo"],
    "city_fr": ["Lyon", "Nantes", "Lille", "Bordeaux"], "calle": ["Mayor", "Alcalá", "Serrano", "Colón"],
    "city_es": ["Madrid", "Valencia", "Sevilla", "Bilbao"], "via": ["Roma", "Garibaldi", "Mazzini", "Dante"],
    "city_it": ["Milano", "Torino", "Bologna", "Firenze"],
    "straat": ["Kalverstraat", "Dorpsstraat", "Kerkstraat", "Molenweg", "Stationsplein"],
    "city_nl": ["Amsterdam", "Utrecht", "Leiden", "Delft"], "road": ["Abbey", "Baker", "Station", "Church", "Mill"],
    "city_en": ["London", "Leeds", "Bristol", "Dublin"],
}

DOB_TEMPLATES = {
    "de": ["geboren am {d}", "Geburtsdatum: {d}"], "fr": ["né le {d}", "date de naissance : {d}"],
    "es": ["nacido el {d}", "fecha de nacimiento: {d}"], "it": ["nata il {d}", "data di nascita {d}"],
    "nl": ["geboren op {d}", "geboortedatum {d}"], "en": ["born on {d}", "date of birth: {d}"],
}
VAT_TEMPLATES = {
    "de": ["unsere USt-IdNr. ist {v}", "USt-IdNr.: {v}"], "fr": ["notre n° TVA : {v}", "TVA intracommunautaire {v}"],
    "es": ["NIF-IVA {v}", "nuestro número de IVA es {v}"], "it": ["partita IVA {v}", "P.IVA {v}"],
    "nl": ["btw-nummer {v}", "ons btw-nummer is {v}"], "en": ["our VAT number is {v}", "VAT ID: {v}"],
}
VAT_SHAPES = (("DE", 9), ("FR", 11), ("IT", 11), ("NL", None), ("BE", 10), ("AT", None))


def name(rng: random.Random, lang: str) -> str:
    """A sentence carrying one person's name."""
    surname = rng.choice(SURNAMES[lang])
    return rng.choice(NAME_TEMPLATES[lang]).format(g=rng.choice(GIVEN[lang]), s=surname,
                                                     S=surname[0].upper() + surname[1:])


def name_look_alike(rng: random.Random, lang: str) -> str:
    """A sentence with a brand, product, street or place that reads as a name."""
    return rng.choice(NAME_LOOK_ALIKE_TEMPLATES[lang]).format(x=rng.choice(NAME_LOOK_ALIKES))


def address(rng: random.Random, lang: str) -> str:
    """A sentence carrying a postal address in the language's usual form."""
    parts = {key: rng.choice(values) for key, values in ADDRESS_PARTS.items()}
    return rng.choice(ADDRESS_TEMPLATES[lang]).format(
        n=rng.randint(1, 199), zip=f"{rng.randint(10_000, 99_999)}", pc=f"{rng.randint(1000, 9999)} "
        f"{rng.choice(string.ascii_uppercase)}{rng.choice(string.ascii_uppercase)}", **parts)


def date_of_birth(rng: random.Random, lang: str) -> str:
    """A sentence carrying a date of birth, day-month-year or ISO."""
    y, m, d = rng.randint(1940, 2005), rng.randint(1, 12), rng.randint(1, 28)
    written = rng.choice([f"{d:02d}.{m:02d}.{y}", f"{d:02d}/{m:02d}/{y}", f"{y}-{m:02d}-{d:02d}"])
    return rng.choice(DOB_TEMPLATES[lang]).format(d=written)


def vat_number(rng: random.Random, lang: str) -> str:
    """A sentence carrying an EU VAT number valid by its country's checksum."""
    country, length = rng.choice(VAT_SHAPES)
    while True:
        if country == "NL":
            number = "NL" + "".join(rng.choice(string.digits) for _ in range(9)) + f"B{rng.randint(1, 99):02d}"
        elif country == "AT":
            number = "ATU" + "".join(rng.choice(string.digits) for _ in range(8))
        else:
            number = country + "".join(rng.choice(string.digits) for _ in range(length))
        if vat.is_valid(number):
            return rng.choice(VAT_TEMPLATES[lang]).format(v=number)
