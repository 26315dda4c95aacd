// tests/nn/test_nn_layers.cpp - every nn/ layer op, two of the three kinds of design.md
// item 5: a tiny case with the numbers written here, and a finite-difference gradient
// check (tests/helpers.h gradcheck). The PyTorch goldens are in test_nn_goldens.cpp.
// [SECTION] index: conv2d | batch_norm | pools | linear | cross_entropy | parameter-free layers
#include <cmath>

#include "core/cpu/kernels.h"
#include "nn/batchnorm.h"
#include "nn/conv2d.h"
#include "nn/layers.h"
#include "nn/linear.h"
#include "nn/loss.h"
#include "nn/pool.h"
#include "tests/helpers.h"

using sl::test::error_of;

using namespace sl;
using sl::test::check_close;
using sl::test::gradcheck;
using sl::test::rand_tensor;

namespace {
Tensor leaf(const Shape& s, uint64_t seed) { return rand_tensor(s, seed).requires_grad_(true); }
}  // namespace

// [SECTION] conv2d

TEST_CASE("conv2d: tiny cases by hand") {
  // 1x1 input plane of ones, 2x2 kernel of 1..4, padding 1 -> each output sees one weight.
  Tensor x = Tensor::ones({1, 1, 1, 1});
  Tensor w = Tensor::from_data({1, 2, 3, 4}, {1, 1, 2, 2});
  check_close(conv2d(x, w, {.padding = 1}), Tensor::from_data({4, 3, 2, 1}, {1, 1, 2, 2}));
  // 3x3 input 1..9, 3x3 kernel of ones, stride 2, padding 1 -> 2x2 corner sums.
  Tensor x9 = Tensor::from_data({1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 1, 3, 3});
  check_close(conv2d(x9, Tensor::ones({1, 1, 3, 3}), {.stride = 2, .padding = 1}),
              Tensor::from_data({12, 16, 24, 28}, {1, 1, 2, 2}));
  // groups 2: channel 0 only feeds output 0, channel 1 only output 1.
  Tensor x2 = Tensor::from_data({1, 10}, {1, 2, 1, 1});
  Tensor w2 = Tensor::from_data({2, 3}, {2, 1, 1, 1});
  check_close(conv2d(x2, w2, {.groups = 2}), Tensor::from_data({2, 30}, {1, 2, 1, 1}));
}

TEST_CASE("conv2d: gradients (standard, group, depthwise, 1x1; stride 1, 2; padding 0, 1)") {
  struct Case {
    Shape x, w;
    Conv2dParams p;
  };
  const Case cases[] = {
      {{2, 3, 5, 5}, {4, 3, 3, 3}, {.stride = 1, .padding = 1}},
      {{2, 3, 6, 6}, {4, 3, 3, 3}, {.stride = 2, .padding = 0}},
      {{1, 4, 5, 5}, {6, 2, 3, 3}, {.stride = 1, .padding = 0, .groups = 2}},
      {{2, 6, 6, 6}, {3, 2, 3, 3}, {.stride = 2, .padding = 1, .groups = 3}},
      {{2, 4, 5, 5}, {4, 1, 3, 3}, {.stride = 1, .padding = 1, .groups = 4}},
      {{2, 4, 6, 6}, {4, 1, 3, 3}, {.stride = 2, .padding = 1, .groups = 4}},
      {{2, 4, 3, 3}, {6, 4, 1, 1}, {}},
      {{2, 6, 4, 4}, {6, 2, 1, 1}, {.groups = 3}},
      {{1, 2, 5, 5}, {2, 2, 1, 1}, {.stride = 2}},
  };
  for (const Case& c : cases) {
    CAPTURE(shape_str(c.x));
    CAPTURE(shape_str(c.w));
    gradcheck([&](const std::vector<Tensor>& in) { return conv2d(in[0], in[1], c.p); },
              {leaf(c.x, 1), leaf(c.w, 2)});
  }
}

TEST_CASE("conv2d: a non-contiguous input and an input that needs no gradient") {
  Tensor x = rand_tensor({2, 5, 4, 4}, 3).narrow(1, 1, 3);  // a view with channel stride
  Tensor w = leaf({2, 3, 3, 3}, 4);
  Tensor y = conv2d(x, w, {.padding = 1});
  check_close(y, conv2d(x.contiguous(), w.detach(), {.padding = 1}));
  sum(y).backward();
  CHECK(w.grad().defined());
}

