// tests/nn/test_infer.cpp - the inference plan (nn/infer.h) against the model's own eval-mode
// forward: logits within a stated tolerance for V2 and V1 with random weights and non-trivial
// BatchNorm statistics at batch 1 and 3, the same predictions from the shipped trained model,
// no heap allocation per run, the same bits with 1 and 3 threads, clear errors for what it
// cannot plan; and the inference kernels (core/cpu/infer_kernels.h) against their twins.
#include <omp.h>

#include <algorithm>
#include <tuple>

#include "core/alloc_count.h"
#include "core/cpu/infer_kernels.h"
#include "core/cpu/kernels.h"
#include "nn/cifar10.h"
#include "nn/infer.h"
#include "nn/layers.h"
#include "nn/models/models.h"
#include "nn/train.h"
#include "tests/helpers.h"

using namespace sl;
using namespace sl::test;

namespace {

// Random BatchNorm statistics and affine parameters, so that folding has something to fold
// (fresh BatchNorms are the identity: mean 0, var 1, gamma 1, beta 0).
void randomize_batchnorms(Module& model, uint64_t seed) {
  Generator g(seed);
  model.apply([&](Module& m) {
    auto* bn = dynamic_cast<BatchNorm2d*>(&m);
    if (!bn) return;
    const Shape s = bn->weight.shape();
    copy_into(bn->weight, Tensor::uniform(s, g, 0.5f, 1.5f));
    copy_into(bn->bias, Tensor::uniform(s, g, -0.3f, 0.3f));
    copy_into(bn->running_mean, Tensor::uniform(s, g, -0.2f, 0.2f));
    copy_into(bn->running_var, Tensor::uniform(s, g, 0.5f, 2.f));
  });
}

Tensor eval_forward(Module& model, const Tensor& x) {
  model.eval();
  NoGradGuard no_grad;
  return model(x);
}

// Runs f with `threads` OpenMP threads, then restores the previous count.
template <class F>
void with_threads(int threads, F&& f) {
  const int before = omp_get_max_threads();
  omp_set_num_threads(threads);
  f();
  omp_set_num_threads(before);
}

}  // namespace

// Tolerance: the plan sums in another order (BatchNorm folded into the weights, the bias added
// after the product), so logits agree to float rounding, about 1e-5 of their size.
TEST_CASE("inference plan: logits equal the eval-mode forward, V2 and V1, batch 1 and 3") {
  for (const char* name : {"v2-0.5", "v2-1.0", "v1-g3-0.5"})
    for (int64_t batch : {1, 3}) {
      CAPTURE(name);
      CAPTURE(batch);
      auto model = make_model(name, "cifar", 10, 7);
      randomize_batchnorms(*model, 11);
      const Tensor x = rand_tensor({batch, 3, 32, 32}, 5);
      const Tensor want = eval_forward(*model, x);
      InferencePlan plan = compile_for_inference(*model, {batch, 3, 32, 32});
      const Tensor got = plan.run(x);
      check_close(got, want, 1e-4, 1e-3, std::string(name) + " plan vs eval forward");
      CHECK(plan.output_shape() == Shape{batch, 10});
      CHECK(plan.arena_buffers() <= 6);  // a few buffers, reused
    }
}

