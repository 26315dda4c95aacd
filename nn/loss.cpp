// nn/loss.cpp - log_softmax and cross_entropy as compositions of core ops. The row max is
// subtracted as a constant (detached): log-softmax does not depend on it, and it keeps
// exp() from overflowing. The gradient autograd finds is the textbook one,
// dlogits = (softmax(logits) - target) / N.
#include "nn/loss.h"

#include <cmath>

namespace sl {

// x [N, K] -> [N, K]
Tensor log_softmax(const Tensor& x) {
  SL_CHECK(x.dim() == 2, "log_softmax: x must be [N, K], it is ", shape_str(x.shape()));
  const Tensor row_max = max(x, 1, true).detach();  // [N, 1]
  const Tensor z = x - row_max;
  return z - log(sum(exp(z), {1}, true));
}

// logits [N, K], labels [N] -> scalar
Tensor cross_entropy(const Tensor& logits, const std::vector<int>& labels,
                     const CrossEntropyParams& p) {
  SL_CHECK(logits.dim() == 2, "cross_entropy: logits must be [N, K], they are ",
           shape_str(logits.shape()));
  const int64_t N = logits.size(0), K = logits.size(1);
  SL_CHECK((int64_t)labels.size() == N, "cross_entropy: logits are ", shape_str(logits.shape()),
           " but there are ", labels.size(), " labels");
  SL_CHECK(N > 0, "cross_entropy: empty batch");
  SL_CHECK(p.label_smoothing >= 0.f && p.label_smoothing <= 1.f,
           "cross_entropy: label_smoothing must be in [0, 1], it is ", p.label_smoothing);
  // target [N, K]: smoothing spreads eps over all K classes, the label keeps 1 - eps on top.
  const float eps = p.label_smoothing;
  thread_local std::vector<float> target;  // reused: no heap allocation per training step
  target.assign((size_t)(N * K), eps / (float)K);
  for (int64_t n = 0; n < N; ++n) {
    const int y = labels[(size_t)n];
    SL_CHECK(y >= 0 && y < K, "cross_entropy: label ", y, " at row ", n, " is outside [0, ", K,
             ")");
    target[(size_t)(n * K + y)] += 1.f - eps;
  }
  const Tensor t = Tensor::from_data(target, {N, K}, logits.device());
  return sum(t * log_softmax(logits)) * (-1.f / (float)N);
}

Tensor cross_entropy(const Tensor& logits, const Tensor& labels, const CrossEntropyParams& p) {
  SL_CHECK(labels.dim() == 1, "cross_entropy: labels must be [N], they are ",
           shape_str(labels.shape()));
  std::vector<int> ys;
  for (float v : labels.to_vector()) {
    SL_CHECK(std::isfinite(v) && v == std::floor(v) && v >= 0.f && v < 1e9f,
             "cross_entropy: label ", v, " is not a class index");
    ys.push_back((int)v);
  }
  return cross_entropy(logits, ys, p);
}

}  // namespace sl
