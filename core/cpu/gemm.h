// core/cpu/gemm.h - the one single-threaded, cache-blocked GEMM that every CPU kernel
// with a matrix product in it calls (matmul, the 1x1 and im2col convolutions).
// Not a public API and not parallel: callers split independent outputs across
// OpenMP threads and call gemm() once per piece. Implemented in core/cpu/matmul.cpp;
// the CUDA backend has no twin of this header (core/cuda/matmul.cu is self-contained).
#pragma once
#include <cstdint>

namespace sl::cpu {

// c [M, N] (row stride ldc) = or += op(a) [M, K] @ op(b) [K, N].
// a is stored [M, K] with row stride lda, or [K, M] when trans_a;
// b is stored [K, N] with row stride ldb, or [N, K] when trans_b.
// K == 0 with accumulate == false writes zeros.
struct GemmArgs {
  int64_t M, N, K;
  const float* a;
  int64_t lda;
  bool trans_a;
  const float* b;
  int64_t ldb;
  bool trans_b;
  float* c;
  int64_t ldc;
  bool accumulate;
  // Optional: A already in the micro-kernel's order (gemm_pack_a of these a, lda, trans_a,
  // M, K), for a caller that multiplies one A by many B, as a 1x1 convolution does with a
  // group's weights for every image; null means gemm packs A itself, block by block.
  const float* a_packed = nullptr;
};

void gemm(const GemmArgs& g);

// Floats that gemm_pack_a writes for an M x K operand A.
int64_t gemm_packed_a_size(int64_t M, int64_t K);
// ap <- A (g.a, g.lda, g.trans_a, g.M, g.K) in the micro-kernel's order: every cache block
// of A packed as gemm would pack it, block (K offset pc, M offset ic) at ap + pc * Mp + ic *
// kc, where Mp is M rounded up to whole register tiles and kc the block's K extent.
void gemm_pack_a(float* ap, const GemmArgs& g);

}  // namespace sl::cpu
