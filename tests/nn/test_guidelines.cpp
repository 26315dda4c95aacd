// tests/nn/test_guidelines.cpp - the guideline experiments (nn/guidelines.h): every row
// holds FLOPs where the paper holds them (multiply-adds checked per row, for every width
// column on both devices' channel counts), the MAC each row reports is the paper's formula
// and nn/cost's, the sliders' points match nn/cost, the zero-copy shuffle variants give the
// plain shuffle's output with the shuffle's MAC at 0, cancel stops a run, and
// `shufflelab guidelines --quick --json` has the shape docs/guidelines.md documents (the
// one smoke run CTest makes; no speed is asserted anywhere).
#include <atomic>
#include <cmath>

#include "nn/conv2d.h"
#include "nn/cost.h"
#include "nn/guidelines.h"
#include "nn/json.h"
#include "tests/apps/run_cli.h"
#include "tests/helpers.h"

using namespace sl;

namespace {

const Guideline kAll[] = {Guideline::g1, Guideline::g2, Guideline::g3, Guideline::g4};

// The paper's multiply-adds of one row, written out per experiment (per pass, all blocks).
int64_t expected_madds(const GuidelineConfig& c) {
  const int64_t a = c.hw * c.hw * c.batch * c.blocks, c1 = c.c1;
  switch (c.guideline) {
    case Guideline::g1: return a * 2 * c1 * c.c2;  // c1 -> c2 and c2 -> c1
    case Guideline::g2: return a * c1 * c1 / c.groups;
    case Guideline::g3: {
      if (c.parallel) return a * c1 * c1;  // n convolutions c -> c/n
      const int64_t w = std::llround(double(c1) / std::sqrt(double(c.fragments)));
      return a * c.fragments * w * w;  // n convolutions c' -> c'
    }
    case Guideline::g4: return a * (c1 * (c1 / 4) + 9 * (c1 / 4) * (c1 / 4) + (c1 / 4) * c1);
  }
  return 0;
}

// The paper's MAC formula per 1x1 convolution, hw(c1 + c2) + c1*c2/g, summed per row.
int64_t expected_conv_mac(const GuidelineConfig& c) {
  const int64_t hw = c.hw * c.hw, n = c.batch, b = c.blocks, c1 = c.c1;
  auto mac = [&](int64_t in, int64_t out, int64_t g) { return n * hw * (in + out) + in * out / g; };
  switch (c.guideline) {
    case Guideline::g1: return b * (mac(c1, c.c2, 1) + mac(c.c2, c1, 1));
    case Guideline::g2: return b * mac(c1, c1, c.groups);
    case Guideline::g3: {
      if (c.parallel) return b * c.fragments * mac(c1, c1 / c.fragments, 1);
      const int64_t w = std::llround(double(c1) / std::sqrt(double(c.fragments)));
      return b * c.fragments * mac(w, w, 1);
    }
    default: return -1;
  }
}

}  // namespace

TEST_CASE("guidelines: every row's multiply-adds are the paper's and held near the first row's") {
  for (Device d : {Device::cpu, Device::cuda})
    for (Guideline g : kAll)
      for (int col = 0; col < 3; ++col) {
        std::vector<GuidelineConfig> cfgs = guideline_configs(g, d, col, 1);
        REQUIRE(cfgs.size() == paper_table(g).rows.size());
        for (GuidelineConfig& c :
             cfgs) {  // cost scales exactly with hw^2 and blocks: keep it small
          c.hw = 4;
          c.blocks = 1;
        }
        const std::vector<GuidelineRow> rows =
            measure_configs(cfgs, Device::cpu, 1, 0);  // cost, no timing
        for (const GuidelineRow& r : rows) {
          CAPTURE(guideline_name(g));
          CAPTURE(r.config.label);
          CAPTURE(r.config.width);
          CAPTURE(device_name(d));
          CHECK(r.madds == expected_madds(r.config));
          // The paper's own channel counts hold FLOPs to about 5% (G1's (22,44) is 968 vs
          // 1024); G2's g = 8 on ARM (184: 180 is not divisible by 8) to 3.3%.
          const double rel = std::fabs(double(r.madds) / double(rows[0].madds) - 1.0);
          CHECK(rel <= (g == Guideline::g1 ? 0.06 : 0.035));
          if (g != Guideline::g4) {
            const int64_t concat_mac =
                r.config.parallel && r.config.fragments > 1
                    ? r.config.blocks * 2 * r.config.c1 * r.config.hw * r.config.hw
                    : 0;
            CHECK(r.mac == expected_conv_mac(r.config) + concat_mac);
            CHECK(r.elementwise_mac == concat_mac);
          }
        }
      }
}

