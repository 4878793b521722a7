/** The classic models of the explainer's Iris chapter, and their validation. */
export { KNeighborsClassifier, type KnnOptions, type KnnMetric, type KnnWeights, type Neighbors } from './knn.js';
export { KdTree } from './kdtree.js';
export { LogisticRegression, type LogisticOptions } from './logistic.js';
export { SVC, type SvmOptions } from './svm.js';
export { DecisionTreeClassifier, type TreeOptions } from './tree.js';
export { RandomForestClassifier, type ForestOptions } from './forest.js';
export { leaveOneOut, stratifiedKFold, crossValidate, kSweep, type Classifier, type CvResult, type SweepRow } from './validation.js';
export { knnDecisionSvg, type DecisionPlotOptions } from './plot.js';
export { DataError, Standardizer } from './check.js';
export { fma, fmaDot } from './fma.js';
export { TopK, simultaneousSort } from './select.js';
