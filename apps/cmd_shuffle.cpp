// apps/cmd_shuffle.cpp - `shufflelab shuffle`: channel shuffle in the terminal. It prints
// the trace of nn/shuffle_trace.h (the same one the app's Shuffle panel draws): each
// step's shape, strides and copies, the order the transposed view reads x's buffer in,
// the error `view` gives without contiguous(), and the resulting channel order.
// Not here: the op (core/channel_shuffle.cpp) or the trace itself (nn/shuffle_trace.cpp).
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "apps/cli.h"
#include "apps/commands.h"
#include "apps/shuffle_flags.h"
#include "nn/shuffle_trace.h"

using namespace sl;

namespace {

// "[0 2 | 1 3]": channel ids grouped in runs of `run`, coloured by source group.
std::string strip(const std::vector<int64_t>& order, int64_t run, int64_t per_group, bool color) {
  static const int kColors[] = {31, 32, 33, 34, 35, 36, 91, 92, 93, 94, 95, 96};
  std::string s = "[";
  for (size_t j = 0; j < order.size(); ++j) {
    if (j > 0) s += (j % run == 0) ? " | " : " ";
    std::string id = std::to_string(order[j]);
    if (color) {
      const int c = kColors[(order[j] / per_group) % 12];
      id = "\033[" + std::to_string(c) + "m" + id + "\033[0m";
    }
    s += id;
  }
  return s + "]";
}

// The offset in x's buffer where the transposed view starts reading each channel run:
// read_path at every H*W-th element.
std::vector<int64_t> run_offsets(const ShuffleTrace& tr) {
  const int64_t HW = tr.shape.H * tr.shape.W;
  std::vector<int64_t> out;
  for (size_t i = 0; i < tr.read_path.size(); i += HW) out.push_back(tr.read_path[i]);
  return out;
}

void print_json(const ShuffleTrace& tr) {
  const ShuffleExample& s = tr.shape;
  cli::Json j;
  j.begin_object().key("channels").value(s.C).key("groups").value(s.G);
  j.key("shape").value(std::vector<int64_t>{s.N, s.C, s.H, s.W}).key("steps").begin_array();
  for (const ShuffleTraceStep& st : tr.steps)
    j.begin_object()
        .key("op")
        .value(st.op)
        .key("shape")
        .value(st.tensor.shape())
        .key("strides")
        .value(st.tensor.strides())
        .key("copies")
        .value(st.copies)
        .key("bytes_copied")
        .value(st.bytes)
        .key("shares_input")
        .value(st.shares_input_storage)
        .key("code")
        .value(st.code_values)
        .end_object();
  j.end_array().key("order").value(tr.order[0]).key("order_per_sample").begin_array();
  for (const std::vector<int64_t>& o : tr.order) j.value(o);
  j.end_array().key("read_offsets").value(run_offsets(tr));
  j.key("view_error").value(tr.view_error).end_object();
  std::printf("%s\n", j.str().c_str());
}

}  // namespace

