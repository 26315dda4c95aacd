// nn/infer.cpp - compile_for_inference and InferencePlan::run (nn/infer.h). Compiling walks
// the model's tree as the paper's figures lay it out (nn/models/shufflenet_v2.cpp and
// shufflenet_v1.cpp name the children this file looks up), folds BatchNorm into the weights,
// emits steps and plans the arena. Running is one OpenMP parallel region: every thread takes
// its fixed share of each step's items and the threads meet at a barrier where a step needs
// the previous one's output. Not here: the kernels (core/cpu/infer_kernels.h).
//
// [SECTION] folding    Conv + BatchNorm -> weights and bias, computed in double
// [SECTION] builder    values, steps, the work split of each step
// [SECTION] models     ShuffleNet V2 (Fig. 3 c, d) and V1 (Fig. 2 b, c) as steps
// [SECTION] arena      liveness by phase, then a few reused buffers
// [SECTION] run        the parallel region and one item of each kind of step
// [SECTION] evaluation a test set through plans (`shufflelab eval` on the CPU)
#include "nn/infer.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <sstream>

#include "core/cpu/infer_kernels.h"
#include "nn/conv2d.h"
#include "nn/layers.h"
#include "nn/train.h"

namespace sl {

namespace {

using Step = InferencePlan::Step;
using Kind = InferencePlan::Kind;

// Work items a step is cut into, fixed at compile time (never from the thread count, so a
// result is the same bits with 1 or 16 threads): enough to share among a few cores.
constexpr int64_t kTargetItems = 6;

// [SECTION] folding ------------------------------------------------------------------

std::vector<float> host(const Tensor& t) { return t.to_vector(); }

// conv w [C_out, C_in/G, K, K] followed by BatchNorm (eval): BN(conv(x, w)) =
// conv(x, w * scale) + (beta - mean * scale), scale = gamma / sqrt(running_var + eps),
// per output channel. Without a BatchNorm the bias is zero.
void fold(const Conv2d& conv, const BatchNorm2d* bn, std::vector<float>& w, std::vector<float>& b) {
  w = host(conv.weight);
  const int64_t c_out = conv.weight.size(0), per = (int64_t)w.size() / c_out;
  b.assign((size_t)c_out, 0.f);
  if (!bn) return;
  const std::vector<float> gamma = host(bn->weight), beta = host(bn->bias);
  const std::vector<float> mean = host(bn->running_mean), var = host(bn->running_var);
  for (int64_t c = 0; c < c_out; ++c) {
    const double scale = (double)gamma[c] / std::sqrt((double)var[c] + (double)bn->eps);
    for (int64_t i = 0; i < per; ++i) w[c * per + i] = (float)(w[c * per + i] * scale);
    b[c] = (float)((double)beta[c] - (double)mean[c] * scale);
  }
}

// [SECTION] builder ------------------------------------------------------------------

// The plane counts of a step without a convolution: N images of C channels of H x W
// (C_out = C, the rest unused).
Conv2dShape planes(int64_t N, int64_t C, int64_t H, int64_t W) {
  return {.N = N,
          .C_in = C,
          .H = H,
          .W = W,
          .C_out = C,
          .K = 1,
          .stride = 1,
          .padding = 0,
          .groups = 1,
          .H_out = H,
          .W_out = W};
}

Module* find_child(Module& m, const std::string& name) {
  for (auto& [n, child] : m.named_children())
    if (n == name) return child;
  return nullptr;
}

template <class T>
T& child_as(Module& m, const std::string& name, const std::string& where) {
  Module* c = find_child(m, name);
  auto* t = dynamic_cast<T*>(c);
  SL_CHECK(t, "compile_for_inference: ", where, ".", name, " is ",
           c ? c->type() : std::string("missing"),
           "; the plan knows the ShuffleNet V1 and V2 of nn/models only (run the model's own "
           "forward for anything else)");
  return *t;
}

// A convolution, its BatchNorm and whether a ReLU follows: one step of the plan.
struct ConvBn {
  Conv2d* conv = nullptr;
  BatchNorm2d* bn = nullptr;
  bool relu = false;
  std::string name;
};

// torchvision's Sequential(Conv2d, BatchNorm2d[, ReLU], Conv2d, ...) -> its ConvBn triples.
std::vector<ConvBn> conv_bn_chain(Module& seq, const std::string& where) {
  std::vector<ConvBn> out;
  for (auto& [name, m] : seq.named_children()) {
    const std::string at = where + "." + name;
    if (auto* c = dynamic_cast<Conv2d*>(m)) {
      out.push_back({c, nullptr, false, at});
    } else if (auto* bn = dynamic_cast<BatchNorm2d*>(m)) {
      SL_CHECK(!out.empty() && !out.back().bn && !out.back().relu, "compile_for_inference: ", at,
               " is a BatchNorm2d that does not follow a Conv2d; it cannot be folded");
      out.back().bn = bn;
      out.back().name += "+" + name;
    } else if (dynamic_cast<ReLU*>(m)) {
      SL_CHECK(!out.empty() && !out.back().relu, "compile_for_inference: ", at,
               " is a ReLU that does not follow a convolution");
      out.back().relu = true;
      out.back().name += "+" + name;
    } else {
      SL_CHECK(false, "compile_for_inference: ", at, " is a ", m->type(),
               "; a conv chain may hold Conv2d, BatchNorm2d and ReLU only");
    }
  }
  return out;
}

// Where a convolution's output row r goes: channel c0 + (r % block) * stride + r / block of
// the output value. {0, C_out, 1} is the plain layout; V2's branches write every second
// channel ({0 or 1, b, 2}); V1's shuffle sends group g's row j to channel j * G + g.
struct Placement {
  int64_t c0 = 0, block = 0, stride = 1;  // block 0: all rows
};

}  // namespace

// Builds a plan: the values (activations) it needs, its steps, its weights; then the arena.
struct InferenceBuilder {
  InferencePlan& plan;
  std::vector<int64_t> value_floats;  // arena values only
  int64_t N = 0;

