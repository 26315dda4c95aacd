// core/tensor.cpp - Tensor creation, metadata, data access, the seeded generator
// and the copy counter. Views live in core/tensor_views.cpp and the autograd
// engine in core/autograd.cpp. Not here: any math op (core/ops_*.cpp).
//
// [SECTION] storage and copy stats
// [SECTION] generator
// [SECTION] creation
// [SECTION] metadata and data access
#include <cmath>
#include <cstring>

#include "core/tensor.h"

namespace sl {

// [SECTION] storage and copy stats

Storage::Storage(int64_t n, Device d) : numel(n), device(d) {
  data = SL_KERNEL(d, alloc)(n > 0 ? n : 1);
}
// A destructor must not throw, so free is the one entry read without SL_KERNEL: every
// backend has it (a table without alloc cannot have made this storage).
Storage::~Storage() { backend(device).free(data); }

namespace {
thread_local CopyStats g_copy_stats;  // per thread, see core/tensor.h
}
CopyStats copy_stats() { return g_copy_stats; }
void reset_copy_stats() { g_copy_stats = {}; }
void count_copy(int64_t bytes) {  // declared in core/internal.h
  g_copy_stats.copies += 1;
  g_copy_stats.bytes += bytes;
}

std::string shape_str(const Shape& s) {
  std::string out = "(";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(s[i]);
  }
  return out + ")";
}

// [SECTION] generator

