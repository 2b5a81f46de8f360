/** Every property of a relationship: cardinality at both ends, ON DELETE / ON UPDATE, identifying, names. */

import type { Cardinality, DesignDocument, ReferentialAction, Relationship } from "../document";
import { CARDINALITIES, deleteObjects, updateRelationship } from "../model/objects";
import { CheckField, SelectField, TextField } from "./fields";
import { CommentButton } from "../panels/CommentButton";

type Dispatch = (action: (doc: DesignDocument) => DesignDocument) => void;

const ACTIONS: { value: ReferentialAction; label: string }[] = [
  { value: "no_action", label: "NO ACTION" },
  { value: "restrict", label: "RESTRICT" },
  { value: "cascade", label: "CASCADE" },
  { value: "set_null", label: "SET NULL" },
  { value: "set_default", label: "SET DEFAULT" },
];

const CARDS = CARDINALITIES.map((c) => ({ value: c.value, label: `${c.label}  ${c.mermaid}` }));

export function RelationshipInspector({
  doc,
  rel,
  editable,
  dispatch,
  onClose,
}: {
  doc: DesignDocument;
  rel: Relationship;
  editable: boolean;
  dispatch: Dispatch;
  onClose: () => void;
}) {
  const set = (fields: Partial<Relationship>) => {
    dispatch((d) => updateRelationship(d, rel.id, fields));
  };
  const child = doc.tables?.find((t) => t.id === rel.from_table);
  const parent = doc.tables?.find((t) => t.id === rel.to_table);
  const names = (table: typeof child, ids: string[] | undefined) =>
    (ids ?? []).map((id) => table?.columns?.find((c) => c.id === id)?.name ?? id).join(", ") || "(no columns)";
  return (
    <section className="panel-section" aria-labelledby="rel-title">
      <div className="panel-heading">
        <h2 className="panel-title" id="rel-title">
          Relationship
        </h2>
        <span className="panel-heading-actions">
          <CommentButton objectId={rel.id} name={rel.name || "this relationship"} />
          <button type="button" className="button button-quiet button-small" onClick={onClose}>
            Close
          </button>
        </span>
      </div>
      <p className="panel-text mono">
        {child?.name}({names(child, rel.from_columns)}) → {parent?.name}({names(parent, rel.to_columns)})
      </p>
      <SelectField<Cardinality>
        label={`Each ${parent?.name ?? "parent"} row has… ${child?.name ?? "child"} rows`}
        value={rel.from_cardinality ?? "zero_or_many"}
        options={CARDS}
        disabled={!editable}
        onChange={(from_cardinality) => {
          set({ from_cardinality });
        }}
      />
      <SelectField<Cardinality>
        label={`Each ${child?.name ?? "child"} row has… ${parent?.name ?? "parent"} rows`}
        value={rel.to_cardinality ?? "exactly_one"}
        options={CARDS}
        disabled={!editable}
        onChange={(to_cardinality) => {
          set({ to_cardinality });
        }}
      />
      <div className="field-row">
        <SelectField<ReferentialAction>
          label="ON DELETE"
          value={rel.on_delete ?? "no_action"}
          options={ACTIONS}
          disabled={!editable}
          onChange={(on_delete) => {
            set({ on_delete });
          }}
        />
        <SelectField<ReferentialAction>
          label="ON UPDATE"
          value={rel.on_update ?? "no_action"}
          options={ACTIONS}
          disabled={!editable}
          onChange={(on_update) => {
            set({ on_update });
          }}
        />
      </div>
      <CheckField
        label="Identifying (solid line)"
        checked={rel.identifying ?? false}
        disabled={!editable}
        onChange={(identifying) => {
          set({ identifying });
        }}
      />
      <CheckField
        label="Deferrable"
        checked={rel.deferrable ?? false}
        disabled={!editable}
        onChange={(deferrable) => {
          set(deferrable ? { deferrable } : { deferrable, initially_deferred: false });
        }}
      />
      {rel.deferrable && (
        <CheckField
          label="Initially deferred"
          checked={rel.initially_deferred ?? false}
          disabled={!editable}
          onChange={(initially_deferred) => {
            set({ initially_deferred });
          }}
        />
      )}
      <TextField
        label="Label (shown on the line)"
        value={rel.label ?? ""}
        disabled={!editable}
        onCommit={(v) => {
          set({ label: v.trim() || null });
        }}
      />
      <TextField
        label="Constraint name"
        value={rel.name ?? ""}
        placeholder="from the naming convention"
        mono
        disabled={!editable}
        onCommit={(v) => {
          set({ name: v.trim() || null });
        }}
      />
      <TextField
        label="Comment"
        value={rel.comment ?? ""}
        multiline
        disabled={!editable}
        onCommit={(v) => {
          set({ comment: v.trim() || null });
        }}
      />
      {editable && (
        <button
          type="button"
          className="button button-danger button-small"
          onClick={() => {
            dispatch((d) => deleteObjects(d, new Set([rel.id])));
            onClose();
          }}
        >
          Delete relationship
        </button>
      )}
    </section>
  );
}
