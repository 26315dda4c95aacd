// core/cpu/infer_kernels.h - the CPU kernels of the inference plan (nn/infer.h): convolutions
// whose BatchNorm is already folded into their weights and a bias, so each ends in an
// epilogue act(acc + bias [+ residual]) applied before the outputs are stored. Each fast
// kernel works on a range of planes or one tile, so the plan splits the work over its threads;
// each has a plain reference twin below it. Implemented in core/cpu/infer_kernels.cpp.
// Not backend entries (training never calls them) and no CUDA twin.
#pragma once
#include "core/backend.h"

namespace sl::cpu {

// Rows per register tile of the pointwise kernel: 12 rows x 16 columns = 12 AVX-512
// accumulators; 6 x 16 = 12 AVX2 ones.
#if defined(__AVX512F__)
constexpr int64_t kPointwiseRows = 12;
#else
constexpr int64_t kPointwiseRows = 6;
#endif

// w [rows, K] -> packed [ceil(rows / kPointwiseRows) * kPointwiseRows, K]: slivers of
// kPointwiseRows rows, each k-major (packed[s*K + k*MR + i] = w[s + i, k]), rows past the
// end zero. Done once per weight; a tile starting at row r reads packed + r * K (r a
// multiple of kPointwiseRows).
void pack_pointwise_weights(float* packed, const float* w, int64_t rows, int64_t K);

// A 1x1 convolution tile with its epilogue, no packing of x:
// out[r, j] = act(bias[r] + sum_k w[r, k] * x[k, j] + res[r, j]) for r < rows, j < cols;
// out, x, res at row strides ldo, ldx, ldr; res optional (nullptr); act = ReLU or identity.
void pointwise_bias_act(float* out, int64_t ldo, const float* x, int64_t ldx, const float* packed_w,
                        int64_t rows, int64_t K, int64_t cols, const float* bias, const float* res,
                        int64_t ldr, bool relu);
// Its spec, with w [rows, K] unpacked.
void pointwise_bias_act_reference(float* out, int64_t ldo, const float* x, int64_t ldx,
                                  const float* w, int64_t rows, int64_t K, int64_t cols,
                                  const float* bias, const float* res, int64_t ldr, bool relu);

// Direct convolution for K > 1 (the stem and every depthwise conv), with bias and optional
// ReLU, computing output planes p in [p0, p1) of the N * C_out planes (p = n * C_out + co).
// x [N, C_in, H, W], w [C_out, C_in/G, K, K], bias [C_out] -> out [N, C_out, H_out, W_out]
void conv2d_bias_act_planes(float* out, const float* x, const float* w, const float* bias,
                            bool relu, const Conv2dShape& s, int64_t p0, int64_t p1);
// The spec of the two above: out = act(conv2d(x, w) + bias), any K, stride, padding, groups.
void conv2d_bias_act_reference(float* out, const float* x, const float* w, const float* bias,
                               bool relu, const Conv2dShape& s);

// Average pool (count_include_pad, as core/cpu/pool2d.cpp) with optional ReLU, planes
// p in [p0, p1) of the N * C planes, written into an output whose images are
// out_image_stride floats apart (ShuffleNet V1's shortcut fills the first C channels of
// the unit's output). x [N, C, H, W] -> out [N, >= C, H_out, W_out]
void avgpool2d_act_planes(float* out, int64_t out_image_stride, const float* x,
                          const Pool2dShape& s, bool relu, int64_t p0, int64_t p1);
// Its spec, into a dense out [N, C, H_out, W_out].
void avgpool2d_act_reference(float* out, const float* x, const Pool2dShape& s, bool relu);

}  // namespace sl::cpu
