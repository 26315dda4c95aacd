// tests/viz/test_viz_state.cpp - the Shuffle panel's model without a window: what the
// panel draws at each step (channel_cell, channel_slot, drawn_order, the read path of
// step 2) must be what the core tensors hold, for every divisor G of several C, N = 1
// and 2; the article's example is the default; extreme settings must build; shuffling
// with C/G undoes a shuffle with G; Fig. 1's connectivity; the animation timeline; the
// settings file. The app itself is tested under Xvfb (tests/viz/screenshots.cmake).
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <numeric>

#include "tests/helpers.h"
#include "viz/settings.h"
#include "viz/shuffle_state.h"

using namespace sl;
using namespace sl::viz;

namespace {

// Checks every step of one configuration: grid and buffer positions against the tensors.
void check_model(const ShuffleConfig& cfg) {
  CAPTURE(cfg.C);
  CAPTURE(cfg.g);
  CAPTURE(cfg.N);
  CAPTURE(cfg.H);
  CAPTURE(cfg.W);
  const ShuffleModel m = build_shuffle_model(cfg);
  REQUIRE(m.steps.size() == (size_t)kShuffleSteps);
  const int C = cfg.C, G = cfg.g, Cg = C / G, N = cfg.N, HW = cfg.H * cfg.W;
  const bool moves = G > 1 && G < C;  // G = 1 or C: the transpose swaps a dim of size 1
  for (int k = 0; k < kShuffleSteps; ++k) {
    CAPTURE(k);
    const ShuffleStep& st = m.steps[k];
    REQUIRE(st.grid_rows * st.grid_cols == C);
    REQUIRE((int64_t)st.values.size() == (int64_t)N * C * HW);
    // The order the panel draws the grid in is the order of the tensor's logical data.
    const std::vector<int> order = drawn_order(cfg, k);
    std::vector<int> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    std::vector<int> iota(C);
    std::iota(iota.begin(), iota.end(), 0);
    REQUIRE(sorted == iota);  // every channel drawn exactly once
    for (int n = 0; n < N; ++n)
      for (int idx = 0; idx < C; ++idx) {
        const int c = order[idx];
        const GridCell cell = channel_cell(cfg, k, c);
        REQUIRE(cell.row * st.grid_cols + cell.col == idx);
        for (int hw = 0; hw < HW; ++hw)
          REQUIRE(st.values[logical_index(m, k, n, cell, hw)] == (float)c);
      }
    // The buffer strip: channel c's run of H*W floats sits at slot channel_slot(k, c).
    for (int n = 0; n < N; ++n)
      for (int c = 0; c < C; ++c)
        for (int hw = 0; hw < HW; ++hw)
          REQUIRE(st.storage[size_t(n * C + channel_slot(cfg, k, c)) * HW + hw] == (float)c);
  }
  // What each step did to memory.
  CHECK(m.steps[1].shape == Shape{N, G, Cg, cfg.H, cfg.W});
  CHECK(m.steps[2].shape == Shape{N, Cg, G, cfg.H, cfg.W});
  CHECK(m.steps[2].strides[1] == m.steps[1].strides[2]);  // transpose swaps strides
  CHECK(m.steps[2].strides[2] == m.steps[1].strides[1]);
  for (int k = 0; k <= 2; ++k) CHECK(m.steps[k].shares_input_storage);
  for (int k : {0, 1, 2, 4}) CHECK(m.steps[k].bytes == 0);
  CHECK(m.steps[2].contiguous == !moves);
  CHECK(m.steps[3].contiguous);
  CHECK(m.steps[3].bytes == (moves ? int64_t(N) * C * HW * 4 : 0));
  CHECK(m.steps[3].shares_input_storage == !moves);
  CHECK(m.steps[4].shape == Shape{N, C, cfg.H, cfg.W});
  // The result: order[j] = (j mod G) * C/G + j / G, equal to sl::channel_shuffle.
  for (int j = 0; j < C; ++j) REQUIRE(m.order[j] == (j % G) * Cg + j / G);
  CHECK(m.matches_core_op);
  // The inverse: shuffle(shuffle(x, G), C/G) = x.
  for (int j = 0; j < C; ++j) REQUIRE(m.inverse[j] == j);

  // Step 2's read path is computed from t's strides: offset = sum index * stride ...
  const Shape& sh = m.steps[2].shape;
  const Shape& sd = m.steps[2].strides;
  REQUIRE((int64_t)m.read_path.size() == (int64_t)N * C * HW);
  size_t i = 0;
  for (int64_t n = 0; n < sh[0]; ++n)
    for (int64_t a = 0; a < sh[1]; ++a)
      for (int64_t b = 0; b < sh[2]; ++b)
        for (int64_t h = 0; h < sh[3]; ++h)
          for (int64_t w = 0; w < sh[4]; ++w)
            REQUIRE(m.read_path[i++] == n * sd[0] + a * sd[1] + b * sd[2] + h * sd[3] + w * sd[4]);
  // ... and it is the element order contiguous() writes: with x = 0, 1, 2, ... every
  // value is its own offset, so y must hold the path itself.
  const Tensor xa = Tensor::arange(int64_t(N) * C * HW).view({N, C, cfg.H, cfg.W});
  const std::vector<float> ya =
      xa.view({N, G, Cg, cfg.H, cfg.W}).transpose(1, 2).contiguous().to_vector();
  for (size_t e = 0; e < ya.size(); ++e) REQUIRE(ya[e] == (float)m.read_path[e]);
  // The hops join channel runs: read n*C + j takes run n*C + order[j], sample by sample.
  REQUIRE((int)m.read_runs.size() == N * C);
  for (int n = 0; n < N; ++n)
    for (int j = 0; j < C; ++j) REQUIRE(m.read_runs[n * C + j] == n * C + m.order[j]);

  // The view without contiguous(): the library's own message, word for word.
  std::string msg;
  try {
    (void)m.steps[2].tensor.view({N, -1, cfg.H, cfg.W});
  } catch (const Error& e) {
    msg = e.what();
  }
  CHECK(m.view_error == msg);
  CHECK(m.view_error.empty() == !moves);
  if (moves) CHECK(m.view_error.find("call contiguous() first") != std::string::npos);
}

}  // namespace

