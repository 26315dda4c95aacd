// core/cpu/batchnorm.cpp - batch normalization kernels on the CPU: per-channel training
// statistics, the normalize-scale-shift forward and the training-mode backward, the same two
// fused with the ReLU that follows (BN+ReLU: the same bodies, the ReLU a compile-time flag),
// each with its plain reference twin (last section: nested loops in double; the BN+ReLU twins
// are the unfused pair). Not here: running averages, eps and the choice of train/eval
// statistics (nn/batchnorm), autograd. CUDA twin: core/cuda/batchnorm.cu. Layout everywhere:
// x, out, dout, dx [N, C, HW]; mean, var, invstd, gamma, beta, dgamma, dbeta [C];
// M = N * HW values per channel.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/cpu/kernel_helpers.h"
#include "core/cpu/kernels.h"

namespace sl::cpu {

namespace {

// Sums in double for accuracy, kept in 8 independent lanes so that the compiler can
// vectorize the loop without reordering any one lane's additions.
constexpr int kLanes = 8;
constexpr int64_t kRun = int64_t{4} * kLanes;  // values per turn of the four accumulators below
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

// Sums in memory order. A channel's values are N planes of HW floats, C * HW floats apart:
// visited channel by channel, the reads jump by C * HW floats every plane, which the
// prefetchers cannot follow once the tensor has left the caches (as a saved activation has by
// the backward). So every sum below walks its images in order, each image one contiguous run
// of C * HW floats, into per-channel partial sums, one set per chunk of images (image_chunks
// in core/cpu/kernel_helpers.h: a cut that does not depend on the thread count), and each
// channel adds its chunks' partials in chunk order: a channel's total is the same bits on any
// number of threads.

// The chunks' partial sums, two lane vectors per channel, [chunks][C][2], in the calling
// thread's reusable buffer (scratch() in core/cpu/kernel_helpers.h).
D8* chunk_partials(int64_t chunks, int64_t C) {
  thread_local std::vector<D8> buf;
  return scratch(buf, chunks * C * 2);
}

// a += sum (x[i] - sh), b += sum (x[i] - sh)^2 over one plane, in double: four vectors of
// kLanes lanes take the plane's vectors in turn (each lane adding in order; the last
// len % kLanes values go to vector 0's lane 0), so four chains of additions run side by side
// instead of each waiting on the one before; they are added ((0 + 1) + (2 + 3)) at the end.
inline void add_shifted(D8& a, D8& b, const float* xc, int64_t len, double sh) {
  D8 p[4] = {}, q[4] = {};
  int64_t i = 0;
  for (; i + kRun <= len; i += kRun)
#pragma GCC unroll 4
    for (int64_t v = 0; v < 4; ++v) {
      F8 xv;
      std::memcpy(&xv, xc + i + v * kLanes, sizeof xv);
      const D8 d = __builtin_convertvector(xv, D8) - sh;
      p[v] += d;
      q[v] += d * d;
    }
  for (int64_t v = 0; i + kLanes <= len; i += kLanes, ++v) {
    F8 xv;
    std::memcpy(&xv, xc + i, sizeof xv);
    const D8 d = __builtin_convertvector(xv, D8) - sh;
    p[v] += d;
    q[v] += d * d;
  }
  for (; i < len; ++i) {
    const double d = xc[i] - sh;
    p[0][0] += d;
    q[0][0] += d * d;
  }
  a += (p[0] + p[1]) + (p[2] + p[3]);
  b += (q[0] + q[1]) + (q[2] + q[3]);
}

}  // namespace

// x [N, C, HW] -> mean [C], var [C] (biased: divided by M, as batch norm normalizes).
// One pass over x in memory order (chunks of images, above), shifted by the channel's first
// value so that sum(d^2) - sum(d)^2/M does not cancel catastrophically when |mean| >> std.
void batchnorm_stats(float* mean, float* var, const float* x, const BatchNormShape& s) {
  const int64_t m = s.N * s.HW;
  if (m == 0) {
    std::fill(mean, mean + s.C, 0.f);
    std::fill(var, var + s.C, 0.f);
    return;
  }
  const int64_t chunks = image_chunks(s.N);
  D8* part = chunk_partials(chunks, s.C);
#pragma omp parallel
  {
#pragma omp for schedule(static)
    for (int64_t k = 0; k < chunks; ++k) {
      D8* p = part + k * s.C * 2;
      std::fill(p, p + s.C * 2, D8{});
      for (int64_t n = chunk_begin(k, chunks, s.N); n < chunk_begin(k + 1, chunks, s.N); ++n)
        for (int64_t c = 0; c < s.C; ++c)
          add_shifted(p[2 * c], p[2 * c + 1], x + (n * s.C + c) * s.HW, s.HW, x[c * s.HW]);
    }
#pragma omp for schedule(static)
    for (int64_t c = 0; c < s.C; ++c) {
      double t1 = 0.0, t2 = 0.0;
      for (int64_t k = 0; k < chunks; ++k) {
        t1 += lane_total(part[(k * s.C + c) * 2]);
        t2 += lane_total(part[(k * s.C + c) * 2 + 1]);
      }
      const double shift = x[c * s.HW];
      mean[c] = (float)(shift + t1 / m);
      var[c] = (float)std::max(0.0, (t2 - t1 * t1 / m) / m);
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

// sd += sum g[i], sdx += sum g[i] * xhat[i], xhat = (x - mu) * is, over one stretch, in
// double: four vectors of kLanes lanes in turn, as add_shifted does (and for the same reason).
inline void add_gradient(D8& sd, D8& sdx, const float* g, const float* xs, int64_t len, float mu,
                         float is) {
  D8 a[4] = {}, b[4] = {};
  int64_t t = 0;
  for (; t + kRun <= len; t += kRun)
#pragma GCC unroll 4
    for (int64_t v = 0; v < 4; ++v) {
      F8 gv, xv;
      std::memcpy(&gv, g + t + v * kLanes, sizeof gv);
      std::memcpy(&xv, xs + t + v * kLanes, sizeof xv);
      const D8 gd = __builtin_convertvector(gv, D8);
      a[v] += gd;
      b[v] += gd * __builtin_convertvector((xv - mu) * is, D8);
    }
  for (int64_t v = 0; t + kLanes <= len; t += kLanes, ++v) {
    F8 gv, xv;
    std::memcpy(&gv, g + t, sizeof gv);
    std::memcpy(&xv, xs + t, sizeof xv);
    const D8 gd = __builtin_convertvector(gv, D8);
    a[v] += gd;
    b[v] += gd * __builtin_convertvector((xv - mu) * is, D8);
  }
  for (; t < len; ++t) {  // in order, into vector 0's lane 0
    a[0][0] += g[t];
    b[0][0] += (double)g[t] * ((xs[t] - mu) * is);
  }
  sd += (a[0] + a[1]) + (a[2] + a[3]);
  sdx += (b[0] + b[1]) + (b[2] + b[3]);
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
// per-channel gamma taken out of the sums. Two sweeps in memory order: the sums (by chunks of
// images, see image_chunks), then dx plane by plane; both read only dout and x (and the second
// writes dx). beta is read only when kRelu. Any of dx, dgamma, dbeta may be null.
// The sweeps used to take blocks of channels sized to stay in L2 between them, reading each
// plane C * HW floats after the last; in a training step x comes back from memory by then,
// and the two memory-order sweeps made a v2-0.5 step at batch 128 16% faster (alternating
// `bench` runs: 105.8 -> 88.8 ms) though they read x and dout twice.
template <bool kRelu>
void normalize_backward(float* dx, float* dgamma, float* dbeta, const float* dout, const float* x,
                        const float* mean, const float* invstd, const float* gamma,
                        const float* beta, const BatchNormShape& s) {
  const int64_t m = s.N * s.HW;
  if (m == 0) {  // no values: both sums are 0, and dx has no elements
    if (dbeta) std::fill(dbeta, dbeta + s.C, 0.f);
    if (dgamma) std::fill(dgamma, dgamma + s.C, 0.f);
    return;
  }
  const int64_t chunks = image_chunks(s.N);
  D8* part = chunk_partials(chunks, s.C);  // [chunks][C][sum g, sum g * xhat]
  thread_local std::vector<float> sums_buf;
  float* sums = scratch(sums_buf, 2 * s.C);  // [C][sum g, sum g * xhat], as floats
#pragma omp parallel
  {
#pragma omp for schedule(static)  // sweep 1: each chunk's partial sums
    for (int64_t k = 0; k < chunks; ++k) {
      D8* p = part + k * s.C * 2;
      std::fill(p, p + s.C * 2, D8{});
      for (int64_t n = chunk_begin(k, chunks, s.N); n < chunk_begin(k + 1, chunks, s.N); ++n)
        for (int64_t c = 0; c < s.C; ++c) {
          const int64_t at = (n * s.C + c) * s.HW;
          const float mu = mean[c], is = invstd[c];
          if constexpr (kRelu) {
            // g for a stretch of kChunk values at a time, so that the sums vectorize. kChunk is
            // a multiple of kLanes: every value meets the lane it would meet in one stretch, in
            // the same order, so the sums are the same bits as ReLU's backward stored, then
            // the plain kernel.
            float masked[kChunk];
            const float scale = is * (gamma ? gamma[c] : 1.f), shift = beta ? beta[c] : 0.f;
            for (int64_t i0 = 0; i0 < s.HW; i0 += kChunk) {
              const int64_t len = std::min(kChunk, s.HW - i0);
              const float *xs = x + at + i0, *ds = dout + at + i0;
              for (int64_t t = 0; t < len; ++t)
                masked[t] = pre_activation(xs[t], mu, scale, shift) > 0.f ? ds[t] : 0.f;
              add_gradient(p[2 * c], p[2 * c + 1], masked, xs, len, mu, is);
            }
          } else {
            add_gradient(p[2 * c], p[2 * c + 1], dout + at, x + at, s.HW, mu, is);
          }
        }
    }
#pragma omp for schedule(static)  // each channel's totals, its chunks in order
    for (int64_t c = 0; c < s.C; ++c) {
      double sd = 0.0, sdx = 0.0;
      for (int64_t k = 0; k < chunks; ++k) {
        sd += lane_total(part[(k * s.C + c) * 2]);
        sdx += lane_total(part[(k * s.C + c) * 2 + 1]);
      }
      sums[2 * c] = (float)sd;
      sums[2 * c + 1] = (float)sdx;
      if (dbeta) dbeta[c] = sums[2 * c];
      if (dgamma) dgamma[c] = sums[2 * c + 1];
    }
    if (dx) {  // sweep 2: element-wise, given the sums
      const float mf = (float)m;
#pragma omp for schedule(static)
      for (int64_t plane = 0; plane < s.N * s.C; ++plane) {
        const int64_t c = plane % s.C, at = plane * s.HW;
        const float mu = mean[c], is = invstd[c], k = (gamma ? gamma[c] : 1.f) * is / m;
        const float scale = is * (gamma ? gamma[c] : 1.f), shift = beta ? beta[c] : 0.f;
        const float sd = sums[2 * c], sdx = sums[2 * c + 1];
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
