// f32 matmul: packed, cache-blocked, register-tiled with 128-bit SIMD (GotoBLAS / BLIS loop order).
//
// out(batch, m, n) (+)= op(A)(m, k) · op(B)(k, n). Every transpose variant is absorbed by the packing
// routines, so the micro-kernel always reads the same layout and all four variants run at the same speed:
//   packed A: panels of MR rows, each stored p-major: [p][r]   (MR floats per step of k)
//   packed B: panels of NR columns, each stored p-major: [p][c] (NR floats per step of k)
// Pointers are byte addresses in linear memory; sizes and strides are in elements.

// Register tile: MR rows x NR columns = 4 x 8 floats = 8 v128 accumulators, which with the two B
// vectors, one A broadcast and one product temporary fits x64's 16 xmm registers (V8 keeps one).
export const MR: i32 = 4;
export const NR: i32 = 8;
// Cache blocks: a KC-long A micro-panel (4 KiB) and B micro-panel (8 KiB) sit in L1, the MC x KC
// block of A (128 KiB) in L2, and the KC x NC block of B in L2/L3.
export const KC: i32 = 256;
export const MC: i32 = 128;
export const NC: i32 = 2048;

/** Bytes of scratch `matmul` needs: packed A block, packed B block, one edge tile. */
export function matmulScratchBytes(): i32 {
  return (MC * KC + KC * NC + MR * NR) * 4 + 64;
}

// ---- packing -------------------------------------------------------------------------------

// A stored (m, k) row-major, rows i0.., columns p0..; mc rows, kc columns.
function packA(a: usize, lda: i32, i0: i32, p0: i32, mc: i32, kc: i32, dst: usize): void {
  let ir = 0;
  for (; ir + MR <= mc; ir += MR) {
    const r0 = a + ((<usize>(i0 + ir) * lda + p0) << 2);
    const r1 = r0 + (<usize>lda << 2);
    const r2 = r1 + (<usize>lda << 2);
    const r3 = r2 + (<usize>lda << 2);
    let p = 0;
    // 4x4 transposes: four rows x four steps of k at a time
    for (; p + 4 <= kc; p += 4) {
      const off = <usize>p << 2;
      const x0 = v128.load(r0 + off);
      const x1 = v128.load(r1 + off);
      const x2 = v128.load(r2 + off);
      const x3 = v128.load(r3 + off);
      const t0 = i32x4.shuffle(x0, x1, 0, 4, 1, 5);
      const t1 = i32x4.shuffle(x2, x3, 0, 4, 1, 5);
      const t2 = i32x4.shuffle(x0, x1, 2, 6, 3, 7);
      const t3 = i32x4.shuffle(x2, x3, 2, 6, 3, 7);
      v128.store(dst, i64x2.shuffle(t0, t1, 0, 2));
      v128.store(dst, i64x2.shuffle(t0, t1, 1, 3), 16);
      v128.store(dst, i64x2.shuffle(t2, t3, 0, 2), 32);
      v128.store(dst, i64x2.shuffle(t2, t3, 1, 3), 48);
      dst += 64;
    }
    for (; p < kc; p++) {
      const off = <usize>p << 2;
      store<f32>(dst, load<f32>(r0 + off));
      store<f32>(dst, load<f32>(r1 + off), 4);
      store<f32>(dst, load<f32>(r2 + off), 8);
      store<f32>(dst, load<f32>(r3 + off), 12);
      dst += 16;
    }
  }
  if (ir < mc) {
    const rows = mc - ir;
    for (let p = 0; p < kc; p++) {
      for (let r = 0; r < MR; r++) {
        const v: f32 = r < rows ? load<f32>(a + ((<usize>(i0 + ir + r) * lda + p0 + p) << 2)) : 0;
        store<f32>(dst + (<usize>r << 2), v);
      }
      dst += MR << 2;
    }
  }
}

