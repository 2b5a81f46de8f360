"""Write the change-pair fixtures under tests/fixtures/migrations/ (run once; the JSON is checked in).

    .venv/bin/python -m tests.compiler.migrate.make_pairs

Each pair is a base design changed one way (or several, for the compound pairs) on either side.
``rows.json`` holds rows inserted into the old schema; the tests check they survive the upgrade.
"""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[2] / "fixtures" / "migrations"
D = dict[str, Any]


def col(cid: str, name: str, type_: str, **kw: Any) -> D:
    t: D = {"name": type_}
    for key in ("length", "precision", "scale", "enum"):
        if key in kw:
            t[key] = kw.pop(key)
    return {"id": cid, "name": name, "type": t, **kw}


BASE: D = {
    "name": "Shop",
    "enums": [{"id": "e_status", "name": "order_status", "values": ["new", "paid", "shipped"]}],
    "tables": [
        {
            "id": "t_customers",
            "name": "customers",
            "columns": [
                col("c_cu_id", "id", "bigint", nullable=False, identity={}),
                col("c_cu_email", "email", "varchar", length=200, nullable=False),
                col("c_cu_name", "name", "varchar", length=100),
                col("c_cu_note", "note", "text", comment="Free text"),
                col("c_cu_score", "score", "integer", default={"kind": "literal", "value": 0}),
            ],
            "primary_key": {"columns": ["c_cu_id"]},
            "uniques": [{"id": "u_cu_email", "columns": ["c_cu_email"]}],
            "checks": [{"id": "k_cu_score", "expression": "score >= 0"}],
            "indexes": [{"id": "i_cu_name", "columns": [{"column": "c_cu_name"}]}],
        },
        {
            "id": "t_orders",
            "name": "orders",
            "comment": "Orders placed",
            "columns": [
                col("c_or_id", "id", "bigint", nullable=False, identity={}),
                col("c_or_customer", "customer_id", "bigint", nullable=False),
                col(
                    "c_or_status",
                    "status",
                    "enum",
                    enum="e_status",
                    nullable=False,
                    default={"kind": "literal", "value": "new"},
                ),
                col(
                    "c_or_total",
                    "total",
                    "numeric",
                    precision=10,
                    scale=2,
                    nullable=False,
                    default={"kind": "literal", "value": 0},
                ),
                col("c_or_qty", "qty", "integer"),
                col("c_or_code", "code", "varchar", length=20),
            ],
            "primary_key": {"columns": ["c_or_id"]},
            "checks": [{"id": "k_or_total", "expression": "total >= 0"}],
            "indexes": [{"id": "i_or_customer", "columns": [{"column": "c_or_customer"}]}],
            "rls": {"enabled": True},
        },
        {
            "id": "t_events",
            "name": "events",
            "columns": [
                col("c_ev_id", "id", "bigint", nullable=False),
                col("c_ev_at", "at", "date", nullable=False),
                col("c_ev_payload", "payload", "text"),
            ],
            "primary_key": {"columns": ["c_ev_id", "c_ev_at"]},
            "partitioning": {
                "strategy": "range",
                "key": [{"column": "c_ev_at"}],
                "partitions": [
                    {
                        "id": "p_2024",
                        "name": "events_2024",
                        "from_values": ["'2024-01-01'"],
                        "to_values": ["'2025-01-01'"],
                    }
                ],
            },
        },
        {
            "id": "t_counters",
            "name": "counters",
            "columns": [col("c_co_id", "id", "integer", nullable=False), col("c_co_n", "n", "integer")],
            "primary_key": {"columns": ["c_co_id"]},
        },
    ],
    "relationships": [
        {
            "id": "r_or_customer",
            "from_table": "t_orders",
            "from_columns": ["c_or_customer"],
            "to_table": "t_customers",
            "to_columns": ["c_cu_id"],
            "on_delete": "cascade",
        }
    ],
    "security": {
        "policies": [
            {
                "id": "pol_or_read",
                "name": "orders_read",
                "table": "t_orders",
                "command": "select",
                "using": "qty IS NULL OR qty >= 0",
            }
        ]
    },
}

