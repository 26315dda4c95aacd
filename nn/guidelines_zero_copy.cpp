// nn/guidelines_zero_copy.cpp - channel shuffle at zero MAC, measured on a real V2 unit.
// A V2 basic unit (Fig. 3c: split, branch 2 = 1x1, ReLU, 3x3 depthwise, 1x1, ReLU, concat,
// shuffle) is followed by the next 1x1 convolution that reads the whole shuffled tensor, as
// branch 2 of the down-sampling unit (Fig. 3d) does. Three ways to run it:
//   plain    concat -> channel_shuffle (a copy) -> conv1x1(W)
//   folded   concat -> conv1x1(W_fold): the permutation moved into W's columns, once, offline
//   strided  conv1x1 over the two blocks [left half, branch output] read in place, by one
//            matmul per block with accumulate: neither the concat nor the shuffle is copied.
// BatchNorm is left out (at inference it folds into the convolutions). Not here: the kernels.
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>

#include "nn/conv2d.h"
#include "nn/cost.h"
#include "nn/guidelines.h"

namespace sl {

// Shuffle with G groups: output channel j = m*G + g takes input channel i = g*(C/G) + m.
// A 1x1 convolution after it computes out[o] = sum_j W[o, j] * y[j]
//   = sum_g sum_m W[o, m*G + g] * x[g*(C/G) + m],
// so W_fold[o, g*(C/G) + m] = W[o, m*G + g] reads x unshuffled (the view [C_out, C/G, G]
// permuted to [C_out, G, C/G]), and the block g of W_fold multiplies input block g.
ZeroCopyUnit make_zero_copy_unit(int64_t C, int64_t groups, Device device, uint64_t seed) {
  SL_CHECK(groups == 2,
           "make_zero_copy_unit: a V2 unit concatenates two halves, so groups must be 2, got ",
           groups);
  SL_CHECK(C % 2 == 0 && C >= 2, "make_zero_copy_unit: C = ", C, " must be even");
  Generator gen(seed);
  const int64_t h = C / 2;
  ZeroCopyUnit u;
  u.C = C;
  u.groups = groups;
  auto he = [&](const Shape& s, float gain) {
    return Tensor::randn(s, gen, 0.f, std::sqrt(gain / float(s[1] * s[2] * s[3])), device);
  };
  u.w1 = he({h, h, 1, 1}, 2.f);
  u.w_dw = he({h, 1, 3, 3}, 1.f);
  u.w2 = he({h, h, 1, 1}, 2.f);
  u.w_next = he({C, C, 1, 1}, 1.f);
  // [C_out, C, 1, 1] -> [C_out, C/G, G] -> [C_out, G, C/G] -> [C_out, C, 1, 1]
  u.w_next_folded =
      u.w_next.view({C, C / groups, groups}).permute({0, 2, 1}).contiguous().view({C, C, 1, 1});
  for (int64_t g = 0; g < groups; ++g)  // [C_out, C/G] blocks of W_fold, contiguous
    u.w_next_blocks.push_back(
        u.w_next_folded.view({C, C}).narrow(1, g * (C / groups), C / groups).contiguous());
  return u;
}

namespace {

// x [N, C, H, W] -> {left [N, C/2, H, W] (a view), branch 2's output [N, C/2, H, W]}
std::array<Tensor, 2> unit_halves(const ZeroCopyUnit& u, const Tensor& x, OpTally* k) {
  const int64_t h = x.size(1) / 2;  // channel split: two views, MAC 0
  Tensor t = tally_relu(k, tally_conv2d(k, x.narrow(1, h, h), u.w1));
  t = tally_conv2d(k, t, u.w_dw, {.padding = 1, .groups = u.C / 2});
  t = tally_relu(k, tally_conv2d(k, t, u.w2));
  return {x.narrow(1, 0, h), t};
}

}  // namespace

Tensor zero_copy_plain(const ZeroCopyUnit& u, const Tensor& x, OpTally* k) {
  const auto [left, right] = unit_halves(u, x, k);
  return tally_conv2d(k, tally_shuffle(k, tally_concat(k, {left, right}), u.groups), u.w_next);
}

Tensor zero_copy_folded(const ZeroCopyUnit& u, const Tensor& x, OpTally* k) {
  const auto [left, right] = unit_halves(u, x, k);
  return tally_conv2d(k, tally_concat(k, {left, right}), u.w_next_folded);
}

Tensor zero_copy_strided(const ZeroCopyUnit& u, const Tensor& x, OpTally* k) {
  const auto [left, right] = unit_halves(u, x, k);
  return conv1x1_over_blocks({left, right}, u.w_next_blocks, k);
}

// blocks[g] [N, C_b, H, W], each image's [C_b, H, W] contiguous (a channel narrow of a
// contiguous tensor qualifies); w_blocks[g] [C_out, C_b] contiguous -> out [N, C_out, H, W].
// Per image n: out_n [C_out, HW] = w_0 @ block_0,n, then += w_g @ block_g,n for g >= 1.
Tensor conv1x1_over_blocks(const std::vector<Tensor>& blocks, const std::vector<Tensor>& w_blocks,
                           OpTally* t) {
  SL_CHECK(!blocks.empty() && blocks.size() == w_blocks.size(),
           "conv1x1_over_blocks: ", blocks.size(), " blocks but ", w_blocks.size(),
           " weight blocks");
  const Tensor& b0 = blocks[0];
  SL_CHECK(b0.dim() == 4, "conv1x1_over_blocks: blocks must be [N, C_b, H, W], block 0 is ",
           shape_str(b0.shape()));
  const int64_t N = b0.size(0), H = b0.size(2), W = b0.size(3), HW = H * W,
                C_out = w_blocks[0].size(0);
  const Device dev = b0.device();
  Tensor out = Tensor::empty({N, C_out, H, W}, dev);
  int64_t c_total = 0;
  std::vector<Tensor> xs;
  for (size_t g = 0; g < blocks.size(); ++g) {
    const Tensor& b = blocks[g];
    const Tensor& w = w_blocks[g];
    SL_CHECK(b.dim() == 4 && b.size(0) == N && b.size(2) == H && b.size(3) == W &&
                 b.device() == dev,
             "conv1x1_over_blocks: block ", g, " is ", shape_str(b.shape()), " on ",
             device_name(b.device()), " but block 0 is ", shape_str(b0.shape()), " on ",
             device_name(dev));
    SL_CHECK(w.dim() == 2 && w.size(0) == C_out && w.size(1) == b.size(1) && w.is_contiguous(),
             "conv1x1_over_blocks: weight block ", g, " is ", shape_str(w.shape()),
             " but must be contiguous [", C_out, ", ", b.size(1), "]");
    // Read in place when each image's [C_b, H, W] is contiguous; copy only otherwise.
    const bool in_place = b.strides()[3] == 1 && b.strides()[2] == W && b.strides()[1] == HW;
    xs.push_back(in_place ? b : b.contiguous());
    c_total += b.size(1);
  }
  const auto matmul = SL_KERNEL(dev, matmul);
  for (int64_t n = 0; n < N; ++n)
    for (size_t g = 0; g < xs.size(); ++g) {
      const MatmulShape s{.B = 1, .M = C_out, .K = xs[g].size(1), .N = HW, .accumulate = g > 0};
      matmul(out.data() + n * C_out * HW, w_blocks[g].data(), xs[g].data() + n * xs[g].strides()[0],
             s);
    }
  // Same multiply-adds as the 1x1 convolution over all C = sum C_b channels; its MAC plus
  // one extra read of out for every accumulating block after the first.
  if (t) {
    LayerCost c = conv2d_cost(conv2d_shape({N, c_total, H, W}, {C_out, c_total, 1, 1}, {}));
    c.type = "conv1x1_blocks";
    c.mac += int64_t(xs.size() - 1) * out.numel();
    t->add(c, 0);
  }
  return out;
}

ZeroCopyResult run_zero_copy(Device device, int64_t batch, int warmup, int repeats,
                             const std::atomic<bool>* cancel,
                             const std::function<void(int)>& on_pass) {
  NoGradGuard no_grad;
  keep_freed_memory();
  // ShuffleNet V2 1.0x, stage 2 of a 224 x 224 input: C = 116 on 28 x 28; 10 units.
  const int64_t C = 116, S = 28, units = 10;
  std::vector<ZeroCopyUnit> us;
  for (int64_t i = 0; i < units; ++i)
    us.push_back(make_zero_copy_unit(C, 2, device, 100 + (uint64_t)i));
  Generator gen(7);
  const Tensor x = Tensor::randn({batch, C, S, S}, gen, 0.f, 1.f, device);
  using Fn = Tensor (*)(const ZeroCopyUnit&, const Tensor&, OpTally*);
  const struct {
    const char* name;
    Fn fn;
  } variants[] = {{"plain shuffle (copy)", zero_copy_plain},
                  {"(a) folded into the 1x1 weights", zero_copy_folded},
                  {"(b) strided view, per-block matmuls", zero_copy_strided}};
  auto pass = [&](Fn fn, OpTally* k) {
    Tensor t = x;
    for (const ZeroCopyUnit& u : us) t = fn(u, t, k);
    sync_device(device);
    return t;
  };
  ZeroCopyResult res;
  res.input = {batch, C, S, S};
  res.groups = 2;
  std::vector<float> reference;
  for (const auto& v : variants) {  // cost (one recorded pass) and output of each variant
    ZeroCopyRow row;
    row.variant = v.name;
    OpTally tally;
    const std::vector<float> got = pass(v.fn, &tally).to_vector();
    row.madds = tally.madds;
    row.mac = tally.mac;
    row.shuffle_mac = tally.shuffle_mac;
    row.concat_mac = tally.concat_mac;
    if (reference.empty()) reference = got;
    for (size_t i = 0; i < got.size(); ++i)
      row.max_abs_diff = std::max(row.max_abs_diff, (double)std::fabs(got[i] - reference[i]));
    res.rows.push_back(row);
  }
  for (int k = 1; k < warmup && !(cancel && cancel->load()); ++k)
    for (const auto& v : variants) (void)pass(v.fn, nullptr);
  std::vector<std::vector<double>> times(res.rows.size());
  for (int k = 0; k < repeats && !(cancel && cancel->load());
       ++k) {  // round-robin, as measure_configs
    for (size_t i = 0; i < res.rows.size(); ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      (void)pass(variants[i].fn, nullptr);
      times[i].push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    if (on_pass) on_pass(k + 1);
  }
  for (size_t i = 0; i < res.rows.size(); ++i) {
    std::vector<double>& t = times[i];
    if (t.empty()) continue;
    std::sort(t.begin(), t.end());
    res.rows[i].time_ms =
        t.size() % 2 ? t[t.size() / 2] : 0.5 * (t[t.size() / 2 - 1] + t[t.size() / 2]);
  }
  for (ZeroCopyRow& r : res.rows) {
    r.saved_ms = res.rows[0].time_ms - r.time_ms;
    r.saved_pct = res.rows[0].time_ms > 0 ? 100.0 * r.saved_ms / res.rows[0].time_ms : 0;
  }
  return res;
}

}  // namespace sl
