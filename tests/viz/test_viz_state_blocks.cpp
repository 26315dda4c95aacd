// tests/viz/test_viz_state_blocks.cpp - the Blocks panel's model without a window: every
// number it shows is nn/cost's (per layer, block, stage, category, unit node) for several
// models; the seed article's ShuffleNet formula hw(2cm/g + 9m) equals the measured MAdds
// of every V1 stride-1 unit; the unit graphs hold each op once, without overlaps; the
// worker answers the latest request; sorting and the CSV / Markdown exports.
#include <algorithm>
#include <cmath>
#include <set>

#include "nn/models/models.h"
#include "tests/apps/run_cli.h"
#include "tests/helpers.h"
#include "viz/blocks/blocks_state.h"

using namespace sl;
using namespace sl::viz;

namespace {

BlocksJob job_for(const std::string& name, bool imagenet, int batch = 1) {
  BlocksJob j;
  set_model_name(j.a, name);
  j.a.imagenet = imagenet;
  j.a.batch = batch;
  j.a.threads = 1;
  j.repeats = 1;
  return j;
}

// nn/cost's own profile of the same model, untimed: the reference for every count.
Profile reference(const std::string& name, const std::string& variant, int64_t batch = 1) {
  auto model = make_model(name, variant);
  return profile(*model, name, variant, {.batch = batch});
}

void check_counts_equal(const Profile& shown, const Profile& ref) {
  REQUIRE(shown.layers.size() == ref.layers.size());
  for (size_t i = 0; i < ref.layers.size(); ++i) {
    CAPTURE(ref.layers[i].name);
    CHECK(shown.layers[i].name == ref.layers[i].name);
    CHECK(shown.layers[i].kind == ref.layers[i].kind);
    CHECK(shown.layers[i].params == ref.layers[i].params);
    CHECK(shown.layers[i].madds == ref.layers[i].madds);
    CHECK(shown.layers[i].mac == ref.layers[i].mac);
    CHECK(shown.layers[i].out_shape == ref.layers[i].out_shape);
  }
  CHECK(shown.params == ref.params);
  CHECK(shown.madds == ref.madds);
  CHECK(shown.mac == ref.mac);
}

}  // namespace

TEST_CASE("blocks: the table, per layer, block and stage, shows nn/cost's numbers") {
  for (auto [name, imagenet] : std::vector<std::pair<std::string, bool>>{
           {"v2-1.0", true}, {"v1-g3-1.0", true}, {"v2-0.5", false}, {"v1-g8-0.5", false}}) {
    CAPTURE(name);
    const BlocksResult r = run_blocks_job(job_for(name, imagenet));
    REQUIRE(r.error.empty());
    const Profile& p = r.a;
    check_counts_equal(p, reference(name, imagenet ? "imagenet" : "cifar"));
    CHECK(p.timed);
    CHECK(p.time_ms > 0);
    for (TableLevel level : {TableLevel::layers, TableLevel::blocks, TableLevel::stages}) {
      const std::vector<TableRow> rows = table_rows(p, level);
      const std::vector<BlockCost>& groups = level == TableLevel::blocks ? p.blocks : p.stages;
      REQUIRE(rows.size() == (level == TableLevel::layers ? p.layers.size() : groups.size()));
      int64_t params = 0, madds = 0, mac = 0;
      double time = 0, share_m = 0, share_a = 0, share_t = 0;
      for (size_t i = 0; i < rows.size(); ++i) {
        const TableRow& row = rows[i];
        if (level == TableLevel::layers) {
          CHECK(row.madds == p.layers[i].madds);
          CHECK(row.mac == p.layers[i].mac);
          CHECK(row.time_ms == p.layers[i].time_ms);
          CHECK(row.kind == p.layers[i].kind);
        } else {
          CHECK(row.name == groups[i].name);
          CHECK(row.madds == groups[i].madds);
          CHECK(row.mac == groups[i].mac);
          CHECK(row.params == groups[i].params);
          CHECK(row.time_ms == groups[i].time_ms);
        }
        params += row.params;
        madds += row.madds;
        mac += row.mac;
        time += row.time_ms;
        share_m += row.share_madds;
        share_a += row.share_mac;
        share_t += row.share_time;
        if (row.free_but_slow) CHECK(row.madds == 0);
      }
      CHECK(params == p.params);
      CHECK(madds == p.madds);
      CHECK(mac == p.mac);
      CHECK(time == doctest::Approx(p.time_ms));
      CHECK(share_m == doctest::Approx(1.0));
      CHECK(share_a == doctest::Approx(1.0));
      CHECK(share_t == doctest::Approx(1.0));
    }
  }
}

