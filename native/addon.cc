// The Node-API face of the native kernels: Float32Arrays are read and written where they are (no copies).
#include <node_api.h>

#include <cstdint>
#include <algorithm>
#include <cstdlib>
#include <string>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "gemm.h"
#include "kernels.h"

namespace {

bool check(napi_env env, napi_status status) {
  if (status == napi_ok) return true;
  const napi_extended_error_info* info = nullptr;
  napi_get_last_error_info(env, &info);
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) napi_throw_error(env, nullptr, info && info->error_message ? info->error_message : "llmcore native: N-API call failed");
  return false;
}

bool floatArray(napi_env env, napi_value value, float** data, size_t* length, const char* name) {
  bool is = false;
  if (!check(env, napi_is_typedarray(env, value, &is))) return false;
  napi_typedarray_type type;
  void* raw = nullptr;
  if (is && !check(env, napi_get_typedarray_info(env, value, &type, length, &raw, nullptr, nullptr))) return false;
  if (!is || type != napi_float32_array) {
    napi_throw_type_error(env, nullptr, (std::string("llmcore native sgemm: ") + name + " must be a Float32Array").c_str());
    return false;
  }
  *data = static_cast<float*>(raw);
  return true;
}

bool integer(napi_env env, napi_value value, int64_t* out) { return check(env, napi_get_value_int64(env, value, out)); }

// Elements a batched operand reads: batches of `size` elements `stride` apart.
int64_t span(int64_t batch, int64_t stride, int64_t size) { return size == 0 ? 0 : (batch - 1) * stride + size; }

// sgemm(a, b, out, bias | null, batch, m, k, n, transA, transB, aOffset, bOffset, aBatchStride, bBatchStride, accumulate)
napi_value Sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 15;
  napi_value argv[15];
  if (!check(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr))) return nullptr;
  if (argc != 15) {
    napi_throw_type_error(env, nullptr, "llmcore native sgemm: expected 15 arguments");
    return nullptr;
  }
  float *a, *b, *out, *bias = nullptr;
  size_t aLen, bLen, outLen, biasLen = 0;
  if (!floatArray(env, argv[0], &a, &aLen, "a") || !floatArray(env, argv[1], &b, &bLen, "b") ||
      !floatArray(env, argv[2], &out, &outLen, "out"))
    return nullptr;
  napi_valuetype biasType;
  if (!check(env, napi_typeof(env, argv[3], &biasType))) return nullptr;
  if (biasType != napi_null && biasType != napi_undefined && !floatArray(env, argv[3], &bias, &biasLen, "bias")) return nullptr;
  int64_t v[11];
  for (int i = 0; i < 11; i++)
    if (!integer(env, argv[4 + i], &v[i])) return nullptr;
  const int64_t batch = v[0], m = v[1], k = v[2], n = v[3], aOffset = v[6], bOffset = v[7], aStride = v[8], bStride = v[9];
  // the kernels trust these bounds, so a wrong call is an exception here rather than memory corruption
  if (batch < 0 || m < 0 || k < 0 || n < 0 || aOffset < 0 || bOffset < 0 || aStride < 0 || bStride < 0 ||
      (batch > 0 && (aOffset + span(batch, aStride, m * k) > static_cast<int64_t>(aLen) ||
                     bOffset + span(batch, bStride, k * n) > static_cast<int64_t>(bLen) ||
                     batch * m * n > static_cast<int64_t>(outLen))) ||
      (bias && static_cast<int64_t>(biasLen) < n)) {
    napi_throw_range_error(env, nullptr, "llmcore native sgemm: the operands are smaller than the shapes say");
    return nullptr;
  }
  llmcore::GemmJob job{a + aOffset, b + bOffset, out, bias, batch, m, k, n, v[4] != 0, v[5] != 0, v[10] != 0, aStride, bStride};
  llmcore::gemm(job);
  return nullptr;
}


bool number(napi_env env, napi_value value, double* out) { return check(env, napi_get_value_double(env, value, out)); }

