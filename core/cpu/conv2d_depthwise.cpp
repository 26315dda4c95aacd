// core/cpu/conv2d_depthwise.cpp - depthwise convolution (one K x K filter per channel,
// G == C_in == C_out) as direct loops over each (n, c) plane, forward and both backwards.
// Not the dispatch nor the reference (core/cpu/conv2d.cpp). No CUDA file of this name:
// core/cuda/conv2d.cu's direct kernels cover depthwise too.
//
// The trick that makes every loop long and contiguous, for any stride s: split the
// zero-bordered plane xp [Hp, Wp] (Hp = H + 2p, Wp = W + 2p) into s*s phase planes,
// phase (a, b) = xp[r*s + a][c*s + b] stored as [hq, wq] (hq = ceil(Hp/s), wq = ceil(Wp/s)).
// Tap (kh, kw) of output (oh, ow) reads xp[oh*s + kh][ow*s + kw], which is phase
// (kh%s, kw%s) at [oh + kh/s][ow + kw/s]. Keep outputs at row stride wq, i = oh*wq + ow,
// and the tap reads phase element i + (kh/s)*wq + kw/s: one multiply-add over a flat
// range of i per tap. With s = 1 the single phase is just the padded plane.
#include "core/cpu/conv2d_depthwise.h"
#include "core/cpu/kernel_helpers.h"

#include <omp.h>

#include <algorithm>
#include <vector>

