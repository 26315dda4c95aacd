// core/cpu/memory.cpp - host memory for the CPU backend: 64-byte aligned tensor buffers from a
// caching allocator, and plain copies to and from the host. Twin: core/cuda/memory.cu.
//
// The caching allocator in brief: a request is rounded up to a size class (eight classes per
// power of two, so at most 12.5% is wasted); free() puts the buffer on its class's free list
// instead of giving it back to the system, and the next alloc() of that class takes it from
// there. A training step asks for the same sizes every step, so after the first step no
// buffer comes from the system: no malloc, no fresh pages to fault in. release_cached_memory()
// empties the lists. One mutex guards everything, since a tensor may die on any thread.
#include <bit>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "core/alloc.h"
#include "core/cpu/kernels.h"
#include "core/error.h"

// Under AddressSanitizer a cached buffer is poisoned, so a use after free() is still reported.
#if defined(__SANITIZE_ADDRESS__)
#define SL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SL_ASAN 1
#endif
#endif
#ifdef SL_ASAN
#include <sanitizer/asan_interface.h>
#else
#define ASAN_POISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#define ASAN_UNPOISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#endif

namespace sl::cpu {

namespace {

// Every buffer starts with this header; the tensor's floats follow it, 64-byte aligned.
struct alignas(64) Header {
  int size_class = 0;      // index into Cache::free_lists
  size_t bytes = 0;        // the class's size: what the caller may use
  Header* next = nullptr;  // the next buffer on the same free list (while cached)
};

// Size class of a request: with 2^e < bytes <= 2^(e+1), the smallest 2^e + k * 2^e/8
// (k = 1..8) that holds it. Class e*8 + k, size rounded up to whole 64-byte lines.
struct SizeClass {
  int index;
  size_t bytes;
};
SizeClass size_class(size_t bytes) {
  bytes = bytes < 64 ? 64 : bytes;
  const int e = (int)std::bit_width(bytes - 1) - 1;  // 2^e < bytes <= 2^(e+1)
  const size_t base = size_t{1} << e, step = base / 8;
  const size_t k = (bytes - base + step - 1) / step;  // 1..8
  return {e * 8 + (int)k, (base + k * step + 63) / 64 * 64};
}

constexpr int kClasses = 64 * 8 + 9;  // every e of a 64-bit size, and k up to 8

struct Cache {
  std::mutex mu;
  Header* free_lists[kClasses] = {};
  CpuMemoryStats stats;
};
// Never destroyed: tensors with static lifetime are freed after main returns.
Cache& cache() {
  static Cache* c = new Cache;
  return *c;
}

}  // namespace

float* alloc(int64_t n) {
  const SizeClass sc = size_class((size_t)n * sizeof(float));
  Cache& c = cache();
  Header* h = nullptr;
  {
    std::lock_guard<std::mutex> lock(c.mu);
    h = c.free_lists[sc.index];
    if (h) {  // reuse a cached buffer of this class
      c.free_lists[sc.index] = h->next;
      c.stats.cached_bytes -= (int64_t)h->bytes;
      c.stats.reuses += 1;
    } else {
      c.stats.system_allocs += 1;
    }
    c.stats.in_use_bytes += (int64_t)sc.bytes;
    if (c.stats.in_use_bytes > c.stats.peak_in_use_bytes)
      c.stats.peak_in_use_bytes = c.stats.in_use_bytes;
  }
  if (!h) {  // a new buffer from the system, outside the lock
    void* p = std::aligned_alloc(64, sizeof(Header) + sc.bytes);
    if (!p) {
      std::lock_guard<std::mutex> lock(c.mu);
      c.stats.in_use_bytes -= (int64_t)sc.bytes;
    }
    SL_CHECK(p != nullptr, "cpu alloc: out of memory allocating ", sc.bytes,
             " bytes; try a smaller --batch");
    h = new (p) Header{.size_class = sc.index, .bytes = sc.bytes};
  }
  h->next = nullptr;
  ASAN_UNPOISON_MEMORY_REGION(h + 1, h->bytes);
  return reinterpret_cast<float*>(h + 1);
}

void free(float* p) {
  if (!p) return;
  Header* h = reinterpret_cast<Header*>(p) - 1;
  ASAN_POISON_MEMORY_REGION(h + 1, h->bytes);
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mu);
  h->next = c.free_lists[h->size_class];
  c.free_lists[h->size_class] = h;
  c.stats.in_use_bytes -= (int64_t)h->bytes;
  c.stats.cached_bytes += (int64_t)h->bytes;
}

void copy_from_host(float* dst, const float* host_src, int64_t n) {
  std::memcpy(dst, host_src, (size_t)n * sizeof(float));
}

void copy_to_host(float* host_dst, const float* src, int64_t n) {
  std::memcpy(host_dst, src, (size_t)n * sizeof(float));
}

// Every CPU kernel has finished when its call returns.
void synchronize() {}

}  // namespace sl::cpu

namespace sl {

CpuMemoryStats cpu_memory_stats() {
  cpu::Cache& c = cpu::cache();
  std::lock_guard<std::mutex> lock(c.mu);
  return c.stats;
}

void release_cached_memory() {
  cpu::Cache& c = cpu::cache();
  std::lock_guard<std::mutex> lock(c.mu);
  for (cpu::Header*& head : c.free_lists) {
    while (head) {
      cpu::Header* next = head->next;
      ASAN_UNPOISON_MEMORY_REGION(head + 1, head->bytes);
      std::free(head);
      head = next;
    }
  }
  c.stats.cached_bytes = 0;
}

void reset_peak_cpu_memory() {
  cpu::Cache& c = cpu::cache();
  std::lock_guard<std::mutex> lock(c.mu);
  c.stats.peak_in_use_bytes = c.stats.in_use_bytes;
}

}  // namespace sl
