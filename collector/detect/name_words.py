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
    "Sie Ihnen Euch Dich Dir Wir Uns Ich Vous Usted Ustedes Lei Voi Jullie I Je Yo Io Ik Nous Noi Wij We "
    "Ihre Ihres Ihrer Ihrem Ihren Unser Unsere Unseres Unserer Unserem Unseren Meines Meiner Meinem Meinen "
    "Dein Deine Euer Eure Votre Vos Su Sus Vostro Vostra Uw".split())
"""Capitalised words that start a sentence, address the reader or name a role after a cue, never a name."""
COMPANY = frozenset("GmbH AG KG OHG UG Ltd Limited Inc LLC SARL SAS SA SL SpA Srl BV NV Co Company Café Caffè Cafe "
                    "Kaffee Rösterei Roastery Roasters Coffee Shop Store Markt Hotel Restaurant Bar Bistro Bodega "
                    "Team Service Services Support Post Mail Versand Express Logistik Logistics Kundenservice Kundendienst "
                    "Helpdesk Zustellung Kurier Courier Paketdienst Pakketdienst Correos Poste Relais Relay Point Punt Punto "
                    "Packstation Filiale Ufficio Büro Abteilung Afdeling Department Dept Servicio Servizio Acquisti "
                    "Einkauf Inkoop Procurement Council Gemeente Ayuntamiento Comune Mairie Stadtverwaltung Stiftung "
                    "Verlag Supplies Supply Supplier".split())
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
              r"|\b(?:[Ii]n the name of|[Oo]n behalf of|[Aa]u nom de|[Dd]e la part de|[Pp]our le compte de|[Aa] nombre de|" \
              r"[Ee]n nombre de|[Aa] nome di|[Pp]er conto di|[Oo]p naam van|[Nn]amens|[Ii]m (?:[Nn]amen|[Aa]uftrag) von) "
"""Who a parcel, an order or an invoice is for or whose it is ("le colis est pour", "el pedido es para", "la
commande de", "livrez chez", "au nom de", "on behalf of"): a pair of capitalised words there names a person or a
business. A bare "for" or
"pour" is not enough ("a grinder for French Press", "pour Cold Brew"), German is left out ("für Neue Kunden":
every noun has a capital) and so are "to", "à", "a", "naar", which lead to places as often as to people."""
SENT_TO = r"\b(?:an|für|auf) ([A-ZÀ-ÖØ-ÞĀ-ſ])[a-zß-öø-ÿĀ-ſ]{1,30} (?:[a-z']{1,4} ){0,2}[A-ZÀ-ÖØ-ÞĀ-ſ]"
"""German "an"/"für" before two capitalised words (the name starts at the group): a person only when a verb of
sending or keeping closes the phrase. The pair is in the pattern so that the gate does not wake the detector at
every "für" of a German text (a capitalised noun follows most of them)."""
SENDING = frozenset("liefern schicken senden zustellen versenden geliefert geschickt gesendet zugestellt versendet "
                    "zurücklegen zurückgelegt reservieren reserviert überweisen überwiesen ausstellen ausgestellt "
                    "umschreiben umgeschrieben".split())
"""What closes "an … liefern" or "auf … ausstellen": the name before it receives something ("bitte an Ilse Brandt
schicken") or is named on it ("die Rechnung auf Ilse Brandt ausstellen")."""
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
    "domenica natale pasqua maandag dinsdag woensdag donderdag vrijdag zaterdag zondag kerst kerstmis pasen "
    "kerstdag kerstavond paasdag pinksteren koningsdag weihnachtstag feiertag heiligabend silvester neujahr pfingsten "
    "ferragosto epifania nochebuena nochevieja toussaint pentecôte boxing".split())
"""Days and holidays, which open or close capitalised pairs that are no person ("for Black Friday")."""
PLACE_OPENERS = frozenset("deutsche new nieuw neu neue bad port porto puerto monte mont mount castel castle castello villa "
                          "ville fort lake lago bois bosco isola isla île great upper lower north south east west "
                          "nord sud ost oost noord zuid".split()) | STREET_OR_PLACE
