// nn/bench.cpp - the measurements of nn/bench.h, in the order `shufflelab bench` prints them.
// Every time is a median over repeats after a warm-up; the training step is nn/train.cpp's
// (the model of make_model, the recipe of TrainConfig's defaults, cross_entropy, backward,
// Sgd::step, Sgd::zero_grad) on one fixed random batch, as scripts/bench_torch_train.py does
// in PyTorch. On --device cuda the same steps run on the GPU with a device synchronization at
// the end of every timed call (so a time is the kernels', not their launch), the shuffle is
// set beside a cudaMemcpy device to device, and the CPU's FMA peak is not measured.
// Not here: printing (apps/cmd_bench.cpp).
#include "nn/bench.h"

#include <omp.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <tuple>
#include <utility>
#include <vector>

#include "core/alloc_count.h"
#include "core/backend.h"
#include "nn/cost.h"
#include "nn/infer.h"
#include "nn/loss.h"
#include "nn/models/models.h"
#include "nn/optim.h"
#include "nn/train.h"

namespace sl {

namespace {

double now_ms() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

Timing summarize(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms.front(), ms.back()};
}

// Times f() `repeats` times after `warmup` untimed calls.
template <class F>
Timing time_it(int warmup, int repeats, F&& f) {
  for (int i = 0; i < warmup; ++i) f();
  std::vector<double> ms;
  ms.reserve((size_t)repeats);
  for (int i = 0; i < repeats; ++i) {
    const double t0 = now_ms();
    f();
    ms.push_back(now_ms() - t0);
  }
  return summarize(std::move(ms));
}

// f and g timed in turns (f, g, f, g, ...) after `warmup` calls of each, so that a machine
// whose speed drifts (a shared VM's slow spells) slows both alike and their ratio holds.
template <class F, class G>
std::pair<Timing, Timing> time_in_turns(int warmup, int repeats, F&& f, G&& g) {
  for (int i = 0; i < warmup; ++i) {
    f();
    g();
  }
  std::vector<double> fm, gm;
  fm.reserve((size_t)repeats);
  gm.reserve((size_t)repeats);
  for (int i = 0; i < repeats; ++i) {
    double t0 = now_ms();
    f();
    fm.push_back(now_ms() - t0);
    t0 = now_ms();
    g();
    gm.push_back(now_ms() - t0);
  }
  return {summarize(std::move(fm)), summarize(std::move(gm))};
}

// The FMA loop: 12 independent chains acc = acc * m + a on vectors of kLanes floats, enough
// chains to cover the FMA latency (4 cycles) on two FMA ports. Each step is 12 * kLanes FMAs.
#if defined(__AVX512F__)
constexpr int kLanes = 16;
#else
constexpr int kLanes = 8;
#endif
using Vec = float __attribute__((vector_size(kLanes * sizeof(float))));
constexpr int kChains = 12;

float fma_loop(int64_t iters) {
  Vec acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = Vec{} + 1.f + 0.01f * (float)c;
  const Vec m = Vec{} + 0.999999f, a = Vec{} + 1e-6f;
  for (int64_t i = 0; i < iters; ++i)
    for (Vec& v : acc) v = v * m + a;  // contracted to one FMA (-ffp-contract=fast)
  float sum = 0;
  for (const Vec& v : acc)
    for (int l = 0; l < kLanes; ++l) sum += v[l];
  return sum;
}

double peak_rss_mb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_maxrss / 1024.0;  // ru_maxrss is in KiB on Linux
}

}  // namespace

