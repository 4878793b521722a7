/**
 * A user's picture → the model's input (browser-safe): PNG (fast-png) or JPEG (jpeg-js) bytes decoded
 * to grayscale, then made to look like Fashion-MNIST: a light object on a black background, cropped to
 * the object, padded to a square and resized so the object fills the frame (Zalando trimmed, resized and
 * centred their product photos the same way).
 *
 * Every failure is an ImageError with a one-line message: not an image, a damaged or truncated file, or
 * an image too large to decode (the size is read from the header and capped before any pixel is decoded).
 */
import { decode as decodePng, hasPngSignature, convertIndexedToRgb } from 'fast-png';
import jpeg from 'jpeg-js';

export class ImageError extends Error {
  override name = 'ImageError';
}

/** The most pixels decoded (16 M, e.g. 4096 × 4096): a larger picture is refused before decoding. */
export const MAX_PIXELS = 16 * 1024 * 1024;

export type ImageFormat = 'png' | 'jpeg';

/** A decoded picture: one byte of brightness per pixel (0 black … 255 white), row by row. */
export interface GrayImage {
  width: number;
  height: number;
  pixels: Uint8Array;
}

/** The format of `bytes` by its signature, or null. */
export function sniffFormat(bytes: Uint8Array): ImageFormat | null {
  if (hasPngSignature(bytes)) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return null;
}

/** Width and height from the header (PNG's IHDR, JPEG's start-of-frame), without decoding. */
export function imageSize(bytes: Uint8Array, format: ImageFormat, what = 'the image'): { width: number; height: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (format === 'png') {
    if (bytes.length < 24) throw new ImageError(`${what} is a truncated PNG (${bytes.length} bytes, no image header)`);
    return { width: view.getUint32(16), height: view.getUint32(20) };
  }
  let i = 2;
  while (i + 9 < bytes.length) {
    if (bytes[i] !== 0xff) { i++; continue; }
    const marker = bytes[i + 1];
    // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: view.getUint16(i + 5), width: view.getUint16(i + 7) };
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0xff) { i += marker === 0xff ? 1 : 2; continue; }
    i += 2 + view.getUint16(i + 2);
  }
  throw new ImageError(`${what} is a truncated or damaged JPEG (no frame header)`);
}

/** Brightness of an RGB(A) pixel (ITU-R 601 luma, as PIL's "L"), alpha composited over white. */
function luma(r: number, g: number, b: number, a: number, max: number): number {
  const y = 0.299 * r + 0.587 * g + 0.114 * b;
  return (y * a + max * (max - a)) / max;
}

/**
 * Decodes PNG or JPEG bytes to grayscale. `what` names the input in messages (a file name).
 * @example const img = decodeImage(bytes, 'photo.jpg'); // { width, height, pixels }
 */
export function decodeImage(bytes: Uint8Array, what = 'the image', maxPixels = MAX_PIXELS): GrayImage {
  const format = sniffFormat(bytes);
  if (!format) throw new ImageError(`${what} is not a PNG or JPEG image (its first bytes are neither signature)`);
  const { width, height } = imageSize(bytes, format, what);
  if (!(width > 0 && height > 0)) throw new ImageError(`${what} has an empty size (${width}×${height})`);
  if (width * height > maxPixels) throw new ImageError(`${what} is ${width}×${height} pixels, more than the ${(maxPixels / 1048576).toFixed(0)} M decoded at most; scale it down first`);
  const out = new Uint8Array(width * height);
  if (format === 'png') {
    let png;
    try {
      png = decodePng(bytes);
    } catch (e) {
      throw new ImageError(`${what} is a truncated or damaged PNG (${(e as Error).message})`);
    }
    const max = png.depth === 16 ? 65535 : png.depth === 8 || png.palette ? 255 : 2 ** png.depth - 1;
    let data: ArrayLike<number> = png.data;
    let channels = png.channels;
    if (png.palette) { data = convertIndexedToRgb(png); channels = png.palette[0]?.length ?? 3; }
    if (data.length < width * height * channels) throw new ImageError(`${what} is a truncated PNG (${data.length} of ${width * height * channels} samples)`);
    const m = png.palette ? 255 : max;
    for (let p = 0; p < width * height; p++) {
      const o = p * channels;
      let y: number;
      if (channels === 1) y = data[o];
      else if (channels === 2) y = luma(data[o], data[o], data[o], data[o + 1], m);
      else y = luma(data[o], data[o + 1], data[o + 2], channels === 4 ? data[o + 3] : m, m);
      out[p] = Math.round((y / m) * 255);
    }
  } else {
    let img;
    try {
      img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: maxPixels / 1e6, maxMemoryUsageInMB: 1024 });
    } catch (e) {
      throw new ImageError(`${what} is a truncated or damaged JPEG (${(e as Error).message})`);
    }
    for (let p = 0; p < width * height; p++) out[p] = Math.round(luma(img.data[4 * p], img.data[4 * p + 1], img.data[4 * p + 2], 255, 255));
  }
  return { width, height, pixels: out };
}

