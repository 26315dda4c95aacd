// tests/core/test_kernels.cpp - the CPU kernels other than convolution (matmul, batch
// norm, pooling, channel shuffle) on raw buffers: hand-computed cases, fast kernels
// against their reference twins, and batch norm's backward against finite differences
// in double. Convolution: test_kernels_conv.cpp. Not here: the Tensor ops.
#include <array>
#include <cmath>

#include "core/cpu/kernels.h"
#include "core/error.h"
#include "tests/core/kernels_check.h"

using namespace sl;
using sl::test::check_near;
using sl::test::dot;
using sl::test::random_vec;

// [SECTION] matmul -------------------------------------------------------------------

TEST_CASE("matmul: 2x2 product (hand-computed)") {
  // [[1,2],[3,4]] @ [[5,6],[7,8]] = [[19,22],[43,50]]
  std::vector<float> a = {1, 2, 3, 4}, b = {5, 6, 7, 8}, out(4);
  for (auto mm : {cpu::matmul, cpu::matmul_reference}) {
    mm(out.data(), a.data(), b.data(), {.B = 1, .M = 2, .K = 2, .N = 2});
    check_near(out, {19, 22, 43, 50}, "plain");
    // a stored transposed ([[1,3],[2,4]] read as [[1,2],[3,4]]), accumulating onto 1s.
    std::vector<float> at = {1, 3, 2, 4}, acc(4, 1.f);
    mm(acc.data(), at.data(), b.data(),
       {.B = 1, .M = 2, .K = 2, .N = 2, .trans_a = true, .accumulate = true});
    check_near(acc, {20, 23, 44, 51}, "trans_a + accumulate");
  }
}

TEST_CASE("matmul: fast matches reference over shapes, transposes, accumulate, broadcast b") {
  struct Dims {
    int64_t B, M, K, N;
  };
  // Tiny, odd, and past every cache block of the GEMM (M > 96, K > 256, N > 2048).
  const std::vector<Dims> dims = {{1, 1, 1, 1},      {1, 7, 5, 3},       {3, 13, 17, 19},
                                  {2, 100, 300, 70}, {1, 200, 33, 2100}, {4, 1, 64, 10}};
  uint64_t seed = 1;
  for (const Dims& d : dims)
    for (int variant = 0; variant < 16; ++variant) {
      MatmulShape s{.B = d.B,
                    .M = d.M,
                    .K = d.K,
                    .N = d.N,
                    .trans_a = (variant & 1) != 0,
                    .trans_b = (variant & 2) != 0,
                    .accumulate = (variant & 4) != 0,
                    .b_batch_stride = (variant & 8) ? 0 : -1};
      int64_t b_batches = s.b_batch_stride == 0 ? 1 : d.B;
      auto a = random_vec(d.B * d.M * d.K, ++seed), b = random_vec(b_batches * d.K * d.N, ++seed);
      auto out = random_vec(d.B * d.M * d.N, ++seed), out_ref = out;
      cpu::matmul(out.data(), a.data(), b.data(), s);
      cpu::matmul_reference(out_ref.data(), a.data(), b.data(), s);
      check_near(out, out_ref,
                 str_cat("matmul B=", d.B, " M=", d.M, " K=", d.K, " N=", d.N,
                         " variant=", variant));
    }
}

TEST_CASE("matmul: K = 0 writes zeros, or leaves out unchanged when accumulating") {
  std::vector<float> out = {1, 2, 3, 4};
  cpu::matmul(out.data(), nullptr, nullptr, {.B = 1, .M = 2, .K = 0, .N = 2, .accumulate = true});
  CHECK(out == std::vector<float>{1, 2, 3, 4});
  cpu::matmul(out.data(), nullptr, nullptr, {.B = 1, .M = 2, .K = 0, .N = 2});
  CHECK(out == std::vector<float>{0, 0, 0, 0});
}

// [SECTION] batch norm ---------------------------------------------------------------