  Step& last() { return plan.steps_.back(); }
  void push(Step st) { plan.steps_.push_back(std::move(st)); }
  void set_output(const Shape& s) { plan.output_ = s; }
  void set_input(const Shape& s) { plan.input_ = s; }
  void plan_arena();

  int value(int64_t floats) {
    value_floats.push_back(floats);
    return (int)value_floats.size() - 1;
  }
  int64_t weights(const std::vector<float>& v) {
    const auto off = (int64_t)plan.weights_.size();
    plan.weights_.insert(plan.weights_.end(), v.begin(), v.end());
    return off;
  }

  // One step per ConvBn: pointwise (K = 1, stride 1: tiles, weights packed) or direct.
  // Reads channels [in_c0, in_c0 + C_in) of `in` (in_channels in all) at H x W; writes
  // `out` (out_channels in all) at `place`; res (optional) is added before the ReLU.
  // H and W become the output's.
  void conv(const ConvBn& cb, int in, int64_t in_c0, int64_t in_channels, int out,
            int64_t out_channels, Placement place, int res, int64_t& H, int64_t& W) {
    const Conv2d& c = *cb.conv;
    const Shape ws = c.weight.shape();
    const Conv2dShape s = conv2d_shape({N, ws[1] * c.params.groups, H, W}, ws, c.params);
    SL_CHECK(in_c0 + s.C_in <= in_channels, "compile_for_inference: ", cb.name, " reads ", s.C_in,
             " channels from ", in_c0, " but its input has ", in_channels);
    if (place.block == 0) place.block = s.C_out;
    Step st{};
    st.what = cb.name;
    st.in = in, st.out = out, st.res = res;
    st.in_c0 = in_c0, st.in_channels = in_channels, st.out_channels = out_channels;
    st.out_c0 = place.c0, st.out_block = place.block, st.out_stride = place.stride;
    st.conv = s;
    st.relu = cb.relu;
    std::vector<float> w, b;
    fold(c, cb.bn, w, b);
    st.b = weights(b);
    const bool pointwise = s.K == 1 && s.stride == 1 && s.padding == 0;
    if (pointwise) {
      st.kind = Kind::pointwise;
      cut_tiles(st);
      pack_tiles(st, w);
    } else {
      SL_CHECK(in_c0 == 0 && in_channels == s.C_in && place.c0 == 0 && place.stride == 1 &&
                   out_channels == s.C_out && res < 0,
               "compile_for_inference: ", cb.name,
               " is a K x K convolution on a channel slice or into a shuffled output; the plan "
               "runs those only on whole tensors");
      st.kind = Kind::direct;
      st.w = weights(w);
      st.items = std::min<int64_t>(N * s.C_out, kTargetItems);
    }
    plan.steps_.push_back(std::move(st));
    H = s.H_out, W = s.W_out;
  }

