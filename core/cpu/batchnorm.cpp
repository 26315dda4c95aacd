// core/cpu/batchnorm.cpp - batch normalization kernels on the CPU: per-channel training
// statistics, the normalize-scale-shift forward and the training-mode backward, the same two
// fused with the ReLU that follows (BN+ReLU: the same bodies, the ReLU a compile-time flag),
// each with its plain reference twin (last section: nested loops in double; the BN+ReLU twins
// are the unfused pair). Not here: running averages, eps and the choice of train/eval
// statistics (nn/batchnorm), autograd. CUDA twin: core/cuda/batchnorm.cu. Layout everywhere:
// x, out, y, dout, dx [N, C, HW]; mean, var, invstd, gamma, beta, dgamma, dbeta [C];
// M = N * HW values per channel.
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

double lane_total(const double* lanes) {
  double t = 0.0;
  for (int j = 0; j < kLanes; ++j) t += lanes[j];
  return t;
}

}  // namespace

// x [N, C, HW] -> mean [C], var [C] (biased: divided by M, as batch norm normalizes).
// One pass over x, shifted by the channel's first value so that sum(d^2) - sum(d)^2/M
// does not cancel catastrophically when |mean| >> std.
void batchnorm_stats(float* mean, float* var, const float* x, const BatchNormShape& s) {
  int64_t m = s.N * s.HW;
#pragma omp parallel for schedule(static)
  for (int64_t c = 0; c < s.C; ++c) {
    if (m == 0) {
      mean[c] = 0.f;
      var[c] = 0.f;
      continue;
    }
    double shift = x[c * s.HW];
    // kLanes lanes in one vector of doubles (as in normalize_backward below): lane j adds the
    // values at i = j (mod kLanes) of each plane in order, a plane's tail goes to lane 0.
    D8 v1 = {}, v2 = {};
    for (int64_t n = 0; n < s.N; ++n) {
      const float* xc = x + (n * s.C + c) * s.HW;
      int64_t i = 0;
      for (; i + kLanes <= s.HW; i += kLanes) {
        F8 xv;
        std::memcpy(&xv, xc + i, sizeof xv);
        const D8 d = __builtin_convertvector(xv, D8) - shift;
        v1 += d;
        v2 += d * d;
      }
      for (; i < s.HW; ++i) {
        double d = xc[i] - shift;
        v1[0] += d;
        v2[0] += d * d;
      }
    }
    double s1[kLanes], s2[kLanes];
    std::memcpy(s1, &v1, sizeof s1);
    std::memcpy(s2, &v2, sizeof s2);
    double t1 = lane_total(s1), t2 = lane_total(s2);
    mean[c] = (float)(shift + t1 / m);
    var[c] = (float)std::max(0.0, (t2 - t1 * t1 / m) / m);
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
      float v = (xp[i] - mu) * scale + shift;
      if constexpr (kRelu) v = v > 0.f ? v : 0.f;
      op[i] = v;
    }
  }
}

