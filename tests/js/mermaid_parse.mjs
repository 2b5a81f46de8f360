// Checks texts with the pinned Mermaid release (see package.json).
// Reads a JSON list of strings on stdin; prints a JSON list of {"ok": bool, "error": string|null}
// in the same order. One process checks every text, because starting Mermaid costs ~1 s.
// Mermaid sanitizes accessibility text with DOMPurify, which needs a window: jsdom provides one,
// installed as globals before Mermaid is imported (hence the dynamic import).
import { JSDOM } from 'jsdom';

const { window } = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = window;
globalThis.document = window.document;
const { default: mermaid } = await import('mermaid');

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

const texts = JSON.parse(await readStdin());
const results = [];
for (const text of texts) {
  try {
    const parsed = await mermaid.parse(text);
    results.push({ ok: parsed.diagramType === 'er', error: parsed.diagramType === 'er' ? null : `diagram type ${parsed.diagramType}` });
  } catch (error) {
    results.push({ ok: false, error: String(error && error.message ? error.message : error) });
  }
}
process.stdout.write(JSON.stringify(results));
