// nn/module.h - Module: a tree of layers with named parameters (trainable) and buffers
// (BatchNorm running statistics), train()/eval(), and an ordered state_dict whose keys and
// order follow PyTorch's (own parameters, own buffers, then children, recursively), which is
// what docs/models.md lists. A module call is also where the cost model looks: a leaf
// layer's call records its cost() (nn/cost.h). Not here: the layers themselves
// (nn/layers.h), file formats (nn/safetensors.h).
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/tensor.h"
#include "nn/cost.h"

namespace sl {

// Element type a tensor has in weight files. In memory every tensor is float32; an I64
// entry (BatchNorm's num_batches_tracked) holds integers exactly up to 2^24.
enum class DType { f32, i64 };
const char* dtype_name(DType d);  // "F32", "I64": safetensors spelling

struct StateEntry {
  std::string name;
  Tensor tensor;
  DType dtype = DType::f32;
};
using StateDict = std::vector<StateEntry>;  // ordered

// Copy src's values into dst's storage (dst keeps its identity: every handle sees the new
// values). Shapes must match; src may live on another device or be non-contiguous.
void copy_into(const Tensor& dst, const Tensor& src);

// A non-owning reference to a callable returning a Tensor: what Module::call runs. Unlike
// std::function it never allocates (a lambda capturing more than two references would), which
// keeps a training step free of heap allocations (tests/core/test_allocator.cpp). It must not
// outlive the callable: call() runs it at once.
class TensorFn {
 public:
  // Any callable but a TensorFn itself (copies stay copies).
  template <class F, class = std::enable_if_t<!std::is_same_v<std::remove_cvref_t<F>, TensorFn>>>
  TensorFn(F&& f)  // NOLINT(google-explicit-constructor,bugprone-forwarding-reference-overload)
      : obj_(const_cast<void*>(static_cast<const void*>(&f))),
        run_([](void* o) -> Tensor { return (*static_cast<std::remove_reference_t<F>*>(o))(); }) {}
  Tensor operator()() const { return run_(obj_); }

 private:
  void* obj_;
  Tensor (*run_)(void*);
};

class Module {
 public:
  Module() = default;
  virtual ~Module() = default;
  Module(const Module&) = delete;             // members point into the module:
  Module& operator=(const Module&) = delete;  // it stays where it was made

  // x -> forward(x), through call(): the cost model sees every module call.
  Tensor operator()(const Tensor& x);
  virtual Tensor forward(const Tensor& x);
  virtual std::string type() const { return "Module"; }
  // What one call of this layer costs, from its input and output shapes (the formulas are
  // nn/cost's *_cost functions). Containers and units return nothing: their children and
  // layers record themselves.
  virtual std::optional<LayerCost> cost(const std::vector<Shape>& inputs, const Shape& out) const;
  // Fusion (nn/layers.h): a layer that can run the next child of a Sequential inside its own
  // kernel (BatchNorm2d then ReLU) says so here, and call_fused(x, next) then replaces the
  // two calls, still recording a cost row for each. Default: no fusion.
  virtual bool fuses_with(const Module& /*next*/) const { return false; }
  virtual Tensor call_fused(const Tensor& x, Module& next);

  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }

  std::vector<Tensor> parameters() const;
  std::vector<std::pair<std::string, Tensor>> named_parameters() const;
  int64_t num_params() const;  // elements of every parameter (buffers excluded)
  StateDict state_dict() const;
  // Strict: every key present with its shape and dtype, no extra keys; otherwise throws
  // naming the first offending key and copies nothing.
  void load_state_dict(const StateDict& sd);

  const std::string& name() const { return name_; }
  std::vector<std::pair<std::string, Module*>> named_children() const;
  void apply(const std::function<void(Module&)>& f);  // this module, then children, depth-first
  Device device() const;  // of the first parameter (cpu when there is none)
  void to(Device d);      // moves parameters and buffers (replaces their tensors)

 protected:
  // Runs f() as one call of this module: inside a cost-recorder frame named after it, and,
  // while a CostRecording is active, records cost(shapes of inputs, shape of the result).
  // operator() goes through here; layers with several inputs (Add, Concat) call it directly.
  Tensor call(const std::vector<Tensor>& inputs, TensorFn f);
  void register_parameter(const std::string& name, Tensor* t);
  void register_buffer(const std::string& name, Tensor* t, DType dtype = DType::f32);
  template <class M>
  M* register_module(const std::string& name, std::unique_ptr<M> m) {
    M* raw = m.get();
    add_child(name, std::move(m));
    return raw;
  }

 private:
  struct Slot {
    std::string name;
    Tensor* t;
    DType dtype;
  };
  // call() over an array: operator() passes its one input without building a vector.
  Tensor call_impl(const Tensor* inputs, size_t n, TensorFn f);
  friend class Sequential;  // its forward walks children_ directly
  void add_child(const std::string& name, std::unique_ptr<Module> m);
  void collect(const std::string& prefix, StateDict& out, bool params_only) const;

  std::string name_;
  std::vector<Slot> params_, buffers_;
  std::vector<std::pair<std::string, std::unique_ptr<Module>>> children_;
  bool training_ = true;
};

// Children named "0", "1", ... run in order (torchvision's nn.Sequential names).
class Sequential : public Module {
 public:
  Sequential() = default;
  template <class M>
  M* add(std::unique_ptr<M> m) {
    return register_module(std::to_string(size_++), std::move(m));
  }
  int size() const { return size_; }
  Tensor forward(const Tensor& x) override;
  std::string type() const override { return "Sequential"; }

 private:
  int size_ = 0;
};

}  // namespace sl
