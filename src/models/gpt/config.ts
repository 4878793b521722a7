/**
 * The GPT model's configuration, and its config.json in Hugging Face's GPT-2 keys: a model directory
 * llmcore writes is one transformers reads (`GPT2LMHeadModel.from_pretrained(dir)`), and a GPT-2
 * downloaded from the hub is one llmcore reads. Every field is checked before it sizes anything; an
 * HF feature llmcore does not implement is refused by name rather than silently computed differently.
 */

/** The activations GPT-2 configs name, as Hugging Face's ACT2FN spells them. */
export const GPT_ACTIVATIONS = ['gelu_new', 'gelu_pytorch_tanh', 'gelu_fast', 'gelu', 'relu', 'tanh'] as const;
export type GptActivation = (typeof GPT_ACTIVATIONS)[number];

export interface GptConfig {
  /** V: token ids are 0 … V−1 (GPT-2: 50257). */
  vocabSize: number;
  /** The context: most positions the model reads at once, the rows of `wpe` (GPT-2: 1024). */
  nPositions: number;
  /** C, the width (GPT-2 small: 768). */
  nEmbd: number;
  /** Transformer blocks (GPT-2 small: 12). */
  nLayer: number;
  /** Attention heads; C must be divisible by it (GPT-2 small: 12). */
  nHead: number;
  /** The MLP's inner width; null means 4·C, as in GPT-2. */
  nInner: number | null;
  /** ε of every LayerNorm (GPT-2: 1e-5). */
  layerNormEpsilon: number;
  /** The MLP activation (GPT-2: gelu_new, the tanh approximation). */
  activation: GptActivation;
  /** Dropout on the embeddings, the attention weights and each residual branch (training only). */
  embdPdrop: number;
  attnPdrop: number;
  residPdrop: number;
  /** Scores of block i further divided by i + 1 (some GPT-2 variants, e.g. Stanford's Mistral). */
  scaleAttnByInverseLayerIdx: boolean;
  /** GPT-2's <|endoftext|> is 50256 for both; null when the model has none. */
  bosTokenId: number | null;
  eosTokenId: number | null;
}

/** GPT-2 small's configuration (124M parameters), for the defaults of `gptConfig`. */
export const GPT2_SMALL: GptConfig = {
  vocabSize: 50257, nPositions: 1024, nEmbd: 768, nLayer: 12, nHead: 12, nInner: null,
  layerNormEpsilon: 1e-5, activation: 'gelu_new', embdPdrop: 0.1, attnPdrop: 0.1, residPdrop: 0.1,
  scaleAttnByInverseLayerIdx: false, bosTokenId: 50256, eosTokenId: 50256,
};

/**
 * A checked configuration: GPT-2 small's values where `c` says nothing.
 * @example gptConfig({ vocabSize: 65, nPositions: 64, nEmbd: 128, nLayer: 4, nHead: 4, embdPdrop: 0, attnPdrop: 0, residPdrop: 0, bosTokenId: null, eosTokenId: null })
 */
export function gptConfig(c: Partial<GptConfig>): GptConfig {
  const config = { ...GPT2_SMALL, ...c };
  validateGptConfig(config, 'GPT config', FIELD_NAMES_TS);
  return config;
}

/** The field names as an error should show them: our TypeScript names, or config.json's. */
type FieldNames = Record<keyof GptConfig, string>;
const FIELD_NAMES_TS = Object.fromEntries(
  (Object.keys(GPT2_SMALL) as (keyof GptConfig)[]).map((k) => [k, k]),
) as FieldNames;
const FIELD_NAMES_HF: FieldNames = {
  vocabSize: 'vocab_size', nPositions: 'n_positions', nEmbd: 'n_embd', nLayer: 'n_layer', nHead: 'n_head',
  nInner: 'n_inner', layerNormEpsilon: 'layer_norm_epsilon', activation: 'activation_function',
  embdPdrop: 'embd_pdrop', attnPdrop: 'attn_pdrop', residPdrop: 'resid_pdrop',
  scaleAttnByInverseLayerIdx: 'scale_attn_by_inverse_layer_idx', bosTokenId: 'bos_token_id', eosTokenId: 'eos_token_id',
};

/**
 * Bounds that keep a typo from allocating gigabytes: GPT-2 XL is V 50257, context 1024, C 1600, 48
 * layers, 25 heads; these leave room for every published GPT-2-shaped model.
 */
const LIMITS = { vocabSize: 1_000_000, nPositions: 65_536, nEmbd: 65_536, nLayer: 1_000, nHead: 1_024, nInner: 262_144 };

