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
#include <type_traits>
#include <vector>

#include "core/backend.h"
#include "core/error.h"
#include "core/small_vector.h"

namespace sl {

// Sizes (or strides) per dim. Up to 6 dims live inside the Shape itself (no heap); it reads
// and converts like a std::vector<int64_t>.
using Shape = SmallVector<int64_t, 6>;
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
  // What the graph holds of this op output where another op used it as an input: a stand-in
  // with the same shape, strides and node but no storage (made once, by record() in
  // core/autograd.cpp), so that the graph alone keeps no activation alive; a backward that
  // needs an input's values saves them itself.
  std::shared_ptr<TensorImpl> edge;
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
  // KeepGraph::no frees each node's saved tensors and inputs as soon as its backward has run
  // (what a training step wants: activations go back to the allocator while the gradients
  // are being made); a second backward through the same graph is then an error.
  enum class KeepGraph : bool { no, yes };
  void backward(KeepGraph keep = KeepGraph::yes) const;  // scalar only
  void backward(const Tensor& dout, KeepGraph keep = KeepGraph::yes) const;
  Tensor detach() const;  // same storage, no history
  bool is_leaf() const;

  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }

 private:
  std::shared_ptr<TensorImpl> impl_;
};

}  // namespace sl

// std::vector<Tensor> (a backward's gradients, split's pieces, cat's inputs) takes its buffer
// from the small-object pool (core/alloc_pool.h) instead of operator new: the standard allows
// specializing std::allocator for a program's own type, and this one behaves as std::allocator
// does in every other way. With it, a training step makes no heap allocation after warm-up.
namespace std {
template <>
class allocator<sl::Tensor> {
 public:
  using value_type = sl::Tensor;
  using size_type = std::size_t;
  using difference_type = std::ptrdiff_t;
  using propagate_on_container_move_assignment = std::true_type;
  using is_always_equal = std::true_type;
  constexpr allocator() noexcept = default;
  template <class U>
  constexpr allocator(const allocator<U>&) noexcept {}  // NOLINT: rebinding is implicit
  sl::Tensor* allocate(std::size_t n) {
    if (n > max_size()) throw std::bad_array_new_length();
    return static_cast<sl::Tensor*>(sl::pool_alloc(n * sizeof(sl::Tensor)));
  }
  void deallocate(sl::Tensor* p, std::size_t n) noexcept {
    sl::pool_free(p, n * sizeof(sl::Tensor));
  }
  std::size_t max_size() const noexcept { return std::size_t(-1) / 2 / sizeof(sl::Tensor); }
  friend bool operator==(const allocator&, const allocator&) noexcept { return true; }
};
}  // namespace std

namespace sl {

// [SECTION] autograd graph
// Each op that needs a gradient attaches a Node to its output: the inputs, and a
// backward lambda that maps dout to one gradient per input (undefined = none).

// The inputs of a Node: up to 3 inline, more from the small-object pool (core/alloc_pool.h).
using TensorList = SmallVector<Tensor, 3>;

// A Node's backward: any callable `std::vector<Tensor>(const Tensor& dout)`, held like a
// std::function, but a closure of up to kInline bytes (every op's in this project) is stored
// inside the BackwardFn instead of on the heap; a bigger one goes to the small-object pool.
class BackwardFn {
 public:
  static constexpr std::size_t kInline = 160;
  BackwardFn() noexcept = default;
  template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, BackwardFn>>>
  BackwardFn(F&& f) {  // NOLINT: implicit, like std::function
    using Fn = std::decay_t<F>;
    static_assert(alignof(Fn) <= 16, "BackwardFn: over-aligned closure");
    void* where = sizeof(Fn) <= kInline ? static_cast<void*>(buf_) : pool_alloc(sizeof(Fn));
    obj_ = new (where) Fn(std::forward<F>(f));
    ops_ = &kOps<Fn>;
  }
  BackwardFn(BackwardFn&& o) noexcept { take(o); }
  BackwardFn& operator=(BackwardFn&& o) noexcept {
    if (this != &o) {
      reset();
      take(o);
    }
    return *this;
  }
  BackwardFn(const BackwardFn&) = delete;
  BackwardFn& operator=(const BackwardFn&) = delete;
  ~BackwardFn() { reset(); }

  std::vector<Tensor> operator()(const Tensor& dout) const;  // core/autograd.cpp
  explicit operator bool() const noexcept { return obj_ != nullptr; }
  void reset() noexcept {  // destroys the closure and the tensors it captured
    if (!obj_) return;
    ops_->destroy(obj_, obj_ != static_cast<const void*>(buf_));
    obj_ = nullptr;
    ops_ = nullptr;
  }

 private:
  struct Ops {
    std::vector<Tensor> (*call)(void* f, const Tensor& dout);
    void (*destroy)(void* f, bool pooled) noexcept;
    void (*move)(void* from, void* to) noexcept;  // inline only
  };
  template <class Fn>
  static constexpr Ops kOps = {[](void* f, const Tensor& dout) -> std::vector<Tensor> {
                                 return (*static_cast<Fn*>(f))(dout);
                               },
                               [](void* f, bool pooled) noexcept {
                                 static_cast<Fn*>(f)->~Fn();
                                 if (pooled) pool_free(f, sizeof(Fn));
                               },
                               [](void* from, void* to) noexcept {
                                 new (to) Fn(std::move(*static_cast<Fn*>(from)));
                                 static_cast<Fn*>(from)->~Fn();
                               }};
  void take(BackwardFn& o) noexcept {
    if (!o.obj_) return;
    ops_ = o.ops_;
    if (o.obj_ == static_cast<void*>(o.buf_)) {
      ops_->move(o.obj_, buf_);
      obj_ = buf_;
    } else {
      obj_ = o.obj_;
    }
    o.obj_ = nullptr;
    o.ops_ = nullptr;
  }

  void* obj_ = nullptr;
  const Ops* ops_ = nullptr;
  alignas(16) unsigned char buf_[kInline];
};

struct Node {
  const char* op;
  // The op's inputs, in order: leaves as they are; op outputs as their stand-ins (TensorImpl::
  // edge: shape, strides and node, no data: data() and device() refuse them).
  TensorList inputs;
  BackwardFn backward;
  // narrow() only: its output is input 0's slice [start, start + length) along narrow_dim.
  // backward() then adds dout into that slice of the input's gradient in place instead of
  // calling `backward` (which builds the zero-padded full-size gradient: the reference).
  int64_t narrow_dim = -1, narrow_start = 0;
  // Set once backward(KeepGraph::no) has run this node: inputs and backward are gone.
  bool freed = false;
};

bool grad_enabled();
struct NoGradGuard {
  bool prev;
  NoGradGuard();
  ~NoGradGuard();
};

// Attach history to `out` when grad mode is on and any input requires grad.
// Node, inputs and closure come from the small-object pool: no heap allocation.
void record(Tensor& out, const char* op, TensorList inputs, BackwardFn backward);

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
// dims is a Shape (a short list of int64) so that sum(x, {2, 3}) allocates nothing.
Tensor sum(const Tensor& x, const Shape& dims = {}, bool keepdim = false);
Tensor mean(const Tensor& x, const Shape& dims = {}, bool keepdim = false);
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
