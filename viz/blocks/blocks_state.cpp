// viz/blocks/blocks_state.cpp - the Blocks panel's window-free model: the configuration,
// the profiling job (a real model, nn/cost's profile() with timing) and the worker thread
// that runs it off the UI thread, and BlocksState. The table, categories, comparison and
// exports are in blocks_rows.cpp; the unit graphs and the article's formulas in
// blocks_graph.cpp. Not here: drawing (panel_blocks*.cpp).
//
// [SECTION] index
//   config      model names, cores
//   job         run_blocks_job: build, move to the backend, profile with timing
//   worker      one thread, latest request wins
//   state       BlocksState
#include "viz/blocks/blocks_state.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

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
  return version == 1 ? "v1-g" + std::to_string(groups) + "-" + scale_str(scale)
                      : "v2-" + scale_str(scale);
}
std::string BlocksConfig::variant() const { return imagenet ? "imagenet" : "cifar"; }
std::string BlocksConfig::backend() const {
  if (device == Device::cuda) return "CUDA";
  const int t = threads > 0 ? threads : cpu_cores();
  return "CPU, " + std::to_string(t) + (t == 1 ? " thread" : " threads");
}

void set_model_name(BlocksConfig& cfg, const std::string& name) {
  const ModelConfig m =
      parse_model_name(name, "cifar");  // throws UsageError with the names that exist
  cfg.version = m.version;
  cfg.groups = m.version == 1 ? m.groups : cfg.groups;
  cfg.scale = m.width;
}

int cpu_cores() { return std::max(1, omp_get_num_procs()); }

// [SECTION] job

static Profile profile_one(const BlocksConfig& c, int repeats) {
  SL_CHECK_USAGE(c.batch >= 1 && c.batch <= 256, "batch must be 1..256, got ", c.batch);
  const std::string why = device_unavailable_reason(c.device);  // core/backend.h
  SL_CHECK(why.empty(), why);
  // Sets this (worker) thread's OpenMP team size only; the UI thread keeps its own.
  omp_set_num_threads(c.threads > 0 ? c.threads : cpu_cores());
  const std::string name = c.model_name();
  std::unique_ptr<Module> model = make_model(name, c.variant());
  model->to(c.device);
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
  return idle_cv_.wait_for(lock, std::chrono::duration<double>(seconds),
                           [&] { return !has_job_ && !running_; });
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
                          r.job.a.model_name() == shown.job.a.model_name() &&
                          r.job.a.imagenet == shown.job.a.imagenet;
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
