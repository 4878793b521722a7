/** Matrix product with batch broadcasting; transposed views go to the kernel as flags, not copies. */
import { getBackend, type FloatArray } from '../backend/backend.js';
import { Tensor } from '../tensor/tensor.js';
import { broadcastShapes, formatShape, ShapeError, sizeOf } from '../tensor/shape.js';
import { floatAlloc, fromOp, reduceTo, requireFloat, resultDType } from './make.js';

interface Operand {
  data: FloatArray;
  offset: number;
  trans: boolean;
  batchStride: number;
}

/**
 * How the kernel reads a (…, r, c) operand broadcast to `batchShape`: storage, whether the matrix
 * is stored transposed, and one stride between batches. Layouts the kernel cannot read directly are
 * copied into a contiguous (batch, r, c) array first.
 */
function operand(t: Tensor, batchShape: number[]): Operand {
  const r = t.shape[t.ndim - 2];
  const c = t.shape[t.ndim - 1];
  const rs = t.strides[t.ndim - 2];
  const cs = t.strides[t.ndim - 1];
  const rowMajor = cs === 1 || c === 1 ? (r === 1 || rs === c) : false;
  const colMajor = !rowMajor && (rs === 1 || r === 1) && (c === 1 || cs === r);
  const lead = batchShape.length - (t.ndim - 2);
  // strides of the batch dimensions, 0 where broadcast
  const bStrides = batchShape.map((d, i) => (i < lead || t.shape[i - lead] === 1 ? 0 : t.strides[i - lead]));
  let batchStride = 0;
  let collapsible = true;
  // the batch dims must read as one arithmetic sequence: stride[i] = stride[i+1]·size[i+1] (or all 0)
  for (let i = batchShape.length - 1, expect = -1; i >= 0; i--) {
    if (batchShape[i] === 1) continue;
    if (expect === -1) { batchStride = bStrides[i]; expect = bStrides[i] * batchShape[i]; continue; }
    if (bStrides[i] !== expect) { collapsible = false; break; }
    expect = bStrides[i] * batchShape[i];
  }
  if ((rowMajor || colMajor) && collapsible && t.dtype !== 'int32') {
    return { data: t.data as FloatArray, offset: t.offset, trans: colMajor, batchStride };
  }
  const full = t.expand([...batchShape, r, c]).contiguous();
  return { data: full.floatData(), offset: 0, trans: false, batchStride: sizeOf(batchShape) > 1 ? r * c : 0 };
}

/**
 * Matrix product as in PyTorch: 1-D operands are promoted (and the added dimension removed),
 * leading dimensions broadcast.
 * @example x.matmul(w.T) // (B, T, C) @ (C, V) → (B, T, V)
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  return product(a, b, null);
}

/** matmul, with a bias row added in the kernel when given (only by `addmm`, which checks the shapes). */
function product(a: Tensor, b: Tensor, bias: Tensor | null): Tensor {
  requireFloat(a, 'matmul');
  requireFloat(b, 'matmul');
  if (a.ndim === 0 || b.ndim === 0) throw new ShapeError(`matmul: both operands need at least one dimension, got ${formatShape(a.shape)} @ ${formatShape(b.shape)}`);
  // b is promoted first: for 1-D @ 1-D the inner call then promotes a and squeezes (1,1) → (1,) → (),
  // where promoting a first would try to squeeze dim -2 of the (1,)-shaped result and throw.
  if (b.ndim === 1) return matmul(a, b.unsqueeze(1)).squeeze(-1);
  if (a.ndim === 1) return matmul(a.unsqueeze(0), b).squeeze(-2);
  const m = a.shape[a.ndim - 2];
  const k = a.shape[a.ndim - 1];
  const k2 = b.shape[b.ndim - 2];
  const n = b.shape[b.ndim - 1];
  if (k !== k2) throw new ShapeError(`matmul: ${formatShape(a.shape)} @ ${formatShape(b.shape)}: inner sizes ${k} and ${k2} differ`);
  const batchShape = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), 'matmul (batch dimensions)');
  const batch = sizeOf(batchShape);
  const A = operand(a, batchShape);
  const B = operand(b, batchShape);
  const out = floatAlloc(resultDType(a, b), batch * m * n);
  if (A.data.constructor !== out.constructor || B.data.constructor !== out.constructor) {
    // mixed float32/float64: compute in the wider type
    return matmul(a.to('float64'), b.to('float64'));
  }
  if (batch > 0 && m > 0 && n > 0) {
    getBackend().matmul(A.data, B.data, out, {
      batch, m, k, n, transA: A.trans, transB: B.trans,
      aOffset: A.offset, bOffset: B.offset, aBatchStride: A.batchStride, bBatchStride: B.batchStride,
      ...(bias ? { bias: bias.contiguousData() as FloatArray } : {}),
    });
  }
  if (bias) {
    return fromOp('linear', out, [m, n], [a, b, bias], (g) => [
      a.requiresGrad ? matmul(g, b.transpose(-2, -1)) : null,
      b.requiresGrad ? gradB(a, b, g) : null,
      bias.requiresGrad ? reduceTo(g, bias.shape) : null,
    ]);
  }
  return fromOp('matmul', out, [...batchShape, m, n], [a, b], (g) => [
    a.requiresGrad ? reduceTo(matmul(g, b.transpose(-2, -1)), a.shape) : null,
    b.requiresGrad ? gradB(a, b, g) : null,
  ]);
}

/**
 * a·b + bias for 2-D a (m, k), b (k, n) and a bias of n values, as `a.matmul(b).add(bias)` computes it
 * (same values, same gradients) but with the bias added inside the matmul kernel: one kernel call and
 * one output array instead of two. Other shapes and mixed dtypes take the two-op path.
 * @example addmm(x, w.transpose(0, 1), b) // linear's x·Wᵀ + b
 */
export function addmm(a: Tensor, b: Tensor, bias: Tensor): Tensor {
  const fused = a.ndim === 2 && b.ndim === 2 && bias.ndim === 1 && bias.shape[0] === b.shape[1] && a.shape[1] === b.shape[0]
    && a.dtype !== 'int32' && a.dtype === b.dtype && a.dtype === bias.dtype;
  return fused ? product(a, b, bias) : matmul(a, b).add(bias);
}

/**
 * ∂L/∂b = aᵀ·g. When b is a transposed matrix (x·Wᵀ in `linear`), it is computed as (gᵀ·a)ᵀ: the
 * same product laid out as W, so W's gradient arrives contiguous instead of as a view to copy.
 */
function gradB(a: Tensor, b: Tensor, g: Tensor): Tensor {
  if (a.ndim === 2 && b.ndim === 2 && b.shape[0] > 1 && b.shape[1] > 1 && b.strides[0] === 1 && b.strides[1] === b.shape[0]) {
    return matmul(g.transpose(0, 1), a).transpose(0, 1);
  }
  return reduceTo(matmul(a.transpose(-2, -1), g), b.shape);
}