uint64_t Generator::next_u64() {  // splitmix64: tiny, fast, same stream everywhere
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

float Generator::uniform() { return (float)((next_u64() >> 40) * (1.0 / 16777216.0)); }

float Generator::normal() {  // Box-Muller, the second value kept for the next call
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u1 = ((next_u64() >> 11) + 1.0) * (1.0 / 9007199254740993.0);  // (0, 1]
  double u2 = (next_u64() >> 11) * (1.0 / 9007199254740992.0);
  double r = std::sqrt(-2.0 * std::log(u1)), t = 2.0 * M_PI * u2;
  spare_ = (float)(r * std::sin(t));
  has_spare_ = true;
  return (float)(r * std::cos(t));
}

// [SECTION] creation

static Shape contiguous_strides(const Shape& shape) {
  Shape st(shape.size());
  int64_t acc = 1;
  for (int64_t i = (int64_t)shape.size() - 1; i >= 0; --i) {
    st[i] = acc;
    acc *= shape[i];
  }
  return st;
}

static int64_t shape_numel(const Shape& shape, const char* op) {
  int64_t n = 1;
  for (int64_t s : shape) {
    SL_CHECK(s >= 0, op, ": negative size in shape ", shape_str(shape));
    n *= s;
  }
  return n;
}

Tensor Tensor::empty(const Shape& shape, Device d) {
  SL_CHECK(shape.size() <= (size_t)kMaxDims, "empty: shape ", shape_str(shape), " has more than ",
           kMaxDims, " dims");
  // TensorImpl and Storage (each with its shared_ptr control block) come from the
  // small-object pool, the floats from the backend's allocator: no heap allocation.
  auto impl = std::allocate_shared<TensorImpl>(PoolAllocator<TensorImpl>{});
  impl->storage =
      std::allocate_shared<Storage>(PoolAllocator<Storage>{}, shape_numel(shape, "empty"), d);
  impl->shape = shape;
  impl->strides = contiguous_strides(shape);
  return Tensor(std::move(impl));
}

Tensor Tensor::full(const Shape& shape, float value, Device d) {
  Tensor t = empty(shape, d);
  SL_KERNEL(d, fill)(t.data(), t.numel(), value);
  return t;
}
Tensor Tensor::zeros(const Shape& shape, Device d) { return full(shape, 0.f, d); }
Tensor Tensor::ones(const Shape& shape, Device d) { return full(shape, 1.f, d); }

Tensor Tensor::arange(int64_t n, Device d) {
  std::vector<float> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = (float)i;
  return from_data(v, {n}, d);
}

Tensor Tensor::from_data(const std::vector<float>& data, const Shape& shape, Device d) {
  int64_t n = shape_numel(shape, "from_data");
  SL_CHECK((int64_t)data.size() == n, "from_data: ", data.size(), " values cannot fill shape ",
           shape_str(shape), " (", n, " elements)");
  Tensor t = empty(shape, d);
  if (n > 0) SL_KERNEL(d, copy_from_host)(t.data(), data.data(), n);
  return t;
}

Tensor Tensor::randn(const Shape& shape, Generator& gen, float mean, float std, Device d) {
  std::vector<float> v(shape_numel(shape, "randn"));
  for (float& x : v) x = mean + std * gen.normal();
  return from_data(v, shape, d);
}

Tensor Tensor::uniform(const Shape& shape, Generator& gen, float lo, float hi, Device d) {
  std::vector<float> v(shape_numel(shape, "uniform"));
  for (float& x : v) x = lo + (hi - lo) * gen.uniform();
  return from_data(v, shape, d);
}

// [SECTION] metadata and data access

static TensorImpl& must(const std::shared_ptr<TensorImpl>& p) {
  SL_CHECK(p != nullptr, "tensor: use of an undefined tensor");
  return *p;
}

const Shape& Tensor::shape() const { return must(impl_).shape; }
const Shape& Tensor::strides() const { return must(impl_).strides; }
int64_t Tensor::offset() const { return must(impl_).offset; }
// Only a graph stand-in (TensorImpl::edge) is a defined tensor without storage.
static const Storage& storage_of(const std::shared_ptr<TensorImpl>& p) {
  const TensorImpl& t = must(p);
  SL_CHECK(t.storage != nullptr,
           "tensor: this is a graph edge's stand-in for an op's output (Node::inputs), which "
           "keeps its shape and node but not its data; use the tensor the op returned");
  return *t.storage;
}

Device Tensor::device() const { return storage_of(impl_).device; }

int64_t Tensor::size(int64_t d) const {
  int64_t n = dim();
  SL_CHECK(d >= -n && d < n, "size: dim ", d, " out of range for shape ", shape_str(shape()));
  return shape()[d < 0 ? d + n : d];
}

int64_t Tensor::numel() const {
  int64_t n = 1;
  for (int64_t s : shape()) n *= s;
  return n;
}

bool Tensor::is_contiguous() const {
  int64_t acc = 1;
  for (int64_t i = dim() - 1; i >= 0; --i) {
    if (shape()[i] == 1) continue;
    if (strides()[i] != acc) return false;
    acc *= shape()[i];
  }
  return true;
}

bool Tensor::shares_storage(const Tensor& other) const {
  return defined() && other.defined() && impl_->storage != nullptr &&
         impl_->storage == other.impl_->storage;
}

std::string Tensor::str() const {
  if (!defined()) return "Tensor(undefined)";
  return "Tensor" + shape_str(shape()) + " " + device_name(device());
}

Layout Tensor::layout() const {
  Layout l;
  l.ndim = (int)dim();
  for (int i = 0; i < l.ndim; ++i) {
    l.shape[i] = shape()[i];
    l.strides[i] = strides()[i];
  }
  return l;
}

float* Tensor::data() const { return storage_of(impl_).data + impl_->offset; }

std::vector<float> Tensor::to_vector() const {
  Tensor c = is_contiguous() ? *this : clone();  // a read, not counted as a layout copy
  std::vector<float> out(c.numel());
  if (!out.empty()) SL_KERNEL(c.device(), copy_to_host)(out.data(), c.data(), c.numel());
  return out;
}

float Tensor::item() const {
  SL_CHECK(numel() == 1, "item: tensor ", shape_str(shape()), " has ", numel(),
           " elements, item() needs exactly one");
  float v = 0.f;  // one element: data() points at it whatever the strides; no host vector
  SL_KERNEL(device(), copy_to_host)(&v, data(), 1);
  return v;
}

float Tensor::at(std::initializer_list<int64_t> idx) const {
  SL_CHECK((int64_t)idx.size() == dim(), "at: ", idx.size(), " indices for shape ",
           shape_str(shape()));
  int64_t off = 0, d = 0;
  for (int64_t i : idx) {
    SL_CHECK(i >= 0 && i < shape()[d], "at: index ", i, " out of range for dim ", d, " of ",
             shape_str(shape()));
    off += i * strides()[d++];
  }
  float v = 0.f;
  SL_KERNEL(device(), copy_to_host)(&v, data() + off, 1);
  return v;
}

Tensor Tensor::to(Device d) const {
  if (d == device()) return *this;
  std::vector<float> host = to_vector();
  Tensor out = from_data(host, shape(), d);
  record(out, "to", {*this},
         [src = device()](const Tensor& dout) { return std::vector<Tensor>{dout.to(src)}; });
  return out;
}

}  // namespace sl
