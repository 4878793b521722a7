/**
 * The Optimizer base: parameter groups with their own hyper-parameters, per-parameter state, and a
 * state dict that round-trips exactly (through JSON + typed arrays, or through safetensors).
 *
 * Updates write straight into each parameter's Float32Array (or Float64Array) storage, outside
 * autograd: an optimizer step is not part of any graph.
 */
import { Tensor } from '../tensor/tensor.js';
import { formatShape, sameShape, ShapeError } from '../tensor/shape.js';
import { noGrad } from '../autograd/grad-mode.js';
import type { FloatArray } from '../backend/backend.js';

/** Hyper-parameters every optimizer has. */
export interface BaseHyper {
  lr: number;
}

/** A group of parameters sharing hyper-parameters (PyTorch's `param_groups` entries). */
export type ParamGroup<H extends BaseHyper = BaseHyper> = H & { params: Tensor[] };

/** What a constructor accepts for a group: any hyper-parameter left out takes the optimizer's default. */
export type ParamGroupSpec<H extends BaseHyper = BaseHyper> = Partial<H> & { params: Iterable<Tensor> };

/** Per-parameter state: how many updates it has had, and named buffers shaped like it (`exp_avg`, …). */
export interface ParamState {
  step: number;
  buffers: Record<string, FloatArray>;
}

/**
 * A snapshot of an optimizer, keyed like PyTorch's: parameters are numbered 0.. across the groups in
 * order, and each group lists its parameters' numbers.
 */
export interface OptimizerStateDict<H extends BaseHyper = BaseHyper> {
  kind: string;
  paramGroups: (H & { params: number[] })[];
  state: Record<number, ParamState>;
}

/** Thrown by loadStateDict/loadStateTensors; names the parameter or buffer and both sides. */
export class OptimizerStateError extends Error {
  override name = 'OptimizerStateError';
}

/** Metadata key under which stateTensors() stores the JSON part. */
export const OPTIMIZER_METADATA_KEY = 'llmcore.optimizer';

/**
 * The base of SGD, Adam and AdamW. Subclasses give their hyper-parameter checks, the names of their
 * state buffers, and the per-parameter update; grouping, gradient checks, and state saving live here.
 * @example
 * const opt = new Adam([{ params: decay }, { params: noDecay, weightDecay: 0 }], { lr: 1e-3 });
 * for (const batch of batches) { opt.zeroGrad(); model.loss(batch).backward(); opt.step(); }
 * const saved = opt.stateDict(); // later: opt.loadStateDict(saved)
 */
export abstract class Optimizer<H extends BaseHyper = BaseHyper> {
  readonly paramGroups: ParamGroup<H>[];
  readonly defaults: Readonly<H>;
  protected readonly state = new Map<Tensor, ParamState>();

  /**
   * @param kind the optimizer's name, saved with its state so that loading Adam state into SGD fails loudly
   * @param params the tensors to optimize, or groups of them with their own hyper-parameters
   * @param defaults hyper-parameters for every group that does not set its own
   */
  constructor(readonly kind: string, params: Iterable<Tensor> | Iterable<ParamGroupSpec<H>>, defaults: H) {
    this.defaults = Object.freeze({ ...defaults });
    const list = [...(params as Iterable<Tensor | ParamGroupSpec<H>>)];
    if (list.length === 0) throw new Error(`${kind}: got an empty parameter list`);
    const specs: ParamGroupSpec<H>[] = list[0] instanceof Tensor ? [{ params: list as Tensor[] } as unknown as ParamGroupSpec<H>] : (list as ParamGroupSpec<H>[]);
    const seen = new Set<Tensor>();
    let index = 0;
    this.paramGroups = specs.map((spec, gi) => {
      if (spec instanceof Tensor || !spec || typeof spec !== 'object' || !('params' in spec)) {
        throw new Error(`${kind}: group ${gi} must be {params, ...options}; do not mix tensors and groups`);
      }
      const { params: groupParams, ...overrides } = spec;
      const group = { ...defaults, ...(overrides as unknown as Partial<H>), params: [...groupParams] } as ParamGroup<H>;
      this.validate(group, `group ${gi}`);
      for (const p of group.params) {
        checkParam(p, index++, kind);
        if (seen.has(p)) throw new Error(`${kind}: parameter ${index - 1} ${formatShape(p.shape)} appears more than once`);
        seen.add(p);
      }
      return group;
    });
  }

