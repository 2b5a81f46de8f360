"""Modelling: normal forms and the anti-patterns (EAV, polymorphic associations) reviewers catch."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..framework import Context, Data, Edit, Fix, Hit, find_column, rule

NUMBERED = re.compile(r"^(?P<stem>[a-z][a-z_]*?)_?(?P<n>\d+)$")
# Numbered columns that are conventionally fine: address lines, ISO codes, hashes.
NUMBERED_OK = re.compile(r"(line|iso|sha|md|utf|base|ipv|x|y|z|level|l)$")


@rule(
    "DS701",
    "repeating-columns",
    "warning",
    summary="Numbered columns such as phone1, phone2 (a repeating group, against first normal form).",
    why="""A repeating group caps the number of values at the number of columns, makes "find by phone"
    query every column, and leaves most of them NULL. Put the values in a child table, one row each.""",
)
def repeating_columns(ctx: Context) -> Iterator[Hit]:
    for table in ctx.doc.tables:
        groups: dict[str, list[str]] = {}
        for column in table.columns:
            if not column.name[-1:].isdigit():
                continue
            match = NUMBERED.match(column.name.lower())
            if match and not NUMBERED_OK.search(match["stem"].rstrip("_")):
                groups.setdefault(match["stem"].rstrip("_"), []).append(column.name)
        for stem, names in groups.items():
            if len(names) >= 2:
                yield ctx.hit(table.id, f"table {table.name} repeats {stem} in columns {', '.join(names)}")


LIST_NAME = re.compile(r"(_ids|_list|_csv|_codes|^tags|_tags|^emails|^phones|^categories|_names)$")


@rule(
    "DS702",
    "delimited-list",
    "warning",
    summary="A text column whose name says it holds a list (tag_ids, emails, ..._list).",
    why="""A comma-separated list in one column breaks first normal form: the database cannot check
    the items, index them, join on them or reference them with a foreign key, and every query must
    split strings. Use a child (junction) table; on PostgreSQL an array is a lighter step.""",
    fixable=True,
)
def delimited_list(ctx: Context) -> Iterator[Hit]:
    for table, column in ctx.of_type("varchar", "text", "char"):
        if True:
            if column.type.array:
                continue
            if not LIST_NAME.search(column.name.lower()):
                continue
            fix = None
            if ctx.target == "postgresql" and column.default is None:
                fix = Fix("make it an array (text[])", _to_array(column.id))
            yield ctx.hit(column.id, f"{table.name}.{column.name} stores a list in a {column.type.name} column", fix)


def _to_array(column_id: str) -> Edit:
    def edit(data: Data) -> None:
        find_column(data, column_id)["type"] = {"name": "text", "array": 1}

    return edit


# Name-based functional dependencies: determinant → what it determines.
DEPENDENCIES: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    (re.compile(r"^(zip|zip_code|zipcode|postal_code|postcode)$"), re.compile(r"^(city|town|state|province|county)$")),
    (re.compile(r"^(country_code|country_iso)$"), re.compile(r"^(country|country_name)$")),
    (re.compile(r"^(currency|currency_code)$"), re.compile(r"^(currency_name|currency_symbol)$")),
)


@rule(
    "DS703",
    "transitive-dependency",
    "info",
    summary="A column depends on another non-key column (a third-normal-form hint).",
    why="""When B is determined by A and A is not a key, B is stored once per row instead of once per
    A: updates must change many rows and can disagree (two cities for one zip code). Move B to a table
    keyed by A, or to the referenced table when A is a foreign key. Declare known dependencies in
    settings.review.dependencies = [{"table": id, "determinant": [ids], "dependent": [ids]}].""",
)
def transitive_dependency(ctx: Context) -> Iterator[Hit]:
    for table in ctx.doc.tables:
        keys = ctx.unique_keys(table)
        by_name = {c.name.lower(): c for c in table.columns}
        for det_re, dep_re in DEPENDENCIES:
            dets = [c for n, c in by_name.items() if det_re.match(n)]
            deps = [c for n, c in by_name.items() if dep_re.match(n)]
            for det in dets:
                if frozenset([det.id]) in keys:
                    continue
                for dep in deps:
                    yield ctx.hit(dep.id, f"{table.name}.{dep.name} depends on {det.name}, which is not a key")
        # <x>_id foreign key plus <x>_<attr> where the parent has <attr>: a copied parent attribute.
        for rel in ctx.relationships_of.get(table.id, []):
            if rel.from_table != table.id or len(rel.from_columns) != 1:
                continue
            fk = ctx.columns.get(rel.from_columns[0])
            parent = ctx.tables.get(rel.to_table)
            if fk is None or parent is None or not fk.name.lower().endswith("_id"):
                continue
            prefix = fk.name.lower()[:-3] + "_"
            parent_names = {c.name.lower() for c in parent.columns}
            for column in table.columns:
                name = column.name.lower()
                if column.id == fk.id or not name.startswith(prefix) or column.id in ctx.fk_columns:
                    continue
                if name[len(prefix) :] in parent_names or name in parent_names - {"id"}:
                    yield ctx.hit(
                        column.id,
                        f"{table.name}.{column.name} copies {parent.name}.{name[len(prefix) :]} (depends on {fk.name})",
                    )
    yield from _declared(ctx)


def _declared(ctx: Context) -> Iterator[Hit]:
    for item in ctx.config.raw.get("dependencies") or []:
        if not isinstance(item, dict):
            continue
        table = ctx.tables.get(str(item.get("table")))
        det, dep = item.get("determinant") or [], item.get("dependent") or []
        if table is None or not isinstance(det, list) or not isinstance(dep, list):
            continue
        if frozenset(det) in ctx.unique_keys(table) or not all(c in ctx.columns for c in det + dep):
            continue
        det_names = ", ".join(ctx.columns[c].name for c in det)
        for column_id in dep:
            yield ctx.hit(
                column_id, f"{table.name}.{ctx.columns[column_id].name} depends on ({det_names}), which is not a key"
            )


ATTRIBUTE = re.compile(r"^(attribute|attr|attribute_name|key|property|field|field_name|meta_key|param|name)$")
VALUE = re.compile(r"^(value|val|attribute_value|meta_value|property_value|field_value)$")


@rule(
    "DS704",
    "entity-attribute-value",
    "warning",
    summary="A table stores entity/attribute/value rows.",
    why="""An EAV table gives up types, NOT NULL, foreign keys and checks on the values, and turns
    every read of one entity into many rows or a pivot. Model the attributes as columns (or a jsonb
    column when they are truly open-ended).""",
)
def entity_attribute_value(ctx: Context) -> Iterator[Hit]:
    for table in ctx.doc.tables:
        names = [c.name.lower() for c in table.columns]
        has_attr = any(ATTRIBUTE.match(n) for n in names if n != "name") or ("name" in names and "entity_id" in names)
        if has_attr and any(VALUE.match(n) for n in names) and any(n.endswith("_id") for n in names if n != "id"):
            yield ctx.hit(table.id, f"table {table.name} looks like an entity-attribute-value table")


@rule(
    "DS705",
    "polymorphic-association",
    "warning",
    summary="A pair of columns <x>_type and <x>_id points at rows of different tables.",
    why="""A polymorphic reference cannot have a foreign key, so nothing stops it pointing at a deleted or
    non-existent row, and every join needs a CASE. Use one nullable foreign key per target table (with a
    CHECK that exactly one is set), or a supertype table.""",
)
def polymorphic_association(ctx: Context) -> Iterator[Hit]:
    for table in ctx.doc.tables:
        types = [c for c in table.columns if c.name.lower().endswith("_type")]
        if not types:
            continue
        names = {c.name.lower(): c for c in table.columns}
        for column in types:
            stem = column.name.lower()[: -len("_type")]
            ref = names.get(f"{stem}_id")
            if ref is not None and ref.id not in ctx.fk_columns:
                yield ctx.hit(
                    ref.id, f"{table.name}.{stem}_type/{stem}_id is a polymorphic association with no foreign key"
                )


@rule(
    "DS706",
    "wide-table",
    "info",
    summary="A table has more columns than max_columns (default 60).",
    why="""Very wide tables usually hold several entities or optional groups of attributes; rows are
    large, updates rewrite them whole, and most columns are NULL. Consider splitting by concern.""",
)
def wide_table(ctx: Context) -> Iterator[Hit]:
    limit = ctx.config.option("max_columns", 60)
    for table in ctx.doc.tables:
        if len(table.columns) > limit:
            yield ctx.hit(table.id, f"table {table.name} has {len(table.columns)} columns (limit {limit})")


@rule(
    "DS707",
    "fk-column-name",
    "info",
    summary="A single-column foreign key is not named after what it references (<table>_id or <role>_id).",
    why="""A foreign key named author or ref leaves the reader guessing its target and type;
    <singular table>_id (or <role>_id, e.g. manager_id) says both.""",
)
def fk_column_name(ctx: Context) -> Iterator[Hit]:
    for rel in ctx.doc.relationships:
        if len(rel.from_columns) != 1 or rel.from_columns[0] not in ctx.columns:
            continue
        column = ctx.columns[rel.from_columns[0]]
        parent = ctx.tables.get(rel.to_table)
        name = column.name.lower()
        if parent is None or name.endswith(("_id", "_uuid", "_key", "_code", "_no", "_number")) or name == "id":
            continue
        yield ctx.hit(column.id, f"foreign key column {ctx.name_of(column.id)} does not end in _id")
