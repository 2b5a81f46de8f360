"""The server-side layout: a design nobody arranged becomes a map of areas, each layered by FK direction."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.canvas_open import synthetic
from bench.synthetic import design
from designs.compiler.document import Area, Document, Note, Point, Size
from designs.compiler.layout import arrange, estimate_size, group_tables, layout, needs_layout, top_pad
from designs.compiler.validate import load

Rect = tuple[float, float, float, float]


def table(tid: str, name: str, columns: int = 3, schema: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": tid,
        "name": name,
        "columns": [{"id": f"{tid}.c{i}", "name": f"c{i}", "type": {"name": "integer"}} for i in range(columns)],
    }
    if schema:
        data["schema"] = schema
    return data


def fk(rid: str, child: str, parent: str) -> dict[str, Any]:
    """A relationship between two tables (entity-level: no columns needed for the layout)."""
    return {"id": rid, "from_table": child, "to_table": parent}


def document(tables: list[dict[str, Any]], rels: list[dict[str, Any]] | None = None) -> Document:
    return load({"format": 1, "name": "T", "tables": tables, "relationships": rels or []})


def table_rects(doc: Document) -> dict[str, Rect]:
    return {t.id: (t.position.x, t.position.y, *estimate_size(t)) for t in doc.tables}


def area_rect(area: Area) -> Rect:
    return (area.position.x, area.position.y, area.size.width, area.size.height)


def overlap(a: Rect, b: Rect) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def inside(inner: Rect, outer: Rect) -> bool:
    return (outer[0] <= inner[0] and inner[0] + inner[2] <= outer[0] + outer[2]
            and outer[1] <= inner[1] and inner[1] + inner[3] <= outer[1] + outer[3])  # fmt: skip


def no_overlaps(rects: list[Rect]) -> bool:
    return not any(overlap(a, b) for i, a in enumerate(rects) for b in rects[i + 1 :])


def bounds(rects: list[Rect]) -> tuple[float, float]:
    x0, y0 = min(r[0] for r in rects), min(r[1] for r in rects)
    return max(r[0] + r[2] for r in rects) - x0, max(r[1] + r[3] for r in rects) - y0


MAP = layout(load(synthetic(300, 400)))  # 300 tables in ten prefixes (billing_*, crm_*, ...), 400 FKs


def test_a_300_table_design_gets_an_area_per_name_prefix() -> None:
    prefixes = {t.name.split("_", 1)[0] for t in MAP.tables}
    assert len(prefixes) == 10
    assert sorted(a.name for a in MAP.areas) == sorted(prefixes)
    assert len({a.id for a in MAP.areas}) == 10 and len({a.color for a in MAP.areas}) == 8  # the palette's size


def test_every_table_is_inside_its_area_below_the_room_for_its_label() -> None:
    areas = {a.name: a for a in MAP.areas}
    for tid, rect in table_rects(MAP).items():
        area = areas[MAP.table(tid).name.split("_", 1)[0]]  # type: ignore[union-attr]
        assert inside(rect, area_rect(area)), MAP.table(tid)
        assert rect[1] >= area.position.y + top_pad(area.size.width)


def test_no_tables_overlap_and_no_areas_overlap() -> None:
    assert no_overlaps(list(table_rects(MAP).values()))
    assert no_overlaps([area_rect(a) for a in MAP.areas])


def test_the_map_is_shaped_like_a_screen_not_a_row_or_a_column() -> None:
    width, height = bounds([area_rect(a) for a in MAP.areas])
    assert 1.2 < width / height < 2.6, (width, height)


def test_inside_an_area_referenced_tables_are_left_of_the_tables_pointing_at_them() -> None:
    rects = table_rects(MAP)
    prefix = {t.id: t.name.split("_", 1)[0] for t in MAP.tables}
    inner = [r for r in MAP.relationships if prefix[r.from_table] == prefix[r.to_table] and r.from_table != r.to_table]
    assert len(inner) > 250
    # The synthetic design has no cycles, so every one points rightward, past the referenced table.
    assert all(rects[r.to_table][0] + rects[r.to_table][2] < rects[r.from_table][0] for r in inner)


def test_the_layout_is_deterministic_ids_included() -> None:
    again = layout(load(synthetic(300, 400)))
    assert again.to_data() == MAP.to_data()
    assert all(a.id.startswith("a_") for a in MAP.areas)


def test_a_random_cyclic_design_without_prefixes_is_one_block_mostly_rightward() -> None:
    doc = layout(design(tables=300, columns=3000, foreign_keys=400, indexes=400))
    assert doc.areas == []  # t00001_xyz names share no prefix: nothing to group
    rects = table_rects(doc)
    assert no_overlaps(list(rects.values()))
    rels = [r for r in doc.relationships if r.from_table != r.to_table]
    rightward = [r for r in rels if rects[r.to_table][0] < rects[r.from_table][0]]
    assert len(rightward) >= 0.9 * len(rels), (len(rightward), len(rels))
    width, height = bounds(list(rects.values()))
    assert 0.8 < width / height < 4


def test_tables_in_another_schema_are_grouped_by_schema_before_prefix() -> None:
    doc = document([table("a", "orders"), table("b", "order_items"), table("c", "users"),
                    table("d", "invoices", schema="billing"), table("e", "crm_accounts", schema="billing"),
                    table("f", "crm_notes"), table("g", "crm_tags"), table("h", "crm_calls")])  # fmt: skip
    assert group_tables(doc) == {"d": "billing", "e": "billing", "f": "crm", "g": "crm", "h": "crm"}
    laid = layout(doc)
    assert sorted(a.name for a in laid.areas) == ["billing", "crm"]
    # The ungrouped tables are placed too, clear of the areas.
    rects = table_rects(laid)
    for area in laid.areas:
        assert not any(overlap(rects[t], area_rect(area)) for t in "abc")


def test_fewer_than_three_tables_per_prefix_or_a_single_group_make_no_areas() -> None:
    pairs = document([table("a", "crm_a"), table("b", "crm_b"), table("c", "hr_a"), table("d", "hr_b")])
    assert layout(pairs).areas == []
    one_group = document([table("a", "crm_a"), table("b", "crm_b"), table("c", "crm_c")])
    assert layout(one_group).areas == []


def test_a_cycle_and_a_self_reference_still_place_every_table_apart() -> None:
    rels = [fk("r0", "t1", "t0"), fk("r1", "t2", "t1"), fk("r2", "t0", "t2"), fk("r3", "t3", "t3")]
    doc = document([table(f"t{i}", f"t{i}") for i in range(4)], rels)
    laid = layout(doc)
    rects = table_rects(laid)
    assert no_overlaps(list(rects.values()))
    assert rects["t0"][0] < rects["t1"][0] < rects["t2"][0]  # broken at the back edge t2 -> t0


def test_an_area_of_the_same_name_keeps_its_id_and_colour_and_other_areas_stay() -> None:
    base = load(synthetic(40, 20))
    mine = Area(id="a_mine", name="billing", position=Point(x=-999, y=-999), size=Size(), color="#123456")
    note = Area(id="a_note", name="Ideas", position=Point(x=-500, y=0))
    laid = layout(base.model_copy(update={"areas": [mine, note]}))
    areas = {a.name: a for a in laid.areas}
    assert areas["billing"].id == "a_mine" and areas["billing"].color == "#123456"
    assert areas["billing"].position != mine.position
    assert areas["Ideas"] == note


def test_arrange_lays_out_a_design_nobody_arranged_and_leaves_an_arranged_one_alone() -> None:
    raw = load(synthetic(40, 20))
    assert needs_layout(raw)
    laid = arrange(raw)
    assert not needs_layout(laid) and laid.areas
    assert arrange(laid) is laid
    # One table moved by a person is enough: nothing is laid out again.
    tables = [raw.tables[0].model_copy(update={"position": Point(x=10, y=0)}), *raw.tables[1:]]
    placed = raw.model_copy(update={"tables": tables})
    assert arrange(placed) is placed
    assert not needs_layout(document([]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    names=st.lists(st.sampled_from(["crm", "hr", "billing", "x", "audit"]), min_size=2, max_size=40),
    edges=st.lists(st.tuples(st.integers(0, 39), st.integers(0, 39)), max_size=60),
    columns=st.lists(st.integers(0, 30), min_size=40, max_size=40),
)
def test_any_design_is_placed_without_overlaps_and_the_same_every_time(
    names: list[str], edges: list[tuple[int, int]], columns: list[int]
) -> None:
    tables = [table(f"t{i}", f"{n}_{i}" if n != "x" else f"x{i}", columns[i]) for i, n in enumerate(names)]
    rels = [fk(f"r{k}", f"t{a}", f"t{b}") for k, (a, b) in enumerate(edges) if a < len(names) and b < len(names)]
    doc = document(tables, rels)
    laid = layout(doc)
    rects = table_rects(laid)
    assert no_overlaps(list(rects.values()))
    assert no_overlaps([area_rect(a) for a in laid.areas])
    groups = group_tables(doc)
    areas = {a.name: a for a in laid.areas}
    for tid, group in groups.items():
        if areas:
            assert inside(rects[tid], area_rect(areas[group]))
    assert all(math.isfinite(r[0]) and math.isfinite(r[1]) for r in rects.values())
    assert layout(doc).to_data() == laid.to_data()


def test_notes_nobody_placed_go_beside_the_diagram_level_with_their_table() -> None:
    path = Path(__file__).parents[1] / "fixtures" / "designs" / "ecommerce.json"
    doc = Document.model_validate(json.loads(path.read_text()))
    doc = doc.model_copy(update={"notes": [
        *doc.notes,
        Note(id="n_free", text="No anchor."),
        Note(id="n_placed", text="Placed by hand.", position=Point(x=5, y=7)),
    ]})
    out = layout(doc)
    tables = {t.id: t for t in out.tables}
    notes = {n.id: n for n in out.notes}
    right = max(t.position.x + estimate_size(t)[0] for t in out.tables)
    money = notes["n_money"]  # about orders (t_ord)
    assert money.position.x > right and money.position.y == tables["t_ord"].position.y
    assert notes["n_free"].position.x == money.position.x
    assert notes["n_free"].position.y >= money.position.y + money.size.height  # after the anchored ones
    assert notes["n_placed"].position == Point(x=5, y=7)