bool int32Array(napi_env env, napi_value value, int** data, size_t* length, const char* name) {
  bool is = false;
  if (!check(env, napi_is_typedarray(env, value, &is))) return false;
  napi_typedarray_type type;
  void* raw = nullptr;
  if (is && !check(env, napi_get_typedarray_info(env, value, &type, length, &raw, nullptr, nullptr))) return false;
  if (!is || type != napi_int32_array) {
    napi_throw_type_error(env, nullptr, (std::string("llmcore native: ") + name + " must be an Int32Array").c_str());
    return false;
  }
  *data = static_cast<int*>(raw);
  return true;
}

bool optionalFloatArray(napi_env env, napi_value value, float** data, size_t* length, const char* name) {
  napi_valuetype type;
  if (!check(env, napi_typeof(env, value, &type))) return false;
  if (type == napi_null || type == napi_undefined) {
    *data = nullptr;
    *length = 0;
    return true;
  }
  return floatArray(env, value, data, length, name);
}

bool args(napi_env env, napi_callback_info info, size_t want, napi_value* argv, const char* fn) {
  size_t argc = want;
  if (!check(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr))) return false;
  if (argc != want) {
    napi_throw_type_error(env, nullptr, (std::string("llmcore native ") + fn + ": expected " + std::to_string(want) + " arguments").c_str());
    return false;
  }
  return true;
}

bool rangeError(napi_env env, const char* fn) {
  napi_throw_range_error(env, nullptr, (std::string("llmcore native ") + fn + ": the arrays are smaller than the shapes say").c_str());
  return false;
}

// A rank-6 view: dims and strides from argv[at..at+12); checks every index it reaches lies in [0, length).
bool view6(napi_env env, napi_value* argv, int64_t offset, size_t length, long* dims, long* st, int64_t* count, const char* fn) {
  int64_t lo = offset, hi = offset;
  *count = 1;
  for (int d = 0; d < 6; d++) {
    int64_t n, s;
    if (!integer(env, argv[d], &n) || !integer(env, argv[6 + d], &s)) return false;
    if (n < 0) return rangeError(env, fn);
    dims[d] = static_cast<long>(n);
    st[d] = static_cast<long>(s);
    *count *= n;
    if (n > 0) (s < 0 ? lo : hi) += (n - 1) * s;
  }
  if (*count > 0 && (lo < 0 || hi >= static_cast<int64_t>(length))) return rangeError(env, fn);
  return true;
}

// copyStrided(x, offset, out, d0..d5, s0..s5)
napi_value CopyStrided(napi_env env, napi_callback_info info) {
  napi_value argv[15];
  if (!args(env, info, 15, argv, "copyStrided")) return nullptr;
  float *x, *out;
  size_t xLen, outLen;
  int64_t offset, count;
  long dims[6], st[6];
  if (!floatArray(env, argv[0], &x, &xLen, "x") || !integer(env, argv[1], &offset) || !floatArray(env, argv[2], &out, &outLen, "out") ||
      !view6(env, argv + 3, offset, xLen, dims, st, &count, "copyStrided"))
    return nullptr;
  if (count > static_cast<int64_t>(outLen)) {
    rangeError(env, "copyStrided");
    return nullptr;
  }
  if (count > 0) llmcore::copyStrided6(x, static_cast<long>(offset), dims, st, out);
  return nullptr;
}

// addIntoStrided(src, y, offset, d0..d5, s0..s5)
napi_value AddIntoStrided(napi_env env, napi_callback_info info) {
  napi_value argv[15];
  if (!args(env, info, 15, argv, "addIntoStrided")) return nullptr;
  float *src, *y;
  size_t srcLen, yLen;
  int64_t offset, count;
  long dims[6], st[6];
  if (!floatArray(env, argv[0], &src, &srcLen, "src") || !floatArray(env, argv[1], &y, &yLen, "y") || !integer(env, argv[2], &offset) ||
      !view6(env, argv + 3, offset, yLen, dims, st, &count, "addIntoStrided"))
    return nullptr;
  if (count > static_cast<int64_t>(srcLen)) {
    rangeError(env, "addIntoStrided");
    return nullptr;
  }
  if (count > 0) llmcore::addIntoStrided6(src, y, static_cast<long>(offset), dims, st);
  return nullptr;
}