TEST_CASE("conv2d: shape errors name the op and the shapes") {
  Tensor x = Tensor::zeros({1, 3, 32, 32});
  CHECK(error_of([&] {
          conv2d(x, Tensor::zeros({8, 4, 3, 3}));
        }).rfind("conv2d: x is (1,3,32,32) but w expects C_in/G = 4", 0) == 0);
  CHECK(error_of([&] {
          conv2d(x, Tensor::zeros({8, 1, 3, 3}), {.groups = 3});
        }).find("not divisible by groups 3") != std::string::npos);
  CHECK(error_of([&] {
          conv2d(Tensor::zeros({3, 32, 32}), Tensor::zeros({8, 3, 3, 3}));
        }).find("[N, C_in, H, W]") != std::string::npos);
  CHECK(error_of([&] {
          conv2d(Tensor::zeros({1, 3, 2, 2}), Tensor::zeros({8, 3, 5, 5}));
        }).find("larger than the padded input") != std::string::npos);
  CHECK(error_of([&] {
          conv2d(x, Tensor::zeros({8, 3, 3, 3}), {.stride = 0});
        }).find("stride >= 1") != std::string::npos);
}

// [SECTION] batch_norm

TEST_CASE("batch_norm: training normalizes per channel and updates running stats like PyTorch") {
  // Channel 0 holds 1, 2, 3, 4 (mean 2.5, biased var 1.25, unbiased 5/3); channel 1 is constant 7.
  Tensor x = Tensor::from_data({1, 2, 7, 7, 3, 4, 7, 7}, {2, 2, 2, 1});
  Tensor gamma = Tensor::from_data({2, 1}, {2}), beta = Tensor::from_data({0.5, -1}, {2});
  Tensor rm = Tensor::zeros({2}), rv = Tensor::ones({2});
  Tensor y = batch_norm(x, gamma, beta, rm, rv, {.training = true});
  const float is = 1.f / std::sqrt(1.25f + 1e-5f);
  check_close(y, Tensor::from_data({2 * -1.5f * is + 0.5f, 2 * -0.5f * is + 0.5f, -1, -1,
                                    2 * 0.5f * is + 0.5f, 2 * 1.5f * is + 0.5f, -1, -1},
                                   {2, 2, 2, 1}));
  check_close(rm, Tensor::from_data({0.25f, 0.7f}, {2}));
  check_close(rv, Tensor::from_data({0.9f + 0.1f * 5.f / 3.f, 0.9f}, {2}));
  // eval uses the running statistics
  Tensor e = batch_norm(x, gamma, beta, rm, rv, {.training = false});
  CHECK(e.at({0, 0, 0, 0}) ==
        doctest::Approx((1 - 0.25) / std::sqrt(rv.at({0}) + 1e-5) * 2 + 0.5).epsilon(1e-5));
}

TEST_CASE("batch_norm: gradients in training and eval mode, 4-D and 2-D") {
  const Tensor rm = rand_tensor({3}, 7), rv = rand_tensor({3}, 8, 0.5f, 1.5f);
  for (bool training : {true, false}) {
    CAPTURE(training);
    // fresh copies of the running statistics per call: training updates them in place
    gradcheck(
        [&](const std::vector<Tensor>& in) {
          return batch_norm(in[0], in[1], in[2], rm.clone(), rv.clone(), {.training = training});
        },
        {leaf({2, 3, 3, 3}, 4), leaf({3}, 5), leaf({3}, 6)});
    gradcheck(
        [&](const std::vector<Tensor>& in) {
          return batch_norm(in[0], in[1], in[2], rm.clone(), rv.clone(), {.training = training});
        },
        {leaf({5, 3}, 9), leaf({3}, 10), leaf({3}, 11)});
  }
}

TEST_CASE("batch_norm: errors") {
  Tensor g = Tensor::ones({3}), b = Tensor::zeros({3});
  CHECK(error_of([&] {
          batch_norm(Tensor::zeros({2, 4, 2, 2}), g, b, Tensor(), Tensor());
        }).find("gamma must be (4)") != std::string::npos);
  CHECK(error_of([&] {
          batch_norm(Tensor::zeros({1, 3, 1, 1}), g, b, Tensor(), Tensor());
        }).find("more than one value per channel") != std::string::npos);
  CHECK(error_of([&] {
          batch_norm(Tensor::zeros({2, 3, 1, 1}), g, b, Tensor(), Tensor(), {.training = false});
        }).find("running_mean") != std::string::npos);
}

// [SECTION] pools

TEST_CASE("pools: tiny cases by hand") {
  Tensor x = Tensor::from_data({1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 1, 3, 3});
  check_close(max_pool2d(x, {.kernel = 2, .stride = 1}),
              Tensor::from_data({5, 6, 8, 9}, {1, 1, 2, 2}));
  // 3x3 stride 2 pad 1 average counting padding: the top-left window holds 1, 2, 4, 5.
  check_close(avg_pool2d(x, {.kernel = 3, .stride = 2, .padding = 1}),
              Tensor::from_data({12 / 9.f, 16 / 9.f, 24 / 9.f, 28 / 9.f}, {1, 1, 2, 2}));
  check_close(max_pool2d(x, {.kernel = 3, .stride = 2, .padding = 1}),
              Tensor::from_data({5, 6, 8, 9}, {1, 1, 2, 2}));
  check_close(global_avg_pool(x), Tensor::from_data({5}, {1, 1}));
}

