"""SQL DDL scripts (PostgreSQL, MySQL/MariaDB, SQLite) → design document, offline.

    result = parse_sql(text, "postgresql")    # result.document, result.warnings

The script is split into statements as the engine's client would (``sql_split``). Each statement
is classified by its leading words: tables, indexes, keys, comments, enums, domains, sequences,
partitions, row-level security and policies are modelled; everything else (functions, triggers,
views, grants, data) is skipped and reported in a summary by kind and line. sqlglot (MIT) parses
CREATE TABLE, CREATE INDEX and ALTER TABLE; a statement it rejects is a ``ParseError`` at the
line and column in the file.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import pydantic
import sqlglot
from sqlglot import exp

from ..document import Document
from ..validate import check
from .errors import ParseError, position
from .mermaid import ParseResult, slug
from .sql_model import Model, PendingKey, TableState
from .sql_pg import QNAME, PostgresStatements, domain_checks
from .sql_split import split
from .sql_types import SQLGLOT_DIALECT, map_default, map_type, sql_text

DIALECTS = ("postgresql", "mysql", "sqlite")
_ACTIONS = {"CASCADE": "cascade", "RESTRICT": "restrict", "SET NULL": "set_null", "SET DEFAULT": "set_default",
            "NO ACTION": "no_action"}
_MODIFIERS = {"OR", "REPLACE", "UNIQUE", "UNLOGGED", "TEMP", "TEMPORARY", "GLOBAL", "LOCAL", "ONLY", "IF",
              "NOT", "EXISTS", "CONCURRENTLY", "ALGORITHM", "SQL", "SECURITY", "DEFINER", "INVOKER", "FULLTEXT",
              "SPATIAL", "RECURSIVE", "TRUSTED", "PROCEDURAL", "CONSTRAINT", "DEFAULT", "ONLINE", "OFFLINE"}
_QUOTE = {"postgresql": '"', "mysql": "`", "sqlite": '"'}

_ALTER_ACTION = re.compile(rf"ALTER\s+TABLE\s+(?:ONLY\s+)?(?:IF\s+EXISTS\s+)?{QNAME}\s+(\w+(?:\s+\w+)?)", re.I)
_FUNCTION = re.compile(r"CREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+(?:\"?(\w+)\"?\.)?\"?(\w+)\"?\s*\(", re.I)
_VIRTUAL = re.compile(r"\)\s*VIRTUAL\b", re.IGNORECASE)
_VIRTUAL_COLUMN = re.compile(
    r'^\s*("[^"]+"|\w+)\s[^\n]*GENERATED\s+ALWAYS\s+AS\b[^\n]*\bVIRTUAL\b', re.IGNORECASE | re.MULTILINE
)

logging.getLogger("sqlglot").setLevel(logging.ERROR)  # "falling back to Command" is handled, not news


def kind_of(text: str) -> str:
    """The kind of a statement from its leading words: ``CREATE TABLE``, ``INSERT``, ``CREATE FUNCTION``."""
    words = re.findall(r"[A-Za-z_]+|=", text[:300])
    if not words:
        return "?"
    verb = words[0].upper()
    if verb in ("CREATE", "ALTER", "DROP"):
        rest = [w.upper() for w in words[1:8]]
        rest = [w for w in rest if w not in _MODIFIERS and w != "="]
        if verb == "CREATE" and words[1:2] and words[1].upper() == "DEFINER":
            rest = [w for w in rest if w not in ("CURRENT_USER",)][1:] if rest else rest
        noun = rest[0] if rest else ""
        if noun in ("MATERIALIZED", "EVENT", "FOREIGN") and len(rest) > 1:
            noun = f"{noun} {rest[1]}"
        return f"{verb} {noun}".strip()
    if verb == "COMMENT" and len(words) > 2:
        return f"COMMENT ON {words[2].upper()}"
    return verb


def parse_sql(text: str, dialect: str) -> ParseResult:
    """Parse an SQL script for ``dialect`` into a design. Raises ``ParseError`` with line and column."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown SQL dialect {dialect!r}; one of {', '.join(DIALECTS)}")
    return _Reader(text, dialect).read()