// adam(p, g, m, v, vmax | null, beta1, a1, beta2, a2, eps, stepSize, bc2sqrt, shrink, l2, maximize)
napi_value Adam(napi_env env, napi_callback_info info) {
  napi_value argv[15];
  if (!args(env, info, 15, argv, "adam")) return nullptr;
  float *p, *g, *m, *v, *vmax;
  size_t pLen, gLen, mLen, vLen, vmaxLen;
  if (!floatArray(env, argv[0], &p, &pLen, "p") || !floatArray(env, argv[1], &g, &gLen, "g") || !floatArray(env, argv[2], &m, &mLen, "m") ||
      !floatArray(env, argv[3], &v, &vLen, "v") || !optionalFloatArray(env, argv[4], &vmax, &vmaxLen, "vmax"))
    return nullptr;
  double h[9];
  for (int i = 0; i < 9; i++)
    if (!number(env, argv[5 + i], &h[i])) return nullptr;
  bool maximize = false;
  if (!check(env, napi_get_value_bool(env, argv[14], &maximize))) return nullptr;
  if (gLen < pLen || mLen < pLen || vLen < pLen || (vmax && vmaxLen < pLen)) {
    rangeError(env, "adam");
    return nullptr;
  }
  const llmcore::AdamArgs a{h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], maximize};
  llmcore::adam(p, g, m, v, vmax, static_cast<long>(pLen), a);
  return nullptr;
}

// crossEntropy(x, rows, cols, targets, eps, loss, stats)
napi_value CrossEntropy(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  if (!args(env, info, 7, argv, "crossEntropy")) return nullptr;
  float *x, *loss, *stats;
  int* targets;
  size_t xLen, tLen, lossLen, statsLen;
  int64_t rows, cols;
  double eps;
  if (!floatArray(env, argv[0], &x, &xLen, "x") || !integer(env, argv[1], &rows) || !integer(env, argv[2], &cols) ||
      !int32Array(env, argv[3], &targets, &tLen, "targets") || !number(env, argv[4], &eps) || !floatArray(env, argv[5], &loss, &lossLen, "loss") ||
      !floatArray(env, argv[6], &stats, &statsLen, "stats"))
    return nullptr;
  if (rows < 0 || cols < 1 || rows * cols > static_cast<int64_t>(xLen) || rows > static_cast<int64_t>(tLen) ||
      rows > static_cast<int64_t>(lossLen) || 2 * rows > static_cast<int64_t>(statsLen)) {
    rangeError(env, "crossEntropy");
    return nullptr;
  }
  for (int64_t r = 0; r < rows; r++)
    if (targets[r] >= cols) {
      rangeError(env, "crossEntropy");
      return nullptr;
    }
  llmcore::crossEntropy(x, static_cast<long>(rows), static_cast<long>(cols), targets, eps, loss, stats);
  return nullptr;
}

// crossEntropyBackward(x, stats, g, rows, cols, targets, eps, dx)
napi_value CrossEntropyBackward(napi_env env, napi_callback_info info) {
  napi_value argv[8];
  if (!args(env, info, 8, argv, "crossEntropyBackward")) return nullptr;
  float *x, *stats, *g, *dx;
  int* targets;
  size_t xLen, sLen, gLen, tLen, dxLen;
  int64_t rows, cols;
  double eps;
  if (!floatArray(env, argv[0], &x, &xLen, "x") || !floatArray(env, argv[1], &stats, &sLen, "stats") || !floatArray(env, argv[2], &g, &gLen, "g") ||
      !integer(env, argv[3], &rows) || !integer(env, argv[4], &cols) || !int32Array(env, argv[5], &targets, &tLen, "targets") ||
      !number(env, argv[6], &eps) || !floatArray(env, argv[7], &dx, &dxLen, "dx"))
    return nullptr;
  if (rows < 0 || cols < 1 || rows * cols > static_cast<int64_t>(xLen) || rows * cols > static_cast<int64_t>(dxLen) ||
      2 * rows > static_cast<int64_t>(sLen) || rows > static_cast<int64_t>(gLen) || rows > static_cast<int64_t>(tLen)) {
    rangeError(env, "crossEntropyBackward");
    return nullptr;
  }
  for (int64_t r = 0; r < rows; r++)
    if (targets[r] >= cols) {
      rangeError(env, "crossEntropyBackward");
      return nullptr;
    }
  llmcore::crossEntropyBackward(x, stats, g, static_cast<long>(rows), static_cast<long>(cols), targets, eps, dx);
  return nullptr;
}

