/** A recorded op in the autograd graph: its inputs and how to map the output gradient onto them. */
import type { Tensor } from '../tensor/tensor.js';

/**
 * Maps the gradient of the op's output to gradients of each input (same order as `inputs`);
 * null where an input gets none. Runs with grad recording off.
 */
export type BackwardFn = (gradOutput: Tensor) => (Tensor | null)[];

export interface GradNode {
  /** The op's name, used in error messages and printing. */
  readonly op: string;
  readonly inputs: readonly Tensor[];
  readonly backward: BackwardFn;
}
