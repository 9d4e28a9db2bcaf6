"""Passage segmentation for news text (Italian, English and similar scripts).

A passage is a sentence-like unit.  Rules, in order:
1. a line break always ends a passage (headlines, captions and one-line
   paragraphs have no final stop);
2. inside a line, a passage ends after ``.``, ``!``, ``?`` or ``…`` (optionally
   followed by closing quotes/brackets) when whitespace and then an upper-case
   letter, a digit or an opening quote/dash follow;
3. except after an abbreviation: a single capital letter ("D. Peskov",
   "J. Biden"), a known title or short form ("Sig.", "Dott.", "Mr.", "Dr.",
   "ecc.", "U.S."), or a number ("3. ");
4. passages with fewer than ``min_words`` words are merged into the following
   passage of the same line (stray fragments such as "– ha detto." are not units
   of their own).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from provenance.records import Passage

# Short forms after which a full stop does not end a sentence (Italian and English news).
ABBREVIATIONS = frozenset(
    (
        "sig sigg sig.ra dott dott.ssa prof prof.ssa avv ing on sen dr mr mrs ms st jr sr gen col lt sgt "
        "capt gov rep pres ecc etc pag pp art n nn cfr vol no vs fig ca approx min max tel inc ltd co corp "
        "dept univ"
    ).split()
)

_STOP_CHARS = ".!?…"  # the characters a stop (_END) begins with
_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s+[\"“«‘'(\[–—-]?[\d\w])")
_MIN_WORDS: dict[int, re.Pattern[str]] = {}  # n -> an expression that matches where n words follow
_RUN = re.compile(r"[\w.]*")
_SHORT_WORD = 32  # characters looked back for the space before a stop
_NEXT = re.compile(r"\s+[\"“«‘'(\[–—-]?\s*(\w)")


def _word_before(line: str, stop: int) -> str:
    """The run of word characters and dots that ends at ``line[stop]`` (excluded), as ``([\\w.]+)\\.$`` finds it.

    Usually the run starts after the last space before ``stop``, within a short word's reach:
    that is checked in C (``\\w`` is ``str.isalnum`` or ``_``); otherwise it is read backwards.
    """
    space = line.rfind(" ", max(0, stop - _SHORT_WORD), stop)
    if space >= 0 and _RUN.fullmatch(line, space + 1, stop):
        return line[space + 1 : stop]
    start = stop
    while start > 0 and ((c := line[start - 1]).isalnum() or c in "._"):
        start -= 1
    return line[start:stop]


def _stops(line: str) -> Iterator[re.Match[str]]:
    """``_END.finditer(line)``: the same matches, tried only where a stop character is.

    A match begins with one; ``str.find`` reaches them faster than the expression's own scan
    (which was most of the segmentation's time), and each is matched in place, left to right,
    skipping those inside the previous match, as ``finditer`` does.
    """
    at = [i for ch in _STOP_CHARS for i in _positions(line, ch)]
    at.sort()
    end = 0
    for i in at:
        if i >= end and (m := _END.match(line, i)) is not None:
            end = m.end()
            yield m


def _positions(line: str, ch: str) -> Iterator[int]:
    i = line.find(ch)
    while i >= 0:
        yield i
        i = line.find(ch, i + 1)


def _has_words(line: str, start: int, end: int, n: int) -> bool:
    """Whether ``line[start:end]`` holds at least ``n`` words (``\\w+`` runs)."""
    if n <= 0:
        return True
    pattern = _MIN_WORDS.get(n)
    if pattern is None:
        pattern = _MIN_WORDS[n] = re.compile(r"\w+" + r"\W+\w+" * (n - 1))
    return pattern.search(line, start, end) is not None


def _is_abbreviation(line: str, end_of_dot: int) -> bool:
    """Whether the stop ending at ``end_of_dot`` closes an abbreviation, not a sentence."""
    if line[end_of_dot - 1] != ".":
        return False
    # the word before the stop, read backwards from it (searching the line's prefix for it made
    # one-line texts quadratic)
    word = _word_before(line, end_of_dot - 1)
    if not word:
        return False
    if len(word) == 1 and word.isalpha() and word.isupper():
        return True  # initials: "D. Peskov"
    if "." in word and all(len(p) <= 2 for p in word.split(".")):
        return True  # "U.S.", "e.g."
    if word.isdigit() and len(word) <= 2:
        return True  # list numbers, "3. "
    return word.casefold() in ABBREVIATIONS


def _next_starts_lower(line: str, pos: int) -> bool:
    m = _NEXT.match(line, pos)
    return bool(m and m.group(1).islower())


def split_passages(text: str, doc_id: str = "", min_words: int = 3) -> list[Passage]:
    """Split ``text`` into passages with spans into ``text`` (see module rules)."""
    spans: list[tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):
        line_spans: list[tuple[int, int]] = []
        start = 0
        for m in _stops(line):
            if _next_starts_lower(line, m.end()):  # (the cheaper test first: both must fail)
                continue
            if _is_abbreviation(line, m.start() + 1 if m.group().startswith(".") else m.end()):
                continue
            line_spans.append((start, m.end()))
            start = m.end()
        line_spans.append((start, len(line)))
        merged: list[tuple[int, int]] = []
        carry: int | None = None
        for s, e in line_spans:
            s0 = s if carry is None else carry
            if (s, e) != line_spans[-1] and not _has_words(line, s0, e, min_words):
                carry = s0
                continue
            carry = None
            merged.append((s0, e))
        if len(merged) > 1 and not _has_words(line, merged[-1][0], merged[-1][1], min_words):
            last = merged.pop()
            merged[-1] = (merged[-1][0], last[1])
        for s, e in merged:
            # trim whitespace so spans start and end on text
            seg = line[s:e]
            ls = len(seg) - len(seg.lstrip())
            rs = len(seg.rstrip())
            if rs > ls:
                spans.append((offset + s + ls, offset + s + rs))
        offset += len(line) + 1
    return [Passage(doc_id, i, s, e) for i, (s, e) in enumerate(spans)]
