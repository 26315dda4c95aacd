// viz/shuffle_state.cpp - turns the shuffle trace (nn/shuffle_trace.h) into what the
// panel draws: each step's buffer and grid, the position formulas the panel animates
// with, Fig. 1's connectivity and the animation timeline. No ImGui here:
// tests/viz/test_viz_state.cpp runs it without a window.
#include "viz/shuffle_state.h"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace sl::viz {

// [SECTION] the model: real tensors from core ops

namespace {

std::vector<float> storage_of(const Tensor& t) {
  const Storage& s = *t.impl()->storage;
  return std::vector<float>(s.data, s.data + s.numel);
}

// "(1, 3, 4, 2, 2)".
std::string join(const Shape& s, char open, char close) {
  std::string out(1, open);
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(s[i]);
  }
  out += close;
  return out;
}

}  // namespace

ShuffleConfig article_example() { return ShuffleConfig{}; }

void check_config(const ShuffleConfig& cfg) {
  SL_CHECK_USAGE(cfg.C >= 2 && cfg.C <= kMaxChannels, "shuffle panel: C = ", cfg.C,
                 " is outside 2..", kMaxChannels);
  SL_CHECK_USAGE(cfg.g >= 1 && cfg.C % cfg.g == 0, "shuffle panel: G = ", cfg.g,
                 " does not divide C = ", cfg.C, " (choose G among the divisors of C)");
  SL_CHECK_USAGE(cfg.N >= 1 && cfg.N <= kMaxBatch, "shuffle panel: N = ", cfg.N, " is outside 1..",
                 kMaxBatch);
  SL_CHECK_USAGE(cfg.H >= 1 && cfg.H <= kMaxSide && cfg.W >= 1 && cfg.W <= kMaxSide,
                 "shuffle panel: H x W = ", cfg.H, " x ", cfg.W, " is outside 1..", kMaxSide,
                 " for each side");
}

ShuffleModel build_shuffle_model(const ShuffleConfig& cfg) {
  check_config(cfg);
  NoGradGuard no_grad;
  const ShuffleExample ex{.N = cfg.N, .C = cfg.C, .G = cfg.g, .H = cfg.H, .W = cfg.W};
  const int C = cfg.C, G = cfg.g, Cg = C / G;
  ShuffleModel m;
  m.cfg = cfg;
  m.HW = int64_t(cfg.H) * cfg.W;

  // The trace: x's every element of channel c holds c, so a value names its channel.
  const Tensor x = channel_labels(ex);
  const ShuffleTrace tr = trace_channel_shuffle(x, G);
  const int rows[kShuffleSteps] = {1, G, Cg, Cg, 1}, cols[kShuffleSteps] = {C, Cg, G, G, C};
  for (int k = 0; k < kShuffleSteps; ++k) {
    const ShuffleTraceStep& t = tr.steps[k];
    ShuffleStep s;
    s.op = t.op;
    s.code = t.code;
    s.code_values = t.code_values;
    s.tensor = t.tensor;
    s.shape = t.tensor.shape();
    s.strides = t.tensor.strides();
    s.offset = t.tensor.offset();
    s.contiguous = t.tensor.is_contiguous();
    s.shares_input_storage = t.shares_input_storage;
    s.copies = t.copies;
    s.bytes = t.bytes;
    s.storage = storage_of(t.tensor);
    s.values = t.tensor.to_vector();
    s.grid_rows = rows[k];
    s.grid_cols = cols[k];
    m.steps.push_back(std::move(s));
  }
  for (int64_t j : tr.order[0]) m.order.push_back((int)j);
  m.matches_core_op = tr.matches_core_op;
  m.read_path = tr.read_path;
  for (size_t i = 0; i < tr.read_path.size(); i += m.HW)
    m.read_runs.push_back(int(tr.read_path[i] / m.HW));
  m.view_error = tr.view_error;
  // Shuffling with C/G groups undoes a shuffle with G groups: a transpose of a
  // G x C/G grid is undone by the transpose of the C/G x G grid.
  std::vector<float> twice = channel_shuffle(channel_shuffle(x, G), Cg).to_vector();
  for (int64_t j = 0; j < C; ++j) m.inverse.push_back((int)twice[j * m.HW]);
  return m;
}

