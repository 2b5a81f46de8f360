"""SQL column types and defaults (as sqlglot reads them) → the document's portable types.

A type becomes a portable one only when the emitters give it back unchanged on the source engine;
anything else is kept as ``raw`` SQL for that engine, so nothing is approximated on import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

# sqlglot type name → portable name, per source dialect (``*`` applies to all).
_COMMON = {
    "INT": "integer",
    "SMALLINT": "smallint",
    "BIGINT": "bigint",
    "SERIAL": "serial",
    "BIGSERIAL": "bigserial",
    "SMALLSERIAL": "smallserial",
    "DECIMAL": "numeric",
    "DOUBLE": "double",
    "MONEY": "money",
    "BOOLEAN": "boolean",
    "TEXT": "text",
    "VARCHAR": "varchar",
    "NVARCHAR": "varchar",
    "CHAR": "char",
    "NCHAR": "char",
    "BPCHAR": "char",
    "DATE": "date",
    "TIME": "time",
    "TIMETZ": "timetz",
    "TIMESTAMP": "timestamp",
    "TIMESTAMPTZ": "timestamptz",
    "DATETIME": "timestamp",
    "INTERVAL": "interval",
    "UUID": "uuid",
    "JSON": "json",
    "JSONB": "jsonb",
    "XML": "xml",
    "INET": "inet",
    "YEAR": "year",
}
TYPE_NAMES: dict[str, dict[str, str]] = {
    "postgresql": _COMMON | {"FLOAT": "real", "VARBINARY": "bytea"},
    "mysql": {k: v for k, v in _COMMON.items() if k not in ("TIMESTAMPTZ", "MONEY", "SERIAL", "BIGSERIAL")}
    | {"FLOAT": "real", "LONGBLOB": "bytea"},
    "sqlite": _COMMON | {"FLOAT": "double", "VARBINARY": "bytea", "BLOB": "bytea"},
}
_UNSIGNED = {"UINT": "integer", "USMALLINT": "smallint", "UBIGINT": "bigint", "UDECIMAL": "numeric"}
_MYSQL_SMALL_INTS = {"TINYINT": "smallint", "UTINYINT": "smallint", "MEDIUMINT": "integer", "UMEDIUMINT": "integer"}
_USER_DEFINED = {"cidr", "macaddr", "tsvector", "citext"}
_LENGTH_TYPES = {"varchar", "char"}
_NUMERIC_TYPES = {"numeric"}
_PRECISION_TYPES = {"time", "timetz", "timestamp", "timestamptz"}
SQLGLOT_DIALECT = {"postgresql": "postgres", "mysql": "mysql", "sqlite": "sqlite"}


@dataclass
class Domain:
    """A PostgreSQL domain: imported as its base type plus a check on each column that uses it."""

    name: str
    base: exp.DataType
    checks: list[tuple[str | None, str]] = field(default_factory=list)  # (name, expression with VALUE)
    not_null: bool = False
    default: exp.Expression | None = None


@dataclass
class MappedType:
    data: dict[str, Any]
    warning: str | None = None
    domain: Domain | None = None
    enum_values: list[str] | None = None  # an inline MySQL ENUM: becomes a document enum


def sql_text(node: exp.Expr, dialect: str) -> str:
    """Render an expression back in the source dialect's words."""
    return node.sql(dialect=SQLGLOT_DIALECT[dialect])


def _ints(dt: exp.DataType) -> list[int] | None:
    out = []
    for param in dt.expressions:
        inner = param.this if isinstance(param, exp.DataTypeParam) else param
        if not (isinstance(inner, exp.Literal) and not inner.is_string and str(inner.this).isdigit()):
            return None
        out.append(int(inner.this))
    return out


def user_type_name(dt: exp.DataType) -> tuple[str | None, str] | None:
    """(schema, name) of a user-defined type reference, e.g. ``public.mpaa_rating``."""
    if dt.this != exp.DType.USERDEFINED:
        return None
    kind = dt.args.get("kind")
    if isinstance(kind, exp.Dot):
        return kind.this.name, kind.expression.name
    text = kind.name if isinstance(kind, exp.Expression) else str(kind or dt.sql())
    schema, _, name = text.rpartition(".")
    return (schema or None), name.strip('"')


def map_type(
    dt: exp.DataType | None,
    dialect: str,
    enums: dict[str, str],
    domains: dict[str, Domain],
) -> MappedType:
    """The document type of a column; ``enums`` and ``domains`` are keyed by lower-cased bare name."""
    if dt is None:  # SQLite allows a column without a type
        return MappedType({"name": "text"}, "a column without a type is imported as TEXT")
    array = 0
    while dt.this == exp.DType.ARRAY and dt.expressions:
        array += 1
        inner = dt.expressions[0]
        if not isinstance(inner, exp.DataType):
            break
        dt = inner
    mapped = _scalar(dt, dialect, enums, domains)
    if array:
        if mapped.domain is not None or mapped.enum_values is not None:
            return MappedType(_raw(dt, dialect, array), f"array of {sql_text(dt, dialect)} kept as raw SQL")
        mapped.data["array"] = array
    return mapped


