"""Unicode normalisation for *matching* (never for display: offsets stay on the original).

NFKC folds compatibility forms (ligatures, full-width digits, non-breaking
spaces), then typographic quotes, apostrophes and dashes are mapped to their
ASCII forms and the text is case-folded, so that "L’articolo" and "l'articolo"
match.  Every mapping is one code point to one code point, so a token's span in
the original text stays valid for its folded form.
"""

from __future__ import annotations

import unicodedata

_PUNCT_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
    }
)


def fold_for_matching(text: str) -> str:
    """Return the matching form of ``text``: NFKC, folded punctuation, case-folded."""
    return unicodedata.normalize("NFKC", text).translate(_PUNCT_FOLD).casefold()
