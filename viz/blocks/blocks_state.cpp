// viz/blocks/blocks_state.cpp - the Blocks panel's window-free model: the configuration,
// the profiling job and its worker thread, the table, the by-category summary, the
// comparison and the text exports. Every count is read from nn/cost's Profile; this file
// only sums rows the Profile already holds, divides for shares, sorts and formats.
// The unit graphs and the article's formulas are in blocks_graph.cpp.
//
// [SECTION] index
//   config      model names, cores, why CUDA is off
//   job         run_blocks_job: build, move to the backend, profile with timing
//   worker      one thread, latest request wins
//   table       rows per layer / block / stage, sorting, CSV and Markdown
//   categories  the summary by op category and its one-line finding
//   compare     two profiles stage by stage
//   format      numbers as text
//   state       BlocksState
#include "viz/blocks/blocks_state.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>

#include "core/backend.h"
#include "nn/models/models.h"

namespace sl::viz {

// [SECTION] config

static std::string scale_str(float s) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f", (double)s);
  std::string t = buf;  // "1.00" -> "1.0", "0.25" stays
  if (t.size() > 3 && t.back() == '0') t.pop_back();
  return t;
}

std::string BlocksConfig::model_name() const {
  return version == 1 ? "v1-g" + std::to_string(groups) + "-" + scale_str(scale) : "v2-" + scale_str(scale);
}
std::string BlocksConfig::variant() const { return imagenet ? "imagenet" : "cifar"; }
std::string BlocksConfig::backend() const {
  if (cuda) return "CUDA";
  const int t = threads > 0 ? threads : cpu_cores();
  return "CPU, " + std::to_string(t) + (t == 1 ? " thread" : " threads");
}

void set_model_name(BlocksConfig& cfg, const std::string& name) {
  const ModelConfig m = parse_model_name(name, "cifar");  // throws UsageError with the names that exist
  cfg.version = m.version;
  cfg.groups = m.version == 1 ? m.groups : cfg.groups;
  cfg.scale = m.width;
}

int cpu_cores() { return std::max(1, omp_get_num_procs()); }

std::string cuda_unavailable_reason() {
  if (cuda_available()) return "";
  try {
    backend(Device::cuda);  // throws the registry's own explanation
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no CUDA device";
}

// [SECTION] job

static Profile profile_one(const BlocksConfig& c, int repeats) {
  SL_CHECK_USAGE(c.batch >= 1 && c.batch <= 256, "batch must be 1..256, got ", c.batch);
  if (c.cuda) SL_CHECK(cuda_available(), cuda_unavailable_reason());
  // Sets this (worker) thread's OpenMP team size only; the UI thread keeps its own.
  omp_set_num_threads(c.threads > 0 ? c.threads : cpu_cores());
  const std::string name = c.model_name();
  std::unique_ptr<Module> model = make_model(name, c.variant());
  model->to(c.cuda ? Device::cuda : Device::cpu);
  return profile(*model, name, c.variant(), {.time = true, .repeats = repeats, .batch = c.batch});
}

BlocksResult run_blocks_job(const BlocksJob& job) {
  BlocksResult r;
  r.job = job;
  const auto t0 = std::chrono::steady_clock::now();
  try {
    r.a = profile_one(job.a, job.repeats);
    if (job.a.version == 1) {  // Fig. 2 (a) is the g = 1 unit: the same network without groups
      BlocksConfig twin = job.a;
      twin.groups = 1;
      r.bottleneck = profile_one(twin, job.repeats);
      r.has_bottleneck = true;
    }
    if (job.compare) r.b = profile_one(job.b, job.repeats);
  } catch (const std::exception& e) {
    r.error = e.what();
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

// [SECTION] worker

BlocksWorker::~BlocksWorker() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

uint64_t BlocksWorker::submit(const BlocksJob& job) {
  uint64_t id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    job_ = job;
    id = job_id_ = ++next_id_;
    has_job_ = true;
    if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
  }
  cv_.notify_all();
  return id;
}

void BlocksWorker::loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stop_ || has_job_; });
    if (stop_) return;
    const BlocksJob job = job_;
    const uint64_t id = job_id_;
    has_job_ = false;
    running_ = true;
    lock.unlock();
    BlocksResult r = run_blocks_job(job);
    r.id = id;
    lock.lock();
    result_ = std::move(r);
    has_result_ = true;
    running_ = false;
    idle_cv_.notify_all();
  }
}

