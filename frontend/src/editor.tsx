/** Entry point of the editor page (/d/<slug>/): read the config Django wrote, mount the app. */

import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { EditorApp } from "./components/EditorApp";
import { readConfig } from "./config";
import "@xyflow/react/dist/base.css";
import "./editor.css";
import "./canvas.css";

function mount(): void {
  const root = document.getElementById("editor-root");
  if (!root) {
    return; // not the editor page
  }
  try {
    const config = readConfig();
    createRoot(root).render(
      <StrictMode>
        <EditorApp config={config} />
      </StrictMode>,
    );
  } catch (error) {
    // A broken page config is a server bug; say so plainly instead of showing a blank page.
    const message = error instanceof Error ? error.message : String(error);
    root.innerHTML = "";
    const box = document.createElement("div");
    box.className = "state state-error";
    box.setAttribute("role", "alert");
    box.textContent = `The editor could not start: ${message}. Reload the page; if this keeps happening, tell your administrator.`;
    root.append(box);
  }
}

mount();
