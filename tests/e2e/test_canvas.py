"""The ERD canvas: create and edit tables, draw relationships, undo, the Mermaid text view, saving, export.

Each test works on its own design (created through the API) and checks what a person sees, then
what the server stored, so "it looked right" and "it was saved" are both covered.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from .conftest import App, create_design, csrf, screenshot, shop_document, sign_up, unique

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def owner(app: App, browser: Any) -> Any:
    """A signed-up user's browser storage state, shared by the tests in this module."""
    context = browser.new_context()
    page = context.new_page()
    sign_up(page, app, unique("canvas"))
    state = context.storage_state()
    context.close()
    return state


def open_design(
    app: App, new_page: Any, owner: Any, document: dict[str, Any] | None, **kwargs: Any
) -> tuple[Page, dict[str, Any]]:
    page = new_page(storage_state=owner, **kwargs)
    page.goto(f"{app.url}/designs/")
    design = create_design(page, app, unique("Design "), document)
    page.goto(f"{app.url}{design['url']}")
    # A 300-table design is a big page: give the first paint time on a loaded machine.
    expect(page.get_by_role("toolbar", name="Editor tools")).to_be_visible(timeout=15_000)
    return page, design


def stored(page: Page, app: App, design: dict[str, Any]) -> dict[str, Any]:
    response = page.request.get(f"{app.url}/api/designs/{design['id']}/document")
    assert response.ok, response.text()
    return dict(response.json())


def wait_saved(page: Page) -> None:
    expect(page.locator(".save-status")).to_have_text("Saved", timeout=10_000)


def card(page: Page, name: str) -> Any:
    return page.locator(".table-card").filter(has=page.get_by_role("heading", name=name, exact=True))


def without_relationships() -> dict[str, Any]:
    doc = copy.deepcopy(shop_document())
    doc["relationships"] = []
    # Place the tables apart so a drag between them is unambiguous.
    doc["tables"][0]["position"] = {"x": 0, "y": 0}
    doc["tables"][1]["position"] = {"x": 420, "y": 0}
    doc["tables"][2]["position"] = {"x": 0, "y": 320}
    return doc


def test_a_person_creates_a_table_and_edits_its_columns_and_it_is_saved(app: App, new_page: Any, owner: Any) -> None:
    page, design = open_design(app, new_page, owner, None)
    expect(page.get_by_text("This design has no tables yet.")).to_be_visible()
    screenshot(page, "canvas-empty", full_page=False)

    page.get_by_role("button", name="Add table").click()
    table = page.locator(".table-card")
    expect(table).to_have_count(1)
    table.locator(".table-card-title").dblclick()
    page.get_by_label("Table name").fill("customers")
    page.get_by_label("Table name").press("Enter")
    expect(card(page, "customers")).to_be_visible()

    card(page, "customers").get_by_role("button", name="+ Add column").click()
    page.get_by_label("Column name").fill("email")
    page.get_by_label("Column name").press("Enter")
    email = card(page, "customers").locator(".column-row", has_text="email")
    email.locator(".column-type").dblclick()
    page.get_by_label("Column type").fill("varchar(255)")
    page.get_by_label("Column type").press("Enter")
    expect(email).to_contain_text("varchar(255)")

    card(page, "customers").get_by_role("button", name="+ Add column").click()
    page.get_by_label("Column name").fill("created_at")
    page.get_by_label("Column name").press("Enter")
    created = card(page, "customers").locator(".column-row", has_text="created_at")
    created.hover()
    created.get_by_role("button", name="Move created_at up").click()
    names = card(page, "customers").locator(".column-name")
    expect(names).to_have_text(["id", "created_at", "email"])
    wait_saved(page)
    screenshot(page, "canvas-table-edited", full_page=False)

    doc = stored(page, app, design)
    [saved] = doc["tables"]
    assert saved["name"] == "customers"
    assert [c["name"] for c in saved["columns"]] == ["id", "created_at", "email"]
    assert saved["columns"][2]["type"] == {"name": "varchar", "length": 255}

    page.reload()
    expect(card(page, "customers").locator(".column-name")).to_have_text(["id", "created_at", "email"])


def drag(page: Page, source: Any, target: Any) -> None:
    """Press on `source`, move in steps to `target`, release: how a person draws a connection.

    The target is located after the press: connection dots show on every table only while a
    connection is being drawn.
    """
    a = source.bounding_box()
    assert a
    page.mouse.move(a["x"] + a["width"] / 2, a["y"] + a["height"] / 2)
    page.mouse.down()
    page.mouse.move(a["x"] + a["width"] / 2 + 12, a["y"] + a["height"] / 2 + 6, steps=3)
    b = target.bounding_box()
    assert b
    for i in range(1, 11):
        page.mouse.move(
            a["x"] + (b["x"] - a["x"]) * i / 10 + b["width"] / 2, a["y"] + (b["y"] - a["y"]) * i / 10 + b["height"] / 2
        )
    page.mouse.up()


