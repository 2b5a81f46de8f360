/**
 * The right-hand panel: Details (the selection's properties, or the design's), the Mermaid text,
 * the design review, comment threads and versions. Review, Comments and Versions stay mounted
 * while hidden, so their canvas markers keep up with edits.
 */

import type { ApiClient } from "../api";
import type { DesignRole } from "../api";
import type { DesignDocument, Dialect, Relationship, Table } from "../document";
import { keepPlaces } from "../canvas/layout";
import { plural } from "../format";
import type { Origin } from "../model/history";
import { newId } from "../model/ids";
import { CommentsPanel } from "../panels/CommentsPanel";
import { IndexPanel } from "../panels/IndexPanel";
import { ReviewPanel } from "../panels/ReviewPanel";
import type { PanelProps } from "../panels/types";
import { VersionsPanel } from "../panels/VersionsPanel";
import { MermaidPanel } from "../text/MermaidPanel";
import { DIALECTS } from "./ColumnInspector";
import { SelectField, splitList, TextField } from "./fields";
import { RelationshipInspector } from "./RelationshipInspector";
import { TableInspector } from "./TableInspector";

type Dispatch = (action: (doc: DesignDocument) => DesignDocument, options?: { origin?: Origin }) => void;

export type PanelTab = "details" | "mermaid" | "review" | "indexes" | "comments" | "versions";

const TABS: { id: PanelTab; label: string }[] = [
  { id: "details", label: "Details" },
  { id: "mermaid", label: "Mermaid" },
  { id: "review", label: "Review" },
  { id: "indexes", label: "Indexes" },
  { id: "comments", label: "Comments" },
  { id: "versions", label: "Versions" },
];

interface Props {
  doc: DesignDocument;
  tab: PanelTab;
  onTab: (tab: PanelTab) => void;
  /** Everything the Review, Comments and Versions tabs share, except whether each is on show. */
  panel: Omit<PanelProps, "active">;
  role: DesignRole;
  revision: number;
  editable: boolean;
  dark: boolean;
  selectedTable: Table | null;
  selectedColumn: string | null;
  selectedRel: Relationship | null;
  selectionCount: number;
  client: ApiClient;
  origin: Origin;
  dispatch: Dispatch;
  onSelectColumn: (tableId: string, columnId: string | null) => void;
  onClose: () => void;
  onDeleteSelection: () => void;
  /** A table typed in the Mermaid text appeared: the canvas brings it into view. */
  onTableTyped: (tableId: string) => void;
}

export function SidePanel(props: Props) {
  const { doc, tab, onTab, editable, dispatch } = props;
  return (
    <div className="side-column">
      <div className="panel-tabs" role="tablist" aria-label="Panels">
        {TABS.map(({ id: t, label }) => (
          <button
            key={t}
            type="button"
            role="tab"
            id={`panel-tab-${t}`}
            aria-selected={tab === t}
            aria-controls={`panel-${t}`}
            className={`panel-tab${tab === t ? " is-active" : ""}`}
            onClick={() => {
              onTab(t);
            }}
          >
            {label}
          </button>
        ))}
      </div>
      <aside className="side-panel" aria-label="Details" id="panel-details" hidden={tab !== "details"}>
        {props.selectedTable ? (
          <TableInspector
            doc={doc}
            table={props.selectedTable}
            selectedColumn={props.selectedColumn}
            editable={editable}
            dispatch={dispatch}
            onSelectColumn={props.onSelectColumn}
            onClose={props.onClose}
            onDelete={props.onDeleteSelection}
          />
        ) : props.selectedRel ? (
          <RelationshipInspector doc={doc} rel={props.selectedRel} editable={editable} dispatch={dispatch} onClose={props.onClose} />
        ) : props.selectionCount > 1 ? (
          <section className="panel-section">
            <h2 className="panel-title">{props.selectionCount} objects selected</h2>
            <p className="panel-hint">Drag one to move them together. Ctrl+C copies the tables, Delete removes them.</p>
            {editable && (
              <button type="button" className="button button-danger button-small" onClick={props.onDeleteSelection}>
                Delete {props.selectionCount} objects
              </button>
            )}
          </section>
        ) : (
          <DesignSummary doc={doc} role={props.role} revision={props.revision} editable={editable} dispatch={dispatch} />
        )}
      </aside>
      {tab === "mermaid" && (
        <div className="side-panel side-panel-text" id="panel-mermaid" role="tabpanel" aria-labelledby="panel-tab-mermaid">
          <MermaidPanel
            doc={doc}
            origin={props.origin}
            client={props.client}
            editable={editable}
            dark={props.dark}
            onParsed={(parsed) => {
              const known = new Set((doc.tables ?? []).map((t) => t.id));
              const typed = (parsed.tables ?? []).filter((t) => !known.has(t.id));
              dispatch((current) => keepPlaces(current, parsed), { origin: "text" });
              const last = typed[typed.length - 1];
              if (last) {
                props.onTableTyped(last.id);
              }
            }}
          />
        </div>
      )}
      <div className="side-panel" id="panel-review" role="tabpanel" aria-labelledby="panel-tab-review" hidden={tab !== "review"}>
        <ReviewPanel {...props.panel} active={tab === "review"} />
      </div>
      <div className="side-panel" id="panel-indexes" role="tabpanel" aria-labelledby="panel-tab-indexes" hidden={tab !== "indexes"}>
        <IndexPanel {...props.panel} active={tab === "indexes"} />
      </div>
      <div className="side-panel" id="panel-comments" role="tabpanel" aria-labelledby="panel-tab-comments" hidden={tab !== "comments"}>
        <CommentsPanel {...props.panel} active={tab === "comments"} />
      </div>
      <div className="side-panel" id="panel-versions" role="tabpanel" aria-labelledby="panel-tab-versions" hidden={tab !== "versions"}>
        <VersionsPanel {...props.panel} active={tab === "versions"} />
      </div>
    </div>
  );
}

