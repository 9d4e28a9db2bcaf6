"""Stage *normalisation* over a batch of documents, straight into a :class:`~provenance.scoring.table.TablePart`.

:func:`~provenance.scoring.align.build_profile` makes one document's
:class:`~provenance.scoring.align.PassageProfile` (a set of strings per
passage), and :func:`~provenance.scoring.table.table_part` numbers the sets of
many profiles.  :func:`documents_part` gives the same part without the sets:

1. each passage's tokens are numbered as they are read, in C (``map`` of
   ``dict.setdefault`` with a running position, one small dictionary per
   language and batch), so the batch is one array of token numbers;
2. each distinct token is analysed once (its norm, content stem and anchor:
   :data:`~provenance.scoring.align.Hit`, from the same per-language cache);
3. the passages' stem and anchor sets, each document's surface forms and the
   counts for the term weights are then taken by sorting integer keys of the
   whole batch.

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

from collections.abc import Sequence
from functools import partial
from itertools import chain, compress, count
from operator import is_, itemgetter

import numpy as np

from provenance.arrays import unique_sorted
from provenance.normalize.analyzer import Analyzer, analyzer_for
from provenance.normalize.segment import split_passages
from provenance.records import Document
from provenance.scoring.align import _ANCHOR_OF, _HITS, _HITS_MAX, _STEM, ANCHOR, MAX_PASSAGES, Hit, _entry, _hit
from provenance.scoring.table import TablePart, _joined, _ranks

_SECOND = itemgetter(slice(1, 2))  # an anchor's first character after ANCHOR
_NORM = itemgetter(0)  # of a Hit
_IS_NONE = partial(is_, None)


def _plain_hits(words: Sequence[str], analyzer: Analyzer) -> list[Hit]:
    """The full :data:`Hit` of each word as written (a name anchor included), through the language's cache."""
    cache = _HITS.setdefault(analyzer.language, {})
    if len(cache) + len(words) > _HITS_MAX:
        cache.clear()
    found = list(map(cache.get, words))
    if None in found:
        for k in compress(count(), map(_IS_NONE, found)):  # the misses, found in C
            w = words[k]
            norm, stem, stop = analyzer.word(w)
            found[k] = cache[w] = _hit(norm, _entry(norm, stem, stop, w[0].isupper()))
    return found  # type: ignore[return-value]  # every miss filled


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
    position = count()
    words_of: dict[str, dict[str, int]] = {}  # language -> word as written -> position of its first token
    hits_of: dict[Hit, int] = {}  # full hit -> position of its first token (texts tokenised one token at a time)
    tokens: list[int] = []  # the first position of each token's key
    passage_tokens: list[int] = []
    opens: list[bool] = []  # whether the passage's first token opens it
    spans: list[tuple[int, int]] = []
    n_passages: list[int] = []
    text_lengths: list[int] = []
    languages: list[str] = []
    for doc in docs:
        analyzer = analyzer_for(doc.language)
        languages.append(analyzer.language)
        text = doc.text
        passages = split_passages(text, doc.id)[:MAX_PASSAGES]
        n_passages.append(len(passages))
        text_lengths.append(sum(p.end - p.start for p in passages))
        if analyzer.is_plain(text):
            index = words_of.setdefault(analyzer.language, {})
            for p in passages:
                words = analyzer.plain_words(text, p.start, p.end)
                opening = bool(words) and text[p.start] == words[0][0]
                # each word once, in order of first occurrence (the sets are the same); the opening
                # token first, and again where the word occurs later (there it may be an anchor)
                distinct = list(dict.fromkeys(words[1:] if opening else words))
                if opening:
                    distinct.insert(0, words[0])
                tokens.extend(map(index.setdefault, distinct, position))
                passage_tokens.append(len(distinct))
                opens.append(opening)
                spans.append((p.start, p.end))
        else:
            for p in passages:
                found = analyzer.token_tuples(text, p.start, p.end)
                for norm, stem, s, _, stop in found:
                    tokens.append(
                        hits_of.setdefault(_hit(norm, _entry(norm, stem, stop, text[s].isupper())), next(position))
                    )
                passage_tokens.append(len(found))
                opens.append(bool(found) and found[0][2] == p.start)
                spans.append((p.start, p.end))
    return _part(docs, tokens, words_of, hits_of, passage_tokens, opens, spans, n_passages, text_lengths, languages)


