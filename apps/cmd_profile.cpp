// apps/cmd_profile.cpp - `shufflelab profile`: the per-layer (or, with --blocks, per-unit)
// cost table of a model: kind, output shape, parameters, multiply-adds, memory access cost
// and, with --time, the median time of repeated passes and its spread; then a summary by op
// category. As an aligned table, JSON (docs/commands.md) or CSV. Every number comes from
// nn/cost's profile(), real forward passes; this file only sums, divides and formats.
#include <omp.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "apps/cli.h"
#include "apps/commands.h"
#include "nn/cost.h"
#include "nn/models/models.h"

using namespace sl;

namespace {

// 1234567 -> "1,234,567"
std::string grouped(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (v < 0 ? "-" : "") + out;
}

std::string ms(double t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", t);
  return buf;
}

// The whole pass is "busy" when its slowest timed run took over 1.25x its fastest: then
// single times mislead, and the table says so instead of printing a total.
bool busy(const Profile& p) {
  return p.timed && p.time_min_ms > 0 && p.time_max_ms > 1.25 * p.time_min_ms;
}

// "+-12%": half the min..max range of the timed runs, relative to the median.
std::string spread(double t, double lo, double hi) {
  if (t <= 0) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "+-%.0f%%", 50.0 * (hi - lo) / t);
  return buf;
}

std::string pct(double part, double whole) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", whole > 0 ? 100.0 * part / whole : 0.0);
  return buf;
}

// A block's kind: the unit and its stride, or its one layer's kind (stem, pools, head).
std::string block_kind(const Profile& p, const BlockCost& b) {
  if (b.num_layers == 1) return p.layers[(size_t)b.first_layer].kind;
  if (b.name.rfind("stage", 0) != 0) return std::to_string(b.num_layers) + " ops";
  bool s2 = false;
  for (int i = b.first_layer; i < b.first_layer + b.num_layers; ++i) {
    const std::string& k = p.layers[(size_t)i].kind;
    s2 = s2 || (k.size() >= 2 && k.compare(k.size() - 2, 2, "s2") == 0);
  }
  return s2 ? "unit s2" : "unit s1";
}

void print_json(const Profile& p, int classes) {
  cli::Json j;
  j.begin_object();
  j.key("model").value(p.model).key("variant").value(p.variant).key("classes").value(classes);
  j.key("input").value(p.input).key("batch").value(p.input.empty() ? 1 : p.input[0]);
  j.key("params").value(p.params).key("madds").value(p.madds).key("mac").value(p.mac);
  j.key("units")
      .begin_object()
      .key("madds")
      .value("multiply-adds")
      .key("mac")
      .value("elements read + written")
      .end_object();
  auto times = [&](double t, double lo, double hi) {
    if (p.timed)
      j.key("time_ms").value(t).key("time_min_ms").value(lo).key("time_max_ms").value(hi);
  };
  times(p.time_ms, p.time_min_ms, p.time_max_ms);
  if (p.timed) j.key("busy").value(busy(p));
  j.key("layers").begin_array();
  for (const LayerCost& l : p.layers) {
    j.begin_object()
        .key("name")
        .value(l.name)
        .key("type")
        .value(l.type)
        .key("out_shape")
        .value(l.out_shape);
    j.key("params").value(l.params).key("madds").value(l.madds).key("mac").value(l.mac);
    times(l.time_ms, l.time_min_ms, l.time_max_ms);
    j.key("kind").value(l.kind).key("category").value(l.category);
    j.key("fused_into").value(l.fused_into);
    j.end_object();
  }
  j.end_array();
  for (const char* group : {"blocks", "stages"}) {
    j.key(group).begin_array();
    for (const BlockCost& b : std::string(group) == "blocks" ? p.blocks : p.stages) {
      j.begin_object().key("name").value(b.name).key("params").value(b.params).key("madds").value(
          b.madds);
      j.key("mac").value(b.mac);
      times(b.time_ms, b.time_min_ms, b.time_max_ms);
      j.end_object();
    }
    j.end_array();
  }
  j.end_object();
  std::printf("%s\n", j.str().c_str());
}

void print_csv(const Profile& p, bool blocks) {
  const char* timed = p.timed ? ",time_ms,time_min_ms,time_max_ms" : "";
  if (blocks) {
    std::printf("name,kind,out_shape,params,madds,mac%s\n", timed);
    for (const BlockCost& b : p.blocks) {
      const LayerCost& last = p.layers[size_t(b.first_layer + b.num_layers - 1)];
      std::printf("%s,%s,\"%s\",%lld,%lld,%lld", b.name.c_str(), block_kind(p, b).c_str(),
                  shape_str(last.out_shape).c_str(), (long long)b.params, (long long)b.madds,
                  (long long)b.mac);
      if (p.timed)
        std::printf(",%s,%s,%s", ms(b.time_ms).c_str(), ms(b.time_min_ms).c_str(),
                    ms(b.time_max_ms).c_str());
      std::printf("\n");
    }
    return;
  }
  std::printf("name,block,type,out_shape,params,madds,mac,kind,category%s\n", timed);
  for (const LayerCost& l : p.layers) {
    std::printf("%s,%s,%s,\"%s\",%lld,%lld,%lld,%s,%s", l.name.c_str(), block_of(l.name).c_str(),
                l.type.c_str(), shape_str(l.out_shape).c_str(), (long long)l.params,
                (long long)l.madds, (long long)l.mac, l.kind.c_str(), l.category.c_str());
    if (p.timed)
      std::printf(",%s,%s,%s", ms(l.time_ms).c_str(), ms(l.time_min_ms).c_str(),
                  ms(l.time_max_ms).c_str());
    std::printf("\n");
  }
}

