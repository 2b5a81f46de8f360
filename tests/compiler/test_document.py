"""The design document format: structural rules on every model, upgrades, round trips, the JSON Schema.

Structural cases are a table: a small valid base document, an edit that breaks one field, the JSON
paths the problems must carry and a piece of the message. The semantic rules (ids resolve, names are
unique, ...) are in test_validate.py, which reuses the base document and the edit helpers below.
"""

from __future__ import annotations

import copy
import functools
import importlib.util
import inspect
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pydantic import BaseModel

from designs.compiler import document
from designs.compiler.document import FORMAT, PORTABLE_TYPES, Document, Model, UpgradeError, new_id, upgrade
from designs.compiler.validate import Problem, validate

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "documents"
VALID = sorted((FIXTURES / "valid").glob("*.json"))

# --- test documents -----------------------------------------------------------------------------

# Two tables, an enum, roles, a grant, a policy, a note, an area and an access pattern: enough for
# every reference in the format to have something to point at. Paths in the case tables below rely
# on this layout: tables[0] is users, tables[1] is posts.
BASE: dict[str, Any] = {
    "format": 1,
    "name": "Base",
    "tables": [
        {
            "id": "t_users",
            "name": "users",
            "columns": [
                {"id": "c_users_id", "name": "id", "type": {"name": "bigint"}, "nullable": False},
                {"id": "c_users_email", "name": "email", "type": {"name": "varchar", "length": 255},
                 "nullable": False},
                {"id": "c_users_status", "name": "status", "type": {"name": "enum", "enum": "e_status"},
                 "nullable": False},
                {"id": "c_users_bio", "name": "bio", "type": {"name": "text"}},
            ],
            "primary_key": {"columns": ["c_users_id"]},
        },
        {
            "id": "t_posts",
            "name": "posts",
            "columns": [
                {"id": "c_posts_id", "name": "id", "type": {"name": "bigint"}, "nullable": False},
                {"id": "c_posts_author_id", "name": "author_id", "type": {"name": "bigint"},
                 "nullable": False},
                {"id": "c_posts_editor_id", "name": "editor_id", "type": {"name": "bigint"}},
                {"id": "c_posts_created_at", "name": "created_at", "type": {"name": "timestamptz"},
                 "nullable": False},
                {"id": "c_posts_data", "name": "data", "type": {"name": "jsonb"}},
                {"id": "c_posts_title", "name": "title", "type": {"name": "text"}, "nullable": False},
            ],
            "primary_key": {"columns": ["c_posts_id"]},
            "indexes": [{"id": "i_posts_author", "columns": [{"column": "c_posts_author_id"}]}],
        },
    ],
    "relationships": [
        {"id": "r_posts_author", "from_table": "t_posts", "from_columns": ["c_posts_author_id"],
         "to_table": "t_users", "to_columns": ["c_users_id"]},
    ],
    "enums": [{"id": "e_status", "name": "user_status", "values": ["active", "banned"]}],
    "notes": [{"id": "n_posts", "text": "Posts are never deleted.", "anchor": "t_posts"}],
    "areas": [{"id": "a_content", "name": "Content"}],
    "access_patterns": [
        {"id": "q_posts_by_author", "name": "Posts by author", "table": "t_posts",
         "equality": ["c_posts_author_id"], "order_by": [{"column": "c_posts_created_at", "order": "desc"}]},
    ],
    "security": {
        "roles": [{"id": "role_app", "name": "app", "login": True}, {"id": "role_ro", "name": "readonly"}],
        "grants": [{"id": "g_app", "role": "role_app", "privileges": ["select"], "tables": ["t_posts"]}],
        "policies": [{"id": "pol_posts", "name": "own_posts", "table": "t_posts", "using": "true"}],
    },
}

Edit = Callable[[dict[str, Any]], None]
_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _walk(data: dict[str, Any], path: str) -> tuple[Any, str | int]:
    """The container holding the last step of ``path`` and that step (a key or a list index)."""
    steps: list[str | int] = [name if name else int(index) for name, index in _TOKEN.findall(path)]
    node: Any = data
    for step in steps[:-1]:
        if isinstance(node, dict) and step not in node:
            node[step] = {}
        node = node[step]
    return node, steps[-1]


def put(path: str, value: Any) -> Edit:
    """Set the value at a JSON path such as ``tables[0].columns[1].type.length``, making dicts on the way."""

    def edit(data: dict[str, Any]) -> None:
        node, step = _walk(data, path)
        if isinstance(node, list) and step == len(node):
            node.append(copy.deepcopy(value))
        else:
            node[step] = copy.deepcopy(value)

    return edit


