// nn/cost.cpp - the cost formulas, the thread-local recorder that layer ops report to, and
// profile(): one real forward pass (or several, when timing) grouped into blocks and stages.
// Not here: printing (apps/cmd_profile.cpp).
#include "nn/cost.h"

#include <algorithm>

#include "nn/models/models.h"
#include "nn/module.h"

namespace sl {

// [SECTION] formulas

int64_t conv2d_madds(const Conv2dShape& s) {
  return s.N * s.H_out * s.W_out * s.C_out * (s.C_in / s.groups) * s.K * s.K;
}

int64_t conv2d_mac(const Conv2dShape& s) {
  return s.N * (s.H * s.W * s.C_in + s.H_out * s.W_out * s.C_out) + s.K * s.K * s.C_in * s.C_out / s.groups;
}

int64_t linear_madds(int64_t n, int64_t in, int64_t out) { return n * in * out; }

int64_t linear_mac(int64_t n, int64_t in, int64_t out, bool bias) {
  return n * (in + out) + in * out + (bias ? out : 0);
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

// A leaf module's first op takes the module's path ("stage2.0.branch2.0"); ops called
// directly in a composite module's forward get path + "." + type ("stage2.0.concat"),
// with "_1", "_2", ... when the same type repeats in one frame.
std::string CostRecording::next_name(const char* type) {
  if (frames_.empty()) return type;
  Frame& f = frames_.back();
  const int k = f.records++;
  if (f.leaf && k == 0 && !f.path.empty()) return f.path;
  std::string base = f.path.empty() ? std::string(type) : f.path + "." + type;
  std::string name = base;
  for (int i = 1; std::any_of(layers_.begin(), layers_.end(), [&](const LayerCost& l) { return l.name == name; }); ++i)
    name = base + "_" + std::to_string(i);
  return name;
}

CostProbe::CostProbe() : rec_(g_recording) {
  if (rec_ && rec_->time_layers_) t0_ = std::chrono::steady_clock::now();
}

void CostProbe::record(const char* type, const Shape& out_shape, const CostCounts& c) {
  if (!rec_) return;
  LayerCost l;
  if (rec_->time_layers_)
    l.time_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0_).count();
  l.name = rec_->next_name(type);
  l.type = type;
  l.out_shape = out_shape;
  l.params = c.params;
  l.madds = c.madds;
  l.mac = c.mac;
  rec_->layers_.push_back(std::move(l));
}

CostScope::CostScope(const std::string& name, bool leaf) : rec_(g_recording) {
  if (!rec_) return;
  const std::string parent = rec_->frames_.empty() ? "" : rec_->frames_.back().path;
  const std::string path = parent.empty() ? name : name.empty() ? parent : parent + "." + name;
  rec_->frames_.push_back({path, leaf, 0});
}

CostScope::~CostScope() {
  if (rec_) rec_->frames_.pop_back();
}

// [SECTION] profile

std::string block_of(const std::string& layer) {
  const size_t dot = layer.find('.');
  std::string first = layer.substr(0, dot);  // not const: returned by move
  if (first.rfind("stage", 0) != 0 || dot == std::string::npos) return first;
  const size_t dot2 = layer.find('.', dot + 1);
  return layer.substr(0, dot2);
}

std::string stage_of(const std::string& layer) { return layer.substr(0, layer.find('.')); }

namespace {

std::vector<BlockCost> group(const std::vector<LayerCost>& layers, std::string (*key)(const std::string&)) {
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
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

Profile profile(Module& model, const std::string& model_name, const std::string& variant, const ProfileOptions& opt) {
  const int64_t hw = opt.input_size > 0 ? opt.input_size : input_size(variant);
  Profile p;
  p.model = model_name;
  p.variant = variant;
  p.input = {1, 3, hw, hw};
  p.timed = opt.time;

  const bool was_training = model.is_training();
  model.eval();
  NoGradGuard no_grad;
  Generator gen(1);
  const Tensor x = Tensor::randn(p.input, gen).to(model.device());
  const int runs = opt.time ? 1 + std::max(1, opt.repeats) : 1;  // the first timed run warms up
  std::vector<std::vector<double>> times;
  try {
    for (int r = 0; r < runs; ++r) {
      CostRecording rec(opt.time);
      const Tensor out = model(x);
      if (opt.time) out.to_vector();  // waits for the device before the clock is read
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
    p.params += l.params;
    p.madds += l.madds;
    p.mac += l.mac;
    p.time_ms += l.time_ms;
  }
  p.blocks = group(p.layers, block_of);
  p.stages = group(p.layers, stage_of);
  return p;
}

}  // namespace sl
