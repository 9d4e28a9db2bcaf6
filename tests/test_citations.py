"""Cited-source extraction: catalog folding, cues, ambiguity guards, seeds."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.records import CitedSource, Document
from provenance.sources import (
    INSTITUTION,
    KINDS,
    MENTION,
    OutletCatalog,
    cited_outlets,
    extract_cited_sources,
    fold_name,
    mentions_outlet,
)

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _doc(text: str, outlet: str | None = None) -> Document:
    return Document(id="t", text=text, outlet=outlet)


def _cites(text: str, **kw: bool) -> list[CitedSource]:
    return extract_cited_sources(_doc(text), **kw)


def _names(text: str, **kw: bool) -> list[str]:
    return cited_outlets(_cites(text, **kw), include_institutions=True)


def _seed(prefix: str) -> Document:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return Document(id=path.stem, text=path.read_text(encoding="utf-8"), origin=str(path))


# --------------------------------------------------------------------------- catalog


@pytest.fixture(scope="module")
def catalog() -> OutletCatalog:
    return OutletCatalog.load()


@pytest.mark.parametrize(
    "spelling",
    ["WSJ", "Wsj", "wsj", "W.S.J.", "Wall street Journal", "Wall Street Journal", "the Wall Street Journal",
     "The Wall Street Journal", "THE WALL STREET JOURNAL", " Wall  Street  Journal "],
)
def test_canonical_folds_wsj_variants(catalog: OutletCatalog, spelling: str) -> None:
    assert catalog.canonical(spelling) == "Wall Street Journal"


@pytest.mark.parametrize(
    ("spelling", "canonical", "kind"),
    [
        ("Ansa", "ANSA", "agency"),
        ("Agenzia Italia", "AGI", "agency"),
        ("Associated Press", "Associated Press", "agency"),
        ("AP", "Associated Press", "agency"),
        ("Agence France-Presse", "AFP", "agency"),
        ("NYT", "New York Times", "newspaper"),
        ("Corsera", "Corriere della Sera", "newspaper"),
        ("Repubblica", "la Repubblica", "newspaper"),
        ("Il Post", "Il Post", "online"),
        ("il post", "Il Post", "online"),
        ("Fanpage.it", "Fanpage", "online"),
        ("Sky Tg 24", "Sky TG24", "broadcaster"),
        ("Tgcom24", "TgCom24", "broadcaster"),
        ("El Pais", "El País", "newspaper"),
        ("l’Unità", "L'Unità", "newspaper"),
        ("LA Times", "Los Angeles Times", "newspaper"),
        ("Cremlino", "Kremlin", INSTITUTION),
        ("Casa Bianca", "White House", INSTITUTION),
    ],
)
def test_canonical_and_kind(catalog: OutletCatalog, spelling: str, canonical: str, kind: str) -> None:
    assert catalog.canonical(spelling) == canonical
    assert catalog.kind(spelling) == kind
    assert catalog.kind(canonical) == kind


@pytest.mark.parametrize("name", ["Wall Street", "Journal", "Musk", "", "Open Arms", "OpenAI", "Il Post-it"])
def test_unknown_names(catalog: OutletCatalog, name: str) -> None:
    assert catalog.canonical(name) is None
    assert catalog.kind(name) is None
    assert name not in catalog


def test_packaged_catalog_is_consistent(catalog: OutletCatalog) -> None:
    assert len(catalog) > 100
    assert catalog.conflicts == ()
    assert {e.kind for e in catalog} <= KINDS
    for e in catalog:
        assert catalog.canonical(e.name) == e.name, e.name
        for a in e.aliases:
            assert catalog.canonical(a.text) == e.name, (a.text, e.name)
    ambiguous = {e.name for e in catalog if e.ambiguous}
    assert {"Open", "Il Post", "Domani", "Libero", "Il Giorno", "La Verità", "Time", "The Sun"} <= ambiguous
    assert not catalog.is_media("Kremlin") and catalog.is_media("Reuters")


def test_load_is_cached() -> None:
    assert OutletCatalog.load() is OutletCatalog.load()


def test_fold_name_rules() -> None:
    assert fold_name("L’Espresso") == fold_name("l'Espresso") == "espresso"
    assert fold_name("El País") == "elpais"
    assert fold_name("Le Monde") == "lemonde"  # foreign articles stay
    assert fold_name("LA Times") == "latimes"  # an upper-case "LA" is not an article


def test_load_extra_file_merges(tmp_path: Path) -> None:
    extra = tmp_path / "mine.tsv"
    extra.write_text(
        "# my outlets\n"
        "name\tkind\tcountry\tlanguage\tambiguous\taliases\n"
        "Il Dolomiti\tonline\tIT\tit\tno\tDolomiti*\n"
        "Wall Street Journal\tnewspaper\tUS\ten\tno\tThe Journal*\n"
        "Reuters\tagency\tGB\ten\tno\t\n",
        encoding="utf-8",
    )
    cat = OutletCatalog.load(extra)
    assert cat is not OutletCatalog.load()
    assert cat.canonical("il dolomiti") == "Il Dolomiti" and cat.kind("Dolomiti") == "online"
    assert cat.canonical("WSJ") == "Wall Street Journal"  # old aliases kept
    assert cat.canonical("Journal") == "Wall Street Journal"  # new alias added
    assert cat.canonical("Thomson Reuters") == "Reuters"
    assert OutletCatalog.load().canonical("Il Dolomiti") is None  # the packaged one is untouched
    doc = _doc("Come riportato dal Dolomiti, la strada è chiusa. Secondo il Dolomiti riapre domani.")
    got = extract_cited_sources(doc, cat)
    assert [(c.name, c.mention) for c in got] == [("Il Dolomiti", "Dolomiti"), ("Il Dolomiti", "Dolomiti")]
    # "Dolomiti*" is ambiguous: no cue before it, no citation
    assert extract_cited_sources(_doc("Il Dolomiti scrive che riapre."), cat) == []
    assert extract_cited_sources(_doc("Dolomiti bellissime."), cat) == []


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("Foo\tpodcast\tIT\tit\tno\t", "unknown kind"),
        ("Foo\tonline\tIT\tit\tmaybe\t", "ambiguous"),
        ("Foo\tonline\tIT\tit\tno\tA\tB", "columns"),
    ],
)
def test_bad_catalog_lines_are_reported(tmp_path: Path, line: str, message: str) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        OutletCatalog.load(bad)


# --------------------------------------------------------------------------- positives


@pytest.mark.parametrize(
    ("text", "outlet", "mention", "cue"),
    [
        # Italian pre-cues
        ("Secondo il Wall Street Journal, Musk parla con Putin.", "Wall Street Journal", "Wall Street Journal", "secondo"),
        ("Secondo quanto riportato dal Wall street Journal, Musk.", "Wall Street Journal", "Wall street Journal",
         "secondo quanto riportato"),
        ("Il rapporto – come riportato da Open – è esplosivo.", "Open", "Open", "come riportato"),
        ("Ecco la rivelazione del Wsj sui contatti.", "Wall Street Journal", "Wsj", "rivelazione"),
        ("Lo riporta il Wsj in un articolo.", "Wall Street Journal", "Wsj", "riporta"),
        ("L'articolo del WSJ afferma che Musk ha parlato.", "Wall Street Journal", "WSJ", "articolo"),
        ("L’articolo del WSJ afferma che Musk ha parlato.", "Wall Street Journal", "WSJ", "articolo"),
        ("Lo scrive il Corriere della Sera nell'edizione di oggi.", "Corriere della Sera", "Corriere della Sera",
         "scrive"),
        ("Lo ha rivelato il New York Times.", "New York Times", "New York Times", "ha rivelato"),
        ("Citando fonti del Wall Street Journal, il sito afferma.", "Wall Street Journal", "Wall Street Journal",
         "fonti"),
        ("A quanto apprende l'ANSA, il vertice slitta.", "ANSA", "ANSA", "a quanto apprende"),
        ("A quanto apprende l’Ansa, il vertice slitta.", "ANSA", "Ansa", "a quanto apprende"),
        ("Lo ha detto all'Adnkronos il ministro.", "Adnkronos", "Adnkronos", "ha detto"),
        ("Il ministro ha dichiarato all’Agi che non si dimetterà.", "AGI", "Agi", "ha dichiarato"),
        ("La notizia è stata diffusa dalla Cnn.", "CNN", "Cnn", "è stata diffusa"),
        ("In un'intervista al Corriere, il ministro ha parlato.", "Corriere della Sera", "Corriere", "intervista"),
        ("Lo ha detto a Repubblica il ministro.", "la Repubblica", "Repubblica", "ha detto"),
        ("Secondo il quotidiano statunitense Wall Street Journal, Musk.", "Wall Street Journal",
         "Wall Street Journal", "quotidiano statunitense"),
        ("L'agenzia russa Tass riferisce che Putin ha parlato.", "TASS", "Tass", "agenzia russa"),
        ("Come riferisce l’agenzia Nova, il piano è pronto.", "Agenzia Nova", "Nova", "agenzia"),
        ("Secondo Le Monde Macron è in difficoltà.", "Le Monde", "Le Monde", "secondo"),
        ("Lo ha scritto lo Spiegel nella sua inchiesta.", "Der Spiegel", "Spiegel", "ha scritto"),
        ("Secondo El País, Sánchez si dimetterà.", "El País", "El País", "secondo"),
        ("Come ha scritto il Fatto, il ministro sapeva.", "Il Fatto Quotidiano", "Fatto", "come ha scritto"),
        ("Musk ha detto a Sky TG24 che tornerà.", "Sky TG24", "Sky TG24", "ha detto"),
        ("Lo riporta Tgcom24.", "TgCom24", "Tgcom24", "riporta"),
        ("Secondo il «Financial Times» la Bce taglierà.", "Financial Times", "Financial Times", "secondo"),
        ("Fonte: ANSA", "ANSA", "ANSA", "fonte:"),
        ("Il presidente di Confindustria ha parlato al Sole 24 Ore.", "Il Sole 24 Ore", "Sole 24 Ore", "ha parlato"),
        ("Secondo quanto si legge su Fanpage, il video è falso.", "Fanpage", "Fanpage", "secondo quanto si legge"),
        ("Come si legge sul sito del Post, la legge è passata.", "Il Post", "Post", "sito"),
        ("Speaking with CNN, the senator said.", "CNN", "CNN", "speaking with"),
        ("Sky ha comprato i diritti della Serie A. Mediaset ha perso.", "Mediaset", "Mediaset", MENTION),
        # ambiguous names with a cue
        ("Secondo Open, il governo cadrà.", "Open", "Open", "secondo"),
        ("Secondo Il Post, il governo cadrà.", "Il Post", "Post", "secondo"),
        ("Come spiega il Post, la legge cambia.", "Il Post", "Post", "come spiega"),
        ("Come riportato dal Post, la legge cambia.", "Il Post", "Post", "come riportato"),
        ("Secondo Domani, il ministro sapeva.", "Domani", "Domani", "secondo"),
        ("Scrive Libero che il ministro sapeva.", "Libero", "Libero", "scrive"),
        ("Lo scrive La Verità in prima pagina.", "La Verità", "Verità", "scrive"),
        ("Secondo Il Giorno, a Milano piove.", "Il Giorno", "Giorno", "secondo"),
        ("Secondo l'Espresso, il ministro sapeva.", "L'Espresso", "Espresso", "secondo"),
        ("Il Post scrive che il governo è in crisi.", "Il Post", "Post", "scrive"),
        # English
        ("According to Reuters, the talks happened.", "Reuters", "Reuters", "according to"),
        ("Reuters reported on Thursday that Musk spoke to Putin.", "Reuters", "Reuters", "reported"),
        ('"It is false," Peskov told the BBC.', "BBC", "BBC", "told"),
        ("Peskov said in an interview with RIA Novosti.", "RIA Novosti", "RIA Novosti", "in an interview with"),
        ("The Russian state news agency TASS said the call took place.", "TASS", "TASS",
         "the russian state news agency"),
        ("A Reuters report said the talks resumed.", "Reuters", "Reuters", "report"),
        ("The Wall Street Journal's report said the calls were secret.", "Wall Street Journal",
         "Wall Street Journal", "report"),
        ("The Kyiv Independent reported the strike.", "Kyiv Independent", "Kyiv Independent", "reported"),
        ("The talks were first reported by Bloomberg.", "Bloomberg", "Bloomberg", "first reported by"),
        ("According to the AP, officials were told.", "Associated Press", "AP", "according to"),
        ("The story was obtained by the Washington Post.", "Washington Post", "Washington Post", "obtained by"),
        ("According to Time, Musk is the person of the year.", "Time", "Time", "according to"),
        ("Senator Smith told The Hill on Monday.", "The Hill", "Hill", "told"),
        ("The Sun reported that the prince was ill.", "The Sun", "Sun", "reported"),
        ("He told Fox News that he would run.", "Fox News", "Fox News", "told"),
        # credits and datelines
        ("ROMA (ANSA) – Il governo ha approvato il decreto.", "ANSA", "ANSA", "(ANSA)"),
        ("MOSCOW, Oct 25 (Reuters) - Russia said on Friday.", "Reuters", "Reuters", "(Reuters)"),
        ("NEW YORK (AP) — Officials said on Friday.", "Associated Press", "AP", "(AP)"),
        ("The talks resumed on Friday.\n— Reuters", "Reuters", "Reuters", "credit"),
        ("Wsj: Musk in contatto con Putin", "Wall Street Journal", "Wsj", ":"),
        # bare mentions of unambiguous names
        ("Contatti segreti: la rivelazione che scuote Wall Street Journal", "Wall Street Journal",
         "Wall Street Journal", MENTION),
        ("Le fonti americane, incluso il New York Times, diffondono falsità.", "New York Times",
         "New York Times", MENTION),
        ("WALL STREET JOURNAL, EDIZIONE EUROPEA", "Wall Street Journal", "WALL STREET JOURNAL", MENTION),
    ],
)
def test_positive(text: str, outlet: str, mention: str, cue: str) -> None:
    got = _cites(text)
    assert got, text
    c = got[0]
    assert (c.name, c.mention, c.cue) == (outlet, mention, cue)
    assert text[c.start : c.end] == c.mention


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lo riportano Reuters e Bloomberg.", ["Reuters", "Bloomberg"]),
        ("Secondo Reuters, Bloomberg e Axios, i colloqui proseguono.", ["Reuters", "Bloomberg", "Axios"]),
        ("(LaPresse/Reuters) Il vertice è saltato.", ["LaPresse", "Reuters"]),
        ("Lo scrivono Reuters e il Post.", ["Reuters", "Il Post"]),
        ("Lo scrive il New York Times e il New York Post.", ["New York Times", "New York Post"]),
    ],
)
def test_lists_share_the_cue(text: str, expected: list[str]) -> None:
    got = _cites(text)
    assert [c.name for c in got] == expected
    assert len({c.cue for c in got}) == 1 and got[0].cue != MENTION


# --------------------------------------------------------------------------- negatives


@pytest.mark.parametrize(
    "text",
    [
        # Open
        "La nave di Open Arms è arrivata a Lampedusa.",
        "Open Arms ha soccorso 100 migranti.",
        "Secondo Open Arms i migranti sono 100.",
        "Open AI ha lanciato un nuovo modello.",
        "Secondo Open AI il modello è sicuro.",
        "OpenAI ha lanciato un nuovo modello.",
        "Il sito è open a tutti, secondo open data.",
        "Open è un giornale online.",
        "OPEN SOURCE E SICUREZZA",
        # Il Post / Post
        "Ho comprato un Post-it giallo.",
        "Secondo il Post-it sulla porta, torno subito.",
        "According to the Post, the talks resumed.",
        "The post was deleted after an hour.",
        # Time, Sun, Hill, Fox
        "At the time, nobody knew.",
        "Time is running out for the negotiators.",
        "The Sun rose over London.",
        "Hill said on Monday that he would resign.",
        "The fox jumped over the fence.",
        "A Fox terrier won the show.",
        # Wall Street, the market
        "Wall Street ha chiuso in rialzo.",
        "A Wall Street i titoli tech salgono del 3%.",
        "Wall Street rallied on Friday as tech stocks rose.",
        "Gli analisti di Wall Street sono cauti.",
        # common Italian words and proper nouns
        "Domani il ministro parlerà alla Camera.",
        "Libero di scegliere, il ministro ha parlato.",
        "Il Giorno della Memoria si celebra il 27 gennaio.",
        "La verità è che nessuno lo sapeva.",
        "Secondo la Repubblica Ceca il gas arriverà.",
        "Il presidente della Repubblica ha firmato il decreto.",
        "Il fatto è che nessuno sa.",
        "Il sole splende su Roma.",
        "la stampa ha scritto molto sul caso.",
        "Il leader politico ha parlato in piazza.",
        "Politico ha parlato con il ministro.",
        "gli agi della vita moderna.",
        "L'ansa del fiume è pericolosa.",
        "Ho bevuto un espresso al bar.",
        "La Gazzetta Ufficiale ha pubblicato il decreto.",
        "Il Nikkei ha chiuso in rialzo a Tokyo.",
        "RT @user: ciao a tutti",
        "Il corriere ha consegnato il pacco.",
        # people and organisations named like outlets
        "Michael Bloomberg ha donato 10 milioni.",
        "Lo studio del Reuters Institute mostra un calo della fiducia.",
        "Sputnik V è un vaccino russo.",
        "Reuters.com ha pubblicato un aggiornamento.",
        "President Biden speaks at the White House. (AP Photo/Evan Vucci)",
        # photo credits credit a picture, not the text
        "Foto ANSA/EPA",
        "(Foto ANSA)",
        "Photo: Reuters",
        # lower-case acronyms
        "il wsj e la bbc non sono citati così.",
    ],
)
def test_negative(text: str) -> None:
    got = _cites(text, include_institutions=True)
    assert [c.name for c in got] == [], text


# --------------------------------------------------------------------------- outlets in no catalog


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("The two were expelled, the Harbour Ledger reported on Monday.", "Harbour Ledger"),
        ("Lo riferisce il Baltic Courier, che ha visto i documenti.", "Baltic Courier"),
        ("Il titolo cede il 14%, come riportato da Finanza&Mercati.it.", "Finanza&Mercati.it"),
        ("Secondo Bourse & Boardroom, l'azienda ha accantonato 38 milioni.", "Bourse & Boardroom"),
        ("Il trasferimento è record, come riporta SportOra.", "SportOra"),
        ("Estonia acted on Tuesday, according to EuroMonitor.", "EuroMonitor"),
        ("as first reported by The Alpine Ledger.", "The Alpine Ledger"),
        ("Secondo Il Tratturo, la strada resta chiusa.", "Il Tratturo"),
        ("Lo scrive il quotidiano Voce Alpina.", "Voce Alpina"),
        ("Documents first published on Tuesday by La Gazzetta del Cerrina show it.", "La Gazzetta del Cerrina"),
        ("Come riferisce anche Il Monitore Sanitario, la Regione ha aperto un'indagine.", "Il Monitore Sanitario"),
        ("Secondo il Giornale di Vicenza, la Lega cresce.", "Giornale di Vicenza"),
        # a descriptor of any language the cues know names an outlet (one list, in cues.py)
        ("El alcalde dimitió el martes, según el diario Heraldo Serrano, tras la votación.", "Heraldo Serrano"),
        ("Le maire a démissionné, selon le quotidien Écho Morvandiau, après le vote.", "Écho Morvandiau"),
    ],
)
def test_uncatalogued_outlet_after_a_cue(text: str, name: str) -> None:
    assert _names(text) == [name]


@pytest.mark.parametrize(
    "text",
    [
        "Secondo Maria Rossi, la strada resta chiusa.",  # a person
        "Estonia acted, according to Eurostat.",  # an office, no outlet shape
        "The Internal Security Service says more arrests are likely.",  # "says": how offices speak
        "La ministra della Difesa Liis Rebane ha annunciato nuovi voli.",
        "She had been admitted to the Sant'Ilario hospital on Monday.",
        "according to Estonia's foreign ministry, two diplomats left.",
        "Secondo il Ministero della Salute, i casi sono sette.",
        "The Harbour Ledger has a new editor.",  # named, not credited
        "Sport Oggi",  # no cue at all
    ],
)
def test_uncatalogued_names_that_are_not_outlet_credits(text: str) -> None:
    assert _names(text) == [], text


def test_uncatalogued_can_be_switched_off_and_own_outlet_is_skipped() -> None:
    text = "Lo riferisce il Baltic Courier."
    assert _cites(text, uncatalogued=False) == []
    assert extract_cited_sources(_doc(text, outlet="Baltic Courier")) == []


def test_uncatalogued_credit_keeps_offsets() -> None:
    text = "Il titolo cede, come riporta SportOra. Poi risale."
    (c,) = _cites(text)
    assert text[c.start : c.end] == "SportOra" and c.cue == "come riporta" and c.via == ""


# --------------------------------------------------------------------------- relays


@pytest.mark.parametrize(
    ("text", "relayed", "via"),
    [
        ("Lo riporta Motor Supply Chain Daily, citando il quotidiano The Alpine Ledger.", "The Alpine Ledger",
         "Motor Supply Chain Daily"),
        ("Lo riferisce Calcio Oltremanica, che cita il Redmarsh Evening Post.", "Redmarsh Evening Post",
         "Calcio Oltremanica"),
        ("The Lakes & Alps Post reported, citing the local site Retica Notizie.", "Retica Notizie",
         "The Lakes & Alps Post"),
        ("Il rapporto tra Musk e Putin – come riportato da Open – ha toccato la geopolitica. "
         "Secondo le fonti citate dal Wall Street Journal, Putin ha chiesto di limitare Starlink.",
         "Wall Street Journal", "Open"),
    ],
)
def test_relay_names_the_outlet_in_between(text: str, relayed: str, via: str) -> None:
    by_name = {c.name: c for c in _cites(text)}
    assert by_name[relayed].via == via
    assert by_name[via].via == ""


def test_credits_in_other_paragraphs_or_without_a_citing_cue_are_not_relays() -> None:
    two_paragraphs = "Lo riferisce il Baltic Courier.\n\nCitando il Redmarsh Evening Post, altri confermano."
    assert all(c.via == "" for c in _cites(two_paragraphs))
    no_cue = "Secondo il Baltic Courier e secondo il Redmarsh Evening Post, i voli sono ripresi."
    assert all(c.via == "" for c in _cites(no_cue))


def test_seed_003_relays_the_wsj_through_open() -> None:
    cites = extract_cited_sources(_seed("003"))
    relayed = [c for c in cites if c.via]
    assert [(c.name, c.via) for c in relayed] == [("Wall Street Journal", "Open")]


def test_ansa_titlecase_alone_is_a_mention_but_ap_titlecase_is_not() -> None:
    assert [c.name for c in _cites("Lo dice Ap, non Ansa.")] == ["ANSA"]


# --------------------------------------------------------------------------- institutions


@pytest.mark.parametrize(
    ("text", "name", "cue"),
    [
        ("Lo riferiscono fonti del Cremlino.", "Kremlin", "fonti"),
        ("Il portavoce del Cremlino Dmitry Peskov ha smentito.", "Kremlin", "portavoce"),
        ("Kremlin sources said the talks happened.", "Kremlin", "sources"),
        ("Il Cremlino smentisce le notizie.", "Kremlin", "smentisce"),
        ("Secondo fonti della Casa Bianca, il vertice si terrà.", "White House", "fonti"),
        ("The White House said on Monday.", "White House", "said"),
    ],
)
def test_institutions_are_opt_in(text: str, name: str, cue: str) -> None:
    assert _cites(text) == []  # never returned as outlets by default
    got = _cites(text, include_institutions=True)
    assert [(c.name, c.cue) for c in got] == [(name, cue)]
    assert OutletCatalog.load().kind(got[0].name) == INSTITUTION
    assert cited_outlets(got) == []  # not an outlet
    assert cited_outlets(got, include_institutions=True) == [name]


@pytest.mark.parametrize(
    "text",
    ["Il capo di gabinetto del Cremlino Sergei Kiriyenko.", "Il Cremlino ha avuto contatti con Musk.",
     "(Cremlino)", "Visita al Cremlino."],
)
def test_institutions_need_a_cue(text: str) -> None:
    assert _cites(text, include_institutions=True) == []


# --------------------------------------------------------------------------- helpers


def test_every_mention_is_returned_with_offsets() -> None:
    text = "Secondo il Wsj, Musk parla con Putin. Il Wall Street Journal aggiunge che Reuters ha confermato."
    got = _cites(text)
    assert [c.name for c in got] == ["Wall Street Journal", "Wall Street Journal", "Reuters"]
    assert [c.start for c in got] == sorted(c.start for c in got)
    for c in got:
        assert text[c.start : c.end] == c.mention
    assert cited_outlets(got) == ["Wall Street Journal", "Reuters"]


def test_cited_outlets_orders_by_first_mention_and_can_drop_bare_mentions() -> None:
    text = "Incluso il New York Times. Secondo Reuters, poi. Lo scrive il New York Times."
    got = _cites(text)
    assert cited_outlets(got) == ["New York Times", "Reuters"]
    assert cited_outlets(list(reversed(got))) == ["New York Times", "Reuters"]
    assert cited_outlets(got, include_mentions=False) == ["Reuters", "New York Times"]


def test_own_outlet_is_not_a_citation() -> None:
    text = "ROMA (ANSA) - Secondo Reuters il vertice slitta."
    assert [c.name for c in extract_cited_sources(_doc(text, outlet="Ansa"))] == ["Reuters"]
    assert [c.name for c in extract_cited_sources(_doc(text, outlet="Ansa"), include_own_outlet=True)] == [
        "ANSA",
        "Reuters",
    ]
    assert not mentions_outlet(_doc(text, outlet="ANSA"), "ANSA")
    assert mentions_outlet(_doc(text, outlet="Il Giornale"), "Agenzia ANSA")


def test_mentions_outlet_canonicalises() -> None:
    doc = _doc("Come riportato dal Wsj, Musk parla con Putin. Incluso il New York Times.")
    assert mentions_outlet(doc, "Wall Street Journal")
    assert mentions_outlet(doc, "the wall street journal")
    assert mentions_outlet(doc, "WSJ")
    assert mentions_outlet(doc, "NYT")
    assert not mentions_outlet(doc, "NYT", include_mentions=False)
    assert not mentions_outlet(doc, "Reuters")
    assert not mentions_outlet(doc, "Some Unknown Blog")


def test_no_text_no_citations() -> None:
    assert _cites("") == []
    assert cited_outlets([]) == []


# --------------------------------------------------------------------------- seeds


SEED_EXPECTED = {
    "000": ["Wall Street Journal"],
    "001": ["Wall Street Journal"],
    "002": ["Wall Street Journal"],
    "003": ["Wall Street Journal", "Open"],
    "004": ["Wall Street Journal"],
}


@pytest.mark.parametrize("prefix", sorted(SEED_EXPECTED))
def test_seed_cited_outlets(prefix: str) -> None:
    doc = _seed(prefix)
    got = extract_cited_sources(doc)
    assert cited_outlets(got) == SEED_EXPECTED[prefix]
    assert cited_outlets(got, include_mentions=False) == SEED_EXPECTED[prefix]  # each credited with a cue
    assert all(c.name in SEED_EXPECTED[prefix] for c in got)
    for c in got:
        assert doc.text[c.start : c.end] == c.mention
        assert c.mention.lower() != "wall street"
    assert mentions_outlet(doc, "WSJ")


def test_seed_000_credits_the_wsj_article() -> None:
    doc = _seed("000")
    got = extract_cited_sources(doc)
    assert [(c.mention, c.cue) for c in got] == [("WSJ", "articolo")]
    kremlin = [c for c in extract_cited_sources(doc, include_institutions=True) if c.name == "Kremlin"]
    assert kremlin and all(c.mention == "Cremlino" for c in kremlin)


def test_seed_003_credits_open_and_wsj() -> None:
    got = extract_cited_sources(_seed("003"))
    opens = [c for c in got if c.name == "Open"]
    assert [(c.mention, c.cue) for c in opens] == [("Open", "come riportato")]
    assert {c.mention for c in got if c.name == "Wall Street Journal"} == {"Wsj", "Wall Street Journal"}


def test_seed_004_wall_street_journal_lowercase_street() -> None:
    got = extract_cited_sources(_seed("004"))
    assert [(c.mention, c.cue) for c in got] == [("Wall street Journal", "secondo quanto riportato")]


_CUE_WORDS = [
    "secondo", "quanto", "riportato", "da", "come", "scrive", "il", "la", "l'", "dell'", "quotidiano",
    "according", "to", "the", "reported", "by", "as", "newspaper", "told", "selon", "le", "laut", "dem",
    "foto", "Photo:", "©", "credit", "—", "-", "(", "«", '"', ":", "\n", ".", "Musk", "Open", "x",
    "statunitense", "STATUNITENSE", "locale", "agenzia", "stampa", "Nachrichtenagentur", "US-Zeitung", "daily",
    "news", "site", "journal",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_CUE_WORDS), max_size=14), st.sampled_from(["", " ", "  ", "\t", ": "]))
def test_end_anchored_search_is_the_forward_search(words: list[str], tail: str) -> None:
    from provenance.sources import cues

    text = " ".join(words) + tail
    for pattern in (cues.PRE_CUE, cues.PHOTO_CREDIT, cues.DETERMINER, cues.DASH_BEFORE, cues.DESCRIPTOR_END):
        fast, plain = pattern.search(text), pattern.forward.search(text)
        assert (fast is None) == (plain is None), (pattern.pattern[:40], text)
        if fast is not None and plain is not None:
            assert fast.span() == plain.span() and fast.groupdict() == plain.groupdict()


_NAME_PIECES = [
    "The", "Il", "L'", "L’", "del", "of", "and", "&", "Wall", "Street", "Journal", "Open", "ÉCO", "Øre", "SportOra",
    "Reuters.com", ".com", "a@", "x.", "d’", "'s", "’", "_", "2", " ", " ", "\t", "\n", ",", "secondo", "reported",
    "Zoë", "ßig", "Ärzte",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_NAME_PIECES), max_size=40).map("".join))
def test_names_are_the_expression_s_matches(text: str) -> None:
    """Matching ``NAME`` only where a capital is finds what ``NAME.finditer`` finds."""
    from provenance.sources.names import NAME, _names

    assert [m.span() for m in _names(text)] == [m.span() for m in NAME.finditer(text)]


_ALIAS_PIECES = [
    "Wall", "wall", "STREET", "Street", "Journal", "jOURNAL", "Wsj", "ANSA", "ansa", "Anadolu", "Ajansı", "AJANSI",
    "Ajansi", "Reuters", "REUTERS", "Agence", "France-Presse", "Il", "Post", "Süddeutsche", "SÜDDEUTSCHE", "Zeitung",
    "ſ", "µ", "K", "İ", "ß", "Σ", "@", "_", "-", ".", "/", "’", " ", " ", "\n", "x", "é",
    "Anadolu Ajansi", "ANADOLU AJANSI", "anadolu ajansı", "Reuterſ", "Wſj", "W.S.J.", "Wall Street Journal",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_ALIAS_PIECES), max_size=40).map("".join), st.integers(min_value=0, max_value=200))
def test_alias_scanner_finds_what_the_pattern_finds(text: str, pos: int) -> None:
    """The lower-cased search (provenance.sources.scan) gives the case-insensitive pattern's spans from any position."""
    from provenance.sources import OutletCatalog

    cat = OutletCatalog.load()
    scanner = cat.scanner(text)
    found = scanner.search(pos)
    m = cat.pattern.search(text, pos)
    assert found == (m.span() if m is not None else None)
    spans, at = [], 0
    while (span := scanner.search(at)) is not None:
        spans.append(span)
        at = span[1]
    assert spans == [m.span() for m in cat.pattern.finditer(text)]