bool BlocksWorker::poll(BlocksResult* out) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!has_result_) return false;
  *out = std::move(result_);
  has_result_ = false;
  return true;
}

bool BlocksWorker::busy() const {
  std::lock_guard<std::mutex> lock(mu_);
  return has_job_ || running_;
}

bool BlocksWorker::wait_idle(double seconds) {
  std::unique_lock<std::mutex> lock(mu_);
  return idle_cv_.wait_for(lock, std::chrono::duration<double>(seconds), [&] { return !has_job_ && !running_; });
}

// [SECTION] table

static double share(double part, double whole) { return whole > 0 ? part / whole : 0.0; }

std::vector<TableRow> table_rows(const Profile& p, TableLevel level) {
  std::vector<TableRow> rows;
  auto finish = [&](TableRow& r) {
    r.share_madds = share((double)r.madds, (double)p.madds);
    r.share_mac = share((double)r.mac, (double)p.mac);
    r.share_time = share(r.time_ms, p.time_ms);
    r.free_but_slow = r.madds == 0 && r.time_ms > 0 && r.share_time >= 0.005;
    r.order = (int)rows.size();
    rows.push_back(r);
  };
  if (level == TableLevel::layers) {
    for (int i = 0; i < (int)p.layers.size(); ++i) {
      const LayerCost& l = p.layers[(size_t)i];
      TableRow r;
      r.name = l.name;
      r.kind = l.kind;
      r.category = l.category;
      r.shape = dims_str(l.out_shape);
      r.params = l.params;
      r.madds = l.madds;
      r.mac = l.mac;
      r.time_ms = l.time_ms;
      r.time_min_ms = l.time_min_ms;
      r.time_max_ms = l.time_max_ms;
      r.first_layer = i;
      finish(r);
    }
    return rows;
  }
  for (const BlockCost& b : level == TableLevel::blocks ? p.blocks : p.stages) {
    TableRow r;
    r.name = b.name;
    r.params = b.params;
    r.madds = b.madds;
    r.mac = b.mac;
    r.time_ms = b.time_ms;
    r.time_min_ms = b.time_min_ms;
    r.time_max_ms = b.time_max_ms;
    r.first_layer = b.first_layer;
    r.num_layers = b.num_layers;
    if (b.num_layers > 0) r.shape = dims_str(p.layers[size_t(b.first_layer + b.num_layers - 1)].out_shape);
    finish(r);
  }
  return rows;
}

void sort_rows(std::vector<TableRow>& rows, TableColumn col, bool ascending) {
  auto key = [col](const TableRow& r) -> double {
    switch (col) {
      case TableColumn::params: return (double)r.params;
      case TableColumn::madds: return (double)r.madds;
      case TableColumn::mac: return (double)r.mac;
      case TableColumn::time: return r.time_ms;
      case TableColumn::share_madds: return r.share_madds;
      case TableColumn::share_mac: return r.share_mac;
      case TableColumn::share_time: return r.share_time;
      default: return (double)r.order;
    }
  };
  auto text = [col](const TableRow& r) -> const std::string& {
    return col == TableColumn::name ? r.name : col == TableColumn::kind ? r.kind : r.shape;
  };
  const bool by_text = col == TableColumn::name || col == TableColumn::kind || col == TableColumn::shape;
  std::stable_sort(rows.begin(), rows.end(), [&](const TableRow& x, const TableRow& y) {
    if (by_text) return ascending ? text(x) < text(y) : text(y) < text(x);
    return ascending ? key(x) < key(y) : key(y) < key(x);
  });
}

