// tests/core/test_cuda_vs_cpu.cpp - every op the models use, forward and backward, run on
// the CUDA backend and on the CPU from the same random inputs and compared: odd sizes,
// views at non-zero offsets, every group count and stride of the models, sizes where a
// thread's loop runs more than once, grids near their limits, and a whole model's forward,
// backward and SGD step. Every device allocation starts as NaN (SL_CUDA_POISON=1, set
// below), so a kernel that leaves an output element unwritten fails the comparison.
// Without a usable GPU each case prints "skipped (no CUDA device)" and CTest reports the
// test as skipped; SL_REQUIRE_CUDA=1 (scripts/gpu-check) turns that into a failure.
// The same binary runs twice under CTest: `cuda_vs_cpu` with the readable kernels
// (SL_CUDA_FAST=0) and `cuda_vs_cpu_fast` with SL_CUDA_FAST=1, the fast ones
// (core/cuda/*_fast.cu, the default); SL_CUDA_FAST=conv1x1,... runs some families (to
// find which one breaks a case, core/cuda/cuda_check.h); the "fast kernels" cases
// below pick shapes that reach every branch of those kernels (tiles, halos, chunks, paths).
// Not here: the CPU kernels' own correctness (test_kernels*.cpp).
#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/backend.h"
#include "nn/batchnorm.h"
#include "nn/conv2d.h"
#include "nn/loss.h"
#include "nn/models/models.h"
#include "nn/optim.h"
#include "nn/pool.h"
#include "tests/helpers.h"

using namespace sl;
using sl::test::check_close;
using sl::test::rand_tensor;

namespace {

// Before the first device allocation of this process (static initialisation).
[[maybe_unused]] const bool g_poison_set = [] { return ::setenv("SL_CUDA_POISON", "1", 0) == 0; }();

bool env_is_1(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && std::strcmp(v, "1") == 0;
}

// True when the CUDA backend can run. Otherwise prints the line CTest's
// SKIP_REGULAR_EXPRESSION turns into "skipped" (tests/CMakeLists.txt), or fails the case
// under SL_REQUIRE_CUDA=1 (a GPU machine, where a skip would hide a broken setup).
bool have_cuda() {
  if (cuda_available()) return true;
  const std::string why = device_unavailable_reason(Device::cuda);
  if (env_is_1("SL_REQUIRE_CUDA")) {
    FAIL_CHECK("SL_REQUIRE_CUDA=1, but CUDA cannot run here: ", why);
    return false;
  }
  static bool said = false;
  if (!said) std::printf("skipped (no CUDA device): %s\n", why.c_str());
  said = true;
  return false;
}

using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

// Runs f on CPU leaves and on CUDA copies of them, compares the outputs, then backpropagates
// L = sum(out * R) (R fixed and random, so each output element has its own weight) on both
// and compares every input's gradient. f may take views (narrow, transpose) of its inputs.
void compare(const std::string& what, const std::vector<Tensor>& inputs, const Fn& f,
             double atol = 1e-5, double rtol = 1e-4, bool backward = true) {
  CAPTURE(what);
  std::vector<Tensor> c, g;
  c.reserve(inputs.size());
  g.reserve(inputs.size());
  for (const Tensor& x : inputs) {
    c.push_back(x.detach().clone().requires_grad_(backward));
    g.push_back(x.detach().to(Device::cuda).requires_grad_(backward));
  }
  const Tensor out_c = f(c), out_g = f(g);
  REQUIRE(out_g.device() == Device::cuda);
  check_close(out_g.to(Device::cpu), out_c, atol, rtol, what + " forward");
  if (!backward) return;
  const Tensor r = rand_tensor(out_c.shape(), 99);
  sum(out_c * r).backward();
  sum(out_g * r.to(Device::cuda)).backward();
  for (size_t i = 0; i < inputs.size(); ++i) {
    REQUIRE(c[i].grad().defined() == g[i].grad().defined());
    if (c[i].grad().defined())
      check_close(g[i].grad().to(Device::cpu), c[i].grad(), atol, rtol,
                  str_cat(what, " grad of input ", i));
  }
}

}  // namespace

