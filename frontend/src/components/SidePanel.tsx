/** The right-hand panel: the design at a glance, or the selected table's details. */

import { useEffect, useRef } from "react";

import type { DesignRole } from "../api";
import type { DesignDocument, Table } from "../document";
import { formatType, isNullable, plural, primaryKeyIds, qualifiedName } from "../format";

interface Props {
  doc: DesignDocument | null;
  role: DesignRole;
  revision: number;
  selected: Table | null;
  onClearSelection: () => void;
}

const DIALECT_NAMES: Record<string, string> = {
  postgresql: "PostgreSQL",
  mysql: "MySQL / MariaDB",
  sqlite: "SQLite",
  mssql: "SQL Server",
  oracle: "Oracle",
};

/** Below this width the panel sits under the canvas (see editor.css), out of sight. */
const STACKED = "(max-width: 860px)";

export function SidePanel({ doc, role, revision, selected, onClearSelection }: Props) {
  const panel = useRef<HTMLElement>(null);
  const selectedId = selected?.id ?? null;
  useEffect(() => {
    // When the panel is stacked under the cards, bring the details into view so a tap on a card
    // visibly does something.
    if (selectedId && window.matchMedia(STACKED).matches) {
      const calm = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      panel.current?.scrollIntoView({ block: "start", behavior: calm ? "auto" : "smooth" });
    }
  }, [selectedId]);
  return (
    <aside className="side-panel" aria-label="Details" ref={panel}>
      {selected && doc ? (
        <TableDetails table={selected} doc={doc} onClose={onClearSelection} />
      ) : (
        <DesignSummary doc={doc} role={role} revision={revision} />
      )}
    </aside>
  );
}

function DesignSummary({ doc, role, revision }: { doc: DesignDocument | null; role: DesignRole; revision: number }) {
  const target = doc?.settings?.target ?? "postgresql";
  return (
    <section className="panel-section" aria-labelledby="panel-design-title">
      <h2 className="panel-title" id="panel-design-title">
        Design
      </h2>
      {doc?.description && <p className="panel-text">{doc.description}</p>}
      <dl className="facts">
        <div>
          <dt>Tables</dt>
          <dd>{doc ? (doc.tables ?? []).length : "–"}</dd>
        </div>
        <div>
          <dt>Relationships</dt>
          <dd>{doc ? (doc.relationships ?? []).length : "–"}</dd>
        </div>
        <div>
          <dt>Target</dt>
          <dd>{DIALECT_NAMES[target] ?? target}</dd>
        </div>
        <div>
          <dt>Revision</dt>
          <dd>{revision}</dd>
        </div>
        <div>
          <dt>Your role</dt>
          <dd className="capitalize">{role}</dd>
        </div>
      </dl>
      {(doc?.tables ?? []).length > 0 && <p className="panel-hint">Select a table to see its details.</p>}
    </section>
  );
}

function TableDetails({ table, doc, onClose }: { table: Table; doc: DesignDocument; onClose: () => void }) {
  const pk = primaryKeyIds(table);
  const columns = table.columns ?? [];
  const indexes = table.indexes ?? [];
  const dialect = doc.settings?.target ?? "postgresql";
  const related = (doc.relationships ?? []).filter((r) => r.from_table === table.id || r.to_table === table.id);
  const nameOf = (id: string) => doc.tables?.find((t) => t.id === id)?.name ?? id;
  return (
    <section className="panel-section" aria-labelledby="panel-table-title">
      <div className="panel-heading">
        <h2 className="panel-title" id="panel-table-title">
          {qualifiedName(table, doc)}
        </h2>
        <button type="button" className="button button-quiet button-small" onClick={onClose}>
          Close
        </button>
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
            <tr key={c.id}>
              <td>
                {c.name}
                {pk.has(c.id) && <span className="badge badge-pk">PK</span>}
              </td>
              <td className="mono">{formatType(c.type, doc, dialect)}</td>
              <td>{isNullable(c) ? "yes" : "no"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {indexes.length > 0 && (
        <>
          <h3 className="panel-subtitle">{plural(indexes.length, "index", "indexes")}</h3>
          <ul className="plain-list">
            {indexes.map((ix) => (
              <li key={ix.id} className="mono">
                {ix.name ?? ix.id}
                {ix.unique ? " (unique)" : ""}
              </li>
            ))}
          </ul>
        </>
      )}
      {related.length > 0 && (
        <>
          <h3 className="panel-subtitle">{plural(related.length, "relationship")}</h3>
          <ul className="plain-list">
            {related.map((r) => (
              <li key={r.id}>
                {nameOf(r.from_table)} → {nameOf(r.to_table)}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