TEST_CASE("pools: gradients") {
  // Distinct values keep max-pool away from ties, where the derivative is not defined.
  std::vector<float> v(2 * 3 * 7 * 7);
  for (size_t i = 0; i < v.size(); ++i) v[i] = (float)((i * 37) % v.size()) * 0.1f;
  Tensor xm = Tensor::from_data(v, {2, 3, 7, 7}).requires_grad_(true);
  gradcheck(
      [](const std::vector<Tensor>& in) {
        return max_pool2d(in[0], {.kernel = 3, .stride = 2, .padding = 1});
      },
      {xm});
  gradcheck(
      [](const std::vector<Tensor>& in) {
        return avg_pool2d(in[0], {.kernel = 3, .stride = 2, .padding = 1});
      },
      {leaf({2, 3, 7, 7}, 1)});
  gradcheck([](const std::vector<Tensor>& in) { return avg_pool2d(in[0], {.kernel = 2}); },
            {leaf({1, 2, 4, 6}, 2)});
  gradcheck([](const std::vector<Tensor>& in) { return global_avg_pool(in[0]); },
            {leaf({2, 3, 4, 4}, 3)});
}

TEST_CASE("pools: errors") {
  CHECK(error_of([] {
          max_pool2d(Tensor::zeros({1, 1, 4, 4}), {.kernel = 2, .padding = 2});
        }).find("at most half") != std::string::npos);
  CHECK(error_of([] {
          avg_pool2d(Tensor::zeros({1, 4, 4}), {.kernel = 2});
        }).find("avg_pool2d: x must be") != std::string::npos);
}

// [SECTION] linear

TEST_CASE("linear: tiny case and gradients") {
  Tensor x = Tensor::from_data({1, 2}, {1, 2});
  Tensor w = Tensor::from_data({1, 0, 0, 1, 1, 1}, {3, 2});
  check_close(linear(x, w, Tensor::from_data({0, 10, 100}, {3})),
              Tensor::from_data({1, 12, 103}, {1, 3}));
  gradcheck([](const std::vector<Tensor>& in) { return linear(in[0], in[1], in[2]); },
            {leaf({4, 5}, 1), leaf({3, 5}, 2), leaf({3}, 3)});
  CHECK(error_of([] {
          linear(Tensor::zeros({2, 4}), Tensor::zeros({3, 5}));
        }).find("expects I = 5") != std::string::npos);
}

// [SECTION] cross_entropy

TEST_CASE("cross_entropy: tiny cases by hand") {
  // Two equal logits: loss = log 2 whatever the label.
  Tensor l = Tensor::zeros({1, 2});
  CHECK(cross_entropy(l, std::vector<int>{1}).item() == doctest::Approx(std::log(2.0)));
  // Huge logits stay finite (stable log-softmax).
  Tensor big = Tensor::from_data({1000, 0, -1000}, {1, 3});
  CHECK(cross_entropy(big, std::vector<int>{0}).item() == doctest::Approx(0.0));
  CHECK(cross_entropy(big, std::vector<int>{1}).item() == doctest::Approx(1000.0));
  // Smoothing 0.3 over K = 3: target (0.8, 0.1, 0.1) on logits (0, 0, 0): loss = log 3.
  CHECK(cross_entropy(Tensor::zeros({2, 3}), std::vector<int>{0, 2}, {.label_smoothing = 0.3f})
            .item() == doctest::Approx(std::log(3.0)));
  // labels as a float tensor give the same loss
  Tensor z = rand_tensor({3, 4}, 5);
  CHECK(cross_entropy(z, Tensor::from_data({0, 3, 1}, {3})).item() ==
        doctest::Approx(cross_entropy(z, std::vector<int>{0, 3, 1}).item()));
}

TEST_CASE("cross_entropy: gradients and errors") {
  gradcheck(
      [](const std::vector<Tensor>& in) {
        return cross_entropy(in[0], std::vector<int>{0, 3, 2});
      },
      {leaf({3, 5}, 1)});
  gradcheck(
      [](const std::vector<Tensor>& in) {
        return cross_entropy(in[0], std::vector<int>{1, 4}, {.label_smoothing = 0.1f});
      },
      {leaf({2, 5}, 2)});
  CHECK(error_of([] {
          cross_entropy(Tensor::zeros({2, 3}), std::vector<int>{0, 3});
        }).find("label 3 at row 1") != std::string::npos);
  CHECK(error_of([] {
          cross_entropy(Tensor::zeros({2, 3}), std::vector<int>{0});
        }).find("1 labels") != std::string::npos);
  CHECK(error_of([] {
          cross_entropy(Tensor::zeros({1, 3}), Tensor::from_data({0.5f}, {1}));
        }).find("not a class index") != std::string::npos);
}

