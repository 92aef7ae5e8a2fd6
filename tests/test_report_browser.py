"""The report in a real headless Chromium: charts count what the claims say, search and filters return
the right claims, a link reproduces the view, document pages thread their comments."""

import json
import re
import shutil
from collections import Counter, defaultdict

import pytest

from pipeline.export.report import page_name, write_report
from pipeline.files import read_jsonl
from pipeline.ingest.reader import document_texts

from .conftest import FIXTURES
from .test_report import EVIL, hostile_corpus

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER),
                                reason="Chromium not installed (make test installs it from Debian packages)")


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1280,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def sample(run_dir, tmp_path_factory):
    """The sample corpus's claims, reported with the links fixture (claim ids of the sample corpus)."""
    out = run_dir / "out"
    documents, claims = read_jsonl(out / "documents.jsonl"), read_jsonl(out / "claims.jsonl")
    folder = tmp_path_factory.mktemp("report")
    write_report(folder / "report.html", documents, claims, document_texts(documents),
                 links_path=FIXTURES / "report" / "links.jsonl")
    return {"index": (folder / "report.html").as_uri(), "folder": folder, "claims": claims,
            "documents": {d["doc_id"]: d for d in documents}}


# ----------------------------------------------------------------------------- helpers


def wait_for_results(driver):
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(driver, 10).until(lambda d: re.match(r"(Showing|No claims)", d.find_element("id", "status").text))


def open_index(driver, url):
    driver.get("about:blank")
    driver.get(url)
    wait_for_results(driver)


def shown(driver):
    """(number of matching claims the page states, ids listed on this page of results)."""
    status = driver.find_element("id", "status").text
    found = re.search(r"of ([\d,]+) claims?\b", status)
    ids = [li.get_attribute("data-id") for li in driver.find_elements("css selector", "#results li.claim")]
    return (int(found.group(1).replace(",", "")) if found else 0), ids


def settle(driver):
    """The text fields update after a short pause; wait until the URL holds the form's state."""
    import time
    time.sleep(0.35)
    wait_for_results(driver)


def expected(sample, q=None, label=(), kind=(), section=(), review=(), hedged=None, value=None, doc=None):
    """What the search should return, computed here from claims.jsonl."""
    ops = {">": lambda a, b: a > b, "<": lambda a, b: a < b}
    out = []
    for c in sample["claims"]:
        title = sample["documents"][c["doc_id"]]["title"] or ""
        hay = " ".join([c["text"], title] + [s["text"] + " " + (s.get("canonical") or "") for s in c["sources"]]).lower()
        if q and not all(t in hay for t in q.lower().split()):
            continue
        if (label and c["evidence"] not in label) or (section and c["section"] not in section) \
                or (review and c["review"] not in review) or (doc and c["doc_id"] != doc):
            continue
        if hedged is not None and c["hedged"] != hedged:
            continue
        if (kind or value) and not any((not kind or q_["kind"] in kind) and
                                       (not value or (q_["value"] is not None and ops[value[0]](q_["value"], value[1])))
                                       for q_ in c["quantities"]):
            continue
        out.append(c["id"])
    return out


# ----------------------------------------------------------------------------- the export stage's own report


def test_the_exported_report_opens_with_every_claim(run_dir, browser):
    claims = read_jsonl(run_dir / "out" / "claims.jsonl")
    open_index(browser, (run_dir / "out" / "report.html").as_uri())
    assert browser.title == "Quantitative claims"
    assert shown(browser)[0] == len(claims)
    groups = read_jsonl(run_dir / "out" / "links.jsonl")       # the link stage ran before export
    assert len(browser.find_elements("id", "links")) == (1 if groups else 0)
    assert browser.get_log("browser") == []


# ----------------------------------------------------------------------------- overview


