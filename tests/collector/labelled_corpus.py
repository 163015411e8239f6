"""A seeded, labelled corpus of shop prompts in DE/FR/ES/IT/NL/EN: valid identifiers and their look-alikes.

Each prompt is a support or catalogue request written from varied templates, with zero to two
pieces of personal data (labelled with their category) and one to three look-alikes that are
not personal data: order numbers (some Luhn-valid), EAN-13 barcodes, SKUs, parcel tracking codes,
delivery dates, firmware versions, prices, product and street-named products, health words in
their other senses (crab, zodiac sign, recipe, a pharmacy as a business), and brands, streets and
places that read as people's names. Names, addresses, dates of birth and VAT numbers come from
``labelled_corpus_people``. Identifiers are
generated valid by their own rules (ISO 13616, Luhn, the national check digits, libphonenumber's
metadata), never taken from the detectors. ``corpus(seed, size)`` is deterministic.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

import phonenumbers
from stdnum import ean, iban, luhn
from stdnum.es import dni
from stdnum.fr import nir
from stdnum.it import codicefiscale
from stdnum.nl import bsn

from tests.collector import labelled_corpus_people as people

LANGUAGES = ("de", "fr", "es", "it", "nl", "en")
EMAIL, PHONE, IBAN_KEY, CARD = ("user.contact.email", "user.contact.phone_number", "user.financial.bank_account",
                                "user.financial.credit_card")
NATIONAL, HEALTH, IP = ("user.government_id.national_identification_number", "user.health_and_medical",
                        "user.device.ip_address")
NAME, ADDRESS, DOB, VAT = ("user.name", "user.contact.address", "user.demographic.date_of_birth",
                           "user.financial.tax_id")
SCORED = (EMAIL, PHONE, IBAN_KEY, CARD, NATIONAL, HEALTH, IP, NAME, ADDRESS, DOB, VAT)
PEOPLE = {NAME: people.name, ADDRESS: people.address, DOB: people.date_of_birth, VAT: people.vat_number}


@dataclass(frozen=True)
class Prompt:
    """One labelled prompt: its text and the categories of personal data it carries."""

    language: str
    text: str
    categories: frozenset[str]


OPENERS = {
    "de": ["Hallo,", "Guten Tag,", "Hi Team,", "Servus,", ""],
    "fr": ["Bonjour,", "Salut,", "Madame, Monsieur,", ""],
    "es": ["Hola,", "Buenos días,", "Estimado equipo:", ""],
    "it": ["Ciao,", "Buongiorno,", "Gentile servizio clienti,", ""],
    "nl": ["Hallo,", "Goedemiddag,", "Beste klantenservice,", ""],
    "en": ["Hi,", "Hello there,", "Dear support team,", ""],
}
FILLERS = {
    "de": ["ich habe die Espressomühle bestellt und sie ist noch nicht da.", "passt der Siebträger zu meiner Maschine?",
           "könnt ihr mir eine Produktbeschreibung für die neue Röstung schreiben?", "wann kommt die Lieferung?"],
    "fr": ["ma commande n'est toujours pas arrivée.", "le moulin est-il compatible avec une cafetière italienne ?",
           "pouvez-vous rédiger une fiche produit pour le nouveau café ?", "quand le colis sera-t-il livré ?"],
    "es": ["mi pedido todavía no ha llegado.", "¿el molinillo sirve para una cafetera italiana?",
           "¿podéis escribir una descripción del nuevo café?", "¿cuándo llega el paquete?"],
    "it": ["il mio ordine non è ancora arrivato.", "il macinino va bene per la moka?",
           "potete scrivere una descrizione del nuovo caffè?", "quando arriva il pacco?"],
    "nl": ["mijn bestelling is nog niet binnen.", "past de molen bij mijn espressomachine?",
           "kunnen jullie een productomschrijving voor de nieuwe koffie schrijven?", "wanneer komt het pakket?"],
    "en": ["my order hasn't arrived yet.", "does the grinder work with a moka pot?",
           "could you write a product description for the new roast?", "when will the parcel arrive?"],
}
PD_TEMPLATES = {
    EMAIL: {"de": ["Meine Mail: {v}", "schreibt mir an {v}"], "fr": ["mon e-mail : {v}", "écrivez-moi à {v}"],
            "es": ["mi correo es {v}", "escribidme a {v}"], "it": ["la mia email è {v}", "scrivetemi a {v}"],
            "nl": ["mijn e-mail is {v}", "mail me op {v}"], "en": ["my email is {v}", "reach me at {v}"]},
    PHONE: {"de": ["ruft mich an unter {v}", "Tel.: {v}"], "fr": ["appelez-moi au {v}", "mon numéro : {v}"],
            "es": ["llamadme al {v}", "mi teléfono: {v}"], "it": ["chiamatemi al {v}", "cellulare {v}"],
            "nl": ["bel me op {v}", "mijn nummer is {v}"], "en": ["call me on {v}", "phone: {v}"]},
    IBAN_KEY: {"de": ["bitte auf {v} erstatten", "IBAN {v}"], "fr": ["remboursez sur {v}", "mon IBAN : {v}"],
               "es": ["devolved el importe a {v}", "IBAN: {v}"], "it": ["rimborsate su {v}", "IBAN {v}"],
               "nl": ["stort het terug op {v}", "rekening {v}"], "en": ["refund to {v}", "my IBAN is {v}"]},
    CARD: {"de": ["Karte {v} wurde doppelt belastet", "Kreditkarte: {v}"], "fr": ["carte {v} débitée deux fois"],
           "es": ["la tarjeta {v} se cobró dos veces"], "it": ["carta {v} addebitata due volte"],
           "nl": ["creditcard {v} is twee keer belast"], "en": ["card {v} was charged twice", "my card: {v}"]},
    IP: {"de": ["Login kam von {v}"], "fr": ["connexion depuis {v}"], "es": ["acceso desde la IP {v}"],
         "it": ["accesso dall'IP {v}"], "nl": ["ingelogd vanaf {v}"], "en": ["logged in from {v}"]},
}
NATIONAL_TEMPLATES = {
    "de": ["meine Steuer-ID ist {de}", "Steueridentifikationsnummer {de}", "TIN: {de}"],
    "fr": ["numéro de sécurité sociale {fr}", "N° de sécu : {fr}", "mon NIR est {fr}"],
    "es": ["mi DNI es {es}", "DNI {es}", "con NIE {nie}"],
    "it": ["codice fiscale {it}", "il mio codice fiscale è {it}"],
    "nl": ["mijn BSN is {nl}", "burgerservicenummer {nl}", "persoonsnummer {nl}"],
    "en": ["my tax id is {de}", "social security number {fr}", "my TIN is {de}"],
}
CONDITIONS = {
    "de": ["Diabetes", "Migräne", "Asthma", "Bluthochdruck", "Laktoseintoleranz", "Neurodermitis", "Rheuma",
           "eine Nussallergie", "Arthrose", "Epilepsie"],
    "fr": ["du diabète", "des migraines", "de l'asthme", "de l'hypertension", "de l'eczéma", "de l'arthrose",
           "une allergie aux noix", "une maladie cœliaque", "de l'épilepsie"],
    "es": ["diabetes", "migraña", "asma", "hipertensión", "artrosis", "alergia al polen", "epilepsia",
           "una enfermedad celíaca"],
    "it": ["il diabete", "l'emicrania", "l'asma", "l'ipertensione", "l'artrosi", "un'allergia alle noci",
           "l'epilessia", "la celiachia"],
    "nl": ["diabetes", "migraine", "astma", "hoge bloeddruk", "eczeem", "artrose", "een pinda-allergie",
           "epilepsie"],
    "en": ["diabetes", "migraines", "asthma", "hypertension", "eczema", "arthritis", "a nut allergy", "epilepsy",
           "rheumatism"],
}
HEALTH_TEMPLATES = {
    "de": ["ich habe {c}, ist der Kaffee verträglich?", "wegen {c} brauche ich entkoffeinierten Kaffee"],
    "fr": ["j'ai {c}, ce café me convient-il ?", "à cause {c} je prends du décaféiné"],
    "es": ["tengo {c}, ¿puedo tomar este café?", "por mi {c} necesito descafeinado"],
    "it": ["soffro di {c}, posso bere questo caffè?", "per {c} mi serve il decaffeinato"],
    "nl": ["ik heb {c}, kan ik deze koffie drinken?", "vanwege {c} drink ik cafeïnevrij"],
    "en": ["I have {c}, is this coffee okay for me?", "because of {c} I need decaf"],
}
OTHER_SENSES = {
    "de": ["Mein Sternzeichen ist Krebs, passt der Becher mit Sternbild?", "Habt ihr ein Rezept für Krebsfleisch-Salat?",
           "Die Rezept-Karte liegt dem Paket bei."],
    "fr": ["Je suis du signe Cancer, avez-vous un mug astrologique ?", "Une recette de crabe avec ce vin ?"],
    "es": ["Soy del signo Cáncer, ¿tenéis tazas del zodiaco?", "¿Una receta de cangrejo para la cena?"],
    "it": ["La farmacia Rossi ordina 20 confezioni di tè.", "Sono del segno del Cancro, avete tazze dello zodiaco?"],
    "nl": ["Heb je een recept voor appeltaart met deze koffie?", "Mijn sterrenbeeld is Kreeft."],
    "en": ["I'm a Cancer by zodiac sign, any mugs with my constellation?", "Crab cake recipe to pair with this?"],
}
STREET_PRODUCTS = ["Espresso Via Veneto", "Mischung Kastanienallee", "Café Rue de la Paix", "Blend Abbey Road",
                   "Roast Kalverstraat", "Tazza Corso Como"]
LOOK_ALIKE_TEMPLATES = {
    "de": ["Bestellnummer {order}", "EAN {ean}", "Artikel {sku}", "Sendungsnummer {tracking}",
           "Lieferung am {date}", "Firmware {version}", "Preis {price} €", "Sorte {product}", "Bestellung {luhn_order}"],
    "fr": ["commande {order}", "code EAN {ean}", "référence {sku}", "suivi {tracking}", "livraison le {date}",
           "firmware {version}", "prix {price} €", "café {product}", "commande n° {luhn_order}"],
    "es": ["pedido {order}", "EAN {ean}", "referencia {sku}", "seguimiento {tracking}", "entrega el {date}",
           "firmware {version}", "precio {price} €", "café {product}", "pedido {luhn_order}"],
    "it": ["ordine {order}", "EAN {ean}", "codice articolo {sku}", "tracking {tracking}", "consegna il {date}",
           "firmware {version}", "prezzo {price} €", "caffè {product}", "ordine {luhn_order}"],
    "nl": ["bestelling {order}", "EAN {ean}", "artikel {sku}", "track & trace {tracking}", "levering op {date}",
           "firmware {version}", "prijs {price} €", "koffie {product}", "bestelling {luhn_order}"],
    "en": ["order {order}", "EAN {ean}", "SKU {sku}", "tracking {tracking}", "delivery on {date}",
           "firmware {version}", "price €{price}", "blend {product}", "order number {luhn_order}"],
}


def corpus(seed: int = 14, size: int = 1200) -> list[Prompt]:
    """``size`` labelled prompts, the same for the same seed."""
    rng = random.Random(seed)
    return [_prompt(rng, LANGUAGES[i % len(LANGUAGES)]) for i in range(size)]


def _prompt(rng: random.Random, lang: str) -> Prompt:
    parts, labels = [rng.choice(OPENERS[lang]), rng.choice(FILLERS[lang])], set()
    for _ in range(rng.choice((0, 1, 1, 2))):
        category = rng.choice(SCORED)
        parts.append(_personal(rng, lang, category))
        labels.add(category)
    for _ in range(rng.randint(1, 3)):
        parts.append(_look_alike(rng, lang))
    body = parts[2:]
    rng.shuffle(body)
    parts[2:] = body
    return Prompt(lang, " ".join(p for p in parts if p), frozenset(labels))


def _personal(rng: random.Random, lang: str, category: str) -> str:
    if category == NATIONAL:
        return rng.choice(NATIONAL_TEMPLATES[lang]).format(**_national_ids(rng))
    if category == HEALTH:
        return rng.choice(HEALTH_TEMPLATES[lang]).format(c=rng.choice(CONDITIONS[lang]))
    if category in PEOPLE:
        return PEOPLE[category](rng, lang)
    value = {EMAIL: _email, PHONE: _phone, IBAN_KEY: _iban, CARD: _card, IP: _ip}[category](rng, lang)
    return rng.choice(PD_TEMPLATES[category][lang]).format(v=value)


def _look_alike(rng: random.Random, lang: str) -> str:
    if rng.random() < 0.15:
        return rng.choice(OTHER_SENSES[lang])
    if rng.random() < 0.2:
        return people.name_look_alike(rng, lang)
    digits12 = "".join(rng.choice(string.digits) for _ in range(12))
    luhn15 = "5" + "".join(rng.choice(string.digits) for _ in range(14))
    values = {"order": f"{rng.choice(['WC-', '#', 'A', ''])}{rng.randint(100_000, 9_999_999)}",
              "ean": "40" + digits12[:10] + ean.calc_check_digit("40" + digits12[:10]),
              "sku": f"{rng.choice(['KB', 'ESP', 'MX'])}-{rng.randint(100, 9999)}-{rng.choice('ABCXYZ')}",
              "tracking": rng.choice([f"00340434{rng.randint(10**11, 10**12 - 1)}",
                                      f"1Z{rng.randint(100, 999)}AA1{rng.randint(10**9, 10**10 - 1)}",
                                      f"JJD{rng.randint(10**17, 10**18 - 1)}"]),
              "date": f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{rng.choice([2025, 2026])}",
              "version": f"{rng.randint(1, 12)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}.{rng.randint(0, 99)}",
              "price": f"{rng.randint(5, 900)},{rng.randint(0, 99):02d}", "product": rng.choice(STREET_PRODUCTS),
              "luhn_order": luhn15 + luhn.calc_check_digit(luhn15)}
    return rng.choice(LOOK_ALIKE_TEMPLATES[lang]).format(**values)


def _email(rng: random.Random, _lang: str) -> str:
    name = rng.choice(["anna", "jan", "marie", "luca", "sofia", "pieter", "lucia", "tom"])
    return f"{name}{rng.choice(['.', '_', ''])}{rng.choice(['k', 'meyer', 'rossi', 'dupont'])}{rng.randint(1, 99)}" \
           f"@{rng.choice(['web.de', 'gmail.com', 'orange.fr', 'libero.it', 'ziggo.nl', 'telefonica.es'])}"


def _phone(rng: random.Random, lang: str) -> str:
    region = {"en": rng.choice(["DE", "FR"])}.get(lang, lang.upper())
    kind = rng.choice([phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE])
    example = phonenumbers.example_number_for_type(region, kind)
    national = phonenumbers.national_significant_number(example)  # keeps Italy's leading zero
    number = example
    for _ in range(1000):
        candidate = phonenumbers.parse("+" + str(example.country_code) + national[:3] +
                                       "".join(rng.choice(string.digits) for _ in national[3:]))
        if phonenumbers.is_valid_number(candidate):
            number = candidate
            break
    style = rng.choice([phonenumbers.PhoneNumberFormat.INTERNATIONAL, phonenumbers.PhoneNumberFormat.NATIONAL])
    return phonenumbers.format_number(number, style)


def _iban(rng: random.Random, _lang: str) -> str:
    country, length = rng.choice([("DE", 18), ("NL", 14), ("AT", 16), ("BE", 12)])
    while True:
        bban = ("ABNA" + "".join(rng.choice(string.digits) for _ in range(10)) if country == "NL"
                else "".join(rng.choice(string.digits) for _ in range(length)))
        number = country + iban.calc_check_digits(country + "00" + bban) + bban
        if iban.is_valid(number):
            break
    spaced = " ".join(number[i:i + 4] for i in range(0, len(number), 4))
    return rng.choice([number, spaced, spaced.lower()])


def _card(rng: random.Random, _lang: str) -> str:
    body = rng.choice(["4", "51", "55", "2221"])
    body += "".join(rng.choice(string.digits) for _ in range(15 - len(body)))
    number = body + luhn.calc_check_digit(body)
    return rng.choice([number, " ".join(number[i:i + 4] for i in range(0, 16, 4)),
                       "-".join(number[i:i + 4] for i in range(0, 16, 4))])


def _ip(rng: random.Random, _lang: str) -> str:
    return f"{rng.choice([84, 91, 185, 212, 77])}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def _national_ids(rng: random.Random) -> dict[str, str]:
    number8 = f"{rng.randint(10_000_000, 99_999_999)}"
    nie7 = f"{rng.randint(1_000_000, 9_999_999)}"
    while True:
        nl = f"{rng.randint(100_000_000, 999_999_999)}"
        if bsn.is_valid(nl):
            break
    fr13 = f"{rng.choice('12')}{rng.randint(40, 99)}{rng.randint(1, 12):02d}{rng.randint(1, 95):02d}" \
           f"{rng.randint(1, 999):03d}{rng.randint(1, 999):03d}"
    fr = fr13 + nir.calc_check_digits(fr13)
    it15 = "".join(rng.choice("BCDFGLMNPRSTVZ") for _ in range(6)) + f"{rng.randint(40, 99)}" + \
        rng.choice("ABCDEHLMPRST") + f"{rng.randint(1, 28):02d}" + rng.choice("FHL") + f"{rng.randint(100, 999)}"
    return {"de": _de_idnr(rng), "fr": " ".join([fr[0], fr[1:3], fr[3:5], fr[5:7], fr[7:10], fr[10:13], fr[13:]]),
            "es": number8 + dni.calc_check_digit(number8), "nie": "X" + nie7 + dni.calc_check_digit("0" + nie7),
            "it": it15 + codicefiscale.calc_check_digit(it15), "nl": nl}


def _de_idnr(rng: random.Random) -> str:
    """An 11-digit German tax id: first digit not 0, one digit twice or thrice in the first ten, ISO 7064 check."""
    from stdnum.de import idnr
    while True:
        digits = [str(rng.randint(1, 9))] + [rng.choice(string.digits) for _ in range(9)]
        candidate = "".join(digits)
        for check in string.digits:
            if idnr.is_valid(candidate + check):
                number = candidate + check
                return rng.choice([number, f"{number[:2]} {number[2:5]} {number[5:8]} {number[8:]}"])