// [SECTION] parameter-free layers: split, concat, add, shuffle

TEST_CASE("ChannelSplit gives views, Concat copies, Add adds; gradients flow through all three") {
  ChannelSplit split;
  Concat concat;
  Add residual;
  ChannelShuffle shuffle(3);
  Tensor x = rand_tensor({2, 6, 3, 3}, 1);
  auto [a, b] = split(x);
  CHECK(a.shares_storage(x));
  CHECK(b.shares_storage(x));
  CHECK(a.shape() == Shape{2, 3, 3, 3});
  CHECK(b.at({1, 2, 2, 2}) == x.at({1, 5, 2, 2}));
  Tensor y = concat({a, b});
  CHECK(!y.shares_storage(x));
  CHECK(y.to_vector() == x.to_vector());
  CHECK(shuffle(x).to_vector() == channel_shuffle(x, 3).to_vector());
  check_close(residual(a, b), add(a, b));
  gradcheck(
      [&](const std::vector<Tensor>& in) {
        auto [p, q] = split(in[0]);
        return concat({relu(q), p * 2.f, p});
      },
      {leaf({2, 6, 2, 2}, 2)});
  gradcheck([&](const std::vector<Tensor>& in) { return residual(in[0], in[1]); },
            {leaf({1, 2, 2, 2}, 3), leaf({1, 2, 2, 2}, 4)});
  gradcheck([&](const std::vector<Tensor>& in) { return shuffle(in[0]); }, {leaf({1, 6, 2, 2}, 5)});
  CHECK(error_of([&] { split(Tensor::zeros({1, 5, 2, 2})); }).find("C even") != std::string::npos);
  CHECK(error_of([&] {
          residual(Tensor::zeros({1, 2}), Tensor::zeros({2}));
        }).find("does not broadcast") != std::string::npos);
}

TEST_CASE(
    "cost at the module boundary: a leaf layer's call records its cost, op calls record nothing") {
  Sequential seq;
  seq.add(std::make_unique<Conv2d>(4, 6, 1, Conv2dParams{.groups = 2}));
  seq.add(std::make_unique<ReLU>());
  seq.add(std::make_unique<ChannelShuffle>(2));
  Tensor x = rand_tensor({1, 4, 5, 5}, 7);
  CostRecording rec;
  Tensor y = seq(x);
  conv2d(x, Tensor::zeros({6, 2, 1, 1}), {.groups = 2});  // a bare op: no layer, no record
  relu(x);
  REQUIRE(rec.layers().size() == 3);
  const LayerCost& conv = rec.layers()[0];
  CHECK(conv.name == "0");
  CHECK(conv.type == "conv2d");
  CHECK(conv.kind == "1x1 g=2");
  CHECK(conv.params == 6 * 2);
  CHECK(conv.madds == 25 * 6 * 2);                 // H_out W_out C_out (C_in/G) K K
  CHECK(conv.mac == 25 * 4 + 25 * 6 + 4 * 6 / 2);  // hw(c1 + c2) + c1 c2 / g
  CHECK(rec.layers()[1].name == "1");
  CHECK(rec.layers()[1].mac == 2 * 6 * 25);
  CHECK(rec.layers()[2].type == "channel_shuffle");
  CHECK(rec.layers()[2].out_shape == Shape{1, 6, 5, 5});
}

TEST_CASE("backend contract: nn ops on a backend without their kernel say so") {
  Backend partial = cpu::table();
  partial.name = "partial";
  partial.conv2d_forward = nullptr;
  partial.batchnorm_stats = nullptr;
  override_backend_for_testing(Device::cpu, &partial);
  const std::string conv = error_of([] {
    conv2d(Tensor::zeros({1, 2, 3, 3}), Tensor::zeros({2, 2, 1, 1}));
  });
  const std::string bn = error_of([] {
    batch_norm(Tensor::zeros({2, 2, 3, 3}), Tensor::ones({2}), Tensor::zeros({2}), Tensor(),
               Tensor());
  });
  override_backend_for_testing(Device::cpu, nullptr);
  CHECK(conv.find("conv2d_forward is not supported on the partial backend yet") == 0);
  CHECK(bn.find("batchnorm_stats is not supported on the partial backend yet") == 0);
}
