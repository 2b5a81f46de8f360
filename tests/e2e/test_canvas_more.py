"""More of the ERD canvas: SVG export (whole and selection), copy and paste, resizing an area,
and how a 300-table design reads at fit-to-screen.

Like test_canvas.py, each test works on its own design and checks both what a person sees and
what the server stored.
"""

from __future__ import annotations

import copy
import statistics
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from playwright.sync_api import Page, expect

from bench.canvas_open import synthetic

from .conftest import App, screenshot, shop_document
from .test_canvas import card, open_design, owner, stored, wait_saved

pytestmark = pytest.mark.e2e

__all__ = ["owner"]  # the module-scoped fixture, shared with test_canvas.py

SVG = "{http://www.w3.org/2000/svg}"


def placed_shop() -> dict[str, Any]:
    doc = copy.deepcopy(shop_document())
    for i, table in enumerate(doc["tables"]):
        table["position"] = {"x": i * 420, "y": 0}
    return doc


def svg_export(page: Page, item: str) -> tuple[ET.Element, str, str]:
    """Export through the menu; the parsed SVG, its text, and the suggested file name."""
    page.get_by_role("button", name="Export").click()
    with page.expect_download() as info:
        page.get_by_role("menuitem", name=item).click()
    raw = Path(info.value.path()).read_text(encoding="utf-8")
    # html-to-image hands out a data: URL; a browser saves its payload, percent-encoded or not.
    text = unquote(raw) if raw.lstrip().startswith("%3C") else raw
    root = ET.fromstring(text)  # noqa: S314 - our own export, made by the browser under test
    return root, text, info.value.suggested_filename


def table_names(root: ET.Element) -> list[str]:
    """The table titles drawn in an exported SVG (its foreignObject holds the cards' HTML)."""
    return sorted(
        "".join(el.itertext()).strip()
        for el in root.iter()
        if el.tag.endswith("h3") and "table-card-name" in (el.get("class") or "")
    )


def open_with_orders_and_customers_selected(app: App, new_page: Any, owner: Any) -> tuple[Page, dict[str, Any]]:
    """The placed shop in the editor with orders and customers selected (a click, then Control+click)."""
    page, design = open_design(app, new_page, owner, placed_shop())
    expect(page.locator(".react-flow__edge")).to_have_count(1)
    card(page, "orders").locator(".table-card-select").click()
    card(page, "customers").locator(".table-card-select").click(modifiers=["Control"])
    expect(page.locator(".react-flow__node.selected")).to_have_count(2)
    return page, design


def test_the_canvas_exports_the_whole_diagram_as_svg(app: App, new_page: Any, owner: Any) -> None:
    page, design = open_design(app, new_page, owner, placed_shop())
    expect(page.locator(".react-flow__edge")).to_have_count(1)
    root, _, filename = svg_export(page, "SVG — whole diagram")
    assert root.tag == f"{SVG}svg"
    assert float(root.get("width") or 0) > 800
    assert filename == f"{design['slug']}.svg"
    assert table_names(root) == ["audit.audit_entries", "customers", "orders"]


def test_the_canvas_exports_the_selection_as_svg_with_only_the_selected_tables(
    app: App, new_page: Any, owner: Any
) -> None:
    page, design = open_with_orders_and_customers_selected(app, new_page, owner)
    root, text, filename = svg_export(page, "SVG — selection")
    assert root.tag == f"{SVG}svg"
    assert filename == f"{design['slug']}-selection.svg"
    assert table_names(root) == ["customers", "orders"]
    assert "audit_entries" not in text
    # The relationship between the two selected tables is in the picture.
    assert "erd-edge" in text
    whole, _, _ = svg_export(page, "SVG — whole diagram")
    assert float(root.get("width") or 0) < float(whole.get("width") or 0)


