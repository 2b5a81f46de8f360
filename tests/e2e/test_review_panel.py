"""The Review tab: findings of the document on screen, markers on the canvas, kept current as people edit."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import App, create_design, screenshot, shop_document, sign_up, unique

pytestmark = pytest.mark.e2e


def test_findings_show_in_the_panel_and_on_the_canvas_and_follow_edits(app: App, new_page: Any) -> None:
    page = new_page()
    sign_up(page, app, unique("review"))
    page.goto(f"{app.url}/designs/")
    design = create_design(page, app, unique("Review "), shop_document())
    page.goto(f"{app.url}{design['url']}")
    canvas = page.get_by_role("main", name="Canvas")

    # The table without a primary key carries an error marker, before the tab is even opened.
    marker = canvas.get_by_role("button", name="2 review findings on audit_entries")
    expect(marker).to_be_visible(timeout=10_000)
    expect(canvas.get_by_role("button", name="1 review finding on email")).to_be_visible()

    # The marker opens the Review tab at its finding.
    marker.click()
    expect(page.get_by_role("tab", name="Review")).to_have_attribute("aria-selected", "true")
    findings = page.get_by_role("list", name="Findings")
    expect(page.get_by_role("status").filter(has_text="1 error ·")).to_be_visible()
    first = findings.get_by_role("listitem").first
    expect(first).to_contain_text("table audit_entries has no primary key")
    expect(first.get_by_role("button")).to_be_focused()
    screenshot(page, "review-panel", full_page=False)

    # An edit (unsaved or not) is reviewed again: a new table gets its findings and its marker.
    page.get_by_role("button", name="Add table").click()
    expect(findings.get_by_role("button", name="table new_table has no comment")).to_be_visible(timeout=5_000)
    expect(canvas.get_by_role("button", name=re.compile(r"^\d+ review findings? on new_table$"))).to_be_visible()

    # Picking a finding selects its table.
    findings.get_by_role("button", name="table audit_entries has no primary key").click()
    expect(page.locator(".table-card.is-selected")).to_contain_text("audit_entries")
