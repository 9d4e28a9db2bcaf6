"""Attribution cues (Italian and English; the common German, French and Spanish ones) that license an outlet name.

A *pre-cue* ends right before the name, optionally followed by one preposition
and an article ("secondo il", "come riportato da", "la rivelazione del",
"according to", "told the", "Fonte:").  A *post-cue* follows the name
("Reuters reported", "il Wsj scrive", "Reuters' report", "Wsj: ...").  Credit
forms are the parenthesised agency credit "(ANSA)" / "ROMA (ANSA) -" and the
dash credit "— Reuters" at the end of a line.  Photo credits ("Foto ANSA",
"Photo: Reuters") credit a picture, not the text, and are never reported.

All patterns are compiled once, case-insensitively; descriptive adjectives
after an Italian descriptor ("il quotidiano statunitense Wall Street Journal")
must be lower-case.

German, French and Spanish: the phrases of wire copy that credit a source,
before the name ("laut dem", "unter Berufung auf", "nach Angaben des",
"berichtet das", "selon le", "d'après", "rapporte le", "cité par", "según el",
"informa el", "de acuerdo con", "la agencia", "die Nachrichtenagentur") or
after it ("das Wall Street Journal berichtet", "dem Wsj zufolge", "Reuters
rapporte", "l'AFP a rapporté", "el diario informó").
"""

from __future__ import annotations

import re

import regex

