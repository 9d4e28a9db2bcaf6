"""Term weights for paraphrase-tolerant matching: rarity in the collection, smoothed by a background.

A shared word is evidence of reuse in proportion to how unlikely it is that two
independent texts of the same collection both use it.  With ``N`` documents and
``df(t)`` of them containing stem ``t``,

    w(t) = ln( (N + N0 + 1) / (df(t) + N0 * p_bg(t) + 0.5) )

is an inverse document frequency in which ``N0`` pseudo-documents drawn from
the language's background (wordfreq's frequency lists) are added to the
collection.  ``p_bg(t) = 1 - exp(-f(t) * L)`` is the chance that a background
document of ``L`` words contains the word, ``f(t)`` its wordfreq frequency.  The
background keeps a two-document comparison meaningful (a function word is
common even when only two documents are seen), while in a collection about one
story, the story's own vocabulary ("Musk", "Putin", "Cremlino") gets a low
weight because it occurs in most documents; names and details shared by only
a few documents get a high one.

Chinese, Japanese and Korean: wordfreq looks words up through optional
segmenters (jieba for Chinese, MeCab for Japanese and Korean), which are not
dependencies of provenance.  When one is missing (an ``ImportError`` on the
first lookup, remembered for the language), the word is looked up as it is in
the language's frequency list: the analyzer's character bigrams of Chinese
and Japanese text (:mod:`provenance.normalize.analyzer`) are often words of the
list ("北京", "政府"), and a form the list does not hold (a bigram across a word
boundary, a traditional character, a Korean word with its particle) counts as
rare, like any word of a language wordfreq does not know.  With the segmenter
installed, wordfreq's own lookup is used.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat
from typing import TYPE_CHECKING

from wordfreq import get_frequency_dict, zipf_frequency
from wordfreq.language_info import get_language_info

if TYPE_CHECKING:
    from provenance.scoring.table import TermStats

BACKGROUND_DOC_WORDS = 400  # a news article's length in words, for p_bg

_NO_SEGMENTER: set[str] = set()  # languages whose wordfreq segmenter (jieba, MeCab) could not be loaded


@lru_cache(maxsize=256)
def _segmentable(language: str) -> bool:
    """Whether wordfreq can split the language's script into words (not Thai, Lao, Khmer, Myanmar...).

    It has no word list for the others and would only log that "the results will be bad".
    """
    try:
        return get_language_info(language)["tokenizer"] is not None
    except (LookupError, ValueError):
        return False


@lru_cache(maxsize=256)
def _has_wordlist(language: str) -> bool:
    """Whether wordfreq has a frequency list for the language (asked once per language).

    wordfreq caches the lists it finds but not a failed search, which lists its data directory
    again on every call: 1.5 ms per word of an undetermined ("und") text.  Its nearest-match
    fallback (Croatian "hr" reads the Serbo-Croatian "sh" list) is wanted, but wordfreq logs it
    as a warning on stderr the first time, which ``-q`` must not show: this first lookup runs
    with wordfreq's logger at ERROR, and later ones hit its cache.
    """
    logger = logging.getLogger("wordfreq")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        get_frequency_dict(language)
    except (LookupError, ValueError):
        return False
    finally:
        logger.setLevel(level)
    return True


def word_probability(word: str, language: str) -> float:
    """wordfreq's frequency of ``word`` in the language (0 if unknown); see the module docstring."""
    if not _segmentable(language) or not _has_wordlist(language):
        return 0.0
    if language not in _NO_SEGMENTER:
        try:
            zipf = zipf_frequency(word, language)
        except (LookupError, ValueError):  # language unknown to wordfreq
            return 0.0
        except (ImportError, RuntimeError):  # jieba or MeCab (or MeCab's dictionary) missing
            _NO_SEGMENTER.add(language)
        else:
            return 10.0**zipf / 1e9 if zipf > 0 else 0.0
    try:
        return get_frequency_dict(language).get(word, 0.0)
    except (LookupError, ValueError):
        return 0.0


def background_doc_probability(word: str, language: str) -> float:
    """Chance that a background document of the language contains ``word``."""
    return 1.0 - math.exp(-word_probability(word, language) * BACKGROUND_DOC_WORDS)


@dataclass
class TermCounts:
    """What :meth:`TermWeights.fit` counts: documents, document frequencies and surface forms.

    Counts of parts of a collection (computed where the parts' profiles are built) are
    merged (:meth:`merge`) in the order of the parts: the result, and its order of first
    occurrence, are those of counting the whole collection at once.
    """

    n_docs: int = 0
    df: Counter[str] = field(default_factory=Counter)
    forms: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (stem, surface form, language) -> docs

    def add(self, documents: Iterable[tuple[str, dict[str, str]]]) -> TermCounts:
        """Count ``(language, {stem: a surface form})`` per document."""
        df, forms = self.df, self.forms
        for language, stems in documents:  # counted in C (Counter over iterables, not mappings)
            self.n_docs += 1
            df.update(stems.keys())
            forms.update(zip(stems.keys(), stems.values(), repeat(language)))
        return self

    def merge(self, other: TermCounts) -> TermCounts:
        """Add the counts of the documents that follow (``other``)."""
        self.n_docs += other.n_docs
        self.df.update(other.df)
        self.forms.update(other.forms)
        return self


@dataclass
class TermWeights:
    """Fitted stem weights (see module docstring for the formula)."""

    prior_docs: float = 3.0
    n_docs: int = 0
    weights: dict[str, float] = field(default_factory=dict)

    def fit(self, documents: Iterable[tuple[str, dict[str, str]]]) -> TermWeights:
        """Fit from ``(language, {stem: a surface form})`` per document."""
        return self.fit_counts(TermCounts().add(documents))

    def fit_counts(self, counts: TermCounts) -> TermWeights:
        """Fit from the collection's :class:`TermCounts`."""
        # the stem's most frequent surface form stands for it in the background (ties: the first in
        # sort order), so the weights do not depend on the order of the documents
        best: dict[str, tuple[int, str, str]] = {}
        for (stem, form, language), count in counts.forms.items():
            key = (-count, form, language)
            if stem not in best or key < best[stem]:
                best[stem] = key
        terms = ((stem, count, best[stem][1], best[stem][2]) for stem, count in counts.df.items())
        return self._fit(counts.n_docs, terms)

    def fit_stats(self, stats: TermStats) -> TermWeights:
        """Fit from a collection's :class:`~provenance.scoring.table.TermStats` (the same weights as :meth:`fit`).

        A term that no document's surface names (a document frequency of 0) keeps the weight of an unseen stem.
        """
        seen = stats.df.tolist()
        items = zip(stats.terms, seen, stats.forms, stats.languages, strict=True)
        return self._fit(stats.n_docs, (item for item in items if item[1] > 0))

    def _fit(self, n_docs: int, terms: Iterable[tuple[str, int, str, str]]) -> TermWeights:
        """The weights of ``(stem, document frequency, representative form, its language)``."""
        self.n_docs = n_docs
        top = math.log(n_docs + self.prior_docs + 1)
        self.weights = {}
        for stem, count, form, lang in terms:
            p_bg = background_doc_probability(form, lang) if not form[0].isdigit() else 0.0
            self.weights[stem] = max(0.0, top - math.log(count + self.prior_docs * p_bg + 0.5))
        return self

    def weight(self, stem: str) -> float:
        """Weight of a stem; unseen stems count as seen once."""
        w = self.weights.get(stem)
        if w is None:
            return math.log(self.n_docs + self.prior_docs + 1) - math.log(1.5)
        return w
