/**
 * Fashion-MNIST on disk (Node only): the four IDX files as Zalando distributes them (gzipped or not),
 * read with the browser-safe parser of src/data/idx.ts. Where the files are: `--data DIR`, else
 * $LLMCORE_FASHION_MNIST, else Debian's `dataset-fashion-mnist` package (/usr/share/datasets/fashion-mnist).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseIdxImages, parseIdxLabels, IdxError } from '../../data/idx.js';

export const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;

/** Where Debian's `apt-get install dataset-fashion-mnist` puts the files. */
export const DEBIAN_FASHION_DIR = '/usr/share/datasets/fashion-mnist';

export type Split = 'train' | 'test';

/** A labelled image set: `count` images of rows × cols bytes, and their labels. */
export interface ImageSet {
  count: number;
  rows: number;
  cols: number;
  pixels: Uint8Array;
  labels: Uint8Array;
}

const STEMS: Record<Split, string> = { train: 'train', test: 't10k' };

/** The folder to read from, or an error that says how to get the data. */
export function findFashionDir(dir?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (dir) {
    if (!existsSync(dir)) throw new Error(`--data ${dir}: no such folder`);
    return dir;
  }
  // data/fashion-mnist is where `llmcore data fashion-mnist` downloads them by default
  for (const d of [env.LLMCORE_FASHION_MNIST, 'data/fashion-mnist', DEBIAN_FASHION_DIR]) if (d && existsSync(d)) return d;
  throw new Error(`no Fashion-MNIST data: give --data DIR (a folder with train-images-idx3-ubyte.gz and the other three IDX files), set LLMCORE_FASHION_MNIST, run \`llmcore data fashion-mnist\` (it downloads them into data/fashion-mnist), or on Debian run \`apt-get install dataset-fashion-mnist\` (it installs them in ${DEBIAN_FASHION_DIR}); upstream: github.com/zalandoresearch/fashion-mnist, data/fashion/`);
}

function readIdxFile(dir: string, base: string): { path: string; bytes: Uint8Array } {
  for (const name of [`${base}.gz`, base]) {
    const path = join(dir, name);
    if (existsSync(path)) return { path, bytes: readFileSync(path) };
  }
  throw new Error(`${dir}: no ${base}.gz (or ${base}); is this a Fashion-MNIST folder?`);
}

/**
 * Reads one split from `dir` and checks that images and labels agree.
 * @example const test = loadImageSet('../shared/data/fashion-mnist', 'test'); // 10,000 images
 */
export function loadImageSet(dir: string, split: Split): ImageSet {
  const img = readIdxFile(dir, `${STEMS[split]}-images-idx3-ubyte`);
  const lab = readIdxFile(dir, `${STEMS[split]}-labels-idx1-ubyte`);
  const images = parseIdxImages(img.bytes, img.path);
  const labels = parseIdxLabels(lab.bytes, lab.path);
  if (labels.length !== images.count) throw new IdxError(`${lab.path} has ${labels.length} labels but ${img.path} has ${images.count} images`);
  if (images.rows !== images.cols) throw new IdxError(`${img.path}: images are ${images.rows}×${images.cols}; the vision chapter expects square images`);
  return { count: images.count, rows: images.rows, cols: images.cols, pixels: images.pixels, labels };
}

/**
 * Carves a validation split from a training set: the last `size` images of a seeded permutation, so
 * settings are chosen without touching the test set.
 */
export function splitValidation(set: ImageSet, size: number, seed: number): { train: ImageSet; val: ImageSet } {
  if (!(size >= 1 && size < set.count)) throw new Error(`validation size must be between 1 and ${set.count - 1}, got ${size}`);
  // a fixed shuffle (xorshift over the seed), independent of the training generator
  const order = Array.from({ length: set.count }, (_, i) => i);
  let s = (seed * 2654435761 + 1) >>> 0 || 1;
  for (let i = order.length - 1; i > 0; i--) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const n = set.rows * set.cols;
  const take = (idx: number[]): ImageSet => {
    const pixels = new Uint8Array(idx.length * n);
    const labels = new Uint8Array(idx.length);
    idx.forEach((k, i) => { pixels.set(set.pixels.subarray(k * n, (k + 1) * n), i * n); labels[i] = set.labels[k]; });
    return { count: idx.length, rows: set.rows, cols: set.cols, pixels, labels };
  };
  return { train: take(order.slice(0, set.count - size)), val: take(order.slice(set.count - size)) };
}
