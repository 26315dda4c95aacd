// tests/viz/test_viz_state.cpp - the Shuffle panel's model without a window: what the
// panel draws at each step (channel_cell, channel_slot, drawn_order) must be what the
// core tensors hold, for every divisor G of several C, N = 1 and 2; extreme settings
// must build; shuffling with C/G undoes a shuffle with G; Fig. 1's connectivity; the
// animation clock; the settings file. The app itself is tested under Xvfb
// (tests/viz/CMakeLists.txt, viz_screenshots).
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
  CAPTURE(cfg.size);
  const ShuffleModel m = build_shuffle_model(cfg);
  REQUIRE(m.steps.size() == (size_t)kShuffleSteps);
  const int C = cfg.C, G = cfg.g, Cg = C / G, N = cfg.N, HW = cfg.size * cfg.size;
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
  CHECK(m.steps[1].shape == Shape{N, G, Cg, cfg.size, cfg.size});
  CHECK(m.steps[2].shape == Shape{N, Cg, G, cfg.size, cfg.size});
  CHECK(m.steps[2].strides[1] == m.steps[1].strides[2]);  // transpose swaps strides
  CHECK(m.steps[2].strides[2] == m.steps[1].strides[1]);
  for (int k = 0; k <= 2; ++k) CHECK(m.steps[k].shares_input_storage);
  for (int k : {0, 1, 2, 4}) CHECK(m.steps[k].bytes == 0);
  CHECK(m.steps[2].contiguous == !moves);
  CHECK(m.steps[3].contiguous);
  CHECK(m.steps[3].bytes == (moves ? int64_t(N) * C * HW * 4 : 0));
  CHECK(m.steps[3].shares_input_storage == !moves);
  CHECK(m.steps[4].shape == Shape{N, C, cfg.size, cfg.size});
  // The result: order[j] = (j mod G) * C/G + j / G, equal to sl::channel_shuffle.
  for (int j = 0; j < C; ++j) REQUIRE(m.order[j] == (j % G) * Cg + j / G);
  CHECK(m.matches_core_op);
  // The inverse: shuffle(shuffle(x, G), C/G) = x.
  for (int j = 0; j < C; ++j) REQUIRE(m.inverse[j] == j);
}

}  // namespace

TEST_CASE("viz: every drawn step matches the core tensors, all divisors, N = 1 and 2") {
  for (int C : {2, 6, 12, 24, 64})
    for (int g : divisors(C))
      for (int N : {1, 2}) check_model({.C = C, .g = g, .N = N, .size = 1});
  for (int g : divisors(12)) check_model({.C = 12, .g = g, .N = 2, .size = 3});
}

TEST_CASE("viz: extreme settings build without trouble") {
  check_model({.C = 64, .g = 64, .N = 1, .size = 1});
  check_model({.C = 64, .g = 1, .N = 1, .size = 1});
  check_model({.C = 64, .g = 2, .N = 2, .size = 4});
  check_model({.C = 64, .g = 64, .N = 2, .size = 4});
  check_model({.C = 2, .g = 2, .N = 2, .size = 4});
  CHECK_THROWS_AS(build_shuffle_model({.C = 12, .g = 5}), UsageError);
  CHECK_THROWS_AS(build_shuffle_model({.C = 65, .g = 1}), UsageError);
  CHECK_THROWS_AS(build_shuffle_model({.C = 12, .g = 3, .N = 3}), UsageError);

  ShuffleState s;  // the panel clamps instead of throwing
  s.selected = 11;
  s.configure({.C = 100, .g = 7, .N = 5, .size = 9});
  CHECK(s.cfg.C == 64);
  CHECK(s.cfg.g == 8);  // the divisor of 64 nearest 7
  CHECK(s.cfg.N == 2);
  CHECK(s.cfg.size == 4);
  CHECK(s.selected == 11);
  s.configure({.C = 6, .g = 5, .N = 1, .size = 1});
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
  const ShuffleModel m = build_shuffle_model({.C = 12, .g = 3, .N = 1, .size = 2});
  const std::string md = steps_table(m, true), csv = steps_table(m, false);
  CHECK(std::count(md.begin(), md.end(), '\n') == 2 + kShuffleSteps);
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 1 + kShuffleSteps);
  CHECK(md.find("| 2 | transpose | `v.transpose(1, 2)` | `(1, 4, 3, 2, 2)` | `(48, 4, 16, 2, 1)` | no | 0 |") !=
        std::string::npos);
  CHECK(csv.find("3,contiguous,\"t.contiguous()\",\"(1, 4, 3, 2, 2)\",\"(48, 12, 4, 2, 1)\",yes,192") !=
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
  const fs::path dir = fs::temp_directory_path() / ("sl_viz_settings_" + std::to_string(::getpid()));
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
  CHECK(fs::exists(dir / "shufflelab" / "settings.ini"));
  if (old)
    ::setenv("XDG_CONFIG_HOME", saved.c_str(), 1);
  else
    ::unsetenv("XDG_CONFIG_HOME");
  fs::remove_all(dir);
}
