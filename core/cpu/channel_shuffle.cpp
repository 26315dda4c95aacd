// core/cpu/channel_shuffle.cpp - the channel shuffle permutation of ShuffleNet as one
// pass over memory, the same fused with the concatenation before it (cat_shuffle: a V2
// unit's two branches written straight into their shuffled places, and its backward), plus
// their nested-loop reference twins. Not here: the ops, which are also expressible as
// view -> transpose -> contiguous -> view (core/channel_shuffle.cpp).
// CUDA twin: core/cuda/channel_shuffle.cu.
#include <vector>

// Each plane is copied by copy_floats' inline loop; GCC would turn that loop back into a
// memmove call per plane, slower at these sizes (`bench`'s shuffle at a median 88% of a plain
// copy that way, 97% inline), so this file keeps its loops as loops. GCC only: clang has no
// such option (and the clang builds, sanitizers and fuzzing, are not timed).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-tree-loop-distribute-patterns")
#endif

#include "core/cpu/kernel_helpers.h"
#include "core/cpu/kernels.h"

namespace sl::cpu {

// x, out [N, C, HW], C = G * (C/G). Read the channels as a [G, C/G] grid and transpose it:
// out channel j = i_inner * G + i_group takes input channel i = i_group * (C/G) + i_inner.
// Each output plane is one contiguous copy of HW floats (copy_floats).
void channel_shuffle(float* out, const float* x, const ShuffleShape& s) {
  int64_t cg = s.C / s.G;
#pragma omp parallel for schedule(static)
  for (int64_t plane = 0; plane < s.N * s.C; ++plane) {
    int64_t n = plane / s.C, j = plane % s.C;
    int64_t i = j % s.G * cg + j / s.G;
    copy_floats(out + plane * s.HW, x + (n * s.C + i) * s.HW, s.HW);
  }
}

// x, out [N, C, HW]. The spec, written from the input side: input channel
// (i_group, i_inner) lands at output channel i_inner * G + i_group.
void channel_shuffle_reference(float* out, const float* x, const ShuffleShape& s) {
  int64_t cg = s.C / s.G;
  for (int64_t n = 0; n < s.N; ++n)
    for (int64_t i_group = 0; i_group < s.G; ++i_group)
      for (int64_t i_inner = 0; i_inner < cg; ++i_inner)
        for (int64_t p = 0; p < s.HW; ++p)
          out[(n * s.C + i_inner * s.G + i_group) * s.HW + p] =
              x[(n * s.C + i_group * cg + i_inner) * s.HW + p];
}

// a [N, C_a, HW], b [N, C_b, HW] (image strides a_stride_n, b_stride_n) -> out [N, C, HW],
// C = C_a + C_b: the shuffle of cat(a, b).
// Output plane (n, j) is one copy of HW floats from concatenated channel
// i = (j % G) * (C/G) + j / G, which is a's channel i or b's channel i - C_a.
void cat_shuffle(float* out, const float* a, const float* b, const CatShuffleShape& s) {
  const int64_t C = s.C_a + s.C_b, cg = C / s.G;
  const int64_t sa = s.a_stride_n < 0 ? s.C_a * s.HW : s.a_stride_n;
  const int64_t sb = s.b_stride_n < 0 ? s.C_b * s.HW : s.b_stride_n;
#pragma omp parallel for schedule(static)
  for (int64_t plane = 0; plane < s.N * C; ++plane) {
    const int64_t n = plane / C, j = plane % C;
    const int64_t i = j % s.G * cg + j / s.G;
    const float* src = i < s.C_a ? a + n * sa + i * s.HW : b + n * sb + (i - s.C_a) * s.HW;
    copy_floats(out + plane * s.HW, src, s.HW);
  }
}

// dout [N, C, HW] -> da [N, C_a, HW], db [N, C_b, HW]: concatenated channel i takes dout's
// channel (i % (C/G)) * G + i / (C/G), one plane copy each; no full-size gradient is built.
void cat_shuffle_backward(float* da, float* db, const float* dout, const CatShuffleShape& s) {
  const int64_t C = s.C_a + s.C_b, cg = C / s.G;
#pragma omp parallel for schedule(static)
  for (int64_t plane = 0; plane < s.N * C; ++plane) {
    const int64_t n = plane / C, i = plane % C;
    const int64_t j = i % cg * s.G + i / cg;
    float* dst = i < s.C_a ? da + (n * s.C_a + i) * s.HW : db + (n * s.C_b + i - s.C_a) * s.HW;
    copy_floats(dst, dout + (n * C + j) * s.HW, s.HW);
  }
}

// The unfused pair: cat(a, b) into a buffer, then channel_shuffle_reference.
void cat_shuffle_reference(float* out, const float* a, const float* b, const CatShuffleShape& s) {
  const int64_t C = s.C_a + s.C_b;
  const int64_t sa = s.a_stride_n < 0 ? s.C_a * s.HW : s.a_stride_n;
  const int64_t sb = s.b_stride_n < 0 ? s.C_b * s.HW : s.b_stride_n;
  std::vector<float> cat((size_t)(s.N * C * s.HW));
  for (int64_t n = 0; n < s.N; ++n)
    for (int64_t i = 0; i < C; ++i)
      for (int64_t p = 0; p < s.HW; ++p)
        cat[(size_t)((n * C + i) * s.HW + p)] =
            i < s.C_a ? a[n * sa + i * s.HW + p] : b[n * sb + (i - s.C_a) * s.HW + p];
  channel_shuffle_reference(out, cat.data(), {s.N, C, s.G, s.HW});
}

// The unfused pair's backward: the inverse shuffle (C/G groups) into a buffer, then the
// two channel slices copied out (what cat's backward, narrow, hands each input).
void cat_shuffle_backward_reference(float* da, float* db, const float* dout,
                                    const CatShuffleShape& s) {
  const int64_t C = s.C_a + s.C_b;
  std::vector<float> un((size_t)(s.N * C * s.HW));
  channel_shuffle_reference(un.data(), dout, {s.N, C, C / s.G, s.HW});
  for (int64_t n = 0; n < s.N; ++n)
    for (int64_t i = 0; i < C; ++i)
      for (int64_t p = 0; p < s.HW; ++p) {
        const float v = un[(size_t)((n * C + i) * s.HW + p)];
        if (i < s.C_a)
          da[(n * s.C_a + i) * s.HW + p] = v;
        else
          db[(n * s.C_b + i - s.C_a) * s.HW + p] = v;
      }
}

}  // namespace sl::cpu
