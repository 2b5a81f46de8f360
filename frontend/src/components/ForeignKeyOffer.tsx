/** Dropping a column on another table offers to create the foreign-key column there and link it. */

import type { XYPosition } from "@xyflow/react";

import type { DesignDocument } from "../document";
import { formatType } from "../format";
import { foreignKeyName } from "../model/objects";
import { Dialog } from "./Dialog";

export interface Offer {
  parent: string;
  parentColumn: string;
  child: string;
  at: XYPosition;
}

export function ForeignKeyOffer({
  doc,
  offer,
  onCreate,
  onCancel,
}: {
  doc: DesignDocument;
  offer: Offer;
  onCreate: () => void;
  onCancel: () => void;
}) {
  const parent = doc.tables?.find((t) => t.id === offer.parent);
  const child = doc.tables?.find((t) => t.id === offer.child);
  const column = parent?.columns?.find((c) => c.id === offer.parentColumn);
  if (!parent || !child || !column) {
    return null;
  }
  const name = foreignKeyName(parent, column);
  return (
    <Dialog title="Create a foreign key" onClose={onCancel} className="offer-dialog">
      <h2 className="dialog-title">Link {child.name} to {parent.name}?</h2>
      <p className="dialog-text">
        Add the column <code>{name}</code> ({formatType(column.type, doc)}, not null) to <strong>{child.name}</strong>{" "}
        referencing <code>
          {parent.name}.{column.name}
        </code>
        .
      </p>
      <div className="dialog-actions">
        <button type="button" className="button button-quiet" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="button button-primary" onClick={onCreate} autoFocus>
          Create {name}
        </button>
      </div>
    </Dialog>
  );
}
