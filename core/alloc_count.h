// core/alloc_count.h - how many times the program has called operator new (every form: plain,
// array, aligned, nothrow), for `shufflelab bench` and the tests that assert a steady state.
// The counting replacement of operator new lives in core/alloc_count_new.cpp, a separate
// CMake object library (sl_alloc_count) that only the binaries which want counting link in;
// elsewhere the count stays 0 and heap_counting_linked() is false. Not counted: direct malloc
// calls (tensor storage is counted by the caching allocator, core/alloc.h).
#pragma once
#include <atomic>
#include <cstdint>

namespace sl {

struct HeapCounts {
  int64_t allocations = 0;  // operator new calls since the program started
  int64_t bytes = 0;        // bytes they asked for
};
HeapCounts heap_counts();
bool heap_counting_linked();  // true when core/alloc_count_new.cpp is in this binary

namespace detail {  // written by core/alloc_count_new.cpp only
extern std::atomic<int64_t> g_heap_allocations, g_heap_bytes;
extern std::atomic<bool> g_heap_counting_linked;
}  // namespace detail

}  // namespace sl
