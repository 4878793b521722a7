/**
 * The sampling knobs of the GPT page, computed in the page so the softmax redraws as a slider moves:
 * temperature, then top-k, then top-p (nucleus), in the order src/decode/sample.ts applies them (and
 * Hugging Face's generate). Temperature 0 is greedy: all the probability on the most likely word.
 */

/** softmax(logits / temperature) with top-k and top-p cuts, renormalised; float64. */
export function reshapeDistribution(logits: ArrayLike<number>, temperature: number, topK: number, topP: number): Float64Array {
  const V = logits.length;
  const out = new Float64Array(V);
  if (V === 0) return out;
  let best = 0;
  for (let v = 1; v < V; v++) if (logits[v] > logits[best]) best = v;
  if (temperature <= 0) {
    out[best] = 1;
    return out;
  }
  let max = -Infinity;
  for (let v = 0; v < V; v++) max = Math.max(max, logits[v] / temperature);
  let sum = 0;
  for (let v = 0; v < V; v++) sum += out[v] = Math.exp(logits[v] / temperature - max);
  for (let v = 0; v < V; v++) out[v] /= sum;
  const order = Array.from({ length: V }, (_, i) => i).sort((a, b) => out[b] - out[a] || a - b);
  if (topK >= 1 && topK < V) {
    // ties with the k-th are kept, as in Hugging Face and src/decode/sample.ts
    const kth = out[order[topK - 1]];
    for (const v of order.slice(topK)) if (out[v] < kth) out[v] = 0;
  }
  if (topP > 0 && topP < 1) {
    let total = 0;
    for (let v = 0; v < V; v++) total += out[v];
    let acc = 0;
    let cut = false;
    for (const v of order) {
      if (cut) out[v] = 0;
      else if ((acc += out[v] / total) >= topP) cut = true;
    }
  }
  let z = 0;
  for (let v = 0; v < V; v++) z += out[v];
  for (let v = 0; v < V; v++) out[v] /= z;
  return out;
}

/** The k largest entries as [index, value], largest first (ties by index). */
export function topEntries(p: ArrayLike<number>, k: number): [number, number][] {
  return Array.from({ length: p.length }, (_, i) => [i, p[i]] as [number, number]).sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, k);
}