struct Cells {
  double t = 0, lo = 0, hi = 0;
};

void print_row(const std::string& name, const std::string& kind, const std::string& shape,
               int64_t params, int64_t madds, int64_t mac, bool timed, Cells c) {
  std::printf("%-30s %-15s %-16s %11s %14s %16s", name.c_str(), kind.c_str(), shape.c_str(),
              grouped(params).c_str(), grouped(madds).c_str(), grouped(mac).c_str());
  if (timed) std::printf(" %10s %7s", ms(c.t).c_str(), spread(c.t, c.lo, c.hi).c_str());
  std::printf("\n");
}

// The by-category summary: what share of MAdds, MAC and time each kind of op takes, and the
// share of time in ops that the FLOPs count ignores (0 MAdds), as in the V2 paper's Fig. 2.
void print_categories(const Profile& p) {
  std::printf("\nby category          ops     MAdds       MAC%s\n", p.timed ? "      time" : "");
  double blind_t = 0;
  int64_t blind_mac = 0;
  for (const CategoryCost& c : by_category(p)) {
    if (c.madds == 0) blind_t += c.time_ms, blind_mac += c.mac;
    std::printf("  %-16s %5d %9s %9s", c.category.c_str(), c.layers,
                pct((double)c.madds, (double)p.madds).c_str(),
                pct((double)c.mac, (double)p.mac).c_str());
    if (p.timed) std::printf(" %9s", pct(c.time_ms, p.time_ms).c_str());
    std::printf("\n");
  }
  if (p.timed)
    std::printf("ops with 0 MAdds (what FLOPs ignore): %s of the time, %s of the MAC\n",
                pct(blind_t, p.time_ms).c_str(), pct((double)blind_mac, (double)p.mac).c_str());
  else
    std::printf("ops with 0 MAdds (what FLOPs ignore): %s of the MAC; add --time to see their "
                "share of time\n",
                pct((double)blind_mac, (double)p.mac).c_str());
}

void print_table(const Profile& p, int classes, Device device, int threads, int repeats,
                 bool blocks) {
  std::printf("%s (%s variant, input %s, %d classes)\n", p.model.c_str(), p.variant.c_str(),
              shape_str(p.input).c_str(), classes);
  std::printf("MAdds = multiply-adds of conv and linear layers (the papers' \"FLOPs\"); "
              "MAC = memory access cost, elements read + written (0 for views)\n");
  if (p.timed)
    std::printf("time = median ms over %d timed forward passes after one warm-up, on %s; spread = "
                "half the min..max "
                "range of the passes, relative to the median\n",
                repeats,
                device == Device::cpu
                    ? str_cat("cpu, ", threads, threads == 1 ? " thread" : " threads").c_str()
                    : "cuda");
  std::printf("\n");
  const std::string rule(p.timed ? 127 : 108, '-');
  std::printf("%-30s %-15s %-16s %11s %14s %16s%s\n", blocks ? "block" : "layer", "kind", "output",
              "params", "MAdds", "MAC (elements)", p.timed ? "    time ms  spread" : "");
  std::printf("%s\n", rule.c_str());
  for (const BlockCost& b : p.blocks) {
    if (blocks) {
      const LayerCost& last = p.layers[size_t(b.first_layer + b.num_layers - 1)];
      print_row(b.name, block_kind(p, b), shape_str(last.out_shape), b.params, b.madds, b.mac,
                p.timed, {b.time_ms, b.time_min_ms, b.time_max_ms});
      continue;
    }
    for (int i = b.first_layer; i < b.first_layer + b.num_layers; ++i) {
      const LayerCost& l = p.layers[(size_t)i];
      const std::string kind = l.fused_into.empty() ? l.kind : l.kind + " *";
      print_row(l.name, kind, shape_str(l.out_shape), l.params, l.madds, l.mac, p.timed,
                {l.time_ms, l.time_min_ms, l.time_max_ms});
    }
    if (b.num_layers > 1)
      print_row("  = " + b.name, "block", "", b.params, b.madds, b.mac, p.timed,
                {b.time_ms, b.time_min_ms, b.time_max_ms});
  }
  if (!blocks && std::any_of(p.layers.begin(), p.layers.end(),
                             [](const LayerCost& l) { return !l.fused_into.empty(); }))
    std::printf("* fused: runs inside the kernel of the row above (bn + relu, concat + "
                "shuffle); the pair's time is on that row\n");
  std::printf("%s\nper stage\n", rule.c_str());
  for (const BlockCost& s : p.stages)
    print_row(s.name, "", "", s.params, s.madds, s.mac, p.timed,
              {s.time_ms, s.time_min_ms, s.time_max_ms});
  std::printf("%s\n", rule.c_str());
  print_row("total", "", "", p.params, p.madds, p.mac, p.timed,
            {p.time_ms, p.time_min_ms, p.time_max_ms});
  print_categories(p);
  const int64_t n = p.input.empty() ? 1 : p.input[0];
  std::printf("\n%s: %.3f M parameters, %.2f M MAdds, %.3f M MAC (elements)%s", p.model.c_str(),
              p.params / 1e6, p.madds / 1e6, p.mac / 1e6,
              n > 1 ? str_cat(" for a batch of ", n).c_str() : "");
  if (!p.timed)
    std::printf("\n");
  else if (busy(p))
    std::printf("\ntime: no total given: the timed passes took %s .. %s ms, %.1fx apart, so the "
                "machine is busy "
                "and one number would mislead; rerun when it is idle, or with more --repeats\n",
                ms(p.time_min_ms).c_str(), ms(p.time_max_ms).c_str(),
                p.time_max_ms / p.time_min_ms);
  else
    std::printf(", %s ms per forward pass (passes %s .. %s ms)\n", ms(p.time_ms).c_str(),
                ms(p.time_min_ms).c_str(), ms(p.time_max_ms).c_str());
}

}  // namespace

