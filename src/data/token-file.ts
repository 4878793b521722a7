/**
 * Token files: the token ids of a training set, written once by llmcore's tokenizer
 * (`llmcore data tokenize`) and read by another trainer (python/llmcore_torch/tokens.py) without
 * tokenizing again. Two parts:
 *
 *   NAME          binary: for each stream (e.g. `src` then `tgt`, or `text`), its ids back to back
 *                 (uint16 when every vocabulary has at most 65536 ids, else uint32), padded to 4 bytes,
 *                 then its sequence offsets (uint32, sequences + 1 of them: sequence i is
 *                 ids[offsets[i] … offsets[i+1])); all little-endian.
 *   NAME.json     the index ({@link TokenFileIndex}): format, dtype, where each stream lies, the
 *                 vocabulary sizes, and whatever the writer adds (the tokenizer's hash, the source file).
 *
 * Browser-safe: bytes in, bytes out; files are the caller's (cli/data-tokenize.ts).
 */

export const TOKEN_FILE_FORMAT = 'llmcore-tokens';
export const TOKEN_FILE_VERSION = 1;

export type TokenDtype = 'uint16' | 'uint32';

/** Where one stream's arrays lie in the binary file. */
export interface TokenStreamIndex {
  /** Byte offset of the ids. */
  idsAt: number;
  /** How many ids. */
  tokens: number;
  /** Byte offset of the uint32 offsets (sequences + 1 of them). */
  offsetsAt: number;
}

/** The JSON index of a token file. */
export interface TokenFileIndex {
  format: typeof TOKEN_FILE_FORMAT;
  version: typeof TOKEN_FILE_VERSION;
  /** What the sequences are: translation pairs (streams src, tgt) or text (stream text). */
  kind: string;
  dtype: TokenDtype;
  /** Size of the binary file, to catch a truncated or mismatched one. */
  byteLength: number;
  /** Sequences in every stream (the streams of a pair file are aligned). */
  sequences: number;
  /** Streams in file order. */
  streams: Record<string, TokenStreamIndex>;
  /** Vocabulary size of each stream: every id is below it. */
  vocab: Record<string, number>;
  /** The writer's own facts (tokenizer hash, special ids, source file, …). */
  [extra: string]: unknown;
}

/** One stream as read back: ids and offsets, views on the file's bytes where alignment allows. */
export interface TokenStream {
  ids: Uint16Array | Uint32Array;
  offsets: Uint32Array;
}

const MAX_UINT32 = 0xffffffff;

function align4(n: number): number {
  return (n + 3) & ~3;
}

/**
 * Encodes aligned streams of sequences. `vocab` gives each stream's vocabulary size; an id outside it
 * is an error naming the stream and the sequence. `extra` fields are copied into the index.
 * @example const { bytes, index } = encodeTokenFile('pairs', { src: [[5, 6]], tgt: [[1, 7, 2]] }, { src: 10, tgt: 12 })
 */
export function encodeTokenFile(
  kind: string,
  streams: Record<string, readonly (readonly number[])[]>,
  vocab: Record<string, number>,
  extra: Record<string, unknown> = {},
): { bytes: Uint8Array; index: TokenFileIndex } {
  const names = Object.keys(streams);
  if (names.length === 0) throw new Error('token file: no streams to write');
  const sequences = streams[names[0]].length;
  for (const name of names) {
    if (streams[name].length !== sequences) throw new Error(`token file: stream '${name}' has ${streams[name].length} sequences but '${names[0]}' has ${sequences}; the streams must be aligned`);
    const v = vocab[name];
    if (!(Number.isInteger(v) && v >= 1 && v <= 2 ** 32)) throw new Error(`token file: stream '${name}' needs a vocabulary size (an integer from 1 to 2^32), got ${v}`);
  }
  const dtype: TokenDtype = Math.max(...names.map((n) => vocab[n])) <= 65536 ? 'uint16' : 'uint32';
  const width = dtype === 'uint16' ? 2 : 4;
  const index: Record<string, TokenStreamIndex> = {};
  let at = 0;
  for (const name of names) {
    const tokens = streams[name].reduce((n, s) => n + s.length, 0);
    if (tokens > MAX_UINT32) throw new Error(`token file: stream '${name}' has ${tokens} tokens, more than uint32 offsets address; split the data`);
    const idsAt = at;
    const offsetsAt = align4(idsAt + tokens * width);
    index[name] = { idsAt, tokens, offsetsAt };
    at = offsetsAt + (sequences + 1) * 4;
  }
  const bytes = new Uint8Array(at);
  const view = new DataView(bytes.buffer);
  for (const name of names) {
    const { idsAt, offsetsAt } = index[name];
    const v = vocab[name];
    let pos = 0;
    view.setUint32(offsetsAt, 0, true);
    streams[name].forEach((seq, i) => {
      for (const id of seq) {
        if (!(Number.isInteger(id) && id >= 0 && id < v)) throw new Error(`token file: stream '${name}' sequence ${i} holds id ${id}, outside its vocabulary of ${v}`);
        if (width === 2) view.setUint16(idsAt + pos * 2, id, true);
        else view.setUint32(idsAt + pos * 4, id, true);
        pos++;
      }
      view.setUint32(offsetsAt + (i + 1) * 4, pos, true);
    });
  }
  const core = { format: TOKEN_FILE_FORMAT, version: TOKEN_FILE_VERSION, kind, dtype, byteLength: bytes.length, sequences, streams: index, vocab: { ...vocab } } as const;
  for (const k of Object.keys(extra)) if (k in core) throw new Error(`token file: extra field '${k}' would overwrite the index's own`);
  const full: TokenFileIndex = { ...core, ...extra };
  return { bytes, index: full };
}

