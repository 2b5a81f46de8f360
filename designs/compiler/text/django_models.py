"""Design document → Django 5.2 models (one ``models.py``), for PostgreSQL.

Table, constraint and index names are the DDL emitter's (``designs.compiler.ddl``, PostgreSQL), so
``migrate`` names things as the DDL script does wherever Django lets a name be chosen. Design SQL
(checks, partial-index predicates, expression defaults and index keys) cannot be turned into ``Q``
objects without parsing SQL, so it is carried as ``RawSQL`` with a boolean output field: Django
writes it into the DDL as given, exactly like the DDL script. What Django cannot express (foreign
key names and database-side ON DELETE before Django 6.0, composite foreign keys, partitions,
triggers, row-level security, enum types, ...) is a warning naming the object.

Database names appear only as string literals; field and class names are derived identifiers.
Django does not escape a double quote inside a quoted name, so such a name is changed, with a warning.
"""

from __future__ import annotations

import json
import re
from typing import Any

import sqlalchemy as sa

from ..ddl import EMITTERS
from ..ddl.base import Emitter
from ..document import Column, Document, Grant, Index, Policy, Relationship, Role, Table
from .pyident import (
    INDENT,
    Call,
    Code,
    Emitted,
    Identifiers,
    Raw,
    Seq,
    Str,
    fk_stem,
    links,
    literal,
    pascal,
    singular,
    snake,
    statement,
    used_names,
)

# Portable type → (field class, note when Django's column differs from the DDL's).
FIELDS: dict[str, tuple[str, str | None]] = {
    "smallint": ("models.SmallIntegerField", None),
    "integer": ("models.IntegerField", None),
    "bigint": ("models.BigIntegerField", None),
    "smallserial": ("models.SmallIntegerField", "no sequence: a serial that is not the primary key"),
    "serial": ("models.IntegerField", "no sequence: a serial that is not the primary key"),
    "bigserial": ("models.BigIntegerField", "no sequence: a serial that is not the primary key"),
    "year": ("models.SmallIntegerField", None),
    "numeric": ("models.DecimalField", None),
    "real": ("models.FloatField", "Django's FloatField is double precision"),
    "double": ("models.FloatField", None),
    "boolean": ("models.BooleanField", None),
    "text": ("models.TextField", None),
    "varchar": ("models.CharField", None),
    "char": ("models.CharField", "Django has no fixed-length CHAR field; varchar"),
    "citext": ("models.TextField", "Django 5.1+ has no CITextField; text (use db_collation for case-insensitivity)"),
    "bytea": ("models.BinaryField", None),
    "date": ("models.DateField", None),
    "time": ("models.TimeField", None),
    "timetz": ("models.TimeField", "Django's TimeField has no time zone"),
    "timestamp": ("models.DateTimeField", "Django's DateTimeField is timestamp with time zone on PostgreSQL"),
    "timestamptz": ("models.DateTimeField", None),
    "interval": ("models.DurationField", None),
    "uuid": ("models.UUIDField", None),
    "json": ("models.JSONField", "Django's JSONField is jsonb on PostgreSQL"),
    "jsonb": ("models.JSONField", None),
    "inet": ("models.GenericIPAddressField", None),
    "tsvector": ("SearchVectorField", None),
    "enum": ("models.CharField", "Django has no enum types: varchar with choices, not the PostgreSQL enum type"),
}
SQL_TYPES = {"money": "money", "xml": "xml", "cidr": "cidr", "macaddr": "macaddr"}  # via SqlTypeField
AUTO_FIELDS = {
    "smallint": "models.SmallAutoField",
    "smallserial": "models.SmallAutoField",
    "integer": "models.AutoField",
    "serial": "models.AutoField",
    "bigint": "models.BigAutoField",
    "bigserial": "models.BigAutoField",
}
ON_DELETE = {
    "cascade": "models.CASCADE",
    "set_null": "models.SET_NULL",
    "restrict": "models.RESTRICT",
    "no_action": "models.DO_NOTHING",
    "set_default": "models.SET_DEFAULT",
}
INDEX_CLASSES = {
    "gin": "GinIndex", "gist": "GistIndex", "brin": "BrinIndex", "hash": "HashIndex", "spgist": "SpGistIndex",
}  # fmt: skip
# Attributes every model has; a field must not hide them.
MODEL_ATTRIBUTES = (
    "pk", "objects", "save", "delete", "clean", "check", "full_clean", "clean_fields", "validate_unique",
    "validate_constraints", "refresh_from_db", "arefresh_from_db", "from_db", "get_deferred_fields", "Meta",
    "DoesNotExist", "MultipleObjectsReturned", "serializable_value", "prepare_database_save", "models",
    "RawSQL", "Now", "ArrayField", "SearchVectorField", "SqlTypeField", "Any",
)  # fmt: skip
MODULE_NAMES = ("SqlTypeField", "RawSQL", "Now", "ArrayField", "SearchVectorField", "Any", "models", "Model")
SQL_TYPE_FIELD = '''\
class SqlTypeField(models.Field):
    """A column whose type Django has no field for, written as SQL in the design."""

    def __init__(self, *args: Any, sql_type: str, **kwargs: Any) -> None:
        self.sql_type = sql_type
        super().__init__(*args, **kwargs)

    def db_type(self, connection: Any) -> str:
        return self.sql_type

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["sql_type"] = self.sql_type
        return name, path, args, kwargs
'''
_BARE_CALL = re.compile(r"^\s*(?:now\(\)|current_timestamp)\s*$", re.IGNORECASE)
DJANGO_INDEX_NAME = 30
NOT_IN_MODELS = "is database-side DDL that Django models cannot hold; apply it with the DDL script or RunSQL"