int cmd_profile(int argc, char** argv) {
  cli::Flags f(
      "profile", argc, argv,
      {{"model", true, "v2-0.5 | v2-1.0 | v2-1.5 | v2-2.0 | v1-g<G>-<scale> (e.g. v1-g3-1.0)"},
       {"variant", true, "cifar (32x32, default) or imagenet (224x224)"},
       {"classes", true, "number of classes (default 10 for cifar, 1000 for imagenet)"},
       {"batch", true, "images per forward pass (default 1); MAdds and MAC scale with it"},
       {"blocks", false, "one row per block (ShuffleNet unit, stem, head) instead of per layer"},
       {"time", false,
        "also measure each layer's forward time: one warm-up, then the median of --repeats"},
       {"repeats", true, "timed forward passes after the warm-up (default 7)"},
       {"threads", true, "CPU threads (default: all cores)"},
       cli::device_flag_spec(),
       {"json", false, "print JSON (keys in docs/commands.md)"},
       {"csv", false, "print one CSV row per layer (per block with --blocks)"}});
  if (f.help()) {
    std::printf(
        "%s",
        f.usage(
             "--model M [--variant V] [--batch B] [--blocks] [--time [--repeats R]] [--threads T]\n"
             "       [--device D] [--json | --csv]",
             "Per-layer and per-block cost of a model: output shape, parameters, multiply-adds\n"
             "(MAdds) and memory access cost (MAC, elements read + written), from one real\n"
             "forward pass, with a summary by op category; --time adds measured time per layer\n"
             "(median of repeats after a warm-up, with its spread).")
            .c_str());
    return 0;
  }
  SL_CHECK_USAGE(f.has("model"), "profile: --model is required (e.g. --model v2-1.0)");
  SL_CHECK_USAGE(!(f.has("json") && f.has("csv")), "profile: choose one of --json and --csv");
  const std::string name = f.str("model"), variant = f.str("variant", "cifar");
  const int64_t repeats = f.integer("repeats", 7);
  SL_CHECK_USAGE(repeats >= 1 && repeats <= 1000, "profile: --repeats must be in 1..1000, got ",
                 repeats);
  const int64_t batch = f.integer("batch", 1);
  SL_CHECK_USAGE(batch >= 1 && batch <= 1024, "profile: --batch must be in 1..1024, got ", batch);
  if (f.has("threads")) {
    const int64_t t = f.integer("threads", 0);
    SL_CHECK_USAGE(t >= 1 && t <= 1024, "--threads must be between 1 and 1024, got ", t);
    omp_set_num_threads((int)t);
  }
  const int classes = (int)f.integer_in("classes", -1, 1, 100000);      // -1: the variant's default
  const ModelConfig config = parse_model_name(name, variant, classes);  // usage errors first

  // With --time on cuda, each layer is timed between two device synchronizations (nn/cost),
  // so the times are kernel time, not launch time.
  const Device device = cli::device_flag(f, "profile");  // exit 1 with the reason when unusable
  auto model = make_model(name, variant, config.classes);
  model->to(device);
  const Profile p = profile(*model, name, variant,
                            {.time = f.has("time"), .repeats = (int)repeats, .batch = batch});
  if (f.has("json"))
    print_json(p, config.classes);
  else if (f.has("csv"))
    print_csv(p, f.has("blocks"));
  else
    print_table(p, config.classes, device, omp_get_max_threads(), (int)repeats, f.has("blocks"));
  return 0;
}
