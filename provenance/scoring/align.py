"""Passage alignment: which passages of B render which passages of A, in words of their own.

Each passage is reduced to its set of content stems (stopwords dropped).  For
passages ``a`` and ``b`` with stem sets ``A`` and ``B`` and term weights ``w``
(:mod:`provenance.scoring.weights`):

    shared(a, b) = sum_{t in A & B} w(t)                  (information in common)
    dice(a, b)   = 2 * shared / (sum_A w + sum_B w)       (weighted Dice)
    score(a, b)  = dice * min(1, shared / info_ref)

The last factor discounts matches that rest on too little information (two
short lines sharing only "Musk" and "Putin").  A cell with ``score >=
match_threshold`` and at least ``min_shared_terms`` shared stems is a passage
match.

Across languages (a translation), stems cannot match; the passages are then
compared on their *anchors* only: names and numbers, which translations keep
(see :func:`anchor_terms`), with the same formula.

Order: paraphrases keep the order of their source more often than chance, like
homologous sequences.  The best order-preserving chain of matches (a weighted
longest increasing subsequence over the match cells) is the alignment; matches
outside the chain are kept only when strong (``unordered_threshold``), flagged
``in_order=False``.

Significance: under the null hypothesis that A and B are independent texts of
the same story, a cell is a match with probability ``chance_match_rate``
(0.005), independently.  That is a conservative prior: between independent
same-topic texts of the rewrite benchmark the measured rate is 0.0007-0.0026
(``python -m benchmarks rewrite_quality``, column ``chance``); between the
seed articles, which may share a source, it is 0.004-0.02.  A
chain of ``L`` matches requires at least ``L`` matching cells among
``n_a * n_b``, so ``P(K >= L)`` for ``K ~ Binomial(n_a * n_b, rate)`` bounds
the chance of such a chain from above.  So does the expected number of
order-preserving chains of ``L`` matching cells, ``C(n_a, L) * C(n_b, L) *
rate**L`` (union bound), which credits the order and is much smaller for long
chains.  The reported p-value is the smaller of the two bounds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from itertools import chain, repeat
from operator import is_not, itemgetter
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse
from scipy.special import gammaln
from scipy.stats import binom

from provenance.normalize.analyzer import Analyzer
from provenance.normalize.segment import split_passages
from provenance.records import Alignment, Document, Passage, Token
from provenance.scoring.weights import TermWeights

if TYPE_CHECKING:
    from provenance.scoring.table import ProfileTable

MAX_PASSAGES = 20_000  # per document; beyond this alignment would need blocking (see README limits)


@dataclass(frozen=True)
class AlignParams:
    match_threshold: float = 0.2
    info_ref: float = 4.0
    min_shared_terms: int = 2
    unordered_threshold: float = 0.35
    chance_match_rate: float = 0.005
    embedding_threshold: float = 0.6  # cosine of a cross-language match (mutual best), see embed.py
    significance: float = 0.01
    min_passages: int = 2


@dataclass(frozen=True)
class PassageProfile:
    """A document as passages with their content stems (input of the alignment)."""

    doc_id: str
    passages: tuple[Passage, ...]
    terms: tuple[frozenset[str], ...]
    surface: dict[str, str] = field(hash=False, compare=False)  # stem or anchor -> one surface form
    text_length: int = 0  # characters inside passages
    language: str = "und"
    anchors: tuple[frozenset[str], ...] = ()  # language-independent terms per passage

    @property
    def stems(self) -> frozenset[str]:
        return frozenset(self.surface)

    def units(self, cross_language: bool) -> tuple[frozenset[str], ...]:
        """The term sets compared: stems within a language, anchors across languages."""
        return self.anchors if cross_language else self.terms


ANCHOR = "@"  # prefix of anchor terms, so they never collide with stems


def anchor_terms(tokens: Sequence[Token], text: str, passage_start: int) -> set[str]:
    """Names and numbers of a passage, in a form that survives translation.

    Numbers lose their separators ("15.000", "15,000" -> "15000"); names are
    capitalised words that do not open the passage.  Across languages these
    are what a translation keeps verbatim (Kiriyenko, Starlink, 2022).
    """
    out = set()
    for tok in tokens:
        _, _, number, name = _entry(tok.norm, tok.stem, tok.is_stopword, text[tok.start].isupper())
        if number is not None:
            out.add(number)
        elif name is not None and tok.start > passage_start:
            out.add(name)
    return out


Entry = tuple[str, bool, str | None, str | None]  # stem, content word, anchor anywhere, anchor when capitalised
Hit = tuple[str, str | None, str | None]  # norm, stem (content words only), anchor (of a token not opening its passage)
_HITS: dict[str, dict[str, Hit]] = {}  # per language: word as written -> its hit
_HITS_MAX = 1_000_000


def _entry(norm: str, stem: str, is_stopword: bool, capitalised: bool) -> Entry:
    """What a token contributes to its passage: its stem (if a content word) and anchor (see :func:`anchor_terms`)."""
    content = not is_stopword and (len(norm) >= 2 or norm.isdigit())
    if norm[0].isdigit():
        return stem, content, ANCHOR + norm.replace(".", "").replace(",", ""), None
    name = ANCHOR + norm if capitalised and len(norm) > 1 and not is_stopword else None
    return stem, content, None, name


def _hit(norm: str, entry: Entry) -> Hit:
    stem, content, number, name = entry
    return norm, stem if content else None, number if number is not None else name


def word_hit(word: str, analyzer: Analyzer) -> Hit:
    """The full :data:`Hit` of a word as written (a capitalised word's name anchor included)."""
    norm, stem, stop = analyzer.word(word)
    return _hit(norm, _entry(norm, stem, stop, word[0].isupper()))


def _passage_hits(text: str, start: int, end: int, analyzer: Analyzer, plain: bool) -> list[Hit]:
    """The :data:`Hit` of each token of ``text[start:end]`` (``plain``: see Analyzer.is_plain), in order.

    A token that opens the passage gives no name anchor (:func:`anchor_terms`), only a number's.
    Of a plain text, the opening token and then the distinct words of the rest are listed, in
    order of first occurrence, each analysed once per language: the passage's terms, the first
    form of each and the order in which they are met are the same as with every token.
    """
    if not plain:
        out: list[Hit] = []
        for norm, stem, s, _, stop in analyzer.token_tuples(text, start, end):
            stem, content, number, name = _entry(norm, stem, stop, text[s].isupper())
            anchor = number if number is not None else None if s == start else name
            out.append((norm, stem if content else None, anchor))
        return out
    words = analyzer.plain_words(text, start, end)
    if not words:
        return []
    cache = _HITS.setdefault(analyzer.language, {})
    if len(cache) > _HITS_MAX:
        cache.clear()
    opens = text[start] == words[0][0]  # the passage opens with a token character: its first token
    distinct = list(dict.fromkeys(words[1:] if opens else words))
    if opens:
        distinct.insert(0, words[0])
    found = list(map(cache.get, distinct))
    if None in found:
        for k, (w, hit) in enumerate(zip(distinct, found, strict=True)):
            if hit is None:
                found[k] = cache[w] = word_hit(w, analyzer)
    hits: list[Hit] = found  # type: ignore[assignment]  # every miss filled
    if opens and hits[0][2] is not None and not hits[0][0][0].isdigit():  # an opening name: not an anchor
        hits[0] = (hits[0][0], hits[0][1], None)
    return hits


_NOT_NONE = partial(is_not, None)
_STEM = itemgetter(1)
_ANCHOR_OF = itemgetter(2)


def build_profile(doc: Document, analyzer: Analyzer) -> PassageProfile:
    """Segment ``doc`` and collect the content stems of each passage."""
    passages = split_passages(doc.text, doc.id)[:MAX_PASSAGES]
    terms: list[frozenset[str]] = []
    anchors: list[frozenset[str]] = []
    surface: dict[str, str] = {}
    plain = analyzer.is_plain(doc.text)
    for p in passages:
        hits = _passage_hits(doc.text, p.start, p.end, analyzer, plain)
        stems = frozenset(filter(_NOT_NONE, map(_STEM, hits)))
        for norm, stem, _ in hits:  # the first form of each stem
            if stem is not None and stem not in surface:
                surface[stem] = norm
        names = set(filter(_NOT_NONE, map(_ANCHOR_OF, hits)))
        for a in names:
            surface.setdefault(a, a[len(ANCHOR) :])
        terms.append(stems)
        anchors.append(frozenset(names))
    length = sum(p.end - p.start for p in passages)
    return PassageProfile(doc.id, tuple(passages), tuple(terms), surface, length, analyzer.language, tuple(anchors))


@dataclass
class PassageAlignment:
    """Result of aligning two profiles."""

    alignments: list[Alignment]
    matches: list[tuple[int, int, float]]  # (passage of a, passage of b, score), chain and unordered
    chain_length: int
    p_value: float
    coverage_a: float
    coverage_b: float


def _incidence(terms: Sequence[frozenset[str]], vocab: dict[str, int]) -> sparse.csr_matrix:
    """Passage x term incidence (0/1) over ``vocab``, columns sorted in each row (terms outside it are left out)."""
    lengths = np.fromiter(map(len, terms), dtype=np.int64, count=len(terms))
    cols = np.fromiter(map(vocab.get, chain.from_iterable(terms), repeat(-1)), dtype=np.int64, count=int(lengths.sum()))
    known = cols >= 0
    if not known.all():
        lengths = np.bincount(np.repeat(np.arange(len(terms)), lengths)[known], minlength=len(terms))
        cols = cols[known]
    data = np.ones(len(cols), dtype=np.float64)
    x = sparse.csr_matrix((data, cols.astype(np.int32), row_offsets(lengths)), shape=(len(terms), len(vocab)))
    x.sort_indices()
    return x


ROW_BLOCK = 1024  # passages of A scored at a time: memory stays bounded for 10 MB articles
# A passage's best matches kept: in a text that repeats itself every passage can match every
# other one, and the cells of two such 10 MB articles would not fit in memory.
MAX_CELLS_PER_PASSAGE = 64
SHARED_BLOCK = 1 << 20  # cells whose shared terms are counted in one product (its index stays int32)


@dataclass(frozen=True)
class UnitMatrix:
    """One document's passages as rows over a vocabulary (the inputs of :func:`match_cells`)."""

    x: sparse.csr_matrix  # passage x term incidence (0/1)
    xw: sparse.csr_matrix  # the same, each column times its term weight
    mass: np.ndarray  # total weight of each passage's terms


def unit_matrix(units: Sequence[frozenset[str]], vocab: dict[str, int], w: np.ndarray) -> UnitMatrix:
    x = _incidence(units, vocab)
    return UnitMatrix(x, _weighted(x, w), x @ w)


def _weighted(x: sparse.csr_matrix, w: np.ndarray) -> sparse.csr_matrix:
    """``x`` with each column times its weight (same structure)."""
    return sparse.csr_matrix((x.data * w[x.indices], x.indices, x.indptr), shape=x.shape)


class TermSpace:
    """Every stem and anchor of a collection as one sorted vocabulary, with its weight, and every passage's mass.

    Built once for the whole collection from its
    :class:`~provenance.scoring.table.ProfileTable` and the collection's term
    weights.  The rows of the documents being aligned are laid out from the
    table when they are scored (stems within a language, anchors across
    languages), so aligning a document with all its candidates, or a batch of
    pairs, is one sparse product (:meth:`cells_of`, :meth:`cells_of_pairs`) and
    no collection-wide passage x term matrix is kept.  The vocabulary is
    sorted, so products sum in the same order as with a pair's own vocabulary
    (the scores are identical).
    """

    def __init__(self, profiles: ProfileTable | Sequence[PassageProfile], weights: TermWeights) -> None:
        from provenance.scoring.table import ProfileTable

        table = profiles if isinstance(profiles, ProfileTable) else ProfileTable.from_profiles(profiles)
        self.table = table
        self.w = np.array([weights.weight(t) for t in table.vocab], dtype=np.float64)
        self._docs = {doc_id: k for k, doc_id in enumerate(table.doc_ids)}
        self._mass = {cross: table.incidence(cross) @ self.w for cross in (False, True)}  # total weight per passage

    def rows(self, profile: PassageProfile) -> tuple[int, int]:
        """The rows of ``profile``'s passages in the collection's table."""
        return self.table.rows(self._docs[profile.doc_id])

    def _matrix(self, rows: np.ndarray, cross_language: bool) -> sparse.csr_matrix:
        """Passage x term incidence (0/1) of the table's ``rows``, over the whole vocabulary."""
        lengths, cols = self.table.gather(rows, cross_language)
        shape = (len(rows), max(1, len(self.table.vocab)))
        return sparse.csr_matrix((np.ones(len(cols)), cols, row_offsets(lengths)), shape=shape)

    def cells_against(
        self, pa: PassageProfile, others: Sequence[PassageProfile], cross_language: bool, params: AlignParams
    ) -> list[list[tuple[int, int, float]]]:
        """:func:`match_cells` of ``pa`` with each of ``others`` (all in, or all across, its language): one product."""
        return self.cells_of(self._docs[pa.doc_id], [self._docs[b.doc_id] for b in others], cross_language, params)

    def cells_of(
        self, a: int, others: Sequence[int], cross_language: bool, params: AlignParams
    ) -> list[list[tuple[int, int, float]]]:
        """:meth:`cells_against` for documents given by their row in the table."""
        if not others:
            return []
        table, mass = self.table, self._mass[cross_language]
        lo, hi = table.rows(a)
        rows_a = np.arange(lo, hi)
        spans = [table.rows(b) for b in others]
        take = np.concatenate([np.arange(s, e) for s, e in spans])
        starts = np.cumsum([0] + [e - s for s, e in spans])
        x_a = self._matrix(rows_a, cross_language)
        cells = _score_cells(
            _weighted(x_a, self.w), self._matrix(take, cross_language), mass[rows_a], mass[take], x_a, params
        )
        out: list[list[tuple[int, int, float]]] = [[] for _ in others]
        if not cells:
            return out
        cols = np.array([c[1] for c in cells])
        owner = np.searchsorted(starts, cols, side="right") - 1
        for (i, j, v), k in zip(cells, owner.tolist(), strict=True):
            out[k].append((i, j - int(starts[k]), v))
        return out

    def cells_of_pairs(
        self, pairs: Sequence[tuple[int, int]], cross_language: bool, params: AlignParams
    ) -> list[list[tuple[int, int, float]]]:
        """:func:`match_cells` of each pair ``(a, b)`` of table rows (all in, or all across, a language).

        The pairs are scored together, :data:`PAIR_BLOCK_CELLS` passage pairs at a time: each
        pair's terms become columns of their own (pair, term), ascending with the term, so
        one sparse product of the stacked passages gives the cells within each pair and
        none across pairs, each summed in the same order as alone.  A pair larger than the
        block is scored on its own (:meth:`cells_of`, in row blocks).
        """
        out: list[list[tuple[int, int, float]]] = [[] for _ in pairs]
        sizes = [self.table.n_passages(a) * self.table.n_passages(b) for a, b in pairs]
        group: list[int] = []
        load = 0
        for k, size in enumerate(sizes):
            if size > PAIR_BLOCK_CELLS:
                a, b = pairs[k]
                out[k] = self.cells_of(a, [b], cross_language, params)[0]
                continue
            if load + size > PAIR_BLOCK_CELLS and group:
                self._pair_block(pairs, group, cross_language, params, out)
                group, load = [], 0
            group.append(k)
            load += size
        if group:
            self._pair_block(pairs, group, cross_language, params, out)
        return out

    def _pair_block(
        self,
        pairs: Sequence[tuple[int, int]],
        group: Sequence[int],
        cross_language: bool,
        params: AlignParams,
        out: list[list[tuple[int, int, float]]],
    ) -> None:
        table = self.table
        docs_a = np.array([pairs[k][0] for k in group], dtype=np.int64)
        docs_b = np.array([pairs[k][1] for k in group], dtype=np.int64)

        def stacked(docs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
            first, count = table.doc_ptr[docs], table.doc_ptr[docs + 1] - table.doc_ptr[docs]
            rows = ragged_range(first, count)
            owner = np.repeat(np.arange(len(docs), dtype=np.int64), count)
            lengths, terms = table.gather(rows, cross_language)
            keys = np.repeat(owner, lengths) * len(table.vocab) + terms
            return rows, np.cumsum(count) - count, lengths, terms, keys

        rows_a, base_a, len_a, terms_a, keys_a = stacked(docs_a)
        rows_b, base_b, len_b, _, keys_b = stacked(docs_b)
        if not len(keys_a) or not len(keys_b):
            return
        columns, inverse = np.unique(np.concatenate([keys_a, keys_b]), return_inverse=True)
        shape_a, shape_b = (len(rows_a), len(columns)), (len(rows_b), len(columns))
        col_a, col_b = inverse[: len(keys_a)], inverse[len(keys_a) :]
        xw_a = sparse.csr_matrix((self.w[terms_a], col_a, row_offsets(len_a)), shape=shape_a)
        x_a = sparse.csr_matrix((np.ones(len(col_a)), col_a, row_offsets(len_a)), shape=shape_a)
        x_b = sparse.csr_matrix((np.ones(len(col_b)), col_b, row_offsets(len_b)), shape=shape_b)
        mass = self._mass[cross_language]
        cells = _score_cells(xw_a, x_b, mass[rows_a], mass[rows_b], x_a, params)
        if not cells:
            return
        i, j, v = (np.array(c) for c in zip(*cells, strict=True))
        owner = np.searchsorted(base_a, i, side="right") - 1  # the pair of each cell (rows of A and B agree)
        order = np.lexsort((j, i, owner))
        owner, i, j, v = owner[order], i[order] - base_a[owner[order]], j[order] - base_b[owner[order]], v[order]
        for k, ci, cj, cv in zip(owner.tolist(), i.tolist(), j.tolist(), v.tolist(), strict=True):
            out[group[k]].append((ci, cj, cv))


PAIR_BLOCK_CELLS = 1_000_000  # passage pairs scored in one product by :meth:`TermSpace.cells_of_pairs`


def row_offsets(lengths: np.ndarray) -> np.ndarray:
    """The index pointer of rows of the given ``lengths`` (``0, l0, l0 + l1, ...``)."""
    out = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=out[1:])
    return out


def ragged_range(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``concatenate([arange(s, s + n) for s, n in zip(starts, lengths)])`` without the loop."""
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    steps = np.ones(total, dtype=np.int64)
    heads = np.cumsum(lengths) - lengths
    nonempty = lengths > 0
    steps[heads[nonempty]] = starts[nonempty] - np.concatenate([[0], (starts + lengths - 1)[nonempty][:-1]])
    return np.cumsum(steps)


def _best_of_each_row(
    rows: np.ndarray, cols: np.ndarray, score: np.ndarray, most: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The cells, but at most ``most`` per row: its highest scores (ties: the lower column)."""
    if len(rows) <= most or np.bincount(rows - rows.min()).max() <= most:
        return rows, cols, score
    order = np.lexsort((cols, -score, rows))
    ordered = rows[order]
    first = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    rank = np.arange(len(order)) - np.repeat(first, np.diff(np.append(first, len(order))))
    kept = order[rank < most]
    return rows[kept], cols[kept], score[kept]


def _score_cells(
    xw_a: sparse.csr_matrix,
    x_b: sparse.csr_matrix,
    mass_a: np.ndarray,
    mass_b: np.ndarray,
    x_a: sparse.csr_matrix,
    params: AlignParams,
) -> list[tuple[int, int, float]]:
    """Cells ``(i, j, score)`` of A's rows (weighted) against B's rows (0/1) above ``match_threshold``, sorted.

    Cells whose passages share fewer than ``min_shared_terms`` terms (``x_a``: A's
    rows, 0/1) are dropped too.  Only cells that share a term are ever
    materialised, in blocks of :data:`ROW_BLOCK` rows of A.  The product is taken from
    B's side (``x_b @ block.T``: only A's block is transposed, not all of B's rows); each
    cell sums the same weights in the same order (ascending columns) as ``block @ x_b.T``.
    """
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for start in range(0, xw_a.shape[0], ROW_BLOCK):
        shared = (x_b @ xw_a[start : start + ROW_BLOCK].T.tocsr()).tocoo()
        rows, cols, sh = shared.col, shared.row, shared.data
        if len(sh) == 0:
            continue
        denom = mass_a[start + rows] + mass_b[cols]
        score = 2 * sh / denom * np.minimum(1.0, sh / params.info_ref)
        keep = score >= params.match_threshold
        if keep.any():
            found.append(_best_of_each_row(start + rows[keep], cols[keep], score[keep], MAX_CELLS_PER_PASSAGE))
    if not found:
        return []
    i, j, v = (np.concatenate(parts) for parts in zip(*found, strict=True))
    if params.min_shared_terms > 1:
        n_shared = np.concatenate(
            [
                np.asarray(x_a[i[k : k + SHARED_BLOCK]].multiply(x_b[j[k : k + SHARED_BLOCK]]).sum(axis=1)).ravel()
                for k in range(0, len(i), SHARED_BLOCK)
            ]
        )
        ok = n_shared >= params.min_shared_terms
        i, j, v = i[ok], j[ok], v[ok]
    order = np.lexsort((v, j, i))
    return list(zip(i[order].tolist(), j[order].tolist(), v[order].tolist(), strict=True))


def match_cells(
    pa: PassageProfile,
    pb: PassageProfile,
    weights: TermWeights,
    params: AlignParams,
    space: TermSpace | None = None,
) -> list[tuple[int, int, float]]:
    """Passage matches ``(i, j, score)`` as defined in the module docstring, sorted.

    Only cells that share a term are ever materialised (sparse products, in
    blocks of :data:`ROW_BLOCK` rows of A), so two very long documents do not
    need an ``n_a x n_b`` dense matrix.  ``space`` (built on the whole
    collection with the same ``weights``) reuses the collection's matrices.
    """
    cross = pa.language != pb.language
    if space is not None:
        return space.cells_against(pa, [pb], cross, params)[0]
    ua, ub = pa.units(cross), pb.units(cross)
    vocab_terms = sorted(frozenset().union(*ua, *ub))
    if not vocab_terms:
        return []
    vocab = {t: i for i, t in enumerate(vocab_terms)}
    w = np.array([weights.weight(t) for t in vocab_terms])
    ma, mb = unit_matrix(ua, vocab, w), unit_matrix(ub, vocab, w)
    return _score_cells(ma.xw, mb.x, ma.mass, mb.mass, ma.x, params)


def best_chain(cells: Sequence[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """Heaviest chain with strictly increasing i and j (weighted LIS, O(k^2))."""
    if not cells:
        return []
    cells = sorted(cells)
    best = [c[2] for c in cells]
    prev = [-1] * len(cells)
    for k, (i, j, s) in enumerate(cells):
        for m in range(k):
            im, jm, _ = cells[m]
            if im < i and jm < j and best[m] + s > best[k]:
                best[k] = best[m] + s
                prev[k] = m
    k = int(np.argmax(best))
    chain = []
    while k != -1:
        chain.append(cells[k])
        k = prev[k]
    return chain[::-1]


def _coverage(spans: Sequence[tuple[int, int]], indices: set[int], total: int) -> float:
    if total <= 0:
        return 0.0
    return min(1.0, sum(spans[i][1] - spans[i][0] for i in indices) / total)


@lru_cache(maxsize=1 << 16)
def chain_p_value(length: int, n_a: int, n_b: int, rate: float) -> float:
    """Upper bound on P(an order-preserving chain of ``length`` chance matches) (module docstring).

    Memoised: pairs repeat the same few (length, passages, passages), and scipy's ``binom.sf``
    costs tens of microseconds a call.
    """
    if length <= 0:
        return 1.0
    p_count = float(binom.sf(length - 1, n_a * n_b, rate))
    log_chains = (
        gammaln(n_a + 1) - gammaln(length + 1) - gammaln(n_a - length + 1)
        + gammaln(n_b + 1) - gammaln(length + 1) - gammaln(n_b - length + 1)
    )  # fmt: skip
    p_order = math.exp(min(0.0, float(log_chains) + length * math.log(rate)))
    return min(1.0, p_count, p_order)


MAX_MATCH_CELLS = 2_000  # strongest cells kept for the chain (bounds the O(k^2) step)


def embedding_cells(ea: np.ndarray, eb: np.ndarray, threshold: float) -> list[tuple[int, int, float]]:
    """Mutual best matches ``(i, j, cosine)`` of two sets of unit passage vectors with cosine >= ``threshold``."""
    if len(ea) == 0 or len(eb) == 0:
        return []
    sims = ea @ eb.T
    best_j = sims.argmax(axis=1)
    best_i = sims.argmax(axis=0)
    return [(i, int(j), float(sims[i, j])) for i, j in enumerate(best_j) if best_i[j] == i and sims[i, j] >= threshold]


def align_passages(
    pa: PassageProfile,
    pb: PassageProfile,
    weights: TermWeights,
    params: AlignParams | None = None,
    space: TermSpace | None = None,
    embeddings: tuple[np.ndarray, np.ndarray] | None = None,
    cells: list[tuple[int, int, float]] | None = None,
) -> PassageAlignment:
    """Align the passages of two documents (see module docstring; ``space``: see :func:`match_cells`).

    ``embeddings``: unit passage vectors of A and B (:mod:`provenance.scoring.embed`); across
    languages their mutual best matches above ``embedding_threshold`` join the anchor matches
    (a cell found both ways keeps the higher score).  ``cells``: the pair's :func:`match_cells`,
    when already computed (:meth:`TermSpace.cells_against`).
    """
    params = params or AlignParams()
    if not pa.passages or not pb.passages:
        return PassageAlignment([], [], 0, 1.0, 0.0, 0.0)
    if cells is None:
        cells = match_cells(pa, pb, weights, params, space)
    return alignment_of_cells(
        ([(p.start, p.end) for p in pa.passages], pa.text_length),
        ([(p.start, p.end) for p in pb.passages], pb.text_length),
        cells,
        embeddings if pa.language != pb.language else None,
        params,
    )


Spans = tuple[Sequence[tuple[int, int]], int]  # a document's passage spans and the characters inside them


def alignment_of_cells(
    a: Spans,
    b: Spans,
    cells: list[tuple[int, int, float]],
    embeddings: tuple[np.ndarray, np.ndarray] | None,
    params: AlignParams,
) -> PassageAlignment:
    """The alignment of two documents given their passage spans and match cells (:func:`align_passages`).

    ``embeddings`` (cross-language pairs only): their mutual best matches join ``cells``.
    """
    (spans_a, length_a), (spans_b, length_b) = a, b
    if not spans_a or not spans_b:
        return PassageAlignment([], [], 0, 1.0, 0.0, 0.0)
    if embeddings is not None:
        merged = {(i, j): sc for i, j, sc in cells}
        for i, j, sc in embedding_cells(embeddings[0], embeddings[1], params.embedding_threshold):
            merged[(i, j)] = max(sc, merged.get((i, j), 0.0))
        cells = [(i, j, sc) for (i, j), sc in sorted(merged.items())]
    if len(cells) > MAX_MATCH_CELLS:
        cells = sorted(cells, key=lambda c: -c[2])[:MAX_MATCH_CELLS]
    chain = best_chain(cells)
    in_chain = {(i, j) for i, j, _ in chain}
    extra = [c for c in cells if (c[0], c[1]) not in in_chain and c[2] >= params.unordered_threshold]
    matches = sorted(chain + extra)
    alignments = [
        Alignment(
            a_start=spans_a[i][0],
            a_end=spans_a[i][1],
            b_start=spans_b[j][0],
            b_end=spans_b[j][1],
            score=s,
            in_order=(i, j) in in_chain,
        )
        for i, j, s in matches
    ]
    length = len(chain)
    p_value = chain_p_value(length, len(spans_a), len(spans_b), params.chance_match_rate)
    return PassageAlignment(
        alignments=alignments,
        matches=matches,
        chain_length=length,
        p_value=p_value,
        coverage_a=_coverage(spans_a, {i for i, _, _ in matches}, length_a),
        coverage_b=_coverage(spans_b, {j for _, j, _ in matches}, length_b),
    )