TEST_CASE("cuda vs cpu: unary and binary element-wise ops, broadcast, views at offsets") {
  if (!have_cuda()) return;
  const Tensor a = rand_tensor({3, 5, 9}, 1, 0.2f, 2.f), b = rand_tensor({5, 1}, 2, -1.f, 1.f);
  // a narrowed at an offset (start 1 of dim 2) and b broadcast over dims 0 and 2
  auto va = [](const Tensor& x) { return x.narrow(2, 1, 7); };
  compare("neg", {a}, [&](auto& in) { return neg(va(in[0])); });
  compare("relu", {b}, [](auto& in) { return relu(in[0] * 3.f); });
  compare(
      "exp", {a}, [&](auto& in) { return exp(va(in[0])); }, 1e-5, 1e-5);
  compare(
      "log", {a}, [&](auto& in) { return log(va(in[0])); }, 1e-5, 1e-5);
  compare(
      "sqrt", {a}, [&](auto& in) { return sqrt(va(in[0])); }, 1e-5, 1e-5);
  compare("abs", {b}, [](auto& in) { return abs(in[0]); });
  compare(
      "pow", {a}, [&](auto& in) { return pow(va(in[0]), 2.5f); }, 1e-5, 1e-4);
  compare("add", {a, b}, [&](auto& in) { return va(in[0]) + in[1]; });
  compare("sub", {a, b}, [&](auto& in) { return in[1] - va(in[0]); });
  compare("mul", {a, b}, [&](auto& in) { return va(in[0]) * in[1]; });
  compare(
      "div", {b, a}, [&](auto& in) { return in[0] / va(in[1]); }, 1e-5, 1e-4);
  compare("maximum", {a, b}, [&](auto& in) { return maximum(va(in[0]) - 1.f, in[1]); });
  for (auto op : {eq, ne, lt, le, gt, ge})
    compare(
        "comparison", {a, b}, [&](auto& in) { return op(va(in[0]) - 1.f, in[1]); }, 0, 0, false);
  compare("transposed operands", {a, a}, [](auto& in) {
    return in[0].transpose(0, 2) * in[1].permute({2, 0, 1}).transpose(1, 2);
  });
}

TEST_CASE("cuda vs cpu: strided copies, cat and split at odd sizes") {
  if (!have_cuda()) return;
  const Tensor x = rand_tensor({3, 7, 5, 11}, 3), y = rand_tensor({3, 4, 5, 11}, 4);
  compare(
      "contiguous of a permute", {x},
      [](auto& in) {
        return in[0].permute({3, 1, 0, 2}).contiguous();
      },
      0, 0);
  compare(
      "contiguous of a narrow", {x},
      [](auto& in) { return in[0].narrow(1, 2, 5).narrow(3, 3, 7).contiguous(); }, 0, 0);
  compare(
      "cat on channels", {x, y},
      [](auto& in) {
        return cat({in[0], in[1]}, 1);
      },
      0, 0);
  compare("split halves then cat back", {x, y}, [](auto& in) {
    const Tensor z = cat({in[0], in[1]}, 1);  // 11 channels, split 5 | 6 as the V2 unit does
    return cat({z.narrow(1, 5, 6), relu(z.narrow(1, 0, 5))}, 1);
  });
}

TEST_CASE("cuda vs cpu: reductions over every dim, loops longer than a block") {
  if (!have_cuda()) return;
  const Tensor x = rand_tensor({3, 1001, 7}, 5);  // n = 1001 > 256 threads
  for (std::vector<int64_t> dims : {std::vector<int64_t>{0}, {1}, {2}, {0, 2}, {}})
    compare(
        str_cat("sum over ", dims.size(), " dims"), {x}, [&](auto& in) { return sum(in[0], dims); },
        1e-4, 1e-5);
  compare(
      "mean keepdim", {x}, [](auto& in) { return mean(in[0], {1}, true); }, 1e-6, 1e-5);
  for (int64_t d : {0, 1, 2}) {
    compare(
        str_cat("max dim ", d), {x}, [&](auto& in) { return max(in[0], d); }, 0, 0);
    compare(
        str_cat("argmax dim ", d), {x}, [&](auto& in) { return argmax(in[0], d); }, 0, 0, false);
  }
}

