/**
 * Recipes: a training run described as a file, as nanoGPT's config files are. A recipe names its
 * chapter and holds sections (`tokenizer`, `model`, `training`, `decoding`, `data`) of plain values;
 * each chapter defines its sections' schema and its defaults (in one place: the chapter's recipe
 * module), and a run is built from defaults ← recipe file ← command-line flags, validated as a whole so
 * that a wrong value is reported with the file (or flag) and the field that holds it.
 */
import { z } from 'zod';

/** Where a layer of settings came from, for error messages: a file path or "the command line". */
export interface RecipeLayer {
  source: string;
  values: Record<string, unknown>;
}

/** A problem in a recipe or config, naming where it is. */
export class RecipeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecipeError';
  }
}

/** One line per problem: `FILE: training.epochs: expected an integer, got "abc"`. */
export function formatIssues(source: string, error: z.ZodError): string {
  const lines = error.issues.slice(0, 8).map((i) => {
    const field = i.path.length ? i.path.join('.') : '(top level)';
    return `${source}: ${field}: ${i.message}`;
  });
  if (error.issues.length > 8) lines.push(`${source}: … and ${error.issues.length - 8} more`);
  return lines.join('\n');
}

/** Parses `value` with `schema`, or throws a RecipeError naming `source` and every bad field. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, source: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new RecipeError(formatIssues(source, r.error));
  return r.data;
}

/**
 * Builds a run's recipe: `defaults`, then each layer (a recipe file, the command line) in order; each
 * layer is checked on its own against `fileSchema` (so an error names the file or the flags that hold
 * it), then the whole against `schema`.
 */
export function resolveRecipe<S extends z.ZodType>(
  fileSchema: z.ZodType, schema: S, defaults: z.infer<S>, layers: readonly RecipeLayer[] | readonly { source: string; values: unknown }[],
): z.infer<S> {
  const checked = layers.map((l) => parseWith(fileSchema, l.values, l.source) as Record<string, unknown>);
  const merged = mergeSections<Record<string, unknown>>(defaults as Record<string, unknown>, ...checked);
  return parseWith(schema, merged, layers.length ? layers.map((l) => l.source).join(' + ') : 'the defaults');
}

/** Reads a recipe file's text as JSON, naming the file when it is not. */
export function parseRecipeText(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new RecipeError(`${source} is not valid JSON (${(e as Error).message})`);
  }
}

/** Merges sections one level deep: later layers win field by field; undefined values are ignored. */
export function mergeSections<T extends Record<string, Record<string, unknown> | unknown>>(...layers: Partial<T>[]): T {
  const out: Record<string, unknown> = {};
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer)) {
      if (v === undefined) continue;
      if (v && typeof v === 'object' && !Array.isArray(v) && out[k] && typeof out[k] === 'object') {
        out[k] = { ...(out[k] as object), ...Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)) };
      } else {
        out[k] = v;
      }
    }
  }
  return out as T;
}

/** Schema pieces with the bounds every size field needs (huge values are refused up front, with the reason). */
export const field = {
  int: (min: number, max: number, why = '') => z.number({ error: 'expected a number' }).int({ error: 'expected an integer' })
    .min(min, { error: `must be at least ${min}` }).max(max, { error: `must be at most ${max}${why ? ` (${why})` : ''}` }),
  num: (min: number, max: number, why = '') => z.number({ error: 'expected a number' }).refine(Number.isFinite, { error: 'expected a finite number' })
    .min(min, { error: `must be at least ${min}` }).max(max, { error: `must be at most ${max}${why ? ` (${why})` : ''}` }),
  bool: () => z.boolean({ error: 'expected true or false' }),
};

/**
 * Refuses settings that contradict the run being resumed: each field `asked` gives in `sections` must
 * equal the run's, except the training fields in `mayChange` (how long the run goes on). `changeable`
 * names those for the message.
 * @example checkResumeConflicts({ model: saved.model, training: saved.training }, flags, 'the command line', { mayChange: new Set(['epochs']), changeable: 'epochs' })
 */
export function checkResumeConflicts(
  saved: Record<string, object>, asked: Record<string, unknown>, source: string,
  o: { mayChange: ReadonlySet<string>; changeable: string },
): void {
  const conflicts: string[] = [];
  for (const [section, had] of Object.entries(saved)) {
    for (const [k, v] of Object.entries((asked[section] ?? {}) as Record<string, unknown>)) {
      if (v === undefined || (section === 'training' && o.mayChange.has(k))) continue;
      const was = (had as Record<string, unknown>)[k];
      if (was !== v) conflicts.push(`${section}.${k} is ${JSON.stringify(was)} in the run, ${JSON.stringify(v)} in ${source}`);
    }
  }
  if (conflicts.length) throw new Error(`--resume: ${conflicts.join('; ')}. A resumed run keeps its settings (only ${o.changeable} may change); start a new run in another folder to change them`);
}
