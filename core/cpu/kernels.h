// core/cpu/kernels.h - the CPU backend: one function per entry of core/backend.h,
// plus the plain reference twins (nested loops over N, C, H, W) that tests hold the
// fast kernels to. Same names as core/cuda/kernels.h. Not an API for users: go
// through sl::backend(Device::cpu) or the Tensor ops.
#pragma once
#include "core/backend.h"

namespace sl::cpu {

const Backend& table();

float* alloc(int64_t n);
void free(float* p);
void copy_from_host(float* dst, const float* host_src, int64_t n);
void copy_to_host(float* host_dst, const float* src, int64_t n);
void synchronize();

void fill(float* out, int64_t n, float value);
void copy_strided(float* out, const Layout& out_layout, const float* x, const Layout& x_layout);
void unary(UnaryOp op, float* out, const float* x, int64_t n);
void binary(BinaryOp op, float* out, const float* a, const Layout& la, const float* b,
            const Layout& lb);
void relu_backward(float* dx, const float* dout, const float* x, int64_t n);
void accumulate_strided(float* out, const Layout& out_layout, const float* x,
                        const Layout& x_layout);
void accumulate_strided_reference(float* out, const Layout& out_layout, const float* x,
                                  const Layout& x_layout);
void copy_strided_reference(float* out, const Layout& out_layout, const float* x,
                            const Layout& x_layout);
void binary_reference(BinaryOp op, float* out, const float* a, const Layout& la, const float* b,
                      const Layout& lb);
void reduce(ReduceOp op, float* out, const float* x, const ReduceShape& s);

void matmul(float* out, const float* a, const float* b, const MatmulShape& s);
void matmul_reference(float* out, const float* a, const float* b, const MatmulShape& s);

void conv2d_forward(float* out, const float* x, const float* w, const Conv2dShape& s);
void conv2d_backward_input(float* dx, const float* dout, const float* w, const Conv2dShape& s);
void conv2d_backward_weight(float* dw, const float* dout, const float* x, const Conv2dShape& s);
void conv2d_forward_reference(float* out, const float* x, const float* w, const Conv2dShape& s);
void conv2d_backward_input_reference(float* dx, const float* dout, const float* w,
                                     const Conv2dShape& s);
void conv2d_backward_weight_reference(float* dw, const float* dout, const float* x,
                                      const Conv2dShape& s);

void batchnorm_stats(float* mean, float* var, const float* x, const BatchNormShape& s);
void batchnorm_forward(float* out, const float* x, const float* mean, const float* invstd,
                       const float* gamma, const float* beta, const BatchNormShape& s);
void batchnorm_backward(float* dx, float* dgamma, float* dbeta, const float* dout, const float* x,
                        const float* mean, const float* invstd, const float* gamma,
                        const BatchNormShape& s);
// [C] vectors: invstd, and the running averages in place (Backend::batchnorm_running).
void batchnorm_running(float* invstd, float* running_mean, float* running_var, const float* mean,
                       const float* var, int64_t C, float eps, float momentum, float unbias);
void batchnorm_stats_reference(float* mean, float* var, const float* x, const BatchNormShape& s);
void batchnorm_forward_reference(float* out, const float* x, const float* mean, const float* invstd,
                                 const float* gamma, const float* beta, const BatchNormShape& s);
void batchnorm_backward_reference(float* dx, float* dgamma, float* dbeta, const float* dout,
                                  const float* x, const float* mean, const float* invstd,
                                  const float* gamma, const BatchNormShape& s);

void batchnorm_relu_forward(float* out, const float* x, const float* mean, const float* invstd,
                            const float* gamma, const float* beta, const BatchNormShape& s);
void batchnorm_relu_backward(float* dx, float* dgamma, float* dbeta, const float* dout,
                             const float* x, const float* mean, const float* invstd,
                             const float* gamma, const float* beta, const BatchNormShape& s);
void batchnorm_relu_forward_reference(float* out, const float* x, const float* mean,
                                      const float* invstd, const float* gamma, const float* beta,
                                      const BatchNormShape& s);
void batchnorm_relu_backward_reference(float* dx, float* dgamma, float* dbeta, const float* dout,
                                       const float* x, const float* mean, const float* invstd,
                                       const float* gamma, const float* beta,
                                       const BatchNormShape& s);

void maxpool2d_forward(float* out, int32_t* idx, const float* x, const Pool2dShape& s);
void maxpool2d_backward(float* dx, const float* dout, const int32_t* idx, const Pool2dShape& s);
void avgpool2d_forward(float* out, const float* x, const Pool2dShape& s);
void avgpool2d_backward(float* dx, const float* dout, const Pool2dShape& s);
void maxpool2d_forward_reference(float* out, int32_t* idx, const float* x, const Pool2dShape& s);
void maxpool2d_backward_reference(float* dx, const float* dout, const int32_t* idx,
                                  const Pool2dShape& s);
void avgpool2d_forward_reference(float* out, const float* x, const Pool2dShape& s);
void avgpool2d_backward_reference(float* dx, const float* dout, const Pool2dShape& s);

void channel_shuffle(float* out, const float* x, const ShuffleShape& s);
void channel_shuffle_reference(float* out, const float* x, const ShuffleShape& s);
void cat_shuffle(float* out, const float* a, const float* b, const CatShuffleShape& s);
void cat_shuffle_backward(float* da, float* db, const float* dout, const CatShuffleShape& s);
void cat_shuffle_reference(float* out, const float* a, const float* b, const CatShuffleShape& s);
void cat_shuffle_backward_reference(float* da, float* db, const float* dout,
                                    const CatShuffleShape& s);

void sgd_update(float* w, float* buf, const float* g, const SgdShape& s);

}  // namespace sl::cpu
