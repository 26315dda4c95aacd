// core/cuda/matmul.cu - batched matrix product on the GPU: the classic shared-memory
// tiled kernel (each 16x16 block of threads computes one 16x16 tile of out, staging
// 16-wide slabs of A and B in shared memory). Not cuBLAS and not tuned: it is the
// readable baseline. Twin: core/cpu/matmul.cpp.
#include "core/cuda/cuda_check.h"
#include "core/cuda/kernels.h"

namespace sl::cuda {

namespace {

constexpr int kTile = 16;

// out [B, M, N] (=|+=) op(a) [B, M, K] @ op(b) [B, K, N]. Thread (ty, tx) owns
// out[row, col]; blockIdx.z walks the batch with a stride (grids stop at 65535 in z).
__global__ void matmul_kernel(float* out, const float* a, const float* b, MatmulShape s,
                              int64_t b_stride) {
  __shared__ float a_tile[kTile][kTile];
  __shared__ float b_tile[kTile][kTile + 1];  // +1: no bank conflicts on column reads
  int ty = threadIdx.y, tx = threadIdx.x;
  int64_t row = (int64_t)blockIdx.y * kTile + ty, col = (int64_t)blockIdx.x * kTile + tx;
  for (int64_t batch = blockIdx.z; batch < s.B; batch += gridDim.z) {
    const float* ab = a + batch * s.M * s.K;
    const float* bb = b + batch * b_stride;
    float sum = 0.f;
    for (int64_t k0 = 0; k0 < s.K; k0 += kTile) {
      int64_t ka = k0 + tx, kb = k0 + ty;  // A(row, ka) and B(kb, col)
      a_tile[ty][tx] =
          row < s.M && ka < s.K ? (s.trans_a ? ab[ka * s.M + row] : ab[row * s.K + ka]) : 0.f;
      b_tile[ty][tx] =
          kb < s.K && col < s.N ? (s.trans_b ? bb[col * s.K + kb] : bb[kb * s.N + col]) : 0.f;
      __syncthreads();
      for (int k = 0; k < kTile; ++k) sum += a_tile[ty][k] * b_tile[k][tx];
      __syncthreads();
    }
    if (row < s.M && col < s.N) {
      float* o = out + batch * s.M * s.N + row * s.N + col;
      *o = s.accumulate ? *o + sum : sum;
    }
  }
}

}  // namespace

// out [B, M, N] = op(a) [B, M, K] @ op(b) [B, K, N]; b_batch_stride -1 means K*N, 0 broadcasts b.
void matmul(float* out, const float* a, const float* b, const MatmulShape& s) {
  if (s.B <= 0 || s.M <= 0 || s.N <= 0) return;
  int64_t b_stride = s.b_batch_stride < 0 ? s.K * s.N : s.b_batch_stride;
  int64_t tiles_m = (s.M + kTile - 1) / kTile, tiles_n = (s.N + kTile - 1) / kTile;
  SL_CHECK(tiles_m <= 65535, "cuda matmul: M = ", s.M, " exceeds the kernel's grid (at most ",
           65535 * kTile, " rows); split the product");
  dim3 grid((unsigned)tiles_n, (unsigned)tiles_m, (unsigned)std::min<int64_t>(s.B, 65535));
  matmul_kernel<<<grid, dim3(kTile, kTile)>>>(out, a, b, s, b_stride);
  SL_CUDA_LAUNCHED("matmul_kernel");
}

}  // namespace sl::cuda
