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
  // M, K), for a caller that multiplies one small A by many B, as a 1x1 convolution does
  // with a group's weights for every image. Used only when A is one cache block
  // (gemm_a_is_one_block); null means gemm packs A itself.
  const float* a_packed = nullptr;
};

void gemm(const GemmArgs& g);

// True when an M x K operand A fits one cache block, so that it can be packed once.
bool gemm_a_is_one_block(int64_t M, int64_t K);
// Floats that gemm_pack_a writes for an M x K operand A.
int64_t gemm_packed_a_size(int64_t M, int64_t K);
// ap <- A (g.a, g.lda, g.trans_a, g.M, g.K) in the micro-kernel's order; needs
// gemm_a_is_one_block(g.M, g.K).
void gemm_pack_a(float* ap, const GemmArgs& g);

}  // namespace sl::cpu
