"""The words around a name that say whether it names a person: the name detector's vocabulary.

Kept apart from ``names.py`` (which holds the method) because these lists grow with each language's
usage and are read by a reviewer who knows the language, not the code. All lower case unless said.
"""

from __future__ import annotations

STREET_OR_PLACE = frozenset(
    "rue avenue boulevard chemin place allée via viale piazza corso largo calle avenida plaza paseo carrer puerta "
    "porta straße strasse str platz allee weg gasse straat laan plein gracht street road lane square "
    "san santa santo sankt st saint sainte são hotel café caffè restaurant".split())
"""A name after one of these words names a street, a place or a business, not a person."""
STREET_ENDINGS = ("straße", "strasse", "allee", "platz", "gasse", "straat", "plein", "gracht", "laan", "kade")
"""A word ending so is a street ("Kalverstraat"), whatever precedes it."""
NOT_A_NAME = frozenset(
    "The Der Die Das Dem Den Des Ein Eine Le La Les Un Une El Los Las Una Il Lo Gli Het Een My Mein Meine Mon Ma "
    "Mi Mio Mia Your Ihr Bitte Please Kunde Kundin Customer Client Cliente Klant Team Support Service "
    "Herr Herrn Frau Madame Monsieur Señor Señora Signor Signora Miss Mr Mrs Ms Dr Prof Mme "
    "Sie Ihnen Euch Dich Dir Wir Uns Ich Vous Usted Ustedes Lei Voi Jullie I Je Yo Io Ik Nous Noi Wij We".split())
"""Capitalised words that start a sentence, address the reader or name a role after a cue, never a name."""
COMPANY = frozenset("GmbH AG KG OHG UG Ltd Limited Inc LLC SARL SAS SA SL SpA Srl BV NV Co Company Café Caffè Cafe "
                    "Kaffee Rösterei Roastery Roasters Coffee Shop Store Markt Hotel Restaurant Bar Bistro Bodega "
                    "Team Service Support".split())
"""Words in or right after a name-like phrase that make it a business ("Empfänger: Kaffee Rösterei GmbH")."""
CAPITAL_PARTICLES = r"Van|Von|De|Der|Den|Du|Di|Da|Dal|Dalla|Del|Della|Lo|La|Le|Ten|Ter|Dos|Das"
"""Particles written with a capital where a surname starts with them ("Lo Russo", "Le Goff", "De Vries")."""
SALUTATION = (r"sehr geehrte[rs]?|geehrte[rs]?|liebe[rs]?|hallo|guten (?:tag|morgen|abend)|dear|hello|hi|"
              r"bonjour|bonsoir|ch[èe]re?|estimad[oa]|querid[oa]|hola|buenos d[ií]as|gentile|egregio|gentilissim[oa]|"
              r"car[oa]|buongiorno|beste|geachte|goedemiddag|goedemorgen")
PERSON_BEFORE = frozenset("an für von bei chez pour de par para por per da voor van door bij to for from by mit avec "
                          "con met with und and et y e en à a naar".split())
PERSON_AFTER = frozenset("hat ist war möchte will wohnt bestellte has is was wants ordered paid lives a est veut "
                         "habite ha es fue quiere vive pagó è vuole abita heeft wil woont betaalde".split())
"""Words around a name with one known part that say it names someone: "für Anna Vogt", "Rocío Quiroga pagó"."""

THINGS_SENT = r"colis|paquet|commande|facture|cadeau|pedido|paquete|factura|regalo|pacco|ordine|fattura|regalo|" \
              r"pakket|bestelling|factuur|cadeau|parcel|package|order|invoice|gift"
BENEFICIARY = rf"\b(?:(?:est|es|è|is|was|era|était|sono|son|are|zijn)|(?:{THINGS_SENT})) (?:pour|para|per|voor|for) " \
              rf"|(?<![\w-])chez |\b(?:{THINGS_SENT}|compte|cuenta|conto|rekening|account) (?:de|di|del|van|of) " \
              r"|\b(?:in the name of|on behalf of|au nom de|pour le compte de|a nombre de|en nombre de|a nome di|" \
              r"per conto di|op naam van|namens|im (?:namen|auftrag) von) "