# Italian past participles used with "da" (riportato da, pubblicate dal, ...), any gender/number.
_IT_PARTICIPLE_STEMS = (
    "riportat", "riferit", "rivelat", "pubblicat", "diffus", "anticipat", "citat", "ripres",
    "rilanciat", "scritt", "raccolt", "intervistat", "contattat", "svelat", "documentat",
    "ricostruit", "confermat", "lanciat", "segnalat", "appres", "spiegat", "dichiarat", "dett",
    "raccontat", "smentit", "affermat", "diramat", "precisat", "res[oa]\\s+not", "parlat", "annunciat",
)
_IT_PARTICIPLE = "(?:" + "|".join(_IT_PARTICIPLE_STEMS) + ")[oaie]"
_IT_PRESENT = (
    "scrive", "scrivono", "riporta", "riportano", "riferisce", "riferiscono", "rivela", "rivelano",
    "pubblica", "pubblicano", "rende\\s+noto", "fa\\s+sapere", "apprende", "anticipa", "racconta",
    "ricostruisce", "cita", "citano", "citando", "spiega", "conferma", "precisa", "titola", "sottolinea",
    "afferma", "sostiene", "dice", "annuncia", "svela", "segnala", "aggiunge", "nota", "osserva",
    "smentisce", "nega", "dichiara", "interpellat[oaie]", "si\\s+legge", "si\\s+apprende", "parlando",
)
_IT_AUX = (
    r"(?:(?:ha|hanno|avrebbe|avrebbero|aveva|avevano|è|e'|era|sono|viene|vengono|veniva"
    r"|è\s+stat[oaie]|sono\s+stat[ie])\s+)"
)
_IT_ADVERB_WORDS = r"(?:anche|già|poi|inoltre|ieri|oggi|stamattina|stamane|stamani|stasera|per\s+prim[oa])"
_IT_ADVERB = rf"(?:{_IT_ADVERB_WORDS}\s+)"
# "riferisce anche il", "rivelata stamane dalla": one adverb may also follow the verb.
_IT_VERB = (
    r"(?:(?:(?:secondo|come|stando\s+a|a|in\s+base\s+a)\s+quanto\s+|come\s+)?"
    + rf"{_IT_AUX}?{_IT_ADVERB}?(?:{_IT_PARTICIPLE}|{'|'.join(_IT_PRESENT)})(?:\s+{_IT_ADVERB_WORDS})?)"
)
_IT_NOUNS = (
    "rivelazion[ei]", "articol[oi]", "inchiest[ae]", "scoop", "indiscrezion[ei]", "report", "reportage",
    "serviz[io]o?", "retroscena", "ricostruzion[ei]", "intervist[ae]", "editorial[ei]", "analisi",
    "pagine", "colonne", "microfoni", "fonte", "fonti", "dispacci?o?", "lanci?o?", "notizi[ae]",
    "edizion[ei]", "corrispondent[ei]", "giornalist[ai]", "cronist[ai]", "portavoce", "sondaggio",
    "ricerca", "documenti", "esclusiva", "anticipazion[ei]", "dati",
)
# Descriptors name what the outlet is; up to two lower-case adjectives may follow.
_IT_DESCRIPTORS = (
    "quotidian[oi]", "giornal[ei]", "testat[ae]", "settimanal[ei]", "mensile", "agenzi[ae](?:\\s+di\\s+stampa)?",
    "emittent[ei]", "tv", "televisione", "canale", "network", "tabloid", "magazine", "rivist[ae]",
    "periodico", "sito(?:\\s+web)?", "sito\\s+di\\s+informazione", "blog", "newsletter", "radio", "telegiornale",
)
_IT_STANDALONE = ("secondo", "stando", "in\\s+base\\s+a", "a\\s+detta", "fonte\\s*:", "fonti\\s*:")
_EN_PARTICIPLE = (
    "reported", "published", "obtained", "seen", "reviewed", "cited", "quoted", "revealed", "broken",
    "confirmed", "released", "aired", "broadcast", "posted", "carried", "first\\s+reported",
)
_EN_WHEN = (
    r"(?:(?:on|last|this|late|early)\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|week|night)"
    r"|earlier(?:\s+(?:this|last)\s+(?:week|month))?|yesterday|today|overnight)"
)
_EN_VERBS = (
    "according\\s+to", "told", "telling", "tells", "said\\s+to", "(?:speaking|spoke|talking|talked)\\s+(?:to|with)",
    "in\\s+an\\s+interview\\s+with", "interview\\s+with", "interviewed\\s+by",
    "citing", "quoting", "via", "wrote\\s+in", "writing\\s+in", "writes\\s+in", "(?:confirmed|explained|revealed|"
    "disclosed|admitted|said|stated)\\s+to", "source\\s*:", "sources\\s*:", "courtesy\\s+of",
)
_EN_NOUNS = (
    "report", "reports", "reporting", "article", "story", "investigation", "analysis", "op-ed", "column",
    "interview", "scoop", "exclusive", "piece", "editorial", "sources", "source", "spokes(?:man|woman|person)",
)
_EN_DESCRIPTORS = (
    "newspaper", "paper", "daily", "broadcaster", "network", "news\\s+agency", "agency", "wire\\s+service",
    "outlet", "news\\s+outlet", "magazine", "tabloid", "website", "news\\s+site", "channel", "station", "weekly",
)
# German, French, Spanish.
_DE_PRE = (
    "laut", "unter\\s+Berufung\\s+auf", "nach\\s+(?:Angaben|Informationen|Recherchen)", "berichte(?:t|te|n|ten)",
    "schreib(?:t|en)", "schrieb(?:en)?", "melde(?:t|te|n|ten)", "enthüllte", "zitiert(?:e)?", "gegenüber",
    "(?:im\\s+)?(?:Gespräch|Interview)\\s+mit", "Quelle\\s*:",
)
_DE_DESCRIPTOR = r"(?:[^\W\d_]+-?)?(?:zeitung|agentur|magazin|sender|blatt|portal)"  # Nachrichtenagentur, US-Zeitung
_FR_PARTICIPLE = r"(?:rapport|r[ée]v[ée]l|[ée]crit|indiqu|affirm|annonc|publi|cit|relay|repris)[ée]?e?s?"
_FR_PRE = (
    "selon", "d['’]apr[eè]s", "rapport(?:e|ent|ait|aient)", "[ée]cri(?:t|vent|vait)", "r[ée]v[èe]l(?:e|ent)",
    rf"(?:a|ont|avait|avaient)\s+{_FR_PARTICIPLE}", rf"(?:{_FR_PARTICIPLE}|interrog[ée]e?s?)\s+par", "citant",
    "(?:a|ont|avait)\\s+(?:d[ée]clar|confi|expliqu|racont)[ée]", "dans\\s+un\\s+entretien(?:\\s+accord[ée])?",
)
_FR_DESCRIPTORS = (
    "quotidien", "journal", "hebdomadaire", "mensuel", "agence(?:\\s+de\\s+presse)?", "cha[iî]ne",
    "site(?:\\s+d['’]information)?", "t[ée]l[ée]vision",
)
_ES_PRE = (
    "seg[uú]n", "de\\s+acuerdo\\s+con", "inform(?:a|an|ó|aba)", "public(?:a|an|ó)", "revel(?:a|an|ó)",
    "escrib(?:e|en|ió)", "asegur(?:a|ó)", "señal(?:a|ó)", "citando", "en\\s+declaraciones",
    "(?:citad|publicad|informad|revelad|recogid|difundid)[oa]s?\\s+por", "(?:dijo|declaró|explicó|confirmó)",
    "en\\s+(?:una\\s+)?entrevista\\s+con", "fuente\\s*:",
)
_ES_DESCRIPTORS = (
    "diario", "peri[óo]dico", "agencia(?:\\s+de\\s+noticias)?", "cadena", "revista", "semanario", "emisora",
)
_LOWER_ADJ = r"(?:\s+(?-i:[a-zà-ÿ]{4,}))"
# Every word that says a name is an outlet ("il quotidiano X", "the local newspaper X", "die Zeitung X").
DESCRIPTORS: tuple[str, ...] = (
    _IT_DESCRIPTORS + _EN_DESCRIPTORS + ("site", "journal") + _FR_DESCRIPTORS + _ES_DESCRIPTORS + (_DE_DESCRIPTOR,)
)

