"""Deterministic rewrite operations of controllable strength, with a sentence mapping.

A document under construction is a :class:`Draft`: paragraphs of
:class:`Sentence` objects.  Every sentence carries ``origins``, the ids of the
*original* sentences it renders (``"<article id>#<k>"`` for the k-th sentence
of a source article, ``"filler:<article id>#<k>"`` for inserted unrelated
material).  Rewriting never loses this mapping, however many generations deep:
two documents share a passage exactly when two of their sentences share an
origin, which is the passage-level ground truth of the benchmarks.
:meth:`Draft.render` gives the text (one paragraph per line, sentences joined
by a space) and the character span of every sentence in it.

:func:`rewrite` applies, in this order, with the probabilities of
:class:`RewriteParams` (all randomness from the ``random.Random`` passed in):

1. **drop** -- each body sentence is dropped with probability ``drop`` (at
   least ``min_keep`` of the body sentences are always kept);
2. **merge** -- two adjacent sentences of a paragraph are joined into one
   ("A. B." -> "A; b." / "A, e b." ...) with probability ``merge``; the merged
   sentence has the origins of both;
3. **reorder** -- a sentence is swapped with its successor in the paragraph
   with probability ``swap``; with probability ``swap / 2`` two body
   paragraphs are swapped;
4. **insert** -- after each body sentence, with probability ``insert``, one
   sentence of unrelated material (from :class:`FillerPool`: another
   article of the same language and another topic, each sentence used once)
   is inserted;
5. per sentence: **compression** (probability ``compress``: drop a
   parenthesis, a trailing relative/subordinate clause or an adverb -- never
   below 5 words), **translation-like reordering** (probability ``clause``:
   a trailing subordinate clause moved to the front, "A quando B." -> "Quando
   B, a."; a leading adverbial phrase moved to the end, "Secondo X, A." -> "A,
   secondo X."; or "X ha detto che Y." -> "Y, ha detto X."), **lexical
   paraphrase** (each occurrence of an entry of the in-repo synonym tables
   :data:`SYNONYMS` is replaced by one of its alternatives with probability
   ``lexical``), **inflection change** (each other word of 5+ letters is
   replaced by its lemma -- ``simplemma`` -- with probability ``inflect``:
   "installati" -> "installato", "packages" -> "package"), **number and date
   formats** (each number, date or percentage is reformatted with
   probability ``numbers``: "3" <-> "tre"/"three", "10000" -> "10.000"/
   "10,000", "16 agosto 1993" -> "16/08/1993", "50%" -> "50 per cento");
6. **append** -- with probability ``append`` a paragraph of unrelated material
   (``append_sentences`` sentences from the filler pool) is added at the end.

A sentence marked ``title`` (the headline) only gets step 5's lexical,
inflection and number changes.  This is *lexical* paraphrase: synonyms from a
small hand-written table, function-word swaps, clause moves and inflection
changes; no language model rewrites the text, so a strong rewrite here keeps
more of the source's content words than a human or machine paraphrase would.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cache

from benchmarks.textsource import SourceArticle


class Strength(StrEnum):
    LIGHT = "light"
    MODERATE = "moderate"
    STRONG = "strong"


@dataclass(frozen=True)
class RewriteParams:
    """Probabilities of the operations of :func:`rewrite` (see the module docstring)."""

    drop: float
    merge: float
    swap: float
    insert: float
    compress: float
    clause: float
    lexical: float
    inflect: float
    numbers: float
    append: float
    append_sentences: tuple[int, int] = (1, 3)
    min_keep: float = 0.5


PRESETS: dict[Strength, RewriteParams] = {
    Strength.LIGHT: RewriteParams(
        drop=0.05, merge=0.02, swap=0.03, insert=0.02, compress=0.10, clause=0.05,
        lexical=0.15, inflect=0.02, numbers=0.30, append=0.15, append_sentences=(1, 2),
    ),
    Strength.MODERATE: RewriteParams(
        drop=0.15, merge=0.06, swap=0.10, insert=0.05, compress=0.30, clause=0.20,
        lexical=0.45, inflect=0.06, numbers=0.60, append=0.35, append_sentences=(2, 3),
    ),
    Strength.STRONG: RewriteParams(
        drop=0.30, merge=0.15, swap=0.25, insert=0.10, compress=0.70, clause=0.50,
        lexical=1.00, inflect=0.25, numbers=0.90, append=0.55, append_sentences=(2, 4),
    ),
}  # fmt: skip


# ---------------------------------------------------------------------------- drafts


@dataclass(frozen=True)
class Sentence:
    """One sentence of a draft and the original sentences it renders."""

    text: str
    origins: frozenset[str]
    title: bool = False


@dataclass(frozen=True)
class SentenceSpan:
    """Where a sentence is in a rendered text, and which original sentences it renders."""

    start: int
    end: int
    origins: frozenset[str]


@dataclass(frozen=True)
class Rendered:
    text: str
    spans: tuple[SentenceSpan, ...]


@dataclass(frozen=True)
class Draft:
    """A document as paragraphs of sentences (paragraph 0 is the headline when it has a title sentence)."""

    paragraphs: tuple[tuple[Sentence, ...], ...]

    @property
    def sentences(self) -> list[Sentence]:
        return [s for p in self.paragraphs for s in p]

    def render(self) -> Rendered:
        """The text (paragraphs on their own lines, sentences joined by a space) and each sentence's span."""
        parts: list[str] = []
        spans: list[SentenceSpan] = []
        pos = 0
        for k, para in enumerate(p for p in self.paragraphs if p):
            if k:
                parts.append("\n")
                pos += 1
            for j, s in enumerate(para):
                if j:
                    parts.append(" ")
                    pos += 1
                parts.append(s.text)
                spans.append(SentenceSpan(pos, pos + len(s.text), s.origins))
                pos += len(s.text)
        return Rendered("".join(parts), tuple(spans))