"""Who a parcel, an order or an invoice is for or whose it is ("le colis est pour", "el pedido es para", "la
commande de", "livrez chez", "au nom de", "on behalf of"): a pair of capitalised words there names a person or a
business. A bare "for" or
"pour" is not enough ("a grinder for French Press", "pour Cold Brew"), German is left out ("für Neue Kunden":
every noun has a capital) and so are "to", "à", "a", "naar", which lead to places as often as to people."""
SENT_TO = r"\b(?:an|für) ([A-ZÀ-ÖØ-ÞĀ-ſ])[a-zß-öø-ÿĀ-ſ]{1,30} (?:[a-z']{1,4} ){0,2}[A-ZÀ-ÖØ-ÞĀ-ſ]"
"""German "an"/"für" before two capitalised words (the name starts at the group): a person only when a verb of
sending or keeping closes the phrase. The pair is in the pattern so that the gate does not wake the detector at
every "für" of a German text (a capitalised noun follows most of them)."""
SENDING = frozenset("liefern schicken senden zustellen versenden geliefert geschickt gesendet zugestellt versendet "
                    "zurücklegen zurückgelegt reservieren reserviert überweisen überwiesen".split())
"""What closes "an … liefern": the name before it receives something ("bitte an Ilse Brandt schicken")."""
SHIPPED_TO = r"\b(?:send|ship|post|mail|forward|deliver|envoyer|envoyez|envoie|expédiez|expédier|livrer|" \
             r"enviad|enviar|envíe|envía|envíen|mandad|mandar|spedite|spedire|spedisci|inviate|inviare|mandate|" \
             r"stuur|stuurt|sturen|verstuur|versturen|opsturen)\b[^.!?\n]{0,30}? (?:to|à|a|al|naar) "
"""A thing sent to someone ("ship it to", "envoyer la facture à", "spedite il pacco a"): "to", "à", "a" and
"naar" lead to places as often as to people, so only after a verb of sending, and never to a word that opens a
place name (``PLACE_OPENERS``) or to a single word ("to Leeds")."""
CALENDAR = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday christmas easter montag dienstag mittwoch donnerstag "
    "freitag samstag sonntag weihnachten ostern lundi mardi mercredi jeudi vendredi samedi dimanche noël pâques lunes "
    "martes miércoles jueves viernes sábado domingo navidad pascua lunedì martedì mercoledì giovedì venerdì sabato "
    "domenica natale pasqua maandag dinsdag woensdag donderdag vrijdag zaterdag zondag kerst kerstmis pasen".split())
"""Days and holidays, which open or close capitalised pairs that are no person ("for Black Friday")."""
PLACE_OPENERS = frozenset("new nieuw neu neue bad port porto puerto monte mont mount castel castle castello villa "
                          "ville fort lake lago bois bosco isola isla île great upper lower north south east west "
                          "nord sud ost oost noord zuid".split()) | STREET_OR_PLACE
"""Words that open a place's name ("New York", "Bad Homburg", "Porto Cervo"), not a person's."""
PERSON_ACTS = (
    "fragt|schreibt|demande|écrit|appelle|pregunta|escribe|chiede|scrive|chiama|vraagt|schrijft|asks|writes|"
    "zahlte|bestellte|rief|schrieb|fragte|kaufte|reklamierte|stornierte|paya|commanda|appela|"
    "pagó|pidió|llamó|escribió|preguntó|compró|canceló|devolvió|pagò|ordinò|chiamò|telefonò|scrisse|chiese|comprò|"
    "betaalde|bestelde|belde|schreef|vroeg|kocht|annuleerde|"
    "paid|ordered|called|phoned|rang|wrote|emailed|asked|bought|cancelled|canceled|returned|complained")
"""Actions only a person takes (pay, order, call, write, ask, buy, cancel, return), as a finite verb right after
the subject: a pair of unknown capitalised words before one names a person ("Iñaki Zamora pagó"). In the present
tense only asking and writing: a product "pays off", "says it all", and German puts the object first ("Espresso
Crema kauft man frisch")."""
PERSON_DONE = (
    "bezahlt|gezahlt|bestellt|aufgegeben|angerufen|geschrieben|gefragt|gekauft|reklamiert|storniert|zurückgeschickt|"
    "payé|commandé|appelé|écrit|demandé|acheté|annulé|renvoyé|"
    "pagado|pedido|llamado|escrito|preguntado|comprado|cancelado|devuelto|"
    "pagato|ordinato|chiamato|telefonato|scritto|chiesto|comprato|annullato|restituito|"
    "betaald|besteld|gebeld|geschreven|gevraagd|gekocht|geannuleerd|teruggestuurd|"
    "paid|ordered|called|phoned|rung|written|emailed|asked|bought|cancelled|canceled|returned|charged|complained")
"""The same actions as participles, read only after an auxiliary right after the subject ("Ole Thiessen hat
gestern angerufen", "Gaia Zanetti ha pagato", "was charged"): a participle right after a noun is its object in
German and Dutch ("ich habe Espresso Crema bestellt")."""
AUXILIARIES = r"hat|hatte|hätte|ist|wurde|a|avait|ha|había|aveva|heeft|had|was|has|have"
