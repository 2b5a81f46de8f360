"""Design document → SQLAlchemy 2.0 declarative models (one Python module).

The models are read off the DDL emitter's own ``MetaData`` (``designs.compiler.ddl``), so every type,
constraint name, index option and default is the one the DDL script uses: ``Base.metadata.create_all()``
builds the same schema as running the DDL. Constraint names are written out explicitly rather than as
a ``naming_convention``, because the design's convention also truncates and de-duplicates names.

Database names appear only as string literals (``pyident.literal``); classes and attributes are
derived identifiers. What a model cannot hold (triggers, row-level security, grants, comments on
indexes) is a warning naming the object.
"""

from __future__ import annotations

import inspect
from itertools import zip_longest
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite

from ..ddl import EMITTERS
from ..ddl.base import Emitter
from ..ddl.types import RawType
from ..document import INTEGER_TYPES, Column, Document, Grant, Policy, Relationship, Role, Table
from .pyident import (
    INDENT,
    Call,
    Code,
    Emitted,
    Identifiers,
    Link,
    Raw,
    Seq,
    Str,
    escape_text_binds,
    links,
    literal,
    pascal,
    singular,
    snake,
    statement,
    used_names,
)

# Python types for ``Mapped[...]``, by portable type name; text-like stand-ins on other engines are str.
PYTHON_TYPES: dict[str, str] = {
    **dict.fromkeys(INTEGER_TYPES | {"year"}, "int"),
    "numeric": "decimal.Decimal",
    "real": "float",
    "double": "float",
    "money": "str",
    "boolean": "bool",
    **dict.fromkeys(("text", "varchar", "char", "citext", "xml", "inet", "cidr", "macaddr", "tsvector"), "str"),
    "bytea": "bytes",
    "date": "datetime.date",
    "time": "datetime.time",
    "timetz": "datetime.time",
    "timestamp": "datetime.datetime",
    "timestamptz": "datetime.datetime",
    "interval": "datetime.timedelta",
    "uuid": "uuid.UUID",
    "json": "Any",
    "jsonb": "Any",
    "enum": "str",
    "raw": "Any",
}
TYPE_MODULES = (("sa", sa), ("postgresql", postgresql), ("mysql", mysql), ("sqlite", sqlite))
# Names the generated module defines or imports; no class may take them.
MODULE_NAMES = ("Base", "RawType", "Any", "Mapped", "DeclarativeBase", "sa", "datetime", "decimal", "uuid")
# Names class bodies read or declarative reserves; no attribute may take them.
CLASS_NAMES = (
    "metadata", "registry", "sa", "postgresql", "mysql", "sqlite", "datetime", "decimal", "uuid",
    "mapped_column", "relationship", "Mapped", "Any", "RawType",
)  # fmt: skip
RAW_TYPE_CLASS = '''\
class RawType(sa.types.UserDefinedType[Any]):
    """A column type written as SQL in the design."""

    cache_ok = True

    def __init__(self, sql: str) -> None:
        self.sql = sql

    def get_col_spec(self, **kw: Any) -> str:
        return self.sql
'''
NOT_IN_MODELS = "is database-side DDL, not part of the models; apply it with the DDL script"


def print_sqlalchemy(doc: Document, dialect: str = "postgresql") -> Emitted:
    """The design as a module of SQLAlchemy 2.0 declarative classes for ``dialect``, and its warnings."""
    return _Printer(doc, dialect).run()