TEST_CASE("cuda vs cpu: matmul at odd sizes, transposed, broadcast, and a batch past 65535") {
  if (!have_cuda()) return;
  struct Case {
    int64_t B, M, K, N;
  };
  for (Case s : {Case{1, 1, 1, 1}, Case{1, 17, 33, 19}, Case{3, 65, 130, 31}, Case{2, 5, 300, 3}}) {
    const Tensor a = rand_tensor({s.B, s.M, s.K}, 6), b = rand_tensor({s.B, s.K, s.N}, 7);
    const std::string at = str_cat(s.B, "x", s.M, "x", s.K, "x", s.N);
    compare(
        "matmul " + at, {a, b}, [](auto& in) { return matmul(in[0], in[1]); }, 1e-4, 1e-4);
    compare(
        "matmul of transposes " + at, {a, b},  // [B, N, K] @ [B, K, M], both strided
        [](auto& in) { return matmul(in[1].transpose(1, 2), in[0].transpose(1, 2)); }, 1e-4, 1e-4);
  }
  const Tensor a = rand_tensor({4, 9, 13}, 8), w = rand_tensor({13, 6}, 9);
  compare(
      "matmul with a broadcast b", {a, w}, [](auto& in) { return matmul(in[0], in[1]); }, 1e-5,
      1e-4);
  // 70000 products: more than the 65535 blocks a grid may have in z, so the batch loop turns.
  const Tensor many_a = rand_tensor({70000, 2, 3}, 10), many_b = rand_tensor({70000, 3, 2}, 11);
  compare(
      "matmul batch 70000", {many_a, many_b}, [](auto& in) { return matmul(in[0], in[1]); }, 1e-5,
      1e-4);
}

TEST_CASE("cuda vs cpu: conv2d for every kernel, stride and group count of the models") {
  if (!have_cuda()) return;
  struct Case {
    const char* what;
    int64_t N, C_in, C_out, H, K, stride, groups;
  };
  const Case cases[] = {
      {"stem 3x3", 2, 3, 24, 9, 3, 1, 1},
      {"stem 3x3 stride 2", 2, 3, 24, 9, 3, 2, 1},
      {"1x1", 2, 24, 48, 7, 1, 1, 1},
      {"1x1 stride 2", 2, 24, 12, 7, 1, 2, 1},
      {"depthwise 3x3", 2, 24, 24, 9, 3, 1, 24},
      {"depthwise 3x3 stride 2", 2, 24, 24, 9, 3, 2, 24},
      {"depthwise 3x3 loops (N*H*W > 256)", 4, 8, 8, 15, 3, 1, 8},
      {"depthwise 3x3 stride 2 loops", 4, 8, 8, 17, 3, 2, 8},
  };
  for (const Case& c : cases) {
    const Tensor x = rand_tensor({c.N, c.C_in, c.H, c.H}, 12),
                 w = rand_tensor({c.C_out, c.C_in / c.groups, c.K, c.K}, 13);
    const Conv2dParams p{.stride = c.stride, .padding = c.K / 2, .groups = c.groups};
    compare(
        c.what, {x, w}, [&](auto& in) { return conv2d(in[0], in[1], p); }, 1e-4, 1e-4);
  }
  // ShuffleNet V1's grouped 1x1 convolutions: g = 1, 2, 3, 4, 8 (channels divisible by each).
  for (int64_t g : {1, 2, 3, 4, 8}) {
    const Tensor x = rand_tensor({3, 48, 5, 7}, 14), w = rand_tensor({24, 48 / g, 1, 1}, 15);
    compare(
        str_cat("grouped 1x1, g = ", g), {x, w},
        [&](auto& in) { return conv2d(in[0], in[1], {.groups = g}); }, 1e-4, 1e-4);
  }
  // An input view at an offset (the right half of a V2 split), as the models feed it.
  const Tensor x = rand_tensor({2, 10, 9, 9}, 16), w = rand_tensor({5, 1, 3, 3}, 17);
  compare(
      "depthwise on a channel split", {x, w},
      [](auto& in) { return conv2d(in[0].narrow(1, 5, 5), in[1], {.padding = 1, .groups = 5}); },
      1e-4, 1e-4);
}

