"""Art. 9 GDPR special-category data: health terms in English, German, French, Spanish, Italian and Dutch.

Words, not diagnoses: a prompt that names a condition, a medicine or a treatment about a
person carries data concerning health (Art. 4(15)), which raises every finding's severity.
"""

from __future__ import annotations

from collector.detect.base import Detector

TERMS = {
    "en": r"diabet\w*|pregnan\w*|allerg\w*|asthma|cancer|depression|prescription|diagnos\w*|insulin|"
          r"epilep\w*|hiv|chemotherapy|medication|disabilit\w*|blood pressure|celiac|coeliac",
    "de": r"diabetes|diabetiker\w*|schwanger\w*|allergi\w*|asthma|krebs|depression\w*|rezeptpflichtig\w*|"
          r"verschreibung\w*|diagnose\w*|insulin|"
          r"epilepsie|zöliakie|laktoseintoleranz|medikament\w*|behinderung|blutdruck|krankheit\w*",
    "fr": r"diabète|enceinte|grossesse|allergi\w*|asthme|cancer|dépression|ordonnance|diagnostic|insuline|"
          r"épilepsie|maladie|médicament\w*|handicap|cœliaque",
    "es": r"diabetes|embarazada|embarazo|alergia\w*|asma|cáncer|depresión|receta médica|diagnóstico|insulina|"
          r"epilepsia|enfermedad|medicamento\w*|discapacidad|celiaqu\w*",
    "it": r"diabete|incinta|gravidanza|allergi\w*|asma|cancro|depressione|ricetta medica|diagnosi|insulina|"
          r"epilessia|malattia|farmac\w*|disabilità|celiachia",
    "nl": r"diabetes|zwanger\w*|allergie\w*|astma|kanker|depressie|recept|diagnose|insuline|epilepsie|"
          r"ziekte|medicijn\w*|handicap|coeliakie",
}


class HealthTermsDetector(Detector):
    """Health conditions, medicines and treatments (Art. 9(1) GDPR) in six EU languages."""

    name = "health_terms"
    category = "user.health_and_medical"
    patterns = tuple(rf"(?<!\w)({words})(?!\w)" for words in TERMS.values())
