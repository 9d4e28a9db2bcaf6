"""Passage alignment finds paraphrased reuse and does not align texts that only share the story."""

from __future__ import annotations

from provenance.normalize import analyzer_for
from provenance.records import Document
from provenance.scoring.align import AlignParams, align_passages, best_chain, build_profile, chain_p_value
from provenance.scoring.weights import TermWeights

SOURCE_EN = """Floods hit Riverton as the Elm river bursts its banks
Heavy rain on Tuesday pushed the Elm river over its banks, flooding more than 300 homes in Riverton, officials said.
Mayor Janet Okafor declared a state of emergency and asked the national guard for 40 boats.
The county opened three shelters in school gymnasiums, which housed 1,200 people overnight.
Forecasters at the regional weather office expect another 80 millimetres of rain before Friday.
Insurers estimate the damage at 45 million dollars, the chamber of commerce said.
"""

REWRITE_EN = """Riverton under water after the Elm overflows
More than 300 houses in Riverton were flooded after Tuesday's downpour sent the Elm river over its banks.
A state of emergency was declared by mayor Janet Okafor, who requested 40 boats from the national guard.
Three school gymnasiums were turned into county shelters, hosting 1,200 residents for the night.
The regional weather office forecasts a further 80 millimetres of rain by Friday.
According to the chamber of commerce, insurers put the damage at 45 million dollars.
"""

# Same event, written independently: shares the story's vocabulary, not its sentences.
INDEPENDENT_EN = """Riverton residents count the cost of the flood
Volunteers spent Wednesday clearing mud from the main street of Riverton after the flood.
Many shop owners said they had never seen the river so high in forty years.
Local churches collected blankets and food for families who lost their homes.
The town council will meet next week to discuss new flood defences along the river.
Some residents criticised the slow response and asked why warnings came so late.
"""

SOURCE_IT = """Alluvione a Borgoverde, il fiume Tasso esce dagli argini
Le piogge di martedì hanno fatto esondare il fiume Tasso, allagando più di 300 abitazioni a Borgoverde.
La sindaca Giulia Ferri ha dichiarato lo stato di emergenza e ha chiesto 40 gommoni alla protezione civile.
La provincia ha aperto tre centri di accoglienza nelle palestre scolastiche, che hanno ospitato 1.200 persone.
I meteorologi prevedono altri 80 millimetri di pioggia entro venerdì.
Le assicurazioni stimano danni per 45 milioni di euro, secondo la camera di commercio.
"""

REWRITE_IT = """Borgoverde sott'acqua dopo l'esondazione del Tasso
Oltre 300 case allagate a Borgoverde dopo che la pioggia di martedì ha fatto uscire il Tasso dagli argini.
Stato di emergenza dichiarato dalla sindaca Giulia Ferri, che ha domandato alla protezione civile 40 gommoni.
Tre palestre scolastiche sono diventate centri di accoglienza della provincia, con 1.200 ospiti.
Secondo i meteorologi cadranno altri 80 millimetri di pioggia prima di venerdì.
Per la camera di commercio i danni stimati dalle assicurazioni ammontano a 45 milioni di euro.
"""

INDEPENDENT_IT = """Borgoverde, la conta dei danni dopo l'alluvione
Mercoledì i volontari hanno spalato il fango dalla strada principale di Borgoverde.
Molti commercianti raccontano di non aver mai visto il fiume così alto in quarant'anni.
Le parrocchie hanno raccolto coperte e cibo per le famiglie rimaste senza casa.
Il consiglio comunale si riunirà la prossima settimana per discutere nuovi argini.
Alcuni residenti hanno criticato i ritardi nei soccorsi e negli avvisi.
"""


def _align(lang: str, a: str, b: str, *others: str) -> tuple[int, float, list[tuple[int, int, float]]]:
    an = analyzer_for(lang)
    docs = [Document(f"d{i}", t, language=lang) for i, t in enumerate((a, b, *others))]
    profiles = [build_profile(d, an) for d in docs]
    weights = TermWeights().fit((lang, p.surface) for p in profiles)
    res = align_passages(profiles[0], profiles[1], weights, AlignParams())
    return res.chain_length, res.p_value, res.matches


def test_english_paraphrase_aligned_in_order() -> None:
    length, p, matches = _align("en", SOURCE_EN, REWRITE_EN, INDEPENDENT_EN)
    assert length >= 5
    assert p < 1e-4
    # passage k of the rewrite renders passage k of the source
    assert sum(i == j for i, j, _ in matches) >= 5


def test_italian_paraphrase_aligned_in_order() -> None:
    length, p, matches = _align("it", SOURCE_IT, REWRITE_IT, INDEPENDENT_IT)
    assert length >= 5
    assert p < 1e-4
    assert sum(i == j for i, j, _ in matches) >= 5


def test_same_story_independent_text_is_not_aligned() -> None:
    for lang, src, rew, ind in (
        ("en", SOURCE_EN, REWRITE_EN, INDEPENDENT_EN),
        ("it", SOURCE_IT, REWRITE_IT, INDEPENDENT_IT),
    ):
        length, p, _ = _align(lang, src, ind, rew)
        assert length <= 1, lang
        assert p > 0.05, lang


def test_best_chain_is_order_preserving_and_heaviest() -> None:
    cells = [(0, 0, 0.5), (1, 2, 0.5), (2, 1, 0.9), (3, 3, 0.5)]
    chain = best_chain(cells)
    assert [(i, j) for i, j, _ in chain] == [(0, 0), (2, 1), (3, 3)]
    assert best_chain([]) == []


def test_chain_p_value_monotone() -> None:
    ps = [chain_p_value(k, 20, 20, 0.005) for k in range(0, 8)]
    assert ps[0] == 1.0
    assert all(x >= y for x, y in zip(ps, ps[1:], strict=False))
    assert ps[6] < 1e-4 < ps[2]
    # bigger documents: more chances of a chance chain
    assert chain_p_value(3, 60, 60, 0.005) > chain_p_value(3, 10, 10, 0.005)


TRANSLATION_IT = """Alluvione a Riverton, il fiume Elm esce dagli argini
Le forti piogge di martedì hanno fatto esondare il fiume Elm, allagando oltre 300 case a Riverton, secondo le autorità.
La sindaca Janet Okafor ha dichiarato lo stato di emergenza e ha chiesto 40 barche alla Guardia Nazionale.
La contea ha aperto tre rifugi nelle palestre delle scuole, dove hanno dormito 1.200 persone.
I meteorologi prevedono altri 80 millimetri di pioggia prima di venerdì.
Le assicurazioni stimano i danni in 45 milioni di dollari, ha detto la camera di commercio.
"""


def test_translation_aligned_on_names_and_numbers() -> None:
    """Across languages stems cannot match; names and numbers (anchors) still align a translation."""
    an_en, an_it = analyzer_for("en"), analyzer_for("it")
    src = build_profile(Document("en", SOURCE_EN, language="en"), an_en)
    tr = build_profile(Document("it", TRANSLATION_IT, language="it"), an_it)
    ind = build_profile(Document("ind", INDEPENDENT_EN, language="en"), an_en)
    weights = TermWeights().fit([("en", src.surface), ("it", tr.surface), ("en", ind.surface)])
    res = align_passages(src, tr, weights)
    assert res.chain_length >= 3
    assert all(i == j for i, j, _ in res.matches)
    assert align_passages(ind, tr, weights).chain_length <= 1