// A stored (k, m) row-major (read transposed): each step of k is already contiguous over rows.
function packAT(a: usize, lda: i32, i0: i32, p0: i32, mc: i32, kc: i32, dst: usize): void {
  let ir = 0;
  for (; ir + MR <= mc; ir += MR) {
    let src = a + ((<usize>p0 * lda + i0 + ir) << 2);
    const step = <usize>lda << 2;
    for (let p = 0; p < kc; p++) {
      v128.store(dst, v128.load(src));
      src += step;
      dst += MR << 2;
    }
  }
  if (ir < mc) {
    const rows = mc - ir;
    for (let p = 0; p < kc; p++) {
      const src = a + ((<usize>(p0 + p) * lda + i0 + ir) << 2);
      for (let r = 0; r < MR; r++) store<f32>(dst + (<usize>r << 2), r < rows ? load<f32>(src + (<usize>r << 2)) : <f32>0);
      dst += MR << 2;
    }
  }
}

// B stored (k, n) row-major: each step of k is contiguous over columns.
function packB(b: usize, ldb: i32, p0: i32, j0: i32, kc: i32, nc: i32, dst: usize): void {
  let jr = 0;
  for (; jr + NR <= nc; jr += NR) {
    let src = b + ((<usize>p0 * ldb + j0 + jr) << 2);
    const step = <usize>ldb << 2;
    for (let p = 0; p < kc; p++) {
      v128.store(dst, v128.load(src));
      v128.store(dst, v128.load(src, 16), 16);
      src += step;
      dst += NR << 2;
    }
  }
  if (jr < nc) {
    const cols = nc - jr;
    for (let p = 0; p < kc; p++) {
      const src = b + ((<usize>(p0 + p) * ldb + j0 + jr) << 2);
      for (let c = 0; c < NR; c++) store<f32>(dst + (<usize>c << 2), c < cols ? load<f32>(src + (<usize>c << 2)) : <f32>0);
      dst += NR << 2;
    }
  }
}

// B stored (n, k) row-major (read transposed): 4x4 transposes of four columns x four steps of k.
function packBT(b: usize, ldb: i32, p0: i32, j0: i32, kc: i32, nc: i32, dst: usize): void {
  let jr = 0;
  const row = <usize>ldb << 2;
  for (; jr + NR <= nc; jr += NR) {
    const base = b + ((<usize>(j0 + jr) * ldb + p0) << 2);
    for (let half = 0; half < 2; half++) {
      const r0 = base + <usize>(half * 4) * row;
      const r1 = r0 + row;
      const r2 = r1 + row;
      const r3 = r2 + row;
      let d = dst + (<usize>half << 4);
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const off = <usize>p << 2;
        const x0 = v128.load(r0 + off);
        const x1 = v128.load(r1 + off);
        const x2 = v128.load(r2 + off);
        const x3 = v128.load(r3 + off);
        const t0 = i32x4.shuffle(x0, x1, 0, 4, 1, 5);
        const t1 = i32x4.shuffle(x2, x3, 0, 4, 1, 5);
        const t2 = i32x4.shuffle(x0, x1, 2, 6, 3, 7);
        const t3 = i32x4.shuffle(x2, x3, 2, 6, 3, 7);
        v128.store(d, i64x2.shuffle(t0, t1, 0, 2));
        v128.store(d, i64x2.shuffle(t0, t1, 1, 3), 32);
        v128.store(d, i64x2.shuffle(t2, t3, 0, 2), 64);
        v128.store(d, i64x2.shuffle(t2, t3, 1, 3), 96);
        d += 128;
      }
      for (; p < kc; p++) {
        const off = <usize>p << 2;
        store<f32>(d, load<f32>(r0 + off));
        store<f32>(d, load<f32>(r1 + off), 4);
        store<f32>(d, load<f32>(r2 + off), 8);
        store<f32>(d, load<f32>(r3 + off), 12);
        d += 32;
      }
    }
    dst += (<usize>kc * NR) << 2;
  }
  if (jr < nc) {
    const cols = nc - jr;
    for (let p = 0; p < kc; p++) {
      for (let c = 0; c < NR; c++) {
        const v: f32 = c < cols ? load<f32>(b + ((<usize>(j0 + jr + c) * ldb + p0 + p) << 2)) : 0;
        store<f32>(dst + (<usize>c << 2), v);
      }
      dst += NR << 2;
    }
  }
}

