/**
 * The translator page's rules that need no browser: how much input it takes, and how an attention
 * map is chosen and averaged for display (a layer and a head, or the mean of either).
 */

/** The most characters the page sends to the translator (it splits long text at punctuation; 1,000 characters is already dozens of sentences). */
export const MAX_INPUT_CHARS = 1000;

/** Why the page will not translate `text`, or null when it will. */
export function inputProblem(text: string, lang: 'zh' | 'en'): string | null {
  if (text.trim() === '') return lang === 'zh' ? '请输入一句中文，例如“我正在吃饭”。' : 'Type a Chinese sentence, e.g. 我正在吃饭.';
  if (text.length > MAX_INPUT_CHARS) {
    const n = text.length.toLocaleString('en');
    return lang === 'zh'
      ? `输入有 ${n} 个字符；这一页一次最多翻译 ${MAX_INPUT_CHARS.toLocaleString('en')} 个（模型一次读一句，最长 64 个字）。请分段翻译。`
      : `The input has ${n} characters; this page translates at most ${MAX_INPUT_CHARS.toLocaleString('en')} at a time (the model reads one sentence of up to 64 characters). Translate it in pieces.`;
  }
  return null;
}

/** maps[layer][head][row][col] */
export type HeadMaps = number[][][][];

/**
 * One matrix to draw: layer `layer` (or the mean of all layers when −1) and head `head` (or the mean
 * of the heads when −1). Means of attention rows are still rows that sum to 1.
 */
export function selectMap(maps: HeadMaps, layer: number, head: number): number[][] {
  if (maps.length === 0) return [];
  const layers = layer < 0 ? maps : [maps[Math.min(layer, maps.length - 1)]];
  const pick = (l: number[][][]): number[][][] => (head < 0 ? l : [l[Math.min(head, l.length - 1)]]);
  const chosen = layers.flatMap(pick);
  const R = chosen[0].length;
  const C = R ? chosen[0][0].length : 0;
  const out = Array.from({ length: R }, () => new Array<number>(C).fill(0));
  for (const m of chosen) for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) out[r][c] += m[r][c] / chosen.length;
  return out;
}

/** The columns a row attends to most, strongest first: [column, weight]. */
export function strongest(row: readonly number[], k = 3): [number, number][] {
  return row.map((w, i) => [i, w] as [number, number]).sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, k);
}
