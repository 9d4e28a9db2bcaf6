"""Many documents' passage profiles as flat integer arrays over one sorted vocabulary.

A :class:`~provenance.scoring.align.PassageProfile` holds one document's
passages and, per passage, its content stems and anchors as sets of strings:
handy for one document, heavy for a collection (objects per passage and per
set, and every string again in each chunk that crosses between processes).
A :class:`ProfileTable` holds what alignment needs of many documents as arrays
(``P`` passages, ``V`` terms):

    vocab                        every stem and anchor, sorted (term ``t`` is ``vocab[t]``)
    doc_ptr[k] : doc_ptr[k + 1]  rows (passages) of document ``k``
    starts[r], ends[r]           span of passage ``r`` in its document's text
    term_ptr[r] : term_ptr[r+1]  ``term_ids``: the content stems of passage ``r``, ascending
    anchor_ptr, anchor_ids       the same for its anchors (names and numbers)

Workers turn the profiles they build into a :class:`TablePart` (a vocabulary
of the part, in order of first occurrence, and the same arrays over it);
:meth:`ProfileTable.concat` joins the parts in order, maps each part's
vocabulary into the collection's and sorts it once, so ids compare as the
strings do and a matrix over them sums in the order of the sorted terms.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import chain, count
from typing import Any

import numpy as np
from scipy import sparse

from provenance.engines.parallel import thread_map
from provenance.hashindex import HashIndex, number_strings
from provenance.scoring.align import PassageProfile, ragged_range, row_offsets


@dataclass(frozen=True)
class TablePart:
    """The profiles of consecutive documents over a vocabulary of their own (see module docstring)."""

    vocab: list[str]  # the part's terms, in order of first occurrence
    doc_ids: list[str]
    languages: list[str]
    text_lengths: np.ndarray  # int64, one per document
    n_passages: np.ndarray  # int64, one per document
    starts: np.ndarray  # int64, one per passage
    ends: np.ndarray
    term_lengths: np.ndarray  # int64, stems per passage
    term_ids: np.ndarray  # int32, into ``vocab``
    anchor_lengths: np.ndarray
    anchor_ids: np.ndarray
    # what term weights count (:class:`TermStats`): per term, the documents that have it; and the
    # documents that write term ``form_rows[m, 0]`` as ``forms[form_rows[m, 1]]`` in language
    # ``form_languages[form_rows[m, 2]]`` (a profile's ``surface``), ``form_counts[m]`` of them
    df: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    forms: list[str] = field(default_factory=list)
    form_languages: list[str] = field(default_factory=list)
    form_rows: np.ndarray = field(default_factory=lambda: np.zeros((0, 3), dtype=np.int64))
    form_counts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


def table_part(profiles: Sequence[PassageProfile]) -> TablePart:
    """The :class:`TablePart` of ``profiles`` (a profile with fewer term sets than passages gets empty ones).

    Every term is numbered in C as it is met (``map`` of ``dict.setdefault`` over the terms
    with a running position): a term's number is the position of its first occurrence, made
    dense at the end by its rank among those positions (:func:`_numbered`, :func:`_ranks`).
    """
    term_sets = list(chain.from_iterable(_padded(p.terms, len(p.passages)) for p in profiles))
    anchor_sets = list(chain.from_iterable(_padded(p.anchors, len(p.passages)) for p in profiles))
    index: dict[str, int] = {}
    position = count()
    term_lengths, first_terms = _numbered(term_sets, index, position)
    anchor_lengths, first_anchors = _numbered(anchor_sets, index, position)
    surface_sizes, first_surface = _numbered([p.surface for p in profiles], index, position)
    dense = _ranks(index.values(), len(first_terms) + len(first_anchors) + len(first_surface))
    spans = [(q.start, q.end) for p in profiles for q in p.passages]
    span_array = np.array(spans, dtype=np.int64).reshape(-1, 2)
    surface_terms = dense[first_surface]
    df, forms, form_languages, form_rows, form_counts = _form_counts(profiles, surface_sizes, surface_terms, len(index))
    return TablePart(
        vocab=list(index),
        doc_ids=[p.doc_id for p in profiles],
        languages=[p.language for p in profiles],
        text_lengths=np.array([p.text_length for p in profiles], dtype=np.int64),
        n_passages=np.array([len(p.passages) for p in profiles], dtype=np.int64),
        starts=span_array[:, 0].copy(),
        ends=span_array[:, 1].copy(),
        term_lengths=term_lengths,
        term_ids=dense[first_terms].astype(np.int32),
        anchor_lengths=anchor_lengths,
        anchor_ids=dense[first_anchors].astype(np.int32),
        df=df,
        forms=forms,
        form_languages=form_languages,
        form_rows=form_rows,
        form_counts=form_counts,
    )


def _numbered(
    groups: Sequence[Iterable[str]], index: dict[str, int], position: Iterator[int]
) -> tuple[np.ndarray, np.ndarray]:
    """The size of each group, and each member's number in ``index`` (a new member gets the next ``position``)."""
    lengths = np.fromiter(map(len, groups), dtype=np.int64, count=len(groups))  # type: ignore[arg-type]
    members = chain.from_iterable(groups)
    return lengths, np.fromiter(map(index.setdefault, members, position), np.int64, int(lengths.sum()))


