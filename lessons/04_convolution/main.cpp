// lessons/04_convolution/main.cpp - the lesson's program: one convolution (x (1,2,5,5),
// w (3,2,3,3), stride 2, padding 1) computed three ways - the seven nested loops, the
// library's reference kernel, im2col + matmul - and its two gradients by hand (dw as a
// matmul with the columns, dx by col2im), each checked against sl::conv2d and its
// autograd. Exit 1 if a claim fails. Not a test suite: tests/core/test_kernels_conv.cpp is.
#include <cmath>
#include <cstdio>

#include "core/cpu/kernels.h"
#include "core/tensor.h"
#include "lessons/check.h"
#include "nn/conv2d.h"

using namespace sl;
using lesson::claim;

constexpr int64_t N = 1, C_in = 2, H = 5, W = 5, C_out = 3, K = 3, S = 2, P = 1;
constexpr int64_t H_out = (H + 2 * P - K) / S + 1, W_out = (W + 2 * P - K) / S + 1;

// [SECTION] forward by loops: out[n,co,oh,ow] = sum_{ci,kh,kw} x[n,ci,oh*S-P+kh,ow*S-P+kw] *
// w[co,ci,kh,kw]
static Tensor conv_loops(const Tensor& x, const Tensor& w, int64_t& madds) {
  Tensor out = Tensor::zeros({N, C_out, H_out, W_out});
  float* o = out.data();
  madds = 0;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t co = 0; co < C_out; ++co)
      for (int64_t oh = 0; oh < H_out; ++oh)
        for (int64_t ow = 0; ow < W_out; ++ow) {
          float acc = 0;
          for (int64_t ci = 0; ci < C_in; ++ci)
            for (int64_t kh = 0; kh < K; ++kh)
              for (int64_t kw = 0; kw < K; ++kw) {
                const int64_t ih = oh * S - P + kh, iw = ow * S - P + kw;
                const bool inside =
                    ih >= 0 && ih < H && iw >= 0 && iw < W;  // outside: the zero padding
                acc += (inside ? x.at({n, ci, ih, iw}) : 0.f) * w.at({co, ci, kh, kw});
                ++madds;
              }
          o[((n * C_out + co) * H_out + oh) * W_out + ow] = acc;
        }
  return out;
}

// [SECTION] im2col: col [C_in*K*K, H_out*W_out], row (ci,kh,kw), column (oh,ow) holds the
// input value that kernel tap meets at that output pixel (0 in the padding). One image.
static Tensor im2col(const Tensor& x) {
  Tensor col = Tensor::zeros({C_in * K * K, H_out * W_out});
  float* c = col.data();
  for (int64_t ci = 0; ci < C_in; ++ci)
    for (int64_t kh = 0; kh < K; ++kh)
      for (int64_t kw = 0; kw < K; ++kw)
        for (int64_t oh = 0; oh < H_out; ++oh)
          for (int64_t ow = 0; ow < W_out; ++ow) {
            const int64_t ih = oh * S - P + kh, iw = ow * S - P + kw;
            if (ih >= 0 && ih < H && iw >= 0 && iw < W)
              c[((ci * K + kh) * K + kw) * H_out * W_out + oh * W_out + ow] = x.at({0, ci, ih, iw});
          }
  return col;
}

// col2im, the adjoint of im2col: every column entry is added back to the x element it
// was copied from (an element read by several windows collects several contributions).
static Tensor col2im(const Tensor& dcol) {
  Tensor dx = Tensor::zeros({N, C_in, H, W});
  float* d = dx.data();
  const std::vector<float> c = dcol.to_vector();
  for (int64_t ci = 0; ci < C_in; ++ci)
    for (int64_t kh = 0; kh < K; ++kh)
      for (int64_t kw = 0; kw < K; ++kw)
        for (int64_t oh = 0; oh < H_out; ++oh)
          for (int64_t ow = 0; ow < W_out; ++ow) {
            const int64_t ih = oh * S - P + kh, iw = ow * S - P + kw;
            if (ih >= 0 && ih < H && iw >= 0 && iw < W)
              d[(ci * H + ih) * W + iw] +=
                  c[((ci * K + kh) * K + kw) * H_out * W_out + oh * W_out + ow];
          }
  return dx;
}

