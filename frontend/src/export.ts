/**
 * Exports from the editor: the canvas as PNG or SVG (whole diagram or the selection), the
 * Mermaid text, and the compiler's exports (DDL, DBML, models, JSON) from the server.
 */

import { getNodesBounds, getViewportForBounds, type Node, type ReactFlowInstance } from "@xyflow/react";

export type ImageFormat = "png" | "svg";

/** Save `href` (a data: or blob: URL) as a file called `filename`. */
export function download(href: string, filename: string): void {
  const link = document.createElement("a");
  link.href = href;
  link.download = filename;
  link.rel = "noopener";
  document.body.append(link);
  link.click();
  link.remove();
}

export function downloadText(text: string, filename: string, type = "text/plain"): void {
  const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }));
  download(url, filename);
  window.setTimeout(() => {
    URL.revokeObjectURL(url);
  }, 10_000);
}

const PADDING = 32;
const MAX_SIDE = 6000;

/**
 * Render the diagram (or only `ids`) to an image data URL, at 1:1 scale up to 6000 px a side.
 * Uses html-to-image on React Flow's viewport element, framed to the nodes' bounds.
 */
export async function renderImage(flow: ReactFlowInstance, format: ImageFormat, ids: ReadonlySet<string> | null): Promise<string> {
  const { toPng, toSvg } = await import("html-to-image");
  const all: Node[] = flow.getNodes();
  const nodes = ids ? all.filter((n) => ids.has(n.id)) : all;
  if (nodes.length === 0) {
    throw new Error("There is nothing to export.");
  }
  const bounds = getNodesBounds(nodes);
  const scale = Math.min(1, MAX_SIDE / Math.max(bounds.width, bounds.height));
  const width = Math.ceil(bounds.width * scale + PADDING * 2);
  const height = Math.ceil(bounds.height * scale + PADDING * 2);
  const viewport = getViewportForBounds(bounds, width, height, scale, scale, 0);
  const element = document.querySelector<HTMLElement>(".react-flow__viewport");
  if (!element) {
    throw new Error("The canvas is not ready.");
  }
  const shown = ids
    ? new Set([
        ...nodes.map((n) => n.id),
        ...flow
          .getEdges()
          .filter((e) => ids.has(e.source) && ids.has(e.target))
          .map((e) => e.id),
      ])
    : null;
  const background = getComputedStyle(document.documentElement).getPropertyValue("--bg").trim() || "#ffffff";
  const options = {
    backgroundColor: background,
    width,
    height,
    pixelRatio: format === "png" ? Math.min(2, window.devicePixelRatio || 1) : 1,
    style: {
      width: `${width}px`,
      height: `${height}px`,
      transform: `translate(${viewport.x}px, ${viewport.y}px) scale(${viewport.zoom})`,
    },
    filter: (el: HTMLElement) => {
      if (!(el instanceof Element)) {
        return true;
      }
      if (el.classList.contains("react-flow__handle") || el.classList.contains("react-flow__resize-control")) {
        return false;
      }
      if (shown && (el.classList.contains("react-flow__node") || el.classList.contains("react-flow__edge"))) {
        const id = el.getAttribute("data-id") ?? el.getAttribute("data-testid")?.replace(/^rf__(node|edge)-/, "");
        return id ? shown.has(id) : true;
      }
      return true;
    },
  };
  return format === "png" ? toPng(element, options) : toSvg(element, options);
}