  // A pointwise step's tiles: per image, per run of rows inside one conv group and one
  // placement block, cut into row and column pieces until there are about kTargetItems.
  static void cut_tiles(Step& st) {
    const Conv2dShape& s = st.conv;
    const int64_t cgo = s.C_out / s.groups, hw = s.H * s.W;
    std::vector<std::pair<int64_t, int64_t>> runs;  // (row0, rows)
    for (int64_t r = 0; r < s.C_out;) {
      const int64_t end = std::min({(r / cgo + 1) * cgo, (r / st.out_block + 1) * st.out_block});
      runs.emplace_back(r, end - r);
      r = end;
    }
    const int64_t base = s.N * (int64_t)runs.size();
    const int64_t want = (kTargetItems + base - 1) / base;  // pieces per run
    // Columns first (whole 16-column register tiles, at least 64 wide), then rows (whole
    // register tiles of kPointwiseRows rows).
    const int64_t col_parts = std::clamp<int64_t>(want, 1, std::max<int64_t>(1, hw / 64));
    const int64_t row_parts_want = (want + col_parts - 1) / col_parts;
    const int64_t cw = std::min(hw, ((hw + col_parts - 1) / col_parts + 15) / 16 * 16);
    for (int64_t n = 0; n < s.N; ++n)
      for (const auto& [row0, rows] : runs) {
        const int64_t row_parts =
            std::clamp<int64_t>(row_parts_want, 1, std::max<int64_t>(1, rows / 12));
        const int64_t rh = std::min(rows, ((rows + row_parts - 1) / row_parts + 5) / 6 * 6);
        for (int64_t r = 0; r < rows; r += rh)
          for (int64_t c = 0; c < hw; c += cw)
            st.tiles.push_back({n, row0 + r, std::min(rh, rows - r), c, std::min(cw, hw - c)});
      }
    st.items = (int64_t)st.tiles.size();
  }

  // Each tile's weight rows, packed once (tiles of other images share the same rows).
  void pack_tiles(Step& st, const std::vector<float>& w) {
    const int64_t K = st.conv.C_in / st.conv.groups;
    std::vector<std::pair<int64_t, int64_t>> done;  // (row0, offset)
    for (InferencePlan::Tile& t : st.tiles) {
      auto it = std::find_if(done.begin(), done.end(), [&](auto& d) { return d.first == t.row0; });
      if (it != done.end()) {
        t.packed = it->second;
        continue;
      }
      const int64_t padded = (t.rows + cpu::kPointwiseRows - 1) / cpu::kPointwiseRows;
      std::vector<float> packed((size_t)(padded * cpu::kPointwiseRows * K));
      cpu::pack_pointwise_weights(packed.data(), w.data() + t.row0 * K, t.rows, K);
      t.packed = weights(packed);
      done.emplace_back(t.row0, t.packed);
    }
  }

