// nn/shuffle.cpp - channel_shuffle_direct forward and backward, channel_split, concat.
// The backward of a shuffle with G groups is the inverse permutation, which is itself a
// shuffle with C/G groups: both are the transpose of a [G, C/G] grid of channels.
#include "nn/shuffle.h"

#include "nn/cost.h"

namespace sl {

namespace {

// x [N, C, H, W] -> out, permuted by a [G, C/G] -> [C/G, G] transpose of channels.
Tensor shuffle_kernel(const Tensor& x, int64_t groups) {
  const ShuffleShape s{x.size(0), x.size(1), groups, x.size(2) * x.size(3)};
  const Tensor xc = x.contiguous();
  Tensor out = Tensor::empty(x.shape(), x.device());
  backend(x.device()).channel_shuffle(out.data(), xc.data(), s);
  return out;
}

}  // namespace

// x [N, C, H, W] -> [N, C, H, W]
Tensor channel_shuffle_direct(const Tensor& x, int64_t groups) {
  CostProbe probe;
  SL_CHECK(x.dim() == 4, "channel_shuffle_direct: x must be [N, C, H, W], it is ", shape_str(x.shape()));
  SL_CHECK(groups >= 1 && x.size(1) % groups == 0, "channel_shuffle_direct: x is ", shape_str(x.shape()),
           " but C = ", x.size(1), " is not divisible by groups ", groups);
  Tensor out = shuffle_kernel(x, groups);
  const int64_t inverse_groups = x.size(1) / groups;
  record(out, "channel_shuffle_direct", {x}, [=](const Tensor& dout) -> std::vector<Tensor> {
    return {shuffle_kernel(dout, inverse_groups)};
  });
  probe.record(channel_shuffle_cost(x.shape()));
  return out;
}

// x [N, C, H, W] -> two views [N, c1, H, W], [N, C - c1, H, W]
std::array<Tensor, 2> channel_split(const Tensor& x, int64_t c1) {
  CostProbe probe;
  SL_CHECK(x.dim() == 4, "channel_split: x must be [N, C, H, W], it is ", shape_str(x.shape()));
  const int64_t C = x.size(1);
  if (c1 < 0) {
    SL_CHECK(C % 2 == 0, "channel_split: x is ", shape_str(x.shape()), " but C = ", C, " is odd");
    c1 = C / 2;
  }
  SL_CHECK(c1 > 0 && c1 < C, "channel_split: cannot split C = ", C, " at ", c1);
  std::array<Tensor, 2> halves = {x.narrow(1, 0, c1), x.narrow(1, c1, C - c1)};
  probe.record(channel_split_cost(halves[1].shape()));
  return halves;
}

// xs [N, C_i, H, W] -> [N, sum C_i, H, W]
Tensor concat(const std::vector<Tensor>& xs) {
  CostProbe probe;
  SL_CHECK(!xs.empty(), "concat: no tensors");
  for (const Tensor& t : xs)
    SL_CHECK(t.dim() == 4, "concat: every input must be [N, C, H, W], one is ", shape_str(t.shape()));
  Tensor out = cat(xs, 1);
  probe.record(concat_cost(out.shape()));
  return out;
}

}  // namespace sl
