"""Tokens with offsets, stopwords and stems, per language.

Tokens are found on the *original* text (letters runs, or numbers with inner
separators such as ``347,8`` or ``15.000``) and folded one by one with
:func:`fold_for_matching`, so every token keeps its exact span.  A letter run
includes its combining marks (Devanagari and Thai vowel signs, Arabic harakat,
decomposed accents), which a regex word character class leaves out.

Scripts written without spaces between words get a script-based tokenisation,
since no word segmenter is installed (wordfreq's optional jieba and MeCab are
not dependencies): a run of Han ideographs and kana (Chinese, Japanese), or of
Thai, Lao, Khmer or Myanmar letters, becomes its overlapping character bigrams
("北京市政府" -> "北京", "京市", "市政", "政府"; a character keeps its combining
marks), the usual fallback of search engines for these scripts
(:mod:`provenance.scripts`, shared with the near-duplicate shingles).  A bigram is
its own stem; the true words among them are the ones shared by rewrites, and
the rarity weights of the scoring stage de-emphasise the common ones.

Stemming: dictionary lemmatisation (simplemma) followed by the Snowball stemmer
(PyStemmer) for the languages both cover, which include Italian and English:
the lemma first folds irregular inflections the stemmer alone keeps apart
("satellitari" and "satellitare"), the stem then conflates derivations
("attivare", "attivazione").  Stopwords: the stopwords-iso lists.  Fallback for
other languages: simplemma lemmatisation when it knows the language, otherwise
truncation to the first six characters (a crude but language-independent stem
that still conflates most inflections); a language with no stopword list gets
none, and the rarity weights of the scoring stage then de-emphasise its
function words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import simplemma
import Stemmer
import stopwordsiso

from provenance.normalize.text import fold_for_matching
from provenance.records import Token
from provenance.scripts import CJK, MARK, SPACELESS, SPACELESS_RUN, bigram_spans

try:  # the set of languages simplemma ships dictionaries for
    from simplemma.strategies.dictionaries.dictionary_factory import SUPPORTED_LANGUAGES as _SM
except ImportError:  # pragma: no cover - internal module moved
    _SM = frozenset()
SIMPLEMMA_LANGUAGES: frozenset[str] = frozenset(_SM)


TOKEN_RE = re.compile(
    r"\d+(?:[.,]\d+)*"  # numbers (any script's digits)
    rf"|(?P<bigrams>{SPACELESS_RUN})"  # a run of a script without spaces: split in bigrams (provenance.scripts)
    rf"|[^\W\d_{CJK}{SPACELESS}](?:[^\W\d_{CJK}{SPACELESS}]|{MARK})*"  # a letter run with its marks
)


_SNOWBALL = {
    "ar": "arabic", "ca": "catalan", "cs": "czech", "da": "danish", "de": "german", "el": "greek",
    "en": "english", "es": "spanish", "et": "estonian", "eu": "basque", "fi": "finnish", "fr": "french",
    "ga": "irish", "hi": "hindi", "hu": "hungarian", "hy": "armenian", "id": "indonesian", "it": "italian",
    "lt": "lithuanian", "ne": "nepali", "nl": "dutch", "no": "norwegian", "nb": "norwegian",
    "pl": "polish", "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian",
    "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}  # fmt: skip

FALLBACK_PREFIX = 6


@dataclass(frozen=True)
class Analyzer:
    """Turns text into :class:`Token` records for one language."""

    language: str
    stopwords: frozenset[str]
    stem_word: Callable[[str], str]
    method: str  # "lemma+snowball", "snowball", "simplemma", "prefix6": how stems are made

    def tokens(self, text: str, start: int = 0, end: int | None = None) -> list[Token]:
        """Tokens of ``text[start:end]`` with spans into ``text``."""
        return [Token(*t) for t in self.token_tuples(text, start, end)]

    def token_tuples(self, text: str, start: int = 0, end: int | None = None) -> list[TokenTuple]:
        """:meth:`tokens` as plain tuples ``(norm, stem, start, end, is_stopword)`` (cheaper to make)."""
        out: list[TokenTuple] = []
        stop = self.stopwords
        for m in TOKEN_RE.finditer(text, start, len(text) if end is None else end):
            if m.lastgroup == "bigrams":
                for s, e in bigram_spans(m.start(), m.group()):
                    norm = fold_for_matching(text[s:e])
                    out.append((norm, norm, s, e, norm in stop))
                continue
            norm, stem, is_stop = self.word(m.group())
            out.append((norm, stem, m.start(), m.end(), is_stop))
        return out

    def word(self, word: str) -> tuple[str, str, bool]:
        """``(norm, stem, is_stopword)`` of one word or number as written (not a bigram run)."""
        folded = _FOLDED
        known = folded.get(word)
        if known is None:
            if len(folded) > _FOLDED_MAX:
                folded.clear()
            known = folded[word] = fold_for_matching(word)
        return known, known if known[0].isdigit() else self.stem_word(known), known in self.stopwords

    @staticmethod
    def is_plain(text: str) -> bool:
        """Whether ``text`` has no combining mark and no character of a script written without spaces.

        Such text is tokenised by :meth:`plain_words`, a much simpler expression
        that finds the same tokens as :data:`TOKEN_RE` (letter runs and numbers).
        Only the distinct characters from U+0300 on (where the marks start) are
        looked at, found among the text's code points by numpy (ASCII text has none).
        """
        if text.isascii():
            return True
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        return not any(_SPECIAL.match(chr(c)) for c in np.unique(codes[codes >= 0x300]).tolist())

    @staticmethod
    def plain_words(text: str, start: int, end: int) -> list[str]:
        """The tokens of ``text[start:end]`` as written, for a text that :meth:`is_plain`: ``_PLAIN_RE``'s.

        No token spans white space or a punctuation mark of :data:`_BREAKS`.  So first the
        marks are made spaces and the passage split at white space: if the pieces together
        are letters alone (``str.isalpha``: then there is no number, whose ``.`` and ``,``
        would be part of it), each piece is one token, as in most paragraphs of prose,
        found without a step in Python per word.  Otherwise the expression is only run on
        the whitespace-separated pieces of the passage that are not one run of letters.
        """
        passage = text[start:end]
        spaced = passage
        for mark in _BREAKS:
            spaced = spaced.replace(mark, " ")
        pieces = spaced.split()
        if "".join(pieces).isalpha():
            return pieces
        out: list[str] = []
        keep, more, find = out.append, out.extend, _PLAIN_RE.findall
        for piece in passage.split():
            if piece.isalpha():
                keep(piece)
            else:
                more(find(piece))
        return out


TokenTuple = tuple[str, str, int, int, bool]  # a Token's fields, in order
_FOLDED: dict[str, str] = {}  # word as written -> its matching form (fold_for_matching), shared by all languages
_FOLDED_MAX = 1_000_000
# characters after which TOKEN_RE and _PLAIN_RE may differ: marks, and scripts split into bigrams
_SPECIAL = re.compile(f"[{CJK}{SPACELESS}]|{MARK}")
_PLAIN_RE = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+")
# punctuation that is never part of a token (``.`` and ``,`` are, of numbers): plain_words's first try
_BREAKS = (",", ".", "“", "”", "'", '"', "«", "»", ":", ";", "(", ")", "?", "!", "-", "’")


def _prefix_stem(word: str) -> str:
    return word[:FALLBACK_PREFIX]


@lru_cache(maxsize=64)
def analyzer_for(language: str | None) -> Analyzer:
    """The analyzer for an ISO 639-1 code; any unknown code gets the fallback."""
    lang = (language or "und").lower()
    stop = (
        frozenset(fold_for_matching(w) for w in stopwordsiso.stopwords(lang))
        if stopwordsiso.has_lang(lang)
        else frozenset()
    )
    if lang in _SNOWBALL:
        stemmer = Stemmer.Stemmer(_SNOWBALL[lang])
        lemmatize = lang in SIMPLEMMA_LANGUAGES
        cache: dict[str, str] = {}

        def snowball(word: str) -> str:
            s = cache.get(word)
            if s is None:
                base = str(simplemma.lemmatize(word, lang=lang)).casefold() if lemmatize else word
                s = cache[word] = stemmer.stemWord(base)
            return s

        return Analyzer(lang, stop, snowball, "lemma+snowball" if lemmatize else "snowball")
    if lang in SIMPLEMMA_LANGUAGES:

        @lru_cache(maxsize=100_000)
        def lemma(word: str) -> str:
            return str(simplemma.lemmatize(word, lang=lang)).casefold()

        return Analyzer(lang, stop, lemma, "simplemma")
    return Analyzer(lang, stop, _prefix_stem, "prefix6")
