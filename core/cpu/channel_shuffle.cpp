// core/cpu/channel_shuffle.cpp - the channel shuffle permutation of ShuffleNet as one
// pass over memory, plus its nested-loop reference twin. Not here: the op itself, which
// is also expressible as view -> transpose -> contiguous -> view (core/channel_shuffle.cpp).
// CUDA twin: core/cuda/channel_shuffle.cu.
#include <cstring>

#include "core/cpu/kernels.h"

namespace sl::cpu {

// x, out [N, C, HW], C = G * (C/G). Read the channels as a [G, C/G] grid and transpose it:
// out channel j = i_inner * G + i_group takes input channel i = i_group * (C/G) + i_inner.
// Each output plane is one contiguous copy of HW floats.
void channel_shuffle(float* out, const float* x, const ShuffleShape& s) {
  int64_t cg = s.C / s.G;
#pragma omp parallel for schedule(static)
  for (int64_t plane = 0; plane < s.N * s.C; ++plane) {
    int64_t n = plane / s.C, j = plane % s.C;
    int64_t i = j % s.G * cg + j / s.G;
    std::memcpy(out + plane * s.HW, x + (n * s.C + i) * s.HW, s.HW * sizeof(float));
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

}  // namespace sl::cpu
