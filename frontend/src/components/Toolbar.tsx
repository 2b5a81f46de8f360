/**
 * The left tool strip. Only "Select" works today; the drawing tools arrive with the canvas
 * editor, so they are shown disabled with a tooltip saying so rather than hidden.
 */

import { Icon, type IconName } from "./Icon";

interface Tool {
  id: string;
  label: string;
  icon: IconName;
  ready: boolean;
}

const TOOLS: Tool[] = [
  { id: "select", label: "Select", icon: "pointer", ready: true },
  { id: "table", label: "Add table", icon: "table", ready: false },
  { id: "relationship", label: "Add relationship", icon: "relationship", ready: false },
  { id: "note", label: "Add note", icon: "note", ready: false },
];

export function Toolbar({ canEdit }: { canEdit: boolean }) {
  return (
    <nav className="toolbar" aria-label="Tools">
      <ul role="list">
        {TOOLS.map((tool) => {
          const disabled = !tool.ready || (tool.id !== "select" && !canEdit);
          const hint = tool.ready ? tool.label : `${tool.label} (coming soon)`;
          return (
            <li key={tool.id}>
              <button
                type="button"
                className={`tool${tool.id === "select" ? " is-active" : ""}`}
                aria-pressed={tool.id === "select"}
                aria-label={hint}
                title={hint}
                disabled={disabled}
              >
                <Icon name={tool.icon} size={20} />
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
