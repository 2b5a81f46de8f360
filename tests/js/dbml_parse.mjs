// Checks texts with the pinned @dbml/core release (see package.json).
// Reads a JSON list of strings on stdin; prints a JSON list, in the same order, of
// {"ok": bool, "error": string|null, "tables": [[schema, name, [column names]]], "refs": n, "enums": n},
// so a test can compare what @dbml/core understood with what our parser did.
// One process checks every text, because starting node costs more than parsing.
import { Parser } from '@dbml/core';

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function describe(error) {
  if (error && Array.isArray(error.diags)) {
    return error.diags
      .map((d) => `${d.message} at ${d.location?.start?.line}:${d.location?.start?.column}`)
      .join('; ');
  }
  return String(error && error.message ? error.message : error);
}

const texts = JSON.parse(await readStdin());
const results = [];
for (const text of texts) {
  try {
    const database = Parser.parse(text, 'dbmlv2');
    const tables = [];
    let refs = 0;
    let enums = 0;
    for (const schema of database.schemas) {
      for (const table of schema.tables) {
        tables.push([schema.name, table.name, table.fields.map((field) => field.name)]);
      }
      refs += schema.refs.length;
      enums += schema.enums.length;
    }
    results.push({ ok: true, error: null, tables, refs, enums });
  } catch (error) {
    results.push({ ok: false, error: describe(error), tables: [], refs: 0, enums: 0 });
  }
}
process.stdout.write(JSON.stringify(results));
