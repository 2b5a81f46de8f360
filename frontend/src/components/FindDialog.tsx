/** Ctrl+K: find a table or column by name and jump to it. */

import { useMemo, useState } from "react";

import type { DesignDocument } from "../document";
import { formatType, qualifiedName } from "../format";
import { Dialog } from "./Dialog";

interface Hit {
  key: string;
  table: string;
  column: string | null;
  label: string;
  detail: string;
  score: number;
}

/** Tables and columns whose name contains `query`, best first (prefix matches, then tables). */
export function search(doc: DesignDocument, query: string, limit = 30): Hit[] {
  const q = query.trim().toLowerCase();
  const hits: Hit[] = [];
  for (const table of doc.tables ?? []) {
    const name = qualifiedName(table, doc);
    const tn = name.toLowerCase();
    if (!q || tn.includes(q)) {
      hits.push({ key: table.id, table: table.id, column: null, label: name, detail: "table", score: tn.startsWith(q) ? 0 : 2 });
    }
    if (!q) {
      continue;
    }
    for (const column of table.columns ?? []) {
      const cn = column.name.toLowerCase();
      if (cn.includes(q)) {
        hits.push({
          key: column.id,
          table: table.id,
          column: column.id,
          label: `${name}.${column.name}`,
          detail: formatType(column.type, doc),
          score: cn.startsWith(q) ? 1 : 3,
        });
      }
    }
  }
  return hits.sort((a, b) => a.score - b.score || a.label.localeCompare(b.label)).slice(0, limit);
}

export function FindDialog({
  doc,
  onClose,
  onPick,
}: {
  doc: DesignDocument;
  onClose: () => void;
  onPick: (table: string, column: string | null) => void;
}) {
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const hits = useMemo(() => search(doc, query), [doc, query]);
  const current = hits[Math.min(active, hits.length - 1)];
  return (
    <Dialog title="Find a table or column" onClose={onClose} className="find-dialog">
      <label className="visually-hidden" htmlFor="find-input">
        Find a table or column
      </label>
      <input
        id="find-input"
        className="find-input"
        placeholder="Find a table or column…"
        autoComplete="off"
        role="combobox"
        aria-expanded="true"
        aria-controls="find-results"
        aria-activedescendant={current ? `find-${current.key}` : undefined}
        value={query}
        autoFocus
        onChange={(event) => {
          setQuery(event.target.value);
          setActive(0);
        }}
        onKeyDown={(event) => {
          if (event.key === "ArrowDown") {
            event.preventDefault();
            setActive((a) => Math.min(a + 1, hits.length - 1));
          } else if (event.key === "ArrowUp") {
            event.preventDefault();
            setActive((a) => Math.max(a - 1, 0));
          } else if (event.key === "Enter" && current) {
            event.preventDefault();
            onPick(current.table, current.column);
          }
        }}
      />
      <ul className="find-results" id="find-results" role="listbox" aria-label="Matches">
        {hits.map((hit, i) => (
          <li
            key={hit.key}
            id={`find-${hit.key}`}
            role="option"
            aria-selected={hit === current}
            className={`find-hit${hit === current ? " is-active" : ""}`}
            onMouseEnter={() => {
              setActive(i);
            }}
            onClick={() => {
              onPick(hit.table, hit.column);
            }}
          >
            <span className="find-label">{hit.label}</span>
            <span className="find-detail">{hit.detail}</span>
          </li>
        ))}
        {hits.length === 0 && <li className="find-empty">No table or column matches “{query}”.</li>}
      </ul>
    </Dialog>
  );
}
