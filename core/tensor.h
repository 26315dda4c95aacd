// core/tensor.h - the Tensor: float32 data with shape, strides and offset over a
// storage that views share, a device tag, and the autograd hooks. Read this header
// as the manual for the core; the ops it declares live in core/ops_*.cpp, each op's
// backward written a few lines below its forward. Not here: layers (nn/), kernels
// (core/cpu/, core/cuda/ behind core/backend.h).
//
// Shape alphabet used in every comment of the project:
//   N batch, C channels, H height, W width, K kernel size, G groups,
//   C_in / C_out channels in and out, H_out / W_out output spatial size.
#pragma once
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "core/backend.h"
#include "core/error.h"

namespace sl {

using Shape = std::vector<int64_t>;
std::string shape_str(const Shape& s);  // "(2,4,2,2)"

// Storage: one flat buffer on one device, shared by every view of it.
struct Storage {
  float* data = nullptr;
  int64_t numel = 0;
  Device device = Device::cpu;
  Storage(int64_t n, Device d);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
};

// Bytes moved by contiguous()/reshape copies; tests and the app read it to show
// when data really moves. Counts only layout copies, not op outputs. Per thread: each
// thread sees the copies it made, so the app's Shuffle trace is not disturbed by the
// Blocks panel profiling on its worker thread.
struct CopyStats {
  int64_t copies = 0;
  int64_t bytes = 0;
};
CopyStats copy_stats();
void reset_copy_stats();

// Seeded generator (splitmix64 + Box-Muller): same numbers on every platform.
class Generator {
 public:
  explicit Generator(uint64_t seed = 0) : state_(seed) {}
  uint64_t next_u64();
  float uniform();  // [0, 1)
  float normal();   // N(0, 1)
  uint64_t state() const { return state_; }
  void set_state(uint64_t s) {
    state_ = s;
    has_spare_ = false;
  }

 private:
  uint64_t state_;
  bool has_spare_ = false;
  float spare_ = 0.f;
};

class Tensor;
struct Node;

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  Shape shape, strides;
  int64_t offset = 0;
  bool requires_grad = false;
  std::shared_ptr<TensorImpl> grad;  // leaf tensors only
  std::shared_ptr<Node> node;        // how this tensor was made (null for leaves)
};

class Tensor {
 public:
  Tensor() = default;  // undefined tensor
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  // [SECTION] creation
  static Tensor empty(const Shape& shape, Device d = Device::cpu);
  static Tensor zeros(const Shape& shape, Device d = Device::cpu);
  static Tensor ones(const Shape& shape, Device d = Device::cpu);
  static Tensor full(const Shape& shape, float value, Device d = Device::cpu);
  static Tensor arange(int64_t n, Device d = Device::cpu);  // 0, 1, ..., n-1
  static Tensor from_data(const std::vector<float>& data, const Shape& shape,
                          Device d = Device::cpu);
  static Tensor randn(const Shape& shape, Generator& gen, float mean = 0.f, float std = 1.f,
                      Device d = Device::cpu);
  static Tensor uniform(const Shape& shape, Generator& gen, float lo = 0.f, float hi = 1.f,
                        Device d = Device::cpu);

  // [SECTION] metadata
  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const;
  const Shape& strides() const;
  int64_t offset() const;
  int64_t dim() const { return (int64_t)shape().size(); }
  int64_t size(int64_t d) const;  // negative d counts from the end
  int64_t numel() const;
  Device device() const;
  bool is_contiguous() const;
  bool shares_storage(const Tensor& other) const;
  std::string str() const;  // "Tensor(2,3) cpu"
  Layout layout() const;    // for kernels

  // [SECTION] data access (host copies; data() is the raw pointer at offset)
  float* data() const;
  std::vector<float> to_vector() const;  // logical order, any layout, any device
  float item() const;                    // one-element tensors
  float at(std::initializer_list<int64_t> idx) const;
  Tensor to(Device d) const;
  Tensor clone() const;  // contiguous copy, differentiable

  // [SECTION] views: no data moves; the result shares storage
  Tensor view(const Shape& shape) const;     // -1 infers one size; needs a compatible layout
  Tensor reshape(const Shape& shape) const;  // a view when possible, else contiguous().view
  Tensor transpose(int64_t d0, int64_t d1) const;
  Tensor permute(const std::vector<int64_t>& dims) const;
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  Tensor slice(int64_t dim, int64_t start, int64_t end) const;  // [start, end)
  std::vector<Tensor> chunk(int64_t chunks, int64_t dim) const;
  std::vector<Tensor> split(int64_t split_size, int64_t dim) const;
  Tensor squeeze(int64_t dim) const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor expand(const Shape& shape) const;  // stride 0 on broadcast dims
  Tensor contiguous() const;                // copies only when the layout requires it

