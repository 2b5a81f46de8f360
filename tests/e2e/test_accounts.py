"""Signing up, logging out and in, and managing API tokens, in a real browser."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import PASSWORD, App, screenshot, sign_up, unique

pytestmark = pytest.mark.e2e


def test_a_new_user_signs_up_creates_a_design_and_sees_the_empty_editor(app: App, page: Any) -> None:
    sign_up(page, app, unique("ada"), email="ada@example.com")

    expect(page.get_by_role("heading", name="Designs", level=1)).to_be_visible()
    expect(page.get_by_text("Welcome,")).to_be_visible()
    expect(page.get_by_role("heading", name="No designs yet")).to_be_visible()

    page.get_by_label("Name").fill("Billing service")
    page.get_by_role("button", name="Create design").click()

    page.wait_for_url(re.compile(r"/d/[\w-]+/$"))
    expect(page.get_by_role("heading", name="Billing service", level=1)).to_be_visible()
    expect(page.locator(".app-topbar .badge")).to_have_text("owner")
    expect(page.get_by_text("This design has no tables yet.")).to_be_visible()
    expect(page.get_by_role("complementary", name="Details")).to_contain_text("Tables")


def test_the_new_design_is_listed_with_its_counts(app: App, page: Any) -> None:
    sign_up(page, app, unique("grace"))
    page.get_by_label("Name").fill("Inventory")
    page.get_by_role("button", name="Create design").click()
    page.wait_for_url(re.compile(r"/d/[\w-]+/$"))

    page.get_by_role("link", name="All designs").click()

    card = page.locator(".design-card", has_text="Inventory")
    expect(card).to_contain_text("0 tables")
    expect(card).to_contain_text("owner")
    card.get_by_role("link", name="Inventory").click()
    expect(page.get_by_role("heading", name="Inventory", level=1)).to_be_visible()


def test_an_empty_design_name_is_refused_with_a_message_by_the_field(app: App, page: Any) -> None:
    sign_up(page, app, unique("edsger"))

    page.get_by_role("button", name="Create design").click()

    name = page.get_by_label("Name")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field-errors")).to_contain_text("required")


def test_a_user_logs_out_and_logs_in_again(app: App, page: Any) -> None:
    username = unique("linus")
    sign_up(page, app, username)

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.goto(f"{app.url}/designs/")
    page.wait_for_url(re.compile(r"/accounts/login/\?next=/designs/"))

    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{app.url}/designs/")
    expect(page.locator(".nav-user")).to_contain_text(username)


def test_the_tokens_page_creates_shows_once_and_revokes_a_token(app: App, page: Any) -> None:
    sign_up(page, app, unique("barbara"))
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_text("You have no active tokens.")).to_be_visible()

    page.get_by_label("Name").fill("laptop cli")
    page.get_by_role("button", name="Create token").click()

    secret = page.get_by_label("New API token").input_value()
    assert secret.startswith("dbs_") or len(secret) > 20
    expect(page.get_by_text("it will not be shown again")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("laptop cli"))
    expect(row).to_contain_text(secret[:10])
    expect(row).to_contain_text("Never")

    # The token works against the API, and it is not shown on the next visit.
    status, designs = app.api("GET", "/designs", secret)
    assert (status, designs) == (200, [])
    page.goto(f"{app.url}/accounts/tokens/")
    expect(page.get_by_label("New API token")).to_have_count(0)

    page.get_by_role("button", name="Revoke token laptop cli").click()
    expect(page.get_by_role("status")).to_contain_text("Revoked token")
    expect(page.get_by_text("You have no active tokens.")).to_be_visible()
    status, _ = app.api("GET", "/designs", secret)
    assert status == 401


def test_an_unknown_page_shows_the_friendly_404(app: App, page: Any) -> None:
    sign_up(page, app, unique("ken"))

    response = page.goto(f"{app.url}/d/no-such-design/")

    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.get_by_role("link", name="Go to your designs")).to_be_visible()


def test_the_api_docs_page_works_without_the_internet(app: App, page: Any) -> None:
    # Swagger UI must come from the app itself: a server without internet access (or behind a strict
    # firewall) would otherwise show a blank page. The page fixture refuses every request outside the app.
    sign_up(page, app, unique("api"))
    page.goto(f"{app.url}/api/docs")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/api/designs").first).to_be_visible()
    screenshot(page, "api-docs")


def test_a_person_changes_their_password_from_their_name_and_can_ask_for_a_reset_link(app: App, page: Any) -> None:
    username = unique("mary")
    sign_up(page, app, username, email=f"{username}@example.com")
    page.locator(".nav-user").get_by_role("link", name=username).click()
    page.wait_for_url(f"{app.url}/accounts/password/")
    expect(page.get_by_role("heading", name="Change password")).to_be_visible()
    page.get_by_label("Old password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("another long phrase 42")
    page.get_by_label("New password confirmation").fill("another long phrase 42")
    screenshot(page, "password-change")
    page.get_by_role("button", name="Change password").click()
    page.wait_for_url(f"{app.url}/designs/")
    expect(page.get_by_text("Your password is changed.")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill(f"{username}@example.com")
    screenshot(page, "password-reset")
    page.get_by_role("button", name="Send the link").click()
    page.wait_for_url(f"{app.url}/accounts/password/reset/sent/")
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    screenshot(page, "password-reset-sent")