TEST_CASE("batchnorm: one channel of [1,2,3,4] (hand-computed)") {
  // mean 2.5, biased var 1.25, invstd 1/sqrt(1.25) = 0.894427.
  BatchNormShape s{.N = 1, .C = 1, .HW = 4};
  std::vector<float> x = {1, 2, 3, 4}, mean(1), var(1), out(4);
  cpu::batchnorm_stats(mean.data(), var.data(), x.data(), s);
  CHECK(mean[0] == doctest::Approx(2.5));
  CHECK(var[0] == doctest::Approx(1.25));
  float invstd = 1.f / std::sqrt(1.25f);
  cpu::batchnorm_forward(out.data(), x.data(), mean.data(), &invstd, nullptr, nullptr, s);
  check_near(out, {-1.341641f, -0.447214f, 0.447214f, 1.341641f}, "forward");
  // dout = [1,0,0,0], gamma = 1: dbeta = 1, dgamma = xhat0 = -1.341641,
  // dx = invstd/4 * (4*dout - 1 - xhat * dgamma) = [0.268328, -0.357771, -0.089443, 0.178885].
  std::vector<float> dout = {1, 0, 0, 0}, dx(4);
  float dgamma, dbeta;
  cpu::batchnorm_backward(dx.data(), &dgamma, &dbeta, dout.data(), x.data(), mean.data(), &invstd,
                          nullptr, s);
  CHECK(dbeta == doctest::Approx(1.0));
  CHECK(dgamma == doctest::Approx(-1.341641));
  check_near(dx, {0.268328f, -0.357771f, -0.089443f, 0.178885f}, "backward");
}

TEST_CASE("batchnorm: statistics match a two-pass double computation, even far from 0") {
  BatchNormShape s{.N = 3, .C = 4, .HW = 37};
  auto x = random_vec(s.N * s.C * s.HW, 3);
  for (int64_t i = 0; i < (int64_t)x.size(); ++i) x[i] += 1000.f * (float)(i / s.HW % s.C);
  std::vector<float> mean(s.C), var(s.C), want_mean(s.C), want_var(s.C);
  cpu::batchnorm_stats(mean.data(), var.data(), x.data(), s);
  for (int64_t c = 0; c < s.C; ++c) {
    double m = 0.0, v = 0.0;
    for (int64_t n = 0; n < s.N; ++n)
      for (int64_t i = 0; i < s.HW; ++i) m += x[(n * s.C + c) * s.HW + i];
    m /= s.N * s.HW;
    for (int64_t n = 0; n < s.N; ++n)
      for (int64_t i = 0; i < s.HW; ++i) v += std::pow(x[(n * s.C + c) * s.HW + i] - m, 2);
    want_mean[c] = (float)m;
    want_var[c] = (float)(v / (s.N * s.HW));
  }
  check_near(mean, want_mean, "mean", 1e-6);
  for (int64_t c = 0; c < s.C; ++c) CHECK(var[c] == doctest::Approx(want_var[c]).epsilon(1e-4));
}

TEST_CASE("batchnorm: forward gives zero mean and unit variance, then gamma and beta") {
  BatchNormShape s{.N = 4, .C = 3, .HW = 10};
  auto x = random_vec(s.N * s.C * s.HW, 5, -3.f, 7.f);
  std::vector<float> mean(s.C), var(s.C), invstd(s.C), out(x.size());
  cpu::batchnorm_stats(mean.data(), var.data(), x.data(), s);
  for (int64_t c = 0; c < s.C; ++c) invstd[c] = 1.f / std::sqrt(var[c]);
  std::vector<float> gamma = {2.f, -1.f, 0.5f}, beta = {3.f, 0.f, -1.f};
  for (bool affine : {false, true}) {
    cpu::batchnorm_forward(out.data(), x.data(), mean.data(), invstd.data(),
                           affine ? gamma.data() : nullptr, affine ? beta.data() : nullptr, s);
    std::vector<float> out_mean(s.C), out_var(s.C);
    cpu::batchnorm_stats(out_mean.data(), out_var.data(), out.data(), s);
    for (int64_t c = 0; c < s.C; ++c) {
      CHECK(out_mean[c] == doctest::Approx(affine ? beta[c] : 0.f).epsilon(1e-5).scale(1.0));
      CHECK(out_var[c] == doctest::Approx(affine ? gamma[c] * gamma[c] : 1.f).epsilon(1e-4));
    }
  }
}