def draft_from_article(article: SourceArticle) -> Draft:
    """The original draft of a source article: headline, then its paragraphs; origins ``<id>#<k>``."""
    paragraphs: list[tuple[Sentence, ...]] = [(Sentence(article.title, frozenset({f"{article.id}#title"}), True),)]
    k = 0
    for para in article.paragraphs:
        out = []
        for s in para:
            out.append(Sentence(s, frozenset({f"{article.id}#{k}"})))
            k += 1
        paragraphs.append(tuple(out))
    return Draft(tuple(paragraphs))


class FillerPool:
    """Unrelated sentences for insertions and appended material; each sentence is handed out once.

    The sentences of ``articles`` are taken article by article in a shuffled
    order (consecutive sentences of one article for an appended paragraph).
    """

    def __init__(self, articles: Sequence[SourceArticle], rng: random.Random) -> None:
        order = list(articles)
        rng.shuffle(order)
        self._queue: list[Sentence] = [
            Sentence(s, frozenset({f"filler:{a.id}#{k}"})) for a in order for k, s in enumerate(a.sentences)
        ]
        self._next = 0

    def __len__(self) -> int:
        return len(self._queue) - self._next

    def take(self, n: int) -> list[Sentence]:
        out = self._queue[self._next : self._next + n]
        self._next += len(out)
        return out


# ---------------------------------------------------------------------------- lexical tables