  // out channel out_c0 + c * out_stride = in channel in_c0 + c, for c < count (planes H x W).
  void pass_through(const std::string& what, int in, int64_t in_c0, int64_t in_channels, int out,
                    int64_t out_channels, int64_t count, Placement place, int64_t H, int64_t W) {
    Step st{};
    st.kind = Kind::pass_through;
    st.what = what;
    st.in = in, st.out = out;
    st.in_c0 = in_c0, st.in_channels = in_channels, st.out_channels = out_channels;
    st.out_c0 = place.c0, st.out_stride = place.stride, st.out_block = count;
    st.conv = planes(N, count, H, W);
    st.items = std::min<int64_t>(N * count, kTargetItems);
    plan.steps_.push_back(std::move(st));
  }
};

namespace {

using Builder = InferenceBuilder;

// [SECTION] models -------------------------------------------------------------------

// The stem: conv1 = Conv 3x3 BN ReLU, directly from the input. No max-pool (CIFAR variant).
int stem(Builder& bld, Module& model, int64_t& C, int64_t& H, int64_t& W) {
  SL_CHECK(!find_child(model, "maxpool"), "compile_for_inference: ", model.type(),
           " has a max-pool after its stem (the imagenet variant); the plan covers the cifar "
           "variant only, run the model's own forward for imagenet");
  const std::vector<ConvBn> c1 =
      conv_bn_chain(child_as<Sequential>(model, "conv1", "model"), "conv1");
  SL_CHECK(c1.size() == 1, "compile_for_inference: conv1 should be one Conv BN ReLU");
  const int64_t c_out = c1[0].conv->weight.size(0);
  // the output's size first (conv2d_shape also checks x against the weight), then the step
  const Conv2dShape s =
      conv2d_shape({bld.N, C, H, W}, c1[0].conv->weight.shape(), c1[0].conv->params);
  const int v = bld.value(bld.N * c_out * s.H_out * s.W_out);
  bld.conv(c1[0], InferencePlan::kInput, 0, C, v, c_out, {}, -1, H, W);
  C = c_out;
  return v;
}

// Global average pool [N, C, H, W] -> [N, C], then fc -> logits [N, classes].
void head(Builder& bld, Module& model, int x, int64_t C, int64_t H, int64_t W) {
  child_as<GlobalAvgPool>(model, "global_avg_pool", "model");
  const Linear& fc = child_as<Linear>(model, "fc", "model");
  SL_CHECK(fc.weight.size(1) == C, "compile_for_inference: fc takes ", fc.weight.size(1),
           " features but the last stage gives ", C);
  const int pooled = bld.value(bld.N * C);
  Step gp{};
  gp.kind = Kind::global_pool;
  gp.what = "global_avg_pool";
  gp.in = x, gp.out = pooled;
  gp.conv = planes(bld.N, C, H, W);
  gp.items = std::min<int64_t>(bld.N * C, kTargetItems);
  bld.push(std::move(gp));
  Step lin{};
  lin.kind = Kind::linear;
  lin.what = "fc";
  lin.in = pooled, lin.out = InferencePlan::kOutput;
  lin.conv = planes(bld.N, C, 1, 1);
  lin.conv.C_out = fc.weight.size(0);  // logits[n, C_out] from pooled[n, C_in]
  lin.w = bld.weights(host(fc.weight));
  lin.b = bld.weights(fc.bias.defined() ? host(fc.bias)
                                        : std::vector<float>((size_t)fc.weight.size(0), 0.f));
  lin.items = bld.N;
  bld.push(std::move(lin));
  bld.set_output({bld.N, fc.weight.size(0)});
}

// One V2 unit, Fig. 3 (c) when stride 1, (d) when stride 2. Both branches write their last
// conv straight into the shuffled output: out = shuffle(concat(left, right)) with two groups
// puts left channel i at 2i and right channel i at 2i + 1.
int v2_unit(Builder& bld, Module& unit, const std::string& where, int x, int64_t& C, int64_t& H,
            int64_t& W) {
  const std::vector<ConvBn> b2 =
      conv_bn_chain(child_as<Sequential>(unit, "branch2", where), where + ".branch2");
  SL_CHECK(b2.size() == 3, "compile_for_inference: ", where, ".branch2 should be 1x1, DW, 1x1");
  SL_CHECK(child_as<ChannelShuffle>(unit, "channel_shuffle", where).groups == 2,
           "compile_for_inference: ", where, ".channel_shuffle should mix 2 groups");
  const int64_t b = b2[2].conv->weight.size(0), stride = b2[1].conv->params.stride;
  const int64_t c_out = 2 * b, N = bld.N;
  int64_t Ho = H, Wo = W;
  if (stride == 1) {
    // (c): the left half x[:, :b] is copied to the even channels; the right half goes
    // through branch2 into the odd ones.
    SL_CHECK(C == 2 * b, "compile_for_inference: ", where, " splits ", C, " channels into ", b,
             " + ", b);
    const int y = bld.value(N * c_out * H * W);
    bld.pass_through(where + ".channel_split+concat+channel_shuffle", x, 0, C, y, c_out, b,
                     {.c0 = 0, .stride = 2}, H, W);
    bld.last().sync_after = false;  // independent of branch2's first conv
    const int t1 = bld.value(N * b * H * W);
    bld.conv(b2[0], x, b, C, t1, b, {}, -1, Ho, Wo);
    const int t2 = bld.value(N * b * H * W);
    bld.conv(b2[1], t1, 0, b, t2, b, {}, -1, Ho, Wo);
    bld.conv(b2[2], t2, 0, b, y, c_out, {.c0 = 1, .block = b, .stride = 2}, -1, Ho, Wo);
    C = c_out;
    return y;
  }
  // (d): both branches read all of x and halve the resolution.
  const std::vector<ConvBn> b1 =
      conv_bn_chain(child_as<Sequential>(unit, "branch1", where), where + ".branch1");
  SL_CHECK(b1.size() == 2, "compile_for_inference: ", where, ".branch1 should be DW, 1x1");
  const int64_t Hs = (H + 2 - 3) / stride + 1, Ws = (W + 2 - 3) / stride + 1;
  const int y = bld.value(N * c_out * Hs * Ws);
  const int u1 = bld.value(N * C * Hs * Ws), t1 = bld.value(N * b * H * W),
            t2 = bld.value(N * b * Hs * Ws);
  int64_t h1 = H, w1 = W;
  bld.conv(b1[0], x, 0, C, u1, C, {}, -1, h1, w1);  // DW stride 2
  bld.last().sync_after = false;                    // branch2's 1x1 reads x too
  bld.conv(b2[0], x, 0, C, t1, b, {}, -1, Ho, Wo);
  bld.conv(b1[1], u1, 0, C, y, c_out, {.c0 = 0, .block = b, .stride = 2}, -1, h1, w1);
  bld.last().sync_after = false;  // branch2's DW reads t1 only
  bld.conv(b2[1], t1, 0, b, t2, b, {}, -1, Ho, Wo);
  bld.conv(b2[2], t2, 0, b, y, c_out, {.c0 = 1, .block = b, .stride = 2}, -1, Ho, Wo);
  SL_CHECK(Ho == Hs && Wo == Ws && h1 == Hs && w1 == Ws, "compile_for_inference: ", where,
           "'s branches disagree on the output size");
  C = c_out, H = Ho, W = Wo;
  return y;
}

// One V1 unit, Fig. 2 (b) stride 1: relu(x + BN(GConv(DW(shuffle(relu(BN(GConv(x)))))))),
// (c) stride 2: relu(concat(avgpool(x), ...)). The shuffle is gconv1's write placement.
int v1_unit(Builder& bld, Module& unit, const std::string& where, int x, int64_t& C, int64_t& H,
            int64_t& W) {
  auto cb = [&](const char* conv, const char* bn, bool relu) {
    return ConvBn{&child_as<Conv2d>(unit, conv, where), &child_as<BatchNorm2d>(unit, bn, where),
                  relu, where + "." + conv + "+" + bn + (relu ? "+relu" : "")};
  };
  const ConvBn g1 = cb("gconv1", "bn1", true), dw = cb("dwconv", "bn2", false),
               g2 = cb("gconv2", "bn3", false);
  const int64_t m = g1.conv->weight.size(0), main_out = g2.conv->weight.size(0);
  const int64_t stride = dw.conv->params.stride, N = bld.N;
  Placement shuffled{};
  if (Module* sh = find_child(unit, "channel_shuffle")) {
    const int64_t G = dynamic_cast<ChannelShuffle&>(*sh).groups;
    const int64_t g1_groups = g1.conv->params.groups;
    SL_CHECK(m % G == 0 && (g1_groups == 1 || g1_groups == G), "compile_for_inference: ", where,
             " shuffles ", m, " channels in ", G, " groups after a conv with ", g1_groups,
             " groups; the plan folds a shuffle only into a conv with 1 or the same groups");
    shuffled = {.c0 = 0, .block = m / G, .stride = G};
  }
  int64_t Ho = H, Wo = W;
  const int64_t Hs = (H + 2 - 3) / stride + 1, Ws = (W + 2 - 3) / stride + 1;
  const int64_t c_out = stride == 1 ? main_out : C + main_out;
  const int y = bld.value(N * c_out * Hs * Ws);
  const int t1 = bld.value(N * m * H * W), t2 = bld.value(N * m * Hs * Ws);
  if (stride == 1) {
    SL_CHECK(main_out == C, "compile_for_inference: ", where, " adds ", main_out, " channels to ",
             C);
    bld.conv(g1, x, 0, C, t1, m, shuffled, -1, Ho, Wo);
    bld.conv(dw, t1, 0, m, t2, m, {}, -1, Ho, Wo);
    ConvBn last = g2;
    last.relu = true, last.name += "+add+relu";
    bld.conv(last, t2, 0, m, y, c_out, {}, x, Ho, Wo);
  } else {
    auto& pool = child_as<AvgPool2d>(unit, "avg_pool2d", where);
    Step ap{};
    ap.kind = Kind::avg_pool;
    ap.what = where + ".avg_pool2d+concat+relu";
    ap.in = x, ap.out = y, ap.out_channels = c_out;
    ap.pool = {.N = N,
               .C = C,
               .H = H,
               .W = W,
               .K = pool.params.kernel,
               .stride = pool.params.stride,
               .padding = pool.params.padding,
               .H_out = Hs,
               .W_out = Ws};
    ap.relu = true;
    ap.sync_after = false;  // gconv1 reads x too
    ap.items = std::min<int64_t>(N * C, kTargetItems);
    bld.push(std::move(ap));
    bld.conv(g1, x, 0, C, t1, m, shuffled, -1, Ho, Wo);
    bld.conv(dw, t1, 0, m, t2, m, {}, -1, Ho, Wo);
    ConvBn last = g2;
    last.relu = true, last.name += "+concat+relu";
    bld.conv(last, t2, 0, m, y, c_out, {.c0 = C}, -1, Ho, Wo);
  }
  SL_CHECK(Ho == Hs && Wo == Ws, "compile_for_inference: ", where, " output size mismatch");
  C = c_out, H = Ho, W = Wo;
  return y;
}

// [SECTION] arena --------------------------------------------------------------------

// Phase = the steps between two barriers. A value lives from the first phase that touches
// it to the last; a buffer is free for a new value once its last value's phase is over.
// Values take the best-fitting free buffer (growing the largest free one if none fits).
}  // namespace

void InferenceBuilder::plan_arena() {
  InferencePlan& p = plan;
  const std::vector<int64_t>& floats = value_floats;
  const size_t nv = floats.size();
  std::vector<int> first(nv, -1), last(nv, -1);
  int phase = 0;
  for (const Step& st : p.steps_) {
    for (int v : {st.in, st.out, st.res})
      if (v >= 0) {
        if (first[(size_t)v] < 0) first[(size_t)v] = phase;
        last[(size_t)v] = phase;
      }
    if (st.sync_after) ++phase;
  }
  std::vector<size_t> order(nv);
  for (size_t i = 0; i < nv; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return first[a] < first[b]; });
  struct Buffer {
    int64_t floats;
    int busy_until;
  };
  std::vector<Buffer> bufs;
  std::vector<int> buf_of(nv, -1);
  for (size_t v : order) {
    if (first[v] < 0) continue;  // never used
    int best = -1;
    for (int i = 0; i < (int)bufs.size(); ++i) {
      if (bufs[(size_t)i].busy_until >= first[v]) continue;
      const bool fits = bufs[(size_t)i].floats >= floats[v];
      if (best < 0) {
        best = i;
        continue;
      }
      const bool best_fits = bufs[(size_t)best].floats >= floats[v];
      if (fits != best_fits ? fits
                            : (fits ? bufs[(size_t)i].floats < bufs[(size_t)best].floats
                                    : bufs[(size_t)i].floats > bufs[(size_t)best].floats))
        best = i;
    }
    if (best < 0) {
      bufs.push_back({0, -1});
      best = (int)bufs.size() - 1;
    }
    bufs[(size_t)best].floats = std::max(bufs[(size_t)best].floats, floats[v]);
    bufs[(size_t)best].busy_until = last[v];
    buf_of[v] = best;
  }
  std::vector<int64_t> buf_off(bufs.size());
  int64_t total = 0;
  for (size_t i = 0; i < bufs.size(); ++i) {
    buf_off[i] = total;
    total += (bufs[i].floats + 15) / 16 * 16;  // 64-byte aligned starts
  }
  p.value_off_.assign(nv, 0);
  for (size_t v = 0; v < nv; ++v)
    if (buf_of[v] >= 0) p.value_off_[v] = buf_off[(size_t)buf_of[v]];
  p.buffers_ = (int64_t)bufs.size();
  p.arena_.assign((size_t)total, 0.f);
}