def test_the_charts_count_what_the_claims_say(sample, browser):
    claims, documents = sample["claims"], sample["documents"]
    want = defaultdict(Counter)
    for c in claims:
        want["sections", c["section"]][c["evidence"]] += 1
        want["documents", documents[c["doc_id"]]["title"]][c["evidence"]] += 1
        for kind in {q["kind"] for q in c["quantities"]}:
            want["kinds", kind][c["evidence"]] += 1
        for name in {s.get("canonical") or s["text"] for s in c["sources"] if s["type"] != "narrator"}:
            want["sources", name][c["evidence"]] += 1
    open_index(browser, sample["index"])
    drawn = browser.execute_script("""
        return [...document.querySelectorAll('figure.chart')].flatMap(f => [...f.querySelectorAll('g.row')].map(g =>
          [f.id.replace('chart-', ''), g.dataset.name, +g.dataset.total,
           [...g.querySelectorAll('rect.seg')].map(r => [r.dataset.label, +r.dataset.count, r.getBBox().width])]));""")
    charts = defaultdict(dict)
    for key, name, total, segments in drawn:
        charts[key][name] = Counter({label: count for label, count, _ in segments})
        assert total == sum(charts[key][name].values()) and all(width > 0 for *_, width in segments)
    for key in ("sections", "kinds", "documents"):       # every row is drawn (fewer than the top 15)
        assert charts[key] == {name: counts for (k, name), counts in want.items() if k == key}, key
    cited = {name: counts for (k, name), counts in want.items() if k == "sources"}
    assert len(charts["sources"]) == min(15, len(cited)) and all(cited[n] == c for n, c in charts["sources"].items())
    top = sorted(cited.values(), key=lambda c: -sum(c.values()))[len(charts["sources"]) - 1]
    assert all(sum(c.values()) >= sum(top.values()) for c in charts["sources"].values())
    # The first document is the one with the most unattributed claims.
    first = drawn[[d[0] for d in drawn].index("documents")]
    assert charts["documents"][first[1]]["unattributed"] == max(c["unattributed"] for c in charts["documents"].values())

    # A bar is a link to exactly the claims it counts.
    segment = browser.find_element("css selector", "#chart-sections g.row[data-name=comment] rect.ev-anecdotal")
    count = int(segment.get_attribute("data-count"))
    segment.find_element("xpath", "..").click()
    wait_for_results(browser)
    assert "section=comment" in browser.current_url and "label=anecdotal" in browser.current_url
    total, ids = shown(browser)
    assert total == count and set(ids) <= set(expected(sample, label={"anecdotal"}, section={"comment"}))
    assert browser.find_element("css selector", "input[name=section][value=comment]").is_selected()


# ----------------------------------------------------------------------------- search and filters


def test_search_and_filters_return_the_right_claims(sample, browser):
    from selenium.webdriver.common.keys import Keys

    open_index(browser, sample["index"])
    assert shown(browser)[0] == len(sample["claims"])
    words = browser.find_element("id", "f-q")
    for query in ("placebo", "Archives General", "unknowns"):      # a sentence, a source, a document title
        words.clear()
        words.send_keys(query)
        settle(browser)
        want = expected(sample, q=query)
        assert want and shown(browser) == (len(want), want), query
    words.clear()
    settle(browser)

    # percentages over 50: the kind and the value must hold for the same figure
    browser.find_element("css selector", "input[name=kind][value=percentage]").click()
    browser.find_element("css selector", "#f-op option[value=gt]").click()
    browser.find_element("id", "f-value").send_keys("50")
    settle(browser)
    want = expected(sample, kind={"percentage"}, value=(">", 50))
    assert want and shown(browser) == (len(want), want)
    assert want != expected(sample, kind={"percentage"}) and want != expected(sample, value=(">", 50))

    # filters combine; a checkbox works from the keyboard
    browser.find_element("css selector", "input[name=kind][value=percentage]").click()
    browser.find_element("css selector", "#f-op option[value='']").click()
    box = browser.find_element("css selector", "input[name=label][value=anecdotal]")
    box.send_keys(Keys.SPACE)
    assert box.is_selected()
    browser.find_element("css selector", "input[name=section][value=comment]").click()
    browser.find_element("css selector", "#f-hedged option[value=no]").click()
    settle(browser)
    want = expected(sample, label={"anecdotal"}, section={"comment"}, hedged=False)
    assert want and shown(browser) == (len(want), want[:50])
    assert all("ev-anecdotal" in li.get_attribute("class")
               for li in browser.find_elements("css selector", "#results li.claim"))
    browser.find_element("css selector", "input[name=review][value=confirmed]").click()
    settle(browser)
    assert shown(browser)[0] == len(expected(sample, label={"anecdotal"}, section={"comment"}, hedged=False,
                                             review={"confirmed"}))
    browser.find_element("id", "f-clear").click()
    wait_for_results(browser)
    assert shown(browser)[0] == len(sample["claims"]) and "label=" not in browser.current_url


