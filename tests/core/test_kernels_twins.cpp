// tests/core/test_kernels_twins.cpp - every fast CPU kernel against its plain reference
// twin (design.md item 4) for batch norm (statistics, forward, backward), the fused BN + ReLU
// and concat + shuffle kernels (threads 1 and 3), pooling (max and
// average, forward and backward) and the element-wise fast paths (copy_strided,
// accumulate_strided and binary, which coalesce dims and take contiguous shortcuts). Random shapes
// with odd sizes, and operands that start at non-zero offsets inside larger buffers whose guard
// cells must stay untouched. The matmul, conv and shuffle twins are tested in test_kernels*.cpp.
#include <algorithm>
#include <array>
#include <numeric>

#include <omp.h>

#include "core/cpu/kernels.h"
#include "tests/core/kernels_check.h"

using namespace sl;
using sl::test::check_near;
using sl::test::random_vec;

namespace {

constexpr float kGuard = -12345.f;

// n floats starting `offset` floats into a buffer, with guard cells on both sides.
struct Buf {
  std::vector<float> all;
  int64_t offset, n;
  Buf(int64_t n_, int64_t offset_, uint64_t seed) : offset(offset_), n(n_) {
    all.assign((size_t)(offset + n + 5), kGuard);
    const std::vector<float> v = random_vec(n, seed, -2.f, 2.f);
    std::copy(v.begin(), v.end(), all.begin() + offset);
  }
  float* p() { return all.data() + offset; }
  std::vector<float> values() const { return {all.begin() + offset, all.begin() + offset + n}; }
  bool guards_intact() const {
    for (int64_t i = 0; i < (int64_t)all.size(); ++i)
      if ((i < offset || i >= offset + n) && all[(size_t)i] != kGuard) return false;
    return true;
  }
};

// A small deterministic generator for shapes.
struct Dice {
  uint64_t state;
  int64_t roll(int64_t lo, int64_t hi) {  // uniform in [lo, hi]
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return lo + (int64_t)((state >> 33) % (uint64_t)(hi - lo + 1));
  }
};

}  // namespace

