// core/backend.h - the whole kernel contract on one screen.
// Kernels take raw pointers and a small shape struct, output first, and know
// nothing of Tensor or autograd. core/cpu/ implements every entry; core/cuda/
// mirrors the same names; a backend may leave an entry null, and ops then say
// "not supported on the cuda backend yet".
// Not here: broadcasting rules, autograd, shape checks (those live in ops).
#pragma once
#include <cstdint>
#include <string>

namespace sl {

enum class Device { cpu, cuda };
constexpr int kMaxDims = 8;

// The shape and strides of a strided operand: element (i0..in) of a kernel's pointer p is
// p[sum(ik * strides[k])]. The pointer is already at the first element (see below).
struct Layout {
  int ndim = 0;
  int64_t shape[kMaxDims] = {};
  int64_t strides[kMaxDims] = {};
};

// The forward element-wise ops (backward passes have their own entries).
enum class UnaryOp { neg, relu, exp, log, sqrt, abs, sign };
enum class BinaryOp { add, sub, mul, div, pow, max, eq, ne, lt, le, gt, ge };
enum class ReduceOp { sum, max, argmax };

// x viewed as [outer, n, inner] contiguous -> out [outer, inner].
struct ReduceShape {
  int64_t outer, n, inner;
};

// out [B, M, N] = op(a) [B, M, K] @ op(b) [B, K, N]; a is stored [B, K, M] when trans_a,
// b is stored [B, N, K] when trans_b. b_batch_stride 0 broadcasts one b over the batch.
struct MatmulShape {
  int64_t B, M, K, N;
  bool trans_a = false, trans_b = false;
  bool accumulate = false;      // out += instead of out =
  int64_t b_batch_stride = -1;  // -1: K*N (dense batch)
};

// x [N, C_in, H, W], w [C_out, C_in/G, K, K], out [N, C_out, H_out, W_out].
struct Conv2dShape {
  int64_t N, C_in, H, W, C_out, K, stride, padding, groups, H_out, W_out;
};

// x, out [N, C, HW]; per-channel statistics over N and HW.
struct BatchNormShape {
  int64_t N, C, HW;
};

// x [N, C, H, W] -> out [N, C, H_out, W_out], square window K.
struct Pool2dShape {
  int64_t N, C, H, W, K, stride, padding, H_out, W_out;
};

// x, out [N, C, HW] with C = G * (C/G); out channel j = i_inner*G + i_group
// takes input channel i = i_group*(C/G) + i_inner (docs/models.md).
struct ShuffleShape {
  int64_t N, C, G, HW;
};

// a [N, C_a, HW], b [N, C_b, HW] -> out [N, C, HW], C = C_a + C_b = G * (C/G): the channel
// shuffle of their concatenation (a's channels first), written in one pass. Input channel i
// of the concatenation lands at output channel (i % (C/G)) * G + i / (C/G), as in ShuffleShape.
// a and b may be channel slices of larger tensors (a V2 unit's left half is a view): image n
// of a starts at a + n * a_stride_n, its channels HW apart; -1 means dense (C_a * HW).
// The gradients da, db of the backward are always dense.
struct CatShuffleShape {
  int64_t N, C_a, C_b, G, HW;
  int64_t a_stride_n = -1, b_stride_n = -1;
};

// One SGD-with-momentum update over n contiguous floats (nn/optim.h has the rule).
struct SgdShape {
  int64_t n;
  float lr, momentum, weight_decay;
  bool nesterov;
};

// Every backend provides this table; null entries are unsupported ops, and SL_KERNEL
// (below) turns a call of one into a clear error. One pointer convention for every entry:
// a float* points at the operand's first element (Tensor::data()); contiguous operands are
// read densely from there, strided ones (copy_strided, binary) through their Layout.
struct Backend {
  const char* name;
  // memory
  float* (*alloc)(int64_t n);
  void (*free)(float* p);
  void (*copy_from_host)(float* dst, const float* host_src, int64_t n);
  void (*copy_to_host)(float* host_dst, const float* src, int64_t n);
  // waits until every kernel launched so far has finished (a no-op where launches block)
  void (*synchronize)();
  // copy_strided: out[out_layout] = x[x_layout], same shape, any strides on both sides.
  // binary: out is contiguous, inputs follow their Layout (already broadcast to out).
  void (*fill)(float* out, int64_t n, float value);
  void (*copy_strided)(float* out, const Layout& out_layout, const float* x,
                       const Layout& x_layout);
  void (*unary)(UnaryOp op, float* out, const float* x, int64_t n);
  void (*binary)(BinaryOp op, float* out, const float* a, const Layout& la, const float* b,
                 const Layout& lb);
  // ReLU's backward in one pass: dx [n] = x > 0 ? dout : 0, all contiguous.
  void (*relu_backward)(float* dx, const float* dout, const float* x, int64_t n);
  void (*reduce)(ReduceOp op, float* out, const float* x, const ReduceShape& s);
  void (*matmul)(float* out, const float* a, const float* b, const MatmulShape& s);
  // convolution (fast path picks 1x1-GEMM / direct depthwise; reference twins in cpu only)
  void (*conv2d_forward)(float* out, const float* x, const float* w, const Conv2dShape& s);
  void (*conv2d_backward_input)(float* dx, const float* dout, const float* w, const Conv2dShape& s);
  void (*conv2d_backward_weight)(float* dw, const float* dout, const float* x,
                                 const Conv2dShape& s);
  // batch norm (training statistics and the fused normalize)
  void (*batchnorm_stats)(float* mean, float* var, const float* x, const BatchNormShape& s);
  void (*batchnorm_forward)(float* out, const float* x, const float* mean, const float* invstd,
                            const float* gamma, const float* beta, const BatchNormShape& s);
  void (*batchnorm_backward)(float* dx, float* dgamma, float* dbeta, const float* dout,
                             const float* x, const float* mean, const float* invstd,
                             const float* gamma, const BatchNormShape& s);
  // batch norm then ReLU, fused: the forward is batchnorm_forward with max(0, .) applied
  // before the store; the training-mode backward masks dout where the pre-activation
  // (x - mean) * invstd * gamma + beta was not > 0 (recomputed from x, rounded exactly as the
  // forward rounded it, so the output is not read) and runs batchnorm_backward's reductions
  // and dx in the same kernel. Optional: a null pair makes batch_norm_relu (nn/batchnorm.h)
  // run batch_norm then relu.
  void (*batchnorm_relu_forward)(float* out, const float* x, const float* mean, const float* invstd,
                                 const float* gamma, const float* beta, const BatchNormShape& s);
  void (*batchnorm_relu_backward)(float* dx, float* dgamma, float* dbeta, const float* dout,
                                  const float* x, const float* mean, const float* invstd,
                                  const float* gamma, const float* beta, const BatchNormShape& s);
  // The training statistics' bookkeeping in one pass over the C channels: invstd = 1 /
  // sqrt(var + eps), and the running averages in place, running_mean = running_mean *
  // (1 - momentum) + mean * momentum and running_var = running_var * (1 - momentum) + var *
  // (momentum * unbias) (either may be null), each product and sum rounded on its own (no
  // fused multiply-add), so it equals the element-wise ops it replaces bit for bit.
  // Optional: null makes nn/batchnorm.cpp run those ops (about 15 launches on a GPU).
  void (*batchnorm_running)(float* invstd, float* running_mean, float* running_var,
                            const float* mean, const float* var, int64_t C, float eps,
                            float momentum, float unbias);
  // pooling; max-pool records the flat input index of each max in idx
  void (*maxpool2d_forward)(float* out, int32_t* idx, const float* x, const Pool2dShape& s);
  void (*maxpool2d_backward)(float* dx, const float* dout, const int32_t* idx,
                             const Pool2dShape& s);
  void (*avgpool2d_forward)(float* out, const float* x, const Pool2dShape& s);
  void (*avgpool2d_backward)(float* dx, const float* dout, const Pool2dShape& s);
  // one-pass channel shuffle permutation
  void (*channel_shuffle)(float* out, const float* x, const ShuffleShape& s);
  // concat + channel shuffle in one copy, and its backward: da, db = the un-shuffled halves of
  // dout, one pass. Optional: a null pair makes cat_shuffle run cat then channel_shuffle.
  void (*cat_shuffle)(float* out, const float* a, const float* b, const CatShuffleShape& s);
  void (*cat_shuffle_backward)(float* da, float* db, const float* dout, const CatShuffleShape& s);
  // the optimiser, in place: w, buf [n] updated from g [n]; buf null when momentum is 0
  void (*sgd_update)(float* w, float* buf, const float* g, const SgdShape& s);
  // out[out_layout] += x[x_layout], same shape, any strides on both sides (autograd sums a
  // gradient into a slice of another with it). Optional: null makes autograd add out of place.
  void (*accumulate_strided)(float* out, const Layout& out_layout, const float* x,
                             const Layout& x_layout);
  // dst [n] = src [n], dense, within the device: the plain copy `bench` measures beside the
  // channel shuffle (cudaMemcpy device to device on CUDA). Optional: the CPU leaves it null
  // (bench splits a memcpy over its threads there).
  void (*copy_device)(float* dst, const float* src, int64_t n) = nullptr;
};

// The registry (core/backend.cpp): the only place that knows whether CUDA was compiled in.
const Backend& backend(Device d);
bool cuda_available();  // compiled with CUDA and a driver and a device are present
const char* device_name(Device d);
// Why device d cannot be used here, "" when it can. For cuda, one of: the build has no
// CUDA backend; no NVIDIA driver was found (libcuda missing or too old for the runtime);
// the driver found no device (or CUDA_VISIBLE_DEVICES hides them all); each message says
// what to do next. backend(d) throws sl::Error with this same message.
std::string device_unavailable_reason(Device d);

// The one way ops reach a kernel: SL_KERNEL(device, entry)(args...) looks `entry` up in the
// device's table and, when the backend leaves it null, throws sl::Error
// "<entry> is not supported on the <backend> backend yet" instead of calling a null pointer.
//   SL_KERNEL(x.device(), conv2d_forward)(out.data(), xc.data(), wc.data(), s);
#define SL_KERNEL(device, entry) \
  ::sl::kernel_entry(::sl::backend(device), &::sl::Backend::entry, #entry)
[[noreturn]] void kernel_missing(const char* backend_name, const char* entry);
template <typename Fn>
Fn kernel_entry(const Backend& b, Fn Backend::*entry, const char* entry_name) {
  Fn fn = b.*entry;
  if (fn == nullptr) kernel_missing(b.name, entry_name);
  return fn;
}

// TESTS ONLY: makes backend(d) return `table` until called again with nullptr (which
// restores the built-in table). Lets a test run ops on a partial backend, e.g. the CPU
// table with one entry removed. The library never calls it.
void override_backend_for_testing(Device d, const Backend* table);

}  // namespace sl
