"""Per-document language identification, offline.

Uses py3langid (a maintained fork of langid.py: a multinomial naive Bayes model
over byte n-grams that ships inside the package, 97 languages).  The raw
log-probabilities are turned into a posterior with a softmax; below
``min_confidence`` or for texts with too few letters the language is reported
as ``"und"`` (undetermined, ISO 639-2) and the language-independent fallback
analysis is used.  Only a prefix of the text is read (:data:`PREFIX_CHARS`):
a news article's language is settled by its first paragraphs, and the model's
cost grows with the text.

In a collection (:func:`detect_languages`), a text the model finds ambiguous
on its own (posterior below ``settled``, 0.9: a short caption, a name-heavy
paragraph, text the model was not trained on) is decided with the
collection's language distribution as its prior instead of the model's
uniform one: the mixture weights of the languages, estimated by
expectation-maximisation over the posteriors of all the collection's texts
(maximum likelihood).  So it takes the language its collection is written in
instead of "und" or a neighbouring language, while a text the model is sure
of keeps its language however rare it is in the collection.  This matters beyond the label: documents in
different languages are analysed with different stemmers and compared across
languages (anchors and sentence vectors), so a collection whose copies flip
between "it" and "und" would lose its rewrites and pay for the encoder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

UNDETERMINED = "und"
PREFIX_CHARS = 3000  # characters of a document read by the language model (about 450 words)


@dataclass(frozen=True)
class LanguageGuess:
    code: str  # ISO 639-1 code, or "und"
    confidence: float


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _letters(sample: str) -> int:
    return sum(map(str.isalpha, sample))


def language_probabilities(text: str) -> np.ndarray:
    """The model's posterior over its labels (``labels()``) for the prefix of ``text`` (uniform prior)."""
    return np.asarray(_identifier()._decide(text[:PREFIX_CHARS]), dtype=np.float64)


def labels() -> list[str]:
    """The model's label of each column of :func:`language_probabilities`."""
    return list(_identifier().nb_classes)


def detect_language(text: str, min_confidence: float = 0.5, min_letters: int = 20) -> LanguageGuess:
    """Guess the language of ``text`` on its own (only the first :data:`PREFIX_CHARS` characters are read)."""
    return detect_languages([text], min_confidence, min_letters, collection_prior=False)[0]


EM_ROUNDS = 50


def _collection_prior(posteriors: np.ndarray, rounds: int = EM_ROUNDS, tol: float = 1e-6) -> np.ndarray:
    """Maximum-likelihood language proportions of a collection, by EM over uniform-prior posteriors (rows)."""
    prior = posteriors.mean(axis=0)
    for _ in range(rounds):
        post = posteriors * prior
        post /= np.maximum(post.sum(axis=1, keepdims=True), 1e-300)
        new = post.mean(axis=0)
        done = float(np.abs(new - prior).max()) < tol
        prior = new
        if done:
            break
    return np.asarray(prior)


def sample_probabilities(texts: Sequence[str], min_letters: int = 20) -> list[np.ndarray | None]:
    """:func:`language_probabilities` of each text, None for a text with fewer than ``min_letters`` letters."""
    out: list[np.ndarray | None] = []
    for text in texts:
        sample = text[:PREFIX_CHARS]
        out.append(language_probabilities(sample) if _letters(sample) >= min_letters else None)
    return out


def detect_languages(
    texts: Sequence[str],
    min_confidence: float = 0.5,
    min_letters: int = 20,
    collection_prior: bool = True,
    settled: float = 0.9,
    probabilities: Sequence[np.ndarray | None] | None = None,
) -> list[LanguageGuess]:
    """Guess the language of each text, with the collection's language distribution as the prior (module doc).

    ``probabilities``: the texts' :func:`sample_probabilities`, when already computed (e.g. in parallel).
    """
    names = labels()
    given = sample_probabilities(texts, min_letters) if probabilities is None else probabilities
    guesses: list[LanguageGuess | None] = [None] * len(texts)
    rows = [k for k, p in enumerate(given) if p is not None]
    probs = [p for p in given if p is not None]
    if probs:
        post = np.vstack(probs)
        unsure = post.max(axis=1) < settled
        if collection_prior and len(probs) > 1 and unsure.any():
            mixed = post[unsure] * _collection_prior(post)
            post[unsure] = mixed / np.maximum(mixed.sum(axis=1, keepdims=True), 1e-300)
        best = post.argmax(axis=1)
        for k, b, row in zip(rows, best.tolist(), post, strict=True):
            conf = float(row[b])
            guesses[k] = LanguageGuess(names[b] if conf >= min_confidence else UNDETERMINED, conf)
    return [g if g is not None else LanguageGuess(UNDETERMINED, 0.0) for g in guesses]
