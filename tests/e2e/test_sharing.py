"""Members and sharing in a real browser: an owner invites a teammate and makes a share link; a
newcomer follows the link through sign-up and lands in the editor; a revoked link says so."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import App, create_design, screenshot, sign_up, unique

pytestmark = pytest.mark.e2e


def test_an_owner_shares_a_design_and_a_newcomer_joins_through_the_link(app: App, new_page: Any) -> None:
    owner = new_page()
    teammate = unique("mate")
    mate_page = new_page()
    sign_up(mate_page, app, teammate, email=f"{teammate}@example.com")
    owner_name = unique("owner")
    sign_up(owner, app, owner_name)
    design = create_design(owner, app, "Billing")

    owner.goto(f"{app.url}{design['url']}")
    owner.get_by_role("link", name="Share").click()
    owner.wait_for_url(f"**/d/{design['slug']}/members/")
    owner.get_by_label("Username or email").fill(f"{teammate}@example.com")
    owner.get_by_label("Role", exact=True).select_option("commenter")
    owner.get_by_role("button", name="Invite").click()
    owner.get_by_text(f"Added {teammate} as commenter.").wait_for()
    owner.get_by_label("Username or email").fill("later@example.com")
    owner.get_by_role("button", name="Invite").click()
    owner.get_by_text("Invitation emailed to later@example.com.").wait_for()

    owner.get_by_label("Joins as").select_option("editor")
    owner.get_by_label("Expires after").select_option("30")
    owner.get_by_role("button", name="Create link").click()
    link = owner.get_by_role("textbox", name="New share link").input_value()
    assert "/s/" in link
    screenshot(owner, "sharing-members-page")

    newcomer = new_page()
    newcomer.goto(link)
    newcomer.get_by_role("heading", name="You have a share link").wait_for()
    screenshot(newcomer, "sharing-link-logged-out")
    newcomer.get_by_role("link", name="Create one").click()
    name = unique("new")
    newcomer.get_by_label("Username").fill(name)
    newcomer.get_by_label("Password", exact=True).fill("correct-horse-battery-42")
    newcomer.get_by_label("Password confirmation").fill("correct-horse-battery-42")
    newcomer.get_by_role("button", name="Create account").click()
    newcomer.wait_for_url(f"**{design['url']}")
    assert newcomer.locator(".badge-editor").first.inner_text().lower() == "editor"

    owner.goto(f"{app.url}/d/{design['slug']}/members/")
    assert owner.get_by_role("cell", name=teammate, exact=True).is_visible()
    owner.get_by_role("button", name="Revoke the editor link").click()
    owner.get_by_text("Share link revoked").wait_for()
    stranger = new_page()
    sign_up(stranger, app, unique("late"))
    response = stranger.goto(link)
    assert response is not None and response.status == 410
    stranger.get_by_text("This share link was revoked").wait_for()
    screenshot(stranger, "sharing-link-revoked")
