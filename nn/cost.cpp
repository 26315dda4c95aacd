// nn/cost.cpp - the cost formulas, the layer costs built from the ops' shape structs, the
// thread-local recorder that module calls report to, and profile(): one real forward pass
// (or several, when timing) grouped into blocks and stages. Not here: printing
// (apps/cmd_profile.cpp).
#include "nn/cost.h"

#include <algorithm>

#include "nn/module.h"

namespace sl {

// [SECTION] formulas

int64_t conv2d_madds(const Conv2dShape& s) {
  return s.N * s.H_out * s.W_out * s.C_out * (s.C_in / s.groups) * s.K * s.K;
}

int64_t conv2d_mac(const Conv2dShape& s) {
  return s.N * (s.H * s.W * s.C_in + s.H_out * s.W_out * s.C_out) +
         s.K * s.K * s.C_in * s.C_out / s.groups;
}

int64_t linear_madds(int64_t n, int64_t in, int64_t out) { return n * in * out; }

int64_t linear_mac(int64_t n, int64_t in, int64_t out, bool bias) {
  return n * (in + out) + in * out + (bias ? out : 0);
}

// [SECTION] layer costs

namespace {

int64_t numel_of(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

// A layer without multiply-adds or parameters (set params after, where it has some).
LayerCost movement(const std::string& type, const std::string& kind, const char* category,
                   const Shape& out, int64_t mac) {
  LayerCost c;
  c.type = type;
  c.kind = kind;
  c.category = category;
  c.out_shape = out;
  c.mac = mac;
  return c;
}

}  // namespace

LayerCost conv2d_cost(const Conv2dShape& s) {
  LayerCost c;
  c.type = "conv2d";
  c.out_shape = {s.N, s.C_out, s.H_out, s.W_out};
  const std::string k = std::to_string(s.K) + "x" + std::to_string(s.K);
  const std::string stride = " s" + std::to_string(s.stride);
  const bool depthwise = s.groups > 1 && s.groups == s.C_in && s.groups == s.C_out;
  if (depthwise) {
    c.kind = k + " dw" + stride;
    c.category = "depthwise";
  } else if (s.K == 1) {
    c.kind = s.groups == 1 ? "1x1" : "1x1 g=" + std::to_string(s.groups);
    if (s.stride != 1) c.kind += stride;
    c.category = s.groups == 1 ? "conv 1x1" : "grouped 1x1";
  } else {
    c.kind = k + (s.groups == 1 ? "" : " g=" + std::to_string(s.groups)) + stride;
    c.category = "conv kxk";
  }
  c.params = s.C_out * (s.C_in / s.groups) * s.K * s.K;
  c.madds = conv2d_madds(s);
  c.mac = conv2d_mac(s);
  return c;
}

LayerCost batch_norm_cost(const Shape& x) {
  LayerCost c = movement("batch_norm", "bn", "batchnorm", x, 2 * numel_of(x));
  c.params = 2 * x[1];
  return c;
}

LayerCost relu_cost(const Shape& x) { return movement("relu", "relu", "relu", x, 2 * numel_of(x)); }

LayerCost add_cost(const Shape& out) {
  return movement("add", "add", "element-wise", out, 3 * numel_of(out));
}

LayerCost concat_cost(const Shape& out) {
  return movement("concat", "concat", "data movement", out, 2 * numel_of(out));
}

LayerCost channel_split_cost(const Shape& second) {
  return movement("channel_split", "split", "data movement", second, 0);
}

LayerCost channel_shuffle_cost(const Shape& x) {
  return movement("channel_shuffle", "shuffle", "data movement", x, 2 * numel_of(x));
}

LayerCost pool2d_cost(const char* type, const Pool2dShape& s) {
  const std::string op = std::string(type) == "max_pool2d" ? "maxpool " : "avgpool ";
  const std::string kind =
      op + std::to_string(s.K) + "x" + std::to_string(s.K) + " s" + std::to_string(s.stride);
  const int64_t in = s.N * s.C * s.H * s.W, out = s.N * s.C * s.H_out * s.W_out;
  return movement(type, kind, "pool", {s.N, s.C, s.H_out, s.W_out}, in + out);
}

LayerCost global_avg_pool_cost(const Shape& x) {
  return movement("global_avg_pool", "global avgpool", "pool", {x[0], x[1]},
                  numel_of(x) + x[0] * x[1]);
}

LayerCost linear_cost(int64_t n, int64_t in, int64_t out, bool bias) {
  LayerCost c = movement("linear", "linear", "linear", {n, out}, linear_mac(n, in, out, bias));
  c.params = in * out + (bias ? out : 0);
  c.madds = linear_madds(n, in, out);
  return c;
}

// [SECTION] recorder

namespace {
thread_local CostRecording* g_recording = nullptr;
}

CostRecording::CostRecording(bool time_layers) : time_layers_(time_layers) {
  SL_CHECK(g_recording == nullptr, "CostRecording: a recording is already active on this thread");
  g_recording = this;
}

CostRecording::~CostRecording() { g_recording = nullptr; }

// A leaf module's record takes the module's path ("stage2.0.branch2.0"); a record made
// directly in a composite module's frame gets path + "." + type. A name seen before in this
// recording (a module called twice, like V1's one ReLU) gets "_1", "_2", ...
std::string CostRecording::next_name(const std::string& type) {
  std::string base = type;
  if (!frames_.empty()) {
    const Frame& f = frames_.back();
    base = f.leaf && !f.path.empty() ? f.path : f.path.empty() ? type : f.path + "." + type;
  }
  std::string name = base;
  for (int i = 1; std::any_of(layers_.begin(), layers_.end(),
                              [&](const LayerCost& l) { return l.name == name; });
       ++i)
    name = base + "_" + std::to_string(i);
  return name;
}

CostScope::CostScope(const std::string& name, bool leaf, Device device)
    : rec_(g_recording), device_(device) {
  if (!rec_) return;
  const std::string parent = rec_->frames_.empty() ? "" : rec_->frames_.back().path;
  const std::string path = parent.empty() ? name : name.empty() ? parent : parent + "." + name;
  rec_->frames_.push_back({path, leaf});
  if (leaf && rec_->time_layers_) {
    SL_KERNEL(device_, synchronize)();  // earlier work must not be charged to this layer
    t0_ = std::chrono::steady_clock::now();
  }
}

CostScope::~CostScope() {
  if (rec_) rec_->frames_.pop_back();
}

void CostScope::record(LayerCost c) {
  if (!rec_) return;
  if (rec_->time_layers_) {
    SL_KERNEL(device_, synchronize)();  // device time, not launch time
    c.time_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0_).count();
  }
  c.name = rec_->next_name(c.type);
  rec_->layers_.push_back(std::move(c));
}

// [SECTION] profile

int64_t input_size(const std::string& variant) {
  if (variant == "cifar") return 32;
  if (variant == "imagenet") return 224;
  throw UsageError(str_cat("unknown variant '", variant, "': use cifar or imagenet"));
}

std::string block_of(const std::string& layer) {
  const size_t dot = layer.find('.');
  std::string first = layer.substr(0, dot);  // not const: returned by move
  if (first.rfind("stage", 0) != 0 || dot == std::string::npos) return first;
  const size_t dot2 = layer.find('.', dot + 1);
  return layer.substr(0, dot2);
}

std::string stage_of(const std::string& layer) { return layer.substr(0, layer.find('.')); }

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// times[i][r]: layer i in timed repeat r. A group's spread is the min and max over the
// repeats of its layers' summed time; its time_ms is the sum of its layers' medians.
void set_spread(double& lo, double& hi, const std::vector<std::vector<double>>& times, int first,
                int count) {
  if (times.empty()) return;
  const size_t repeats = times[0].size();
  for (size_t r = 0; r < repeats; ++r) {
    double t = 0;
    for (int i = first; i < first + count; ++i) t += times[(size_t)i][r];
    lo = r == 0 ? t : std::min(lo, t);
    hi = r == 0 ? t : std::max(hi, t);
  }
}

std::vector<BlockCost> group(const std::vector<LayerCost>& layers,
                             const std::vector<std::vector<double>>& times,
                             std::string (*key)(const std::string&)) {
  std::vector<BlockCost> out;
  for (int i = 0; i < (int)layers.size(); ++i) {
    const LayerCost& l = layers[(size_t)i];
    const std::string k = key(l.name);
    if (out.empty() || out.back().name != k) out.push_back({.name = k, .first_layer = i});
    BlockCost& b = out.back();
    b.params += l.params;
    b.madds += l.madds;
    b.mac += l.mac;
    b.time_ms += l.time_ms;
    b.num_layers += 1;
  }
  for (BlockCost& b : out)
    set_spread(b.time_min_ms, b.time_max_ms, times, b.first_layer, b.num_layers);
  return out;
}

}  // namespace

