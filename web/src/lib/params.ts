/**
 * Reading page state from the URL: a parameter that is missing takes its default, one that is there
 * but wrong is reported (so a shared link with a typo says so instead of silently changing).
 */

/** An integer URL parameter in [lo, hi]; `problems` collects a message for a bad one (and the default is used). */
export function intParam(params: URLSearchParams, key: string, def: number, lo: number, hi: number, problems: string[]): number {
  const raw = params.get(key);
  if (raw === null || raw === '') return def;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < lo || v > hi) {
    problems.push(`?${key}=${raw}: expected an integer from ${lo} to ${hi}; using ${def}`);
    return def;
  }
  return v;
}

/** A number from a text field: the value, or a one-line reason it is not one in [lo, hi]. */
export function parseIntField(text: string, name: string, lo: number, hi: number): { value: number } | { error: string } {
  const s = text.trim();
  if (s === '') return { error: `${name}: empty; give an integer from ${lo} to ${hi}` };
  const v = Number(s);
  if (!Number.isFinite(v)) return { error: `${name}: '${s.length > 20 ? s.slice(0, 20) + '…' : s}' is not a number` };
  if (!Number.isInteger(v) || v < lo || v > hi) return { error: `${name}: ${s.length > 20 ? s.slice(0, 20) + '…' : s} is outside ${lo}–${hi} (or not whole)` };
  return { value: v };
}
