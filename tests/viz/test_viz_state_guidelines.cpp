// tests/viz/test_viz_state_guidelines.cpp - the Guidelines panel's model without a window:
// experiment names, the bars it plots (normalised to the first row of each width), G1's
// MAC curve against its AM-GM bound, and the worker: a run fills the table, a slider point
// is timed, cancel ends a run without a half-measured table, a second job is refused while
// one runs, and destroying the state mid-run joins cleanly. No speed is asserted.
#include <sys/wait.h>

#include <cstdio>

#include "tests/helpers.h"
#include "viz/guidelines/guidelines_state.h"

using namespace sl;
using namespace sl::viz;

TEST_CASE("guidelines state: view names round-trip, any case") {
  for (int i = 0; i < kGuidelinesViews; ++i) {
    GuidelinesView v;
    REQUIRE(guidelines_view_from_name(guidelines_view_name((GuidelinesView)i), &v));
    CHECK((int)v == i);
  }
  GuidelinesView v;
  CHECK((guidelines_view_from_name("zero-COPY", &v) && v == GuidelinesView::zero_copy));
  CHECK(!guidelines_view_from_name("G5", &v));
}

TEST_CASE("guidelines state: bars are each width's rows, normalised to that width's first row") {
  GuidelineTable t;
  t.guideline = Guideline::g1;
  const double speeds[] = {100, 90, 80, 50, 200, 100, 100, 100};
  for (int i = 0; i < 8; ++i) {
    GuidelineRow r;
    r.config.label = paper_table(Guideline::g1).rows[(size_t)i % 4].label;
    r.config.width = i < 4 ? "x1" : "x2";
    r.per_s = speeds[i];
    t.rows.push_back(r);
  }
  normalise_table(t, Device::cpu);
  CHECK(table_widths(t) == std::vector<std::string>{"x1", "x2"});
  const auto x1 = bar_rows(t, "x1"), x2 = bar_rows(t, "x2");
  REQUIRE(x1.size() == 4);
  REQUIRE(x2.size() == 4);
  CHECK(x1[0].ours == doctest::Approx(1.0));
  CHECK(x1[3].ours == doctest::Approx(0.5));
  CHECK(x2[1].ours == doctest::Approx(0.5));
  CHECK(x2[1].paper_arm == doctest::Approx(20.5 / 21.7));  // Table 1, ARM x2
  CHECK(x2[3].paper_gpu == doctest::Approx(392.0 / 723.0));
  CHECK(x1[0].trend.empty());
  CHECK(x1[3].trend == "holds");
}

TEST_CASE("guidelines state: G1's MAC curve never dips under its bound and meets it at c1 = c2") {
  const int64_t hw = 56, budget = hw * hw * 32 * 32;
  const auto curve = g1_curve(hw, budget);
  REQUIRE(curve.size() == 97);
  CHECK(curve.front().ratio == doctest::Approx(1.0 / 16));
  CHECK(curve.back().ratio == doctest::Approx(16.0));
  size_t best = 0;
  for (size_t i = 0; i < curve.size(); ++i) {
    CHECK(curve[i].mac >= curve[i].bound * 0.999);  // channel rounding moves B by a little
    if (curve[i].mac < curve[best].mac) best = i;
  }
  CHECK(curve[best].ratio == doctest::Approx(1.0).epsilon(0.1));
  CHECK(curve[48].mac == doctest::Approx(curve[48].bound));  // ratio 1: c1 = c2 = 32
}

