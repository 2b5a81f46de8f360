/** Every property of a table: names, comment, colour, tags, size estimates, columns, indexes, checks, access patterns. */

import type { DesignDocument, Index, Table } from "../document";
import { formatType, isNullable, plural, primaryKeyIds, qualifiedName } from "../format";
import { newId } from "../model/ids";
import { setTableFields, updateTable } from "../model/tables";
import { CommentButton } from "../panels/CommentButton";
import { ColumnInspector } from "./ColumnInspector";
import { numberOrNull, splitList, TextField } from "./fields";

type Dispatch = (action: (doc: DesignDocument) => DesignDocument) => void;

interface Props {
  doc: DesignDocument;
  table: Table;
  selectedColumn: string | null;
  editable: boolean;
  dispatch: Dispatch;
  onSelectColumn: (tableId: string, columnId: string | null) => void;
  onClose: () => void;
  onDelete: () => void;
}

export function TableInspector({ doc, table, selectedColumn, editable, dispatch, onSelectColumn, onClose, onDelete }: Props) {
  const pk = primaryKeyIds(table);
  const columns = table.columns ?? [];
  const indexes = table.indexes ?? [];
  const checks = table.checks ?? [];
  const dialect = doc.settings?.target ?? "postgresql";
  const related = (doc.relationships ?? []).filter((r) => r.from_table === table.id || r.to_table === table.id);
  const patterns = (doc.access_patterns ?? []).filter((p) => p.table === table.id);
  const nameOf = (id: string) => doc.tables?.find((t) => t.id === id)?.name ?? id;
  const colName = (id: string | null | undefined) => columns.find((c) => c.id === id)?.name ?? id ?? "";
  const column = columns.find((c) => c.id === selectedColumn) ?? null;
  const set = (fields: Partial<Table>) => {
    dispatch((d) => setTableFields(d, table.id, fields));
  };
  const idsFromNames = (text: string): string[] | string => {
    const ids: string[] = [];
    for (const name of splitList(text)) {
      const c = columns.find((col) => col.name.toLowerCase() === name.toLowerCase());
      if (!c) {
        return `${table.name} has no column ${name}`;
      }
      ids.push(c.id);
    }
    return ids.length ? ids : "Name at least one column";
  };
  return (
    <>
      <section className="panel-section" aria-labelledby="panel-table-title">
        <div className="panel-heading">
          <h2 className="panel-title" id="panel-table-title">
            {qualifiedName(table, doc)}
          </h2>
          <span className="panel-heading-actions">
            <CommentButton objectId={column?.id ?? table.id} name={column ? `${table.name}.${column.name}` : table.name} />
            <button type="button" className="button button-quiet button-small" onClick={onClose}>
              Close
            </button>
          </span>
        </div>
        {table.comment && <p className="panel-text">{table.comment}</p>}
        <h3 className="panel-subtitle">{plural(columns.length, "column")}</h3>
        <table className="detail-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">Null</th>
            </tr>
          </thead>
          <tbody>
            {columns.map((c) => (
              <tr key={c.id} className={c.id === selectedColumn ? "is-active" : undefined}>
                <td>
                  <button
                    type="button"
                    className="link-like"
                    aria-pressed={c.id === selectedColumn}
                    onClick={() => {
                      onSelectColumn(table.id, c.id === selectedColumn ? null : c.id);
                    }}
                  >
                    {c.name}
                  </button>
                  {pk.has(c.id) && <span className="badge badge-pk">PK</span>}
                </td>
                <td className="mono">{formatType(c.type, doc, dialect)}</td>
                <td>{isNullable(c) ? "yes" : "no"}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {columns.length > 0 && !column && <p className="panel-hint">Pick a column to edit all of its properties.</p>}
      </section>
      {column && <ColumnInspector doc={doc} table={table} column={column} editable={editable} dispatch={dispatch} />}
      <section className="panel-section" aria-label="Table properties">
        <h3 className="panel-subtitle">Table</h3>
        <TextField
          label="Name"
          value={table.name}
          disabled={!editable}
          validate={(v) =>
            !v.trim()
              ? "A name is required"
              : (doc.tables ?? []).some((t) => t.id !== table.id && t.name === v.trim() && (t.schema ?? null) === (table.schema ?? null))
                ? `A table named ${v.trim()} already exists`
                : null
          }
          onCommit={(v) => {
            set({ name: v.trim() });
          }}
        />
        <TextField
          label="Schema"
          value={table.schema ?? ""}
          placeholder={doc.settings?.default_schema ?? "public"}
          disabled={!editable}
          onCommit={(v) => {
            set({ schema: v.trim() || null });
          }}
        />
        <TextField
          label="Comment"
          value={table.comment ?? ""}
          multiline
          disabled={!editable}
          onCommit={(v) => {
            set({ comment: v.trim() || null });
          }}
        />
        <div className="field-row">
          <TextField
            label="Estimated rows"
            value={table.estimated_rows == null ? "" : String(table.estimated_rows)}
            disabled={!editable}
            validate={(v) => (v.trim() && numberOrNull(v) === null ? "A whole number, e.g. 1000000" : null)}
            onCommit={(v) => {
              set({ estimated_rows: numberOrNull(v) });
            }}
          />
          <TextField
            label="Growth per month"
            value={table.growth_rows_per_month == null ? "" : String(table.growth_rows_per_month)}
            disabled={!editable}
            validate={(v) => (v.trim() && numberOrNull(v) === null ? "A whole number" : null)}
            onCommit={(v) => {
              set({ growth_rows_per_month: numberOrNull(v) });
            }}
          />
        </div>
        <div className="field-row">
          <TextField
            label="Colour"
            value={table.color ?? ""}
            placeholder="#3856d8"
            disabled={!editable}
            validate={(v) => (v.trim() && !/^#[0-9a-fA-F]{6}$/.test(v.trim()) ? "A colour like #3856d8" : null)}
            onCommit={(v) => {
              set({ color: v.trim() || null });
            }}
          />
          <TextField
            label="Tags"
            value={(table.tags ?? []).join(", ")}
            disabled={!editable}
            validate={(v) => (splitList(v).every((t) => /^[a-z0-9_-]{1,40}$/.test(t)) ? null : "lowercase, digits, - and _")}
            onCommit={(v) => {
              set({ tags: splitList(v) });
            }}
          />
        </div>
      </section>
      <section className="panel-section" aria-label="Indexes">
        <h3 className="panel-subtitle">{plural(indexes.length, "index", "indexes")}</h3>
        <ul className="plain-list">
          {indexes.map((ix: Index) => (
            <li key={ix.id} className="list-row">
              <span className="mono">
                {ix.name ?? `(${ix.columns.map((k) => (k.column ? colName(k.column) : (k.expression ?? ""))).join(", ")})`}
                {ix.unique ? " unique" : ""}
                {ix.method && ix.method !== "btree" ? ` ${ix.method}` : ""}
              </span>
              {editable && (
                <DeleteButton
                  label={`Delete index on ${ix.columns.map((k) => (k.column ? colName(k.column) : "expression")).join(", ")}`}
                  onDelete={() => {
                    dispatch((d) => updateTable(d, table.id, (t) => ({ ...t, indexes: (t.indexes ?? []).filter((i) => i.id !== ix.id) })));
                  }}
                />
              )}
            </li>
          ))}
        </ul>
        {editable && (
          <TextField
            label="Add an index on columns"
            value=""
            clearOnCommit
            placeholder="customer_id, created_at"
            validate={(v) => {
              const ids = idsFromNames(v);
              return typeof ids === "string" ? ids : null;
            }}
            onCommit={(v) => {
              const ids = idsFromNames(v);
              if (typeof ids !== "string") {
                dispatch((d) =>
                  updateTable(d, table.id, (t) => ({
                    ...t,
                    indexes: [...(t.indexes ?? []), { id: newId("i"), columns: ids.map((column) => ({ column })) }],
                  })),
                );
              }
            }}
          />
        )}
      </section>
      <section className="panel-section" aria-label="Checks">
        <h3 className="panel-subtitle">{plural(checks.length, "check")}</h3>
        <ul className="plain-list">
          {checks.map((ck) => (
            <li key={ck.id} className="list-row">
              <span className="mono">{ck.expression}</span>
              {editable && (
                <DeleteButton
                  label={`Delete check ${ck.expression}`}
                  onDelete={() => {
                    dispatch((d) => updateTable(d, table.id, (t) => ({ ...t, checks: (t.checks ?? []).filter((c) => c.id !== ck.id) })));
                  }}
                />
              )}
            </li>
          ))}
        </ul>
        {editable && (
          <TextField
            label="Add a check"
            value=""
            clearOnCommit
            mono
            placeholder="total >= 0"
            onCommit={(v) => {
              if (v.trim()) {
                dispatch((d) =>
                  updateTable(d, table.id, (t) => ({ ...t, checks: [...(t.checks ?? []), { id: newId("k"), expression: v.trim() }] })),
                );
              }
            }}
          />
        )}
      </section>
      <section className="panel-section" aria-label="Access patterns">
        <h3 className="panel-subtitle">{plural(patterns.length, "access pattern")}</h3>
        <ul className="plain-list">
          {patterns.map((p) => (
            <li key={p.id} className="list-row">
              <span>
                {p.name}
                <span className="muted"> — by {(p.equality ?? []).map(colName).join(", ") || "…"}</span>
              </span>
              {editable && (
                <DeleteButton
                  label={`Delete access pattern ${p.name}`}
                  onDelete={() => {
                    dispatch((d) => ({ ...d, access_patterns: (d.access_patterns ?? []).filter((x) => x.id !== p.id) }));
                  }}
                />
              )}
            </li>
          ))}
        </ul>
        {editable && (
          <TextField
            label="Add a lookup by columns"
            value=""
            clearOnCommit
            placeholder="customer_id, status"
            validate={(v) => {
              const ids = idsFromNames(v);
              return typeof ids === "string" ? ids : null;
            }}
            onCommit={(v) => {
              const ids = idsFromNames(v);
              if (typeof ids !== "string") {
                const name = `${table.name} by ${splitList(v).join(" and ")}`;
                dispatch((d) => ({
                  ...d,
                  access_patterns: [...(d.access_patterns ?? []), { id: newId("ap"), name, table: table.id, equality: ids }],
                }));
              }
            }}
          />
        )}
      </section>
      {related.length > 0 && (
        <section className="panel-section" aria-label="Relationships">
          <h3 className="panel-subtitle">{plural(related.length, "relationship")}</h3>
          <ul className="plain-list">
            {related.map((r) => (
              <li key={r.id}>
                {nameOf(r.from_table)} → {nameOf(r.to_table)}
              </li>
            ))}
          </ul>
        </section>
      )}
      {editable && (
        <section className="panel-section">
          <button type="button" className="button button-danger button-small" onClick={onDelete}>
            Delete table
          </button>
        </section>
      )}
    </>
  );
}

/** A list row's × button: deletes the row. */
function DeleteButton({ label, onDelete }: { label: string; onDelete: () => void }) {
  return (
    <button
      type="button"
      className="icon-button icon-button-danger"
      aria-label={label}
      onClick={() => {
        onDelete();
      }}
    >
      ×
    </button>
  );
}
