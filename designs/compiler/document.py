"""The design document: plain data with a format version and a stable id on every object.

Everything in DB Studio reads and writes this one shape: the canvas (through Yjs), the API, the
compiler, the importers and the diff engine. Objects point at each other by id, never by name,
so a rename is a rename everywhere.

Structural rules (types, required fields, allowed values) live on the models below; rules that
need the whole document (ids resolve, names are unique, ...) live in ``validate.py``.
Older documents are brought up to date by ``upgrade()`` through the numbered ``UPGRADES`` table.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, StringConstraints

FORMAT = 1

Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=255)]
SqlText = Annotated[str, StringConstraints(min_length=1, max_length=10_000)]
Color = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]

Dialect = Literal["postgresql", "mysql", "sqlite", "mssql", "oracle"]
ReferentialAction = Literal["no_action", "restrict", "cascade", "set_null", "set_default"]
Cardinality = Literal["zero_or_one", "exactly_one", "zero_or_many", "one_or_many"]
# fulltext and spatial are MySQL/MariaDB's FULLTEXT and SPATIAL indexes (other engines: not emitted, warned).
IndexMethod = Literal["btree", "hash", "gin", "gist", "brin", "spgist", "fulltext", "spatial"]

# Portable type names. Each dialect module maps these; anything else is a ``raw`` type.
PORTABLE_TYPES: dict[str, set[str]] = {
    # name: the parameters it accepts
    "smallint": set(),
    "integer": set(),
    "bigint": set(),
    "smallserial": set(),
    "serial": set(),
    "bigserial": set(),
    "numeric": {"precision", "scale"},
    "real": set(),
    "double": set(),
    "money": set(),
    "boolean": set(),
    "text": set(),
    "varchar": {"length"},
    "char": {"length"},
    "citext": set(),
    "bytea": {"length"},
    "date": set(),
    "time": {"precision"},
    "timetz": {"precision"},
    "timestamp": {"precision"},
    "timestamptz": {"precision"},
    "interval": set(),
    "uuid": set(),
    "json": set(),
    "jsonb": set(),
    "xml": set(),
    "inet": set(),
    "cidr": set(),
    "macaddr": set(),
    "tsvector": set(),
    "year": set(),
    "enum": set(),
    "raw": set(),
}
TypeName = Literal[
    "smallint",
    "integer",
    "bigint",
    "smallserial",
    "serial",
    "bigserial",
    "numeric",
    "real",
    "double",
    "money",
    "boolean",
    "text",
    "varchar",
    "char",
    "citext",
    "bytea",
    "date",
    "time",
    "timetz",
    "timestamp",
    "timestamptz",
    "interval",
    "uuid",
    "json",
    "jsonb",
    "xml",
    "inet",
    "cidr",
    "macaddr",
    "tsvector",
    "year",
    "enum",
    "raw",
]
assert set(get_args(TypeName)) == set(PORTABLE_TYPES)
INTEGER_TYPES = frozenset({"smallint", "integer", "bigint", "smallserial", "serial", "bigserial"})


class Model(BaseModel):
    """Base for every document object.

    Unknown keys are errors, so typos never pass silently; types are strict, so ``"nullable": "yes"``
    is an error rather than a guess.
    """

    model_config = ConfigDict(extra="forbid", strict=True, validate_default=False)


def _scalar(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise ValueError("must be a string, number, boolean or null")


Scalar = Annotated[
    str | int | float | bool | None,
    PlainValidator(_scalar, json_schema_input_type=str | int | float | bool | None),
]


def _format_number(value: Any) -> Any:
    if isinstance(value, bool) or value != 1:
        raise ValueError("must be 1")
    return value


class Point(Model):
    x: float = 0
    y: float = 0


class Size(Model):
    width: float = Field(default=240, ge=0)
    height: float = Field(default=160, ge=0)


class ColumnType(Model):
    """A column's type: a portable name with its parameters, or ``raw`` SQL per dialect.

    ``raw`` may also be given beside a portable name to override it on one dialect
    (for example ``{"name": "text", "raw": {"postgresql": "ltree"}}``).
    """

    name: TypeName
    length: int | None = Field(default=None, ge=1, le=1_073_741_823)
    precision: int | None = Field(default=None, ge=0, le=1000)
    scale: int | None = Field(default=None, ge=0, le=1000)
    array: int = Field(default=0, ge=0, le=6, description="array dimensions; 0 for a scalar")
    unsigned: bool = False
    enum: Id | None = Field(default=None, description="id of the enum when name is 'enum'")
    raw: dict[Dialect, SqlText] | None = None


class ColumnDefault(Model):
    """A default: a literal value (quoted by the emitter) or an SQL expression (emitted as written)."""

    kind: Literal["literal", "expression"]
    value: Scalar


class Identity(Model):
    """Identity / auto-increment. ``always`` is PostgreSQL's GENERATED ALWAYS; else BY DEFAULT."""

    always: bool = False
    start: int | None = None
    increment: int | None = Field(default=None, description="step; never 0")


