/**
 * Fit-to-screen for the whole design. The canvas lets a person zoom out to MIN_ZOOM; a design too
 * large to fit at that zoom (300 tables laid out by the browser come out some 16,000 px wide)
 * lowers the floor to the zoom it needs, so fit-to-screen always shows all of it. Below
 * DETAIL_ZOOM tables are drawn as sketches (TableNode.tsx), so such a zoom stays cheap to draw.
 */

import { getViewportForBounds, useReactFlow, useStoreApi } from "@xyflow/react";
import { useCallback } from "react";

/** The least zoom a person can reach with the wheel or the buttons, for a design that fits at it. */
export const MIN_ZOOM = 0.05;
const PADDING = 0.08;

type Rect = { x: number; y: number; width: number; height: number };

/** A function that fits `bounds` to the canvas (never above 100 %), lowering the zoom floor if it must. */
export function useFitBounds(): (bounds: Rect, options?: { duration?: number }) => Promise<void> {
  const flow = useReactFlow();
  const store = useStoreApi();
  return useCallback(
    async (bounds: Rect, options?: { duration?: number }) => {
      const { width, height, setMinZoom } = store.getState();
      if (width > 0 && height > 0) {
        const { zoom } = getViewportForBounds(bounds, width, height, 0, 1, PADDING);
        // Raised again when the design shrinks: the floor is what this design needs, no lower.
        setMinZoom(Math.min(MIN_ZOOM, zoom));
      }
      await flow.fitBounds(bounds, { padding: PADDING, duration: options?.duration });
      if (flow.getZoom() > 1) {
        await flow.zoomTo(1, { duration: options?.duration });
      }
    },
    [flow, store],
  );
}
