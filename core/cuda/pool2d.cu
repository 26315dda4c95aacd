// core/cuda/pool2d.cu - 2-D max and average pooling on the GPU, forward and backward,
// one thread per element. The backwards gather (each dx element visits the few windows
// that cover it) instead of scattering with atomics, so they are deterministic and add
// in the same order as the CPU. Same conventions as the twin core/cpu/pool2d.cpp:
// max-pool pads with -inf and records ih * W + iw in its plane; avg-pool divides by K*K.
#include "core/cuda/cuda_check.h"
#include "core/cuda/kernels.h"

namespace sl::cuda {

namespace {

// Output rows (or columns) [lo, hi] whose window covers input row i.
__device__ void covering(int64_t i, const Pool2dShape& s, int64_t out_len, int64_t& lo,
                         int64_t& hi) {
  int64_t first = i + s.padding - s.K + 1;  // smallest o*stride that still reaches i
  lo = first <= 0 ? 0 : (first + s.stride - 1) / s.stride;
  hi = min(out_len - 1, (i + s.padding) / s.stride);
}

__global__ void maxpool_forward_kernel(float* out, int32_t* idx, const float* x, Pool2dShape s) {
  for (int64_t e = first_index(); e < s.N * s.C * s.H_out * s.W_out; e += index_stride()) {
    int64_t ow = e % s.W_out, oh = e / s.W_out % s.H_out, plane = e / (s.W_out * s.H_out);
    const float* xp = x + plane * s.H * s.W;
    float best = -INFINITY;
    int64_t where = -1;
    for (int64_t kh = 0; kh < s.K; ++kh) {
      int64_t ih = oh * s.stride - s.padding + kh;
      if (ih < 0 || ih >= s.H) continue;
      for (int64_t kw = 0; kw < s.K; ++kw) {
        int64_t iw = ow * s.stride - s.padding + kw;
        if (iw < 0 || iw >= s.W) continue;
        float v = xp[ih * s.W + iw];
        if (v > best || isnan(v)) {
          best = v;
          where = ih * s.W + iw;
        }
      }
    }
    out[e] = best;
    idx[e] = (int32_t)where;
  }
}

__global__ void maxpool_backward_kernel(float* dx, const float* dout, const int32_t* idx,
                                        Pool2dShape s) {
  for (int64_t e = first_index(); e < s.N * s.C * s.H * s.W; e += index_stride()) {
    int64_t iw = e % s.W, ih = e / s.W % s.H, plane = e / (s.W * s.H);
    int64_t oh_lo, oh_hi, ow_lo, ow_hi;
    covering(ih, s, s.H_out, oh_lo, oh_hi);
    covering(iw, s, s.W_out, ow_lo, ow_hi);
    float sum = 0.f;
    for (int64_t oh = oh_lo; oh <= oh_hi; ++oh)
      for (int64_t ow = ow_lo; ow <= ow_hi; ++ow) {
        int64_t o = (plane * s.H_out + oh) * s.W_out + ow;
        if (idx[o] == ih * s.W + iw) sum += dout[o];
      }
    dx[e] = sum;
  }
}

__global__ void avgpool_forward_kernel(float* out, const float* x, Pool2dShape s) {
  float inv = 1.f / (float)(s.K * s.K);
  for (int64_t e = first_index(); e < s.N * s.C * s.H_out * s.W_out; e += index_stride()) {
    int64_t ow = e % s.W_out, oh = e / s.W_out % s.H_out, plane = e / (s.W_out * s.H_out);
    const float* xp = x + plane * s.H * s.W;
    float sum = 0.f;
    for (int64_t kh = 0; kh < s.K; ++kh) {
      int64_t ih = oh * s.stride - s.padding + kh;
      if (ih < 0 || ih >= s.H) continue;
      for (int64_t kw = 0; kw < s.K; ++kw) {
        int64_t iw = ow * s.stride - s.padding + kw;
        if (iw >= 0 && iw < s.W) sum += xp[ih * s.W + iw];
      }
    }
    out[e] = sum * inv;
  }
}

__global__ void avgpool_backward_kernel(float* dx, const float* dout, Pool2dShape s) {
  float inv = 1.f / (float)(s.K * s.K);
  for (int64_t e = first_index(); e < s.N * s.C * s.H * s.W; e += index_stride()) {
    int64_t iw = e % s.W, ih = e / s.W % s.H, plane = e / (s.W * s.H);
    int64_t oh_lo, oh_hi, ow_lo, ow_hi;
    covering(ih, s, s.H_out, oh_lo, oh_hi);
    covering(iw, s, s.W_out, ow_lo, ow_hi);
    float sum = 0.f;
    for (int64_t oh = oh_lo; oh <= oh_hi; ++oh)
      for (int64_t ow = ow_lo; ow <= ow_hi; ++ow)
        sum += dout[(plane * s.H_out + oh) * s.W_out + ow] * inv;
    dx[e] = sum;
  }
}

}  // namespace

// x [N, C, H, W] -> out, idx [N, C, H_out, W_out]
void maxpool2d_forward(float* out, int32_t* idx, const float* x, const Pool2dShape& s) {
  int64_t n = s.N * s.C * s.H_out * s.W_out;
  if (n <= 0) return;
  maxpool_forward_kernel<<<grid_for(n), kThreads>>>(out, idx, x, s);
  SL_CUDA_LAUNCHED("maxpool_forward_kernel");
}

// dout, idx [N, C, H_out, W_out] -> dx [N, C, H, W]
void maxpool2d_backward(float* dx, const float* dout, const int32_t* idx, const Pool2dShape& s) {
  int64_t n = s.N * s.C * s.H * s.W;
  if (n <= 0) return;
  maxpool_backward_kernel<<<grid_for(n), kThreads>>>(dx, dout, idx, s);
  SL_CUDA_LAUNCHED("maxpool_backward_kernel");
}

// x [N, C, H, W] -> out [N, C, H_out, W_out]
void avgpool2d_forward(float* out, const float* x, const Pool2dShape& s) {
  int64_t n = s.N * s.C * s.H_out * s.W_out;
  if (n <= 0) return;
  avgpool_forward_kernel<<<grid_for(n), kThreads>>>(out, x, s);
  SL_CUDA_LAUNCHED("avgpool_forward_kernel");
}

// dout [N, C, H_out, W_out] -> dx [N, C, H, W]
void avgpool2d_backward(float* dx, const float* dout, const Pool2dShape& s) {
  int64_t n = s.N * s.C * s.H * s.W;
  if (n <= 0) return;
  avgpool_backward_kernel<<<grid_for(n), kThreads>>>(dx, dout, s);
  SL_CUDA_LAUNCHED("avgpool_backward_kernel");
}

}  // namespace sl::cuda
