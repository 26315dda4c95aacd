// core/cpu/batchnorm.cpp - batch normalization kernels on the CPU: per-channel training
// statistics, the normalize-scale-shift forward and the training-mode backward, the same two
// fused with the ReLU that follows (BN+ReLU: the same bodies, the ReLU a compile-time flag),
// each with its plain reference twin (last section: nested loops in double; the BN+ReLU twins
// are the unfused pair). Not here: running averages, eps and the choice of train/eval
// statistics (nn/batchnorm), autograd. CUDA twin: core/cuda/batchnorm.cu. Layout everywhere:
// x, out, dout, dx [N, C, HW]; mean, var, invstd, gamma, beta, dgamma, dbeta [C];
// M = N * HW values per channel.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/cpu/kernels.h"

namespace sl::cpu {

namespace {

// Sums in double for accuracy, kept in 8 independent lanes so that the compiler can
// vectorize the loop without reordering any one lane's additions.
constexpr int kLanes = 8;
constexpr int64_t kChunk = 512;  // floats of a plane staged on the stack (a multiple of kLanes)

using D8 = double __attribute__((vector_size(kLanes * sizeof(double))));
using F8 = float __attribute__((vector_size(kLanes * sizeof(float))));

double lane_total(const D8& v) {
  double lanes[kLanes];
  std::memcpy(lanes, &v, sizeof lanes);
  double t = 0.0;
  for (int j = 0; j < kLanes; ++j) t += lanes[j];
  return t;
}

// Channel blocks. A channel's values are N planes of HW floats, C * HW floats apart; visited
// channel by channel, a small plane (HW = 16 is 64 bytes, one cache line) is a scattered read
// that the prefetchers cannot follow. So the sweeps below take a block of channels image by
// image: for each n, the block's planes are one contiguous run of memory. Each channel still
// adds its values in the same order (n, then i), so the sums are the same bits whatever the
// block. A block's `arrays` tensors (N planes each) should fit in L2 (2 MB per core here), so
// the dx sweep of the backward finds what its sums sweep read; and there are at least as many
// blocks as threads.
constexpr int64_t kMaxBlock = 64;  // channels per block (per-channel sums on the stack)
constexpr int64_t kBlockBytes = int64_t{1} << 20;  // a block's data, all arrays (1 MB)

int64_t channel_block(const BatchNormShape& s, int64_t arrays) {
  const int64_t per_channel = std::max<int64_t>(1, s.N * s.HW * arrays * (int64_t)sizeof(float));
  const int64_t threads = std::max(1, omp_get_max_threads());
  const int64_t most = std::clamp<int64_t>(kBlockBytes / per_channel, 1, kMaxBlock);
  // As few blocks as fit, rounded up to a multiple of the threads, then channels spread
  // evenly over them: 24 channels of at most 5 on 2 threads are 6 blocks of 4 (5 blocks,
  // 3 + 2, left one thread with 15 channels and the other 9).
  int64_t blocks = (s.C + most - 1) / most;
  blocks = (blocks + threads - 1) / threads * threads;
  return std::max<int64_t>(1, (s.C + blocks - 1) / blocks);
}

}  // namespace

// x [N, C, HW] -> mean [C], var [C] (biased: divided by M, as batch norm normalizes).
// One pass over x, shifted by the channel's first value so that sum(d^2) - sum(d)^2/M
// does not cancel catastrophically when |mean| >> std.
void batchnorm_stats(float* mean, float* var, const float* x, const BatchNormShape& s) {
  const int64_t m = s.N * s.HW, cb = channel_block(s, 1), blocks = (s.C + cb - 1) / cb;
#pragma omp parallel for schedule(static)
  for (int64_t blk = 0; blk < blocks; ++blk) {
    const int64_t c0 = blk * cb, nc = std::min(s.C, c0 + cb) - c0;
    if (m == 0) {
      std::fill(mean + c0, mean + c0 + nc, 0.f);
      std::fill(var + c0, var + c0 + nc, 0.f);
      continue;
    }
    // kLanes lanes in one vector of doubles (as in normalize_backward below): lane j adds the
    // values at i = j (mod kLanes) of each plane in order, a plane's tail goes to lane 0.
    double shift[kMaxBlock];
    D8 v1[kMaxBlock] = {}, v2[kMaxBlock] = {};
    for (int64_t j = 0; j < nc; ++j) shift[j] = x[(c0 + j) * s.HW];
    for (int64_t n = 0; n < s.N; ++n)
      for (int64_t j = 0; j < nc; ++j) {
        const float* xc = x + (n * s.C + c0 + j) * s.HW;
        const double sh = shift[j];
        D8 a1 = v1[j], a2 = v2[j];
        int64_t i = 0;
        for (; i + kLanes <= s.HW; i += kLanes) {
          F8 xv;
          std::memcpy(&xv, xc + i, sizeof xv);
          const D8 d = __builtin_convertvector(xv, D8) - sh;
          a1 += d;
          a2 += d * d;
        }
        for (; i < s.HW; ++i) {
          double d = xc[i] - sh;
          a1[0] += d;
          a2[0] += d * d;
        }
        v1[j] = a1;
        v2[j] = a2;
      }
    for (int64_t j = 0; j < nc; ++j) {
      const double t1 = lane_total(v1[j]), t2 = lane_total(v2[j]);
      mean[c0 + j] = (float)(shift[j] + t1 / m);
      var[c0 + j] = (float)std::max(0.0, (t2 - t1 * t1 / m) / m);
    }
  }
}

// invstd [C], running_mean [C], running_var [C] (either may be null) from mean [C], var [C].
// The volatile temporaries keep each product rounded on its own (no FMA contraction under
// -ffp-contract=fast), so the result equals the element-wise ops this replaces bit for bit.
void batchnorm_running(float* invstd, float* running_mean, float* running_var, const float* mean,
                       const float* var, int64_t C, float eps, float momentum, float unbias) {
  const float keep = 1.f - momentum, take_var = momentum * unbias;
  for (int64_t c = 0; c < C; ++c) {
    volatile float shifted = var[c] + eps;
    invstd[c] = 1.f / std::sqrt((float)shifted);
    if (running_mean) {
      volatile float old_part = running_mean[c] * keep, new_part = mean[c] * momentum;
      running_mean[c] = old_part + new_part;
    }
    if (running_var) {
      volatile float old_part = running_var[c] * keep, new_part = var[c] * take_var;
      running_var[c] = old_part + new_part;
    }
  }
}

// [SECTION] normalize and backward: one body each, with and without the ReLU after

namespace {

// The pre-activation (x - mean) * scale + shift, scale = invstd * gamma, shift = beta, as one
// explicit fused multiply-add: the forward computes it, and the BN + ReLU backward computes it
// again for ReLU's mask, so both must round it the same way, whatever the compiler would
// contract on its own.
inline float pre_activation(float x, float mu, float scale, float shift) {
  return std::fma(x - mu, scale, shift);
}

// out[n, c, i] = act((x[n, c, i] - mean[c]) * invstd[c] * gamma[c] + beta[c]), act = max(0, .)
// when kRelu (applied before the store, so the pre-activation never reaches memory), else the
// identity. gamma null means 1, beta null means 0.
template <bool kRelu>
void normalize(float* out, const float* x, const float* mean, const float* invstd,
               const float* gamma, const float* beta, const BatchNormShape& s) {
#pragma omp parallel for schedule(static)
  for (int64_t plane = 0; plane < s.N * s.C; ++plane) {
    int64_t c = plane % s.C;
    float scale = invstd[c] * (gamma ? gamma[c] : 1.f), mu = mean[c], shift = beta ? beta[c] : 0.f;
    const float* xp = x + plane * s.HW;
    float* op = out + plane * s.HW;
    for (int64_t i = 0; i < s.HW; ++i) {
      float v = pre_activation(xp[i], mu, scale, shift);
      if constexpr (kRelu) v = v > 0.f ? v : 0.f;
      op[i] = v;
    }
  }
}

// Training-mode backward (mean and invstd depend on x). With xhat = (x - mean) * invstd and
// g = dout (kRelu false) or g = pre > 0 ? dout : 0 (kRelu: ReLU's backward, its mask from the
// pre-activation recomputed from x exactly as normalize computed it, so the output y is
// never read; g is never stored):
//   dbeta[c]  = sum g,   dgamma[c] = sum g * xhat   (sums over n and i)
//   dx = gamma * invstd / M * (M * g - dbeta[c] - xhat * dgamma[c])
// which is the usual invstd/M * (M*g*gamma - sum(g*gamma) - xhat*sum(g*gamma*xhat)) with the
// per-channel gamma taken out of the sums. Per channel: one sweep for the two sums, one for
// dx, while the channel is still in cache; both read only dout and x (and write dx). beta is
// read only when kRelu. Any of dx, dgamma, dbeta may be null.
template <bool kRelu>
void normalize_backward(float* dx, float* dgamma, float* dbeta, const float* dout, const float* x,
                        const float* mean, const float* invstd, const float* gamma,
                        const float* beta, const BatchNormShape& s) {
  const int64_t m = s.N * s.HW, cb = channel_block(s, 3);
  const int64_t blocks = (s.C + cb - 1) / cb;
#pragma omp parallel for schedule(static)
  for (int64_t blk = 0; blk < blocks; ++blk) {
    const int64_t c0 = blk * cb, nc = std::min(s.C, c0 + cb) - c0;
    // Lane j sums the values at i = j (mod kLanes) of a stretch in order, and the stretch's
    // last len % kLanes values go to lane 0. The lanes are one vector register of doubles
    // (GCC's vector extension: GCC left the plain-array form scalar), each lane adding in
    // the same order as the array form would, so the sums are the same bits.
    D8 vsd[kMaxBlock] = {}, vsdx[kMaxBlock] = {};
    auto add = [](D8& sd, D8& sdx, const float* g, const float* xs, int64_t len, float mu,
                  float is) {
      int64_t t = 0;
      for (; t + kLanes <= len; t += kLanes) {
        F8 gv, xv;
        std::memcpy(&gv, g + t, sizeof gv);
        std::memcpy(&xv, xs + t, sizeof xv);
        const D8 gd = __builtin_convertvector(gv, D8);
        sd += gd;
        sdx += gd * __builtin_convertvector((xv - mu) * is, D8);
      }
      for (; t < len; ++t) {  // in order, into lane 0 itself
        sd[0] += g[t];
        sdx[0] += (double)g[t] * ((xs[t] - mu) * is);
      }
    };
    for (int64_t n = 0; n < s.N; ++n)
      for (int64_t j = 0; j < nc; ++j) {
        const int64_t c = c0 + j, at = (n * s.C + c) * s.HW;
        D8 sd = vsd[j], sdx = vsdx[j];
        if constexpr (kRelu) {
          // g for a stretch of kChunk values at a time, so that the sums vectorize. kChunk is
          // a multiple of kLanes: every value meets the lane it would meet in one stretch, in
          // the same order, so the sums are the same bits as ReLU's backward stored, then the
          // plain kernel.
          float masked[kChunk];
          const float scale = invstd[c] * (gamma ? gamma[c] : 1.f), shift = beta ? beta[c] : 0.f;
          for (int64_t i0 = 0; i0 < s.HW; i0 += kChunk) {
            const int64_t len = std::min(kChunk, s.HW - i0);
            const float *xs = x + at + i0, *ds = dout + at + i0;
            for (int64_t t = 0; t < len; ++t)
              masked[t] = pre_activation(xs[t], mean[c], scale, shift) > 0.f ? ds[t] : 0.f;
            add(sd, sdx, masked, x + at + i0, len, mean[c], invstd[c]);
          }
        } else {
          add(sd, sdx, dout + at, x + at, s.HW, mean[c], invstd[c]);
        }
        vsd[j] = sd;
        vsdx[j] = sdx;
      }
    float sum_dy[kMaxBlock], sum_dy_xhat[kMaxBlock];
    for (int64_t j = 0; j < nc; ++j) {
      sum_dy[j] = (float)lane_total(vsd[j]);
      sum_dy_xhat[j] = (float)lane_total(vsdx[j]);
      if (dbeta) dbeta[c0 + j] = sum_dy[j];
      if (dgamma) dgamma[c0 + j] = sum_dy_xhat[j];
    }
    if (!dx || m == 0) continue;
    const float mf = (float)m;
    for (int64_t n = 0; n < s.N; ++n)
      for (int64_t j = 0; j < nc; ++j) {
        const int64_t c = c0 + j, at = (n * s.C + c) * s.HW;
        const float mu = mean[c], is = invstd[c], k = (gamma ? gamma[c] : 1.f) * is / m;
        const float scale = is * (gamma ? gamma[c] : 1.f), shift = beta ? beta[c] : 0.f;
        const float sd = sum_dy[j], sdx = sum_dy_xhat[j];
        const float *dc = dout + at, *xc = x + at;
        float* dxc = dx + at;
        for (int64_t i = 0; i < s.HW; ++i) {
          float g = dc[i];
          if constexpr (kRelu) g = pre_activation(xc[i], mu, scale, shift) > 0.f ? g : 0.f;
          dxc[i] = k * (mf * g - sd - (xc[i] - mu) * is * sdx);
        }
      }
  }
}

}  // namespace

void batchnorm_forward(float* out, const float* x, const float* mean, const float* invstd,
                       const float* gamma, const float* beta, const BatchNormShape& s) {
  normalize<false>(out, x, mean, invstd, gamma, beta, s);
}

void batchnorm_backward(float* dx, float* dgamma, float* dbeta, const float* dout, const float* x,
                        const float* mean, const float* invstd, const float* gamma,
                        const BatchNormShape& s) {
  normalize_backward<false>(dx, dgamma, dbeta, dout, x, mean, invstd, gamma, nullptr, s);
}

// BN + ReLU fused: bit-identical to batchnorm_forward followed by relu, and to relu_backward
// (on that output) followed by batchnorm_backward, without the pre-activation, the masked
// gradient or (in the backward) the output in memory.
void batchnorm_relu_forward(float* out, const float* x, const float* mean, const float* invstd,
                            const float* gamma, const float* beta, const BatchNormShape& s) {
  normalize<true>(out, x, mean, invstd, gamma, beta, s);
}

void batchnorm_relu_backward(float* dx, float* dgamma, float* dbeta, const float* dout,
                             const float* x, const float* mean, const float* invstd,
                             const float* gamma, const float* beta, const BatchNormShape& s) {
  normalize_backward<true>(dx, dgamma, dbeta, dout, x, mean, invstd, gamma, beta, s);
}

// [SECTION] reference twins: loops over C, N, HW in double, the textbook formulas

// mean = sum x / M, var = sum (x - mean)^2 / M: two passes.
void batchnorm_stats_reference(float* mean, float* var, const float* x, const BatchNormShape& s) {
  const int64_t m = s.N * s.HW;
  for (int64_t c = 0; c < s.C; ++c) {
    double sum = 0.0, sq = 0.0;
    for (int64_t n = 0; n < s.N; ++n)
      for (int64_t i = 0; i < s.HW; ++i) sum += x[(n * s.C + c) * s.HW + i];
    const double mu = m > 0 ? sum / m : 0.0;
    for (int64_t n = 0; n < s.N; ++n)
      for (int64_t i = 0; i < s.HW; ++i) {
        const double d = x[(n * s.C + c) * s.HW + i] - mu;
        sq += d * d;
      }
    mean[c] = (float)mu;
    var[c] = m > 0 ? (float)(sq / m) : 0.f;
  }
}

void batchnorm_forward_reference(float* out, const float* x, const float* mean, const float* invstd,
                                 const float* gamma, const float* beta, const BatchNormShape& s) {
  for (int64_t n = 0; n < s.N; ++n)
    for (int64_t c = 0; c < s.C; ++c)
      for (int64_t i = 0; i < s.HW; ++i) {
        const int64_t at = (n * s.C + c) * s.HW + i;
        const double xhat = ((double)x[at] - mean[c]) * invstd[c];
        out[at] = (float)(xhat * (gamma ? gamma[c] : 1.f) + (beta ? beta[c] : 0.f));
      }
}

// dbeta = sum dout, dgamma = sum dout * xhat, dx = gamma * invstd * (dout - dbeta/M - xhat *
// dgamma/M).
void batchnorm_backward_reference(float* dx, float* dgamma, float* dbeta, const float* dout,
                                  const float* x, const float* mean, const float* invstd,
                                  const float* gamma, const BatchNormShape& s) {
  const int64_t m = s.N * s.HW;
  for (int64_t c = 0; c < s.C; ++c) {
    double sum_dy = 0.0, sum_dy_xhat = 0.0;
    for (int64_t n = 0; n < s.N; ++n)
      for (int64_t i = 0; i < s.HW; ++i) {
        const int64_t at = (n * s.C + c) * s.HW + i;
        sum_dy += dout[at];
        sum_dy_xhat += (double)dout[at] * (((double)x[at] - mean[c]) * invstd[c]);
      }
    if (dbeta) dbeta[c] = (float)sum_dy;
    if (dgamma) dgamma[c] = (float)sum_dy_xhat;
    if (!dx || m == 0) continue;
    const double g = (gamma ? gamma[c] : 1.f) * (double)invstd[c];
    for (int64_t n = 0; n < s.N; ++n)
      for (int64_t i = 0; i < s.HW; ++i) {
        const int64_t at = (n * s.C + c) * s.HW + i;
        const double xhat = ((double)x[at] - mean[c]) * invstd[c];
        dx[at] = (float)(g * (dout[at] - sum_dy / m - xhat * sum_dy_xhat / m));
      }
  }
}

// BN + ReLU, the unfused pair: the BN reference, then max(0, .) in a second pass.
void batchnorm_relu_forward_reference(float* out, const float* x, const float* mean,
                                      const float* invstd, const float* gamma, const float* beta,
                                      const BatchNormShape& s) {
  batchnorm_forward_reference(out, x, mean, invstd, gamma, beta, s);
  for (int64_t at = 0; at < s.N * s.C * s.HW; ++at) out[at] = std::max(0.f, out[at]);
}

// The unfused pair backward: the reference forward's output y recomputed, ReLU's backward
// stored as g (dout where y > 0, else 0), then the BN reference backward on g.
void batchnorm_relu_backward_reference(float* dx, float* dgamma, float* dbeta, const float* dout,
                                       const float* x, const float* mean, const float* invstd,
                                       const float* gamma, const float* beta,
                                       const BatchNormShape& s) {
  std::vector<float> g((size_t)(s.N * s.C * s.HW));
  batchnorm_relu_forward_reference(g.data(), x, mean, invstd, gamma, beta, s);  // y
  for (size_t at = 0; at < g.size(); ++at) g[at] = g[at] > 0.f ? dout[at] : 0.f;
  batchnorm_backward_reference(dx, dgamma, dbeta, g.data(), x, mean, invstd, gamma, s);
}

}  // namespace sl::cpu
