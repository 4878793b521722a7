/** Gradient storage for leaves: the first gradient is copied into fresh storage, later ones added in place. */
import { Tensor } from '../tensor/tensor.js';
import { allocate, type DType } from '../tensor/dtype.js';
import type { Shape } from '../tensor/shape.js';
import { sizeOf } from '../tensor/shape.js';

export function ones(shape: Shape, dtype: DType): Tensor {
  const data = allocate(dtype === 'int32' ? 'float32' : dtype, sizeOf(shape));
  data.fill(1);
  return new Tensor(data, shape);
}

export function accumulate(current: Tensor | null, g: Tensor): Tensor {
  if (!current) {
    // a fresh copy: g may be a view of storage that another tensor owns
    const data = g.contiguousData();
    return new Tensor(data === g.data ? data.slice() : data, g.shape);
  }
  const src = g.contiguousData();
  const dst = current.data;
  for (let i = 0; i < dst.length; i++) dst[i] += src[i];
  return current;
}