// ---- micro-kernel ----------------------------------------------------------------------------

// C tile (MR x NR at c, row pitch ldc bytes) = (add ? C : 0) + packedA-panel · packedB-panel.
// @inline so the accumulators live in registers of the caller's loop.
// @ts-ignore: decorator
@inline
function kernel4x8(pa: usize, pb: usize, kc: i32, c: usize, ldc: usize, add: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = f32x4.add(c00, f32x4.mul(a, b0));
    c01 = f32x4.add(c01, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 4);
    c10 = f32x4.add(c10, f32x4.mul(a, b0));
    c11 = f32x4.add(c11, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 8);
    c20 = f32x4.add(c20, f32x4.mul(a, b0));
    c21 = f32x4.add(c21, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 12);
    c30 = f32x4.add(c30, f32x4.mul(a, b0));
    c31 = f32x4.add(c31, f32x4.mul(a, b1));
    pa += 16;
    pb += 32;
  }
  if (add) {
    c00 = f32x4.add(c00, v128.load(c)); c01 = f32x4.add(c01, v128.load(c, 16)); c += ldc;
    c10 = f32x4.add(c10, v128.load(c)); c11 = f32x4.add(c11, v128.load(c, 16)); c += ldc;
    c20 = f32x4.add(c20, v128.load(c)); c21 = f32x4.add(c21, v128.load(c, 16)); c += ldc;
    c30 = f32x4.add(c30, v128.load(c)); c31 = f32x4.add(c31, v128.load(c, 16));
    c -= ldc * 3;
  }
  v128.store(c, c00); v128.store(c, c01, 16); c += ldc;
  v128.store(c, c10); v128.store(c, c11, 16); c += ldc;
  v128.store(c, c20); v128.store(c, c21, 16); c += ldc;
  v128.store(c, c30); v128.store(c, c31, 16);
}

// Runs the micro-kernel over an mc x nc block from packed panels, writing edge tiles through `tile`.
function macroKernel(pa: usize, pb: usize, mc: i32, nc: i32, kc: i32, c: usize, ldc: i32, add: bool, tile: usize): void {
  const ldcb = <usize>ldc << 2;
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = min(NR, nc - jr);
    const pbj = pb + ((<usize>jr * kc) << 2);
    for (let ir = 0; ir < mc; ir += MR) {
      const rows = min(MR, mc - ir);
      const pai = pa + ((<usize>ir * kc) << 2);
      const cij = c + ((<usize>ir * ldc + jr) << 2);
      if (rows == MR && cols == NR) {
        kernel4x8(pai, pbj, kc, cij, ldcb, add);
      } else {
        kernel4x8(pai, pbj, kc, tile, NR << 2, false);
        for (let r = 0; r < rows; r++) {
          const cr = cij + <usize>r * ldcb;
          const tr = tile + (<usize>(r * NR) << 2);
          for (let q = 0; q < cols; q++) {
            const o = <usize>q << 2;
            const v = load<f32>(tr + o);
            store<f32>(cr + o, add ? load<f32>(cr + o) + v : v);
          }
        }
      }
    }
  }
}

// ---- m = 1: vector-matrix products (decoding one token) ------------------------------------------

