"""The web page as a person uses it: headless Chromium (Debian's chromium and
chromium-driver, driven by selenium) runs "who held the post on a date"
through the form and reads the result table. A screenshot is kept in
tests/artefacts/ (git-ignored)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from msskg.serve.protocol import ServeConfig
from msskg.serve.server import Server, start_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
ARTEFACTS = Path(__file__).parent / "artefacts"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None or DRIVER is None,
        reason="Chromium is not installed (apt-get install chromium chromium-driver)",
    ),
]


@pytest.fixture
def server() -> Iterator[Server]:
    running = start_server(ServeConfig(timeout=10, workers=1))
    yield running
    running.stop()


def test_holder_at_through_the_form(server: Server, tmp_path: Path) -> None:
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    browser = _chromium(webdriver, tmp_path)
    try:
        browser.get(server.url)
        form = browser.find_element(By.ID, "form-holder-at")
        date = form.find_element(By.NAME, "date")
        date.clear()
        date.send_keys("2021-08-15")
        form.find_element(By.TAG_NAME, "button").click()
        table = WebDriverWait(browser, 20).until(
            expected_conditions.presence_of_element_located((By.ID, "results"))
        )
        header = [th.text for th in table.find_elements(By.TAG_NAME, "th")]
        rows = [
            [td.text for td in tr.find_elements(By.TAG_NAME, "td")]
            for tr in table.find_elements(By.TAG_NAME, "tr")[1:]
        ]
        address = browser.current_url
        ARTEFACTS.mkdir(exist_ok=True)
        browser.save_screenshot(str(ARTEFACTS / "holder-at.png"))
        browser.get(server.url)
        browser.save_screenshot(str(ARTEFACTS / "home.png"))
    finally:
        browser.quit()
    assert header[:5] == ["holder", "korean", "start", "end", "certainty"]
    assert [row[:5] for row in rows] == [
        ["Kim Jong-ho", "", "July 2021", "September 2021", "certain"]
    ]
    # The form submits with GET, so a result has an address one can share.
    assert address.startswith(server.url + "query/holder-at?date=2021-08-15&post=")


def _chromium(webdriver: Any, tmp_path: Path, width: int = 1280) -> Any:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--window-size={width},1400",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(flag)
    service = webdriver.ChromeService(executable_path=str(DRIVER))
    browser = webdriver.Chrome(options=options, service=service)
    # a window is at least 500 px wide: a phone's width is emulated
    metrics = {"width": width, "height": 1400, "deviceScaleFactor": 1, "mobile": False}
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    return browser


FOUNDING = (
    "The ministry was first created as the Political Security Bureau (Korean: 정치보안국) "
    "on November 19, 1945."
)


def test_explorer_walk_search_resource_quote_reader_and_back(
    server: Server, tmp_path: Path
) -> None:
    """Search from the box in the header, open the resource, follow a quote to
    its highlight in the reader, and the highlight's link back to the fact.
    The screenshots (tests/artefacts/explorer.png, reader.png) are the ones in docs/."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as met
    from selenium.webdriver.support.ui import WebDriverWait

    from msskg.views.reader import passage_id

    def arrive(address: str) -> None:  # each step waits for its page (a busy machine is slow)
        WebDriverWait(browser, 30).until(met.url_to_be(address))
        WebDriverWait(browser, 30).until(
            lambda b: b.execute_script("return document.readyState") == "complete"
        )

    anchor = passage_id(FOUNDING)
    browser = _chromium(webdriver, tmp_path)
    try:
        browser.get(server.url)
        box = browser.find_element(By.CSS_SELECTOR, "nav form input[name=q]")
        box.send_keys("사회안전")
        box.submit()
        arrive(server.url + "search?q=" + quote("사회안전"))
        first = browser.find_element(By.CSS_SELECTOR, "#hits li.hit a")
        assert first.text == "Ministry of Social Security (사회안전성)"
        first.click()
        arrive(server.url + "id/ministry-of-social-security")
        assert (
            browser.find_element(By.TAG_NAME, "h1").text
            == "Ministry of Social Security (사회안전성)"
        )
        assert browser.find_elements(By.CSS_SELECTOR, "#timeline + .svg svg")
        ARTEFACTS.mkdir(exist_ok=True)
        browser.save_screenshot(str(ARTEFACTS / "explorer.png"))
        fact = browser.find_element(By.ID, "fact-event-1945-founding")
        fact.find_element(By.CSS_SELECTOR, "a.passage").click()
        arrive(server.url + f"source/source-000#{anchor}")
        marked = browser.execute_script(
            "return document.getElementById(arguments[0]).nextElementSibling.textContent", anchor
        )
        assert marked.startswith("The ministry was first created as the Political Security")
        browser.save_screenshot(str(ARTEFACTS / "reader.png"))
        notes = browser.find_element(By.CSS_SELECTOR, f'span.supports[data-passage="{anchor}"]')
        notes.find_element(By.LINK_TEXT, "Founding of the Political Security Bureau").click()
        arrive(server.url + "id/event-1945-founding#fact-event-1945-founding")
        back = browser.find_element(By.ID, "fact-event-1945-founding")
        assert FOUNDING in back.text
        assert browser.execute_script("return document.querySelector(':target').id") == (
            "fact-event-1945-founding"
        )
    finally:
        browser.quit()


