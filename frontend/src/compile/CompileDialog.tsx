/** The Compile dialog: choose targets, watch the job's progress, download the bundle. */

import type { ApiClient } from "../api";
import type { EditorConfig } from "../config";
import { Dialog } from "../components/Dialog";

interface Props {
  client: ApiClient;
  config: EditorConfig;
  /** The revision the bundle is compiled from (the last saved one). */
  revision: number;
  onClose: () => void;
}

export function CompileDialog({ onClose }: Props) {
  return (
    <Dialog title="Compile" onClose={onClose}>
      <p>Compile this design into a bundle.</p>
    </Dialog>
  );
}