class _Printer:
    def __init__(self, doc: Document, dialect: str):
        if dialect not in EMITTERS:
            raise ValueError(f"unknown dialect {dialect!r}; one of {', '.join(EMITTERS)}")
        self.doc = doc
        self.dialect = dialect
        self.emitter: Emitter = EMITTERS[dialect](doc)
        self.out = Emitted("", list(self.emitter.warnings))
        self.imports: set[str] = set()
        self.module = Identifiers(MODULE_NAMES, suffix="", numbered="{n}")
        self.classes = {t.id: self.module.claim(pascal(singular(snake(t.name, "model")), "Model")) for t in doc.tables}
        self.attrs: dict[str, dict[str, str]] = {}  # table id → column id → attribute
        self.namespaces: dict[str, Identifiers] = {}
        for table in doc.tables:
            names = self.namespaces[table.id] = Identifiers(CLASS_NAMES)
            self.attrs[table.id] = {c.id: names.claim(snake(c.name, "column")) for c in table.columns}
        self.enums: dict[int, str] = {}
        self.links: list[Link] = links(doc, self.namespaces)

    # ---- pieces ----------------------------------------------------------------------------
    def sql_text(self, sql: str) -> Code:
        return Call("sa.text", [Str(escape_text_binds(sql))])

    def compiled(self, element: Any) -> str:
        """An SQL element as the emitter's dialect writes it inside DDL (unqualified, literal)."""
        compiler = self.emitter.dialect.statement_compiler(self.emitter.dialect, None)
        return str(compiler.process(element, include_table=False, literal_binds=True))

    def type_code(self, type_: Any) -> Code:
        if isinstance(type_, RawType):
            self.imports.add("RawType")
            return Call("RawType", [Str(type_.sql)])
        if isinstance(type_, sa.ARRAY):
            dims: list[tuple[str, Code]] = [("dimensions", Raw(literal(type_.dimensions)))] if type_.dimensions else []
            return Call("sa.ARRAY", [self.type_code(type_.item_type)], dims)
        if isinstance(type_, sa.Enum) and type_.name:
            return Raw(self.enums[id(type_)])
        found = [p for p, module in TYPE_MODULES if getattr(module, type(type_).__name__, None) is type(type_)]
        if not found:
            raise ValueError(f"no import for type {type(type_).__name__}")
        prefix = found[0]
        self.imports.add(prefix)
        func = f"{prefix}.{type(type_).__name__}"
        args: list[Code] = [Str(v) for v in getattr(type_, "enums", ())] if isinstance(type_, sa.Enum) else []
        kwargs: list[tuple[str, Code]] = []
        if isinstance(type_, sa.Enum):
            return Call(func, args)
        for name, param in inspect.signature(type(type_).__init__).parameters.items():
            if param.default is inspect.Parameter.empty or name in ("self", "_warn_on_bytestring"):
                continue
            value = getattr(type_, name, param.default)
            if isinstance(value, bool | int | float | str) and value != param.default:
                if name == "length" and not kwargs:
                    args.append(Raw(literal(value)))
                else:
                    kwargs.append((name, Raw(literal(value))))
        return Call(func, args, kwargs) if args or kwargs else Raw(func)

    def default_code(self, default: Any) -> Code:
        arg = default.arg
        if isinstance(arg, str):
            return Str(arg)
        if isinstance(arg, sa.sql.elements.Null):
            return Raw("sa.null()")
        if isinstance(arg, sa.sql.elements.BindParameter):
            if isinstance(arg.value, bool):
                return Raw("sa.true()" if arg.value else "sa.false()")
            return self.sql_text(repr(arg.value))
        return self.sql_text(self.compiled(arg))

    def options(self, kwargs: Any, names: dict[str, str]) -> list[tuple[str, Code]]:
        """Dialect keyword arguments (postgresql_using=..., mysql_length=...) as code."""
        out: list[tuple[str, Code]] = []
        for key, value in sorted(kwargs.items()):
            code: Code
            if isinstance(value, bool | int | str):
                code = Str(value) if isinstance(value, str) else Raw(literal(value))
            elif isinstance(value, dict):
                code = Seq([(Str(str(names.get(k, k))), Str(str(v))) for k, v in value.items()], "dict")
            elif isinstance(value, list | tuple):
                code = Seq([Str(c.name) for c in value])
            elif value is None:
                continue
            else:
                code = self.sql_text(self.compiled(value))
            out.append((key, code))
        return out

    # ---- classes ---------------------------------------------------------------------------
    def column_line(self, table: Table, column: Column, t: sa.Table) -> str:
        built = t.c[column.id]
        attr = self.attrs[table.id][column.id]
        args: list[Code] = [] if attr == built.name else [Str(built.name)]
        args.append(self.type_code(built.type))
        fks = [(rel, fk) for rel, fk in self.emitter.foreign_keys if len(fk.columns) == 1 and column.id in fk.columns]
        args.extend(self.foreign_key(rel, fk, inline=True) for rel, fk in fks)
        if built.identity is not None:
            ident = built.identity
            kw = [(k, Raw(literal(getattr(ident, k)))) for k in ("always", "start", "increment") if getattr(ident, k)]
            args.append(Call("sa.Identity", [], kw))
        if built.computed is not None:
            persisted = [("persisted", Raw(literal(built.computed.persisted)))]
            args.append(Call("sa.Computed", [Str(escape_text_binds(self.compiled(built.computed.sqltext)))], persisted))
        kwargs: list[tuple[str, Code]] = []
        pk = table.primary_key.columns if table.primary_key else []
        if column.id in pk:
            kwargs.append(("primary_key", Raw("True")))
            integer = isinstance(built.type, sa.Integer) and not isinstance(built.type, RawType)
            if integer and len(pk) == 1 and built.identity is None:
                kwargs.append(("autoincrement", Raw("False")))  # a plain INTEGER key, as in the DDL
        if isinstance(built.server_default, sa.DefaultClause):
            kwargs.append(("server_default", self.default_code(built.server_default)))
        if built.comment:
            kwargs.append(("comment", Str(built.comment)))
        optional = column.nullable and column.id not in pk
        python = self.python_type(column, built.type)
        annotation = f"Mapped[{python} | None]" if optional else f"Mapped[{python}]"
        return statement(f"{attr}: {annotation} = ", Call("mapped_column", args, kwargs), 4)

    def python_type(self, column: Column, type_: Any) -> str:
        if column.type.raw and self.dialect in column.type.raw:
            python = "Any"
        elif isinstance(type_, sa.String) and not isinstance(type_, sa.Enum):
            python = "str"
        else:
            python = PYTHON_TYPES[column.type.name]
        if column.type.array:
            python = "list[Any]" if column.type.array > 1 or python == "Any" else f"list[{python}]"
        for module in ("datetime", "decimal", "uuid", "Any"):
            if module in python:
                self.imports.add(module)
        return python

    def foreign_key(self, rel: Relationship, fk: sa.ForeignKeyConstraint, inline: bool) -> Code:
        parent = self.emitter.tables[rel.to_table]
        targets: list[Code] = []
        for column_id in rel.to_columns:
            parts = [parent.schema, parent.name, parent.c[column_id].name]
            if any("." in p for p in parts[1:] if p):
                # SQLAlchemy 2.1 takes (schema, table, column) where a dotted string would be ambiguous.
                self.out.warn(rel.id, "a name holds a dot: the foreign key target is a tuple (SQLAlchemy 2.1+)")
                targets.append(Seq([Str(p) if p is not None else Raw("None") for p in parts], "tuple"))
            else:
                targets.append(Str(".".join(p for p in parts if p)))
        kwargs: list[tuple[str, Code]] = [("name", Str(str(fk.name)))]
        for key in ("ondelete", "onupdate", "initially"):
            if getattr(fk, key):
                kwargs.append((key, Str(getattr(fk, key))))
        if fk.deferrable:
            kwargs.append(("deferrable", Raw("True")))
        if self.in_cycle(rel):
            kwargs.append(("use_alter", Raw("True")))  # tables that reference each other need ALTER TABLE
        if inline:
            return Call("sa.ForeignKey", targets, kwargs)
        child = self.emitter.tables[rel.from_table]
        local = Seq([Str(child.c[c].name) for c in rel.from_columns])
        return Call("sa.ForeignKeyConstraint", [local, Seq(targets)], kwargs)

    def in_cycle(self, rel: Relationship) -> bool:
        if rel.from_table == rel.to_table:
            return False
        edges: dict[str, set[str]] = {}
        for other, _ in self.emitter.foreign_keys:
            edges.setdefault(other.from_table, set()).add(other.to_table)
        seen, todo = set(), [rel.to_table]
        while todo:
            current = todo.pop()
            if current == rel.from_table:
                return True
            if current not in seen:
                seen.add(current)
                todo.extend(edges.get(current, ()))
        return False

    def table_args(self, table: Table, t: sa.Table) -> list[Code]:
        names = {c.id: t.c[c.id].name for c in table.columns}
        args: list[Code] = []
        if t.primary_key is not None and table.primary_key:
            cols = [Str(c.name) for c in t.primary_key.columns]
            args.append(Call("sa.PrimaryKeyConstraint", cols, [("name", Str(str(t.primary_key.name)))]))
        for rel, fk in self.emitter.foreign_keys:
            if rel.from_table == table.id and len(fk.columns) > 1:
                args.append(self.foreign_key(rel, fk, inline=False))
        for constraint in sorted(t.constraints, key=lambda c: str(c.name)):
            kwargs: list[tuple[str, Code]] = [("name", Str(str(constraint.name)))]
            if isinstance(constraint, sa.UniqueConstraint) and not isinstance(constraint, sa.PrimaryKeyConstraint):
                cols = [Str(c.name) for c in constraint.columns]
                args.append(Call("sa.UniqueConstraint", cols, kwargs + self.options(constraint.kwargs, names)))
            elif isinstance(constraint, sa.CheckConstraint):
                sql = Str(escape_text_binds(self.compiled(constraint.sqltext)))
                args.append(Call("sa.CheckConstraint", [sql], kwargs))
        for index, built in self.emitter.indexes:
            if built.table is not t:
                continue
            plain = {k.column for k in index.columns if k.column and not k.expression and k.order == "asc"}
            parts: list[Code] = []
            # Past the design's keys come covering columns a dialect without INCLUDE appends.
            for key, expression in zip_longest(index.columns, built.expressions):
                if (key is None or (key.column in plain and key.nulls is None)) and isinstance(expression, sa.Column):
                    parts.append(Str(expression.name))
                else:
                    parts.append(self.sql_text(self.compiled(expression)))
            index_kwargs: list[tuple[str, Code]] = [("unique", Raw("True"))] if built.unique else []
            index_kwargs += self.options(built.kwargs, names)
            args.append(Call("sa.Index", [Str(str(built.name)), *parts], index_kwargs))
            if index.comment:
                self.out.warn(index.id, "SQLAlchemy has no index comments; the comment is in the DDL only")
        options: list[tuple[Code, Code]] = [(Str(k), c) for k, c in self.options(t.kwargs, names)]
        if t.schema:
            options.append((Str("schema"), Str(t.schema)))
        if t.comment:
            options.append((Str("comment"), Str(t.comment)))
        if options:
            args.append(Seq(options, "dict"))
        return args

    def class_source(self, table: Table) -> str:
        t = self.emitter.tables[table.id]
        lines = [f"class {self.classes[table.id]}(Base):", statement("__tablename__ = ", Str(t.name), 4)]
        args = self.table_args(table, t)
        if args:
            lines.append(statement("__table_args__ = ", Seq(args, "tuple"), 4))
        lines.append("")
        lines.extend(self.column_line(table, column, t) for column in table.columns)
        if not table.primary_key:
            self.out.warn(table.id, "no primary key: SQLAlchemy maps every column as the identity of a row")
            attrs = ", ".join(self.attrs[table.id][c.id] for c in table.columns)
            lines.append(f'{INDENT}__mapper_args__ = {{"primary_key": [{attrs}]}}')
        relationships = [self.relationship_line(link, table.id) for link in self.links]
        relationships = [r for r in relationships if r]
        if relationships:
            lines.append("")
            lines.extend(relationships)
        for statement_sql in self.emitter.after_table(table):
            self.listeners.append((f"{self.classes[table.id]}.__table__", "after_create", statement_sql))
        return "\n".join(lines)

    def relationship_line(self, link: Link, table_id: str) -> str:
        """The many-to-one side on the child, the one-to-many (or one-to-one) side on the parent."""
        child, parent = self.classes[link.rel.from_table], self.classes[link.rel.to_table]
        out = []
        if link.rel.from_table == table_id:
            kwargs: list[tuple[str, Code]] = [("back_populates", Str(link.parent_attr))]
            if link.ambiguous:
                cols = ", ".join(self.attrs[table_id][c] for c in link.rel.from_columns)
                kwargs.append(("foreign_keys", Raw(f"[{cols}]")))
            if link.rel.from_table == link.rel.to_table:
                remote = ", ".join(self.attrs[table_id][c] for c in link.rel.to_columns)
                kwargs.append(("remote_side", Raw(f"[{remote}]")))
            optional = " | None" if link.optional else ""
            prefix = f"{link.child_attr}: Mapped[{parent}{optional}] = "
            out.append(statement(prefix, Call("relationship", [], kwargs), 4))
        if link.rel.to_table == table_id:
            kwargs = [("back_populates", Str(link.child_attr))]
            if link.ambiguous:
                cols = ", ".join(f"{child}.{self.attrs[link.rel.from_table][c]}" for c in link.rel.from_columns)
                kwargs.append(("foreign_keys", Str(f"[{cols}]")))
            many = f"list[{child}]" if not link.one_to_one else f"{child} | None"
            out.append(statement(f"{link.parent_attr}: Mapped[{many}] = ", Call("relationship", [], kwargs), 4))
        return "\n".join(out)

    # ---- module ----------------------------------------------------------------------------
    def enum_constants(self) -> list[str]:
        lines = []
        for enum in self.doc.enums:
            type_ = self.emitter.enum_types[enum.id]
            if not (isinstance(type_, sa.Enum) and type_.name):
                continue
            constant = self.module.claim(snake(enum.name, "enum").upper())
            self.enums[id(type_)] = constant
            kwargs: list[tuple[str, Code]] = [("name", Str(type_.name))]
            if type_.schema:
                kwargs.append(("schema", Str(type_.schema)))
            kwargs.append(("metadata", Raw("Base.metadata")))
            lines.append(statement(f"{constant} = ", Call("sa.Enum", [Str(v) for v in type_.enums], kwargs)))
            if enum.comment:
                self.out.warn(enum.id, "SQLAlchemy has no enum type comments; the comment is in the DDL only")
        return lines

    def warn_ddl_only(self) -> None:
        for table in self.doc.tables:
            if self.emitter.uses_updated_at_trigger(table):
                self.out.warn(table.id, f"the updated_at trigger {NOT_IN_MODELS}")
            if table.options.audit:
                self.out.warn(table.id, f"the audit trigger and audit table {NOT_IN_MODELS}")
            if table.rls.enabled or table.rls.force:
                self.out.warn(table.id, f"row-level security {NOT_IN_MODELS}")
        security = self.doc.security
        ddl_only: list[Role | Grant | Policy] = [*security.roles, *security.grants, *security.policies]
        for obj in ddl_only:
            self.out.warn(obj.id, f"{type(obj).__name__.lower()} {NOT_IN_MODELS}")
        for rel, _ in self.emitter.foreign_keys:
            if rel.comment:
                self.out.warn(rel.id, "SQLAlchemy has no constraint comments; the comment is in the DDL only")

    def run(self) -> Emitted:
        self.listeners: list[tuple[str, str, str]] = []
        before = self.emitter.extensions() + self.emitter.create_schemas()
        self.listeners.extend(("Base.metadata", "before_create", s) for s in before)
        enums = self.enum_constants()
        classes = [self.class_source(table) for table in self.doc.tables]
        self.warn_ddl_only()
        body: list[str] = ["class Base(DeclarativeBase):", f"{INDENT}pass", ""]
        # Schemas and extensions first: enum types and tables are created inside them.
        metadata_listeners = [item for item in self.listeners if item[0] == "Base.metadata"]
        if metadata_listeners:
            body += ["", *self.listener_lines(metadata_listeners)]
        if "RawType" in self.imports:
            body += ["", RAW_TYPE_CLASS]
        if enums:
            body += ["", *enums, ""]
        for source in classes:
            body += ["", source, ""]
        table_listeners = [item for item in self.listeners if item[0] != "Base.metadata"]
        if table_listeners:
            body += ["", *self.listener_lines(table_listeners)]
        text = "\n".join(body).rstrip() + "\n"
        self.out.text = self.header(text) + text
        return self.out

    @staticmethod
    def listener_lines(listeners: list[tuple[str, str, str]]) -> list[str]:
        lines = []
        for target, event, sql in listeners:
            ddl = Call("sa.DDL", [Str(sql.replace("%", "%%"))])  # DDL() formats with %, so double it
            lines.append(statement("", Call("sa.event.listen", [Raw(target), Str(event), ddl])))
        return lines

    def header(self, body: str) -> str:
        used = used_names(body)
        stdlib = [f"import {m}" for m in ("datetime", "decimal", "uuid") if m in used]
        if "Any" in used:
            stdlib.append("from typing import Any")
        third = ["import sqlalchemy as sa"] if "sa" in used else []
        dialects = [m for m in ("mysql", "postgresql", "sqlite") if m in used]
        if dialects:
            third.append(f"from sqlalchemy.dialects import {', '.join(dialects)}")
        orm = [n for n in ("DeclarativeBase", "Mapped", "mapped_column", "relationship") if n in used]
        third.append(f"from sqlalchemy.orm import {', '.join(orm)}")
        doc = '"""SQLAlchemy models generated by DB Studio from a design; edit the design, then export again."""'
        blocks = [doc, "from __future__ import annotations", "\n".join(stdlib), "\n".join(third)]
        return "\n\n".join(b for b in blocks if b) + "\n\n\n"
