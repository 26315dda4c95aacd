// core/cuda/batchnorm.cu - batch normalization kernels on the GPU: per-channel training
// statistics (one block per channel, sums in double), the normalize-scale-shift forward
// (one thread per element) and the training-mode backward (one block per channel); the same
// two fused with the ReLU after them (BN+ReLU: max(0, .) before the store; the backward masks
// dout where the pre-activation, recomputed from x, was not > 0). Not here: running averages and
// eps (nn/batchnorm), autograd. Twin: core/cpu/batchnorm.cpp. Layout everywhere: x, out, dout, dx
// [N, C, HW]; per-channel vectors [C]; M = N * HW.
#include "core/cuda/cuda_check.h"
#include "core/cuda/kernels.h"

namespace sl::cuda {

namespace {

// Sums v over the block's threads (blockDim.x == kThreads); every thread gets the total.
__device__ double block_sum(double v, double* shared) {
  shared[threadIdx.x] = v;
  __syncthreads();
  for (int half = kThreads / 2; half > 0; half /= 2) {
    if (threadIdx.x < half) shared[threadIdx.x] += shared[threadIdx.x + half];
    __syncthreads();
  }
  double total = shared[0];
  __syncthreads();  // shared is reused by the next call
  return total;
}

// Block c: mean and biased variance of channel c, shifted by the channel's first value
// exactly as on the CPU (var = (sum d^2 - (sum d)^2 / M) / M with d = x - shift).
__global__ void bn_stats_kernel(float* mean, float* var, const float* x, BatchNormShape s) {
  __shared__ double shared[kThreads];
  int64_t c = blockIdx.x, m = s.N * s.HW;
  if (m == 0) {
    if (threadIdx.x == 0) mean[c] = var[c] = 0.f;
    return;
  }
  double shift = x[c * s.HW], s1 = 0.0, s2 = 0.0;
  for (int64_t r = threadIdx.x; r < m; r += blockDim.x) {
    double d = x[(r / s.HW * s.C + c) * s.HW + r % s.HW] - shift;
    s1 += d;
    s2 += d * d;
  }
  double t1 = block_sum(s1, shared), t2 = block_sum(s2, shared);
  if (threadIdx.x == 0) {
    mean[c] = (float)(shift + t1 / m);
    var[c] = (float)fmax(0.0, (t2 - t1 * t1 / m) / m);
  }
}

// out = (x - mean[c]) * (invstd[c] * gamma[c]) + beta[c]; gamma null = 1, beta null = 0.
__global__ void bn_forward_kernel(float* out, const float* x, const float* mean,
                                  const float* invstd, const float* gamma, const float* beta,
                                  BatchNormShape s) {
  for (int64_t e = first_index(); e < s.N * s.C * s.HW; e += index_stride()) {
    int64_t c = e / s.HW % s.C;
    float scale = invstd[c] * (gamma ? gamma[c] : 1.f), shift = beta ? beta[c] : 0.f;
    out[e] = bn_pre_activation(x[e], mean[c], scale, shift);
  }
}

// Block c: dbeta = sum dout, dgamma = sum dout * xhat, then
// dx = gamma * invstd / M * (M * dout - dbeta - xhat * dgamma) for the whole channel.
__global__ void bn_backward_kernel(float* dx, float* dgamma, float* dbeta, const float* dout,
                                   const float* x, const float* mean, const float* invstd,
                                   const float* gamma, BatchNormShape s) {
  __shared__ double shared[kThreads];
  int64_t c = blockIdx.x, m = s.N * s.HW;
  float mu = mean[c], is = invstd[c];
  double sd = 0.0, sdx = 0.0;
  for (int64_t r = threadIdx.x; r < m; r += blockDim.x) {
    int64_t i = (r / s.HW * s.C + c) * s.HW + r % s.HW;
    sd += dout[i];
    sdx += (double)dout[i] * ((x[i] - mu) * is);
  }
  float sum_dy = (float)block_sum(sd, shared), sum_dy_xhat = (float)block_sum(sdx, shared);
  if (threadIdx.x == 0) {
    if (dbeta) dbeta[c] = sum_dy;
    if (dgamma) dgamma[c] = sum_dy_xhat;
  }
  if (!dx || m == 0) return;
  float k = (gamma ? gamma[c] : 1.f) * is / m, mf = (float)m;
  for (int64_t r = threadIdx.x; r < m; r += blockDim.x) {
    int64_t i = (r / s.HW * s.C + c) * s.HW + r % s.HW;
    dx[i] = k * (mf * dout[i] - sum_dy - (x[i] - mu) * is * sum_dy_xhat);
  }
}

// bn_forward_kernel with max(0, .) applied before the store.
__global__ void bn_relu_forward_kernel(float* out, const float* x, const float* mean,
                                       const float* invstd, const float* gamma, const float* beta,
                                       BatchNormShape s) {
  for (int64_t e = first_index(); e < s.N * s.C * s.HW; e += index_stride()) {
    int64_t c = e / s.HW % s.C;
    float scale = invstd[c] * (gamma ? gamma[c] : 1.f), shift = beta ? beta[c] : 0.f;
    float v = bn_pre_activation(x[e], mean[c], scale, shift);
    out[e] = v > 0.f ? v : 0.f;
  }
}

// bn_backward_kernel on g = pre > 0 ? dout : 0 (ReLU's backward, never stored), the
// pre-activation recomputed from x as bn_relu_forward_kernel computed it.
__global__ void bn_relu_backward_kernel(float* dx, float* dgamma, float* dbeta, const float* dout,
                                        const float* x, const float* mean, const float* invstd,
                                        const float* gamma, const float* beta, BatchNormShape s) {
  __shared__ double shared[kThreads];
  int64_t c = blockIdx.x, m = s.N * s.HW;
  float mu = mean[c], is = invstd[c];
  float scale = is * (gamma ? gamma[c] : 1.f), shift = beta ? beta[c] : 0.f;
  double sd = 0.0, sdx = 0.0;
  for (int64_t r = threadIdx.x; r < m; r += blockDim.x) {
    int64_t i = (r / s.HW * s.C + c) * s.HW + r % s.HW;
    float g = bn_pre_activation(x[i], mu, scale, shift) > 0.f ? dout[i] : 0.f;
    sd += g;
    sdx += (double)g * ((x[i] - mu) * is);
  }
  float sum_dy = (float)block_sum(sd, shared), sum_dy_xhat = (float)block_sum(sdx, shared);
  if (threadIdx.x == 0) {
    if (dbeta) dbeta[c] = sum_dy;
    if (dgamma) dgamma[c] = sum_dy_xhat;
  }
  if (!dx || m == 0) return;
  float k = (gamma ? gamma[c] : 1.f) * is / m, mf = (float)m;
  for (int64_t r = threadIdx.x; r < m; r += blockDim.x) {
    int64_t i = (r / s.HW * s.C + c) * s.HW + r % s.HW;
    float g = bn_pre_activation(x[i], mu, scale, shift) > 0.f ? dout[i] : 0.f;
    dx[i] = k * (mf * g - sum_dy - (x[i] - mu) * is * sum_dy_xhat);
  }
}

// Thread c: invstd[c] and the running averages of channel c; the _rn intrinsics round each
// product and sum on its own (nvcc would otherwise fuse a multiply-add), as the CPU twin.
__global__ void bn_running_kernel(float* invstd, float* running_mean, float* running_var,
                                  const float* mean, const float* var, int64_t C, float eps,
                                  float momentum, float unbias) {
  const float keep = 1.f - momentum, take_var = momentum * unbias;
  for (int64_t c = first_index(); c < C; c += index_stride()) {
    invstd[c] = __fdiv_rn(1.f, __fsqrt_rn(__fadd_rn(var[c], eps)));
    if (running_mean)
      running_mean[c] = __fadd_rn(__fmul_rn(running_mean[c], keep), __fmul_rn(mean[c], momentum));
    if (running_var)
      running_var[c] = __fadd_rn(__fmul_rn(running_var[c], keep), __fmul_rn(var[c], take_var));
  }
}

}  // namespace

// [C] vectors: invstd, and the running averages in place (either may be null).
void batchnorm_running(float* invstd, float* running_mean, float* running_var, const float* mean,
                       const float* var, int64_t C, float eps, float momentum, float unbias) {
  if (C <= 0) return;
  bn_running_kernel<<<grid_for(C), kThreads>>>(invstd, running_mean, running_var, mean, var, C, eps,
                                               momentum, unbias);
  SL_CUDA_LAUNCHED("batchnorm bn_running_kernel");
}

// x [N, C, HW] -> mean [C], var [C] (biased).
void batchnorm_stats(float* mean, float* var, const float* x, const BatchNormShape& s) {
  if (s.C <= 0) return;
  if (batchnorm_stats_fast(mean, var, x, s)) return;  // the fast twin, unless SL_CUDA_FAST=0
  bn_stats_kernel<<<(unsigned)s.C, kThreads>>>(mean, var, x, s);
  SL_CUDA_LAUNCHED("batchnorm bn_stats_kernel");
}

// x [N, C, HW] -> out [N, C, HW]
void batchnorm_forward(float* out, const float* x, const float* mean, const float* invstd,
                       const float* gamma, const float* beta, const BatchNormShape& s) {
  int64_t n = s.N * s.C * s.HW;
  if (n <= 0) return;
  bn_forward_kernel<<<grid_for(n), kThreads>>>(out, x, mean, invstd, gamma, beta, s);
  SL_CUDA_LAUNCHED("batchnorm bn_forward_kernel");
}

// dout, x [N, C, HW] -> dx [N, C, HW], dgamma [C], dbeta [C]; any output may be null.
void batchnorm_backward(float* dx, float* dgamma, float* dbeta, const float* dout, const float* x,
                        const float* mean, const float* invstd, const float* gamma,
                        const BatchNormShape& s) {
  if (s.C <= 0) return;
  if (batchnorm_backward_fast(dx, dgamma, dbeta, dout, x, mean, invstd, gamma, nullptr, false, s))
    return;  // the fast twin, unless SL_CUDA_FAST=0
  bn_backward_kernel<<<(unsigned)s.C, kThreads>>>(dx, dgamma, dbeta, dout, x, mean, invstd, gamma,
                                                  s);
  SL_CUDA_LAUNCHED("batchnorm bn_backward_kernel");
}

// x [N, C, HW] -> out = max(0, bn(x)) [N, C, HW]
void batchnorm_relu_forward(float* out, const float* x, const float* mean, const float* invstd,
                            const float* gamma, const float* beta, const BatchNormShape& s) {
  int64_t n = s.N * s.C * s.HW;
  if (n <= 0) return;
  bn_relu_forward_kernel<<<grid_for(n), kThreads>>>(out, x, mean, invstd, gamma, beta, s);
  SL_CUDA_LAUNCHED("batchnorm bn_relu_forward_kernel");
}

// dout, x [N, C, HW] -> dx [N, C, HW], dgamma [C], dbeta [C]; any output may be null.
void batchnorm_relu_backward(float* dx, float* dgamma, float* dbeta, const float* dout,
                             const float* x, const float* mean, const float* invstd,
                             const float* gamma, const float* beta, const BatchNormShape& s) {
  if (s.C <= 0) return;
  if (batchnorm_backward_fast(dx, dgamma, dbeta, dout, x, mean, invstd, gamma, beta, true, s))
    return;
  bn_relu_backward_kernel<<<(unsigned)s.C, kThreads>>>(dx, dgamma, dbeta, dout, x, mean, invstd,
                                                       gamma, beta, s);
  SL_CUDA_LAUNCHED("batchnorm bn_relu_backward_kernel");
}

}  // namespace sl::cuda
