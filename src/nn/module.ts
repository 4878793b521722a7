/**
 * Module: the base of every layer and model. Parameters, buffers and child modules are registered
 * under PyTorch's names, so `stateDict()` keys (`encoder.layers.0.self_attn.in_proj_weight`) map
 * one-to-one onto a PyTorch model's.
 */
import { Tensor } from '../tensor/tensor.js';
import { formatShape, sameShape, ShapeError } from '../tensor/shape.js';
import { noGrad } from '../autograd/grad-mode.js';

/** A tensor that a module trains: a leaf with requiresGrad set. */
export class Parameter extends Tensor {
  constructor(t: Tensor) {
    const data = t.contiguousData();
    super(data === t.data && t.offset === 0 ? data : data.slice(), t.shape);
    this.requiresGrad = true;
  }
}

export interface LoadStateDictOptions {
  /** Throw on missing or unexpected keys (default true). Shape mismatches always throw. */
  strict?: boolean;
}

/** Thrown by loadStateDict; names every problem key. */
export class StateDictError extends Error {
  override name = 'StateDictError';
}

export abstract class Module {
  /** Dropout and similar layers behave differently in training; see train() and eval(). */
  training = true;
  private readonly params = new Map<string, Parameter | null>();
  private readonly buffers = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();

  /**
   * Registers a trainable parameter under `name` and returns it.
   * @example this.weight = this.param('weight', zeros([out, inF]))
   */
  protected param(name: string, t: Tensor): Parameter {
    const p = t instanceof Parameter ? t : new Parameter(t);
    this.params.set(name, p);
    return p;
  }

  /** Registers a non-trained tensor that belongs in the state dict (e.g. running statistics). */
  protected buffer(name: string, t: Tensor): Tensor {
    this.buffers.set(name, t);
    return t;
  }

  /** Registers a child module under `name` and returns it. */
  protected child<M extends Module>(name: string, m: M): M {
    this.children.set(name, m);
    return m;
  }

  /** Replaces a registered parameter's tensor (weight tying, loading). */
  protected setParam(name: string, p: Parameter): void {
    if (!this.params.has(name)) throw new Error(`setParam: no parameter '${name}'`);
    this.params.set(name, p);
  }

  /** Child modules with their names, in registration order. */
  namedChildren(): [string, Module][] {
    return [...this.children.entries()];
  }

  /** Every module in the tree (this one first) with its dotted prefix. */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, m] of this.children) out.push(...m.namedModules(prefix ? `${prefix}.${name}` : name));
    return out;
  }

  /** Parameters with dotted PyTorch-style names; a parameter shared by two modules is listed once. */
  namedParameters(): [string, Parameter][] {
    const seen = new Set<Parameter>();
    const out: [string, Parameter][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, p] of m.params) {
        if (!p || seen.has(p)) continue;
        seen.add(p);
        out.push([prefix ? `${prefix}.${name}` : name, p]);
      }
    }
    return out;
  }

  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Number of trainable scalars. */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /** Sets training mode here and in every descendant. */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  /** Evaluation mode (dropout off). */
  eval(): this {
    return this.train(false);
  }

  /** Clears the gradients of all parameters. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /**
   * Parameters and buffers by dotted name, as PyTorch's state_dict (tied parameters appear under each name).
   * @example saveSafetensors('model.safetensors', model.stateDict())
   */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [prefix, m] of this.namedModules()) {
      const key = (n: string): string => (prefix ? `${prefix}.${n}` : n);
      for (const [name, p] of m.params) if (p) out[key(name)] = p;
      for (const [name, b] of m.buffers) out[key(name)] = b;
    }
    return out;
  }

  /**
   * Copies values into the parameters and buffers. Every missing or unexpected key and every shape
   * mismatch is reported in one error that names the keys and both shapes; nothing is skipped silently.
   */
  loadStateDict(state: Record<string, Tensor>, options: LoadStateDictOptions = {}): void {
    const strict = options.strict ?? true;
    const own = this.stateDict();
    const problems: string[] = [];
    for (const [key, t] of Object.entries(own)) {
      const src = state[key];
      if (!src) { if (strict) problems.push(`missing key '${key}' (expected shape ${formatShape(t.shape)})`); continue; }
      if (!sameShape(src.shape, t.shape)) problems.push(`shape mismatch for '${key}': checkpoint has ${formatShape(src.shape)}, model expects ${formatShape(t.shape)}`);
      if ((src.dtype === 'int32') !== (t.dtype === 'int32')) problems.push(`dtype mismatch for '${key}': checkpoint has ${src.dtype}, model expects ${t.dtype}`);
    }
    if (strict) for (const key of Object.keys(state)) if (!(key in own)) problems.push(`unexpected key '${key}' (shape ${formatShape(state[key].shape)})`);
    if (problems.length) throw new StateDictError(`loadStateDict: ${problems.join('; ')}`);
    noGrad(() => {
      for (const [key, t] of Object.entries(own)) {
        const src = state[key];
        if (!src) continue;
        const values = src.contiguousData();
        if (t.isContiguous()) {
          (t.data as Float32Array).set(values, t.offset);
        } else {
          // a buffer that is a strided view: write element by element through its strides
          const idx = new Array<number>(t.ndim).fill(0);
          for (let n = 0; n < values.length; n++) {
            let p = t.offset;
            for (let d = 0; d < t.ndim; d++) p += idx[d] * t.strides[d];
            t.data[p] = values[n];
            for (let d = t.ndim - 1; d >= 0 && ++idx[d] === t.shape[d]; d--) idx[d] = 0;
          }
        }
      }
    });
  }
}

/** Checks that `x` ends with `size` features, naming the layer. */
export function expectLastDim(x: Tensor, size: number, layer: string): void {
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== size) {
    throw new ShapeError(`${layer}: expected input with last dimension ${size}, got ${formatShape(x.shape)}`);
  }
}