TEST_CASE("twins: batchnorm stats, forward and backward, fast vs reference") {
  Dice dice{7};
  const int saved = omp_get_max_threads();
  for (int trial = 0; trial < 40; ++trial) {
    const int threads = trial % 2 == 0 ? 1 : 3;
    omp_set_num_threads(threads);
    CAPTURE(threads);
    // HW crosses the 8-lane loop, and every 3rd trial the four-vector one (32 values); every
    // 5th trial has more images than kImageChunks (16, core/cpu/kernel_helpers.h), so chunks of
    // two sizes meet; every 4th has many channels.
    const BatchNormShape s{trial % 5 == 4 ? dice.roll(17, 40) : dice.roll(1, 3),
                           trial % 4 == 3 ? dice.roll(60, 150) : dice.roll(1, 5),
                           trial % 3 == 2 ? dice.roll(30, 100) : dice.roll(1, 23)};
    const int64_t n = s.N * s.C * s.HW, off = dice.roll(0, 3);
    CAPTURE(s.N);
    CAPTURE(s.C);
    CAPTURE(s.HW);
    CAPTURE(off);
    Buf x(n, off, 100 + trial), dout(n, off + 1, 200 + trial);
    for (float& v : x.all)
      if (v != kGuard) v += 3.f;  // a mean away from 0
    Buf mean(s.C, off, 1), var(s.C, off, 2), mean_ref(s.C, 0, 3), var_ref(s.C, 0, 4);
    cpu::batchnorm_stats(mean.p(), var.p(), x.p(), s);
    cpu::batchnorm_stats_reference(mean_ref.p(), var_ref.p(), x.p(), s);
    check_near(mean.values(), mean_ref.values(), "mean", 1e-5);
    check_near(var.values(), var_ref.values(), "var", 1e-4);
    CHECK((mean.guards_intact() && var.guards_intact()));

    std::vector<float> invstd(s.C);
    for (int64_t c = 0; c < s.C; ++c) invstd[c] = 1.f / std::sqrt(var_ref.values()[c] + 1e-5f);
    Buf gamma(s.C, 1, 5), beta(s.C, 2, 6), out(n, off, 7), out_ref(n, 0, 8);
    for (const bool affine : {true, false}) {
      cpu::batchnorm_forward(out.p(), x.p(), mean_ref.p(), invstd.data(),
                             affine ? gamma.p() : nullptr, affine ? beta.p() : nullptr, s);
      cpu::batchnorm_forward_reference(out_ref.p(), x.p(), mean_ref.p(), invstd.data(),
                                       affine ? gamma.p() : nullptr, affine ? beta.p() : nullptr,
                                       s);
      check_near(out.values(), out_ref.values(), "forward", 1e-5);
      CHECK(out.guards_intact());
    }

    Buf dx(n, off + 2, 9), dx_ref(n, 0, 10), dg(s.C, 1, 11), dg_ref(s.C, 0, 12), db(s.C, 3, 13),
        db_ref(s.C, 0, 14);
    cpu::batchnorm_backward(dx.p(), dg.p(), db.p(), dout.p(), x.p(), mean_ref.p(), invstd.data(),
                            gamma.p(), s);
    cpu::batchnorm_backward_reference(dx_ref.p(), dg_ref.p(), db_ref.p(), dout.p(), x.p(),
                                      mean_ref.p(), invstd.data(), gamma.p(), s);
    check_near(db.values(), db_ref.values(), "dbeta", 1e-5, 1e-5);
    check_near(dg.values(), dg_ref.values(), "dgamma", 1e-4, 1e-5);
    check_near(dx.values(), dx_ref.values(), "dx", 1e-3, 1e-5);
    CHECK((dx.guards_intact() && dg.guards_intact() && db.guards_intact()));

    // The threads split the image chunks; each channel's sums add the chunks in one order:
    // the other thread count gives the same bits.
    omp_set_num_threads(4 - threads);
    Buf mean2(s.C, 0, 15), var2(s.C, 0, 16), dx2(n, 0, 17), dg2(s.C, 0, 18), db2(s.C, 0, 19);
    cpu::batchnorm_stats(mean2.p(), var2.p(), x.p(), s);
    cpu::batchnorm_backward(dx2.p(), dg2.p(), db2.p(), dout.p(), x.p(), mean_ref.p(), invstd.data(),
                            gamma.p(), s);
    CHECK(mean2.values() == mean.values());
    CHECK(var2.values() == var.values());
    CHECK(dx2.values() == dx.values());
    CHECK(dg2.values() == dg.values());
    CHECK(db2.values() == db.values());
  }
  omp_set_num_threads(saved);
}