  // [SECTION] autograd
  bool requires_grad() const;
  Tensor& requires_grad_(bool on = true);
  Tensor grad() const;  // undefined until backward reaches this leaf
  void set_grad(const Tensor& g);
  void zero_grad();
  void backward() const;  // scalar only
  void backward(const Tensor& dout) const;
  Tensor detach() const;  // same storage, no history
  bool is_leaf() const;

  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }

 private:
  std::shared_ptr<TensorImpl> impl_;
};

// [SECTION] autograd graph
// Each op that needs a gradient attaches a Node to its output: the inputs, and a
// backward lambda that maps dout to one gradient per input (undefined = none).
struct Node {
  const char* op;
  std::vector<Tensor> inputs;
  std::function<std::vector<Tensor>(const Tensor& dout)> backward;
  // narrow() only: its output is input 0's slice [start, start + length) along narrow_dim.
  // backward() then adds dout into that slice of the input's gradient in place instead of
  // calling `backward` (which builds the zero-padded full-size gradient: the reference).
  int64_t narrow_dim = -1, narrow_start = 0;
};

bool grad_enabled();
struct NoGradGuard {
  bool prev;
  NoGradGuard();
  ~NoGradGuard();
};

// Attach history to `out` when grad mode is on and any input requires grad.
void record(Tensor& out, const char* op, std::vector<Tensor> inputs,
            std::function<std::vector<Tensor>(const Tensor&)> backward);

// [SECTION] element-wise ops with broadcasting (core/ops_elementwise.cpp)
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& a, float p);
Tensor neg(const Tensor& x);
Tensor relu(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor abs(const Tensor& x);
// comparisons give 0/1 and carry no gradient
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);
Tensor scalar(float v, Device d = Device::cpu);  // a 0-dim tensor
Shape broadcast_shape(const Shape& a, const Shape& b, const char* op);
Tensor sum_to(const Tensor& x, const Shape& shape);  // reverse of broadcasting

Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& x);
Tensor operator+(const Tensor& a, float b);
Tensor operator-(const Tensor& a, float b);
Tensor operator*(const Tensor& a, float b);
Tensor operator/(const Tensor& a, float b);
Tensor operator*(float a, const Tensor& b);

// [SECTION] reductions (core/ops_reduce.cpp); empty dims = all dims
Tensor sum(const Tensor& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);
Tensor mean(const Tensor& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);
Tensor max(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor argmax(const Tensor& x, int64_t dim, bool keepdim = false);  // indices as floats

// [SECTION] matmul and cat (core/ops_matmul.cpp, core/ops_cat.cpp)
// [M,K]@[K,N], [B,M,K]@[B,K,N], [B,M,K]@[K,N] (batch broadcast of b).
Tensor matmul(const Tensor& a, const Tensor& b);
Tensor cat(const std::vector<Tensor>& xs, int64_t dim);

// [SECTION] channel shuffle, the seed example (core/channel_shuffle.cpp)
// x [N, C, H, W] -> [N, C, H, W]: output channel j = i_inner*G + i_group takes input
// channel i = i_group*(C/G) + i_inner. Defined as channel_shuffle_reference:
// view [N, G, C/G, H, W] -> transpose(1, 2) -> contiguous -> view [N, C, H, W].
// channel_shuffle computes the same values and gradients in one pass of the backend kernel.
Tensor channel_shuffle(const Tensor& x, int64_t groups);
Tensor channel_shuffle_reference(const Tensor& x, int64_t groups);
// a [N, C_a, H, W], b [N, C_b, H, W] -> [N, C_a + C_b, H, W] = channel_shuffle(cat({a, b}, 1),
// groups) (its reference twin, cat_shuffle_reference), in one copy: ShuffleNet V2's unit
// output. The backward hands a and b their un-shuffled gradients in one pass.
Tensor cat_shuffle(const Tensor& a, const Tensor& b, int64_t groups);
Tensor cat_shuffle_reference(const Tensor& a, const Tensor& b, int64_t groups);

}  // namespace sl
