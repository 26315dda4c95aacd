// nn/shuffle.h - the pieces of a ShuffleNet unit that move channels around: the one-pass
// channel shuffle (channel_shuffle_direct, its twin sl::channel_shuffle in core/ is the
// readable view -> transpose -> contiguous -> view composition; tests hold them equal,
// gradients included), and the V2 unit's channel split (views) and concat (a copy).
// Not here: the permutation loop (core/cpu/ behind core/backend.h).
#pragma once
#include <array>
#include <vector>

#include "core/tensor.h"

namespace sl {

// x [N, C, H, W] -> [N, C, H, W] with C = G * (C/G): output channel j = i_inner * G + i_group
// takes input channel i = i_group * (C/G) + i_inner (docs/models.md), in one pass.
Tensor channel_shuffle_direct(const Tensor& x, int64_t groups);

// x [N, C, H, W] -> {x[:, :c1], x[:, c1:]}, two views (no data moves). c1 = -1 means C/2.
std::array<Tensor, 2> channel_split(const Tensor& x, int64_t c1 = -1);

// xs [N, C_i, H, W] -> [N, sum C_i, H, W], a copy (sl::cat along C).
Tensor concat(const std::vector<Tensor>& xs);

}  // namespace sl