def test_dragging_from_a_column_to_a_column_draws_a_relationship_that_undo_and_redo_take_back(
    app: App, new_page: Any, owner: Any
) -> None:
    page, design = open_design(app, new_page, owner, without_relationships())
    expect(page.locator(".react-flow__edge")).to_have_count(0)

    source = card(page, "orders").locator('[data-column-id="c_orders_customer"]')
    source.hover()
    handle = source.locator(".react-flow__handle-left")
    target_row = card(page, "customers").locator('[data-column-id="c_customers_id"]')
    drag(page, handle, target_row.locator(".react-flow__handle-right"))

    expect(page.locator(".react-flow__edge")).to_have_count(1)
    expect(card(page, "orders").locator('[data-column-id="c_orders_customer"] .badge-fk')).to_have_text("FK")
    wait_saved(page)
    [rel] = stored(page, app, design)["relationships"]
    assert (rel["from_table"], rel["from_columns"], rel["to_table"], rel["to_columns"]) == (
        "t_orders",
        ["c_orders_customer"],
        "t_customers",
        ["c_customers_id"],
    )
    screenshot(page, "canvas-relationship", full_page=False)

    page.locator(".react-flow__pane").click(position={"x": 20, "y": 300})
    page.keyboard.press("Control+z")
    expect(page.locator(".react-flow__edge")).to_have_count(0)
    page.keyboard.press("Control+Shift+z")
    expect(page.locator(".react-flow__edge")).to_have_count(1)
    wait_saved(page)
    assert len(stored(page, app, design)["relationships"]) == 1


def test_dropping_a_key_on_another_table_offers_to_create_the_foreign_key_column(
    app: App, new_page: Any, owner: Any
) -> None:
    page, design = open_design(app, new_page, owner, without_relationships())
    key = card(page, "customers").locator('[data-column-id="c_customers_id"]')
    key.hover()
    drag(
        page,
        key.locator(".react-flow__handle-right"),
        card(page, "audit.audit_entries").locator(".table-card-nocolumns"),
    )

    dialog = page.get_by_role("dialog", name="Create a foreign key")
    expect(dialog).to_contain_text("customer_id")
    screenshot(page, "canvas-fk-offer", full_page=False)
    dialog.get_by_role("button", name="Create customer_id").click()

    audit = card(page, "audit.audit_entries")
    expect(audit.locator(".column-row", has_text="customer_id").locator(".badge-fk")).to_be_visible()
    wait_saved(page)
    doc = stored(page, app, design)
    [rel] = doc["relationships"]
    assert (rel["from_table"], rel["to_table"], rel["to_columns"]) == ("t_audit", "t_customers", ["c_customers_id"])


def stored_position(page: Page, app: App, design: dict[str, Any], table_id: str, until: Any) -> tuple[float, float]:
    """The table's stored position once ``until(position)`` holds (saves are debounced), or the last seen."""
    position: tuple[float, float] = (0, 0)
    for _ in range(50):
        table = next(t for t in stored(page, app, design)["tables"] if t["id"] == table_id)
        position = (table["position"].get("x", 0), table["position"].get("y", 0))
        if until(position):
            break
        page.wait_for_timeout(200)
    return position


def test_undo_and_redo_cover_moving_a_table(app: App, new_page: Any, owner: Any) -> None:
    page, design = open_design(app, new_page, owner, without_relationships())
    header = card(page, "orders").locator(".table-card-head")
    expect(header).to_be_visible()
    wait_saved(page)  # nothing pending, and the view has settled, before the drag
    box = header.bounding_box()
    assert box
    page.mouse.move(box["x"] + 60, box["y"] + 10)
    page.mouse.down()
    page.mouse.move(box["x"] + 120, box["y"] + 110, steps=8)
    page.mouse.up()
    moved = stored_position(page, app, design, "t_orders", lambda p: p != (420, 0))
    assert moved != (420, 0)

    page.get_by_role("button", name="Undo").click()
    back = stored_position(page, app, design, "t_orders", lambda p: p == (420, 0))
    assert back == (420, 0)
    page.get_by_role("button", name="Redo").click()
    again = stored_position(page, app, design, "t_orders", lambda p: p == moved)
    assert again == moved
    wait_saved(page)


def mermaid_text(page: Page) -> Any:
    page.get_by_role("tab", name="Mermaid").click()
    area = page.get_by_label("Mermaid text")
    expect(area).to_have_value(re.compile(r"erDiagram"))
    return area


