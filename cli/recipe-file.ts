/** Recipe files and flag layers as every `train <chapter>` command reads them (see src/train/recipe.ts). */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseRecipeText } from '../src/train/recipe.js';
import { checkInputFile } from './paths.js';

/**
 * Reads a recipe file as JSON (checked by the chapter's schema afterwards); the paths under its `data`
 * section are relative to the file's folder, so a recipe works from any working directory.
 * @example readRecipeFile<TranslatorRecipeFile>('recipes/zh-en.json').data?.train // '/…/shared/data/…/train.tsv'
 */
export function readRecipeFile<T>(path: string): T {
  checkInputFile(path, '--recipe');
  const raw = parseRecipeText(readFileSync(path, 'utf8'), path) as { data?: unknown };
  if (raw && typeof raw === 'object' && raw.data && typeof raw.data === 'object') {
    const base = dirname(resolve(path));
    raw.data = Object.fromEntries(Object.entries(raw.data).map(([k, v]) => [k, typeof v === 'string' ? resolve(base, v) : v]));
  }
  return raw as T;
}

/** A layer of flags without the ones not given, so that "not given" never overrides a recipe value. */
export function given<T extends object>(layer: T): T {
  return JSON.parse(JSON.stringify(layer)) as T;
}
