"""report.html in a real headless Chromium: it opens, shows every claim, and the filters work."""

import json
import shutil

import pytest

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
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


def visible(driver):
    return [e for e in driver.find_elements("css selector", ".claim") if e.is_displayed()]


def test_report_shows_claims_and_filters_work(run_dir, browser):
    claims = [json.loads(line) for line in (run_dir / "out" / "claims.jsonl").read_text(encoding="utf-8").splitlines()]
    browser.get((run_dir / "out" / "report.html").as_uri())
    assert browser.title == "Quantitative claims"
    assert len(visible(browser)) == len(claims)
    assert browser.find_element("id", "shown").text == str(len(claims))

    browser.find_element("css selector", "input[name=evidence][value=anecdotal]").click()
    anecdotal = sum(c["evidence"] == "anecdotal" for c in claims)
    assert anecdotal and len(visible(browser)) == len(claims) - anecdotal
    assert all(e.get_attribute("data-evidence") != "anecdotal" for e in visible(browser))

    browser.find_element("css selector", "input[name=section][value=article]").click()
    assert len(visible(browser)) == sum(c["evidence"] != "anecdotal" and c["section"] == "comment" for c in claims)

    browser.find_element("css selector", "input[name=section][value=article]").click()
    browser.find_element("css selector", "input[name=evidence][value=anecdotal]").click()
    for box in browser.find_elements("css selector", "input[name=kind]"):
        if box.get_attribute("value") != "dose":
            box.click()
    doses = [c for c in claims if any(q["kind"] == "dose" for q in c["quantities"])]
    assert doses and len(visible(browser)) == len(doses)
    marked = browser.find_elements("css selector", ".claim .q")
    assert any("dose" in (m.get_attribute("title") or "") for m in marked)