def test_the_text_panel_shows_the_printer_output_and_typing_changes_the_canvas(
    app: App, new_page: Any, owner: Any
) -> None:
    page, design = open_design(app, new_page, owner, shop_document())
    area = mermaid_text(page)
    wait_saved(page)  # nothing pending (the server laid the tables out on create) before reading the text
    page.wait_for_timeout(400)

    def printed(details: bool) -> str:
        return str(page.request.post(
            f"{app.url}/api/text/print",
            data={"format": "mermaid", "document": stored(page, app, design), "details": details},
            headers={"X-CSRFToken": csrf(page)},
        ).json()["text"])

    # Plain Mermaid by default; "Show details" shows the lossless text with its directive lines.
    assert area.input_value() == printed(False)
    assert "@dbstudio" not in area.input_value()
    page.get_by_label("Show details").check()
    expect(area).to_have_value(printed(True))
    page.get_by_label("Show details").uncheck()
    expect(area).to_have_value(printed(False))

    text = area.input_value()
    text = text.replace("timestamptz created_at", "timestamp created_at")
    area.fill(text.rstrip("\n") + "\n    products {\n        bigint id PK\n        text title\n    }\n")
    expect(page.locator(".table-card")).to_have_count(4)
    expect(card(page, "products").locator(".column-name")).to_have_text(["id", "title"])
    expect(card(page, "customers").get_by_text("timestamp", exact=True)).to_be_visible()
    new, old = card(page, "products").bounding_box(), card(page, "orders").bounding_box()
    assert new and old and new["x"] >= old["x"] + old["width"], "a typed table goes beside the design, not on top"
    wait_saved(page)
    screenshot(page, "canvas-mermaid-edit", full_page=False)
    tables = {t["name"]: t for t in stored(page, app, design)["tables"]}
    assert set(tables) == {"customers", "orders", "audit_entries", "products"}
    # The plain text is read against the design: what it does not say (ids, comments, NOT NULL) is kept.
    customers = tables["customers"]
    assert customers["id"] == "t_customers" and customers["comment"] == "People who buy things."
    created = next(c for c in customers["columns"] if c["name"] == "created_at")
    assert created["id"] == "c_customers_created" and created["nullable"] is False
    assert created["type"]["name"] == "timestamp"


def test_a_typed_table_lands_beside_the_table_it_refers_to_and_in_view(app: App, new_page: Any, owner: Any) -> None:
    page, design = open_design(app, new_page, owner, shop_document())
    area = mermaid_text(page)
    wait_saved(page)
    page.wait_for_timeout(400)
    typed = "    customer_notes {\n        bigint id PK\n        bigint customer_id FK\n        text body\n    }\n"
    area.fill(area.input_value().rstrip("\n") + "\n" + typed + "    customers ||--o{ customer_notes : has\n")
    expect(page.locator(".table-card")).to_have_count(4)
    wait_saved(page)
    document = stored(page, app, design)
    tables = {t["name"]: t for t in document["tables"]}
    assert any(r["from_table"] == tables["customer_notes"]["id"] for r in document["relationships"])

    # The canvas pans (keeping its zoom) to show the new table: here it lands above the view.
    view = page.locator(".erd-canvas").bounding_box()
    assert view

    def in_view() -> bool:
        box = card(page, "customer_notes").bounding_box()
        return bool(box) and (view["x"] <= box["x"] and box["x"] + box["width"] <= view["x"] + view["width"]
                              and view["y"] <= box["y"] and box["y"] + box["height"] <= view["y"] + view["height"])

    for _ in range(20):
        if in_view():
            break
        page.wait_for_timeout(100)
    assert in_view(), (card(page, "customer_notes").bounding_box(), view)

    heading = {name: f"{t['schema']}.{name}" if t.get("schema") else name for name, t in tables.items()}
    boxes = {name: card(page, heading[name]).bounding_box() for name in tables}
    notes, customers, orders = boxes.pop("customer_notes"), boxes["customers"], boxes["orders"]
    assert notes and customers and orders
    # A child goes right of its parent, as the layered layout draws them (here beside its sibling
    # orders), not in a column past the whole design.
    assert customers["x"] + customers["width"] <= notes["x"] < orders["x"] + orders["width"]
    for name, box in boxes.items():
        assert box
        apart = (notes["x"] + notes["width"] <= box["x"] or box["x"] + box["width"] <= notes["x"]
                 or notes["y"] + notes["height"] <= box["y"] or box["y"] + box["height"] <= notes["y"])
        assert apart, f"customer_notes lands on {name}"
    screenshot(page, "canvas-typed-table-placed", full_page=False)


