// tests/core/test_kernels_conv.cpp - the CPU convolution kernels on raw buffers: tiny
// hand-computed cases, then every fast path (1x1 GEMM, depthwise, im2col) against the
// nested-loop reference on many shapes, and the references against each other through
// the adjoint identity. Not here: the conv2d op and its gradcheck (tests/nn, tests/core ops).
#include <omp.h>

#include "core/cpu/kernels.h"
#include "core/error.h"
#include "tests/core/kernels_check.h"

using namespace sl;
using sl::test::check_near;
using sl::test::dot;
using sl::test::random_vec;

namespace {

Conv2dShape conv_shape(int64_t n, int64_t c_in, int64_t h, int64_t w, int64_t c_out, int64_t k,
                       int64_t stride, int64_t padding, int64_t groups) {
  return {.N = n,
          .C_in = c_in,
          .H = h,
          .W = w,
          .C_out = c_out,
          .K = k,
          .stride = stride,
          .padding = padding,
          .groups = groups,
          .H_out = (h + 2 * padding - k) / stride + 1,
          .W_out = (w + 2 * padding - k) / stride + 1};
}

int64_t x_size(const Conv2dShape& s) { return s.N * s.C_in * s.H * s.W; }
int64_t w_size(const Conv2dShape& s) { return s.C_out * s.C_in / s.groups * s.K * s.K; }
int64_t out_size(const Conv2dShape& s) { return s.N * s.C_out * s.H_out * s.W_out; }

std::string describe(const Conv2dShape& s) {
  return str_cat("N=", s.N, " C_in=", s.C_in, " H=", s.H, " W=", s.W, " C_out=", s.C_out,
                 " K=", s.K, " stride=", s.stride, " pad=", s.padding, " G=", s.groups);
}

// Fast vs reference for forward, backward input and backward weight on one shape.
// Outputs start as garbage (NaN) so a kernel that forgets to write an element fails.
void check_fast_matches_reference(const Conv2dShape& s, uint64_t seed) {
  auto x = random_vec(x_size(s), seed), w = random_vec(w_size(s), seed + 1);
  auto dout = random_vec(out_size(s), seed + 2);
  const float nan = std::nanf("");
  std::vector<float> out(out_size(s), nan), out_ref(out_size(s), nan);
  cpu::conv2d_forward(out.data(), x.data(), w.data(), s);
  cpu::conv2d_forward_reference(out_ref.data(), x.data(), w.data(), s);
  check_near(out, out_ref, "forward " + describe(s));

  std::vector<float> dx(x_size(s), nan), dx_ref(x_size(s), nan);
  cpu::conv2d_backward_input(dx.data(), dout.data(), w.data(), s);
  cpu::conv2d_backward_input_reference(dx_ref.data(), dout.data(), w.data(), s);
  check_near(dx, dx_ref, "backward_input " + describe(s));

  std::vector<float> dw(w_size(s), nan), dw_ref(w_size(s), nan);
  cpu::conv2d_backward_weight(dw.data(), dout.data(), x.data(), s);
  cpu::conv2d_backward_weight_reference(dw_ref.data(), dout.data(), x.data(), s);
  check_near(dw, dw_ref, "backward_weight " + describe(s));
}

// Shapes: standard, stem, strided, grouped, pointwise (stride 1 and 2, padding 0 and 1),
// depthwise (1x1, 2x2, 3x3, 5x5, stride 1 to 3, padding 0 to 2), odd sizes, N = 1 and 3, and
// sizes past the GEMM's cache blocks (C_in*K*K > 256, C_out > 96).
const std::vector<Conv2dShape> kShapes = {
    conv_shape(2, 3, 7, 7, 4, 3, 1, 1, 1),        // standard 3x3, odd size
    conv_shape(3, 3, 8, 8, 24, 3, 1, 1, 1),       // CIFAR stem
    conv_shape(2, 4, 9, 9, 6, 3, 2, 1, 1),        // strided 3x3
    conv_shape(1, 2, 8, 8, 3, 3, 3, 2, 1),        // stride 3, padding 2
    conv_shape(2, 6, 5, 5, 9, 3, 1, 1, 3),        // grouped 3x3
    conv_shape(2, 3, 5, 5, 6, 3, 1, 1, 3),        // depthwise with channel multiplier 2 (im2col)
    conv_shape(3, 12, 6, 6, 8, 1, 1, 0, 4),       // grouped 1x1 (ShuffleNet V1 gconv)
    conv_shape(1, 8, 5, 7, 6, 1, 1, 0, 1),        // 1x1, N = 1, odd non-square
    conv_shape(2, 8, 7, 7, 6, 1, 2, 0, 1),        // 1x1 stride 2
    conv_shape(2, 4, 5, 5, 3, 1, 1, 1, 1),        // 1x1 padding 1
    conv_shape(1, 16, 20, 20, 24, 1, 1, 0, 1),    // 1x1 at batch 1: HW split in column chunks
    conv_shape(2, 100, 10, 13, 130, 1, 1, 0, 1),  // 1x1 past the GEMM blocks
    conv_shape(2, 40, 6, 6, 8, 3, 1, 1, 1),       // im2col with C_in*K*K = 360 > 256
    conv_shape(3, 5, 7, 6, 5, 3, 1, 1, 5),        // depthwise 3x3 s1 p1
    conv_shape(2, 6, 9, 8, 6, 3, 2, 1, 6),        // depthwise 3x3 s2 p1, odd
    conv_shape(1, 4, 16, 16, 4, 3, 2, 1, 4),      // depthwise 3x3 s2 p1, even
    conv_shape(2, 3, 6, 6, 3, 3, 1, 0, 3),        // depthwise 3x3 p0
    conv_shape(1, 2, 9, 9, 2, 5, 1, 2, 2),        // depthwise 5x5
    conv_shape(2, 4, 3, 3, 4, 1, 1, 0, 4),        // depthwise 1x1
    conv_shape(2, 3, 7, 8, 3, 1, 2, 0, 3),        // depthwise 1x1 s2: phases without taps
    conv_shape(1, 2, 11, 10, 2, 5, 3, 2, 2),      // depthwise 5x5 s3 p2
    conv_shape(2, 3, 6, 7, 3, 2, 2, 0, 3),        // depthwise 2x2 s2 (even kernel)
    conv_shape(2, 3, 2, 2, 3, 3, 1, 1, 3),        // depthwise, kernel larger than the image
    conv_shape(2, 48, 16, 16, 48, 1, 1, 0, 1),    // ShuffleNet V2 1x1
    conv_shape(2, 48, 16, 16, 48, 3, 1, 1, 48),   // ShuffleNet V2 depthwise
    conv_shape(24, 6, 32, 32, 6, 3, 2, 1, 6),     // depthwise s2, long sums (24 planes of 32x32)
    conv_shape(1, 1, 3, 3, 1, 3, 1, 1, 1),        // single channel (takes the depthwise path)
    // 1x1 weight gradients by GEMM on gathered rows (core/cpu/conv2d_1x1.cpp,
    // weight_grad_as_gemm): small planes, wide layers, ragged register tiles, groups
    conv_shape(2, 70, 4, 4, 75, 1, 1, 0, 1),    // HW 16, 75 x 70 (conv5-like)
    conv_shape(3, 99, 7, 9, 100, 1, 1, 0, 1),   // HW 63, 100 x 99
    conv_shape(2, 210, 3, 5, 198, 1, 1, 0, 3),  // HW 15, 3 groups of 66 x 70
};

}  // namespace