// geluTanh(x, g | null, out): the forward (g null) or the gradient
napi_value GeluTanh(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!args(env, info, 3, argv, "geluTanh")) return nullptr;
  float *x, *g, *out;
  size_t xLen, gLen, outLen;
  if (!floatArray(env, argv[0], &x, &xLen, "x") || !optionalFloatArray(env, argv[1], &g, &gLen, "g") || !floatArray(env, argv[2], &out, &outLen, "out"))
    return nullptr;
  if (outLen < xLen || (g && gLen < xLen)) {
    rangeError(env, "geluTanh");
    return nullptr;
  }
  llmcore::geluTanh(x, g, out, static_cast<long>(xLen));
  return nullptr;
}

bool uint32Array(napi_env env, napi_value value, unsigned** data, size_t* length, const char* name) {
  bool is = false;
  if (!check(env, napi_is_typedarray(env, value, &is))) return false;
  napi_typedarray_type type;
  void* raw = nullptr;
  if (is && !check(env, napi_get_typedarray_info(env, value, &type, length, &raw, nullptr, nullptr))) return false;
  if (!is || type != napi_uint32_array) {
    napi_throw_type_error(env, nullptr, (std::string("llmcore native: ") + name + " must be a Uint32Array").c_str());
    return false;
  }
  *data = static_cast<unsigned*>(raw);
  return true;
}

// dropout(bits | null, threshold, scale, x | null, g | null, out, mask, n): the forward (bits, x) or the gradient (g)
napi_value Dropout(napi_env env, napi_callback_info info) {
  napi_value argv[8];
  if (!args(env, info, 8, argv, "dropout")) return nullptr;
  unsigned* bits = nullptr;
  float *x, *g, *out, *mask;
  size_t bitsLen = 0, xLen, gLen, outLen, maskLen;
  double threshold, scale;
  int64_t n;
  napi_valuetype bt;
  if (!check(env, napi_typeof(env, argv[0], &bt))) return nullptr;
  if (bt != napi_null && !uint32Array(env, argv[0], &bits, &bitsLen, "bits")) return nullptr;
  if (!number(env, argv[1], &threshold) || !number(env, argv[2], &scale) || !optionalFloatArray(env, argv[3], &x, &xLen, "x") ||
      !optionalFloatArray(env, argv[4], &g, &gLen, "g") || !floatArray(env, argv[5], &out, &outLen, "out") ||
      !floatArray(env, argv[6], &mask, &maskLen, "mask") || !integer(env, argv[7], &n))
    return nullptr;
  const size_t need = static_cast<size_t>(n < 0 ? 0 : n);
  const bool forward = g == nullptr;
  if (n < 0 || outLen < need || maskLen < need || (forward && (!bits || !x || bitsLen < need || xLen < need)) || (!forward && gLen < need)) {
    rangeError(env, "dropout");
    return nullptr;
  }
  llmcore::dropout(bits, static_cast<long long>(threshold), static_cast<float>(scale), x, g, out, mask, static_cast<long>(n));
  return nullptr;
}

// binary(op, x, offA, y, offB, out, d0..d5, sa0..sa5, sb0..sb5)
napi_value Binary(napi_env env, napi_callback_info info) {
  napi_value argv[24];
  if (!args(env, info, 24, argv, "binary")) return nullptr;
  int64_t op, offA, offB, count, countB;
  float *x, *y, *out;
  size_t xLen, yLen, outLen;
  long dims[6], sa[6], sb[6], dimsB[6];
  if (!integer(env, argv[0], &op) || !floatArray(env, argv[1], &x, &xLen, "x") || !integer(env, argv[2], &offA) ||
      !floatArray(env, argv[3], &y, &yLen, "y") || !integer(env, argv[4], &offB) || !floatArray(env, argv[5], &out, &outLen, "out"))
    return nullptr;
  // the dims twice, with each operand's strides: view6 reads (dims, strides) as 12 consecutive arguments
  napi_value va[12], vb[12];
  for (int d = 0; d < 6; d++) {
    va[d] = vb[d] = argv[6 + d];
    va[6 + d] = argv[12 + d];
    vb[6 + d] = argv[18 + d];
  }
  if (op < 0 || op > 11) {
    rangeError(env, "binary");
    return nullptr;
  }
  if (!view6(env, va, offA, xLen, dims, sa, &count, "binary") || !view6(env, vb, offB, yLen, dimsB, sb, &countB, "binary")) return nullptr;
  if (count > static_cast<int64_t>(outLen)) {
    rangeError(env, "binary");
    return nullptr;
  }
  if (count > 0) llmcore::binary6(static_cast<int>(op), x, static_cast<long>(offA), y, static_cast<long>(offB), dims, sa, sb, out);
  return nullptr;
}