/** What preprocessing did, to show the user. */
export interface Prepared {
  /** size × size bytes, light object on black, as the model sees it. */
  pixels: Uint8Array;
  size: number;
  /** The background was light, so the picture was inverted. */
  inverted: boolean;
  /** The object's bounding box in the input picture. */
  crop: { x: number; y: number; width: number; height: number };
}

/** Resamples a w×h byte image to size×size by averaging the source area under each target pixel. */
function resizeArea(src: Float32Array, w: number, h: number, size: number): Float32Array {
  const out = new Float32Array(size * size);
  const sx = w / size;
  const sy = h / size;
  for (let ty = 0; ty < size; ty++) {
    const y0 = ty * sy, y1 = y0 + sy;
    for (let tx = 0; tx < size; tx++) {
      const x0 = tx * sx, x1 = x0 + sx;
      let sum = 0;
      let area = 0;
      for (let y = Math.floor(y0); y < Math.min(h, Math.ceil(y1)); y++) {
        const wy = Math.min(y + 1, y1) - Math.max(y, y0);
        for (let x = Math.floor(x0); x < Math.min(w, Math.ceil(x1)); x++) {
          const wx = Math.min(x + 1, x1) - Math.max(x, x0);
          sum += src[y * w + x] * wx * wy;
          area += wx * wy;
        }
      }
      out[ty * size + tx] = area > 0 ? sum / area : 0;
    }
  }
  return out;
}

/**
 * Makes a picture look like a Fashion-MNIST image: inverted if its border (the background) is light,
 * the background level subtracted, cropped to the object's bounding box, padded to a square (centred),
 * resized to size × size and stretched so the brightest pixel is 255.
 * @example const { pixels } = prepareImage(decodeImage(bytes), 28);
 */
export function prepareImage(img: GrayImage, size = 28): Prepared {
  const { width: w, height: h } = img;
  // the background is what the border shows: its median
  const border: number[] = [];
  for (let x = 0; x < w; x++) border.push(img.pixels[x], img.pixels[(h - 1) * w + x]);
  for (let y = 0; y < h; y++) border.push(img.pixels[y * w], img.pixels[y * w + w - 1]);
  border.sort((a, b) => a - b);
  const bg = border[border.length >> 1];
  const inverted = bg > 127;
  const level = inverted ? 255 - bg : bg;
  const f = new Float32Array(w * h);
  let max = 0;
  for (let i = 0; i < w * h; i++) {
    const v = Math.max(0, (inverted ? 255 - img.pixels[i] : img.pixels[i]) - level);
    f[i] = v;
    if (v > max) max = v;
  }
  // the object: pixels at least a fifth as bright as the brightest (noise and shadows fall below)
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  const threshold = Math.max(8, 0.2 * max);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    if (f[y * w + x] >= threshold) { if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y; }
  }
  if (x1 < 0) { x0 = 0; y0 = 0; x1 = w - 1; y1 = h - 1; }
  const cw = x1 - x0 + 1;
  const ch = y1 - y0 + 1;
  const side = Math.max(cw, ch);
  const square = new Float32Array(side * side);
  const ox = (side - cw) >> 1;
  const oy = (side - ch) >> 1;
  for (let y = 0; y < ch; y++) for (let x = 0; x < cw; x++) square[(oy + y) * side + ox + x] = f[(y0 + y) * w + x0 + x];
  const small = resizeArea(square, side, side, size);
  let top = 0;
  for (const v of small) if (v > top) top = v;
  const pixels = new Uint8Array(size * size);
  for (let i = 0; i < pixels.length; i++) pixels[i] = top > 0 ? Math.round((small[i] / top) * 255) : 0;
  return { pixels, size, inverted, crop: { x: x0, y: y0, width: cw, height: ch } };
}

/** The four quarters of a picture (reading order), each as its own image: a photographed 2×2 scene. */
export function quarters(img: GrayImage): GrayImage[] {
  const hw = img.width >> 1;
  const hh = img.height >> 1;
  if (hw < 1 || hh < 1) throw new ImageError(`a ${img.width}×${img.height} picture is too small to cut into a 2×2 grid`);
  return [0, 1, 2, 3].map((q) => {
    const ox = (q & 1) * hw;
    const oy = (q >> 1) * hh;
    const pixels = new Uint8Array(hw * hh);
    for (let y = 0; y < hh; y++) pixels.set(img.pixels.subarray((oy + y) * img.width + ox, (oy + y) * img.width + ox + hw), y * hw);
    return { width: hw, height: hh, pixels };
  });
}