TEST_CASE("viz: every drawn step matches the core tensors, all divisors, N = 1 and 2") {
  for (int C : {2, 6, 12, 24, 64})
    for (int g : divisors(C))
      for (int N : {1, 2}) check_model({.C = C, .g = g, .N = N, .H = 1, .W = 1});
  for (int g : divisors(12)) check_model({.C = 12, .g = g, .N = 2, .H = 3, .W = 3});
  for (int g : divisors(12)) check_model({.C = 12, .g = g, .N = 2, .H = 1, .W = 4});
}

TEST_CASE("viz: the article's example is the default and gives its order in every sample") {
  const ShuffleState s;
  CHECK(s.cfg == article_example());
  CHECK(s.cfg.N == 2);
  CHECK(s.cfg.C == 4);
  CHECK(s.cfg.g == 2);
  CHECK(s.cfg.H == 2);
  CHECK(s.cfg.W == 2);
  const ShuffleModel& m = s.model;
  CHECK(m.steps[0].shape == Shape{2, 4, 2, 2});
  CHECK(m.steps[2].strides == Shape{16, 4, 8, 2, 1});
  CHECK(m.order == std::vector<int>{0, 2, 1, 3});
  // Output channel j of sample n holds input channel order[j] in all its H*W floats.
  const std::vector<float>& out = m.steps[4].values;
  for (int n = 0; n < 2; ++n)
    for (int j = 0; j < 4; ++j)
      for (int hw = 0; hw < 4; ++hw) REQUIRE(out[(n * 4 + j) * 4 + hw] == (float)m.order[j]);
  // The read path of step 2, channel run by run: 0 8 4 12 | 16 24 20 28 (float offsets).
  CHECK(m.read_runs == std::vector<int>{0, 2, 1, 3, 4, 6, 5, 7});
  CHECK(m.steps[3].bytes == 2 * 4 * 2 * 2 * 4);
  CHECK(m.view_error ==
        "view: (2,2,2,2,2) with strides (16,4,8,2,1) cannot be viewed as (2,4,2,2) without a "
        "copy; call contiguous() first or use reshape()");
}

