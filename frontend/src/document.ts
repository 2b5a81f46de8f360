/**
 * The design document, format 1, as TypeScript types.
 *
 * These types MIRROR designs/compiler/document.py field for field, by hand. When a field is
 * added, renamed or changes type there, change it here in the same commit (the field names and
 * their optionality are checked against docs/design.schema.json by tests/compiler/test_document.py).
 *
 * Conventions:
 * - A field that has a default in document.py is optional here (`?`): the server sends
 *   documents through `Document.to_data()`, which leaves out every value equal to its
 *   default. The default is noted in a comment; read such a field with `?? default`
 *   rather than assuming the key is present.
 * - `schema_` in Python is serialised by its alias, `schema`.
 * - Objects reference each other by stable id (`Id`), never by name.
 */

/** Format version this file mirrors (document.FORMAT). */
export const FORMAT = 1;

/** A stable id: `^[A-Za-z0-9_.:-]{1,64}$`, e.g. `t_k3v9x2ab`. */
export type Id = string;
/** A name: 1 to 255 characters. */
export type Name = string;
/** SQL text: 1 to 10,000 characters, emitted as written. */
export type SqlText = string;
/** A colour `#rrggbb`. */
export type Color = string;
/** A tag: `^[a-z0-9_-]{1,40}$`. */
export type Tag = string;

export type Dialect = "postgresql" | "mysql" | "sqlite" | "mssql" | "oracle";
export type ReferentialAction = "no_action" | "restrict" | "cascade" | "set_null" | "set_default";
export type Cardinality = "zero_or_one" | "exactly_one" | "zero_or_many" | "one_or_many";
/** fulltext and spatial: MySQL/MariaDB's FULLTEXT and SPATIAL indexes (not emitted on other engines). */
export type IndexMethod = "btree" | "hash" | "gin" | "gist" | "brin" | "spgist" | "fulltext" | "spatial";

/** Portable type names (document.TypeName); each dialect maps these, anything else is `raw`. */
export type TypeName =
  | "smallint"
  | "integer"
  | "bigint"
  | "smallserial"
  | "serial"
  | "bigserial"
  | "numeric"
  | "real"
  | "double"
  | "money"
  | "boolean"
  | "text"
  | "varchar"
  | "char"
  | "citext"
  | "bytea"
  | "date"
  | "time"
  | "timetz"
  | "timestamp"
  | "timestamptz"
  | "interval"
  | "uuid"
  | "json"
  | "jsonb"
  | "xml"
  | "inet"
  | "cidr"
  | "macaddr"
  | "tsvector"
  | "year"
  | "enum"
  | "raw";

export interface Point {
  /** default 0 */
  x?: number;
  /** default 0 */
  y?: number;
}

export interface Size {
  /** default 240, >= 0 */
  width?: number;
  /** default 160, >= 0 */
  height?: number;
}

/** A column's type: a portable name with parameters, or `raw` SQL per dialect. */
export interface ColumnType {
  name: TypeName;
  length?: number | null;
  precision?: number | null;
  scale?: number | null;
  /** array dimensions; 0 (default) for a scalar */
  array?: number;
  /** default false */
  unsigned?: boolean;
  /** id of the enum when name is "enum" */
  enum?: Id | null;
  raw?: Partial<Record<Dialect, SqlText>> | null;
}

/** A literal value (quoted by the emitter) or an SQL expression (emitted as written). */
export interface ColumnDefault {
  kind: "literal" | "expression";
  value: string | number | boolean | null;
}

export interface Identity {
  /** PostgreSQL's GENERATED ALWAYS; default false (BY DEFAULT) */
  always?: boolean;
  start?: number | null;
  /** step; never 0 */
  increment?: number | null;
}

export interface Generated {
  expression: SqlText;
  /** default true */
  stored?: boolean;
}

export interface Column {
  id: Id;
  name: Name;
  type: ColumnType;
  /** default true */
  nullable?: boolean;
  default?: ColumnDefault | null;
  identity?: Identity | null;
  generated?: Generated | null;
  comment?: string | null;
  /** default [] */
  tags?: Tag[];
  /** a sample value, used in the data dictionary */
  example?: string | null;
  collation?: Name | null;
}

