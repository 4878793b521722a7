/**
 * Reverse-mode differentiation over the recorded graph. Both the topological sort and the sweep are
 * iterative, so graphs thousands of ops deep (an LSTM unrolled over 500 steps) cannot overflow the stack.
 */
import type { Tensor } from '../tensor/tensor.js';
import { formatShape, sameShape, ShapeError } from '../tensor/shape.js';
import { AnomalyError, isAnomalyDetection, noGrad } from './grad-mode.js';
import { accumulate } from './accumulate.js';
import { ones } from '../tensor/create.js';

/** Tensors reachable from `root` through grad-requiring inputs, parents before children (post-order). */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  const stack: { t: Tensor; next: number }[] = [{ t: root, next: 0 }];
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const inputs = top.t.gradFn ? top.t.gradFn.inputs : [];
    if (top.next < inputs.length) {
      const child = inputs[top.next++];
      if (child.requiresGrad && !visited.has(child)) {
        visited.add(child);
        stack.push({ t: child, next: 0 });
      }
    } else {
      order.push(top.t);
      stack.pop();
    }
  }
  return order;
}

export function runBackward(root: Tensor, gradient?: Tensor): void {
  if (!root.requiresGrad) {
    throw new Error('backward: this tensor does not require grad (no input had requiresGrad set, or it was made under noGrad)');
  }
  if (!gradient && root.size !== 1) {
    throw new ShapeError(`backward: a tensor of shape ${formatShape(root.shape)} needs a gradient argument (only one-element outputs get an implicit 1)`);
  }
  if (gradient && !sameShape(gradient.shape, root.shape)) {
    throw new ShapeError(`backward: gradient shape ${formatShape(gradient.shape)} does not match output shape ${formatShape(root.shape)}`);
  }
  noGrad(() => {
    const order = topologicalOrder(root);
    const grads = new Map<Tensor, Tensor>();
    grads.set(root, gradient ?? ones(root.shape, { dtype: root.dtype === 'int32' ? 'float32' : root.dtype }));
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      const g = grads.get(t);
      if (!g) continue;
      grads.delete(t); // frees each gradient as soon as it has been passed on
      // With mixed float32/float64 operands the incoming gradient can be float64; a tensor's .grad
      // always takes the tensor's own dtype (as in PyTorch), so cast before storing it.
      if (!t.gradFn || t.retainsGrad) t.grad = accumulate(t.grad, g.dtype === t.dtype ? g : g.to(t.dtype));
      if (!t.gradFn) continue;
      const node = t.gradFn;
      const inputGrads = node.backward(g);
      for (let k = 0; k < node.inputs.length; k++) {
        const input = node.inputs[k];
        const ig = inputGrads[k];
        if (!ig || !input.requiresGrad) continue;
        if (!sameShape(ig.shape, input.shape)) {
          throw new Error(`internal: backward of ${node.op} gave a gradient of shape ${formatShape(ig.shape)} for an input of shape ${formatShape(input.shape)}`);
        }
        if (isAnomalyDetection()) checkFinite(ig, node.op);
        const prev = grads.get(input);
        grads.set(input, prev ? prev.add(ig) : ig);
      }
    }
  });
}

function checkFinite(g: Tensor, op: string): void {
  const d = g.contiguousData();
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(d[i])) throw new AnomalyError(`anomaly: the backward of ${op} produced ${d[i]} in a gradient of shape ${formatShape(g.shape)}`);
  }
}