// relu(x, g | null, out)
napi_value Relu(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!args(env, info, 3, argv, "relu")) return nullptr;
  float *x, *g, *out;
  size_t xLen, gLen, outLen;
  if (!floatArray(env, argv[0], &x, &xLen, "x") || !optionalFloatArray(env, argv[1], &g, &gLen, "g") || !floatArray(env, argv[2], &out, &outLen, "out"))
    return nullptr;
  if (outLen < xLen || (g && gLen < xLen)) {
    rangeError(env, "relu");
    return nullptr;
  }
  llmcore::relu(x, g, out, static_cast<long>(xLen));
  return nullptr;
}

// softmax(x, g | null, rows, cols, out, log): with g, x is the forward's output y
napi_value Softmax(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  if (!args(env, info, 6, argv, "softmax")) return nullptr;
  float *x, *g, *out;
  size_t xLen, gLen, outLen;
  int64_t rows, cols;
  bool log = false;
  if (!floatArray(env, argv[0], &x, &xLen, "x") || !optionalFloatArray(env, argv[1], &g, &gLen, "g") || !integer(env, argv[2], &rows) ||
      !integer(env, argv[3], &cols) || !floatArray(env, argv[4], &out, &outLen, "out") || !check(env, napi_get_value_bool(env, argv[5], &log)))
    return nullptr;
  const int64_t n = rows * cols;
  if (rows < 0 || cols < 0 || n > static_cast<int64_t>(xLen) || n > static_cast<int64_t>(outLen) || (g && n > static_cast<int64_t>(gLen))) {
    rangeError(env, "softmax");
    return nullptr;
  }
  if (n > 0) llmcore::softmax(x, g, static_cast<long>(rows), static_cast<long>(cols), out, log);
  return nullptr;
}

// layerNorm(x, w | null, b | null, rows, cols, eps, out, mean, rstd)
napi_value LayerNorm(napi_env env, napi_callback_info info) {
  napi_value argv[9];
  if (!args(env, info, 9, argv, "layerNorm")) return nullptr;
  float *x, *w, *b, *out, *mean, *rstd;
  size_t xLen, wLen, bLen, outLen, meanLen, rstdLen;
  int64_t rows, cols;
  double eps;
  if (!floatArray(env, argv[0], &x, &xLen, "x") || !optionalFloatArray(env, argv[1], &w, &wLen, "weight") ||
      !optionalFloatArray(env, argv[2], &b, &bLen, "bias") || !integer(env, argv[3], &rows) || !integer(env, argv[4], &cols) ||
      !number(env, argv[5], &eps) || !floatArray(env, argv[6], &out, &outLen, "out") || !floatArray(env, argv[7], &mean, &meanLen, "mean") ||
      !floatArray(env, argv[8], &rstd, &rstdLen, "rstd"))
    return nullptr;
  const int64_t n = rows * cols;
  if (rows < 0 || cols < 1 || n > static_cast<int64_t>(xLen) || n > static_cast<int64_t>(outLen) || rows > static_cast<int64_t>(meanLen) ||
      rows > static_cast<int64_t>(rstdLen) || (w && cols > static_cast<int64_t>(wLen)) || (b && cols > static_cast<int64_t>(bLen))) {
    rangeError(env, "layerNorm");
    return nullptr;
  }
  llmcore::layerNorm(x, w, b, static_cast<long>(rows), static_cast<long>(cols), eps, out, mean, rstd);
  return nullptr;
}

