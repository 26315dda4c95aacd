// core/cpu/matmul.cpp - batched matrix product on the CPU: the shared cache-blocked
// GEMM (declared in core/cpu/gemm.h), the parallel `matmul` kernel built on it, and its
// triple-loop reference twin. Not here: autograd (core/ops_matmul.cpp) or convolution
// (core/cpu/conv2d.cpp calls gemm()). CUDA twin: core/cuda/matmul.cu.
//
// [SECTION] packing       copy A and B panels into the order the micro-kernel reads
// [SECTION] micro-kernel  one MR x NR tile of C held in registers
// [SECTION] gemm          the blocked loops around it (BLIS order: jc, pc, ic, jr, ir)
// [SECTION] matmul        the backend entry and its reference twin
#include <omp.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/cpu/gemm.h"
#include "core/cpu/kernels.h"

namespace sl::cpu {

namespace {

// Register tile MR x NR: 6 rows x 16 columns = 12 AVX2 accumulators (8 floats each), which
// leaves room for two B vectors and one broadcast A value. AVX-512 holds a 16-float row in
// one register, so 6 x 16 would be only 6 accumulators: too few to hide the FMA latency
// (2 units x 4 cycles = 8 in flight). There the tile is 12 x 16: 12 accumulators of 32
// registers. The tile shape changes no result: every C value still adds its k terms in
// order. Cache blocks: an MC x KC slab of A stays in L2, a KC x NC slab of B in L3, one
// KC x NR sliver of B in L1.
#if defined(__AVX512F__)
constexpr int64_t MR = 12, NR = 16;
#else
constexpr int64_t MR = 6, NR = 16;
#endif
constexpr int64_t MC = 96, KC = 256, NC = 2048;

// [SECTION] packing ------------------------------------------------------------------

// A rows [0, mc) x cols [0, kc) (already offset) -> slivers of MR rows, each stored
// k-major: ap[s*kc*MR + k*MR + i] = A(s*MR + i, k); rows past mc are zero.
void pack_a(float* ap, const float* a, int64_t lda, bool trans, int64_t mc, int64_t kc) {
  for (int64_t s = 0; s < mc; s += MR) {
    int64_t rows = std::min(MR, mc - s);
    for (int64_t k = 0; k < kc; ++k) {
      float* dst = ap + k * MR;
      for (int64_t i = 0; i < rows; ++i) dst[i] = trans ? a[k * lda + s + i] : a[(s + i) * lda + k];
      for (int64_t i = rows; i < MR; ++i) dst[i] = 0.f;
    }
    ap += kc * MR;
  }
}

// B rows [0, kc) x cols [0, nc) (already offset) -> slivers of NR columns, each stored
// k-major: bp[s*kc*NR + k*NR + j] = B(k, s*NR + j); columns past nc are zero.
void pack_b(float* bp, const float* b, int64_t ldb, bool trans, int64_t kc, int64_t nc) {
  for (int64_t s = 0; s < nc; s += NR) {
    int64_t cols = std::min(NR, nc - s);
    for (int64_t k = 0; k < kc; ++k) {
      float* dst = bp + k * NR;
      if (!trans && cols == NR) {
        std::memcpy(dst, b + k * ldb + s, NR * sizeof(float));
        continue;
      }
      for (int64_t j = 0; j < cols; ++j) dst[j] = trans ? b[(s + j) * ldb + k] : b[k * ldb + s + j];
      for (int64_t j = cols; j < NR; ++j) dst[j] = 0.f;
    }
    bp += kc * NR;
  }
}

// [SECTION] micro-kernel -------------------------------------------------------------

// c[0:mr, 0:nr] (=|+=) sum_k ap[k, 0:MR] (outer) bp[k, 0:NR], where row k of B starts
// at bp + k * ldbk (NR for a packed sliver, B's own row stride when read in place). The fixed-size
// accumulator and loops let the compiler keep acc in vector registers; the unroll and
// simd pragmas are what make GCC do so (without them it spills acc to the stack and
// runs about 30x slower: measured 2 vs 60 GFLOP/s on one AVX2 core).
void micro_kernel(int64_t kc, const float* __restrict ap, const float* __restrict bp, int64_t ldbk,
                  float* c, int64_t ldc, int64_t mr, int64_t nr, bool add) {
  float acc[MR][NR] = {};
  for (int64_t k = 0; k < kc; ++k) {
    const float* a = ap + k * MR;
    const float* b = bp + k * ldbk;
#pragma GCC unroll 12
    for (int64_t i = 0; i < MR; ++i)
#pragma omp simd
      for (int64_t j = 0; j < NR; ++j) acc[i][j] += a[i] * b[j];
  }
  if (mr == MR && nr == NR) {
    for (int64_t i = 0; i < MR; ++i)
      for (int64_t j = 0; j < NR; ++j)
        c[i * ldc + j] = add ? c[i * ldc + j] + acc[i][j] : acc[i][j];
    return;
  }
  for (int64_t i = 0; i < mr; ++i)
    for (int64_t j = 0; j < nr; ++j) c[i * ldc + j] = add ? c[i * ldc + j] + acc[i][j] : acc[i][j];
}

// Packing buffers, one pair per thread, grown once and then reused by every call.
struct PackScratch {
  std::vector<float> a = std::vector<float>(MC * KC);
  std::vector<float> b;
};

}  // namespace

// [SECTION] gemm ---------------------------------------------------------------------

void gemm(const GemmArgs& g) {
  if (g.M <= 0 || g.N <= 0) return;
  if (g.K <= 0) {
    if (!g.accumulate)
      for (int64_t i = 0; i < g.M; ++i) std::fill(g.c + i * g.ldc, g.c + i * g.ldc + g.N, 0.f);
    return;
  }
  const int64_t m_packed = (g.M + MR - 1) / MR * MR;  // rows of A packed, whole tiles
  thread_local PackScratch scratch;
  int64_t nc_max = std::min(NC, (g.N + NR - 1) / NR * NR);
  if ((int64_t)scratch.b.size() < KC * nc_max) scratch.b.resize(KC * nc_max);
  float* ap = scratch.a.data();
  float* bp = scratch.b.data();

  // B read in place: when B is row-major (not trans_b) and A fits one MC block, each KC x NR
  // sliver of B is used by one sweep of at most MC / MR micro-tiles right after it is first
  // read, so packing it (a full copy of B, as much memory traffic as the product itself when
  // M is small, as in a grouped 1x1 convolution) buys nothing. Only a ragged last sliver
  // (fewer than NR columns) is still packed, with zeros past the edge.
  const bool b_in_place = !g.trans_b && g.M <= MC;
  for (int64_t jc = 0; jc < g.N; jc += NC) {
    int64_t nc = std::min(NC, g.N - jc);
    for (int64_t pc = 0; pc < g.K; pc += KC) {
      int64_t kc = std::min(KC, g.K - pc);
      bool add = g.accumulate || pc > 0;
      const float* b = g.trans_b ? g.b + jc * g.ldb + pc : g.b + pc * g.ldb + jc;
      const int64_t full = nc / NR * NR;  // columns in whole slivers
      if (!b_in_place)
        pack_b(bp, b, g.ldb, g.trans_b, kc, nc);
      else if (full < nc)
        pack_b(bp + full * kc, b + full, g.ldb, false, kc, nc - full);
      for (int64_t ic = 0; ic < g.M; ic += MC) {
        int64_t mc = std::min(MC, g.M - ic);
        const float* a = g.trans_a ? g.a + pc * g.lda + ic : g.a + ic * g.lda + pc;
        const float* apc = ap;
        if (g.a_packed)  // the layout of gemm_pack_a
          apc = g.a_packed + pc * m_packed + ic * kc;
        else
          pack_a(ap, a, g.lda, g.trans_a, mc, kc);
        for (int64_t jr = 0; jr < nc; jr += NR) {
          const bool direct = b_in_place && jr < full;
          const float* bs = direct ? b + jr : bp + jr * kc;
          for (int64_t ir = 0; ir < mc; ir += MR)
            micro_kernel(kc, apc + ir * kc, bs, direct ? g.ldb : NR,
                         g.c + (ic + ir) * g.ldc + jc + jr, g.ldc, std::min(MR, mc - ir),
                         std::min(NR, nc - jr), add);
        }
      }
    }
  }
}

int64_t gemm_packed_a_size(int64_t M, int64_t K) { return (M + MR - 1) / MR * MR * K; }

// MC is a multiple of MR, so the M blocks before ic hold exactly ic packed rows.
void gemm_pack_a(float* ap, const GemmArgs& g) {
  const int64_t m_packed = (g.M + MR - 1) / MR * MR;
  for (int64_t pc = 0; pc < g.K; pc += KC) {
    const int64_t kc = std::min(KC, g.K - pc);
    for (int64_t ic = 0; ic < g.M; ic += MC) {
      const float* a = g.trans_a ? g.a + pc * g.lda + ic : g.a + ic * g.lda + pc;
      pack_a(ap + pc * m_packed + ic * kc, a, g.lda, g.trans_a, std::min(MC, g.M - ic), kc);
    }
  }
}
static_assert(MC % MR == 0, "gemm_pack_a's layout needs whole register tiles per M block");

// [SECTION] matmul -------------------------------------------------------------------

// out [B, M, N] = op(a) [B, M, K] @ op(b) [B, K, N]. Work is cut into (batch, row
// block, column block) tiles, each an independent gemm() call, so that small batches
// of large matrices and large batches of small ones both keep every thread busy.
void matmul(float* out, const float* a, const float* b, const MatmulShape& s) {
  int64_t b_stride = s.b_batch_stride < 0 ? s.K * s.N : s.b_batch_stride;
  int64_t threads = omp_get_max_threads();
  int64_t m_blk = MC, n_blk = NC;
  // Too few tiles to go round: cut rows, then columns, finer (keeping whole register tiles).
  auto tiles = [&] { return s.B * ((s.M + m_blk - 1) / m_blk) * ((s.N + n_blk - 1) / n_blk); };
  while (tiles() < 2 * threads && m_blk > MR && s.M > m_blk / 2)
    m_blk = std::max(MR, m_blk / 2 / MR * MR);
  while (tiles() < 2 * threads && n_blk > 4 * NR && s.N > n_blk / 2) n_blk /= 2;
  int64_t mt = (s.M + m_blk - 1) / m_blk, nt = (s.N + n_blk - 1) / n_blk;
  int64_t total = s.B * mt * nt;
  bool parallel = total > 1 && s.B * s.M * s.N * s.K > (1 << 15);

  // static: see scratch() in core/cpu/kernel_helpers.h
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t t = 0; t < total; ++t) {
    int64_t bi = t / (mt * nt), mi = (t / nt) % mt * m_blk, ni = t % nt * n_blk;
    int64_t m = std::min(m_blk, s.M - mi), n = std::min(n_blk, s.N - ni);
    const float* ab = a + bi * s.M * s.K;
    const float* bb = b + bi * b_stride;
    GemmArgs g{.M = m,
               .N = n,
               .K = s.K,
               .a = s.trans_a ? ab + mi : ab + mi * s.K,
               .lda = s.trans_a ? s.M : s.K,
               .trans_a = s.trans_a,
               .b = s.trans_b ? bb + ni * s.K : bb + ni,
               .ldb = s.trans_b ? s.K : s.N,
               .trans_b = s.trans_b,
               .c = out + bi * s.M * s.N + mi * s.N + ni,
               .ldc = s.N,
               .accumulate = s.accumulate};
    gemm(g);
  }
}

// out [B, M, N] = op(a) [B, M, K] @ op(b) [B, K, N], the spec:
// out[b, i, j] (=|+=) sum_k A(b, i, k) * B(b, k, j), one element at a time.
void matmul_reference(float* out, const float* a, const float* b, const MatmulShape& s) {
  int64_t b_stride = s.b_batch_stride < 0 ? s.K * s.N : s.b_batch_stride;
  for (int64_t bi = 0; bi < s.B; ++bi) {
    const float* ab = a + bi * s.M * s.K;
    const float* bb = b + bi * b_stride;
    for (int64_t i = 0; i < s.M; ++i)
      for (int64_t j = 0; j < s.N; ++j) {
        float sum = 0.f;
        for (int64_t k = 0; k < s.K; ++k) {
          float av = s.trans_a ? ab[k * s.M + i] : ab[i * s.K + k];
          float bv = s.trans_b ? bb[j * s.K + k] : bb[k * s.N + j];
          sum += av * bv;
        }
        float& o = out[bi * s.M * s.N + i * s.N + j];
        o = s.accumulate ? o + sum : sum;
      }
  }
}

}  // namespace sl::cpu