_SYNONYMS_IT = """
utilizzare: usare | adoperare | impiegare
utilizza: usa | adopera | impiega
utilizzano: usano | adoperano | impiegano
utilizzato: usato | impiegato | adoperato
utilizzata: usata | impiegata
utilizzati: usati | impiegati
utilizzate: usate | impiegate
usare: utilizzare | adoperare
usa: utilizza | adopera
usato: utilizzato | impiegato
permette: consente
permettono: consentono
permettere: consentire
consente: permette
consentono: permettono
fornisce: offre | mette a disposizione
forniscono: offrono | mettono a disposizione
fornire: offrire
offre: fornisce | propone
necessario: indispensabile | richiesto
necessaria: indispensabile | richiesta
importante: rilevante | significativo
importanti: rilevanti
diversi: vari | numerosi
diverse: varie | numerose
molti: numerosi | parecchi
molte: numerose | parecchie
molto: assai | particolarmente
grandi: notevoli
semplice: facile | elementare
semplici: facili | elementari
facilmente: agevolmente | senza difficoltà
generalmente: di solito | in genere | solitamente
spesso: sovente | di frequente
subito: immediatamente
rapidamente: velocemente | in fretta
tuttavia: però | ciononostante | comunque
inoltre: in più | per di più | oltre a ciò
quindi: perciò | dunque | pertanto
dunque: quindi | pertanto
pertanto: quindi | perciò
infatti: in effetti | difatti
anche: pure | altresì
ad esempio: per esempio | per fare un esempio
per esempio: ad esempio
invece: al contrario
poiché: dato che | siccome | visto che
dato che: poiché | visto che
in modo da: così da
al fine di: allo scopo di | per
attraverso: tramite | mediante | per mezzo di
tramite: attraverso | mediante
mediante: tramite | attraverso
circa: all'incirca | più o meno
solo: soltanto | solamente
soltanto: solo | solamente
ora: adesso
adesso: ora
attualmente: oggi | al momento
successivamente: in seguito | poi
poi: in seguito | successivamente
infine: alla fine | da ultimo
computer: calcolatore | elaboratore
programma: software | applicativo
programmi: software | applicativi
utente: utilizzatore
utenti: utilizzatori
amministratore: gestore | responsabile
amministratori: gestori | responsabili
scopo: obiettivo | fine
obiettivo: scopo | traguardo
problema: inconveniente
problemi: inconvenienti
metodo: procedimento | sistema
sviluppatori: programmatori
sviluppatore: programmatore
versione: release | edizione
versioni: release | edizioni
aggiornamento: update
aggiornamenti: update
eseguire: lanciare | avviare
esegue: lancia | avvia
eseguito: lanciato | avviato
avviare: lanciare | eseguire
scegliere: selezionare
sceglie: seleziona
creare: realizzare | generare
crea: realizza | genera
creato: realizzato | generato
cambiare: modificare
contiene: include | comprende
contengono: includono | comprendono
include: contiene | comprende
richiede: necessita di | esige
richiedono: necessitano di | esigono
bisogna: occorre | è necessario
occorre: bisogna | serve
principale: fondamentale
principali: fondamentali
numerosi: molti | tanti
numerose: molte | tante
vari: diversi
varie: diverse
nuovi: recenti
nuove: recenti
effettuare: eseguire | compiere
effettua: esegue | compie
verificare: controllare
controllare: verificare
garantire: assicurare
garantisce: assicura
assicura: garantisce
mostra: visualizza | presenta
mostrare: visualizzare
indicare: segnalare
descrive: illustra | presenta
spiegare: chiarire | illustrare
ottenere: ricavare | conseguire
trovare: individuare | reperire
trova: individua
gestire: amministrare | governare
gestisce: amministra
funzionare: operare
funziona: opera
caratteristiche: peculiarità | proprietà
ha detto: ha affermato | ha dichiarato | ha spiegato
ha dichiarato: ha detto | ha affermato
ha affermato: ha detto | ha dichiarato
ha aggiunto: ha proseguito | ha precisato
ha spiegato: ha chiarito | ha detto
ha annunciato: ha reso noto | ha comunicato
notizia: informazione | novità
notizie: informazioni | novità
dichiarazioni: affermazioni
giornalisti: cronisti
governo: esecutivo
il quale: che
la quale: che
i quali: che
le quali: che
"""

