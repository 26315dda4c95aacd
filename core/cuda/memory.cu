// core/cuda/memory.cu - device memory for the CUDA backend: float buffers from a caching
// allocator (core/cuda/block_cache.h over cudaMalloc/cudaFree; never managed memory),
// blocking copies to and from host memory, synchronization, the launch check behind
// SL_CUDA_LAUNCHED / SL_CUDA_SYNC=1, and SL_CUDA_POISON=1 (new blocks filled with NaN).
// Not here: pinned host memory or streams (every kernel runs on the default stream, in
// order). Twin: core/cpu/memory.cpp.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/cuda/block_cache.h"
#include "core/cuda/cuda_check.h"
#include "core/cuda/kernels.h"

namespace sl::cuda {

namespace {

// One cache for the process, never destroyed: its blocks go back to the driver at exit,
// and no CUDA call runs during static destruction (after the runtime may be gone).
BlockCache& cache() {
  static BlockCache* c = new BlockCache(
      [](size_t bytes) -> void* {
        void* p = nullptr;
        if (cudaMalloc(&p, bytes) != cudaSuccess) {
          (void)cudaGetLastError();  // out of memory is not sticky: clear it and report null
          return nullptr;
        }
        return p;
      },
      [](void* p) { (void)cudaFree(p); });
  return *c;
}

// SL_CUDA_POISON=1 (read once, at the first allocation): every block handed out is filled
// with NaN first, so a kernel that leaves part of its output unwritten is caught by a
// comparison (tests/core/test_cuda_vs_cpu.cpp sets it).
bool poison_allocations() {
  static const bool on = [] {
    const char* v = std::getenv("SL_CUDA_POISON");
    return v != nullptr && std::strcmp(v, "1") == 0;
  }();
  return on;
}

}  // namespace

// A zero-length tensor still gets a valid allocation, so that null always means "no buffer".
float* alloc(int64_t n) {
  const size_t bytes = (size_t)std::max<int64_t>(n, 1) * sizeof(float);
  void* p = cache().allocate(bytes);
  if (!p) {
    size_t free_b = 0, total_b = 0;
    (void)cudaMemGetInfo(&free_b, &total_b);
    throw Error(str_cat("cuda alloc: out of device memory allocating ", bytes, " bytes (",
                        free_b >> 20, " MiB free of ", total_b >> 20,
                        " MiB); use a smaller --batch, or --device cpu"));
  }
  if (poison_allocations()) SL_CUDA_CHECK(cudaMemset(p, 0xFF, bytes));  // 0xFFFFFFFF is a NaN
  return static_cast<float*>(p);
}

// Called from Storage's destructor, which must not throw: the block goes back to the
// cache (kernels already queued that read it run before any later kernel that reuses it,
// since the default stream runs in order).
void free(float* p) {
  if (p && !cache().release(p))
    std::fprintf(stderr, "warning: cuda free: %p was not allocated by sl::cuda::alloc\n", (void*)p);
}

Scratch::Scratch(int64_t n) : p(alloc(n)) {}
Scratch::~Scratch() { free(p); }

void copy_from_host(float* dst, const float* host_src, int64_t n) {
  if (n > 0)
    SL_CUDA_CHECK(cudaMemcpy(dst, host_src, (size_t)n * sizeof(float), cudaMemcpyHostToDevice));
}

void copy_to_host(float* host_dst, const float* src, int64_t n) {
  if (n > 0)
    SL_CUDA_CHECK(cudaMemcpy(host_dst, src, (size_t)n * sizeof(float), cudaMemcpyDeviceToHost));
}

void copy_device(float* dst, const float* src, int64_t n) {
  if (n > 0)
    SL_CUDA_CHECK(cudaMemcpyAsync(dst, src, (size_t)n * sizeof(float), cudaMemcpyDeviceToDevice));
}

// Kernels launch asynchronously on the default stream; this waits for all of them (the
// profiler calls it at layer boundaries so that it times the device, not the launch).
void synchronize() { SL_CUDA_CHECK(cudaDeviceSynchronize()); }

// [SECTION] launch checks

bool sync_after_launch() {
  static const bool on = [] {
    const char* v = std::getenv("SL_CUDA_SYNC");
    return v != nullptr && std::strcmp(v, "1") == 0;
  }();
  return on;
}

// SL_CUDA_FAST: unset, "1" or "all"; "0"; or a comma list of family names (cuda_check.h).
bool fast_kernels(Fast f) {
  static const unsigned mask = [] {
    const char* v = std::getenv("SL_CUDA_FAST");
    if (v == nullptr || *v == 0 || std::strcmp(v, "1") == 0 || std::strcmp(v, "all") == 0)
      return ~0u;  // the default: every family (validated on an H200, docs/cuda.md)
    if (std::strcmp(v, "0") == 0) return 0u;
    static const char* const names[] = {"conv1x1", "depthwise", "batchnorm", "elementwise",
                                        "shuffle"};
    unsigned m = 0;
    for (const char* p = v; *p != 0;) {
      const char* end = std::strchr(p, ',');
      const size_t len = end ? (size_t)(end - p) : std::strlen(p);
      bool known = false;
      for (unsigned i = 0; i < 5; ++i)
        if (std::strlen(names[i]) == len && std::strncmp(p, names[i], len) == 0) {
          m |= 1u << i;
          known = true;
        }
      if (!known && len > 0)
        std::fprintf(stderr,
                     "warning: SL_CUDA_FAST: unknown family '%.*s' ignored (use 1, 0, or a "
                     "comma list of conv1x1, depthwise, batchnorm, elementwise, shuffle)\n",
                     (int)len, p);
      p += len + (end ? 1 : 0);
    }
    return m;
  }();
  return (mask >> (unsigned)f & 1u) != 0;
}

const char* sync_hint() {
  return sync_after_launch() ? ""
                             : " (kernels run asynchronously, so the fault may come from an "
                               "earlier kernel: rerun with SL_CUDA_SYNC=1 to stop at the kernel "
                               "that made it)";
}

void check_launch(const char* kernel, const char* file, int line) {
  cudaError_t e = cudaGetLastError();  // a bad launch (grid, shared memory, no kernel image)
  const bool synced = e == cudaSuccess && sync_after_launch();
  if (synced) e = cudaDeviceSynchronize();  // a fault while running (illegal address, ...)
  if (e != cudaSuccess)
    throw Error(str_cat("CUDA error in kernel ", kernel, " (launched at ", file, ":", line,
                        synced ? ", SL_CUDA_SYNC=1" : "", "): ", cudaGetErrorString(e),
                        synced ? "" : sync_hint()));
}

}  // namespace sl::cuda
