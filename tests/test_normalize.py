"""Normalisation: matching form, language detection, tokens with offsets, stems, passages."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.normalize import analyzer_for, detect_language, fold_for_matching, split_passages

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def test_fold_for_matching_quotes_spaces_case() -> None:
    assert fold_for_matching("L’Articolo “VERO”\u00a0–") == 'l\'articolo "vero" -'
    assert len(fold_for_matching("L’uomo più")) == len("L’uomo più")  # one code point to one


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Il Cremlino ha smentito le notizie di colloqui segreti tra Elon Musk e il presidente russo.", "it"),
        ("The Kremlin denied reports of secret talks between Elon Musk and the Russian president.", "en"),
        ("Le Kremlin a démenti les informations sur des entretiens secrets entre Musk et Poutine.", "fr"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text).code == lang


def test_detect_language_undetermined_for_no_letters() -> None:
    assert detect_language("12 34 56 -- !!").code == "und"


def test_seeds_are_italian() -> None:
    for f in sorted(SEEDS.glob("*.txt")):
        assert detect_language(f.read_text(encoding="utf-8")).code == "it", f.name


def test_italian_tokens_keep_offsets_and_stem_inflections() -> None:
    text = "L’uomo più ricco: 347,8 miliardi. Satellitare, satellitari!"
    toks = analyzer_for("it").tokens(text)
    for t in toks:
        assert fold_for_matching(text[t.start : t.end]) == t.norm
    norms = [t.norm for t in toks]
    assert "347,8" in norms and "uomo" in norms
    stems = {t.norm: t.stem for t in toks}
    assert stems["satellitare"] == stems["satellitari"]
    assert next(t for t in toks if t.norm == "più").is_stopword


def test_english_stems_and_stopwords() -> None:
    toks = analyzer_for("en").tokens("The talks were talking about the talk")
    stems = [t.stem for t in toks if not t.is_stopword]
    assert stems and len(set(stems)) == 1
    assert next(t for t in toks if t.norm == "the").is_stopword


def test_fallback_analyzers() -> None:
    assert analyzer_for("it").method == "lemma+snowball"
    assert analyzer_for("la").method == "simplemma"  # Latin: no Snowball stemmer
    und = analyzer_for("und")
    assert und.method == "prefix6"
    assert [t.stem for t in und.tokens("abcdefghij xyz")] == ["abcdef", "xyz"]


def test_passages_abbreviations_headlines_quotes() -> None:
    text = (
        "Titolo senza punto finale\n"
        "D. Peskov ha dichiarato che Putin “ha avuto un contatto con Musk”. Poi ha aggiunto altro.\n"
        "Mr. Smith went to Washington. He said so."
    )
    spans = [text[p.start : p.end] for p in split_passages(text)]
    assert spans == [
        "Titolo senza punto finale",
        "D. Peskov ha dichiarato che Putin “ha avuto un contatto con Musk”.",
        "Poi ha aggiunto altro.",
        "Mr. Smith went to Washington.",
        "He said so.",
    ]


def test_passages_merge_fragments_and_skip_blank_lines() -> None:
    text = "\n\nUna frase abbastanza lunga qui. Ok. Un'altra frase lunga davvero.\n\n"
    spans = [text[p.start : p.end] for p in split_passages(text)]
    assert spans == ["Una frase abbastanza lunga qui.", "Ok. Un'altra frase lunga davvero."]
    assert split_passages("") == []


def test_ambiguous_texts_take_their_collection_language_confident_ones_keep_theirs() -> None:
    from benchmarks.synthetic_corpus import CorpusParams, SyntheticCorpus
    from provenance.normalize.language import detect_languages

    corpus = SyntheticCorpus(CorpusParams(n=120))
    texts = [corpus.text(i) for i in range(120)]  # pseudo-words the model was not trained on
    alone = [detect_language(t).code for t in texts]
    english = "The Kremlin denied reports of secret talks between Elon Musk and the Russian president. " * 3
    together = [g.code for g in detect_languages([*texts, english])]
    assert alone.count("und") > 20  # on its own the model hesitates on many of them...
    assert together[-1] == "en"  # ...a text it is sure of keeps its language in any collection
    majority = max(set(together[:-1]), key=together.count)
    assert together.count("und") == 0
    assert together[:-1].count(majority) >= 115


def test_abbreviation_longer_than_the_tail_read_is_still_an_abbreviation() -> None:
    from provenance.normalize.segment import _is_abbreviation

    _TAIL = 64  # what an earlier version read before the stop
    dotted = "a." * (_TAIL // 2 + 10)  # "a.a.a....a." like "U.S.", longer than the tail
    line = "Prima " + dotted + " Dopo"
    assert _is_abbreviation(line, len("Prima " + dotted))
    assert not _is_abbreviation("Una frase " + "x" * (_TAIL + 5) + ". Dopo", len("Una frase ") + _TAIL + 6)


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("“L’Apertura” di Mario Rossi — 15.000 persone, 3,5% in più; _x Über naïve", True),
        ("Cafe\u0301 crème", False),  # a combining accent
        ("Reuters: 北京市政府 2024", False),
        ("วันนี้ fine", False),
    ],
)
def test_plain_texts_are_tokenised_as_the_full_expression_does(text: str, plain: bool) -> None:
    from provenance.normalize.analyzer import Analyzer

    analyzer = analyzer_for("it")
    assert Analyzer.is_plain(text) is plain
    if plain:
        assert Analyzer.plain_words(text, 0, len(text)) == [text[t.start : t.end] for t in analyzer.tokens(text)]


def test_plain_text_check_matches_a_scan_of_every_character() -> None:
    """``is_plain`` (code points through numpy) agrees with matching each character; ASCII, astral, lone surrogates."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from provenance.normalize.analyzer import _SPECIAL, Analyzer

    letters = st.sampled_from(list("ab Z9.,“”’é\u0301\u0300\u02ff\u0e01\u4e00\U00020000\U0001f600\ud800\udfff\u3005ー"))

    @settings(max_examples=300, deadline=None)
    @given(st.text(alphabet=letters, max_size=40) | st.text(max_size=40))
    def check(text: str) -> None:
        assert Analyzer.is_plain(text) is (not any(_SPECIAL.match(c) for c in text))

    check()


