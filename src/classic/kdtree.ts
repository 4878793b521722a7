/**
 * A KD-tree over a flat row-major float64 matrix, for KNN in low dimensions.
 *
 * Nodes split the widest dimension at the median; each node keeps its bounding box, and a subtree is
 * skipped when the box's distance lower bound exceeds the current K-th distance (plus a small slack,
 * because candidate distances are computed with scikit-learn's expanded formula, not the bound's).
 *
 * `search` reports whether its answer is certainly the brute-force one: it is when no distance equal
 * to the K-th was rejected or evicted and the K kept distances are all different. Otherwise the
 * caller replays brute force, since only the brute-force heap's history decides such ties.
 */
import type { TopK } from './select.js';

interface Node {
  start: number;
  end: number;
  lo: Float64Array;
  hi: Float64Array;
  left: Node | null;
  right: Node | null;
}

export class KdTree {
  /** Training indices, permuted so that every node holds a contiguous range. */
  readonly order: Int32Array;
  readonly root: Node;

  constructor(private readonly X: Float64Array, readonly n: number, readonly d: number, readonly leafSize = 16) {
    if (!(leafSize >= 1)) throw new Error(`KdTree: leafSize must be >= 1, got ${leafSize}`);
    this.order = Int32Array.from({ length: n }, (_, i) => i);
    this.root = this.build(0, n);
  }

  private build(start: number, end: number): Node {
    const { X, d, order } = this;
    const lo = new Float64Array(d).fill(Infinity);
    const hi = new Float64Array(d).fill(-Infinity);
    for (let i = start; i < end; i++) {
      const o = order[i] * d;
      for (let t = 0; t < d; t++) {
        const v = X[o + t];
        if (v < lo[t]) lo[t] = v;
        if (v > hi[t]) hi[t] = v;
      }
    }
    const node: Node = { start, end, lo, hi, left: null, right: null };
    if (end - start <= this.leafSize) return node;
    let dim = 0;
    for (let t = 1; t < d; t++) if (hi[t] - lo[t] > hi[dim] - lo[dim]) dim = t;
    if (hi[dim] === lo[dim]) return node; // all points equal: a leaf
    const slice = Array.from(order.subarray(start, end));
    slice.sort((a, b) => X[a * d + dim] - X[b * d + dim] || a - b);
    order.set(slice, start);
    const mid = (start + end) >> 1;
    node.left = this.build(start, mid);
    node.right = this.build(mid, end);
    return node;
  }

  /**
   * K nearest of one query into `heap` (reset by the caller). Returns false when a tie makes the
   * answer depend on push order (the caller then falls back to brute force).
   */
  search(
    heap: TopK,
    rdist: (j: number) => number,
    bound: (lo: Float64Array, hi: Float64Array) => number,
    tolerance: number,
  ): boolean {
    let minOut = Infinity;
    const visit = (node: Node, lb: number): void => {
      const b = heap.bound;
      if (lb > b + tolerance + 1e-12 * Math.abs(b)) return;
      if (!node.left || !node.right) {
        for (let i = node.start; i < node.end; i++) {
          const j = this.order[i];
          const v = rdist(j);
          if (v < heap.bound) {
            if (heap.bound < minOut) minOut = heap.bound; // the evicted root
            heap.push(v, j);
          } else if (v < minOut) {
            minOut = v;
          }
        }
        return;
      }
      const lbL = bound(node.left.lo, node.left.hi);
      const lbR = bound(node.right.lo, node.right.hi);
      if (lbL <= lbR) {
        visit(node.left, lbL);
        visit(node.right, lbR);
      } else {
        visit(node.right, lbR);
        visit(node.left, lbL);
      }
    };
    visit(this.root, bound(this.root.lo, this.root.hi));
    const kth = heap.bound;
    if (minOut <= kth) return false;
    const vals = Float64Array.from(heap.values).sort();
    for (let i = 1; i < vals.length; i++) if (vals[i] === vals[i - 1]) return false;
    return true;
  }
}