TEST_CASE("twins: max and average pooling, forward and backward, fast vs reference") {
  Dice dice{11};
  const int saved = omp_get_max_threads();
  for (int trial = 0; trial < 80; ++trial) {
    const int threads = trial % 2 == 0 ? 1 : 3;
    omp_set_num_threads(threads);
    CAPTURE(threads);
    Pool2dShape s{};
    s.N = dice.roll(1, 3);
    s.C = dice.roll(1, 4);
    s.K = dice.roll(1, 3);
    s.stride = dice.roll(1, 3);
    if (trial % 4 == 1) s.K = 3, s.stride = 2;  // V1's shortcut: the stride-2 fast path
    s.padding = dice.roll(0, s.K / 2);
    s.H = dice.roll(std::max<int64_t>(1, s.K - 2 * s.padding), trial < 60 ? 11 : 37);
    s.W = dice.roll(std::max<int64_t>(1, s.K - 2 * s.padding), trial < 60 ? 11 : 37);
    s.H_out = (s.H + 2 * s.padding - s.K) / s.stride + 1;
    s.W_out = (s.W + 2 * s.padding - s.K) / s.stride + 1;
    CAPTURE(s.N);
    CAPTURE(s.C);
    CAPTURE(s.H);
    CAPTURE(s.W);
    CAPTURE(s.K);
    CAPTURE(s.stride);
    CAPTURE(s.padding);
    const int64_t n_in = s.N * s.C * s.H * s.W, n_out = s.N * s.C * s.H_out * s.W_out,
                  off = dice.roll(0, 3);
    Buf x(n_in, off, 300 + trial), dout(n_out, off + 1, 400 + trial);
    if (trial % 5 == 0) x.p()[0] = x.p()[1 % n_in];  // a tie: the first max must win in both

    Buf out(n_out, off, 1), out_ref(n_out, 0, 2);
    std::vector<int32_t> idx(n_out), idx_ref(n_out);
    cpu::maxpool2d_forward(out.p(), idx.data(), x.p(), s);
    cpu::maxpool2d_forward_reference(out_ref.p(), idx_ref.data(), x.p(), s);
    CHECK(out.values() == out_ref.values());
    CHECK(idx == idx_ref);
    Buf dx(n_in, off + 2, 3), dx_ref(n_in, 0, 4);
    cpu::maxpool2d_backward(dx.p(), dout.p(), idx.data(), s);
    cpu::maxpool2d_backward_reference(dx_ref.p(), dout.p(), idx_ref.data(), s);
    check_near(dx.values(), dx_ref.values(), "maxpool dx", 1e-6);
    CHECK((out.guards_intact() && dx.guards_intact()));

    cpu::avgpool2d_forward(out.p(), x.p(), s);
    cpu::avgpool2d_forward_reference(out_ref.p(), x.p(), s);
    check_near(out.values(), out_ref.values(), "avgpool out", 1e-5);
    cpu::avgpool2d_backward(dx.p(), dout.p(), s);
    cpu::avgpool2d_backward_reference(dx_ref.p(), dout.p(), s);
    check_near(dx.values(), dx_ref.values(), "avgpool dx", 1e-5);
    CHECK((out.guards_intact() && dx.guards_intact()));
  }
  omp_set_num_threads(saved);
}

namespace {

// A random strided view: shape of 1-4 dims with odd sizes, its dims stored in a random
// order (a permuted, i.e. transposed, dense block), and sometimes a slice of a wider dim.
// Returns the layout and the number of floats the view spans from its first element.
Layout random_view(Dice& dice, const std::vector<int64_t>& shape, int64_t& span) {
  const int nd = (int)shape.size();
  std::vector<int> order(nd);
  std::iota(order.begin(), order.end(), 0);
  for (int i = nd - 1; i > 0; --i) std::swap(order[i], order[dice.roll(0, i)]);
  Layout l;
  l.ndim = nd;
  int64_t stride = 1;
  for (int k = nd - 1; k >= 0; --k) {  // order[nd-1] is the innermost stored dim
    const int d = order[k];
    l.shape[d] = shape[d];
    l.strides[d] = stride;
    const int64_t stored =
        shape[d] + (dice.roll(0, 2) == 0 ? dice.roll(1, 3) : 0);  // a slice of a wider dim
    stride *= stored;
  }
  span = stride;
  return l;
}

std::vector<int64_t> random_shape(Dice& dice) {
  std::vector<int64_t> shape((size_t)dice.roll(1, 4));
  for (int64_t& d : shape) d = dice.roll(1, 7);
  return shape;
}

Layout dense_layout(const std::vector<int64_t>& shape) {
  Layout l;
  l.ndim = (int)shape.size();
  int64_t stride = 1;
  for (int d = l.ndim - 1; d >= 0; --d) {
    l.shape[d] = shape[d];
    l.strides[d] = stride;
    stride *= shape[d];
  }
  return l;
}

int64_t numel_of(const std::vector<int64_t>& shape) {
  return std::accumulate(shape.begin(), shape.end(), (int64_t)1, std::multiplies<int64_t>());
}

}  // namespace