def test_a_link_with_filter_state_reproduces_the_view(sample, browser):
    open_index(browser, sample["index"])
    browser.find_element("css selector", "input[name=kind][value=timeframe]").click()
    browser.find_element("css selector", "input[name=section][value=article]").click()
    browser.find_element("id", "f-q").send_keys("ketamine")
    settle(browser)
    link, view = browser.current_url, shown(browser)
    assert "kind=timeframe" in link and "q=ketamine" in link
    assert view == (len(expected(sample, q="ketamine", kind={"timeframe"}, section={"article"})), view[1])

    open_index(browser, link)                      # a fresh page from the link alone
    assert shown(browser) == view
    assert browser.find_element("id", "f-q").get_attribute("value") == "ketamine"
    assert browser.find_element("css selector", "input[name=kind][value=timeframe]").is_selected()
    assert not browser.find_element("css selector", "input[name=kind][value=count]").is_selected()

    # a hand-written link, with a page number, and a document filter from the chart's row
    doc_id = next(iter(sample["documents"]))
    open_index(browser, sample["index"] + "#page=2")
    want = expected(sample)
    assert shown(browser) == (len(want), want[50:100])
    open_index(browser, sample["index"] + f"#doc={doc_id}&op=gt&value=10")
    want = expected(sample, doc=doc_id, value=(">", 10))
    assert want and shown(browser) == (len(want), want[:50])
    chip = browser.find_element("css selector", "#chips .chip")
    assert sample["documents"][doc_id]["title"] in chip.text
    chip.click()
    wait_for_results(browser)
    assert shown(browser)[0] == len(expected(sample, value=(">", 10)))


def test_same_source_different_figures(sample, browser):
    open_index(browser, sample["index"])
    groups = browser.find_elements("css selector", "#links article.group")
    assert [g.get_attribute("id") for g in groups] == ["group-response-rate", "group-gone", "group-same-week"]
    first = groups[0]
    assert "National Institute of Mental Health" in first.find_element("tag name", "h3").text
    verdicts = [li.get_attribute("class") for li in first.find_elements("css selector", ".comparisons li")]
    assert verdicts == ["verdict-differs", "verdict-rounded"]
    assert "71 vs 38 % (percentage): differs" in first.text
    cards = first.find_elements("css selector", "li.claim")
    assert [c.get_attribute("data-id") for c in cards] == ["000_53bf8ff8aa0bde55-a09c916669",
                                                          "002_fefda87a930da40c-8d6b3366dd"]
    assert "no longer in claims.jsonl" in groups[1].text
    cards[0].find_element("css selector", ".meta a").click()
    assert browser.current_url.endswith("000_53bf8ff8aa0bde55.html#000_53bf8ff8aa0bde55-a09c916669")


# ----------------------------------------------------------------------------- document pages


def test_a_document_page_shows_its_claims_in_context_and_threads_comments(sample, browser):
    documents = sample["documents"]
    doc_id = max(documents, key=lambda d: sum(s["kind"] == "comment" and s["parent"] is not None
                                              for s in documents[d]["segments"]))
    comments = {s["index"]: s for s in documents[doc_id]["segments"] if s["kind"] == "comment"}
    assert any(s["parent"] for s in comments.values())
    browser.get((sample["folder"] / "report" / page_name(doc_id)).as_uri())
    assert browser.find_element("tag name", "h1").text == documents[doc_id]["title"]
    drawn = browser.execute_script("""
        return [...document.querySelectorAll('li.comment')].map(li => {
          const up = li.parentElement.closest('li.comment');
          return [+li.dataset.index, up ? +up.dataset.index : null, li.querySelector('.author').textContent,
                  li.getBoundingClientRect().left, up ? up.getBoundingClientRect().left : null]; });""")
    assert {i: (parent, author) for i, parent, author, *_ in drawn} == \
        {i: (s["parent"], s["author"]) for i, s in comments.items()}
    assert all(left > up_left for *_, left, up_left in drawn if up_left is not None)     # replies indented
    claims = [c for c in sample["claims"] if c["doc_id"] == doc_id]
    marks = browser.find_elements("css selector", "mark.claim")
    assert [m.get_attribute("id") for m in marks] == [c["id"] for c in sorted(claims, key=lambda c: c["start"])]
    in_comments = browser.find_elements("css selector", "#comments mark.claim")
    assert len(in_comments) == sum(c["section"] == "comment" for c in claims)
    assert all("sources:" in m.get_attribute("title") for m in marks)
    back = [a.get_attribute("href").split("#")[1] for a in browser.find_elements("css selector", "#claims .meta a")]
    assert back == [m.get_attribute("id") for m in marks]          # each listed claim links to its place


def test_markup_in_the_data_stays_text_in_the_browser(browser, tmp_path):
    documents, texts, claims = hostile_corpus()
    write_report(tmp_path / "report.html", documents, claims, texts)
    open_index(browser, (tmp_path / "report.html").as_uri())
    browser.find_element("id", "f-q").send_keys("trial")
    settle(browser)
    assert shown(browser)[1] == ["evil-1"]
    assert EVIL in browser.find_element("css selector", "#results li.claim .sentence").text
    assert browser.execute_script("return window.__xss === undefined")
    browser.get((tmp_path / "report" / page_name("evil doc/1")).as_uri())
    assert EVIL in browser.find_element("tag name", "h1").text
    assert browser.execute_script("return window.__xss === undefined && !document.querySelector('img, b, em')")
    assert browser.get_log("browser") == []
