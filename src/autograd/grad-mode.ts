/** Global switches of autograd: whether ops record a graph, and the opt-in anomaly mode. */

let gradEnabled = true;
let anomaly = false;

/** True when new ops record how to differentiate themselves. */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Runs `fn` without recording a graph (inference, optimizer updates), like `torch.no_grad()`.
 * @example const y = noGrad(() => model.forward(x));
 */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/**
 * Anomaly mode: every op checks its output (and backward, its gradients) for NaN/Inf and throws an
 * error naming the op. Slower; meant for finding where a loss goes NaN.
 * @example setAnomalyDetection(true)
 */
export function setAnomalyDetection(on: boolean): void {
  anomaly = on;
}

export function isAnomalyDetection(): boolean {
  return anomaly;
}

/** Thrown by anomaly mode. */
export class AnomalyError extends Error {
  override name = 'AnomalyError';
}
