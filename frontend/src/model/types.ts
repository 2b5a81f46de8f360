/** Reading a column type the way a person types it: `varchar(255)`, `numeric(12,2)`, `text[]`, an enum's name. */

import type { ColumnType, DesignDocument, TypeName } from "../document";

export const PORTABLE_TYPES: readonly TypeName[] = [
  "bigint",
  "integer",
  "smallint",
  "bigserial",
  "serial",
  "smallserial",
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
];

/** Which parameters each portable type takes (document.PORTABLE_TYPES). */
const PARAMS: Partial<Record<TypeName, ("length" | "precision" | "scale")[]>> = {
  varchar: ["length"],
  char: ["length"],
  numeric: ["precision", "scale"],
  time: ["precision"],
  timetz: ["precision"],
  timestamp: ["precision"],
  timestamptz: ["precision"],
  bytea: ["length"],
};

/** Common spellings people type, mapped to the portable name. */
const ALIASES: Record<string, TypeName> = {
  int: "integer",
  int4: "integer",
  int8: "bigint",
  int2: "smallint",
  bool: "boolean",
  decimal: "numeric",
  float: "double",
  float8: "double",
  "double precision": "double",
  float4: "real",
  string: "text",
  datetime: "timestamp",
  "character varying": "varchar",
  character: "char",
  blob: "bytea",
  timestamp_tz: "timestamptz",
};

/**
 * Parse `text` into a column type, or return an error message. Unknown names become `raw` for the
 * design's target dialect, so nothing a person types is refused outright.
 */
export function parseType(text: string, doc: DesignDocument): ColumnType | string {
  let rest = text.trim();
  if (!rest) {
    return "Type a column type, e.g. text or varchar(255).";
  }
  let array = 0;
  while (rest.endsWith("[]")) {
    array++;
    rest = rest.slice(0, -2).trim();
  }
  let unsigned = false;
  if (/\sunsigned$/i.test(rest)) {
    unsigned = true;
    rest = rest.replace(/\sunsigned$/i, "").trim();
  }
  const match = /^([A-Za-z_][A-Za-z0-9_ ]*?)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?$/.exec(rest);
  const extra = (t: ColumnType): ColumnType => ({
    ...t,
    ...(array ? { array } : {}),
    ...(unsigned ? { unsigned } : {}),
  });
  if (match) {
    const word = (match[1] ?? "").toLowerCase();
    const enumMatch = (doc.enums ?? []).find((e) => e.name.toLowerCase() === word);
    if (enumMatch && !match[2]) {
      return extra({ name: "enum", enum: enumMatch.id });
    }
    const name = (PORTABLE_TYPES as readonly string[]).includes(word) ? (word as TypeName) : ALIASES[word];
    if (name) {
      const params = PARAMS[name] ?? [];
      const first = match[2] === undefined ? null : Number(match[2]);
      const second = match[3] === undefined ? null : Number(match[3]);
      if (first !== null && params.length === 0) {
        return `${name} takes no parameters.`;
      }
      const type: ColumnType = { name };
      if (first !== null) {
        if (params[0] === "length") {
          type.length = first;
        } else {
          type.precision = first;
        }
      }
      if (second !== null) {
        if (!params.includes("scale")) {
          return `${name} takes one parameter.`;
        }
        if (second > (first ?? 0)) {
          return "The scale must not be larger than the precision.";
        }
        type.scale = second;
      }
      return extra(type);
    }
  }
  const target = doc.settings?.target ?? "postgresql";
  return { name: "raw", raw: { [target]: text.trim() } };
}