export interface PrimaryKey {
  /** constraint name; the naming convention when unset */
  name?: Name | null;
  /** column ids, at least one */
  columns: Id[];
}

export interface Unique {
  id: Id;
  name?: Name | null;
  columns: Id[];
  /** default false */
  nulls_not_distinct?: boolean;
}

export interface Check {
  id: Id;
  name?: Name | null;
  expression: SqlText;
}

/** One key part of an index: a column by id, or an SQL expression. */
export interface IndexColumn {
  column?: Id | null;
  expression?: SqlText | null;
  /** default "asc" */
  order?: "asc" | "desc";
  nulls?: "first" | "last" | null;
  opclass?: string | null;
}

export interface Index {
  id: Id;
  name?: Name | null;
  columns: IndexColumn[];
  /** default false */
  unique?: boolean;
  /** default "btree" */
  method?: IndexMethod;
  /** predicate of a partial index */
  where?: SqlText | null;
  /** covering (INCLUDE) column ids; default [] */
  include?: Id[];
  comment?: string | null;
}

export interface PartitionKey {
  column?: Id | null;
  expression?: SqlText | null;
}

/** One partition. Bounds are SQL literals, e.g. `from_values: ["'2024-01-01'"]`. */
export interface Partition {
  id: Id;
  name: Name;
  /** LIST partition values; default [] */
  values?: SqlText[];
  /** RANGE lower bound (inclusive); default [] */
  from_values?: SqlText[];
  /** RANGE upper bound (exclusive); default [] */
  to_values?: SqlText[];
  modulus?: number | null;
  remainder?: number | null;
  /** default false */
  is_default?: boolean;
}

export interface Partitioning {
  strategy: "range" | "list" | "hash";
  key: PartitionKey[];
  /** default [] */
  partitions?: Partition[];
}

export interface RowLevelSecurity {
  /** default false */
  enabled?: boolean;
  /** default false */
  force?: boolean;
}

export interface TableOptions {
  /** maintain updated_at with a trigger; default false */
  updated_at_trigger?: boolean;
  /** id of the column the trigger maintains; the column named updated_at when unset */
  updated_at_column?: string | null;
  /** record every change in the audit-log table; default false */
  audit?: boolean;
}

export interface Table {
  id: Id;
  name: Name;
  /** Python `schema_`; the design's default schema when unset */
  schema?: Name | null;
  comment?: string | null;
  /** default [] */
  columns?: Column[];
  primary_key?: PrimaryKey | null;
  /** default [] */
  uniques?: Unique[];
  /** default [] */
  checks?: Check[];
  /** default [] */
  indexes?: Index[];
  partitioning?: Partitioning | null;
  /** default {} (disabled) */
  rls?: RowLevelSecurity;
  /** default {} */
  options?: TableOptions;
  /** default {x: 0, y: 0} */
  position?: Point;
  color?: Color | null;
  estimated_rows?: number | null;
  growth_rows_per_month?: number | null;
  /** default [] */
  tags?: Tag[];
}

/**
 * A foreign key from `from_table` (the child) to `to_table` (the referenced table).
 * `from_columns` and `to_columns` pair up by position; both may be empty for an
 * entity-level relationship drawn before its columns exist.
 */
export interface Relationship {
  id: Id;
  name?: Name | null;
  from_table: Id;
  /** default [] */
  from_columns?: Id[];
  to_table: Id;
  /** default [] */
  to_columns?: Id[];
  /** default "no_action" */
  on_delete?: ReferentialAction;
  /** default "no_action" */
  on_update?: ReferentialAction;
  /** default "zero_or_many" */
  from_cardinality?: Cardinality;
  /** default "exactly_one" */
  to_cardinality?: Cardinality;
  /** default false */
  identifying?: boolean;
  /** default false */
  deferrable?: boolean;
  /** default false */
  initially_deferred?: boolean;
  label?: string | null;
  comment?: string | null;
}

export interface Enum {
  id: Id;
  name: Name;
  /** Python `schema_` */
  schema?: Name | null;
  /** at least one; each 1 to 63 characters */
  values: string[];
  comment?: string | null;
}

export interface Note {
  id: Id;
  text: string;
  /** default {x: 0, y: 0} */
  position?: Point;
  /** default {width: 240, height: 160} */
  size?: Size;
  color?: Color | null;
  /** the object this note is about */
  anchor?: Id | null;
}