TEST_CASE("twins: copy_strided, fast (coalescing, memcpy rows) vs reference, on random views") {
  Dice dice{23};
  for (int trial = 0; trial < 300; ++trial) {
    const std::vector<int64_t> shape = random_shape(dice);
    int64_t span_x = 0, span_o = 0;
    const Layout lx = random_view(dice, shape, span_x);
    // the output is dense half the time (contiguous(), clone), a strided slab otherwise (cat)
    const Layout lo = dice.roll(0, 1) ? dense_layout(shape) : random_view(dice, shape, span_o);
    if (span_o == 0) span_o = numel_of(shape);
    const int64_t off = dice.roll(0, 5);
    Buf x(span_x, off, 500 + trial), out(span_o, off + 1, 0), out_ref(span_o, 0, 0);
    std::fill(out.all.begin() + out.offset, out.all.begin() + out.offset + span_o, 0.f);
    std::fill(out_ref.all.begin(), out_ref.all.begin() + span_o, 0.f);
    cpu::copy_strided(out.p(), lo, x.p(), lx);
    cpu::copy_strided_reference(out_ref.p(), lo, x.p(), lx);
    CAPTURE(trial);
    CHECK(out.values() == out_ref.values());
    CHECK(out.guards_intact());
  }
}

TEST_CASE("twins: accumulate_strided (autograd's add into a slice) vs reference, threads 1 and 3") {
  const int saved = omp_get_max_threads();
  for (const int threads : {1, 3}) {
    omp_set_num_threads(threads);
    Dice dice{31};
    for (int trial = 0; trial < 200; ++trial) {
      std::vector<int64_t> shape = random_shape(dice);
      if (trial % 20 == 0) shape = {dice.roll(2, 5), dice.roll(40, 90), 8, dice.roll(9, 17)};
      int64_t span_x = 0, span_o = 0;
      const Layout lx = dice.roll(0, 1) ? dense_layout(shape) : random_view(dice, shape, span_x);
      if (span_x == 0) span_x = numel_of(shape);
      const Layout lo = random_view(dice, shape, span_o);  // a slice of a gradient
      const int64_t off = dice.roll(0, 5);
      Buf x(span_x, off, 800 + trial), out(span_o, off + 1, 900 + trial), out_ref = out;
      cpu::accumulate_strided(out.p(), lo, x.p(), lx);
      cpu::accumulate_strided_reference(out_ref.p(), lo, x.p(), lx);
      CAPTURE(threads);
      CAPTURE(trial);
      CHECK(out.values() == out_ref.values());
      CHECK(out.guards_intact());
    }
  }
  omp_set_num_threads(saved);
}

TEST_CASE(
    "twins: binary, fast (coalescing, dense and broadcast rows) vs reference, on random views") {
  Dice dice{29};
  for (int trial = 0; trial < 300; ++trial) {
    const std::vector<int64_t> shape = random_shape(dice);
    int64_t span_a = 0, span_b = 0;
    const bool dense_a = dice.roll(0, 2) == 0;
    const Layout la = dense_a ? dense_layout(shape) : random_view(dice, shape, span_a);
    if (dense_a) span_a = numel_of(shape);
    Layout lb = random_view(dice, shape, span_b);
    for (int d = 0; d < lb.ndim; ++d)
      if (dice.roll(0, 3) == 0) lb.strides[d] = 0;  // broadcast along d
    const int64_t off = dice.roll(0, 5), n = numel_of(shape);
    Buf a(span_a, off, 600 + trial), b(span_b, off + 2, 700 + trial), out(n, off + 1, 0),
        out_ref(n, 0, 0);
    CAPTURE(trial);
    for (BinaryOp op : {BinaryOp::add, BinaryOp::mul, BinaryOp::max, BinaryOp::gt}) {
      cpu::binary(op, out.p(), a.p(), la, b.p(), lb);
      cpu::binary_reference(op, out_ref.p(), a.p(), la, b.p(), lb);
      CHECK(out.values() == out_ref.values());
      CHECK(out.guards_intact());
    }
  }
}