namespace sl::cpu {

namespace {

struct Phases {
  int64_t s, hq, wq, size;  // stride, phase plane rows, row length, hq * wq
  int64_t len;              // flat outputs to compute: (H_out - 1) * wq + W_out
};

Phases phases_of(const Conv2dShape& s) {
  int64_t hq = (s.H + 2 * s.padding + s.stride - 1) / s.stride;
  int64_t wq = (s.W + 2 * s.padding + s.stride - 1) / s.stride;
  return {s.stride, hq, wq, hq * wq, (s.H_out - 1) * wq + s.W_out};
}

// Where tap (kh, kw) reads its first element, counted from the start of the s*s phase
// planes: phase (kh%s, kw%s), row kh/s, column kw/s. The same for every plane of a call,
// so computed once per call into the caller's (reused) vector.
const int64_t* tap_offsets(std::vector<int64_t>& offsets, const Conv2dShape& s, const Phases& q) {
  offsets.resize(s.K * s.K);
  for (int64_t kh = 0; kh < s.K; ++kh)
    for (int64_t kw = 0; kw < s.K; ++kw)
      offsets[kh * s.K + kw] =
          ((kh % q.s) * q.s + kw % q.s) * q.size + (kh / q.s) * q.wq + kw / q.s;
  return offsets.data();
}

// dst[c * dst_step] = src[c * src_step] for c in [lo, hi). Rows here are short (often 8
// to 32 floats): an inline loop beats a call to memcpy, which GCC would otherwise emit.
// Steps of 1 and 2 (stride-1 and stride-2 convolutions) get constant-step loops, which
// the compiler vectorizes; other strides take the general loop.
void copy_strided_row(float* dst, const float* src, int64_t lo, int64_t hi, int64_t dst_step,
                      int64_t src_step) {
  if (dst_step == 1 && src_step == 1) {
#pragma omp simd
    for (int64_t c = lo; c < hi; ++c) dst[c] = src[c];
  } else if (dst_step == 1 && src_step == 2) {
    for (int64_t c = lo; c < hi; ++c) dst[c] = src[2 * c];
  } else if (dst_step == 2 && src_step == 1) {
    for (int64_t c = lo; c < hi; ++c) dst[2 * c] = src[c];
  } else {
    for (int64_t c = lo; c < hi; ++c) dst[c * dst_step] = src[c * src_step];
  }
}

// x plane [H, W] <-> phases [s*s, hq, wq]. Row rr of phase (a, b) is x row rr*s + a - p
// and its column c is x column c*s + b - p; merge keeps only the interior. Loops run over
// phase rows and columns, so no index needs a division. split writes only the interior:
// the padding is wherever it never writes, the same places for every plane of a shape, so
// a buffer its caller zeroed once per call serves all the planes of the call.
void split_phases(float* phases, const float* x, const Conv2dShape& s, const Phases& q) {
  for (int64_t a = 0; a < q.s; ++a)
    for (int64_t b = 0; b < q.s; ++b) {
      int64_t lo, hi;
      valid_range(q.wq, s.W, q.s, b - s.padding, lo, hi);
      for (int64_t rr = 0; rr < q.hq; ++rr) {
        int64_t h = rr * q.s + a - s.padding;
        if (h < 0 || h >= s.H) continue;
        float* dst = phases + (a * q.s + b) * q.size + rr * q.wq;
        const float* src = x + h * s.W + b - s.padding;
        copy_strided_row(dst, src, lo, hi, 1, q.s);
      }
    }
}

void merge_phases(float* dx, const float* phases, const Conv2dShape& s, const Phases& q) {
  for (int64_t a = 0; a < q.s; ++a)
    for (int64_t b = 0; b < q.s; ++b) {
      int64_t lo, hi;
      valid_range(q.wq, s.W, q.s, b - s.padding, lo, hi);
      for (int64_t rr = 0; rr < q.hq; ++rr) {
        int64_t h = rr * q.s + a - s.padding;
        if (h < 0 || h >= s.H) continue;
        const float* src = phases + (a * q.s + b) * q.size + rr * q.wq;
        float* dst = dx + h * s.W + b - s.padding;
        copy_strided_row(dst, src, lo, hi, q.s, 1);
      }
    }
}

// dout plane [H_out, W_out] -> buf at row stride wq after `front` zeros, zero elsewhere,
// buf size front + hq * wq. Like split_phases it writes only the plane's own places, so the
// zeros come from zeroing buf once per call.
void spread_rows(float* buf, int64_t front, const float* d, const Conv2dShape& s, const Phases& q) {
  for (int64_t oh = 0; oh < s.H_out; ++oh)
    copy_strided_row(buf + front + oh * q.wq, d + oh * s.W_out, 0, s.W_out, 1, 1);
}

// acc[i] = sum_t wts[t] * src[t][i] for i < len. Taps go three at a time, so each pass
// over acc does three multiply-adds per load and store of acc.
void gather_taps(float* __restrict acc, int64_t len, const float* const* src, const float* wts,
                 int64_t taps) {
  if (taps == 0) std::fill(acc, acc + len, 0.f);
  int64_t t = 0;
  for (; t + 3 <= taps; t += 3) {
    const float* __restrict s0 = src[t], * __restrict s1 = src[t + 1], * __restrict s2 = src[t + 2];
    float w0 = wts[t], w1 = wts[t + 1], w2 = wts[t + 2];
    if (t == 0)
      for (int64_t i = 0; i < len; ++i) acc[i] = w0 * s0[i] + w1 * s1[i] + w2 * s2[i];
    else
      for (int64_t i = 0; i < len; ++i) acc[i] += w0 * s0[i] + w1 * s1[i] + w2 * s2[i];
  }
  for (; t < taps; ++t) {
    const float* __restrict s0 = src[t];
    float w0 = wts[t];
    if (t == 0)
      for (int64_t i = 0; i < len; ++i) acc[i] = w0 * s0[i];
    else
      for (int64_t i = 0; i < len; ++i) acc[i] += w0 * s0[i];
  }
}

}  // namespace

// out[n, c, oh, ow] = sum_{kh, kw} w[c, kh, kw] * xp[oh*s + kh, ow*s + kw]: per plane,
// K*K flat multiply-adds from the phases, then the W_out valid columns of each row.
void conv2d_depthwise_forward(float* out, const float* x, const float* w, const Conv2dShape& s) {
  Phases q = phases_of(s);
  int64_t kk = s.K * s.K;
  thread_local std::vector<int64_t> offset_buf;
  const int64_t* offsets = tap_offsets(offset_buf, s, q);
#pragma omp parallel
  {
    thread_local std::vector<float> phase_buf, acc_buf;
    thread_local std::vector<const float*> src;
    float* phases = scratch(phase_buf, q.s * q.s * q.size);
    float* acc = scratch(acc_buf, q.len);
    src.resize(kk);
    std::fill(phases, phases + q.s * q.s * q.size, 0.f);  // the padding, for every plane
#pragma omp for schedule(static)
    for (int64_t plane = 0; plane < s.N * s.C_in; ++plane) {
      split_phases(phases, x + plane * s.H * s.W, s, q);
      for (int64_t t = 0; t < kk; ++t) src[t] = phases + offsets[t];
      gather_taps(acc, q.len, src.data(), w + plane % s.C_in * kk, kk);
      float* o = out + plane * s.H_out * s.W_out;
      for (int64_t oh = 0; oh < s.H_out; ++oh)
        for (int64_t ow = 0; ow < s.W_out; ++ow) o[oh * s.W_out + ow] = acc[oh * q.wq + ow];
    }
  }
}

// The adjoint of the forward, written as a gather so that it is race-free and flat too:
// phase element j receives w[t] * d[j - offset_t] from every tap t of its phase, where d
// is dout at row stride wq with enough zeros in front for the largest offset. Zeros in
// d's columns W_out..wq-1 and rows H_out..hq-1 mean no output contributes there.
void conv2d_depthwise_backward_input(float* dx, const float* dout, const float* w,
                                     const Conv2dShape& s) {
  Phases q = phases_of(s);
  int64_t kk = s.K * s.K, n_phases = q.s * q.s,
          front = (s.K - 1) / s.stride * q.wq + (s.K - 1) / s.stride;
  thread_local std::vector<int64_t> offset_buf;
  const int64_t* offsets = tap_offsets(offset_buf, s, q);
#pragma omp parallel
  {
    thread_local std::vector<float> d_buf, phase_buf, wts;
    thread_local std::vector<const float*> src;
    float* d = scratch(d_buf, front + q.size);
    float* dphases = scratch(phase_buf, n_phases * q.size);
    wts.resize(kk);
    src.resize(kk);
    std::fill(d, d + front + q.size, 0.f);  // the zeros around every plane's rows
#pragma omp for schedule(static)
    for (int64_t plane = 0; plane < s.N * s.C_in; ++plane) {
      spread_rows(d, front, dout + plane * s.H_out * s.W_out, s, q);
      const float* wc = w + plane % s.C_in * kk;
      for (int64_t ph = 0; ph < n_phases; ++ph) {
        int64_t taps = 0;  // the taps of phase ph are those whose offset lies in its plane
        for (int64_t t = 0; t < kk; ++t)
          if (offsets[t] >= ph * q.size && offsets[t] < (ph + 1) * q.size) {
            src[taps] = d + front - (offsets[t] - ph * q.size);
            wts[taps++] = wc[t];
          }
        gather_taps(dphases + ph * q.size, q.size, src.data(), wts.data(), taps);
      }
      merge_phases(dx + plane * s.H * s.W, dphases, s, q);
    }
  }
}

namespace {

constexpr int64_t kVec = 16;  // lanes of a tap's partial sums (one AVX-512 register of floats)

// acc[t][l] += sum over i = l (mod kVec), i < len (rounded up to kVec), of d[i] * phases[off[t]
// + i], for the kk taps t: every tap's products for one stretch of d at a time, so d is loaded
// once for all taps, and each tap keeps kVec lanes. KK is kk when known at compile time (9 for
// the 3x3 filters ShuffleNet uses: nine accumulators then live in registers), else 0.
template <int64_t KK>
void tap_sums(float* __restrict acc, const float* __restrict d, const float* phases,
              const int64_t* offsets, int64_t kk, int64_t len) {
  const int64_t taps = KK > 0 ? KK : kk;
  float a[KK > 0 ? KK : 1][kVec];
  if constexpr (KK > 0)
    for (int64_t t = 0; t < KK; ++t)
      for (int64_t l = 0; l < kVec; ++l) a[t][l] = acc[t * kVec + l];
  for (int64_t i = 0; i < len; i += kVec)
    for (int64_t t = 0; t < taps; ++t) {
      const float* src = phases + offsets[t] + i;
      float* lanes = KK > 0 ? a[t] : acc + t * kVec;
#pragma omp simd
      for (int64_t l = 0; l < kVec; ++l) lanes[l] += d[i + l] * src[l];
    }
  if constexpr (KK > 0)
    for (int64_t t = 0; t < KK; ++t)
      for (int64_t l = 0; l < kVec; ++l) acc[t * kVec + l] = a[t][l];
}

}  // namespace

// dw[c, kh, kw] = sum_n sum_i d[n, c][i] * (tap (kh, kw)'s phase element at i), where d is
// dout at row stride wq. The planes are read in memory order (a channel's planes are C * H * W
// floats apart, and visiting them channel by channel made the reads of x jump every plane,
// which the prefetchers cannot follow), by image chunks (image_chunks in
// core/cpu/kernel_helpers.h: a cut that does not depend on the thread count; threads take whole
// chunks). A chunk keeps kVec lanes of partial sums per (channel, tap) over all its planes
// (tap_sums); each dw value is then its chunks' lanes, folded pairwise, added in chunk order:
// the same bits on any number of threads. The stretches run to len rounded up to kVec: d is
// zero there (its buffer is zeroed once, and spread_rows writes only the plane's own places),
// so those products add nothing (the phase values they meet are zeros or the next phase
// plane's, finite inputs). Measured on v2-0.5 at batch 128 (2 threads, alternating `bench`
// runs): a training step 106.8 -> 102.8 ms; per-plane dot products per tap, in per-thread
// sums, before.
void conv2d_depthwise_backward_weight(float* dw, const float* dout, const float* x,
                                      const Conv2dShape& s) {
  const Phases q = phases_of(s);
  const int64_t kk = s.K * s.K, len = (q.len + kVec - 1) / kVec * kVec;
  const int64_t chunks = image_chunks(s.N);
  const int64_t per_chunk = s.C_in * kk * kVec;  // lanes of one chunk's partial sums
  thread_local std::vector<int64_t> offset_buf;
  thread_local std::vector<float> partial_buf;
  const int64_t* offsets = tap_offsets(offset_buf, s, q);
  float* partials = scratch(partial_buf, chunks * per_chunk);            // [chunks][C][kk][kVec]
  const int64_t reach = *std::max_element(offsets, offsets + kk) + len;  // furthest phase read
#pragma omp parallel
  {
    thread_local std::vector<float> d_buf, phase_buf;
    float* d = scratch(d_buf, std::max(q.size, len));
    float* phases = scratch(phase_buf, std::max(q.s * q.s * q.size, reach));
    std::fill(d, d + std::max(q.size, len), 0.f);  // the zeros spread_rows never writes
    std::fill(phases, phases + std::max(q.s * q.s * q.size, reach), 0.f);  // and split_phases
#pragma omp for schedule(static)
    for (int64_t k = 0; k < chunks; ++k) {
      float* part = partials + k * per_chunk;
      std::fill(part, part + per_chunk, 0.f);
      for (int64_t n = chunk_begin(k, chunks, s.N); n < chunk_begin(k + 1, chunks, s.N); ++n)
        for (int64_t c = 0; c < s.C_in; ++c) {
          const int64_t plane = n * s.C_in + c;
          split_phases(phases, x + plane * s.H * s.W, s, q);
          spread_rows(d, 0, dout + plane * s.H_out * s.W_out, s, q);
          if (kk == 9)
            tap_sums<9>(part + c * kk * kVec, d, phases, offsets, kk, len);
          else
            tap_sums<0>(part + c * kk * kVec, d, phases, offsets, kk, len);
        }
    }
#pragma omp for schedule(static)
    for (int64_t i = 0; i < s.C_in * kk; ++i) {  // i = c * kk + tap
      double sum = 0.0;
      for (int64_t k = 0; k < chunks; ++k) {
        float lanes[kVec];
        std::copy_n(partials + k * per_chunk + i * kVec, kVec, lanes);
        for (int64_t w = kVec / 2; w > 0; w /= 2)  // pairwise
          for (int64_t l = 0; l < w; ++l) lanes[l] += lanes[l + w];
        sum += lanes[0];
      }
      dw[i] = (float)sum;
    }
  }
}

}  // namespace sl::cpu