def test_a_bad_text_edit_shows_its_line_and_column_and_keeps_the_canvas(app: App, new_page: Any, owner: Any) -> None:
    page, design = open_design(app, new_page, owner, shop_document())
    area = mermaid_text(page)
    good = area.input_value()
    area.fill(good.replace("    orders {", "    orders {{ oops", 1))

    alert = page.locator("#mermaid-error")
    expect(alert).to_contain_text(re.compile(r"Line \d+, column \d+"))
    expect(page.locator(".code-gutter .is-error")).to_have_count(1)
    expect(page.locator(".table-card")).to_have_count(3)
    screenshot(page, "canvas-mermaid-error", full_page=False)
    page.wait_for_timeout(800)
    assert len(stored(page, app, design)["tables"]) == 3

    area.fill(good)
    expect(alert).to_have_count(0)
    expect(page.locator(".table-card")).to_have_count(3)


def test_an_edit_the_server_rejects_is_shown_and_kept_until_fixed(app: App, new_page: Any, owner: Any) -> None:
    page, design = open_design(app, new_page, owner, shop_document())
    orders = card(page, "orders")
    orders.locator(".table-card-select").click()
    orders.locator(".column-row", has_text="total").locator(".column-name").dblclick()
    page.get_by_label("Column name").fill("status")
    page.get_by_label("Column name").press("Enter")

    status = page.locator(".save-status.is-error")
    expect(status).to_contain_text("Not saved")
    expect(status).to_contain_text("already used")
    expect(orders.locator(".column-name")).to_have_text(["id", "customer_id", "status", "status"])
    screenshot(page, "canvas-save-rejected", full_page=False)
    doc = stored(page, app, design)
    assert [c["name"] for c in doc["tables"][1]["columns"]] == ["id", "customer_id", "total", "status"]

    orders.locator(".column-name").nth(2).dblclick()
    page.get_by_label("Column name").fill("amount")
    page.get_by_label("Column name").press("Enter")
    wait_saved(page)
    assert [c["name"] for c in stored(page, app, design)["tables"][1]["columns"]] == [
        "id",
        "customer_id",
        "amount",
        "status",
    ]


def test_a_reload_shows_exactly_what_was_there(app: App, new_page: Any, owner: Any) -> None:
    page, design = open_design(app, new_page, owner, shop_document())
    page.get_by_role("button", name="Add note").click()
    page.keyboard.press("t")
    expect(page.locator(".table-card")).to_have_count(4)
    wait_saved(page)
    before = stored(page, app, design)
    page.reload()
    expect(page.locator(".table-card")).to_have_count(4)
    expect(page.locator(".erd-note")).to_have_count(1)
    assert stored(page, app, design) == before
    for node in ("t_customers", "t_orders"):  # measured and shown: the style is final
        expect(page.locator(f'.react-flow__node[data-id="{node}"]')).to_have_attribute(
            "style", re.compile(r"visibility: visible")
        )
    boxes = {
        n: page.locator(f'.react-flow__node[data-id="{n}"]').get_attribute("style") for n in ("t_customers", "t_orders")
    }
    page.reload()
    for node, style in boxes.items():
        expect(page.locator(f'.react-flow__node[data-id="{node}"]')).to_have_attribute("style", style or "")


def test_the_canvas_exports_a_png_of_the_diagram(app: App, new_page: Any, owner: Any) -> None:
    page, design = open_design(app, new_page, owner, shop_document())
    expect(page.locator(".react-flow__edge")).to_have_count(1)
    page.get_by_role("button", name="Export").click()
    with page.expect_download() as info:
        page.get_by_role("menuitem", name="PNG — whole diagram").click()
    path = info.value.path()
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 5_000
    assert info.value.suggested_filename == f"{design['slug']}.png"
    (screenshot(page, "canvas-export-menu", full_page=False).parent / "canvas-export.png").write_bytes(data)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_editor_looks_right_in_both_schemes(app: App, new_page: Any, owner: Any, scheme: str) -> None:
    page, _ = open_design(app, new_page, owner, shop_document(), color_scheme=scheme)
    expect(page.locator(".react-flow__edge")).to_have_count(1)
    card(page, "orders").locator(".table-card-select").click()
    screenshot(page, f"canvas-shop-{scheme}", full_page=False)
    page.get_by_role("tab", name="Mermaid").click()
    page.get_by_role("tab", name="Preview").click()
    expect(page.locator(".mermaid-svg svg")).to_be_visible(timeout=20_000)
    screenshot(page, f"canvas-preview-{scheme}", full_page=False)
    page.keyboard.press("Escape")
    page.keyboard.press("Control+k")
    page.get_by_role("combobox").fill("email")
    screenshot(page, f"canvas-find-{scheme}", full_page=False)
    page.keyboard.press("Enter")
    expect(card(page, "customers").locator(".column-row.is-active")).to_contain_text("email")