TEST_CASE("sgd_update: the same bits on 1 and 3 threads, and the formula, small and large n") {
  const int saved = omp_get_max_threads();
  // n below and above the size where the update goes parallel (core/cpu/optim.cpp)
  for (const int64_t n : {int64_t{1000}, int64_t{100003}}) {
    for (const bool nesterov : {false, true}) {
      CAPTURE(n);
      CAPTURE(nesterov);
      const SgdShape s{
          .n = n, .lr = 0.1f, .momentum = 0.9f, .weight_decay = 5e-4f, .nesterov = nesterov};
      const Buf w0(n, 1, 51), buf0(n, 2, 52), g(n, 3, 53);
      std::vector<std::vector<float>> w_after, buf_after;
      for (const int threads : {1, 3}) {
        omp_set_num_threads(threads);
        Buf w = w0, buf = buf0;
        cpu::sgd_update(w.p(), buf.p(), Buf(g).p(), s);
        CHECK((w.guards_intact() && buf.guards_intact()));
        w_after.push_back(w.values());
        buf_after.push_back(buf.values());
      }
      CHECK(w_after[0] == w_after[1]);
      CHECK(buf_after[0] == buf_after[1]);
      // torch.optim.SGD's rule, element by element (no FMA here, hence the tolerance)
      const std::vector<float> wv = w0.values(), bv = buf0.values(), gv = g.values();
      std::vector<float> w_ref(n), b_ref(n);
      for (int64_t k = 0; k < n; ++k) {
        const double d = (double)gv[k] + 5e-4 * wv[k], b = 0.9 * bv[k] + d;
        b_ref[k] = (float)b;
        w_ref[k] = (float)(wv[k] - 0.1 * (nesterov ? d + 0.9 * b : b));
      }
      check_near(w_after[0], w_ref, "w", 1e-6, 1e-6);
      check_near(buf_after[0], b_ref, "buf", 1e-5, 1e-6);
    }
  }
  omp_set_num_threads(saved);
}

TEST_CASE("twins: fused BN + ReLU forward and backward vs the unfused pair, threads 1 and 3") {
  const int saved = omp_get_max_threads();
  Dice dice{41};
  for (int trial = 0; trial < 40; ++trial) {
    // every 4th trial many channels, every 5th more images than kImageChunks (16, in
    // core/cpu/kernel_helpers.h), every 3rd planes past the four-vector loop (32 values)
    const BatchNormShape s{trial % 5 == 4 ? dice.roll(17, 40) : dice.roll(1, 4),
                           trial % 4 == 3 ? dice.roll(60, 150) : dice.roll(1, 7),
                           trial % 3 == 2 ? dice.roll(30, 100) : dice.roll(1, 29)};
    const int64_t n = s.N * s.C * s.HW, off = dice.roll(0, 3);
    CAPTURE(trial);
    Buf x(n, off, 300 + trial), dout(n, off + 1, 400 + trial), gamma(s.C, 1, 5), beta(s.C, 2, 6);
    std::vector<float> mean(s.C), var(s.C), invstd(s.C);
    cpu::batchnorm_stats_reference(mean.data(), var.data(), x.p(), s);
    for (int64_t c = 0; c < s.C; ++c) invstd[c] = 1.f / std::sqrt(var[c] + 1e-5f);
    Buf y_ref(n, 0, 7), dx_ref(n, 0, 8), dg_ref(s.C, 0, 9), db_ref(s.C, 0, 10);
    cpu::batchnorm_relu_forward_reference(y_ref.p(), x.p(), mean.data(), invstd.data(), gamma.p(),
                                          beta.p(), s);
    cpu::batchnorm_relu_backward_reference(dx_ref.p(), dg_ref.p(), db_ref.p(), dout.p(), x.p(),
                                           mean.data(), invstd.data(), gamma.p(), beta.p(), s);
    for (const int threads : {1, 3}) {
      CAPTURE(threads);
      omp_set_num_threads(threads);
      Buf y(n, off, 11), dx(n, off + 2, 12), dg(s.C, 1, 13), db(s.C, 3, 14);
      cpu::batchnorm_relu_forward(y.p(), x.p(), mean.data(), invstd.data(), gamma.p(), beta.p(), s);
      check_near(y.values(), y_ref.values(), "forward", 1e-5);
      // the unfused fast pair gives bit-identical values: the same expression, then max(0, .)
      std::vector<float> pre(n), y_pair(n);
      cpu::batchnorm_forward(pre.data(), x.p(), mean.data(), invstd.data(), gamma.p(), beta.p(), s);
      cpu::unary(UnaryOp::relu, y_pair.data(), pre.data(), n);
      CHECK(y.values() == y_pair);
      cpu::batchnorm_relu_backward(dx.p(), dg.p(), db.p(), dout.p(), x.p(), mean.data(),
                                   invstd.data(), gamma.p(), beta.p(), s);
      check_near(db.values(), db_ref.values(), "dbeta", 1e-5, 1e-5);
      check_near(dg.values(), dg_ref.values(), "dgamma", 1e-4, 1e-5);
      check_near(dx.values(), dx_ref.values(), "dx", 1e-3, 1e-5);
      // and bit-identical to the fast pair: ReLU's backward on the output y, stored, then
      // batchnorm_backward (the mask recomputed from x must match y's zeros exactly)
      std::vector<float> g(n), dx_pair(n), dg_pair(s.C), db_pair(s.C);
      const std::vector<float> yv = y.values(), dv = dout.values();
      for (int64_t i = 0; i < n; ++i) g[i] = yv[i] > 0.f ? dv[i] : 0.f;
      cpu::batchnorm_backward(dx_pair.data(), dg_pair.data(), db_pair.data(), g.data(), x.p(),
                              mean.data(), invstd.data(), gamma.p(), s);
      CHECK(dx.values() == dx_pair);
      CHECK(dg.values() == dg_pair);
      CHECK(db.values() == db_pair);
      CHECK((y.guards_intact() && dx.guards_intact() && dg.guards_intact() && db.guards_intact()));
    }
  }
  omp_set_num_threads(saved);
}

