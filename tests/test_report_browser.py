"""The HTML report as a reader sees it, in headless Chromium.

Skipped when /usr/bin/chromium or /usr/bin/chromedriver is missing (scripts/install-system-packages.sh
installs them).  With PROVENANCE_SCREENSHOT=1 it also saves docs/report-screenshot.png.

The seeds (five Italian articles on the Wall Street Journal's report of Musk-Putin contacts, all
crediting the WSJ, two of them rewrites of one text) check what the report must not hide or blur:
the rewrite pair is linked in the graph, the legend draws links as the graph does, documents are
named by headline, one derived share per document, chance-level matches are not coloured as
derived, and the WSJ's text is reconstructed from its five renderings.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from provenance.records import (
    REUSE_RELATIONS,
    Alignment,
    AnalysisResult,
    Document,
    DocumentInfo,
    Evidence,
    LineageEdge,
    PairScore,
    Relation,
)
from provenance.report import graph as graph_mod
from provenance.report import write_report
from provenance.report.sample import ANSA, sample_result

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)),
        reason="needs /usr/bin/chromium and /usr/bin/chromedriver",
    ),
]

webdriver = pytest.importorskip("selenium.webdriver")

INJECTION = '<script>window.__pwned = 1; alert("xss")</script>'
IMG = '<img src="x" onerror="window.__pwned = 2">'


def injected_result() -> AnalysisResult:
    """The sample plus a document whose text, outlet and title carry HTML injections."""
    result = sample_result()
    first = ANSA.split("\n")[1].split(". ")[0] + "."
    text = f"{INJECTION} {first} {IMG} Fine."
    i, j = ANSA.index(first), text.index(first)
    result.documents.append(
        DocumentInfo(
            "evil-006", "it", '<img src="y" onerror="window.__pwned = 3">Evil', None, "<b>bold</b> title",
            parent="ansa-001", derived_share=0.4,
        )
    )  # fmt: skip
    result.texts["evil-006"] = text
    result.pairs.append(
        PairScore("ansa-001", "evil-006", Relation.REWRITE, 0.2, 0.5, 0.2, 0.4,
                  [Alignment(i, i + len(first), j, j + len(first), 1.0)])
    )  # fmt: skip
    result.edges.append(LineageEdge("ansa-001", "evil-006", 0.7, [Evidence("published", 0.2, IMG)]))
    return result


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1300,1900",
    ):
        opts.add_argument(arg)
    opts.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    opts.binary_location = CHROMIUM
    drv = webdriver.Chrome(options=opts, service=Service(CHROMEDRIVER))
    drv.set_page_load_timeout(60)
    try:
        yield drv
    finally:
        drv.quit()


def _open(driver, path: Path) -> None:  # type: ignore[no-untyped-def]
    driver.get(path.as_uri())


def _visible(el) -> bool:  # type: ignore[no-untyped-def]
    size = el.size
    return bool(el.is_displayed() and size["width"] > 0 and size["height"] > 0)


def _no_alert(driver) -> None:  # type: ignore[no-untyped-def]
    from selenium.common.exceptions import NoAlertPresentException

    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # noqa: B018


def _check_report_page(driver) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    svg = driver.find_element(By.CSS_SELECTOR, "#graph svg.lineage-svg")
    assert _visible(svg)
    table = driver.find_element(By.ID, "doc-table")
    assert _visible(table)
    maps = driver.find_elements(By.CSS_SELECTOR, "details.doc .map")
    assert maps
    for sec in driver.find_elements(By.CSS_SELECTOR, "details.doc"):
        if sec.get_attribute("open") is None:
            sec.find_element(By.TAG_NAME, "summary").click()
    assert all(_visible(m) for m in maps)


def test_report_displays_graph_table_maps_and_side_by_side(driver, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    out = write_report(injected_result(), tmp_path / "report.html")
    _open(driver, out)
    _check_report_page(driver)
    assert driver.title == "Provenance report"

    # clicking a coloured passage of la Repubblica opens the side-by-side view of its parent edge
    span = driver.find_element(By.CSS_SELECTOR, "#doc-1 .map a.src")
    target_id = span.get_attribute("href").split("#", 1)[1]
    view = driver.find_element(By.ID, "v1-0")
    assert view.get_attribute("open") is None and not view.find_element(By.CSS_SELECTOR, "table.aligned").is_displayed()
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", span)
    span.click()
    assert view.get_attribute("open") is not None
    row = driver.find_element(By.ID, target_id)
    assert _visible(row) and _visible(view.find_element(By.CSS_SELECTOR, "table.aligned"))
    assert "Il governo ha approvato" in row.text
    assert "ANSA published 1 h 30 min earlier" in view.text  # direction evidence shown

    # a graph node links to its document's section
    node_links = driver.find_elements(By.CSS_SELECTOR, "#graph svg a")
    assert len(node_links) >= 5


def test_html_injection_is_shown_as_text(driver, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    out = write_report(injected_result(), tmp_path / "report.html")
    _open(driver, out)
    _no_alert(driver)
    sec = driver.find_element(By.ID, "doc-5")
    if sec.get_attribute("open") is None:
        sec.find_element(By.TAG_NAME, "summary").click()
    page = driver.find_element(By.TAG_NAME, "body").text
    assert INJECTION in page and IMG in page  # the literal markup is visible text
    assert "<b>bold</b> title" in page
    assert driver.execute_script("return window.__pwned === undefined")
    assert driver.find_elements(By.TAG_NAME, "img") == []
    assert driver.find_elements(By.CSS_SELECTOR, "b") == []
    assert len(driver.find_elements(By.TAG_NAME, "script")) == 1
    # the injected text is still coloured where it was aligned
    colored = sec.find_elements(By.CSS_SELECTOR, ".map a.src")
    assert colored and all(_visible(c) for c in colored)
    _no_alert(driver)


def test_fallback_layout_displays(driver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    monkeypatch.setattr(graph_mod.shutil, "which", lambda name: None)
    out = write_report(sample_result(), tmp_path / "report.html")
    _open(driver, out)
    svg = driver.find_element(By.CSS_SELECTOR, "#graph svg.lineage-svg")
    assert _visible(svg)
    assert len(svg.find_elements(By.CSS_SELECTOR, "g.gnode")) == 6


def test_screenshot_for_readme(driver, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    if os.environ.get("PROVENANCE_SCREENSHOT") != "1":
        pytest.skip("set PROVENANCE_SCREENSHOT=1 to write docs/report-screenshot.png")
    from provenance.load import load_corpus
    from provenance.pipeline import analyze

    out = write_report(analyze(load_corpus(ROOT / "seeds").documents), tmp_path / "report.html")
    _open(driver, out)
    driver.execute_script("document.getElementById('how-to-read').style.display = 'none'")
    target = ROOT / "docs" / "report-screenshot.png"
    target.parent.mkdir(exist_ok=True)
    size = driver.get_window_size()
    try:
        driver.set_window_size(1600, 1750)  # wide: summary, graph, shared link, the reconstructed WSJ text
        assert driver.save_screenshot(str(target))
    finally:
        driver.set_window_size(size["width"], size["height"])
    assert target.stat().st_size > 10_000


def test_end_to_end_on_seeds_in_browser(driver, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    try:
        from provenance.load import load_corpus
        from provenance.pipeline import analyze
    except ImportError as exc:
        pytest.skip(f"pipeline not available: {exc}")
    corpus = load_corpus(ROOT / "seeds")
    result = analyze(corpus.documents)
    out = write_report(result, tmp_path / "seeds.html")
    _open(driver, out)
    _check_report_page(driver)
    _no_alert(driver)
    from selenium.webdriver.common.by import By

    assert len(driver.find_elements(By.CSS_SELECTOR, "details.doc")) == len(corpus.documents)
    spans = driver.find_elements(By.CSS_SELECTOR, ".map a.src")
    if spans:  # the seeds share passages: the first coloured one opens its side-by-side view
        target = spans[0].get_attribute("href").split("#", 1)[1]
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", spans[0])
        spans[0].click()
        assert _visible(driver.find_element(By.ID, target))


# ------------------------------------------------------------------ the seeds, as a reader sees them

REWRITES = ("001_1d2643d162fb0798", "002_5610e9206eb18a66")


@pytest.fixture(scope="module")
def seeds_result() -> AnalysisResult:
    from provenance.load import load_corpus
    from provenance.pipeline import analyze

    return analyze(load_corpus(ROOT / "seeds").documents)


@pytest.fixture()
def seeds_page(driver, seeds_result: AnalysisResult, tmp_path: Path):  # type: ignore[no-untyped-def]
    _open(driver, write_report(seeds_result, tmp_path / "seeds.html"))
    return driver


def _first_line(text: str) -> str:
    return next(line.strip() for line in text.splitlines() if line.strip())


def _anchor(result: AnalysisResult, doc_id: str) -> str:
    return f"doc-{[d.id for d in result.documents].index(doc_id)}"


def test_seeds_rewrite_pair_is_linked_in_the_graph(seeds_page, seeds_result: AnalysisResult) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    a, b = (_anchor(seeds_result, d) for d in REWRITES)
    links = seeds_page.find_elements(By.CSS_SELECTOR, f"#graph g[id='ge-{a}--{b}'], #graph g[id='ge-{b}--{a}']")
    assert len(links) == 1
    assert "shared" in links[0].get_attribute("class").split()
    assert _visible(links[0])
    listed = seeds_page.find_element(By.CSS_SELECTOR, "ul.shared-links").text
    assert all(d in listed for d in REWRITES) and "rewrite, 7 aligned passages" in listed
    summary = seeds_page.find_element(By.ID, "summary-documents").text
    assert "0 derive from a document of this collection" in summary
    assert "5 derive from a credited source that is not in the collection" in summary


def _drawn_style(driver, el) -> tuple[str, str, bool]:  # type: ignore[no-untyped-def]
    """(stroke colour, dash pattern, arrowhead) of a drawn link or legend sample, as the browser computes them."""
    from selenium.webdriver.common.by import By

    stroke = el.find_element(By.CSS_SELECTOR, "path, line")
    style = driver.execute_script(
        "var s = getComputedStyle(arguments[0]); return [s.stroke, s.strokeDasharray];", stroke
    )
    arrow = bool(el.find_elements(By.CSS_SELECTOR, "polygon")) or bool(stroke.get_attribute("marker-end"))
    return style[0], style[1], arrow


@pytest.mark.parametrize("layout", ["graphviz", "python"])
def test_seeds_legend_draws_links_as_the_graph_does(  # type: ignore[no-untyped-def]
    driver, seeds_result: AnalysisResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str
) -> None:
    from selenium.webdriver.common.by import By

    if layout == "python":
        monkeypatch.setattr(graph_mod.shutil, "which", lambda name: None)
    elif graph_mod.shutil.which("dot") is None:
        pytest.skip("Graphviz dot is not installed")
    _open(driver, write_report(seeds_result, tmp_path / "seeds.html"))
    drawn: dict[str, set[tuple[str, str, bool]]] = {}
    for g in driver.find_elements(By.CSS_SELECTOR, "#graph svg.lineage-svg g.gedge"):
        kind = next(c for c in g.get_attribute("class").split() if c not in ("edge", "gedge"))
        drawn.setdefault(kind, set()).add(_drawn_style(driver, g))
    assert {"derives", "common-ancestor", "shared"} <= set(drawn)
    legend = {
        k.get_attribute("data-kind"): k for k in driver.find_elements(By.CSS_SELECTOR, ".glegend .gkey[data-kind]")
    }
    assert set(legend) == set(drawn)  # every drawn kind, and only those, in the legend
    explained = {
        li.get_attribute("data-kind"): li for li in driver.find_elements(By.CSS_SELECTOR, "ul.linkstyles li[data-kind]")
    }
    for kind, styles in drawn.items():
        assert len(styles) == 1, f"{kind} links drawn in several styles: {styles}"
        (style,) = styles
        sample = legend[kind].find_element(By.CSS_SELECTOR, "svg.lsample")
        assert _drawn_style(driver, sample) == style, kind
        # the "How to read" text shows the same sample and says it in words
        assert _drawn_style(driver, explained[kind].find_element(By.CSS_SELECTOR, "svg.lsample")) == style
        words = graph_mod.EDGE_STYLES[kind].looks
        assert words in explained[kind].text
        assert ("without arrowhead" in words) == (not style[2])
        assert ("dashed" in words or "dotted" in words) == (style[1] not in ("none", ""))


def test_seeds_documents_are_named_by_headline(seeds_page, seeds_result: AnalysisResult) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    for i, d in enumerate(seeds_result.documents):
        head = _first_line(seeds_result.texts[d.id])
        cell = seeds_page.find_element(By.CSS_SELECTOR, f"#doc-table tr[data-doc='{d.id}'] td")
        shown = cell.find_element(By.CSS_SELECTOR, ".headline").text
        assert shown.rstrip("…") and head.startswith(shown.rstrip("…")), (shown, head)
        assert d.id not in shown and d.id in cell.text  # the id comes second
        summary = seeds_page.find_element(By.CSS_SELECTOR, f"#doc-{i} > summary .doc-head").text
        assert head.startswith(summary.rstrip("…"))
        node = seeds_page.find_element(By.CSS_SELECTOR, f"#graph g[id='g-doc-{i}']")
        assert " ".join(head.split()[:2]) in " ".join(node.text.split())
    page = seeds_page.find_element(By.TAG_NAME, "body").text
    assert "Musk e Putin: Due anni di contatti segreti durante la guerra in Ucraina" in page
    layout = seeds_page.execute_script(
        "var m = document.querySelector('#doc-1 .map').getBoundingClientRect();"
        "var s = document.querySelector('#doc-1').getBoundingClientRect(); return [m.width, s.width];"
    )
    assert layout[0] > 0.6 * layout[1]  # the text uses most of the width


def test_seeds_one_derived_share_per_document(seeds_page, seeds_result: AnalysisResult) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    for sec in seeds_page.find_elements(By.CSS_SELECTOR, "details.doc"):
        if sec.get_attribute("open") is None:
            sec.find_element(By.TAG_NAME, "summary").click()
    shares = {}
    for d in seeds_result.documents:
        table = seeds_page.find_element(By.CSS_SELECTOR, f"td.derived[data-doc='{d.id}'] .share").text
        head = seeds_page.find_element(By.CSS_SELECTOR, f".derived-share[data-doc='{d.id}']").text
        key = seeds_page.find_element(By.CSS_SELECTOR, f".derived-share-key[data-doc='{d.id}']").text
        assert table == head == key, (d.id, table, head, key)
        shares[d.id] = table
    assert shares[REWRITES[0]] == "59 %" and shares[REWRITES[1]] == "37 %"  # = the pair's coverage in the JSON
    assert [shares[d.id] for d in seeds_result.documents if d.id not in REWRITES] == ["n/a"] * 3
    # in 001's map, the only colour is 002's, covering the derived share
    keys = seeds_page.find_elements(By.CSS_SELECTOR, f"#{_anchor(seeds_result, REWRITES[0])} .legend a.key")
    assert len(keys) == 1 and keys[0].get_attribute("data-source") == REWRITES[1]
    assert "59 %" in keys[0].text


def test_seeds_chance_level_passages_are_not_coloured_as_derived(seeds_page, seeds_result: AnalysisResult) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    reuse = {(p.a, p.b) for p in seeds_result.pairs if p.relation in REUSE_RELATIONS}
    coloured = chance = 0
    for i, d in enumerate(seeds_result.documents):
        for el in seeds_page.find_elements(By.CSS_SELECTOR, f"#doc-{i} .map .src"):
            other = el.get_attribute("data-source")
            bg = seeds_page.execute_script("return getComputedStyle(arguments[0]).backgroundColor", el)
            if "chance" in el.get_attribute("class").split():
                chance += 1
                assert bg in ("rgba(0, 0, 0, 0)", "transparent")
                assert (min(d.id, other), max(d.id, other)) not in reuse
            else:
                coloured += 1
                assert bg not in ("rgba(0, 0, 0, 0)", "transparent")
                assert (min(d.id, other), max(d.id, other)) in reuse
    assert coloured >= 14 and chance > 0  # 7 passages each way; the same-story matches are marked
    first = _anchor(seeds_result, "000_f8cb5d798c192762")
    assert seeds_page.find_elements(By.CSS_SELECTOR, f"#{first} .legend a.key") == []  # no colour key at all
    assert "chance-level" in seeds_page.find_element(By.CSS_SELECTOR, f"#{first} .legend").text


def test_seeds_reconstructed_original_lists_passages_with_their_renderings(
    seeds_page, seeds_result: AnalysisResult
) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    (node,) = [v for v in seeds_result.virtual_nodes if v.id == "cited:Wall Street Journal"]
    sections = seeds_page.find_elements(By.CSS_SELECTOR, "#absent article.absent")
    (section,) = [a for a in sections if a.find_element(By.TAG_NAME, "h3").text.startswith("Wall Street Journal")]
    assert _visible(section)
    items = section.find_elements(By.CSS_SELECTOR, "li.pg.significant")
    groups = [g for g in node.passages if g.significant]
    assert len(items) == len(groups) >= 5
    for li, g in zip(items, groups, strict=True):
        rows = li.find_elements(By.CSS_SELECTOR, "table.renderings tr")
        assert len(rows) == len(g.renderings) >= 2
        for row, r in zip(rows, g.renderings, strict=True):
            assert " ".join(row.find_element(By.CSS_SELECTOR, "td.txt").text.split()) == " ".join(r.text.split())
            head = _first_line(seeds_result.texts[r.doc_id])
            assert head.startswith(row.find_element(By.CSS_SELECTOR, "th .headline").text.rstrip("…"))
    texts = section.text
    assert "Elon Musk ha mantenuto contatti telefonici segreti con Vladimir Putin" in texts  # 002's rendering
    assert "avrebbe mantenuto contatti telefonici segreti con il presidente russo" in texts  # 001's
    chance = section.find_element(By.CSS_SELECTOR, "details.chance-list")
    chance.find_element(By.TAG_NAME, "summary").click()
    assert len(chance.find_elements(By.CSS_SELECTOR, "li.pg.chance")) == len(node.passages) - len(groups)


def test_seeds_script_in_headline_and_unsafe_url_shown_as_text(
    driver, seeds_result: AnalysisResult, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    import copy

    from selenium.webdriver.common.by import By

    result = copy.deepcopy(seeds_result)
    result.documents[0].title = f"{INJECTION} Il Cremlino smentisce"
    result.urls = {
        result.documents[0].id: "javascript:alert(3)",
        result.documents[1].id: "https://example.org/a?b=1&c=2",
    }
    _open(driver, write_report(result, tmp_path / "seeds.html"))
    _no_alert(driver)
    assert driver.execute_script("return window.__pwned === undefined")
    assert len(driver.find_elements(By.TAG_NAME, "script")) == 1
    row = driver.find_element(By.CSS_SELECTOR, f"#doc-table tr[data-doc='{result.documents[0].id}']")
    assert INJECTION in row.text  # the markup is visible text
    node = driver.find_element(By.CSS_SELECTOR, "#graph g[id='g-doc-0']")
    assert "<script>" in node.text
    assert driver.find_elements(By.CSS_SELECTOR, "a[href^='javascript']") == []
    links = driver.find_elements(By.CSS_SELECTOR, "a.ext")
    assert links and all(a.get_attribute("href") == "https://example.org/a?b=1&c=2" for a in links)
    assert all(set(a.get_attribute("rel").split()) == {"noopener", "noreferrer"} for a in links)
    _no_alert(driver)


def test_seeds_each_side_by_side_view_describes_its_own_pair(seeds_page, seeds_result: AnalysisResult) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    section = seeds_page.find_element(By.ID, _anchor(seeds_result, REWRITES[0]))
    if section.get_attribute("open") is None:
        section.find_element(By.TAG_NAME, "summary").click()
    views = section.find_elements(By.CSS_SELECTOR, "details.sbs")
    relation = {(p.b if p.a == REWRITES[0] else p.a): p for p in seeds_result.pairs if REWRITES[0] in (p.a, p.b)}
    assert len(views) >= 2
    texts = []
    for view in views:
        if view.get_attribute("open") is None:
            view.find_element(By.TAG_NAME, "summary").click()
        pair = relation[view.get_attribute("data-other")]
        text = view.find_element(By.CSS_SELECTOR, "p.pair-text").text
        n = len(pair.alignments)
        assert f"{n} aligned passage{'' if n == 1 else 's'}" in text  # this pair's figures, not the document's
        assert f"p = {pair.p_value:.2g}" in text
        if pair.relation is Relation.REWRITE:
            assert "rewrites of the same text" in text
        else:
            assert "only report the same story" in text and "not counted" in text
        texts.append(text)
    assert len(set(texts)) == len(texts)  # no sentence repeated from box to box


def test_contained_excerpts_are_linked_and_named_in_browser(driver, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A digest reprinting two unrelated articles: both contained pairs are links of the graph, and say so."""
    from selenium.webdriver.common.by import By

    from provenance.pipeline import analyze
    from tests.test_contained import CHESS, DIGEST, FLOOD

    result = analyze([Document("digest", DIGEST), Document("flood", FLOOD), Document("chess", CHESS)])
    contained = [p for p in result.pairs if p.relation is Relation.CONTAINED]
    assert len(contained) == 2
    _open(driver, write_report(result, tmp_path / "digest.html"))
    _no_alert(driver)
    for p in contained:
        a, b = (_anchor(result, d) for d in (p.a, p.b))
        links = driver.find_elements(By.CSS_SELECTOR, f"#graph g[id='ge-{a}--{b}'], #graph g[id='ge-{b}--{a}']")
        assert len(links) == 1 and _visible(links[0])
    page = driver.find_element(By.TAG_NAME, "body").text
    assert "Pairs: 2 contained" in page
    section = driver.find_element(By.ID, _anchor(result, "flood"))
    if section.get_attribute("open") is None:
        section.find_element(By.TAG_NAME, "summary").click()
    view = section.find_element(By.CSS_SELECTOR, "details.sbs[data-other='digest']")
    view.find_element(By.TAG_NAME, "summary").click()
    text = view.find_element(By.CSS_SELECTOR, "p.pair-text").text
    assert "One is contained in the other" in text and "of this text's word sequences occur verbatim" in text
    assert driver.find_element(By.CSS_SELECTOR, ".derived-share[data-doc='flood']").text != "n/a"