class _Reader:
    def __init__(self, text: str, dialect: str):
        self.text = text
        self.dialect = dialect
        self.read_as = SQLGLOT_DIALECT[dialect]
        self.model = Model(dialect)
        self.pg = PostgresStatements(self.model)
        self.virtual: set[str] = set()
        self.mysql_enums: list[tuple[dict[str, Any], list[str], TableState]] = []
        # Functions the script defines (skipped): an index over one cannot be created without it.
        self.functions: list[re.Pattern[str]] = []

    def read(self) -> ParseResult:
        statements = split(self.text, self.dialect)
        for statement in statements:
            line, column = position(self.text, statement.offset)
            if statement.client:
                self.model.skip(f"client command {statement.text.split()[0]}", line)
                continue
            self.statement(statement.text, line, column)
        data, warnings = self.model.finish()
        if not data["tables"]:
            if not statements:
                raise ParseError("no SQL statements found", 1, 1, "is the file empty?")
            raise ParseError(
                f"no CREATE TABLE statement found in {len(statements)} statement(s) read as {self.dialect}",
                *position(self.text, statements[0].offset),
                hint="is this the right dialect or file?",
            )
        return ParseResult(self._document(data), warnings)

    def statement(self, text: str, line: int, column: int) -> None:
        kind = kind_of(text)
        if self.dialect == "postgresql" and self.pg.handle(text, line):
            return
        if kind == "CREATE POLICY" and self.dialect == "postgresql":
            self.pg.policy(text, line, column)
            return
        if kind in ("CREATE TABLE", "CREATE INDEX", "ALTER TABLE"):
            tree = self.parse(text, line, column)
            if isinstance(tree, exp.Create) and kind == "CREATE TABLE" and isinstance(tree.this, exp.Schema):
                self.create_table(tree, line)
                return
            if isinstance(tree, exp.Create) and kind == "CREATE INDEX" and isinstance(tree.this, exp.Index):
                self.create_index(tree.this, bool(tree.args.get("unique")), line)
                return
            if isinstance(tree, exp.Alter):
                self.alter_table(tree, text, line)
                return
            action = _ALTER_ACTION.match(text)
            what = " ".join(action.group(1).upper().split()) if action else "(other)"
            self.model.skip(f"ALTER TABLE … {what}" if kind == "ALTER TABLE" else f"{kind} (a form not modelled)", line)
            return
        if kind == "COMMENT ON":
            self.model.skip(kind, line)
            return
        if kind == "CREATE SCHEMA":
            return  # schemas are modelled through their tables
        if kind == "CREATE FUNCTION":
            self.remember_function(text)
        self.model.skip(kind, line)

    def remember_function(self, text: str) -> None:
        match = _FUNCTION.match(text)
        if match is None:
            return
        schema, name = match.group(1), match.group(2)
        if schema:
            # Schema-qualified: calls must say the schema too (lower() is built in; public.lower() is not).
            self.functions.append(re.compile(rf"(?<![\w.]){re.escape(schema)}\.{re.escape(name)}\s*\(", re.I))
        else:
            self.functions.append(re.compile(rf"(?<![\w.]){re.escape(name)}\s*\(", re.I))

    def parse(self, text: str, line: int, column: int) -> exp.Expr | None:
        if self.dialect == "postgresql" and _VIRTUAL.search(text):
            # PostgreSQL 18's virtual generated columns: sqlglot knows only STORED (same length, so
            # positions hold); the column is marked virtual after parsing.
            self.virtual = {m.group(1).strip('"').lower() for m in _VIRTUAL_COLUMN.finditer(text)}
            text = _VIRTUAL.sub(") STORED ", text)
        try:
            return sqlglot.parse_one(text, read=self.read_as)
        except sqlglot.errors.ParseError as exc:
            error = exc.errors[0] if exc.errors else {}
            eline, ecol = int(error.get("line") or 1), int(error.get("col") or 1)
            highlight = error.get("highlight") or ""
            ecol = max(1, ecol - len(highlight) + 1)
            if eline == 1:
                ecol += column - 1
            message = str(error.get("description") or exc).split(". Line")[0]
            raise ParseError(message, line + eline - 1, ecol, f"near {highlight!r}" if highlight else None) from None
        except sqlglot.errors.SqlglotError as exc:
            raise ParseError(str(exc).splitlines()[0], line, column) from None

    # -- names -----------------------------------------------------------------------------------

    def ident(self, node: exp.Expression | None) -> str:
        if node is None:
            return ""
        if isinstance(node, exp.Identifier):
            return node.this if node.quoted or self.dialect != "postgresql" else node.this.lower()
        if isinstance(node, exp.Column | exp.Table):
            return self.ident(node.this)
        if isinstance(node, exp.Ordered):
            return self.ident(node.this)
        return node.name

    def table_key(self, table: exp.Table) -> tuple[str | None, str]:
        schema = self.ident(table.args.get("db")) if table.args.get("db") else None
        if self.dialect != "postgresql":
            schema = None  # a MySQL "schema" is the database; SQLite's is an attached file
        return self.pg.qualify(schema) if self.dialect == "postgresql" else None, self.ident(table.this)

    # -- CREATE TABLE ----------------------------------------------------------------------------

    def create_table(self, tree: exp.Create, line: int) -> None:
        """Columns first (constraints refer to them), then table constraints, then properties."""
        schema_node = tree.this
        schema, name = self.table_key(schema_node.this)
        table = self.model.add_table(name, schema, line)
        for item in schema_node.expressions:
            if isinstance(item, exp.ColumnDef):
                self.column(table, item, line)
        self.virtual = set()
        for item in schema_node.expressions:
            if not isinstance(item, exp.ColumnDef):
                self.table_constraint(table, item, line)
        for prop in (tree.args.get("properties") or exp.Properties()).expressions:
            if isinstance(prop, exp.SchemaCommentProperty):
                table.comment = str(prop.this.this)
            elif isinstance(prop, exp.PartitionedByProperty):
                self.partitioning(table, prop, line)

    def column(self, table: TableState, node: exp.ColumnDef, line: int) -> None:
        name = self.ident(node.this)
        mapped = map_type(node.args.get("kind"), self.dialect, self.enum_ids(), self.pg.domains)
        data: dict[str, Any] = {"name": name, "type": mapped.data}
        column = self.model.add_column(table, data)
        if mapped.warning:
            self.model.notes.append(f"line {line}: {table.name}.{name}: {mapped.warning}")
        if mapped.enum_values is not None:
            self.mysql_enums.append((column, mapped.enum_values, table))
        if mapped.domain is not None:
            domain = mapped.domain
            if domain.not_null:
                column["nullable"] = False
            for check_name, expression in domain_checks(domain, name, _QUOTE[self.dialect]):
                table.checks.append({"id": self.model.new_id(f"{table.id}.ck_{slug(name)}"),
                                     "name": f"{table.name}_{name}_{check_name or 'check'}"[:63],
                                     "expression": expression})
        for constraint in node.args.get("constraints") or []:
            self.column_constraint(table, column, constraint, line)

    def column_constraint(
        self, table: TableState, column: dict[str, Any], node: exp.ColumnConstraint, line: int
    ) -> None:
        kind = node.args.get("kind")
        cname = self.ident(node.this) if node.this else None
        if isinstance(kind, exp.NotNullColumnConstraint):
            column["nullable"] = bool(kind.args.get("allow_null"))
        elif isinstance(kind, exp.DefaultColumnConstraint):
            default = map_default(kind.this, self.dialect)
            if default is not None:
                column["default"] = default
        elif isinstance(kind, exp.PrimaryKeyColumnConstraint):
            table.primary_key = {"columns": [column["id"]]} | ({"name": cname} if cname else {})
            column["nullable"] = False
        elif isinstance(kind, exp.UniqueColumnConstraint):
            table.uniques.append({"id": self.model.new_id(f"{table.id}.uq_{slug(column['name'])}"),
                                  "columns": [column["id"]]} | ({"name": cname} if cname else {}))
        elif isinstance(kind, exp.AutoIncrementColumnConstraint):
            column["identity"] = {}
        elif isinstance(kind, exp.GeneratedAsIdentityColumnConstraint):
            if kind.args.get("expression") is not None:
                column["generated"] = {"expression": sql_text(kind.args["expression"], self.dialect)}
            else:
                identity: dict[str, Any] = {"always": bool(kind.this)}
                for key in ("start", "increment"):
                    value = kind.args.get(key)
                    if value is not None and str(value.name) not in ("1", ""):
                        identity[key] = int(value.name)
                column["identity"] = identity
        elif isinstance(kind, exp.ComputedColumnConstraint):
            stored = bool(kind.args.get("persisted")) or self.dialect == "postgresql"
            if column["name"].lower() in self.virtual:
                stored = False
            column["generated"] = {"expression": sql_text(kind.this, self.dialect), "stored": stored}
        elif isinstance(kind, exp.CheckColumnConstraint):
            table.checks.append({"id": self.model.new_id(f"{table.id}.ck_{slug(column['name'])}"),
                                 "expression": sql_text(kind.this, self.dialect)} | ({"name": cname} if cname else {}))
        elif isinstance(kind, exp.CommentColumnConstraint):
            column["comment"] = str(kind.this.this)
        elif isinstance(kind, exp.CollateColumnConstraint):
            column["collation"] = kind.this.name
        elif isinstance(kind, exp.Reference):
            self.reference(table, [column["name"]], kind, cname, line)
        elif isinstance(kind, exp.OnUpdateColumnConstraint):
            # Resolved with the whole table (the DEFAULT may come later): see Model.on_update.
            table.on_update.append((column["name"], sql_text(kind.this, self.dialect), line))
        elif isinstance(kind, exp.CharacterSetColumnConstraint):
            pass  # the emitters use utf8mb4 throughout
        else:
            self.model.notes.append(f"line {line}: {table.name}.{column['name']}: "
                                    f"{node.sql(dialect=self.read_as)!r} is not modelled")

    def table_constraint(self, table: TableState, node: exp.Expression, line: int, name: str | None = None) -> None:
        if isinstance(node, exp.Constraint):
            for inner in node.expressions:
                self.table_constraint(table, inner, line, self.ident(node.this))
            return
        if isinstance(node, exp.PrimaryKey):
            columns = self.column_ids(table, node.expressions, line)
            if columns:
                table.primary_key = {"columns": columns} | ({"name": name} if name else {})
                for column in table.columns.values():
                    if column["id"] in columns:
                        column["nullable"] = False
        elif isinstance(node, exp.ForeignKey):
            self.reference(table, [self.ident(e) for e in node.expressions], node.args["reference"], name, line)
        elif isinstance(node, exp.UniqueColumnConstraint):
            target = node.this
            parts = target.expressions if isinstance(target, exp.Schema) else [target]
            columns = self.column_ids(table, parts, line)
            if columns:
                uname = name or (self.ident(target.this) if isinstance(target, exp.Schema) and target.this else None)
                unique_id = self.model.new_id(f"{table.id}.uq_{slug(uname or '_'.join(columns))[:20]}")
                unique: dict[str, Any] = {"id": unique_id, "columns": columns}
                if uname:
                    unique["name"] = uname
                if node.args.get("nulls"):
                    unique["nulls_not_distinct"] = True
                table.uniques.append(unique)
        elif isinstance(node, exp.CheckColumnConstraint):
            table.checks.append({"id": self.model.new_id(f"{table.id}.ck_{slug(name or 'check')}"),
                                 "expression": sql_text(node.this, self.dialect)} | ({"name": name} if name else {}))
        elif isinstance(node, exp.IndexColumnConstraint):
            self.inline_index(table, node, line)
        else:
            what = node.sql(dialect=self.read_as)[:80]
            self.model.notes.append(f"line {line}: {table.name}: {what!r} is not modelled")

    def column_ids(self, table: TableState, parts: list[exp.Expression], line: int) -> list[str]:
        out = []
        for part in parts:
            column = table.column(self.ident(part))
            if column is None:
                self.model.notes.append(
                    f"line {line}: {table.name}: no column {self.ident(part)!r}; constraint skipped")
                return []
            out.append(column["id"])
        return out

    def reference(self, table: TableState, columns: list[str], ref: exp.Reference, name: str | None, line: int) -> None:
        target = ref.this
        parent = target.this if isinstance(target, exp.Schema) else target
        parent_columns = [self.ident(e) for e in target.expressions] if isinstance(target, exp.Schema) else []
        options = " ".join(str(o) for o in ref.args.get("options") or []).upper()
        actions = {}
        for which in ("DELETE", "UPDATE"):
            match = re.search(rf"ON {which} (CASCADE|RESTRICT|SET NULL|SET DEFAULT|NO ACTION)", options)
            actions[which] = _ACTIONS[match.group(1)] if match else "no_action"
        deferrable = "NOT DEFERRABLE" not in options and "DEFERRABLE" in options
        self.model.keys.append(PendingKey(
            table, columns, self.table_key(parent), parent_columns, name, actions["DELETE"], actions["UPDATE"],
            deferrable, deferrable and "INITIALLY DEFERRED" in options, line))

    def partitioning(self, table: TableState, prop: exp.PartitionedByProperty, line: int) -> None:
        spec = prop.this
        strategy = spec.name.lower() if isinstance(spec, exp.Anonymous) else ""
        if strategy not in ("range", "list", "hash"):
            self.model.notes.append(f"line {line}: {table.name}: partitioning {spec.sql()!r} is not modelled")
            return
        keys = []
        for part in spec.expressions:
            column = table.column(self.ident(part)) if isinstance(part, exp.Column) else None
            keys.append({"column": column["id"]} if column else {"expression": sql_text(part, self.dialect)})
        table.partitioning = {"strategy": strategy, "key": keys, "partitions": []}

    # -- indexes ---------------------------------------------------------------------------------

    def inline_index(self, table: TableState, node: exp.IndexColumnConstraint, line: int) -> None:
        kind = str(node.args.get("kind") or "").upper()
        name = self.ident(node.this) if node.this else None
        method = kind.lower() if kind in ("FULLTEXT", "SPATIAL") else None
        self.add_index(table, name, node.expressions, False, method, None, [], line)

    def create_index(self, node: exp.Index, unique: bool, line: int) -> None:
        schema, tname = self.table_key(node.args["table"])
        table = self.model.find(schema, tname)
        name = self.ident(node.this) if node.this else None
        if table is None:
            self.model.notes.append(f"line {line}: index {name} is on {tname!r}, which is not a table here; skipped")
            return
        params = node.args.get("params") or exp.IndexParameters()
        using = params.args.get("using")
        where = params.args.get("where")
        include = params.args.get("include") or []
        self.add_index(table, name, params.args.get("columns") or [], unique,
                       using.name.lower() if using else None, where.this if where else None, include, line)

    def add_index(self, table: TableState, name: str | None, parts: list[exp.Expression], unique: bool,
                  method: str | None, where: exp.Expression | None, include: list[exp.Expression], line: int) -> None:
        columns = []
        for part in parts:
            item: dict[str, Any] = {}
            node = part
            if isinstance(node, exp.Ordered):
                if node.args.get("desc"):
                    item["order"] = "desc"
                nulls_first = node.args.get("nulls_first")
                if self.dialect == "postgresql" and nulls_first != bool(node.args.get("desc")):
                    item["nulls"] = "first" if nulls_first else "last"
                node = node.this
            if isinstance(node, exp.Opclass):
                item["opclass"] = node.expression.name
                node = node.this
            while isinstance(node, exp.Paren) and isinstance(node.this, exp.Column):
                node = node.this
            column = table.column(self.ident(node)) if isinstance(node, exp.Column | exp.Identifier) else None
            if isinstance(node, exp.ColumnPrefix):
                self.model.notes.append(
                    f"line {line}: index {name}: prefix length on {self.ident(node.this)} is not modelled; skipped")
                return
            if column is not None:
                item["column"] = column["id"]
            else:
                item["expression"] = sql_text(node, self.dialect)
            columns.append(item)
        if not columns:
            return
        calls = [f.pattern for f in self.functions for c in columns if "expression" in c and f.search(c["expression"])]
        if calls:
            self.model.notes.append(f"line {line}: index {name} calls a function the file defines (functions are "
                                    "not modelled); skipped")
            return
        if method and method not in ("btree", "hash", "gin", "gist", "brin", "spgist", "fulltext", "spatial"):
            self.model.notes.append(f"line {line}: index {name}: method {method} is not modelled; skipped")
            return
        index: dict[str, Any] = {"id": self.model.new_id(f"{table.id}.ix_{slug(name or str(len(table.indexes)))[:24]}"),
                                 "columns": columns}
        if name:
            index["name"] = name
        if unique:
            index["unique"] = True
        if method:
            index["method"] = method
        if where is not None:
            index["where"] = sql_text(where, self.dialect)
        if include:
            ids = self.column_ids(table, include, line)
            if ids:
                index["include"] = ids
        table.indexes.append(index)

    # -- ALTER TABLE -----------------------------------------------------------------------------

    def alter_table(self, tree: exp.Alter, text: str, line: int) -> None:
        schema, name = self.table_key(tree.this)
        table = self.model.find(schema, name)
        if table is None:
            self.model.notes.append(f"line {line}: ALTER TABLE on {name!r}, which is not a table here; skipped")
            return
        for action in tree.args.get("actions") or []:
            if isinstance(action, exp.AddConstraint):
                for constraint in action.expressions:
                    self.table_constraint(table, constraint, line)
            elif isinstance(action, exp.AlterColumn) and action.args.get("default") is not None:
                column = table.column(self.ident(action.this))
                default = map_default(action.args["default"], self.dialect)
                if column is not None and default is not None:
                    column["default"] = default
            elif isinstance(action, exp.AlterColumn) and action.args.get("allow_null") is not None:
                column = table.column(self.ident(action.this))
                if column is not None:
                    column["nullable"] = bool(action.args["allow_null"])
            elif isinstance(action, exp.ColumnDef):
                self.column(table, action, line)
            else:
                self.model.skip(f"ALTER TABLE … {action.key.upper()}", line)
        if not tree.args.get("actions"):
            self.model.skip("ALTER TABLE (other)", line)

    # -- the document ----------------------------------------------------------------------------

    def enum_ids(self) -> dict[str, str]:
        return {name: enum["id"] for name, enum in self.model.enums.items()}

    def _document(self, data: dict[str, Any]) -> Document:
        seen: set[str] = set()
        for table_data in data["tables"]:
            for index in table_data.get("indexes", []):
                name = index.get("name")
                if name in seen:
                    # MySQL and SQLite scope index names to their table; the design keeps them unique.
                    self.model.notes.append(f"{table_data['name']}: index name {name!r} is used on another table; "
                                            "this one gets a generated name")
                    del index["name"]
                elif name:
                    seen.add(name)
        for column, values, table in self.mysql_enums:
            enum_id = self.model.new_id(f"e_{table.id[2:]}_{slug(column['name'])}"[:60])
            data["enums"].append({"id": enum_id, "name": f"{table.name}_{column['name']}", "values": values})
            column["type"]["enum"] = enum_id
        try:
            doc = Document.model_validate(data)
        except pydantic.ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ParseError(f"the schema cannot be represented: {where}: {first['msg']}", 1, 1) from None
        problems = list(check(doc))
        if problems:
            raise ParseError(f"the schema cannot be represented: {problems[0]}", 1, 1)
        return doc
