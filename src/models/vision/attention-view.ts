/**
 * Attention over pixels, made visible (browser-safe): an SVG with one panel per answer word — the
 * picture in grey and, over each patch, a translucent colour as strong as the decoder's cross-attention
 * from that word to the patch — and a panel of the encoder's self-attention from one chosen patch; and
 * the same as small text heatmaps for a terminal.
 */

/** One panel: a title and one weight per patch (reading order). */
export interface AttentionPanel {
  title: string;
  weights: readonly number[];
  /** A patch to outline (the encoder panel's chosen patch). */
  mark?: number;
  colour?: string;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The picture as grey rectangles, runs of equal (16-level) grey merged per row to keep the file small. */
function pictureRects(pixels: Uint8Array, size: number, scale: number, x0: number, y0: number): string {
  const parts: string[] = [];
  for (let r = 0; r < size; r++) {
    let c = 0;
    while (c < size) {
      const level = pixels[r * size + c] >> 4;
      let end = c + 1;
      while (end < size && pixels[r * size + end] >> 4 === level) end++;
      if (level > 0) {
        const v = Math.round((level * 255) / 15);
        parts.push(`<rect x="${x0 + c * scale}" y="${y0 + r * scale}" width="${(end - c) * scale}" height="${scale}" fill="rgb(${v},${v},${v})"/>`);
      }
      c = end;
    }
  }
  return parts.join('');
}

/**
 * An SVG of panels side by side, each the picture (size × size bytes, light on black) with its attention
 * laid over the patches (`patch` pixels square); colour strength is weight / the panel's largest weight.
 * @example writeFileSync('attention.svg', attentionSvg(scene.pixels, 56, 7, [{ title: 'sneaker', weights }], 'What is this?'))
 */
export function attentionSvg(pixels: Uint8Array, size: number, patch: number, panels: readonly AttentionPanel[], caption = ''): string {
  const scale = 4;
  const side = size * scale;
  const gap = 16;
  const top = caption ? 44 : 24;
  const width = panels.length * (side + gap) + gap;
  const height = top + side + gap;
  const grid = size / patch;
  const picture = pictureRects(pixels, size, scale, 0, 0);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="13">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<defs><g id="picture"><rect width="${side}" height="${side}" fill="black"/>${picture}</g></defs>`,
  ];
  if (caption) out.push(`<text x="${gap}" y="18" font-weight="bold">${escapeXml(caption)}</text>`);
  panels.forEach((p, i) => {
    const x = gap + i * (side + gap);
    const max = Math.max(...p.weights, 1e-12);
    out.push(`<text x="${x}" y="${top - 6}">${escapeXml(p.title)}</text>`);
    out.push(`<g transform="translate(${x},${top})"><use href="#picture"/>`);
    p.weights.forEach((w, k) => {
      const opacity = Math.min(0.8, (0.8 * w) / max);
      if (opacity < 0.02) return;
      out.push(`<rect x="${(k % grid) * patch * scale}" y="${Math.floor(k / grid) * patch * scale}" width="${patch * scale}" height="${patch * scale}" fill="${p.colour ?? '#ff3b1f'}" fill-opacity="${opacity.toFixed(3)}"/>`);
    });
    if (p.mark !== undefined) {
      out.push(`<rect x="${(p.mark % grid) * patch * scale}" y="${Math.floor(p.mark / grid) * patch * scale}" width="${patch * scale}" height="${patch * scale}" fill="none" stroke="#00e5ff" stroke-width="2"/>`);
    }
    out.push('</g>');
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** A grid × grid text heatmap of weights (reading order), darker blocks for more attention. */
export function textHeatmap(weights: readonly number[], grid: number): string[] {
  const ramp = [' ', '░', '▒', '▓', '█'];
  const max = Math.max(...weights, 1e-12);
  const lines: string[] = [];
  for (let r = 0; r < grid; r++) {
    let line = '';
    for (let c = 0; c < grid; c++) {
      const ch = ramp[Math.min(ramp.length - 1, Math.round((weights[r * grid + c] / max) * (ramp.length - 1)))];
      line += ch + ch;
    }
    lines.push(`|${line}|`);
  }
  return lines;
}

/** Heatmaps side by side under their titles (for a terminal). */
export function sideBySide(blocks: readonly { title: string; lines: string[] }[], gap = 2): string[] {
  const width = Math.max(...blocks.map((b) => Math.max(b.title.length, ...b.lines.map((l) => l.length))));
  const rows = Math.max(...blocks.map((b) => b.lines.length));
  const pad = (s: string): string => s + ' '.repeat(Math.max(0, width - [...s].length));
  const out = [blocks.map((b) => pad(b.title)).join(' '.repeat(gap)).trimEnd()];
  for (let r = 0; r < rows; r++) out.push(blocks.map((b) => pad(b.lines[r] ?? '')).join(' '.repeat(gap)).trimEnd());
  return out;
}