_SYNONYMS_EN = """
use: utilize | employ
uses: utilizes | employs
used: utilized | employed
using: utilizing | employing
allows: enables | permits
allow: enable | permit
enables: allows | permits
provides: offers | supplies
provide: offer | supply
offers: provides
however: nevertheless | still
also: additionally | likewise
therefore: thus | hence | consequently
thus: therefore | hence
moreover: furthermore | in addition | besides
furthermore: moreover | in addition
for example: for instance | as an example
for instance: for example
because: since | as
although: though | even though | while
many: numerous
several: various | a number of
various: several | diverse
important: significant | relevant | key
main: primary | principal | chief
large: big | sizable
big: large
small: little | tiny
simple: easy | straightforward | basic
easy: simple | effortless
easily: readily | without difficulty
often: frequently | regularly
usually: generally | typically | normally
generally: usually | typically
quickly: rapidly | swiftly
only: just | merely | solely
currently: now | at present | presently
then: subsequently | afterwards | next
finally: lastly | in the end
very: extremely | highly | really
quite: fairly | rather
fully: completely | entirely
completely: fully | entirely
need: require
needs: requires
required: needed | necessary
necessary: required | needed
computer: machine
computers: machines
program: application
programs: applications
administrator: admin | sysadmin
administrators: admins | sysadmins
developers: programmers | coders
developer: programmer | coder
problem: issue | difficulty
problems: issues | difficulties
goal: aim | objective | purpose
method: approach | technique
example: instance | case
start: launch | begin | initiate
starts: launches | begins
run: execute | launch
runs: executes
create: build | make | generate
creates: builds | generates
created: built | generated
modify: change | alter | edit
contains: includes | holds
contain: include | hold
includes: contains | comprises
include: contain | comprise
choose: select | pick
select: choose | pick
check: verify | inspect
verify: check | confirm
ensure: guarantee | make sure
ensures: guarantees
show: display | present
shows: displays | presents
describes: explains | outlines | presents
explain: describe | clarify
find: locate | identify
obtain: get | acquire
manage: handle | administer
manages: handles | administers
handle: manage | deal with
works: functions | operates
features: capabilities | functions
new: recent | fresh
possible: feasible
whole: entire | complete
entire: whole | complete
said: stated | declared | explained
says: states | declares
told: informed
announced: revealed | disclosed | made public
officials: authorities
spokesman: spokesperson | representative
government: administration
which: that
"""


def _parse_table(text: str) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for line in text.strip().splitlines():
        key, _, alts = line.partition(":")
        out[key.strip()] = tuple(a.strip() for a in alts.split("|") if a.strip())
    return out


SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {"it": _parse_table(_SYNONYMS_IT), "en": _parse_table(_SYNONYMS_EN)}


@cache
def _synonym_regex(language: str) -> re.Pattern[str]:
    keys = sorted(SYNONYMS[language], key=len, reverse=True)
    return re.compile(r"(?<![\w'’-])(" + "|".join(re.escape(k) for k in keys) + r")(?![\w'’-])", re.IGNORECASE)


def _match_case(word: str, like: str) -> str:
    if like[:1].isupper() and not like.isupper():
        return word[:1].upper() + word[1:]
    if like.isupper() and len(like) > 1:
        return word.upper()
    return word


def lexical_paraphrase(text: str, language: str, p: float, rng: random.Random) -> tuple[str, int]:
    """Replace each synonym-table phrase by an alternative with probability ``p``; returns (text, changes)."""
    table = SYNONYMS.get(language)
    if not table or p <= 0:
        return text, 0
    changes = 0

    def sub(m: re.Match[str]) -> str:
        nonlocal changes
        found = m.group(1)
        if rng.random() >= p:
            return found
        changes += 1
        return _match_case(rng.choice(table[found.casefold()]), found)

    return _synonym_regex(language).sub(sub, text), changes


# ---------------------------------------------------------------------------- inflection

_WORD = re.compile(r"(?<![\w'’./-])([^\W\d_]{5,})(?![\w'’/-])")


def inflection_change(text: str, language: str, p: float, rng: random.Random) -> tuple[str, int]:
    """Replace each lower-case word of 5+ letters by its ``simplemma`` lemma with probability ``p``."""
    if p <= 0:
        return text, 0
    import simplemma

    changes = 0

    def sub(m: re.Match[str]) -> str:
        nonlocal changes
        word = m.group(1)
        if not word.islower() or rng.random() >= p:
            return word
        lemma = simplemma.lemmatize(word, lang=language)
        if not lemma or lemma == word or not lemma.isalpha():
            return word
        changes += 1
        return lemma

    return _WORD.sub(sub, text), changes


# ---------------------------------------------------------------------------- numbers and dates

_NUMBER_WORDS = {
    "it": "zero uno due tre quattro cinque sei sette otto nove dieci undici dodici".split(),
    "en": "zero one two three four five six seven eight nine ten eleven twelve".split(),
}
_MONTHS = {
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre".split(),
    "en": "January February March April May June July August September October November December".split(),
}
_PERCENT = {"it": " per cento", "en": " percent"}
_FREE_NUMBER = r"(?<![\w.,/:-])(\d{1,3}(?:[.,]\d{3})+|\d+)(?![\w/:-]|[.,]\d)"