InferencePlan compile_for_inference(Module& model, const Shape& input) {
  SL_CHECK(input.size() == 4 && input[0] >= 1 && input[2] >= 1 && input[3] >= 1,
           "compile_for_inference: input must be {N, C, H, W}, got ", shape_str(input));
  SL_CHECK(model.device() == Device::cpu, "compile_for_inference: the plan runs on the CPU; move "
                                          "the model there first (model.to(Device::cpu))");
  const std::string type = model.type();
  SL_CHECK(type == "ShuffleNetV2" || type == "ShuffleNetV1", "compile_for_inference: a ", type,
           " cannot be planned; the plan knows ShuffleNetV2 and ShuffleNetV1 (nn/models)");
  InferencePlan p;
  InferenceBuilder bld{p, {}, input[0]};
  bld.set_input(input);
  int64_t C = input[1], H = input[2], W = input[3];
  int x = stem(bld, model, C, H, W);
  const std::string unit_type = type == "ShuffleNetV2" ? "InvertedResidual" : "ShuffleUnit";
  for (const char* stage_name : {"stage2", "stage3", "stage4"}) {
    auto& stage = child_as<Sequential>(model, stage_name, "model");
    for (auto& [i, unit] : stage.named_children()) {
      const std::string where = std::string(stage_name) + "." + i;
      SL_CHECK(unit->type() == unit_type, "compile_for_inference: ", where, " is a ", unit->type(),
               ", expected ", unit_type);
      x = unit_type == "InvertedResidual" ? v2_unit(bld, *unit, where, x, C, H, W)
                                          : v1_unit(bld, *unit, where, x, C, H, W);
    }
  }
  if (type == "ShuffleNetV2") {
    const std::vector<ConvBn> c5 =
        conv_bn_chain(child_as<Sequential>(model, "conv5", "model"), "conv5");
    SL_CHECK(c5.size() == 1, "compile_for_inference: conv5 should be one Conv BN ReLU");
    const int64_t c_out = c5[0].conv->weight.size(0);
    const int y = bld.value(bld.N * c_out * H * W);
    bld.conv(c5[0], x, 0, C, y, c_out, {}, -1, H, W);
    x = y, C = c_out;
  }
  head(bld, model, x, C, H, W);
  bld.plan_arena();
  return p;
}