TEST_CASE("guidelines state: a run on the worker fills its table; points and cancel behave") {
  GuidelinesState s;
  s.threads = 1;
  s.view = GuidelinesView::g4;
  REQUIRE(s.start_run(false));
  CHECK(s.running());
  CHECK(!s.start_g1_point(2.0));  // one job at a time
  s.wait();
  CHECK(!s.running());
  CHECK(s.error().empty());
  REQUIRE(s.tables[3].has_value());
  CHECK(!s.tables[0].has_value());
  CHECK(s.tables[3]->rows.size() == 4);
  for (const GuidelineRow& r : s.tables[3]->rows) {
    CHECK(r.madds == s.tables[3]->rows[0].madds);  // G4 keeps the convolutions
    CHECK(r.per_s > 0);
  }
  CHECK(s.last_run.find("cpu, 1 thread") == 0);
  CHECK(s.table_device[3] == Device::cpu);  // the table compares with the paper's ARM column

  REQUIRE(s.start_g1_point(2.0));
  s.wait();
  REQUIRE(s.g1_points.size() == 1);
  CHECK(double(s.g1_points[0].config.c2) / double(s.g1_points[0].config.c1) ==
        doctest::Approx(2.0).epsilon(0.1));
  REQUIRE(s.start_g2_point(16));
  s.wait();
  REQUIRE(s.g2_points.size() == 1);
  CHECK(s.g2_points[0].config.groups == 16);
  CHECK(s.g2_points[0].config.c1 % 16 == 0);

  s.view = GuidelinesView::g2;
  REQUIRE(s.start_run(true));
  s.cancel();
  s.wait();
  CHECK(!s.running());
  CHECK(s.last_run.find("cancelled") != std::string::npos);
  for (const auto& t : s.tables)  // what a cancelled run kept is complete
    if (t)
      for (const GuidelineRow& r : t->rows) CHECK(r.per_s > 0);
}

TEST_CASE("guidelines state: destroying the state while a job runs cancels and joins it") {
  {
    GuidelinesState s;
    s.threads = 1;
    REQUIRE(s.start_run(true));
  }
  CHECK(true);  // reaching here without a hang or std::terminate is the test
}

TEST_CASE("guidelines state: the backend is the CPU by default; CUDA runs or says why") {
  GuidelinesState s;
  CHECK(s.device == Device::cpu);
  const std::string why = device_unavailable_reason(Device::cuda);
  if (why.empty()) {
    MESSAGE("CUDA can run here: the refusal is not tested (a GPU machine runs the CUDA tests)");
    return;
  }
  // The panel keeps CUDA disabled; forced here, a run and a slider point end in the state's
  // error, naming core's reason, and leave no table behind.
  s.device = Device::cuda;
  REQUIRE(s.start_run(false));
  s.wait();
  CHECK(s.error().find(why) != std::string::npos);
  CHECK(!s.tables[0].has_value());
  REQUIRE(s.start_g1_point(2.0));
  s.wait();
  CHECK(!s.error().empty());
  CHECK(s.g1_points.empty());
  s.device = Device::cpu;  // and back on the CPU the same state runs as before
  s.threads = 1;
  s.view = GuidelinesView::g2;
  REQUIRE(s.start_run(false));
  s.wait();
  CHECK(s.error().empty());
  CHECK(s.tables[1].has_value());
}

TEST_CASE("guidelines state: short bar labels name each configuration") {
  const auto g3 = guideline_configs(Guideline::g3, Device::cpu, 0, 1);
  CHECK(bar_label(g3[0]) == "1");
  CHECK(bar_label(g3[2]) == "4 ser.");
  CHECK(bar_label(g3[3]) == "2 par.");
  const auto g4 = guideline_configs(Guideline::g4, Device::cpu, 0, 1);
  CHECK(bar_label(g4[0]) == "ReLU+add");
  CHECK(bar_label(g4[2]) == "add");
  CHECK(bar_label(g4[3]) == "none");
  CHECK(bar_label(guideline_configs(Guideline::g1, Device::cpu, 0, 1)[1]) == "1:2");
}

TEST_CASE("gui --experiment: an unknown experiment is a usage error, before any window opens") {
  const std::string cmd =
      std::string(SL_SHUFFLELAB_BIN) +
      " gui --panel Guidelines --experiment G9 --screenshot /dev/null 2>&1 >/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string err;
  char buf[512];
  while (fgets(buf, sizeof buf, p)) err += buf;
  const int status = pclose(p);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 2);
  CHECK(err.find("error: unknown experiment 'G9' (G1, G2, G3, G4, Zero-copy)") !=
        std::string::npos);
}
