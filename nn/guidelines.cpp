// nn/guidelines.cpp - the four guideline experiments of ShuffleNet V2 (Tables 1-4): the
// stacks built from ShuffleLab's own ops (conv2d with groups, relu, add, cat, channel_shuffle),
// timing (warm-up + median) and cost (each op adds nn/cost's record of its shapes to an
// OpTally, so FLOPs and MAC are nn/cost's). The paper's tables, the configurations and the
// sliders' points are in nn/guidelines_configs.cpp; the zero-copy shuffle in
// nn/guidelines_zero_copy.cpp. Not here: printing or drawing.
//
// [SECTION] index
//   tallied ops  the ops with their cost records (and per-op timing for G4)
//   stacks       the 10-block networks each experiment times
//   measuring    warm-up, median, cost recording, normalising, the trend check
//   run          run_guidelines: every table, progress and cancel
#include "nn/guidelines.h"

#include <omp.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <algorithm>
#include <chrono>
#include <cmath>

#include "nn/conv2d.h"
#include "nn/cost.h"

namespace sl {

// [SECTION] tallied ops

void OpTally::add(const LayerCost& c, double ms) {
  madds += c.madds;
  mac += c.mac;
  ++ops;
  all_ms += ms;
  const bool elementwise = c.type == "relu" || c.type == "add" || c.type == "concat";
  if (elementwise) elementwise_mac += c.mac;
  if (c.type == "relu" || c.type == "add") elementwise_ms += ms;
  if (c.type == "channel_shuffle") shuffle_mac += c.mac;
  if (c.type == "concat") concat_mac += c.mac;
}

void sync_device(Device d) {
  if (d != Device::cpu) SL_KERNEL(d, synchronize)();
}

namespace {

// Runs op() and adds cost to the tally; with t->time the op is timed alone, device synced.
template <typename Op>
Tensor tallied(OpTally* t, Device d, const LayerCost& cost, Op op) {
  if (!t) return op();
  std::chrono::steady_clock::time_point t0;
  if (t->time) {
    sync_device(d);
    t0 = std::chrono::steady_clock::now();
  }
  Tensor out = op();
  double ms = 0;
  if (t->time) {
    sync_device(d);
    ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  }
  t->add(cost, ms);
  return out;
}

}  // namespace

Tensor tally_conv2d(OpTally* t, const Tensor& x, const Tensor& w, const Conv2dParams& p) {
  const LayerCost c = t ? conv2d_cost(conv2d_shape(x.shape(), w.shape(), p)) : LayerCost{};
  return tallied(t, x.device(), c, [&] { return conv2d(x, w, p); });
}

Tensor tally_relu(OpTally* t, const Tensor& x) {
  return tallied(t, x.device(), t ? relu_cost(x.shape()) : LayerCost{}, [&] { return relu(x); });
}

Tensor tally_add(OpTally* t, const Tensor& a, const Tensor& b) {
  SL_CHECK(a.shape() == b.shape(), "tally_add: a is ", shape_str(a.shape()), " but b is ",
           shape_str(b.shape()));
  return tallied(t, a.device(), t ? add_cost(a.shape()) : LayerCost{}, [&] { return add(a, b); });
}

Tensor tally_concat(OpTally* t, const std::vector<Tensor>& xs) {
  SL_CHECK(!xs.empty(), "tally_concat: no tensors");
  Shape out = xs[0].shape();
  for (size_t i = 1; i < xs.size(); ++i) out[1] += xs[i].size(1);
  return tallied(t, xs[0].device(), t ? concat_cost(out) : LayerCost{}, [&] { return cat(xs, 1); });
}

Tensor tally_shuffle(OpTally* t, const Tensor& x, int64_t groups) {
  return tallied(t, x.device(), t ? channel_shuffle_cost(x.shape()) : LayerCost{},
                 [&] { return channel_shuffle(x, groups); });
}

// [SECTION] stacks
// Weights are N(0, gain / fan_in) so that 10 stacked blocks without BatchNorm keep values
// of order 1 (no overflow, no denormals that would distort the timing).

namespace {

Tensor weight(Generator& gen, int64_t c_out, int64_t c_in_per_group, int64_t k, float gain,
              Device d) {
  const float std = std::sqrt(gain / float(c_in_per_group * k * k));
  return Tensor::randn({c_out, c_in_per_group, k, k}, gen, 0.f, std, d);
}

struct Stack {
  GuidelineConfig cfg;
  std::vector<std::vector<Tensor>> w;  // per block, its convolutions' weights
  Tensor x;

