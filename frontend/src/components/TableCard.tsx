/** One table as a read-only card: its name, and each column with its type and key markers. */

import type { DesignDocument, Table } from "../document";
import { foreignKeyIds, formatType, isNullable, plural, primaryKeyIds, qualifiedName } from "../format";
import { Icon } from "./Icon";

interface Props {
  table: Table;
  doc: DesignDocument;
  selected: boolean;
  onSelect: (id: string) => void;
}

export function TableCard({ table, doc, selected, onSelect }: Props) {
  const pk = primaryKeyIds(table);
  const fk = foreignKeyIds(table, doc);
  const columns = table.columns ?? [];
  const headingId = `table-${table.id}-name`;
  const dialect = doc.settings?.target ?? "postgresql";
  return (
    <article
      className={`table-card${selected ? " is-selected" : ""}`}
      aria-labelledby={headingId}
      data-table-id={table.id}
      style={table.color ? { borderTopColor: table.color } : undefined}
    >
      <h3 className="table-card-name" id={headingId}>
        <button
          type="button"
          className="table-card-select"
          aria-pressed={selected}
          onClick={() => {
            onSelect(table.id);
          }}
        >
          <Icon name="table" size={16} />
          <span>{qualifiedName(table, doc)}</span>
        </button>
      </h3>
      {table.comment && <p className="table-card-comment">{table.comment}</p>}
      {columns.length === 0 ? (
        <p className="table-card-nocolumns">No columns yet</p>
      ) : (
        <ul className="column-list" aria-label={`Columns of ${table.name}`}>
          {columns.map((column) => (
            <li
              key={column.id}
              className="column-row"
              title={`${column.name}: ${formatType(column.type, doc, dialect)}${isNullable(column) ? "" : ", NOT NULL"}`}
            >
              <span className="column-keys">
                {pk.has(column.id) && (
                  <span className="badge badge-pk" title="Primary key">
                    PK
                  </span>
                )}
                {fk.has(column.id) && (
                  <span className="badge badge-fk" title="Foreign key">
                    FK
                  </span>
                )}
              </span>
              <span className="column-name">{column.name}</span>
              <span className="column-type">{formatType(column.type, doc, dialect)}</span>
            </li>
          ))}
        </ul>
      )}
      <p className="table-card-footer">{plural(columns.length, "column")}</p>
    </article>
  );
}
