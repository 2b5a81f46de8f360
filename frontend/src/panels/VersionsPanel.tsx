/** The Versions tab of the side panel. */

import type { PanelProps } from "./types";

export function VersionsPanel({ active }: PanelProps) {
  return (
    <section className="panel-section" hidden={!active} aria-label="Versions">
      <h2 className="panel-title">Versions</h2>
    </section>
  );
}