TEST_CASE("guidelines: the CPU rows use the paper's ARM channel counts, CUDA rows its GPU counts") {
  const auto cpu = guideline_configs(Guideline::g1, Device::cpu, 0, 1);
  CHECK(cpu[1].c1 == 22);
  CHECK(cpu[1].c2 == 44);
  const auto gpu = guideline_configs(Guideline::g1, Device::cuda, 2, 8);
  CHECK(gpu[3].c1 == 36 * 4);
  CHECK(gpu[3].c2 == 432 * 4);
  CHECK(gpu[3].batch == 8);
  const auto g2 = guideline_configs(Guideline::g2, Device::cpu, 0, 1);
  CHECK(g2[3].groups == 8);
  CHECK(g2[3].c1 == 184);
  CHECK(guideline_configs(Guideline::g3, Device::cpu, 2, 1)[0].c1 == 256);
  const auto g4 = guideline_configs(Guideline::g4, Device::cpu, 0, 1);
  CHECK((g4[0].relu && g4[0].shortcut && g4[1].relu && !g4[1].shortcut && !g4[2].relu &&
         g4[2].shortcut && !g4[3].relu && !g4[3].shortcut));
}

TEST_CASE("guidelines: G4's element-wise MAC is each relu and add, inputs + outputs") {
  std::vector<GuidelineConfig> cfgs = guideline_configs(Guideline::g4, Device::cpu, 0, 1);
  for (GuidelineConfig& c : cfgs) c.blocks = 1;
  const auto rows = measure_configs(cfgs, Device::cpu, 1, 1);
  const int64_t hw = 56 * 56, c = 32;
  const int64_t relu = 2 * hw * (c / 4) * 2 + 2 * hw * c;  // after the 1x1, the 3x3, and the add
  const int64_t add = 3 * hw * c;
  CHECK(rows[0].elementwise_mac == relu + add);
  CHECK(rows[1].elementwise_mac == relu);
  CHECK(rows[2].elementwise_mac == add);
  CHECK(rows[3].elementwise_mac == 0);
  CHECK(rows[0].op_calls == 7);
  CHECK(rows[3].op_calls == 3);
}

TEST_CASE("guidelines: the sliders' points are nn/cost's formulas and respect the AM-GM bound") {
  const int64_t hw = 56, budget = hw * hw * 32 * 32;
  for (double ratio : {1.0, 2.0, 6.0, 12.0, 0.5, 3.7}) {
    CAPTURE(ratio);
    const G1Point p = g1_point(ratio, hw, budget);
    const Conv2dShape s = conv2d_shape({1, p.c1, hw, hw}, {p.c2, p.c1, 1, 1}, {});
    CHECK(p.madds == conv2d_madds(s));
    CHECK(p.madds == hw * hw * p.c1 * p.c2);
    CHECK(p.mac == conv2d_mac(s));
    CHECK(p.mac == hw * hw * (p.c1 + p.c2) + p.c1 * p.c2);
    CHECK(double(p.mac) >= p.mac_lower_bound - 1e-6);
  }
  const G1Point eq = g1_point(1.0, hw, budget);  // c1 = c2: the bound is reached
  CHECK(eq.c1 == 32);
  CHECK(eq.c2 == 32);
  CHECK(double(eq.mac) == doctest::Approx(eq.mac_lower_bound));
  for (int64_t g : {1, 2, 4, 8, 16}) {
    const G2Point p = g2_point(g, hw, hw * hw * 64 * 64);
    CAPTURE(g);
    CHECK(p.c % g == 0);
    const Conv2dShape s = conv2d_shape({1, p.c, hw, hw}, {p.c, p.c / g, 1, 1}, {.groups = g});
    CHECK(p.mac == conv2d_mac(s));
    CHECK(p.mac == hw * hw * 2 * p.c + p.c * p.c / g);
    CHECK(std::fabs(double(p.madds) / double(hw * hw * 64 * 64) - 1.0) < 0.1);
  }
}

