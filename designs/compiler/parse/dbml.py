"""DBML text → design document.

Reads DBML as people write it (Project, Table with aliases and settings, TablePartial, columns
with inline refs, Indexes and checks blocks, Ref in short, long and composite forms, Enum,
TableGroup, sticky Note) and the lossless form ``text/dbml.py`` prints, whose
``// @dbstudio <kind> {json}`` comments carry what DBML cannot say (see docs/dbml.md).

Stages: ``dbml_lexer`` makes tokens and collects directives, ``dbml_syntax`` makes statements,
and this module turns statements into a document. The ``*_data`` functions say what a statement
implies before its directive; the printer calls the same functions, so a directive holds exactly
what the text does not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pydantic

from ..document import (
    PORTABLE_TYPES,
    AccessPattern,
    Area,
    Column,
    ColumnType,
    Document,
    Enum,
    Grant,
    Model,
    Note,
    Policy,
    Relationship,
    Role,
    Settings,
    Table,
)
from ..validate import check
from .dbml_lexer import Directive, Token
from .dbml_syntax import ColumnDef, EnumDef, GroupDef, IndexDef, NoteDef, ProjectDef, RefDef, Setting, Syntax, TableDef
from .errors import ParseError, did_you_mean
from .mermaid import DEFAULT_NAME, TYPE_ALIASES, ParseResult, slug, table_slug

__all__ = ["ParseResult", "parse_dbml"]

DESIGN_KEYS = ("name", "description", "settings")
TARGET_NAMES = {"postgresql": "PostgreSQL", "mysql": "MySQL", "sqlite": "SQLite", "mssql": "SQL Server",
                "oracle": "Oracle"}
DATABASE_TYPES = {name.lower(): target for target, name in TARGET_NAMES.items()} | {
    "postgres": "postgresql", "mariadb": "mysql", "mssql": "mssql", "sqlserver": "mssql", "oracledb": "oracle",
}
ACTIONS = {"cascade": "cascade", "restrict": "restrict", "set null": "set_null", "set default": "set_default",
           "no action": "no_action"}
OPS = {  # op → (left is the child, from_cardinality, to_cardinality)
    ">": (True, "zero_or_many", "exactly_one"), "<": (False, "zero_or_many", "exactly_one"),
    "-": (True, "zero_or_one", "exactly_one"), "<>": (True, "zero_or_many", "zero_or_many"),
}
INDEX_METHODS = {"btree", "hash", "gin", "gist", "brin", "spgist", "fulltext", "spatial"}
_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
_TYPE = re.compile(r"\s*(?P<name>[^()]*?)\s*(?:\(\s*(?P<args>[^()]*?)\s*\))?\s*")
TYPE_NAMES = TYPE_ALIASES | {"number": "numeric", "nvarchar2": "varchar", "varchar2": "varchar", "clob": "text",
                             "tinytext": "text", "mediumtext": "text", "longtext": "text", "bit": "boolean",
                             "datetime2": "timestamp", "float64": "double", "int64": "bigint", "int32": "integer"}


@dataclass
class Context:
    """What the statements need from each other: the target and the enums by the name a type uses."""

    target: str = "postgresql"
    enums: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def warn(self, message: str, token: Token | None) -> None:
        self.warnings.append(f"line {token.line}: {message}" if token and token.line else message)


def parse_dbml(text: str) -> ParseResult:
    """Parse DBML text into a design document, with warnings for what could not be kept.

    Raises ``ParseError`` (1-based line and column, with a hint where one helps) for text that is
    not DBML and for malformed ``// @dbstudio`` directives.
    """
    syntax = Syntax(text.replace("\r\n", "\n"))
    statements = syntax.parse()
    ctx = Context(warnings=syntax.warnings)
    document = build(statements, ctx)
    return ParseResult(document, ctx.warnings)


# -- what one statement implies ------------------------------------------------------------------


def settings_of(settings: list[Setting]) -> dict[str, Setting]:
    return {s.key: s for s in settings}


def literal(token: Token) -> Any:
    """A DBML value token as JSON data: numbers, true/false/null, strings."""
    if token.kind == "NUMBER":
        text = token.value
        return float(text) if any(ch in text for ch in ".eE") else int(text)
    if token.kind == "WORD" and token.value.lower() in ("true", "false", "null"):
        return {"true": True, "false": False, "null": None}[token.value.lower()]
    return token.value


def map_type(text: str, ctx: Context) -> tuple[dict[str, Any], str | None]:
    """A DBML column type as a document type, and a warning when it has to become raw SQL."""
    base = text
    dims = 0
    while base.endswith("[]"):
        base, dims = base[:-2], dims + 1
    if base in ctx.enums:
        return {"name": "enum", "enum": ctx.enums[base], "array": dims}, None
    match = _TYPE.fullmatch(base)
    if match:
        name = TYPE_NAMES.get(re.sub(r"\s+", " ", match.group("name").lower()))
        args = [a.strip() for a in match.group("args").split(",")] if match.group("args") is not None else []
        if name == "text" and len(args) == 1:
            name = "varchar"  # string(99), text(99): what people mean is varchar(99)
        data: dict[str, Any] = {"name": name, "array": dims}
        if name is not None and _type_args(name, args, data):
            try:
                ColumnType.model_validate(data)
                return data, None
            except pydantic.ValidationError:
                pass
    return {"name": "raw", "raw": {ctx.target: text}}, f"type {text!r} is kept as raw SQL for {ctx.target}"


def _type_args(name: str, args: list[str], data: dict[str, Any]) -> bool:
    if not args:
        return True
    if not all(re.fullmatch(r"[0-9]{1,9}", a) for a in args):
        return False
    params = PORTABLE_TYPES[name]
    if "length" in params and len(args) == 1:
        data["length"] = int(args[0])
    elif "scale" in params and len(args) in (1, 2):
        data["precision"] = int(args[0])
        if len(args) == 2:
            data["scale"] = int(args[1])
            return bool(data["scale"] <= data["precision"])
    elif params == {"precision"} and len(args) == 1:
        data["precision"] = int(args[0])
    else:
        return False
    return True


def column_data(column: ColumnDef, tslug: str, ctx: Context) -> dict[str, Any]:
    """The column a column line states, before its directive."""
    settings = settings_of(column.settings)
    data: dict[str, Any] = {"id": f"c_{tslug}.{slug(column.name)}", "name": column.name,
                            "type": map_type(column.type_text, ctx)[0]}
    if "not null" in settings or "pk" in settings or "primary key" in settings:
        data["nullable"] = False
    if "null" in settings:
        data["nullable"] = True
    if "increment" in settings:
        data["identity"] = {}
    if "default" in settings and settings["default"].value is not None:
        token = settings["default"].value
        data["default"] = ({"kind": "expression", "value": token.value} if token.kind == "EXPR"
                           else {"kind": "literal", "value": literal(token)})
    if "note" in settings and settings["note"].value is not None:
        data["comment"] = settings["note"].value.value
    return data


def index_data(
    line: IndexDef, number: int, tslug: str, columns: dict[str, str], ctx: Context
) -> tuple[str, dict[str, Any]]:
    """("primary_key" | "unique" | "index", data) for one line of an Indexes block, before its directive.

    ``columns`` maps column names to ids (``_known_columns`` has refused unknown names, unless the line's
    directive gives the columns by id).
    An index type DB Studio does not know, or a unique index of a type that cannot enforce uniqueness
    (DBML allows ``[type: hash, unique]``; PostgreSQL builds unique indexes with btree only), becomes
    a btree index, with a warning: the uniqueness is the design's meaning, the type a tuning choice.
    """
    settings = settings_of(line.settings)
    name = _text(settings.get("name"))
    ids = [columns.get(value, value) for kind, value in line.keys if kind == "column"]
    if "pk" in settings:
        return "primary_key", {"columns": ids, "name": name}
    if line.directive is not None and line.directive.kind == "unique":
        return "unique", {"id": f"u_{tslug}.{number}", "name": name, "columns": ids}
    method = (_text(settings.get("type")) or "btree").lower()
    unique = "unique" in settings
    where = settings["type"].token if "type" in settings else line.token
    if method not in INDEX_METHODS:
        ctx.warn(f"index type {method!r} is unknown; the index is a btree index", where)
        method = "btree"
    elif unique and method != "btree":
        ctx.warn(f"a {method} index cannot be unique; the unique index is a btree index", where)
        method = "btree"
    data = {
        "id": f"i_{tslug}.{number}", "name": name, "unique": unique, "method": method,
        "columns": [{"column": columns.get(v, v)} if k == "column" else {"expression": v} for k, v in line.keys],
        "comment": _text(settings.get("note")),
    }
    return "index", data


def _text(setting: Setting | None) -> str | None:
    return setting.value.value if setting is not None and setting.value is not None else None


def design_data(project: ProjectDef | None, ctx: Context) -> dict[str, Any]:
    """The name, description and target a Project block states."""
    if project is None:
        return {"name": DEFAULT_NAME}
    data: dict[str, Any] = {"name": project.name or DEFAULT_NAME, "description": project.note}
    if "note" in project.settings:
        data["description"] = project.settings["note"].value
    token = project.settings.get("database_type")
    if token is not None:
        target = DATABASE_TYPES.get(token.value.lower().replace(" ", ""), DATABASE_TYPES.get(token.value.lower()))
        if target is None:
            ctx.warn(f"database type {token.value!r} is unknown; the target stays postgresql", token)
        else:
            data["settings"] = {"target": target}
    for key, value in project.settings.items():
        if key not in ("database_type", "note"):
            ctx.warn(f"project setting {key!r} is not kept", value)
    return data


def enum_data(enum: EnumDef, ctx: Context) -> dict[str, Any]:
    for value, settings in enum.values:
        if settings:
            ctx.warn(f"the settings of enum value {value!r} are not kept", enum.token)
    return {"id": f"e_{table_slug(enum.name, enum.schema)}", "name": enum.name, "schema": enum.schema,
            "values": [value for value, _ in enum.values]}


def note_data(note: NoteDef) -> dict[str, Any]:
    return {"id": note.name if _ID.fullmatch(note.name) else f"n_{slug(note.name)}", "text": note.text}


def area_data(group: GroupDef, ctx: Context) -> dict[str, Any]:
    settings = settings_of(group.settings)
    if group.members and group.directive is None:
        ctx.warn(f"the tables of group {group.name!r} are not kept (an area has no members)", group.token)
    if "note" in settings:
        ctx.warn(f"the note of group {group.name!r} is not kept", group.token)
    return {"id": f"a_{slug(group.name)}", "name": group.name, "color": _color(settings.get("color"), ctx)}


def _color(setting: Setting | None, ctx: Context) -> str | None:
    if setting is None or setting.value is None:
        return None
    value = setting.value.value
    if re.fullmatch(r"#[0-9a-fA-F]{3}", value):
        return "#" + "".join(ch * 2 for ch in value[1:])
    if re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        return str(value)
    ctx.warn(f"colour {value!r} is not a #rrggbb colour; not kept", setting.value)
    return None


def ref_data(ref: RefDef, child: Table, child_columns: list[str], parent: Table, parent_columns: list[str],
             left_is_child: bool) -> dict[str, Any]:
    """The relationship a Ref states, before its directive (``left_is_child`` already follows the op)."""
    _, from_card, to_card = OPS[ref.op]
    settings = settings_of(ref.settings)
    data: dict[str, Any] = {
        "id": f"r_{table_slug(child.name, child.schema_)}_{table_slug(parent.name, parent.schema_)}",
        "name": ref.name, "from_table": child.id, "from_columns": child_columns, "to_table": parent.id,
        "to_columns": parent_columns, "from_cardinality": from_card, "to_cardinality": to_card,
    }
    for key in ("delete", "update"):
        action = _text(settings.get(key))
        if action is not None:
            data[f"on_{key}"] = ACTIONS.get(re.sub(r"\s+", " ", action.lower()), action)
    return data


# -- statements → document -------------------------------------------------------------------------

_OBJECTS: dict[str, tuple[type[Model], str]] = {
    "enum": (Enum, "enums"), "table": (Table, "tables"), "relationship": (Relationship, "relationships"),
    "note": (Note, "notes"), "area": (Area, "areas"), "access_pattern": (AccessPattern, "access_patterns"),
    "role": (Role, "roles"), "grant": (Grant, "grants"), "policy": (Policy, "policies"),
}


def validated(model: type[Any], data: dict[str, Any], where: Token | Directive | None) -> Any:
    """``model`` from ``data``; a ParseError at the directive (or else the token) when it is invalid."""
    try:
        return model.model_validate(data)
    except (pydantic.ValidationError, TypeError, ValueError) as exc:
        if isinstance(exc, pydantic.ValidationError):
            error = exc.errors(include_url=False)[0]
            path = ".".join(str(p) for p in error["loc"])
            message = f"{path}: {error['msg']}" if path else str(error["msg"])
        else:
            message = str(exc)
        if isinstance(where, Directive):
            raise where.error(message) from None
        raise error_at(where, f"invalid {model.__name__.lower()}: {message}") from None


def error_at(token: Token | None, message: str, hint: str | None = None) -> ParseError:
    """A ParseError at ``token``, or at the start of the text when the statement has no token."""
    line, column = (token.line, token.column) if token is not None else (1, 1)
    return ParseError(message, line, column, hint=hint)


def _apply(data: dict[str, Any], directive: Directive | None, *forbidden: str) -> dict[str, Any]:
    if directive is None:
        return data
    for key in forbidden:
        if key in directive.data:
            raise directive.error(f"{key!r} is given by the text, not the directive")
    return data | directive.data


def build(statements: list[Any], ctx: Context) -> Document:
    """Turn statements into a document; what cannot be kept becomes a warning."""
    projects = [s for s in statements if isinstance(s, ProjectDef)]
    if len(projects) > 1:
        second = projects[1].token
        raise ParseError("only one Project block is allowed", second.line if second else 1,
                         second.column if second else 1)
    project = projects[0] if projects else None
    data = design_data(project, ctx)
    design = project.directive if project else None
    design = design or next((s for s in statements if isinstance(s, Directive) and s.kind == "design"), None)
    if design is not None:
        unknown = sorted(set(design.data) - set(DESIGN_KEYS))
        if unknown:
            raise design.error(f"the design directive takes only {', '.join(DESIGN_KEYS)}, not {unknown[0]!r}")
        data.update(design.data)
    ctx.target = validated(Settings, data.get("settings") or {}, design or (project.token if project else None)).target
    lists: dict[str, list[Any]] = {key: [] for _, key in _OBJECTS.values()}
    for statement in statements:  # enums first: column types refer to them
        if isinstance(statement, EnumDef):
            enum_json = _apply(enum_data(statement, ctx), statement.directive, "values")
            lists["enums"].append(validated(Enum, enum_json, statement.directive or statement.token))
        elif isinstance(statement, Directive) and statement.kind == "enum":
            lists["enums"].append(validated(Enum, statement.data, statement))
    for enum in lists["enums"]:
        ctx.enums[f"{enum.schema_}.{enum.name}" if enum.schema_ else enum.name] = enum.id
    partials = {s.name: s for s in statements if isinstance(s, TableDef) and s.partial}
    tables = _Tables(ctx, partials)
    refs: list[tuple[int, Any]] = []
    for statement in statements:
        if isinstance(statement, TableDef) and not statement.partial:
            table, inline = tables.add(statement)
            lists["tables"].append(table)
            refs += inline
        elif isinstance(statement, RefDef):
            refs.append((statement.token.line if statement.token else 0, statement))
        elif isinstance(statement, Directive) and statement.kind in _OBJECTS and statement.kind != "enum":
            model, key = _OBJECTS[statement.kind]
            item = validated(model, statement.data, statement)
            if key == "relationships":
                refs.append((statement.line, item))
            else:
                lists[key].append(item)
                if key == "tables":
                    tables.known(item, None)
        elif isinstance(statement, NoteDef):
            lists["notes"].append(validated(Note, _apply(note_data(statement), statement.directive, "text"),
                                            statement.directive or statement.token))
        elif isinstance(statement, GroupDef):
            lists["areas"].append(validated(Area, _apply(area_data(statement, ctx), statement.directive),
                                            statement.directive or statement.token))
    seen: set[str] = set()
    for _, ref in sorted(refs, key=lambda item: item[0]):
        rel = ref if isinstance(ref, Relationship) else tables.relationship(ref, seen)
        seen.add(rel.id)
        lists["relationships"].append(rel)
    data |= {key: value for key, value in lists.items() if key not in ("roles", "grants", "policies")}
    data["security"] = {key: lists[key] for key in ("roles", "grants", "policies")}
    document: Document = validated(Document, data, None)
    ctx.warnings += [f"design problem: {problem}" for problem in check(document)]
    return document


class _Tables:
    """Builds tables (expanding partials) and resolves the table and column names Refs use."""

    def __init__(self, ctx: Context, partials: dict[str, TableDef]):
        self.ctx = ctx
        self.partials = partials
        self.by_name: dict[tuple[str | None, str], Table] = {}

    def known(self, table: Table, alias: str | None) -> None:
        self.by_name[(table.schema_, table.name)] = table
        if alias:
            self.by_name.setdefault((None, alias), table)

    def lookup(self, schema: str | None, name: str, token: Token | None) -> Table:
        table = self.by_name.get((schema, name))
        if table is None and schema in (None, "public"):
            table = self.by_name.get(("public" if schema is None else None, name))
        if table is None:
            shown = f"{schema}.{name}" if schema else name
            names = [f"{s}.{n}" if s else n for s, n in self.by_name]
            hint = did_you_mean(shown, names) or "define the table with Table"
            raise error_at(token, f"no table named {shown!r}", hint)
        return table

    def columns(self, tdef: TableDef) -> list[ColumnDef]:
        """The table's columns with partials injected; the table's own columns win over a partial's."""
        own = {c.name for c in tdef.body if isinstance(c, ColumnDef)}
        out: list[ColumnDef] = []
        for item in tdef.body:
            if isinstance(item, ColumnDef):
                out.append(item)
                continue
            partial = self.partials.get(item[1])
            if partial is None:
                raise ParseError(f"no TablePartial named {item[1]!r}", item[2].line, item[2].column)
            out += [c for c in self.columns(partial) if c.name not in own]
        kept: dict[str, ColumnDef] = {}
        for column in out:
            kept[column.name] = column  # a later partial's column replaces an earlier one
        return [c for c in out if kept[c.name] is c]

    def add(self, tdef: TableDef) -> tuple[Table, list[tuple[int, Any]]]:
        if (tdef.schema, tdef.name) in self.by_name:
            assert tdef.token is not None
            raise ParseError(f"table {tdef.name!r} is defined twice", tdef.token.line, tdef.token.column)
        data, inline = table_data(tdef, self.ctx, self.columns(tdef), [p for p in self._partials(tdef)])
        data = _apply(data, tdef.directive, "columns")
        table = validated(Table, data, tdef.directive or tdef.token)
        self.known(table, tdef.alias)
        return table, [(line, (table, name, ref)) for line, name, ref in inline]

    def _partials(self, tdef: TableDef) -> list[TableDef]:
        return [self.partials[item[1]] for item in tdef.body if not isinstance(item, ColumnDef)]

    def relationship(self, ref: Any, seen: set[str]) -> Relationship:
        if isinstance(ref, tuple):  # an inline ref: ``ref: > other.column`` on a column of ``table``
            table, column_name, inline = ref
            ref = RefDef(None, _endpoint(table, column_name), inline.op, inline.right, [], None, inline.token)
        left_child = OPS[ref.op][0]
        child_end, parent_end = (ref.left, ref.right) if left_child else (ref.right, ref.left)
        child = self.lookup(child_end.schema, child_end.table, child_end.token)
        parent = self.lookup(parent_end.schema, parent_end.table, parent_end.token)
        if ref.op == "<>" and ref.directive is None:
            self.ctx.warn(f"{child.name} and {parent.name} are many-to-many; a join table is needed", ref.token)
        data = ref_data(ref, child, self._ids(child, child_end), parent, self._ids(parent, parent_end), left_child)
        base, n = data["id"], 1
        while data["id"] in seen:
            n += 1
            data["id"] = f"{base}_{n}"
        rel: Relationship = validated(Relationship, _apply(data, ref.directive), ref.directive or ref.token)
        return rel

    def _ids(self, table: Table, end: Any) -> list[str]:
        ids = []
        for name in end.columns:
            column = next((c for c in table.columns if c.name == name), None)
            if column is None:
                hint = did_you_mean(name, [c.name for c in table.columns])
                raise error_at(end.token, f"no column {name!r} in table {table.name!r}", hint)
            ids.append(column.id)
        return ids