def print_django(doc: Document, app_label: str = "app") -> Emitted:
    """The design as a Django ``models.py`` for the app ``app_label`` (PostgreSQL), and its warnings."""
    return _Printer(doc, app_label).run()


def _raw_sql(sql: str, boolean: bool = False) -> Code:
    """``RawSQL`` for design SQL; RawSQL %-formats its text, so a literal percent sign is doubled."""
    kwargs = [("output_field", Raw("models.BooleanField()"))] if boolean else []
    return Call("RawSQL", [Str(sql.replace("%", "%%")), Raw("()")], kwargs)


def _json_code(value: Any) -> Code:
    """A JSON value as Python literal code (for JSONField defaults)."""
    if isinstance(value, dict):
        return Seq([(Str(k), _json_code(v)) for k, v in value.items()], "dict")
    if isinstance(value, list):
        return Seq([_json_code(v) for v in value])
    return Str(value) if isinstance(value, str) else Raw(literal(value))


class _Printer:
    def __init__(self, doc: Document, app_label: str):
        self.doc = doc
        self.app_label = app_label
        self.emitter: Emitter = EMITTERS["postgresql"](doc)
        self.out = Emitted("")
        module = Identifiers(MODULE_NAMES, suffix="", numbered="{n}")
        self.classes = {t.id: module.claim(pascal(singular(snake(t.name, "model")), "Model")) for t in doc.tables}
        self.pk: dict[str, list[str]] = {t.id: self.primary_key(t) for t in doc.tables}
        self.fk_of: dict[str, Relationship] = {}  # column id → the foreign key that becomes its field
        for rel in doc.relationships:
            if self.expressible_fk(rel):
                self.fk_of[rel.from_columns[0]] = rel
        self.namespaces: dict[str, Identifiers] = {}
        self.fields: dict[str, dict[str, str]] = {}
        stems: dict[str, str] = {}
        for table in doc.tables:
            names = self.namespaces[table.id] = Identifiers(MODEL_ATTRIBUTES, suffix="_field", numbered="_{n}")
            fields = self.fields[table.id] = {}
            for column in table.columns:
                fk = self.fk_of.get(column.id)
                stem = (fk_stem(table, fk) if fk else None) or snake(column.name, "field").rstrip("_")
                if stem == "id" and self.pk[table.id] != [column.id]:
                    stem = "id_field"  # Django allows a field named id only as the primary key
                fields[column.id] = names.claim(stem)
                names.reserve(f"{fields[column.id]}_id")  # Django's attname of a foreign key
                if fk:
                    stems[fk.id] = fields[column.id]
        self.links = {link.rel.id: link for link in links(doc, self.namespaces, stems) if link.rel.id in stems}

    def primary_key(self, table: Table) -> list[str]:
        """The design's key; without one, the column Django must treat as the key (every model has one)."""
        if table.primary_key:
            return table.primary_key.columns
        candidates = [c for c in table.columns if c.name == "id"] + [c for c in table.columns if not c.nullable]
        if candidates:
            self.out.warn(table.id, f"no primary key: Django needs one, so {candidates[0].name!r} is the key")
            return [candidates[0].id]
        self.out.warn(table.id, "no primary key: Django adds an id column as the key")
        return []

    def expressible_fk(self, rel: Relationship) -> bool:
        parent = self.doc.table(rel.to_table)
        if len(rel.from_columns) != 1:
            if rel.from_columns:
                self.out.warn(rel.id, "Django has no composite foreign keys; the columns are plain fields")
            return False
        if parent is None or (parent.primary_key and len(parent.primary_key.columns) > 1):
            self.out.warn(rel.id, "Django 5.2 cannot refer to a composite primary key; a plain field, no constraint")
            return False
        return True

    def db_name(self, object_id: str, name: str) -> str:
        """``name`` as Django may use it.

        Django does not escape ``"`` inside a quoted name, and passes its DDL through psycopg's
        placeholder parsing, where a ``%`` breaks; such characters become ``_``.
        """
        if '"' in name or "%" in name:
            safe = name.replace('"', "_").replace("%", "_")
            self.out.warn(object_id, f'Django cannot use {name!r} safely (a " or %); it becomes {safe!r}')
            return safe
        return name

    def sql_ok(self, object_id: str, sql: str, what: str) -> bool:
        """Whether design SQL or a comment can go through Django's DDL, which mangles ``%``."""
        if "%" in sql:
            self.out.warn(object_id, f"Django passes DDL through psycopg placeholders, where % breaks; {what} left out")
            return False
        return True

    # ---- fields ----------------------------------------------------------------------------
    def field_code(self, table: Table, column: Column) -> tuple[Code, bool]:
        """The field's code, and whether it stores text with null=True (ruff's DJ001 wants that explained)."""
        ctype = column.type
        pk = self.pk[table.id]
        args: list[Code] = []
        kwargs: list[tuple[str, Code]] = []
        rel = self.fk_of.get(column.id)
        text_null = False
        if rel is not None:
            func = "models.ForeignKey"
            target = "self" if rel.to_table == rel.from_table else self.classes[rel.to_table]
            args.append(Str(target))
            on_delete = rel.on_delete
            if on_delete == "set_default" and not (column.default and column.default.kind == "literal"):
                self.out.warn(rel.id, "SET_DEFAULT needs a literal default; DO_NOTHING instead")
                on_delete = "no_action"
            kwargs.append(("on_delete", Raw(ON_DELETE[on_delete])))
            if rel.on_delete != "no_action" or rel.on_update != "no_action":
                self.out.warn(
                    rel.id,
                    "Django 5.2 applies ON DELETE in Python and has no ON UPDATE; the database constraint is "
                    "NO ACTION, DEFERRABLE INITIALLY DEFERRED",
                )
            parent = self.doc.table(rel.to_table)
            assert parent is not None
            parent_pk = parent.primary_key.columns if parent.primary_key else []
            if rel.to_columns != parent_pk:
                kwargs.append(("to_field", Str(self.fields[rel.to_table][rel.to_columns[0]])))
            kwargs.append(("related_name", Str(self.links[rel.id].parent_attr)))
            kwargs.append(("db_index", Raw("False")))  # the design says which indexes exist
            self.out.warn(rel.id, "Django names foreign key constraints itself; the DDL's name is not used")
        elif column.id in pk and len(pk) == 1 and (column.identity or ctype.name.endswith("serial")):
            func = AUTO_FIELDS.get(ctype.name, "models.BigAutoField")
            ident = column.identity
            if ident and (ident.always or ident.start or ident.increment):
                self.out.warn(column.id, "Django identity columns are BY DEFAULT, start 1, step 1")
        elif (ctype.raw and "postgresql" in ctype.raw) or ctype.name in SQL_TYPES or ctype.name == "raw":
            func = "SqlTypeField"
            sql_type = ctype.raw["postgresql"] if ctype.raw and "postgresql" in ctype.raw else SQL_TYPES.get(ctype.name)
            if sql_type is None:
                self.out.warn(column.id, "no raw type for PostgreSQL; text")
                sql_type = "text"
            kwargs.append(("sql_type", Str(sql_type)))
        else:
            func, note = FIELDS[ctype.name]
            if note:
                self.out.warn(column.id, note)
            if column.identity:
                self.out.warn(column.id, "Django has identity columns only as the primary key; a plain integer")
            text_null = func in ("models.CharField", "models.TextField")
            kwargs += self.type_options(column)
        if ctype.array:
            func, args, kwargs = self.array(func, args, kwargs, ctype.array)
            text_null = False
        if column.id in pk and len(pk) == 1:
            kwargs.append(("primary_key", Raw("True")))
        name = self.db_name(column.id, self.emitter.tables[table.id].c[column.id].name)
        if name != self.fields[table.id][column.id] or rel is not None:
            kwargs.append(("db_column", Str(name)))
        if column.nullable and column.id not in pk:
            kwargs.append(("null", Raw("True")))
            if func != "models.ForeignKey":
                kwargs.append(("blank", Raw("True")))
        else:
            text_null = False
        kwargs += self.defaults(column, rel)
        if column.generated:
            self.out.warn(
                column.id,
                "a generated column is a plain field here; Django's GeneratedField needs a "
                "Django expression, and the DDL's expression is SQL",
            )
        if column.collation:
            kwargs.append(("db_collation", Str(column.collation)))
        if column.comment and self.sql_ok(column.id, column.comment, "the comment is"):
            kwargs.append(("db_comment", Str(column.comment)))
        return Call(func, args, kwargs), text_null

    def type_options(self, column: Column) -> list[tuple[str, Code]]:
        ctype = column.type
        if ctype.name in ("varchar", "char") and ctype.length:
            return [("max_length", Raw(literal(ctype.length)))]
        if ctype.name == "numeric":
            if ctype.precision is None:
                self.out.warn(column.id, "Django's DecimalField needs a precision; numeric(65, 30) is not the DDL's")
            return [
                ("max_digits", Raw(literal(ctype.precision or 65))),
                ("decimal_places", Raw(literal(ctype.scale or (0 if ctype.precision else 30)))),
            ]
        if ctype.name == "enum" and ctype.enum:
            enum = self.doc.enum(ctype.enum)
            assert enum is not None
            choices = Seq([Seq([Str(v), Str(v)], "tuple") for v in enum.values])
            return [("max_length", Raw(literal(max(len(v) for v in enum.values)))), ("choices", choices)]
        return []

    def array(
        self, func: str, args: list[Code], kwargs: list[tuple[str, Code]], dims: int
    ) -> tuple[str, list[Code], list[tuple[str, Code]]]:
        base: Code = Call(func, args, kwargs)
        for _ in range(dims - 1):
            base = Call("ArrayField", [base])
        return "ArrayField", [base], []

    def defaults(self, column: Column, rel: Relationship | None) -> list[tuple[str, Code]]:
        default = column.default
        if default is None or default.value is None or column.type.array:
            return []
        if default.kind == "expression":
            assert isinstance(default.value, str)
            if _BARE_CALL.match(default.value):
                return [("db_default", Raw("Now()"))]
            if not self.sql_ok(column.id, default.value, "the default is"):
                return []
            return [("db_default", _raw_sql(default.value))]
        value: Code = Str(default.value) if isinstance(default.value, str) else Raw(literal(default.value))
        if column.type.name in ("json", "jsonb") and isinstance(default.value, str):
            try:
                value = _json_code(json.loads(default.value))
            except ValueError:
                self.out.warn(column.id, "the literal default is not JSON; left out")
                return []
        out: list[tuple[str, Code]] = [("db_default", value)]
        if rel is not None and rel.on_delete == "set_default":
            out.append(("default", value))  # on_delete=SET_DEFAULT reads the Python default
        return out

    # ---- Meta ------------------------------------------------------------------------------
    def meta(self, table: Table) -> list[str]:
        t = self.emitter.tables[table.id]
        fields = self.fields[table.id]
        lines = [f"{INDENT}class Meta:", statement("app_label = ", Str(self.app_label), 8)]
        name = self.db_name(table.id, t.name)
        if t.schema and '"' not in t.schema and '"' not in name:
            # Django has no schemas; a name quoted as schema"."table is the accepted way to reach one.
            name = f'{t.schema}"."{name}'
            self.out.warn(table.id, f"Django does not create schema {t.schema!r}; create it before migrating")
        elif t.schema:
            self.out.warn(table.id, f"schema {t.schema!r} is left out: its name holds a double quote")
        lines.append(statement("db_table = ", Str(name), 8))
        if table.comment and self.sql_ok(table.id, table.comment, "the comment is"):
            lines.append(statement("db_table_comment = ", Str(table.comment), 8))
        constraints: list[Code] = []
        if table.primary_key and t.primary_key.name:
            self.out.warn(table.id, "Django names the primary key itself; the DDL's name is not used")
        for unique in table.uniques:
            # Only unique constraints: t.constraints is a set, and an FK may share the column list.
            built = next(
                c
                for c in t.constraints
                if isinstance(c, sa.UniqueConstraint)
                and c.name
                and str(c.name) in self.constraint_names(table, unique.id)
            )
            kwargs: list[tuple[str, Code]] = [
                ("fields", Seq([Str(fields[c]) for c in unique.columns])),
                ("name", Str(self.db_name(unique.id, str(built.name)))),
            ]
            if unique.nulls_not_distinct:
                kwargs.append(("nulls_distinct", Raw("False")))
            constraints.append(Call("models.UniqueConstraint", [], kwargs))
        for check in table.checks:
            if not self.sql_ok(check.id, check.expression, "the check is"):
                continue
            name = next(
                str(c.name)
                for c in t.constraints
                if isinstance(c, sa.CheckConstraint) and str(c.name) in self.constraint_names(table, check.id)
            )
            condition = _raw_sql(check.expression, boolean=True)
            check_kwargs = [("condition", condition), ("name", Str(self.db_name(check.id, name)))]
            constraints.append(Call("models.CheckConstraint", [], check_kwargs))
        indexes: list[Code] = []
        for design_index, sa_index in self.emitter.indexes:
            if sa_index.table is t:
                code = self.index(table, design_index, self.db_name(design_index.id, str(sa_index.name)))
                if code is not None:
                    (constraints if design_index.unique else indexes).append(code)
        if constraints:
            lines.append(statement("constraints = ", Seq(constraints), 8))
        if indexes:
            lines.append(statement("indexes = ", Seq(indexes), 8))
        return lines

    def constraint_names(self, table: Table, object_id: str) -> set[str]:
        """The name(s) the emitter gave the constraint ``object_id`` (matched by the design's columns/expression)."""
        t = self.emitter.tables[table.id]
        for unique in table.uniques:
            if unique.id == object_id:
                cols = [t.c[c] for c in unique.columns]
                return {str(c.name) for c in t.constraints if list(getattr(c, "columns", [])) == cols}
        check = next(c for c in table.checks if c.id == object_id)
        return {str(c.name) for c in t.constraints if str(getattr(c, "sqltext", "")) == check.expression}

    def index(self, table: Table, index: Index, name: str) -> Code | None:
        fields = self.fields[table.id]
        kwargs: list[tuple[str, Code]] = []
        plain = all(k.column and k.nulls is None and not k.expression for k in index.columns)
        if plain:
            keys = [("-" if k.order == "desc" else "") + fields[k.column or ""] for k in index.columns]
            kwargs.append(("fields", Seq([Str(k) for k in keys])))
            args: list[Code] = []
        else:
            args = []
            for key in index.columns:
                part: Code
                if key.expression:
                    part = _raw_sql(key.expression)
                else:
                    nulls = [("nulls_last" if key.nulls == "last" else "nulls_first", Raw("True"))] if key.nulls else []
                    part = Call(f"models.F({literal(fields[key.column or ''])}).{key.order}", [], nulls)
                args.append(part)
        kwargs.append(("name", Str(name)))
        opclasses = [k.opclass for k in index.columns if k.opclass]
        if opclasses:
            if len(opclasses) != len(index.columns) or not plain:
                self.out.warn(index.id, "Django sets operator classes only on plain columns, all of them; left out")
            else:
                kwargs.append(("opclasses", Seq([Str(o) for o in opclasses])))
        if index.include:
            kwargs.append(("include", Seq([Str(fields[c]) for c in index.include])))
        sql = [index.where or "", *(k.expression or "" for k in index.columns)]
        if not self.sql_ok(index.id, " ".join(sql), "the index is"):
            return None
        if index.where:
            kwargs.append(("condition", Call("models.Q", [_raw_sql(index.where, boolean=True)])))
        if index.comment:
            self.out.warn(index.id, "Django has no index comments; the comment is in the DDL only")
        if len(name) > DJANGO_INDEX_NAME and not index.unique:
            self.out.warn(index.id, f"index name longer than {DJANGO_INDEX_NAME}: silence Django's check models.E034")
        if index.unique:
            if index.method != "btree":
                self.out.warn(index.id, "a unique index is always a B-tree in Django")
            if not (index.where or not plain or index.include or opclasses):
                self.out.warn(index.id, "Django creates a unique constraint, not a unique index")
            return Call("models.UniqueConstraint", args, kwargs)
        func = INDEX_CLASSES.get(index.method, "models.Index")
        return Call(func, args, kwargs)

    # ---- module ----------------------------------------------------------------------------
    def model(self, table: Table) -> str:
        lines = [f"class {self.classes[table.id]}(models.Model):"]
        for column in table.columns:
            code, text_null = self.field_code(table, column)
            line = statement(f"{self.fields[table.id][column.id]} = ", code, 4)
            if text_null:
                first, _, rest = line.partition("\n")
                line = f"{first}  # noqa: DJ001 - the design allows NULL" + (f"\n{rest}" if rest else "")
            lines.append(line)
        if len(self.pk[table.id]) > 1:
            pk = Call("models.CompositePrimaryKey", [Str(self.fields[table.id][c]) for c in self.pk[table.id]])
            lines.append(statement("pk = ", pk, 4))

        lines += ["", *self.meta(table), "", f"{INDENT}def __str__(self) -> str:", f"{INDENT * 2}return str(self.pk)"]
        self.warn_ddl_only(table)
        return "\n".join(lines)

    def warn_ddl_only(self, table: Table) -> None:
        if table.partitioning:
            self.out.warn(table.id, f"partitioning {NOT_IN_MODELS}")
        if self.emitter.uses_updated_at_trigger(table):
            self.out.warn(table.id, f"the updated_at trigger {NOT_IN_MODELS}")
        if table.options.audit:
            self.out.warn(table.id, f"the audit trigger and audit table {NOT_IN_MODELS}")
        if table.rls.enabled or table.rls.force:
            self.out.warn(table.id, f"row-level security {NOT_IN_MODELS}")

    def run(self) -> Emitted:
        models_ = [self.model(table) for table in self.doc.tables]
        security = self.doc.security
        ddl_only: list[Role | Grant | Policy] = [*security.roles, *security.grants, *security.policies]
        for obj in ddl_only:
            self.out.warn(obj.id, f"{type(obj).__name__.lower()} {NOT_IN_MODELS}")
        for extension in self.emitter.extensions():
            self.out.warn("design", f"needs {extension!r}: add a CreateExtension migration operation")
        body = []
        if "SqlTypeField" in used_names("\n".join(models_)):
            body += [SQL_TYPE_FIELD, ""]
        for source in models_:
            body += [source, "", ""]
        text = "\n".join(body).rstrip() + "\n"
        self.out.text = self.header(text) + text
        return self.out

    @staticmethod
    def header(body: str) -> str:
        used = used_names(body)
        imports = ["from typing import Any", ""] if "Any" in used else []
        optional = [
            ("ArrayField", "from django.contrib.postgres.fields import ArrayField"),
            ("GinIndex", "from django.contrib.postgres.indexes import {}"),
            ("SearchVectorField", "from django.contrib.postgres.search import SearchVectorField"),
        ]
        index_classes = sorted(c for c in INDEX_CLASSES.values() if c in used)
        for name, line in optional:
            if name == "GinIndex":
                if index_classes:
                    imports.append(line.format(", ".join(index_classes)))
            elif name in used:
                imports.append(line)
        imports.append("from django.db import models")
        if "RawSQL" in used:
            imports.append("from django.db.models.expressions import RawSQL")
        if "Now" in used:
            imports.append("from django.db.models.functions import Now")
        doc = '"""Django models generated by DB Studio from a design; edit the design, then export again."""'
        return doc + "\n\n" + "\n".join(imports) + "\n\n\n"
