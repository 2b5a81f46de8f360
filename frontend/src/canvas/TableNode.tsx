/**
 * One table on the canvas: its name, and each column with its type, key badges (PK, FK, UK) and
 * nullability. Every column has a connection dot on both sides; drag from one to a column of
 * another table to draw a relationship. Names and types edit inline on double-click.
 */

import { Handle, Position, useStore, useUpdateNodeInternals, type NodeProps } from "@xyflow/react";
import { memo, useEffect, useRef, useState } from "react";

import type { Column, DesignDocument, Table } from "../document";
import { formatType, isNullable, qualifiedName } from "../format";
import { isUniqueColumn } from "../model/tables";
import { Icon } from "../components/Icon";
import { useCanvasActions } from "./context";
import { handleId, type TableNode as TableNodeType } from "./flow";
import { InlineEdit } from "./InlineEdit";
import { estimateSize } from "./layout";
import { useTableMarkers, type Marker } from "./markers";
import { GEOMETRY } from "./RelationshipEdge";

/** Below this zoom a table is drawn as its title and a striped body: the text would be unreadable. */
export const DETAIL_ZOOM = 0.45;

/** Whether the view is zoomed out too far to read columns (a boolean: re-renders only when it flips). */
export function useFarZoom(): boolean {
  return useStore((s) => s.transform[2] < DETAIL_ZOOM);
}

/**
 * The last width each table was drawn at with its columns, so the striped stand-in keeps that
 * width (edges stay put when zooming across DETAIL_ZOOM). Before a first full drawing, an estimate.
 */
const drawnWidths = new Map<string, number>();

function TableNodeView(props: NodeProps<TableNodeType>) {
  const far = useFarZoom();
  // A selected table keeps its columns: it may be edited, or dragged to connect.
  if (far && !props.selected) {
    return <TableSketch table={props.data.table} doc={props.data.doc} />;
  }
  return <TableDetail {...props} />;
}

/**
 * A table at low zoom: the title row (same height) and a body of the same height as the column
 * list, striped like rows. Some 3,000 column rows at fit-to-screen are what made opening and
 * dragging a 300-table design slow; this draws 4 elements per table instead.
 */
function TableSketch({ table, doc }: { table: Table; doc: DesignDocument }) {
  const markers = useTableMarkers(table.id);
  const columns = table.columns ?? [];
  const style: React.CSSProperties & Record<string, unknown> = { width: drawnWidths.get(table.id) ?? estimateSize(table).width };
  if (table.color) {
    style["--table-color"] = table.color;
  }
  return (
    <article
      className={`table-card is-sketch${markers.table?.diff ? ` is-diff-${markers.table.diff}` : ""}`}
      aria-label={qualifiedName(table, doc)}
      data-table-id={table.id}
      style={style}
    >
      <Handle type="source" position={Position.Left} id="anchor" isConnectable={false} className="erd-anchor" />
      <header className="table-card-head">
        <span className="table-card-name">{qualifiedName(table, doc)}</span>
      </header>
      {table.comment && <p className="table-card-comment" />}
      {columns.length === 0 ? (
        <p className="table-card-nocolumns">No columns yet</p>
      ) : (
        <div className="column-sketch" style={{ height: GEOMETRY.listPad * 2 + columns.length * GEOMETRY.row }} />
      )}
    </article>
  );
}