class Generated(Model):
    expression: SqlText
    stored: bool = True


class Column(Model):
    id: Id
    name: Name
    type: ColumnType
    nullable: bool = True
    default: ColumnDefault | None = None
    identity: Identity | None = None
    generated: Generated | None = None
    comment: str | None = None
    tags: list[Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]{1,40}$")]] = Field(default_factory=list)
    example: str | None = Field(default=None, description="a sample value, used in the data dictionary")
    collation: Name | None = None


class PrimaryKey(Model):
    name: Name | None = Field(default=None, description="constraint name; the naming convention when unset")
    columns: list[Id] = Field(min_length=1)


class Unique(Model):
    id: Id
    name: Name | None = None
    columns: list[Id] = Field(min_length=1)
    nulls_not_distinct: bool = False


class Check(Model):
    id: Id
    name: Name | None = None
    expression: SqlText


class IndexColumn(Model):
    """One key part of an index: a column by id, or an SQL expression."""

    column: Id | None = None
    expression: SqlText | None = None
    order: Literal["asc", "desc"] = "asc"
    nulls: Literal["first", "last"] | None = None
    opclass: Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_.]{0,62}$")] | None = None


class Index(Model):
    id: Id
    name: Name | None = None
    columns: list[IndexColumn] = Field(min_length=1)
    unique: bool = False
    method: IndexMethod = "btree"
    where: SqlText | None = Field(default=None, description="predicate of a partial index")
    include: list[Id] = Field(default_factory=list, description="covering (INCLUDE) columns")
    comment: str | None = None


class PartitionKey(Model):
    column: Id | None = None
    expression: SqlText | None = None


class Partition(Model):
    """One partition. Bounds are SQL literals, e.g. ``from_values=["'2024-01-01'"]``."""

    id: Id
    name: Name
    values: list[SqlText] = Field(default_factory=list, description="LIST partition values")
    from_values: list[SqlText] = Field(default_factory=list, description="RANGE lower bound (inclusive)")
    to_values: list[SqlText] = Field(default_factory=list, description="RANGE upper bound (exclusive)")
    modulus: int | None = Field(default=None, ge=1)
    remainder: int | None = Field(default=None, ge=0)
    is_default: bool = False


class Partitioning(Model):
    strategy: Literal["range", "list", "hash"]
    key: list[PartitionKey] = Field(min_length=1)
    partitions: list[Partition] = Field(default_factory=list)


class RowLevelSecurity(Model):
    enabled: bool = False
    force: bool = False


class TableOptions(Model):
    updated_at_trigger: bool = Field(default=False, description="maintain updated_at with a trigger")
    updated_at_column: Id | None = Field(
        default=None,
        description="id of the column the updated_at trigger maintains; the column named updated_at when unset",
    )
    audit: bool = Field(default=False, description="record every change in the audit-log table")