def _part(
    docs: Sequence[Document],
    tokens: list[int],
    words_of: dict[str, dict[str, int]],
    hits_of: dict[Hit, int],
    passage_tokens: list[int],
    opens: list[bool],
    spans: list[tuple[int, int]],
    n_passages: list[int],
    text_lengths: list[int],
    languages: list[str],
) -> TablePart:
    """The arrays of :func:`documents_part` from its tokens (numbered by the position of their key's first token)."""
    # the distinct keys, densely numbered in order of first occurrence, and their hits
    firsts: list[int] = []
    hits: list[Hit] = []
    for language, index in words_of.items():
        firsts += index.values()
        hits += _plain_hits(list(index), analyzer_for(language))
    firsts += hits_of.values()
    hits += hits_of
    key_of = np.zeros(max(firsts, default=-1) + 1, dtype=np.int64)
    key_of[np.asarray(firsts, dtype=np.int64)] = np.arange(len(firsts), dtype=np.int64)

    # terms (stems and anchors: anchors begin with ANCHOR, stems never do), numbered in C
    n_keys = len(hits)
    stems, anchors = list(map(_STEM, hits)), list(map(_ANCHOR_OF, hits))
    numbered = dict.fromkeys(chain(stems, anchors))
    numbered.pop(None, None)
    every = list(numbered)
    number: dict[str | None, int] = dict(zip(every, count()))
    number[None] = -1
    stem_of = np.fromiter(map(number.__getitem__, stems), np.int64, n_keys)
    anchor_of = np.fromiter(map(number.__getitem__, anchors), np.int64, n_keys)
    # of an anchor: whether it is a name, not a number (and a last entry for "no anchor", -1)
    is_name = np.append(~np.fromiter(map(str.isdigit, map(_SECOND, every)), bool, len(every)), False)

    token = key_of[np.asarray(tokens, dtype=np.int64)] if tokens else np.zeros(0, dtype=np.int64)
    lengths = np.asarray(passage_tokens, dtype=np.int64)
    n_rows = len(lengths)
    row = np.repeat(np.arange(n_rows, dtype=np.int64), lengths)
    doc_of_row = np.repeat(np.arange(len(docs), dtype=np.int64), np.asarray(n_passages, dtype=np.int64))
    first_token = np.zeros(len(token), dtype=bool)
    opening = np.asarray(opens, dtype=bool) & (lengths > 0)
    first_token[(np.cumsum(lengths) - lengths)[opening]] = True

    width = max(1, len(every))
    stem = stem_of[token]
    has_stem = stem >= 0
    anchor = anchor_of[token]
    has_anchor = (anchor >= 0) & ~(first_token & is_name[anchor])  # an opening name is not an anchor
    term_rows, term_ids = _unique_pairs(row[has_stem], stem[has_stem], width)
    anchor_rows, anchor_ids = _unique_pairs(row[has_anchor], anchor[has_anchor], width)

    # the terms that occur (an opening name may be met nowhere else), renumbered densely
    used = unique_sorted(np.concatenate([term_ids, anchor_ids]))
    rank = _ranks(used, width)
    vocab = [every[t] for t in used.tolist()]
    term_ids, anchor_ids = rank[term_ids], rank[anchor_ids]

    # each document's surface: its stems with the form of their first token, its anchors without the prefix
    stem_doc, stem_term, stem_first = _first_pairs(doc_of_row[row[has_stem]], rank[stem[has_stem]], len(vocab) or 1)
    norms = list(map(_NORM, hits))
    forms: dict[str, int] = dict(zip(dict.fromkeys(norms), count()))  # every key's norm, numbered in C
    norm_of = np.fromiter(map(forms.__getitem__, norms), np.int64, n_keys)
    stem_form = norm_of[token[has_stem][stem_first]]
    anchor_doc, anchor_term = _unique_pairs(doc_of_row[anchor_rows], anchor_ids, len(vocab) or 1)
    anchor_terms, term_of_entry = np.unique(anchor_term, return_inverse=True)
    term_form = _joined(forms, [vocab[t][len(ANCHOR) :] for t in anchor_terms.tolist()])
    anchor_form = term_form[term_of_entry.ravel()]
    # the forms that are some document's surface form, renumbered densely
    surface_form = np.concatenate([stem_form, anchor_form])
    used_forms = unique_sorted(surface_form)
    every_form = list(forms)
    form_list = [every_form[f] for f in used_forms.tolist()]
    surface_form = _ranks(used_forms, len(every_form))[surface_form]
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