"""Words that open a place's name ("New York", "Bad Homburg", "Porto Cervo"), not a person's."""
PERSON_ACTS = (
    "fragt|schreibt|demande|écrit|appelle|pregunta|escribe|chiede|scrive|chiama|vraagt|schrijft|asks|writes|"
    "zahlte|bestellte|rief|schrieb|fragte|kaufte|reklamierte|stornierte|paya|commanda|appela|"
    "pagó|pidió|llamó|escribió|preguntó|compró|canceló|devolvió|pagò|ordinò|chiamò|telefonò|scrisse|chiese|comprò|"
    "betaalde|bestelde|belde|schreef|vroeg|kocht|annuleerde|"
    "paid|ordered|called|phoned|rang|wrote|emailed|asked|bought|cancelled|canceled|returned|complained|"
    "sagte|meinte|erklärte|bestätigte|dijo|comentó|explicó|confirmó|disse|spiegò|confermò|zei|legde|bevestigde|"
    "said|told|mentioned|explained|confirmed|(?:hier|here|ici)(?= ?[,–—:-])")
"""Actions only a person takes (pay, order, call, write, ask, buy, cancel, return), as a finite verb right after
the subject: a pair of unknown capitalised words before one names a person ("Iñaki Zamora pagó"). In the present
tense only asking and writing, and the "… hier," of a caller giving their name: a product "pays off", "says it all", and German puts the object first ("Espresso
Crema kauft man frisch")."""
PERSON_DONE = (
    "bezahlt|gezahlt|bestellt|aufgegeben|angerufen|geschrieben|gefragt|gekauft|reklamiert|storniert|zurückgeschickt|"
    "payé|commandé|appelé|écrit|demandé|acheté|annulé|renvoyé|"
    "pagado|pedido|llamado|escrito|preguntado|comprado|cancelado|devuelto|"
    "pagato|ordinato|chiamato|telefonato|scritto|chiesto|comprato|annullato|restituito|"
    "betaald|besteld|gebeld|geschreven|gevraagd|gekocht|geannuleerd|teruggestuurd|"
    "paid|ordered|called|phoned|rung|written|emailed|asked|bought|cancelled|canceled|returned|charged|complained|"
    "gesagt|erklärt|bestätigt|dit|expliqué|confirmé|dicho|explicado|confirmado|detto|spiegato|confermato|gezegd|"
    "uitgelegd|bevestigd|said|told|mentioned|explained|confirmed")
"""The same actions as participles, read only after an auxiliary right after the subject ("Ole Thiessen hat
gestern angerufen", "Gaia Zanetti ha pagato", "was charged"): a participle right after a noun is its object in
German and Dutch ("ich habe Espresso Crema bestellt")."""
AUXILIARIES = r"hat|hatte|hätte|ist|wurde|a|avait|ha|había|aveva|heeft|had|was|has|have"

SELF = r"\b(?:ich bin|i am|i['’]m|je suis|soy|sono|ik ben) {1,3}"
"""A self-introduction ("ich bin Ilse Brandt", "I'm …", "soy …"): a pair of capitalised words after it names the
writer, one known given name too; German capitalises the nouns that follow most often ("ich bin Neukunde"), so a
single unknown word is never read as a name."""
SPEAKING = r"(?:(?<![\s\S])|[,.!?]\s{0,3}|\n)(?:hier (?:ist|spricht)|this is|hier is|qui è|aquí(?: habla)?|ici|c['’]est|" \
           r"sono io,?|vi scrive|les? escribe) {1,3}"