// c(1, n) (+)= a(k) · B(k, n), B row-major: accumulate rows of B scaled by a[p], 32 columns at a time.
function gemvN(a: usize, b: usize, c: usize, k: i32, n: i32, add: bool): void {
  const rowBytes = <usize>n << 2;
  let j = 0;
  for (; j + 32 <= n; j += 32) {
    const cj = c + (<usize>j << 2);
    let c0 = add ? v128.load(cj) : f32x4.splat(0), c1 = add ? v128.load(cj, 16) : f32x4.splat(0);
    let c2 = add ? v128.load(cj, 32) : f32x4.splat(0), c3 = add ? v128.load(cj, 48) : f32x4.splat(0);
    let c4 = add ? v128.load(cj, 64) : f32x4.splat(0), c5 = add ? v128.load(cj, 80) : f32x4.splat(0);
    let c6 = add ? v128.load(cj, 96) : f32x4.splat(0), c7 = add ? v128.load(cj, 112) : f32x4.splat(0);
    let pb = b + (<usize>j << 2);
    for (let p = 0; p < k; p++) {
      const s = v128.load32_splat(a + (<usize>p << 2));
      c0 = f32x4.add(c0, f32x4.mul(s, v128.load(pb)));
      c1 = f32x4.add(c1, f32x4.mul(s, v128.load(pb, 16)));
      c2 = f32x4.add(c2, f32x4.mul(s, v128.load(pb, 32)));
      c3 = f32x4.add(c3, f32x4.mul(s, v128.load(pb, 48)));
      c4 = f32x4.add(c4, f32x4.mul(s, v128.load(pb, 64)));
      c5 = f32x4.add(c5, f32x4.mul(s, v128.load(pb, 80)));
      c6 = f32x4.add(c6, f32x4.mul(s, v128.load(pb, 96)));
      c7 = f32x4.add(c7, f32x4.mul(s, v128.load(pb, 112)));
      pb += rowBytes;
    }
    v128.store(cj, c0); v128.store(cj, c1, 16); v128.store(cj, c2, 32); v128.store(cj, c3, 48);
    v128.store(cj, c4, 64); v128.store(cj, c5, 80); v128.store(cj, c6, 96); v128.store(cj, c7, 112);
  }
  for (; j + 4 <= n; j += 4) {
    const cj = c + (<usize>j << 2);
    let acc = add ? v128.load(cj) : f32x4.splat(0);
    let pb = b + (<usize>j << 2);
    for (let p = 0; p < k; p++) {
      acc = f32x4.add(acc, f32x4.mul(v128.load32_splat(a + (<usize>p << 2)), v128.load(pb)));
      pb += rowBytes;
    }
    v128.store(cj, acc);
  }
  for (; j < n; j++) {
    let acc: f32 = 0;
    for (let p = 0; p < k; p++) acc += load<f32>(a + (<usize>p << 2)) * load<f32>(b + ((<usize>p * n + j) << 2));
    const cj = c + (<usize>j << 2);
    store<f32>(cj, add ? load<f32>(cj) + acc : acc);
  }
}