TEST_CASE("cuda vs cpu: batch norm (training and eval), pooling, channel shuffle") {
  if (!have_cuda()) return;
  for (Shape s : {Shape{3, 24, 9, 9}, Shape{8, 5, 8, 8}}) {  // N*HW = 243 and 512 (> 256)
    const int64_t C = s[1];
    const Tensor x = rand_tensor(s, 18, -2.f, 3.f), gamma = rand_tensor({C}, 19, 0.5f, 1.5f),
                 beta = rand_tensor({C}, 20);
    const Tensor rm_c = Tensor::zeros({C}), rv_c = Tensor::ones({C});
    const Tensor rm_g = rm_c.to(Device::cuda), rv_g = rv_c.to(Device::cuda);
    compare(
        "batch_norm training " + shape_str(s), {x, gamma, beta},
        [&](auto& in) {
          const bool gpu = in[0].device() == Device::cuda;
          return batch_norm(in[0], in[1], in[2], gpu ? rm_g : rm_c, gpu ? rv_g : rv_c);
        },
        1e-4, 1e-4);
    check_close(rm_g.to(Device::cpu), rm_c, 1e-5, 1e-4, "running mean");
    check_close(rv_g.to(Device::cpu), rv_c, 1e-5, 1e-4, "running var");
    compare(
        "batch_norm eval " + shape_str(s), {x, gamma, beta},
        [&](auto& in) {
          const bool gpu = in[0].device() == Device::cuda;
          return batch_norm(in[0], in[1], in[2], gpu ? rm_g : rm_c, gpu ? rv_g : rv_c,
                            {.training = false});
        },
        1e-5, 1e-4);
  }
  const Tensor x = rand_tensor({3, 24, 9, 11}, 21);
  compare("max_pool 3x3 stride 2 pad 1", {x},
          [](auto& in) { return max_pool2d(in[0], {.kernel = 3, .stride = 2, .padding = 1}); });
  compare("max_pool 2x2", {x}, [](auto& in) { return max_pool2d(in[0], {.kernel = 2}); });
  compare("avg_pool 3x3 stride 2 pad 1", {x},
          [](auto& in) { return avg_pool2d(in[0], {.kernel = 3, .stride = 2, .padding = 1}); });
  compare(
      "global_avg_pool", {x}, [](auto& in) { return global_avg_pool(in[0]); }, 1e-6, 1e-5);
  for (int64_t g : {2, 3, 4, 8})
    compare(
        str_cat("channel_shuffle g = ", g), {x},
        [&](auto& in) { return channel_shuffle(in[0], g); }, 0, 0);
}

TEST_CASE("cuda vs cpu: the fused ops, BN + ReLU (training and eval) and concat + shuffle") {
  if (!have_cuda()) return;
  for (Shape s : {Shape{3, 24, 9, 9}, Shape{8, 5, 8, 8}}) {  // N*HW = 243 and 512 (> 256)
    const int64_t C = s[1];
    const Tensor x = rand_tensor(s, 22, -2.f, 3.f), gamma = rand_tensor({C}, 23, 0.5f, 1.5f),
                 beta = rand_tensor({C}, 24);
    const Tensor rm_c = Tensor::zeros({C}), rv_c = Tensor::ones({C});
    const Tensor rm_g = rm_c.to(Device::cuda), rv_g = rv_c.to(Device::cuda);
    for (const bool training : {true, false})
      compare(
          str_cat("batch_norm_relu ", training ? "training " : "eval ", shape_str(s)),
          {x, gamma, beta},
          [&](auto& in) {
            const bool gpu = in[0].device() == Device::cuda;
            return batch_norm_relu(in[0], in[1], in[2], gpu ? rm_g : rm_c, gpu ? rv_g : rv_c,
                                   {.training = training});
          },
          1e-4, 1e-4);
    check_close(rm_g.to(Device::cpu), rm_c, 1e-5, 1e-4, "running mean");
    check_close(rv_g.to(Device::cpu), rv_c, 1e-5, 1e-4, "running var");
  }
  // V2's two equal halves (g = 2), uneven halves and V1's group counts, odd sizes
  for (auto [c_a, c_b, g] : {std::array<int64_t, 3>{24, 24, 2}, {5, 7, 3}, {9, 3, 4}, {3, 13, 8}}) {
    const Tensor a = rand_tensor({3, c_a, 9, 11}, 25), b = rand_tensor({3, c_b, 9, 11}, 26);
    compare(
        str_cat("cat_shuffle ", c_a, " + ", c_b, " g = ", g), {a, b},
        [&](auto& in) { return cat_shuffle(in[0], in[1], g); }, 0, 0);
  }
}

