/** Gradient storage for leaves: the first gradient is copied into fresh storage, later ones added in place. */
import { Tensor } from '../tensor/tensor.js';

/** Gradients this module allocated: only these are safe to add into in place. */
const owned = new WeakSet<Tensor>();

export function accumulate(current: Tensor | null, g: Tensor): Tensor {
  if (current && owned.has(current)) {
    const src = g.contiguousData();
    const dst = current.data;
    for (let i = 0; i < dst.length; i++) dst[i] += src[i];
    return current;
  }
  // fresh storage: g may be a view of storage another tensor owns, and a .grad the user assigned
  // (possibly a view) must never be written through
  const sum = current ? current.add(g) : g;
  const data = sum.contiguousData();
  const out = new Tensor(data === sum.data ? data.slice() : data, sum.shape);
  owned.add(out);
  return out;
}
