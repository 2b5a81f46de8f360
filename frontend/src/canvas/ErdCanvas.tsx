/**
 * The ERD canvas: React Flow over the document. It keeps React Flow's node and edge arrays in
 * step with the document (reusing unchanged objects), and turns gestures into document actions:
 * a finished drag moves tables, a connection between columns adds a relationship, a double-click
 * on empty canvas adds a table.
 */

import {
  applyEdgeChanges,
  applyNodeChanges,
  Background,
  BackgroundVariant,
  ConnectionMode,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type Connection,
  type EdgeChange,
  type FinalConnectionState,
  type InternalNode,
  type NodeChange,
  type OnSelectionChangeParams,
  type XYPosition,
} from "@xyflow/react";
import { useCallback, useEffect, useRef, useState, type ReactNode } from "react";

import type { DesignDocument } from "../document";
import type { XY } from "../model/ids";
import { AreaNodeComponent, NoteNodeComponent } from "./AreaNode";
import { buildEdges, buildNodes, type ErdNode, type RelEdge } from "./flow";
import { MIN_ZOOM, useFitBounds } from "./fit";
import { documentBounds, estimateSize } from "./layout";
import { ErdMarkers, RelationshipEdgeComponent } from "./RelationshipEdge";
import { TableNodeComponent, useFarZoom } from "./TableNode";

const minimapClass = (n: ErdNode) => `minimap-${n.type}`;

/**
 * The background, zoom buttons and minimap. Made once: ReactFlow's children re-render with the
 * canvas on every drag frame, and a new `nodeClassName` function would redraw all 300 minimap nodes.
 */
const chrome = (
  <>
    <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} />
    <Controls showInteractive={false} aria-label="Zoom controls" />
    <MiniMap pannable zoomable ariaLabel="Overview map" nodeClassName={minimapClass} />
  </>
);

const NO_NODES: ErdNode[] = [];
const NO_EDGES: RelEdge[] = [];

const nodeTypes = { table: TableNodeComponent, area: AreaNodeComponent, note: NoteNodeComponent };
const edgeTypes = { relationship: RelationshipEdgeComponent };
/** Screen pixels kept between a table brought into view and the canvas edge. */
const REVEAL_MARGIN = 48;

/** A column (or a table's title row, column = null) on one end of a drag-to-connect gesture. */
export interface ColumnEnd {
  table: string;
  column: string | null;
}

export interface CanvasRequest {
  /** Select exactly these ids. */
  select?: string[];
  /** Centre the view on this node. */
  focus?: string;
  /** Pan (keeping the zoom) so this table is in view, if it is not. */
  reveal?: string;
  seq: number;
}

interface Props {
  doc: DesignDocument;
  canEdit: boolean;
  dark: boolean;
  request: CanvasRequest | null;
  /** An auto-layout is about to run or running: tables are not drawn at their old places meanwhile. */
  arranging?: boolean;
  onMove: (positions: Map<string, XY>) => void;
  onResize: (id: string, size: { width: number; height: number }) => void;
  onConnectColumns: (a: ColumnEnd, b: ColumnEnd) => void;
  onDropOnTable: (from: ColumnEnd, table: string, at: XYPosition) => void;
  onAddTableAt: (position: XY) => void;
  onSelectionChange: (ids: string[]) => void;
  /** Drawn inside React Flow (overlays such as other people's cursors). */
  children?: ReactNode;
}

function columnOf(handle: string | null | undefined): string | null {
  if (!handle) {
    return null;
  }
  const column = handle.slice(0, handle.lastIndexOf(":"));
  return column === "head" ? null : column;
}

