/**
 * A relationship drawn between the actual columns it joins, with Mermaid's crow's-foot markers:
 * the child (from) end shows `from_cardinality`, the parent (to) end `to_cardinality`. Like
 * Mermaid, a non-identifying relationship is dashed. The sides are chosen from where the two
 * tables are, so the line never crosses a table it belongs to.
 */

import { BaseEdge, EdgeLabelRenderer, getBezierPath, Position, useInternalNode, type EdgeProps } from "@xyflow/react";
import { memo } from "react";

import type { Cardinality } from "../document";
import type { RelEdge } from "./flow";

interface End {
  x: number;
  y: number;
  position: Position;
}

type Internal = NonNullable<ReturnType<typeof useInternalNode>>;

/**
 * Row geometry (kept fixed in canvas.css): the top border, the title row, the comment line and
 * each column row have set heights, so a column's row is found from its index without asking
 * the DOM, and without a handle per column.
 */
export const GEOMETRY = { top: 4, head: 36, comment: 27, listPad: 2, row: 26 } as const;

/** Where the edge meets a table: the middle of the column's row, on the left or right side. */
function endPoint(node: Internal, row: number, hasComment: boolean, side: "l" | "r"): End {
  const x0 = node.internals.positionAbsolute.x;
  const y0 = node.internals.positionAbsolute.y;
  const width = node.measured.width ?? 0;
  const g = GEOMETRY;
  const y =
    row < 0
      ? y0 + g.top + g.head / 2
      : y0 + g.top + g.head + (hasComment ? g.comment : 0) + g.listPad + row * g.row + g.row / 2;
  return side === "l" ? { x: x0, y, position: Position.Left } : { x: x0 + width, y, position: Position.Right };
}

/** Which sides to join: facing sides when the tables are apart, both left when they overlap. */
export function chooseSides(a: Internal, b: Internal): ["l" | "r", "l" | "r"] {
  const ax = a.internals.positionAbsolute.x;
  const bx = b.internals.positionAbsolute.x;
  const aw = a.measured.width ?? 0;
  const bw = b.measured.width ?? 0;
  if (ax + aw + 24 < bx) {
    return ["r", "l"];
  }
  if (bx + bw + 24 < ax) {
    return ["l", "r"];
  }
  return ["l", "l"];
}

export function markerId(cardinality: Cardinality, selected: boolean): string {
  return `erd-${cardinality}${selected ? "-sel" : ""}`;
}

function RelationshipEdgeView({ id, source, target, data, selected }: EdgeProps<RelEdge>) {
  const from = useInternalNode(source);
  const to = useInternalNode(target);
  if (!from || !to || !data) {
    return null;
  }
  const { rel, fromRow, toRow, fromComment, toComment } = data;
  const [fromSide, toSide] = source === target ? (["r", "r"] as const) : chooseSides(from, to);
  const a = endPoint(from, fromRow, fromComment, fromSide);
  const b = endPoint(to, toRow, toComment, toSide);
  const sameSide = fromSide === toSide;
  const [path, labelX, labelY] = getBezierPath({
    sourceX: a.x,
    sourceY: a.y,
    sourcePosition: a.position,
    targetX: b.x,
    targetY: b.y,
    targetPosition: b.position,
    curvature: sameSide ? 0.6 : 0.35,
  });
  const isSelected = selected ?? false;
  const label = rel.label ?? "";
  return (
    <>
      <BaseEdge
        id={id}
        path={path}
        className={`erd-edge${rel.identifying ? "" : " is-dashed"}${isSelected ? " is-selected" : ""}`}
        markerStart={`url(#${markerId(rel.from_cardinality ?? "zero_or_many", isSelected)})`}
        markerEnd={`url(#${markerId(rel.to_cardinality ?? "exactly_one", isSelected)})`}
        interactionWidth={14}
      />
      {label && (
        <EdgeLabelRenderer>
          <div
            className="erd-edge-label"
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
          >
            {label}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

export const RelationshipEdgeComponent = memo(RelationshipEdgeView);

/**
 * The four crow's-foot ends, drawn pointing at +x (toward the table). `orient="auto-start-reverse"`
 * turns the same marker around for the start of a path.
 */
const MARKS: Record<Cardinality, string> = {
  // ||
  exactly_one: "M0 8 H20 M9 2 V14 M14 2 V14",
  // o|
  zero_or_one: "M0 8 H20 M14 2 V14",
  // |{ (a bar, then the crow's foot opening onto the table)
  one_or_many: "M0 8 H20 M6 2 V14 M8 8 L20 2 M8 8 L20 14",
  // o{
  zero_or_many: "M0 8 H20 M8 8 L20 2 M8 8 L20 14",
};
const CIRCLE: Partial<Record<Cardinality, number>> = { zero_or_one: 6, zero_or_many: 3 };

export function ErdMarkers() {
  return (
    <svg className="erd-marker-defs" aria-hidden="true" width="0" height="0">
      <defs>
        {(Object.keys(MARKS) as Cardinality[]).flatMap((card) =>
          [false, true].map((sel) => (
            <marker
              key={`${card}-${String(sel)}`}
              id={markerId(card, sel)}
              className={`erd-marker${sel ? " is-selected" : ""}`}
              viewBox="-1 0 22 16"
              markerWidth="22"
              markerHeight="16"
              refX="20"
              refY="8"
              orient="auto-start-reverse"
              markerUnits="userSpaceOnUse"
            >
              <path d={MARKS[card]} fill="none" />
              {CIRCLE[card] !== undefined && <circle cx={CIRCLE[card]} cy="8" r="3.5" />}
            </marker>
          )),
        )}
      </defs>
    </svg>
  );
}
