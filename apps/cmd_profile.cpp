// apps/cmd_profile.cpp - `shufflelab profile`: the per-layer and per-block cost table of a
// model (output shape, parameters, multiply-adds, memory access cost, optionally measured
// time), as an aligned table, JSON (shared/spec/cli.md) or CSV. Every number comes from
// nn/cost's profile(), one real forward pass; this file only formats. Not here: formulas.
#include <cstdio>
#include <string>

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

void print_json(const Profile& p, int classes) {
  cli::Json j;
  j.begin_object();
  j.key("model").value(p.model).key("variant").value(p.variant).key("classes").value(classes);
  j.key("input").value(p.input);
  j.key("params").value(p.params).key("madds").value(p.madds).key("mac").value(p.mac);
  j.key("units").begin_object().key("madds").value("multiply-adds").key("mac").value("elements read + written").end_object();
  if (p.timed) j.key("time_ms").value(p.time_ms);
  j.key("layers").begin_array();
  for (const LayerCost& l : p.layers) {
    j.begin_object().key("name").value(l.name).key("type").value(l.type).key("out_shape").value(l.out_shape);
    j.key("params").value(l.params).key("madds").value(l.madds).key("mac").value(l.mac);
    if (p.timed) j.key("time_ms").value(l.time_ms);
    j.end_object();
  }
  j.end_array();
  for (const char* group : {"blocks", "stages"}) {
    j.key(group).begin_array();
    for (const BlockCost& b : std::string(group) == "blocks" ? p.blocks : p.stages) {
      j.begin_object().key("name").value(b.name).key("params").value(b.params).key("madds").value(b.madds);
      j.key("mac").value(b.mac);
      if (p.timed) j.key("time_ms").value(b.time_ms);
      j.end_object();
    }
    j.end_array();
  }
  j.end_object();
  std::printf("%s\n", j.str().c_str());
}

void print_csv(const Profile& p) {
  std::printf("name,block,type,out_shape,params,madds,mac%s\n", p.timed ? ",time_ms" : "");
  for (const LayerCost& l : p.layers) {
    std::printf("%s,%s,%s,\"%s\",%lld,%lld,%lld", l.name.c_str(), block_of(l.name).c_str(), l.type.c_str(),
                shape_str(l.out_shape).c_str(), (long long)l.params, (long long)l.madds, (long long)l.mac);
    if (p.timed) std::printf(",%s", ms(l.time_ms).c_str());
    std::printf("\n");
  }
}

void print_row(const std::string& name, const std::string& type, const std::string& shape, int64_t params,
               int64_t madds, int64_t mac, bool timed, double t) {
  std::printf("%-30s %-16s %-16s %11s %14s %16s", name.c_str(), type.c_str(), shape.c_str(), grouped(params).c_str(),
              grouped(madds).c_str(), grouped(mac).c_str());
  if (timed) std::printf(" %10s", ms(t).c_str());
  std::printf("\n");
}

void print_table(const Profile& p, int classes, Device device) {
  std::printf("%s (%s variant, input %s, %d classes)\n", p.model.c_str(), p.variant.c_str(),
              shape_str(p.input).c_str(), classes);
  std::printf("MAdds = multiply-adds of conv and linear layers (the papers' \"FLOPs\"); "
              "MAC = memory access cost, elements read + written (0 for views)%s\n\n",
              p.timed ? str_cat("; time = median forward time on ", device_name(device)).c_str() : "");
  const std::string rule(p.timed ? 119 : 108, '-');
  std::printf("%-30s %-16s %-16s %11s %14s %16s%s\n", "layer", "type", "output", "params", "MAdds",
              "MAC (elements)", p.timed ? "    time ms" : "");
  std::printf("%s\n", rule.c_str());
  for (const BlockCost& b : p.blocks) {
    for (int i = b.first_layer; i < b.first_layer + b.num_layers; ++i) {
      const LayerCost& l = p.layers[(size_t)i];
      print_row(l.name, l.type, shape_str(l.out_shape), l.params, l.madds, l.mac, p.timed, l.time_ms);
    }
    if (b.num_layers > 1) print_row("  = " + b.name, "block", "", b.params, b.madds, b.mac, p.timed, b.time_ms);
  }
  std::printf("%s\nper stage\n", rule.c_str());
  for (const BlockCost& s : p.stages) print_row(s.name, "", "", s.params, s.madds, s.mac, p.timed, s.time_ms);
  std::printf("%s\n", rule.c_str());
  print_row("total", "", "", p.params, p.madds, p.mac, p.timed, p.time_ms);
  std::printf("\n%s: %.3f M parameters, %.2f M MAdds, %.3f M MAC (elements)%s\n", p.model.c_str(), p.params / 1e6,
              p.madds / 1e6, p.mac / 1e6, p.timed ? str_cat(", ", ms(p.time_ms), " ms per image").c_str() : "");
}

}  // namespace

int cmd_profile(int argc, char** argv) {
  cli::Flags f("profile", argc, argv,
               {{"model", true, "v2-0.5 | v2-1.0 | v2-1.5 | v2-2.0 | v1-g<G>-<scale> (e.g. v1-g3-1.0)"},
                {"variant", true, "cifar (32x32, default) or imagenet (224x224)"},
                {"classes", true, "number of classes (default 10 for cifar, 1000 for imagenet)"},
                {"time", false, "also measure each layer's forward time (median of --repeats runs)"},
                {"repeats", true, "timed forward passes after one warm-up (default 7)"},
                {"device", true, "cpu (default) or cuda"},
                {"json", false, "print JSON (keys in shared/spec/cli.md)"},
                {"csv", false, "print one CSV row per layer"}});
  if (f.help()) {
    std::printf("%s", f.usage("--model M [--variant V] [--classes N] [--time] [--json | --csv]",
                              "Per-layer and per-block cost of a model for one image: output shape, parameters,\n"
                              "multiply-adds (MAdds) and memory access cost (MAC, elements read + written),\n"
                              "from one real forward pass; --time adds measured time per layer.")
                          .c_str());
    return 0;
  }
  SL_CHECK_USAGE(f.has("model"), "profile: --model is required (e.g. --model v2-1.0)");
  SL_CHECK_USAGE(!(f.has("json") && f.has("csv")), "profile: choose one of --json and --csv");
  const std::string name = f.str("model"), variant = f.str("variant", "cifar"), dev = f.str("device", "cpu");
  SL_CHECK_USAGE(dev == "cpu" || dev == "cuda", "profile: --device must be cpu or cuda, got '", dev, "'");
  const int64_t repeats = f.integer("repeats", 7);
  SL_CHECK_USAGE(repeats >= 1 && repeats <= 1000, "profile: --repeats must be in 1..1000, got ", repeats);
  const int classes = (int)f.integer_in("classes", -1, 1, 100000);  // -1: the variant's default
  const ModelConfig config = parse_model_name(name, variant, classes);  // usage errors first

  const Device device = dev == "cuda" ? Device::cuda : Device::cpu;
  SL_CHECK(device == Device::cpu || cuda_available(), "profile: --device cuda but no CUDA device is available");
  auto model = make_model(name, variant, config.classes);
  model->to(device);
  const Profile p = profile(*model, name, variant, {.time = f.has("time"), .repeats = (int)repeats});
  if (f.has("json")) print_json(p, config.classes);
  else if (f.has("csv")) print_csv(p);
  else print_table(p, config.classes, device);
  return 0;
}
