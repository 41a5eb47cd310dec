"""The proposal form filled and sent in a real browser: Debian's Chromium, driven by
Selenium through chromium-driver.

Skipped when chromedriver is missing (`apt-get install chromium-driver`), unless
CROSSPOST_REQUIRE_BROWSER=1, which turns the skip into a failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli
from tests.support.browser import headless_chromium
from tests.web.test_propose import _png
from tests.web.test_serve import token_for

pytestmark = pytest.mark.browser


@pytest.fixture
def browser() -> Iterator[Any]:
    yield from headless_chromium()


def _submit(driver: Any) -> str:
    """Send the form and wait for the page that answers it (under load the click returns
    before the browser has left the old page); that page's text."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    button = driver.find_element(By.CSS_SELECTOR, "button[type=submit]")
    try:
        button.click()
    except WebDriverException as error:
        # Under load chromedriver can look at the button again after the click has
        # already replaced the page, and report that as an error; the click was made.
        if "does not belong to the document" not in str(error.msg):
            raise
    WebDriverWait(driver, 30).until(expected_conditions.staleness_of(button))
    return str(driver.find_element(By.TAG_NAME, "body").text)


def _fill(driver: Any, values: dict[str, str]) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    for name, value in values.items():
        field = driver.find_element(By.NAME, name)
        if name == "kind":
            Select(field).select_by_value(value)
        elif field.get_attribute("type") == "datetime-local":
            # What the date picker leaves, whatever the browser's locale shows.
            driver.execute_script("arguments[0].value = arguments[1]", field, value)
        else:
            field.clear()
            field.send_keys(value)


def test_a_member_fills_the_form_in_chromium_and_the_draft_waits(
    served: str, cli: Cli, browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    url = f"{served}/t/{token_for(cli, 'propose', 'Jardin partagé des Alpes')}/propose"
    picture = tmp_path / "affiche troc.png"
    picture.write_bytes(_png())
    browser.get(url)
    values = {
        "kind": "event",
        "title": "Troc de graines : venez nombreux 🌱",
        "body": "Apportez vos graines & vos boutures.",
        "event_start": "2026-11-20T14:00",  # already over: refused first
        "location": "Jardin partagé, rue des Alpes, Grenoble",
        "link": "https://jardin.example.org/troc?utm_source=form&utm_medium=x_y",
        "alt": "Des sachets de graines",
    }
    _fill(browser, values)
    browser.find_element(By.NAME, "picture").send_keys(str(picture))
    _submit(browser)
    alert = browser.find_element(By.CSS_SELECTOR, "[role=alert]").text
    assert "Nothing was sent" in alert
    assert "already passed" in alert
    # What was typed is still there; the date is corrected and the picture chosen again.
    assert browser.find_element(By.NAME, "title").get_attribute("value") == values["title"]
    _fill(browser, {"event_start": "2026-12-13T14:00", "event_end": "2026-12-13T17:00"})
    browser.find_element(By.NAME, "picture").send_keys(str(picture))
    answer = _submit(browser)
    assert "Thank you: your proposal (no. 1) was received" in answer, answer
    listed = cli("review", "--json").json()
    assert isinstance(listed, dict)
    [draft] = listed["items"]
    assert draft["title"] == "Troc de graines : venez nombreux 🌱"
    assert draft["source"] == "Jardin partagé des Alpes"
    assert draft["event_start"] == "2026-12-13T13:00:00Z"
    assert draft["link"] == "https://jardin.example.org/troc?utm_source=form&utm_medium=x_y"
    assert Path(draft["image"]).read_bytes() == _png()
