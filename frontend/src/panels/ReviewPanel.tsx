/** The Review tab of the side panel. */

import type { PanelProps } from "./types";

export function ReviewPanel({ active }: PanelProps) {
  return (
    <section className="panel-section" hidden={!active} aria-label="Review">
      <h2 className="panel-title">Review</h2>
    </section>
  );
}
