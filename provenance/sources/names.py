"""Outlet names that are in no catalog: what a credited name looks like.

A credit names an outlet after an attribution cue ("according to The Ledger",
"come riporta SportOra", "secondo quanto riportato dal Faro Jonico") or before
a reporting verb ("the Redmarsh Evening Post reported").  The catalog
(:mod:`provenance.sources.catalog`) knows the big outlets and their aliases;
local papers, trade sites and foreign outlets it cannot know.  The same cues
also introduce people ("secondo Maria Rossi", "according to Eurostat", "told
the Ministry"), so a cued capitalised name is taken as an outlet only when it
*looks like one*, by rules that need no list of outlets:

* it has two words or more, one of which newspapers are named with
  (:data:`MEDIA_WORDS`: Post, Times, Gazzetta, Courier, Ledger, Notizie, Oggi,
  Daily, Wire, ...; a bare "Oggi" or "Report" is too common a word), or it is
  a web domain ("Finanza&Mercati.it");
* or it is a brand-shaped word: an inner capital ("SportOra", "EuroMonitor")
  or an ampersand ("Bourse & Boardroom");
* or its own title starts with a capitalised article in the middle of a
  sentence ("secondo Il Tratturo", "citing The Geo Dispatch"): people are not
  written so;
* or the cue itself says what it is: a media descriptor right before the name
  ("il quotidiano", "the local newspaper", "news site");
* or it relays another source: "X, che cita ...", "X, citing ...".

A lower-case article before a plain name of two words is not enough ("secondo
la Repubblica Ceca").

It is never an outlet when one of its words names an institution, an office
or an organisation that is not a newsroom (:data:`NOT_OUTLET_WORDS`: Ministry,
Regione, Police, Università, ...), or when it is written as a possessive
("Estonia's").

:func:`name_spans` finds the candidate spans (runs of capitalised words joined
by name connectors such as "del", "of", "&", and their tails); :func:`outlet_shape`
applies the rules that read the name, and
:data:`~provenance.sources.cues.DESCRIPTOR_END` the one that reads the cue;
:func:`display_name` gives the form reported (the name as written, a
capitalised leading article kept: "The Alpine Ledger", "La Gazzetta del
Cerrina"; a lower-case determiner, which belongs to the sentence, dropped).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# Words outlets are named with (casefolded); a name holding one of them is a newsroom's.
MEDIA_WORDS: frozenset[str] = frozenset(
    """
    post times news notizie gazzetta gazette gazzettino courier corriere wire daily ledger journal herald
    tribune monitor monitore quotidiano giornale eco voce report reporter dispatch magazine briefing oggi
    sera mattino press stampa radio tv tg today review observer guardian chronicle telegraph mirror express
    standard record notes bulletin weekly settimanale network channel canale informazione online web
    globe examiner inquirer sentinel messenger messaggero insider courant clarion gazeta zeitung nachrichten
    journal presse matin diario periodico noticias cronaca cronache giornali notiziario telegiornale blog
    newsletter gazet digest observer times24 news24 live24 economist financial finanza borsa mercati
    """.split()
)
# Words of institutions and organisations that are not outlets, and calendar words ("reported on
# Tuesday"), casefolded.
NOT_OUTLET_WORDS: frozenset[str] = frozenset(
    """
    ministry ministero minister ministro department dipartimento regione comune provincia prefettura
    questura procura polizia police carabinieri guardia tribunale court corte università university
    governo government parliament parlamento senato senate camera council consiglio commissione commission
    istituto institute ospedale hospital asl azienda bank banca office ufficio agency agenzia authority
    autorità federation federazione association associazione fondazione foundation union unione club
    party partito army esercito navy marina embassy ambasciata prosecutor prosecutors sindacato service servizio
    security sicurezza intelligence difesa defence defense interior interno ufficiale official
    company group gruppo spa ltd inc plc corporation school scuola church chiesa
    """.split()
)
CALENDAR_WORDS: frozenset[str] = frozenset(
    """
    monday tuesday wednesday thursday friday saturday sunday lunedì martedì mercoledì giovedì venerdì sabato
    domenica january february march april june july august september october november december gennaio
    febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre
    """.split()
)
_ARTICLES = frozenset({"the", "il", "lo", "la", "l", "i", "gli", "le", "les", "el", "los", "las", "der", "die", "das"})
_CONNECTORS = frozenset(
    {"del", "della", "delle", "dei", "degli", "dello", "di", "of", "de", "du", "des", "&", "and", "e"}
)

# A capitalised word: a letter-initial upper-case word, possibly with inner capitals, digits,
# "&", dots of a domain and apostrophes ("SportOra", "Finanza&Mercati.it", "L'Eco").
_CAP = r"(?:[A-ZÀ-ÖØ-Þ][\w'’]*(?:&[A-ZÀ-ÖØ-Þ]\w*)*(?:\.(?:it|com|net|org|eu|info|news|co\.uk)\b)?)"
_JOIN = r"(?:[ \t]+(?:(?:del|della|delle|dei|degli|dello|di|of|de|du|des)[ \t]+|&[ \t]+|and[ \t]+(?=[A-Z]))?)"
_LEAD = r"(?:(?:The|Il|Lo|La|Le|Les|El|Los|Las|Der|Die|Das)[ \t]+|L['’])?"
NAME: re.Pattern[str] = re.compile(rf"(?<![\w@&.])(?P<name>{_LEAD}{_CAP}(?:{_JOIN}{_CAP}){{0,5}})(?![\w&])")
_WORD = re.compile(r"[^\W_][\w'’]*|&")  # "Sant'Ilario" is one word
# Where a name may start inside a run: a capitalised word after a space, not after a connector.
_INNER_START = re.compile(
    r"(?<=[ \t])(?<!\bdel )(?<!\bdella )(?<!\bdelle )(?<!\bdei )(?<!\bdegli )(?<!\bdello )(?<!\bdi )"
    r"(?<!\bof )(?<!\bde )(?<!\bdu )(?<!\bdes )(?<!& )(?<!\band )[A-ZÀ-ÖØ-Þ]"
)
_RELAYS_NEXT = re.compile(r"\A,?\s*(?:che\s+cita|citando|citing|which\s+cites|quoting)\b", re.IGNORECASE)
_LEADING = re.compile(r"\A(?:(?P<article>The|Il|Lo|La|Le|Les|El|Los|Las|Der|Die|Das)[ \t]+|L['’])")
_SENTENCE_START = re.compile(r"(?:\A|[.!?:;\"“”«»(]\s*|\n\s*|\A\s+)\Z")


_CAPITAL = re.compile(r"[A-ZÀ-ÖØ-Þ]")  # the first character of every NAME match (an article's or a word's)


def _names(text: str) -> Iterator[re.Match[str]]:
    """``NAME.finditer(text)``: the same matches, tried only where a capital is.

    Every match opens with one (``_LEAD`` and ``_CAP`` both do), and a character class
    is found by the expression engine's fast scan, which ``NAME`` (it opens with a
    look-behind) does not get; each capital is matched in place, left to right,
    skipping those inside the previous match, as ``finditer`` does (the look-behind
    sees the text before the position).
    """
    end = 0
    for c in _CAPITAL.finditer(text):
        at = c.start()
        if at >= end and (m := NAME.match(text, at)) is not None:
            end = m.end()
            yield m


def name_spans(text: str) -> Iterator[list[tuple[int, int]]]:
    """Capitalised names (words joined by "del", "of", "&", ...) in ``text``.

    Each run of capitalised words comes as its candidate spans, longest
    first: the whole run, then the run from each later capitalised word on,
    since a run may open with a capitalised cue ("Secondo Il Tratturo").
    """
    for m in _names(text):
        start, end = m.span("name")
        while end > start and text[end - 1] in "'’":
            end -= 1  # a trailing apostrophe is a possessive, not part of the name
        if end <= start:
            continue
        starts = [start] + [start + w.start() for w in _INNER_START.finditer(text[start:end])]
        yield [(s, end) for s in starts if s < end]


def words(name: str) -> list[str]:
    """The casefolded words of a name, "&" included."""
    return [w.casefold() for w in _WORD.findall(name)]


def content_words(name: str) -> list[str]:
    """Words of a name other than articles and connectors."""
    return [w for w in words(name) if w not in _ARTICLES and w not in _CONNECTORS]


def leading_article_length(name: str) -> int:
    """Length of a capitalised leading article of ``name`` ("The ", "L'"), 0 if none."""
    m = _LEADING.match(name)
    return m.end() if m is not None else 0


def display_name(name: str) -> str:
    """The name as reported: whitespace collapsed, typographic apostrophe folded."""
    return re.sub(r"\s+", " ", name.replace("’", "'")).strip()


def cue_in_running_text(before_cue: str, cue: str) -> bool:
    """Whether a cue is written as running text: lower-case words, a capital only to open a sentence.

    "Lo riferisce", "according to", "published on Tuesday by" qualify;
    "Journal sprach" (the end of a name read as a descriptor and an adjective)
    does not.
    """
    for i, w in enumerate(re.findall(r"[^\W\d_]+", cue)):
        if not w[0].isupper() or w.casefold() in CALENDAR_WORDS:
            continue  # "first published on Tuesday by"
        if i > 0 or _SENTENCE_START.search(before_cue[-3:]) is None:
            return False
    return True


def outlet_shape(text: str, start: int, end: int) -> bool | None:
    """What the name ``text[start:end]`` and the text around it say, the cue aside.

    False: never an outlet (an institution's word, a possessive); True: it looks
    like one whatever the cue; None: only a media descriptor ending the cue
    ("il quotidiano X", :data:`~provenance.sources.cues.DESCRIPTOR_END`) can make it one.  A caller can
    settle most capitalised names (people, places) here, before it reads any cue.
    """
    name = text[start:end]
    after = text[end : end + 3]
    if after[:1] in ("'", "’") and after[1:2].lower() == "s":
        return False  # "Estonia's foreign ministry"
    ws = words(name)
    core = content_words(name)
    if not core or any(w in NOT_OUTLET_WORDS or w in CALENDAR_WORDS for w in ws):
        return False
    if re.search(r"\.(?:it|com|net|org|eu|info|news)\b", name):
        return True  # a web domain
    if len(core) >= 2 and any(w in MEDIA_WORDS for w in core):
        return True  # "Baltic Courier"; a bare "Oggi" or "Report" is too common a word alone
    parts = [p for w in _WORD.findall(name) for p in re.split(r"['’]", w)]  # "Sant'Ilario" has no inner capital
    if "&" in name or any(len(p) > 2 and any(c.isupper() for c in p[1:]) and not p.isupper() for p in parts):
        return True  # "Bourse & Boardroom", "SportOra"
    if _RELAYS_NEXT.match(text[end : end + 20]):
        return True  # "Lo riferisce Calcio Oltremanica, che cita ...": it relays another source
    # "secondo Il Tratturo": a capitalised article mid-sentence opens a title, not a person's name
    if _LEADING.match(name) is not None and not _SENTENCE_START.search(text[max(0, start - 3) : start]):
        return True
    return None