int main() {
  Generator gen(4);
  Tensor x = Tensor::randn({N, C_in, H, W}, gen).requires_grad_();
  Tensor w = Tensor::randn({C_out, C_in, K, K}, gen).requires_grad_();
  const Conv2dParams p{.stride = S, .padding = P};
  const Tensor y = conv2d(x, w, p);
  std::printf("x %s, w %s, stride %lld, padding %lld -> out %s\n", shape_str(x.shape()).c_str(),
              shape_str(w.shape()).c_str(), (long long)S, (long long)P,
              shape_str(y.shape()).c_str());

  std::printf("\n1. forward, three ways\n");
  claim(y.shape() == Shape{N, C_out, H_out, W_out} && H_out == 3,
        "H_out = (H + 2P - K) / S + 1 = (5 + 2 - 3) / 2 + 1 = 3");
  int64_t madds = 0;
  const Tensor by_loops = conv_loops(x.detach(), w.detach(), madds);
  claim(lesson::diff(by_loops, y).worst < 1e-5, "seven nested loops give sl::conv2d's output");
  claim(madds == N * H_out * W_out * C_out * C_in * K * K,
        str_cat("the loops do N*H_out*W_out*C_out*C_in*K*K = ", madds,
                " multiply-adds (padding taps included)"));
  Tensor by_ref = Tensor::zeros(y.shape());
  cpu::conv2d_forward_reference(by_ref.data(), x.data(), w.data(),
                                conv2d_shape(x.shape(), w.shape(), p));
  claim(lesson::diff(by_ref, y).worst < 1e-5,
        "sl::cpu::conv2d_forward_reference (the spec kernel) agrees");
  const Tensor col = im2col(x.detach());
  const Tensor w_mat = w.detach().view({C_out, C_in * K * K});
  const Tensor by_gemm = matmul(w_mat, col).view({N, C_out, H_out, W_out});
  std::printf("   im2col: col %s, w as a matrix %s -> one matmul %s\n",
              shape_str(col.shape()).c_str(), shape_str(w_mat.shape()).c_str(),
              shape_str(matmul(w_mat, col).shape()).c_str());
  claim(lesson::diff(by_gemm, y).worst < 1e-5,
        "im2col + matmul: out = w[C_out, C_in*K*K] @ col[C_in*K*K, H_out*W_out]");

  std::printf("\n2. backward by hand, for a random dout\n");
  const Tensor dout = Tensor::randn(y.shape(), gen);
  sum(mul(y, dout)).backward();  // autograd: x.grad() = dL/dx, w.grad() = dL/dw
  const Tensor dout_mat = dout.view({C_out, H_out * W_out});
  const Tensor dw = matmul(dout_mat, col.transpose(0, 1)).view(w.shape());
  claim(lesson::diff(dw, w.grad()).worst < 1e-5,
        "dw = dout[C_out, HW_out] @ col^T: same as autograd's w.grad()");
  const Tensor dx = col2im(matmul(w_mat.transpose(0, 1), dout_mat));
  claim(lesson::diff(dx, x.grad()).worst < 1e-5,
        "dx = col2im(w^T @ dout): same as autograd's x.grad()");
  // Corner x[0,0,0,0] (stride 2, padding 1) is met by one window only, through tap (1,1).
  float corner = 0;
  for (int64_t co = 0; co < C_out; ++co) corner += dout.at({0, co, 0, 0}) * w.at({co, 0, 1, 1});
  claim(std::fabs(corner - x.grad().at({0, 0, 0, 0})) < 1e-5,
        "dx at the corner: only output (0,0) reads it, through tap (1,1): sum_co dout[co,0,0] * "
        "w[co,0,1,1]");
  // x[0,0,1,1] is read by outputs oh, ow in {0, 1}: tap kh = 1 - (oh*S - P), kw likewise.
  float mid = 0;
  for (int64_t co = 0; co < C_out; ++co)
    for (int64_t oh = 0; oh < H_out; ++oh)
      for (int64_t ow = 0; ow < W_out; ++ow) {
        const int64_t kh = 1 - (oh * S - P), kw = 1 - (ow * S - P);
        if (kh >= 0 && kh < K && kw >= 0 && kw < K)
          mid += dout.at({0, co, oh, ow}) * w.at({co, 0, kh, kw});
      }
  claim(std::fabs(mid - x.grad().at({0, 0, 1, 1})) < 1e-5,
        "dx at (1,1) sums over every window that read it (here 4 windows x 3 output channels)");
  std::printf("\nLook at: the im2col shapes. A convolution is one matrix product once the windows "
              "are unfolded.\n");
  return lesson::failures() == 0 ? 0 : 1;
}
