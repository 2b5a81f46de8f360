/** Every property of one column: name, type (portable, or raw SQL per dialect), default, keys, comment, tags. */

import type { Column, Dialect, DesignDocument, Table } from "../document";
import { formatType } from "../format";
import { isUniqueColumn, togglePrimaryKey, toggleUnique, updateColumn } from "../model/tables";
import { parseType, PORTABLE_TYPES } from "../model/types";
import { CheckField, SelectField, splitList, TextField } from "./fields";

type Dispatch = (action: (doc: DesignDocument) => DesignDocument) => void;

export const DIALECTS: { value: Dialect; label: string }[] = [
  { value: "postgresql", label: "PostgreSQL" },
  { value: "mysql", label: "MySQL / MariaDB" },
  { value: "sqlite", label: "SQLite" },
  { value: "mssql", label: "SQL Server" },
  { value: "oracle", label: "Oracle" },
];

const TAG = /^[a-z0-9_-]{1,40}$/;

export function ColumnInspector({
  doc,
  table,
  column,
  editable,
  dispatch,
}: {
  doc: DesignDocument;
  table: Table;
  column: Column;
  editable: boolean;
  dispatch: Dispatch;
}) {
  const set = (fields: Partial<Column>) => {
    dispatch((d) => updateColumn(d, table.id, column.id, fields));
  };
  const isPk = (table.primary_key?.columns ?? []).includes(column.id);
  const dflt = column.default ?? null;
  const defaultKind = dflt ? dflt.kind : "none";
  const raw = column.type.name === "raw" ? (column.type.raw ?? {}) : null;
  return (
    <section className="panel-section inspector" aria-labelledby="column-inspector-title">
      <h3 className="panel-subtitle" id="column-inspector-title">
        Column <span className="mono">{column.name}</span>
      </h3>
      <TextField
        label="Name"
        value={column.name}
        disabled={!editable}
        validate={(v) =>
          !v.trim()
            ? "A name is required"
            : (table.columns ?? []).some((c) => c.id !== column.id && c.name.toLowerCase() === v.trim().toLowerCase())
              ? `${table.name} already has a column named ${v.trim()}`
              : null
        }
        onCommit={(name) => {
          set({ name: name.trim() });
        }}
      />
      <TextField
        label="Type"
        value={formatType(column.type, doc, doc.settings?.target ?? "postgresql")}
        disabled={!editable}
        mono
        validate={(v) => {
          const t = parseType(v, doc);
          return typeof t === "string" ? t : null;
        }}
        onCommit={(v) => {
          const type = parseType(v, doc);
          if (typeof type !== "string") {
            set({ type });
          }
        }}
      />
      <p className="field-hint">
        Portable: {PORTABLE_TYPES.slice(0, 12).join(", ")}…; an enum by name; anything else is kept as raw SQL.
      </p>
      {raw && (
        <fieldset className="fieldset">
          <legend>SQL type per dialect</legend>
          {DIALECTS.map((d) => (
            <TextField
              key={d.value}
              label={d.label}
              value={raw[d.value] ?? ""}
              mono
              disabled={!editable}
              placeholder="(same as the others)"
              onCommit={(v) => {
                const next = Object.fromEntries(
                  Object.entries({ ...raw, [d.value]: v.trim() }).filter(([, sql]) => sql),
                );
                if (Object.keys(next).length) {
                  set({ type: { name: "raw", raw: next } });
                }
              }}
            />
          ))}
        </fieldset>
      )}
      <div className="field-row">
        <CheckField
          label="Nullable"
          checked={column.nullable ?? true}
          disabled={!editable || isPk}
          hint={isPk ? "key columns are NOT NULL" : undefined}
          onChange={(nullable) => {
            set({ nullable });
          }}
        />
        <CheckField
          label="Primary key"
          checked={isPk}
          disabled={!editable}
          onChange={() => {
            dispatch((d) => togglePrimaryKey(d, table.id, column.id));
          }}
        />
        <CheckField
          label="Unique"
          checked={isUniqueColumn(table, column.id)}
          disabled={!editable}
          onChange={() => {
            dispatch((d) => toggleUnique(d, table.id, column.id));
          }}
        />
      </div>
      <SelectField
        label="Default"
        value={defaultKind}
        disabled={!editable}
        options={[
          { value: "none", label: "No default" },
          { value: "literal", label: "A value" },
          { value: "expression", label: "An SQL expression" },
        ]}
        onChange={(kind) => {
          const value = dflt?.value ?? (kind === "expression" ? "now()" : "");
          set({ default: kind === "none" ? null : { kind, value } });
        }}
      />
      {dflt && (
        <TextField
          label={dflt.kind === "expression" ? "Default expression" : "Default value"}
          value={dflt.value === null ? "" : String(dflt.value)}
          mono
          disabled={!editable}
          validate={(v) => (dflt.kind === "expression" && !v.trim() ? "An expression cannot be empty" : null)}
          onCommit={(v) => {
            set({ default: { kind: dflt.kind, value: v } });
          }}
        />
      )}
      <TextField
        label="Comment"
        value={column.comment ?? ""}
        multiline
        disabled={!editable}
        onCommit={(v) => {
          set({ comment: v.trim() || null });
        }}
      />
      <TextField
        label="Tags (comma-separated)"
        value={(column.tags ?? []).join(", ")}
        disabled={!editable}
        validate={(v) => (splitList(v).every((t) => TAG.test(t)) ? null : "Tags are lowercase letters, digits, - and _")}
        onCommit={(v) => {
          set({ tags: splitList(v) });
        }}
      />
      <TextField
        label="Example value"
        value={column.example ?? ""}
        disabled={!editable}
        onCommit={(v) => {
          set({ example: v.trim() || null });
        }}
      />
    </section>
  );
}
