/**
 * Chapter 7: a Vision Transformer looks at a picture. Draw a piece of clothing or upload a photo; the
 * shipped ViT (models/fashion-vit, Fashion-MNIST) cuts the 28×28 picture into 16 patches of 7×7, reads
 * them as words, and says what it sees — with how much attention each patch receives in every layer.
 */
import { el, fetchAsset, guard, svg, t, type Page, type PageContext } from '../page.js';
import { WorkerClient } from '../lib/worker-rpc.js';
import { bars, ensureStyles } from '../lib/charts.js';

interface Classified { probs: { label: string; prob: number }[]; received: number[][] }
interface Picture { pixels: number[]; inverted: boolean; width: number; height: number }

const ZH: Record<string, string> = {
  'T-shirt/top': 'T恤/上衣', Trouser: '裤子', Pullover: '套头衫', Dress: '连衣裙', Coat: '外套', Sandal: '凉鞋', Shirt: '衬衫', Sneaker: '运动鞋', Bag: '包', 'Ankle boot': '短靴',
};
const MAX_UPLOAD = 20 * 1024 * 1024;

let client: WorkerClient | null = null;

/** The 28×28 picture in grey with the patch grid tinted by attention (weights per patch, 0…max). */
function pictureSvg(pixels: number[], size: number, patch: number, weights: number[] | null): SVGSVGElement {
  const s = 6;
  const root = svg('svg', { viewBox: `0 0 ${size * s} ${size * s}`, width: size * s, height: size * s, 'data-testid': 'model-view' });
  for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) {
    const v = pixels[r * size + c];
    root.append(svg('rect', { x: c * s, y: r * s, width: s, height: s, fill: `rgb(${v},${v},${v})` }));
  }
  if (weights) {
    const g = size / patch;
    const max = Math.max(1e-9, ...weights);
    weights.forEach((w, i) => {
      const rect = svg('rect', { x: (i % g) * patch * s, y: Math.floor(i / g) * patch * s, width: patch * s, height: patch * s, fill: '#2f6fdb', 'fill-opacity': ((w / max) * 0.6).toFixed(3), stroke: '#fff', 'stroke-opacity': 0.3, class: 'pg-patch' });
      rect.append(svg('title', {}, `patch ${i + 1}: ${w.toFixed(3)}`));
      root.append(rect);
    });
  }
  return root;
}

