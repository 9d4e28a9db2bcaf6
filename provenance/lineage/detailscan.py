"""The specific details of a span of text, found by one compiled pass over its code points.

:func:`provenance.lineage.direction.details` defines them with expressions,
run on the span's text line by line (``str.splitlines``, line ends kept):

* a number, ``\\d+(?:[.,]\\d+)*``;
* a word ``[^\\W\\d_][^\\W_]*`` at a word boundary (``\\b``), neither at the start
  of a line nor right after ``[.!?]`` and a space; the expression's matches are
  found left to right (``finditer``), so the scan skips over each word it matches
  whether it keeps it or not, and a number can start inside a word it did not
  match ("Abc123" opening a line gives "123");
* a word counts as a number when its first character is a digit to
  ``str.isdigit`` (a superscript), and as a detail when it is capitalised
  (``str.isupper``), longer than one character, its line is not written in
  Title Case (at least four words ``[^\\W\\d_][^\\W_]*``, 60 % of them
  capitalised) and it does not follow an opening quote, a parenthesis or a
  dash (the three characters before it: one of ``"“«‘'([`` and spaces, or one
  of ``-–—:``, a space and spaces).

Here the same rules are one loop over the span of the text's code points (the
text is encoded once and the spans of all its alignments read from it), with
each code point's classes from a table of all of them: *letter*
(``[^\\W\\d_]``) and *digit* (``\\d``) from
:func:`~provenance.normalize.plainscan.code_classes`, and ``str.isspace`` (the
expressions' ``\\s``), ``str.isupper`` and ``str.isdigit`` read off every code
point.  The loop gives each detail's span and kind; the caller makes the key
(casefolded word, number without separators).  A property test holds the loop
equal to the expressions.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from provenance.jit import jit
from provenance.normalize.plainscan import DIGIT, LETTER, code_classes, code_points, is_word, number_end

SPACE, UPPER, DIGIT_LIKE, LINE_END = 8, 16, 32, 64  # bits beside plainscan's LETTER (1) and DIGIT (2)
NUMBER, WORD = 0, 1  # kinds of detail
_CR, _LF = ord("\r"), ord("\n")
_QUOTE, _LEFT_DOUBLE, _GUILLEMET, _LEFT_SINGLE, _APOSTROPHE, _PAREN, _BRACKET = map(ord, "\"“«‘'([")
_HYPHEN, _EN_DASH, _EM_DASH, _COLON = map(ord, "-–—:")
_DOT, _EXCLAMATION, _QUESTION = map(ord, ".!?")
_LINE_ENDS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # where str.splitlines splits ("\r\n" is one end)


@lru_cache(maxsize=1)
def detail_classes() -> np.ndarray:
    """The class bits of every code point (``uint8``, 0x110000 of them): plainscan's, and the ones above."""
    every = np.arange(0x110000, dtype=np.uint32).tobytes().decode("utf-32-le", "surrogatepass")
    table = code_classes() & np.uint8(LETTER | DIGIT)
    for bit, test in ((SPACE, str.isspace), (UPPER, str.isupper), (DIGIT_LIKE, str.isdigit)):
        table[np.fromiter(map(test, every), dtype=bool, count=len(every))] |= np.uint8(bit)
    table[[ord(c) for c in _LINE_ENDS]] |= np.uint8(LINE_END)
    return table


@lru_cache(maxsize=16)  # a document is in many pairs, consecutive ones (few kept: a text may be 10 MB)
def _codes(text: str) -> np.ndarray:
    return code_points(text)


def clear_codes() -> None:
    """Drop the cached code points of the texts scanned last."""
    _codes.cache_clear()


def detail_spans(text: str, start: int, end: int) -> list[tuple[int, int, int]]:
    """``(start, end, kind)`` of each detail of ``text[start:end]`` (module rules), offsets into ``text``."""
    found = _scan(_codes(text), start, end, detail_classes())
    return list(zip(*(column.tolist() for column in found), strict=True))


@jit
def _ends_sentence(c: np.uint32) -> bool:
    return c in (_DOT, _EXCLAMATION, _QUESTION)


@jit
def _line_end(codes: np.ndarray, table: np.ndarray, pos: int, end: int) -> int:
    """Where the line that starts at ``pos`` ends, its line end included."""
    while pos < end:
        c = codes[pos]
        if table[c] & LINE_END:
            if c == _CR and pos + 1 < end and codes[pos + 1] == _LF:
                return pos + 2
            return pos + 1
        pos += 1
    return end


@jit
def _title_case(codes: np.ndarray, table: np.ndarray, start: int, end: int) -> bool:
    """Whether the line's words are mostly capitalised (at least four, 60 % of them)."""
    words = 0
    capitalised = 0
    p = start
    while p < end:
        if table[codes[p]] & LETTER:
            words += 1
            if table[codes[p]] & UPPER:
                capitalised += 1
            p += 1
            while p < end and table[codes[p]] & (LETTER | DIGIT):
                p += 1
        else:
            p += 1
    return words >= 4 and capitalised >= 0.6 * words


@jit
def _opens_sentence(codes: np.ndarray, table: np.ndarray, line_start: int, p: int) -> bool:
    """Whether the (at most) three characters before ``p`` end with an opening quote or a dash and spaces."""
    t = p - 1
    while t >= max(line_start, p - 3) and table[codes[t]] & SPACE:
        t -= 1
    if t < max(line_start, p - 3):
        return False
    c = codes[t]
    if c in (_QUOTE, _LEFT_DOUBLE, _GUILLEMET, _LEFT_SINGLE, _APOSTROPHE, _PAREN, _BRACKET):
        return True
    return c in (_HYPHEN, _EN_DASH, _EM_DASH, _COLON) and t + 1 < p


@jit
def _scan(codes: np.ndarray, start: int, end: int, table: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    size = (end - start + 1) // 2 + 1  # a detail takes a character and a separator
    starts = np.empty(size, dtype=np.int64)
    ends = np.empty(size, dtype=np.int64)
    kinds = np.empty(size, dtype=np.int64)
    n = 0
    line = start
    while line < end:
        line_end = _line_end(codes, table, line, end)
        title: int = -1  # not known yet
        p = line
        while p < line_end:
            c = codes[p]
            if table[c] & DIGIT:
                q = number_end(codes, table, p, line_end)
                starts[n], ends[n], kinds[n] = p, q, NUMBER
                n += 1
                p = q
            elif (
                table[c] & LETTER
                and p > line
                and not is_word(table, codes[p - 1])
                and not (p - 2 >= line and _ends_sentence(codes[p - 2]) and table[codes[p - 1]] & SPACE)
            ):
                q = p + 1
                while q < line_end and table[codes[q]] & (LETTER | DIGIT):
                    q += 1
                if table[c] & DIGIT_LIKE:
                    starts[n], ends[n], kinds[n] = p, q, NUMBER
                    n += 1
                elif table[c] & UPPER and q - p > 1:
                    if title < 0:
                        title = 1 if _title_case(codes, table, line, line_end) else 0
                    if title == 0 and not _opens_sentence(codes, table, line, p):
                        starts[n], ends[n], kinds[n] = p, q, WORD
                        n += 1
                p = q
            else:
                p += 1
        line = line_end
    return starts[:n].copy(), ends[:n].copy(), kinds[:n].copy()
