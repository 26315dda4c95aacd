// apps/cmd_guidelines.cpp - `shufflelab guidelines`: ShuffleNet V2's experiments G1-G4
// re-run on this machine, each table printed with the paper's numbers beside ours (both
// normalised to the first row), then the zero-copy shuffle; or the same as JSON (shape in
// docs/guidelines.md). A progress line goes to stderr. The experiments live in
// nn/guidelines.h, which the app's Guidelines panel calls too; this file only formats.
#include <cstdio>
#include <string>

#include "apps/cli.h"
#include "apps/commands.h"
#include "nn/guidelines.h"

using namespace sl;

namespace {

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string millions(int64_t v) { return fmt("%.2fM", double(v) / 1e6); }

void print_table(const GuidelineTable& t, const GuidelinesReport& rep) {
  const bool gpu = rep.device == "cuda";
  std::printf("\n%s: %s (paper Table %d)\n", guideline_name(t.guideline),
              guideline_title(t.guideline), (int)t.guideline + 1);
  std::printf("%-24s %-6s %9s %6s %9s %4s %9s %9s | %7s %7s %7s  %s\n", "config", "width", "MAdds",
              "dMAdds", "MAC", "ops", "time ms", "img/s", "ours", gpu ? "GPU" : "ARM",
              gpu ? "ARM" : "GPU", "trend");
  std::printf("%s\n", std::string(129, '-').c_str());
  int64_t first_madds = 0;
  std::string width;
  for (const GuidelineRow& r : t.rows) {
    if (r.config.width != width) {  // FLOPs compare with the first row of the same width
      width = r.config.width;
      first_madds = r.madds;
    }
    const double dmadds =
        first_madds > 0 ? 100.0 * double(r.madds - first_madds) / double(first_madds) : 0;
    const double mine = gpu ? r.paper_gpu_norm : r.paper_arm_norm,
                 other = gpu ? r.paper_arm_norm : r.paper_gpu_norm;
    std::printf("%-24s %-6s %9s %+5.1f%% %9s %4d %9.3f %9.1f | %7.2f %7.2f %7.2f  %s",
                r.config.label.c_str(), r.config.width.c_str(), millions(r.madds).c_str(), dmadds,
                millions(r.mac).c_str(), r.op_calls, r.time_ms, r.per_s, r.measured_norm, mine,
                other, r.trend.empty() ? "(reference)" : r.trend.c_str());
    if (t.guideline == Guideline::g4 && r.elementwise_share > 0)
      std::printf("  element-wise %.0f%% of time", 100.0 * r.elementwise_share);
    std::printf("\n");
  }
}

void print_zero_copy(const ZeroCopyResult& z) {
  std::printf("\nZero-copy shuffle: 10 V2 units %s, each followed by the next 1x1 convolution "
              "(groups %lld)\n",
              shape_str(z.input).c_str(), (long long)z.groups);
  std::printf("%-38s %9s %9s %11s %9s %9s %8s %12s\n", "variant", "MAdds", "MAC", "shuffle MAC",
              "concat", "time ms", "saved", "max |diff|");
  std::printf("%s\n", std::string(112, '-').c_str());
  for (const ZeroCopyRow& r : z.rows)
    std::printf("%-38s %9s %9s %11s %9s %9.3f %7.1f%% %12.2g\n", r.variant.c_str(),
                millions(r.madds).c_str(), millions(r.mac).c_str(), millions(r.shuffle_mac).c_str(),
                millions(r.concat_mac).c_str(), r.time_ms, r.saved_pct, r.max_abs_diff);
}

void print_json(const GuidelinesReport& rep) {
  cli::Json j;
  j.begin_object();
  j.key("device").value(rep.device).key("threads").value(rep.threads).key("batch").value(rep.batch);
  j.key("mode").value(rep.precise ? "precise" : "quick").key("warmup").value(rep.warmup);
  j.key("repeats").value(rep.repeats).key("cancelled").value(rep.cancelled);
  j.key("units").begin_object().key("madds").value(
      "multiply-adds per forward pass of the 10-block stack");
  j.key("mac").value("elements read + written per pass").key("measured").value("images/s");
  j.key("paper")
      .value(rep.device == "cuda" ? "GTX 1080Ti batches/s" : "Snapdragon 810 images/s")
      .end_object();
  j.key("tables").begin_array();
  for (const GuidelineTable& t : rep.tables) {
    j.begin_object()
        .key("guideline")
        .value(guideline_name(t.guideline))
        .key("title")
        .value(guideline_title(t.guideline));
    j.key("rows").begin_array();
    for (const GuidelineRow& r : t.rows) {
      const bool gpu = rep.device == "cuda";
      j.begin_object().key("config").value(r.config.label).key("width").value(r.config.width);
      j.key("c1")
          .value(r.config.c1)
          .key("c2")
          .value(r.config.c2)
          .key("groups")
          .value(r.config.groups);
      j.key("madds")
          .value(r.madds)
          .key("mac")
          .value(r.mac)
          .key("elementwise_mac")
          .value(r.elementwise_mac);
      j.key("op_calls").value(r.op_calls).key("time_ms").value(r.time_ms);
      j.key("measured").value(r.per_s).key("measured_normalised").value(r.measured_norm);
      j.key("paper").value(gpu ? r.paper_gpu : r.paper_arm);
      j.key("paper_normalised").value(gpu ? r.paper_gpu_norm : r.paper_arm_norm);
      j.key("paper_gpu").value(r.paper_gpu).key("paper_arm").value(r.paper_arm);
      j.key("trend").value(r.trend);
      if (t.guideline == Guideline::g4) j.key("elementwise_time_share").value(r.elementwise_share);
      j.end_object();
    }
    j.end_array().end_object();
  }
  j.end_array();
  if (rep.has_zero_copy) {
    j.key("zero_copy")
        .begin_object()
        .key("input")
        .value(rep.zero_copy.input)
        .key("rows")
        .begin_array();
    for (const ZeroCopyRow& r : rep.zero_copy.rows) {
      j.begin_object().key("variant").value(r.variant).key("madds").value(r.madds).key("mac").value(
          r.mac);
      j.key("shuffle_mac").value(r.shuffle_mac).key("concat_mac").value(r.concat_mac);
      j.key("time_ms")
          .value(r.time_ms)
          .key("saved_ms")
          .value(r.saved_ms)
          .key("saved_percent")
          .value(r.saved_pct);
      j.key("max_abs_diff").value(r.max_abs_diff).end_object();
    }
    j.end_array().end_object();
  }
  j.end_object();
  std::printf("%s\n", j.str().c_str());
}

}  // namespace