TEST_CASE("inference plan: the trained v2-0.5 asset predicts what its eval forward predicts") {
  auto model = make_model("v2-0.5", "cifar", 10, 0);
  load_model_weights(*model, std::string(SL_SOURCE_DIR) +
                                 "/assets/models/v2-0.5-cifar10/model.safetensors");
  constexpr int64_t kImages = 8;
  Tensor x;
  std::string dir;
  try {
    dir = cifar10_find_dir();
  } catch (const Error&) {
  }
  if (!dir.empty()) {
    const Cifar10 test = cifar10_load(dir, false, kImages);
    std::vector<float> buf(kImages * 3 * 32 * 32);
    for (int64_t i = 0; i < kImages; ++i)
      cifar10_augment_normalize(buf.data() + i * 3 * 32 * 32, test.images.data() + i * 3 * 32 * 32,
                                {});
    x = Tensor::from_data(buf, {kImages, 3, 32, 32});
  } else {
    MESSAGE("CIFAR-10 not found: random images instead of test images");
    x = rand_tensor({kImages, 3, 32, 32}, 3, -2.f, 2.f);
  }
  const Tensor want = eval_forward(*model, x);
  InferencePlan plan = compile_for_inference(*model, {kImages, 3, 32, 32});
  const Tensor got = plan.run(x);
  check_close(got, want, 1e-4, 1e-3, "trained v2-0.5");
  const std::vector<float> g = got.to_vector(), w = want.to_vector();
  for (int64_t i = 0; i < kImages; ++i) {
    auto argmax = [&](const std::vector<float>& v) {
      return std::max_element(v.begin() + i * 10, v.begin() + (i + 1) * 10) - (v.begin() + i * 10);
    };
    CHECK(argmax(g) == argmax(w));
  }
}

TEST_CASE("inference plan: no operator new per run after the first") {
  REQUIRE(heap_counting_linked());
  auto model = make_model("v2-0.5", "cifar", 10, 1);
  InferencePlan plan = compile_for_inference(*model, {1, 3, 32, 32});
  const Tensor x = rand_tensor({1, 3, 32, 32}, 2);
  std::vector<float> logits(10);
  plan.run(x.data(), logits.data());  // first run: gemm's per-thread packing buffers
  const HeapCounts h0 = heap_counts();
  for (int i = 0; i < 5; ++i) plan.run(x.data(), logits.data());
  const HeapCounts h1 = heap_counts();
  CHECK(h1.allocations - h0.allocations == 0);
}

TEST_CASE("inference plan: 1 and 3 threads give the same bits, run after run") {
  auto model = make_model("v2-1.0", "cifar", 10, 3);
  randomize_batchnorms(*model, 4);
  InferencePlan plan = compile_for_inference(*model, {2, 3, 32, 32});
  const Tensor x = rand_tensor({2, 3, 32, 32}, 6);
  std::vector<float> a(20), a2(20), b(20), b2(20);
  with_threads(1, [&] {
    plan.run(x.data(), a.data());
    plan.run(x.data(), a2.data());
  });
  with_threads(3, [&] {
    plan.run(x.data(), b.data());
    plan.run(x.data(), b2.data());
  });
  CHECK(a == a2);  // deterministic
  CHECK(b == b2);
  // Each item of work is cut at compile time, not by thread count: equal, not just close.
  CHECK(a == b);
}

TEST_CASE("inference plan: clear errors for what it cannot plan") {
  auto v2_imagenet = make_model("v2-0.5", "imagenet", 10, 0);
  CHECK(error_of([&] {
          compile_for_inference(*v2_imagenet, {1, 3, 224, 224});
        }).find("imagenet") != std::string::npos);
  Sequential seq;
  seq.add(std::make_unique<ReLU>());
  CHECK(error_of([&] {
          compile_for_inference(seq, {1, 3, 32, 32});
        }).find("cannot be planned") != std::string::npos);
  auto model = make_model("v2-0.5", "cifar", 10, 0);
  CHECK(error_of([&] {
          compile_for_inference(*model, {1, 4, 32, 32});
        }).find("conv2d") != std::string::npos);
  InferencePlan plan = compile_for_inference(*model, {1, 3, 32, 32});
  CHECK(error_of([&] {
          plan.run(rand_tensor({2, 3, 32, 32}, 1));
        }).find("compiled for") != std::string::npos);
}

// [SECTION] the kernels and their twins

