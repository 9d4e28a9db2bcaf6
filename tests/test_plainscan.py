"""The compiled scan of plain texts finds the expression's tokens and keeps a passage's words as the profiler does."""

from __future__ import annotations

import re

import numpy as np

from provenance.normalize.analyzer import _BREAKS, _PLAIN_RE, _SPECIAL
from provenance.normalize.plainscan import DIGIT, LETTER, SPECIAL, code_classes, code_points, plain_flags, scan_passages


def _reference(text: str, start: int, end: int) -> tuple[list[str], bool]:
    """A passage's words as the profiler keeps them: once each in order, the opening token first and apart."""
    words = _PLAIN_RE.findall(text, start, end)
    opening = bool(words) and text[start] == words[0][0]
    distinct = list(dict.fromkeys(words[1:] if opening else words))
    if opening:
        distinct.insert(0, words[0])
    return distinct, opening


def test_code_classes_are_the_expressions_on_every_code_point() -> None:
    every = np.arange(0x110000, dtype=np.uint32).tobytes().decode("utf-32-le", "surrogatepass")
    table = code_classes()
    for bit, pattern in ((LETTER, re.compile(r"[^\W\d_]")), (DIGIT, re.compile(r"\d")), (SPECIAL, _SPECIAL)):
        expected = np.zeros(0x110000, dtype=bool)
        for m in pattern.finditer(every):
            expected[m.start() : m.end()] = True
        assert np.array_equal((table & bit) > 0, expected), bit


def test_scan_keeps_each_passage_s_words_as_the_profiler_does() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    alphabet = list("abZé北ß²½9.,_-'’“” \t\n\u00a0\u2003\u0301\U0001d7d8١") + [
        "15.000", "3,5", "1..2", "abc123def", "x_y", "\ud800", "Roma", "roma", *_BREAKS
    ]  # fmt: skip
    texts = st.lists(st.lists(st.sampled_from(alphabet), max_size=40).map("".join), min_size=1, max_size=4)

    @settings(max_examples=400, deadline=None)
    @given(texts, st.data())
    def check(batch: list[str], data: st.DataObject) -> None:
        joined = "".join(batch)
        codes = code_points(joined)
        offsets = np.cumsum([0, *map(len, batch)])
        flags = plain_flags(codes, offsets)
        assert flags.tolist() == [not _SPECIAL.search(t) for t in batch]
        starts, ends, expected = [], [], []
        for at, text in zip(offsets.tolist(), batch, strict=False):
            for _ in range(data.draw(st.integers(0, 3))):
                a = data.draw(st.integers(0, len(text)))
                b = data.draw(st.integers(a, len(text)))
                starts.append(at + a)
                ends.append(at + b)
                expected.append(_reference(text, a, b))
        scanned = scan_passages(codes, np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64))
        assert len(scanned.counts) == len(expected) and scanned.counts.sum() == len(scanned.hashes)
        k = 0
        for count, opens, (words, opening) in zip(scanned.counts, scanned.opens, expected, strict=True):
            got = [joined[a:b] for a, b in zip(scanned.starts[k : k + count], scanned.ends[k : k + count], strict=True)]
            assert got == words and bool(opens) == opening
            k += count

    check()


def test_a_word_has_one_hash_wherever_it_is_and_different_words_differ() -> None:
    words = [f"{a}{b}{c}" for a in "abcdefghijklmnopqrstuvwxyzàéß" for b in "aeiouyü" for c in "nrstlmvz"] + [
        "1", "15.000", "15,000", "150.00", "a", "b", "ab", "ba", "Roma", "roma", "北", "x" * 500,
    ]  # fmt: skip
    text = " ".join(words) + ". " + " ".join(reversed(words))
    codes = code_points(text)
    half = len(" ".join(words))
    scanned = scan_passages(codes, np.array([0, half + 2], dtype=np.int64), np.array([half, len(text)], dtype=np.int64))
    first = dict(
        zip(
            [text[a:b] for a, b in zip(scanned.starts, scanned.ends, strict=True)],
            scanned.hashes.tolist(),
            strict=False,
        )
    )
    assert len(set(first.values())) == len(first) == len(set(words))
    n = scanned.counts[0]
    again = {
        text[a:b]: h for a, b, h in zip(scanned.starts[n:], scanned.ends[n:], scanned.hashes[n:].tolist(), strict=True)
    }
    assert again == first
    other_seed = scan_passages(codes, np.array([0]), np.array([half]), seed=12345)
    assert not np.array_equal(other_seed.hashes, scanned.hashes[:n])


def test_long_passages_and_empty_ones() -> None:
    """Buffers grow past their first size; an empty batch and passages without words give nothing."""
    words = [a + b + c for a in "abcdefghijklmnopqrst" for b in "aeiouvwxyz" for c in "bcdfghjklmnpqrstvwxyz"]
    text = " ".join(words * 2) + " ... "
    codes = code_points(text)
    scanned = scan_passages(codes, np.array([0, len(text) - 4, 3]), np.array([len(text), len(text), 3]))
    kept = [words[0], *words[1:], words[0]]  # the opening word apart, then again where it comes back
    assert scanned.counts.tolist() == [len(kept), 0, 0] and scanned.opens.tolist() == [True, False, False]
    assert [text[a:b] for a, b in zip(scanned.starts, scanned.ends, strict=True)] == kept
    none = scan_passages(code_points(""), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    assert len(none.hashes) == 0 and len(none.counts) == 0
    assert plain_flags(code_points(""), np.array([0, 0])).tolist() == [True]


def test_the_scan_resumes_when_its_buffers_fill_up() -> None:
    """A passage of 4,200 distinct words (more than the set's first slots), then one of a word per code point
    ("a1a1...") that no longer fits in the buffers, then one larger than a whole buffer: the rule's words."""
    distinct = " ".join(
        a + b + c for a in "abcdefghijklmnopqrst" for b in "aeiouvwxyz" for c in "bcdfghjklmnpqrstvwxyz"
    )
    text = distinct + "\n" + "a1" * 1500 + "\n" + "Roma roma " * 20 + "\n" + "b2" * 9000
    lines = [0, *(k for k, c in enumerate(text) if c == "\n" for k in (k, k + 1)), len(text)]
    starts, ends = np.array(lines[0::2]), np.array(lines[1::2])
    scanned = scan_passages(code_points(text), starts, ends)
    k = 0
    for r, (a, b) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        words, opening = _reference(text, a, b)
        count = int(scanned.counts[r])
        got = [text[s:e] for s, e in zip(scanned.starts[k : k + count], scanned.ends[k : k + count], strict=True)]
        assert got == words and bool(scanned.opens[r]) == opening
        k += count
    assert k == len(scanned.hashes) == 4200 + 3 + 3 + 3
