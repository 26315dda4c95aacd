// core/autograd.cpp - the reverse-mode engine: record() attaches a Node to an op's
// output, backward() walks the graph in reverse topological order and sums the
// gradients of tensors used more than once: in place into a gradient it allocated itself,
// never into one an op returned (that may alias dout); narrow's gradient goes straight into
// the slice of its input's gradient. With KeepGraph::no each node's inputs and closure are
// dropped right after its backward ran, so saved activations return to the allocator while the
// rest of the backward still runs. A node holds an op output it took as input by a stand-in
// without storage (graph_edge), so the graph itself keeps no activation alive: only what a
// backward saved. Nodes, closures, stand-ins and the engine's work lists all come from
// the small-object pool (core/alloc_pool.h): no heap allocation per step. Not here: any op's
// derivative (each op writes its own backward next to its forward).
#include <functional>
#include <unordered_map>
#include <unordered_set>

#include "core/internal.h"

namespace sl {

namespace {
thread_local bool g_grad_enabled = true;

// dst += src in place (dst a view into a gradient the engine owns; same shape as src).
void accumulate_into(const Tensor& dst, const Tensor& src) {
  if (backend(dst.device()).accumulate_strided != nullptr) {
    SL_KERNEL(dst.device(), accumulate_strided)(dst.data(), dst.layout(), src.data(), src.layout());
  } else {  // a backend without the entry: add out of place, then copy back
    const Tensor sum = add(dst, src);
    SL_KERNEL(dst.device(), copy_strided)(dst.data(), dst.layout(), sum.data(), sum.layout());
  }
}

// The gradients backward() has gathered so far, one per tensor. A gradient the engine made
// itself (owned) is referenced by nothing else, so later ones are added into it in place; one
// an op returned may alias dout or another tensor, so the first sum into it is a new tensor.
template <class K, class V>
using PoolMap =
    std::unordered_map<K, V, std::hash<K>, std::equal_to<K>, PoolAllocator<std::pair<const K, V>>>;
template <class K>
using PoolSet = std::unordered_set<K, std::hash<K>, std::equal_to<K>, PoolAllocator<K>>;
template <class T>
using PoolVector = std::vector<T, PoolAllocator<T>>;

struct GradSlots {
  PoolMap<TensorImpl*, Tensor> grads;
  PoolSet<TensorImpl*> owned;