TEST_CASE("conv2d: 3x3 ones kernel, padding 1, on 1..9 (hand-computed)") {
  // x = [[1,2,3],[4,5,6],[7,8,9]], w = ones: each output is its 3x3 neighbourhood sum.
  auto s = conv_shape(1, 1, 3, 3, 1, 3, 1, 1, 1);
  std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8, 9}, w(9, 1.f), out(9), dx(9), dw(9);
  const std::vector<float> sums = {12, 21, 16, 27, 45, 33, 24, 39, 28};
  for (auto fwd : {cpu::conv2d_forward, cpu::conv2d_forward_reference}) {
    fwd(out.data(), x.data(), w.data(), s);
    check_near(out, sums, "forward");
  }
  // dout = ones: dx counts the windows that cover each pixel (corner 4, edge 6, centre 9).
  std::vector<float> ones(9, 1.f);
  for (auto bwd : {cpu::conv2d_backward_input, cpu::conv2d_backward_input_reference}) {
    bwd(dx.data(), ones.data(), w.data(), s);
    check_near(dx, {4, 6, 4, 6, 9, 6, 4, 6, 4}, "backward_input");
  }
  // dw[kh, kw] sums the x that tap saw; by symmetry the same numbers as the forward.
  for (auto bwd : {cpu::conv2d_backward_weight, cpu::conv2d_backward_weight_reference}) {
    bwd(dw.data(), ones.data(), x.data(), s);
    check_near(dw, sums, "backward_weight");
  }
}