def test_copy_and_paste_duplicate_the_selection_with_new_ids_and_names_and_undo_removes_it(
    app: App, new_page: Any, owner: Any
) -> None:
    page, design = open_with_orders_and_customers_selected(app, new_page, owner)
    page.keyboard.press("Control+c")
    page.keyboard.press("Control+v")
    expect(page.locator(".table-card")).to_have_count(5)
    expect(card(page, "orders_copy")).to_be_visible()
    expect(card(page, "customers_copy")).to_be_visible()
    # The copies are selected, the originals not: a second paste or a drag moves the copies.
    expect(page.locator(".react-flow__node.selected")).to_have_count(2)
    expect(page.locator('.react-flow__node.selected[data-id="t_orders"]')).to_have_count(0)
    expect(page.locator(".react-flow__edge")).to_have_count(2)
    wait_saved(page)
    screenshot(page, "canvas-pasted", full_page=False)

    doc = stored(page, app, design)
    tables = {t["name"]: t for t in doc["tables"]}
    assert set(tables) == {"customers", "orders", "audit_entries", "customers_copy", "orders_copy"}
    original, pasted = tables["orders"], tables["orders_copy"]
    assert pasted["id"] != original["id"]
    assert [c["name"] for c in pasted["columns"]] == [c["name"] for c in original["columns"]]
    assert not {c["id"] for c in pasted["columns"]} & {c["id"] for c in original["columns"]}
    assert pasted["primary_key"]["columns"] == [pasted["columns"][0]["id"]]
    # The relationship between the copied tables is copied and joins the copies.
    [copied] = [r for r in doc["relationships"] if r["from_table"] == pasted["id"]]
    assert copied["to_table"] == tables["customers_copy"]["id"]
    assert copied["from_columns"][0] in {c["id"] for c in pasted["columns"]}
    every_id = [t["id"] for t in doc["tables"]] + [c["id"] for t in doc["tables"] for c in t.get("columns", [])]
    assert len(every_id) == len(set(every_id))

    page.locator(".react-flow__pane").click(position={"x": 20, "y": 400})
    page.keyboard.press("Control+z")
    expect(page.locator(".table-card")).to_have_count(3)
    expect(page.locator(".react-flow__edge")).to_have_count(1)
    wait_saved(page)
    assert {t["name"] for t in stored(page, app, design)["tables"]} == {"customers", "orders", "audit_entries"}


def test_a_resized_area_keeps_its_size_after_a_reload(app: App, new_page: Any, owner: Any) -> None:
    doc = placed_shop()
    sales: dict[str, Any] = {"id": "a_sales", "name": "sales", "position": {"x": 0, "y": 480}}
    sales["size"] = {"width": 300, "height": 200}
    doc["areas"] = [sales]
    page, design = open_design(app, new_page, owner, doc)
    area = page.locator('.react-flow__node[data-id="a_sales"]')
    expect(area).to_be_visible()
    page.get_by_role("button", name="sales").click()
    handle = area.locator(".react-flow__resize-control.handle.bottom.right")
    expect(handle).to_be_visible()
    before = area.bounding_box()
    box = handle.bounding_box()
    assert before and box
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for i in range(1, 11):
        page.mouse.move(x + i * 12, y + i * 8)
        page.wait_for_timeout(20)
    page.mouse.up()
    after = area.bounding_box()
    assert after and after["width"] > before["width"] + 40 and after["height"] > before["height"] + 25
    wait_saved(page)
    [saved] = stored(page, app, design)["areas"]
    zoom = before["width"] / 300
    assert abs(saved["size"]["width"] - after["width"] / zoom) < 4
    assert abs(saved["size"]["height"] - after["height"] / zoom) < 4
    assert (saved["position"].get("x", 0), saved["position"]["y"]) == (0, 480)

    page.reload()
    area = page.locator('.react-flow__node[data-id="a_sales"]')
    expect(area).to_be_visible()
    reloaded = area.bounding_box()
    assert reloaded
    zoom_now = page.evaluate(
        "() => new DOMMatrixReadOnly(getComputedStyle(document.querySelector('.react-flow__viewport')).transform).a"
    )
    assert abs(reloaded["width"] / zoom_now - saved["size"]["width"]) < 4
    assert abs(reloaded["height"] / zoom_now - saved["size"]["height"]) < 4


