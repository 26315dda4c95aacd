// viz/guidelines/guidelines_state.cpp - the Guidelines panel's worker and chart numbers.
// One job at a time runs on a std::thread; it reports progress under a mutex and checks a
// cancel flag between timed passes (nn/guidelines.h). The UI thread calls poll() each frame
// and never waits, except wait() for headless screenshots. Not here: drawing.
#include "viz/guidelines/guidelines_state.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <utility>

#include <omp.h>

namespace sl::viz {

const char* guidelines_view_name(GuidelinesView v) {
  static const char* names[] = {"G1", "G2", "G3", "G4", "Zero-copy"};
  return names[(int)v];
}

bool guidelines_view_from_name(const std::string& name, GuidelinesView* out) {
  auto lower = [](std::string s) {
    for (char& ch : s) ch = (char)std::tolower((unsigned char)ch);
    return s;
  };
  for (int i = 0; i < kGuidelinesViews; ++i)
    if (lower(name) == lower(guidelines_view_name((GuidelinesView)i))) {
      *out = (GuidelinesView)i;
      return true;
    }
  return false;
}

// [SECTION] worker

struct GuidelinesState::Worker {
  std::thread thread;
  std::atomic<bool> cancel{false};
  mutable std::mutex mu;
  // Guarded by mu: written by the job, read by the UI.
  double progress = 0;
  std::string text;
  bool done = false;
  std::string error;
  GuidelinesJob job;
  GuidelinesReport report;
  GuidelineRow row;
};

GuidelinesState::GuidelinesState() = default;

GuidelinesState::~GuidelinesState() {
  if (w_ && w_->thread.joinable()) {
    w_->cancel = true;
    w_->thread.join();
  }
}

bool GuidelinesState::running() const { return w_ != nullptr; }

double GuidelinesState::progress() const {
  if (!w_) return 0;
  std::lock_guard<std::mutex> lock(w_->mu);
  return w_->progress;
}

std::string GuidelinesState::progress_text() const {
  if (!w_) return "";
  std::lock_guard<std::mutex> lock(w_->mu);
  return w_->text;
}

bool GuidelinesState::start(GuidelinesJob job) {
  if (w_) return false;
  error_.clear();
  w_ = std::make_unique<Worker>();
  w_->job = std::move(job);
  Worker* w = w_.get();
  w->thread = std::thread([w] {
    GuidelinesJob j = w->job;
    try {
      if (j.kind == GuidelinesJob::Kind::run) {
        j.opt.cancel = &w->cancel;
        j.opt.progress = [w](double f, const std::string& what) {
          std::lock_guard<std::mutex> lock(w->mu);
          w->progress = f;
          w->text = what;
        };
        GuidelinesReport rep = run_guidelines(j.opt);
        std::lock_guard<std::mutex> lock(w->mu);
        w->report = std::move(rep);
      } else {
        if (j.opt.threads > 0) omp_set_num_threads(j.opt.threads);  // this thread's OpenMP teams;
        {
          std::lock_guard<std::mutex> lock(w->mu);
          w->text = "timing " + j.point.label;
        }
        GuidelineRow row = measure_config(j.point, j.opt.device, j.warmup, j.repeats, &w->cancel);
        std::lock_guard<std::mutex> lock(w->mu);
        w->row = std::move(row);
      }
    } catch (const std::exception& e) {
      std::lock_guard<std::mutex> lock(w->mu);
      w->error = e.what();
    }
    std::lock_guard<std::mutex> lock(w->mu);
    w->progress = 1;
    w->done = true;
  });
  return true;
}

void GuidelinesState::cancel() {
  if (w_) w_->cancel = true;
}

void GuidelinesState::wait() {
  if (w_ && w_->thread.joinable()) w_->thread.join();
  poll();
}

void GuidelinesState::poll() {
  if (!w_) return;
  {
    std::lock_guard<std::mutex> lock(w_->mu);
    if (!w_->done) return;
  }
  if (w_->thread.joinable()) w_->thread.join();
  Worker& w = *w_;
  error_ = w.error;
  const bool cancelled = w.cancel.load();
  if (error_.empty() && w.job.kind == GuidelinesJob::Kind::run) {
    const GuidelinesReport& r = w.report;
    // A cancelled run keeps the tables it finished (every row timed), drops the partial one.
    for (const GuidelineTable& t : r.tables) {
      const bool complete = std::all_of(t.rows.begin(), t.rows.end(),
                                        [](const GuidelineRow& x) { return x.per_s > 0; });
      if (!t.rows.empty() && complete) {
        tables[(int)t.guideline] = t;
        table_device[(int)t.guideline] = w.job.opt.device;
      }
    }
    if (r.has_zero_copy) zero_copy = r.zero_copy;
    last_run =
        str_cat(r.device, ", ", r.threads, r.threads == 1 ? " thread" : " threads", ", batch ",
                r.batch, ", ", r.precise ? "precise" : "quick", r.cancelled ? " (cancelled)" : "");
  } else if (error_.empty() && !cancelled && w.row.per_s > 0) {
    if (w.job.kind == GuidelinesJob::Kind::g1_point) {  // sorted by c2 / c1
      g1_points.push_back(w.row);
      std::sort(g1_points.begin(), g1_points.end(),
                [](const GuidelineRow& a, const GuidelineRow& b) {
                  return a.config.c2 * b.config.c1 < b.config.c2 * a.config.c1;
                });
    } else {  // sorted by g
      g2_points.push_back(w.row);
      std::sort(g2_points.begin(), g2_points.end(),
                [](const GuidelineRow& a, const GuidelineRow& b) {
                  return a.config.groups < b.config.groups;
                });
    }
  }
  w_.reset();
}

bool GuidelinesState::start_run(bool all) {
  GuidelinesJob job;
  job.opt.device = device;
  job.opt.threads = threads;
  job.opt.precise = precise;
  job.opt.batch = batch;
  if (!all) {
    if (view == GuidelinesView::zero_copy) {
      job.opt.tables = false;
    } else {
      job.opt.only = {(Guideline)view};
      job.opt.zero_copy = false;
    }
  }
  return start(job);
}

bool GuidelinesState::start_g1_point(double ratio) {
  GuidelineConfig c = guideline_configs(Guideline::g1, device, 0, batch)[0];
  const G1Point p = g1_point(ratio, c.hw, c.hw * c.hw * c.c1 * c.c2);
  c.label = str_cat("1:", ratio);
  c.c1 = p.c1;
  c.c2 = p.c2;
  GuidelinesJob job;
  job.kind = GuidelinesJob::Kind::g1_point;
  job.opt.device = device;
  job.opt.threads = threads;
  job.point = c;
  return start(job);
}

bool GuidelinesState::start_g2_point(int groups) {
  GuidelineConfig c = guideline_configs(Guideline::g2, device, 0, batch)[0];
  const G2Point p = g2_point(groups, c.hw, c.hw * c.hw * c.c1 * c.c1);
  c.label = str_cat("g=", groups);
  c.groups = groups;
  c.c1 = c.c2 = p.c;
  GuidelinesJob job;
  job.kind = GuidelinesJob::Kind::g2_point;
  job.opt.device = device;
  job.opt.threads = threads;
  job.point = c;
  return start(job);
}

// [SECTION] chart numbers

std::vector<std::string> table_widths(const GuidelineTable& t) {
  std::vector<std::string> out;
  for (const GuidelineRow& r : t.rows)
    if (std::find(out.begin(), out.end(), r.config.width) == out.end())
      out.push_back(r.config.width);
  return out;
}

std::string bar_label(const GuidelineConfig& c) {
  switch (c.guideline) {
    case Guideline::g3:
      return c.fragments == 1 ? "1" : str_cat(c.fragments, c.parallel ? " par." : " ser.");
    case Guideline::g4:
      return c.relu && c.shortcut ? "ReLU+add" : c.relu ? "ReLU" : c.shortcut ? "add" : "none";
    default: return c.label;
  }
}

std::vector<BarRow> bar_rows(const GuidelineTable& t, const std::string& width) {
  std::vector<BarRow> out;
  for (const GuidelineRow& r : t.rows)
    if (r.config.width == width)
      out.push_back(
          {bar_label(r.config), r.measured_norm, r.paper_arm_norm, r.paper_gpu_norm, r.trend});
  return out;
}

std::vector<G1CurvePoint> g1_curve(int64_t hw, int64_t madds_budget, int points) {
  std::vector<G1CurvePoint> out;
  for (int i = 0; i < points; ++i) {
    const double ratio = std::pow(2.0, -4.0 + 8.0 * i / double(points - 1));  // 1/16 .. 16
    const G1Point p = g1_point(ratio, hw, madds_budget);
    // The bound at the budget itself, so the curve touches it at c1 = c2.
    out.push_back({ratio, double(p.mac), g1_mac_lower_bound(hw, double(madds_budget))});
  }
  return out;
}

const char* g3_cpu_gpu_note() {
  return "A GPU runs one kernel at a time across thousands of threads: a small 1x1 convolution "
         "cannot fill it, and every extra fragment adds a launch and a synchronisation, so 4 "
         "fragments run at a fraction of 1 fragment's speed (paper, GPU column).\n\n"
         "A CPU core runs one op at a time anyway: there is little parallelism to lose, and the "
         "cost of a fragment is its op call (allocation, dispatch, OpenMP fork/join) plus the "
         "extra memory traffic of smaller matrices. On the paper's ARM core 4 fragments in "
         "series cost only 4% (Table 3); ShuffleLab's per-op overhead and its OpenMP teams make "
         "the gap larger or smaller depending on the thread count.";
}

}  // namespace sl::viz
