// core/cuda/conv2d.cu - 2-D convolution on the GPU (square kernel K, stride, zero
// padding, groups G, so depthwise and 1x1 too): direct kernels that read like the CPU
// reference loops. Forward and backward-input use one thread per output element (the
// backward-input one gathers, so no atomics); backward-weight uses one block per weight,
// its threads sharing the sum over N, H_out, W_out. Not im2col or cuDNN: the baseline.
// Twin: core/cpu/conv2d.cpp.
#include "core/cuda/cuda_check.h"
#include "core/cuda/kernels.h"

namespace sl::cuda {

namespace {

// out[n, co, oh, ow] = sum_{ci, kh, kw} x[n, g*C_in/G + ci, oh*s - p + kh, ow*s - p + kw]
//                      * w[co, ci, kh, kw], g = co / (C_out/G), x = 0 outside.
__global__ void conv2d_forward_kernel(float* out, const float* x, const float* w, Conv2dShape s) {
  int64_t cgi = s.C_in / s.groups, cgo = s.C_out / s.groups;
  int64_t total = s.N * s.C_out * s.H_out * s.W_out;
  for (int64_t e = first_index(); e < total; e += index_stride()) {
    int64_t ow = e % s.W_out, oh = e / s.W_out % s.H_out, co = e / (s.W_out * s.H_out) % s.C_out;
    int64_t n = e / (s.W_out * s.H_out * s.C_out);
    const float* xg = x + (n * s.C_in + co / cgo * cgi) * s.H * s.W;
    const float* wc = w + co * cgi * s.K * s.K;
    float sum = 0.f;
    for (int64_t ci = 0; ci < cgi; ++ci)
      for (int64_t kh = 0; kh < s.K; ++kh) {
        int64_t ih = oh * s.stride - s.padding + kh;
        if (ih < 0 || ih >= s.H) continue;
        for (int64_t kw = 0; kw < s.K; ++kw) {
          int64_t iw = ow * s.stride - s.padding + kw;
          if (iw < 0 || iw >= s.W) continue;
          sum += xg[(ci * s.H + ih) * s.W + iw] * wc[(ci * s.K + kh) * s.K + kw];
        }
      }
    out[e] = sum;
  }
}

// dx[n, c, ih, iw] = sum over the outputs whose window read x[n, c, ih, iw]: for each
// co of c's group and tap (kh, kw), oh = (ih + p - kh) / s when that divides exactly
// and lands in [0, H_out) (same for ow); adds dout[n, co, oh, ow] * w[co, ci, kh, kw].
__global__ void conv2d_backward_input_kernel(float* dx, const float* dout, const float* w,
                                             Conv2dShape s) {
  int64_t cgi = s.C_in / s.groups, cgo = s.C_out / s.groups;
  int64_t total = s.N * s.C_in * s.H * s.W;
  for (int64_t e = first_index(); e < total; e += index_stride()) {
    int64_t iw = e % s.W, ih = e / s.W % s.H, c = e / (s.W * s.H) % s.C_in,
            n = e / (s.W * s.H * s.C_in);
    int64_t g = c / cgi, ci = c % cgi;
    float sum = 0.f;
    for (int64_t co = g * cgo; co < (g + 1) * cgo; ++co) {
      const float* d = dout + (n * s.C_out + co) * s.H_out * s.W_out;
      const float* wc = w + (co * cgi + ci) * s.K * s.K;
      for (int64_t kh = 0; kh < s.K; ++kh) {
        int64_t th = ih + s.padding - kh;
        if (th < 0 || th % s.stride != 0 || th / s.stride >= s.H_out) continue;
        for (int64_t kw = 0; kw < s.K; ++kw) {
          int64_t tw = iw + s.padding - kw;
          if (tw < 0 || tw % s.stride != 0 || tw / s.stride >= s.W_out) continue;
          sum += d[th / s.stride * s.W_out + tw / s.stride] * wc[kh * s.K + kw];
        }
      }
    }
    dx[e] = sum;
  }
}

// Block b owns dw[b] = dw[co, ci, kh, kw] = sum_{n, oh, ow} dout[n, co, oh, ow] *
// x[n, g*C_in/G + ci, oh*s - p + kh, ow*s - p + kw]: its threads stride over (n, oh, ow),
// then add their partial sums in shared memory (a tree). No atomics: deterministic.
__global__ void conv2d_backward_weight_kernel(float* dw, const float* dout, const float* x,
                                              Conv2dShape s) {
  __shared__ float partial[kThreads];
  int64_t cgi = s.C_in / s.groups, cgo = s.C_out / s.groups, hwo = s.H_out * s.W_out;
  int64_t b = blockIdx.x;
  int64_t kw = b % s.K, kh = b / s.K % s.K, ci = b / (s.K * s.K) % cgi, co = b / (s.K * s.K * cgi);
  int64_t c = co / cgo * cgi + ci;
  float sum = 0.f;
  for (int64_t r = threadIdx.x; r < s.N * hwo; r += blockDim.x) {
    int64_t n = r / hwo, oh = r % hwo / s.W_out, ow = r % s.W_out;
    int64_t ih = oh * s.stride - s.padding + kh, iw = ow * s.stride - s.padding + kw;
    if (ih < 0 || ih >= s.H || iw < 0 || iw >= s.W) continue;
    sum += dout[(n * s.C_out + co) * hwo + r % hwo] * x[((n * s.C_in + c) * s.H + ih) * s.W + iw];
  }
  partial[threadIdx.x] = sum;
  __syncthreads();
  for (int half = kThreads / 2; half > 0; half /= 2) {
    if (threadIdx.x < half) partial[threadIdx.x] += partial[threadIdx.x + half];
    __syncthreads();
  }
  if (threadIdx.x == 0) dw[b] = partial[0];
}

}  // namespace

// x [N, C_in, H, W], w [C_out, C_in/G, K, K] -> out [N, C_out, H_out, W_out].
void conv2d_forward(float* out, const float* x, const float* w, const Conv2dShape& s) {
  int64_t n = s.N * s.C_out * s.H_out * s.W_out;
  if (n <= 0) return;
  if (conv2d_forward_fast(out, x, w, s)) return;  // the fast twin, unless SL_CUDA_FAST=0
  conv2d_forward_kernel<<<grid_for(n), kThreads>>>(out, x, w, s);
  SL_CUDA_LAUNCHED("conv2d conv2d_forward_kernel");
}

// dout [N, C_out, H_out, W_out], w [C_out, C_in/G, K, K] -> dx [N, C_in, H, W].
void conv2d_backward_input(float* dx, const float* dout, const float* w, const Conv2dShape& s) {
  int64_t n = s.N * s.C_in * s.H * s.W;
  if (n <= 0) return;
  if (conv2d_backward_input_fast(dx, dout, w, s)) return;  // the fast twin, unless SL_CUDA_FAST=0
  conv2d_backward_input_kernel<<<grid_for(n), kThreads>>>(dx, dout, w, s);
  SL_CUDA_LAUNCHED("conv2d conv2d_backward_input_kernel");
}

// dout [N, C_out, H_out, W_out], x [N, C_in, H, W] -> dw [C_out, C_in/G, K, K] (overwritten).
void conv2d_backward_weight(float* dw, const float* dout, const float* x, const Conv2dShape& s) {
  int64_t weights = s.C_out * (s.C_in / s.groups) * s.K * s.K;
  if (weights <= 0) return;
  SL_CHECK(weights < (1ll << 31), "cuda conv2d_backward_weight: ", weights,
           " weights exceed the grid");
  if (conv2d_backward_weight_fast(dw, dout, x, s)) return;  // the fast twin, unless SL_CUDA_FAST=0
  conv2d_backward_weight_kernel<<<(unsigned)weights, kThreads>>>(dw, dout, x, s);
  SL_CUDA_LAUNCHED("conv2d conv2d_backward_weight_kernel");
}

}  // namespace sl::cuda
