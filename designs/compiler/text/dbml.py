"""Design document → DBML text, losslessly.

DBML states what it can: the Project (name, database type, description), enums, tables with
column types, ``pk``/``increment``/``not null``/``unique``/``default``/``note`` settings, header
colours and notes, Indexes and checks blocks, Refs with referential actions, sticky notes and
table groups (for areas). What it cannot hold rides in ``// @dbstudio <kind> {json}`` comments
(see docs/dbml.md): on the line of the element it belongs to, or on a line of its own for whole
objects DBML has no place for. A directive holds the id and only what differs from what the line
implies, computed with the parser's own ``*_data`` functions, so ``parse_dbml(print_dbml(doc))``
gives the document back exactly.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from ..document import Column, ColumnType, Document, Enum, Index, Model, Relationship, Table
from ..parse.dbml import (
    DESIGN_KEYS,
    TARGET_NAMES,
    Context,
    area_data,
    column_data,
    design_data,
    enum_data,
    index_data,
    note_data,
    ref_data,
    table_data,
)
from ..parse.dbml_lexer import DIRECTIVE, Directive, Token, escape
from ..parse.dbml_syntax import (
    CheckDef,
    ColumnDef,
    Endpoint,
    EnumDef,
    GroupDef,
    IndexDef,
    NoteDef,
    ProjectDef,
    RefDef,
    Setting,
    TableDef,
)

INDENT = "  "
_BARE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BARE_TYPE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\([0-9]+(?:,[0-9]+)*\))?(?:\[\])*")
# Words that start a statement or a block line in DBML; quoted when they are names, to stay unambiguous.
KEYWORDS = {"project", "table", "tablepartial", "enum", "ref", "tablegroup", "note", "indexes", "checks", "as",
            "null", "true", "false", "records"}
ACTION_WORDS = {"cascade": "cascade", "restrict": "restrict", "set_null": "set null", "set_default": "set default"}


def print_dbml(doc: Document) -> str:
    """The document as DBML text that ``parse_dbml`` reads back to the same document."""
    ctx = Context(target=doc.settings.target,
                  enums={(f"{e.schema_}.{e.name}" if e.schema_ else e.name): e.id for e in doc.enums})
    lines = _project(doc)
    for enum in doc.enums:
        lines += ["", *_enum(enum, ctx)]
    for table in doc.tables:
        lines += ["", *_table(doc, table, ctx)] if table.columns else [_directive("table", _dump(table), "")]
    lines += _refs(doc)
    for note in doc.notes:
        ndef = NoteDef(note.id, note.text)
        lines += ["", f"Note {name_token(note.id)} {{{_trail('note', _diff(note, note_data(ndef)))}",
                  f"{INDENT}{escape(note.text, chr(39))}", "}"]
    used: set[str] = set()
    for area in doc.areas:
        if area.name in used:
            lines.append(_directive("area", _dump(area), ""))
            continue
        used.add(area.name)
        settings = [Setting("color", _token("COLOR", area.color))] if area.color else []
        implied = area_data(GroupDef(area.name, settings), Context())
        lines += ["", f"TableGroup {name_token(area.name)}{_settings(settings)} {{"
                  f"{_trail('area', _diff(area, implied))}", "}"]
    for kind, items in (("access_pattern", doc.access_patterns), ("role", doc.security.roles),
                        ("grant", doc.security.grants), ("policy", doc.security.policies)):
        lines += [_directive(kind, _dump(item), "") for item in items]
    return "\n".join(lines).lstrip("\n") + "\n"


# -- tokens ------------------------------------------------------------------------------------


def name_token(name: str) -> str:
    """An identifier: bare when plain, else in double quotes with escapes."""
    return name if _BARE.fullmatch(name) and name.lower() not in KEYWORDS else escape(name, '"')


def qualified(name: str, schema: str | None) -> str:
    return f"{name_token(schema)}.{name_token(name)}" if schema else name_token(name)


def _token(kind: str, value: Any) -> Token:
    return Token(kind, str(value), 0, 0, 0)


def _value(token: Token) -> str:
    if token.kind == "STRING":
        return escape(token.value, "'")
    if token.kind == "QUOTED":
        return escape(token.value, '"')
    if token.kind == "EXPR":
        return f"`{token.value}`"
    return token.value


def _settings(settings: list[Setting]) -> str:
    if not settings:
        return ""
    parts = [s.key if s.value is None else f"{s.key}: {_value(s.value)}" for s in settings]
    return " [" + ", ".join(parts) + "]"


def type_text(ctype: ColumnType, doc: Document) -> tuple[str, str]:
    """How a column type reads in DBML, and as the parser hands it on (quotes removed).

    What this cannot carry (unsigned, raw SQL for other dialects, ...) goes into the column directive.
    """
    suffix = "[]" * ctype.array
    if ctype.name == "enum":
        enum = doc.enum(ctype.enum or "")
        if enum is None:
            return "enum" + suffix, "enum" + suffix
        plain = f"{enum.schema_}.{enum.name}" if enum.schema_ else enum.name
        return qualified(enum.name, enum.schema_) + suffix, plain + suffix
    if ctype.name == "raw":
        raw = ctype.raw or {}
        text = raw.get(doc.settings.target) or next(iter(raw.values()), "raw")
        return (text if _BARE_TYPE.fullmatch(text) and text.lower() not in KEYWORDS else escape(text, '"')), text
    params = [ctype.length] if ctype.length is not None else [ctype.precision, ctype.scale]
    args = ",".join(str(p) for p in params if p is not None)
    text = (f"{ctype.name}({args})" if args else ctype.name) + suffix
    return text, text


def literal_token(value: Any) -> Token | None:
    """A default literal as a DBML value token; None when DBML cannot write it."""
    if isinstance(value, bool) or value is None:
        return _token("WORD", {True: "true", False: "false", None: "null"}[value])
    if isinstance(value, int):
        return _token("NUMBER", value)
    if isinstance(value, float):
        text = repr(value)
        return _token("NUMBER", text) if math.isfinite(value) and re.fullmatch(r"-?[0-9.e+-]+", text) else None
    return _token("STRING", value)


# -- directives --------------------------------------------------------------------------------


def _dump(model: Model) -> dict[str, Any]:
    return model.model_dump(mode="json", by_alias=True, exclude_defaults=True)


def _diff(actual: Model, implied: dict[str, Any], keys: tuple[str, ...] | None = None,
          skip: tuple[str, ...] = (), force_id: bool = True) -> dict[str, Any]:
    """The fields of ``actual`` that ``implied`` gets wrong, plus the id, in their shortest exact form."""
    try:
        guess = type(actual).model_validate(implied).model_dump(mode="json", by_alias=True)
    except ValueError:
        guess = {}
    full, minimal = actual.model_dump(mode="json", by_alias=True), _dump(actual)
    return {
        key: minimal.get(key, value) for key, value in full.items()
        if (keys is None or key in keys) and key not in skip
        and ((key == "id" and force_id) or guess.get(key, object()) != value)
    }


def _json(data: dict[str, Any]) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # Keep the comment on one line and free of invisible characters whatever a value holds.
    return "".join(ch if ch.isprintable() or ch == " " else json.dumps(ch)[1:-1] for ch in text)


def _directive(kind: str, data: dict[str, Any], indent: str = INDENT) -> str:
    return f"{indent}// {DIRECTIVE} {kind} {_json(data)}"


def _trail(kind: str, data: dict[str, Any]) -> str:
    return f" // {DIRECTIVE} {kind} {_json(data)}" if data else ""


# -- blocks ------------------------------------------------------------------------------------


def _project(doc: Document) -> list[str]:
    database_type = TARGET_NAMES[doc.settings.target]
    project = ProjectDef(doc.name, {"database_type": _token("STRING", database_type)}, doc.description)
    implied = Document.model_validate(design_data(project, Context()))
    full, minimal, guess = (doc.model_dump(mode="json", by_alias=True), _dump(doc),
                            implied.model_dump(mode="json", by_alias=True))
    design = {k: minimal.get(k, v) for k, v in full.items() if k in DESIGN_KEYS and guess.get(k) != v}
    lines = [f"Project {name_token(doc.name)} {{{_trail('design', design)}",
             f"{INDENT}database_type: {escape(database_type, chr(39))}"]
    if doc.description is not None:
        lines.append(f"{INDENT}Note: {escape(doc.description, chr(39))}")
    return [*lines, "}"]


def _enum(enum: Enum, ctx: Context) -> list[str]:
    edef = EnumDef(enum.schema_, enum.name, [(v, []) for v in enum.values])
    head = f"Enum {qualified(enum.name, enum.schema_)} {{{_trail('enum', _diff(enum, enum_data(edef, ctx)))}"
    return [head, *[f"{INDENT}{escape(v, chr(34))}" for v in enum.values], "}"]


def _column_settings(table: Table, column: Column, inline_pk: str | None, inline_unique: set[str]) -> list[Setting]:
    settings: list[Setting] = []
    if column.id == inline_pk:
        settings.append(Setting("pk"))
    if column.identity is not None:
        settings.append(Setting("increment"))
    if not column.nullable and column.id != inline_pk:
        settings.append(Setting("not null"))
    if column.id in inline_unique:
        settings.append(Setting("unique"))
    default = column.default
    if default is not None:
        token = (literal_token(default.value) if default.kind == "literal" else
                 _token("EXPR", default.value) if "`" not in str(default.value) else None)
        if token is not None:
            settings.append(Setting("default", token))
    if column.comment is not None:
        settings.append(Setting("note", _token("STRING", column.comment)))
    return settings


def _table(doc: Document, table: Table, ctx: Context) -> list[str]:
    from ..parse.mermaid import table_slug

    tslug = table_slug(table.name, table.schema_)
    pk = table.primary_key
    inline_pk = pk.columns[0] if pk and len(pk.columns) == 1 and pk.name is None else None
    inline_unique: set[str] = set()
    block_uniques = []
    for unique in table.uniques:
        if (len(unique.columns) == 1 and unique.name is None and not unique.nulls_not_distinct
                and unique.columns[0] not in inline_unique and table.column(unique.columns[0])):
            inline_unique.add(unique.columns[0])
        else:
            block_uniques.append(unique)
    settings = [Setting("headercolor", _token("COLOR", table.color))] if table.color else []
    tdef = TableDef(table.schema_, table.name, settings=settings, note=table.comment)
    body: list[str] = []
    for column in table.columns:
        text, parsed = type_text(column.type, doc)
        cdef = ColumnDef(column.name, parsed, _column_settings(table, column, inline_pk, inline_unique))
        diff = _diff(column, column_data(cdef, tslug, ctx))
        cdef.directive = Directive("column", diff, 0, 0, True)
        tdef.body.append(cdef)
        body.append(f"{INDENT}{name_token(column.name)} {text}{_settings(cdef.settings)}{_trail('column', diff)}")
    names = {c.id: c.name for c in table.columns}
    by_name = {c.name: c.id for c in table.columns}
    scratch = Context(target=ctx.target, enums=ctx.enums)  # what the implied data would warn is not news here
    index_lines: list[str] = []
    if pk and inline_pk is None:
        pk_settings = [Setting("pk")] + ([Setting("name", _token("STRING", pk.name))] if pk.name else [])
        tdef.indexes.append(IndexDef([("column", names.get(c, c)) for c in pk.columns], pk_settings))
        index_lines.append(_index_text(tdef.indexes[-1], ""))
    for number, unique in enumerate(block_uniques, 1):
        line = IndexDef([("column", names.get(c, c)) for c in unique.columns],
                        [Setting("unique")] + ([Setting("name", _token("STRING", unique.name))] if unique.name else []))
        line.directive = Directive("unique", {}, 0, 0, True)
        line.directive.data = _diff(unique, index_data(line, number, tslug, by_name, scratch)[1])
        tdef.indexes.append(line)
        index_lines.append(_index_text(line, _trail("unique", line.directive.data)))
    for number, index in enumerate(table.indexes, 1):
        line = _index_def(index, names)
        diff = _diff(index, index_data(line, number, tslug, by_name, scratch)[1])
        line.directive = Directive("index", diff, 0, 0, True)
        tdef.indexes.append(line)
        index_lines.append(_index_text(line, _trail("index", diff)))
    check_lines: list[str] = []
    for number, check in enumerate(table.checks, 1):
        expression = check.expression if "`" not in check.expression else check.expression.replace("`", "'")
        cline = CheckDef(expression, [Setting("name", _token("STRING", check.name))] if check.name else [])
        implied = {"id": f"k_{tslug}.{number}", "name": check.name, "expression": expression}
        cline.directive = Directive("check", _diff(check, implied), 0, 0, True)
        tdef.checks.append(cline)
        trail = _trail("check", cline.directive.data)
        check_lines.append(f"{INDENT * 2}`{expression}`{_settings(cline.settings)}{trail}")
    implied_table, _ = table_data(tdef, Context(target=ctx.target, enums=ctx.enums), list(tdef.body), [])
    diff = _diff(table, implied_table, skip=("columns",))
    lines = [f"Table {qualified(table.name, table.schema_)}{_settings(settings)} {{{_trail('table', diff)}", *body]
    if index_lines:
        lines += ["", f"{INDENT}Indexes {{", *index_lines, f"{INDENT}}}"]
    if check_lines:
        lines += ["", f"{INDENT}checks {{", *check_lines, f"{INDENT}}}"]
    if table.comment is not None:
        lines += ["", f"{INDENT}Note: {escape(table.comment, chr(39))}"]
    return [*lines, "}"]


def _index_def(index: Index, names: dict[str, str]) -> IndexDef:
    keys: list[tuple[str, str]] = []
    for key in index.columns:
        if key.column is not None:
            keys.append(("column", names.get(key.column, key.column)))
        else:
            keys.append(("expression", (key.expression or "").replace("`", "'")))
    settings: list[Setting] = []
    if index.unique:
        settings.append(Setting("unique"))
    if index.name is not None:
        settings.append(Setting("name", _token("STRING", index.name)))
    if index.method != "btree":
        settings.append(Setting("type", _token("WORD", index.method)))
    if index.comment is not None:
        settings.append(Setting("note", _token("STRING", index.comment)))
    return IndexDef(keys, settings)


def _index_text(line: IndexDef, trail: str) -> str:
    keys = [f"`{v}`" if k == "expression" else name_token(v) for k, v in line.keys]
    shown = keys[0] if len(keys) == 1 and line.keys[0][0] == "column" else "(" + ", ".join(keys) + ")"
    return f"{INDENT * 2}{shown}{_settings(line.settings)}{trail}"


def _refs(doc: Document) -> list[str]:
    """One Ref per relationship DBML can state; the rest (no columns, repeated endpoints) as directives."""
    lines: list[str] = []
    seen: set[frozenset[tuple[str, tuple[str, ...]]]] = set()
    for rel in doc.relationships:
        child, parent = doc.table(rel.from_table), doc.table(rel.to_table)
        ends = frozenset({(rel.from_table, tuple(rel.from_columns)), (rel.to_table, tuple(rel.to_columns))})
        if (child is None or parent is None or not rel.from_columns or len(rel.from_columns) != len(rel.to_columns)
                or len(ends) < 2 or ends in seen):
            lines.append(_directive("relationship", _dump(rel), ""))
            continue
        seen.add(ends)
        lines.append(_ref(rel, child, parent))
    return ([""] if lines else []) + lines


def _ref(rel: Relationship, child: Table, parent: Table) -> str:
    many = ("zero_or_many", "one_or_many")
    op = {(True, False): ">", (False, False): "-", (True, True): "<>", (False, True): "-"}[
        (rel.from_cardinality in many, rel.to_cardinality in many)]
    settings = [Setting(key, _token("WORD", ACTION_WORDS[action])) for key, action in
                (("delete", rel.on_delete), ("update", rel.on_update)) if action != "no_action"]
    cnames = {c.id: c.name for c in child.columns}
    pnames = {c.id: c.name for c in parent.columns}
    left = Endpoint(child.schema_, child.name, [cnames.get(c, c) for c in rel.from_columns])
    right = Endpoint(parent.schema_, parent.name, [pnames.get(c, c) for c in rel.to_columns])
    ref = RefDef(rel.name, left, op, right, settings)
    implied = ref_data(ref, child, rel.from_columns, parent, rel.to_columns, True)
    name = f" {name_token(rel.name)}" if rel.name is not None else ""
    return f"Ref{name}: {_endpoint(left)} {op} {_endpoint(right)}{_settings(settings)}" \
           f"{_trail('relationship', _diff(rel, implied))}"


def _endpoint(end: Endpoint) -> str:
    columns = end.columns
    shown = name_token(columns[0]) if len(columns) == 1 else "(" + ", ".join(name_token(c) for c in columns) + ")"
    return f"{qualified(end.table, end.schema)}.{shown}"