def _date_regexes(language: str) -> list[re.Pattern[str]]:
    months = "|".join(_MONTHS[language])
    if language == "it":
        return [re.compile(rf"\b(\d{{1,2}}) ({months}) (\d{{4}})\b", re.IGNORECASE)]
    return [
        re.compile(rf"\b({months}) (\d{{1,2}})(?:st|nd|rd|th)?, (\d{{4}})\b"),
        re.compile(rf"\b(\d{{1,2}}) ({months}) (\d{{4}})\b"),
    ]


def number_format_change(text: str, language: str, p: float, rng: random.Random) -> tuple[str, int]:
    """Reformat dates, percentages and free-standing numbers, each with probability ``p``.

    Dates "16 agosto 1993" / "August 16th, 1993" become "16/08/1993" (IT) or
    "1993-08-16" (EN); "N%" becomes "N per cento" / "N percent" and back;
    0-12 become words and number words 0-12 digits; integers of 4+ digits
    (except years 1900-2099) get or lose thousands separators.
    """
    if p <= 0 or language not in _MONTHS:
        return text, 0
    changes = 0
    months = [m.casefold() for m in _MONTHS[language]]

    def date_sub(m: re.Match[str]) -> str:
        nonlocal changes
        if rng.random() >= p:
            return m.group(0)
        g = m.groups()
        day, month, year = (g[1], g[0], g[2]) if not g[0].isdigit() else (g[0], g[1], g[2])
        mm = months.index(month.casefold()) + 1
        changes += 1
        return f"{int(day):02d}/{mm:02d}/{year}" if language == "it" else f"{year}-{mm:02d}-{int(day):02d}"

    for rx in _date_regexes(language):
        text = rx.sub(date_sub, text)

    pct = _PERCENT[language]

    def pct_sub(m: re.Match[str]) -> str:
        nonlocal changes
        if rng.random() >= p:
            return m.group(0)
        changes += 1
        return m.group(1) + pct if m.group(2) == "%" else m.group(1) + "%"

    text = re.sub(rf"(\d+(?:[.,]\d+)?)(%|{re.escape(pct)}\b)", pct_sub, text)
    words = _NUMBER_WORDS[language]
    sep = "." if language == "it" else ","

    def num_sub(m: re.Match[str]) -> str:
        nonlocal changes
        tok = m.group(1)
        digits = tok.replace(".", "").replace(",", "")
        if rng.random() >= p:
            return tok
        if tok.isdigit() and int(tok) <= 12 and len(tok) <= 2 and tok == str(int(tok)):
            changes += 1
            return words[int(tok)]
        if len(digits) >= 4 and not (len(digits) == 4 and 1900 <= int(digits) <= 2099):
            changes += 1
            return digits if tok != digits else f"{int(digits):,}".replace(",", sep)
        return tok

    text = re.sub(_FREE_NUMBER, num_sub, text)

    def word_sub(m: re.Match[str]) -> str:
        nonlocal changes
        if rng.random() >= p / 2:
            return m.group(0)
        changes += 1
        return str(words.index(m.group(0).casefold()))

    text = re.sub(r"\b(" + "|".join(words[2:]) + r")\b(?= [^\W\d_]{3,})", word_sub, text)
    return text, changes


# ---------------------------------------------------------------------------- compression

_SUBORDINATE = {
    "it": "che|il quale|la quale|i quali|le quali|dove|mentre|poiché|perché|sebbene|anche se|in modo da|così da|"
    "grazie a|senza|dato che|visto che|soprattutto|in particolare|come",
    "en": "which|who|where|while|because|since|although|so that|without|especially|in particular|such as|"
    "thanks to|as well as|even if|unless",
}
_ADVERBS = {
    "it": "molto|anche|già|ancora|spesso|generalmente|solitamente|semplicemente|soltanto|particolarmente|davvero|"
    "ovviamente|naturalmente|certamente|comunque|infatti|inoltre|quindi",
    "en": "very|also|already|still|often|usually|generally|simply|just|only|particularly|really|obviously|"
    "naturally|certainly|actually|indeed|quite|fully|easily",
}


def _n_words(text: str) -> int:
    return len(text.split())


def _end_punct(text: str) -> tuple[str, str]:
    m = re.search(r"[.!?:;…]+[\"'”’»)\]]*$", text)
    return (text[: m.start()], text[m.start() :]) if m else (text, "")


