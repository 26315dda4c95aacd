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
};

void gemm(const GemmArgs& g);

}  // namespace sl::cpu
