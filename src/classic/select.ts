/**
 * k-smallest selection with scikit-learn's exact tie behaviour.
 *
 * scikit-learn's brute-force KNN (1.2+, `ArgKmin` in sklearn/metrics/_pairwise_distances_reduction)
 * pushes the candidates, in training-index order, into a fixed-size max-heap (`heap_push` in
 * sklearn/utils/_heap.pyx) and finally quicksorts the k survivors together with their indices
 * (`simultaneous_sort` in sklearn/utils/_sorting.pyx). Neither step is stable, so which of several
 * equally distant points survive at the k-th place, and in which order equal distances are listed,
 * follow from these two routines and nothing simpler ("lowest index first" is NOT the rule). They are
 * transcribed here step for step so that the same distances give the same neighbours.
 *
 * The heap also serves as the fast path's partial selection: a candidate that is not smaller than the
 * current k-th distance is rejected by one comparison, so selecting k of n costs O(n + k log k·…).
 */

/** A fixed-size max-heap over (value, index) pairs, filled with +∞ at the start. */
export class TopK {
  readonly values: Float64Array;
  readonly indices: Int32Array;

  constructor(readonly k: number) {
    this.values = new Float64Array(k).fill(Infinity);
    this.indices = new Int32Array(k).fill(-1);
  }

  /** Empties the heap for the next query. */
  reset(): void {
    this.values.fill(Infinity);
    this.indices.fill(-1);
  }

  /** The current k-th smallest value (the heap's root): candidates at or above it are rejected. */
  get bound(): number {
    return this.values[0];
  }

  /** scikit-learn's heap_push: rejects val ≥ root, else replaces the root and sifts down. */
  push(val: number, idx: number): void {
    const values = this.values;
    const indices = this.indices;
    if (!(val < values[0])) return;
    const size = this.k;
    let cur = 0;
    for (;;) {
      const left = 2 * cur + 1;
      const right = left + 1;
      let swap: number;
      if (left >= size) break;
      else if (right >= size) {
        if (values[left] > val) swap = left;
        else break;
      } else if (values[left] >= values[right]) {
        if (val < values[left]) swap = left;
        else break;
      } else {
        if (val < values[right]) swap = right;
        else break;
      }
      values[cur] = values[swap];
      indices[cur] = indices[swap];
      cur = swap;
    }
    values[cur] = val;
    indices[cur] = idx;
  }

  /** Sorts the survivors ascending (scikit-learn's simultaneous_sort) and returns copies. */
  sorted(): { values: Float64Array; indices: Int32Array } {
    const values = Float64Array.from(this.values);
    const indices = Int32Array.from(this.indices);
    simultaneousSort(values, indices, 0, values.length);
    return { values, indices };
  }
}

function dualSwap(v: Float64Array, ix: Int32Array, a: number, b: number): void {
  const dt = v[a]; v[a] = v[b]; v[b] = dt;
  const it = ix[a]; ix[a] = ix[b]; ix[b] = it;
}

/**
 * scikit-learn's simultaneous_sort over v[o..o+size): median-of-three quicksort, swapping the index
 * array alongside. Not stable; equal values end in the order this exact procedure leaves them.
 */
export function simultaneousSort(v: Float64Array, ix: Int32Array, o: number, size: number): void {
  if (size <= 1) return;
  if (size === 2) {
    if (v[o] > v[o + 1]) dualSwap(v, ix, o, o + 1);
    return;
  }
  if (size === 3) {
    if (v[o] > v[o + 1]) dualSwap(v, ix, o, o + 1);
    if (v[o + 1] > v[o + 2]) {
      dualSwap(v, ix, o + 1, o + 2);
      if (v[o] > v[o + 1]) dualSwap(v, ix, o, o + 1);
    }
    return;
  }
  let pivot = o + (size >> 1);
  const last = o + size - 1;
  if (v[o] > v[last]) dualSwap(v, ix, o, last);
  if (v[last] > v[pivot]) {
    dualSwap(v, ix, last, pivot);
    if (v[o] > v[last]) dualSwap(v, ix, o, last);
  }
  const pivotVal = v[last];
  let store = o;
  for (let i = o; i < last; i++) {
    if (v[i] < pivotVal) {
      dualSwap(v, ix, i, store);
      store++;
    }
  }
  dualSwap(v, ix, store, last);
  pivot = store - o;
  if (pivot > 1) simultaneousSort(v, ix, o, pivot);
  if (pivot + 2 < size) simultaneousSort(v, ix, o + pivot + 1, size - pivot - 1);
}