TEST_CASE("zero-copy shuffle: folded weights and strided view give the plain shuffle's output") {
  const ZeroCopyUnit u = make_zero_copy_unit(12, 2, Device::cpu, 5);
  // Integer-valued input and weights: every sum is exact in float, in any order, so the
  // three variants must agree bit for bit.
  ZeroCopyUnit ui = u;
  auto ints = [](const Tensor& t, uint64_t seed) {
    std::vector<float> v(t.numel());
    Generator gen(seed);
    for (float& f : v) f = float(int(gen.uniform() * 5.f) - 2);
    return Tensor::from_data(v, t.shape());
  };
  ui.w1 = ints(u.w1, 1);
  ui.w_dw = ints(u.w_dw, 2);
  ui.w2 = ints(u.w2, 3);
  ui.w_next = ints(u.w_next, 4);
  const int64_t C = 12;
  ui.w_next_folded =
      ui.w_next.view({C, C / 2, 2}).permute({0, 2, 1}).contiguous().view({C, C, 1, 1});
  ui.w_next_blocks = {ui.w_next_folded.view({C, C}).narrow(1, 0, C / 2).contiguous(),
                      ui.w_next_folded.view({C, C}).narrow(1, C / 2, C / 2).contiguous()};
  NoGradGuard ng;
  for (int64_t n : {1, 3}) {
    const Tensor x = ints(Tensor::empty({n, C, 5, 5}), 9 + n);
    const std::vector<float> plain = zero_copy_plain(ui, x).to_vector();
    CHECK(zero_copy_folded(ui, x).to_vector() == plain);
    CHECK(zero_copy_strided(ui, x).to_vector() == plain);
  }
  // Random weights and input: equal up to float rounding (the sums run in another order).
  const Tensor x = test::rand_tensor({2, C, 6, 6}, 3);
  const Tensor plain = zero_copy_plain(u, x);
  test::check_close(zero_copy_folded(u, x), plain, 1e-5, 1e-5, "folded");
  test::check_close(zero_copy_strided(u, x), plain, 1e-5, 1e-5, "strided");
}

TEST_CASE("zero-copy shuffle: the shuffle's MAC is 0 once folded, and concat's too for the strided "
          "view") {
  const ZeroCopyUnit u = make_zero_copy_unit(8, 2, Device::cpu, 1);
  const Tensor x = test::rand_tensor({1, 8, 4, 4}, 2);
  NoGradGuard ng;
  auto tally_of = [&](Tensor (*fn)(const ZeroCopyUnit&, const Tensor&, OpTally*)) {
    OpTally t;
    (void)fn(u, x, &t);
    return t;
  };
  const OpTally plain = tally_of(zero_copy_plain), folded = tally_of(zero_copy_folded),
                strided = tally_of(zero_copy_strided);
  CHECK(plain.shuffle_mac == channel_shuffle_cost(x.shape()).mac);
  CHECK(plain.shuffle_mac == 2 * x.numel());
  CHECK(folded.shuffle_mac == 0);
  CHECK(strided.shuffle_mac == 0);
  CHECK(folded.concat_mac == 2 * x.numel());
  CHECK(strided.concat_mac == 0);
  CHECK(plain.madds == folded.madds);
  CHECK(plain.madds == strided.madds);
  // MAC: the plain variant minus the shuffle is the folded one; the strided one drops the
  // concat too and pays one extra read of the 1x1 output (the accumulate).
  CHECK(folded.mac == plain.mac - plain.shuffle_mac);
  CHECK(strided.mac == folded.mac - folded.concat_mac + x.numel());
}

TEST_CASE(
    "conv1x1_over_blocks equals conv2d over the concatenated blocks, strided views read in place") {
  const Tensor big = test::rand_tensor({2, 10, 3, 4}, 11);
  const std::vector<Tensor> blocks = {big.narrow(1, 0, 4),
                                      big.narrow(1, 4, 6)};  // views, not contiguous
  const Tensor w = test::rand_tensor({5, 10, 1, 1}, 12);
  const std::vector<Tensor> wb = {w.view({5, 10}).narrow(1, 0, 4).contiguous(),
                                  w.view({5, 10}).narrow(1, 4, 6).contiguous()};
  test::check_close(conv1x1_over_blocks(blocks, wb), conv2d(big, w), 1e-5, 1e-5, "blocks");
  reset_copy_stats();
  (void)conv1x1_over_blocks(blocks, wb);
  CHECK(copy_stats().copies == 0);
  CHECK(test::error_of([&] { (void)conv1x1_over_blocks(blocks, {wb[0]}); }).find("weight blocks") !=
        std::string::npos);
}