// [SECTION] run ----------------------------------------------------------------------

const float* InferencePlan::ptr(int value, const float* x) const {
  return value == kInput ? x : arena_.data() + value_off_[(size_t)value];
}

float* InferencePlan::mut(int value, float* logits) {
  return value == kOutput ? logits : arena_.data() + value_off_[(size_t)value];
}

void InferencePlan::run(const float* x, float* logits) {
#pragma omp parallel
  {
    const int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
    for (const Step& st : steps_) {
      for (int64_t i = st.items * t / nt; i < st.items * (t + 1) / nt; ++i)
        run_item(st, i, x, logits);
      if (st.sync_after) {
#pragma omp barrier
      }
    }
  }
}

Tensor InferencePlan::run(const Tensor& x) {
  SL_CHECK(x.shape() == input_, "InferencePlan::run: x is ", shape_str(x.shape()),
           " but the plan was compiled for ", shape_str(input_),
           "; compile another plan for this shape");
  SL_CHECK(x.device() == Device::cpu, "InferencePlan::run: x must be on the CPU");
  const Tensor xc = x.contiguous();
  Tensor out = Tensor::empty(output_);
  run(xc.data(), out.data());
  return out;
}

// Item i of step st: a slice of planes (direct, pass_through, avg_pool, global_pool), one
// tile (pointwise) or one image (linear).
void InferencePlan::run_item(const Step& st, int64_t i, const float* x, float* logits) {
  const float* w = weights_.data();
  const Conv2dShape& s = st.conv;
  auto slice = [&](int64_t total, int64_t& p0, int64_t& p1) {
    p0 = total * i / st.items, p1 = total * (i + 1) / st.items;
  };
  int64_t p0 = 0, p1 = 0;
  switch (st.kind) {
    case Kind::pointwise: {
      // out rows [row0, row0 + rows) x cols [col0, col0 + cols) of image n = w rows @ x,
      // then bias (+ residual) (+ ReLU), written into the placed channels.
      const Tile& t = st.tiles[(size_t)i];
      const int64_t hw = s.H * s.W, cgi = s.C_in / s.groups, cgo = s.C_out / s.groups;
      const int64_t g = t.row0 / cgo;
      const int64_t ch =
          st.out_c0 + (t.row0 % st.out_block) * st.out_stride + t.row0 / st.out_block;
      const int64_t out_at = (t.n * st.out_channels + ch) * hw + t.col0;
      const int64_t ldo = st.out_stride * hw;
      const float* in = ptr(st.in, x) + (t.n * st.in_channels + st.in_c0 + g * cgi) * hw + t.col0;
      const float* res = st.res >= 0 ? ptr(st.res, x) + out_at : nullptr;
      cpu::pointwise_bias_act(mut(st.out, logits) + out_at, ldo, in, hw, w + t.packed, t.rows, cgi,
                              t.cols, w + st.b + t.row0, res, ldo, st.relu);
      break;
    }
    case Kind::direct:
      slice(s.N * s.C_out, p0, p1);
      cpu::conv2d_bias_act_planes(mut(st.out, logits), ptr(st.in, x), w + st.w, w + st.b, st.relu,
                                  s, p0, p1);
      break;
    case Kind::pass_through: {
      const int64_t hw = s.H * s.W;
      slice(s.N * s.C_in, p0, p1);
      const float* in = ptr(st.in, x);
      float* out = mut(st.out, logits);
      for (int64_t p = p0; p < p1; ++p) {
        const int64_t n = p / s.C_in, c = p % s.C_in;
        const float* src = in + (n * st.in_channels + st.in_c0 + c) * hw;
        std::copy(src, src + hw, out + (n * st.out_channels + st.out_c0 + c * st.out_stride) * hw);
      }
      break;
    }
    case Kind::avg_pool: {
      const Pool2dShape& q = st.pool;
      slice(q.N * q.C, p0, p1);
      cpu::avgpool2d_act_planes(mut(st.out, logits), st.out_channels * q.H_out * q.W_out,
                                ptr(st.in, x), q, st.relu, p0, p1);
      break;
    }
    case Kind::global_pool: {
      // pooled[n, c] = mean over H x W of x[n, c]
      const int64_t hw = s.H * s.W;
      slice(s.N * s.C_in, p0, p1);
      const float* in = ptr(st.in, x);
      float* out = mut(st.out, logits);
      for (int64_t p = p0; p < p1; ++p) {
        float sum = 0.f;
        for (int64_t j = 0; j < hw; ++j) sum += in[p * hw + j];
        out[p] = sum / (float)hw;
      }
      break;
    }
    case Kind::linear: {
      // logits[n, o] = bias[o] + sum_c fc_w[o, c] * pooled[n, c]
      const float* in = ptr(st.in, x) + i * s.C_in;
      float* out = mut(st.out, logits) + i * s.C_out;
      for (int64_t o = 0; o < s.C_out; ++o) {
        const float* wr = w + st.w + o * s.C_in;
        float sum = 0.f;
        for (int64_t c = 0; c < s.C_in; ++c) sum += wr[c] * in[c];
        out[o] = w[st.b + o] + sum;
      }
      break;
    }
  }
}

