// core/alloc_pool.h - the small-object pool: the memory of the core's bookkeeping objects
// (TensorImpl, Storage, autograd Nodes, backward closures too big to sit inline, the engine's
// work lists) is recycled through free lists, so that after the first training step a step
// makes no heap allocation. PoolAllocator<T> hands the pool to std::allocate_shared and the
// std containers. Not here: tensor data (the caching allocator, core/alloc.h), counting
// operator new (core/alloc_count.h).
#pragma once
#include <cstddef>
#include <cstdint>
#include <new>

namespace sl {

// A block of at least `bytes`, 16-byte aligned, from the free list of its size class (16-byte
// steps up to 256 bytes, then eight classes per power of two), or from malloc when that list
// is empty. pool_free must be given the same `bytes`. Thread-safe: a block may be freed on
// another thread than the one that took it.
void* pool_alloc(std::size_t bytes);
void pool_free(void* p, std::size_t bytes) noexcept;

struct PoolStats {
  int64_t system_allocs = 0;  // blocks taken from malloc so far (warm-up only, in steady state)
  int64_t reuses = 0;         // blocks served from a free list so far
  int64_t cached_bytes = 0;   // bytes on the free lists now
};
PoolStats pool_stats();

// A std allocator over the pool (stateless: any two compare equal).
template <class T>
struct PoolAllocator {
  using value_type = T;
  PoolAllocator() noexcept = default;
  template <class U>
  PoolAllocator(const PoolAllocator<U>&) noexcept {}  // NOLINT: rebinding is implicit
  T* allocate(std::size_t n) {
    static_assert(alignof(T) <= 16, "PoolAllocator: the pool aligns blocks to 16 bytes");
    return static_cast<T*>(pool_alloc(n * sizeof(T)));  // NOLINT(bugprone-sizeof-expression)
  }
  void deallocate(T* p, std::size_t n) noexcept {
    pool_free(p, n * sizeof(T));  // NOLINT(bugprone-sizeof-expression): T may be a pointer
  }
  template <class U>
  bool operator==(const PoolAllocator<U>&) const noexcept {
    return true;
  }
};

}  // namespace sl