TEST_CASE(
    "twins: fused concat + shuffle forward and backward vs cat then shuffle, threads 1 and 3") {
  const int saved = omp_get_max_threads();
  Dice dice{43};
  for (int trial = 0; trial < 60; ++trial) {
    // every group count the models use (V2: 2; V1 shuffles g = 2, 3, 4, 8) and odd sizes
    const int64_t groups[] = {1, 2, 3, 4, 8};
    const int64_t G = groups[dice.roll(0, 4)], C = G * dice.roll(1, 5);
    const int64_t C_a = dice.roll(0, C), C_b = C - C_a;
    const int64_t N = dice.roll(1, 3), HW = dice.roll(1, 17);
    // a, b dense, or channel slices of wider tensors (a V2 unit's left half is one)
    const int64_t wide_a = C_a + dice.roll(0, 2), wide_b = C_b + dice.roll(0, 2);
    const CatShuffleShape s{N, C_a, C_b, G, HW, wide_a * HW, wide_b * HW};
    const int64_t off = dice.roll(0, 3);
    CAPTURE(trial);
    CAPTURE(C_a);
    CAPTURE(C_b);
    CAPTURE(G);
    CAPTURE(wide_a);
    CAPTURE(wide_b);
    Buf a(N * wide_a * HW, off, 500 + trial), b(N * wide_b * HW, off + 1, 600 + trial);
    Buf dout(s.N * C * s.HW, off + 2, 700 + trial);
    Buf out_ref(s.N * C * s.HW, 0, 1), da_ref(N * C_a * HW, 0, 2), db_ref(N * C_b * HW, 0, 3);
    cpu::cat_shuffle_reference(out_ref.p(), a.p(), b.p(), s);
    cpu::cat_shuffle_backward_reference(da_ref.p(), db_ref.p(), dout.p(), s);
    for (const int threads : {1, 3}) {
      CAPTURE(threads);
      omp_set_num_threads(threads);
      Buf out(s.N * C * s.HW, off, 4), da(N * C_a * HW, off + 1, 5), db(N * C_b * HW, off, 6);
      cpu::cat_shuffle(out.p(), a.p(), b.p(), s);
      CHECK(out.values() == out_ref.values());
      cpu::cat_shuffle_backward(da.p(), db.p(), dout.p(), s);
      CHECK(da.values() == da_ref.values());
      CHECK(db.values() == db_ref.values());
      CHECK((out.guards_intact() && da.guards_intact() && db.guards_intact()));
    }
  }
  omp_set_num_threads(saved);
}