Profile profile(Module& model, const std::string& model_name, const std::string& variant,
                const ProfileOptions& opt) {
  const int64_t hw = opt.input_size > 0 ? opt.input_size : input_size(variant);
  SL_CHECK_USAGE(opt.batch >= 1, "profile: the batch must be at least 1, got ", opt.batch);
  Profile p;
  p.model = model_name;
  p.variant = variant;
  p.input = {opt.batch, 3, hw, hw};
  p.timed = opt.time;

  const bool was_training = model.is_training();
  model.eval();
  NoGradGuard no_grad;
  Generator gen(1);
  const Tensor x = Tensor::randn(p.input, gen).to(model.device());
  const int runs = opt.time ? 1 + std::max(1, opt.repeats) : 1;  // the first timed run warms up
  std::vector<std::vector<double>> times;                        // [layer][repeat]
  try {
    for (int r = 0; r < runs; ++r) {
      CostRecording rec(opt.time);
      model(x);
      if (r == 0) p.layers = rec.layers();
      SL_CHECK(rec.layers().size() == p.layers.size(), "profile: runs recorded different layers");
      if (r == 0 && opt.time) continue;
      if (times.empty()) times.resize(p.layers.size());
      for (size_t i = 0; i < p.layers.size(); ++i) times[i].push_back(rec.layers()[i].time_ms);
    }
  } catch (...) {
    model.train(was_training);
    throw;
  }
  model.train(was_training);

  for (size_t i = 0; i < p.layers.size(); ++i) {
    LayerCost& l = p.layers[i];
    l.time_ms = opt.time ? median(times[i]) : 0.0;
    if (opt.time) {
      l.time_min_ms = *std::min_element(times[i].begin(), times[i].end());
      l.time_max_ms = *std::max_element(times[i].begin(), times[i].end());
    }
    p.params += l.params;
    p.madds += l.madds;
    p.mac += l.mac;
    p.time_ms += l.time_ms;
  }
  set_spread(p.time_min_ms, p.time_max_ms, times, 0, (int)p.layers.size());
  p.blocks = group(p.layers, times, block_of);
  p.stages = group(p.layers, times, stage_of);
  return p;
}

// [SECTION] by category

const char* const kCategories[10] = {"conv 1x1",      "grouped 1x1", "depthwise", "conv kxk",
                                     "linear",        "batchnorm",   "relu",      "element-wise",
                                     "data movement", "pool"};

std::vector<CategoryCost> by_category(const Profile& p) {
  std::vector<CategoryCost> out;
  auto slot = [&](const std::string& c) -> CategoryCost& {
    for (CategoryCost& r : out)
      if (r.category == c) return r;
    out.push_back({.category = c});
    return out.back();
  };
  for (const char* c : kCategories) slot(c);
  for (const LayerCost& l : p.layers) {
    CategoryCost& r = slot(l.category);
    r.layers += 1;
    r.madds += l.madds;
    r.mac += l.mac;
    r.time_ms += l.time_ms;
  }
  std::erase_if(out, [](const CategoryCost& r) { return r.layers == 0; });
  return out;
}

}  // namespace sl
