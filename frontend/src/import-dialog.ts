/**
 * The import dialog on the design list: progressive enhancement of the server-rendered import form
 * (designs/templates/designs/import_form.html). Without this script the "Import schema…" button is a
 * link to /designs/import/, where the same form posts to designs/import_views.py.
 *
 * With it, the form opens in a modal <dialog> and posts to the JSON API (POST /api/designs/import or
 * /api/designs/introspect) through XMLHttpRequest, for upload progress. Then it either opens the new
 * design, or first lists what could not be modelled; a parse error shows its line and column with
 * the offending line, and the pasted text stays where it was.
 */

interface ImportError {
  message: string;
  line: number | null;
  column: number | null;
  hint: string | null;
}

interface Skipped {
  kind: string;
  count: number;
  lines: string;
}

interface Note {
  line: number | null;
  message: string;
}

interface Imported {
  name: string;
  url: string;
  tables: number;
  warnings: string[];
  summary: { skipped: Skipped[]; notes: Note[] };
}

type Source = "file" | "text" | "url";

const API = "/api/designs";
const EXCERPT_MAX_BYTES = 4 * 1024 * 1024;

function readCookie(name: string): string | null {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { className?: string; text?: string } = {},
  children: (Node | string)[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  node.append(...children);
  return node;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** The body's error as {message, line, column, hint}, whatever shape the server answered with. */
function errorOf(status: number, body: unknown): ImportError {
  const fallback = status === 0 ? "Could not reach the server; check your connection and try again." : `The server answered ${status}.`;
  const detail: unknown = body && typeof body === "object" && "detail" in body ? body.detail : null;
  if (typeof detail === "string") return { message: detail, line: null, column: null, hint: null };
  if (detail && typeof detail === "object" && "message" in detail && typeof detail.message === "string") {
    const d = detail as Partial<ImportError>;
    return { message: detail.message, line: d.line ?? null, column: d.column ?? null, hint: d.hint ?? null };
  }
  if (Array.isArray(detail) && detail.length > 0) {
    const first: unknown = detail[0];
    if (first && typeof first === "object" && "msg" in first && typeof first.msg === "string") {
      return { message: first.msg, line: null, column: null, hint: null };
    }
  }
  return { message: fallback, line: null, column: null, hint: null };
}

/** The 0-based character offset of a 1-based line and column in ``text``. */
function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let i = 1; i < line; i++) {
    const next = text.indexOf("\n", offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return Math.min(offset + column - 1, text.length);
}

class ImportDialog {
  private readonly form: HTMLFormElement;
  private readonly body: HTMLElement;
  private readonly result: HTMLElement;
  private readonly errorBox: HTMLElement;
  private readonly progress: HTMLElement;
  private readonly bar: HTMLProgressElement;
  private readonly status: HTMLElement;
  private readonly submit: HTMLButtonElement;
  private readonly limit: number;
  private readonly pasteLimit: number;
  private request: XMLHttpRequest | null = null;

  constructor(private readonly dialog: HTMLDialogElement) {
    const form = dialog.querySelector<HTMLFormElement>("form[data-import-form]");
    const body = dialog.querySelector<HTMLElement>("[data-import-body]");
    const result = dialog.querySelector<HTMLElement>("[data-import-result]");
    const errorBox = dialog.querySelector<HTMLElement>("[data-import-error]");
    const progress = dialog.querySelector<HTMLElement>("[data-import-progress]");
    const status = dialog.querySelector<HTMLElement>("[data-import-status]");
    const submit = dialog.querySelector<HTMLButtonElement>("[data-import-submit]");
    const bar = progress?.querySelector("progress");
    if (!form || !body || !result || !errorBox || !progress || !status || !submit || !bar) {
      throw new Error("import dialog: the form's markup is incomplete");
    }
    this.form = form;
    this.body = body;
    this.result = result;
    this.errorBox = errorBox;
    this.progress = progress;
    this.bar = bar;
    this.status = status;
    this.submit = submit;
    this.limit = Number(form.dataset.limit) || 20 * 1024 * 1024;
    this.pasteLimit = Number(form.dataset.pasteLimit) || this.limit;
    this.wire();
  }

  private field<T extends HTMLElement>(name: string, kind: new () => T): T {
    const found = this.form.elements.namedItem(name);
    if (!(found instanceof kind)) throw new Error(`import dialog: no field ${name}`);
    return found;
  }

  private get source(): Source {
    const checked = this.form.querySelector<HTMLInputElement>('input[name="source"]:checked');
    return (checked?.value ?? "file") as Source;
  }

  private set source(value: Source) {
    const radio = this.form.querySelector<HTMLInputElement>(`input[name="source"][value="${value}"]`);
    if (radio) radio.checked = true;
  }

  private wire(): void {
    for (const closer of this.dialog.querySelectorAll<HTMLElement>("[data-import-close], [data-import-cancel]")) {
      closer.addEventListener("click", (event) => {
        event.preventDefault();
        this.close();
      });
    }
    // Escape closes a modal dialog by itself; an import in flight is stopped with it.
    this.dialog.addEventListener("cancel", () => {
      this.abort();
    });
    this.dialog.addEventListener("click", (event) => {
      // A click on the backdrop (the dialog element itself, outside its content) closes it when idle.
      if (event.target === this.dialog && !this.request) {
        const box = this.dialog.getBoundingClientRect();
        const inside =
          event.clientX >= box.left && event.clientX <= box.right && event.clientY >= box.top && event.clientY <= box.bottom;
        if (!inside) this.close();
      }
    });
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.start();
    });
    this.form.addEventListener("change", (event) => {
      if (event.target instanceof HTMLInputElement && event.target.name === "source") this.clearError();
    });
    const file = this.field("file", HTMLInputElement);
    file.addEventListener("change", () => {
      this.clearError();
      this.checkFileSize();
    });
    this.field("text", HTMLTextAreaElement).addEventListener("input", () => {
      this.field("text", HTMLTextAreaElement).removeAttribute("aria-invalid");
    });
    this.wireDropzone(file);
  }

  private wireDropzone(file: HTMLInputElement): void {
    const zone = this.form.querySelector<HTMLElement>("[data-dropzone]");
    if (!zone) return;
    zone.addEventListener("dragover", (event) => {
      event.preventDefault();
      zone.classList.add("is-over");
    });
    zone.addEventListener("dragleave", () => {
      zone.classList.remove("is-over");
    });
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      zone.classList.remove("is-over");
      const files = event.dataTransfer?.files;
      if (files && files.length > 0) {
        file.files = files;
        file.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  }

  open(): void {
    this.result.hidden = true;
    this.result.replaceChildren();
    this.body.hidden = false;
    if (!this.dialog.open) this.dialog.showModal();
    this.form.querySelector<HTMLInputElement>('input[name="source"]:checked')?.focus();
  }

  close(): void {
    this.abort();
    this.dialog.close();
    // After an import the list behind the dialog is missing the new design.
    if (!this.result.hidden) window.location.reload();
  }

  private abort(): void {
    if (this.request) {
      const request = this.request;
      this.request = null;
      request.abort();
      this.busy(false);
    }
  }

  private checkFileSize(): boolean {
    const chosen = this.field("file", HTMLInputElement).files?.[0];
    if (chosen && chosen.size > this.limit) {
      this.showError(
        {
          message: `${chosen.name} is ${formatBytes(chosen.size)}, over the ${formatBytes(this.limit)} limit`,
          line: null,
          column: null,
          hint: "import the schema only (no data): e.g. pg_dump --schema-only, mysqldump --no-data",
        },
        "file",
      );
      return false;
    }
    return true;
  }

  private start(): void {
    if (this.request) return;
    this.clearError();
    const source = this.source;
    const name = this.field("name", HTMLInputElement).value.trim();
    const format = source === "url" ? "" : this.field("format", HTMLSelectElement).value;
    const exactBox = this.form.elements.namedItem("exact");
    const exact = exactBox instanceof HTMLInputElement && exactBox.checked;
    const missing = (message: string, focus: HTMLElement): void => {
      this.showError({ message, line: null, column: null, hint: null }, source);
      focus.setAttribute("aria-invalid", "true");
      focus.focus();
    };

    let body: FormData | string;
    let path = `${API}/import`;
    let waiting = "Reading the schema…";
    if (source === "file") {
      const input = this.field("file", HTMLInputElement);
      const chosen = input.files?.[0];
      if (!chosen) {
        missing("Choose a file to import.", input);
        return;
      }
      if (!this.checkFileSize()) return;
      const data = new FormData();
      data.append("file", chosen);
      if (name) data.append("name", name);
      if (format) data.append("format", format);
      if (exact) data.append("exact", "true");
      body = data;
    } else if (source === "text") {
      const area = this.field("text", HTMLTextAreaElement);
      if (!area.value.trim()) {
        missing("Paste a schema to import.", area);
        return;
      }
      const size = new Blob([area.value]).size;
      if (size > this.pasteLimit) {
        this.showError(
          {
            message: `the text is ${formatBytes(size)}, over the ${formatBytes(this.pasteLimit)} limit for pasting`,
            line: null,
            column: null,
            hint: "save it as a file and upload it instead",
          },
          source,
        );
        return;
      }
      body = JSON.stringify({ name: name || "Imported design", format: format || null, text: area.value, exact });
    } else {
      const url = this.field("url", HTMLInputElement);
      if (!url.value.trim()) {
        missing("Enter the database's connection URL.", url);
        return;
      }
      const schema = this.field("schema", HTMLInputElement).value.trim();
      body = JSON.stringify({ name: name || "Imported database", url: url.value.trim(), schema_: schema || null });
      path = `${API}/introspect`;
      waiting = "Connecting to the database and reading its schema…";
    }
    this.send(path, body, source, waiting);
  }

  private send(path: string, body: FormData | string, source: Source, waiting: string): void {
    const request = new XMLHttpRequest();
    this.request = request;
    request.open("POST", path);
    request.responseType = "json";
    const csrf = readCookie("csrftoken") ?? this.field("csrfmiddlewaretoken", HTMLInputElement).value;
    request.setRequestHeader("X-CSRFToken", csrf);
    if (typeof body === "string") request.setRequestHeader("Content-Type", "application/json");

    this.busy(true);
    const uploading = source !== "url";
    this.setProgress(uploading ? 0 : null, uploading ? "Sending…" : waiting);
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable && event.total > 0) {
        const percent = Math.round((event.loaded / event.total) * 100);
        this.setProgress(percent, `Sending… ${percent}% of ${formatBytes(event.total)}`);
      }
    });
    request.upload.addEventListener("load", () => {
      if (this.request === request) this.setProgress(null, waiting);
    });
    request.addEventListener("load", () => {
      if (this.request !== request) return;
      this.request = null;
      const answer: unknown = request.response;
      if (request.status === 201 && answer && typeof answer === "object") {
        this.done(answer as Imported);
      } else {
        this.busy(false);
        this.showError(errorOf(request.status, answer), source);
      }
    });
    request.addEventListener("error", () => {
      if (this.request !== request) return;
      this.request = null;
      this.busy(false);
      this.showError(errorOf(0, null), source);
    });
    request.send(body);
  }

  private busy(on: boolean): void {
    this.form.setAttribute("aria-busy", String(on));
    this.submit.disabled = on;
    this.submit.textContent = on ? "Importing…" : "Import";
    this.progress.hidden = !on;
    if (!on) this.status.textContent = "";
  }

  /** ``percent`` null shows an indeterminate bar (the server is reading; no way to measure it). */
  private setProgress(percent: number | null, text: string): void {
    if (percent === null) this.bar.removeAttribute("value");
    else this.bar.value = percent;
    this.status.textContent = text;
  }

  private clearError(): void {
    this.errorBox.hidden = true;
    this.errorBox.replaceChildren();
    for (const invalid of this.form.querySelectorAll("[aria-invalid]")) invalid.removeAttribute("aria-invalid");
  }

  private showError(error: ImportError, source: Source): void {
    const where = error.line !== null ? `Line ${error.line}, column ${error.column ?? 1}: ` : "";
    const parts: Node[] = [el("p", { className: "import-error-title", text: `${where}${error.message}` })];
    if (error.hint) parts.push(el("p", { className: "import-error-hint", text: error.hint }));
    const excerpt = el("pre", { className: "mono" });
    excerpt.hidden = true;
    parts.push(excerpt);
    const kept = source === "text" ? "; your text is kept above" : "";
    parts.push(el("p", { className: "import-error-hint", text: `Nothing was created${kept}.` }));
    this.errorBox.replaceChildren(...parts);
    this.errorBox.hidden = false;

    if (error.line === null) {
      this.errorBox.scrollIntoView({ block: "nearest" });
      return;
    }
    const line = error.line;
    const column = error.column ?? 1;
    if (source === "text") {
      const area = this.field("text", HTMLTextAreaElement);
      this.showExcerpt(excerpt, area.value, line, column);
      area.setAttribute("aria-invalid", "true");
      area.setAttribute("aria-errormessage", this.errorBox.id);
      // Put the caret on the error and scroll the text there, so the person can fix it in place.
      const offset = offsetOf(area.value, line, column);
      area.focus();
      area.setSelectionRange(offset, offset);
      const lineHeight = parseFloat(getComputedStyle(area).lineHeight) || 20;
      area.scrollTop = Math.max(0, (line - 3) * lineHeight);
    } else if (source === "file") {
      const chosen = this.field("file", HTMLInputElement).files?.[0];
      if (chosen && chosen.size <= EXCERPT_MAX_BYTES) {
        void chosen.text().then((text) => {
          this.showExcerpt(excerpt, text, line, column);
        });
      }
    }
    this.errorBox.scrollIntoView({ block: "nearest" });
  }

  /** The offending line (and the one before it) with a caret under the column. */
  private showExcerpt(pre: HTMLElement, text: string, line: number, column: number): void {
    const lines = text.split("\n");
    const current = lines[line - 1];
    if (current === undefined) return;
    const width = String(line).length;
    const shown: (Node | string)[] = [];
    const previous = lines[line - 2];
    const clip = (s: string): string => (s.length > 160 ? `${s.slice(0, 160)}…` : s);
    if (previous !== undefined && previous.trim()) shown.push(`${String(line - 1).padStart(width)} | ${clip(previous)}\n`);
    shown.push(`${String(line).padStart(width)} | ${clip(current)}\n`);
    const pad = " ".repeat(width + 3 + Math.min(Math.max(column - 1, 0), 160));
    shown.push(pad, el("span", { className: "caret", text: "^" }));
    pre.replaceChildren(...shown);
    pre.setAttribute("aria-label", `Line ${line}: ${current.trim()}`);
    pre.hidden = false;
  }

  private done(imported: Imported): void {
    if (imported.warnings.length === 0) {
      this.setProgress(100, `Imported ${plural(imported.tables, "table")}; opening the design…`);
      window.location.assign(imported.url);
      return;
    }
    this.busy(false);
    this.body.hidden = true;
    this.result.replaceChildren(...this.summary(imported));
    this.result.hidden = false;
    this.result.querySelector<HTMLElement>("[data-open-design]")?.focus();
  }

  private summary(imported: Imported): Node[] {
    const check = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    check.setAttribute("viewBox", "0 0 20 20");
    check.setAttribute("width", "16");
    check.setAttribute("height", "16");
    check.setAttribute("aria-hidden", "true");
    check.innerHTML = '<path d="m5 10.5 3.2 3L15 7" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>';
    const title = el("h2", { className: "card-title" }, [el("span", { className: "import-ok" }, [check]), `Imported “${imported.name}”`]);
    title.id = "import-result-title";
    const count = imported.warnings.length;
    const nodes: Node[] = [
      title,
      el("p", {
        className: "import-summary-lead",
        text: `${plural(imported.tables, "table")} imported. ${plural(count, "thing")} could not be modelled and ${count === 1 ? "was" : "were"} left out:`,
      }),
    ];
    const { skipped, notes } = imported.summary;
    if (skipped.length > 0) {
      const head = el("tr", {}, [
        el("th", { text: "Skipped" }),
        el("th", { className: "num", text: "Count" }),
        el("th", { text: "Lines" }),
      ]);
      for (const th of head.querySelectorAll("th")) th.scope = "col";
      const rows = skipped.map((s) => {
        const kind = el("th", { text: s.kind });
        kind.scope = "row";
        return el("tr", {}, [kind, el("td", { className: "num", text: String(s.count) }), el("td", { className: "lines", text: s.lines })]);
      });
      const caption = el("caption", { className: "visually-hidden", text: "Statements skipped, by kind" });
      nodes.push(el("table", { className: "import-skipped" }, [caption, el("thead", {}, [head]), el("tbody", {}, rows)]));
    }
    if (notes.length > 0) {
      const list = el(
        "ul",
        { className: "import-notes" },
        notes.map((n) =>
          el("li", {}, [
            ...(n.line !== null ? [el("span", { className: "import-line", text: `line ${n.line}` })] : []),
            el("span", { text: n.message }),
          ]),
        ),
      );
      list.setAttribute("aria-label", "Notes");
      nodes.push(list);
    }
    const back = el("button", { className: "button button-quiet", text: "Back to designs" });
    back.type = "button";
    back.addEventListener("click", () => {
      this.close();
    });
    const open = el("a", { className: "button button-primary", text: "Open design" });
    open.href = imported.url;
    open.dataset.openDesign = "";
    nodes.push(el("div", { className: "import-actions" }, [back, open]));
    return nodes;
  }
}

/**
 * The form waits in a <template> (so its fields are not part of the page until wanted); the first
 * click on an "Import schema…" opener puts it into the dialog and wires it.
 */
function install(): void {
  const dialog = document.querySelector<HTMLDialogElement>("dialog#import-dialog");
  const template = document.querySelector<HTMLTemplateElement>("template#import-form-template");
  const body = dialog?.querySelector<HTMLElement>("[data-import-body]");
  if (!dialog || !template || !body || typeof dialog.showModal !== "function") return;
  let instance: ImportDialog | null = null;
  for (const opener of document.querySelectorAll<HTMLElement>("[data-import-open]")) {
    opener.addEventListener("click", (event) => {
      event.preventDefault();
      if (!instance) {
        body.append(template.content.cloneNode(true));
        instance = new ImportDialog(dialog);
      }
      instance.open();
    });
  }
}

install();