export interface Area {
  id: Id;
  name: Name;
  /** default {x: 0, y: 0} */
  position?: Point;
  /** default {width: 240, height: 160} */
  size?: Size;
  color?: Color | null;
}

export interface OrderColumn {
  column: Id;
  /** default "asc" */
  order?: "asc" | "desc";
}

/** A query the application runs, declared so the index strategy can serve it. */
export interface AccessPattern {
  id: Id;
  name: Name;
  description?: string | null;
  table: Id;
  sql?: SqlText | null;
  /** default [] */
  equality?: Id[];
  /** default [] */
  range?: Id[];
  /** default [] */
  order_by?: OrderColumn[];
  /** columns read; an index may INCLUDE them; default [] */
  select?: Id[];
  /** jsonb/array containment (@>); default [] */
  contains?: Id[];
  /** substring/trigram search (ILIKE); default [] */
  text_search?: Id[];
  /** a constant filter, e.g. deleted_at IS NULL */
  where?: SqlText | null;
  limit?: number | null;
  calls_per_minute?: number | null;
  target_latency_ms?: number | null;
}

export interface Role {
  id: Id;
  name: Name;
  /** default false */
  login?: boolean;
  /** ids of roles this role is a member of; default [] */
  inherits?: Id[];
  comment?: string | null;
}

export type Privilege = "select" | "insert" | "update" | "delete" | "truncate" | "references" | "trigger" | "all";

export interface Grant {
  id: Id;
  /** a role id, or "public" */
  role: Id;
  privileges: Privilege[];
  /** table ids; empty (default) means every table */
  tables?: Id[];
  /** restrict to these column ids; default [] */
  columns?: Id[];
}

/** A row-level-security policy on one table. */
export interface Policy {
  id: Id;
  name: Name;
  table: Id;
  /** default "all" */
  command?: "all" | "select" | "insert" | "update" | "delete";
  /** role ids or "public"; empty (default) means public */
  roles?: Id[];
  using?: SqlText | null;
  with_check?: SqlText | null;
  /** default true */
  permissive?: boolean;
}

export interface Security {
  /** default [] */
  roles?: Role[];
  /** default [] */
  grants?: Grant[];
  /** default [] */
  policies?: Policy[];
}

/** Constraint-name templates. Placeholders: {table}, {columns}, {referred_table}, {name}. */
export interface Naming {
  /** default "pk_{table}" */
  primary_key?: Name;
  /** default "fk_{table}_{columns}" */
  foreign_key?: Name;
  /** default "uq_{table}_{columns}" */
  unique?: Name;
  /** default "ck_{table}_{name}" */
  check?: Name;
  /** default "idx_{table}_{columns}" */
  index?: Name;
  /** default "snake" */
  table_case?: "snake" | "any";
  /** default "any" */
  table_number?: "plural" | "singular" | "any";
  /** default 63, 16..255 */
  max_identifier_bytes?: number;
}

/** Which bookkeeping columns the design's convention asks every table to have. */
export interface Timestamps {
  /** default false */
  created_at?: boolean;
  /** default false */
  updated_at?: boolean;
  /** default false */
  updated_at_trigger?: boolean;
}

export interface Settings {
  /** default "public" */
  default_schema?: Name;
  /** default "postgresql" */
  target?: Dialect;
  /** default: every Naming default */
  naming?: Naming;
  /** default: every Timestamps default */
  timestamps?: Timestamps;
  /** default "audit_log" */
  audit_table?: Name;
  /** lint configuration (rules, severities); default {} */
  review?: Record<string, unknown>;
}

/** A whole design. `format` tells which layout it has. */
export interface DesignDocument {
  /** defaults to 1 in Python, but `to_data()` always writes it, so it is always present here */
  format: typeof FORMAT;
  /** default "Untitled design" */
  name?: Name;
  description?: string | null;
  /** default: every Settings default */
  settings?: Settings;
  /** default [] */
  tables?: Table[];
  /** default [] */
  relationships?: Relationship[];
  /** default [] */
  enums?: Enum[];
  /** default [] */
  notes?: Note[];
  /** default [] */
  areas?: Area[];
  /** default [] */
  access_patterns?: AccessPattern[];
  /** default: every Security default */
  security?: Security;
}
