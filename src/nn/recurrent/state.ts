/**
 * Recurrent state: what a layer starts from and hands on. h (numLayers, B, H) and, for an LSTM, c;
 * zeros when omitted; (numLayers, H) for an unbatched input.
 */
import type { Tensor } from '../../tensor/tensor.js';
import { zeros } from '../../tensor/create.js';
import type { DType } from '../../tensor/dtype.js';
import { formatShape, sameShape, ShapeError } from '../../tensor/shape.js';

/** An initial state: h (numLayers, B, H) and, for an LSTM, c; either may be omitted (zeros). */
export interface RecurrentState {
  h?: Tensor | null;
  c?: Tensor | null;
}

/** A state cut from the graph, for truncated backpropagation through time. */
export function detachState<S extends RecurrentState>(state: S): S {
  return { ...state, h: state.h ? state.h.detach() : state.h, c: state.c ? state.c.detach() : state.c };
}

/** What an initial state must look like for one run; `name` is the layer's, for errors. */
export interface StateShape {
  name: string;
  numLayers: number;
  B: number;
  H: number;
  unbatched: boolean;
}

/**
 * Checks an initial state `which` (h0 or c0) against (numLayers, B, H) — (numLayers, H) unbatched —
 * and returns it as (numLayers, B, H); null when it was not given.
 */
export function checkState(t: Tensor | null | undefined, which: string, shape: StateShape): Tensor | null {
  if (!t) return null;
  const { name, numLayers, B, H, unbatched } = shape;
  const want = unbatched ? [numLayers, H] : [numLayers, B, H];
  if (!sameShape(t.shape, want)) {
    throw new ShapeError(`${name}: expected ${which} of shape ${formatShape(want)} (numLayers, ${unbatched ? '' : 'B, '}hidden_size), got ${formatShape(t.shape)}`);
  }
  return unbatched ? t.unsqueeze(1) : t;
}

/** Layer l's slice (B, H) of a checked (numLayers, B, H) state, in `dtype`; zeros when there is none. */
export function layerState(state: Tensor | null, l: number, B: number, H: number, dtype: DType): Tensor {
  return state ? state.slice(0, l, l + 1).reshape([B, H]).to(dtype) : zeros([B, H], { dtype });
}
