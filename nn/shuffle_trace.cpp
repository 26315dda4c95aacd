// nn/shuffle_trace.cpp - runs sl::channel_shuffle's four core ops one at a time and
// records what each did (shape, strides, buffer, copies). Every number is read off the
// real tensors or core's copy_stats(); nothing here recomputes the shuffle formula.
// Not here: printing (apps/cmd_shuffle.cpp) or drawing (viz/shuffle_state.cpp).
#include "nn/shuffle_trace.h"

namespace sl {

namespace {

// "{2, 2, 2, 2, 2}": sizes as a C++ call writes them.
std::string braces(const Shape& s) {
  std::string out = "{";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(s[i]);
  }
  return out + "}";
}

}  // namespace

Tensor channel_labels(const ShuffleExample& s) {
  const int64_t HW = s.H * s.W;
  std::vector<float> data(s.N * s.C * HW);
  for (int64_t i = 0; i < (int64_t)data.size(); ++i) data[i] = float((i / HW) % s.C);
  return Tensor::from_data(data, {s.N, s.C, s.H, s.W});
}

std::vector<int64_t> strided_read_path(const Tensor& t) {
  const Shape& shape = t.shape();
  const Shape& strides = t.strides();
  std::vector<int64_t> path;
  path.reserve(t.numel());
  std::vector<int64_t> idx(shape.size(), 0);  // the multi-index, last dim fastest
  for (int64_t i = 0; i < t.numel(); ++i) {
    int64_t at = t.offset();
    for (size_t d = 0; d < shape.size(); ++d) at += idx[d] * strides[d];
    path.push_back(at);
    for (int64_t d = (int64_t)shape.size() - 1; d >= 0; --d) {  // odometer step
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return path;
}

// x [N, C, H, W] -> view [N, G, C/G, H, W] -> transpose(1, 2) [N, C/G, G, H, W]
//   -> contiguous() (the one copy) -> view [N, C, H, W]
ShuffleTrace trace_channel_shuffle(const Tensor& x, int64_t G) {
  SL_CHECK(x.dim() == 4, "shuffle trace: x must be [N, C, H, W], it is ", shape_str(x.shape()));
  SL_CHECK(x.is_contiguous(), "shuffle trace: x must be contiguous; call x.contiguous() first");
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  SL_CHECK(G >= 1 && C % G == 0, "shuffle trace: channels C = ", C,
           " is not divisible by groups g = ", G, " (choose g among the divisors of C)");
  NoGradGuard no_grad;
  ShuffleTrace tr;
  tr.shape = {.N = N, .C = C, .G = G, .H = H, .W = W};
  const int64_t Cg = C / G;

  auto step = [&](const char* op, std::string code, std::string code_values, auto make) {
    const CopyStats before = copy_stats();
    Tensor r = make();
    const CopyStats after = copy_stats();
    tr.steps.push_back({.op = op,
                        .code = std::move(code),
                        .code_values = std::move(code_values),
                        .tensor = r,
                        .shares_input_storage = r.shares_storage(x),
                        .copies = after.copies - before.copies,
                        .bytes = after.bytes - before.bytes});
    return r;
  };
  step("input", "Tensor x = ...;  // [N, C, H, W]", "x of shape " + shape_str(x.shape()),
       [&] { return x; });
  Tensor v = step("view", "Tensor v = x.view({N, G, C / G, H, W});",
                  "x.view(" + braces({N, G, Cg, H, W}) + ")", [&] {
                    return x.view({N, G, Cg, H, W});
                  });
  Tensor t = step("transpose", "Tensor t = v.transpose(1, 2);", "v.transpose(1, 2)",
                  [&] { return v.transpose(1, 2); });
  Tensor y = step("contiguous", "Tensor y = t.contiguous();", "t.contiguous()",
                  [&] { return t.contiguous(); });
  // -1 asks view to infer that size: numel / (N * H * W) = C.
  Tensor out = step("view", "Tensor out = y.view({N, -1, H, W});",
                    "y.view(" + braces({N, -1, H, W}) + ")", [&] {
                      return y.view({N, -1, H, W});
                    });

  // Skipping contiguous(): the same view of t fails unless t happens to be contiguous.
  try {
    (void)t.view({N, -1, H, W});
  } catch (const Error& e) {
    tr.view_error = e.what();
  }

  tr.read_path = strided_read_path(t);
  const int64_t HW = H * W;
  tr.order.assign(N, std::vector<int64_t>(C));
  for (int64_t n = 0; n < N; ++n)
    for (int64_t j = 0; j < C; ++j)
      tr.order[n][j] = (tr.read_path[(n * C + j) * HW] - x.offset()) / HW % C;
  tr.matches_core_op = channel_shuffle(x, G).to_vector() == out.to_vector();
  return tr;
}

}  // namespace sl
