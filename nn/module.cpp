// nn/module.cpp - Module bookkeeping: registration, state_dict in PyTorch's key order,
// strict all-or-nothing load_state_dict, train/eval, device moves. Not here: any layer's
// math (nn/layers.cpp and the op files), file formats (nn/safetensors.cpp).
#include "nn/module.h"

#include <unordered_map>

#include "nn/cost.h"

namespace sl {

const char* dtype_name(DType d) { return d == DType::i64 ? "I64" : "F32"; }

void copy_into(const Tensor& dst, const Tensor& src) {
  SL_CHECK(dst.defined() && src.defined(), "copy_into: undefined tensor");
  SL_CHECK(dst.shape() == src.shape(), "copy_into: dst is ", shape_str(dst.shape()), " but src is ",
           shape_str(src.shape()));
  if (dst.numel() == 0) return;
  NoGradGuard no_grad;
  Tensor s = src.device() == dst.device() ? src : src.to(dst.device());
  SL_KERNEL(dst.device(), copy_strided)(dst.data(), dst.layout(), s.data(), s.layout());
}

// [SECTION] calling

// Neither path allocates outside a cost recording: the lambda (two references) fits inside
// std::function, and the scope only builds its path while a recording is on.
Tensor Module::operator()(const Tensor& x) {
  return call_impl(&x, 1, [&] { return forward(x); });
}

Tensor Module::call(const std::vector<Tensor>& inputs, TensorFn f) {
  return call_impl(inputs.data(), inputs.size(), f);
}

Tensor Module::call_impl(const Tensor* inputs, size_t n, TensorFn f) {
  const bool leaf = children_.empty();
  CostScope scope(name_, leaf, n == 0 ? Device::cpu : inputs[0].device());
  Tensor out = f();
  if (scope.recording() && leaf) {
    std::vector<Shape> shapes;
    shapes.reserve(n);
    for (size_t i = 0; i < n; ++i) shapes.push_back(inputs[i].shape());
    if (std::optional<LayerCost> c = cost(shapes, out.shape())) scope.record(std::move(*c));
  }
  return out;
}

std::optional<LayerCost> Module::cost(const std::vector<Shape>&, const Shape&) const {
  return std::nullopt;
}

Tensor Module::forward(const Tensor&) {
  throw Error(str_cat(type(), " '", name_, "': forward(x) is not defined for this module"));
}

Tensor Module::call_fused(const Tensor& x, Module& next) { return next((*this)(x)); }

// A child that fuses with the next one (BatchNorm2d then ReLU) runs both in one call.
Tensor Sequential::forward(const Tensor& x) {
  Tensor h = x;
  // children_ directly: no named_children() copy (no heap allocation per step)
  for (size_t i = 0; i < children_.size(); ++i) {
    Module& child = *children_[i].second;
    if (i + 1 < children_.size() && child.fuses_with(*children_[i + 1].second))
      h = child.call_fused(h, *children_[++i].second);
    else
      h = child(h);
  }
  return h;
}

void Module::train(bool on) {
  apply([on](Module& m) { m.training_ = on; });
}

// [SECTION] registration

void Module::register_parameter(const std::string& name, Tensor* t) {
  SL_CHECK(t && t->defined(), type(), ": parameter '", name, "' is undefined");
  t->requires_grad_(true);
  params_.push_back({name, t, DType::f32});
}

void Module::register_buffer(const std::string& name, Tensor* t, DType dtype) {
  SL_CHECK(t && t->defined(), type(), ": buffer '", name, "' is undefined");
  buffers_.push_back({name, t, dtype});
}

void Module::add_child(const std::string& name, std::unique_ptr<Module> m) {
  SL_CHECK(m != nullptr, type(), ": child '", name, "' is null");
  m->name_ = name;
  children_.emplace_back(name, std::move(m));
}

std::vector<std::pair<std::string, Module*>> Module::named_children() const {
  std::vector<std::pair<std::string, Module*>> out;
  for (auto& [name, child] : children_) out.emplace_back(name, child.get());
  return out;
}

void Module::apply(const std::function<void(Module&)>& f) {
  f(*this);
  for (auto& [name, child] : children_) child->apply(f);
}

// [SECTION] state

// PyTorch's order: own parameters, own buffers, then each child with "child." prefixed.
void Module::collect(const std::string& prefix, StateDict& out, bool params_only) const {
  for (const Slot& s : params_) out.push_back({prefix + s.name, *s.t, s.dtype});
  if (!params_only)
    for (const Slot& s : buffers_) out.push_back({prefix + s.name, *s.t, s.dtype});
  for (auto& [name, child] : children_) child->collect(prefix + name + ".", out, params_only);
}

StateDict Module::state_dict() const {
  StateDict sd;
  collect("", sd, false);
  return sd;
}

std::vector<std::pair<std::string, Tensor>> Module::named_parameters() const {
  StateDict sd;
  collect("", sd, true);
  std::vector<std::pair<std::string, Tensor>> out;
  for (auto& e : sd) out.emplace_back(e.name, e.tensor);
  return out;
}

std::vector<Tensor> Module::parameters() const {
  std::vector<Tensor> out;
  for (auto& [name, t] : named_parameters()) out.push_back(t);
  return out;
}

int64_t Module::num_params() const {
  int64_t n = 0;
  for (auto& [name, t] : named_parameters()) n += t.numel();
  return n;
}

void Module::load_state_dict(const StateDict& sd) {
  const StateDict mine = state_dict();
  std::unordered_map<std::string, const StateEntry*> given;
  for (const StateEntry& e : sd) {
    SL_CHECK(given.emplace(e.name, &e).second, "load_state_dict: key '", e.name, "' appears twice");
  }
  // Validate everything first: a refused load leaves the model untouched.
  for (const StateEntry& m : mine) {
    auto it = given.find(m.name);
    SL_CHECK(it != given.end(), "load_state_dict: missing key '", m.name, "' (expected ",
             dtype_name(m.dtype), " ", shape_str(m.tensor.shape()), ")");
    const StateEntry& g = *it->second;
    SL_CHECK(g.tensor.defined() && g.tensor.shape() == m.tensor.shape(), "load_state_dict: key '",
             m.name, "' has shape ",
             g.tensor.defined() ? shape_str(g.tensor.shape()) : "(undefined)",
             " but the model expects ", shape_str(m.tensor.shape()));
    SL_CHECK(g.dtype == m.dtype, "load_state_dict: key '", m.name, "' is ", dtype_name(g.dtype),
             " but the model expects ", dtype_name(m.dtype));
  }
  if (sd.size() != mine.size()) {
    std::unordered_map<std::string, bool> known;
    for (const StateEntry& m : mine) known[m.name] = true;
    for (const StateEntry& e : sd)
      SL_CHECK(known.count(e.name), "load_state_dict: unexpected key '", e.name,
               "' (not in this model; is the file for another model or width?)");
  }
  for (const StateEntry& m : mine) copy_into(m.tensor, given.at(m.name)->tensor);
}

// [SECTION] devices

Device Module::device() const {
  const auto p = named_parameters();
  return p.empty() ? Device::cpu : p.front().second.device();
}

void Module::to(Device d) {
  apply([d](Module& m) {
    for (Slot& s : m.params_) {
      if (s.t->device() == d) continue;
      *s.t = s.t->detach().to(d);
      s.t->requires_grad_(true);
    }
    for (Slot& s : m.buffers_)
      if (s.t->device() != d) *s.t = s.t->to(d);
  });
}

}  // namespace sl