TEST_CASE("blocks: the by-category summary adds up and names what FLOPs ignore") {
  const BlocksResult r = run_blocks_job(job_for("v2-1.0", false));
  REQUIRE(r.error.empty());
  const Profile& p = r.a;
  const CategorySummary s = summarize_categories(p, "CPU, 1 thread");
  int layers = 0;
  int64_t madds = 0, mac = 0;
  double blind = 0;
  for (const CategoryRow& c : s.rows) {
    layers += c.layers;
    madds += c.madds;
    mac += c.mac;
    if (c.flops_blind) {
      CHECK(c.madds == 0);
      blind += c.time_ms;
    }
  }
  CHECK(layers == (int)p.layers.size());
  CHECK(madds == p.madds);
  CHECK(mac == p.mac);
  double zero_madds_time = 0;
  for (const LayerCost& l : p.layers)
    if (l.madds == 0) zero_madds_time += l.time_ms;
  CHECK(blind == doctest::Approx(zero_madds_time));
  CHECK(s.blind_time_share == doctest::Approx(zero_madds_time / p.time_ms));
  CHECK(s.line.find("batchnorm") != std::string::npos);
  CHECK(s.line.find("data movement") != std::string::npos);
  CHECK(s.line.find("CPU, 1 thread") != std::string::npos);
  // Categories come in the panel's fixed order, the convolutions first.
  CHECK(s.rows.front().category == "conv 1x1");
}

TEST_CASE("blocks: hw(2cm/g + 9m) equals the measured MAdds of every V1 stride-1 unit") {
  for (auto [name, g] : std::vector<std::pair<std::string, int>>{
           {"v1-g3-1.0", 3}, {"v1-g8-0.5", 8}, {"v1-g1-1.0", 1}}) {
    for (int batch : {1, 2}) {
      CAPTURE(name);
      CAPTURE(batch);
      const Profile p = reference(name, "cifar", batch);
      const std::vector<int> units = unit_blocks(p, UnitFigure::v1_b);
      REQUIRE(units.size() == 13);  // 4 + 8 + 4 units, the first of each stage is (c)
      for (int b : units) {
        const UnitFormulas u = v1_unit_formulas(p, b, g);
        REQUIRE(u.ok);
        CAPTURE(u.block);
        CHECK(u.n == batch);
        CHECK(u.m * 4 == u.c);  // bottleneck m = c/4
        CHECK(u.shufflenet == u.n * u.h * u.w * (2 * u.c * u.m / g + 9 * u.m));
        CHECK(u.shufflenet == u.measured);
        CHECK(u.measured == p.blocks[(size_t)b].madds);  // the unit's MAdds are its convolutions'
        CHECK(u.measured_conv[1] == u.n * u.h * u.w * 9 * u.m);  // the depthwise term
        CHECK(u.resnet >= u.resnext);
        CHECK(u.resnext >= u.shufflenet);
        if (g == 1) CHECK(u.resnext == u.resnet);
      }
      CHECK(!v1_unit_formulas(p, unit_blocks(p, UnitFigure::v1_c).front(), g).ok);
    }
  }
  // V2's basic unit, branch width b: hw(2b^2 + 9b).
  const Profile p = reference("v2-1.0", "imagenet");
  for (int b : unit_blocks(p, UnitFigure::v2_c)) {
    const V2Formula v = v2_unit_formula(p, b);
    REQUIRE(v.ok);
    CHECK(v.formula == v.measured);
    CHECK(v.measured == p.blocks[(size_t)b].madds);
  }
}

