/** The Export menu: images of the canvas, the Mermaid text, and every export the compiler offers. */

import { useReactFlow } from "@xyflow/react";
import { useEffect, useRef, useState } from "react";

import type { ApiClient } from "../api";
import type { EditorConfig } from "../config";
import type { DesignDocument } from "../document";
import { download, downloadText, renderImage, type ImageFormat } from "../export";
import { Icon } from "./Icon";

const SERVER_EXPORTS: { to: string; label: string }[] = [
  { to: "postgres", label: "PostgreSQL DDL (.sql)" },
  { to: "mysql", label: "MySQL DDL (.sql)" },
  { to: "sqlite", label: "SQLite DDL (.sql)" },
  { to: "dbml", label: "DBML (.dbml)" },
  { to: "sqlalchemy", label: "SQLAlchemy models (.py)" },
  { to: "django", label: "Django models (.py)" },
  { to: "json", label: "Design document (.json)" },
];

interface Props {
  client: ApiClient;
  config: EditorConfig;
  doc: DesignDocument;
  hasSelection: boolean;
}

export function ExportMenu({ client, config, doc, hasSelection }: Props) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const flow = useReactFlow();
  const menu = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) {
      return;
    }
    const onDown = (event: MouseEvent) => {
      if (!menu.current?.contains(event.target as Node)) {
        setOpen(false);
      }
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") {
        setOpen(false);
      }
    };
    document.addEventListener("mousedown", onDown);
    document.addEventListener("keydown", onKey);
    menu.current?.querySelector<HTMLButtonElement>("[role=menuitem]")?.focus();
    return () => {
      document.removeEventListener("mousedown", onDown);
      document.removeEventListener("keydown", onKey);
    };
  }, [open]);

  const run = async (key: string, job: () => Promise<void>) => {
    setBusy(key);
    setError(null);
    try {
      await job();
      setOpen(false);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(null);
    }
  };

  const image = (format: ImageFormat, selection: boolean) =>
    run(`${format}-${String(selection)}`, async () => {
      const ids = selection ? new Set(flow.getNodes().filter((n) => n.selected).map((n) => n.id)) : null;
      const url = await renderImage(flow, format, ids);
      download(url, `${config.slug}${selection ? "-selection" : ""}.${format}`);
    });

  const item = (key: string, label: string, onClick: () => void, disabled = false) => (
    <button key={key} type="button" role="menuitem" className="menu-item" disabled={disabled || busy !== null} onClick={onClick}>
      {label}
      {busy === key && <span className="spinner spinner-small" aria-hidden="true" />}
    </button>
  );

  return (
    <div className="menu-wrap" ref={menu}>
      <button
        type="button"
        className="tool tool-text"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => {
          setOpen((o) => !o);
        }}
      >
        <Icon name="download" size={18} />
        <span>Export</span>
      </button>
      {open && (
        <div className="menu" role="menu" aria-label="Export">
          <p className="menu-heading">Image</p>
          {item("png-false", "PNG — whole diagram", () => void image("png", false))}
          {item("svg-false", "SVG — whole diagram", () => void image("svg", false))}
          {item("png-true", "PNG — selection", () => void image("png", true), !hasSelection)}
          {item("svg-true", "SVG — selection", () => void image("svg", true), !hasSelection)}
          <p className="menu-heading">Text</p>
          {item("mmd", "Mermaid (.mmd)", () =>
            void run("mmd", async () => {
              const { text } = await client.printText(doc);
              downloadText(text, `${config.slug}.mmd`);
            }),
          )}
          {SERVER_EXPORTS.map((e) =>
            item(e.to, e.label, () =>
              void run(e.to, async () => {
                // The server exports the saved document; the editor's copy may be newer, so
                // export what is on screen through the same compiler.
                const { text } = await client.printText(doc, e.to);
                const ext = e.label.slice(e.label.lastIndexOf("(.") + 2, -1);
                const name = ext === "sql" ? `${config.slug}.${e.to}.sql` : `${config.slug}.${ext}`;
                downloadText(text, name);
              }),
            ),
          )}
          {error && (
            <p className="menu-error" role="alert">
              {error}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
