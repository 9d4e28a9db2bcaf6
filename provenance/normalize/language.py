"""Per-document language identification, offline.

Uses py3langid (a maintained fork of langid.py: a multinomial naive Bayes model
over byte n-grams that ships inside the package, 97 languages).  The raw
log-probabilities are turned into a posterior with a softmax; below
``min_confidence`` or for texts with too few letters the language is reported
as ``"und"`` (undetermined, ISO 639-2) and the language-independent fallback
analysis is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

UNDETERMINED = "und"


@dataclass(frozen=True)
class LanguageGuess:
    code: str  # ISO 639-1 code, or "und"
    confidence: float


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str, min_confidence: float = 0.5, min_letters: int = 20) -> LanguageGuess:
    """Guess the language of ``text`` (only the first 20,000 characters are read)."""
    sample = text[:20000]
    if sum(ch.isalpha() for ch in sample) < min_letters:
        return LanguageGuess(UNDETERMINED, 0.0)
    code, prob = _identifier().classify(sample)
    if prob < min_confidence:
        return LanguageGuess(UNDETERMINED, float(prob))
    return LanguageGuess(str(code), float(prob))
