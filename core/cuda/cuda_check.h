// core/cuda/cuda_check.h - CUDA plumbing shared by every core/cuda/*.cu file:
// SL_CUDA_CHECK, which turns any failed CUDA call into an sl::Error naming the call,
// the place and cudaGetErrorString; SL_CUDA_LAUNCHED, the check after every kernel launch
// (with SL_CUDA_SYNC=1 it also waits for the kernel, so a fault is reported at the kernel
// that made it); and the launch helpers (grid size, grid-stride index). Not included by
// host-only code: core/cuda/kernels.h is the public side.
#pragma once
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>

#include "core/error.h"

// SL_CUDA_CHECK(cudaMalloc(&p, bytes)). Kernels run asynchronously, so a copy can be the
// first call to see an earlier kernel's fault: the message says how to find that kernel.
#define SL_CUDA_CHECK(call)                                                                \
  do {                                                                                     \
    cudaError_t sl_err_ = (call);                                                          \
    if (sl_err_ != cudaSuccess)                                                            \
      throw ::sl::Error(::sl::str_cat("CUDA error: ", #call, " failed at ", __FILE__, ":", \
                                      __LINE__, ": ", cudaGetErrorString(sl_err_),         \
                                      ::sl::cuda::sync_hint()));                           \
  } while (0)

// After every launch: kernel<<<grid, block>>>(...); SL_CUDA_LAUNCHED("kernel");
#define SL_CUDA_LAUNCHED(kernel_name) ::sl::cuda::check_launch(kernel_name, __FILE__, __LINE__)

namespace sl::cuda {

// SL_CUDA_SYNC=1 in the environment (read once): synchronize after every launch.
bool sync_after_launch();
// "" under SL_CUDA_SYNC=1, else the advice to rerun with it (for error messages).
const char* sync_hint();
// Throws sl::Error naming `kernel` when its launch failed or, under SL_CUDA_SYNC=1, when
// it faulted while running (core/cuda/memory.cu).
void check_launch(const char* kernel, const char* file, int line);

constexpr int kThreads = 256;  // threads per block for the one-thread-per-element kernels

// Blocks for n elements at kThreads each, capped: kernels loop with a grid stride, so a
// capped grid still covers every element.
inline unsigned grid_for(int64_t n) {
  int64_t blocks = (n + kThreads - 1) / kThreads;
  return (unsigned)std::clamp<int64_t>(blocks, 1, 1 << 20);
}

// The families of fast kernels, each beside its readable twin: conv1x1 (the 1x1 GEMMs,
// forward and both backwards: conv2d_fast.cu), depthwise (3x3, conv2d_fast.cu), batchnorm
// (batchnorm_fast.cu), elementwise (elementwise_fast.cu), shuffle (channel_shuffle_fast.cu).
enum class Fast { conv1x1, depthwise, batchnorm, elementwise, shuffle };
// Whether family f's fast kernels run, from SL_CUDA_FAST (read once): unset, "1" or "all"
// every family (the default since scripts/gpu-check passed on an H200), "0" none (the
// readable kernels alone), or a comma list of family names ("conv1x1,batchnorm") to find
// which family breaks a comparison. An unknown name is reported once on stderr and ignored.
bool fast_kernels(Fast f);

// Device scratch memory for one call (partial sums of a reduction): taken from and given
// back to the caching allocator, so it costs no cudaMalloc after the first step. Kernels
// queued on the default stream that read it run before any later reuse of the block.
struct Scratch {
  float* p;
  explicit Scratch(int64_t n);
  ~Scratch();
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
};

// The grid-stride loop: for (int64_t i = first_index(); i < n; i += index_stride()).
__device__ inline int64_t first_index() { return (int64_t)blockIdx.x * blockDim.x + threadIdx.x; }
__device__ inline int64_t index_stride() { return (int64_t)gridDim.x * blockDim.x; }

// Batch norm's pre-activation (x - mean) * scale + shift, scale = invstd * gamma, as one explicit
// fused multiply-add: the BN + ReLU backward recomputes it for ReLU's mask, so it must round
// exactly as the forward did (as core/cpu/batchnorm.cpp's pre_activation, the same bits).
__device__ inline float bn_pre_activation(float x, float mu, float scale, float shift) {
  return __fmaf_rn(x - mu, scale, shift);
}

// Sums v over the block (blockDim.x == kThreads): shuffles within each warp, then the first
// warp adds the warps' sums, staged in `shared` [kThreads / 32]. Only thread 0 gets the total.
// Every thread of the block must call it (it synchronizes). T is float or double.
template <class T>
__device__ inline T block_sum_to_thread0(T v, T* shared) {
  for (int o = 16; o > 0; o /= 2) v += __shfl_down_sync(0xffffffffu, v, o);
  const int lane = (int)threadIdx.x % 32, warp = (int)threadIdx.x / 32;
  if (lane == 0) shared[warp] = v;
  __syncthreads();
  v = threadIdx.x < kThreads / 32 ? shared[threadIdx.x] : T(0);
  if (warp == 0)
    for (int o = 16; o > 0; o /= 2) v += __shfl_down_sync(0xffffffffu, v, o);
  __syncthreads();  // shared is reused by the next call
  return v;
}

}  // namespace sl::cuda
