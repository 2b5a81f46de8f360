"""Semantic validation: every rule in validate.py, each with documents that break it and ones that keep it.

A case is the base document from test_document.py plus edits, the exact JSON paths the problems
must carry, and a piece of one message. ``GOOD`` cases are near misses that must stay valid.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from designs.compiler.document import PORTABLE_TYPES, Document
from designs.compiler.validate import InvalidDocument, Problem, check, json_path, load, validate

from .test_document import BASE, FIXTURES, PC, UC, Edit, P, U, add, drop, edited, paths_of, put

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Bad:
    name: str
    edits: tuple[Edit, ...]
    paths: tuple[str, ...]
    message: str


def bad(name: str, paths: list[str], message: str, *edits: Edit) -> Bad:
    return Bad(name, edits, tuple(paths), message)


def good(name: str, *edits: Edit) -> Any:
    return pytest.param(edits, id=name)


def hash_parts(*parts: dict[str, Any]) -> Edit:
    return put(f"{P}.partitioning", {"strategy": "hash", "key": [{"column": "c_posts_id"}],
                                     "partitions": list(parts)})


def range_parts(*parts: dict[str, Any], key: int = 1) -> Edit:
    keys = [{"column": "c_posts_created_at"}, {"column": "c_posts_id"}][:key]
    return put(f"{P}.partitioning", {"strategy": "range", "key": keys, "partitions": list(parts)})


def list_parts(*parts: dict[str, Any]) -> Edit:
    return put(f"{P}.partitioning", {"strategy": "list", "key": [{"column": "c_posts_title"}],
                                     "partitions": list(parts)})


JAN = {"id": "p_jan", "name": "posts_jan", "from_values": ["'2024-01-01'"], "to_values": ["'2024-02-01'"]}
REST = {"id": "p_rest", "name": "posts_rest", "is_default": True}
PART = f"{P}.partitioning"
REL, PATTERN = "relationships[0]", "access_patterns[0]"
GRANT, POLICY = "security.grants[0]", "security.policies[0]"

BAD = [
    # ids are unique across the whole document, whatever kind of object holds them
    bad("a column id used twice", [f"{PC}[4].id"], "already used at tables[0].columns[3].id",
        put(f"{PC}[4].id", "c_users_bio")),
    bad("an area reusing a table id", ["areas[1].id"], "id 't_users' is already used at tables[0].id",
        add("areas", {"id": "t_users", "name": "Users"})),
    bad("an index reusing a column id", [f"{U}.indexes[0].id"], "already used",
        put(f"{U}.indexes", [{"id": "c_users_email", "columns": [{"column": "c_users_email"}]}])),
    bad("a unique reusing a table id", [f"{P}.uniques[0].id"], "already used",
        put(f"{P}.uniques", [{"id": "t_users", "columns": ["c_posts_title"]}])),
    bad("a check reusing a column id", [f"{P}.checks[0].id"], "already used",
        put(f"{P}.checks", [{"id": "c_users_id", "expression": "true"}])),
    bad("a partition reusing a column id", [f"{PART}.partitions[0].id"], "already used",
        range_parts(JAN | {"id": "c_users_email"})),
    bad("a relationship reusing a table id", ["relationships[1].id"], "already used",
        add("relationships", {"id": "t_users", "from_table": "t_posts", "to_table": "t_users"})),
    bad("an enum reusing a relationship id", ["enums[1].id"], "already used",
        add("enums", {"id": "r_posts_author", "name": "e2", "values": ["a"]})),
    bad("a note reusing an enum id", ["notes[1].id"], "already used",
        add("notes", {"id": "e_status", "text": "x"})),
    bad("an access pattern reusing an area id", ["access_patterns[1].id"], "already used",
        add("access_patterns", {"id": "a_content", "name": "x", "table": "t_posts", "sql": "SELECT 1"})),
    bad("a role reusing a pattern id", ["security.roles[2].id"], "already used",
        add("security.roles", {"id": "q_posts_by_author", "name": "r3"})),
    bad("a grant reusing a relationship id", ["security.grants[1].id"], "already used",
        add("security.grants", {"id": "r_posts_author", "role": "public", "privileges": ["select"]})),
    bad("a policy reusing an index id", ["security.policies[1].id"], "already used",
        add("security.policies", {"id": "i_posts_author", "name": "p2", "table": "t_posts",
                                  "using": "true"})),
    # names the database needs to be unique
    bad("two tables with one name", [f"{P}.name"], "table name 'users' is already used at tables[0].name",
        put(f"{P}.name", "users")),
    bad("a table placed explicitly in the default schema", [f"{P}.name"], "table name",
        put(f"{P}.name", "users"), put(f"{P}.schema", "public")),
    bad("a clash in a renamed default schema", [f"{P}.name"], "table name",
        put("settings.default_schema", "app"), put(f"{P}.name", "users"), put(f"{P}.schema", "app")),
    bad("column names that differ only by case", [f"{UC}[3].name"], "column name 'email' is already used",
        put(f"{UC}[3].name", "EMAIL")),
    bad("two enums with one name", ["enums[1].name"], "enum name 'user_status'",
        add("enums", {"id": "e_other", "name": "user_status", "values": ["x"]})),
    bad("two roles with one name", ["security.roles[1].name"], "role name 'app'",
        put("security.roles[1].name", "app")),
    bad("a unique named like the primary key", [f"{U}.uniques[0].name"], "name 'users_pkey' is already used",
        put(f"{U}.primary_key.name", "users_pkey"),
        put(f"{U}.uniques", [{"id": "u_email", "name": "users_pkey", "columns": ["c_users_email"]}])),
    bad("index names clash across tables in one schema", [f"{P}.indexes[0].name"], "name 'by_author'",
        put(f"{U}.indexes", [{"id": "i_users_email", "name": "by_author",
                              "columns": [{"column": "c_users_email"}]}]),
        put(f"{P}.indexes[0].name", "by_author")),
    bad("two foreign keys with one name on one table", ["relationships[1].name"], "name 'fk_user'",
        put(f"{REL}.name", "fk_user"),
        add("relationships", {"id": "r_editor", "name": "fk_user", "from_table": "t_posts",
                              "from_columns": ["c_posts_editor_id"], "to_table": "t_users",
                              "to_columns": ["c_users_id"]})),
    bad("two partitions with one name", [f"{PART}.partitions[1].name"], "partition name 'posts_jan'",
        range_parts(JAN, REST | {"name": "posts_jan"})),
    # column types and their parameters
    bad("a length on an integer", [f"{UC}[0].type.length"], "type bigint takes no length",
        put(f"{UC}[0].type.length", 8)),
    bad("a precision on text", [f"{UC}[3].type.precision"], "type text takes no precision",
        put(f"{UC}[3].type.precision", 2)),
    bad("a scale on varchar", [f"{UC}[1].type.scale", f"{UC}[1].type.scale"], "type varchar takes no scale",
        put(f"{UC}[1].type.scale", 2)),
    bad("a scale without a precision", [f"{UC}[3].type.scale"], "a scale needs a precision",
        put(f"{UC}[3].type", {"name": "numeric", "scale": 2})),
    bad("a scale above the precision", [f"{UC}[3].type.scale"], "scale must be between 0 and the precision",
        put(f"{UC}[3].type", {"name": "numeric", "precision": 4, "scale": 5})),
    bad("an enum column without its enum", [f"{UC}[2].type.enum"], "needs the id of its enum",
        drop(f"{UC}[2].type.enum")),
    bad("an enum column naming a missing enum", [f"{UC}[2].type.enum"], "no enum with id 'e_mood'",
        put(f"{UC}[2].type.enum", "e_mood")),
    bad("an enum id on a text column", [f"{UC}[3].type.enum"], "only an enum column names an enum",
        put(f"{UC}[3].type.enum", "e_status")),
    bad("a raw type without SQL", [f"{UC}[3].type.raw"], "needs its SQL",
        put(f"{UC}[3].type", {"name": "raw"})),
    bad("a raw type with an empty SQL map", [f"{UC}[3].type.raw"], "needs its SQL",
        put(f"{UC}[3].type", {"name": "raw", "raw": {}})),
    bad("unsigned text", [f"{UC}[3].type.unsigned"], "only numeric types can be unsigned",
        put(f"{UC}[3].type.unsigned", True)),
    bad("unsigned money", [f"{UC}[3].type.unsigned"], "only numeric types",
        put(f"{UC}[3].type", {"name": "money", "unsigned": True})),
    # defaults, identity, generated columns
    bad("an empty expression default", [f"{UC}[3].default.value"], "non-empty SQL text",
        put(f"{UC}[3].default", {"kind": "expression", "value": ""})),
    bad("a blank expression default", [f"{UC}[3].default.value"], "non-empty SQL text",
        put(f"{UC}[3].default", {"kind": "expression", "value": "   "})),
    bad("a number as an expression default", [f"{UC}[3].default.value"], "non-empty SQL text",
        put(f"{UC}[3].default", {"kind": "expression", "value": 5})),
    bad("a null expression default", [f"{UC}[3].default.value"], "non-empty SQL text",
        put(f"{UC}[3].default", {"kind": "expression", "value": None})),
    bad("an identity on text", [f"{PC}[5].identity"], "must have an integer type, not text",
        put(f"{PC}[5].identity", {})),
    bad("an identity stepping by 0", [f"{UC}[0].identity.increment"], "the increment cannot be 0",
        put(f"{UC}[0].identity", {"increment": 0})),
    bad("an identity with a default", [f"{UC}[0].default"], "an identity column cannot have a default",
        put(f"{UC}[0].identity", {}), put(f"{UC}[0].default", {"kind": "literal", "value": 1})),
    bad("a nullable identity", [f"{PC}[2].nullable"], "an identity column is NOT NULL",
        put(f"{PC}[2].identity", {})),
    bad("a generated column with a default", [f"{PC}[5].default"], "a generated column cannot have a default",
        put(f"{PC}[5].generated", {"expression": "'x'"}),
        put(f"{PC}[5].default", {"kind": "literal", "value": "y"})),
    bad("a column both identity and generated", [f"{PC}[0].generated"], "both identity and generated",
        put(f"{PC}[0].identity", {}), put(f"{PC}[0].generated", {"expression": "1"})),
    # primary keys, uniques, indexes
    bad("a primary key on a missing column", [f"{U}.primary_key.columns[0]"],
        "no column with id 'c_posts_id' in table 'users'", put(f"{U}.primary_key.columns", ["c_posts_id"])),
    bad("a primary key on a nullable column", [f"{U}.primary_key.columns[1]"],
        "primary-key column 'bio' must be NOT NULL",
        put(f"{U}.primary_key.columns", ["c_users_id", "c_users_bio"])),
    bad("a unique on a missing column", [f"{U}.uniques[0].columns[1]"], "no column with id 'nope'",
        put(f"{U}.uniques", [{"id": "u_x", "columns": ["c_users_email", "nope"]}])),
    bad("an index key with column and expression", [f"{P}.indexes[0].columns[0]"],
        "exactly one of column or expression", put(f"{P}.indexes[0].columns[0].expression", "lower(title)")),
    bad("an index key with neither", [f"{P}.indexes[0].columns[0]"], "exactly one of column or expression",
        put(f"{P}.indexes[0].columns[0]", {"order": "desc"})),
    bad("an index on a missing column", [f"{P}.indexes[0].columns[0].column"],
        "no column with id 'c_users_email'",
        put(f"{P}.indexes[0].columns[0].column", "c_users_email")),
    bad("an index including a missing column", [f"{P}.indexes[0].include[0]"], "no column with id 'ghost'",
        put(f"{P}.indexes[0].include", ["ghost"])),
    bad("an updated_at trigger on a missing column", [f"{U}.options.updated_at_column"],
        "no column with id 'c_posts_id' in table 'users'", put(f"{U}.options.updated_at_column", "c_posts_id")),
    bad("a unique FULLTEXT index", [f"{P}.indexes[0].unique"], "a fulltext index cannot be unique",
        put(f"{P}.indexes[0].method", "fulltext"), put(f"{P}.indexes[0].unique", True)),
    *[bad(f"a {method} index with INCLUDE", [f"{P}.indexes[0].include"],
          f"a {method} index cannot INCLUDE columns",
          put(f"{P}.indexes[0].method", method), put(f"{P}.indexes[0].include", ["c_posts_title"]))
      for method in ("gin", "hash", "brin")],
    *[bad(f"a unique {method} index", [f"{P}.indexes[0].unique"], f"a {method} index cannot be unique",
          put(f"{P}.indexes[0].method", method), put(f"{P}.indexes[0].unique", True))
      for method in ("gin", "hash", "gist", "brin", "spgist")],
    # partitioning
    bad("a range partition without an upper bound", [f"{PART}.partitions[0]"], "one per key part (1)",
        range_parts(JAN | {"to_values": []})),
    bad("a range partition with too few bounds for its key", [f"{PART}.partitions[0]"],
        "one per key part (2)", range_parts(JAN, key=2)),
    bad("a list partition without values", [f"{PART}.partitions[0].values"], "a list partition needs values",
        list_parts({"id": "p_a", "name": "posts_a"})),
    bad("a hash partition without a modulus", [f"{PART}.partitions[1]"], "needs modulus and remainder",
        hash_parts({"id": "p0", "name": "p0", "modulus": 2, "remainder": 0},
                   {"id": "p1", "name": "p1", "remainder": 1})),
    bad("a hash remainder equal to the modulus", [f"{PART}.partitions[0].remainder"], "less than the modulus",
        hash_parts({"id": "p0", "name": "p0", "modulus": 2, "remainder": 2})),
    bad("a hash remainder above the modulus", [f"{PART}.partitions[0].remainder"], "less than the modulus",
        hash_parts({"id": "p0", "name": "p0", "modulus": 2, "remainder": 5})),
    bad("a default partition on a hash table", [f"{PART}.partitions[1]"], "has no default partition",
        hash_parts({"id": "p0", "name": "p0", "modulus": 1, "remainder": 0}, REST)),
    bad("a partition key with column and expression", [f"{PART}.key[0]"],
        "exactly one of column or expression",
        put(PART, {"strategy": "hash", "key": [{"column": "c_posts_id", "expression": "id"}]})),
    bad("a partition key with neither", [f"{PART}.key[0]"], "exactly one of column or expression",
        put(PART, {"strategy": "hash", "key": [{}]})),
    bad("a partition key on a missing column", [f"{PART}.key[0].column"],
        "no column with id 'c_users_id' in table 'posts'",
        put(PART, {"strategy": "hash", "key": [{"column": "c_users_id"}]})),
    # relationships
    bad("a relationship from a missing table", [f"{REL}.from_table"], "no table with id 't_ghost'",
        put(f"{REL}.from_table", "t_ghost")),
    bad("a relationship to a missing table", [f"{REL}.to_table"], "no table with id 't_ghost'",
        put(f"{REL}.to_table", "t_ghost")),
    bad("a relationship from a missing column", [f"{REL}.from_columns[0]"], "in table 'posts'",
        put(f"{REL}.from_columns", ["c_users_id"])),
    bad("a relationship to a missing column", [f"{REL}.to_columns[0]"], "in table 'users'",
        put(f"{REL}.to_columns", ["c_posts_id"])),
    bad("unpaired relationship columns", [f"{REL}.to_columns"], "must pair up", put(f"{REL}.to_columns", [])),
    bad("a relationship with only child columns", [f"{REL}.to_columns"], "must pair up",
        put(f"{REL}.from_columns", ["c_posts_author_id", "c_posts_editor_id"])),
    bad("initially deferred but not deferrable", [f"{REL}.initially_deferred"],
        "only a deferrable constraint", put(f"{REL}.initially_deferred", True)),
    bad("ON DELETE SET NULL on a NOT NULL column", [f"{REL}.from_columns[0]"],
        "SET NULL needs 'author_id' to be nullable", put(f"{REL}.on_delete", "set_null")),
    bad("ON UPDATE SET NULL on a NOT NULL column", [f"{REL}.from_columns[0]"], "SET NULL needs",
        put(f"{REL}.on_update", "set_null")),
    # enums and notes
    bad("an enum value listed twice", ["enums[0].values"], "value 'active' appears 2 times",
        put("enums[0].values", ["active", "banned", "active"])),
    bad("a note about a missing object", ["notes[0].anchor"], "no object with id 't_ghost'",
        put("notes[0].anchor", "t_ghost")),
    # access patterns
    bad("a pattern on a missing table", [f"{PATTERN}.table"], "no table with id 't_ghost'",
        put(f"{PATTERN}.table", "t_ghost")),
    *[bad(f"a pattern with a missing {field} column", [f"{PATTERN}.{field}[1]"],
          "no column with id 'c_users_bio'", put(f"{PATTERN}.{field}", ["c_posts_title", "c_users_bio"]))
      for field in ("equality", "range", "select", "contains", "text_search")],
    bad("a pattern sorting by a missing column", [f"{PATTERN}.order_by[0]"],
        "no column with id 'c_users_bio'", put(f"{PATTERN}.order_by[0].column", "c_users_bio")),
    bad("an empty pattern", [PATTERN], "give the query as sql",
        put(PATTERN, {"id": "q_x", "name": "Nothing", "table": "t_posts"})),
    bad("a pattern that only selects", [PATTERN], "give the query as sql",
        put(PATTERN, {"id": "q_x", "name": "Select", "table": "t_posts", "select": ["c_posts_title"],
                      "limit": 5})),
    # security
    bad("a role inheriting a missing role", ["security.roles[0].inherits[1]"], "no role with id 'role_ghost'",
        put("security.roles[0].inherits", ["role_ro", "role_ghost"])),
    bad("a role inheriting itself", ["security.roles[0].inherits[0]"], "cannot be a member of itself",
        put("security.roles[0].inherits", ["role_app"])),
    bad("a grant to a missing role", [f"{GRANT}.role"], "no role with id 'role_ghost'",
        put(f"{GRANT}.role", "role_ghost")),
    bad("a grant on a missing table", [f"{GRANT}.tables[1]"], "no table with id 't_ghost'",
        put(f"{GRANT}.tables", ["t_posts", "t_ghost"])),
    bad("a column grant on every table", [f"{GRANT}.columns"], "a column grant names exactly one table",
        put(f"{GRANT}.tables", []), put(f"{GRANT}.columns", ["c_posts_title"])),
    bad("a column grant on two tables", [f"{GRANT}.columns"], "exactly one table",
        put(f"{GRANT}.tables", ["t_posts", "t_users"]), put(f"{GRANT}.columns", ["c_posts_title"])),
    bad("a column grant on a missing column", [f"{GRANT}.columns[0]"],
        "no column with id 'c_users_email' in table 'posts'", put(f"{GRANT}.columns", ["c_users_email"])),
    bad("a policy on a missing table", [f"{POLICY}.table"], "no table with id 't_ghost'",
        put(f"{POLICY}.table", "t_ghost")),
    bad("a policy for a missing role", [f"{POLICY}.roles[1]"], "no role with id 'role_ghost'",
        put(f"{POLICY}.roles", ["role_app", "role_ghost"])),
    bad("a policy without expressions", [POLICY], "needs a using or a with_check expression",
        drop(f"{POLICY}.using")),
    bad("an INSERT policy with using", [f"{POLICY}.using"], "an INSERT policy takes only with_check",
        put(f"{POLICY}.command", "insert")),
    bad("a SELECT policy with with_check", [f"{POLICY}.with_check"], "a SELECT policy takes only using",
        put(f"{POLICY}.command", "select"), put(f"{POLICY}.with_check", "true")),
    bad("a DELETE policy with with_check", [f"{POLICY}.with_check"], "a DELETE policy takes only using",
        put(f"{POLICY}.command", "delete"), put(f"{POLICY}.with_check", "true")),
]


@pytest.mark.parametrize("case", BAD, ids=lambda c: c.name)
def test_it_reports_each_semantic_error_at_its_path(case: Bad) -> None:
    doc, problems = validate(edited(*case.edits))
    assert doc is None
    assert paths_of(problems) == sorted(case.paths)
    assert any(case.message in p.message for p in problems), problems


GOOD = [
    good("the base document"),
    good("one table name in two schemas", put(f"{P}.name", "users"), put(f"{P}.schema", "archive")),
    good("table names that differ only by case", put(f"{P}.name", "Users")),
    good("one column name in two tables", put(f"{PC}[5].name", "email")),
    good("one enum name in two schemas",
         add("enums", {"id": "e2", "name": "user_status", "schema": "x", "values": ["a"]})),
    good("one constraint name in two schemas",
         put(f"{U}.primary_key.name", "pk"), put(f"{P}.primary_key.name", "pk"), put(f"{P}.schema", "archive")),
    good("one foreign-key name on two tables",
         put(f"{REL}.name", "fk_user"),
         add("relationships", {"id": "r_x", "name": "fk_user", "from_table": "t_users", "from_columns": ["c_users_id"],
                               "to_table": "t_posts", "to_columns": ["c_posts_id"]})),
    good("a numeric with precision and scale", put(f"{UC}[3].type", {"name": "numeric", "precision": 5, "scale": 5})),
    good("a numeric with scale 0", put(f"{UC}[3].type", {"name": "numeric", "precision": 5, "scale": 0})),
    good("a raw override beside a portable type", put(f"{UC}[3].type.raw", {"postgresql": "ltree"})),
    good("a two-dimensional array", put(f"{UC}[3].type.array", 2)),
    *[good(f"unsigned {t}", put(f"{UC}[3].type", {"name": t, "unsigned": True}))
      for t in ("smallint", "integer", "bigint", "smallserial", "serial", "bigserial", "numeric", "real", "double")],
    *[good(f"a literal default of {v!r}", put(f"{UC}[3].default", {"kind": "literal", "value": v}))
      for v in ("", "it's", 0, -1.5, True, None)],
    good("an expression default", put(f"{PC}[3].default", {"kind": "expression", "value": "now()"})),
    *[good(f"an identity on {t}", put(f"{UC}[0].type.name", t), put(f"{UC}[0].identity", {}))
      for t in ("smallint", "integer", "bigint", "smallserial", "serial", "bigserial")],
    good("a descending identity", put(f"{UC}[0].identity", {"always": True, "start": -1, "increment": -1})),
    good("a virtual generated column", put(f"{PC}[5].generated", {"expression": "'x'", "stored": False})),
    good("a table without a primary key", drop(f"{U}.primary_key")),
    good("a composite primary key", put(f"{P}.primary_key.columns", ["c_posts_id", "c_posts_created_at"])),
    good("an expression index",
         put(f"{P}.indexes[0].columns", [{"expression": "lower(title)", "order": "desc"}])),
    good("a partial unique index", put(f"{P}.indexes[0].unique", True), put(f"{P}.indexes[0].where", "data IS NULL")),
    *[good(f"a {m} index with INCLUDE",
           put(f"{P}.indexes[0].method", m), put(f"{P}.indexes[0].include", ["c_posts_title"]))
      for m in ("btree", "gist", "spgist")],
    good("range partitions with a default", range_parts(JAN, REST)),
    good("range partitions on a two-part key",
         range_parts(JAN | {"from_values": ["'2024-01-01'", "0"], "to_values": ["'2024-02-01'", "0"]}, key=2)),
    good("list partitions with a default",
         list_parts({"id": "p_a", "name": "posts_a", "values": ["'a'", "'b'"]}, REST)),
    good("hash partitions",
         hash_parts({"id": "p0", "name": "p0", "modulus": 2, "remainder": 0},
                    {"id": "p1", "name": "p1", "modulus": 2, "remainder": 1})),
    good("a partitioned table with no partitions yet",
         put(PART, {"strategy": "list", "key": [{"expression": "lower(title)"}]})),
    good("an entity-level relationship with no columns",
         put(f"{REL}.from_columns", []), put(f"{REL}.to_columns", [])),
    good("a self-referencing relationship",
         put(REL, {"id": "r_self", "from_table": "t_posts", "from_columns": ["c_posts_editor_id"],
                   "to_table": "t_posts", "to_columns": ["c_posts_id"]})),
    good("SET NULL on a nullable column",
         put(f"{REL}.from_columns", ["c_posts_editor_id"]), put(f"{REL}.on_delete", "set_null")),
    good("a deferrable, initially deferred key",
         put(f"{REL}.deferrable", True), put(f"{REL}.initially_deferred", True)),
    good("a note about a column", put("notes[0].anchor", "c_posts_title")),
    good("a note about a relationship", put("notes[0].anchor", "r_posts_author")),
    good("a note about nothing", drop("notes[0].anchor")),
    *[good(f"a pattern given only as {field}",
           put(PATTERN, {"id": "q", "name": "q", "table": "t_posts", field: value}))
      for field, value in (
          ("sql", "SELECT 1"), ("equality", ["c_posts_id"]), ("range", ["c_posts_created_at"]),
          ("order_by", [{"column": "c_posts_id"}]), ("contains", ["c_posts_data"]),
          ("text_search", ["c_posts_title"]), ("where", "data IS NULL"),
      )],
    good("a role inheriting another", put("security.roles[0].inherits", ["role_ro"])),
    good("a grant to public on every table", put(GRANT, {"id": "g", "role": "public", "privileges": ["all"]})),
    good("a column grant on one table", put(f"{GRANT}.columns", ["c_posts_title"])),
    good("a policy for public and a role", put(f"{POLICY}.roles", ["public", "role_ro"])),
    good("an INSERT policy with with_check",
         put(f"{POLICY}.command", "insert"), drop(f"{POLICY}.using"), put(f"{POLICY}.with_check", "true")),
    good("an UPDATE policy with both", put(f"{POLICY}.command", "update"), put(f"{POLICY}.with_check", "true")),
    good("custom naming templates",
         put("settings.naming", {"primary_key": "{table}_pkey", "index": "{table}_{columns}_idx",
                                 "table_case": "any", "max_identifier_bytes": 128})),
]


@pytest.mark.parametrize("edits", GOOD)
def test_it_accepts_a_near_miss(edits: tuple[Edit, ...]) -> None:
    doc, problems = validate(edited(*edits))
    assert problems == []
    assert doc is not None


# Rules the database enforces, checked so a design never compiles to DDL the engine refuses.
DATABASE_RULES = [
    bad("two checks with one name on one table", [f"{U}.checks[1].name"], "already used",
        put(f"{U}.checks", [{"id": "k1", "name": "positive", "expression": "id > 0"},
                            {"id": "k2", "name": "positive", "expression": "id < 1e9"}])),
    bad("two policies with one name on one table", ["security.policies[1].name"], "already used",
        add("security.policies", {"id": "pol_2", "name": "own_posts", "table": "t_posts", "using": "false"})),
    bad("two default partitions", [f"{PART}.partitions[2]"], "only one default partition",
        list_parts({"id": "p_a", "name": "posts_a", "values": ["'a'"]}, REST,
                   REST | {"id": "p_rest2", "name": "posts_rest2"})),
    bad("roles that inherit each other", ["security.roles[1].inherits[0]"], "cycle",
        put("security.roles[0].inherits", ["role_ro"]), put("security.roles[1].inherits", ["role_app"])),
    bad("a naming template with an unknown placeholder", ["settings.naming.index"], "{tabel}",
        put("settings.naming.index", "idx_{tabel}_{columns}")),
    bad("a naming template with an unclosed brace", ["settings.naming.unique"], "not a valid template",
        put("settings.naming.unique", "uq_{table")),
]


@pytest.mark.parametrize("case", DATABASE_RULES, ids=lambda c: c.name)
def test_it_reports_what_the_database_would_refuse(case: Bad) -> None:
    _, problems = validate(edited(*case.edits))
    assert paths_of(problems) == sorted(case.paths)
    assert any(case.message in p.message for p in problems), problems


def _literal(node: ast.expr) -> str:
    """The longest fixed piece of a string or f-string argument ("" for a plain variable)."""
    if isinstance(node, ast.Constant):
        return str(node.value)
    if isinstance(node, ast.JoinedStr):
        return max((str(v.value) for v in node.values if isinstance(v, ast.Constant)), key=len, default="")
    return ""


def _rules_in_validate_py() -> list[tuple[int, str, str]]:
    """Every ``Problem(path, message)`` call in validate.py: its line and the fixed parts of both arguments."""
    tree = ast.parse((ROOT / "designs" / "compiler" / "validate.py").read_text(encoding="utf-8"))
    return [
        (node.lineno, _literal(node.args[0]), _literal(node.args[1]))
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Problem" and len(node.args) == 2
        and isinstance(node.args[1], ast.Constant | ast.JoinedStr)
    ]


def test_every_rule_in_validate_py_has_a_failing_case() -> None:
    produced = [p for case in BAD + DATABASE_RULES for p in validate(edited(*case.edits))[1]]
    rules = _rules_in_validate_py()
    assert len(rules) > 40, "the scan of validate.py found too few rules"
    unexercised = [
        (line, path, message) for line, path, message in rules
        if not any(path in p.path and message in p.message for p in produced)
    ]
    # The non-object message is exercised in test_document.py.
    assert [message for *_, message in unexercised] == ["a design document must be a JSON object"]


def test_it_reports_three_separate_errors_at_three_paths() -> None:
    data = json.loads((FIXTURES / "invalid" / "three_errors.json").read_text(encoding="utf-8"))
    doc, problems = validate(data)
    assert doc is None
    assert paths_of(problems) == sorted(["tables[0].primary_key.columns[0]", "relationships[0].to_table",
                                         "tables[1].columns[1].id"])


INVALID_FILES = [
    ("typos.json", ["tables[0].colums", "tables[1].columns[0].nulable", "relationships[0].on_delet",
                    "tables[1].indexes[0].columns[0].colum", "settings.naming.primary_keys"],
     "unknown field"),
    ("dangling_references.json", ["relationships[0].to_table", "tables[0].indexes[0].columns[0].column",
                                  "tables[0].columns[1].type.enum", "notes[0].anchor",
                                  "access_patterns[0].equality[0]", "security.grants[0].role",
                                  "security.policies[0].table"], "no "),
    ("duplicates.json", ["tables[1].id", "tables[1].name", "tables[0].columns[1].name", "enums[1].name",
                         "security.roles[1].name", "tables[1].uniques[0].name"], "already used"),
]


@pytest.mark.parametrize(("filename", "paths", "message"), INVALID_FILES, ids=[f[0] for f in INVALID_FILES])
def test_each_invalid_fixture_reports_every_problem(filename: str, paths: list[str], message: str) -> None:
    data = json.loads((FIXTURES / "invalid" / filename).read_text(encoding="utf-8"))
    doc, problems = validate(data)
    assert doc is None
    assert paths_of(problems) == sorted(paths)
    assert all(message in p.message for p in problems), problems


def test_load_returns_the_document_when_valid() -> None:
    doc = load(edited())
    assert isinstance(doc, Document)
    assert doc.table("t_users") is not None


def test_load_raises_with_every_problem() -> None:
    with pytest.raises(InvalidDocument) as raised:
        load(edited(put(f"{P}.name", "users"), put("notes[0].anchor", "t_ghost")))
    assert paths_of(raised.value.problems) == ["notes[0].anchor", f"{P}.name"]
    assert "tables[1].name: table name 'users'" in str(raised.value)


def test_the_exception_message_names_at_most_five_problems() -> None:
    edits = [put(f"{UC}[3].type.length", 1), put(f"{UC}[3].type.precision", 1),
             put(f"{UC}[3].type.unsigned", True), put(f"{UC}[3].type.enum", "e_status"),
             put(f"{REL}.initially_deferred", True), put("notes[0].anchor", "x")]
    with pytest.raises(InvalidDocument) as raised:
        load(edited(*edits))
    assert len(raised.value.problems) == 6
    assert str(raised.value).count("; ") == 4


def test_a_problem_prints_with_its_path() -> None:
    assert str(Problem("tables[0].name", "bad")) == "tables[0].name: bad"
    assert str(Problem("", "not an object")) == "(document): not an object"


@pytest.mark.parametrize(("loc", "path"), [
    ((), ""), (("format",), "format"), (("tables", 0, "columns", 12, "type"), "tables[0].columns[12].type"),
    ((3, "x"), "[3].x"),
])
def test_json_paths_read_like_javascript(loc: tuple[str | int, ...], path: str) -> None:
    assert json_path(loc) == path


def test_check_on_a_valid_document_finds_nothing() -> None:
    assert list(check(Document.model_validate(BASE))) == []


TYPE_PARAMETERS = {  # the documented contract: which of length/precision/scale each portable type takes
    "varchar": {"length"}, "char": {"length"}, "bytea": {"length"}, "numeric": {"precision", "scale"},
    "time": {"precision"}, "timetz": {"precision"}, "timestamp": {"precision"}, "timestamptz": {"precision"},
}


def _type(name: str, **params: int) -> dict[str, Any]:
    needs: dict[str, dict[str, Any]] = {"enum": {"enum": "e_status"}, "raw": {"raw": {"sqlite": "TEXT"}}}
    extra = needs.get(name, {})
    return {"name": name, **extra, **params}


@pytest.mark.parametrize("type_name", sorted(PORTABLE_TYPES))
@pytest.mark.parametrize("param", ["length", "precision", "scale"])
def test_each_type_takes_exactly_its_documented_parameters(type_name: str, param: str) -> None:
    params = {param: 2} | ({"precision": 4} if param == "scale" else {})
    _, problems = validate(edited(put(f"{UC}[3].type", _type(type_name, **params))))
    takes = param in TYPE_PARAMETERS.get(type_name, set())
    if takes:
        assert problems == []
    else:
        assert f"{UC}[3].type.{param}" in [p.path for p in problems]
        assert any(f"type {type_name} takes no {param}" == p.message for p in problems)