// layerNormBackward(x, w | null, mean, rstd, g, rows, cols, dx, dw | null, db | null)
napi_value LayerNormBackward(napi_env env, napi_callback_info info) {
  napi_value argv[10];
  if (!args(env, info, 10, argv, "layerNormBackward")) return nullptr;
  float *x, *w, *mean, *rstd, *g, *dx, *dw, *db;
  size_t xLen, wLen, meanLen, rstdLen, gLen, dxLen, dwLen, dbLen;
  int64_t rows, cols;
  if (!floatArray(env, argv[0], &x, &xLen, "x") || !optionalFloatArray(env, argv[1], &w, &wLen, "weight") ||
      !floatArray(env, argv[2], &mean, &meanLen, "mean") || !floatArray(env, argv[3], &rstd, &rstdLen, "rstd") ||
      !floatArray(env, argv[4], &g, &gLen, "g") || !integer(env, argv[5], &rows) || !integer(env, argv[6], &cols) ||
      !floatArray(env, argv[7], &dx, &dxLen, "dx") || !optionalFloatArray(env, argv[8], &dw, &dwLen, "dweight") ||
      !optionalFloatArray(env, argv[9], &db, &dbLen, "dbias"))
    return nullptr;
  const int64_t n = rows * cols;
  if (rows < 0 || cols < 1 || n > static_cast<int64_t>(xLen) || n > static_cast<int64_t>(gLen) || n > static_cast<int64_t>(dxLen) ||
      rows > static_cast<int64_t>(meanLen) || rows > static_cast<int64_t>(rstdLen) || (w && cols > static_cast<int64_t>(wLen)) ||
      (dw && cols > static_cast<int64_t>(dwLen)) || (db && cols > static_cast<int64_t>(dbLen))) {
    rangeError(env, "layerNormBackward");
    return nullptr;
  }
  llmcore::layerNormBackward(x, w, mean, rstd, g, static_cast<long>(rows), static_cast<long>(cols), dx, dw, db);
  return nullptr;
}

// reduce(op, x, outer, mid, inner, out): op 0 sum, 1 max, 2 min
napi_value Reduce(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  if (!args(env, info, 6, argv, "reduce")) return nullptr;
  int64_t op, outer, mid, inner;
  float *x, *out;
  size_t xLen, outLen;
  if (!integer(env, argv[0], &op) || !floatArray(env, argv[1], &x, &xLen, "x") || !integer(env, argv[2], &outer) || !integer(env, argv[3], &mid) ||
      !integer(env, argv[4], &inner) || !floatArray(env, argv[5], &out, &outLen, "out"))
    return nullptr;
  if (op < 0 || op > 2 || outer < 0 || mid < 0 || inner < 0 || outer * mid * inner > static_cast<int64_t>(xLen) ||
      outer * inner > static_cast<int64_t>(outLen)) {
    rangeError(env, "reduce");
    return nullptr;
  }
  llmcore::reduce(static_cast<int>(op), x, static_cast<long>(outer), static_cast<long>(mid), static_cast<long>(inner), out);
  return nullptr;
}

// An attention operand from (array, offset, sb, sh, row[, col]): every slice's rows inside the array.
bool attentionOperand(napi_env env, napi_value* argv, bool withCol, long n, long heads, long rows, long cols, llmcore::AttentionOperand* x,
                      const char* name, const char* fn) {
  float* p;
  size_t len;
  if (!floatArray(env, argv[0], &p, &len, name)) return false;
  int64_t v[5] = {0, 0, 0, 0, 1};
  for (int i = 0; i < (withCol ? 5 : 4); i++)
    if (!integer(env, argv[1 + i], &v[i])) return false;
  const int64_t offset = v[0], sb = v[1], sh = v[2], row = v[3], col = v[4];
  // strides may be 0 (broadcast) but not negative: then the furthest element read is the last of the last slice
  const int64_t batches = heads > 0 ? (n + heads - 1) / heads : 0;
  const int64_t reach = n == 0 || rows == 0 || cols == 0
      ? 0
      : offset + (batches - 1) * sb + (std::min<int64_t>(heads, n) - 1) * sh + (rows - 1) * row + (cols - 1) * col + 1;
  if (offset < 0 || sb < 0 || sh < 0 || row < 0 || col < 0 || reach > static_cast<int64_t>(len)) return rangeError(env, fn);
  *x = llmcore::AttentionOperand{p + offset, static_cast<long>(sb), static_cast<long>(sh), static_cast<long>(row), static_cast<long>(col)};
  return true;
}

