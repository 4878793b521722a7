/**
 * Weight initializers, drawing from a seeded Generator so the same seed gives the same weights bit for bit.
 * They fill a parameter in place, like torch.nn.init.
 */
import type { Tensor } from '../tensor/tensor.js';
import { ShapeError, formatShape } from '../tensor/shape.js';
import { defaultGenerator, type Generator } from '../util/random.js';

/** fan_in and fan_out as PyTorch computes them (dims 0 and 1, times the receptive field). */
export function fans(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.ndim < 2) throw new ShapeError(`init: fan in and fan out need at least 2 dimensions, got ${formatShape(t.shape)}`);
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: t.shape[1] * receptive, fanOut: t.shape[0] * receptive };
}

function fill(t: Tensor, draw: () => number): Tensor {
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = draw();
  return t;
}

export function uniform_(t: Tensor, low: number, high: number, g: Generator = defaultGenerator()): Tensor {
  return fill(t, () => low + (high - low) * g.uniform());
}

export function normal_(t: Tensor, mean = 0, std = 1, g: Generator = defaultGenerator()): Tensor {
  return fill(t, () => mean + std * g.normal());
}

export function zeros_(t: Tensor): Tensor {
  return fill(t, () => 0);
}

export function ones_(t: Tensor): Tensor {
  return fill(t, () => 1);
}

/** Glorot/Xavier uniform: U(−a, a) with a = gain·√(6/(fan_in+fan_out)). */
export function xavierUniform_(t: Tensor, gain = 1, g: Generator = defaultGenerator()): Tensor {
  const { fanIn, fanOut } = fans(t);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -a, a, g);
}

/** Glorot/Xavier normal: N(0, gain²·2/(fan_in+fan_out)). */
export function xavierNormal_(t: Tensor, gain = 1, g: Generator = defaultGenerator()): Tensor {
  const { fanIn, fanOut } = fans(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), g);
}

/** The gain of leaky_relu with slope a: √(2/(1+a²)). */
function leakyGain(a: number): number {
  return Math.sqrt(2 / (1 + a * a));
}

/** He/Kaiming uniform on fan_in: U(−b, b) with b = gain·√(3/fan_in); a is the leaky slope (PyTorch's Linear uses √5). */
export function kaimingUniform_(t: Tensor, a = 0, g: Generator = defaultGenerator()): Tensor {
  const { fanIn } = fans(t);
  const bound = leakyGain(a) * Math.sqrt(3 / fanIn);
  return uniform_(t, -bound, bound, g);
}

/** He/Kaiming normal on fan_in: N(0, gain²/fan_in). */
export function kaimingNormal_(t: Tensor, a = 0, g: Generator = defaultGenerator()): Tensor {
  const { fanIn } = fans(t);
  return normal_(t, 0, leakyGain(a) / Math.sqrt(fanIn), g);
}