// Training-mode backward (mean and invstd depend on x). With xhat = (x - mean) * invstd and
// g = dout (kRelu false) or g = y > 0 ? dout : 0 (kRelu: ReLU's backward read from the output
// y, which is > 0 exactly where the pre-activation was; g is never stored):
//   dbeta[c]  = sum g,   dgamma[c] = sum g * xhat   (sums over n and i)
//   dx = gamma * invstd / M * (M * g - dbeta[c] - xhat * dgamma[c])
// which is the usual invstd/M * (M*g*gamma - sum(g*gamma) - xhat*sum(g*gamma*xhat)) with the
// per-channel gamma taken out of the sums. Per channel: one sweep for the two sums, one for
// dx, while the channel is still in cache. y is read only when kRelu. Any of dx, dgamma, dbeta
// may be null.
template <bool kRelu>
void normalize_backward(float* dx, float* dgamma, float* dbeta, const float* dout, const float* y,
                        const float* x, const float* mean, const float* invstd, const float* gamma,
                        const BatchNormShape& s) {
  int64_t m = s.N * s.HW;
#pragma omp parallel for schedule(static)
  for (int64_t c = 0; c < s.C; ++c) {
    float mu = mean[c], is = invstd[c];
    // Lane j sums the values at i = j (mod kLanes) of a stretch in order, and the stretch's
    // last len % kLanes values go to lane 0. The lanes are one vector register of doubles
    // (GCC's vector extension: GCC left the plain-array form scalar), each lane adding in
    // the same order as the array form would, so the sums are the same bits.
    D8 vsd = {}, vsdx = {};
    auto add = [&](const float* g, const float* xs, int64_t len) {
      int64_t t = 0;
      for (; t + kLanes <= len; t += kLanes) {
        F8 gv, xv;
        std::memcpy(&gv, g + t, sizeof gv);
        std::memcpy(&xv, xs + t, sizeof xv);
        const D8 gd = __builtin_convertvector(gv, D8);
        vsd += gd;
        vsdx += gd * __builtin_convertvector((xv - mu) * is, D8);
      }
      for (; t < len; ++t) {  // in order, into lane 0 itself
        vsd[0] += g[t];
        vsdx[0] += (double)g[t] * ((xs[t] - mu) * is);
      }
    };
    for (int64_t n = 0; n < s.N; ++n) {
      const int64_t at = (n * s.C + c) * s.HW;
      if constexpr (kRelu) {
        // g for a stretch of kChunk values at a time, so that the sums vectorize. kChunk is a
        // multiple of kLanes: every value meets the lane it would meet in one stretch, in the
        // same order, so the sums are the same bits as ReLU's backward stored, then the plain
        // kernel.
        float masked[kChunk];
        for (int64_t i0 = 0; i0 < s.HW; i0 += kChunk) {
          const int64_t len = std::min(kChunk, s.HW - i0);
          for (int64_t t = 0; t < len; ++t)
            masked[t] = y[at + i0 + t] > 0.f ? dout[at + i0 + t] : 0.f;
          add(masked, x + at + i0, len);
        }
      } else {
        add(dout + at, x + at, s.HW);
      }
    }
    double sd[kLanes], sdx[kLanes];
    std::memcpy(sd, &vsd, sizeof sd);
    std::memcpy(sdx, &vsdx, sizeof sdx);
    float sum_dy = (float)lane_total(sd), sum_dy_xhat = (float)lane_total(sdx);
    if (dbeta) dbeta[c] = sum_dy;
    if (dgamma) dgamma[c] = sum_dy_xhat;
    if (!dx || m == 0) continue;
    float k = (gamma ? gamma[c] : 1.f) * is / m, mf = (float)m;
    for (int64_t n = 0; n < s.N; ++n) {
      const int64_t at = (n * s.C + c) * s.HW;
      const float *dc = dout + at, *xc = x + at;
      float* dxc = dx + at;
      for (int64_t i = 0; i < s.HW; ++i) {
        float g = dc[i];
        if constexpr (kRelu) g = y[at + i] > 0.f ? g : 0.f;
        dxc[i] = k * (mf * g - sum_dy - (xc[i] - mu) * is * sum_dy_xhat);
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
  normalize_backward<false>(dx, dgamma, dbeta, dout, nullptr, x, mean, invstd, gamma, s);
}

// BN + ReLU fused: bit-identical to batchnorm_forward followed by relu, and to relu_backward
// followed by batchnorm_backward, without the pre-activation or the masked gradient in memory.
void batchnorm_relu_forward(float* out, const float* x, const float* mean, const float* invstd,
                            const float* gamma, const float* beta, const BatchNormShape& s) {
  normalize<true>(out, x, mean, invstd, gamma, beta, s);
}

void batchnorm_relu_backward(float* dx, float* dgamma, float* dbeta, const float* dout,
                             const float* y, const float* x, const float* mean, const float* invstd,
                             const float* gamma, const BatchNormShape& s) {
  normalize_backward<true>(dx, dgamma, dbeta, dout, y, x, mean, invstd, gamma, s);
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

// The unfused pair backward: ReLU's backward stored as g (dout where y > 0, else 0), then the
// BN reference backward on g.
void batchnorm_relu_backward_reference(float* dx, float* dgamma, float* dbeta, const float* dout,
                                       const float* y, const float* x, const float* mean,
                                       const float* invstd, const float* gamma,
                                       const BatchNormShape& s) {
  std::vector<float> g((size_t)(s.N * s.C * s.HW));
  for (size_t at = 0; at < g.size(); ++at) g[at] = y[at] > 0.f ? dout[at] : 0.f;
  batchnorm_backward_reference(dx, dgamma, dbeta, g.data(), x, mean, invstd, gamma, s);
}

}  // namespace sl::cpu