function TableDetail({ id, data, selected, width }: NodeProps<TableNodeType>) {
  const { table, fkKey, doc } = data;
  const actions = useCanvasActions();
  const markers = useTableMarkers(table.id);
  if (width) {
    drawnWidths.set(table.id, width);
  }
  const pk = new Set(table.primary_key?.columns ?? []);
  const fk = new Set(fkKey ? fkKey.split(",") : []);
  const columns = table.columns ?? [];
  const headingId = `table-${table.id}-name`;
  const editable = actions.canEdit;
  // Connection dots are only rendered where they can be used: on the table under the pointer,
  // the selected one, and every table while a connection is being drawn. Thousands of idle
  // handles would each watch React Flow's store and slow every frame of a drag.
  const connecting = useStore((s) => s.connection.inProgress);
  const [hover, setHover] = useState(false);
  const dots = editable && (hover || selected || connecting);
  const updateNodeInternals = useUpdateNodeInternals();
  const shownDots = useRef(dots);
  useEffect(() => {
    // Handles that appear without a size change are only found once React Flow re-measures
    // (not on mount: React Flow measures new nodes itself).
    if (shownDots.current !== dots) {
      shownDots.current = dots;
      updateNodeInternals(id);
    }
  }, [dots, id, updateNodeInternals]);
  return (
    <article
      onMouseEnter={() => {
        setHover(true);
      }}
      onMouseLeave={() => {
        setHover(false);
      }}
      className={`table-card${selected ? " is-selected" : ""}${markers.table?.diff ? ` is-diff-${markers.table.diff}` : ""}`}
      aria-labelledby={headingId}
      data-table-id={table.id}
      style={table.color ? ({ "--table-color": table.color } as React.CSSProperties) : undefined}
    >
      {/* Edges attach here; RelationshipEdge works out the column rows itself. */}
      <Handle type="source" position={Position.Left} id="anchor" isConnectable={false} className="erd-anchor" />
      <header className="table-card-head">
        {dots && <Handle type="source" position={Position.Left} id={handleId(undefined, "l")} className="erd-handle" />}
        <h3 className="table-card-name" id={headingId}>
          <TableTitle table={table} doc={doc} editable={editable && selected} selected={selected} />
        </h3>
        {markers.table && <MarkerBadges objectId={table.id} name={table.name} marker={markers.table} />}
        {dots && <Handle type="source" position={Position.Right} id={handleId(undefined, "r")} className="erd-handle" />}
      </header>
      {table.comment && <p className="table-card-comment">{table.comment}</p>}
      {columns.length === 0 ? (
        <p className="table-card-nocolumns">No columns yet</p>
      ) : (
        <ul className="column-list" aria-label={`Columns of ${table.name}`}>
          {columns.map((column, index) => (
            <ColumnRow
              key={column.id}
              table={table}
              column={column}
              doc={doc}
              first={index === 0}
              last={index === columns.length - 1}
              isPk={pk.has(column.id)}
              isFk={fk.has(column.id)}
              tableSelected={selected}
              dots={dots}
              marker={markers.columns.get(column.id)}
            />
          ))}
        </ul>
      )}
      {selected && editable && (
        <button
          type="button"
          className="add-column nodrag"
          onClick={(event) => {
            event.stopPropagation();
            actions.addColumn(table.id);
          }}
        >
          + Add column
        </button>
      )}
    </article>
  );
}

function TableTitle({
  table,
  doc,
  editable,
  selected,
}: {
  table: Table;
  doc: DesignDocument;
  editable: boolean;
  selected: boolean;
}) {
  const actions = useCanvasActions();
  const button = (
    <button type="button" className="table-card-select" aria-pressed={selected}>
      {qualifiedName(table, doc)}
    </button>
  );
  if (!editable) {
    return button;
  }
  return (
    <InlineEdit
      value={table.name}
      label="Table name"
      className="table-card-title"
      editable
      onCommit={(name) => actions.renameTable(table.id, name)}
    >
      {button}
    </InlineEdit>
  );
}

interface RowProps {
  table: Table;
  column: Column;
  doc: DesignDocument;
  first: boolean;
  last: boolean;
  isPk: boolean;
  isFk: boolean;
  tableSelected: boolean;
  dots: boolean;
  marker: Marker | undefined;
}