std::string tuple_str(const Shape& s) { return join(s, '(', ')'); }

std::string steps_table(const ShuffleModel& m, bool markdown) {
  std::string out = markdown
                        ? "| step | op | code | shape | strides | contiguous | bytes copied |\n"
                          "|---:|---|---|---|---|---|---:|\n"
                        : "step,op,code,shape,strides,contiguous,bytes_copied\n";
  for (size_t k = 0; k < m.steps.size(); ++k) {
    const ShuffleStep& s = m.steps[k];
    const std::string cells[] = {std::to_string(k),      s.op,
                                 s.code_values,          tuple_str(s.shape),
                                 tuple_str(s.strides),   s.contiguous ? "yes" : "no",
                                 std::to_string(s.bytes)};
    for (size_t i = 0; i < std::size(cells); ++i) {
      const bool quoted = i >= 2 && i <= 4;  // code, shape, strides
      if (markdown) {
        out += i ? " " : "| ";
        out += quoted ? "`" + cells[i] + "`" : cells[i];
        out += " |";
      } else {
        if (i) out += ",";
        out += quoted ? "\"" + cells[i] + "\"" : cells[i];
      }
    }
    out += "\n";
  }
  return out;
}

std::vector<int> divisors(int C) {
  std::vector<int> d;
  for (int k = 1; k <= C; ++k)
    if (C % k == 0) d.push_back(k);
  return d;
}

int closest_divisor(int C, int g) {
  int best = 1;
  for (int d : divisors(C))
    if (std::abs(d - g) < std::abs(best - g)) best = d;
  return best;
}

// [SECTION] positions: where input channel c sits at each step

int group_of(const ShuffleConfig& cfg, int c) { return c / (cfg.C / cfg.g); }

// After the shuffle, input channel c = i_group * C/G + i_inner lands at j = i_inner * G + i_group.
static int shuffled_position(const ShuffleConfig& cfg, int c) {
  const int Cg = cfg.C / cfg.g;
  return (c % Cg) * cfg.g + c / Cg;
}

GridCell channel_cell(const ShuffleConfig& cfg, int step, int c) {
  const int Cg = cfg.C / cfg.g;
  switch (step) {
    case 0: return {0, c};
    case 1: return {c / Cg, c % Cg};  // [G, C/G]: row = group
    case 2:
    case 3: return {c % Cg, c / Cg};  // [C/G, G]: the transposed grid
    default: return {0, shuffled_position(cfg, c)};
  }
}

int channel_slot(const ShuffleConfig& cfg, int step, int c) {
  // Steps 0-2 read x's buffer, untouched; steps 3-4 read the buffer contiguous() wrote.
  return step <= 2 ? c : shuffled_position(cfg, c);
}

std::vector<int> drawn_order(const ShuffleConfig& cfg, int step) {
  const int Cg = cfg.C / cfg.g;
  const int cols = (step == 0 || step == 4) ? cfg.C : (step == 1 ? Cg : cfg.g);
  std::vector<int> order(cfg.C, -1);
  for (int c = 0; c < cfg.C; ++c) {
    GridCell cell = channel_cell(cfg, step, c);
    order[cell.row * cols + cell.col] = c;
  }
  return order;
}

int64_t logical_index(const ShuffleModel& m, int step, int n, GridCell cell, int64_t hw) {
  const ShuffleStep& s = m.steps[step];
  return ((int64_t(n) * s.grid_rows + cell.row) * s.grid_cols + cell.col) * m.HW + hw;
}

// [SECTION] Fig. 1: which input groups reach each output channel