def test_batched_language_model_gives_py3langid_features_and_posteriors() -> None:
    """The automaton walked for many texts at once: py3langid's features and counts, its posterior up to rounding."""
    import numpy as np

    from provenance.normalize.language import PREFIX_CHARS, _identifier, language_probabilities, sample_posteriors

    seeds = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))[:5]
    texts = [p.read_text(encoding="utf-8") for p in seeds] + [
        "",
        "x",
        "HELLO WORLD THIS TEXT IS ALL UPPER CASE",
        "北京市政府今天宣布了新的交通计划，市民表示欢迎。",
        "Ça va très bien, merci. Élan, garçon, œuvre.",
        "Привет, мир! Как дела у вас сегодня?",
        "नमस्ते दुनिया, आज का समाचार",
        "e\u0301te\u0301 cafe\u0301 re\u0301sume\u0301 with decomposed accents",
        "broken \ud800 surrogate in an English sentence about the weather",
        "1234 5678 90",
    ]
    texts += [" ".join(texts[:3])]  # longer than the prefix
    ident = _identifier()
    # the walk's features in py3langid's order (its Counter's, by first occurrence) with its counts
    from py3langid.langid import visit_counts

    from provenance.normalize.language import _encode, _feature_counts

    encoded = [_encode(t[:PREFIX_CHARS]) for t in texts]
    for data, (features, counts) in zip(encoded, _feature_counts(encoded), strict=True):
        visits = visit_counts(ident.tk_nextmove, ident._rowbase, ident.tk_output, data) or {}
        assert features.tolist() == list(visits) and counts.tolist() == list(visits.values())
    # the posterior: py3langid's up to float rounding (its float32 products summed in float64, not float32 BLAS)
    expected = [np.asarray(ident._decide(t[:PREFIX_CHARS]), dtype=np.float64) for t in texts]
    alone = [language_probabilities(text) for text in texts]
    for got_one, want in zip(alone, expected, strict=True):
        assert np.allclose(got_one, want, rtol=1e-4, atol=1e-6) and got_one.argmax() == want.argmax()
    assert any(not np.array_equal(a, w) for a, w in zip(alone, expected, strict=True))  # (rounding does differ)
    got = sample_posteriors(texts, min_letters=0)  # together: the same floats as one by one
    assert got.known.all() and all(np.array_equal(g, a) for g, a in zip(got.matrix, alone, strict=True))
    short = sample_posteriors(["1234 5678", "abc"], min_letters=20)
    assert not short.known.any() and not short.matrix.any()


