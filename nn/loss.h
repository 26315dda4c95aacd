// nn/loss.h - the training loss: softmax cross-entropy from raw logits, averaged over the
// batch, with optional label smoothing (PyTorch's definition). Written as a composition of
// core ops around a numerically stable log-softmax, so autograd comes from core/.
// Not here: accuracy and metrics (nn/train).
#pragma once
#include <vector>

#include "core/tensor.h"

namespace sl {

struct CrossEntropyParams {
  // target = (1 - label_smoothing) * one_hot(label) + label_smoothing / K
  float label_smoothing = 0.f;
};

// log_softmax(x)[n, k] = x[n, k] - max_n - log(sum_j exp(x[n, j] - max_n)); x [N, K] -> [N, K]
Tensor log_softmax(const Tensor& logits);

// logits [N, K], labels N class indices in [0, K) -> a 0-dim tensor,
// loss = -(1/N) * sum_n sum_k target[n, k] * log_softmax(logits)[n, k].
Tensor cross_entropy(const Tensor& logits, const std::vector<int>& labels,
                     const CrossEntropyParams& p = {});
// The same with labels as a tensor [N] holding class indices as floats (0.0, 1.0, ...).
Tensor cross_entropy(const Tensor& logits, const Tensor& labels, const CrossEntropyParams& p = {});

}  // namespace sl
