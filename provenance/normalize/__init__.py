"""Stage 2: language detection, matching normalisation, tokens with offsets, passages."""

from provenance.normalize.analyzer import Analyzer, analyzer_for
from provenance.normalize.language import LanguageGuess, detect_language
from provenance.normalize.segment import split_passages
from provenance.normalize.text import fold_for_matching

__all__ = [
    "Analyzer",
    "LanguageGuess",
    "analyzer_for",
    "detect_language",
    "fold_for_matching",
    "split_passages",
]