int cmd_guidelines(int argc, char** argv) {
  cli::Flags f(
      "guidelines", argc, argv,
      {{"only", true, "run one experiment: G1, G2, G3 or G4 (default: all four + zero-copy)"},
       cli::device_flag_spec(),
       {"threads", true, "CPU threads (default: all cores)"},
       {"batch", true, "images per pass (default 1 on cpu, 8 on cuda)"},
       {"quick", false, "first width column, median of 9 passes after 2 warm-ups (the default)"},
       {"precise", false, "all three width columns, median of 21 passes after 3 warm-ups"},
       {"repeats", true, "timed passes per configuration (default 9 quick, 21 precise)"},
       {"json", false, "print JSON (shape in docs/guidelines.md)"}});
  if (f.help()) {
    std::printf(
        "%s",
        f.usage(
             "[--only G1|G2|G3|G4] [--device cpu|cuda] [--threads T] [--batch N]\n       "
             "[--quick|--precise] [--repeats R] [--json]",
             "Re-runs ShuffleNet V2's four guideline experiments (Tables 1-4) with ShuffleLab's\n"
             "own kernels and prints each table beside the paper's, both normalised to the\n"
             "first row, with each configuration's multiply-adds and memory access cost (MAC);\n"
             "then the zero-copy shuffle. Timings are medians and vary with machine load.")
            .c_str());
    return 0;
  }
  SL_CHECK_USAGE(!(f.has("quick") && f.has("precise")),
                 "guidelines: choose one of --quick and --precise");
  GuidelinesOptions opt;
  opt.device = cli::device_flag(f, "guidelines");  // exit 1 with the reason when unusable
  opt.precise = f.has("precise");
  if (f.has("threads")) {
    const int64_t t = f.integer("threads", 0);
    SL_CHECK_USAGE(t >= 1 && t <= 1024, "guidelines: --threads must be between 1 and 1024, got ",
                   t);
    opt.threads = (int)t;
  }
  if (f.has("batch")) {
    opt.batch = f.integer("batch", 1);
    SL_CHECK_USAGE(opt.batch >= 1 && opt.batch <= 1024, "guidelines: --batch must be 1..1024, got ",
                   opt.batch);
  }
  if (f.has("repeats")) {
    opt.repeats = (int)f.integer("repeats", 9);
    SL_CHECK_USAGE(opt.repeats >= 1 && opt.repeats <= 1000,
                   "guidelines: --repeats must be 1..1000, got ", opt.repeats);
  }
  if (f.has("only")) {
    Guideline g;
    SL_CHECK_USAGE(guideline_from_name(f.str("only"), &g),
                   "guidelines: --only must be G1, G2, G3 or G4, got '", f.str("only"), "'");
    opt.only = {g};
    opt.zero_copy = false;
  }
  opt.progress = [](double frac, const std::string& what) {
    std::fprintf(stderr, "\r[%3.0f%%] %-60s", 100.0 * frac, what.c_str());
    if (frac >= 1.0) std::fprintf(stderr, "\n");
    std::fflush(stderr);
  };
  const GuidelinesReport rep = run_guidelines(opt);
  if (f.has("json")) {
    print_json(rep);
    return 0;
  }
  std::printf("ShuffleNet V2's guidelines on this machine: %s, %d thread%s, batch %lld, %s mode "
              "(median of %d "
              "passes after %d warm-up)\n",
              rep.device.c_str(), rep.threads, rep.threads == 1 ? "" : "s", (long long)rep.batch,
              rep.precise ? "precise" : "quick", rep.repeats, rep.warmup);
  std::printf("MAdds, MAC: per pass of the 10-block stack (nn/cost); dMAdds: against the first row "
              "of the same width\n"
              "(the paper's channel counts hold FLOPs to within a few percent).\n");
  std::printf("ours/%s/%s: speed over the first row of the same width (1.00 = as fast; < 1 "
              "slower). Paper: %s.\n"
              "trend holds: ours and the paper's %s column are both < 0.97, both within 3%% of 1, "
              "or both > 1.03.\n",
              rep.device == "cuda" ? "GPU" : "ARM", rep.device == "cuda" ? "ARM" : "GPU",
              "GTX 1080Ti (batches/s), Snapdragon 810 one thread (images/s)",
              rep.device == "cuda" ? "GPU" : "ARM");
  for (const GuidelineTable& t : rep.tables) print_table(t, rep);
  if (rep.has_zero_copy) print_zero_copy(rep.zero_copy);
  return 0;
}
