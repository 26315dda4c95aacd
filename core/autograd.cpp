// core/autograd.cpp - the reverse-mode engine: record() attaches a Node to an op's
// output, backward() walks the graph in reverse topological order and sums the
// gradients of tensors used more than once. Gradients are never modified in place,
// so a gradient may safely alias dout. Not here: any op's derivative (each op
// writes its own backward next to its forward).
#include <unordered_map>
#include <unordered_set>

#include "core/internal.h"

namespace sl {

namespace {
thread_local bool g_grad_enabled = true;
}
bool grad_enabled() { return g_grad_enabled; }
NoGradGuard::NoGradGuard() : prev(g_grad_enabled) { g_grad_enabled = false; }
NoGradGuard::~NoGradGuard() { g_grad_enabled = prev; }

void record(Tensor& out, const char* op, std::vector<Tensor> inputs,
            std::function<std::vector<Tensor>(const Tensor&)> backward) {
  if (!g_grad_enabled) return;
  bool any = false;
  for (const Tensor& t : inputs) any = any || (t.defined() && t.requires_grad());
  if (!any) return;
  auto node = std::make_shared<Node>();
  node->op = op;
  node->inputs = std::move(inputs);
  node->backward = std::move(backward);
  out.impl()->node = std::move(node);
  out.impl()->requires_grad = true;
}

bool Tensor::requires_grad() const { return defined() && impl_->requires_grad; }
bool Tensor::is_leaf() const { return defined() && impl_->node == nullptr; }

Tensor& Tensor::requires_grad_(bool on) {
  SL_CHECK(defined(), "requires_grad_: undefined tensor");
  SL_CHECK(is_leaf() || on,
           "requires_grad_: cannot turn off requires_grad on a non-leaf; use detach()");
  impl_->requires_grad = on;
  return *this;
}

Tensor Tensor::grad() const {
  SL_CHECK(defined(), "grad: undefined tensor");
  return impl_->grad ? Tensor(impl_->grad) : Tensor();
}

void Tensor::set_grad(const Tensor& g) {
  SL_CHECK(defined(), "set_grad: undefined tensor");
  SL_CHECK(!g.defined() || g.shape() == shape(), "set_grad: gradient ", shape_str(g.shape()),
           " does not match tensor ", shape_str(shape()));
  impl_->grad = g.defined() ? g.impl_ptr() : nullptr;
}

void Tensor::zero_grad() {
  if (defined()) impl_->grad = nullptr;
}

void Tensor::backward() const {
  SL_CHECK(defined(), "backward: undefined tensor");
  SL_CHECK(
      numel() == 1, "backward: called on a non-scalar ", shape_str(shape()),
      " without a gradient; pass dout with that shape, or reduce to a scalar (sum/mean) first");
  backward(Tensor::ones(shape(), device()));
}

void Tensor::backward(const Tensor& dout) const {
  SL_CHECK(defined() && dout.defined(), "backward: undefined tensor");
  SL_CHECK(requires_grad(), "backward: tensor ", shape_str(shape()),
           " does not require grad (no input had requires_grad_(true), or it was made under "
           "NoGradGuard)");
  SL_CHECK(dout.shape() == shape(), "backward: dout ", shape_str(dout.shape()),
           " does not match output ", shape_str(shape()));
  NoGradGuard no_grad;

  // Reverse topological order by an iterative post-order DFS over nodes.
  std::vector<TensorImpl*> order;
  std::unordered_set<TensorImpl*> seen;
  std::vector<std::pair<TensorImpl*, size_t>> stack{{impl_.get(), 0}};
  seen.insert(impl_.get());
  while (!stack.empty()) {
    auto& [t, next] = stack.back();
    if (t->node && next < t->node->inputs.size()) {
      TensorImpl* in = t->node->inputs[next++].impl();
      if (in && in->requires_grad && seen.insert(in).second) stack.push_back({in, 0});
    } else {
      order.push_back(t);
      stack.pop_back();
    }
  }

  std::unordered_map<TensorImpl*, Tensor> grads;
  grads[impl_.get()] = dout;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    TensorImpl* t = *it;
    auto g = grads.find(t);
    if (g == grads.end()) continue;
    Tensor dt = g->second;
    grads.erase(g);
    if (!t->node) {  // a leaf: accumulate into .grad (out of place)
      Tensor acc = t->grad ? add(Tensor(t->grad), dt) : dt;
      t->grad = acc.impl_ptr();
      continue;
    }
    std::vector<Tensor> dins = t->node->backward(dt);
    SL_CHECK(dins.size() == t->node->inputs.size(), "backward of ", t->node->op, " returned ",
             dins.size(), " gradients for ", t->node->inputs.size(), " inputs");
    for (size_t i = 0; i < dins.size(); ++i) {
      const Tensor& in = t->node->inputs[i];
      if (!dins[i].defined() || !in.requires_grad()) continue;
      SL_CHECK(dins[i].shape() == in.shape(), "backward of ", t->node->op, ": gradient ",
               shape_str(dins[i].shape()), " for input ", i, " of shape ", shape_str(in.shape()));
      auto [slot, fresh] = grads.try_emplace(in.impl(), dins[i]);
      if (!fresh) slot->second = add(slot->second, dins[i]);
    }
  }
}

}  // namespace sl