def _ranks(firsts: Iterable[int], n_positions: int) -> np.ndarray:
    """An array mapping each of the ascending positions ``firsts`` to its rank (other positions: unused)."""
    firsts = np.fromiter(firsts, dtype=np.int64)
    out = np.zeros(n_positions, dtype=np.int64)
    out[firsts] = np.arange(len(firsts), dtype=np.int64)
    return out


def _form_counts(
    profiles: Sequence[PassageProfile], sizes: np.ndarray, term: np.ndarray, n_terms: int
) -> tuple[np.ndarray, list[str], list[str], np.ndarray, np.ndarray]:
    """``(df, forms, form_languages, form_rows, form_counts)`` of :class:`TablePart`.

    ``sizes``: the number of entries of each profile's surface, ``term``: the part's term id
    of every entry, in order.  The forms are numbered in C as the terms are; the
    (term, form, language) triples are then counted with one ``np.unique``.
    """
    total = len(term)
    df = np.bincount(term, minlength=n_terms).astype(np.int64)  # a surface names each term once
    numbered: dict[str, int] = {}  # form -> the position of its first occurrence
    written = chain.from_iterable(p.surface.values() for p in profiles)
    first = np.fromiter(map(numbered.setdefault, written, count()), np.int64, total)
    form = _ranks(numbered.values(), total)[first]
    language_index: dict[str, int] = {}
    languages = [language_index.setdefault(p.language, len(language_index)) for p in profiles]
    lang = np.repeat(np.array(languages, dtype=np.int64), sizes)
    rows, counts = _summed_triples(np.stack([term, form, lang], axis=1), np.ones(total, dtype=np.int64))
    return df, list(numbered), list(language_index), rows, counts


