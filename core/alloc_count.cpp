// core/alloc_count.cpp - the operator new counters of core/alloc_count.h. They are plain
// atomics, constant-initialised, so they work before any static constructor runs. Not here:
// the replacement operator new that increments them (core/alloc_count_new.cpp).
#include "core/alloc_count.h"

namespace sl {

namespace detail {
constinit std::atomic<int64_t> g_heap_allocations{0}, g_heap_bytes{0};
constinit std::atomic<bool> g_heap_counting_linked{false};
}  // namespace detail

HeapCounts heap_counts() {
  return {detail::g_heap_allocations.load(std::memory_order_relaxed),
          detail::g_heap_bytes.load(std::memory_order_relaxed)};
}

bool heap_counting_linked() { return detail::g_heap_counting_linked.load(); }

}  // namespace sl
