"""The editor shell: a design's tables as cards, the side panel, and the error state."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Route, expect

from .conftest import App, shop_document, sign_up, unique

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def shop(app: App, browser: Any) -> tuple[dict[str, Any], Any]:
    """One user with the Shop design, created through the API with a token from manage.py.

    Returns the design and the browser storage state of the logged-in user, so each test opens
    its own page without signing up again.
    """
    context = browser.new_context()
    page = context.new_page()
    username = unique("tabler")
    sign_up(page, app, username)
    token = app.manage("create_api_token", username).strip()
    status, design = app.api("POST", "/designs", token, {"name": "Shop", "document": shop_document()})
    assert status == 201, design
    state = context.storage_state()
    context.close()
    return dict(design), state


@dataclass
class Editor:
    page: Any
    url: str


@pytest.fixture
def editor(app: App, new_page: Any, shop: tuple[dict[str, Any], Any]) -> Editor:
    """A page logged in as the Shop design's owner, and the design's editor URL (not yet opened)."""
    design, state = shop
    return Editor(page=new_page(storage_state=state), url=f"{app.url}{design['url']}")


def test_a_design_with_tables_shows_a_card_per_table(editor: Editor) -> None:
    page = editor.page
    page.goto(editor.url)

    cards = page.locator(".table-card")
    expect(cards).to_have_count(3)
    expect(page.get_by_role("heading", name="3 tables · 1 relationship")).to_be_visible()
    customers = page.locator(".table-card", has_text="customers")
    expect(customers.get_by_role("listitem")).to_have_count(4)
    expect(customers.locator(".column-row", has_text="email")).to_contain_text("varchar(255)")
    expect(customers.locator(".column-row", has_text="tags")).to_contain_text("text[]")
    expect(customers.locator(".column-row", has_text="id").first.locator(".badge-pk")).to_have_text("PK")


@pytest.mark.parametrize(
    ("table", "column", "shown"),
    [
        ("orders", "customer_id", "FK"),
        ("orders", "total", "numeric(12,2)"),
        ("orders", "status", "order_status"),
        ("customers", "tags", "text[]"),
        ("orders", "id", "PK"),
    ],
)
def test_a_column_shows_its_type_and_markers(editor: Editor, table: str, column: str, shown: str) -> None:
    page = editor.page
    page.goto(editor.url)

    card = page.locator(".table-card").filter(has=page.get_by_role("heading", name=table, exact=True))
    row = card.locator(".column-row").filter(has=page.locator(".column-name").get_by_text(column, exact=True))
    expect(row).to_contain_text(shown)


def test_a_table_in_another_schema_shows_it_and_says_it_has_no_columns(editor: Editor) -> None:
    page = editor.page
    page.goto(editor.url)

    card = page.locator(".table-card", has_text="audit.audit_entries")
    expect(card).to_contain_text("No columns yet")


def test_selecting_a_card_shows_the_table_in_the_side_panel(editor: Editor) -> None:
    page = editor.page
    page.goto(editor.url)
    panel = page.get_by_role("complementary", name="Details")
    expect(panel).to_contain_text("Customers and their orders.")

    page.get_by_role("button", name="orders", exact=True).click()

    expect(page.get_by_role("button", name="orders", exact=True)).to_have_attribute("aria-pressed", "true")
    expect(panel.get_by_role("heading", name="orders")).to_be_visible()
    expect(panel.get_by_role("row", name=re.compile(r"^status"))).to_contain_text("no")
    expect(panel.get_by_role("row", name=re.compile(r"^total"))).to_contain_text("yes")
    expect(panel).to_contain_text("1 index")
    expect(panel).to_contain_text("orders → customers")

    panel.get_by_role("button", name="Close").click()
    expect(panel.get_by_role("heading", name="Design")).to_be_visible()


def test_the_editor_says_when_the_document_cannot_be_loaded_and_retries(editor: Editor) -> None:
    page = editor.page
    failures = {"left": 1}

    def fail_once(route: Route) -> None:
        if failures["left"]:
            failures["left"] -= 1
            route.fulfill(status=500, json={"detail": "Internal error; it has been logged"})
        else:
            route.continue_()

    page.route(re.compile(r".*/api/designs/\d+/document$"), fail_once)
    page.goto(editor.url)

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("The design could not be loaded")
    expect(alert).to_contain_text("Internal error; it has been logged")
    page.get_by_role("button", name="Try again").click()
    expect(page.locator(".table-card")).to_have_count(3)


def test_the_editor_asks_to_log_in_again_when_the_api_says_the_session_has_ended(
    editor: Editor, shop: tuple[dict[str, Any], Any]
) -> None:
    page = editor.page
    design, _ = shop

    def without_session(route: Route) -> None:
        # As if the session expired between loading the page and fetching the document: ask the
        # real server without the session cookie and hand its answer (a 401) to the page.
        try:
            with urllib.request.urlopen(route.request.url, timeout=10) as response:  # noqa: S310
                status, body = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, body = exc.code, exc.read()
        route.fulfill(status=status, body=body, content_type="application/json")

    page.route(re.compile(r".*/api/designs/\d+/document$"), without_session)
    page.goto(editor.url)

    expect(page.get_by_role("alert")).to_contain_text("Your session has ended")
    login = page.get_by_role("link", name="Log in")
    expect(login).to_have_attribute("href", f"/accounts/login/?next={design['url'].replace('/', '%2F')}")
