/** Element types: float32 for everything, int32 for indices, float64 so gradcheck can run ops in double. */
import type { DataArray } from '../backend/backend.js';

export type DType = 'float32' | 'float64' | 'int32';

export function dtypeOf(data: DataArray): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  return 'int32';
}

export function allocate(dtype: DType, n: number): DataArray {
  switch (dtype) {
    case 'float32': return new Float32Array(n);
    case 'float64': return new Float64Array(n);
    case 'int32': return new Int32Array(n);
  }
}