TEST_CASE("batchnorm: backward matches finite differences of the batch-statistics forward") {
  // L = sum(R * bn(x)) in double, with mean and var taken from x itself (training mode).
  BatchNormShape s{.N = 3, .C = 2, .HW = 11};
  const double eps = 1e-5;
  auto x = random_vec(s.N * s.C * s.HW, 11), r = random_vec(x.size(), 12);
  std::vector<float> gamma = {1.5f, -0.7f}, beta = {0.2f, 0.4f};
  auto loss = [&](const std::vector<double>& xd, const std::vector<double>& g,
                  const std::vector<double>& b) {
    double total = 0.0;
    for (int64_t c = 0; c < s.C; ++c) {
      double m = 0.0, v = 0.0, cnt = (double)(s.N * s.HW);
      for (int64_t n = 0; n < s.N; ++n)
        for (int64_t i = 0; i < s.HW; ++i) m += xd[(n * s.C + c) * s.HW + i] / cnt;
      for (int64_t n = 0; n < s.N; ++n)
        for (int64_t i = 0; i < s.HW; ++i) v += std::pow(xd[(n * s.C + c) * s.HW + i] - m, 2) / cnt;
      for (int64_t n = 0; n < s.N; ++n)
        for (int64_t i = 0; i < s.HW; ++i) {
          int64_t k = (n * s.C + c) * s.HW + i;
          total += r[k] * ((xd[k] - m) / std::sqrt(v + eps) * g[c] + b[c]);
        }
    }
    return total;
  };
  std::vector<float> mean(s.C), var(s.C), invstd(s.C), dx(x.size()), dgamma(s.C), dbeta(s.C);
  cpu::batchnorm_stats(mean.data(), var.data(), x.data(), s);
  for (int64_t c = 0; c < s.C; ++c) invstd[c] = (float)(1.0 / std::sqrt(var[c] + eps));
  cpu::batchnorm_backward(dx.data(), dgamma.data(), dbeta.data(), r.data(), x.data(), mean.data(),
                          invstd.data(), gamma.data(), s);

  std::vector<double> xd(x.begin(), x.end()), gd(gamma.begin(), gamma.end()),
      bd(beta.begin(), beta.end());
  const double h = 1e-4;
  auto numeric = [&](std::vector<double>& v, int64_t i) {
    double keep = v[i];
    v[i] = keep + h;
    double up = loss(xd, gd, bd);
    v[i] = keep - h;
    double down = loss(xd, gd, bd);
    v[i] = keep;
    return (up - down) / (2 * h);
  };
  std::vector<float> num_dx(x.size()), num_dgamma(s.C), num_dbeta(s.C);
  for (int64_t i = 0; i < (int64_t)x.size(); ++i) num_dx[i] = (float)numeric(xd, i);
  for (int64_t c = 0; c < s.C; ++c) {
    num_dgamma[c] = (float)numeric(gd, c);
    num_dbeta[c] = (float)numeric(bd, c);
  }
  check_near(dx, num_dx, "dx", 1e-3, 1e-5);
  check_near(dgamma, num_dgamma, "dgamma", 1e-4, 1e-5);
  check_near(dbeta, num_dbeta, "dbeta", 1e-4, 1e-5);

  // Null outputs are skipped; dx alone is unchanged.
  std::vector<float> dx_only(x.size());
  cpu::batchnorm_backward(dx_only.data(), nullptr, nullptr, r.data(), x.data(), mean.data(),
                          invstd.data(), gamma.data(), s);
  CHECK(dx_only == dx);
}

// [SECTION] pooling ------------------------------------------------------------------

TEST_CASE("maxpool2d: 2x2 stride 2 on a 4x4 plane (hand-computed)") {
  Pool2dShape s{
      .N = 1, .C = 1, .H = 4, .W = 4, .K = 2, .stride = 2, .padding = 0, .H_out = 2, .W_out = 2};
  std::vector<float> x = {1, 5, 2, 0,  //
                          3, 4, 8, 7,  //
                          9, 6, 1, 1,  //
                          2, 2, 3, 4};
  std::vector<float> out(4), dx(16);
  std::vector<int32_t> idx(4);
  cpu::maxpool2d_forward(out.data(), idx.data(), x.data(), s);
  check_near(out, {5, 8, 9, 4}, "out");
  CHECK(idx == std::vector<int32_t>{1, 6, 8, 15});
  std::vector<float> dout = {1, 2, 3, 4};
  cpu::maxpool2d_backward(dx.data(), dout.data(), idx.data(), s);
  check_near(dx, {0, 1, 0, 0, 0, 0, 2, 0, 3, 0, 0, 0, 0, 0, 0, 4}, "dx");
}

TEST_CASE("maxpool2d: 3x3 stride 2 padding 1, ties keep the first max") {
  Pool2dShape s{
      .N = 1, .C = 1, .H = 3, .W = 3, .K = 3, .stride = 2, .padding = 1, .H_out = 2, .W_out = 2};
  std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8, 9}, out(4);
  std::vector<int32_t> idx(4);
  cpu::maxpool2d_forward(out.data(), idx.data(), x.data(), s);
  check_near(out, {5, 6, 8, 9}, "out");
  CHECK(idx == std::vector<int32_t>{4, 5, 7, 8});
  std::vector<float> flat(9, -2.f);  // all equal: every window picks its first in-range pixel
  cpu::maxpool2d_forward(out.data(), idx.data(), flat.data(), s);
  CHECK(idx == std::vector<int32_t>{0, 1, 3, 4});
}