def test_tables_and_notes_added_from_the_toolbar_find_a_free_place(app: App, new_page: Any, owner: Any) -> None:
    page, _ = open_design(app, new_page, owner, placed_shop())
    expect(page.locator(".table-card")).to_have_count(3)
    for _ in range(3):
        page.get_by_role("button", name="Add table").click()
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".table-card")).to_have_count(6)
    nodes = page.locator(".react-flow__node:not(.react-flow__node-area)")  # tables and notes
    cards = [nodes.nth(i).bounding_box() for i in range(nodes.count())]
    assert len(cards) == 7 and all(cards)

    def overlap(a: Any, b: Any) -> bool:
        return (a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
                and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"])

    clashes = [(i, j) for i in range(len(cards)) for j in range(i + 1, len(cards)) if overlap(cards[i], cards[j])]
    screenshot(page, "canvas-added-free-places", full_page=False)
    assert clashes == []


def test_auto_layout_moves_a_note_with_the_table_it_is_about(app: App, new_page: Any, owner: Any) -> None:
    doc = placed_shop()
    orders = next(t for t in doc["tables"] if t["id"] == "t_orders")
    note_at = {"x": orders["position"]["x"] + 300, "y": orders["position"]["y"] + 40}
    doc["notes"] = [
        {"id": "n_orders", "text": "Totals include tax.", "anchor": "t_orders", "position": note_at},
        {"id": "n_free", "text": "About nothing in particular.", "position": {"x": -600, "y": -400}},
    ]
    page, design = open_design(app, new_page, owner, doc)
    expect(page.locator(".table-card")).to_have_count(3)
    page.get_by_role("button", name="Auto-layout").click()
    expect(page.get_by_role("button", name="Auto-layout")).to_be_enabled()
    wait_saved(page)

    def laid_out() -> dict[str, Any]:
        data = stored(page, app, design)
        table = next(t for t in data["tables"] if t["id"] == "t_orders")
        return {"table": table.get("position", {}), "notes": {n["id"]: n.get("position", {}) for n in data["notes"]}}

    deadline = time.monotonic() + 10
    while (after := laid_out())["table"] == orders["position"] and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert after["table"] != orders["position"], "the layout moved the table"
    table, notes = after["table"], after["notes"]
    assert (notes["n_orders"]["x"] - table.get("x", 0), notes["n_orders"]["y"] - table.get("y", 0)) == (300, 40)
    assert notes["n_free"] == {"x": -600, "y": -400}


def test_a_300_table_design_reads_as_a_map_at_fit_to_screen(app: App, new_page: Any, owner: Any) -> None:
    """Laid out by the server when created without positions, and again by the Auto-layout button
    (elkjs, in the browser): each time an area per name prefix, tables inside their area,
    referenced tables left of the tables that point at them, and a map shaped like the screen."""
    document = synthetic(300, 400)
    page, design = open_design(app, new_page, owner, document)
    # Created through the API with no positions: the server laid it out, nothing runs in the browser.
    doc = stored(page, app, design)
    assert doc.get("areas"), "the server did not lay the design out"
    expect(page.get_by_role("button", name="Auto-layout")).to_be_enabled()
    wait_saved(page)
    page.wait_for_timeout(500)
    screenshot(page, "canvas-300-map", full_page=False)
    areas = assert_stored_map(document, doc)
    assert_drawn_map(page, areas)

    # The Auto-layout button lays it out in the browser instead (elkjs with the drawn table sizes),
    # and saves that: the same kind of map, and one that fits the screen too (the canvas zooms out
    # below its usual 5 % floor when a design needs it).
    before = {t["id"]: t.get("position") for t in doc["tables"]}
    page.get_by_role("button", name="Auto-layout").click()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        page.wait_for_timeout(500)
        doc = stored(page, app, design)
        if {t["id"]: t.get("position") for t in doc["tables"]} != before:
            break
    assert {t["id"]: t.get("position") for t in doc["tables"]} != before, "Auto-layout saved nothing"
    wait_saved(page)
    page.wait_for_timeout(500)
    doc = stored(page, app, design)
    screenshot(page, "canvas-300-map-auto-layout", full_page=False)
    areas = assert_stored_map(document, doc)
    assert_drawn_map(page, areas)
    # Fit-to-screen from the toolbar shows all of it too (after zooming in, so the button has work to do).
    page.get_by_role("button", name="Zoom In").click()
    page.get_by_role("button", name="Zoom In").click()
    page.get_by_role("button", name="Fit to screen").click()
    page.wait_for_timeout(800)
    assert_drawn_map(page, areas)


def xy(item: dict[str, Any]) -> tuple[float, float]:
    """A stored table's or area's position (a stored document leaves out zeros)."""
    position = item.get("position", {})
    return position.get("x", 0), position.get("y", 0)


def assert_stored_map(document: dict[str, Any], doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The stored ``doc`` (made from ``document``) is a map; its areas by name."""
    prefixes = {t["name"].split("_", 1)[0] for t in document["tables"]}
    areas = {a["name"]: a for a in doc["areas"]}
    assert set(areas) == prefixes

    tables = {t["id"]: t for t in doc["tables"]}
    for t in tables.values():
        area = areas[t["name"].split("_", 1)[0]]
        ax, ay = xy(area)
        aw, ah = area["size"]["width"], area["size"]["height"]
        x, y = xy(t)
        assert ax <= x < ax + aw and ay <= y < ay + ah, f"{t['name']} is outside its area"

    # The areas do not overlap one another.
    rects = [(*xy(a), a["size"]["width"], a["size"]["height"]) for a in areas.values()]
    for i, (x1, y1, w1, h1) in enumerate(rects):
        for x2, y2, w2, h2 in rects[i + 1 :]:
            assert x1 + w1 <= x2 or x2 + w2 <= x1 or y1 + h1 <= y2 or y2 + h2 <= y1, "areas overlap"

    # Shaped like a map: neither a single row nor a single column.
    x0 = min(r[0] for r in rects)
    y0 = min(r[1] for r in rects)
    width = max(r[0] + r[2] for r in rects) - x0
    height = max(r[1] + r[3] for r in rects) - y0
    assert 0.8 < width / height < 4, (width, height)

    # Layered by FK direction: inside an area the referenced table is left of the table pointing at it.
    inside = [
        r
        for r in doc["relationships"]
        if tables[r["from_table"]]["name"].split("_")[0] == tables[r["to_table"]]["name"].split("_")[0]
        and r["from_table"] != r["to_table"]
    ]
    rightward = [r for r in inside if xy(tables[r["to_table"]])[0] < xy(tables[r["from_table"]])[0]]
    assert len(rightward) >= 0.9 * len(inside), (len(rightward), len(inside))
    return areas


def assert_drawn_map(page: Page, areas: dict[str, dict[str, Any]]) -> None:
    """At fit-to-screen the map fills the canvas, and its area names are readable and uncovered."""

    # Drawn at fit-to-screen: every area on screen, tables drawn small but not a dense block.
    expect(page.locator(".react-flow__node-area")).to_have_count(len(areas))
    canvas = page.locator(".erd-canvas").bounding_box()
    assert canvas
    boxes = [page.locator(f'.react-flow__node[data-id="{a["id"]}"]').bounding_box() for a in areas.values()]
    right = canvas["x"] + canvas["width"] + 1
    assert all(b and b["x"] >= canvas["x"] - 1 and b["x"] + b["width"] <= right for b in boxes)
    covered = sum(b["width"] * b["height"] for b in boxes if b)
    assert covered > 0.3 * canvas["width"] * canvas["height"]
    labels = [page.locator(f'.react-flow__node[data-id="{a["id"]}"] .area-label') for a in areas.values()]
    sizes = [label.bounding_box() for label in labels]
    assert statistics.median(s["height"] for s in sizes if s) >= 10, "area names are too small to read"
    # …and no table covers an area's name.
    for label, size in zip(labels, sizes, strict=True):
        assert size
        on_top = page.evaluate(
            """([x, y]) => {
                const hit = document.elementsFromPoint(x, y).find((e) => e.closest('.table-card, .area-label'));
                return hit?.closest('.area-label')?.textContent ?? null;
            }""",
            [size["x"] + size["width"] / 2, size["y"] + size["height"] / 2],
        )
        assert on_top == label.text_content(), f"the label {label.text_content()} is covered"
