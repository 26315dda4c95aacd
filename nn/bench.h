// nn/bench.h - the measurements of `shufflelab bench`: training-step throughput through the
// same forward, loss, backward and SGD update as `shufflelab train`, batch-1 inference latency
// without autograd, channel-shuffle bandwidth beside a plain copy, achieved multiply-adds
// against a measured FMA peak, heap allocations per training step and memory. Here so the
// app could show them too; this file prints nothing. Not here: formatting (apps/cmd_bench.cpp),
// the PyTorch and ONNX Runtime counterparts (scripts/bench_torch_train.py, bench_onnx.py).
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "core/alloc.h"
#include "core/tensor.h"

namespace sl {

struct BenchConfig {
  std::string model = "v2-0.5";  // a CIFAR-variant model, 10 classes
  int64_t batch = 64;            // training batch; inference is always batch 1
  int warmup = 3, steps = 20;    // training steps: untimed, then timed (median)
  int latency_warmup = 10, latency_repeats = 200;
  int shuffle_repeats = 100;  // channel shuffle and copy, each (timed in turns)
  int fma_repeats = 5;        // FMA-loop runs; the fastest is the peak
  uint64_t seed = 0;          // model weights, the random batch and its labels
  Device device = Device::cpu;
};

// A median over repeats with the fastest and slowest beside it (ms).
struct Timing {
  double median_ms = 0, min_ms = 0, max_ms = 0;
};

struct BenchResult {
  std::string model;
  int64_t batch = 0, params = 0;
  int threads = 0;
  // training: one step = forward, cross-entropy, backward, SGD update (nn/train.cpp's recipe)
  Timing step;
  double img_per_s = 0;  // batch / step.median_ms
  // inference: batch 1, eval mode, under NoGradGuard (the autograd-free eval path of Module)
  Timing latency;
  // inference: batch 1 through the inference plan (nn/infer.h), compiled once from the same
  // model; CPU only (plan_measured false otherwise)
  bool plan_measured = false;
  Timing plan_latency;
  double plan_max_abs_diff = 0;  // max |plan logits - eval-path logits| on the timed image
  // channel shuffle of the model's first shuffle input at this batch, and a copy of it
  bool model_has_shuffle = true;  // false for V1 with g = 1: the stem's output is used
  Shape shuffle_shape;
  int64_t shuffle_groups = 0;
  int64_t shuffle_bytes = 0;  // bytes moved by one pass: read + write = 2 * numel * 4
  Timing shuffle, copy;       // copy: memcpy over the threads (cpu), cudaMemcpy device to device
  double shuffle_gb_per_s = 0, copy_gb_per_s = 0;  // shuffle_bytes / median time
  // arithmetic: forward MAdds from nn/cost's profile; a training step counts 3x forward
  int64_t forward_madds = 0;     // per image
  double train_madds_per_s = 0;  // 3 * forward_madds * img_per_s
  double infer_madds_per_s = 0;  // forward_madds / latency
  // The CPU's FMA peak: measured for --device cpu only (0 for cuda)
  double fma_gflops_per_thread = 0;  // the FMA loop, per thread, all threads running at once
  int fma_lanes = 0;                 // floats per vector in the loop (8 for AVX2, 16 for AVX-512)
  double peak_madds_per_s = 0;       // threads * fma_gflops_per_thread * 1e9 / 2
  // heap, per timed training step (averaged)
  bool heap_counted = false;           // core/alloc_count_new.cpp linked in
  double heap_allocs_per_step = 0;     // operator new calls (autograd nodes, shared_ptrs, ...)
  double storage_allocs_per_step = 0;  // tensor buffers taken from the system
  // memory
  double peak_rss_mb = 0;  // getrusage ru_maxrss of the whole process so far
  CpuMemoryStats memory;   // the caching allocator after the training steps
};

// Measures everything above. `on_phase` (optional) hears "training", "inference", ... as each
// part starts. Throws sl::Error naming the reason when cfg.device cannot run here.
BenchResult run_bench(const BenchConfig& cfg,
                      const std::function<void(const std::string&)>& on_phase = {});

// The FMA loop alone: GFLOP/s per thread with `threads` threads running it at once, each
// thread's fastest of `repeats` short runs, averaged over the threads (an FMA is 2 flops).
// *lanes receives the vector width used.
double measure_fma_gflops_per_thread(int threads, int repeats, int* lanes = nullptr);

}  // namespace sl