TEST_CASE("infer kernels: direct conv with bias + ReLU equals its reference and conv2d's") {
  // stem-like (groups 1), depthwise stride 1 and 2, a 5x5 with padding 2 and groups 2
  const Conv2dShape shapes[] = {
      {.N = 2,
       .C_in = 3,
       .H = 7,
       .W = 9,
       .C_out = 4,
       .K = 3,
       .stride = 1,
       .padding = 1,
       .groups = 1,
       .H_out = 0,
       .W_out = 0},
      {.N = 1,
       .C_in = 5,
       .H = 8,
       .W = 8,
       .C_out = 5,
       .K = 3,
       .stride = 1,
       .padding = 1,
       .groups = 5,
       .H_out = 0,
       .W_out = 0},
      {.N = 2,
       .C_in = 6,
       .H = 9,
       .W = 7,
       .C_out = 6,
       .K = 3,
       .stride = 2,
       .padding = 1,
       .groups = 6,
       .H_out = 0,
       .W_out = 0},
      {.N = 1,
       .C_in = 4,
       .H = 6,
       .W = 5,
       .C_out = 6,
       .K = 5,
       .stride = 2,
       .padding = 2,
       .groups = 2,
       .H_out = 0,
       .W_out = 0},
  };
  for (Conv2dShape s : shapes) {
    s.H_out = (s.H + 2 * s.padding - s.K) / s.stride + 1;
    s.W_out = (s.W + 2 * s.padding - s.K) / s.stride + 1;
    const std::vector<float> x = rand_tensor({s.N, s.C_in, s.H, s.W}, 1).to_vector();
    const std::vector<float> w = rand_tensor({s.C_out, s.C_in / s.groups, s.K, s.K}, 2).to_vector();
    const std::vector<float> b = rand_tensor({s.C_out}, 3).to_vector();
    const int64_t n_out = s.N * s.C_out * s.H_out * s.W_out;
    for (bool relu : {false, true}) {
      std::vector<float> fast((size_t)n_out), ref((size_t)n_out), plain((size_t)n_out);
      // in two plane ranges, as two threads would
      cpu::conv2d_bias_act_planes(fast.data(), x.data(), w.data(), b.data(), relu, s, 0, 1);
      cpu::conv2d_bias_act_planes(fast.data(), x.data(), w.data(), b.data(), relu, s, 1,
                                  s.N * s.C_out);
      cpu::conv2d_bias_act_reference(ref.data(), x.data(), w.data(), b.data(), relu, s);
      check_close(fast, ref, 1e-5, 1e-5, "direct vs reference");
      // the reference is conv2d's reference plus the epilogue
      cpu::conv2d_forward_reference(plain.data(), x.data(), w.data(), s);
      for (int64_t i = 0; i < n_out; ++i) {
        const float v = plain[(size_t)i] + b[(size_t)(i / (s.H_out * s.W_out) % s.C_out)];
        plain[(size_t)i] = relu ? std::max(v, 0.f) : v;
      }
      check_close(ref, plain, 1e-6, 1e-6, "reference vs conv2d reference + bias");
    }
  }
}

TEST_CASE("infer kernels: pointwise with its epilogue, a tiny case with the numbers written") {
  // w [2, 2] = {{1, 2}, {-1, 0}}, x [2, 3] = {{1, 2, 3}, {1, 0, -1}}: w @ x = {{3, 2, 1},
  // {-1, -2, -3}}; bias {0.5, 4}, res = 1 everywhere, ReLU -> {{4.5, 3.5, 2.5}, {4, 3, 2}}.
  const float w[4] = {1, 2, -1, 0}, x[6] = {1, 2, 3, 1, 0, -1}, bias[2] = {0.5f, 4.f};
  const float res[6] = {1, 1, 1, 1, 1, 1};
  std::vector<float> packed((size_t)(cpu::kPointwiseRows * 2));
  cpu::pack_pointwise_weights(packed.data(), w, 2, 2);
  float out[8] = {0, 0, 0, 99, 0, 0, 0, 99};  // row stride 4: column 3 must stay untouched
  cpu::pointwise_bias_act(out, 4, x, 3, packed.data(), 2, 2, 3, bias, res, 3, true);
  const float want[8] = {4.5f, 3.5f, 2.5f, 99, 4.f, 3.f, 2.f, 99};
  for (int i = 0; i < 8; ++i) CHECK(out[i] == want[i]);
}