int cmd_shuffle(int argc, char** argv) {
  std::vector<cli::FlagSpec> specs = cli::shuffle_shape_flags();
  specs.push_back({"json", false, "print the steps as JSON (docs/commands.md)"});
  cli::Flags f("shuffle", argc, argv, specs);
  if (f.help()) {
    std::printf(
        "%s",
        f.usage("[--channels C] [--groups G] [--shape NxCxHxW] [--batch N] [--height H]\n"
                "       [--width W] [--json]",
                "Channel shuffle as ShuffleNet writes it: view [N,G,C/G,H,W] -> transpose(1,2)\n"
                "-> contiguous -> view [N,-1,H,W]. Each step is a real tensor op; the table\n"
                "shows its shape, strides and the copies core's copy_stats() counted, then\n"
                "the order the transposed view reads memory in and which input channel\n"
                "lands at each output position. Without flags: the article's example,\n"
                "x of shape 2x4x2x2 with G = 2. Try: shufflelab shuffle --channels 12 --groups 3")
            .c_str());
    return 0;
  }
  const ShuffleExample s = cli::read_shuffle_shape(f, "shuffle");
  SL_CHECK_USAGE(s.N <= 64 && s.C <= 4096 && s.H <= 64 && s.W <= 64,
                 "shuffle: N <= 64, C <= 4096, "
                 "H and W <= 64 here, got ",
                 s.N, "x", s.C, "x", s.H, "x", s.W);
  SL_CHECK_USAGE(s.N * s.C * s.H * s.W <= (int64_t(1) << 22), "shuffle: x would hold ",
                 s.N * s.C * s.H * s.W, " floats; keep N*C*H*W at most 4194304 for a walkthrough");
  const ShuffleTrace tr = trace_channel_shuffle(channel_labels(s), s.G);
  if (f.has("json")) {
    print_json(tr);
    return 0;
  }

  const bool color = isatty(STDOUT_FILENO);
  const int64_t C = s.C, G = s.G, Cg = C / G;
  std::printf("channel shuffle of x %s in G = %lld groups (C/G = %lld channels per group)\n",
              shape_str({s.N, C, s.H, s.W}).c_str(), (long long)G, (long long)Cg);
  std::printf("every float of input channel c holds the value c, so the data spells the order\n\n");
  std::printf("  %-4s %-11s %-16s %-18s %-26s %s\n", "step", "op", "shape", "strides",
              "copies (copy_stats)", "C++");
  int64_t copies = 0;
  for (size_t i = 0; i < tr.steps.size(); ++i) {
    const ShuffleTraceStep& st = tr.steps[i];
    copies += st.copies;
    const std::string moved = i == 0          ? "-"
                              : st.copies > 0 ? std::to_string(st.copies) + " copy, " +
                                                    std::to_string(st.bytes) + " bytes"
                              : st.shares_input_storage ? "0 (a view of x's buffer)"
                                                        : "0 (a view of y's buffer)";
    std::printf("  %-4zu %-11s %-16s %-18s %-26s %s\n", i, st.op.c_str(),
                shape_str(st.tensor.shape()).c_str(), shape_str(st.tensor.strides()).c_str(),
                moved.c_str(), st.code_values.c_str());
  }

  // Step 2's read path, one number per channel run, samples and G-runs separated.
  const std::vector<int64_t> offs = run_offsets(tr);
  std::printf("\n  the transposed view reads x's buffer in this order (offset of each channel's\n"
              "  first float; offset = sum of index * stride):\n    ");
  const size_t shown = std::min<size_t>(offs.size(), 64);
  for (size_t k = 0; k < shown; ++k)
    std::printf("%s%lld", k == 0 ? "" : (k % C == 0 ? "  ||  " : (k % G == 0 ? " | " : " ")),
                (long long)offs[k]);
  std::printf("%s\n  contiguous() writes the floats into y's new buffer in exactly this order.\n",
              shown < offs.size() ? " ..." : "");

  if (!tr.view_error.empty())
    std::printf("\n  skip contiguous() and the last view fails; the library says:\n    %s\n",
                tr.view_error.c_str());
  else
    std::printf("\n  with G = 1 or G = C the transpose swaps a dim of size 1, so t is already\n"
                "  contiguous: contiguous() returns it as is and view works without a copy.\n");
  std::printf("  view({N, -1, H, W}): -1 asks view to infer that size from the others,\n"
              "  numel / (N*H*W) = %lld / %lld = %lld = C.\n",
              (long long)s.N * C * s.H * s.W, (long long)s.N * s.H * s.W, (long long)C);

  std::vector<int64_t> identity(C);
  for (int64_t i = 0; i < C; ++i) identity[i] = i;
  std::printf("\n  before     %s   (G = %lld groups of %lld)\n",
              strip(identity, Cg, Cg, color).c_str(), (long long)G, (long long)Cg);
  for (size_t n = 0; n < tr.order.size() && n < 4; ++n)
    std::printf("  sample %zu   %s\n", n, strip(tr.order[n], G, Cg, color).c_str());
  if (tr.order.size() > 4) std::printf("  ... every sample alike: samples never mix\n");
  std::printf("  (%lld runs of G = %lld: one channel from each group)\n", (long long)Cg,
              (long long)G);
  std::printf("\n  output channel j takes input channel order[j] = (j %% G) * (C/G) + j / G\n");
  if (copies > 0)
    std::printf(
        "  copies counted: %lld, by contiguous(); the views change shape and strides only.\n",
        (long long)copies);
  else
    std::printf("  copies counted: 0; with G = 1 or G = C the shuffle is the identity.\n");
  return 0;
}