def _summed_triples(rows: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of ``rows`` (``(m, 3)``, non-negative ints; sorted) and the sum of ``counts`` over each."""
    if not len(rows):
        return np.zeros((0, 3), dtype=np.int64), np.zeros(0, dtype=np.int64)
    n_second, n_third = int(rows[:, 1].max()) + 1, int(rows[:, 2].max()) + 1
    keys, inverse = np.unique((rows[:, 0] * n_second + rows[:, 1]) * n_third + rows[:, 2], return_inverse=True)
    summed = np.bincount(inverse.ravel(), weights=counts, minlength=len(keys)).astype(np.int64)
    return np.stack([keys // n_third // n_second, keys // n_third % n_second, keys % n_third], axis=1), summed


def _padded(units: tuple[frozenset[str], ...], n: int) -> tuple[frozenset[str], ...]:
    return units if len(units) >= n else (*units, *([frozenset()] * (n - len(units))))


FOLD_ROWS = 1 << 22  # (term, form, language) rows gathered from the parts before they are summed
COUNT_BLOCK = 16_384  # documents whose stem counts are summed at a time (a block per core at once)


class TableBuilder:
    """Joins :class:`TablePart` objects one at a time (as they come from the workers) into a :class:`ProfileTable`.

    Each part's vocabulary (and its surface forms) is mapped into the collection's when it is
    added, and its counts for the term weights are added to the collection's (document
    frequencies at once; the ``(term, form, language)`` rows summed every :data:`FOLD_ROWS`
    rows), so the builder holds the parts' passage arrays and little else.  The vocabulary is
    sorted once, by :meth:`table`, which hands those arrays over to the table part by part
    (each copied once into the table's arrays, then let go): a collection's table is built
    beside one part, not beside a second copy of every part.  :meth:`term_stats` gives the
    summed counts.
    """

    def __init__(self) -> None:
        self._terms: list[str] = []  # in order of first occurrence (numbered so, by hash)
        self._term_index = HashIndex()
        self._forms: list[str] = []
        self._form_index = HashIndex()
        self._languages: dict[str, int] = {}
        self._parts: list[TablePart] = []
        self._n_docs = 0
        self._df = np.zeros(0, dtype=np.int64)  # per collection term id (grown as terms come)
        self._triples: list[tuple[np.ndarray, np.ndarray]] = []  # (form rows, counts) not summed together yet
        self._held = self._folded = 0  # rows in _triples; rows left by the last fold
        self._order: list[int] = []
        self._taken = False

    def _sorted(self) -> tuple[list[str], list[int]]:
        """The terms in order of first occurrence, and their order sorted (computed once per vocabulary)."""
        first = self._terms
        if len(self._order) != len(first):
            self._order = sorted(range(len(first)), key=first.__getitem__)
        return first, self._order

    def add(self, part: TablePart) -> None:
        if self._taken:
            raise RuntimeError("TableBuilder.add() after table(): the parts were handed over")
        languages = self._languages
        remap = number_strings(self._term_index, self._terms, part.vocab).astype(np.int32)
        form_remap = number_strings(self._form_index, self._forms, part.forms)
        language_remap = np.array([languages.setdefault(g, len(languages)) for g in part.form_languages], np.int64)
        if len(self._terms) > len(self._df):
            grown = np.zeros(max(len(self._terms), 2 * len(self._df)), dtype=np.int64)
            grown[: len(self._df)] = self._df
            self._df = grown
        if len(remap):
            self._df[remap] += part.df  # a part names each of its terms once
            part = replace(part, vocab=[], term_ids=remap[part.term_ids], anchor_ids=remap[part.anchor_ids])
        rows = part.form_rows
        if len(rows):
            rows = np.stack([remap[rows[:, 0]].astype(np.int64), form_remap[rows[:, 1]], language_remap[rows[:, 2]]], 1)
            self._triples.append((rows, part.form_counts))
            self._held += len(rows)
            if self._held >= max(FOLD_ROWS, 2 * self._folded):
                self._fold()
        self._n_docs += len(part.doc_ids)
        empty = np.zeros(0, np.int64)
        self._parts.append(
            replace(
                part, df=empty, forms=[], form_languages=[], form_rows=np.zeros((0, 3), np.int64), form_counts=empty
            )
        )

    def _fold(self) -> None:
        """Sum the gathered ``(term, form, language)`` rows into one list of distinct rows (integer sums: exact)."""
        if len(self._triples) > 1:
            rows = np.concatenate([r for r, _ in self._triples])
            counts = np.concatenate([c for _, c in self._triples])
            self._triples = [_summed_triples(rows, counts)]
        self._held = self._folded = sum(len(r) for r, _ in self._triples)

    def term_stats(self) -> TermStats:
        """The parts' :class:`TermStats`, over the sorted vocabulary of :meth:`table`."""
        first, order = self._sorted()
        df = self._df[: len(first)]
        forms, languages = list(self._forms), list(self._languages)
        form_id = np.full(len(first), -1, dtype=np.int64)
        language_id = np.full(len(first), -1, dtype=np.int64)
        if self._triples:
            self._fold()
            triples, summed = _summed_triples(*self._triples[0])
            term, form, language = triples[:, 0], triples[:, 1], triples[:, 2]
            best = np.zeros(len(first), dtype=np.int64)
            np.maximum.at(best, term, summed)
            top = np.flatnonzero(summed == best[term])  # each term's most frequent (form, language) rows
            tied = np.bincount(term[top], minlength=len(first))[term[top]] > 1
            form_id[term[top[~tied]]] = form[top[~tied]]
            language_id[term[top[~tied]]] = language[top[~tied]]
            for k in top[tied].tolist():  # ties: the first in sort order, as TermWeights.fit_counts
                t, f, g = int(term[k]), int(form[k]), int(language[k])
                if form_id[t] < 0 or (forms[f], languages[g]) < (forms[form_id[t]], languages[language_id[t]]):
                    form_id[t], language_id[t] = f, g
        return TermStats(
            n_docs=self._n_docs,
            terms=[first[k] for k in order],
            df=df[order],
            forms=[forms[f] if f >= 0 else "" for f in form_id[order].tolist()],
            languages=[languages[g] if g >= 0 else "" for g in language_id[order].tolist()],
        )

    def table(self) -> ProfileTable:
        """The table of the parts added so far, in order; the builder hands them over (no second call, no more parts).

        Each part's arrays are copied into the table's (terms renumbered by their rank in the
        sorted vocabulary) and the part is let go, so the table is built beside one part.
        """
        if self._taken:
            raise RuntimeError("TableBuilder.table() was called already: the parts were handed over")
        self._taken = True
        parts, self._parts = self._parts, []
        first, order = self._sorted()
        rank = np.empty(len(first), dtype=np.int32)
        rank[order] = np.arange(len(first), dtype=np.int32)
        n_docs = sum(len(p.doc_ids) for p in parts)
        n_rows = sum(len(p.starts) for p in parts)
        n_terms = sum(len(p.term_ids) for p in parts)
        n_anchors = sum(len(p.anchor_ids) for p in parts)
        doc_ids: list[str] = []
        languages: list[str] = []
        text_lengths = np.zeros(n_docs, dtype=np.int64)
        n_passages = np.zeros(n_docs, dtype=np.int64)
        starts = np.zeros(n_rows, dtype=np.int64)
        ends = np.zeros(n_rows, dtype=np.int64)
        term_lengths = np.zeros(n_rows, dtype=np.int64)
        anchor_lengths = np.zeros(n_rows, dtype=np.int64)
        term_ids = np.zeros(n_terms, dtype=np.int32)
        anchor_ids = np.zeros(n_anchors, dtype=np.int32)
        doc = row = term = anchor = 0
        parts.reverse()
        while parts:
            p = parts.pop()  # the part goes once copied
            d, r, t, a = len(p.doc_ids), len(p.starts), len(p.term_ids), len(p.anchor_ids)
            doc_ids += p.doc_ids
            languages += p.languages
            text_lengths[doc : doc + d] = p.text_lengths
            n_passages[doc : doc + d] = p.n_passages
            starts[row : row + r] = p.starts
            ends[row : row + r] = p.ends
            term_lengths[row : row + r] = p.term_lengths
            anchor_lengths[row : row + r] = p.anchor_lengths
            term_ids[term : term + t] = rank[p.term_ids] if t else p.term_ids
            anchor_ids[anchor : anchor + a] = rank[p.anchor_ids] if a else p.anchor_ids
            doc, row, term, anchor = doc + d, row + r, term + t, anchor + a
            del p
        term_ptr = row_offsets(term_lengths)
        anchor_ptr = row_offsets(anchor_lengths)
        return ProfileTable(
            vocab=[first[k] for k in order],
            doc_ids=doc_ids,
            languages=languages,
            text_lengths=text_lengths,
            doc_ptr=row_offsets(n_passages),
            starts=starts,
            ends=ends,
            term_ptr=term_ptr,
            term_ids=_sorted_rows(term_ptr, term_ids, len(order)),
            anchor_ptr=anchor_ptr,
            anchor_ids=_sorted_rows(anchor_ptr, anchor_ids, len(order)),
        )


def _sorted_rows(ptr: np.ndarray, ids: np.ndarray, width: int) -> np.ndarray:
    """``ids`` with each row's slice (rows given by ``ptr``) in ascending order, sorted by scipy.

    In one call, not in runs of rows in threads: scipy's constructor copies a view of less than
    half its base (``prune``), which over the table's entries would be a second copy of them.
    """
    m = sparse.csr_matrix((np.ones(len(ids), dtype=np.int8), ids, ptr), shape=(len(ptr) - 1, max(1, width)))
    m.has_sorted_indices = False
    m.sort_indices()
    return np.asarray(m.indices, dtype=np.int32)


@dataclass(frozen=True)
class TermStats:
    """What term weights are fitted from (:meth:`~provenance.scoring.weights.TermWeights.fit_stats`).

    ``df[t]``: the documents that have term ``terms[t]`` (sorted, as the table's vocabulary);
    ``forms[t]``, ``languages[t]``: its most frequent surface form and the form's language
    (counted in documents; ties: the first in sort order).
    """

    n_docs: int
    terms: list[str]
    df: np.ndarray
    forms: list[str]
    languages: list[str]


@dataclass(frozen=True)
class ProfileTable:
    """Passage profiles of a collection as arrays (module docstring); document ``k`` is the ``k``-th profile."""

    vocab: list[str]
    doc_ids: list[str]
    languages: list[str]
    text_lengths: np.ndarray
    doc_ptr: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    term_ptr: np.ndarray
    term_ids: np.ndarray
    anchor_ptr: np.ndarray
    anchor_ids: np.ndarray

    @classmethod
    def concat(cls, parts: Iterable[TablePart]) -> ProfileTable:
        """The parts' documents in order, over one sorted vocabulary."""
        builder = TableBuilder()
        for part in parts:
            builder.add(part)
        return builder.table()

    @classmethod
    def from_profiles(cls, profiles: Sequence[PassageProfile]) -> ProfileTable:
        """The table of ``profiles`` (one part)."""
        return cls.concat([table_part(profiles)])

    def __len__(self) -> int:
        return len(self.doc_ids)

    def head(self, n: int) -> ProfileTable:
        """The first ``n`` documents (same vocabulary)."""
        if n >= len(self):
            return self
        rows = int(self.doc_ptr[n])
        return replace(
            self,
            doc_ids=self.doc_ids[:n],
            languages=self.languages[:n],
            text_lengths=self.text_lengths[:n],
            doc_ptr=self.doc_ptr[: n + 1],
            starts=self.starts[:rows],
            ends=self.ends[:rows],
            term_ptr=self.term_ptr[: rows + 1],
            term_ids=self.term_ids[: int(self.term_ptr[rows])],
            anchor_ptr=self.anchor_ptr[: rows + 1],
            anchor_ids=self.anchor_ids[: int(self.anchor_ptr[rows])],
        )

    def rows(self, k: int) -> tuple[int, int]:
        """The rows (passages) of document ``k``."""
        return int(self.doc_ptr[k]), int(self.doc_ptr[k + 1])

    def n_passages(self, k: int) -> int:
        return int(self.doc_ptr[k + 1] - self.doc_ptr[k])

    def spans(self, k: int) -> list[tuple[int, int]]:
        """``(start, end)`` of document ``k``'s passages in its text."""
        lo, hi = self.rows(k)
        return list(zip(self.starts[lo:hi].tolist(), self.ends[lo:hi].tolist(), strict=True))

    def units(self, cross_language: bool) -> tuple[np.ndarray, np.ndarray]:
        """``(ptr, ids)`` of the terms compared: stems within a language, anchors across languages."""
        return (self.anchor_ptr, self.anchor_ids) if cross_language else (self.term_ptr, self.term_ids)

    def gather(self, rows: np.ndarray, cross_language: bool) -> tuple[np.ndarray, np.ndarray]:
        """``(lengths, ids)``: the :meth:`units` of passages ``rows``, one after the other."""
        ptr, ids = self.units(cross_language)
        lengths = ptr[rows + 1] - ptr[rows]
        return lengths, ids[ragged_range(ptr[rows], lengths)].astype(np.int64)

    def incidence(self, cross_language: bool) -> sparse.csr_matrix:
        """Passage x term incidence (0/1, float): stems, or anchors across languages (columns ascending)."""
        ptr, ids = self.units(cross_language)
        data = np.ones(len(ids), dtype=np.float64)
        return sparse.csr_matrix((data, ids, ptr), shape=(len(ptr) - 1, len(self.vocab)))

    def parked(self) -> Callable[[], ProfileTable]:
        """Park the table's passage arrays on disk (:class:`~provenance.engines.spill.ParkedArrays`).

        Returns what restores the table.  The caller drops its references to this table
        meanwhile (the arrays are ~2 GB at a million news articles): the candidate stage,
        which does not read them, then runs without them.
        """
        from provenance.engines.spill import ParkedArrays

        names = ("starts", "ends", "term_ptr", "term_ids", "anchor_ptr", "anchor_ids")
        arrays = ParkedArrays({name: getattr(self, name) for name in names}, "the profile table")
        empty: dict[str, Any] = {name: np.zeros(0, getattr(self, name).dtype) for name in names}
        rest = replace(self, **empty)

        def restore() -> ProfileTable:
            back: dict[str, Any] = arrays.restore()
            return replace(rest, **back)

        return restore

    def stem_counts(self, dtype: type[np.generic] = np.int64) -> sparse.csr_matrix:
        """Document x stem counts (passages of the document that hold the stem), of type ``dtype``.

        Only stems that occur are columns, in sorted order: the bag of content stems
        that :func:`provenance.pipeline.document_vectors` weighs.  Counted
        :data:`COUNT_BLOCK` documents at a time, in threads (a document's passages summed per stem);
        the blocks wait in a temporary file until their total is known and are then read
        into the result's arrays.  So there is no array per passage entry (~4.5 GB of
        transients at a million documents) and no second copy of the result: the same
        matrix, built beside one block.
        """
        from provenance.engines.spill import SpillFile

        present = np.bincount(self.term_ids, minlength=len(self.vocab)) > 0  # the stems that occur (no sort)
        column = np.cumsum(present, dtype=np.int32)  # (no int64 copy per entry: ~2.7 GB at a million documents)
        column -= 1
        shape = (len(self), max(1, int(present.sum())))
        indptr = np.zeros(len(self) + 1, dtype=np.int64)
        blocks = SpillFile("the stem counts")

        def summed(d0: int) -> sparse.csr_matrix:
            d1 = min(len(self), d0 + COUNT_BLOCK)
            entries = self.term_ptr[self.doc_ptr[d0 : d1 + 1]]
            cols = column[self.term_ids[entries[0] : entries[-1]]]
            block = sparse.csr_matrix(
                (np.ones(len(cols), dtype=dtype), cols, entries - entries[0]), shape=(d1 - d0, shape[1])
            )
            block.sum_duplicates()  # sorts each row and adds a stem's passages
            return block

        starts = range(0, len(self), COUNT_BLOCK)
        for d0, block in zip(starts, thread_map(summed, starts), strict=True):  # blocks summed in threads
            d1 = d0 + block.shape[0]
            indptr[d0 + 1 : d1 + 1] = indptr[d0] + block.indptr[1:]
            blocks.append(np.ascontiguousarray(block.indices, dtype=np.int32).data)
            blocks.append(np.ascontiguousarray(block.data).data)
        data = np.zeros(int(indptr[-1]), dtype=dtype)
        indices = np.zeros(int(indptr[-1]), dtype=np.int32)
        for k in range(len(blocks) // 2):
            lo, hi = indptr[min(len(self), k * COUNT_BLOCK)], indptr[min(len(self), (k + 1) * COUNT_BLOCK)]
            blocks.read_into(2 * k, indices[lo:hi])
            blocks.read_into(2 * k + 1, data[lo:hi])
        blocks.close()
        counts = sparse.csr_matrix((data, indices, indptr), shape=shape)
        counts.has_canonical_format = True  # each row's columns ascending and distinct, as summed above
        return counts
