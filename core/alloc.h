// core/alloc.h - what the CPU backend's caching allocator (core/cpu/memory.cpp) reports, and
// the one call that gives its cached buffers back to the system. Tensor storage on the CPU
// comes from it; nothing else does. Not here: counting every heap allocation of the process
// (core/alloc_count.h), CUDA memory (core/cuda/memory.cu).
#pragma once
#include <cstdint>

namespace sl {

// Bytes are the allocator's size-class bytes (a request rounded up, at most +12.5%).
struct CpuMemoryStats {
  int64_t in_use_bytes = 0;       // held by live tensors now
  int64_t cached_bytes = 0;       // freed by tensors, kept on free lists for reuse
  int64_t peak_in_use_bytes = 0;  // the most in_use_bytes has been (reset_peak_cpu_memory)
  int64_t system_allocs = 0;      // buffers taken from the system (aligned_alloc) so far
  int64_t reuses = 0;             // allocations served from a free list so far
};
CpuMemoryStats cpu_memory_stats();

// Frees every cached (unused) buffer back to the system; live tensors are untouched.
void release_cached_memory();

// Starts peak_in_use_bytes again from in_use_bytes.
void reset_peak_cpu_memory();

}  // namespace sl