int64_t InferencePlan::syncs() const {
  int64_t n = 0;
  for (const Step& st : steps_) n += st.sync_after ? 1 : 0;
  return n;
}

std::string InferencePlan::describe() const {
  static const char* kNames[] = {"pointwise", "direct",      "pass_through",
                                 "avg_pool",  "global_pool", "linear"};
  std::ostringstream os;
  os << "plan for " << shape_str(input_) << " -> " << shape_str(output_) << ": " << steps_.size()
     << " steps, " << syncs() << " barriers, arena " << arena_.size() * sizeof(float) / 1024
     << " KiB in " << buffers_ << " buffers, " << weights_.size() << " folded weights\n";
  for (const Step& st : steps_)
    os << "  " << kNames[(int)st.kind] << " " << st.what << " (" << st.items << " items)"
       << (st.sync_after ? "" : " | no barrier") << "\n";
  return os.str();
}

// [SECTION] evaluation -----------------------------------------------------------------

double evaluate_with_plan(Module& model, const Cifar10& data, int64_t batch,
                          std::vector<float>* logits) {
  SL_CHECK(batch >= 1, "evaluate_with_plan: batch must be at least 1, got ", batch);
  // A plan's batch is fixed when it is compiled. Every full batch runs through one plan for
  // `batch` images; the last, smaller one (data.size() % batch images, or all of them when
  // there are fewer than `batch`) through a second plan compiled for exactly its size when it
  // comes. Padding it to `batch` images instead would give the same logits for its real rows
  // (eval mode never mixes images) but compute up to batch - 1 padding images for nothing;
  // the second compile costs one fold of the weights (milliseconds) and a smaller arena.
  std::optional<InferencePlan> full, last;
  return evaluate_batches(data, batch, logits, [&](const Tensor& x) {
    std::optional<InferencePlan>& plan = x.size(0) == batch ? full : last;
    if (!plan) plan = compile_for_inference(model, x.shape());
    return plan->run(x);
  });
}

}  // namespace sl