// Shapes for core/cuda/conv2d_fast.cu's depthwise kernels: planes larger than one 16x16 tile
// in both directions and not a multiple of it (the halo crosses tile edges, the last tile is
// partial), strides 1 and 2 with odd and even sizes, and N * H_out * W_out large enough that
// the backward-weight reduction has many chunks and each thread's loop turns more than once.
TEST_CASE("cuda vs cpu: fast kernels: depthwise 3x3 forward and backward over many tiles") {
  if (!have_cuda()) return;
  struct Case {
    int64_t N, C, H, W, stride;
  };
  for (Case c :
       {Case{2, 3, 37, 21, 1}, Case{2, 3, 37, 21, 2}, Case{3, 5, 32, 32, 2}, Case{1, 2, 16, 17, 1},
        Case{1, 1, 1, 1, 1}, Case{1, 1, 2, 3, 2}, Case{16, 24, 33, 33, 1},
        // planes of at most 128 outputs take the one-thread-per-element kernels: the models'
        // 8x8 and 4x4 stages, stride 2 into 4x4, odd sizes, and 11x11 (121) against 12x11 (132)
        Case{8, 116, 8, 8, 1}, Case{8, 232, 4, 4, 1}, Case{4, 24, 8, 8, 2}, Case{3, 5, 7, 9, 2},
        Case{2, 3, 11, 11, 1}, Case{2, 3, 12, 11, 1}}) {
    const Tensor x = rand_tensor({c.N, c.C, c.H, c.W}, 40), w = rand_tensor({c.C, 1, 3, 3}, 41);
    const Conv2dParams p{.stride = c.stride, .padding = 1, .groups = c.C};
    compare(
        str_cat("depthwise ", shape_str(x.shape()), " stride ", c.stride), {x, w},
        [&](auto& in) { return conv2d(in[0], in[1], p); }, 1e-4, 1e-4);
  }
}

// Shapes for core/cuda/batchnorm_fast.cu: one chunk (small M), many chunks with loops that
// turn twice (C = 24, M = 8 * 37 * 37 = 10952 > 42 chunks * 256), C = 3 with 273 chunks, and a
// constant channel (variance 0) where a naive sum of squares would go negative.
TEST_CASE("cuda vs cpu: fast kernels: batch norm statistics and backward in chunks") {
  if (!have_cuda()) return;
  for (Shape s : {Shape{2, 3, 5, 5}, Shape{8, 24, 37, 37}, Shape{64, 3, 33, 33}}) {
    const int64_t C = s[1];
    const Tensor x = rand_tensor(s, 42, 50.f, 53.f), gamma = rand_tensor({C}, 43, 0.5f, 1.5f),
                 beta = rand_tensor({C}, 44);
    const Tensor rm_c = Tensor::zeros({C}), rv_c = Tensor::ones({C});
    const Tensor rm_g = rm_c.to(Device::cuda), rv_g = rv_c.to(Device::cuda);
    compare(
        "batch_norm training (values near 51.5) " + shape_str(s), {x, gamma, beta},
        [&](auto& in) {
          const bool gpu = in[0].device() == Device::cuda;
          return batch_norm(in[0], in[1], in[2], gpu ? rm_g : rm_c, gpu ? rv_g : rv_c);
        },
        2e-3, 2e-3);
    check_close(rm_g.to(Device::cpu), rm_c, 1e-4, 1e-4, "running mean");
    check_close(rv_g.to(Device::cpu), rv_c, 1e-4, 1e-3, "running var");
  }
  const Tensor flat = Tensor::full({4, 2, 9, 9}, 3.f);
  const Tensor rm = Tensor::zeros({2}, Device::cuda), rv = Tensor::ones({2}, Device::cuda);
  const Tensor y = batch_norm(flat.to(Device::cuda), Tensor::ones({2}, Device::cuda),
                              Tensor::zeros({2}, Device::cuda), rm, rv);
  check_close(y.to(Device::cpu), Tensor::zeros({4, 2, 9, 9}), 1e-6, 0, "a constant channel");
}