  // grads[in] += g
  void add_full(const Tensor& in, const Tensor& g) {
    auto [slot, fresh] = grads.try_emplace(in.impl(), g);
    if (fresh) return;
    if (owned.count(in.impl())) {
      accumulate_into(slot->second, g);
    } else {
      slot->second = add(slot->second, g);
      owned.insert(in.impl());
    }
  }
  // grads[in].narrow(d, start, g.size(d)) += g: narrow's backward without a zero-padded
  // full-size gradient per slice (a V2 unit's channel split sends two halves back here).
  void add_slice(const Tensor& in, int64_t d, int64_t start, const Tensor& g) {
    auto it = grads.find(in.impl());
    if (it == grads.end()) {
      Tensor full = Tensor::zeros(in.shape(), g.device());
      const Tensor part = full.narrow(d, start, g.size(d));
      SL_KERNEL(g.device(), copy_strided)(part.data(), part.layout(), g.data(), g.layout());
      grads.emplace(in.impl(), full);
      owned.insert(in.impl());
      return;
    }
    if (!owned.count(in.impl())) {
      it->second = it->second.clone();  // contiguous and ours
      owned.insert(in.impl());
    }
    accumulate_into(it->second.narrow(d, start, g.size(d)), g);
  }
  // Removes and returns t's gradient (undefined when none arrived).
  Tensor take(TensorImpl* t) {
    auto g = grads.find(t);
    if (g == grads.end()) return {};
    Tensor dt = std::move(g->second);
    grads.erase(g);
    owned.erase(t);
    return dt;
  }
};

}  // namespace
bool grad_enabled() { return g_grad_enabled; }
NoGradGuard::NoGradGuard() : prev(g_grad_enabled) { g_grad_enabled = false; }
NoGradGuard::~NoGradGuard() { g_grad_enabled = prev; }

std::vector<Tensor> BackwardFn::operator()(const Tensor& dout) const {
  SL_CHECK(obj_ != nullptr, "backward: this node has no backward function (freed by an earlier "
                            "backward(KeepGraph::no)?)");
  return ops_->call(obj_, dout);
}

namespace {

// What a node keeps of input t: a leaf (a weight, or data) as it is, since its gradient lands
// on it; an op's output as its stand-in, TensorImpl::edge (made on first use, then shared by
// every node that took t, so the engine meets one tensor per output), which has t's shape,
// strides and node but not its storage. The graph then holds no activation: an activation
// lives as long as a tensor the program holds or a backward saved (x.detach() in a closure),
// and a V2 unit's output, which no backward reads, is freed when the next unit is done with it.
Tensor graph_edge(const Tensor& t) {
  if (!t.defined() || t.impl()->node == nullptr) return t;
  TensorImpl& impl = *t.impl();
  if (impl.edge == nullptr) {
    impl.edge = std::allocate_shared<TensorImpl>(PoolAllocator<TensorImpl>{});  // no heap
    impl.edge->shape = impl.shape;
    impl.edge->strides = impl.strides;
    impl.edge->offset = impl.offset;
    impl.edge->requires_grad = impl.requires_grad;
    impl.edge->node = impl.node;
  }
  return Tensor(impl.edge);
}

}  // namespace

void record(Tensor& out, const char* op, TensorList inputs, BackwardFn backward) {
  if (!g_grad_enabled) return;
  bool any = false;
  for (const Tensor& t : inputs) any = any || (t.defined() && t.requires_grad());
  if (!any) return;
  auto node = std::allocate_shared<Node>(PoolAllocator<Node>{});
  node->op = op;
  node->inputs = std::move(inputs);
  for (Tensor& in : node->inputs) in = graph_edge(in);
  node->backward = std::move(backward);
  out.impl()->node = std::move(node);
  out.impl()->edge = nullptr;  // a stand-in made before this node stands for the old history
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

void Tensor::backward(KeepGraph keep) const {
  SL_CHECK(defined(), "backward: undefined tensor");
  SL_CHECK(
      numel() == 1, "backward: called on a non-scalar ", shape_str(shape()),
      " without a gradient; pass dout with that shape, or reduce to a scalar (sum/mean) first");
  backward(Tensor::ones(shape(), device()), keep);
}

void Tensor::backward(const Tensor& dout, KeepGraph keep) const {
  SL_CHECK(defined() && dout.defined(), "backward: undefined tensor");
  SL_CHECK(requires_grad(), "backward: tensor ", shape_str(shape()),
           " does not require grad (no input had requires_grad_(true), or it was made under "
           "NoGradGuard)");
  SL_CHECK(dout.shape() == shape(), "backward: dout ", shape_str(dout.shape()),
           " does not match output ", shape_str(shape()));
  NoGradGuard no_grad;

  // Reverse topological order by an iterative post-order DFS over nodes. `order` holds a
  // reference to each tensor, so a tensor stays alive until its turn even when KeepGraph::no
  // drops the node that referenced it.
  PoolVector<std::shared_ptr<TensorImpl>> order;
  PoolSet<TensorImpl*> seen;
  PoolVector<std::pair<const std::shared_ptr<TensorImpl>*, size_t>> stack;
  stack.push_back({&impl_, 0});
  seen.insert(impl_.get());
  while (!stack.empty()) {
    auto& [t, next] = stack.back();
    const Node* node = (*t)->node.get();
    SL_CHECK(node == nullptr || !node->freed, "backward: the graph through ", node->op,
             " was freed by an earlier backward(KeepGraph::no); run the forward again, or pass "
             "KeepGraph::yes to the first backward");
    if (node && next < node->inputs.size()) {
      const std::shared_ptr<TensorImpl>& in = node->inputs[next++].impl_ptr();
      if (in && in->requires_grad && seen.insert(in.get()).second) stack.push_back({&in, 0});
    } else {
      order.push_back(*t);
      stack.pop_back();
    }
  }

  GradSlots slots;
  slots.grads[impl_.get()] = dout;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const std::shared_ptr<TensorImpl> t = std::move(*it);  // dropped at the end of this turn
    Tensor dt = slots.take(t.get());
    if (!dt.defined()) continue;
    if (!t->node) {  // a leaf: accumulate into .grad (out of place)
      Tensor acc = t->grad ? add(Tensor(t->grad), dt) : dt;
      t->grad = acc.impl_ptr();
      continue;
    }
    Node& node = *t->node;
    if (node.narrow_dim >= 0) {  // narrow: straight into the slice of its input's gradient
      if (node.inputs[0].requires_grad())
        slots.add_slice(node.inputs[0], node.narrow_dim, node.narrow_start, dt);
    } else {
      std::vector<Tensor> dins = node.backward(dt);
      SL_CHECK(dins.size() == node.inputs.size(), "backward of ", node.op, " returned ",
               dins.size(), " gradients for ", node.inputs.size(), " inputs");
      for (size_t i = 0; i < dins.size(); ++i) {
        const Tensor& in = node.inputs[i];
        if (!dins[i].defined() || !in.requires_grad()) continue;
        SL_CHECK(dins[i].shape() == in.shape(), "backward of ", node.op, ": gradient ",
                 shape_str(dins[i].shape()), " for input ", i, " of shape ", shape_str(in.shape()));
        slots.add_full(in, dins[i]);
      }
    }
    if (keep == KeepGraph::no) {  // saved tensors and inputs go back to the allocator now
      node.backward.reset();
      node.inputs.clear();
      node.freed = true;
    }
  }
}

}  // namespace sl