_PRE_ALTERNATIVES = (
    # "published by", "first published on Tuesday by", "reported earlier this week in"
    [rf"(?:as\s+)?(?:{'|'.join(_EN_PARTICIPLE)})(?:\s+{_EN_WHEN})?\s+(?:by|in|on)"]
    + list(_EN_VERBS)
    + [rf"(?:{'|'.join(_EN_NOUNS)})(?:\s+(?:by|from|in|on|with|to))?"]
    + [rf"(?:the|a|an)\s+(?:[a-z-]+\s+){{0,3}}?(?:{'|'.join(_EN_DESCRIPTORS)})"]
    + [_IT_VERB]
    + list(_IT_STANDALONE)
    + [rf"(?:{'|'.join(_IT_NOUNS)})"]
    + [rf"(?:{'|'.join(_IT_DESCRIPTORS + _FR_DESCRIPTORS + _ES_DESCRIPTORS)}){_LOWER_ADJ}{{0,2}}"]
    + list(_DE_PRE + _FR_PRE + _ES_PRE)
    + [_DE_DESCRIPTOR]
)

# One preposition may link the cue to the (article +) name: "riportato da", "intervista a".
_LINK = r"(?:\s+(?:da|di|a|ad|su|con|in|to|by|with|from|on|at|of|for|von|vom|à|au|aux|de|al|por))?"

class EndAnchored:
    """A pattern that must end its text (``\\Z``), searched from the end first.

    The windows searched (the text before a name) mostly hold no match, and
    a forward search proves that by trying every start position against every
    alternative.  The same pattern read backwards (the ``regex`` module's
    REVERSE flag) tries only matches that end the text, so it settles those
    windows at a fraction of the cost (about 7x for :data:`PRE_CUE` on news
    text); a window that has a match is then searched forward, so the result
    (the leftmost start, which alternative matched) is ``re``'s.  This rests on
    the two engines agreeing on whether a match exists: they did on every
    window of the stories, the seeds and 3,000 synthetic articles, and a
    property test (``tests/test_citations.py``) checks it on generated text.
    """

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.forward = re.compile(pattern, flags)
        reverse_flags = regex.REVERSE | regex.V0 | (regex.IGNORECASE if flags & re.IGNORECASE else 0)
        self._reverse = regex.compile(pattern, reverse_flags)

    @property
    def pattern(self) -> str:
        return self.forward.pattern

    def search(self, text: str) -> re.Match[str] | None:
        if self._reverse.search(text) is None:
            return None
        return self.forward.search(text)


# Text that ends with a descriptor and up to two lower-case adjectives ("il quotidiano statunitense").
DESCRIPTOR_END = EndAnchored(rf"(?:{'|'.join(DESCRIPTORS)}){_LOWER_ADJ}{{0,2}}\s*\Z", re.IGNORECASE)

PRE_CUE = EndAnchored(
    r"(?<![\w])(?P<cue>" + "|".join(_PRE_ALTERNATIVES) + r")" + _LINK + r"\s*:?\s*\Z",
    re.IGNORECASE,
)