  int64_t in_channels() const {
    if (cfg.guideline == Guideline::g3 && !cfg.parallel && cfg.fragments > 1) return series_width();
    return cfg.c1;
  }
  int64_t series_width() const { return g3_series_width(cfg); }

  Stack(const GuidelineConfig& c, Device d) : cfg(c) {
    Generator gen(1234);
    const int64_t c1 = c.c1;
    for (int64_t b = 0; b < c.blocks; ++b) {
      std::vector<Tensor> ws;
      switch (c.guideline) {
        case Guideline::g1:  // 1x1 c1 -> c2, 1x1 c2 -> c1
          ws = {weight(gen, c.c2, c1, 1, 1.f, d), weight(gen, c1, c.c2, 1, 1.f, d)};
          break;
        case Guideline::g2:  // one 1x1 group convolution c -> c
          ws = {weight(gen, c1, c1 / c.groups, 1, 1.f, d)};
          break;
        case Guideline::g3:
          for (int f = 0; f < c.fragments; ++f)
            ws.push_back(c.parallel ? weight(gen, c1 / c.fragments, c1, 1, 1.f, d)  // c -> c/n each
                                    : weight(gen, series_width(), series_width(), 1, 1.f, d));
          break;
        case Guideline::g4:  // ResNet bottleneck: 1x1 c -> c/4, 3x3 c/4 -> c/4, 1x1 c/4 -> c
          ws = {weight(gen, c1 / 4, c1, 1, 2.f, d), weight(gen, c1 / 4, c1 / 4, 3, 2.f, d),
                weight(gen, c1, c1 / 4, 1, c.shortcut ? 0.5f : 2.f, d)};
          break;
      }
      w.push_back(std::move(ws));
    }
    x = Tensor::randn({c.batch, in_channels(), c.hw, c.hw}, gen, 0.f, 1.f, d);
  }

  Tensor block(const Tensor& in, const std::vector<Tensor>& ws, OpTally* k) const {
    switch (cfg.guideline) {
      case Guideline::g1: return tally_conv2d(k, tally_conv2d(k, in, ws[0]), ws[1]);
      case Guideline::g2: return tally_conv2d(k, in, ws[0], {.groups = cfg.groups});
      case Guideline::g3: {
        if (!cfg.parallel) {
          Tensor t = in;
          for (const Tensor& wf : ws) t = tally_conv2d(k, t, wf);
          return t;
        }
        if (ws.size() == 1) return tally_conv2d(k, in, ws[0]);
        std::vector<Tensor> parts;
        parts.reserve(ws.size());
        for (const Tensor& wf : ws) parts.push_back(tally_conv2d(k, in, wf));
        return tally_concat(k, parts);
      }
      case Guideline::g4: {
        auto act = [&](const Tensor& t) { return cfg.relu ? tally_relu(k, t) : t; };
        Tensor t = act(tally_conv2d(k, in, ws[0]));
        t = act(tally_conv2d(k, t, ws[1], {.padding = 1}));
        t = tally_conv2d(k, t, ws[2]);
        if (cfg.shortcut) t = tally_add(k, t, in);
        return act(t);
      }
    }
    return in;
  }