def compress(text: str, language: str, rng: random.Random) -> str:
    """Drop one parenthesis, trailing subordinate clause or adverb (never below 5 words); may return ``text``."""
    body, end = _end_punct(text)
    candidates: list[str] = []
    stripped = re.sub(r"\s*\([^()]{2,}\)", "", body)
    if stripped != body:
        candidates.append(stripped)
    sub = _SUBORDINATE.get(language)
    if sub:
        m = re.search(rf",\s+(?:{sub})\b[^,]*$", body, re.IGNORECASE)
        if m and m.start() > 0:
            candidates.append(body[: m.start()])
    adv = _ADVERBS.get(language)
    if adv:
        hits = list(re.finditer(rf"(?<=\s)(?:{adv}|\w{{4,}}(?:mente|ly))\b,?\s+", body, re.IGNORECASE))
        if hits:
            h = rng.choice(hits)
            candidates.append(body[: h.start()] + body[h.end() :])
    candidates = [c.strip().rstrip(",;") for c in candidates if _n_words(c) >= 5]
    if not candidates:
        return text
    return rng.choice(candidates) + (end or ".")


# ---------------------------------------------------------------------------- clause reordering

_FRONTABLE = {
    "it": "quando|se|perché|poiché|mentre|dopo che|prima che|anche se|sebbene|affinché|finché|dato che|visto che",
    "en": "when|if|because|since|while|after|before|although|unless|once|as soon as|even if|even though",
}
_LEADING = {
    "it": "in|nel|nella|nei|nelle|per|con|secondo|dopo|prima|durante|grazie a|a partire da|oltre a|come|"
    "stando a|tuttavia|inoltre|infine|in questo caso|in pratica|di solito|in genere|oggi|allo stesso modo",
    "en": "in|on|for|with|according to|after|before|during|thanks to|as reported by|by default|as|however|"
    "moreover|finally|in practice|usually|today|in this case|for example|for instance|similarly",
}
_REPORTING = {
    "it": "ha detto|ha dichiarato|ha spiegato|ha affermato|ha aggiunto|ha sottolineato|ha scritto|spiega|afferma|"
    "dichiara|sostiene|osserva|ricorda|scrive|riferisce|riporta",
    "en": "said|says|explained|stated|added|noted|wrote|writes|reported|reports|argued|argues|claimed|claims",
}


def decapitalize(text: str, proper: frozenset[str]) -> str:
    """Lower-case the first letter unless the first word looks like a name or acronym."""
    first = re.match(r"[\w'’-]+", text)
    if not first:
        return text
    word = first.group(0)
    if word in proper or word == "I" or any(c.isupper() for c in word[1:]) or any(c.isdigit() for c in word):
        return text
    return text[:1].lower() + text[1:]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def clause_reorder(text: str, language: str, rng: random.Random, proper: frozenset[str]) -> str:
    """One "translation-like" reordering (see the module docstring); may return ``text`` unchanged."""
    body, end = _end_punct(text)
    end = end or "."
    options: list[str] = []
    front = _FRONTABLE.get(language)
    if front:
        m = re.match(rf"^(?P<main>.{{15,}}?)(?:,\s*|\s+)(?P<sub>(?:{front})\s[^,]{{10,}})$", body)
        if m:
            options.append(f"{_cap(m.group('sub'))}, {decapitalize(m.group('main'), proper)}{end}")
    lead = _LEADING.get(language)
    if lead:
        m = re.match(rf"^(?P<lead>(?:{lead})\b[^,]{{0,60}}),\s+(?P<rest>.{{15,}})$", body, re.IGNORECASE)
        if m:
            options.append(f"{_cap(m.group('rest'))}, {decapitalize(m.group('lead'), proper)}{end}")
    rep = _REPORTING.get(language)
    if rep:
        that = "che" if language == "it" else "that"
        m = re.match(rf"^(?P<subj>[^,]{{3,60}}?)\s+(?P<verb>{rep})\s+(?:{that}\s+)?(?P<rest>.{{15,}})$", body)
        if m:
            options.append(f"{_cap(m.group('rest'))}, {m.group('verb')} {m.group('subj')}{end}")
    return rng.choice(options) if options else text