TEST_CASE("viz: the timeline with and without the failing-view stop") {
  ShuffleState s;
  REQUIRE(s.fail_stop);
  CHECK(s.clock.stops == kShuffleSteps + 1);
  // stops 0 1 2 [fail] 3 4 are steps 0 1 2 2 3 4
  const int steps_of[] = {0, 1, 2, 2, 3, 4};
  for (int k = 0; k < 6; ++k) CHECK(step_of_stop(k, true) == steps_of[k]);
  for (int k = 0; k < 5; ++k) CHECK(step_of_stop(k, false) == k);
  CHECK(step_time(2.5f, true) == 2.f);   // between 2 and the failing view nothing moves
  CHECK(step_time(3.5f, true) == 2.5f);  // halfway through the copy
  CHECK(step_time(3.5f, false) == 3.5f);
  CHECK(stop_time(2.5f, true) == 3.5f);
  s.clock.go_to(kFailStop);
  for (int i = 0; i < 200; ++i) s.clock.update(0.05f);
  CHECK(s.at_fail());
  CHECK(s.step_now() == 2);
  s.clock.scrub(4.f);  // step 3 with the stop
  s.show_fail_stop(false);
  CHECK(s.clock.stops == kShuffleSteps);
  CHECK(s.clock.t == 3.f);  // still step 3
  CHECK_FALSE(s.at_fail());
  s.show_fail_stop(true);
  CHECK(s.clock.t == 4.f);
  s.clock.go_to(99);
  CHECK(s.clock.target == 5.f);  // the last stop
}

TEST_CASE("viz: extreme settings build without trouble") {
  check_model({.C = 64, .g = 64, .N = 1, .H = 1, .W = 1});
  check_model({.C = 64, .g = 1, .N = 1, .H = 1, .W = 1});
  check_model({.C = 64, .g = 2, .N = 2, .H = 4, .W = 4});
  check_model({.C = 64, .g = 64, .N = 2, .H = 4, .W = 4});
  check_model({.C = 2, .g = 2, .N = 2, .H = 4, .W = 4});
  CHECK_THROWS_AS(build_shuffle_model({.C = 12, .g = 5}), UsageError);
  CHECK_THROWS_AS(build_shuffle_model({.C = 65, .g = 1}), UsageError);
  CHECK_THROWS_AS(build_shuffle_model({.C = 12, .g = 3, .N = 3}), UsageError);
  CHECK_THROWS_AS(build_shuffle_model({.C = 12, .g = 3, .N = 1, .H = 5}), UsageError);
  CHECK_THROWS_AS(build_shuffle_model({.C = 12, .g = 3, .N = 1, .H = 2, .W = 0}), UsageError);

  ShuffleState s;  // the panel clamps instead of throwing
  s.selected = 11;
  s.configure({.C = 100, .g = 7, .N = 5, .H = 9, .W = 0});
  CHECK(s.cfg.C == 64);
  CHECK(s.cfg.g == 8);  // the divisor of 64 nearest 7
  CHECK(s.cfg.N == 2);
  CHECK(s.cfg.H == 4);
  CHECK(s.cfg.W == 1);
  CHECK(s.selected == 11);
  s.configure({.C = 6, .g = 5, .N = 1, .H = 1, .W = 1});
  CHECK(s.cfg.g == 6);
  CHECK(s.selected == -1);  // channel 11 no longer exists
  CHECK(closest_divisor(12, 5) == 4);
  CHECK(divisors(12) == std::vector<int>{1, 2, 3, 4, 6, 12});
}

TEST_CASE("viz: the inverse, straight from sl::channel_shuffle") {
  for (int C : {6, 12, 24, 64})
    for (int g : divisors(C)) {
      std::vector<float> data(2 * C * 4);
      for (size_t i = 0; i < data.size(); ++i) data[i] = float(i);
      Tensor x = Tensor::from_data(data, {2, C, 2, 2});
      CHECK(channel_shuffle(channel_shuffle(x, g), C / g).to_vector() == data);
    }
}

TEST_CASE("viz: Fig. 1 connectivity mixes groups only with a shuffle") {
  for (int C : {12, 24, 64})
    for (int g : divisors(C)) {
      const ShuffleConfig cfg{.C = C, .g = g};
      const ShuffleModel m = build_shuffle_model(cfg);
      const auto plain = fig1_reach(cfg, m.order, false);
      const auto mixed = fig1_reach(cfg, m.order, true);
      for (int o = 0; o < C; ++o) {
        REQUIRE(plain[o] == std::vector<int>{group_of(cfg, o)});
        REQUIRE((int)mixed[o].size() == std::min(g, C / g));
      }
    }
}