// The operands shared by attention and attentionBackward, from argv[0]: sizes (n, heads, t, s, d, dv, scale), then
// q, k, v as (array, offset, sb, sh, row), the mask as (array | null, offset, sb, sh, row, col), drop (array | null).
bool attentionArgs(napi_env env, napi_value* argv, llmcore::AttentionArgs* a, const char* fn) {
  int64_t x[6];
  for (int i = 0; i < 6; i++)
    if (!integer(env, argv[i], &x[i])) return false;
  double scale;
  if (!number(env, argv[6], &scale)) return false;
  const long n = x[0], heads = x[1], t = x[2], s = x[3], d = x[4], dv = x[5];
  if (n < 0 || heads < 1 || t < 0 || s < 0 || d < 0 || dv < 0) return rangeError(env, fn);
  *a = llmcore::AttentionArgs{};
  if (!attentionOperand(env, argv + 7, false, n, heads, t, d, &a->q, "q", fn) || !attentionOperand(env, argv + 12, false, n, heads, s, d, &a->k, "k", fn) ||
      !attentionOperand(env, argv + 17, false, n, heads, s, dv, &a->v, "v", fn))
    return false;
  napi_valuetype maskType;
  if (!check(env, napi_typeof(env, argv[22], &maskType))) return false;
  if (maskType != napi_null && maskType != napi_undefined && !attentionOperand(env, argv + 22, true, n, heads, t, s, &a->mask, "mask", fn)) return false;
  float* drop;
  size_t dropLen;
  if (!optionalFloatArray(env, argv[28], &drop, &dropLen, "drop")) return false;
  if (drop && static_cast<int64_t>(dropLen) < static_cast<int64_t>(n) * t * s) return rangeError(env, fn);
  a->drop = drop;
  a->n = n, a->heads = heads, a->t = t, a->s = s, a->d = d, a->dv = dv, a->scale = static_cast<float>(scale);
  return true;
}

constexpr int ATTENTION_ARGS = 29;

// attention(…the 29 operand arguments of attentionArgs, out, probs, dropped | null)
napi_value Attention(napi_env env, napi_callback_info info) {
  napi_value argv[ATTENTION_ARGS + 3];
  if (!args(env, info, ATTENTION_ARGS + 3, argv, "attention")) return nullptr;
  llmcore::AttentionArgs a;
  if (!attentionArgs(env, argv, &a, "attention")) return nullptr;
  float *out, *probs, *dropped;
  size_t outLen, pLen, dLen;
  napi_value* r = argv + ATTENTION_ARGS;
  if (!floatArray(env, r[0], &out, &outLen, "out") || !floatArray(env, r[1], &probs, &pLen, "probs") ||
      !optionalFloatArray(env, r[2], &dropped, &dLen, "dropped"))
    return nullptr;
  const int64_t scores = static_cast<int64_t>(a.n) * a.t * a.s;
  if (static_cast<int64_t>(outLen) < static_cast<int64_t>(a.n) * a.t * a.dv || static_cast<int64_t>(pLen) < scores ||
      (a.drop && (!dropped || static_cast<int64_t>(dLen) < scores))) {
    rangeError(env, "attention");
    return nullptr;
  }
  llmcore::attention(a, out, probs, dropped);
  return nullptr;
}