TEST_CASE("blocks: unit graphs hold every op of the unit once, in lanes that do not overlap") {
  for (const char* name : {"v1-g3-1.0", "v2-1.0", "v1-g1-0.5"}) {
    CAPTURE(name);
    const Profile p = reference(name, "imagenet");
    const bool v1 = name[1] == '1';
    const std::vector<UnitFigure> figs =
        v1 ? std::vector<UnitFigure>{UnitFigure::v1_b, UnitFigure::v1_c}
           : std::vector<UnitFigure>{UnitFigure::v2_c, UnitFigure::v2_d};
    int drawn = 0;
    for (UnitFigure f : figs) {
      for (int b : unit_blocks(p, f)) {
        const UnitGraph g = build_unit_graph(p, b, f);
        CAPTURE(g.block);
        const BlockCost& blk = p.blocks[(size_t)b];
        std::set<int> layers;
        for (const UnitNode& n : g.nodes) {
          if (n.layer < 0) {
            CHECK(n.row == 0);
            continue;
          }
          CHECK(layers.insert(n.layer).second);
          CHECK(n.shape == p.layers[(size_t)n.layer].out_shape);
          CHECK(n.row > 0);
          CHECK(n.row < g.rows);
          CHECK(n.x - n.w / 2 >= -1e-6f);
          CHECK(n.x + n.w / 2 <= 1 + 1e-6f);
        }
        CHECK((int)layers.size() == blk.num_layers);
        CHECK(*layers.begin() == blk.first_layer);
        for (size_t i = 0; i < g.nodes.size(); ++i)
          for (size_t j = i + 1; j < g.nodes.size(); ++j)
            if (g.nodes[i].row == g.nodes[j].row)
              CHECK(std::fabs(g.nodes[i].x - g.nodes[j].x) >=
                    (g.nodes[i].w + g.nodes[j].w) / 2 - 1e-6f);
        for (const UnitEdge& e : g.edges) {
          REQUIRE(e.from >= 0);
          REQUIRE(e.to < (int)g.nodes.size());
          CHECK(g.nodes[(size_t)e.from].row < g.nodes[(size_t)e.to].row);
        }
        ++drawn;
      }
    }
    CHECK(drawn == 16);
  }
  // The papers' words on the nodes of v1-g3-1.0's units.
  const Profile p = reference("v1-g3-1.0", "imagenet");
  auto labels = [&](UnitFigure f) {
    std::set<std::string> s;
    for (const UnitNode& n : build_unit_graph(p, unit_blocks(p, f)[1], f).nodes) s.insert(n.label);
    return s;
  };
  const std::set<std::string> b = labels(UnitFigure::v1_b), c = labels(UnitFigure::v1_c);
  for (const char* l : {"1x1 GConv g=3", "Channel Shuffle", "3x3 DWConv", "BN", "ReLU", "Add"})
    CHECK_MESSAGE(b.count(l), l);
  for (const char* l : {"3x3 DWConv s2", "3x3 AVG Pool s2", "Concat"}) CHECK_MESSAGE(c.count(l), l);
  const Profile q = reference("v2-1.0", "imagenet");
  const UnitGraph d = build_unit_graph(q, unit_blocks(q, UnitFigure::v2_d)[0], UnitFigure::v2_d);
  std::set<std::string> dl;
  for (const UnitNode& n : d.nodes) dl.insert(n.label);
  for (const char* l : {"3x3 DWConv s2", "1x1 Conv", "Concat", "Channel Shuffle"})
    CHECK_MESSAGE(dl.count(l), l);
}