class Table(Model):
    id: Id
    name: Name
    schema_: Name | None = Field(default=None, alias="schema", description="the design's default when unset")
    comment: str | None = None
    columns: list[Column] = Field(default_factory=list)
    primary_key: PrimaryKey | None = None
    uniques: list[Unique] = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list)
    indexes: list[Index] = Field(default_factory=list)
    partitioning: Partitioning | None = None
    rls: RowLevelSecurity = Field(default_factory=RowLevelSecurity)
    options: TableOptions = Field(default_factory=TableOptions)
    position: Point = Field(default_factory=Point)
    color: Color | None = None
    estimated_rows: int | None = Field(default=None, ge=0)
    growth_rows_per_month: int | None = Field(default=None, ge=0)
    tags: list[Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]{1,40}$")]] = Field(default_factory=list)

    def column(self, column_id: str) -> Column | None:
        return next((c for c in self.columns if c.id == column_id), None)


class Relationship(Model):
    """A foreign key from ``from_table`` (the child) to ``to_table`` (the referenced table).

    ``from_columns`` and ``to_columns`` pair up by position. Both may be empty for an
    entity-level relationship drawn before its columns exist; review reports it.
    """

    id: Id
    name: Name | None = None
    from_table: Id
    from_columns: list[Id] = Field(default_factory=list)
    to_table: Id
    to_columns: list[Id] = Field(default_factory=list)
    on_delete: ReferentialAction = "no_action"
    on_update: ReferentialAction = "no_action"
    from_cardinality: Cardinality = "zero_or_many"
    to_cardinality: Cardinality = "exactly_one"
    identifying: bool = False
    deferrable: bool = False
    initially_deferred: bool = False
    label: str | None = None
    comment: str | None = None


class Enum(Model):
    id: Id
    name: Name
    schema_: Name | None = Field(default=None, alias="schema")
    values: list[Annotated[str, StringConstraints(min_length=1, max_length=63)]] = Field(min_length=1)
    comment: str | None = None


class Note(Model):
    id: Id
    text: str
    position: Point = Field(default_factory=Point)
    size: Size = Field(default_factory=Size)
    color: Color | None = None
    anchor: Id | None = Field(default=None, description="the object this note is about")


class Area(Model):
    id: Id
    name: Name
    position: Point = Field(default_factory=Point)
    size: Size = Field(default_factory=Size)
    color: Color | None = None


class OrderColumn(Model):
    column: Id
    order: Literal["asc", "desc"] = "asc"


class AccessPattern(Model):
    """A query the application runs, declared so the index strategy can serve it.

    Give the query as ``sql``, or structurally: the table, the columns compared with ``=``
    (``equality``), at most one compared by range, the sort, and a constant filter (``where``).
    """

    id: Id
    name: Name
    description: str | None = None
    table: Id
    sql: SqlText | None = None
    equality: list[Id] = Field(default_factory=list)
    range: list[Id] = Field(default_factory=list)
    order_by: list[OrderColumn] = Field(default_factory=list)
    select: list[Id] = Field(default_factory=list, description="columns read; an index may INCLUDE them")
    contains: list[Id] = Field(default_factory=list, description="jsonb/array containment (@>)")
    text_search: list[Id] = Field(default_factory=list, description="substring/trigram search (ILIKE)")
    where: SqlText | None = Field(default=None, description="a constant filter, e.g. deleted_at IS NULL")
    limit: int | None = Field(default=None, ge=1)
    calls_per_minute: float | None = Field(default=None, ge=0)
    target_latency_ms: float | None = Field(default=None, gt=0)


class Role(Model):
    id: Id
    name: Name
    login: bool = False
    inherits: list[Id] = Field(default_factory=list, description="ids of roles this role is a member of")
    comment: str | None = None


Privilege = Literal["select", "insert", "update", "delete", "truncate", "references", "trigger", "all"]


class Grant(Model):
    id: Id
    role: Id = Field(description="a role id, or 'public'")
    privileges: list[Privilege] = Field(min_length=1)
    tables: list[Id] = Field(default_factory=list, description="table ids; empty means every table")
    columns: list[Id] = Field(default_factory=list, description="restrict to these column ids")


