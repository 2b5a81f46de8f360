/**
 * The editor's configuration, written by Django into the page as
 * `{{ editor_config|json_script:"editor-config" }}` (see designs/views.py design_editor).
 */

import type { DesignRole } from "./api";

export interface EditorConfig {
  designId: number;
  slug: string;
  name: string;
  role: DesignRole;
  user: string;
  apiBase: string;
  revision: number;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

const ROLES: readonly string[] = ["owner", "editor", "commenter", "viewer"];

/** Parse and check the config object; throws ConfigError naming the first bad field. */
export function parseConfig(raw: unknown): EditorConfig {
  if (typeof raw !== "object" || raw === null) {
    throw new ConfigError("the editor configuration is missing");
  }
  const data = raw as Record<string, unknown>;
  const expect = (key: string, type: "string" | "number"): void => {
    if (typeof data[key] !== type) {
      throw new ConfigError(`the editor configuration has no valid "${key}"`);
    }
  };
  expect("designId", "number");
  expect("slug", "string");
  expect("name", "string");
  expect("role", "string");
  expect("user", "string");
  expect("apiBase", "string");
  expect("revision", "number");
  if (!ROLES.includes(data.role as string)) {
    throw new ConfigError(`unknown role "${String(data.role)}"`);
  }
  return data as unknown as EditorConfig;
}

/** Read the config from the `<script id="editor-config" type="application/json">` element. */
export function readConfig(elementId = "editor-config"): EditorConfig {
  const element = document.getElementById(elementId);
  if (!element?.textContent) {
    throw new ConfigError("the editor configuration is missing");
  }
  let raw: unknown;
  try {
    raw = JSON.parse(element.textContent);
  } catch {
    throw new ConfigError("the editor configuration is not valid JSON");
  }
  return parseConfig(raw);
}

/** Whether this role may change the design (the API enforces it; the UI only reflects it). */
export function canEdit(role: DesignRole): boolean {
  return role === "owner" || role === "editor";
}