TEST_CASE("avgpool2d: 3x3 stride 2 padding 1 counts the padding (hand-computed)") {
  Pool2dShape s{
      .N = 1, .C = 1, .H = 3, .W = 3, .K = 3, .stride = 2, .padding = 1, .H_out = 2, .W_out = 2};
  std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8, 9}, out(4), dx(9);
  cpu::avgpool2d_forward(out.data(), x.data(), s);
  check_near(out, {12.f / 9, 16.f / 9, 24.f / 9, 28.f / 9}, "out");
  std::vector<float> dout(4, 9.f);  // each window hands 9/9 = 1 to every pixel it covers
  cpu::avgpool2d_backward(dx.data(), dout.data(), s);
  check_near(dx, {1, 2, 1, 2, 4, 2, 1, 2, 1}, "dx");
}

TEST_CASE("pooling: backward kernels are consistent with the forward on random shapes") {
  for (auto [k, stride, padding] :
       {std::array<int64_t, 3>{2, 2, 0}, {3, 2, 1}, {3, 1, 1}, {3, 3, 0}}) {
    Pool2dShape s{.N = 3,
                  .C = 2,
                  .H = 7,
                  .W = 6,
                  .K = k,
                  .stride = stride,
                  .padding = padding,
                  .H_out = (7 + 2 * padding - k) / stride + 1,
                  .W_out = (6 + 2 * padding - k) / stride + 1};
    auto x = random_vec(s.N * s.C * s.H * s.W, 20 + k),
         d = random_vec(s.N * s.C * s.H_out * s.W_out, 30 + k);
    std::vector<float> out(d.size()), dx(x.size());
    // avg-pool is linear: <avgpool(x), d> = <x, avgpool_backward(d)>.
    cpu::avgpool2d_forward(out.data(), x.data(), s);
    cpu::avgpool2d_backward(dx.data(), d.data(), s);
    CHECK(dot(x, dx) == doctest::Approx(dot(out, d)).epsilon(1e-5));
    // max-pool picks x[idx]: out == x[idx], and <x, maxpool_backward(d)> = <out, d>.
    std::vector<int32_t> idx(d.size());
    cpu::maxpool2d_forward(out.data(), idx.data(), x.data(), s);
    cpu::maxpool2d_backward(dx.data(), d.data(), idx.data(), s);
    int64_t hw = s.H * s.W, hwo = s.H_out * s.W_out;
    for (int64_t o = 0; o < (int64_t)out.size(); ++o) CHECK(out[o] == x[o / hwo * hw + idx[o]]);
    CHECK(dot(x, dx) == doctest::Approx(dot(out, d)).epsilon(1e-5));
  }
}

// [SECTION] channel shuffle ----------------------------------------------------------

TEST_CASE("channel_shuffle: C = 4, G = 2 gives [1,3,2,4]; C = 6, G = 3 gives [0,2,4,1,3,5]") {
  std::vector<float> x4 = {1, 2, 3, 4}, out4(4), x6 = {0, 1, 2, 3, 4, 5}, out6(6);
  for (auto shuffle : {cpu::channel_shuffle, cpu::channel_shuffle_reference}) {
    shuffle(out4.data(), x4.data(), {.N = 1, .C = 4, .G = 2, .HW = 1});
    CHECK(out4 == std::vector<float>{1, 3, 2, 4});
    shuffle(out6.data(), x6.data(), {.N = 1, .C = 6, .G = 3, .HW = 1});
    CHECK(out6 == std::vector<float>{0, 2, 4, 1, 3, 5});
  }
}

TEST_CASE("channel_shuffle: fast equals reference, and G then C/G is the identity") {
  for (auto [n, c, g, hw] :
       {std::array<int64_t, 4>{2, 12, 3, 5}, {3, 48, 2, 64}, {1, 8, 8, 3}, {2, 6, 1, 7}}) {
    ShuffleShape s{.N = n, .C = c, .G = g, .HW = hw};
    auto x = random_vec(n * c * hw, 40 + c);
    std::vector<float> out(x.size()), out_ref(x.size()), back(x.size());
    cpu::channel_shuffle(out.data(), x.data(), s);
    cpu::channel_shuffle_reference(out_ref.data(), x.data(), s);
    CHECK(out == out_ref);
    cpu::channel_shuffle(back.data(), out.data(), {.N = n, .C = c, .G = c / g, .HW = hw});
    CHECK(back == x);
  }
}