// @ts-ignore: decorator
@inline
function hsum4(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

// c(1, n) (+)= a(k) · B(n, k)ᵀ: one dot product per row of B, four rows at a time.
function gemvT(a: usize, b: usize, c: usize, k: i32, n: i32, add: bool): void {
  const rowBytes = <usize>k << 2;
  const body = <usize>(k & ~3) << 2;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const b0 = b + <usize>j * rowBytes;
    const b1 = b0 + rowBytes;
    const b2 = b1 + rowBytes;
    const b3 = b2 + rowBytes;
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
    for (let o: usize = 0; o < body; o += 16) {
      const av = v128.load(a + o);
      s0 = f32x4.add(s0, f32x4.mul(av, v128.load(b0 + o)));
      s1 = f32x4.add(s1, f32x4.mul(av, v128.load(b1 + o)));
      s2 = f32x4.add(s2, f32x4.mul(av, v128.load(b2 + o)));
      s3 = f32x4.add(s3, f32x4.mul(av, v128.load(b3 + o)));
    }
    let r0 = hsum4(s0), r1 = hsum4(s1), r2 = hsum4(s2), r3 = hsum4(s3);
    for (let o = body; o < rowBytes; o += 4) {
      const av = load<f32>(a + o);
      r0 += av * load<f32>(b0 + o);
      r1 += av * load<f32>(b1 + o);
      r2 += av * load<f32>(b2 + o);
      r3 += av * load<f32>(b3 + o);
    }
    const cj = c + (<usize>j << 2);
    if (add) { r0 += load<f32>(cj); r1 += load<f32>(cj, 4); r2 += load<f32>(cj, 8); r3 += load<f32>(cj, 12); }
    store<f32>(cj, r0); store<f32>(cj, r1, 4); store<f32>(cj, r2, 8); store<f32>(cj, r3, 12);
  }
  for (; j < n; j++) {
    const bj = b + <usize>j * rowBytes;
    let s = f32x4.splat(0);
    for (let o: usize = 0; o < body; o += 16) s = f32x4.add(s, f32x4.mul(v128.load(a + o), v128.load(bj + o)));
    let r = hsum4(s);
    for (let o = body; o < rowBytes; o += 4) r += load<f32>(a + o) * load<f32>(bj + o);
    const cj = c + (<usize>j << 2);
    store<f32>(cj, add ? load<f32>(cj) + r : r);
  }
}

/** One product per batch; a/b/c are byte addresses, strides in elements. */
export function matmul(
  a: usize, b: usize, c: usize, batch: i32, m: i32, k: i32, n: i32,
  transA: bool, transB: bool, aBatchStride: i32, bBatchStride: i32, accumulate: bool, scratch: usize,
): void {
  matmulPart(a, b, c, m, k, n, transA, transB, aBatchStride, bBatchStride, accumulate, scratch, 0, batch, 0, m);
}

/**
 * Rows [i0, i1) of batches [b0, b1) of `matmul`'s product: how threads split one matmul (each with
 * its own scratch, all on the same shared memory).
 */
export function matmulPart(
  a: usize, b: usize, c: usize, m: i32, k: i32, n: i32,
  transA: bool, transB: bool, aBatchStride: i32, bBatchStride: i32, accumulate: bool, scratch: usize,
  b0: i32, b1: i32, i0: i32, i1: i32,
): void {
  const sA = (scratch + 63) & ~<usize>63;
  const sB = sA + ((<usize>MC * KC) << 2);
  const tile = sB + ((<usize>KC * NC) << 2);
  for (let bi = b0; bi < b1; bi++) {
    const A = a + ((<usize>bi * aBatchStride) << 2);
    const B = b + ((<usize>bi * bBatchStride) << 2);
    const C = c + ((<usize>bi * m * n) << 2);
    if (k == 0) {
      if (!accumulate) memory.fill(C + ((<usize>i0 * n) << 2), 0, (<usize>(i1 - i0) * n) << 2);
      continue;
    }
    if (m == 1) {
      // a single row (op(A) is k contiguous values either way): no packing, B is read once
      if (i0 < i1) {
        if (transB) gemvT(A, B, C, k, n, accumulate);
        else gemvN(A, B, C, k, n, accumulate);
      }
      continue;
    }
    for (let jc = 0; jc < n; jc += NC) {
      const nc = min(NC, n - jc);
      for (let pc = 0; pc < k; pc += KC) {
        const kc = min(KC, k - pc);
        if (transB) packBT(B, k, pc, jc, kc, nc, sB);
        else packB(B, n, pc, jc, kc, nc, sB);
        const add = accumulate || pc > 0;
        for (let ic = i0; ic < i1; ic += MC) {
          const mc = min(MC, i1 - ic);
          if (transA) packAT(A, m, ic, pc, mc, kc, sA);
          else packA(A, k, ic, pc, mc, kc, sA);
          macroKernel(sA, sB, mc, nc, kc, C + ((<usize>ic * n + jc) << 2), n, add, tile);
        }
      }
    }
  }
}
