// core/cpu/memory.cpp - host memory for the CPU backend: 64-byte aligned buffers so
// kernels can use aligned vector loads, and plain copies to and from the host.
// Twin: core/cuda/memory.cu (cudaMalloc / cudaMemcpy).
#include <cstdlib>
#include <cstring>
#include <new>

#include "core/cpu/kernels.h"
#include "core/error.h"

namespace sl::cpu {

float* alloc(int64_t n) {
  size_t bytes = ((size_t)n * sizeof(float) + 63) / 64 * 64;
  void* p = std::aligned_alloc(64, bytes);
  SL_CHECK(p != nullptr, "cpu alloc: out of memory allocating ", bytes, " bytes");
  return static_cast<float*>(p);
}

void free(float* p) { std::free(p); }

void copy_from_host(float* dst, const float* host_src, int64_t n) {
  std::memcpy(dst, host_src, (size_t)n * sizeof(float));
}

void copy_to_host(float* host_dst, const float* src, int64_t n) {
  std::memcpy(host_dst, src, (size_t)n * sizeof(float));
}

// Every CPU kernel has finished when its call returns.
void synchronize() {}

}  // namespace sl::cpu
