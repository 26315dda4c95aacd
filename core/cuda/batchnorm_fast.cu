// core/cuda/batchnorm_fast.cu - batch norm's two reductions as 2-D partial reductions, beside
// the readable one-block-per-channel kernels of core/cuda/batchnorm.cu: blocks (channel,
// chunk) each reduce a strip of the channel's N * HW values, and a small finishing kernel
// adds the chunks of each channel in order (deterministic). With C = 24 the readable kernels
// keep 24 blocks busy; these keep about 1024. Sums are in double, statistics of values
// shifted by the channel's first value, as on the CPU (see stats_partial_kernel for why).
// Used unless SL_CUDA_FAST turns family batchnorm off (core/cuda/cuda_check.h); the BN + ReLU
// backward is the same kernels with ReLU's mask (the pre-activation recomputed from x). Layout: x,
// dout, dx [N, C, HW]; per-channel vectors [C]; M = N * HW.
#include "core/cuda/cuda_check.h"
#include "core/cuda/kernels.h"

namespace sl::cuda {

namespace {

// The chunks per channel: about 1024 blocks in all, none with less than a block-sized strip.
int64_t chunks_for(const BatchNormShape& s) {
  const int64_t m = s.N * s.HW;
  return std::clamp<int64_t>((m + kThreads - 1) / kThreads, 1, std::max<int64_t>(1, 1024 / s.C));
}

// Block (c, chunk): partial[chunk, c] = (sum d, sum d^2) with d = x - shift, shift = the
// channel's first value x[0, c, 0], over channel c's positions r = chunk * 256 + t,
// + chunks * 256, ... (r = n * HW + p; consecutive threads read consecutive p, so the loads
// coalesce). In double with the CPU's shift (core/cpu/batchnorm.cpp), so no large sum of
// squares cancels and the statistics agree with the CPU's to float rounding: a whole model
// at batch 4 amplifies a float-accumulated variance's error into percent-level gradient
// differences (a float Welford version failed that comparison on an H200).
__global__ void stats_partial_kernel(double2* partial, const float* x, BatchNormShape s) {
  __shared__ double shared[kThreads / 32];
  const int64_t c = blockIdx.x, chunk = blockIdx.y, chunks = gridDim.y, m = s.N * s.HW;
  const double shift = x[c * s.HW];
  double s1 = 0.0, s2 = 0.0;
  for (int64_t r = chunk * kThreads + threadIdx.x; r < m; r += chunks * kThreads) {
    const double d = (double)x[(r / s.HW * s.C + c) * s.HW + r % s.HW] - shift;
    s1 += d;
    s2 += d * d;
  }
  s1 = block_sum_to_thread0(s1, shared);
  s2 = block_sum_to_thread0(s2, shared);
  if (threadIdx.x == 0) partial[chunk * s.C + c] = make_double2(s1, s2);
}

// mean[c], var[c] (biased) from the chunks of channel c, added in chunk order:
// mean = shift + S1 / m, var = (S2 - S1^2 / m) / m, as the readable kernel and the CPU.
__global__ void stats_finish_kernel(float* mean, float* var, const double2* partial, const float* x,
                                    int64_t chunks, BatchNormShape s) {
  const int64_t m = s.N * s.HW;
  for (int64_t c = first_index(); c < s.C; c += index_stride()) {
    double s1 = 0.0, s2 = 0.0;
    for (int64_t k = 0; k < chunks; ++k) {
      s1 += partial[k * s.C + c].x;
      s2 += partial[k * s.C + c].y;
    }
    mean[c] = (float)((double)x[c * s.HW] + s1 / m);
    var[c] = (float)fmax(0.0, (s2 - s1 * s1 / m) / m);
  }
}

// g = dout, or with relu (BN + ReLU) dout where the pre-activation was > 0, else 0: the
// pre-activation recomputed from x exactly as the forward computed it.
__device__ inline float masked_grad(bool relu, float d, float x, float mu, float scale,
                                    float shift) {
  return !relu || bn_pre_activation(x, mu, scale, shift) > 0.f ? d : 0.f;
}

// Block (c, chunk): partial[chunk, c] = (sum g, sum g * xhat) over the chunk's strip,
// xhat = (x - mean[c]) * invstd[c], g = masked_grad(relu, dout, ...).
__global__ void backward_partial_kernel(double2* partial, const float* dout, const float* x,
                                        const float* mean, const float* invstd, const float* gamma,
                                        const float* beta, bool relu, BatchNormShape s) {
  __shared__ double shared[kThreads / 32];
  const int64_t c = blockIdx.x, chunk = blockIdx.y, chunks = gridDim.y, m = s.N * s.HW;
  const float mu = mean[c], is = invstd[c];
  const float scale = is * (gamma ? gamma[c] : 1.f), shift = beta ? beta[c] : 0.f;
  // In double, as the readable kernel and the CPU: dx's sum over the channel must cancel
  // to ~0, or the depthwise weight gradient before it (sum of dx * a positive input)
  // picks up the residue times the input's mean.
  double sd = 0.0, sdx = 0.0;
  for (int64_t r = chunk * kThreads + threadIdx.x; r < m; r += chunks * kThreads) {
    const int64_t i = (r / s.HW * s.C + c) * s.HW + r % s.HW;
    const float g = masked_grad(relu, dout[i], x[i], mu, scale, shift);
    sd += g;
    sdx += (double)g * ((x[i] - mu) * is);
  }
  sd = block_sum_to_thread0(sd, shared);
  sdx = block_sum_to_thread0(sdx, shared);
  if (threadIdx.x == 0) partial[chunk * s.C + c] = make_double2(sd, sdx);
}

// sums[c] = (dbeta, dgamma) = the chunks of channel c added in order; also written to
// dbeta / dgamma when they are wanted.
__global__ void backward_finish_kernel(float2* sums, float* dgamma, float* dbeta,
                                       const double2* partial, int64_t chunks, int64_t C) {
  for (int64_t c = first_index(); c < C; c += index_stride()) {
    double sd = 0.0, sdx = 0.0;
    for (int64_t k = 0; k < chunks; ++k) {
      sd += partial[k * C + c].x;
      sdx += partial[k * C + c].y;
    }
    sums[c] = make_float2((float)sd, (float)sdx);
    if (dbeta) dbeta[c] = (float)sd;
    if (dgamma) dgamma[c] = (float)sdx;
  }
}

// dx = gamma * invstd / M * (M * g - sum_dy - xhat * sum_dy_xhat), g = masked_grad(relu,
// dout, ...), one thread per element (32-bit indices: the caller checks N * C * HW < 2^31).
__global__ void backward_dx_kernel(float* dx, const float* dout, const float* x, const float* mean,
                                   const float* invstd, const float* gamma, const float* beta,
                                   bool relu, const float2* sums, uint32_t total, uint32_t C,
                                   uint32_t HW, float mf) {
  for (uint32_t e = blockIdx.x * blockDim.x + threadIdx.x; e < total; e += gridDim.x * blockDim.x) {
    const uint32_t c = e / HW % C;
    const float is = invstd[c], k = (gamma ? gamma[c] : 1.f) * is / mf;
    const float scale = is * (gamma ? gamma[c] : 1.f), shift = beta ? beta[c] : 0.f;
    const float g = masked_grad(relu, dout[e], x[e], mean[c], scale, shift);
    dx[e] = k * (mf * g - sums[c].x - (x[e] - mean[c]) * is * sums[c].y);
  }
}

}  // namespace

// x [N, C, HW] -> mean [C], var [C] (biased) when the batchnorm family is on; false otherwise.
bool batchnorm_stats_fast(float* mean, float* var, const float* x, const BatchNormShape& s) {
  if (!fast_kernels(Fast::batchnorm) || s.C <= 0 || s.C >= (1ll << 31)) return false;
  if (s.N * s.HW <= 0) return false;  // the readable kernel writes 0, 0
  const int64_t chunks = chunks_for(s);
  const Scratch scratch(4 * chunks * s.C);  // partial [chunks, C] double2 (4 floats each)
  auto* partial = reinterpret_cast<double2*>(scratch.p);
  stats_partial_kernel<<<dim3((unsigned)s.C, (unsigned)chunks), kThreads>>>(partial, x, s);
  SL_CUDA_LAUNCHED("batchnorm_fast stats_partial_kernel");
  stats_finish_kernel<<<grid_for(s.C), kThreads>>>(mean, var, partial, x, chunks, s);
  SL_CUDA_LAUNCHED("batchnorm_fast stats_finish_kernel");
  return true;
}

// dout, x [N, C, HW] -> dx [N, C, HW], dgamma [C], dbeta [C] (any may be null) when the
// batchnorm family is on and N * C * HW < 2^31; false otherwise. relu: the backward of BN + ReLU
// (dout masked where the pre-activation, with beta, was not > 0).
bool batchnorm_backward_fast(float* dx, float* dgamma, float* dbeta, const float* dout,
                             const float* x, const float* mean, const float* invstd,
                             const float* gamma, const float* beta, bool relu,
                             const BatchNormShape& s) {
  const int64_t total = s.N * s.C * s.HW;
  if (!fast_kernels(Fast::batchnorm) || s.C <= 0 || total >= (1ll << 31)) return false;
  const int64_t chunks = chunks_for(s);
  // partial [chunks, C] double2 (4 floats each), then sums [C] float2
  const Scratch scratch(4 * chunks * s.C + 2 * s.C);
  auto* partial = reinterpret_cast<double2*>(scratch.p);
  auto* sums = reinterpret_cast<float2*>(scratch.p + 4 * chunks * s.C);
  backward_partial_kernel<<<dim3((unsigned)s.C, (unsigned)chunks), kThreads>>>(partial, dout, x,
                                                                               mean, invstd, gamma,
                                                                               beta, relu, s);
  SL_CUDA_LAUNCHED("batchnorm_fast backward_partial_kernel");
  backward_finish_kernel<<<grid_for(s.C), kThreads>>>(sums, dgamma, dbeta, partial, chunks, s.C);
  SL_CUDA_LAUNCHED("batchnorm_fast backward_finish_kernel");
  if (!dx || total == 0) return true;
  backward_dx_kernel<<<grid_for(total), kThreads>>>(dx, dout, x, mean, invstd, gamma, beta, relu,
                                                    sums, (uint32_t)total, (uint32_t)s.C,
                                                    (uint32_t)s.HW, (float)(s.N * s.HW));
  SL_CUDA_LAUNCHED("batchnorm_fast backward_dx_kernel");
  return true;
}

}  // namespace sl::cuda
