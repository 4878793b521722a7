/**
 * The Iris page's classifiers, off the page's thread: decision regions, one query's prediction with
 * its neighbours, and the cross-validated accuracy (logistic regression's 10-fold CV takes seconds).
 * The same src/classic code as `llmcore iris`. Protocol: {@link IrisRequest} in, {@link IrisReply} out.
 */
import {
  crossValidate, DecisionTreeClassifier, KNeighborsClassifier, leaveOneOut, LogisticRegression,
  RandomForestClassifier, stratifiedKFold, SVC, type Classifier,
} from '../../../src/classic/index.js';

export type IrisArch = 'knn' | 'logistic' | 'svm' | 'tree' | 'forest';
export type IrisMetric = 'euclidean' | 'manhattan';

export interface IrisModelSpec {
  arch: IrisArch;
  k: number;
  metric: IrisMetric;
}

export interface IrisData {
  x: number[][];
  y: number[];
  nClasses: number;
}

export type IrisRequest = { id: number } & IrisModelSpec & { data: IrisData } & (
  | { kind: 'regions'; cols: [number, number]; grid: { x0: number; x1: number; y0: number; y1: number; w: number; h: number } }
  | { kind: 'query'; cols: number[]; q: number[] }
  | { kind: 'score'; cols: [number, number] }
);

export type IrisReply = { id: number } & (
  | { kind: 'regions'; labels: Int32Array; confidence: Float32Array }
  | { kind: 'query'; label: number; proba: number[] | null; neighbors: { indices: number[]; distances: number[] } | null }
  | { kind: 'score'; what: 'loo' | '10fold'; all: number; pair: number | null }
  | { kind: 'error'; message: string }
);

/** The classifier of `llmcore iris --arch` with the CLI's defaults (seed 0). */
function maker(s: IrisModelSpec, precision: 'auto' | 'float64' = 'auto'): () => Classifier {
  switch (s.arch) {
    case 'knn': return () => new KNeighborsClassifier({ k: s.k, metric: s.metric, precision });
    case 'logistic': return () => new LogisticRegression();
    case 'svm': return () => new SVC({ kernel: 'rbf' });
    case 'tree': return () => new DecisionTreeClassifier({ seed: 0 });
    case 'forest': return () => new RandomForestClassifier({ seed: 0 });
  }
}

const pick = (x: number[][], cols: readonly number[]): number[][] => x.map((r) => cols.map((c) => r[c]));

function handle(r: IrisRequest): IrisReply {
  switch (r.kind) {
    case 'regions': {
      const { x0, x1, y0, y1, w, h } = r.grid;
      const grid: number[][] = [];
      for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) grid.push([x0 + ((i + 0.5) / w) * (x1 - x0), y1 - ((j + 0.5) / h) * (y1 - y0)]);
      // float64 distances for the picture: thousands of cells, where exact tie order is invisible
      const model = maker(r, 'float64')().fit(pick(r.data.x, r.cols), r.data.y) as Classifier;
      const labels = Int32Array.from(model.predict(grid));
      const confidence = new Float32Array(labels.length).fill(1);
      if (model instanceof KNeighborsClassifier) {
        const p = model.predictProba(grid);
        for (let i = 0; i < p.length; i++) confidence[i] = Math.max(...p[i]);
      }
      return { id: r.id, kind: 'regions', labels, confidence };
    }
    case 'query': {
      const model = maker(r)().fit(pick(r.data.x, r.cols), r.data.y) as Classifier;
      const q = [r.q];
      const label = model.predict(q)[0];
      if (model instanceof KNeighborsClassifier) {
        const nb = model.kneighbors(q);
        return { id: r.id, kind: 'query', label, proba: model.predictProba(q)[0], neighbors: { indices: nb.indices[0], distances: nb.distances[0] } };
      }
      return { id: r.id, kind: 'query', label, proba: null, neighbors: null };
    }
    case 'score': {
      const make = maker(r);
      // as `llmcore iris`: leave-one-out for KNN, 10-fold stratified CV for the others
      if (r.arch === 'knn') {
        return { id: r.id, kind: 'score', what: 'loo', all: leaveOneOut(make, r.data.x, r.data.y).accuracy, pair: leaveOneOut(make, pick(r.data.x, r.cols), r.data.y).accuracy };
      }
      const folds = stratifiedKFold(r.data.y, 10);
      return { id: r.id, kind: 'score', what: '10fold', all: crossValidate(make, r.data.x, r.data.y, folds).accuracy, pair: null };
    }
  }
}

self.onmessage = (ev: MessageEvent<IrisRequest>) => {
  let reply: IrisReply;
  try {
    reply = handle(ev.data);
  } catch (e) {
    reply = { id: ev.data.id, kind: 'error', message: e instanceof Error ? e.message : String(e) };
  }
  (self as unknown as Worker).postMessage(reply);
};
