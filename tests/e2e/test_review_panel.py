"""The Review tab: findings of the document on screen, markers on the canvas, kept current as people edit."""

from __future__ import annotations

import re
import time
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
    expect(first.get_by_role("button", name="table audit_entries has no primary key")).to_be_focused()
    screenshot(page, "review-panel", full_page=False)

    # An edit (unsaved or not) is reviewed again: a new table gets its findings and its marker.
    page.get_by_role("button", name="Add table").click()
    expect(findings.get_by_role("button", name="table new_table has no comment")).to_be_visible(timeout=5_000)
    expect(canvas.get_by_role("button", name=re.compile(r"^\d+ review findings? on new_table$"))).to_be_visible()

    # Picking a finding selects its table.
    findings.get_by_role("button", name="table audit_entries has no primary key").click()
    expect(page.locator(".table-card.is-selected")).to_contain_text("audit_entries")


def open_review(page: Any, app: App, document: dict[str, Any], name: str) -> dict[str, Any]:
    sign_up(page, app, unique(name))
    page.goto(f"{app.url}/designs/")
    design = create_design(page, app, unique(f"{name} "), document)
    page.goto(f"{app.url}{design['url']}")
    page.get_by_role("tab", name="Review").click()
    expect(page.get_by_role("status").filter(has_text=" · ")).to_be_visible(timeout=10_000)
    return design


def stored_document(page: Any, app: App, design: dict[str, Any], until: Any = None) -> dict[str, Any]:
    """The design's stored document, once ``until(document)`` holds (edits are saved 600 ms after the last)."""
    deadline = time.monotonic() + 10
    while True:
        response = page.request.get(f"{app.url}/api/designs/{design['id']}/document")
        assert response.status == 200
        document = dict(response.json())
        if until is None or until(document) or time.monotonic() > deadline:
            return document
        time.sleep(0.2)


def audit_entries(document: dict[str, Any]) -> dict[str, Any]:
    return next(t for t in document["tables"] if t["name"] == "audit_entries")


def review_settings(document: dict[str, Any]) -> dict[str, Any]:
    return dict(document.get("settings", {}).get("review", {}))


def finding(page: Any, text: str) -> Any:
    return page.get_by_role("list", name="Findings").get_by_role("listitem").filter(has_text=text)


def test_fix_applies_a_findings_fix_to_the_design_on_screen_and_ctrl_z_undoes_it(app: App, new_page: Any) -> None:
    page = new_page()
    design = open_review(page, app, shop_document(), "fixer")
    canvas = page.get_by_role("main", name="Canvas")
    status = page.get_by_role("status").filter(has_text=" · ")
    no_pk = finding(page, "table audit_entries has no primary key")
    expect(status).to_contain_text("1 error")
    expect(canvas.locator("button.marker-error[aria-label$=' on audit_entries']")).to_be_visible()

    fix = no_pk.get_by_role("button", name="Fix", exact=True)
    expect(fix).to_have_attribute("title", "add a primary key")
    fix.click()
    # The fix is an ordinary edit: the finding goes, the table's marker is no longer an error, and it is saved.
    expect(no_pk).to_have_count(0, timeout=5_000)
    expect(status).to_contain_text("0 errors")
    expect(canvas.locator("button.marker-error")).to_have_count(0)
    audit = audit_entries(stored_document(page, app, design, until=lambda d: audit_entries(d).get("primary_key")))
    assert audit.get("primary_key", {}).get("columns"), audit
    screenshot(page, "review-panel-fixed", full_page=False)

    # Ctrl+Z takes the fix back, like any other edit.
    page.locator("body").press("Control+z")
    expect(no_pk).to_have_count(1, timeout=5_000)
    expect(status).to_contain_text("1 error")
    expect(canvas.locator("button.marker-error[aria-label$=' on audit_entries']")).to_be_visible()
    audit = audit_entries(stored_document(page, app, design, until=lambda d: not audit_entries(d).get("primary_key")))
    assert not audit.get("primary_key"), audit


def test_suppress_asks_for_a_reason_and_the_settings_list_and_remove_it(app: App, new_page: Any) -> None:
    page = new_page()
    design = open_review(page, app, shop_document(), "suppressor")
    email = finding(page, "customers.email is varchar(255)")
    email.get_by_role("button", name="Suppress…").click()
    reason = email.get_by_role("textbox", name="Why is DS304 acceptable on customers.email?")
    expect(reason).to_be_focused()
    submit = email.get_by_role("button", name="Suppress", exact=True)
    expect(submit).to_be_disabled()  # no reason, no suppression
    reason.fill("RFC 5321 caps an address at 254 characters")
    screenshot(page, "review-suppress-form", full_page=False)
    submit.click()
    expect(email).to_have_count(0, timeout=5_000)

    settings = page.locator("details.review-settings")
    expect(settings.locator("summary")).to_contain_text("1 suppression")
    settings.locator("summary").click()
    suppressions = settings.get_by_role("list", name="Suppressions")
    expect(suppressions).to_contain_text("DS304 on customers.email")
    expect(suppressions).to_contain_text("RFC 5321 caps an address at 254 characters")
    stored = review_settings(stored_document(page, app, design, until=review_settings)).get("suppress")
    assert stored == [
        {"rule": "DS304", "object": "c_customers_email", "reason": "RFC 5321 caps an address at 254 characters"}
    ]
    screenshot(page, "review-settings-suppression", full_page=False)

    suppressions.get_by_role("button", name="Remove the suppression of DS304 on customers.email").click()
    expect(email).to_have_count(1, timeout=5_000)
    expect(settings.locator("summary")).to_contain_text("defaults")


def test_rules_can_be_turned_off_or_given_another_severity_and_a_naming_preset_chosen(app: App, new_page: Any) -> None:
    page = new_page()
    design = open_review(page, app, shop_document(), "configurer")
    status = page.get_by_role("status").filter(has_text=" · ")
    settings = page.locator("details.review-settings")
    settings.locator("summary").click()

    settings.get_by_role("combobox", name="Level of DS504 missing-table-comment").select_option("off")
    expect(finding(page, "has no comment")).to_have_count(0, timeout=5_000)
    settings.get_by_role("combobox", name="Level of DS101 missing-primary-key").select_option("warning")
    expect(status).to_contain_text("0 errors", timeout=5_000)
    expect(finding(page, "table audit_entries has no primary key").locator(".marker")).to_have_text("Warning")

    # Rules can be found by words of their name or summary.
    settings.get_by_role("searchbox", name="Filter rules").fill("plural")
    expect(settings.get_by_role("list", name="Rules").get_by_role("listitem")).to_have_count(1)
    expect(settings.get_by_role("list", name="Rules")).to_contain_text("DS404")

    settings.get_by_role("combobox", name="Naming convention").select_option("singular_snake")
    expect(finding(page, "table name orders is plural")).to_have_count(1, timeout=5_000)
    expect(settings.locator("summary")).to_contain_text("naming: singular_snake · 2 rules changed")
    screenshot(page, "review-settings", full_page=False)

    review = review_settings(stored_document(page, app, design, until=lambda d: "naming" in review_settings(d)))
    assert review == {"rules": {"DS504": "off", "DS101": "warning"}, "naming": "singular_snake"}

    # Back to the default level: the key goes from the document.
    settings.get_by_role("searchbox", name="Filter rules").fill("")
    settings.get_by_role("combobox", name="Level of DS504 missing-table-comment").select_option("")
    expect(finding(page, "table orders has no comment")).to_have_count(1, timeout=5_000)
