// apps/cmd_shuffle.cpp - `shufflelab shuffle`: channel shuffle in the terminal, one
// real core op per step (view, transpose, contiguous, view), printing each step's
// shape, strides and whether data moved, then the resulting channel order. Every
// number comes from the tensors themselves. Not here: the op (core/channel_shuffle.cpp).
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "apps/cli.h"
#include "apps/commands.h"
#include "core/tensor.h"

using namespace sl;

namespace {

struct Step {
  std::string op, code;
  Tensor t;
  bool copied;
  int64_t bytes;
};

// Input channel c holds the value c everywhere, so the data spells the order.
std::vector<int64_t> channel_order(const Tensor& x) {
  Tensor c = x.contiguous();
  std::vector<float> v = c.to_vector();
  int64_t C = c.size(1), plane = c.size(2) * c.size(3);
  std::vector<int64_t> order(C);
  for (int64_t j = 0; j < C; ++j) order[j] = (int64_t)v[j * plane];
  return order;
}

std::string strides_str(const Tensor& t) { return shape_str(t.strides()); }

// "[0 1 2 | 3 4 5]": channel ids grouped in runs of `run`, coloured by source group.
std::string strip(const std::vector<int64_t>& order, int64_t run, int64_t per_group, bool color) {
  static const int kColors[] = {31, 32, 33, 34, 35, 36, 91, 92, 93, 94, 95, 96};
  std::string s = "[";
  for (size_t j = 0; j < order.size(); ++j) {
    if (j > 0) s += (j % run == 0) ? " | " : " ";
    std::string id = std::to_string(order[j]);
    if (color) {
      int c = kColors[(order[j] / per_group) % 12];
      id = "\033[" + std::to_string(c) + "m" + id + "\033[0m";
    }
    s += id;
  }
  return s + "]";
}

}  // namespace

int cmd_shuffle(int argc, char** argv) {
  cli::Flags f("shuffle", argc, argv,
               {{"channels", true, "number of channels C (default 8)"},
                {"groups", true, "number of groups g; must divide C (default 2)"},
                {"size", true, "spatial size H = W (default 1)"},
                {"json", false, "print the steps as JSON (docs/commands.md)"}});
  if (f.help()) {
    std::printf("%s", f.usage("--channels C --groups G [--size S] [--json]",
                              "Channel shuffle as ShuffleNet writes it: view [N,g,C/g,H,W] -> transpose(1,2)\n"
                              "-> contiguous -> view [N,C,H,W]. Each step is a real tensor op; the table\n"
                              "shows its shape, strides and whether data moved, then which input channel\n"
                              "lands at each output position. Try: shufflelab shuffle --channels 12 --groups 3")
                          .c_str());
    return 0;
  }
  int64_t C = f.integer("channels", 8), G = f.integer("groups", 2), S = f.integer("size", 1);
  SL_CHECK_USAGE(C >= 1 && C <= 4096, "shuffle: --channels must be between 1 and 4096, got ", C);
  SL_CHECK_USAGE(G >= 1, "shuffle: --groups must be at least 1, got ", G);
  SL_CHECK_USAGE(C % G == 0, "shuffle: channels C = ", C, " is not divisible by groups g = ", G,
                 " (g must divide C)");
  SL_CHECK_USAGE(S >= 1 && S <= 64, "shuffle: --size must be between 1 and 64, got ", S);

  // x [1, C, S, S], channel c filled with c.
  std::vector<float> data(C * S * S);
  for (int64_t c = 0; c < C; ++c)
    for (int64_t i = 0; i < S * S; ++i) data[c * S * S + i] = (float)c;
  Tensor x = Tensor::from_data(data, {1, C, S, S});

  std::vector<Step> steps;
  auto add = [&](const std::string& op, const std::string& code, const Tensor& t, const Tensor& prev) {
    CopyStats after = copy_stats();
    bool copied = prev.defined() && !t.shares_storage(prev);
    steps.push_back({op, code, t, copied, copied ? after.bytes : 0});
  };
  reset_copy_stats();
  add("input", "Tensor x = ...;  // [N, C, H, W]", x, Tensor());
  Tensor v = x.view({1, G, C / G, S, S});
  add("view", "x.view({N, g, C/g, H, W})", v, x);
  Tensor t = v.transpose(1, 2);
  add("transpose(1,2)", ".transpose(1, 2)", t, v);
  reset_copy_stats();
  Tensor c = t.contiguous();
  add("contiguous", ".contiguous()", c, t);
  Tensor y = c.view({1, C, S, S});
  add("view", ".view({N, C, H, W})", y, c);
  std::vector<int64_t> order = channel_order(y);

  if (f.has("json")) {
    cli::Json j;
    j.begin_object().key("channels").value(C).key("groups").value(G).key("steps").begin_array();
    for (const Step& s : steps)
      j.begin_object()
          .key("op").value(s.op)
          .key("shape").value(s.t.shape())
          .key("strides").value(s.t.strides())
          .key("copies").value(s.copied)
          .key("bytes_copied").value(s.bytes)
          .key("code").value(s.code)
          .end_object();
    j.end_array().key("order").value(order).end_object();
    std::printf("%s\n", j.str().c_str());
    return 0;
  }

  bool color = isatty(STDOUT_FILENO);
  std::printf("channel shuffle of C = %lld channels in g = %lld groups (C/g = %lld per group)\n\n",
              (long long)C, (long long)G, (long long)(C / G));
  std::printf("  %-4s %-16s %-18s %-20s %-18s %s\n", "step", "op", "shape", "strides", "data moved",
              "C++");
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& s = steps[i];
    std::string moved = i == 0 ? "-" : s.copied ? "yes, " + std::to_string(s.bytes) + " bytes" : "no (a view)";
    std::printf("  %-4zu %-16s %-18s %-20s %-18s %s\n", i, s.op.c_str(), shape_str(s.t.shape()).c_str(),
                strides_str(s.t).c_str(), moved.c_str(), s.code.c_str());
  }
  std::vector<int64_t> identity(C);
  for (int64_t i = 0; i < C; ++i) identity[i] = i;
  std::printf("\n  before  %s   (g = %lld groups of %lld)\n", strip(identity, C / G, C / G, color).c_str(),
              (long long)G, (long long)(C / G));
  std::printf("  after   %s   (%lld runs of g = %lld: one channel from each group)\n",
              strip(order, G, C / G, color).c_str(), (long long)(C / G), (long long)G);
  std::printf("\n  output channel j takes input channel order[j] = (j %% g) * (C/g) + j / g\n");
  std::printf("  only step 3 (contiguous) moved data; steps 1, 2 and 4 changed shape and strides only.\n");
  return 0;
}
