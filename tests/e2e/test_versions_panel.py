"""The Versions tab: name a version, edit the design, compare: canvas markers, hazards, the migration."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from .conftest import App, create_design, csrf, screenshot, shop_document, sign_up, unique

pytestmark = pytest.mark.e2e


def card(page: Page, name: str) -> Any:
    return page.locator(".table-card").filter(has=page.get_by_role("heading", name=name, exact=True))


def wait_saved(page: Page) -> None:
    expect(page.locator(".save-status")).to_have_text("Saved", timeout=10_000)


def test_a_version_is_named_and_compared_with_the_edited_design(app: App, new_page: Any) -> None:
    page = new_page()
    sign_up(page, app, unique("versions"))
    design = create_design(page, app, unique("Versions "), shop_document())
    page.goto(f"{app.url}{design['url']}")
    expect(card(page, "orders")).to_be_visible(timeout=10_000)

    page.get_by_role("tab", name="Versions").click()
    panel = page.get_by_role("tabpanel", name="Versions")
    expect(panel.get_by_text("No versions yet.")).to_be_visible(timeout=10_000)

    # A bad name is refused before it reaches the server, and said next to the field.
    name = panel.get_by_label("Name this state as a version")
    name.fill("v 1")
    panel.get_by_role("button", name="Save version").click()
    expect(panel.get_by_role("alert")).to_contain_text("Use letters, digits")
    expect(name).to_be_focused()

    name.fill("v1.0")
    panel.get_by_label("Notes (optional)").fill("First release")
    name.press("Enter")
    expect(panel.get_by_role("status").filter(has_text="Saved version v1.0")).to_be_visible()
    versions = panel.get_by_role("list", name="Named versions")
    expect(versions.get_by_role("listitem")).to_have_count(1)
    expect(versions).to_contain_text("First release")
    stored = page.request.get(f"{app.url}/api/designs/{design['id']}/versions").json()
    assert [v["label"] for v in stored] == ["v1.0"]

    # The same name again: the server's 409 is shown.
    name.fill("v1.0")
    panel.get_by_role("button", name="Save version").click()
    expect(panel.get_by_role("alert")).to_contain_text("already a version v1.0")

    # Edit the design: rename a column of orders (breaks running code) and add a table.
    card(page, "orders").get_by_role("button", name="orders", exact=True).click()
    card(page, "orders").locator(".column-row", has_text="status").locator(".column-name").dblclick()
    page.get_by_label("Column name").fill("state")
    page.get_by_label("Column name").press("Enter")
    expect(card(page, "orders").locator(".column-name")).to_contain_text(["state"])
    page.get_by_role("button", name="Add table").click()
    wait_saved(page)

    # Compare v1.0 with the current design (keyboard: the button takes Enter).
    page.get_by_role("tab", name="Versions").click()
    compare = panel.get_by_role("button", name="Compare v1.0 with the current design")
    compare.focus()
    page.keyboard.press("Enter")
    region = panel.get_by_role("region", name="v1.0 → the current design")
    expect(region.get_by_role("status")).to_contain_text(re.compile(r"\d+ operations · \d+ hazards?"), timeout=15_000)

    # The canvas marks the changed table and the new one; the untouched table carries no marker.
    expect(page.locator(".table-card.is-diff-changed")).to_contain_text("orders")
    expect(page.locator(".table-card.is-diff-added")).to_contain_text("new_table")
    expect(card(page, "customers")).not_to_have_class(re.compile("is-diff-"))

    # The operations, with the rename's hazard and its safer alternative.
    ops = region.get_by_role("list", name="Operations")
    rename = ops.get_by_role("listitem").filter(has_text="RenameColumn orders.status → state")
    expect(rename).to_be_visible()
    hazards = rename.get_by_role("list", name="Hazards of RenameColumn orders.status → state")
    expect(hazards).to_contain_text("Breaks running code")
    expect(hazards).to_contain_text("Safer: expand/contract")
    expect(ops.get_by_role("listitem").filter(has_text="CreateTable new_table")).to_be_visible()
    expect(region.get_by_role("list", name="Hazards by kind")).to_contain_text("Breaks running code: 1")

    # The Alembic revision holds the operation; the downgrade renames the column back.
    preview = region.get_by_label("Alembic migration")
    expect(preview).to_contain_text("new_column_name='state'")
    expect(preview).to_contain_text("def downgrade()")
    expect(preview).to_contain_text("new_column_name='status'")
    screenshot(page, "versions-compare", full_page=False)

    # Copy and download.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    region.get_by_role("button", name="Copy").click()
    expect(region.get_by_role("status").filter(has_text="Copied")).to_be_visible()
    assert "new_column_name='state'" in page.evaluate("navigator.clipboard.readText()")
    with page.expect_download() as download:
        region.get_by_role("button", name=re.compile("^Download")).click()
    assert download.value.suggested_filename.endswith(".py")

    # The PostgreSQL preview: plain SQL with its hazard at the top.
    region.get_by_role("button", name="PostgreSQL").click()
    sql = region.get_by_label("PostgreSQL migration")
    expect(sql).to_contain_text("-- HAZARD incompatible")
    expect(sql).to_contain_text("ALTER TABLE orders RENAME status TO state")
    expect(sql).to_contain_text("lock_timeout")
    region.get_by_role("button", name="SQLite").click()
    expect(region.get_by_label("SQLite migration")).to_contain_text("CREATE TABLE new_table")
    screenshot(page, "versions-compare-sql", full_page=False)

    # Picking an operation selects its table on the canvas.
    ops.get_by_role("button", name="CreateTable new_table").click()
    expect(page.locator(".table-card.is-selected")).to_contain_text("new_table")

    # Clearing the comparison clears the markers.
    panel.get_by_role("button", name="Clear comparison").click()
    expect(page.locator(".table-card[class*='is-diff-']")).to_have_count(0)


def test_a_viewer_compares_but_cannot_name_a_version(app: App, new_page: Any) -> None:
    owner = new_page()
    sign_up(owner, app, unique("vowner"))
    design = create_design(owner, app, unique("Shared "), shop_document())
    viewer_name = unique("vviewer")
    viewer = new_page(color_scheme="dark")
    sign_up(viewer, app, viewer_name)
    headers = {"Content-Type": "application/json", "X-CSRFToken": csrf(owner)}
    for path, body in (
        (f"/api/designs/{design['id']}/members", {"username": viewer_name, "role": "viewer"}),
        (f"/api/designs/{design['id']}/versions", {"label": "v1"}),
    ):
        response = owner.request.post(f"{app.url}{path}", data=body, headers=headers)
        assert response.ok, response.text()

    # After v1, the owner drops a column (data loss; running code breaks too): the viewer sees it.
    doc = owner.request.get(f"{app.url}/api/designs/{design['id']}/document").json()
    customers = next(t for t in doc["tables"] if t["name"] == "customers")
    customers["columns"] = [c for c in customers["columns"] if c["name"] != "tags"]
    saved = owner.request.put(f"{app.url}/api/designs/{design['id']}/document", data=doc, headers=headers)
    assert saved.ok, saved.text()

    viewer.goto(f"{app.url}{design['url']}")
    viewer.get_by_role("tab", name="Versions").click()
    panel = viewer.get_by_role("tabpanel", name="Versions")
    expect(panel.get_by_text("Only editors and owners can name versions")).to_be_visible(timeout=10_000)
    expect(panel.get_by_label("Name this state as a version")).to_have_count(0)
    panel.get_by_role("button", name="Compare v1 with the current design").click()
    region = panel.get_by_role("region", name="v1 → the current design")
    expect(region.get_by_role("status")).to_contain_text("1 operation · 2 hazards", timeout=15_000)
    drop = (
        region.get_by_role("list", name="Operations")
        .get_by_role("listitem")
        .filter(has_text="DropColumn customers.tags")
    )
    expect(drop.get_by_role("list", name="Hazards of DropColumn customers.tags")).to_contain_text("Data loss")
    expect(viewer.locator(".table-card.is-diff-changed")).to_contain_text("customers")
    region.get_by_role("button", name="MySQL").click()
    expect(region.get_by_label("MySQL migration")).to_contain_text("ALTER TABLE customers DROP COLUMN tags")
    screenshot(viewer, "versions-viewer-dark", full_page=False)
