// core/cuda/shuffle_index.h - the channel shuffle's index map as one function that both the
// host (the CPU check of lesson 14, tests) and the CUDA kernels call, so the map a kernel
// uses is the map a test checks on the CPU. Pure arithmetic: no CUDA runtime, no Tensor.
// The rule (docs/models.md): with C = G * (C/G), output channel j = i_inner * G + i_group
// takes input channel i = i_group * (C/G) + i_inner.
#pragma once
#include <cstdint>

#if defined(__CUDACC__)
#define SL_HOST_DEVICE __host__ __device__
#else
#define SL_HOST_DEVICE
#endif

namespace sl::cuda {

// The input channel that output channel j reads: j = i_inner * G + i_group, so
// i_group = j % G and i_inner = j / G, and the source is i_group * (C / G) + i_inner.
// Requires 0 <= j < C and C % G == 0.
template <class Int>
SL_HOST_DEVICE inline Int shuffle_source_channel(Int j, Int C, Int G) {
  return j % G * (C / G) + j / G;
}

}  // namespace sl::cuda
