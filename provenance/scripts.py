"""Scripts written without spaces between words, and their two-character token fallback.

Chinese and Japanese (Han ideographs and kana) and Thai, Lao, Khmer and Myanmar
do not separate words by spaces, and no word segmenter is installed (wordfreq's
optional jieba and MeCab are not dependencies).  A run of these characters
becomes its overlapping character bigrams ("北京市政府" -> "北京", "京市",
"市政", "政府"; a character keeps its combining marks; a one-character run
stays whole), the usual fallback of search engines for these scripts.

One definition serves the passage analyzer
(:mod:`provenance.normalize.analyzer`, whose token pattern embeds
:data:`SPACELESS_RUN`) and the shingles of near-duplicate detection
(:mod:`provenance.signatures.shingles`, through :func:`split_spaceless`).
This module imports nothing heavy: the near-duplicate fast path's worker
processes load it.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "CJK",
    "MARK",
    "SPACELESS",
    "SPACELESS_CHAR",
    "SPACELESS_RUN",
    "bigram_spans",
    "split_spaceless",
]


def _marks_class() -> str:
    """A regex class of the combining marks (Unicode categories M*) of the planes text actually uses."""
    planes = (range(0x10000), range(0x10000, 0x20000), range(0xE0100, 0xE01F0))
    marks = [cp for plane in planes for cp in plane if unicodedata.category(chr(cp))[0] == "M"]
    ranges: list[list[int]] = []
    for cp in marks:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return "[" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges) + "]"


MARK = _marks_class()
_HAN = "\u3005\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"  # ideographs, 々 and 〇
_HIRAGANA = "\u3041-\u3096\u309d-\u309f"
_KATAKANA = "\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff\uff66-\uff9f"
SPACELESS = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff"  # Thai, Lao, Myanmar, Khmer
CJK = _HAN + _HIRAGANA + _KATAKANA
# a run of ideographs and kana, or of Thai/Lao/Myanmar/Khmer letters (each with its combining marks)
SPACELESS_RUN = rf"[{CJK}](?:[{CJK}]|{MARK})*|(?:(?=[^\W\d_])[{SPACELESS}]{MARK}*)+"
_RUN = re.compile(SPACELESS_RUN)
SPACELESS_CHAR = re.compile(f"[{CJK}{SPACELESS}]")  # a character of these scripts (it may start a run)
# a character of a spaceless run with its combining marks (and half-width kana's voicing marks)
_CHARACTER = re.compile(rf"(?s:.)(?:{MARK}|[\uff9e\uff9f])*")


def bigram_spans(start: int, run: str) -> list[tuple[int, int]]:
    """Spans of the overlapping character bigrams of ``run`` (at ``start``); one character stays whole."""
    ends = [start + m.end() for m in _CHARACTER.finditer(run)]
    starts = [start, *ends[:-1]]
    if len(ends) == 1:
        return [(start, ends[0])]
    return [(starts[i], ends[i + 1]) for i in range(len(ends) - 1)]


def _bigrams_of_run(m: re.Match[str]) -> str:
    run = m.group()
    return " " + " ".join(run[s:e] for s, e in bigram_spans(0, run)) + " "


def split_spaceless(text: str) -> str:
    """``text`` with each spaceless run replaced by its bigrams between spaces (other text unchanged).

    "东京今天下雨" -> " 东京 京今 今天 天下 下雨 ": word tokenisers that split on spaces then
    see the same tokens as the analyzer.
    """
    if text.isascii():
        return text
    return _RUN.sub(_bigrams_of_run, text)