// Shapes for core/cuda/elementwise_fast.cu: copies that coalesce to dense (one memcpy), to a
// few long rows (a channel split), or not at all (a permute); size-1 dims; a 0-dim scalar;
// binary ops dense, broadcast after coalescing, and on transposed operands.
TEST_CASE("cuda vs cpu: fast kernels: coalesced copies and binary ops") {
  if (!have_cuda()) return;
  const Tensor x = rand_tensor({5, 12, 7, 9}, 45), b = rand_tensor({12, 1, 1}, 46);
  compare(
      "dense copy (clone)", {x}, [](auto& in) { return in[0].clone(); }, 0, 0);
  compare(
      "channel split copy: N rows of C/2*H*W", {x},
      [](auto& in) { return in[0].narrow(1, 6, 6).contiguous(); }, 0, 0);
  compare(
      "size-1 dims", {x},
      [](auto& in) { return in[0].narrow(0, 2, 1).narrow(2, 3, 1).contiguous(); }, 0, 0);
  compare(
      "permute copy", {x},
      [](auto& in) {
        return in[0].permute({2, 0, 3, 1}).contiguous();
      },
      0, 0);
  compare(
      "a scalar", {x}, [](auto& in) { return sum(in[0]) * 2.f; }, 1e-3, 1e-5);
  compare("dense add", {x, x}, [](auto& in) { return in[0] + in[1] * 2.f; });
  compare("broadcast mul over channels", {x, b}, [](auto& in) { return in[0] * in[1]; });
  compare("transposed sub", {x, x},
          [](auto& in) { return in[0].transpose(2, 3) - in[1].transpose(2, 3).contiguous(); });
}

// Shapes for core/cuda/channel_shuffle_fast.cu: HW a multiple of 4 (float4 path), odd HW
// (the scalar path), a view at an offset, and more elements than one grid-stride turn.
TEST_CASE("cuda vs cpu: fast kernels: channel shuffle, both paths") {
  if (!have_cuda()) return;
  const Tensor a = rand_tensor({3, 26, 8, 8}, 47), b = rand_tensor({3, 26, 9, 11}, 48);
  for (int64_t g : {2, 4, 8}) {
    compare(
        str_cat("shuffle HW = 64, g = ", g), {a},
        [&](auto& in) { return channel_shuffle(in[0].narrow(1, 2, 24), g); }, 0, 0);
    compare(
        str_cat("shuffle HW = 99, g = ", g), {b},
        [&](auto& in) { return channel_shuffle(in[0].narrow(1, 1, 24), g); }, 0, 0);
  }
  // cat_shuffle (concat + shuffle): float4 (HW = 64) and scalar (HW = 9) paths, the left
  // input a channel slice read in place (its own image stride), as in the V2 unit
  for (int64_t hw : {8, 3})
    for (int64_t g : {2, 4}) {
      const Tensor l = rand_tensor({3, 12, hw, hw}, 52), r = rand_tensor({3, 4, hw, hw}, 53);
      compare(
          str_cat("cat_shuffle ", hw, "x", hw, ", g = ", g, ", left half a slice"), {l, r},
          [&](auto& in) { return cat_shuffle(in[0].narrow(1, 8, 4), in[1], g); }, 0, 0);
    }
  const Tensor big = rand_tensor({64, 232, 16, 16}, 49);  // 3.8 M elements, 116 groups of 2
  compare(
      "shuffle 64x232x16x16", {big}, [](auto& in) { return channel_shuffle(in[0], 2); }, 0, 0,
      false);
}

// Shapes for the 1x1 GEMMs of core/cuda/conv2d_fast.cu (forward, backward-input and the
// weight gradient, whose sum over images is split over blocks): partial 64x64 tiles, K
// shorter than one 8-deep slab, every group count of V1, the models' own sizes at batch 64
// (a weight gradient summed over 16,384 positions in many splits), and one image (no split).
TEST_CASE("cuda vs cpu: fast kernels: 1x1 convolution as a batched GEMM, all three products") {
  if (!have_cuda()) return;
  struct Case {
    int64_t N, C_in, C_out, H, W, groups;
  };
  for (Case c : {Case{2, 24, 30, 32, 32, 1}, Case{5, 37, 74, 5, 7, 1}, Case{1, 3, 5, 1, 1, 1},
                 Case{3, 120, 120, 8, 8, 3}, Case{2, 48, 24, 4, 4, 2}, Case{2, 64, 64, 3, 3, 4},
                 Case{2, 240, 480, 4, 4, 8}, Case{64, 58, 58, 16, 16, 1},
                 Case{64, 232, 232, 4, 4, 1}, Case{1, 130, 70, 9, 9, 1}}) {
    const Tensor x = rand_tensor({c.N, c.C_in, c.H, c.W}, 50),
                 w = rand_tensor({c.C_out, c.C_in / c.groups, 1, 1}, 51);
    compare(
        str_cat("1x1 ", shape_str(x.shape()), " -> ", c.C_out, ", g = ", c.groups), {x, w},
        [&](auto& in) { return conv2d(in[0], in[1], {.groups = c.groups}); }, 1e-3, 1e-3);
  }
}