// [SECTION] fused kernels: BN + ReLU, concat + shuffle ----------------------------------

TEST_CASE("batchnorm_relu: one channel of [1,2,3,4] gives [0,0,0.447,1.342] (hand-computed)") {
  // mean 2.5, var 1.25, invstd 1/sqrt(1.25): xhat = [-1.342, -0.447, 0.447, 1.342]
  const std::vector<float> x = {1, 2, 3, 4}, mean = {2.5f}, invstd = {1.f / std::sqrt(1.25f)};
  const BatchNormShape s{1, 1, 4};
  for (auto fwd : {cpu::batchnorm_relu_forward, cpu::batchnorm_relu_forward_reference}) {
    std::vector<float> y(4);
    fwd(y.data(), x.data(), mean.data(), invstd.data(), nullptr, nullptr, s);
    check_near(y, {0.f, 0.f, 0.4472136f, 1.3416408f}, "y", 1e-6);
  }
  // dout = 1 everywhere: the mask keeps the last two, g = [0, 0, 1, 1]; dbeta = 2,
  // dgamma = 0.447 + 1.342 = 1.789, dx = invstd / 4 * (4 g - 2 - xhat * 1.789)
  const std::vector<float> dout = {1, 1, 1, 1};
  for (auto bwd : {cpu::batchnorm_relu_backward, cpu::batchnorm_relu_backward_reference}) {
    std::vector<float> dx(4), dg(1), db(1);
    bwd(dx.data(), dg.data(), db.data(), dout.data(), x.data(), mean.data(), invstd.data(), nullptr,
        nullptr, s);
    CHECK(db[0] == doctest::Approx(2.0));
    CHECK(dg[0] == doctest::Approx(1.7888544));
    check_near(dx, {0.0894427f, -0.2683282f, 0.2683282f, -0.0894427f}, "dx", 1e-5);
  }
  // beta = 0.5 moves the pre-activation to [-0.842, 0.053, 0.947, 1.842]: the mask, recomputed
  // from x and beta, now keeps the last three, g = [0, 1, 1, 1]; dbeta = 3,
  // dgamma = -0.447 + 0.447 + 1.342 = 1.342, dx = invstd / 4 * (4 g - 3 - xhat * 1.342)
  const std::vector<float> beta = {0.5f};
  for (auto bwd : {cpu::batchnorm_relu_backward, cpu::batchnorm_relu_backward_reference}) {
    std::vector<float> dx(4), dg(1), db(1);
    bwd(dx.data(), dg.data(), db.data(), dout.data(), x.data(), mean.data(), invstd.data(), nullptr,
        beta.data(), s);
    CHECK(db[0] == doctest::Approx(3.0));
    CHECK(dg[0] == doctest::Approx(1.3416408));
    check_near(dx, {-0.2683282f, 0.3577709f, 0.0894427f, -0.1788854f}, "dx", 1e-5);
  }
}

TEST_CASE("cat_shuffle: a = [0,1], b = [2,3], G = 2 gives [0,2,1,3]; backward undoes it") {
  const std::vector<float> a = {0, 1}, b = {2, 3, 4, 5};
  for (auto fwd : {cpu::cat_shuffle, cpu::cat_shuffle_reference}) {
    std::vector<float> out(2);
    fwd(out.data(), a.data(), b.data(), {.N = 1, .C_a = 1, .C_b = 1, .G = 2, .HW = 1});
    CHECK(out == std::vector<float>{0, 2});
    std::vector<float> out4(4);
    fwd(out4.data(), a.data(), b.data(), {.N = 1, .C_a = 2, .C_b = 2, .G = 2, .HW = 1});
    CHECK(out4 == std::vector<float>{0, 2, 1, 3});
    // C_a = 2, C_b = 4, G = 3: the concatenation [0,1,2,3,4,5] read as a [3, 2] grid
    std::vector<float> out6(6);
    fwd(out6.data(), a.data(), b.data(), {.N = 1, .C_a = 2, .C_b = 4, .G = 3, .HW = 1});
    CHECK(out6 == std::vector<float>{0, 2, 4, 1, 3, 5});
  }
  for (auto bwd : {cpu::cat_shuffle_backward, cpu::cat_shuffle_backward_reference}) {
    const std::vector<float> dout = {0, 2, 1, 3};
    std::vector<float> da(2), db(2);
    bwd(da.data(), db.data(), dout.data(), {.N = 1, .C_a = 2, .C_b = 2, .G = 2, .HW = 1});
    CHECK(da == std::vector<float>{0, 1});
    CHECK(db == std::vector<float>{2, 3});
  }
}
