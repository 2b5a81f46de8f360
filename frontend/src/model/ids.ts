/** Stable ids for new document objects: a kind prefix and random base-36 characters (`t_k3v9x2ab`). */

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/** A fresh id such as `c_0f3kq9zd`; 8 random characters make collisions in one design vanishingly rare. */
export function newId(prefix: string): string {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  let out = "";
  for (const byte of bytes) {
    out += ALPHABET[byte % ALPHABET.length] ?? "0";
  }
  return `${prefix}_${out}`;
}

/** `base`, or `base_2`, `base_3`… : the first name not in `taken`. */
export function uniqueName(base: string, taken: Iterable<string>): string {
  const names = new Set(taken);
  if (!names.has(base)) {
    return base;
  }
  for (let n = 2; ; n++) {
    const candidate = `${base}_${n}`;
    if (!names.has(candidate)) {
      return candidate;
    }
  }
}

/** A position with both coordinates (the document's Point has optional ones). */
export interface XY {
  x: number;
  y: number;
}