def add(path: str, value: Any) -> Edit:
    """Append to the list at a JSON path, making the list when it is missing."""

    def edit(data: dict[str, Any]) -> None:
        node, step = _walk(data, path)
        if isinstance(node, dict):
            node.setdefault(step, [])
        node[step].append(copy.deepcopy(value))

    return edit


def drop(path: str) -> Edit:
    """Remove the key or list item at a JSON path."""

    def edit(data: dict[str, Any]) -> None:
        node, step = _walk(data, path)
        del node[step]

    return edit


def edited(*edits: Edit) -> dict[str, Any]:
    """A fresh copy of the base document with the edits applied."""
    data = copy.deepcopy(BASE)
    for edit in edits:
        edit(data)
    return data


def paths_of(problems: list[Problem]) -> list[str]:
    return sorted(p.path for p in problems)


def load_fixture(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


# --- structural cases ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Structural:
    """``edits`` break the base document; validation must report exactly ``paths``, one with ``message``."""

    model: str
    name: str
    edits: tuple[Edit, ...]
    paths: tuple[str, ...]
    message: str


def bad(model: str, name: str, paths: list[str], message: str, *edits: Edit) -> Structural:
    return Structural(model, name, edits, tuple(paths), message)


U, P = "tables[0]", "tables[1]"
UC, PC = f"{U}.columns", f"{P}.columns"
TOO_LONG_NAME = "n" * 256

STRUCTURAL = [
    # Document
    bad("Document", "a misspelt top-level key", ["tabels"], "unknown field", put("tabels", [])),
    bad("Document", "an empty name", ["name"], "at least 1 character", put("name", "")),
    bad("Document", "tables given as an object", ["tables"], "valid list", put("tables", {"t_users": {}})),
    bad("Document", "a format given as a string", ["format"], "must be 1", put("format", "1")),
    bad("Document", "a null format", ["format"], "must be 1", put("format", None)),
    bad("Document", "a number as the description", ["description"], "valid string", put("description", 5)),
    # Settings, Naming, Timestamps
    bad("Settings", "an unknown target dialect", ["settings.target"], "must be one of",
        put("settings.target", "postgres")),
    bad("Settings", "an empty default schema", ["settings.default_schema"], "at least 1 character",
        put("settings.default_schema", "")),
    bad("Settings", "review given as a list", ["settings.review"], "valid dictionary",
        put("settings.review", [])),
    bad("Settings", "a misspelt setting", ["settings.dialect"], "unknown field",
        put("settings.dialect", "mysql")),
    bad("Naming", "an unknown table case", ["settings.naming.table_case"], "must be one of",
        put("settings.naming.table_case", "camel")),
    bad("Naming", "an unknown table number", ["settings.naming.table_number"], "must be one of",
        put("settings.naming.table_number", "dual")),
    bad("Naming", "identifiers shorter than 16 bytes", ["settings.naming.max_identifier_bytes"],
        "greater than or equal to 16", put("settings.naming.max_identifier_bytes", 15)),
    bad("Naming", "identifiers longer than 255 bytes", ["settings.naming.max_identifier_bytes"],
        "less than or equal to 255", put("settings.naming.max_identifier_bytes", 256)),
    bad("Naming", "an empty template", ["settings.naming.primary_key"], "at least 1 character",
        put("settings.naming.primary_key", "")),
    bad("Naming", "a template for an unknown object", ["settings.naming.sequence"], "unknown field",
        put("settings.naming.sequence", "seq_{table}")),
    bad("Timestamps", "a list as a flag", ["settings.timestamps.created_at"], "valid boolean",
        put("settings.timestamps.created_at", [])),
    bad("Timestamps", "an unknown bookkeeping column", ["settings.timestamps.deleted_at"], "unknown field",
        put("settings.timestamps.deleted_at", True)),
    # Table, Point, RowLevelSecurity, TableOptions
    bad("Table", "an id with a space", [f"{U}.id"], "should match pattern", put(f"{U}.id", "t users")),
    bad("Table", "an id longer than 64 characters", [f"{U}.id"], "should match pattern",
        put(f"{U}.id", "t" * 65)),
    bad("Table", "a missing name", [f"{U}.name"], "Field required", drop(f"{U}.name")),
    bad("Table", "a name longer than 255 characters", [f"{U}.name"], "at most 255 characters",
        put(f"{U}.name", TOO_LONG_NAME)),
    bad("Table", "a named color", [f"{U}.color"], "should match pattern", put(f"{U}.color", "blue")),
    bad("Table", "negative estimated rows", [f"{U}.estimated_rows"], "greater than or equal to 0",
        put(f"{U}.estimated_rows", -1)),
    bad("Table", "negative growth", [f"{U}.growth_rows_per_month"], "greater than or equal to 0",
        put(f"{U}.growth_rows_per_month", -5)),
    bad("Table", "an upper-case tag", [f"{U}.tags[0]"], "should match pattern", put(f"{U}.tags", ["Hot"])),
    bad("Table", "a misspelt columns key", [f"{U}.colums"], "unknown field", put(f"{U}.colums", [])),
    bad("Table", "an object as the schema", [f"{U}.schema"], "valid string",
        put(f"{U}.schema", {"name": "x"})),
    bad("Point", "a word as a coordinate", [f"{U}.position.x"], "valid number",
        put(f"{U}.position", {"x": "left"})),
    bad("Point", "a third dimension", [f"{U}.position.z"], "unknown field", put(f"{U}.position", {"z": 1})),
    bad("RowLevelSecurity", "a misspelt rls flag", [f"{U}.rls.enable"], "unknown field",
        put(f"{U}.rls", {"enable": True})),
    bad("TableOptions", "an unknown table option", [f"{U}.options.audited"], "unknown field",
        put(f"{U}.options", {"audited": True})),
    # Column, ColumnType, ColumnDefault, Identity, Generated
    bad("Column", "a missing type", [f"{UC}[3].type"], "Field required", drop(f"{UC}[3].type")),
    bad("Column", "a misspelt nullable", [f"{UC}[3].nulable"], "unknown field",
        put(f"{UC}[3].nulable", False)),
    bad("Column", "an empty name", [f"{UC}[3].name"], "at least 1 character", put(f"{UC}[3].name", "")),
    bad("Column", "a tag with a space", [f"{UC}[3].tags[1]"], "should match pattern",
        put(f"{UC}[3].tags", ["pii", "no good"])),
    bad("Column", "a type given as a string", [f"{UC}[3].type"], "valid dictionary",
        put(f"{UC}[3].type", "varchar(20)")),
    bad("ColumnType", "an unknown type name", [f"{UC}[3].type.name"], "must be one of",
        put(f"{UC}[3].type.name", "varchr")),
    bad("ColumnType", "a zero length", [f"{UC}[1].type.length"], "greater than or equal to 1",
        put(f"{UC}[1].type.length", 0)),
    bad("ColumnType", "a precision above 1000", [f"{UC}[3].type.precision"], "less than or equal to 1000",
        put(f"{UC}[3].type", {"name": "numeric", "precision": 1001})),
    bad("ColumnType", "a negative scale", [f"{UC}[3].type.scale"], "greater than or equal to 0",
        put(f"{UC}[3].type", {"name": "numeric", "precision": 10, "scale": -1})),
    bad("ColumnType", "seven array dimensions", [f"{UC}[3].type.array"], "less than or equal to 6",
        put(f"{UC}[3].type.array", 7)),
    bad("ColumnType", "raw SQL for an unknown dialect", [f"{UC}[3].type.raw.postgres"], "must be one of",
        put(f"{UC}[3].type", {"name": "raw", "raw": {"postgres": "ltree"}})),
    bad("ColumnType", "empty raw SQL", [f"{UC}[3].type.raw.postgresql"], "at least 1 character",
        put(f"{UC}[3].type", {"name": "raw", "raw": {"postgresql": ""}})),
    bad("ColumnType", "an enum reference that is no id", [f"{UC}[2].type.enum"], "should match pattern",
        put(f"{UC}[2].type.enum", "user status")),
    bad("ColumnDefault", "an unknown default kind", [f"{UC}[3].default.kind"], "must be one of",
        put(f"{UC}[3].default", {"kind": "sql", "value": "now()"})),
    bad("ColumnDefault", "a default without a value", [f"{UC}[3].default.value"], "Field required",
        put(f"{UC}[3].default", {"kind": "literal"})),
    bad("Identity", "a word as the increment", [f"{UC}[0].identity.increment"], "valid integer",
        put(f"{UC}[0].identity", {"increment": "one"})),
    bad("Identity", "an unknown identity option", [f"{UC}[0].identity.cycle"], "unknown field",
        put(f"{UC}[0].identity", {"cycle": True})),
    bad("Generated", "an empty expression", [f"{UC}[3].generated.expression"], "at least 1 character",
        put(f"{UC}[3].generated", {"expression": ""})),
    bad("Generated", "no expression", [f"{UC}[3].generated.expression"], "Field required",
        put(f"{UC}[3].generated", {"stored": False})),
    # PrimaryKey, Unique, Check
    bad("PrimaryKey", "an empty primary key", [f"{U}.primary_key.columns"], "at least 1 item",
        put(f"{U}.primary_key.columns", [])),
    bad("PrimaryKey", "a primary key without columns", [f"{U}.primary_key.columns"], "Field required",
        put(f"{U}.primary_key", {"name": "pk"})),
    bad("Unique", "a unique without columns", [f"{U}.uniques[0].columns"], "at least 1 item",
        put(f"{U}.uniques", [{"id": "u_x", "columns": []}])),
    bad("Unique", "a unique without an id", [f"{U}.uniques[0].id"], "Field required",
        put(f"{U}.uniques", [{"columns": ["c_users_email"]}])),
    bad("Check", "a check without an expression", [f"{U}.checks[0].expression"], "Field required",
        put(f"{U}.checks", [{"id": "k_x"}])),
    bad("Check", "an empty check expression", [f"{U}.checks[0].expression"], "at least 1 character",
        put(f"{U}.checks", [{"id": "k_x", "expression": ""}])),
    # Index, IndexColumn
    bad("Index", "an index without key parts", [f"{P}.indexes[0].columns"], "at least 1 item",
        put(f"{P}.indexes[0].columns", [])),
    bad("Index", "an unknown index method", [f"{P}.indexes[0].method"], "must be one of",
        put(f"{P}.indexes[0].method", "bitmap")),
    bad("Index", "an empty predicate", [f"{P}.indexes[0].where"], "at least 1 character",
        put(f"{P}.indexes[0].where", "")),
    bad("IndexColumn", "an unknown sort order", [f"{P}.indexes[0].columns[0].order"], "must be one of",
        put(f"{P}.indexes[0].columns[0].order", "up")),
    bad("IndexColumn", "nulls in the middle", [f"{P}.indexes[0].columns[0].nulls"], "must be one of",
        put(f"{P}.indexes[0].columns[0].nulls", "middle")),
    bad("IndexColumn", "an opclass with a dash", [f"{P}.indexes[0].columns[0].opclass"],
        "should match pattern",
        put(f"{P}.indexes[0].columns[0].opclass", "gin-trgm")),
    # Partitioning, PartitionKey, Partition
    bad("Partitioning", "an unknown strategy", [f"{P}.partitioning.strategy"], "must be one of",
        put(f"{P}.partitioning", {"strategy": "interval", "key": [{"column": "c_posts_created_at"}]})),
    bad("Partitioning", "an empty partition key", [f"{P}.partitioning.key"], "at least 1 item",
        put(f"{P}.partitioning", {"strategy": "range", "key": []})),
    bad("PartitionKey", "a misspelt key field", [f"{P}.partitioning.key[0].col"], "unknown field",
        put(f"{P}.partitioning", {"strategy": "range", "key": [{"col": "c_posts_created_at"}]})),
    bad("Partition", "a modulus of 0", [f"{P}.partitioning.partitions[0].modulus"],
        "greater than or equal to 1",
        put(f"{P}.partitioning", {"strategy": "hash", "key": [{"column": "c_posts_id"}],
                                  "partitions": [{"id": "p0", "name": "p0", "modulus": 0, "remainder": 0}]})),
    bad("Partition", "a negative remainder", [f"{P}.partitioning.partitions[0].remainder"],
        "greater than or equal to 0",
        put(f"{P}.partitioning", {"strategy": "hash", "key": [{"column": "c_posts_id"}],
                                  "partitions": [{"id": "p0", "name": "p0", "modulus": 2, "remainder": -1}],
                                  })),
    bad("Partition", "a partition without a name", [f"{P}.partitioning.partitions[0].name"], "Field required",
        put(f"{P}.partitioning", {"strategy": "list", "key": [{"column": "c_posts_title"}],
                                  "partitions": [{"id": "p0", "values": ["'a'"]}]})),
    # Relationship
    bad("Relationship", "an unknown referential action", ["relationships[0].on_delete"], "must be one of",
        put("relationships[0].on_delete", "cascade_all")),
    bad("Relationship", "an unknown cardinality", ["relationships[0].from_cardinality"], "must be one of",
        put("relationships[0].from_cardinality", "many")),
    bad("Relationship", "no from_table", ["relationships[0].from_table"], "Field required",
        drop("relationships[0].from_table")),
    bad("Relationship", "columns given as a string", ["relationships[0].to_columns"], "valid list",
        put("relationships[0].to_columns", "c_users_id")),
    # Enum
    bad("Enum", "an enum without values", ["enums[0].values"], "at least 1 item", put("enums[0].values", [])),
    bad("Enum", "an empty enum value", ["enums[0].values[1]"], "at least 1 character",
        put("enums[0].values", ["active", ""])),
    bad("Enum", "an enum value longer than 63 characters", ["enums[0].values[0]"], "at most 63 characters",
        put("enums[0].values", ["v" * 64])),
    # Note, Size, Area
    bad("Note", "a note without text", ["notes[0].text"], "Field required", drop("notes[0].text")),
    bad("Note", "an anchor that is no id", ["notes[0].anchor"], "should match pattern",
        put("notes[0].anchor", "the posts table")),
    bad("Size", "a negative width", ["notes[0].size.width"], "greater than or equal to 0",
        put("notes[0].size", {"width": -1})),
    bad("Area", "an area without a name", ["areas[0].name"], "Field required", drop("areas[0].name")),
    bad("Area", "a short color", ["areas[0].color"], "should match pattern", put("areas[0].color", "#fff")),
    # AccessPattern, OrderColumn
    bad("AccessPattern", "a limit of 0", ["access_patterns[0].limit"], "greater than or equal to 1",
        put("access_patterns[0].limit", 0)),
    bad("AccessPattern", "a target latency of 0", ["access_patterns[0].target_latency_ms"], "greater than 0",
        put("access_patterns[0].target_latency_ms", 0)),
    bad("AccessPattern", "negative calls per minute", ["access_patterns[0].calls_per_minute"],
        "greater than or equal to 0", put("access_patterns[0].calls_per_minute", -1)),
    bad("AccessPattern", "no table", ["access_patterns[0].table"], "Field required",
        drop("access_patterns[0].table")),
    bad("OrderColumn", "a spelt-out sort order", ["access_patterns[0].order_by[0].order"], "must be one of",
        put("access_patterns[0].order_by[0].order", "descending")),
    bad("OrderColumn", "a sort without a column", ["access_patterns[0].order_by[0].column"], "Field required",
        put("access_patterns[0].order_by[0]", {"order": "asc"})),
    # Security, Role, Grant, Policy
    bad("Security", "an unknown security section", ["security.users"], "unknown field",
        put("security.users", [])),
    bad("Role", "a role without a name", ["security.roles[1].name"], "Field required",
        drop("security.roles[1].name")),
    bad("Role", "a list as the login flag", ["security.roles[0].login"], "valid boolean",
        put("security.roles[0].login", [])),
    bad("Grant", "a grant of nothing", ["security.grants[0].privileges"], "at least 1 item",
        put("security.grants[0].privileges", [])),
    bad("Grant", "an unknown privilege", ["security.grants[0].privileges[1]"], "must be one of",
        put("security.grants[0].privileges", ["select", "read"])),
    bad("Grant", "a grant to nobody", ["security.grants[0].role"], "Field required",
        drop("security.grants[0].role")),
    bad("Policy", "an unknown policy command", ["security.policies[0].command"], "must be one of",
        put("security.policies[0].command", "upsert")),
    bad("Policy", "a policy on no table", ["security.policies[0].table"], "Field required",
        drop("security.policies[0].table")),
]


@pytest.mark.parametrize("case", STRUCTURAL, ids=lambda c: f"{c.model}: {c.name}")
def test_it_reports_each_structural_error_at_its_path(case: Structural) -> None:
    doc, problems = validate(edited(*case.edits))
    assert doc is None
    assert paths_of(problems) == sorted(case.paths)
    assert any(case.message in p.message for p in problems), problems


def test_every_model_has_structural_cases() -> None:
    models = {
        name for name, obj in inspect.getmembers(document, inspect.isclass)
        if issubclass(obj, Model) and obj is not Model and obj.__module__ == document.__name__
    }
    covered = {case.model for case in STRUCTURAL}
    assert models - covered == set()
    assert covered - models == set(), "a case names a model that does not exist"


def test_the_base_document_is_valid() -> None:
    doc, problems = validate(copy.deepcopy(BASE))
    assert problems == []
    assert doc is not None


def test_it_reports_every_structural_error_at_once() -> None:
    data = edited(
        put(f"{UC}[3].type.name", "varchr"),
        put("relationships[0].on_delete", "explode"),
        put("security.roles[0].superuser", True),
    )
    _, problems = validate(data)
    assert paths_of(problems) == sorted(
        [f"{UC}[3].type.name", "relationships[0].on_delete", "security.roles[0].superuser"]
    )


# A literal default may be any JSON scalar; a list is none, and it is one problem at the value itself.
def test_a_non_scalar_default_is_one_problem_at_the_value() -> None:
    _, problems = validate(edited(put(f"{UC}[3].default", {"kind": "literal", "value": [1, 2]})))
    assert paths_of(problems) == [f"{UC}[3].default.value"]


# The models are strict: a client that sends the wrong JSON type hears about it, nothing is guessed.
LAX_COERCIONS = [
    pytest.param(put(f"{UC}[3].nullable", "yes"), f"{UC}[3].nullable", id="a string as nullable"),
    pytest.param(put(f"{UC}[1].type.length", "255"), f"{UC}[1].type.length", id="a string as a length"),
    pytest.param(put(f"{U}.position", {"x": "1.5"}), f"{U}.position.x", id="a string as a coordinate"),
]


@pytest.mark.parametrize(("edit", "path"), LAX_COERCIONS)
def test_it_rejects_a_string_where_json_needs_a_boolean_or_number(edit: Edit, path: str) -> None:
    _, problems = validate(edited(edit))
    assert paths_of(problems) == [path]


# --- whole documents ----------------------------------------------------------------------------


@pytest.mark.parametrize("data", [[], [BASE], "design", 42, None, True], ids=repr)
def test_it_rejects_a_document_that_is_not_an_object(data: Any) -> None:
    assert validate(data) == (None, [Problem("", "a design document must be a JSON object")])


def test_a_json_array_fixture_is_not_a_document() -> None:
    _, problems = validate(load_fixture(FIXTURES / "invalid" / "not_an_object.json"))
    assert [p.path for p in problems] == [""]


def test_an_empty_object_is_an_empty_design() -> None:
    doc, problems = validate({})
    assert problems == []
    assert doc == Document()
    assert doc.name == "Untitled design"
    assert doc.to_data() == {"format": FORMAT}


# --- format versions and upgrades ---------------------------------------------------------------


def test_a_document_without_a_format_is_read_as_the_current_format() -> None:
    data = edited(drop("format"))
    doc, problems = validate(data)
    assert problems == []
    assert doc is not None
    assert doc.to_data()["format"] == FORMAT


@pytest.mark.parametrize("path", [FIXTURES / "invalid" / "newer_format.json"], ids=lambda p: p.name)
def test_it_refuses_a_format_newer_than_it_understands(path: Path) -> None:
    doc, problems = validate(load_fixture(path))
    assert doc is None
    assert [p.path for p in problems] == ["format"]
    assert "newer than this DB Studio understands" in problems[0].message


def test_it_reports_an_old_format_that_has_no_upgrade() -> None:
    _, problems = validate(edited(put("format", 0)))
    assert problems == [Problem("format", "no upgrade from format 0")]


def _format_0_step(data: dict[str, Any]) -> dict[str, Any]:
    # An imagined format 0 wrote column types as SQL strings ("varchar(80)") and called tables "entities".
    data["tables"] = data.pop("entities")
    for table in data["tables"]:
        for column in table["columns"]:
            name, _, rest = column["type"].partition("(")
            column["type"] = {"name": name} | ({"length": int(rest.rstrip(")"))} if rest else {})
    return data


def test_it_upgrades_a_format_0_document_through_the_upgrade_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(document.UPGRADES, 0, _format_0_step)
    old = {
        "format": 0,
        "name": "Old",
        "entities": [{"id": "t_a", "name": "a", "columns": [
            {"id": "c_a_code", "name": "code", "type": "varchar(80)"},
            {"id": "c_a_note", "name": "note", "type": "text"},
        ]}],
    }
    before = copy.deepcopy(old)
    doc, problems = validate(old)
    assert problems == []
    assert doc is not None
    assert doc.tables[0].columns[0].type.name == "varchar"
    assert doc.tables[0].columns[0].type.length == 80
    assert doc.tables[0].columns[1].type.name == "text"
    assert doc.to_data()["format"] == FORMAT
    assert old.keys() == before.keys(), "the caller's document keeps its top-level keys"

    monkeypatch.undo()
    assert 0 not in document.UPGRADES
    assert validate(before)[1] == [Problem("format", "no upgrade from format 0")]


def test_it_chains_upgrades_in_order_up_to_the_current_format(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    real_format, real_upgrades = document.FORMAT, dict(document.UPGRADES)

    def step(version: int) -> Callable[[dict[str, Any]], dict[str, Any]]:
        def run(data: dict[str, Any]) -> dict[str, Any]:
            assert data["format"] == version, "each step gets the format it was written for"
            seen.append(version)
            data.setdefault("trail", []).append(version)
            return data

        return run

    monkeypatch.setattr(document, "FORMAT", 3)
    for version in (0, 1, 2):
        monkeypatch.setitem(document.UPGRADES, version, step(version))
    assert upgrade({"format": 0}) == {"format": 3, "trail": [0, 1, 2]}
    assert upgrade({"format": 2}) == {"format": 3, "trail": [2]}
    assert seen == [0, 1, 2, 2]
    with pytest.raises(UpgradeError, match="format 4 is newer"):
        upgrade({"format": 4})

    monkeypatch.undo()
    assert real_format == document.FORMAT
    assert real_upgrades == document.UPGRADES


@pytest.mark.parametrize("data", [[1], "x", None, {"format": "1"}, {"format": 1.5}, {"format": True}],
                         ids=repr)
def test_upgrade_passes_through_what_it_cannot_read(data: Any) -> None:
    assert upgrade(data) is data


# --- round trips --------------------------------------------------------------------------------


def test_there_are_realistic_valid_fixtures() -> None:
    assert {p.stem for p in VALID} >= {"minimal", "blog", "shop", "hostile_identifiers", "every_type"}


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_every_valid_fixture_validates(path: Path) -> None:
    doc, problems = validate(load_fixture(path))
    assert problems == []
    assert doc is not None


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_to_data_round_trips(path: Path) -> None:
    doc = Document.model_validate(load_fixture(path))
    data = doc.to_data()
    assert Document.model_validate(data) == doc
    assert validate(json.loads(json.dumps(data)))[1] == []
    assert Document.model_validate(data).to_data() == data


def _assert_no_defaults(model: BaseModel, data: dict[str, Any], path: str) -> None:
    for name, field in type(model).model_fields.items():
        key = field.alias or name
        value = getattr(model, name)
        if name != "format" and value == field.get_default(call_default_factory=True):
            assert key not in data, f"{path}.{key} holds its default"
        elif isinstance(value, BaseModel):
            _assert_no_defaults(value, data[key], f"{path}.{key}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    _assert_no_defaults(item, data[key][i], f"{path}.{key}[{i}]")


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_to_data_omits_defaults(path: Path) -> None:
    doc = Document.model_validate(load_fixture(path))
    _assert_no_defaults(doc, doc.to_data(), "")


def test_to_data_drops_an_explicit_default_but_keeps_a_chosen_value() -> None:
    data = edited(put(f"{UC}[3].nullable", True), put(f"{UC}[3].type.array", 0), put(f"{U}.rls", {}))
    out = Document.model_validate(data).to_data()
    assert out["tables"][0]["columns"][3] == {"id": "c_users_bio", "name": "bio", "type": {"name": "text"}}
    assert "rls" not in out["tables"][0]
    assert out["tables"][0]["columns"][0]["nullable"] is False
    assert out["format"] == FORMAT


def test_to_data_writes_the_schema_under_its_json_name() -> None:
    out = Document.model_validate(edited(put(f"{U}.schema", "auth"))).to_data()
    assert out["tables"][0]["schema"] == "auth"
    assert "schema_" not in out["tables"][0]


def test_the_minimal_fixture_is_already_in_canonical_form() -> None:
    data = load_fixture(FIXTURES / "valid" / "minimal.json")
    assert Document.model_validate(data).to_data() == data


def test_every_portable_type_appears_in_a_valid_fixture() -> None:
    used = {
        column.type.name
        for path in VALID
        for table in Document.model_validate(load_fixture(path)).tables
        for column in table.columns
    }
    assert set(PORTABLE_TYPES) - used == set()


# --- helpers on the models ----------------------------------------------------------------------


def test_lookups_find_objects_by_id() -> None:
    doc = Document.model_validate(BASE)
    posts = doc.table("t_posts")
    assert posts is not None
    assert posts.name == "posts"
    assert doc.table("posts") is None, "lookups are by id, not by name"
    assert posts.column("c_posts_title") is not None
    assert posts.column("c_users_id") is None
    status = doc.enum("e_status")
    assert status is not None
    assert status.values == ["active", "banned"]
    assert doc.enum("user_status") is None


def test_new_ids_carry_their_prefix_and_do_not_repeat() -> None:
    ids = {new_id("t") for _ in range(200)}
    assert len(ids) == 200
    assert all(re.fullmatch(r"t_[0-9a-f]{8}", i) for i in ids)
    assert validate(edited(add("areas", {"id": new_id("a"), "name": "Fresh"})))[1] == []


# --- JSON Schema and the reference document -----------------------------------------------------


def _write_schema_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("write_schema", ROOT / "scripts" / "write_schema.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_json_schema_is_up_to_date() -> None:
    script = _write_schema_script()
    committed = (ROOT / "docs" / "design.schema.json").read_text(encoding="utf-8")
    assert committed == script.render(), "run: python scripts/write_schema.py"
    assert script.main(["--check"]) == 0


def test_the_schema_script_check_fails_on_a_stale_file(tmp_path: Path) -> None:
    script = _write_schema_script()
    stale = tmp_path / "design.schema.json"
    stale.write_text("{}\n", encoding="utf-8")
    assert script.main(["--check", "--output", str(stale)]) == 1
    assert script.main(["--output", str(stale)]) == 0
    assert json.loads(stale.read_text(encoding="utf-8"))["title"] == "DB Studio design document, format 1"
    assert script.main(["--check", "--output", str(stale)]) == 0


@functools.cache
def _schema_validator() -> Any:
    jsonschema = pytest.importorskip("jsonschema", reason="the dev extra installs jsonschema>=4.18")
    schema = json.loads((ROOT / "docs" / "design.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_the_json_schema_accepts_every_valid_fixture(path: Path) -> None:
    errors = list(_schema_validator().iter_errors(load_fixture(path)))
    assert errors == []


# Integrators may check documents with the JSON Schema alone: it must catch structural mistakes.
SCHEMA_MODELS = {"Document", "Table", "Column", "ColumnType", "Index", "Grant"}
SCHEMA_REJECTS = [c for c in STRUCTURAL if c.model in SCHEMA_MODELS and "format" not in c.name]


@pytest.mark.parametrize("case", SCHEMA_REJECTS, ids=lambda c: f"{c.model}: {c.name}")
def test_the_json_schema_rejects_structural_errors(case: Structural) -> None:
    assert not _schema_validator().is_valid(edited(*case.edits))


def test_the_reference_documents_every_field_and_type() -> None:
    text = (ROOT / "docs" / "document-format.md").read_text(encoding="utf-8")
    missing = []
    for name, model in inspect.getmembers(document, inspect.isclass):
        if issubclass(model, Model) and model is not Model:
            missing += [f"{name}.{f.alias or n}" for n, f in model.model_fields.items()
                        if f"`{f.alias or n}`" not in text]
    missing += [f"type {t}" for t in PORTABLE_TYPES if f"`{t}`" not in text]
    assert missing == []


def test_the_examples_in_the_reference_are_valid_documents() -> None:
    text = (ROOT / "docs" / "document-format.md").read_text(encoding="utf-8")
    blocks = [json.loads(block) for block in re.findall(r"```json\n(.*?)```", text, re.DOTALL)]
    documents = [b for b in blocks if isinstance(b, dict) and "format" in b]
    assert documents, "the reference has no complete example"
    for data in documents:
        assert validate(data)[1] == []


def _typescript_interfaces() -> dict[str, dict[str, bool]]:
    """frontend/src/document.ts: each exported interface's fields, mapped to whether they are optional."""
    text = (ROOT / "frontend" / "src" / "document.ts").read_text(encoding="utf-8")
    return {
        m.group(1): {f.group(1): f.group(2) == "?" for f in re.finditer(r"^  (\w+)(\??): ", m.group(2), re.M)}
        for m in re.finditer(r"^export interface (\w+) \{\n(.*?)^\}", text, re.S | re.M)
    }


def test_the_typescript_mirror_has_every_field_of_every_model_with_its_optionality() -> None:
    # document.ts mirrors document.py by hand; this catches a field added, renamed or made optional
    # on one side only. A field with a default is optional there (to_data() leaves it out), except
    # `format`, which to_data() always writes.
    schema = json.loads((ROOT / "docs" / "design.schema.json").read_text(encoding="utf-8"))
    models = {**schema["$defs"], "DesignDocument": schema}
    mirror = _typescript_interfaces()
    assert set(mirror) == set(models)
    for name, model in models.items():
        required = set(model.get("required", [])) | ({"format"} if name == "DesignDocument" else set())
        expected = {field: field not in required for field in model.get("properties", {})}
        assert mirror[name] == expected, name