function DesignSummary({
  doc,
  role,
  revision,
  editable,
  dispatch,
}: {
  doc: DesignDocument;
  role: DesignRole;
  revision: number;
  editable: boolean;
  dispatch: Dispatch;
}) {
  const target = doc.settings?.target ?? "postgresql";
  const enums = doc.enums ?? [];
  return (
    <>
      <section className="panel-section" aria-labelledby="panel-design-title">
        <h2 className="panel-title" id="panel-design-title">
          Design
        </h2>
        {doc.description && <p className="panel-text">{doc.description}</p>}
        <dl className="facts">
          <div>
            <dt>Tables</dt>
            <dd>{(doc.tables ?? []).length}</dd>
          </div>
          <div>
            <dt>Relationships</dt>
            <dd>{(doc.relationships ?? []).length}</dd>
          </div>
          <RevisionAndRole revision={revision} role={role} />
        </dl>
        <SelectField<Dialect>
          label="Target database"
          value={target}
          options={DIALECTS}
          disabled={!editable}
          onChange={(value) => {
            dispatch((d) => ({ ...d, settings: { ...(d.settings ?? {}), target: value } }));
          }}
        />
        <TextField
          label="Description"
          value={doc.description ?? ""}
          multiline
          disabled={!editable}
          onCommit={(v) => {
            dispatch((d) => ({ ...d, description: v.trim() || null }));
          }}
        />
        {(doc.tables ?? []).length > 0 && <p className="panel-hint">Select a table to see its details.</p>}
      </section>
      <section className="panel-section" aria-label="Enums">
        <h3 className="panel-subtitle">{plural(enums.length, "enum")}</h3>
        {enums.map((e) => (
          <TextField
            key={e.id}
            label={e.name}
            value={e.values.join(", ")}
            disabled={!editable}
            validate={(v) => (splitList(v).length ? null : "An enum needs at least one value")}
            onCommit={(v) => {
              dispatch((d) => ({ ...d, enums: (d.enums ?? []).map((x) => (x.id === e.id ? { ...x, values: splitList(v) } : x)) }));
            }}
          />
        ))}
        {editable && (
          <TextField
            label="Add an enum (name: values)"
            value=""
            clearOnCommit
            placeholder="order_status: new, paid, shipped"
            validate={(v) => (/^\s*[A-Za-z_][\w]*\s*:\s*\S/.test(v) ? null : "Write it as name: value, value")}
            onCommit={(v) => {
              const [name = "", rest = ""] = v.split(":", 2);
              dispatch((d) => ({
                ...d,
                enums: [...(d.enums ?? []), { id: newId("e"), name: name.trim(), values: splitList(rest) }],
              }));
            }}
          />
        )}
      </section>
    </>
  );
}

/** The panel while the document loads. */
SidePanel.Waiting = function Waiting({ role, revision }: { role: DesignRole; revision: number }) {
  return (
    <div className="side-column">
      <aside className="side-panel" aria-label="Details">
        <section className="panel-section">
          <h2 className="panel-title">Design</h2>
          <dl className="facts">
            <RevisionAndRole revision={revision} role={role} />
          </dl>
        </section>
      </aside>
    </div>
  );
};

/** The revision and the reader's role, in a design's facts list. */
function RevisionAndRole({ revision, role }: { revision: number; role: DesignRole }) {
  return (
    <>
      <div>
        <dt>Revision</dt>
        <dd>{revision}</dd>
      </div>
      <div>
        <dt>Your role</dt>
        <dd className="capitalize">{role}</dd>
      </div>
    </>
  );
}