class Policy(Model):
    """A row-level-security policy on one table."""

    id: Id
    name: Name
    table: Id
    command: Literal["all", "select", "insert", "update", "delete"] = "all"
    roles: list[Id] = Field(default_factory=list, description="role ids or 'public'; empty means public")
    using: SqlText | None = None
    with_check: SqlText | None = None
    permissive: bool = True


class Security(Model):
    roles: list[Role] = Field(default_factory=list)
    grants: list[Grant] = Field(default_factory=list)
    policies: list[Policy] = Field(default_factory=list)


class Naming(Model):
    """Constraint-name templates. Placeholders: {table}, {columns}, {referred_table}, {name}."""

    primary_key: Name = "pk_{table}"
    foreign_key: Name = "fk_{table}_{columns}"
    unique: Name = "uq_{table}_{columns}"
    check: Name = "ck_{table}_{name}"
    index: Name = "idx_{table}_{columns}"
    table_case: Literal["snake", "any"] = "snake"
    table_number: Literal["plural", "singular", "any"] = "any"
    max_identifier_bytes: int = Field(default=63, ge=16, le=255)


class Timestamps(Model):
    """Which bookkeeping columns the design's convention asks every table to have."""

    created_at: bool = False
    updated_at: bool = False
    updated_at_trigger: bool = False


class Settings(Model):
    default_schema: Name = "public"
    target: Dialect = "postgresql"
    naming: Naming = Field(default_factory=Naming)
    timestamps: Timestamps = Field(default_factory=Timestamps)
    audit_table: Name = "audit_log"
    review: dict[str, Any] = Field(default_factory=dict, description="lint configuration (rules, severities)")


class Document(Model):
    """A whole design. ``format`` tells which layout it has; see ``upgrade()``."""

    format: Annotated[Literal[1], PlainValidator(_format_number, json_schema_input_type=Literal[1])] = 1
    name: Name = "Untitled design"
    description: str | None = None
    settings: Settings = Field(default_factory=Settings)
    tables: list[Table] = Field(default_factory=list)
    relationships: list[Relationship] = Field(default_factory=list)
    enums: list[Enum] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)
    areas: list[Area] = Field(default_factory=list)
    access_patterns: list[AccessPattern] = Field(default_factory=list)
    security: Security = Field(default_factory=Security)

    def table(self, table_id: str) -> Table | None:
        return next((t for t in self.tables if t.id == table_id), None)

    def enum(self, enum_id: str) -> Enum | None:
        return next((e for e in self.enums if e.id == enum_id), None)

    def to_data(self) -> dict[str, Any]:
        """The JSON-ready form, without defaults that carry no information."""
        return self.model_dump(mode="json", by_alias=True, exclude_defaults=True) | {"format": FORMAT}


def new_id(prefix: str) -> str:
    """A fresh stable id such as ``t_k3v9x2ab`` (prefix t=table, c=column, r=relationship, ...)."""
    return f"{prefix}_{secrets.token_hex(4)}"


# Upgrades: UPGRADES[n] turns a format-n document into format n+1. Each is a pure function on
# plain data, so a stored document of any age loads. Format 1 is the first released format.
UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


class UpgradeError(ValueError):
    pass


def upgrade(data: Any) -> Any:
    """Bring plain document data of any known format up to ``FORMAT``; anything else passes through."""
    if not isinstance(data, dict):
        return data
    version = data.get("format", FORMAT)
    if not isinstance(version, int) or isinstance(version, bool):
        return data
    if version > FORMAT:
        raise UpgradeError(f"format {version} is newer than this DB Studio understands (up to {FORMAT})")
    while version < FORMAT:
        step = UPGRADES.get(version)
        if step is None:
            raise UpgradeError(f"no upgrade from format {version}")
        data = step(dict(data))
        version += 1
        data["format"] = version
    return data


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the current format (written to docs/design.schema.json)."""
    schema = Document.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://dbstudio.dev/schema/design-1.json"
    schema["title"] = "DB Studio design document, format 1"
    return schema
