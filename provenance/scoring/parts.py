"""Stage *normalisation* over a batch of documents, straight into a :class:`~provenance.scoring.table.TablePart`.

:func:`~provenance.scoring.align.build_profile` makes one document's
:class:`~provenance.scoring.align.PassageProfile` (a set of strings per
passage), and :func:`~provenance.scoring.table.table_part` numbers the sets of
many profiles.  :func:`documents_part` gives the same part without the sets:

1. each passage's distinct tokens are listed as they are read: the batch's plain
   texts (:meth:`~provenance.normalize.analyzer.Analyzer.is_plain`) in one
   compiled pass over their code points, each word as a 64-bit hash
   (:mod:`~provenance.normalize.plainscan`), the others as full hits; the whole
   batch's list is looked up in the process's :class:`Lexicon` at once (hashes in
   a compiled loop, full hits with ``map`` of ``dict.get``), so the batch is one
   array of token keys;
2. the lexicon numbers the words (per language) and the full hits it has met
   once for all of a process's batches, with their stem, anchor and norm as
   numbers of its terms and forms, so only a word a process meets for the first
   time is analysed (:data:`~provenance.scoring.align.Hit`) and the rest is numpy;
3. the passages' stem and anchor sets, each document's surface forms and the
   counts for the term weights are then taken by sorting integer keys of the
   whole batch; the part names only the terms and forms it uses.

Within a passage each word is kept once, in order of first occurrence (the
sets are the same), except the token that opens the passage, which is kept
apart from a later occurrence of the same word (only the later one may be a
name anchor).

The rules are those of ``build_profile``: a content word gives its stem; a
number its anchor; a capitalised word its name anchor, except the token that
opens its passage; a document's surface form of a stem is the form its first
token with that stem has.  The table built from the parts (its sorted
vocabulary, passage arrays and term statistics) is the same; a test holds it
equal on texts in several scripts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from itertools import compress, count
from operator import is_
from typing import Any

import numpy as np

from provenance.arrays import unique_sorted
from provenance.hashindex import HashIndex, keys_of
from provenance.normalize.analyzer import Analyzer, analyzer_for
from provenance.normalize.plainscan import code_points, plain_flags, scan_passages
from provenance.normalize.segment import split_passages
from provenance.records import Document
from provenance.scoring.align import ANCHOR, MAX_PASSAGES, Hit, _entry, _hit, row_offsets, word_hit
from provenance.scoring.table import TablePart, _ranks

_IS_NONE = partial(is_, None)
# a batch's consecutive tokens of one kind: (analyzer, words as written) of plain texts, (None, full hits) of others
_Run = tuple[Analyzer | None, list[Any]]


LEXICON_MAX = 1_000_000  # keys a process keeps numbered between batches; past it, the lexicon starts again


class Lexicon:
    """The keys a process has met, numbered once for all its batches (module docstring, step 2).

    A key is a word as written in one language (plain texts) or a full :data:`Hit` (texts
    tokenised one token at a time).  ``stem[key]``, ``anchor[key]``: its stem's and anchor's
    number among the terms, -1 for none; ``norm[key]``: its norm's number among the forms.
    Of each term: ``name[term]``, whether it is a name anchor (not a number: what an opening
    token does not give); ``anchor_form[term]``, an anchor's form (its text without the prefix).
    """

    def __init__(self) -> None:
        self.words: dict[str, HashIndex] = {}  # language -> scan hash of a word as written -> key
        self.hits: dict[Hit, int] = {}
        self.terms: dict[str, int] = {}
        self.term_list: list[str] = []
        self.forms: dict[str, int] = {}
        self.form_list: list[str] = []
        self.n_keys = 0
        self.stem = np.zeros(0, dtype=np.int64)
        self.anchor = np.zeros(0, dtype=np.int64)
        self.norm = np.zeros(0, dtype=np.int64)
        self.name = np.zeros(0, dtype=bool)
        self.anchor_form = np.zeros(0, dtype=np.int64)

    def word_keys(
        self, hashes: np.ndarray, words_at: Callable[[np.ndarray], list[str]], analyzer: Analyzer
    ) -> np.ndarray:
        """The key of each word as written (the analyzer's language), given by its scan hash
        (:mod:`~provenance.normalize.plainscan`); ``words_at(positions)`` gives the words at those
        positions, called for the ones met for the first time, which are analysed and numbered in
        order of first occurrence.
        """
        index = self.words.get(analyzer.language)
        if index is None:
            index = self.words[analyzer.language] = HashIndex()
        return keys_of(index, hashes, lambda new: self._add([word_hit(word, analyzer) for word in words_at(new)]))

    def hit_keys(self, hits: Sequence[Hit]) -> np.ndarray:
        """The key of each full hit; a new one is numbered."""
        found = list(map(self.hits.get, hits))
        if None in found:
            misses = list(compress(count(), map(_IS_NONE, found)))  # found in C
            new = list(dict.fromkeys(hits[k] for k in misses))  # each new hit numbered once
            self.hits.update(zip(new, self._add(new), strict=True))
            for k in misses:
                found[k] = self.hits[hits[k]]
        return np.fromiter(found, dtype=np.int64, count=len(found))  # every miss filled

    def _add(self, hits: Sequence[Hit]) -> range:
        """Number new keys with these hits (their terms and forms numbered as first met)."""
        n_terms = len(self.term_list)
        stems: list[int] = []
        anchors: list[int] = []
        norms: list[int] = []
        for norm, stem, anchor in hits:
            stems.append(-1 if stem is None else self._term(stem))
            anchors.append(-1 if anchor is None else self._term(anchor))
            norms.append(self._form(norm))
        names: list[bool] = []
        anchor_forms: list[int] = []
        for term in self.term_list[n_terms:]:
            is_anchor = term.startswith(ANCHOR)
            names.append(is_anchor and not term[1:2].isdigit())
            anchor_forms.append(self._form(term[len(ANCHOR) :]) if is_anchor else -1)
        self.name = _grown(self.name, n_terms, np.array(names, dtype=bool))
        self.anchor_form = _grown(self.anchor_form, n_terms, np.array(anchor_forms, dtype=np.int64))
        start = self.n_keys
        self.n_keys += len(hits)
        self.stem = _grown(self.stem, start, np.array(stems, dtype=np.int64))
        self.anchor = _grown(self.anchor, start, np.array(anchors, dtype=np.int64))
        self.norm = _grown(self.norm, start, np.array(norms, dtype=np.int64))
        return range(start, self.n_keys)

    def _term(self, term: str) -> int:
        return _numbered(self.terms, self.term_list, term)

    def _form(self, form: str) -> int:
        return _numbered(self.forms, self.form_list, form)


def _numbered(index: dict[str, int], listed: list[str], value: str) -> int:
    """``value``'s number in ``index``, numbering it next (and listing it) if new."""
    number = index.get(value)
    if number is None:
        number = index[value] = len(listed)
        listed.append(value)
    return number


def _grown(array: np.ndarray, at: int, values: np.ndarray) -> np.ndarray:
    """``array`` with ``values`` written from ``at`` on, grown (doubling) where it is too short."""
    end = at + len(values)
    if end > len(array):
        bigger = np.zeros(max(end, 2 * len(array)), dtype=array.dtype)
        bigger[:at] = array[:at]
        array = bigger
    array[at:end] = values
    return array


_LEXICON: list[Lexicon] = []  # this process's (one; made again when it outgrows LEXICON_MAX)


def _lexicon() -> Lexicon:
    if not _LEXICON or _LEXICON[0].n_keys > LEXICON_MAX:
        _LEXICON[:] = [Lexicon()]
    return _LEXICON[0]


def _unique_pairs(major: np.ndarray, minor: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``(major, minor)`` pairs, ascending."""
    keys = unique_sorted(major * width + minor)
    return keys // width, keys % width


def _first_pairs(major: np.ndarray, minor: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_unique_pairs`, and the position of each one's first occurrence.

    The position is the key's last digit, so one plain sort (no stable argsort) puts each
    pair's first occurrence first.
    """
    n = max(1, len(major))
    if (int(major.max(initial=0)) + 1) * width * n >= 2**63:  # (the keys would not fit in int64)
        unique, first = np.unique(major * width + minor, return_index=True)
        return unique // width, unique % width, first
    keys = np.sort((major * width + minor) * n + np.arange(len(major), dtype=np.int64))
    pair = keys // n
    head = np.ones(len(keys), dtype=bool)
    np.not_equal(pair[1:], pair[:-1], out=head[1:])
    pair, first = pair[head], keys[head] % n
    return pair // width, pair % width, first


def _counted_triples(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``_summed_triples(rows, ones)``: the distinct rows (sorted) and how often each occurs, through one sort."""
    if not len(rows):
        return np.zeros((0, 3), dtype=np.int64), np.zeros(0, dtype=np.int64)
    n_second, n_third = int(rows[:, 1].max()) + 1, int(rows[:, 2].max()) + 1
    keys = np.sort((rows[:, 0] * n_second + rows[:, 1]) * n_third + rows[:, 2])
    head = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    counts = np.diff(np.r_[head, len(keys)]).astype(np.int64)
    keys = keys[head]
    return np.stack([keys // n_third // n_second, keys // n_third % n_second, keys % n_third], axis=1), counts


def documents_part(docs: Sequence[Document]) -> TablePart:
    """The :class:`TablePart` of ``docs``: their passages, stems, anchors and surface forms (module docstring)."""
    joined = "".join(d.text for d in docs)
    codes = code_points(joined)
    offsets = row_offsets(np.fromiter((len(d.text) for d in docs), dtype=np.int64, count=len(docs)))
    plain_docs = plain_flags(codes, offsets).tolist()
    # the tokens in order, in runs of one kind: (analyzer, range of plain passages) of plain texts,
    # (None, full hits) of the others
    runs: list[_Run] = []
    plain_spans: list[tuple[int, int]] = []  # of the plain texts' passages, in the joined text
    other_tokens: list[int] = []  # of the other passages
    other_opens: list[bool] = []
    spans: list[tuple[int, int]] = []
    passage_plain: list[bool] = []
    n_passages: list[int] = []
    text_lengths: list[int] = []
    languages: list[str] = []
    for doc, at, plain in zip(docs, offsets.tolist(), plain_docs, strict=False):
        analyzer = analyzer_for(doc.language)
        languages.append(analyzer.language)
        text = doc.text
        passages = split_passages(text, doc.id)[:MAX_PASSAGES]
        n_passages.append(len(passages))
        text_lengths.append(sum(p.end - p.start for p in passages))
        here = [(p.start, p.end) for p in passages]
        spans += here
        passage_plain += [plain] * len(here)
        if plain:
            if not runs or runs[-1][0] is not analyzer:
                runs.append((analyzer, [len(plain_spans), len(plain_spans)]))
            plain_spans += [(at + a, at + b) for a, b in here]
            runs[-1][1][1] = len(plain_spans)
            continue
        if not runs or runs[-1][0] is not None:
            runs.append((None, []))
        hits_run: list[Hit] = runs[-1][1]
        for p in passages:
            found = analyzer.token_tuples(text, p.start, p.end)
            hits_run += [_hit(n, _entry(n, stem, stop, text[s].isupper())) for n, stem, s, _, stop in found]
            other_tokens.append(len(found))
            other_opens.append(bool(found) and found[0][2] == p.start)
    plain_array = np.array(plain_spans, dtype=np.int64).reshape(-1, 2)
    scanned = scan_passages(codes, plain_array[:, 0], plain_array[:, 1])
    is_plain = np.array(passage_plain, dtype=bool)
    lengths = np.zeros(len(spans), dtype=np.int64)
    lengths[is_plain] = scanned.counts
    lengths[~is_plain] = other_tokens
    opens = np.zeros(len(spans), dtype=bool)
    opens[is_plain] = scanned.opens
    opens[~is_plain] = other_opens
    token_at = row_offsets(scanned.counts)  # where each plain passage's words start

    # each token's key in the process's lexicon
    lexicon = _lexicon()
    keys = []
    for run_analyzer, items in runs:
        if run_analyzer is None:
            keys.append(lexicon.hit_keys(items))
            continue
        lo, hi = int(token_at[items[0]]), int(token_at[items[1]])

        def words_at(positions: np.ndarray, lo: int = lo) -> list[str]:
            where = positions + lo
            pieces = zip(scanned.starts[where].tolist(), scanned.ends[where].tolist(), strict=True)
            return [joined[a:b] for a, b in pieces]

        keys.append(lexicon.word_keys(scanned.hashes[lo:hi], words_at, run_analyzer))
    token = np.concatenate(keys) if keys else np.zeros(0, dtype=np.int64)
    return _part(docs, lexicon, token, lengths, opens, spans, n_passages, text_lengths, languages)


def _part(
    docs: Sequence[Document],
    lexicon: Lexicon,
    token: np.ndarray,
    lengths: np.ndarray,
    opens: np.ndarray,
    spans: list[tuple[int, int]],
    n_passages: list[int],
    text_lengths: list[int],
    languages: list[str],
) -> TablePart:
    """The arrays of :func:`documents_part` from its tokens' keys (``lengths[r]`` of them in passage ``r``)."""
    n_rows = len(lengths)
    row = np.repeat(np.arange(n_rows, dtype=np.int64), lengths)
    doc_of_row = np.repeat(np.arange(len(docs), dtype=np.int64), np.asarray(n_passages, dtype=np.int64))
    first_token = np.zeros(len(token), dtype=bool)
    opening = opens & (lengths > 0)
    first_token[(np.cumsum(lengths) - lengths)[opening]] = True

    # terms (stems and anchors: anchors begin with ANCHOR, stems never do) in the lexicon's numbers
    width = max(1, len(lexicon.term_list))
    stem = lexicon.stem[token]
    has_stem = stem >= 0
    anchor = lexicon.anchor[token]
    has_anchor = anchor >= 0
    opening_name = first_token & has_anchor
    opening_name[opening_name] = lexicon.name[anchor[opening_name]]
    has_anchor &= ~opening_name  # an opening name is not an anchor
    term_rows, term_ids = _unique_pairs(row[has_stem], stem[has_stem], width)
    anchor_rows, anchor_ids = _unique_pairs(row[has_anchor], anchor[has_anchor], width)

    # the terms that occur (an opening name may be met nowhere else), renumbered densely
    used = unique_sorted(np.concatenate([term_ids, anchor_ids]))
    rank = _ranks(used, width)
    vocab = [lexicon.term_list[t] for t in used.tolist()]
    term_ids, anchor_ids = rank[term_ids], rank[anchor_ids]

    # each document's surface: its stems with the form of their first token, its anchors without the prefix
    stem_doc, stem_term, stem_first = _first_pairs(doc_of_row[row[has_stem]], rank[stem[has_stem]], len(vocab) or 1)
    stem_form = lexicon.norm[token[has_stem][stem_first]]
    anchor_doc, anchor_term = _unique_pairs(doc_of_row[anchor_rows], anchor_ids, len(vocab) or 1)
    anchor_form = lexicon.anchor_form[used[anchor_term]]
    # the forms that are some document's surface form, renumbered densely
    surface_form = np.concatenate([stem_form, anchor_form])
    used_forms = unique_sorted(surface_form)
    form_list = [lexicon.form_list[f] for f in used_forms.tolist()]
    surface_form = np.searchsorted(used_forms, surface_form)
    surface_term = np.concatenate([stem_term, anchor_term])
    surface_doc = np.concatenate([stem_doc, anchor_doc])
    language_index: dict[str, int] = {}
    doc_language = np.array([language_index.setdefault(g, len(language_index)) for g in languages], dtype=np.int64)
    triples = np.stack([surface_term, surface_form, doc_language[surface_doc]], axis=1)
    form_rows, form_counts = _counted_triples(triples)
    span_array = np.array(spans, dtype=np.int64).reshape(-1, 2)
    return TablePart(
        vocab=vocab,
        doc_ids=[d.id for d in docs],
        languages=languages,
        text_lengths=np.array(text_lengths, dtype=np.int64),
        n_passages=np.array(n_passages, dtype=np.int64),
        starts=span_array[:, 0].copy(),
        ends=span_array[:, 1].copy(),
        term_lengths=np.bincount(term_rows, minlength=n_rows).astype(np.int64),
        term_ids=term_ids.astype(np.int32),
        anchor_lengths=np.bincount(anchor_rows, minlength=n_rows).astype(np.int64),
        anchor_ids=anchor_ids.astype(np.int32),
        df=np.bincount(surface_term, minlength=len(vocab)).astype(np.int64),
        forms=form_list,
        form_languages=list(language_index),
        form_rows=form_rows,
        form_counts=form_counts,
    )
