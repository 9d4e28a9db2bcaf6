"""Synthetic news-length documents with planted near-duplicates, for speed and recall tests.

* a Zipfian vocabulary (``P(rank) ~ rank**-s``) of pronounceable pseudo-words;
* every document has 300-800 words, with commas, full stops, capitalised
  words and the odd curly-quoted word, rendered on one line;
* a share ``dup_rate`` of the documents are *copies* of an earlier original,
  lightly edited: a rate ``e ~ U(0, max_edit)`` of the words are substituted,
  deleted or inserted, so the copies' word-5-shingle Jaccard with their source
  spreads from 1 down to about 0.4, across the usual 0.5 threshold.

Everything is a pure function of ``(seed, index)``: document ``i`` can be
regenerated on its own (an original's words come from its own random stream),
so million-document corpora are written to a file without holding them in
memory, and :class:`CorpusFile` streams them back (re-iterable, for two-pass
processing).  The ``families`` array (the index of each document's original,
itself for originals) is the ground truth of which documents may be similar.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_SYLLABLES = [c + v for c in "bcdfglmnprstvz" for v in "aeiou"] + ["tra", "per", "con", "sto", "ria", "zio", "lla"]


@dataclass(frozen=True)
class CorpusParams:
    n: int
    seed: int = 0
    dup_rate: float = 0.3
    max_edit: float = 0.10
    vocab_size: int = 50_000
    zipf_s: float = 1.05
    min_words: int = 300
    max_words: int = 800


class SyntheticCorpus:
    """Document ``i`` of the corpus described by ``params``, generated on demand."""

    def __init__(self, params: CorpusParams) -> None:
        self.params = params
        rng = np.random.default_rng([params.seed, 0xC0FFEE])
        words: set[str] = set()
        while len(words) < params.vocab_size:
            k = int(rng.integers(1, 5))
            words.add("".join(_SYLLABLES[j] for j in rng.integers(0, len(_SYLLABLES), k)))
        vocab = sorted(words, key=lambda w: (len(w), w))
        rng.shuffle(vocab)
        variants = [vocab, [w + "," for w in vocab], [w + "." for w in vocab], [w.capitalize() for w in vocab]]
        variants.append([f"“{w}”" for w in vocab])
        self._render = np.array([w for group in variants for w in group], dtype=object)
        weights = np.arange(1, params.vocab_size + 1, dtype=np.float64) ** -params.zipf_s
        self._cdf = np.cumsum(weights / weights.sum())
        self._variant_cdf = np.cumsum([0.86, 0.05, 0.06, 0.025, 0.005])
        # which documents are copies, and of which original (an earlier one)
        plan = np.random.default_rng([params.seed, 0x5EED])
        is_copy = plan.random(params.n) < params.dup_rate
        is_copy[0] = False
        originals = np.flatnonzero(~is_copy)
        # the source of copy i: a uniformly chosen original before i
        before = np.searchsorted(originals, np.arange(params.n))  # originals with index < i
        pick = (plan.random(params.n) * before).astype(np.int64)
        self.families = np.where(is_copy, originals[np.minimum(pick, len(originals) - 1)], np.arange(params.n))
        self.edit_rates = np.where(is_copy, plan.random(params.n) * params.max_edit, 0.0)

    def __len__(self) -> int:
        return self.params.n

    def _draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        ids = np.searchsorted(self._cdf, rng.random(size))
        variant = np.searchsorted(self._variant_cdf, rng.random(size) * self._variant_cdf[-1])
        return np.minimum(ids, self.params.vocab_size - 1) + variant * self.params.vocab_size

    def _original_tokens(self, i: int) -> np.ndarray:
        rng = np.random.default_rng([self.params.seed, i])
        return self._draw(rng, int(rng.integers(self.params.min_words, self.params.max_words + 1)))

    def tokens(self, i: int) -> np.ndarray:
        """Rendered-word ids of document ``i``."""
        source = int(self.families[i])
        if source == i:
            return self._original_tokens(i)
        toks = self._original_tokens(source)
        rng = np.random.default_rng([self.params.seed, i, 1])
        edits = int(round(self.edit_rates[i] * len(toks)))
        kinds = rng.random(edits)
        subs = rng.choice(len(toks), size=int(np.count_nonzero(kinds < 0.5)), replace=False)
        toks = toks.copy()
        toks[subs] = self._draw(rng, len(subs))
        n_del = int(np.count_nonzero((kinds >= 0.5) & (kinds < 0.75)))
        keep = np.ones(len(toks), dtype=bool)
        keep[rng.choice(len(toks), size=n_del, replace=False)] = False
        toks = toks[keep]
        n_ins = edits - len(subs) - n_del
        return np.insert(toks, rng.integers(0, len(toks) + 1, n_ins), self._draw(rng, n_ins))

    def text(self, i: int) -> str:
        return " ".join(self._render[self.tokens(i)])

    def __iter__(self) -> Iterator[str]:
        return (self.text(i) for i in range(self.params.n))


class CorpusFile:
    """A corpus written by :func:`write_corpus`: re-iterable over its texts (one per line)."""

    def __init__(self, path: Path, limit: int | None = None) -> None:
        self.path = Path(path)
        meta = json.loads(self.path.with_suffix(".json").read_text())
        self.n = meta["n"] if limit is None else min(limit, meta["n"])
        self.families = np.load(self.path.with_suffix(".npy"))[: self.n]

    def __len__(self) -> int:
        return self.n

    def __iter__(self) -> Iterator[str]:
        with self.path.open(encoding="utf-8") as fh:
            for count, line in enumerate(fh):
                if count >= self.n:
                    return
                yield line.rstrip("\n")


def write_corpus(params: CorpusParams, directory: Path) -> Path:
    """Write the corpus (``.txt``, one document per line), its families (``.npy``) and params (``.json``).

    Reuses an existing, complete file with the same parameters.
    """
    directory.mkdir(parents=True, exist_ok=True)
    stem = f"synthetic_n{params.n}_s{params.seed}_d{params.dup_rate}_e{params.max_edit}"
    path = directory / f"{stem}.txt"
    meta_path = path.with_suffix(".json")
    if meta_path.exists() and path.exists():
        return path
    corpus = SyntheticCorpus(params)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for text in corpus:
            fh.write(text)
            fh.write("\n")
    tmp.replace(path)
    np.save(path.with_suffix(".npy"), corpus.families)
    meta_path.write_text(json.dumps({"n": params.n, **params.__dict__}))
    return path
