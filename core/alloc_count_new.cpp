// core/alloc_count_new.cpp - replaces the global operator new and delete with versions that
// count each allocation (core/alloc_count.h) and then call malloc / aligned_alloc, as the
// standard library's do. Linked only into binaries that ask for it (CMake target
// sl_alloc_count: the shufflelab executable and tests/core/test_allocator), so the rest keep
// the standard operators. Not here: counting malloc calls made directly.
#include <cstdlib>
#include <new>

#include "core/alloc_count.h"

namespace {

void count(std::size_t bytes) {
  sl::detail::g_heap_allocations.fetch_add(1, std::memory_order_relaxed);
  sl::detail::g_heap_bytes.fetch_add((int64_t)bytes, std::memory_order_relaxed);
}

// Says "counting is on" before main() starts.
const bool g_linked = [] {
  sl::detail::g_heap_counting_linked.store(true);
  return true;
}();

void* counted(std::size_t bytes) {
  count(bytes);
  void* p = std::malloc(bytes ? bytes : 1);
  if (!p) throw std::bad_alloc();
  return p;
}

void* counted_aligned(std::size_t bytes, std::align_val_t al) {
  count(bytes);
  const auto a = (std::size_t)al;
  void* p = std::aligned_alloc(a, (bytes + a - 1) / a * a);  // size must be a multiple of a
  if (!p) throw std::bad_alloc();
  return p;
}

}  // namespace

void* operator new(std::size_t n) { return counted(n); }
void* operator new[](std::size_t n) { return counted(n); }
void* operator new(std::size_t n, std::align_val_t a) { return counted_aligned(n, a); }
void* operator new[](std::size_t n, std::align_val_t a) { return counted_aligned(n, a); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  count(n);
  return std::malloc(n ? n : 1);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  count(n);
  return std::malloc(n ? n : 1);
}

void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