function mount(root: HTMLElement, ctx: PageContext): void {
  ensureStyles();
  const W = 280;
  const canvas = el('canvas', { width: W, height: W, 'data-testid': 'draw', style: 'background:#000;border-radius:6px;touch-action:none;max-width:100%;cursor:crosshair' });
  const g = canvas.getContext('2d', { willReadFrequently: true })!;
  const clear = (): void => {
    g.fillStyle = '#000';
    g.fillRect(0, 0, W, W);
  };
  clear();
  const clearBtn = el('button', { type: 'button', 'data-testid': 'clear' }, t({ zh: '清空', en: 'Clear' }));
  const file = el('input', { type: 'file', accept: 'image/png,image/jpeg', 'data-testid': 'upload' });
  const layerSel = el('select', { 'data-testid': 'layer' });
  const status = el('div', { class: 'pg-status', 'data-testid': 'vit-status' }, t({ zh: '正在下载模型…', en: 'Downloading the model…' }));
  const note = el('div', { class: 'note', hidden: true, 'data-testid': 'vit-note' });
  const view = el('div', {});
  const result = el('div', { 'data-testid': 'vit-result' });

  root.append(
    el('h1', {}, t({ zh: '第七章 · 视觉 Transformer：把图片切成“词”', en: 'Chapter 7 · The Vision Transformer: a picture cut into "words"' })),
    el('p', { class: 'explain' }, t({
      zh: 'ViT 把 28×28 的图片切成 16 块 7×7 的小方块，每一块像一个词一样变成一个向量，再交给和翻译模型同样的 Transformer 编码器。画一件衣服（白色笔画，黑色背景），或者上传一张照片（浅色背景会被反转）。蓝色越深的方块，在这一层里被其他方块看得越多。模型：随项目发布的 models/fashion-vit，在 Fashion-MNIST 上训练。',
      en: 'A ViT cuts the 28×28 picture into 16 patches of 7×7; each patch becomes a vector, like a word, and goes through the same Transformer encoder as the translator\'s. Draw a piece of clothing (white strokes on black) or upload a photo (a light background is inverted). The bluer a patch, the more attention the other patches pay it in that layer. The model is the shipped models/fashion-vit, trained on Fashion-MNIST.',
    })),
    el('section', { class: 'card' },
      el('div', { class: 'pg-two' },
        el('div', {}, canvas, el('div', { class: 'controls' }, clearBtn, el('label', {}, t({ zh: '或上传：', en: 'or upload: ' }), file))),
        el('div', {}, el('div', { class: 'controls' }, el('span', {}, t({ zh: '模型看到的（层', en: 'what the model sees (layer ' })), layerSel, el('span', {}, ')')), view)),
      status, note, result),
  );

  let loaded = false;
  let picture: Picture | null = null;
  let classified: Classified | null = null;

  const drawView = (): void => {
    if (!picture) return;
    const layer = Number(layerSel.value);
    view.replaceChildren(pictureSvg(picture.pixels, 28, 7, classified ? classified.received[layer] ?? null : null));
  };
  layerSel.addEventListener('change', drawView);

  const classify = guard(ctx, async (pic: Picture) => {
    picture = pic;
    if (pic.pixels.every((v) => v === 0)) {
      note.textContent = t({ zh: '画布是空的：先画点什么。', en: 'The picture is empty: draw something first.' });
      note.hidden = false;
      result.replaceChildren();
      return;
    }
    note.hidden = true;
    classified = await client!.call<Classified>('classify', { pixels: pic.pixels });
    const ranked = [...classified.probs].sort((a, b) => b.prob - a.prob);
    const name = (l: string): string => (ctx.lang === 'zh' ? `${ZH[l] ?? l} ${l}` : l);
    result.replaceChildren(
      el('p', { style: 'font-size:1.3rem', 'data-testid': 'vit-top' }, `${name(ranked[0].label)} · ${(ranked[0].prob * 100).toFixed(1)}%`,
        ranked[0].prob < 0.5 ? el('span', { class: 'pg-status' }, t({ zh: '（不太确定）', en: ' (not sure)' })) : ''),
      pic.inverted ? el('p', { class: 'pg-status' }, t({ zh: '浅色背景：已反转为黑底', en: 'light background: inverted to a black one' })) : '',
      bars(ranked.map((r, i) => ({ label: name(r.label), value: r.prob, strong: i === 0 })), { color: '#2f6fdb', max: 1, testid: 'vit-bars' }));
    if (layerSel.options.length !== classified.received.length) {
      layerSel.replaceChildren(...classified.received.map((_, i) => el('option', { value: i }, String(i + 1))));
      layerSel.value = String(classified.received.length - 1);
    }
    drawView();
    result.setAttribute('data-done', String(Number(result.getAttribute('data-done') ?? 0) + 1));
  });

  const fromCanvas = guard(ctx, async () => {
    if (!loaded) return;
    const rgba = g.getImageData(0, 0, W, W).data;
    const grey = new Array<number>(W * W);
    for (let i = 0; i < W * W; i++) grey[i] = rgba[i * 4];
    if (grey.every((v) => v === 0)) {
      classify({ pixels: new Array<number>(784).fill(0), inverted: false, width: W, height: W });
      return;
    }
    classify(await client!.call<Picture>('prepare', { width: W, height: W, pixels: grey }));
  });

  let drawing = false;
  let last: [number, number] | null = null;
  const at = (ev: PointerEvent): [number, number] => {
    const r = canvas.getBoundingClientRect();
    return [((ev.clientX - r.left) / r.width) * W, ((ev.clientY - r.top) / r.height) * W];
  };
  canvas.addEventListener('pointerdown', (ev) => {
    drawing = true;
    last = at(ev);
    canvas.setPointerCapture?.(ev.pointerId);
  });
  canvas.addEventListener('pointermove', (ev) => {
    if (!drawing || !last) return;
    const p = at(ev);
    g.strokeStyle = '#fff';
    g.lineWidth = 22;
    g.lineCap = 'round';
    g.beginPath();
    g.moveTo(last[0], last[1]);
    g.lineTo(p[0], p[1]);
    g.stroke();
    last = p;
  });
  const end = (): void => {
    if (!drawing) return;
    drawing = false;
    last = null;
    fromCanvas();
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointerleave', end);
  clearBtn.addEventListener('click', () => {
    clear();
    picture = null;
    classified = null;
    view.replaceChildren();
    result.replaceChildren();
  });
  file.addEventListener('change', guard(ctx, async () => {
    const f = file.files?.[0];
    if (!f) return;
    if (f.size > MAX_UPLOAD) {
      ctx.showError(t({ zh: `${f.name}：${(f.size / 1e6).toFixed(1)} MB，太大（最多 20 MB）`, en: `${f.name}: ${(f.size / 1e6).toFixed(1)} MB is too large (at most 20 MB)` }));
      return;
    }
    const bytes = await f.arrayBuffer();
    try {
      const pic = await client!.call<Picture>('decode', { bytes }, [bytes]);
      classify(pic);
    } catch (e) {
      ctx.showError(`${f.name}: ${(e as Error).message}`);
    }
  }));

  client = new WorkerClient('vision-worker', () => {}, (msg) => ctx.showError(msg));
  void (async () => {
    try {
      const [config, weights] = await Promise.all(['config.json', 'model.safetensors'].map((f) => fetchAsset(ctx, `models/fashion-vit/${f}`)));
      const info = await client!.call<{ classes: string[]; parameters: number; testAccuracy: number | null }>('load', { config, weights }, [config, weights]);
      loaded = true;
      status.textContent = `${t({ zh: '模型就绪', en: 'model ready' })}: ${info.parameters.toLocaleString('en')} ${t({ zh: '参数', en: 'parameters' })}, ${info.classes.length} ${t({ zh: '类', en: 'classes' })}${info.testAccuracy ? ` · ${t({ zh: '测试集准确率（config.json 记录）', en: 'test accuracy recorded in its config.json' })} ${(info.testAccuracy * 100).toFixed(1)}%` : ''}`;
      status.setAttribute('data-ready', 'true');
    } catch (e) {
      if ((e as Error).message !== 'stopped') ctx.showError((e as Error).message);
    }
  })();
}

const page: Page = {
  id: '07-vision',
  title: { zh: '视觉 Transformer', en: 'Vision Transformer' },
  mount,
  unmount() {
    client?.terminate();
    client = null;
  },
};
export default page;
