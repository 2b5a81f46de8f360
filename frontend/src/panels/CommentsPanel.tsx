/** The Comments tab of the side panel (not built yet: hidden from the tab bar). */

import type { PanelProps } from "./types";

export function CommentsPanel({ active }: PanelProps) {
  return (
    <section className="panel-section" hidden={!active} aria-label="Comments">
      <h2 className="panel-title">Comments</h2>
    </section>
  );
}