TEST_CASE("viz: the steps export as Markdown and CSV") {
  const ShuffleModel m = build_shuffle_model({.C = 12, .g = 3, .N = 1, .H = 2, .W = 2});
  const std::string md = steps_table(m, true), csv = steps_table(m, false);
  CHECK(std::count(md.begin(), md.end(), '\n') == 2 + kShuffleSteps);
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 1 + kShuffleSteps);
  CHECK(md.find("| 2 | transpose | `v.transpose(1, 2)` | `(1, 4, 3, 2, 2)` | `(48, 4, 16, 2, 1)` | "
                "no | 0 |") != std::string::npos);
  CHECK(csv.find(
            "3,contiguous,\"t.contiguous()\",\"(1, 4, 3, 2, 2)\",\"(48, 12, 4, 2, 1)\",yes,192") !=
        std::string::npos);
}

TEST_CASE("viz: the animation clock steps, plays and scrubs") {
  ShuffleClock c;
  c.step(+1);
  CHECK(c.target == 1.f);
  for (int i = 0; i < 100; ++i) c.update(0.05f);
  CHECK(c.t == 1.f);
  c.step(-1);
  c.step(-1);  // clamps at the first step
  CHECK(c.target == 0.f);
  c.go_to(4);
  for (int i = 0; i < 200; ++i) c.update(0.05f);
  CHECK(c.t == 4.f);
  CHECK(c.nearest() == 4);
  c.toggle_play();  // at the end: play restarts from the first step
  CHECK(c.playing);
  CHECK(c.t == 0.f);
  for (int i = 0; i < 1000 && c.playing; ++i) c.update(0.05f);
  CHECK_FALSE(c.playing);
  CHECK(c.t == 4.f);
  c.scrub(2.5f);
  CHECK(c.t == 2.5f);
  const StepBlend b = blend_at(2.5f);
  CHECK(b.from == 2);
  CHECK(b.to == 3);
  CHECK(b.f == doctest::Approx(0.5f));
  CHECK(blend_at(4.f).from == 3);
  CHECK(blend_at(4.f).f == doctest::Approx(1.f));
  CHECK(blend_at(0.f).f == doctest::Approx(0.f));
  c.step(+1);  // from 2.5 forward lands on 3, backward on 2
  CHECK(c.target == 3.f);
  c.scrub(2.5f);
  c.step(-1);
  CHECK(c.target == 2.f);
}

TEST_CASE("viz: settings live in XDG_CONFIG_HOME/shufflelab and round-trip") {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("sl_viz_settings_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const char* old = std::getenv("XDG_CONFIG_HOME");
  const std::string saved = old ? old : "";
  ::setenv("XDG_CONFIG_HOME", dir.c_str(), 1);
  CHECK(config_dir() == (dir / "shufflelab").string());
  CHECK(load_settings().dark);  // defaults when nothing is saved
  REQUIRE(save_settings({.dark = false, .speed = 2.5f, .panel = "Blocks"}));
  const Settings s = load_settings();
  CHECK_FALSE(s.dark);
  CHECK(s.speed == doctest::Approx(2.5f));
  CHECK(s.panel == "Blocks");
  CHECK(s.train_device == Device::cpu);  // the default backend of every panel
  CHECK(fs::exists(dir / "shufflelab" / "settings.ini"));
  // Each panel's backend round-trips; a saved CUDA falls back to the CPU where it cannot run.
  REQUIRE(save_settings({.blocks_device = Device::cuda, .train_device = Device::cuda}));
  Settings d = load_settings();
  CHECK(d.blocks_device == Device::cuda);
  CHECK(d.guidelines_device == Device::cpu);
  CHECK(d.train_device == Device::cuda);
  const std::string why = device_unavailable_reason(Device::cuda);
  const std::string notice = fall_back_to_cpu(d);
  if (why.empty()) {
    CHECK(notice.empty());
    CHECK(d.train_device == Device::cuda);
  } else {
    CHECK(notice.find("Blocks, Train") != std::string::npos);
    CHECK(notice.find(why) != std::string::npos);
    CHECK(d.blocks_device == Device::cpu);
    CHECK(d.train_device == Device::cpu);
    CHECK(fall_back_to_cpu(d).empty());  // nothing left to change: no notice
  }
  if (old)
    ::setenv("XDG_CONFIG_HOME", saved.c_str(), 1);
  else
    ::unsetenv("XDG_CONFIG_HOME");
  fs::remove_all(dir);
}
