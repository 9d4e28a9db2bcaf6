"""Finding the catalog's alias cores in a text: the case-insensitive search, run on the lower-cased text.

The catalog's expression (:attr:`~provenance.sources.catalog.OutletCatalog.pattern`)
is one trie of case-folded alias cores behind a look-behind, ``(?<![\\w@])(?:trie)(?!\\w)``,
searched case-insensitively.  Python's expression engine tries it at every position
of a text, and a case-insensitive branch cannot rule out its alternatives by their
first character, so the search costs about as much as everything else the credit
extraction does.  The same trie, matched case-sensitively on ``text.lower()`` and
opened by a consumed separator, ``[^\\w@](?P<core>trie)(?!\\w)`` (the engine then
skips straight to the next non-word character), finds the same spans about twice
as fast.

The two searches agree when lower-casing the text decides every comparison the
case-insensitive one makes.  That is checked per character of the text, once per
distinct character, against the engine itself: a character ``c`` qualifies when
``c.lower()`` is one character, the same kind (word character or ``@``, space)
as ``c``, and for every letter ``p`` of the trie the case-insensitive ``p`` matches
``c`` exactly when ``c.lower()`` is in ``p``'s class in the lower-cased trie
(:class:`LoweredAliases`).  The capital sigma is left out: its lower
case depends on its place in the word.  A text with a character that does not
qualify ("ſ" and "µ", which the engine matches to "s" and "μ") is searched with
the catalog's expression as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

_WORDISH = re.compile(r"[\w@]")


class LoweredAliases:
    """The catalog's trie, for lower-cased texts (module rules).

    ``folded`` are the trie's letters as they are written in it (case-folded: one
    character, or more, as "ss" for "ß"); ``trie`` writes the trie with each of them
    replaced by the piece it is given.  Here a letter ``p`` becomes the class of the
    lower cases of the characters among its upper, lower and title cases that the
    case-insensitive ``p`` matches ("ı" becomes "[iı]": the engine matches a dotless
    "ı" to "i" and "I").  The trie keeps its shape and the order of its branches.
    """

    def __init__(self, folded: Iterable[str], trie: Callable[[Mapping[str, str]], str]) -> None:
        self._classes: dict[str, frozenset[str]] = {}
        pieces = {f: "".join(self._piece(p) for p in f) for f in folded}
        body = trie(pieces)
        self.opening = re.compile(rf"(?:{body})(?!\w)")  # a core at position 0: no separator before it
        self.inside = re.compile(rf"[^\w@](?P<core>{body})(?!\w)")
        self._letters = [(re.compile(re.escape(p), re.IGNORECASE), cls) for p, cls in sorted(self._classes.items())]
        self._qualified: set[str] = set()
        self._not_qualified: set[str] = set()

    def _piece(self, p: str) -> str:
        if p not in self._classes:
            ignoring_case = re.compile(re.escape(p), re.IGNORECASE)
            kin = {p, p.lower(), p.upper(), p.title(), p.upper().lower(), p.lower().upper()}
            self._classes[p] = frozenset(k.lower() for k in kin if len(k) == 1 and ignoring_case.fullmatch(k))
        cls = sorted(self._classes[p])
        return re.escape(cls[0]) if len(cls) == 1 else "[" + "".join(map(re.escape, cls)) + "]"

    def qualifies(self, c: str) -> bool:
        """Whether the lower case of ``c`` decides its case-insensitive comparisons (module rules)."""
        if c in self._qualified:
            return True
        if c in self._not_qualified:
            return False
        (self._qualified if self._check(c) else self._not_qualified).add(c)
        return c in self._qualified

    def _check(self, c: str) -> bool:
        low = c.lower()
        if c == "\u03a3" or len(low) != 1:
            return False
        if (_WORDISH.match(c) is None) != (_WORDISH.match(low) is None) or c.isspace() != low.isspace():
            return False
        return all((ignoring_case.fullmatch(c) is not None) == (low in cls) for ignoring_case, cls in self._letters)

    def lowered(self, text: str) -> str | None:
        """``text.lower()`` when the lower-cased search is exact on ``text`` (module rules), else None."""
        chars = set(text)
        if not chars <= self._qualified and not all(map(self.qualifies, chars - self._qualified)):
            return None
        low = text.lower()
        return low if len(low) == len(text) else None


class AliasScanner:
    """The spans ``pattern.search(text, pos)`` finds, for one text (searched lower-cased when exact)."""

    def __init__(self, pattern: re.Pattern[str], lowered: LoweredAliases | None, text: str) -> None:
        self._pattern = pattern
        self._text = text
        self._lowered = lowered
        self._low = lowered.lowered(text) if lowered is not None else None

    def search(self, pos: int = 0) -> tuple[int, int] | None:
        """The span of the first alias core starting at ``pos`` or later, or None."""
        if self._low is None or self._lowered is None:
            m = self._pattern.search(self._text, pos)
            return m.span() if m is not None else None
        if pos == 0 and (first := self._lowered.opening.match(self._low)) is not None:
            return first.span()
        # the separator is the character before the core: the look-behind's character, read at pos - 1
        m = self._lowered.inside.search(self._low, max(pos - 1, 0))
        return m.span("core") if m is not None else None