# ---------------------------------------------------------------------------- merging

_JOINERS = {"it": ("; ", ", e ", ": "), "en": ("; ", ", and ", ": ")}


def merge_sentences(a: Sentence, b: Sentence, language: str, rng: random.Random, proper: frozenset[str]) -> Sentence:
    body, _ = _end_punct(a.text)
    joiner = rng.choice(_JOINERS.get(language, ("; ",)))
    return Sentence(body + joiner + decapitalize(b.text, proper), a.origins | b.origins)


# ---------------------------------------------------------------------------- the rewrite


def proper_words(texts: Iterable[str]) -> frozenset[str]:
    """Words written capitalised somewhere other than at the start of a sentence (names, acronyms)."""
    out: set[str] = set()
    for t in texts:
        for m in re.finditer(r"(?<=[^\s.!?:;]\s)([A-ZÀ-Ý][\w'’-]*)", t):
            out.add(m.group(1))
    return frozenset(out)


@dataclass
class RewriteLog:
    """How many times each operation changed something (for reports and tests)."""

    counts: Counter[str] = field(default_factory=Counter)


def rewrite(
    draft: Draft,
    params: RewriteParams,
    rng: random.Random,
    language: str,
    filler: FillerPool,
    log: RewriteLog | None = None,
) -> Draft:
    """A rewrite of ``draft`` (operations and order in the module docstring); origins are preserved."""
    log = log or RewriteLog()
    c = log.counts
    proper = proper_words(s.text for s in draft.sentences)
    paras = [list(p) for p in draft.paragraphs]
    body = [(i, j) for i, p in enumerate(paras) for j, s in enumerate(p) if not s.title]

    # 1. drop
    max_drop = int(len(body) * (1 - params.min_keep))
    dropped = {key for key in body if rng.random() < params.drop}
    if len(dropped) > max_drop:
        dropped = set(rng.sample(sorted(dropped), max_drop))
    c["drop"] += len(dropped)
    paras = [[s for j, s in enumerate(p) if (i, j) not in dropped] for i, p in enumerate(paras)]

    # 2. merge and 3. reorder inside paragraphs
    for p in paras:
        j = 0
        while j + 1 < len(p):
            if not p[j].title and not p[j + 1].title and rng.random() < params.merge:
                p[j : j + 2] = [merge_sentences(p[j], p[j + 1], language, rng, proper)]
                c["merge"] += 1
            j += 1
        for j in range(len(p) - 1):
            if not p[j].title and not p[j + 1].title and rng.random() < params.swap:
                p[j], p[j + 1] = p[j + 1], p[j]
                c["swap"] += 1
    body_paras = [i for i, p in enumerate(paras) if p and not p[0].title]
    if len(body_paras) >= 2 and rng.random() < params.swap / 2:
        x, y = rng.sample(body_paras, 2)
        paras[x], paras[y] = paras[y], paras[x]
        c["paragraph-swap"] += 1

    # 4. insert unrelated sentences
    for p in paras:
        out: list[Sentence] = []
        for s in p:
            out.append(s)
            if not s.title and rng.random() < params.insert:
                extra = filler.take(1)
                out.extend(extra)
                c["insert"] += len(extra)
        p[:] = out

    # 5. sentence-level text changes
    for p in paras:
        for j, s in enumerate(p):
            text = s.text
            if not s.title:
                if rng.random() < params.compress:
                    new = compress(text, language, rng)
                    c["compress"] += new != text
                    text = new
                if rng.random() < params.clause:
                    new = clause_reorder(text, language, rng, proper)
                    c["clause"] += new != text
                    text = new
            text, n = lexical_paraphrase(text, language, params.lexical, rng)
            c["lexical"] += n
            text, n = inflection_change(text, language, params.inflect, rng)
            c["inflect"] += n
            text, n = number_format_change(text, language, params.numbers, rng)
            c["numbers"] += n
            if text != s.text:
                p[j] = replace(s, text=text)

    # 6. appended unrelated material
    if rng.random() < params.append:
        extra = filler.take(rng.randint(*params.append_sentences))
        if extra:
            paras.append(extra)
            c["append"] += len(extra)
    return Draft(tuple(tuple(p) for p in paras if p))