TEST_CASE("guidelines: normalise_table marks where the paper's trend holds") {
  GuidelineTable t;
  t.guideline = Guideline::g2;
  for (auto [label, per_s] :
       {std::pair{"g=1", 100.0}, {"g=2", 80.0}, {"g=4", 101.0}, {"g=8", 70.0}}) {
    GuidelineRow r;
    r.config.label = label;
    r.config.width = "x1";
    r.per_s = per_s;
    t.rows.push_back(r);
  }
  normalise_table(t, Device::cpu);
  CHECK(t.rows[0].trend == "");
  CHECK(t.rows[1].measured_norm == doctest::Approx(0.8));
  CHECK(t.rows[1].paper_arm_norm == doctest::Approx(35.0 / 40.0));
  CHECK(t.rows[1].paper_gpu_norm == doctest::Approx(1725.0 / 2451.0));
  CHECK(t.rows[1].trend == "holds");    // both slower
  CHECK(t.rows[2].trend == "differs");  // ours about the same, the paper's slower
  CHECK(t.rows[3].trend == "holds");
}

TEST_CASE("guidelines: cancel stops the run, progress reaches 1, CUDA refuses with the reason") {
  std::atomic<bool> cancel{true};
  double last = -1;
  GuidelinesOptions opt;
  opt.only = {Guideline::g1};
  opt.cancel = &cancel;
  opt.progress = [&](double f, const std::string&) { last = f; };
  const GuidelinesReport rep = run_guidelines(opt);
  CHECK(rep.cancelled);
  CHECK(last == 1.0);
  if (!cuda_available()) {
    GuidelinesOptions o;
    o.device = Device::cuda;
    CHECK(test::error_of([&] { (void)run_guidelines(o); }).find("--device cuda cannot run") !=
          std::string::npos);
  }
  Guideline g;
  CHECK((guideline_from_name("g3", &g) && g == Guideline::g3));
  CHECK(!guideline_from_name("G5", &g));
}

TEST_CASE(
    "shufflelab guidelines --quick --json: the documented shape (smoke run, no speed asserted)") {
#ifdef SL_SANITIZED
  const char* extra =
      " --repeats 1";  // the sanitizer build runs kernels ~10x slower: shape, not timing
#else
  const char* extra = "";
#endif
  const test::Run r =
      test::run_cli(std::string("guidelines --quick --json --threads 1") + extra, false);
  REQUIRE(r.code == 0);
  const JsonValue j = json_parse(r.out);
  REQUIRE(j.find("device") != nullptr);
  CHECK(j.find("device")->text == "cpu");
  const JsonValue* tables = j.find("tables");
  REQUIRE(tables != nullptr);
  REQUIRE(tables->items.size() == 4);
  const char* names[] = {"G1", "G2", "G3", "G4"};
  for (size_t i = 0; i < 4; ++i) {
    const JsonValue& t = tables->items[i];
    CHECK(t.find("guideline")->text == names[i]);
    const JsonValue* rows = t.find("rows");
    REQUIRE(rows != nullptr);
    CHECK(rows->items.size() == paper_table((Guideline)i).rows.size());
    for (const JsonValue& row : rows->items) {
      for (const char* key : {"config", "madds", "mac", "measured", "paper"}) {
        CAPTURE(key);
        REQUIRE(row.find(key) != nullptr);
      }
      CHECK(row.find("config")->kind == JsonValue::Kind::string);
      CHECK(row.find("madds")->as_index("madds") > 0);
      CHECK(row.find("mac")->as_index("mac") > 0);
      CHECK(row.find("measured")->kind == JsonValue::Kind::number);
      CHECK(std::stod(row.find("paper")->text) > 0);
    }
  }
  const JsonValue* zc = j.find("zero_copy");
  REQUIRE(zc != nullptr);
  REQUIRE(zc->find("rows")->items.size() == 3);
  CHECK(zc->find("rows")->items[1].find("shuffle_mac")->text == "0");

  const test::Run bad = test::run_cli("guidelines --only G7");
  CHECK(bad.code == 2);
  if (!cuda_available()) {
    const test::Run cuda = test::run_cli("guidelines --device cuda");
    CHECK(cuda.code == 1);
    CHECK(test::has(cuda.out,
                    "error: guidelines: --device cuda is not available here: device cuda:"));
  }
}
