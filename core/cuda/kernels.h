// core/cuda/kernels.h - the CUDA backend: one function per entry of core/backend.h,
// with the same names and signatures as core/cpu/kernels.h (minus the reference twins,
// which live on the CPU only). Plain C++, so that core/backend.cpp can include it
// without nvcc. Pointers are device pointers, except the host side of the copies.
// Not an API for users: go through sl::backend(Device::cuda) or the Tensor ops.
#pragma once
#include <string>

#include "core/backend.h"

namespace sl::cuda {

const Backend& table();
// "" when a driver and a usable device are present; otherwise why not (no driver, no
// device, a GPU older than the compiled architectures). Never throws; asks once per call.
std::string unavailable_reason();

float* alloc(int64_t n);
void free(float* p);
void copy_from_host(float* dst, const float* host_src, int64_t n);
void copy_to_host(float* host_dst, const float* src, int64_t n);
void synchronize();
// dst [n] = src [n], both on the device: cudaMemcpyAsync device to device (the yardstick
// `bench --device cuda` sets the channel shuffle beside).
void copy_device(float* dst, const float* src, int64_t n);

void fill(float* out, int64_t n, float value);
void copy_strided(float* out, const Layout& out_layout, const float* x, const Layout& x_layout);
void unary(UnaryOp op, float* out, const float* x, int64_t n);
void binary(BinaryOp op, float* out, const float* a, const Layout& la, const float* b,
            const Layout& lb);
void relu_backward(float* dx, const float* dout, const float* x, int64_t n);
void reduce(ReduceOp op, float* out, const float* x, const ReduceShape& s);

void matmul(float* out, const float* a, const float* b, const MatmulShape& s);

void conv2d_forward(float* out, const float* x, const float* w, const Conv2dShape& s);
void conv2d_backward_input(float* dx, const float* dout, const float* w, const Conv2dShape& s);
void conv2d_backward_weight(float* dw, const float* dout, const float* x, const Conv2dShape& s);

// The fast kernels, beside the readable ones above; the default, and SL_CUDA_FAST=0 turns
// them off (its families: fast_kernels in core/cuda/cuda_check.h). Each returns false, launching
// nothing, when its family is off or it does not cover the shape; the readable entry then runs its
// own kernel. core/cuda/conv2d_fast.cu: 1x1 (a batched SGEMM) and depthwise 3x3, forward and
// backward
bool conv2d_forward_fast(float* out, const float* x, const float* w, const Conv2dShape& s);
bool conv2d_backward_input_fast(float* dx, const float* dout, const float* w, const Conv2dShape& s);
bool conv2d_backward_weight_fast(float* dw, const float* dout, const float* x,
                                 const Conv2dShape& s);
// core/cuda/batchnorm_fast.cu: 2-D partial reductions and a finishing kernel
bool batchnorm_stats_fast(float* mean, float* var, const float* x, const BatchNormShape& s);
bool batchnorm_backward_fast(float* dx, float* dgamma, float* dbeta, const float* dout,
                             const float* x, const float* mean, const float* invstd,
                             const float* gamma, const float* beta, bool relu,
                             const BatchNormShape& s);
// core/cuda/elementwise_fast.cu: dimension coalescing, dense fast path, 32-bit indexing
bool copy_strided_fast(float* out, const Layout& out_layout, const float* x,
                       const Layout& x_layout);
bool binary_fast(BinaryOp op, float* out, const float* a, const Layout& la, const float* b,
                 const Layout& lb);
// core/cuda/channel_shuffle_fast.cu: 32-bit indices, 16-byte loads and stores
bool channel_shuffle_fast(float* out, const float* x, const ShuffleShape& s);
bool cat_shuffle_fast(float* out, const float* a, const float* b, const CatShuffleShape& s);
bool cat_shuffle_backward_fast(float* da, float* db, const float* dout, const CatShuffleShape& s);

void batchnorm_stats(float* mean, float* var, const float* x, const BatchNormShape& s);
void batchnorm_running(float* invstd, float* running_mean, float* running_var, const float* mean,
                       const float* var, int64_t C, float eps, float momentum, float unbias);
void batchnorm_forward(float* out, const float* x, const float* mean, const float* invstd,
                       const float* gamma, const float* beta, const BatchNormShape& s);
void batchnorm_backward(float* dx, float* dgamma, float* dbeta, const float* dout, const float* x,
                        const float* mean, const float* invstd, const float* gamma,
                        const BatchNormShape& s);

void batchnorm_relu_forward(float* out, const float* x, const float* mean, const float* invstd,
                            const float* gamma, const float* beta, const BatchNormShape& s);
void batchnorm_relu_backward(float* dx, float* dgamma, float* dbeta, const float* dout,
                             const float* x, const float* mean, const float* invstd,
                             const float* gamma, const float* beta, const BatchNormShape& s);

void maxpool2d_forward(float* out, int32_t* idx, const float* x, const Pool2dShape& s);
void maxpool2d_backward(float* dx, const float* dout, const int32_t* idx, const Pool2dShape& s);
void avgpool2d_forward(float* out, const float* x, const Pool2dShape& s);
void avgpool2d_backward(float* dx, const float* dout, const Pool2dShape& s);

void channel_shuffle(float* out, const float* x, const ShuffleShape& s);
void cat_shuffle(float* out, const float* a, const float* b, const CatShuffleShape& s);
void cat_shuffle_backward(float* da, float* db, const float* dout, const CatShuffleShape& s);

void sgd_update(float* w, float* buf, const float* g, const SgdShape& s);

}  // namespace sl::cuda