def test_segmentation_helpers_match_their_regular_expressions() -> None:
    """The backward word scan and the word-count test find what the expressions they replace find."""
    import re

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from provenance.normalize.segment import _END, _has_words, _stops, _word_before

    before = re.compile(r"([\w.]+)\.$")
    chars = st.text(alphabet=st.sampled_from(list('ab.Z9_ é\u0301-,!?\t…"”»)(«–')), max_size=30)
    long_runs = st.text(alphabet=st.sampled_from(list("aaaab.Z9_é\u0301 ")), min_size=30, max_size=90)

    @settings(max_examples=400, deadline=None)
    @given(chars | long_runs, st.integers(0, 4))
    def check(line: str, n: int) -> None:
        if line.endswith("."):
            m = before.search(line)
            assert _word_before(line, len(line) - 1) == (m.group(1) if m else "")
        for start in range(len(line) + 1):
            assert _has_words(line, start, len(line), n) == (len(re.findall(r"\w+", line[start:])) >= n)
        assert [m.span() for m in _stops(line)] == [m.span() for m in _END.finditer(line)]

    check()


def test_language_posteriors_in_blocks_and_parts_decide_as_one_matrix(monkeypatch: pytest.MonkeyPatch) -> None:
    """The collection prior and the decisions are taken block by block; blocks and parts change no bit."""
    import numpy as np

    import provenance.normalize.language as lang
    from benchmarks.synthetic_corpus import CorpusParams, SyntheticCorpus

    corpus = SyntheticCorpus(CorpusParams(n=90))
    texts = [corpus.text(i) for i in range(90)] + ["1234 5678", "The Kremlin denied reports of talks. " * 3, "x"]
    whole = lang.sample_posteriors(texts)
    assert whole.known.tolist() == [lang._enough_letters(t[: lang.PREFIX_CHARS], 20) for t in texts]
    assert not whole.known[-3] and not whole.matrix[-3].any()
    parts = [lang.sample_posteriors(texts[s : s + 10]) for s in range(0, len(texts), 10)]
    joined = lang.Posteriors.join(parts, len(texts))
    assert np.array_equal(joined.matrix, whole.matrix) and np.array_equal(joined.known, whole.known)
    with pytest.raises(ValueError, match="not 95"):
        lang.Posteriors.join(parts, 95)
    rows = whole.matrix[whole.known]
    assert np.array_equal(lang._column_sums([rows[:7], rows[7:40], rows[40:]], rows.shape[1]), rows.sum(axis=0))
    one_block = lang.detect_languages(texts, probabilities=whole)
    prior = lang._collection_prior(whole)
    monkeypatch.setattr(lang, "EM_BLOCK", 7)
    assert lang.detect_languages(texts) == one_block
    assert np.array_equal(lang._collection_prior(joined), prior)
    assert one_block[-2].code == "en" and one_block[-3].code == "und"


def test_plain_words_are_the_expression_s_tokens_of_any_slice() -> None:
    """Letters and breaking marks alone split whole; else the letter runs whole and the rest through the expression."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from provenance.normalize.analyzer import _BREAKS, _PLAIN_RE, Analyzer

    alphabet = list("abZé北ß²½9.,_-'’“” \t\n\u00a0\u2003\u0301") + ["15.000", "3,5", "abc123def", "x_y", *_BREAKS]
    prose = list("abZéß \n\u2028") + list(_BREAKS)  # passages of the split-only path, and near misses
    texts = st.lists(st.sampled_from(alphabet), max_size=60).map("".join) | st.lists(
        st.sampled_from(prose), max_size=60
    ).map("".join)

    @settings(max_examples=500, deadline=None)
    @given(texts, st.data())
    def check(text: str, data: st.DataObject) -> None:
        start = data.draw(st.integers(0, len(text)))
        end = data.draw(st.integers(start, len(text)))
        assert Analyzer.plain_words(text, start, end) == _PLAIN_RE.findall(text, start, end)

    check()
    letters_only = "“Lorem” ipsum, dolor sit: amet (elit)! L’anno «nuovo» - sì?"
    assert Analyzer.plain_words(letters_only, 0, len(letters_only)) == _PLAIN_RE.findall(letters_only)
