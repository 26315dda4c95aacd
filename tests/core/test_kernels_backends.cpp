// tests/core/test_kernels_backends.cpp - every entry of the kernel table of each
// non-CPU backend (today: CUDA) run on the same inputs as the CPU table and compared
// with it. Goes through the registry (sl::backend, sl::cuda_available), so it needs no
// #if: on a machine without a GPU each case says so and passes. Not here: the CPU
// kernels' own correctness (test_kernels.cpp, test_kernels_conv.cpp).
#include <array>
#include <cstring>

#include "core/backend.h"
#include "core/cpu/kernels.h"
#include "core/error.h"
#include "tests/core/kernels_check.h"

using namespace sl;
using sl::test::check_near;
using sl::test::random_vec;

namespace {

// A device copy of a host vector, freed by the backend that made it.
struct DeviceBuffer {
  const Backend& b;
  int64_t n;
  float* p;
  DeviceBuffer(const Backend& backend, const std::vector<float>& host)
      : b(backend), n((int64_t)host.size()), p(backend.alloc(std::max<int64_t>(n, 1))) {
    b.copy_from_host(p, host.data(), n);
  }
  explicit DeviceBuffer(const Backend& backend, int64_t size)
      : DeviceBuffer(backend, std::vector<float>(size, 0.f)) {}
  ~DeviceBuffer() { b.free(p); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  std::vector<float> host() const {
    std::vector<float> v(n);
    b.copy_to_host(v.data(), p, n);
    return v;
  }
  int32_t* as_int32() const { return reinterpret_cast<int32_t*>(p); }  // same size as float
};

// The backends to hold against the CPU; empty (with a message) when none is present.
std::vector<const Backend*> other_backends() {
  if (!cuda_available()) {
    MESSAGE("no CUDA GPU on this machine: CUDA-vs-CPU kernel cases skipped");
    return {};
  }
  return {&backend(Device::cuda)};
}

Layout contiguous(std::initializer_list<int64_t> shape) {
  Layout l;
  l.ndim = (int)shape.size();
  int64_t stride = 1;
  std::vector<int64_t> dims(shape);
  for (int i = l.ndim - 1; i >= 0; --i) {
    l.shape[i] = dims[i];
    l.strides[i] = stride;
    stride *= dims[i];
  }
  return l;
}

}  // namespace

TEST_CASE("backends: element-wise, copy and reduce kernels match the CPU") {
  const Backend& cpu = cpu::table();
  for (const Backend* dev : other_backends()) {
    INFO("backend ", dev->name);
    auto a = random_vec(24, 1, 0.1f, 2.f), b = random_vec(24, 2, -1.f, 1.f);
    DeviceBuffer da(*dev, a), db(*dev, b), dout(*dev, 24);
    std::vector<float> want(24);

    dev->fill(dout.p, 24, 3.5f);
    check_near(dout.host(), std::vector<float>(24, 3.5f), "fill");

    for (UnaryOp op : {UnaryOp::neg, UnaryOp::relu, UnaryOp::exp, UnaryOp::log, UnaryOp::sqrt,
                       UnaryOp::abs, UnaryOp::sign}) {
      bool positive = op == UnaryOp::log || op == UnaryOp::sqrt;  // keep NaN out of the comparison
      dev->unary(op, dout.p, positive ? da.p : db.p, 24);
      cpu.unary(op, want.data(), positive ? a.data() : b.data(), 24);
      check_near(dout.host(), want, str_cat("unary ", (int)op), 1e-5);
    }
    // a [2, 3, 4] op b broadcast from [3, 1] (stride 0 over dims 0 and 2).
    Layout la = contiguous({2, 3, 4}), lb = contiguous({2, 3, 4});
    lb.strides[0] = 0, lb.strides[1] = 1, lb.strides[2] = 0;
    for (BinaryOp op :
         {BinaryOp::add, BinaryOp::sub, BinaryOp::mul, BinaryOp::div, BinaryOp::pow, BinaryOp::max,
          BinaryOp::eq, BinaryOp::ne, BinaryOp::lt, BinaryOp::le, BinaryOp::gt, BinaryOp::ge}) {
      dev->binary(op, dout.p, da.p, la, db.p, lb);
      cpu.binary(op, want.data(), a.data(), la, b.data(), lb);
      check_near(dout.host(), want, str_cat("binary ", (int)op), 1e-5);
    }
    dev->relu_backward(dout.p, da.p, db.p, 24);  // dout = a, x = b (both signs)
    cpu.relu_backward(want.data(), a.data(), b.data(), 24);
    check_near(dout.host(), want, "relu_backward");
    // transpose copy: x [4, 6] read as its transpose [6, 4] into a contiguous out.
    Layout lx = contiguous({6, 4}), lo = contiguous({6, 4});
    lx.strides[0] = 1, lx.strides[1] = 6;
    dev->copy_strided(dout.p, lo, da.p, lx);
    cpu.copy_strided(want.data(), lo, a.data(), lx);
    check_near(dout.host(), want, "copy_strided");

    for (ReduceOp op : {ReduceOp::sum, ReduceOp::max, ReduceOp::argmax}) {
      ReduceShape rs{.outer = 2, .n = 3, .inner = 4};
      std::vector<float> small(8);
      dev->reduce(op, dout.p, db.p, rs);
      cpu.reduce(op, small.data(), b.data(), rs);
      std::vector<float> got = dout.host();
      got.resize(8);
      check_near(got, small, str_cat("reduce ", (int)op));
    }
  }
}

TEST_CASE("backends: matmul matches the CPU") {
  for (const Backend* dev : other_backends())
    for (int variant = 0; variant < 16; ++variant) {
      MatmulShape s{.B = 3,
                    .M = 37,
                    .K = 45,
                    .N = 29,
                    .trans_a = (variant & 1) != 0,
                    .trans_b = (variant & 2) != 0,
                    .accumulate = (variant & 4) != 0,
                    .b_batch_stride = (variant & 8) ? 0 : -1};
      auto a = random_vec(s.B * s.M * s.K, 10 + variant);
      auto b = random_vec((variant & 8 ? 1 : s.B) * s.K * s.N, 30 + variant);
      auto out = random_vec(s.B * s.M * s.N, 50 + variant);
      DeviceBuffer da(*dev, a), db(*dev, b), dout(*dev, out);
      dev->matmul(dout.p, da.p, db.p, s);
      cpu::matmul(out.data(), a.data(), b.data(), s);
      check_near(dout.host(), out, str_cat(dev->name, " matmul variant ", variant));
    }
}

TEST_CASE("backends: conv2d forward and backwards match the CPU") {
  // N, C_in, H, W, C_out, K, stride, padding, groups
  const std::vector<std::array<int64_t, 9>> shapes = {
      {2, 3, 9, 9, 8, 3, 1, 1, 1}, {2, 6, 8, 7, 6, 3, 2, 1, 6}, {3, 12, 5, 5, 8, 1, 1, 0, 4},
      {2, 4, 7, 7, 6, 1, 2, 0, 1}, {1, 6, 6, 6, 9, 3, 1, 1, 3}, {2, 8, 16, 16, 8, 3, 1, 1, 8}};
  for (const Backend* dev : other_backends())
    for (auto [n, ci, h, w, co, k, st, p, g] : shapes) {
      Conv2dShape s{.N = n,
                    .C_in = ci,
                    .H = h,
                    .W = w,
                    .C_out = co,
                    .K = k,
                    .stride = st,
                    .padding = p,
                    .groups = g,
                    .H_out = (h + 2 * p - k) / st + 1,
                    .W_out = (w + 2 * p - k) / st + 1};
      auto x = random_vec(n * ci * h * w, 1), wt = random_vec(co * ci / g * k * k, 2);
      auto d = random_vec(n * co * s.H_out * s.W_out, 3);
      DeviceBuffer dx_in(*dev, x), dw_in(*dev, wt), dd(*dev, d);
      DeviceBuffer out(*dev, (int64_t)d.size()), dx(*dev, (int64_t)x.size()),
          dw(*dev, (int64_t)wt.size());
      std::vector<float> want_out(d.size()), want_dx(x.size()), want_dw(wt.size());
      dev->conv2d_forward(out.p, dx_in.p, dw_in.p, s);
      dev->conv2d_backward_input(dx.p, dd.p, dw_in.p, s);
      dev->conv2d_backward_weight(dw.p, dd.p, dx_in.p, s);
      cpu::conv2d_forward(want_out.data(), x.data(), wt.data(), s);
      cpu::conv2d_backward_input(want_dx.data(), d.data(), wt.data(), s);
      cpu::conv2d_backward_weight(want_dw.data(), d.data(), x.data(), s);
      std::string what = str_cat(dev->name, " conv K=", k, " stride=", st, " G=", g);
      check_near(out.host(), want_out, what + " forward");
      check_near(dx.host(), want_dx, what + " backward_input");
      check_near(dw.host(), want_dw, what + " backward_weight");
    }
}

TEST_CASE("backends: batchnorm, pooling and channel shuffle match the CPU") {
  for (const Backend* dev : other_backends()) {
    INFO("backend ", dev->name);
    BatchNormShape bs{.N = 3, .C = 5, .HW = 37};
    auto x = random_vec(bs.N * bs.C * bs.HW, 4, -2.f, 3.f), dy = random_vec(x.size(), 5);
    auto gamma = random_vec(bs.C, 6), beta = random_vec(bs.C, 7),
         invstd = random_vec(bs.C, 8, 0.5f, 2.f);
    std::vector<float> mean(bs.C), var(bs.C), out(x.size()), dx(x.size()), dg(bs.C), db(bs.C);
    DeviceBuffer d_x(*dev, x), d_dy(*dev, dy), d_gamma(*dev, gamma), d_beta(*dev, beta),
        d_invstd(*dev, invstd);
    DeviceBuffer d_mean(*dev, bs.C), d_var(*dev, bs.C), d_out(*dev, (int64_t)x.size()),
        d_dx(*dev, (int64_t)x.size());
    DeviceBuffer d_dg(*dev, bs.C), d_db(*dev, bs.C);
    dev->batchnorm_stats(d_mean.p, d_var.p, d_x.p, bs);
    cpu::batchnorm_stats(mean.data(), var.data(), x.data(), bs);
    check_near(d_mean.host(), mean, "batchnorm_stats mean");
    check_near(d_var.host(), var, "batchnorm_stats var");
    DeviceBuffer d_mean_cpu(*dev, mean);  // same statistics on both sides from here on
    dev->batchnorm_forward(d_out.p, d_x.p, d_mean_cpu.p, d_invstd.p, d_gamma.p, d_beta.p, bs);
    cpu::batchnorm_forward(out.data(), x.data(), mean.data(), invstd.data(), gamma.data(),
                           beta.data(), bs);
    check_near(d_out.host(), out, "batchnorm_forward");
    dev->batchnorm_backward(d_dx.p, d_dg.p, d_db.p, d_dy.p, d_x.p, d_mean_cpu.p, d_invstd.p,
                            d_gamma.p, bs);
    cpu::batchnorm_backward(dx.data(), dg.data(), db.data(), dy.data(), x.data(), mean.data(),
                            invstd.data(), gamma.data(), bs);
    check_near(d_dx.host(), dx, "batchnorm_backward dx");
    check_near(d_dg.host(), dg, "batchnorm_backward dgamma");
    check_near(d_db.host(), db, "batchnorm_backward dbeta");

    for (auto [k, st, p] : {std::array<int64_t, 3>{2, 2, 0}, {3, 2, 1}, {3, 1, 1}}) {
      Pool2dShape ps{.N = 2,
                     .C = 3,
                     .H = 9,
                     .W = 8,
                     .K = k,
                     .stride = st,
                     .padding = p,
                     .H_out = (9 + 2 * p - k) / st + 1,
                     .W_out = (8 + 2 * p - k) / st + 1};
      int64_t in_n = ps.N * ps.C * ps.H * ps.W, out_n = ps.N * ps.C * ps.H_out * ps.W_out;
      auto px = random_vec(in_n, 9 + k), pd = random_vec(out_n, 19 + k);
      DeviceBuffer d_px(*dev, px), d_pd(*dev, pd), d_pout(*dev, out_n), d_idx(*dev, out_n),
          d_pdx(*dev, in_n);
      std::vector<float> pout(out_n), pdx(in_n);
      std::vector<int32_t> idx(out_n), dev_idx(out_n);
      dev->maxpool2d_forward(d_pout.p, d_idx.as_int32(), d_px.p, ps);
      cpu::maxpool2d_forward(pout.data(), idx.data(), px.data(), ps);
      check_near(d_pout.host(), pout, "maxpool2d_forward");
      std::vector<float> idx_bits = d_idx.host();
      std::memcpy(dev_idx.data(), idx_bits.data(), out_n * sizeof(int32_t));
      CHECK(dev_idx == idx);
      dev->maxpool2d_backward(d_pdx.p, d_pd.p, d_idx.as_int32(), ps);
      cpu::maxpool2d_backward(pdx.data(), pd.data(), idx.data(), ps);
      check_near(d_pdx.host(), pdx, "maxpool2d_backward");
      dev->avgpool2d_forward(d_pout.p, d_px.p, ps);
      cpu::avgpool2d_forward(pout.data(), px.data(), ps);
      check_near(d_pout.host(), pout, "avgpool2d_forward");
      dev->avgpool2d_backward(d_pdx.p, d_pd.p, ps);
      cpu::avgpool2d_backward(pdx.data(), pd.data(), ps);
      check_near(d_pdx.host(), pdx, "avgpool2d_backward");
    }

    ShuffleShape ss{.N = 2, .C = 12, .G = 3, .HW = 7};
    auto sx = random_vec(ss.N * ss.C * ss.HW, 40);
    std::vector<float> sout(sx.size());
    DeviceBuffer d_sx(*dev, sx), d_sout(*dev, (int64_t)sx.size());
    dev->channel_shuffle(d_sout.p, d_sx.p, ss);
    cpu::channel_shuffle(sout.data(), sx.data(), ss);
    CHECK(d_sout.host() == sout);
  }
}
