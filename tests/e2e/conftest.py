"""Browser tests: a live server on 127.0.0.1 (a free port) and Debian's Chromium driven by
Playwright. Every test here is marked ``browser``; screenshots go to
``tests/e2e/screenshots/`` (ignored by git).

Without Chromium the tests are skipped, unless ``CI=true``: then they fail.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("PROCESSION_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "procession"
SCREENSHOTS = Path(__file__).parent / "screenshots"
E2E_DIR = Path(__file__).parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if E2E_DIR in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


def _chromium_path() -> str:
    path = shutil.which(CHROMIUM) or (CHROMIUM if Path(CHROMIUM).exists() else "")
    if not path:
        message = f"Expected Chromium at {CHROMIUM}, but it is not installed"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(autouse=True)
def allow_orm_beside_playwright(monkeypatch) -> None:
    """Playwright's sync API runs an event loop in this thread; the ORM calls a test makes
    between page actions are still plain synchronous calls. Set per test, so it never
    leaks into other tests (or the environment of their subprocesses)."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def browser(django_db_setup) -> Iterator[object]:
    """Chromium for one test. Started after the database fixtures and stopped before
    their tear-down (flushing the tables must not run beside Playwright's event loop)."""
    from playwright.sync_api import sync_playwright

    executable = _chromium_path()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server) -> Iterator[object]:
    """A fresh browser context (no cookies) per test; ``page.base_url`` is the server."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1400, "height": 1000}
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.base_url = live_server.url
    yield tab
    context.close()


def login(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def people(transactional_db) -> dict[str, object]:
    """sally in sales and frank in finance, both with ``PASSWORD``."""
    from django.contrib.auth.models import Group, User

    sales, finance = Group.objects.create(name="sales"), Group.objects.create(name="finance")
    sally = User.objects.create_user("sally", password=PASSWORD)
    sally.groups.add(sales)
    frank = User.objects.create_user("frank", password=PASSWORD)
    frank.groups.add(finance)
    return {"sally": sally, "frank": frank}


def as_user(browser, live_server, username: str, viewport: tuple[int, int] = (1280, 900)):
    """A fresh browser context logged in as ``username`` (password ``PASSWORD``)."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": viewport[0], "height": viewport[1]}
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    login(tab, username, PASSWORD)
    return tab