export function ErdCanvas(props: Props) {
  const { doc, canEdit, dark, request } = props;
  const [nodes, setNodes] = useState<ErdNode[]>(() => buildNodes(doc, []));
  const [edges, setEdges] = useState<RelEdge[]>(() => buildEdges(doc, []));
  const flow = useReactFlow<ErdNode, RelEdge>();
  const callbacks = useRef(props);
  callbacks.current = props;
  const wrapper = useRef<HTMLDivElement>(null);

  useEffect(() => {
    setNodes((previous) => buildNodes(doc, previous));
    setEdges((previous) => buildEdges(doc, previous));
  }, [doc]);

  useEffect(() => {
    if (!request) {
      return;
    }
    if (request.select) {
      const ids = new Set(request.select);
      setNodes((nds) => nds.map((n) => (n.selected === ids.has(n.id) ? n : { ...n, selected: ids.has(n.id) })));
      setEdges((eds) => eds.map((e) => (e.selected === ids.has(e.id) ? e : { ...e, selected: ids.has(e.id) })));
    }
    if (request.focus) {
      const node = flow.getInternalNode(request.focus);
      if (node) {
        const width = node.measured.width ?? 240;
        const height = node.measured.height ?? 120;
        void flow.setCenter(node.internals.positionAbsolute.x + width / 2, node.internals.positionAbsolute.y + height / 2, {
          zoom: Math.max(flow.getZoom(), 1),
          duration: 0,
        });
      }
    }
    const table = request.reveal ? callbacks.current.doc.tables?.find((t) => t.id === request.reveal) : undefined;
    const box = wrapper.current?.getBoundingClientRect();
    if (table && box) {
      // The least pan that brings the table in with a margin (or its top-left corner, if it is
      // larger than the view), so what the person was looking at moves as little as it can.
      const { x, y, zoom } = flow.getViewport();
      const size = estimateSize(table);
      const shift = (start: number, length: number, offset: number, room: number) => {
        const from = start * zoom + offset;
        const to = (start + length) * zoom + offset;
        if (from < REVEAL_MARGIN || to - from > room - 2 * REVEAL_MARGIN) {
          return REVEAL_MARGIN - from;
        }
        return Math.min(0, room - REVEAL_MARGIN - to);
      };
      const dx = shift(table.position?.x ?? 0, size.width, x, box.width);
      const dy = shift(table.position?.y ?? 0, size.height, y, box.height);
      if (dx !== 0 || dy !== 0) {
        void flow.setViewport({ x: x + dx, y: y + dy, zoom }, { duration: 200 });
      }
    }
  }, [request, flow]);

  const onNodesChange = useCallback((changes: NodeChange<ErdNode>[]) => {
    setNodes((nds) => applyNodeChanges(changes, nds));
    const moved = new Map<string, XY>();
    for (const change of changes) {
      if (change.type === "position" && change.dragging === false && change.position) {
        moved.set(change.id, change.position);
      }
      if (change.type === "dimensions" && change.resizing === false && change.dimensions) {
        callbacks.current.onResize(change.id, change.dimensions);
      }
    }
    if (moved.size) {
      callbacks.current.onMove(moved);
    }
  }, []);

  const onEdgesChange = useCallback((changes: EdgeChange<RelEdge>[]) => {
    setEdges((eds) => applyEdgeChanges(changes, eds));
  }, []);

  const onConnect = useCallback((connection: Connection) => {
    if (connection.source === connection.target) {
      return;
    }
    callbacks.current.onConnectColumns(
      { table: connection.source, column: columnOf(connection.sourceHandle) },
      { table: connection.target, column: columnOf(connection.targetHandle) },
    );
  }, []);

  const onConnectEnd = useCallback(
    (event: MouseEvent | TouchEvent, state: FinalConnectionState<InternalNode>) => {
      if (state.isValid || !state.fromNode) {
        return; // a real connection: onConnect handles it
      }
      const point = "changedTouches" in event ? event.changedTouches[0] : event;
      if (!point) {
        return;
      }
      const element = document.elementFromPoint(point.clientX, point.clientY);
      const tableId = element?.closest<HTMLElement>(".react-flow__node-table")?.dataset.id;
      if (tableId && tableId !== state.fromNode.id) {
        callbacks.current.onDropOnTable(
          { table: state.fromNode.id, column: columnOf(state.fromHandle.id) },
          tableId,
          { x: point.clientX, y: point.clientY },
        );
      }
    },
    [],
  );

  // React Flow reports the selection again on every frame of a drag (the dragged node is a new
  // object each frame); pass it on only when the ids change, or the whole workspace re-renders.
  const lastSelection = useRef("");
  const onSelectionChange = useCallback(({ nodes: sn, edges: se }: OnSelectionChangeParams) => {
    const ids = [...sn.map((n) => n.id), ...se.map((e) => e.id)];
    const key = ids.join("\n");
    if (key !== lastSelection.current) {
      lastSelection.current = key;
      callbacks.current.onSelectionChange(ids);
    }
  }, []);

  // While a table moves, edges are drawn solid (canvas.css): rastering hundreds of dashed curves
  // under the moving table was most of a drag frame's cost at 100 % zoom (p95 ~400 ms → ~60 ms).
  const [dragging, setDragging] = useState(false);
  const onDragStart = useCallback(() => {
    setDragging(true);
  }, []);
  const onDragStop = useCallback(() => {
    setDragging(false);
  }, []);

  const onDoubleClick = (event: React.MouseEvent) => {
    const target = event.target as HTMLElement;
    if (!canEdit || !target.classList.contains("react-flow__pane")) {
      return;
    }
    const at = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
    props.onAddTableAt({ x: at.x - 120, y: at.y - 20 });
  };

  const fitBounds = useFitBounds();
  const fitDocument = () => {
    const bounds = documentBounds(callbacks.current.doc);
    if (bounds) {
      void fitBounds(bounds, { duration: 0 });
    }
  };

  const many = nodes.length > 60;
  // A large design nobody arranged yet is drawn once it is laid out, not first as 300 tables
  // piled at the origin (all on screen at 100 %, the slowest thing to draw).
  const hide = many && !!props.arranging;
  // Zoomed far out, edges drop their end markers and dashes and tables their shadows (canvas.css):
  // too small to see, and costly to paint hundreds of times per drag frame.
  const far = useFarZoom();
  return (
    <div
      ref={wrapper}
      className={`erd-canvas${far ? " is-far" : ""}${dragging ? " is-dragging" : ""}`}
      onDoubleClick={onDoubleClick}
    >
      <ErdMarkers />
      <ReactFlow<ErdNode, RelEdge>
        nodes={hide ? NO_NODES : nodes}
        edges={hide ? NO_EDGES : edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
        onSelectionChange={onSelectionChange}
        onNodeDragStart={onDragStart}
        onNodeDragStop={onDragStop}
        connectionMode={ConnectionMode.Loose}
        nodesDraggable={canEdit}
        nodesConnectable={canEdit}
        deleteKeyCode={null}
        selectionKeyCode="Shift"
        multiSelectionKeyCode={["Meta", "Control", "Shift"]}
        zoomOnDoubleClick={false}
        minZoom={MIN_ZOOM}
        maxZoom={2.5}
        onInit={() => {
          // Fit from the document's own geometry: with only visible tables rendered, React
          // Flow's own fitView would wait for tables it never draws.
          fitDocument();
        }}
        onlyRenderVisibleElements={many}
        elevateNodesOnSelect={false}
        nodeDragThreshold={2}
        colorMode={dark ? "dark" : "light"}
        proOptions={{ hideAttribution: true }}
        aria-label="Diagram"
      >
        {chrome}
        {props.children}
      </ReactFlow>
    </div>
  );
}