std::string table_text(const Profile& p, const std::vector<TableRow>& rows, bool markdown) {
  std::string out;
  const char* cols[] = {"name", "kind", "output", "params", "madds", "mac", "time_ms", "madds_share",
                        "mac_share", "time_share"};
  auto line = [&](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) {
      if (markdown) out += "| ";
      else if (i > 0) out += ",";
      out += cells[i];
      if (markdown) out += " ";
    }
    out += markdown ? "|\n" : "\n";
  };
  line(std::vector<std::string>(std::begin(cols), std::end(cols)));
  if (markdown) line({"---", "---", "---", "---:", "---:", "---:", "---:", "---:", "---:", "---:"});
  auto frac = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4f", v);
    return std::string(buf);
  };
  for (const TableRow& r : rows) {
    std::vector<std::string> c = {r.name, r.kind, r.shape, std::to_string(r.params), std::to_string(r.madds),
                                  std::to_string(r.mac), ms_str(r.time_ms), frac(r.share_madds),
                                  frac(r.share_mac), frac(r.share_time)};
    line(c);
  }
  std::vector<std::string> total = {"total", "", dims_str(p.input), std::to_string(p.params), std::to_string(p.madds),
                                    std::to_string(p.mac), ms_str(p.time_ms), "1", "1", "1"};
  line(total);
  return out;
}

// [SECTION] categories

const char* const kCategories[10] = {"conv 1x1", "grouped 1x1", "depthwise", "conv kxk", "linear",
                                     "batchnorm", "relu", "element-wise", "data movement", "pool"};

CategorySummary summarize_categories(const Profile& p, const std::string& backend) {
  CategorySummary s;
  std::map<std::string, CategoryRow> by;
  for (const LayerCost& l : p.layers) {
    CategoryRow& r = by[l.category];
    r.category = l.category;
    r.layers += 1;
    r.madds += l.madds;
    r.mac += l.mac;
    r.time_ms += l.time_ms;
  }
  auto add = [&](CategoryRow r) {
    r.share_madds = share((double)r.madds, (double)p.madds);
    r.share_mac = share((double)r.mac, (double)p.mac);
    r.share_time = share(r.time_ms, p.time_ms);
    r.flops_blind = r.madds == 0;
    if (r.flops_blind) {
      s.blind_time_ms += r.time_ms;
      s.blind_time_share += r.share_time;
      s.blind_mac_share += r.share_mac;
    }
    s.rows.push_back(r);
  };
  for (const char* c : kCategories)
    if (by.count(c)) {
      add(by[c]);
      by.erase(c);
    }
  for (auto& [name, r] : by) add(r);  // a category nn/cost added later still shows
  std::string names;
  for (const CategoryRow& r : s.rows)
    if (r.flops_blind) {
      if (!names.empty()) names += ", ";
      names += r.category;
    }
  if (p.timed)
    s.line = pct(s.blind_time_share) + " of the measured time on " + backend + " (" + ms_str(s.blind_time_ms) +
             " of " + ms_str(p.time_ms) + " ms) goes to ops that FLOPs count as free: " + names + ". They do " +
             pct(s.blind_mac_share) + " of the memory access.";
  else
    s.line = "not timed: " + pct(s.blind_mac_share) + " of the memory access is in ops with 0 MAdds (" + names + ")";
  return s;
}

// [SECTION] compare

std::vector<CompareRow> compare_rows(const Profile& a, const Profile& b) {
  std::vector<CompareRow> rows;
  // Stages in a's forward order; a stage only b has goes after the one it follows in b.
  size_t after = 0;
  for (int side = 0; side < 2; ++side) {
    after = 0;
    for (const BlockCost& s : (side == 0 ? a : b).stages) {
      size_t at = 0;
      while (at < rows.size() && rows[at].name != s.name) ++at;
      if (at == rows.size()) {
        at = side == 0 ? rows.size() : std::min(after, rows.size());
        rows.insert(rows.begin() + (long)at, CompareRow());
        rows[at].name = s.name;
      }
      CompareRow& r = rows[at];
      r.params[side] = s.params;
      r.madds[side] = s.madds;
      r.mac[side] = s.mac;
      r.time_ms[side] = s.time_ms;
      r.in[side] = true;
      after = at + 1;
    }
  }
  CompareRow t;
  t.name = "total";
  const Profile* ps[2] = {&a, &b};
  for (int side = 0; side < 2; ++side) {
    t.params[side] = ps[side]->params;
    t.madds[side] = ps[side]->madds;
    t.mac[side] = ps[side]->mac;
    t.time_ms[side] = ps[side]->time_ms;
    t.in[side] = true;
  }
  rows.push_back(t);
  return rows;
}

