"""Debian's Chromium driven by Selenium through chromium-driver, for the browser tests.

Skipped when either is missing (`apt-get install chromium chromium-driver`), unless
CROSSPOST_REQUIRE_BROWSER=1 (CI), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage")


def headless_chromium(*extra_flags: str) -> Iterator[Any]:
    """A driven headless Chromium for one test (use with `yield from` in a fixture)."""
    driver_path = shutil.which("chromedriver")
    chromium = shutil.which("chromium")
    if driver_path is None or chromium is None:
        if os.environ.get("CROSSPOST_REQUIRE_BROWSER") == "1":
            pytest.fail("CROSSPOST_REQUIRE_BROWSER=1 but chromium or chromedriver is missing")
        pytest.skip("chromium and chromium-driver are not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (*FLAGS, *extra_flags):
        options.add_argument(flag)
    # The Debian driver, given by path: Selenium must not try to download one.
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
