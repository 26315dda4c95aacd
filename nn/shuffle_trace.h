// nn/shuffle_trace.h - channel shuffle one step at a time, for people to watch: the four
// core ops of sl::channel_shuffle (view -> transpose -> contiguous -> view) run one by
// one, with each step's tensor, whether it still reads x's buffer and the copies that
// core's copy_stats() counted around it; the path the transposed view walks through x's
// buffer; and the error `view` gives without contiguous(). `shufflelab shuffle` prints
// this trace and the app's Shuffle panel draws it. Not here: the op (core/channel_shuffle.cpp).
#pragma once
#include <string>
#include <vector>

#include "core/tensor.h"

namespace sl {

// The article's worked example, the default of the CLI, the app and lesson 01:
// x of shape [N, C, H, W] = [2, 4, 2, 2], shuffled with G = 2 groups.
struct ShuffleExample {
  int64_t N = 2, C = 4, G = 2, H = 2, W = 2;
};

constexpr int kShuffleTraceSteps = 5;  // input, view, transpose, contiguous, view

struct ShuffleTraceStep {
  std::string op;                    // "input", "view", "transpose", "contiguous", "view"
  std::string code;                  // the C++ line in symbols: "Tensor t = v.transpose(1, 2);"
  std::string code_values;           // the same call with this shape's numbers
  Tensor tensor;                     // what the op returned
  bool shares_input_storage = true;  // reads the buffer x was made with
  int64_t copies = 0, bytes = 0;     // copy_stats() after minus before the op: the one count
};

struct ShuffleTrace {
  ShuffleExample shape;
  std::vector<ShuffleTraceStep> steps;  // kShuffleTraceSteps of them
  // read_path[i] = where element i (row-major) of the transposed view t sits in x's
  // buffer: offset + sum_d index_d * stride_d. contiguous() copies in exactly this order.
  std::vector<int64_t> read_path;
  // order[n][j] = the input channel that lands at output channel j of sample n, read off
  // read_path (so from the strides alone): (read_path[(n*C + j)*H*W] / (H*W)) mod C.
  std::vector<std::vector<int64_t>> order;
  // What t.view({N, C, H, W}) says when contiguous() is skipped: the library's own
  // message. Empty when the view works (G = 1 or G = C: t is already contiguous).
  std::string view_error;
  bool matches_core_op = false;  // the last step equals sl::channel_shuffle(x, G)
};

// x [N, C, H, W] whose every element of channel c is the value c: a value names its channel.
Tensor channel_labels(const ShuffleExample& s);

// Runs the four steps on x [N, C, H, W] (contiguous, G dividing C); throws sl::Error otherwise.
ShuffleTrace trace_channel_shuffle(const Tensor& x, int64_t groups);

// The storage offsets of t's elements in row-major order: the path a strided read walks.
std::vector<int64_t> strided_read_path(const Tensor& t);

}  // namespace sl
