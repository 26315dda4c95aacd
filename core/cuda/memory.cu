// core/cuda/memory.cu - device memory for the CUDA backend: cudaMalloc'd float buffers
// and blocking copies to and from host memory. Not here: pinned host memory or streams
// (every kernel runs on the default stream, in order). Twin: core/cpu/memory.cpp.
#include <cstdio>

#include "core/cuda/cuda_check.h"
#include "core/cuda/kernels.h"

namespace sl::cuda {

// A zero-length tensor still gets a valid (one-float) allocation, so that null always
// means "no buffer".
float* alloc(int64_t n) {
  void* p = nullptr;
  SL_CUDA_CHECK(cudaMalloc(&p, (size_t)std::max<int64_t>(n, 1) * sizeof(float)));
  return static_cast<float*>(p);
}

// Called from Storage's destructor, which must not throw: an error here means the CUDA
// context is already broken (a sticky error from an earlier kernel, which the op that
// caused it has reported), so it is printed rather than thrown.
void free(float* p) {
  if (!p) return;
  cudaError_t e = cudaFree(p);
  if (e != cudaSuccess)
    std::fprintf(stderr, "warning: cudaFree failed: %s\n", cudaGetErrorString(e));
}

void copy_from_host(float* dst, const float* host_src, int64_t n) {
  if (n > 0)
    SL_CUDA_CHECK(cudaMemcpy(dst, host_src, (size_t)n * sizeof(float), cudaMemcpyHostToDevice));
}

void copy_to_host(float* host_dst, const float* src, int64_t n) {
  if (n > 0)
    SL_CUDA_CHECK(cudaMemcpy(host_dst, src, (size_t)n * sizeof(float), cudaMemcpyDeviceToHost));
}

// Kernels launch asynchronously on the default stream; this waits for all of them (the
// profiler calls it at layer boundaries so that it times the device, not the launch).
void synchronize() { SL_CUDA_CHECK(cudaDeviceSynchronize()); }

}  // namespace sl::cuda
