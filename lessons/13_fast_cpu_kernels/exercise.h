// lessons/13_fast_cpu_kernels/exercise.h - exercise 13: the two innermost pieces of the
// cache-blocked GEMM (core/cpu/matmul.cpp), packing one sliver of A and the MR x NR
// micro-kernel. Implement both in lessons/13_fast_cpu_kernels/exercise.cpp;
// `make check-exercise N=13` checks them, then a small GEMM built from them, against
// sl::cpu::matmul_reference. Reference: lessons/13_fast_cpu_kernels/solution/exercise.cpp.
#pragma once
#include <cstdint>

// The register tile of core/cpu/matmul.cpp: 6 rows x 16 columns of C.
constexpr int64_t kMR = 6, kNR = 16;

// Rows 0 .. kMR-1 of A (row-major, row stride lda), columns k = 0 .. kc-1, packed k-major:
//   ap[k*kMR + i] = a[i*lda + k]
// so that the micro-kernel reads the kMR values of one column of A from consecutive floats.
void pack_a_sliver(float* ap, const float* a, int64_t lda, int64_t kc);

// c [kMR, kNR] (row stride ldc) = sum over k < kc of the outer product of column k of A and
// row k of B, both packed: A(i, k) = ap[k*kMR + i], B(k, j) = bp[k*kNR + j]. Overwrite c;
// leave every other float of c's rows alone (ldc may exceed kNR). Hint: keep a local
// float acc[kMR][kNR] and loop k outermost, as core/cpu/matmul.cpp's micro_kernel does.
void micro_kernel(int64_t kc, const float* ap, const float* bp, float* c, int64_t ldc);