TEST_CASE("cuda vs cpu: cross-entropy and the SGD update kernel") {
  if (!have_cuda()) return;
  const Tensor logits = rand_tensor({37, 10}, 22, -4.f, 4.f);
  std::vector<int> labels(37);
  for (size_t i = 0; i < labels.size(); ++i) labels[i] = (int)(i * 7 % 10);
  for (float eps : {0.f, 0.1f})
    compare(
        str_cat("cross_entropy, smoothing ", eps), {logits},
        [&](auto& in) { return cross_entropy(in[0], labels, {.label_smoothing = eps}); }, 1e-6,
        1e-5);
  for (int64_t n : {1, 1001, 70001})  // one thread; several blocks; past one thread per element
    for (float mu : {0.f, 0.9f})
      for (bool nesterov : {false, true}) {
        if (nesterov && mu == 0.f) continue;
        CAPTURE(n);
        CAPTURE(mu);
        CAPTURE(nesterov);
        const SgdShape s{
            .n = n, .lr = 0.05f, .momentum = mu, .weight_decay = 5e-4f, .nesterov = nesterov};
        const Tensor w = rand_tensor({n}, 23), g = rand_tensor({n}, 24), buf = rand_tensor({n}, 25);
        Tensor wc = w.clone(), bc = buf.clone(), wg = w.to(Device::cuda), bg = buf.to(Device::cuda);
        const Tensor gg = g.to(Device::cuda);
        for (int step = 0; step < 3; ++step) {
          backend(Device::cpu).sgd_update(wc.data(), mu > 0 ? bc.data() : nullptr, g.data(), s);
          backend(Device::cuda).sgd_update(wg.data(), mu > 0 ? bg.data() : nullptr, gg.data(), s);
        }
        check_close(wg.to(Device::cpu), wc, 1e-6, 1e-5, "sgd weights");
        check_close(bg.to(Device::cpu), bc, 1e-6, 1e-5, "sgd momentum");
      }
}

TEST_CASE("cuda vs cpu: a grid-stride loop past the grid cap (2^28 + 5 elements)") {
  if (!have_cuda()) return;
  // grid_for caps a launch at 2^20 blocks of 256 threads = 2^28 threads: the last 5
  // elements are written by a second turn of the loop (1 GiB of device memory per tensor).
  const int64_t n = (1ll << 28) + 5;
  const Tensor x = Tensor::full({n}, -2.f, Device::cuda);
  const Tensor y = relu(x + 3.f);  // 1 everywhere
  const std::vector<float> head = y.narrow(0, 0, 4).to_vector(),
                           tail = y.narrow(0, n - 8, 8).to_vector();
  CHECK(head == std::vector<float>(4, 1.f));
  CHECK(tail == std::vector<float>(8, 1.f));
}

TEST_CASE("cuda vs cpu: whole models, forward, backward and one SGD step") {
  if (!have_cuda()) return;
  for (const char* name : {"v2-0.5", "v1-g3-0.5"}) {
    CAPTURE(name);
    auto mc = make_model(name, "cifar", 10, 7), mg = make_model(name, "cifar", 10, 7);
    mg->to(Device::cuda);
    const Tensor x = rand_tensor({4, 3, 32, 32}, 26);
    const std::vector<int> y = {3, 1, 4, 1};
    const Tensor lc = (*mc)(x), lg = (*mg)(x.to(Device::cuda));
    check_close(lg.to(Device::cpu), lc, 1e-3, 1e-3, "logits");
    cross_entropy(lc, y).backward();
    cross_entropy(lg, y).backward();
    const auto pc = mc->named_parameters(), pg = mg->named_parameters();
    REQUIRE(pc.size() == pg.size());
    for (size_t i = 0; i < pc.size(); ++i)
      check_close(pg[i].second.grad().to(Device::cpu), pc[i].second.grad(), 2e-3, 2e-2,
                  "grad of " + pc[i].first);
    Sgd oc(pc, {}), og(pg, {});
    oc.step();
    og.step();
    for (size_t i = 0; i < pc.size(); ++i)
      check_close(pg[i].second.to(Device::cpu), pc[i].second, 1e-4, 1e-3,
                  "after a step: " + pc[i].first);
  }
}