ROWS: D = {
    "t_customers": [
        {"c_cu_id": 1, "c_cu_email": "ann@example.com", "c_cu_name": "Ann", "c_cu_note": "first", "c_cu_score": 3},
        {"c_cu_id": 2, "c_cu_email": "bob@example.com", "c_cu_name": None, "c_cu_note": None, "c_cu_score": 0},
    ],
    "t_orders": [
        {
            "c_or_id": 1,
            "c_or_customer": 1,
            "c_or_status": "paid",
            "c_or_total": "12.50",
            "c_or_qty": 2,
            "c_or_code": "A1",
        },
        {
            "c_or_id": 2,
            "c_or_customer": 2,
            "c_or_status": "new",
            "c_or_total": "0.00",
            "c_or_qty": None,
            "c_or_code": None,
        },
    ],
    "t_events": [{"c_ev_id": 1, "c_ev_at": "2024-03-01", "c_ev_payload": "hello"}],
    "t_counters": [{"c_co_id": 1, "c_co_n": 7}],
}


def table(d: D, tid: str) -> D:
    return next(t for t in d["tables"] if t["id"] == tid)


def column(d: D, tid: str, cid: str) -> D:
    return next(c for c in table(d, tid)["columns"] if c["id"] == cid)


Mutation = Callable[[D], None]


def nothing(d: D) -> None:
    pass


def add_table(d: D) -> None:
    d["tables"].append(
        {
            "id": "t_tags",
            "name": "tags",
            "comment": "Labels",
            "columns": [
                col("c_tg_id", "id", "bigint", nullable=False, identity={}),
                col("c_tg_label", "label", "varchar", length=40, nullable=False),
                col("c_tg_customer", "customer_id", "bigint"),
            ],
            "primary_key": {"columns": ["c_tg_id"]},
            "uniques": [{"id": "u_tg_label", "columns": ["c_tg_label"]}],
            "indexes": [{"id": "i_tg_customer", "columns": [{"column": "c_tg_customer"}]}],
        }
    )
    d["relationships"].append(
        {
            "id": "r_tg_customer",
            "from_table": "t_tags",
            "from_columns": ["c_tg_customer"],
            "to_table": "t_customers",
            "to_columns": ["c_cu_id"],
            "on_delete": "set_null",
        }
    )


def rename_table(d: D) -> None:
    table(d, "t_orders")["name"] = "purchases"


def add_nullable_column(d: D) -> None:
    table(d, "t_customers")["columns"].append(col("c_cu_phone", "phone", "varchar", length=30, comment="Mobile"))


def add_not_null_column_with_default(d: D) -> None:
    table(d, "t_orders")["columns"].append(
        col("c_or_currency", "currency", "char", length=3, nullable=False, default={"kind": "literal", "value": "EUR"})
    )


def add_column_with_volatile_default(d: D) -> None:
    table(d, "t_orders")["columns"].append(
        col("c_or_token", "token", "uuid", nullable=False, default={"kind": "expression", "value": "gen_random_uuid()"})
    )


def drop_code_column(d: D) -> None:
    t = table(d, "t_orders")
    t["columns"] = [c for c in t["columns"] if c["id"] != "c_or_code"]


def rename_note(d: D) -> None:
    column(d, "t_customers", "c_cu_note")["name"] = "remarks"


def rename_fk_column(d: D) -> None:
    column(d, "t_orders", "c_or_customer")["name"] = "client_id"


def add_index(d: D) -> None:
    table(d, "t_orders")["indexes"].append({"id": "i_or_code", "columns": [{"column": "c_or_code"}]})


def drop_index(d: D) -> None:
    table(d, "t_customers")["indexes"] = []


def name_index(d: D) -> None:
    table(d, "t_customers")["indexes"][0]["name"] = "customers_by_name"


def widen_index(d: D) -> None:
    table(d, "t_customers")["indexes"][0]["columns"].append({"column": "c_cu_score", "order": "desc"})


def index_comment(d: D) -> None:
    table(d, "t_customers")["indexes"][0]["comment"] = "Lookup by name"


def drop_fk(d: D) -> None:
    d["relationships"] = []


def unindex_fk(d: D) -> None:
    """No index serves the key: InnoDB then makes one of its own, named after the key."""
    table(d, "t_orders")["indexes"] = []


def drop_unindexed_fk(d: D) -> None:
    unindex_fk(d)
    drop_fk(d)


def rename_unindexed_fk(d: D) -> None:
    unindex_fk(d)
    name_fk(d)


