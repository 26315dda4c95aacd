// core/alloc_pool.cpp - the small-object pool of core/alloc_pool.h: one free list per size
// class, blocks threaded through their own first bytes while cached, one mutex. Blocks are
// never returned to the system: the set of sizes a training step asks for is small and fixed,
// so the pool stops growing after the first step. Not here: tensor buffers (core/cpu/memory.cpp).
#include "core/alloc_pool.h"

#include <bit>
#include <cstdlib>
#include <mutex>

#include "core/error.h"

// Under AddressSanitizer a cached block is poisoned, so a use after free is still reported.
#if defined(__SANITIZE_ADDRESS__)
#define SL_POOL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SL_POOL_ASAN 1
#endif
#endif
#ifdef SL_POOL_ASAN
#include <sanitizer/asan_interface.h>
#else
#define ASAN_POISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#define ASAN_UNPOISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#endif

namespace sl {

namespace {

struct Block {
  Block* next;
};

struct SizeClass {
  int index;
  std::size_t bytes;
};
// 16, 32, ..., 256 (classes 0..15), then with 2^e < bytes <= 2^(e+1), e >= 8, the smallest
// 2^e + k * 2^e/8 (k = 1..8) that holds it (classes 16 + (e-8)*8 + k-1).
SizeClass pool_class(std::size_t bytes) {
  if (bytes <= 256) {
    const std::size_t k = bytes <= 16 ? 1 : (bytes + 15) / 16;
    return {(int)k - 1, k * 16};
  }
  const int e = (int)std::bit_width(bytes - 1) - 1;  // 2^e < bytes <= 2^(e+1)
  const std::size_t base = std::size_t{1} << e, step = base / 8;
  const std::size_t k = (bytes - base + step - 1) / step;  // 1..8
  return {16 + (e - 8) * 8 + (int)k - 1, base + k * step};
}

constexpr int kClasses = 16 + 56 * 8;  // e = 8..63

struct Pool {
  std::mutex mu;
  Block* free_lists[kClasses] = {};
  PoolStats stats;
};
// Never destroyed: objects with static lifetime are freed after main returns.
Pool& pool() {
  static Pool* p = new Pool;
  return *p;
}

}  // namespace

void* pool_alloc(std::size_t bytes) {
  const SizeClass sc = pool_class(bytes);
  Pool& p = pool();
  {
    std::lock_guard<std::mutex> lock(p.mu);
    Block* b = p.free_lists[sc.index];
    if (b) {
      ASAN_UNPOISON_MEMORY_REGION(b, sc.bytes);
      p.free_lists[sc.index] = b->next;
      p.stats.reuses += 1;
      p.stats.cached_bytes -= (int64_t)sc.bytes;
      return b;
    }
    p.stats.system_allocs += 1;
  }
  void* m = std::malloc(sc.bytes);  // malloc aligns to 16 bytes; every class is a multiple of 16
  if (!m) throw std::bad_alloc();
  return m;
}

void pool_free(void* ptr, std::size_t bytes) noexcept {
  if (!ptr) return;
  const SizeClass sc = pool_class(bytes);
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mu);
  Block* b = static_cast<Block*>(ptr);
  b->next = p.free_lists[sc.index];
  // The first 16 bytes (the link) stay readable, so LeakSanitizer still sees the chain.
  ASAN_POISON_MEMORY_REGION(reinterpret_cast<char*>(b) + 16, sc.bytes - 16);
  p.free_lists[sc.index] = b;
  p.stats.cached_bytes += (int64_t)sc.bytes;
}

PoolStats pool_stats() {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mu);
  return p.stats;
}

}  // namespace sl
