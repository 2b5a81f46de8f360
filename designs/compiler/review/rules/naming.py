"""Names: length limits, reserved words, case, plural/singular, and the design's naming convention."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...ddl.naming import render, truncate
from ..framework import Context, Data, Edit, Fix, Hit, find_column, find_in, find_table, is_snake, rule, to_snake

# Words each engine refuses as a bare identifier (PostgreSQL: "reserved" and "reserved (can be
# function or type)"; MySQL 8: the (R) words people actually hit; SQLite: the ones it rejects).
_PG = """all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate
collation column concurrently constraint create cross current_catalog current_date current_role current_schema
current_time current_timestamp current_user default deferrable desc distinct do else end except false fetch for
foreign freeze from full grant group having ilike in initially inner intersect into is isnull join lateral leading
left like limit localtime localtimestamp natural not notnull null offset on only or order outer overlaps placing
primary references returning right select session_user similar some symmetric system_user table tablesample then
to trailing true union unique user using variadic verbose when where window with"""
_MYSQL = """accessible add all alter analyze and as asc before between bigint binary blob both by call cascade case
change char character check collate column condition constraint continue convert create cross cube cume_dist
current_date current_time current_timestamp current_user cursor database databases dec decimal declare default
delayed delete dense_rank desc describe distinct div double drop dual each else elseif empty enclosed escaped
except exists exit explain false fetch first_value float for force foreign from fulltext function generated get
grant group grouping groups having if ignore in index infile inner insert int integer intersect interval into is
iterate join json_table key keys kill lag last_value lateral lead leading leave left like limit lines load
localtime localtimestamp lock long loop match mod modifies natural not nth_value ntile null numeric of on optimize
option or order out outer over partition percent_rank precision primary procedure purge range rank read real
recursive references regexp release rename repeat replace require resignal restrict return revoke right rlike row
row_number rows schema schemas select set show signal smallint spatial sql ssl starting stored system table
terminated then to trailing trigger true undo union unique unlock unsigned update usage use using values varchar
varying virtual when where while window with write xor zerofill"""
_SQLITE = """add all alter and as autoincrement between case check collate commit constraint create default
deferrable delete distinct drop else escape except exists foreign from group having in index insert intersect into
is isnull join limit not notnull null on or order primary references select set table then to transaction union
unique update using values when where"""
RESERVED: dict[str, frozenset[str]] = {
    "postgresql": frozenset(_PG.split()),
    "mysql": frozenset(_MYSQL.split()),
    "sqlite": frozenset(_SQLITE.split()),
}

# ---- a small English inflector for table names (the last word of a snake_case name) ----

IRREGULAR = {
    "person": "people",
    "child": "children",
    "man": "men",
    "woman": "women",
    "mouse": "mice",
    "goose": "geese",
    "foot": "feet",
    "tooth": "teeth",
    "criterion": "criteria",
    "datum": "data",
    "analysis": "analyses",
    "axis": "axes",
    "leaf": "leaves",
    "life": "lives",
    "knife": "knives",
    "wife": "wives",
}
IRREGULAR_SINGULAR = {v: k for k, v in IRREGULAR.items()}
# Same form for one and many: never reported either way.
INVARIANT = frozenset(
    [
        "data",
        "metadata",
        "information",
        "equipment",
        "news",
        "series",
        "species",
        "staff",
        "feedback",
        "software",
        "hardware",
        "media",
        "sheep",
        "fish",
        "deer",
        "aircraft",
        "audio",
        "video",
        "traffic",
        "music",
        "research",
        "evidence",
        "advice",
        "furniture",
        "luggage",
        "inventory",
    ]
)


def _split(name: str) -> tuple[str, str]:
    head, _, last = name.rpartition("_")
    return (head + "_" if head else ""), last


def plural(name: str) -> str:
    head, word = _split(name)
    lower = word.lower()
    if lower in INVARIANT or is_plural_word(lower):
        return name
    if lower in IRREGULAR:
        return head + IRREGULAR[lower]
    if re.search(r"[^aeiou]y$", lower):
        return head + word[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", lower):
        return head + word + "es"
    return head + word + "s"


def singular(name: str) -> str:
    head, word = _split(name)
    lower = word.lower()
    if lower in INVARIANT or not is_plural_word(lower):
        return name
    if lower in IRREGULAR_SINGULAR:
        return head + IRREGULAR_SINGULAR[lower]
    if lower.endswith("ies") and len(lower) > 4:
        return head + word[:-3] + "y"
    if re.search(r"(ss|x|z|ch|sh|us)es$", lower):
        return head + word[:-2]
    return head + word[:-1]


def is_plural_word(word: str) -> bool:
    if word in INVARIANT:
        return False
    if word in IRREGULAR_SINGULAR:
        return True
    if word in IRREGULAR:
        return False
    return len(word) > 2 and word.endswith("s") and not re.search(r"(ss|us|is|sis)$", word)


def _number(name: str) -> str | None:
    """``plural``, ``singular`` or None when the name does not say (an invariant word)."""
    word = _split(name.lower())[1]
    if word in INVARIANT:
        return None
    return "plural" if is_plural_word(word) else "singular"


# ---- rename edits ----


def _rename_table(table_id: str, name: str) -> Edit:
    def edit(data: Data) -> None:
        find_table(data, table_id)["name"] = name

    return edit


def _rename_column(column_id: str, name: str) -> Edit:
    def edit(data: Data) -> None:
        find_column(data, column_id)["name"] = name

    return edit


def _free(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate.lower() in taken:
        candidate, n = f"{name}_{n}", n + 1
    return candidate


@rule(
    "DS401",
    "identifier-too-long",
    "warning",
    summary="A name is longer than the identifier limit (settings.naming.max_identifier_bytes, 63 by default).",
    why="""PostgreSQL silently cuts identifiers at 63 bytes (two long names can become one) and MySQL
    refuses names over 64; the emitted DDL then differs from the design. Shorten the name.""",
    fixable=True,
)
def identifier_too_long(ctx: Context) -> Iterator[Hit]:
    limit = ctx.naming.max_identifier_bytes

    def long(name: str | None) -> bool:
        return name is not None and len(name.encode("utf-8")) > limit

    for table in ctx.doc.tables:
        if long(table.name):
            short = truncate(table.name, limit)
            yield ctx.hit(
                table.id,
                f"table name {table.name} is over {limit} bytes",
                Fix(f"rename to {short}", _rename_table(table.id, short)),
            )
        taken = {c.name.lower() for c in table.columns}
        for column in table.columns:
            if long(column.name):
                short = _free(truncate(column.name, limit - 3), taken)
                yield ctx.hit(
                    column.id,
                    f"column name {table.name}.{column.name} is over {limit} bytes",
                    Fix(f"rename to {short}", _rename_column(column.id, short)),
                )
        for kind in ("uniques", "checks", "indexes"):
            for obj in getattr(table, kind):
                if long(obj.name):
                    yield ctx.hit(
                        obj.id,
                        f"name {obj.name} on {table.name} is over {limit} bytes",
                        Fix("use the naming convention", _unname(table.id, kind, obj.id)),
                    )
    for rel in ctx.doc.relationships:
        if long(rel.name):
            yield ctx.hit(
                rel.id,
                f"foreign key name {rel.name} is over {limit} bytes",
                Fix("use the naming convention", _unname_rel(rel.id)),
            )


def _unname(table_id: str, kind: str, object_id: str) -> Edit:
    def edit(data: Data) -> None:
        if kind == "primary_key":
            find_table(data, table_id)["primary_key"].pop("name", None)
            return
        obj = next(o for o in find_table(data, table_id)[kind] if o["id"] == object_id)
        obj.pop("name", None)

    return edit


def _rename_check(table_id: str, check_id: str, name: str) -> Edit:
    def edit(data: Data) -> None:
        next(c for c in find_table(data, table_id)["checks"] if c["id"] == check_id)["name"] = name

    return edit


def _unname_rel(rel_id: str) -> Edit:
    def edit(data: Data) -> None:
        find_in(data, "relationships", rel_id).pop("name", None)

    return edit


@rule(
    "DS402",
    "reserved-word",
    "warning",
    summary="A table or column is named with a word the target database reserves.",
    why="""A reserved word works only when quoted, in every query, by every tool and person, forever;
    forgetting the quotes gives confusing syntax errors (SELECT order FROM ...).""",
    fixable=True,
)
def reserved_word(ctx: Context) -> Iterator[Hit]:
    words = RESERVED.get(ctx.target, RESERVED["postgresql"])
    taken_tables = {t.name.lower() for t in ctx.doc.tables}
    for table in ctx.doc.tables:
        if table.name.lower() in words:
            candidate = plural(table.name)
            if candidate.lower() in words or candidate.lower() == table.name.lower():
                candidate = f"{table.name}_record"
            candidate = _free(candidate, taken_tables)
            yield ctx.hit(
                table.id,
                f"table name {table.name} is a reserved word",
                Fix(f"rename to {candidate}", _rename_table(table.id, candidate)),
            )
        taken = {c.name.lower() for c in table.columns}
        for column in table.columns:
            if column.name.lower() in words:
                candidate = _free(f"{singular(table.name).lower()}_{column.name}", taken)
                yield ctx.hit(
                    column.id,
                    f"column name {table.name}.{column.name} is a reserved word",
                    Fix(f"rename to {candidate}", _rename_column(column.id, candidate)),
                )


@rule(
    "DS403",
    "not-snake-case",
    "warning",
    summary="A table or column name is not snake_case (when the convention asks for snake case).",
    why="""Unquoted identifiers fold to lower case in PostgreSQL (upper in Oracle), so a mixed-case name
    must be quoted everywhere; spaces and punctuation need quotes too. Lower snake_case is portable and
    what ORMs generate by default.""",
    fixable=True,
)
def not_snake_case(ctx: Context) -> Iterator[Hit]:
    if ctx.naming.table_case != "snake":
        return
    taken_tables = {t.name.lower() for t in ctx.doc.tables}
    for table in ctx.doc.tables:
        if not is_snake(table.name):
            new = _free(to_snake(table.name), taken_tables - {table.name.lower()})
            yield ctx.hit(
                table.id,
                f"table name {table.name} is not snake_case",
                Fix(f"rename to {new}", _rename_table(table.id, new)),
            )
        taken = {c.name.lower() for c in table.columns}
        for column in table.columns:
            if not is_snake(column.name):
                new = _free(to_snake(column.name), taken - {column.name.lower()})
                yield ctx.hit(
                    column.id,
                    f"column name {table.name}.{column.name} is not snake_case",
                    Fix(f"rename to {new}", _rename_column(column.id, new)),
                )


@rule(
    "DS404",
    "table-number",
    "warning",
    summary="Table names mix plural and singular, or go against settings.naming.table_number.",
    why="""Mixing users with order_item makes every query a guess; pick one form (the convention's,
    or the one most tables already use) and keep to it.""",
    fixable=True,
)
def table_number(ctx: Context) -> Iterator[Hit]:
    wanted = ctx.naming.table_number
    forms = {t.id: _number(t.name) for t in ctx.doc.tables}
    if wanted == "any":
        plural_count = sum(1 for f in forms.values() if f == "plural")
        singular_count = sum(1 for f in forms.values() if f == "singular")
        # Infer the design's habit only from a clear majority (three in four), else stay quiet.
        if plural_count + singular_count < 3 or 4 * max(plural_count, singular_count) < 3 * (
            plural_count + singular_count
        ):
            return
        wanted = "plural" if plural_count > singular_count else "singular"
    taken = {t.name.lower() for t in ctx.doc.tables}
    for table in ctx.doc.tables:
        form = forms[table.id]
        if form is None or form == wanted:
            continue
        new = plural(table.name) if wanted == "plural" else singular(table.name)
        if new.lower() in taken or new == table.name:
            fix = None
        else:
            fix = Fix(f"rename to {new}", _rename_table(table.id, new))
        yield ctx.hit(table.id, f"table name {table.name} is {form}; the design's tables are {wanted}", fix)


def _matcher(template: str, **values: str) -> re.Pattern[str]:
    """A regex for names the template produces; ``{name}`` matches anything."""
    parts = re.split(r"(\{(?:table|columns|referred_table|name)\})", template)
    out = []
    for part in parts:
        if part == "{name}":
            out.append(".+")
        elif part.startswith("{") and part.endswith("}") and part[1:-1] in values:
            out.append(re.escape(values[part[1:-1]]))
        else:
            out.append(re.escape(part))
    return re.compile("".join(out) + r"(_\d+)?", re.IGNORECASE)


def _follows(template: str, explicit: str, limit: int, **values: str) -> bool:
    if _matcher(template, **values).fullmatch(explicit):
        return True
    rendered = render(template, **values)
    return truncate(rendered, limit).lower() == explicit.lower()


@rule(
    "DS405",
    "index-name-off-convention",
    "info",
    summary="An index's explicit name does not follow the design's naming convention.",
    why="""Conventional names tell what an index is from its name alone (in EXPLAIN output, lock waits,
    error messages) and keep migrations predictable. Leave the name unset to get the convention's.""",
    fixable=True,
)
def index_name_off_convention(ctx: Context) -> Iterator[Hit]:
    template, limit = ctx.naming.index, ctx.naming.max_identifier_bytes
    for table in ctx.doc.tables:
        for index in table.indexes:
            if not index.name:
                continue
            cols = [ctx.columns[k.column].name for k in index.columns if k.column and k.column in ctx.columns]
            if _follows(template, index.name, limit, table=table.name, columns="_".join(cols or ["expr"])):
                continue
            yield ctx.hit(
                index.id,
                f"index name {index.name} on {table.name} does not follow {template}",
                Fix("use the naming convention", _unname(table.id, "indexes", index.id)),
            )