def restrict_fk(d: D) -> None:
    d["relationships"][0]["on_delete"] = "restrict"


def name_fk(d: D) -> None:
    d["relationships"][0]["name"] = "orders_customer_fk"


def add_check(d: D) -> None:
    table(d, "t_orders")["checks"].append({"id": "k_or_qty", "expression": "qty > 0"})


def drop_check(d: D) -> None:
    table(d, "t_customers")["checks"] = []


def name_check(d: D) -> None:
    table(d, "t_orders")["checks"][0]["name"] = "orders_total_positive"


def change_check(d: D) -> None:
    table(d, "t_orders")["checks"][0]["expression"] = "total >= 0 AND total < 1000000"


def add_unique(d: D) -> None:
    table(d, "t_orders")["uniques"] = [{"id": "u_or_code", "columns": ["c_or_code"]}]


def drop_unique(d: D) -> None:
    table(d, "t_customers")["uniques"] = []


def name_unique(d: D) -> None:
    table(d, "t_customers")["uniques"][0]["name"] = "customers_email_key"


def append_enum_value(d: D) -> None:
    d["enums"][0]["values"].append("cancelled")


def insert_enum_value(d: D) -> None:
    d["enums"][0]["values"] = ["new", "paid", "refunded", "shipped"]


def remove_enum_value(d: D) -> None:
    d["enums"][0]["values"] = ["new", "paid"]


def rename_enum(d: D) -> None:
    d["enums"][0]["name"] = "purchase_status"


def widen_int(d: D) -> None:
    column(d, "t_orders", "c_or_qty")["type"] = {"name": "bigint"}


def widen_varchar(d: D) -> None:
    column(d, "t_orders", "c_or_code")["type"]["length"] = 50


def int_to_text(d: D) -> None:
    column(d, "t_counters", "c_co_n")["type"] = {"name": "text"}


def enum_to_varchar(d: D) -> None:
    c = column(d, "t_orders", "c_or_status")
    c["type"] = {"name": "varchar", "length": 20}


def not_null_with_default(d: D) -> None:
    c = column(d, "t_customers", "c_cu_name")
    c["nullable"] = False
    c["default"] = {"kind": "literal", "value": "anonymous"}


def nullable_total(d: D) -> None:
    column(d, "t_orders", "c_or_total")["nullable"] = True


def change_default(d: D) -> None:
    column(d, "t_customers", "c_cu_score")["default"] = {"kind": "literal", "value": 10}


def drop_default(d: D) -> None:
    del column(d, "t_customers", "c_cu_score")["default"]


def add_identity(d: D) -> None:
    column(d, "t_counters", "c_co_id")["identity"] = {"start": 100}


def identity_always(d: D) -> None:
    column(d, "t_orders", "c_or_id")["identity"] = {"always": True, "increment": 2}


def comments(d: D) -> None:
    table(d, "t_orders")["comment"] = "Every order a customer placed"
    table(d, "t_customers")["comment"] = "People who buy"
    column(d, "t_customers", "c_cu_note")["comment"] = None
    column(d, "t_orders", "c_or_code")["comment"] = "Voucher code"


def add_partition(d: D) -> None:
    table(d, "t_events")["partitioning"]["partitions"].append(
        {"id": "p_2025", "name": "events_2025", "from_values": ["'2025-01-01'"], "to_values": ["'2026-01-01'"]}
    )


def rls_force(d: D) -> None:
    table(d, "t_orders")["rls"] = {"enabled": True, "force": True}
    table(d, "t_customers")["rls"] = {"enabled": True}


def policy_add(d: D) -> None:
    d["security"]["policies"].append(
        {
            "id": "pol_or_write",
            "name": "orders_write",
            "table": "t_orders",
            "command": "insert",
            "with_check": "total >= 0",
        }
    )


def policy_rename(d: D) -> None:
    d["security"]["policies"][0]["name"] = "orders_visible"


def policy_change(d: D) -> None:
    d["security"]["policies"][0]["using"] = "qty IS NULL OR qty > 0"


def primary_key_change(d: D) -> None:
    table(d, "t_counters")["primary_key"] = {"columns": ["c_co_id", "c_co_n"]}
    column(d, "t_counters", "c_co_n")["nullable"] = False