@pytest.mark.parametrize("width", [1280, 390])
def test_links_both_ways_and_pictures_that_fit(server: Server, tmp_path: Path, width: int) -> None:
    """At a desktop's and a phone's width: the ministry's page shows its
    timeline and its organisation chart (undated children drawn, marked) within
    the window, nothing wider than it; a value links to its page by its label
    (the IRI on hover), and that page lists what links to it, which leads back.
    The screenshots (tests/artefacts/resource-WIDTH.png, home-WIDTH.png) are in docs/."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as met
    from selenium.webdriver.support.ui import WebDriverWait

    def arrive(address: str) -> None:
        WebDriverWait(browser, 30).until(met.url_to_be(address))
        WebDriverWait(browser, 30).until(
            lambda b: b.execute_script("return document.readyState") == "complete"
        )

    def overflow() -> list[str]:
        """What sticks out of the window: the page, or any picture."""
        return list(
            browser.execute_script(
                "const w = document.documentElement.clientWidth; const out = [];"
                "if (document.documentElement.scrollWidth > w) out.push('page');"
                "for (const s of document.querySelectorAll('svg')) {"
                "  const r = s.getBoundingClientRect();"
                "  if (r.left < 0 || r.right > w) out.push(s.querySelector('title').textContent);"
                "} return out;"
            )
        )

    ministry = "https://w3id.org/msskg/id/ministry-of-social-security"
    browser = _chromium(webdriver, tmp_path, width=width)
    try:
        browser.get(server.url + "id/ministry-of-social-security")
        arrive(server.url + "id/ministry-of-social-security")
        assert browser.execute_script("return window.innerWidth") == width
        assert overflow() == []
        chart = browser.find_element(By.CSS_SELECTOR, "#chart + .svg svg")
        assert "Ministry of Social Security on " in chart.find_element(
            By.TAG_NAME, "title"
        ).get_attribute("textContent")
        texts = [t.get_attribute("textContent") for t in chart.find_elements(By.TAG_NAME, "text")]
        assert "Corrections Bureau" in texts and "possibly" in texts  # after its text's as-of date
        ARTEFACTS.mkdir(exist_ok=True)
        browser.save_screenshot(str(ARTEFACTS / f"resource-{width}.png"))
        link = browser.find_element(
            By.CSS_SELECTOR, 'a[title="https://w3id.org/msskg/id/pyongyang"]'
        )
        assert link.text == "Pyongyang"
        browser.execute_script("arguments[0].click()", link)  # may sit below the fold
        arrive(server.url + "id/pyongyang")
        here = browser.find_element(By.ID, "linked-from")
        assert here.text == "What links here"
        back = browser.find_element(By.CSS_SELECTOR, f'#linked-from + ul a[title="{ministry}"]')
        assert back.text == "Ministry of Social Security"
        browser.execute_script("arguments[0].click()", back)
        arrive(server.url + "id/ministry-of-social-security")
        browser.get(server.url)
        arrive(server.url)
        assert overflow() == []
        browser.save_screenshot(str(ARTEFACTS / f"home-{width}.png"))
    finally:
        browser.quit()
