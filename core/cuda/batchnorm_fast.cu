// core/cuda/batchnorm_fast.cu - batch norm's two reductions as 2-D partial reductions, beside
// the readable one-block-per-channel kernels of core/cuda/batchnorm.cu: blocks (channel,
// chunk) each reduce a strip of the channel's N * HW values, and a small finishing kernel
// merges the chunks of each channel in order. With C = 24 the readable kernels keep 24
// blocks busy; these keep about 1024. Statistics use Welford's update and Chan's merge
// (count, mean, M2), so no large sum of squares cancels.
// NEVER RUN ON A GPU: compiled only. Used only under SL_CUDA_FAST=1 (batchnorm.cu asks first).
// Layout: x, dout, dx [N, C, HW]; per-channel vectors [C]; M = N * HW.
#include "core/cuda/cuda_check.h"
#include "core/cuda/kernels.h"

namespace sl::cuda {

namespace {

// Welford's state of a set of values: how many, their mean, and M2 = sum (v - mean)^2.
struct Moments {
  float n = 0.f, mean = 0.f, m2 = 0.f;
};

// Chan et al.: the moments of the union of two disjoint sets.
__device__ Moments merge(Moments a, Moments b) {
  const float n = a.n + b.n;
  if (n == 0.f) return a;
  const float delta = b.mean - a.mean, fb = b.n / n;
  return {n, a.mean + delta * fb, a.m2 + b.m2 + delta * delta * a.n * fb};
}

// Merges the moments of every thread of the block (blockDim.x == kThreads); thread 0 gets them.
__device__ Moments block_merge_to_thread0(Moments v, Moments* shared) {
  for (int o = 16; o > 0; o /= 2) {
    const Moments other{__shfl_down_sync(0xffffffffu, v.n, o),
                        __shfl_down_sync(0xffffffffu, v.mean, o),
                        __shfl_down_sync(0xffffffffu, v.m2, o)};
    v = merge(v, other);
  }
  const int lane = (int)threadIdx.x % 32, warp = (int)threadIdx.x / 32;
  if (lane == 0) shared[warp] = v;
  __syncthreads();
  if (threadIdx.x == 0)
    for (int k = 1; k < kThreads / 32; ++k) v = merge(v, shared[k]);
  return v;
}

// The chunks per channel: about 1024 blocks in all, none with less than a block-sized strip.
int64_t chunks_for(const BatchNormShape& s) {
  const int64_t m = s.N * s.HW;
  return std::clamp<int64_t>((m + kThreads - 1) / kThreads, 1, std::max<int64_t>(1, 1024 / s.C));
}

// Block (c, chunk): partial[chunk, c] = (n, mean, M2) of x over channel c's positions
// r = chunk * 256 + t, + chunks * 256, ... (r = n * HW + p; consecutive threads read
// consecutive p, so the loads coalesce).
__global__ void stats_partial_kernel(Moments* partial, const float* x, BatchNormShape s) {
  __shared__ Moments shared[kThreads / 32];
  const int64_t c = blockIdx.x, chunk = blockIdx.y, chunks = gridDim.y, m = s.N * s.HW;
  Moments v;
  for (int64_t r = chunk * kThreads + threadIdx.x; r < m; r += chunks * kThreads) {
    const float xi = x[(r / s.HW * s.C + c) * s.HW + r % s.HW];
    v.n += 1.f;
    const float delta = xi - v.mean;
    v.mean += delta / v.n;
    v.m2 += delta * (xi - v.mean);
  }
  v = block_merge_to_thread0(v, shared);
  if (threadIdx.x == 0) partial[chunk * s.C + c] = v;
}

// mean[c], var[c] (biased: M2 / M) from the chunks of channel c, merged in chunk order.
__global__ void stats_finish_kernel(float* mean, float* var, const Moments* partial, int64_t chunks,
                                    int64_t C) {
  for (int64_t c = first_index(); c < C; c += index_stride()) {
    Moments v;
    for (int64_t k = 0; k < chunks; ++k) v = merge(v, partial[k * C + c]);
    mean[c] = v.mean;
    var[c] = v.n > 0.f ? fmaxf(0.f, v.m2 / v.n) : 0.f;
  }
}

// Block (c, chunk): partial[chunk, c] = (sum dout, sum dout * xhat) over the chunk's strip,
// xhat = (x - mean[c]) * invstd[c].
__global__ void backward_partial_kernel(float2* partial, const float* dout, const float* x,
                                        const float* mean, const float* invstd, BatchNormShape s) {
  __shared__ float shared[kThreads / 32];
  const int64_t c = blockIdx.x, chunk = blockIdx.y, chunks = gridDim.y, m = s.N * s.HW;
  const float mu = mean[c], is = invstd[c];
  float sd = 0.f, sdx = 0.f;
  for (int64_t r = chunk * kThreads + threadIdx.x; r < m; r += chunks * kThreads) {
    const int64_t i = (r / s.HW * s.C + c) * s.HW + r % s.HW;
    sd += dout[i];
    sdx += dout[i] * ((x[i] - mu) * is);
  }
  sd = block_sum_to_thread0(sd, shared);
  sdx = block_sum_to_thread0(sdx, shared);
  if (threadIdx.x == 0) partial[chunk * s.C + c] = make_float2(sd, sdx);
}

// sums[c] = (dbeta, dgamma) = the chunks of channel c added in order; also written to
// dbeta / dgamma when they are wanted.
__global__ void backward_finish_kernel(float2* sums, float* dgamma, float* dbeta,
                                       const float2* partial, int64_t chunks, int64_t C) {
  for (int64_t c = first_index(); c < C; c += index_stride()) {
    float sd = 0.f, sdx = 0.f;
    for (int64_t k = 0; k < chunks; ++k) {
      sd += partial[k * C + c].x;
      sdx += partial[k * C + c].y;
    }
    sums[c] = make_float2(sd, sdx);
    if (dbeta) dbeta[c] = sd;
    if (dgamma) dgamma[c] = sdx;
  }
}

// dx = gamma * invstd / M * (M * dout - sum_dy - xhat * sum_dy_xhat), one thread per element
// (32-bit indices: the caller checks N * C * HW < 2^31).
__global__ void backward_dx_kernel(float* dx, const float* dout, const float* x, const float* mean,
                                   const float* invstd, const float* gamma, const float2* sums,
                                   uint32_t total, uint32_t C, uint32_t HW, float mf) {
  for (uint32_t e = blockIdx.x * blockDim.x + threadIdx.x; e < total; e += gridDim.x * blockDim.x) {
    const uint32_t c = e / HW % C;
    const float is = invstd[c], k = (gamma ? gamma[c] : 1.f) * is / mf;
    dx[e] = k * (mf * dout[e] - sums[c].x - (x[e] - mean[c]) * is * sums[c].y);
  }
}

}  // namespace

// x [N, C, HW] -> mean [C], var [C] (biased) when SL_CUDA_FAST=1; false otherwise.
bool batchnorm_stats_fast(float* mean, float* var, const float* x, const BatchNormShape& s) {
  if (!fast_kernels() || s.C <= 0 || s.C >= (1ll << 31)) return false;
  const int64_t chunks = chunks_for(s);
  const int64_t floats = chunks * s.C * (int64_t)(sizeof(Moments) / sizeof(float));
  const Scratch scratch(floats);
  auto* partial = reinterpret_cast<Moments*>(scratch.p);
  stats_partial_kernel<<<dim3((unsigned)s.C, (unsigned)chunks), kThreads>>>(partial, x, s);
  SL_CUDA_LAUNCHED("batchnorm_fast stats_partial_kernel");
  stats_finish_kernel<<<grid_for(s.C), kThreads>>>(mean, var, partial, chunks, s.C);
  SL_CUDA_LAUNCHED("batchnorm_fast stats_finish_kernel");
  return true;
}

// dout, x [N, C, HW] -> dx [N, C, HW], dgamma [C], dbeta [C] (any may be null) when
// SL_CUDA_FAST=1 and N * C * HW < 2^31; false otherwise.
bool batchnorm_backward_fast(float* dx, float* dgamma, float* dbeta, const float* dout,
                             const float* x, const float* mean, const float* invstd,
                             const float* gamma, const BatchNormShape& s) {
  const int64_t total = s.N * s.C * s.HW;
  if (!fast_kernels() || s.C <= 0 || total >= (1ll << 31)) return false;
  const int64_t chunks = chunks_for(s);
  const Scratch scratch(2 * chunks * s.C + 2 * s.C);  // partial [chunks, C], then sums [C]
  auto* partial = reinterpret_cast<float2*>(scratch.p);
  float2* sums = partial + chunks * s.C;
  backward_partial_kernel<<<dim3((unsigned)s.C, (unsigned)chunks), kThreads>>>(partial, dout, x,
                                                                               mean, invstd, s);
  SL_CUDA_LAUNCHED("batchnorm_fast backward_partial_kernel");
  backward_finish_kernel<<<grid_for(s.C), kThreads>>>(sums, dgamma, dbeta, partial, chunks, s.C);
  SL_CUDA_LAUNCHED("batchnorm_fast backward_finish_kernel");
  if (!dx || total == 0) return true;
  backward_dx_kernel<<<grid_for(total), kThreads>>>(dx, dout, x, mean, invstd, gamma, sums,
                                                    (uint32_t)total, (uint32_t)s.C, (uint32_t)s.HW,
                                                    (float)(s.N * s.HW));
  SL_CUDA_LAUNCHED("batchnorm_fast backward_dx_kernel");
  return true;
}

}  // namespace sl::cuda
