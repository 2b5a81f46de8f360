/** How document values read to a person: column types, counts. Pure functions, no React. */

import type { Column, ColumnType, Dialect, DesignDocument, Table } from "./document";

/** A column type as a person writes it: `varchar(255)`, `numeric(10,2)`, `integer[]`, `status` (enum). */
export function formatType(type: ColumnType, doc?: DesignDocument, dialect: Dialect = "postgresql"): string {
  let base: string = type.name;
  if (type.name === "raw") {
    const raw = type.raw ?? {};
    base = raw[dialect] ?? Object.values(raw)[0] ?? "raw";
  } else if (type.name === "enum") {
    const found = doc?.enums?.find((e) => e.id === type.enum);
    base = found ? found.name : "enum";
  } else if (type.length != null) {
    base = `${type.name}(${type.length})`;
  } else if (type.precision != null) {
    base = type.scale != null ? `${type.name}(${type.precision},${type.scale})` : `${type.name}(${type.precision})`;
  }
  if (type.unsigned) {
    base = `${base} unsigned`;
  }
  return base + "[]".repeat(type.array ?? 0);
}

/** The ids of the table's primary-key columns. */
export function primaryKeyIds(table: Table): Set<string> {
  return new Set(table.primary_key?.columns ?? []);
}

/** The ids of the table's columns that take part in a relationship as the child side (foreign keys). */
export function foreignKeyIds(table: Table, doc: DesignDocument): Set<string> {
  const ids = new Set<string>();
  for (const rel of doc.relationships ?? []) {
    if (rel.from_table === table.id) {
      for (const id of rel.from_columns ?? []) {
        ids.add(id);
      }
    }
  }
  return ids;
}

/** Whether a column accepts NULL (the document's default is true). */
export function isNullable(column: Column): boolean {
  return column.nullable ?? true;
}

/** "1 table", "3 tables". */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** The table's name with its schema when it is not the design's default. */
export function qualifiedName(table: Table, doc: DesignDocument): string {
  const defaultSchema = doc.settings?.default_schema ?? "public";
  return table.schema && table.schema !== defaultSchema ? `${table.schema}.${table.name}` : table.name;
}