TEST_CASE("infer kernels: pointwise equals its reference and conv2d's 1x1 plus the epilogue") {
  // rows over and under a register tile, K long and short, columns whole and ragged
  for (auto [rows, K, cols] : {std::tuple<int64_t, int64_t, int64_t>{24, 24, 256},
                               {58, 29, 64},
                               {7, 5, 19},
                               {13, 300, 40}}) {
    CAPTURE(rows);
    CAPTURE(cols);
    const std::vector<float> w = rand_tensor({rows, K}, 1).to_vector();
    const std::vector<float> x = rand_tensor({K, cols}, 2).to_vector();
    const std::vector<float> b = rand_tensor({rows}, 3).to_vector();
    const std::vector<float> res = rand_tensor({rows, cols}, 4).to_vector();
    const int64_t padded = (rows + cpu::kPointwiseRows - 1) / cpu::kPointwiseRows;
    std::vector<float> packed((size_t)(padded * cpu::kPointwiseRows * K));
    cpu::pack_pointwise_weights(packed.data(), w.data(), rows, K);
    for (bool relu : {false, true})
      for (bool with_res : {false, true}) {
        const float* r = with_res ? res.data() : nullptr;
        std::vector<float> fast((size_t)(rows * cols)), ref(fast.size()), plain(fast.size());
        cpu::pointwise_bias_act(fast.data(), cols, x.data(), cols, packed.data(), rows, K, cols,
                                b.data(), r, cols, relu);
        cpu::pointwise_bias_act_reference(ref.data(), cols, x.data(), cols, w.data(), rows, K, cols,
                                          b.data(), r, cols, relu);
        check_close(fast, ref, 1e-5, 1e-5, "pointwise vs reference");
        // the reference is conv2d's 1x1 reference (x as one image [K, 1, cols]) + epilogue
        const Conv2dShape s{.N = 1,
                            .C_in = K,
                            .H = 1,
                            .W = cols,
                            .C_out = rows,
                            .K = 1,
                            .stride = 1,
                            .padding = 0,
                            .groups = 1,
                            .H_out = 1,
                            .W_out = cols};
        cpu::conv2d_forward_reference(plain.data(), x.data(), w.data(), s);
        for (int64_t i = 0; i < rows * cols; ++i) {
          float v = plain[(size_t)i] + b[(size_t)(i / cols)] + (r ? r[i] : 0.f);
          plain[(size_t)i] = relu ? std::max(v, 0.f) : v;
        }
        check_close(ref, plain, 1e-5, 1e-5, "reference vs conv2d reference + epilogue");
      }
  }
}

TEST_CASE("infer kernels: avg pool + ReLU into a slice equals its reference and avgpool2d's") {
  const Pool2dShape s{
      .N = 2, .C = 3, .H = 7, .W = 6, .K = 3, .stride = 2, .padding = 1, .H_out = 4, .W_out = 3};
  const std::vector<float> x = rand_tensor({s.N, s.C, s.H, s.W}, 9).to_vector();
  const int64_t hw = s.H_out * s.W_out, c_total = 5;  // out has 5 channels, pool fills 0..2
  std::vector<float> sliced((size_t)(s.N * c_total * hw), -7.f), ref((size_t)(s.N * s.C * hw)),
      plain(ref.size());
  cpu::avgpool2d_act_planes(sliced.data(), c_total * hw, x.data(), s, true, 0, 4);
  cpu::avgpool2d_act_planes(sliced.data(), c_total * hw, x.data(), s, true, 4, s.N * s.C);
  cpu::avgpool2d_act_reference(ref.data(), x.data(), s, true);
  cpu::avgpool2d_forward_reference(plain.data(), x.data(), s);
  for (float& v : plain) v = std::max(v, 0.f);
  CHECK(ref == plain);
  for (int64_t n = 0; n < s.N; ++n)
    for (int64_t i = 0; i < c_total * hw; ++i) {
      const float got = sliced[(size_t)(n * c_total * hw + i)];
      if (i < s.C * hw)
        CHECK(got == ref[(size_t)(n * s.C * hw + i)]);
      else
        CHECK(got == -7.f);  // channels past C untouched
    }
}