function validateGptConfig(c: GptConfig, where: string, names: FieldNames): void {
  const fail = (field: keyof GptConfig, want: string): never => {
    const got = JSON.stringify(c[field]) ?? String(c[field]);
    throw new Error(`${where}: ${names[field]} must be ${want}, got ${got.length > 40 ? got.slice(0, 37) + '...' : got}`);
  };
  const int = (field: keyof typeof LIMITS, min = 1): void => {
    const v = c[field];
    if (!(typeof v === 'number' && Number.isInteger(v) && v >= min && v <= LIMITS[field])) fail(field, `an integer from ${min} to ${LIMITS[field]}`);
  };
  int('vocabSize');
  int('nPositions');
  int('nEmbd');
  int('nLayer');
  int('nHead');
  if (c.nInner !== null) int('nInner');
  if (c.nEmbd % c.nHead !== 0) fail('nHead', `a divisor of ${names.nEmbd} (${c.nEmbd}) so that every head has the same width`);
  if (!(typeof c.layerNormEpsilon === 'number' && c.layerNormEpsilon > 0 && c.layerNormEpsilon < 1)) fail('layerNormEpsilon', 'a number between 0 and 1');
  if (!(GPT_ACTIVATIONS as readonly string[]).includes(c.activation)) fail('activation', `one of ${GPT_ACTIVATIONS.join(', ')}`);
  for (const f of ['embdPdrop', 'attnPdrop', 'residPdrop'] as const) {
    const v = c[f];
    if (!(typeof v === 'number' && v >= 0 && v < 1)) fail(f, 'a probability from 0 to below 1');
  }
  if (typeof c.scaleAttnByInverseLayerIdx !== 'boolean') fail('scaleAttnByInverseLayerIdx', 'true or false');
  for (const f of ['bosTokenId', 'eosTokenId'] as const) {
    const v = c[f];
    if (v !== null && !(typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < c.vocabSize)) fail(f, `null or a token id below ${names.vocabSize} (${c.vocabSize})`);
  }
}

/** HF keys whose values change the computation in ways llmcore does not implement: refused, with the value that would work. */
const UNSUPPORTED: Record<string, { ok: unknown; why: string }> = {
  add_cross_attention: { ok: false, why: 'cross-attention (an encoder-decoder GPT-2) is not implemented' },
  scale_attn_weights: { ok: true, why: 'attention scores are always divided by √(head width), as GPT-2 does' },
  tie_word_embeddings: { ok: true, why: 'the output layer is always the token embedding (wte), as in GPT-2' },
};

/**
 * Reads a Hugging Face GPT-2 config.json (already parsed). `file` names it in errors. Keys llmcore
 * does not use (architectures, task_specific_params, summary_* …) are ignored; `n_ctx`, the older
 * name of the context, is read when `n_positions` is absent.
 * @example gptConfigFromHf(JSON.parse(readFileSync('gpt2/config.json', 'utf8')), 'gpt2/config.json')
 */
export function gptConfigFromHf(json: unknown, file: string): GptConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`${file}: expected a JSON object (a Hugging Face GPT-2 config.json)`);
  const j = json as Record<string, unknown>;
  if (typeof j.format === 'string' && j.format.startsWith('llmcore-')) {
    throw new Error(`${file}: this folder holds an llmcore ${j.format.slice('llmcore-'.length)} model (format ${j.format}), not a GPT: give a GPT-2 folder (config.json with n_embd, n_head, n_layer, …)`);
  }
  if (j.model_type !== undefined && j.model_type !== 'gpt2') {
    throw new Error(`${file}: model_type is ${JSON.stringify(j.model_type)}; llmcore's GPT reads GPT-2 checkpoints (model_type "gpt2")`);
  }
  for (const [key, { ok, why }] of Object.entries(UNSUPPORTED)) {
    if (j[key] !== undefined && j[key] !== ok) throw new Error(`${file}: ${key} ${JSON.stringify(j[key])} is not supported: ${why}`);
  }
  const need = (key: string): unknown => {
    if (j[key] === undefined) throw new Error(`${file}: ${key} is missing (a GPT-2 config.json has it)`);
    return j[key];
  };
  const or = (key: string, fallback: unknown): unknown => (j[key] === undefined ? fallback : j[key]);
  const c = {
    vocabSize: need('vocab_size'),
    nPositions: j.n_positions === undefined && j.n_ctx !== undefined ? j.n_ctx : need('n_positions'),
    nEmbd: need('n_embd'),
    nLayer: need('n_layer'),
    nHead: need('n_head'),
    nInner: or('n_inner', null),
    layerNormEpsilon: or('layer_norm_epsilon', GPT2_SMALL.layerNormEpsilon),
    activation: or('activation_function', GPT2_SMALL.activation),
    embdPdrop: or('embd_pdrop', GPT2_SMALL.embdPdrop),
    attnPdrop: or('attn_pdrop', GPT2_SMALL.attnPdrop),
    residPdrop: or('resid_pdrop', GPT2_SMALL.residPdrop),
    scaleAttnByInverseLayerIdx: or('scale_attn_by_inverse_layer_idx', false),
    bosTokenId: or('bos_token_id', null),
    eosTokenId: or('eos_token_id', null),
  } as GptConfig;
  validateGptConfig(c, file, FIELD_NAMES_HF);
  return c;
}

/**
 * The config.json Hugging Face's GPT2Config writes for this model (its defaults for what llmcore has
 * no field for), so transformers loads a model directory llmcore saved.
 */
export function gptConfigToHf(c: GptConfig): Record<string, unknown> {
  return {
    architectures: ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    vocab_size: c.vocabSize,
    n_positions: c.nPositions,
    n_embd: c.nEmbd,
    n_layer: c.nLayer,
    n_head: c.nHead,
    n_inner: c.nInner,
    activation_function: c.activation,
    layer_norm_epsilon: c.layerNormEpsilon,
    embd_pdrop: c.embdPdrop,
    attn_pdrop: c.attnPdrop,
    resid_pdrop: c.residPdrop,
    initializer_range: 0.02,
    scale_attn_weights: true,
    scale_attn_by_inverse_layer_idx: c.scaleAttnByInverseLayerIdx,
    reorder_and_upcast_attn: false,
    tie_word_embeddings: true,
    bos_token_id: c.bosTokenId,
    eos_token_id: c.eosTokenId,
  };
}

/** The MLP's inner width: n_inner, or 4·C when it is null. */
export function innerWidth(c: GptConfig): number {
  return c.nInner ?? 4 * c.nEmbd;
}