// attentionBackward(…the 29 operand arguments of attentionArgs, probs, gOut | null, gWeights | null, dq, dk, dv | null)
napi_value AttentionBackward(napi_env env, napi_callback_info info) {
  napi_value argv[ATTENTION_ARGS + 6];
  if (!args(env, info, ATTENTION_ARGS + 6, argv, "attentionBackward")) return nullptr;
  llmcore::AttentionArgs a;
  if (!attentionArgs(env, argv, &a, "attentionBackward")) return nullptr;
  float *probs, *gOut, *gW, *dq, *dk, *dv;
  size_t pLen, goLen, gwLen, dqLen, dkLen, dvLen;
  napi_value* r = argv + ATTENTION_ARGS;
  if (!floatArray(env, r[0], &probs, &pLen, "probs") || !optionalFloatArray(env, r[1], &gOut, &goLen, "gOut") ||
      !optionalFloatArray(env, r[2], &gW, &gwLen, "gWeights") || !floatArray(env, r[3], &dq, &dqLen, "dq") ||
      !floatArray(env, r[4], &dk, &dkLen, "dk") || !optionalFloatArray(env, r[5], &dv, &dvLen, "dv"))
    return nullptr;
  const int64_t n = a.n, scores = n * a.t * a.s;
  if (static_cast<int64_t>(pLen) < scores || (gOut && static_cast<int64_t>(goLen) < n * a.t * a.dv) || (gW && static_cast<int64_t>(gwLen) < scores) ||
      static_cast<int64_t>(dqLen) < n * a.t * a.d || static_cast<int64_t>(dkLen) < n * a.s * a.d ||
      (gOut && (!dv || static_cast<int64_t>(dvLen) < n * a.s * a.dv))) {
    rangeError(env, "attentionBackward");
    return nullptr;
  }
  llmcore::attentionBackward(a, {probs, gOut, gW, dq, dk, gOut ? dv : nullptr});
  return nullptr;
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int64_t n = 1;
  if (!check(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr))) return nullptr;
  if (argc < 1 || !integer(env, argv[0], &n)) return nullptr;
  napi_value result;
  napi_create_int32(env, llmcore::setGemmThreads(static_cast<int>(n)), &result);
  return result;
}

napi_value SetTile(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int64_t choice = -1;
  if (!check(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr))) return nullptr;
  if (argc < 1 || !integer(env, argv[0], &choice)) return nullptr;
  napi_value result;
  napi_create_int32(env, llmcore::setGemmTile(static_cast<int>(choice)), &result);
  return result;
}

napi_value Threads(napi_env env, napi_callback_info) {
  napi_value result;
  napi_create_int32(env, llmcore::gemmThreads(), &result);
  return result;
}

// Large Float32Arrays come and go every training step (a 1024 x 4000 logits block is 16 MB). glibc serves
// blocks above its mmap threshold with fresh pages — a page fault per 4 KiB on first touch, expensive in
// a virtual machine — and returns free memory at the top of its heap to the system at once; both are
// paid again every step. Keeping blocks up to 128 MiB in the heap and up to 256 MiB free before trimming
// made the W3-rnn step about 1.12x faster (median step, three alternated runs each of
// `bench/profile-step.ts rnn` with LLMCORE_MALLOC_TUNING=1 and 0: 50-59 vs 57-68 ms) and left the
// translator's step as it was. Where the user set glibc's own variables, or LLMCORE_MALLOC_TUNING=0,
// nothing is changed.
void tuneMalloc() {
#ifdef __GLIBC__
  const char* off = std::getenv("LLMCORE_MALLOC_TUNING");
  if ((off && std::string(off) == "0") || std::getenv("MALLOC_MMAP_THRESHOLD_") || std::getenv("MALLOC_TRIM_THRESHOLD_")) return;
  mallopt(M_MMAP_THRESHOLD, 128 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}

napi_value Init(napi_env env, napi_value exports) {
  tuneMalloc();
  napi_value supported;
  napi_get_boolean(env, llmcore::gemmSupported(), &supported);
  napi_set_named_property(env, exports, "supported", supported);
  const napi_property_descriptor props[] = {
      {"sgemm", nullptr, Sgemm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setTile", nullptr, SetTile, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"threads", nullptr, Threads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"copyStrided", nullptr, CopyStrided, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"addIntoStrided", nullptr, AddIntoStrided, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adam", nullptr, Adam, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"crossEntropy", nullptr, CrossEntropy, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"crossEntropyBackward", nullptr, CrossEntropyBackward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"geluTanh", nullptr, GeluTanh, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"dropout", nullptr, Dropout, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"relu", nullptr, Relu, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"softmax", nullptr, Softmax, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"layerNorm", nullptr, LayerNorm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"layerNormBackward", nullptr, LayerNormBackward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"attention", nullptr, Attention, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"attentionBackward", nullptr, AttentionBackward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reduce", nullptr, Reduce, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