_POST_VERBS = (
    # Italian
    "scrive", "scrivono", "riporta", "riportano", "riferisce", "rivela", "pubblica", "racconta", "ricostruisce",
    "cita", "titola", "anticipa", "afferma", "sostiene", "spiega", "precisa", "sottolinea", "conferma",
    "smentisce", "nega", "dichiara", "apprende", "rende\\s+noto", "fa\\s+sapere", "ricorda", "svela",
    _IT_PARTICIPLE,
    # English
    "reported", "reports", "reporting", "wrote", "writes", "said", "says", "revealed", "reveals", "learned",
    "understands", "quoted", "cited", "found", "published", "confirmed", "denied", "denies", "disclosed",
    "noted", "added", "broke", "first\\s+reported", "report", "story", "article", "investigation", "analysis",
    "interview", "sources", "source", "spokes(?:man|woman|person)", "officials", "journalists?", "reporters?",
    # German, French, Spanish
    "berichte(?:t|te|n|ten)", "schreibt", "schrieb", "melde(?:t|te)", "zufolge", "enthüllte",
    "rapport(?:e|ent|ait)", "[ée]crit", "r[ée]v[èe]le", "affirme", "indique", "annonce", "pr[ée]cise",
    rf"(?:a|avait)\s+{_FR_PARTICIPLE}",
    "inform(?:a|ó|an)", "public(?:a|ó)", "revel(?:a|ó)", "escribe", "asegura", "afirma", "señal(?:a|ó)",
    "(?:ha|han|había)\\s+(?:informado|publicado|revelado|señalado)",
)
_POST_AUX = (
    r"(?:(?:ha|hanno|aveva|avevano|avrebbe|avrebbero|has|have|had|was|is|were)\s+)?"
    r"(?:(?:also|first|later|previously|earlier|exclusively|anche|già|poi|inoltre|ieri|oggi|per\s+prim[oa])\s+)?"
)
POST_CUE: re.Pattern[str] = re.compile(
    r"\A[\"”»’']?(?:['’]s?)?[ \t]+" + _POST_AUX + r"(?P<cue>" + "|".join(_POST_VERBS) + r")(?!\w)",
    re.IGNORECASE,
)
# The post-cues that say "published" rather than "said": the only ones that license a name outside the
# catalog ("the Baltic Courier reported"; never "the Internal Security Service says").
REPORTING_POST: re.Pattern[str] = re.compile(
    r"(?:scriv\w*|riport\w*|riferi\w*|rivel\w*|pubblic\w*|titola|anticip\w*|ricostrui\w*|svel\w*|cit\w*"
    r"|report\w*|wr[io]te\w*|reveal\w*|publish\w*|disclosed|broke|first\s+reported|story|article|scoop"
    r"|investigation|berichte\w*|schr\w+|meldet\w*|zufolge|rapport\w*|[ée]crit|r[ée]v[èe]le|inform\w*|escrib\w*)\Z",
    re.IGNORECASE,
)
# "Wsj: Musk in contatto con Putin" (headline attribution).
POST_COLON: re.Pattern[str] = re.compile(r"\A[\"”»]?\s*:\s+\S")

# Photo credits: "Foto ANSA", "(Foto: Reuters)", "Photo: AP", "© AFP".
PHOTO_CREDIT = EndAnchored(
    r"(?<![\w])(?:foto|photo|photos|ph|image|images|immagine|immagini|credit|credits|copyright|video)"
    r"\s*[:.]?\s*(?:di|by|da)?\s*\Z|©\s*\Z",
    re.IGNORECASE,
)

# Determiner (article or articulated preposition) right before a name.
DETERMINER = EndAnchored(
    r"(?:(?<![\w'’])(?P<det>il|lo|la|del|dello|della|dal|dallo|dalla|al|allo|alla|nel|nello|nella|sul|sullo|sulla"
    r"|col|the|der|die|das|dem|den|des|le|les|du|au|aux|el|los|las)\s+|(?<![\w'’])(?P<eli>l|dell|dall|all|nell|sull)['’]\s*)\Z",
    re.IGNORECASE,
)
OPENING_QUOTE: re.Pattern[str] = re.compile(r"[\"“«‘]\s*\Z")
CLOSING_QUOTE: re.Pattern[str] = re.compile(r"\A[\"”»’]")

# Parenthesised credit: "(ANSA)", "ROMA (ANSA) -", "(LaPresse/Reuters)".
PAREN_OPEN: re.Pattern[str] = re.compile(r"\(\s*\Z")
PAREN_CLOSE: re.Pattern[str] = re.compile(r"\A\s*(?:[/,\-–]\s*[^()\n]{1,40}?)?\)")
# Dash credit at the end of a line: "— Reuters", "- AP".
DASH_BEFORE = EndAnchored(r"(?:\A|[\n.!?\"”»])\s*[-–—]+\s*\Z")
DASH_AFTER: re.Pattern[str] = re.compile(r"\A\s*[.)]?[ \t]*(?:\n|\Z)")

# A word continuing a proper noun after the name ("Open Arms", "Repubblica Ceca", "Giornale di Vicenza").
CONTINUATION: re.Pattern[str] = re.compile(
    r"\A(?:[ \t]+(?:(?:di|del|della|dello|dei|degli|delle|de|of)[ \t]+)?[A-ZÀ-ÖØ-Þ0-9]|-\w|\.[^\W\d_]|['’][A-Z])"
)
# The word right before a name (after any determiner).
PREVIOUS_WORD: re.Pattern[str] = re.compile(r"(?P<word>[^\W\d_][\w'’-]*)[ \t]+\Z")
# Names joined in a list share the status of the first: "ANSA/AFP", "Reuters e Bloomberg", "Reuters et l'AFP".
JOINER: re.Pattern[str] = re.compile(
    r"\A\s*(?:/|,|&|\+|\be\b|\band\b|\bo\b|\bor\b|\bund\b|\boder\b|\bet\b|\bou\b|\by\b)\s*"
    r"(?:(?:il|lo|la|i|gli|le|the|der|die|das|dem|den|les|el|los|las)\s+|l['’]\s*)?\Z",
    re.IGNORECASE,
)