def _raw(dt: exp.DataType, dialect: str, array: int = 0) -> dict[str, Any]:
    return {"name": "raw", "raw": {dialect: sql_text(dt, dialect) + "[]" * array}}


def _scalar(dt: exp.DataType, dialect: str, enums: dict[str, str], domains: dict[str, Domain]) -> MappedType:
    key = dt.this.name
    user = user_type_name(dt)
    if user is not None:
        bare = user[1].lower()
        if bare in enums:
            return MappedType({"name": "enum", "enum": enums[bare]})
        if bare in domains:
            domain = domains[bare]
            base = map_type(domain.base, dialect, enums, {})
            base.domain = domain
            return base
        if bare in _USER_DEFINED and user[0] in (None, "public", "pg_catalog"):
            return MappedType({"name": bare})
        return MappedType(_raw(dt, dialect))
    if dialect == "mysql" and key == "ENUM":
        values = [str(v.this) for v in dt.expressions if isinstance(v, exp.Literal)]
        return MappedType({"name": "enum"}, enum_values=values)
    if dialect == "mysql" and key == "TINYINT" and _ints(dt) == [1]:
        return MappedType({"name": "boolean"})
    if dialect == "mysql" and key in _MYSQL_SMALL_INTS:
        # No portable equivalent, but an integer all the same (it may be AUTO_INCREMENT): the portable
        # name says so, the raw override keeps the exact MySQL type.
        return MappedType({"name": _MYSQL_SMALL_INTS[key], "raw": {dialect: sql_text(dt, dialect)}})
    unsigned = dialect == "mysql" and key in _UNSIGNED
    name = _UNSIGNED[key] if unsigned else TYPE_NAMES[dialect].get(key)
    if name is None:
        return MappedType(_raw(dt, dialect))
    data: dict[str, Any] = {"name": name}
    if unsigned:
        data["unsigned"] = True
    args = _ints(dt)
    if args is None:
        return MappedType(_raw(dt, dialect))
    if name in _LENGTH_TYPES and len(args) == 1:
        data["length"] = args[0]
    elif name in _NUMERIC_TYPES and len(args) in (1, 2):
        data["precision"] = args[0]
        if len(args) == 2:
            data["scale"] = args[1]
    elif name in _PRECISION_TYPES and len(args) == 1:
        data["precision"] = args[0]
    elif args and not (dialect == "mysql" and name in ("integer", "smallint", "bigint")):
        # MySQL's INT(11) display width means nothing; other arguments we cannot carry stay raw.
        return MappedType(_raw(dt, dialect))
    return MappedType(data)


def map_default(node: exp.Expr, dialect: str) -> dict[str, Any] | None:
    """A column default as a literal when it is one (casts to the column's own type dropped), else SQL."""
    inner = node
    while isinstance(inner, exp.Paren):
        inner = inner.this
    if isinstance(inner, exp.Cast) and isinstance(inner.this, exp.Literal) and inner.this.is_string:
        target = inner.to
        if isinstance(target, exp.DataType) and (
            target.this in (exp.DType.USERDEFINED, exp.DType.TEXT, exp.DType.VARCHAR, exp.DType.CHAR, exp.DType.BPCHAR)
        ):
            inner = inner.this
    if isinstance(inner, exp.Null):
        return None
    if isinstance(inner, exp.Literal):
        if inner.is_string:
            return {"kind": "literal", "value": str(inner.this)}
        text = str(inner.this)
        try:
            number: int | float = int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return {"kind": "expression", "value": text}
        return {"kind": "literal", "value": number}
    if isinstance(inner, exp.Neg) and isinstance(inner.this, exp.Literal) and not inner.this.is_string:
        value = map_default(inner.this, dialect)
        if value and isinstance(value["value"], int | float) and not isinstance(value["value"], bool):
            return {"kind": "literal", "value": -value["value"]}
    if isinstance(inner, exp.Boolean):
        return {"kind": "literal", "value": bool(inner.this)}
    if isinstance(inner, exp.CurrentTimestamp) and inner.this is None:
        # MySQL's CURRENT_TIMESTAMP() is the portable CURRENT_TIMESTAMP, which every engine accepts.
        return {"kind": "expression", "value": "CURRENT_TIMESTAMP"}
    return {"kind": "expression", "value": sql_text(node, dialect)}