  Tensor forward(OpTally* k = nullptr) const {
    Tensor t = x;
    for (const auto& ws : w) t = block(t, ws, k);
    return t;
  }
};

// Waits for the device to finish the pass that made t.
void sync(const Tensor& t) { sync_device(t.device()); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

bool cancelled(const std::atomic<bool>* c) { return c && c->load(); }

}  // namespace

// Every op allocates its output, and glibc serves large blocks (> 128 KiB at first) with a
// fresh mmap whose pages the kernel zeroes on first touch: page faults that made a config
// 1x or 3x slower from one run to the next. Keeping freed memory in the heap makes each pass
// reuse the last pass's buffers, as a framework's caching allocator would.
void keep_freed_memory() {
#ifdef __GLIBC__
  static const bool once = [] {
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    return true;
  }();
  (void)once;
#endif
}

// [SECTION] measuring

// Every configuration of a group is built, costed and warmed up first; then the timed
// passes go round-robin (config 1, 2, ..., 1, 2, ...), so that a burst of load from other
// programs slows all rows alike instead of one.
std::vector<GuidelineRow> measure_configs(const std::vector<GuidelineConfig>& cfgs, Device device,
                                          int warmup, int repeats, const std::atomic<bool>* cancel,
                                          const std::function<void(int)>& on_pass) {
  NoGradGuard no_grad;
  keep_freed_memory();
  std::vector<Stack> stacks;
  std::vector<GuidelineRow> rows(cfgs.size());
  for (size_t i = 0; i < cfgs.size(); ++i) {
    stacks.emplace_back(cfgs[i], device);
    GuidelineRow& row = rows[i];
    row.config = cfgs[i];
    OpTally tally;  // one pass that adds up nn/cost's record of every op
    sync(stacks[i].forward(&tally));
    row.madds = tally.madds;
    row.mac = tally.mac;
    row.elementwise_mac = tally.elementwise_mac;
    row.op_calls = tally.ops;
  }
  for (int k = 1; k < warmup && !cancelled(cancel); ++k)
    for (const Stack& s : stacks) sync(s.forward());
  std::vector<std::vector<double>> times(cfgs.size());
  for (int k = 0; k < repeats && !cancelled(cancel); ++k) {
    for (size_t i = 0; i < stacks.size(); ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      sync(stacks[i].forward());
      times[i].push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    if (on_pass) on_pass(k + 1);
  }
  for (size_t i = 0; i < cfgs.size(); ++i) {
    GuidelineRow& row = rows[i];
    if (times[i].empty()) continue;
    row.time_ms = median(times[i]);
    row.per_s = double(row.config.batch) * 1000.0 / row.time_ms;
    if (row.config.guideline != Guideline::g4 || !(row.config.relu || row.config.shortcut))
      continue;
    // G4: each op timed on its own (device synced around it), median share over passes.
    std::vector<double> shares;
    for (int k = 0; k < std::max(3, repeats / 2) && !cancelled(cancel); ++k) {
      OpTally tally;
      tally.time = true;
      sync(stacks[i].forward(&tally));
      if (tally.all_ms > 0) shares.push_back(tally.elementwise_ms / tally.all_ms);
    }
    if (!shares.empty()) row.elementwise_share = median(shares);
  }
  return rows;
}

GuidelineRow measure_config(const GuidelineConfig& cfg, Device device, int warmup, int repeats,
                            const std::atomic<bool>* cancel) {
  return measure_configs({cfg}, device, warmup, repeats, cancel, nullptr)[0];
}

// Trend check, per row against the first row of the same width: the paper's ratio and
// ours are each "slower" (< 0.97), "faster" (> 1.03) or "about the same"; the trend holds
// when both fall in the same band. The 3% band absorbs timing noise.
void normalise_table(GuidelineTable& t, Device device) {
  const PaperTable& paper = paper_table(t.guideline);
  const int col_count = 3;
  auto band = [](double r) { return r < 0.97 ? -1 : r > 1.03 ? 1 : 0; };
  for (size_t i = 0; i < t.rows.size(); ++i) {
    GuidelineRow& row = t.rows[i];
    size_t first = i;
    while (first > 0 && t.rows[first - 1].config.width == row.config.width) --first;
    const size_t r = i - first;
    int col = 0;
    const char* const* cols = device == Device::cuda ? paper.columns_gpu : paper.columns_arm;
    for (int k = 0; k < col_count; ++k)
      if (row.config.width == cols[k]) col = k;
    const PaperRow& p = paper.rows[r % paper.rows.size()];
    const PaperRow& p0 = paper.rows[0];
    row.paper_gpu = p.gpu[col];
    row.paper_arm = p.arm[col];
    row.paper_gpu_norm = p.gpu[col] / p0.gpu[col];
    row.paper_arm_norm = p.arm[col] / p0.arm[col];
    const GuidelineRow& base = t.rows[first];
    row.measured_norm = base.per_s > 0 ? row.per_s / base.per_s : 0;
    if (r == 0 || row.per_s <= 0) {
      row.trend = "";
      continue;
    }
    const double paper_norm = device == Device::cuda ? row.paper_gpu_norm : row.paper_arm_norm;
    row.trend = band(row.measured_norm) == band(paper_norm) ? "holds" : "differs";
  }
}

// [SECTION] run

GuidelinesReport run_guidelines(const GuidelinesOptions& opt) {
  const std::string why = device_unavailable_reason(opt.device);  // core/backend.h
  SL_CHECK(why.empty(), "guidelines: --device ", device_name(opt.device), " cannot run: ", why);
  if (opt.threads > 0) omp_set_num_threads(opt.threads);  // this thread's OpenMP teams
  GuidelinesReport rep;
  rep.device = device_name(opt.device);
  rep.threads = opt.device == Device::cpu ? omp_get_max_threads() : 1;
  rep.batch = opt.batch > 0 ? opt.batch : (opt.device == Device::cuda ? 8 : 1);
  rep.precise = opt.precise;
  rep.warmup = opt.precise ? 3 : 2;
  rep.repeats = opt.repeats > 0 ? opt.repeats : opt.precise ? 21 : 9;
  const int cols = opt.precise ? 3 : 1;
  std::vector<Guideline> which = opt.only;
  if (which.empty() && opt.tables)
    which = {Guideline::g1, Guideline::g2, Guideline::g3, Guideline::g4};

  // Progress counts timed passes: one per width group and repeat, plus the zero-copy run.
  const double total =
      double(which.size() * cols * rep.repeats) + (opt.zero_copy ? rep.repeats : 0);
  double done = 0;
  for (Guideline g : which) {
    GuidelineTable t;
    t.guideline = g;
    for (int col = 0; col < cols && !cancelled(opt.cancel); ++col) {
      const std::vector<GuidelineConfig> cfgs = guideline_configs(g, opt.device, col, rep.batch);
      const std::string what =
          str_cat(guideline_name(g), " ", cfgs[0].width, ": ", cfgs.size(), " configurations");
      if (opt.progress) opt.progress(done / total, what);
      auto on_pass = [&](int k) {
        if (opt.progress)
          opt.progress((done + k) / total, str_cat(what, ", pass ", k, "/", rep.repeats));
      };
      for (GuidelineRow& r :
           measure_configs(cfgs, opt.device, rep.warmup, rep.repeats, opt.cancel, on_pass))
        t.rows.push_back(std::move(r));
      done += rep.repeats;
    }
    normalise_table(t, opt.device);
    rep.tables.push_back(std::move(t));
  }
  if (opt.zero_copy && !cancelled(opt.cancel)) {
    const std::string what = "zero-copy shuffle: 3 variants";
    if (opt.progress) opt.progress(done / total, what);
    auto on_pass = [&](int k) {
      if (opt.progress)
        opt.progress((done + k) / total, str_cat(what, ", pass ", k, "/", rep.repeats));
    };
    rep.zero_copy =
        run_zero_copy(opt.device, rep.batch, rep.warmup, rep.repeats, opt.cancel, on_pass);
    rep.has_zero_copy = !cancelled(opt.cancel);
  }
  rep.cancelled = cancelled(opt.cancel);
  if (opt.progress) opt.progress(1.0, rep.cancelled ? "cancelled" : "done");
  return rep;
}

}  // namespace sl