"""Who is speaking, said after a greeting or at the start of the text or a line ("Guten Tag, hier ist …", "Hello, this is …"),
where "this is" or "hier ist" elsewhere presents a product ("hier ist Espresso Crema im Angebot")."""
COLLECTED_BY = r"\b(?:abholung durch|abgeholt (?:von|durch)|holt (?:es|das paket|die bestellung) ab:|collected by|" \
               r"picked up by|pick-?up by|collection by|retrait par|se fera par|récupérée? par|retirée? par|" \
               r"recogida por|recogido por|retirado por|retirada por|recoger[áa] |ritiro da parte di|ritirat[oa] da|" \
               r"ritirerà |afhalen door|opgehaald door|afgehaald door|haalt het op:|dropped off by|handed in by|returned by|" \
               r"abgegeben von|déposée? par|entregad[oa] por|consegnat[oa] da|a cura di|afgegeven door|" \
               r"ingeleverd door) {0,3}"
"""Who collects a parcel or hands a return in ("Abholung durch", "collected by", "retrait par", "recogido por",
"ritirato da", "opgehaald door", "dropped off by", "consegnato da")."""
ISSUED_TO = r"\b(?:(?:made|make (?:\w+ ){0,2})out to|issued to|addressed to|payable to|à l['’]ordre de|" \
            r"adressée? à|établie? à|intestat[ao] a|intestare a|ausgestellt auf|ausstellen auf) {1,3}"
"""In whose name an invoice or a voucher is made out ("made out to", "à l'ordre de", "intestata a")."""
RELATION = r"\b(?:meine? (?:kollegin|kollege|mann|ehemann|ehefrau|sohn|tochter|partnerin|partner|nachbarin|nachbar|" \
           r"vater|mutter|bruder|schwester|assistentin|assistent)|my (?:colleague|husband|wife|son|daughter|partner|" \
           r"neighbour|neighbor|father|mother|brother|sister|assistant)|(?:mon|ma) (?:collègue|mari|femme|fils|fille|" \
           r"voisine?|conjointe?|père|mère|frère|s(?:œ|oe)ur|assistante?)|mi (?:compañer[oa]|marido|mujer|espos[oa]|" \
           r"hij[oa]|vecin[oa]|padre|madre|herman[oa]|colega)|(?:il mio|la mia|mio|mia) (?:collega|marito|moglie|" \
           r"figli[oa]|vicin[oa]|padre|madre|fratello|sorella)|mijn (?:collega|man|vrouw|zoon|dochter|buurman|" \
           r"buurvrouw|partner|vader|moeder|broer|zus)|meine? (?:gro(?:ß|ss)mutter|gro(?:ß|ss)vater|oma|opa|tante|" \
           r"onkel)|my (?:grandmother|grandfather|grandma|grandpa|grandad|granddad|aunt|uncle)|(?:mon|ma) " \
           r"(?:grand-mère|grand-père|tante|oncle)|mi (?:abuel[oa]|tí[oa])|(?:mio|mia) (?:nonn[oa]|zi[oa])|mijn " \
           r"(?:oma|opa|tante|oom)),? {1,3}"
"""A colleague or a relative named after the word for them ("mein Kollege …", "my husband …", "mi marido …")."""
ASK_FOR = r"\b(?:(?:wenden sie sich|sprechen sie|fragen sie|parlez|hable|pregunte|parlate|chiedete|neem contact op|" \
          r"spreek|vraag|ask|speak|talk|in contatto|in contact|in kontakt)(?: (?:bitte|direkt|directement|" \
          r"directamente|direttamente|pure|even|directly|gerne?|doch|gleich)){0,2} (?:an|mit|nach|à|con|por|di|met|naar|" \
          r"for|to|with)|(?:kontaktieren sie|contact|contacter|contactez|contacte con|contattate|contatta|demandez)" \
          r"(?: (?:bitte|directement|pure|directly|gerne?))?) {1,3}"
"""Whom to ask ("wenden Sie sich an …", "please contact …", "chiedete di …"): departments and firms after it
are refused by ``NOT_A_NAME`` and ``COMPANY``."""