TEST_CASE("blocks: batch scales MAdds and MAC; the worker answers the latest request") {
  const BlocksResult one = run_blocks_job(job_for("v2-0.5", false, 1));
  const BlocksResult two = run_blocks_job(job_for("v2-0.5", false, 2));
  REQUIRE(one.error.empty());
  REQUIRE(two.error.empty());
  CHECK(two.a.madds == 2 * one.a.madds);
  CHECK(two.a.input == Shape{2, 3, 32, 32});
  check_counts_equal(two.a, reference("v2-0.5", "cifar", 2));

  BlocksWorker w;
  w.submit(job_for("v2-0.5", false));
  w.submit(job_for("v1-g2-0.5", false));  // invalid: m = 25 with g = 2
  const uint64_t last = w.submit(job_for("v1-g3-0.5", false));
  REQUIRE(w.wait_idle(120));
  BlocksResult r;
  REQUIRE(w.poll(&r));
  // The second job may have been dropped or run; the last poll answers the last submit.
  if (r.id != last) {
    REQUIRE(w.wait_idle(120));
    REQUIRE(w.poll(&r));
  }
  CHECK(r.id == last);
  CHECK(r.a.model == "v1-g3-0.5");
  CHECK(r.has_bottleneck);
  CHECK(r.bottleneck.model == "v1-g1-0.5");
  CHECK(!w.busy());

  const BlocksResult bad = run_blocks_job(job_for("v1-g2-0.5", false));
  CHECK(bad.error.find("divisible by groups 2") != std::string::npos);
}

TEST_CASE("blocks: the backend switch: the CPU by default, CUDA profiles there or says why") {
  CHECK(BlocksConfig{}.device == Device::cpu);
  const BlocksResult cpu = run_blocks_job(job_for("v2-0.5", false));
  REQUIRE(cpu.error.empty());
  CHECK(cpu.job.a.backend() == "CPU, 1 thread");
  CHECK(cpu.a.timed);
  check_counts_equal(cpu.a, reference("v2-0.5", "cifar"));

  BlocksJob cuda = job_for("v2-0.5", false);
  cuda.a.device = Device::cuda;
  CHECK(cuda.a.backend() == "CUDA");
  const std::string why = device_unavailable_reason(Device::cuda);
  if (why.empty()) {  // a GPU machine: the same counts, timed on the device
    const BlocksResult r = run_blocks_job(cuda);
    REQUIRE(r.error.empty());
    CHECK(r.a.timed);
    check_counts_equal(r.a, reference("v2-0.5", "cifar"));
    return;
  }
  // No CUDA: the job's error is core's reason word for word, nothing profiled, no throw.
  const BlocksResult r = run_blocks_job(cuda);
  CHECK(r.error == why);
  CHECK(r.a.layers.empty());
  // The panel's state shows it as its error and profiles again once back on the CPU.
  BlocksState st;
  st.job = cuda;
  st.request();
  REQUIRE(st.worker.wait_idle(120));
  REQUIRE(st.update());
  CHECK(st.shown.error == why);
  st.job.a.device = Device::cpu;
  st.request();
  REQUIRE(st.worker.wait_idle(120));
  REQUIRE(st.update());
  CHECK(st.shown.error.empty());
  CHECK(st.shown.a.model == "v2-0.5");
}

TEST_CASE("blocks: model names, sorting, exports and the comparison") {
  BlocksConfig c;
  for (const char* name : {"v1-g3-1.0", "v1-g8-0.5", "v2-1.5", "v1-g1-0.25"}) {
    set_model_name(c, name);
    CHECK(c.model_name() == name);
  }
  CHECK_THROWS_AS(set_model_name(c, "v3-1.0"), UsageError);

  BlocksJob j = job_for("v1-g3-1.0", true);
  j.compare = true;
  set_model_name(j.b, "v2-1.0");
  j.b.imagenet = true;
  j.b.threads = 1;
  const BlocksResult r = run_blocks_job(j);
  REQUIRE(r.error.empty());
  std::vector<TableRow> rows = table_rows(r.a, TableLevel::layers);
  sort_rows(rows, TableColumn::madds, false);
  for (size_t i = 1; i < rows.size(); ++i) CHECK(rows[i - 1].madds >= rows[i].madds);
  sort_rows(rows, TableColumn::order, true);
  for (size_t i = 0; i < rows.size(); ++i) CHECK(rows[i].order == (int)i);

  const std::string csv = table_text(r.a, rows, false), md = table_text(r.a, rows, true);
  CHECK(csv.rfind("name,kind,output,params,madds,mac,time_ms,madds_share,mac_share,time_share\n",
                  0) == 0);
  CHECK(std::count(csv.begin(), csv.end(), '\n') == (long)rows.size() + 2);
  CHECK(csv.find("\ntotal,,1x3x224x224,1865728,137460672,") != std::string::npos);
  CHECK(md.find("| --- |") != std::string::npos);
  CHECK(std::count(md.begin(), md.end(), '\n') == (long)rows.size() + 3);

  const std::vector<CompareRow> cmp = compare_rows(r.a, r.b);
  const CompareRow& total = cmp.back();
  CHECK(total.name == "total");
  CHECK(total.madds[0] == r.a.madds);
  CHECK(total.madds[1] == r.b.madds);
  CHECK(total.time_ms[1] == r.b.time_ms);
  std::vector<std::string> order;
  for (const CompareRow& row : cmp) {
    order.push_back(row.name);
    if (row.name == "conv5")
      CHECK((!row.in[0] && row.in[1]));  // V1 has no conv5
    else
      CHECK((row.in[0] && row.in[1]));
  }
  // b's extra stage sits where b has it: after stage4, before the pool and fc.
  CHECK(order == std::vector<std::string>{"conv1", "maxpool", "stage2", "stage3", "stage4", "conv5",
                                          "global_avg_pool", "fc", "total"});
  const std::string line = compare_line(r.a, r.b);
  CHECK(line.find("v1-g3-1.0") != std::string::npos);
  CHECK(line.find("v2-1.0") != std::string::npos);
  CHECK(compare_text(r.a, r.b, false).find("stage2,") != std::string::npos);
  CHECK(grouped(1234567) == "1,234,567");
  CHECK(si(1234567) == "1.23M");
  CHECK(pct(0.4567) == "45.7%");
}

