"""Every review rule, table-driven: a design that triggers it, one that does not, and its fix re-linted clean.

A case names the rule code, the object the finding must point at, the triggering design and a near
miss. When the rule has a fix, applying it must give a valid document in which that finding is gone
and no new error appears.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from designs.compiler.review import REGISTRY, apply_fix, find, lint
from designs.compiler.validate import validate

from .build import D, T, col, idx, load, rel, uq


@dataclass(frozen=True)
class Case:
    code: str
    object_id: str | None
    bad: dict[str, Any]
    good: dict[str, Any]


USERS = T("users", col("email", "text", nullable=False))
POSTS = T("posts", col("author_id", "bigint", nullable=False))
POSTS_FK = rel("posts", ["author_id"], "users", ["id"])
PG = {"target": "postgresql"}
MYSQL = {"target": "mysql"}
SQLITE = {"target": "sqlite"}


def cats(**rel_extra: Any) -> dict[str, Any]:
    return D(
        T("categories", col("parent_id", "bigint"), indexes=[idx("parent_id")]),
        rels=(rel("categories", ["parent_id"], "categories", ["id"], **rel_extra),),
    )


def composite(nullable: bool) -> dict[str, Any]:
    parent = T(
        "bins", col("region", "text", nullable=False), col("code", "text", nullable=False), pk=["region", "code"]
    )
    child = T(
        "items",
        col("region", "text", nullable=nullable),
        col("code", "text", nullable=nullable),
        indexes=[idx("region", "code")],
    )
    return D(parent, child, rels=(rel("items", ["region", "code"], "bins", ["region", "code"]),))


def loop(deferrable: bool) -> dict[str, Any]:
    a = T("a_things", col("b_id", "bigint", nullable=False), indexes=[idx("b_id")])
    b = T("b_things", col("a_id", "bigint", nullable=False), indexes=[idx("a_id")])
    extra = {"deferrable": True, "initially_deferred": True} if deferrable else {}
    return D(
        a,
        b,
        rels=(
            rel("a_things", ["b_id"], "b_things", ["id"], rid="r_a"),
            rel("b_things", ["a_id"], "a_things", ["id"], rid="r_b", **extra),
        ),
    )


def one_col(column: dict[str, Any], settings: dict[str, Any] | None = None, **table: Any) -> dict[str, Any]:
    return D(T("things", column, **table), settings=settings)


def enum_doc(values: int, used: bool = True) -> dict[str, Any]:
    columns = [col("state", "enum", enum="e_state")] if used else []
    return D(
        T("things", *columns), enums=[{"id": "e_state", "name": "state", "values": [f"v{i}" for i in range(values)]}]
    )


def timestamps(**columns: bool) -> dict[str, Any]:
    cols = [col(name, "timestamptz", nullable=False) for name, present in columns.items() if present]
    return D(T("things", *cols), settings={"timestamps": {"created_at": True, "updated_at": True}})


def pattern(indexed: bool) -> dict[str, Any]:
    table = T("users", col("email", "text"), col("name", "text"), indexes=[idx("email")] if indexed else [])
    return D(
        table, access_patterns=[{"id": "ap_login", "name": "login", "table": "users", "equality": ["users.email"]}]
    )


def soft_delete(partial: bool) -> dict[str, Any]:
    cols = (col("email", "text", nullable=False), col("deleted_at", "timestamptz"))
    if partial:
        return D(T("users", *cols, indexes=[idx("email", unique=True, where="deleted_at IS NULL")]))
    return D(T("users", *cols, uniques=[uq("email")]))


def wide(n: int) -> dict[str, Any]:
    return D(T("wide", *[col(f"c{i}_value", "integer") for i in range(n)]))


def policy_doc(with_policy: bool) -> dict[str, Any]:
    policies = [{"id": "p1", "name": "own", "table": "notes", "using": "true"}] if with_policy else []
    return D(T("notes", col("body"), rls={"enabled": True}), security={"policies": policies})


CASES = [
    Case("DS101", "items", D(T("items", col("name"), pk=[])), D(T("items", col("name")))),
    Case(
        "DS102",
        "r_posts_users",
        D(USERS, POSTS, rels=(POSTS_FK,)),
        D(USERS, T("posts", col("author_id", "bigint", nullable=False), indexes=[idx("author_id")]), rels=(POSTS_FK,)),
    ),
    Case(
        "DS103",
        "posts.author_id",
        D(USERS, T("posts", col("author_id", "integer"), indexes=[idx("author_id")]), rels=(POSTS_FK,)),
        D(USERS, T("posts", col("author_id", "bigint"), indexes=[idx("author_id")]), rels=(POSTS_FK,)),
    ),
    Case(
        "DS111",
        "posts.author_id",
        D(USERS, T("posts", col("author_id", "text"), indexes=[idx("author_id")]), rels=(POSTS_FK,)),
        D(USERS, T("posts", col("author_id", "bigint"), indexes=[idx("author_id")]), rels=(POSTS_FK,)),
    ),
    Case("DS104", "r_items_bins", composite(True), composite(False)),
    Case(
        "DS105",
        "r_posts_users",
        D(USERS, POSTS, rels=({"id": "r_posts_users", "from_table": "posts", "to_table": "users"},)),
        D(USERS, POSTS, rels=(POSTS_FK,)),
    ),
    Case(
        "DS106",
        "r_posts_users",
        D(USERS, T("posts", col("author_email", "text")), rels=(rel("posts", ["author_email"], "users", ["email"]),)),
        D(
            T("users", col("email", "text", nullable=False), uniques=[uq("email")]),
            T("posts", col("author_email", "text")),
            rels=(rel("posts", ["author_email"], "users", ["email"]),),
        ),
    ),
    Case("DS107", "r_categories_categories", cats(), cats(on_delete="set_null")),
    Case(
        "DS108",
        "lonely",
        D(USERS, T("lonely")),
        D(USERS, T("lonely", col("user_id", "bigint")), rels=(rel("lonely", ["user_id"], "users", ["id"]),)),
    ),
    Case(
        "DS109",
        "countries",
        D(T("countries", col("code", "varchar", length=2, nullable=False), pk=["code"])),
        D(T("countries", col("code", "varchar", length=2, nullable=False))),
    ),
    Case("DS110", "r_a", loop(False), loop(True)),
    Case(
        "DS201",
        "users.i1",
        D(T("users", col("email"), indexes=[idx("email"), idx("email")])),
        D(T("users", col("email"), indexes=[idx("email")])),
    ),
    Case(
        "DS202",
        "users.i0",
        D(T("users", col("a"), col("b"), indexes=[idx("a"), idx("a", "b")])),
        D(T("users", col("a"), col("b"), indexes=[idx("a", "b"), idx("b")])),
    ),
    Case(
        "DS203",
        "users",
        D(T("users", *[col(f"c{i}") for i in range(11)], indexes=[idx(f"c{i}") for i in range(11)])),
        D(T("users", *[col(f"c{i}") for i in range(10)], indexes=[idx(f"c{i}") for i in range(10)])),
    ),
    Case(
        "DS204",
        "users.i0",
        D(T("users", col("active", "boolean"), indexes=[idx("active")])),
        D(T("users", col("active", "boolean"), indexes=[idx("active", where="active")])),
    ),
    Case("DS205", "users.deleted_at", soft_delete(False), soft_delete(True)),
    Case("DS206", "ap_login", pattern(False), pattern(True)),
    Case(
        "DS207",
        "things.i0",
        one_col(col("data", "jsonb"), indexes=[idx("data")]),
        one_col(col("data", "jsonb"), indexes=[idx("data", method="gin")]),
    ),
    Case(
        "DS208",
        "users.i0",
        D(T("users", col("email"), col("name"), indexes=[idx("email", include=["email", "name"])])),
        D(T("users", col("email"), col("name"), indexes=[idx("email", include=["name"])])),
    ),
    Case("DS301", "things.seen", one_col(col("seen", "timestamp")), one_col(col("seen", "timestamptz"))),
    Case("DS302", "things.opens", one_col(col("opens", "timetz")), one_col(col("opens", "time"))),
    Case("DS303", "things.code", one_col(col("code", "char", length=2)), one_col(col("code", "varchar", length=2))),
    Case("DS304", "things.title", one_col(col("title", "varchar", length=50)), one_col(col("title", "text"))),
    Case(
        "DS305", "things.total", one_col(col("total", "money")), one_col(col("total", "numeric", precision=12, scale=2))
    ),
    Case("DS306", "things.unit_price", one_col(col("unit_price", "double")), one_col(col("latitude", "double"))),
    Case("DS307", "things.id", D(T("things", col("id", "serial", nullable=False))), D(T("things"))),
    Case("DS308", "things.payload", one_col(col("payload", "json")), one_col(col("payload", "jsonb"))),
    Case("DS309", "e_state", enum_doc(11), enum_doc(3)),
    Case("DS310", "e_state", enum_doc(3, used=False), enum_doc(3)),
    Case(
        "DS311",
        "things.shipped_at",
        one_col(col("shipped_at", "varchar", length=30)),
        one_col(col("shipped_at", "timestamptz")),
    ),
    Case(
        "DS312",
        "things.is_active",
        one_col(col("is_active", "smallint", nullable=False, default={"kind": "literal", "value": 1})),
        one_col(col("is_active", "boolean")),
    ),
    Case("DS401", "things.long", one_col(col("x" * 70, id="things.long")), one_col(col("x" * 60, id="things.long"))),
    Case("DS402", "order", D(T("order", col("total", "numeric"))), D(T("orders", col("total", "numeric")))),
    Case("DS403", "things.FirstName", one_col(col("FirstName")), one_col(col("first_name"))),
    Case(
        "DS404",
        "person",
        D(T("person"), settings={"naming": {"table_number": "plural"}}),
        D(T("people"), settings={"naming": {"table_number": "plural"}}),
    ),
    Case(
        "DS405",
        "users.i0",
        D(T("users", col("email"), indexes=[idx("email", name="my_email_index")])),
        D(T("users", col("email"), indexes=[idx("email", name="idx_users_email")])),
    ),
    Case(
        "DS406",
        "users.u0",
        D(T("users", col("email"), uniques=[uq("email", name="email_must_be_unique")])),
        D(T("users", col("email"), uniques=[uq("email", name="uq_users_email")])),
    ),
    Case(
        "DS501", "things", timestamps(created_at=False, updated_at=True), timestamps(created_at=True, updated_at=True)
    ),
    Case(
        "DS502", "things", timestamps(created_at=True, updated_at=False), timestamps(created_at=True, updated_at=True)
    ),
    Case(
        "DS503",
        "things",
        D(T("things", col("updated_at", "timestamptz"))),
        D(T("things", col("updated_at", "timestamptz"), options={"updated_at_trigger": True})),
    ),
    Case("DS504", "things", D(T("things")), D(T("things", comment="What things are"))),
    Case(
        "DS505",
        None,
        D(T("things", col("colour"), col("size"))),
        D(T("things", col("colour", comment="paint name"), col("size", comment="in cm"))),
    ),
    Case(
        "DS601",
        "people.email",
        D(T("people", col("email", tags=["pii"]))),
        D(T("people", col("email", tags=["pii", "encrypted"]))),
    ),
    Case("DS602", "notes", policy_doc(False), policy_doc(True)),
    Case("DS603", "users.password", D(T("users", col("password"))), D(T("users", col("password_hash")))),
    Case(
        "DS701",
        "people",
        D(T("people", col("phone1"), col("phone2"))),
        D(T("people", col("phone"), col("address_line1"), col("address_line2"))),
    ),
    Case(
        "DS702", "posts.tag_ids", D(T("posts", col("tag_ids", "text"))), D(T("posts", col("tag_ids", "text", array=1)))
    ),
    Case(
        "DS703",
        "addresses.city",
        D(T("addresses", col("zip_code"), col("city"))),
        D(T("addresses", col("zip_code"), col("street"))),
    ),
    Case(
        "DS704",
        "properties",
        D(T("properties", col("entity_id", "bigint"), col("attribute"), col("value"))),
        D(T("properties", col("entity_id", "bigint"), col("colour"), col("size"))),
    ),
    Case(
        "DS705",
        "comments.commentable_id",
        D(T("comments", col("commentable_type"), col("commentable_id", "bigint"))),
        D(USERS, T("comments", col("user_id", "bigint")), rels=(rel("comments", ["user_id"], "users", ["id"]),)),
    ),
    Case("DS706", "wide", wide(61), wide(30)),
    Case(
        "DS707",
        "posts.author",
        D(
            USERS,
            T("posts", col("author", "bigint"), indexes=[idx("author")]),
            rels=(rel("posts", ["author"], "users", ["id"]),),
        ),
        D(
            USERS,
            T("posts", col("author_id", "bigint"), indexes=[idx("author_id")]),
            rels=(rel("posts", ["author_id"], "users", ["id"]),),
        ),
    ),
    Case(
        "DS801",
        "things.qty",
        one_col(col("qty", "integer", nullable=False), MYSQL),
        one_col(col("qty", "integer", nullable=False, default={"kind": "literal", "value": 0}), MYSQL),
    ),
    Case(
        "DS802",
        "things.code",
        one_col(col("code", "varchar", length=10), SQLITE),
        one_col(col("code", "varchar", length=10), SQLITE, checks=[{"expression": "length(code) <= 10"}]),
    ),
    Case(
        "DS803",
        "things.price",
        one_col(col("price", "numeric", precision=10, scale=2), SQLITE),
        one_col(col("price", "integer"), SQLITE),
    ),
    Case("DS804", "things.due", one_col(col("due", "date"), SQLITE), one_col(col("due", "text"), SQLITE)),
    Case(
        "DS805",
        "things.i0",
        one_col(col("code"), MYSQL, indexes=[idx("code", where="code IS NOT NULL")]),
        one_col(col("code"), MYSQL, indexes=[idx("code")]),
    ),
    Case("DS806", "things.ip", one_col(col("ip", "inet"), MYSQL), one_col(col("ip", "varchar", length=45), MYSQL)),
    Case(
        "DS001",
        None,
        D(T("things"), settings={"review": {"rules": {"DS999": "off"}}}),
        D(T("things"), settings={"review": {"rules": {"DS504": "off"}}}),
    ),
    Case(
        "DS002",
        "things",
        D(T("things"), settings={"review": {"suppress": [{"rule": "DS504", "object": "things"}]}}),
        D(T("things"), settings={"review": {"suppress": [{"rule": "DS504", "object": "things", "reason": "obvious"}]}}),
    ),
]


def _ids(case: Case) -> str:
    return f"{case.code}-{REGISTRY[case.code].name}"


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_the_rule_reports_the_object_that_triggers_it(case: Case) -> None:
    finding = find(lint(load(case.bad)), case.code, case.object_id)
    assert finding is not None, [(f.code, f.object_id) for f in lint(load(case.bad))]
    assert finding.why and finding.message
    if case.object_id:
        assert finding.path, "a finding about an object carries its JSON path"


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_the_near_miss_does_not_trigger_it(case: Case) -> None:
    assert [f for f in lint(load(case.good)) if f.code == case.code] == []


@pytest.mark.parametrize("case", [c for c in CASES if REGISTRY[c.code].fixable], ids=_ids)
def test_the_fix_gives_a_valid_document_without_the_finding(case: Case) -> None:
    doc = load(case.bad)
    before = lint(doc)
    finding = find(before, case.code, case.object_id)
    assert finding is not None and finding.fix is not None
    fixed, problems = validate(apply_fix(doc, finding))
    assert fixed is not None, [str(p) for p in problems]
    after = lint(fixed)
    assert find(after, case.code, case.object_id) is None
    errors_before = {(f.code, f.object_id) for f in before if f.severity == "error"}
    assert {(f.code, f.object_id) for f in after if f.severity == "error"} <= errors_before


@pytest.mark.parametrize("case", [c for c in CASES if not REGISTRY[c.code].fixable], ids=_ids)
def test_a_rule_without_a_fix_offers_none(case: Case) -> None:
    finding = find(lint(load(case.bad)), case.code, case.object_id)
    assert finding is not None and finding.fix is None


def test_every_rule_has_a_case() -> None:
    assert sorted(REGISTRY) == sorted({c.code for c in CASES})


def test_there_are_at_least_forty_rules() -> None:
    assert len(REGISTRY) >= 40