@rule(
    "DS406",
    "constraint-name-off-convention",
    "info",
    summary="A primary key, unique, check or foreign key name does not follow the naming convention.",
    why="""Constraint names appear in every violation error the application sees; conventional names
    make those errors readable and let code map them to messages reliably.""",
    fixable=True,
)
def constraint_name_off_convention(ctx: Context) -> Iterator[Hit]:
    naming, limit = ctx.naming, ctx.naming.max_identifier_bytes

    def names(ids: list[str]) -> str:
        return "_".join(ctx.columns[c].name for c in ids if c in ctx.columns)

    for table in ctx.doc.tables:
        pk = table.primary_key
        if (
            pk
            and pk.name
            and not _follows(naming.primary_key, pk.name, limit, table=table.name, columns=names(pk.columns))
        ):
            yield ctx.hit(
                table.id,
                f"primary key name {pk.name} on {table.name} does not follow {naming.primary_key}",
                Fix("use the naming convention", _unname(table.id, "primary_key", table.id)),
            )
        for unique in table.uniques:
            if unique.name and not _follows(
                naming.unique, unique.name, limit, table=table.name, columns=names(unique.columns)
            ):
                yield ctx.hit(
                    unique.id,
                    f"unique name {unique.name} on {table.name} does not follow {naming.unique}",
                    Fix("use the naming convention", _unname(table.id, "uniques", unique.id)),
                )
        for check in table.checks:
            if check.name and not _follows(naming.check, check.name, limit, table=table.name):
                # Keep the meaningful part: the explicit name becomes the template's {name}.
                new = truncate(render(naming.check, table=table.name, name=check.name), limit)
                yield ctx.hit(
                    check.id,
                    f"check name {check.name} on {table.name} does not follow {naming.check}",
                    Fix(f"rename to {new}", _rename_check(table.id, check.id, new)),
                )
    for rel in ctx.doc.relationships:
        child, parent = ctx.tables.get(rel.from_table), ctx.tables.get(rel.to_table)
        if not rel.name or child is None or parent is None:
            continue
        values = {"table": child.name, "columns": names(rel.from_columns), "referred_table": parent.name}
        if not _follows(naming.foreign_key, rel.name, limit, **values):
            yield ctx.hit(
                rel.id,
                f"foreign key name {rel.name} on {child.name} does not follow {naming.foreign_key}",
                Fix("use the naming convention", _unname_rel(rel.id)),
            )
