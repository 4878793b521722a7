/**
 * A small builder of ONNX graphs over onnx-proto (ONNX's own protobuf definitions, compiled for
 * protobufjs): nodes, float32 initializers and named inputs/outputs in, the bytes of a `.onnx` file
 * out. Browser-safe (no file access): the caller writes or serves the bytes.
 *
 * Every graph llmcore writes uses ONNX opset 17 (the first with LayerNormalization) and IR version 8,
 * the newest onnx-proto defines; the tests run them in onnxruntime-node 1.30.0.
 */
import onnxProto from 'onnx-proto';
import { float32ToFloat16Bits } from '../half.js';

const { onnx } = onnxProto;

/** The ONNX operator set every exported graph imports (default domain). */
export const ONNX_OPSET = 17;
/** The ONNX IR version written in the model (IR 8 is the one of ONNX 1.12, whose opset is 17). */
export const ONNX_IR_VERSION = 8;

/** What a graph's inputs and outputs hold. */
export type OnnxElemType = 'float32' | 'int64';

/** A dimension: a fixed size, or a name (the same name means the same size across tensors). */
export type OnnxDim = number | string;

/** An attribute value: ints and floats are told apart by `AttrValue`'s helpers below. */
export type AttrValue = { int: number } | { float: number } | { ints: number[] } | { floats: number[] };

const ELEM: Record<OnnxElemType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int64: onnx.TensorProto.DataType.INT64,
};
const FLOAT16 = onnx.TensorProto.DataType.FLOAT16;

function attribute(name: string, v: AttrValue): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if ('int' in v) return { name, type: T.INT, i: v.int };
  if ('float' in v) return { name, type: T.FLOAT, f: v.float };
  if ('ints' in v) return { name, type: T.INTS, ints: v.ints };
  return { name, type: T.FLOATS, floats: v.floats };
}

function valueInfo(name: string, type: OnnxElemType, dims: readonly OnnxDim[]): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: ELEM[type], shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}

/** Little-endian bytes of a typed array (every browser and Node platform llmcore runs on is little-endian). */
function bytesOf(a: Float32Array | BigInt64Array | Uint16Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * Collects one graph. Node outputs get fresh names (`prefix_N`) unless given; initializers are named
 * by the caller (llmcore uses the state-dict names, so a graph viewer shows `transformer.encoder…`).
 * @example
 * const g = new GraphBuilder('double');
 * const x = g.input('x', 'float32', ['batch', 4]);
 * g.output(g.op('Mul', [x, g.scalar(2)], {}, 'y'), 'float32', ['batch', 4]);
 * const bytes = g.toBytes(); // an .onnx file
 */
export class GraphBuilder {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly inputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly outputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly names = new Set<string>();
  private counter = 0;

  /**
   * `float16`: weights are stored as float16 initializers, each widened by a Cast that ONNX Runtime
   * folds at load (half the file, float32 arithmetic; lossless for weights saved in F16).
   */
  constructor(readonly name: string, readonly docString = '', readonly options: { float16?: boolean } = {}) {}

  private fresh(prefix: string): string {
    let n: string;
    do n = `${prefix}_${this.counter++}`; while (this.names.has(n));
    this.names.add(n);
    return n;
  }

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`ONNX graph ${this.name}: the name ${name} is used twice`);
    this.names.add(name);
    return name;
  }

  /** Declares a graph input. */
  input(name: string, type: OnnxElemType, dims: readonly OnnxDim[]): string {
    this.inputs.push(valueInfo(this.claim(name), type, dims));
    return name;
  }

  /** Declares `value` (a node's output) as the graph output `name`, through an Identity when renamed. */
  output(value: string, type: OnnxElemType, dims: readonly OnnxDim[], name = value): string {
    if (name !== value) this.op('Identity', [value], {}, name);
    this.outputs.push(valueInfo(name, type, dims));
    return name;
  }

  /**
   * A weight: a float32 initializer, or with the `float16` option a float16 one and the name of its
   * float32 Cast. `exact` keeps float32 regardless (a computed table such as the sinusoidal positions,
   * which float16 would round).
   */
  weight(name: string, data: Float32Array, dims: readonly number[], exact = false): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (size !== data.length) throw new Error(`ONNX graph ${this.name}: initializer ${name} has ${data.length} values for shape [${dims.join(', ')}]`);
    if (!this.options.float16 || exact) {
      this.initializers.push({ name: this.claim(name), dims: [...dims], dataType: ELEM.float32, rawData: bytesOf(data) });
      return name;
    }
    const bits = new Uint16Array(data.length);
    for (let i = 0; i < data.length; i++) {
      if (Math.abs(data[i]) > 65504) throw new Error(`ONNX export --float16: ${name} holds ${data[i]}, beyond float16's largest value 65504`);
      bits[i] = float32ToFloat16Bits(data[i]);
    }
    this.initializers.push({ name: this.claim(name), dims: [...dims], dataType: FLOAT16, rawData: bytesOf(bits) });
    return this.op('Cast', [name], { to: { int: ELEM.float32 } });
  }

  /** An int64 constant (shapes, axes, indices) as an initializer; a scalar when `dims` is []. */
  ints(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const name = this.fresh('const_i64');
    this.initializers.push({ name, dims: [...dims], dataType: ELEM.int64, rawData: bytesOf(BigInt64Array.from(values, (v) => BigInt(v))) });
    return name;
  }

  /** A float32 scalar constant. */
  scalar(value: number): string {
    const name = this.fresh('const_f32');
    this.initializers.push({ name, dims: [], dataType: ELEM.float32, rawData: bytesOf(Float32Array.of(value)) });
    return name;
  }

  /** Adds a node with one output and returns that output's name (`out`, or a fresh one). */
  op(type: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, out?: string): string {
    return this.opN(type, inputs, 1, attrs, out ? [out] : undefined)[0];
  }

  /** Adds a node with `n` outputs. */
  opN(type: string, inputs: readonly string[], n: number, attrs: Record<string, AttrValue> = {}, outs?: string[]): string[] {
    const outputs = outs ? outs.map((o) => this.claim(o)) : Array.from({ length: n }, () => this.fresh(type.toLowerCase()));
    this.nodes.push({
      opType: type, input: [...inputs], output: outputs, name: this.fresh(`n_${type}`),
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outputs;
  }

  /** The serialized ModelProto. */
  toBytes(producerVersion = ''): Uint8Array {
    const model: onnxProto.onnx.IModelProto = {
      irVersion: ONNX_IR_VERSION,
      opsetImport: [{ domain: '', version: ONNX_OPSET }],
      producerName: 'llmcore',
      producerVersion,
      docString: this.docString,
      graph: { name: this.name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs },
    };
    return onnx.ModelProto.encode(model).finish();
  }
}