TEST_CASE("conv2d: 1x1 mixing two channels (hand-computed)") {
  // out = 2 * x0 - 1 * x1 with x0 = [1,2,3,4], x1 = [10,20,30,40] (2x2 planes).
  auto s = conv_shape(1, 2, 2, 2, 1, 1, 1, 0, 1);
  std::vector<float> x = {1, 2, 3, 4, 10, 20, 30, 40}, w = {2, -1}, out(4), dx(8), dw(2);
  for (auto fwd : {cpu::conv2d_forward, cpu::conv2d_forward_reference}) {
    fwd(out.data(), x.data(), w.data(), s);
    check_near(out, {-8, -16, -24, -32}, "forward");
  }
  std::vector<float> dout = {1, 0, 0, 1};
  for (auto bwd : {cpu::conv2d_backward_input, cpu::conv2d_backward_input_reference}) {
    bwd(dx.data(), dout.data(), w.data(), s);
    check_near(dx, {2, 0, 0, 2, -1, 0, 0, -1}, "backward_input");
  }
  for (auto bwd : {cpu::conv2d_backward_weight, cpu::conv2d_backward_weight_reference}) {
    bwd(dw.data(), dout.data(), x.data(), s);
    check_near(dw, {1 + 4, 10 + 40}, "backward_weight");
  }
}

TEST_CASE("conv2d: fast kernels match the reference on many shapes") {
  uint64_t seed = 100;
  for (const Conv2dShape& s : kShapes) check_fast_matches_reference(s, seed += 10);
}

TEST_CASE("conv2d: fast kernels match the reference with an odd thread count") {
  // Three threads on any machine: uneven splits of images, chunks and channels.
  int before = omp_get_max_threads();
  omp_set_num_threads(3);
  uint64_t seed = 500;
  for (const Conv2dShape& s : kShapes) check_fast_matches_reference(s, seed += 10);
  omp_set_num_threads(before);
}

TEST_CASE("conv2d: grouped 1x1 fast kernels match the reference, random shapes, threads 1 and 3") {
  // Every group count the ShuffleNet models use; odd channel counts per group (tiles of the
  // weight-gradient kernel and register tiles of the GEMM cut ragged), planes smaller and
  // larger than a 16-lane vector and not a multiple of it, and sizes past one image block.
  const int before = omp_get_max_threads();
  uint64_t state = 7;
  auto roll = [&](int64_t lo, int64_t hi) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return lo + (int64_t)((state >> 33) % (uint64_t)(hi - lo + 1));
  };
  const int64_t groups[] = {1, 2, 3, 4, 8};
  for (int trial = 0; trial < 40; ++trial) {
    const int threads = trial % 2 == 0 ? 1 : 3;
    omp_set_num_threads(threads);
    CAPTURE(threads);
    const int64_t g = groups[trial % 5], h = roll(1, trial < 30 ? 9 : 37), w = roll(1, 19);
    const Conv2dShape s =
        conv_shape(roll(1, 3), g * roll(1, 13), h, w, g * roll(1, 13), 1, 1, 0, g);
    check_fast_matches_reference(s, 900 + (uint64_t)trial * 10);
  }
  omp_set_num_threads(before);
}