TEST_CASE("blocks: gui --model, --variant and --compare refuse what does not exist, with exit 2") {
  // (A name that parses but whose channels do not divide, v1-g2-0.5, opens the panel, which
  // shows the model's error: the worker's job test above checks that message.)
  for (const char* args : {"--model v3-1.0", "--model v1-g3", "--compare v9", "--variant mnist"}) {
    CAPTURE(args);
    const sl::test::Run r = sl::test::run_cli(
        std::string("gui --panel Blocks --screenshot /nonexistent/x.png ") + args);
    CHECK(r.code == 2);
    CHECK(sl::test::has(r.out, "error: "));
  }
  const sl::test::Run r =
      sl::test::run_cli("gui --panel Blocks --screenshot /nonexistent/x.png --model v3-1.0");
  CHECK(sl::test::has(r.out, "v1-g<G>-<scale>"));  // the names that exist
}

TEST_CASE("blocks: the panel state profiles on request, picks the stage-3 unit, keeps a selection "
          "per model") {
  BlocksState s;
  s.job = job_for("v1-g3-0.5", false);
  s.request();
  REQUIRE(s.worker.wait_idle(120));
  REQUIRE(s.update());
  REQUIRE(s.shown.error.empty());
  CHECK(s.figure == UnitFigure::v1_b);
  REQUIRE(s.unit_block >= 0);
  CHECK(s.shown.a.blocks[(size_t)s.unit_block].name == "stage3.1");
  s.request();  // unchanged settings: nothing new is submitted
  CHECK(!s.worker.busy());
  CHECK(!s.update());

  s.select_layers(12, 1);
  s.job.a.batch = 2;  // the same network: the selection stays
  s.request();
  REQUIRE(s.worker.wait_idle(120));
  REQUIRE(s.update());
  CHECK(s.shown.a.input[0] == 2);
  CHECK(s.selected_first == 12);

  set_model_name(s.job.a, "v2-0.5");  // another network: its own default unit, nothing selected
  s.request();
  REQUIRE(s.worker.wait_idle(120));
  REQUIRE(s.update());
  CHECK(s.selected_first == -1);
  CHECK(s.figure == UnitFigure::v2_c);
  CHECK(s.shown.a.blocks[(size_t)s.unit_block].name == "stage3.1");
  CHECK(!s.shown.has_bottleneck);

  set_model_name(s.job.a, "v1-g2-0.5");  // channels not divisible by the groups: an error to show
  s.request();
  REQUIRE(s.worker.wait_idle(120));
  REQUIRE(s.update());
  CHECK(s.shown.error.find("divisible by groups 2") != std::string::npos);
}
