// core/cpu/kernel_helpers.h - two small helpers shared by the CPU convolution, depthwise,
// pooling and inference kernels: valid_range, which outputs of a strided, padded window read
// an input inside the tensor (hoisting it out of the inner loop is what lets those loops run
// without a bounds test, and vectorize), and scratch, a thread's reusable buffer. Not a
// backend entry; no CUDA twin.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

namespace sl::cpu {

// Outputs o in [lo, hi) whose input i = o * stride + offset falls inside [0, in_len);
// lo == hi when there are none. Example: out_len 4, in_len 7, stride 2, offset -1
// (kernel tap 0, padding 1): o = 0 reads i = -1 (outside), o = 1..3 read 1, 3, 5: [1, 4).
inline void valid_range(int64_t out_len, int64_t in_len, int64_t stride, int64_t offset,
                        int64_t& lo, int64_t& hi) {
  lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  hi = in_len - 1 - offset < 0 ? 0 : std::min(out_len, (in_len - 1 - offset) / stride + 1);
  hi = std::max(hi, lo);
}

// dst[0, n) = src[0, n) as an inline vector loop: for plane-sized copies (64 bytes to a few
// KB, as in the channel shuffle kernels) `bench`'s shuffle ran at a median 97% of one large
// copy's bandwidth this way, 88% with a memcpy call per plane (glibc's path for these sizes
// has a start-up cost per call). GCC turns such a loop back into a memmove call unless the
// caller's file turns that off (core/cpu/channel_shuffle.cpp does).
inline void copy_floats(float* __restrict dst, const float* __restrict src, int64_t n) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) dst[i] = src[i];
}

// A fixed cut of a batch of N images into image_chunks(N) chunks (at most kImageChunks), for
// sums that must be the same bits on any number of threads: threads take whole chunks, each
// chunk sums its images in order into partials of its own, and the chunks' partials are then
// added in chunk order. The cut depends on N only. Used by BatchNorm's sums and the depthwise
// weight gradient. Chunk k holds images [chunk_begin(k), chunk_begin(k + 1)).
constexpr int64_t kImageChunks = 16;
inline int64_t image_chunks(int64_t N) { return std::clamp<int64_t>(N, 1, kImageChunks); }
inline int64_t chunk_begin(int64_t k, int64_t chunks, int64_t N) { return k * N / chunks; }

// A thread's reusable buffer (thread_local in the callers), grown to the largest request.
// The parallel loops around it use schedule(static), so a thread gets the same tasks in
// every call and its buffers reach their final size in warm-up: a steady training step
// then allocates nothing (dynamic scheduling made that depend on which thread ran what).
template <class T>
T* scratch(std::vector<T>& v, int64_t n) {
  if ((int64_t)v.size() < n) v.resize(n);
  return v.data();
}

}  // namespace sl::cpu
