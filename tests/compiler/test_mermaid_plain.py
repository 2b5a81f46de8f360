"""Plain Mermaid (no directive lines) read back against the design it was printed from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designs.compiler.document import Document, Table
from designs.compiler.parse.errors import ParseError
from designs.compiler.parse.mermaid import parse_mermaid
from designs.compiler.text.mermaid import print_mermaid
from designs.compiler.text.mermaid_plain import parse_against, print_plain
from designs.compiler.validate import check

DESIGNS = sorted((Path(__file__).parents[1] / "fixtures" / "designs").glob("*.json"))


def load(name: str) -> Document:
    return Document.model_validate(json.loads((DESIGNS[0].parent / name).read_text()))


def table(doc: Document, name: str) -> Table:
    found = next((t for t in doc.tables if t.name == name), None)
    assert found is not None, name
    return found


def edited(doc: Document, old: str, new: str) -> tuple[Document, list[str]]:
    text = print_plain(doc)
    assert old in text, old
    result = parse_against(text.replace(old, new, 1), doc)
    assert list(check(result.document)) == []  # what comes back is a consistent design
    return result.document, result.warnings


@pytest.mark.parametrize("path", DESIGNS, ids=[p.stem for p in DESIGNS])
def test_plain_text_reads_back_to_the_same_design(path: Path) -> None:
    doc = Document.model_validate(json.loads(path.read_text()))
    text = print_plain(doc)
    assert "@dbstudio" not in text
    result = parse_against(text, doc)
    assert result.document.to_data() == doc.to_data()
    assert result.warnings == []


def test_plain_text_is_the_lossless_text_without_its_directive_lines() -> None:
    doc = load("ecommerce.json")
    lossless = [line for line in print_mermaid(doc).splitlines() if "%% @dbstudio" not in line]
    assert print_plain(doc).splitlines() == lossless


def test_retyping_a_column_keeps_everything_else_about_it() -> None:
    doc = load("ecommerce.json")
    before = table(doc, "customers").columns[3]  # country char(2) "ISO 3166-1 alpha-2"
    new, warnings = edited(doc, "        char(2) country", "        varchar(2) country")
    after = table(new, "customers").columns[3]
    assert (after.id, after.comment, after.nullable, after.default) == (before.id, before.comment, before.nullable,
                                                                       before.default)
    assert (after.type.name, after.type.length) == ("varchar", 2)
    assert warnings == []


def test_renaming_a_column_in_place_keeps_its_id_and_the_indexes_on_it() -> None:
    doc = load("ecommerce.json")
    addresses = table(doc, "addresses")
    new, _ = edited(doc, "        bigint customer_id FK\n        varchar(200) line1",
                    "        bigint owner_id FK\n        varchar(200) line1")
    renamed = table(new, "addresses").columns[1]
    assert (renamed.id, renamed.name) == (addresses.columns[1].id, "owner_id")
    assert table(new, "addresses").indexes == addresses.indexes
    # The relationship through it keeps its columns and its ON DELETE.
    rel = next(r for r in new.relationships if r.id == "r_addr_cust")
    assert rel.from_columns == [renamed.id] and rel.on_delete == "cascade"


def test_renaming_a_table_keeps_its_id_indexes_position_and_relationships() -> None:
    doc = load("ecommerce.json")
    old = table(doc, "orders")
    text = print_plain(doc).replace("    orders {", "    purchases {").replace(" orders ", " purchases ")
    text = text.replace(" orders\n", " purchases\n")
    result = parse_against(text, doc)
    new = table(result.document, "purchases")
    assert (new.id, new.indexes, new.position) == (old.id, old.indexes, old.position)
    assert [r.model_dump() for r in result.document.relationships] == [
        r.model_dump() for r in doc.relationships
    ]
    assert [p.table for p in result.document.access_patterns] == [p.table for p in doc.access_patterns]


def test_a_new_column_and_a_new_table_get_ids_of_their_own() -> None:
    doc = load("ecommerce.json")
    text = print_plain(doc).replace("        timestamptz paid_at\n", "        timestamptz paid_at\n        text note\n")
    text += "    refunds {\n        bigint id PK\n        bigint payment_id FK\n    }\n"
    text += '    payments ||--o{ refunds : ""\n'
    result = parse_against(text, doc)
    payments, refunds = table(result.document, "payments"), table(result.document, "refunds")
    assert [c.name for c in payments.columns][-1] == "note"
    assert payments.columns[:-1] == table(doc, "payments").columns
    rel = result.document.relationships[-1]
    assert (rel.from_table, rel.to_table) == (refunds.id, payments.id)
    assert rel.from_columns == [refunds.columns[1].id] and rel.to_columns == [payments.columns[0].id]
    assert list(check(result.document)) == []


def test_deleting_a_column_takes_the_indexes_and_patterns_on_it_with_a_warning() -> None:
    doc = load("ecommerce.json")
    orders = table(doc, "orders")
    created = next(c for c in orders.columns if c.name == "created_at")
    kept = [i for i in orders.indexes if created.id not in json.dumps(i.model_dump())]
    assert 0 < len(kept) < len(orders.indexes)
    new, warnings = edited(doc, "        timestamptz created_at\n    }\n    order_lines", "    }\n    order_lines")
    assert created.id not in json.dumps(new.to_data())
    assert "index i_ord_created_brin on orders is removed with its column" in warnings
    assert table(new, "orders").indexes == kept


def test_deleting_a_table_takes_its_patterns_and_relationships() -> None:
    doc = load("ecommerce.json")
    text = print_plain(doc)
    start = text.index("    payments {")
    text = text[:start] + text[text.index("    }\n", start) + 6:]
    text = text.replace("    orders ||..o{ payments : \"\"\n", "")
    result = parse_against(text, doc)
    assert "payments" not in {t.name for t in result.document.tables}
    assert all(r.from_table != "t_pay" for r in result.document.relationships)
    assert list(check(result.document)) == []


def test_a_relationship_written_child_first_is_the_same_relationship() -> None:
    doc = load("ecommerce.json")
    new, _ = edited(doc, "    customers ||..o{ addresses : \"\"", "    addresses }o..|| customers : \"\"")
    assert new.relationships == doc.relationships


def test_changing_a_cardinality_in_the_text_wins_and_keeps_the_rest() -> None:
    doc = load("ecommerce.json")
    new, _ = edited(doc, "    orders ||..o{ payments : \"\"", "    orders ||..|{ payments : \"\"")
    before = next(r for r in doc.relationships if r.id.startswith("r_pay"))
    after = next(r for r in new.relationships if r.id == before.id)
    assert after.from_cardinality == "one_or_many"
    assert (after.from_columns, after.on_delete) == (before.from_columns, before.on_delete)


def test_primary_key_markers_decide_the_key() -> None:
    doc = load("ecommerce.json")
    new, _ = edited(doc, "        smallint position\n", "        smallint position PK\n")
    pcat = table(new, "product_categories")
    assert pcat.primary_key is not None
    names = {c.id: c.name for c in pcat.columns}
    assert [names[c] for c in pcat.primary_key.columns] == ["product_id", "category_id", "position"]


def test_a_new_table_never_takes_the_id_of_another_one() -> None:
    # A table first typed as "tags", since renamed on the canvas: its ids are those a new "tags" would get.
    doc = Document.model_validate({"name": "d", "tables": [
        {"id": "t_tags", "name": "labels", "columns": [{"id": "c_tags.id", "name": "id", "type": {"name": "bigint"}}]},
    ]})
    text = print_plain(doc) + "    tags {\n        bigint id\n    }\n"
    result = parse_against(text, doc)
    labels, tags = table(result.document, "labels"), table(result.document, "tags")
    assert labels.model_dump() == doc.tables[0].model_dump()
    assert (tags.id, tags.columns[0].id) == ("t_tags_2", "c_tags.id_2")
    assert list(check(result.document)) == []


def test_title_and_description_edits_are_taken() -> None:
    doc = load("ecommerce.json")
    text = print_plain(doc).replace('title: "E-commerce shop"', 'title: "Shop v2"')
    result = parse_against(text, doc)
    assert result.document.name == "Shop v2"
    assert result.document.settings == doc.settings


def test_lossless_text_pasted_into_the_plain_view_reads_as_it_always_does() -> None:
    doc = load("ecommerce.json")
    other = load("blog.json")
    text = print_mermaid(other)
    assert parse_against(text, doc).document.to_data() == parse_mermaid(text).document.to_data()


EDITED = ("ecommerce.json", "hostile.json", "schemas.json", "composite_keys.json")
LINES = {name: print_plain(load(name)).splitlines() for name in EDITED}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(EDITED),
       st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(["drop", "dup", "swap", "edit"]),
                          st.text(alphabet="abc_ {}|o.-:\"PKFU,()0123456789", max_size=12)), max_size=6))
def test_any_edit_of_plain_text_reads_or_fails_with_a_position(name: str, edits: list[tuple[int, str, str]]) -> None:
    doc = load(name)
    lines = list(LINES[name])
    for index, op, text in edits:
        index %= len(lines) or 1
        if not lines:
            break
        if op == "drop":
            del lines[index]
        elif op == "dup":
            lines.insert(index, lines[index])
        elif op == "swap":
            lines[index], lines[-1] = lines[-1], lines[index]
        else:
            lines[index] = lines[index][: len(text)] + text
    try:
        result = parse_against("\n".join(lines) + "\n", doc)
    except ParseError as exc:
        assert exc.line >= 1 and exc.column >= 1
        return
    ids = [t.id for t in result.document.tables] + [c.id for t in result.document.tables for c in t.columns]
    assert len(ids) == len(set(ids))  # never two objects with one id
    # Nothing kept from the design points at an object the text removed.
    assert [p for p in check(result.document) if "with id" in str(p)] == []
