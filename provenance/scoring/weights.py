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
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from wordfreq import zipf_frequency

BACKGROUND_DOC_WORDS = 400  # a news article's length in words, for p_bg


def background_doc_probability(word: str, language: str) -> float:
    """Chance that a background document of the language contains ``word``."""
    try:
        zipf = zipf_frequency(word, language)
    except (LookupError, ValueError):  # language unknown to wordfreq
        zipf = 0.0
    freq = 10.0**zipf / 1e9 if zipf > 0 else 0.0
    return 1.0 - math.exp(-freq * BACKGROUND_DOC_WORDS)


@dataclass
class TermWeights:
    """Fitted stem weights (see module docstring for the formula)."""

    prior_docs: float = 3.0
    n_docs: int = 0
    weights: dict[str, float] = field(default_factory=dict)

    def fit(self, documents: Iterable[tuple[str, dict[str, str]]]) -> TermWeights:
        """Fit from ``(language, {stem: a surface form})`` per document."""
        df: dict[str, int] = {}
        forms: dict[str, Counter[tuple[str, str]]] = {}
        n = 0
        for language, stems in documents:
            n += 1
            for stem, form in stems.items():
                df[stem] = df.get(stem, 0) + 1
                forms.setdefault(stem, Counter())[(form, language)] += 1
        self.n_docs = n
        top = math.log(n + self.prior_docs + 1)
        self.weights = {}
        for stem, count in df.items():
            # the stem's most frequent surface form stands for it in the background (ties: the first in
            # sort order), so the weights do not depend on the order of the documents
            form, lang = min(forms[stem].items(), key=lambda kv: (-kv[1], kv[0]))[0]
            p_bg = background_doc_probability(form, lang) if not form[0].isdigit() else 0.0
            self.weights[stem] = max(0.0, top - math.log(count + self.prior_docs * p_bg + 0.5))
        return self

    def weight(self, stem: str) -> float:
        """Weight of a stem; unseen stems count as seen once."""
        w = self.weights.get(stem)
        if w is None:
            return math.log(self.n_docs + self.prior_docs + 1) - math.log(1.5)
        return w