/**
 * Checks an index (parsed JSON) and reads its streams from `bytes`; every id is checked against its
 * vocabulary. `where` names the files in errors.
 * @example const { src, tgt } = decodeTokenFile(bytes, JSON.parse(indexText), 'train.tokens')
 */
export function decodeTokenFile(bytes: Uint8Array, indexJson: unknown, where = 'token file'): Record<string, TokenStream> {
  const index = checkTokenFileIndex(indexJson, where);
  if (bytes.length !== index.byteLength) throw new Error(`${where}: the binary file has ${bytes.length} bytes but its index says ${index.byteLength}; is it truncated, or the index of another file?`);
  const width = index.dtype === 'uint16' ? 2 : 4;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Record<string, TokenStream> = {};
  for (const [name, s] of Object.entries(index.streams)) {
    const idsEnd = s.idsAt + s.tokens * width;
    const offsetsEnd = s.offsetsAt + (index.sequences + 1) * 4;
    if (idsEnd > s.offsetsAt || offsetsEnd > bytes.length) throw new Error(`${where}: stream '${name}' runs past its section or the end of the file`);
    const ids = width === 2 ? new Uint16Array(s.tokens) : new Uint32Array(s.tokens);
    const v = index.vocab[name];
    for (let i = 0; i < s.tokens; i++) {
      const id = width === 2 ? view.getUint16(s.idsAt + i * 2, true) : view.getUint32(s.idsAt + i * 4, true);
      if (id >= v) throw new Error(`${where}: stream '${name}' holds id ${id} at position ${i}, outside its vocabulary of ${v}`);
      ids[i] = id;
    }
    const offsets = new Uint32Array(index.sequences + 1);
    for (let i = 0; i <= index.sequences; i++) {
      offsets[i] = view.getUint32(s.offsetsAt + i * 4, true);
      if ((i === 0 && offsets[i] !== 0) || (i > 0 && offsets[i] < offsets[i - 1])) throw new Error(`${where}: stream '${name}' has offsets that do not start at 0 and rise (at sequence ${i})`);
    }
    if (offsets[index.sequences] !== s.tokens) throw new Error(`${where}: stream '${name}' offsets end at ${offsets[index.sequences]}, not at its ${s.tokens} tokens`);
    out[name] = { ids, offsets };
  }
  return out;
}

/** Sequence `i` of a stream as a plain array. */
export function tokenSequence(stream: TokenStream, i: number): number[] {
  return Array.from(stream.ids.subarray(stream.offsets[i], stream.offsets[i + 1]));
}

/** Checks the fields of a parsed index; errors name `where` and the field. */
export function checkTokenFileIndex(json: unknown, where = 'token file'): TokenFileIndex {
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new Error(`${where}: the index is not a JSON object`);
  const j = json as Partial<TokenFileIndex>;
  if (j.format !== TOKEN_FILE_FORMAT) throw new Error(`${where}: format is ${JSON.stringify(j.format)}, expected "${TOKEN_FILE_FORMAT}" (written by \`llmcore data tokenize\`)`);
  if (j.version !== TOKEN_FILE_VERSION) throw new Error(`${where}: version ${JSON.stringify(j.version)} is not supported (expected ${TOKEN_FILE_VERSION})`);
  if (j.dtype !== 'uint16' && j.dtype !== 'uint32') throw new Error(`${where}: dtype must be "uint16" or "uint32", got ${JSON.stringify(j.dtype)}`);
  const int = (v: unknown, field: string): number => {
    if (!(typeof v === 'number' && Number.isInteger(v) && v >= 0)) throw new Error(`${where}: ${field} must be a non-negative integer, got ${JSON.stringify(v)}`);
    return v;
  };
  int(j.byteLength, 'byteLength');
  int(j.sequences, 'sequences');
  if (!j.streams || typeof j.streams !== 'object' || Object.keys(j.streams).length === 0) throw new Error(`${where}: streams must name at least one stream`);
  if (!j.vocab || typeof j.vocab !== 'object') throw new Error(`${where}: vocab must give each stream's vocabulary size`);
  for (const [name, s] of Object.entries(j.streams)) {
    for (const f of ['idsAt', 'tokens', 'offsetsAt'] as const) int(s?.[f], `streams.${name}.${f}`);
    int(j.vocab[name], `vocab.${name}`);
  }
  return j as TokenFileIndex;
}