std::string compare_line(const Profile& a, const Profile& b) {
  if (a.time_ms <= 0 || b.time_ms <= 0) return "not timed";
  const double d = b.time_ms - a.time_ms;
  const Profile& fast = d >= 0 ? a : b;
  const Profile& slow = d >= 0 ? b : a;
  char buf[320];
  std::snprintf(buf, sizeof buf, "%s is %s ms faster than %s (%s less time), with %s of its MAdds and %s of its MAC.",
                fast.model.c_str(), ms_str(std::fabs(d)).c_str(), slow.model.c_str(),
                pct(std::fabs(d) / slow.time_ms).c_str(), pct(share((double)fast.madds, (double)slow.madds)).c_str(),
                pct(share((double)fast.mac, (double)slow.mac)).c_str());
  return buf;
}

std::string compare_text(const Profile& a, const Profile& b, bool markdown) {
  std::string out;
  const std::string sep = markdown ? " | " : ",";
  auto line = [&](const std::vector<std::string>& c) {
    if (markdown) out += "| ";
    for (size_t i = 0; i < c.size(); ++i) {
      if (i) out += sep;
      out += c[i];
    }
    out += markdown ? " |\n" : "\n";
  };
  line({"stage", a.model + " madds", b.model + " madds", a.model + " mac", b.model + " mac", a.model + " time_ms",
        b.model + " time_ms"});
  if (markdown) line({"---", "---:", "---:", "---:", "---:", "---:", "---:"});
  for (const CompareRow& r : compare_rows(a, b)) {
    auto cell = [&](int side, int64_t v) { return r.in[side] ? std::to_string(v) : std::string(); };
    line({r.name, cell(0, r.madds[0]), cell(1, r.madds[1]), cell(0, r.mac[0]), cell(1, r.mac[1]),
          r.in[0] ? ms_str(r.time_ms[0]) : "", r.in[1] ? ms_str(r.time_ms[1]) : ""});
  }
  return out;
}

// [SECTION] format

std::string si(double v) {
  const double a = std::fabs(v);
  char buf[32];
  if (a >= 1e9) std::snprintf(buf, sizeof buf, "%.2fG", v / 1e9);
  else if (a >= 1e6) std::snprintf(buf, sizeof buf, "%.2fM", v / 1e6);
  else if (a >= 1e4) std::snprintf(buf, sizeof buf, "%.1fK", v / 1e3);
  else std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

std::string grouped(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (v < 0 ? "-" : "") + out;
}

std::string ms_str(double t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", t);
  return buf;
}

std::string pct(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, s > 0 && s < 0.001 ? "%.2f%%" : "%.1f%%", 100.0 * s);
  return buf;
}

std::string dims_str(const Shape& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) out += 'x';
    out += std::to_string(s[i]);
  }
  return out;
}

// [SECTION] state

void BlocksState::request() {
  if (submitted_any_ && job == last_submitted_) return;
  submitted = worker.submit(job);
  last_submitted_ = job;
  submitted_any_ = true;
}

void BlocksState::remeasure() {
  submitted = worker.submit(job);
  last_submitted_ = job;
  submitted_any_ = true;
}

bool BlocksState::update() {
  BlocksResult r;
  if (!worker.poll(&r)) return false;
  const bool same_model = have_result && r.error.empty() && shown.error.empty() &&
                          r.job.a.model_name() == shown.job.a.model_name() && r.job.a.imagenet == shown.job.a.imagenet;
  shown = std::move(r);
  have_result = true;
  if (!shown.error.empty()) return true;
  if (!same_model) {  // a new network: its own default unit, nothing selected
    selected_first = -1;
    selected_count = 0;
    pick_default_unit();
  }
  return true;
}

void BlocksState::select_layers(int first, int count) {
  selected_first = first;
  selected_count = count;
  scroll_to_selection = true;
}

void BlocksState::pick_default_unit() {
  const Profile& p = shown.a;
  const bool v1 = shown.job.a.version == 1;
  figure = v1 ? UnitFigure::v1_b : UnitFigure::v2_c;
  unit_block = -1;
  const std::vector<int> units = unit_blocks(p, figure);
  for (int b : units)
    if (p.blocks[(size_t)b].name.rfind("stage3.", 0) == 0) {
      unit_block = b;
      break;
    }
  if (unit_block < 0 && !units.empty()) unit_block = units.front();
}

}  // namespace sl::viz