// Every thread times its own short runs (about 1 ms each) and keeps its fastest: on a busy
// machine some run still finds the core free, so the peak is the core's, not the load's.
double measure_fma_gflops_per_thread(int threads, int repeats, int* lanes) {
  if (lanes) *lanes = kLanes;
  constexpr int64_t kIters = 300'000;
  constexpr double kFlops = 2.0 * kChains * kLanes * (double)kIters;  // one run, one thread
  std::vector<double> best((size_t)threads, 0.0);
  volatile float sink = 0;
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_thread_num();
    float s = 0;
    for (int r = 0; r < std::max(repeats, 1); ++r) {
      const double t0 = now_ms();
      s += fma_loop(kIters);
      const double sec = (now_ms() - t0) / 1e3;
      best[(size_t)t] = std::max(best[(size_t)t], kFlops / sec / 1e9);
    }
#pragma omp critical
    sink = sink + s;
  }
  (void)sink;
  double sum = 0;
  for (double b : best) sum += b;
  return sum / threads;  // the mean of the threads' best rates
}

BenchResult run_bench(const BenchConfig& cfg,
                      const std::function<void(const std::string&)>& on_phase) {
  auto phase = [&](const char* p) {
    if (on_phase) on_phase(p);
  };
  // Everything below follows cfg.device except the FMA peak and the memory stats (the CPU's).
  const std::string why = device_unavailable_reason(cfg.device);
  SL_CHECK(why.empty(), "bench: ", why);
  const Device dev = cfg.device;
  auto sync = [&] { backend(dev).synchronize(); };
  const ModelConfig mc = parse_model_name(cfg.model, "cifar", 10);

  BenchResult r;
  r.model = cfg.model;
  r.batch = cfg.batch;
  r.threads = omp_get_max_threads();

  // Training steps. Each step's tensors die at the end of its iteration, as in train().
  phase("training");
  {
    const TrainConfig recipe;  // the defaults of `shufflelab train`
    auto model = make_model(cfg.model, "cifar", 10, cfg.seed);
    model->to(dev);
    model->train();
    Sgd opt(model->named_parameters(), {.lr = recipe.lr,
                                        .momentum = recipe.momentum,
                                        .nesterov = recipe.nesterov,
                                        .weight_decay = recipe.weight_decay});
    Generator g(cfg.seed);
    const Tensor x = Tensor::randn({cfg.batch, 3, 32, 32}, g).to(dev);
    std::vector<int> y((size_t)cfg.batch);
    for (int& label : y) label = (int)(g.next_u64() % 10);
    const int total = cfg.warmup + cfg.steps;
    int t = 0;
    int64_t heap = 0, storage = 0;  // allocations inside the steps, summed
    auto step = [&] {
      const int64_t heap0 = heap_counts().allocations;
      const int64_t storage0 = cpu_memory_stats().system_allocs;
      opt.set_lr(lr_at(recipe.schedule, t++, total, recipe.lr));
      const Tensor loss = cross_entropy((*model)(x), y);
      const float L = loss.item();
      SL_CHECK(std::isfinite(L), "bench: the training loss became ", L, " at step ", t,
               " (random data, lr ", recipe.lr, "); rerun with fewer --steps");
      loss.backward(Tensor::KeepGraph::no);  // as train does: activations freed early
      opt.step();
      opt.zero_grad();
      sync();
      heap += heap_counts().allocations - heap0;
      storage += cpu_memory_stats().system_allocs - storage0;
    };
    for (int i = 0; i < cfg.warmup; ++i) step();
    heap = storage = 0;  // count the timed steps only
    r.step = time_it(0, cfg.steps, step);
    r.memory = cpu_memory_stats();
    r.heap_counted = heap_counting_linked();
    r.heap_allocs_per_step = (double)heap / cfg.steps;
    r.storage_allocs_per_step = (double)storage / cfg.steps;
    r.img_per_s = (double)cfg.batch / (r.step.median_ms / 1e3);
  }

  // Batch-1 inference: eval mode, no autograd graph.
  phase("inference");
  auto model = make_model(cfg.model, "cifar", 10, cfg.seed);
  model->to(dev);
  const Profile prof = profile(*model, cfg.model, "cifar", {.batch = 1});  // MAdds, shapes
  r.params = prof.params;
  r.forward_madds = prof.madds;
  {
    model->eval();
    NoGradGuard no_grad;
    Generator g(cfg.seed + 1);
    const Tensor x1 = Tensor::randn({1, 3, 32, 32}, g).to(dev);
    r.latency = time_it(cfg.latency_warmup, cfg.latency_repeats, [&] {
      const Tensor logits = (*model)(x1);
      sync();
    });
    // The same model and image through the inference plan (BatchNorm folded, ReLU fused,
    // buffers planned once): compiled once, outside the timing.
    if (dev == Device::cpu) {
      InferencePlan plan = compile_for_inference(*model, {1, 3, 32, 32});
      std::vector<float> logits((size_t)plan.output_shape()[1]);
      r.plan_latency = time_it(cfg.latency_warmup, cfg.latency_repeats,
                               [&] { plan.run(x1.data(), logits.data()); });
      const std::vector<float> want = (*model)(x1).to_vector();
      for (size_t i = 0; i < logits.size(); ++i)
        r.plan_max_abs_diff = std::max(r.plan_max_abs_diff, (double)std::fabs(logits[i] - want[i]));
      r.plan_measured = true;
    }
  }

  // Channel shuffle of the model's first shuffle input (at this batch), beside a copy of
  // the same bytes split over the same threads.
  phase("channel shuffle");
  {
    auto first = std::find_if(prof.layers.begin(), prof.layers.end(),
                              [](const LayerCost& l) { return l.type == "channel_shuffle"; });
    r.model_has_shuffle = first != prof.layers.end();
    // A V1 model with g = 1 has no shuffle: then the stem's output, shuffled in 2 groups.
    r.shuffle_shape = r.model_has_shuffle ? first->out_shape : prof.layers.front().out_shape;
    r.shuffle_shape[0] = cfg.batch;
    r.shuffle_groups = mc.version == 2 ? 2 : std::max(mc.groups, 2);
    NoGradGuard no_grad;
    Generator g(cfg.seed + 2);
    const Tensor x = Tensor::randn(r.shuffle_shape, g).to(dev);
    const Tensor dst = Tensor::empty(r.shuffle_shape, dev);
    const int64_t n = x.numel();
    r.shuffle_bytes = 2 * n * (int64_t)sizeof(float);
    const float* src = x.data();
    float* out = dst.data();
    const Backend& b = backend(dev);
    SL_CHECK(dev == Device::cpu || b.copy_device != nullptr, "bench: the ", b.name,
             " backend has no copy_device entry");
    auto shuffle = [&] {
      const Tensor shuffled = channel_shuffle(x, r.shuffle_groups);
      sync();
    };
    auto copy = [&] {
      if (dev != Device::cpu) {  // cudaMemcpy device to device
        b.copy_device(out, src, n);
        b.synchronize();
        return;
      }
#pragma omp parallel
      {
        const int64_t T = omp_get_num_threads(), i = omp_get_thread_num();
        const int64_t lo = n * i / T, hi = n * (i + 1) / T;
        std::memcpy(out + lo, src + lo, (size_t)(hi - lo) * sizeof(float));
      }
    };
    std::tie(r.shuffle, r.copy) = time_in_turns(3, cfg.shuffle_repeats, shuffle, copy);
    r.shuffle_gb_per_s = (double)r.shuffle_bytes / (r.shuffle.median_ms / 1e3) / 1e9;
    r.copy_gb_per_s = (double)r.shuffle_bytes / (r.copy.median_ms / 1e3) / 1e9;
  }

  // Arithmetic against the FMA peak of the same threads (the CPU's: not measured for a GPU).
  if (dev == Device::cpu) {
    phase("FMA peak");
    r.fma_gflops_per_thread =
        measure_fma_gflops_per_thread(r.threads, cfg.fma_repeats, &r.fma_lanes);
    r.peak_madds_per_s = r.threads * r.fma_gflops_per_thread * 1e9 / 2;
  }
  r.train_madds_per_s = 3.0 * (double)r.forward_madds * r.img_per_s;
  r.infer_madds_per_s = (double)r.forward_madds / (r.latency.median_ms / 1e3);
  r.peak_rss_mb = peak_rss_mb();
  return r;
}

}  // namespace sl
