"""The HTML report as a reader sees it, in headless Chromium.

Skipped when /usr/bin/chromium or /usr/bin/chromedriver is missing (scripts/install-system-packages.sh
installs them).  With PROVENANCE_SCREENSHOT=1 it also saves docs/report-screenshot.png.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from provenance.records import Alignment, AnalysisResult, DocumentInfo, Evidence, LineageEdge, PairScore, Relation
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

    from provenance.report import graph as graph_mod

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
    assert driver.save_screenshot(str(target))
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