def _endpoint(table: Table, column: str) -> Any:
    from .dbml_syntax import Endpoint

    return Endpoint(table.schema_, table.name, [column])


def table_data(tdef: TableDef, ctx: Context, columns: list[ColumnDef],
               partials: list[TableDef]) -> tuple[dict[str, Any], list[tuple[int, str, RefDef]]]:
    """The table a Table block states (its parts' directives applied), before the table's own directive.

    Also returns the inline refs as (line, column name, ref) for resolving once every table is known.
    """
    tslug = table_slug(tdef.name, tdef.schema)
    settings = settings_of(tdef.settings)
    built: list[Column] = []
    primary: list[str] = []
    uniques: list[dict[str, Any]] = []
    checks: list[dict[str, Any]] = []
    inline: list[tuple[int, str, RefDef]] = []
    seen: set[str] = set()
    for cdef in columns:
        if cdef.name in seen:
            raise error_at(cdef.token or tdef.token, f"column {cdef.name!r} appears twice in {tdef.name!r}")
        seen.add(cdef.name)
        column = validated(Column, _apply(column_data(cdef, tslug, ctx), cdef.directive), cdef.directive or cdef.token)
        if cdef.directive is None and map_type(cdef.type_text, ctx)[1]:
            ctx.warn(str(map_type(cdef.type_text, ctx)[1]), cdef.token)
        built.append(column)
        csettings = settings_of(cdef.settings)
        if "pk" in csettings or "primary key" in csettings:
            primary.append(column.id)
        if "unique" in csettings:
            uniques.append({"id": f"u_{tslug}.{slug(cdef.name)}", "columns": [column.id]})
        if "check" in csettings and csettings["check"].value is not None:
            checks.append({"id": f"k_{tslug}.{len(checks) + 1}", "expression": csettings["check"].value.value})
        if "ref" in csettings and isinstance(csettings["ref"].value, RefDef):
            inline.append((cdef.token.line if cdef.token else 0, column.name, csettings["ref"].value))
        for key in csettings:
            if key not in COLUMN_SETTINGS:
                ctx.warn(f"column setting {key!r} is not kept", csettings[key].token)
    by_name = {c.name: c.id for c in built}
    data: dict[str, Any] = {"id": f"t_{tslug}", "name": tdef.name, "schema": tdef.schema, "columns": built}
    primary_key: dict[str, Any] | None = {"columns": primary} if primary else None
    indexes: list[dict[str, Any]] = []
    counts = {"unique": 0, "index": 0}
    for line in [i for p in partials for i in p.indexes] + tdef.indexes:
        kind = "unique" if line.directive is not None and line.directive.kind == "unique" else "index"
        counts[kind] += 1
        _known_columns(line, tdef, by_name)
        kind, item = index_data(line, counts[kind], tslug, by_name, ctx)
        if kind == "primary_key":
            primary_key = _apply(item, line.directive)
        else:
            (uniques if kind == "unique" else indexes).append(_apply(item, line.directive))
    if primary_key is not None and not primary:
        # A key given in the Indexes block makes its columns NOT NULL, as a column's ``pk`` does.
        plain = {c.name for c in columns if c.directive is None and "null" not in settings_of(c.settings)}
        built = [c.model_copy(update={"nullable": False}) if c.id in primary_key["columns"] and c.name in plain
                 else c for c in built]
        data["columns"] = built
    for check_line in tdef.checks:
        item = {"id": f"k_{tslug}.{len(checks) + 1}", "name": _text(settings_of(check_line.settings).get("name")),
                "expression": check_line.expression}
        checks.append(_apply(item, check_line.directive))
    note = tdef.note if tdef.note is not None else _text(settings.get("note"))
    note = note if note is not None else next((p.note for p in partials if p.note is not None), None)
    data |= {"primary_key": primary_key, "uniques": uniques, "checks": checks, "indexes": indexes, "comment": note,
             "color": _color(settings.get("headercolor"), ctx)}
    return data, inline


def _known_columns(line: IndexDef, tdef: TableDef, columns: dict[str, str]) -> None:
    """A line of an Indexes block naming a column its table lacks is an error at that line.

    Unless the line's directive gives the columns itself (lossless text names them by id there).
    """
    if line.directive is not None and "columns" in line.directive.data:
        return
    for kind, name in line.keys:
        if kind == "column" and name not in columns:
            raise error_at(
                line.token or tdef.token,
                f"the index names column {name!r}, which table {tdef.name!r} does not have",
                did_you_mean(name, columns),
            )


COLUMN_SETTINGS = {"pk", "primary key", "not null", "null", "increment", "unique", "default", "note", "ref", "check"}