TEST_CASE("conv2d: 1x1 and depthwise weight gradients, the same bits at 1 and 3 threads") {
  // The 1x1 GEMM path splits dw's rows over the threads, the depthwise kernel its channels;
  // each value is still one sum in one order.
  const int before = omp_get_max_threads();
  for (const Conv2dShape& s :
       {conv_shape(3, 70, 4, 4, 75, 1, 1, 0, 1), conv_shape(2, 210, 3, 5, 198, 1, 1, 0, 3),
        conv_shape(5, 7, 9, 8, 7, 3, 1, 1, 7), conv_shape(4, 5, 11, 12, 5, 3, 2, 1, 5),
        conv_shape(3, 4, 9, 9, 4, 5, 1, 2, 4), conv_shape(2, 3, 6, 7, 3, 2, 2, 0, 3)}) {
    const auto x = random_vec(x_size(s), 41), dout = random_vec(out_size(s), 42);
    std::vector<float> dw1(w_size(s)), dw3(w_size(s));
    omp_set_num_threads(1);
    cpu::conv2d_backward_weight(dw1.data(), dout.data(), x.data(), s);
    omp_set_num_threads(3);
    cpu::conv2d_backward_weight(dw3.data(), dout.data(), x.data(), s);
    CHECK_MESSAGE(dw1 == dw3, describe(s));
  }
  omp_set_num_threads(before);
}

TEST_CASE("conv2d: reference backward kernels are the adjoints of the forward") {
  // conv is linear in x and in w, so <conv(x, w), d> = <x, backward_input(d, w)>
  //                                                 = <w, backward_weight(d, x)>.
  for (const Conv2dShape& s : {kShapes[2], kShapes[4], kShapes[8], kShapes[14]}) {
    auto x = random_vec(x_size(s), 7), w = random_vec(w_size(s), 8), d = random_vec(out_size(s), 9);
    std::vector<float> out(out_size(s)), dx(x_size(s)), dw(w_size(s));
    cpu::conv2d_forward_reference(out.data(), x.data(), w.data(), s);
    cpu::conv2d_backward_input_reference(dx.data(), d.data(), w.data(), s);
    cpu::conv2d_backward_weight_reference(dw.data(), d.data(), x.data(), s);
    double lhs = dot(out, d);
    CHECK_MESSAGE(dot(x, dx) == doctest::Approx(lhs).epsilon(1e-4), describe(s));
    CHECK_MESSAGE(dot(w, dw) == doctest::Approx(lhs).epsilon(1e-4), describe(s));
  }
}

TEST_CASE("conv2d: backward_weight overwrites dw and is repeatable") {
  // The fast kernel reduces per-thread partials; a second call must give identical
  // numbers (no stale partials, no accumulation into dw).
  auto s = conv_shape(3, 12, 6, 6, 8, 1, 1, 0, 4);
  auto x = random_vec(x_size(s), 1), dout = random_vec(out_size(s), 2);
  std::vector<float> dw1(w_size(s), 123.f), dw2(w_size(s), -5.f);
  cpu::conv2d_backward_weight(dw1.data(), dout.data(), x.data(), s);
  cpu::conv2d_backward_weight(dw2.data(), dout.data(), x.data(), s);
  CHECK(dw1 == dw2);
}