std::vector<std::vector<int>> fig1_reach(const ShuffleConfig& cfg, const std::vector<int>& order,
                                         bool shuffle) {
  const int C = cfg.C, Cg = C / cfg.g;
  std::vector<std::vector<int>> reach(C);
  for (int o = 0; o < C; ++o) {
    const int k = o / Cg;  // GConv2 group of output o: it reads input slots k*C/G .. (k+1)*C/G-1
    std::vector<bool> seen(cfg.g, false);
    for (int j = k * Cg; j < (k + 1) * Cg; ++j) {
      const int mid = shuffle ? order[j] : j;  // GConv1 output channel in slot j
      seen[mid / Cg] = true;                   // GConv1 output mid saw only input group mid/Cg
    }
    for (int q = 0; q < cfg.g; ++q)
      if (seen[q]) reach[o].push_back(q);
  }
  return reach;
}

// [SECTION] the animation clock

float ease(float f) {
  f = std::clamp(f, 0.f, 1.f);
  return f * f * (3.f - 2.f * f);
}

StepBlend blend_at(float t) {
  t = std::clamp(t, 0.f, float(kShuffleSteps - 1));
  int from = std::min((int)std::floor(t), kShuffleSteps - 2);
  return {from, from + 1, ease(t - from)};
}

void ShuffleClock::update(float dt) {
  const float last = float(stops - 1);
  if (playing) {
    if (rest > 0.f) {
      rest -= dt;
      return;
    }
    const float next = std::floor(t + 1e-4f) + 1.f;
    t = std::min(t + dt * speed, next);
    if (t >= next - 1e-4f) {
      t = next;
      rest = 0.6f / speed;  // linger on each step long enough to read it
    }
    target = t;
    if (t >= last) playing = false;
    return;
  }
  // Glide toward the target at a steady pace; the panel eases within each step.
  const float d = target - t, move = dt * std::max(2.5f * speed, 1.f);
  t = std::fabs(d) <= move ? target : t + (d > 0 ? move : -move);
}

void ShuffleClock::toggle_play() {
  if (!playing && t >= stops - 1 - 1e-3f) t = target = 0.f;
  playing = !playing;
  rest = 0.f;
}

void ShuffleClock::step(int delta) {
  playing = false;
  const float base = delta > 0 ? std::floor(target + 1e-3f) : std::ceil(target - 1e-3f);
  target = std::clamp(base + float(delta), 0.f, float(stops - 1));
}

void ShuffleClock::go_to(int s) {
  playing = false;
  target = float(std::clamp(s, 0, stops - 1));
}

void ShuffleClock::scrub(float s) {
  playing = false;
  t = target = std::clamp(s, 0.f, float(stops - 1));
}

int ShuffleClock::nearest() const { return std::clamp((int)std::lround(t), 0, stops - 1); }

// With the failing-view stop: stops 0 1 2 [fail] 3 4 are steps 0 1 2 2 3 4.
float step_time(float t, bool fail_stop) {
  if (!fail_stop || t <= 2.f) return t;
  return t <= 3.f ? 2.f : t - 1.f;
}

float stop_time(float step_t, bool fail_stop) {
  return !fail_stop || step_t <= 2.f ? step_t : step_t + 1.f;
}

int step_of_stop(int stop, bool fail_stop) {
  return !fail_stop || stop < kFailStop ? stop : stop - 1;
}

// [SECTION] panel state

ShuffleState::ShuffleState() : model(build_shuffle_model(cfg)) {
  clock.stops = kShuffleSteps + (fail_stop ? 1 : 0);
}

void ShuffleState::show_fail_stop(bool on) {
  if (on == fail_stop) return;
  const float st = step_time(clock.t, fail_stop), target = step_time(clock.target, fail_stop);
  fail_stop = on;
  clock.stops = kShuffleSteps + (on ? 1 : 0);
  clock.t = stop_time(st, on);
  clock.target = stop_time(target, on);
}

void ShuffleState::configure(const ShuffleConfig& next) {
  ShuffleConfig c = next;
  c.C = std::clamp(c.C, 2, kMaxChannels);
  c.g = closest_divisor(c.C, c.g);
  c.N = std::clamp(c.N, 1, kMaxBatch);
  c.H = std::clamp(c.H, 1, kMaxSide);
  c.W = std::clamp(c.W, 1, kMaxSide);
  cfg = c;
  model = build_shuffle_model(cfg);
  if (selected >= cfg.C) selected = -1;
  if (selected_n >= cfg.N) selected_n = 0;
}

}  // namespace sl::viz
