/** Classification metrics: accuracy and the confusion matrix. */

/** Fraction of predictions equal to the truth, in [0, 1]. */
export function accuracy(yTrue: readonly number[], yPred: readonly number[]): number {
  if (yTrue.length !== yPred.length) throw new Error(`accuracy: ${yTrue.length} true labels but ${yPred.length} predictions`);
  if (yTrue.length === 0) throw new Error('accuracy: no labels (expected at least one)');
  let hit = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) hit++;
  return hit / yTrue.length;
}

/**
 * Confusion matrix C where C[i][j] counts samples of true class i predicted as j (scikit-learn's
 * orientation: rows are the truth).
 */
export function confusionMatrix(yTrue: readonly number[], yPred: readonly number[], nClasses?: number): number[][] {
  if (yTrue.length !== yPred.length) throw new Error(`confusionMatrix: ${yTrue.length} true labels but ${yPred.length} predictions`);
  const C = nClasses ?? Math.max(0, ...yTrue, ...yPred) + 1;
  const m = Array.from({ length: C }, () => new Array<number>(C).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i];
    const p = yPred[i];
    if (!(t >= 0 && t < C && p >= 0 && p < C)) throw new Error(`confusionMatrix: label out of range 0..${C - 1} at ${i}: true ${t}, predicted ${p}`);
    m[t][p]++;
  }
  return m;
}

/** The confusion matrix as an aligned text table with class names on both axes. */
export function formatConfusionMatrix(m: readonly (readonly number[])[], names: readonly string[]): string {
  const corner = 'true \\ predicted';
  const w = Math.max(6, ...names.map((s) => s.length), ...m.flat().map((v) => String(v).length)) + 1;
  const first = Math.max(corner.length, ...names.map((s) => s.length)) + 1;
  const lines = [corner.padEnd(first) + names.map((s) => s.padStart(w)).join('')];
  m.forEach((row, i) => lines.push((names[i] ?? String(i)).padEnd(first) + row.map((v) => String(v).padStart(w)).join('')));
  return lines.join('\n');
}