  /** Checks a group's hyper-parameters; `where` names it in the error. */
  protected abstract validate(group: H, where: string): void;

  /** Names of the buffers a parameter's state holds under this group's settings. */
  protected abstract bufferNames(group: H): string[];

  /**
   * Updates one parameter in place. `p` is its storage, `g` its gradient (same length, contiguous);
   * `state.step` has already been incremented.
   */
  protected abstract update(p: FloatArray, g: ArrayLike<number>, group: H, state: ParamState): void;

  /**
   * Applies one update to every parameter that has a gradient. Parameters without one are left
   * alone and their state does not advance (as in PyTorch).
   * @example loss.backward(); opt.step(); opt.zeroGrad();
   */
  step(): void {
    // Check every gradient before touching any parameter, so a bad one cannot leave a half-applied step.
    let index = 0;
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const i = index++;
        if (p.grad && !sameShape(p.grad.shape, p.shape)) {
          throw new ShapeError(`${this.kind}.step: parameter ${i} has shape ${formatShape(p.shape)} but its gradient has ${formatShape(p.grad.shape)}`);
        }
      }
    }
    noGrad(() => {
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          if (!p.grad) continue;
          let st = this.state.get(p);
          if (!st) {
            st = { step: 0, buffers: {} };
            this.state.set(p, st);
          }
          st.step++;
          this.update(p.data as FloatArray, p.grad.contiguousData(), group, st);
        }
      }
    });
  }

  /**
   * Clears gradients. By default sets them to null (PyTorch's `set_to_none`), which frees memory and
   * lets the next backward write fresh storage.
   */
  zeroGrad(setToNone = true): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (!p.grad) continue;
        if (setToNone) p.grad = null;
        else p.grad = new Tensor(new (p.grad.data.constructor as { new(n: number): FloatArray })(p.size), p.shape);
      }
    }
  }

  /** Every parameter, numbered as in the state dict. */
  protected allParams(): Tensor[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /** The state of parameter `p`, if it has been updated (read-only view, for inspection and tests). */
  getState(p: Tensor): Readonly<ParamState> | undefined {
    return this.state.get(p);
  }

  /**
   * A deep copy of the state: hyper-parameters per group, and per parameter its step count and
   * buffers. JSON-able apart from the typed arrays.
   * @example const saved = opt.stateDict(); ...; opt.loadStateDict(saved);
   */
  stateDict(): OptimizerStateDict<H> {
    const params = this.allParams();
    const state: Record<number, ParamState> = {};
    params.forEach((p, i) => {
      const st = this.state.get(p);
      if (!st) return;
      const buffers: Record<string, FloatArray> = {};
      for (const [name, b] of Object.entries(st.buffers)) buffers[name] = b.slice();
      state[i] = { step: st.step, buffers };
    });
    let next = 0;
    const paramGroups = this.paramGroups.map((g) => {
      const { params: gp, ...hyper } = g;
      return { ...structuredClone(hyper), params: gp.map(() => next++) } as unknown as H & { params: number[] };
    });
    return { kind: this.kind, paramGroups, state };
  }

  /**
   * Restores a state dict taken from an optimizer of the same kind over parameters of the same
   * shapes in the same grouping. Hyper-parameters (including lr) are restored too, as in PyTorch.
   * Everything is checked before anything changes.
   */
  loadStateDict(sd: OptimizerStateDict<H>): void {
    const bad = (msg: string): never => { throw new OptimizerStateError(`${this.kind}.loadStateDict: ${msg}`); };
    if (sd.kind !== this.kind) bad(`the state is from ${sd.kind}, this optimizer is ${this.kind}`);
    if (!Array.isArray(sd.paramGroups) || sd.paramGroups.length !== this.paramGroups.length) {
      bad(`the state has ${sd.paramGroups?.length} parameter groups, this optimizer has ${this.paramGroups.length}`);
    }
    const hyperKeys = Object.keys(this.defaults).sort();
    const groups: H[] = sd.paramGroups.map((sg, gi) => {
      const own = this.paramGroups[gi];
      if (!Array.isArray(sg.params) || sg.params.length !== own.params.length) {
        bad(`group ${gi} has ${sg.params?.length} parameters in the state, ${own.params.length} here`);
      }
      const { params: _ignored, ...hyper } = sg;
      const keys = Object.keys(hyper).sort();
      const missing = hyperKeys.filter((k) => !keys.includes(k));
      const extra = keys.filter((k) => !hyperKeys.includes(k));
      if (missing.length || extra.length) {
        bad(`group ${gi} hyper-parameters differ: ${missing.length ? `missing ${missing.join(', ')}` : ''}${missing.length && extra.length ? '; ' : ''}${extra.length ? `unexpected ${extra.join(', ')}` : ''}`);
      }
      this.validate(hyper as unknown as H, `group ${gi} of the state`);
      return hyper as unknown as H;
    });

    const params = this.allParams();
    const groupOf: H[] = [];
    this.paramGroups.forEach((g, gi) => g.params.forEach(() => groupOf.push(groups[gi])));
    const restored = new Map<Tensor, ParamState>();
    for (const [key, st] of Object.entries(sd.state ?? {})) {
      const i = Number(key);
      if (!Number.isInteger(i) || i < 0 || i >= params.length) bad(`state for parameter '${key}', but there are ${params.length} parameters (0..${params.length - 1})`);
      if (!Number.isInteger(st.step) || st.step < 1) bad(`parameter ${i}: step must be a positive integer, got ${st.step}`);
      const p = params[i];
      const expected = this.bufferNames(groupOf[i]).sort();
      const found = Object.keys(st.buffers ?? {}).sort();
      if (expected.join() !== found.join()) bad(`parameter ${i}: expected buffers [${expected.join(', ')}], found [${found.join(', ')}]`);
      const buffers: Record<string, FloatArray> = {};
      for (const name of expected) {
        const src = st.buffers[name];
        if (!ArrayBuffer.isView(src) || src.length !== p.size) {
          bad(`state.${i}.${name}: expected ${p.size} values (parameter shape ${formatShape(p.shape)}), found ${ArrayBuffer.isView(src) ? (src as FloatArray).length : typeof src}`);
        }
        const copy = new (p.data.constructor as { new(n: number): FloatArray })(p.size);
        copy.set(src);
        buffers[name] = copy;
      }
      restored.set(p, { step: st.step, buffers });
    }

    this.paramGroups.forEach((g, gi) => Object.assign(g, structuredClone(groups[gi])));
    this.state.clear();
    for (const [p, st] of restored) this.state.set(p, st);
  }

  /**
   * The state as safetensors-ready parts: buffers as tensors shaped like their parameters, keyed
   * `state.<param>.<buffer>` (PyTorch's buffer names, e.g. `state.0.exp_avg`), and everything else
   * (kind, hyper-parameters, steps) as JSON under metadata `llmcore.optimizer`.
   * @example
   * const { tensors, metadata } = opt.stateTensors();
   * const bytes = encodeSafetensors(tensors, { metadata });
   */
  stateTensors(): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
    const sd = this.stateDict();
    const params = this.allParams();
    const tensors: Record<string, Tensor> = {};
    const steps: Record<number, { step: number }> = {};
    for (const [key, st] of Object.entries(sd.state)) {
      const i = Number(key);
      steps[i] = { step: st.step };
      for (const [name, b] of Object.entries(st.buffers)) tensors[`state.${i}.${name}`] = new Tensor(b, params[i].shape);
    }
    const json = { kind: sd.kind, paramGroups: sd.paramGroups, state: steps };
    return { tensors, metadata: { [OPTIMIZER_METADATA_KEY]: JSON.stringify(json) } };
  }

  /**
   * Restores what stateTensors() produced (e.g. after a safetensors round trip). Tensor keys that
   * do not belong, and shapes that differ from the parameters', are errors.
   */
  loadStateTensors(parts: { tensors: Record<string, Tensor>; metadata: Record<string, string> }): void {
    const bad = (msg: string): never => { throw new OptimizerStateError(`${this.kind}.loadStateTensors: ${msg}`); };
    const raw = parts.metadata[OPTIMIZER_METADATA_KEY];
    if (raw === undefined) bad(`no '${OPTIMIZER_METADATA_KEY}' metadata: this is not an llmcore optimizer state`);
    let json: { kind: string; paramGroups: (H & { params: number[] })[]; state: Record<string, { step: number }> };
    try {
      json = JSON.parse(raw);
    } catch (err) {
      return bad(`'${OPTIMIZER_METADATA_KEY}' metadata is not JSON: ${(err as Error).message}`);
    }
    const params = this.allParams();
    const state: Record<number, ParamState> = {};
    for (const [key, st] of Object.entries(json.state ?? {})) state[Number(key)] = { step: st.step, buffers: {} };
    for (const [key, t] of Object.entries(parts.tensors)) {
      const m = /^state\.(\d+)\.([A-Za-z0-9_]+)$/.exec(key);
      if (!m) bad(`unexpected tensor '${key}' (expected state.<param>.<buffer>)`);
      const i = Number(m![1]);
      if (!state[i]) bad(`tensor '${key}' belongs to parameter ${i}, which has no step count in the metadata`);
      const p = params[i];
      if (!p) bad(`tensor '${key}': there are only ${params.length} parameters`);
      if (t.dtype === 'int32') bad(`'${key}' is an integer tensor; optimizer buffers are float`);
      if (!sameShape(t.shape, p.shape)) bad(`'${key}' has shape ${formatShape(t.shape)}, parameter ${i} has ${formatShape(p.shape)}`);
      state[i].buffers[m![2]] = t.contiguousData() as FloatArray;
    }
    this.loadStateDict({ kind: json.kind, paramGroups: json.paramGroups, state });
  }
}

