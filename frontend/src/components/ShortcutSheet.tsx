/** The keyboard-shortcut sheet (press ?). */

import { Dialog } from "./Dialog";

const SHORTCUTS: [string, string][] = [
  ["T", "Add a table (or double-click the canvas)"],
  ["N", "Add a note"],
  ["Double-click a name or type", "Edit it in place (Enter saves, Esc cancels)"],
  ["Drag from a column's dot", "Draw a relationship to a column of another table"],
  ["Drop on a table", "Create the foreign-key column there"],
  ["Ctrl+Z", "Undo"],
  ["Ctrl+Shift+Z / Ctrl+Y", "Redo"],
  ["Ctrl+C / Ctrl+V", "Copy and paste the selected tables"],
  ["Delete / Backspace", "Delete the selection (or the selected column)"],
  ["Shift+drag, Ctrl+click", "Select several"],
  ["Ctrl+K", "Find a table or column"],
  ["Shift+1", "Fit the diagram to the screen"],
  ["Ctrl+S", "Save now"],
  ["Esc", "Clear the selection"],
  ["?", "This sheet"],
];

export function ShortcutSheet({ onClose }: { onClose: () => void }) {
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose} className="shortcut-dialog">
      <div className="dialog-heading">
        <h2 className="dialog-title">Keyboard shortcuts</h2>
        <button type="button" className="button button-quiet button-small" onClick={onClose} autoFocus>
          Close
        </button>
      </div>
      <dl className="shortcuts">
        {SHORTCUTS.map(([keys, what]) => (
          <div key={keys}>
            <dt>
              {keys.split(" / ").map((k, i) => (
                <span key={k}>
                  {i > 0 && " or "}
                  <kbd>{k}</kbd>
                </span>
              ))}
            </dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
    </Dialog>
  );
}