function ColumnRow({ table, column, doc, first, last, isPk, isFk, tableSelected, dots, marker }: RowProps) {
  const actions = useCanvasActions();
  const dialect = doc.settings?.target ?? "postgresql";
  const type = formatType(column.type, doc, dialect);
  const nullable = isNullable(column);
  const isUk = !isPk && isUniqueColumn(table, column.id);
  const editable = actions.canEdit && tableSelected;
  const active = actions.selectedColumn === column.id;
  return (
    <li
      className={`column-row${active ? " is-active" : ""}${marker?.diff ? ` is-diff-${marker.diff}` : ""}`}
      data-column-id={column.id}
      title={`${column.name}: ${type}${nullable ? ", nullable" : ", NOT NULL"}${column.comment ? ` — ${column.comment}` : ""}`}
      onClick={() => {
        if (tableSelected) {
          actions.selectColumn(table.id, column.id);
        }
      }}
    >
      {dots && <Handle type="source" position={Position.Left} id={handleId(column.id, "l")} className="erd-handle" />}
      <span className="column-keys">
        {isPk && (
          <span className="badge badge-pk" title="Primary key">
            PK
          </span>
        )}
        {isFk && (
          <span className="badge badge-fk" title="Foreign key">
            FK
          </span>
        )}
        {isUk && (
          <span className="badge badge-uk" title="Unique">
            UK
          </span>
        )}
      </span>
      <InlineEdit
        value={column.name}
        label="Column name"
        className="column-name"
        editable={editable}
        startEditing={actions.editColumn === column.id}
        onStarted={actions.clearEditColumn}
        onCommit={(name) => {
          // A clashing name is applied too: the save then says what the server objects to, and
          // the edit stays on screen to fix or undo.
          actions.updateColumn(table.id, column.id, { name });
          return null;
        }}
      />
      <InlineEdit
        value={type}
        label="Column type"
        className="column-type"
        editable={editable}
        onCommit={(text) => actions.retypeColumn(table.id, column.id, text)}
      />
      <span className={`column-null${nullable ? "" : " is-required"}`} title={nullable ? "Nullable" : "NOT NULL"}>
        {nullable ? "null" : "not null"}
      </span>
      {marker && <MarkerBadges objectId={column.id} name={column.name} marker={marker} compact />}
      {editable && (
        <span className="column-tools nodrag">
          <button
            type="button"
            className="icon-button"
            aria-label={`Move ${column.name} up`}
            title="Move up"
            disabled={first}
            onClick={(event) => {
              event.stopPropagation();
              actions.moveColumn(table.id, column.id, -1);
            }}
          >
            ↑
          </button>
          <button
            type="button"
            className="icon-button"
            aria-label={`Move ${column.name} down`}
            title="Move down"
            disabled={last}
            onClick={(event) => {
              event.stopPropagation();
              actions.moveColumn(table.id, column.id, 1);
            }}
          >
            ↓
          </button>
          <button
            type="button"
            className="icon-button icon-button-danger"
            aria-label={`Delete column ${column.name}`}
            title="Delete column"
            onClick={(event) => {
              event.stopPropagation();
              actions.deleteColumn(table.id, column.id);
            }}
          >
            ×
          </button>
        </span>
      )}
      {dots && <Handle type="source" position={Position.Right} id={handleId(column.id, "r")} className="erd-handle" />}
    </li>
  );
}

const SEVERITY_LABEL = { error: "error", warning: "warning", info: "note" } as const;

/**
 * The small badges a table or column carries: review findings (worst severity and count) and
 * open comment threads. Each is a button that opens the panel behind it at this object.
 */
function MarkerBadges({ objectId, name, marker, compact = false }: { objectId: string; name: string; marker: Marker; compact?: boolean }) {
  const actions = useCanvasActions();
  const { findings, comments } = marker;
  if (!findings && !comments) {
    return null;
  }
  return (
    <span className={`markers nodrag${compact ? " is-compact" : ""}`}>
      {findings && (
        <button
          type="button"
          className={`marker marker-${findings.severity}`}
          aria-label={`${findings.count} review ${findings.count === 1 ? "finding" : "findings"} on ${name}`}
          title={findings.messages.slice(0, 5).join("\n") + (findings.messages.length > 5 ? `\n… and ${findings.messages.length - 5} more` : "")}
          onClick={(event) => {
            event.stopPropagation();
            actions.openMarker(objectId, "review");
          }}
        >
          <span aria-hidden="true">{findings.severity === "error" ? "!" : findings.severity === "warning" ? "▲" : "i"}</span>
          {!compact && <span className="marker-count">{findings.count}</span>}
          <span className="sr-only">{SEVERITY_LABEL[findings.severity]}</span>
        </button>
      )}
      {comments ? (
        <button
          type="button"
          className="marker marker-comments"
          aria-label={`${comments} comment ${comments === 1 ? "thread" : "threads"} on ${name}`}
          title={`${comments} comment ${comments === 1 ? "thread" : "threads"}`}
          onClick={(event) => {
            event.stopPropagation();
            actions.openMarker(objectId, "comments");
          }}
        >
          <Icon name="comment" size={12} />
          {!compact && <span className="marker-count">{comments}</span>}
        </button>
      ) : null}
    </span>
  );
}

export const TableNodeComponent = memo(TableNodeView);