/** Optimizers write storage directly, so a parameter must be a float leaf owning contiguous storage. */
function checkParam(p: unknown, i: number, kind: string): asserts p is Tensor {
  if (!(p instanceof Tensor)) throw new Error(`${kind}: parameter ${i} is not a Tensor (got ${typeof p})`);
  if (p.dtype === 'int32') throw new ShapeError(`${kind}: parameter ${i} ${formatShape(p.shape)} is int32; only float tensors can be optimized`);
  if (!p.isLeaf) throw new Error(`${kind}: parameter ${i} ${formatShape(p.shape)} is not a leaf (it was computed by an op); optimize the tensors you created`);
  if (!p.isContiguous() || p.offset !== 0 || p.data.length !== p.size) {
    throw new ShapeError(`${kind}: parameter ${i} ${formatShape(p.shape)} is a view into other storage; pass a Parameter (or a contiguous clone)`);
  }
}

/** Throws unless `v` is a finite number ≥ 0. */
export function checkNonNegative(v: unknown, name: string, where: string, kind: string): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`${kind}: ${name} must be a finite number ≥ 0, got ${String(v)} (${where})`);
}

/** Throws unless `v` is a boolean. */
export function checkBoolean(v: unknown, name: string, where: string, kind: string): void {
  if (typeof v !== 'boolean') throw new Error(`${kind}: ${name} must be true or false, got ${String(v)} (${where})`);
}