def compound_rename_and_extend(d: D) -> None:
    rename_table(d)
    rename_fk_column(d)
    add_nullable_column(d)
    drop_index(d)
    add_check(d)


def compound_type_and_nullability(d: D) -> None:
    widen_varchar(d)
    column(d, "t_orders", "c_or_code")["nullable"] = False
    column(d, "t_orders", "c_or_code")["default"] = {"kind": "literal", "value": "none"}
    widen_int(d)


def compound_new_table_and_enum(d: D) -> None:
    add_table(d)
    append_enum_value(d)
    d["enums"].append({"id": "e_tier", "name": "tier", "values": ["free", "pro"]})
    table(d, "t_customers")["columns"].append(
        col("c_cu_tier", "tier", "enum", enum="e_tier", nullable=False, default={"kind": "literal", "value": "free"})
    )


def drop_table_with_fk(d: D) -> None:
    d["tables"] = [t for t in d["tables"] if t["id"] != "t_orders"]
    d["relationships"] = []
    d["security"]["policies"] = []


# name → (change on the old side, change on the new side)
PAIRS: dict[str, tuple[Mutation, Mutation]] = {
    "add_table": (nothing, add_table),
    "drop_table": (add_table, nothing),
    "drop_table_with_fk_and_policy": (nothing, drop_table_with_fk),
    "rename_table": (nothing, rename_table),
    "add_nullable_column": (nothing, add_nullable_column),
    "add_not_null_column_with_default": (nothing, add_not_null_column_with_default),
    "add_column_with_volatile_default": (nothing, add_column_with_volatile_default),
    "drop_column": (nothing, drop_code_column),
    "rename_column": (nothing, rename_note),
    "rename_fk_column": (nothing, rename_fk_column),
    "add_index": (nothing, add_index),
    "drop_index": (nothing, drop_index),
    "rename_index": (nothing, name_index),
    "replace_index": (nothing, widen_index),
    "index_comment": (nothing, index_comment),
    "add_fk": (drop_fk, nothing),
    "drop_fk": (nothing, drop_fk),
    "change_fk_action": (nothing, restrict_fk),
    "rename_fk": (nothing, name_fk),
    "drop_unindexed_fk": (unindex_fk, drop_unindexed_fk),
    "rename_unindexed_fk": (unindex_fk, rename_unindexed_fk),
    "add_check": (nothing, add_check),
    "drop_check": (nothing, drop_check),
    "rename_check": (nothing, name_check),
    "change_check": (nothing, change_check),
    "add_unique": (nothing, add_unique),
    "drop_unique": (nothing, drop_unique),
    "rename_unique": (nothing, name_unique),
    "append_enum_value": (nothing, append_enum_value),
    "insert_enum_value": (nothing, insert_enum_value),
    "remove_enum_value": (nothing, remove_enum_value),
    "rename_enum": (nothing, rename_enum),
    "type_int_to_bigint": (nothing, widen_int),
    "type_varchar_length": (nothing, widen_varchar),
    "type_int_to_text": (nothing, int_to_text),
    "type_enum_to_varchar": (nothing, enum_to_varchar),
    "not_null_with_default_backfill": (nothing, not_null_with_default),
    "drop_not_null": (nothing, nullable_total),
    "change_default": (nothing, change_default),
    "drop_default": (nothing, drop_default),
    "add_identity": (nothing, add_identity),
    "identity_options": (nothing, identity_always),
    "comments": (nothing, comments),
    "add_partition": (nothing, add_partition),
    "row_level_security": (nothing, rls_force),
    "add_policy": (nothing, policy_add),
    "rename_policy": (nothing, policy_rename),
    "change_policy": (nothing, policy_change),
    "primary_key_change": (nothing, primary_key_change),
    "compound_rename_and_extend": (nothing, compound_rename_and_extend),
    "compound_type_and_nullability": (nothing, compound_type_and_nullability),
    "compound_new_table_and_enum": (nothing, compound_new_table_and_enum),
}


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    for name, (old_change, new_change) in PAIRS.items():
        old, new = copy.deepcopy(BASE), copy.deepcopy(BASE)
        old_change(old)
        new_change(new)
        folder = OUT / name
        folder.mkdir(parents=True)
        for file, data in (("old.json", old), ("new.json", new), ("rows.json", ROWS)):
            (folder / file).write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
