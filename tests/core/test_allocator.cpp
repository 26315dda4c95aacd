// tests/core/test_allocator.cpp - the CPU caching allocator (core/cpu/memory.cpp): a freed
// buffer is reused for the next request of its size class, every buffer is 64-byte aligned,
// release_cached_memory() empties the cache, the stats add up, frees on other threads are
// safe; and the steady state it exists for: after warm-up, a training step of a small model
// takes no tensor buffer from the system. The operator new counter (core/alloc_count.h) is
// linked into this binary; its per-step count is reported, not asserted to be zero (the
// autograd graph still allocates its nodes each step).
#include <cmath>
#include <cstdint>
#include <new>
#include <thread>
#include <vector>

#include "core/alloc.h"
#include "core/alloc_count.h"
#include "core/cpu/kernels.h"
#include "nn/loss.h"
#include "nn/models/models.h"
#include "nn/optim.h"
#include "tests/helpers.h"

using namespace sl;

TEST_CASE("allocator: a freed buffer is reused for the next request of its size class") {
  release_cached_memory();
  float* a = cpu::alloc(1000);
  const CpuMemoryStats s0 = cpu_memory_stats();
  cpu::free(a);
  CHECK(cpu_memory_stats().cached_bytes >= 4000);
  float* b = cpu::alloc(1000);
  CHECK(b == a);               // the same buffer, from the free list
  float* c = cpu::alloc(990);  // same size class (990 and 1000 floats round alike), a new one
  CHECK(c != a);
  const CpuMemoryStats s1 = cpu_memory_stats();
  CHECK(s1.reuses == s0.reuses + 1);
  CHECK(s1.system_allocs == s0.system_allocs + 1);
  cpu::free(c);
  float* d = cpu::alloc(995);
  CHECK(d == c);
  // A much larger request never gets a small cached buffer.
  float* big = cpu::alloc(100000);
  CHECK(big != a);
  CHECK(big != c);
  for (float* p : {b, d, big}) cpu::free(p);
}

TEST_CASE("allocator: every buffer is 64-byte aligned and fully writable") {
  std::vector<float*> ps;
  for (int64_t n : {1, 2, 15, 16, 17, 63, 64, 65, 1000, 4097, 123457}) {
    float* p = cpu::alloc(n);
    CHECK((reinterpret_cast<uintptr_t>(p) % 64) == 0);
    for (int64_t i = 0; i < n; ++i) p[i] = (float)i;  // ASan checks the bounds
    CHECK(p[n - 1] == (float)(n - 1));
    ps.push_back(p);
  }
  for (float* p : ps) cpu::free(p);
  for (float* p : ps) {  // reused buffers stay aligned too
    (void)p;
    float* q = cpu::alloc(17);
    CHECK((reinterpret_cast<uintptr_t>(q) % 64) == 0);
    cpu::free(q);
  }
}

TEST_CASE("allocator: stats add up and release_cached_memory empties the cache") {
  release_cached_memory();
  const CpuMemoryStats s0 = cpu_memory_stats();
  CHECK(s0.cached_bytes == 0);
  {
    Tensor t = Tensor::zeros({256, 256});  // 256 KiB
    const CpuMemoryStats s1 = cpu_memory_stats();
    CHECK(s1.in_use_bytes >= s0.in_use_bytes + 256 * 256 * 4);
    CHECK(s1.peak_in_use_bytes >= s1.in_use_bytes);
  }
  const CpuMemoryStats s2 = cpu_memory_stats();
  CHECK(s2.in_use_bytes == s0.in_use_bytes);
  CHECK(s2.cached_bytes >= 256 * 256 * 4);
  release_cached_memory();
  CHECK(cpu_memory_stats().cached_bytes == 0);
  reset_peak_cpu_memory();
  CHECK(cpu_memory_stats().peak_in_use_bytes == cpu_memory_stats().in_use_bytes);
  // Memory still works after a release.
  Tensor u = Tensor::full({3, 5}, 2.f);
  CHECK(u.to_vector() == std::vector<float>(15, 2.f));
}

TEST_CASE("allocator: tensors made on one thread and freed on others") {
  release_cached_memory();
  const CpuMemoryStats s0 = cpu_memory_stats();
  constexpr int kThreads = 4, kRounds = 200;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([t] {
      for (int r = 0; r < kRounds; ++r) {
        std::vector<Tensor> made;
        made.reserve(4);
        for (int k = 0; k < 4; ++k) made.push_back(Tensor::full({(t + 1) * 37 + k, 11}, (float)t));
        std::thread other([m = std::move(made)]() mutable { m.clear(); });  // freed elsewhere
        other.join();
      }
    });
  for (std::thread& th : threads) th.join();
  const CpuMemoryStats s1 = cpu_memory_stats();
  CHECK(s1.in_use_bytes == s0.in_use_bytes);  // every buffer came back
  CHECK(s1.reuses > s0.reuses);
}

TEST_CASE("allocator: after warm-up a training step takes no tensor buffer from the system") {
  REQUIRE(heap_counting_linked());
  auto model = make_model("v2-0.5", "cifar", 10, 0);
  model->train();
  Sgd opt(model->named_parameters(), {.lr = 0.05f});
  Generator g(3);
  const Tensor x = Tensor::randn({4, 3, 32, 32}, g);
  const std::vector<int> y = {1, 7, 3, 0};
  auto step = [&] {
    const Tensor loss = cross_entropy((*model)(x), y);
    CHECK(std::isfinite(loss.item()));
    loss.backward();
    opt.step();
    opt.zero_grad();
  };
  step();
  step();  // warm-up: the cache now holds every size a step asks for
  const CpuMemoryStats m0 = cpu_memory_stats();
  const HeapCounts h0 = heap_counts();
  constexpr int kSteps = 3;
  for (int i = 0; i < kSteps; ++i) step();
  const CpuMemoryStats m1 = cpu_memory_stats();
  const HeapCounts h1 = heap_counts();
  CHECK(m1.system_allocs == m0.system_allocs);  // the steady state: no new tensor storage
  CHECK(m1.reuses > m0.reuses);
  CHECK(m1.in_use_bytes == m0.in_use_bytes);  // nothing leaks from step to step
  // Not yet zero: the autograd graph (nodes, shared_ptrs, std::function) is rebuilt per step.
  const int64_t per_step = (h1.allocations - h0.allocations) / kSteps;
  MESSAGE("operator new calls per training step of v2-0.5 after warm-up: ", per_step);
  CHECK(per_step >= 0);
}

TEST_CASE("alloc_count: every operator new is counted, with its bytes") {
  REQUIRE(heap_counting_linked());
  const HeapCounts a = heap_counts();
  void* volatile p = ::operator new(24);  // a call, not a new-expression: never elided
  ::operator delete(p);
  void* volatile q = ::operator new[](100, std::align_val_t{64});
  CHECK(reinterpret_cast<uintptr_t>(q) % 64 == 0);
  ::operator delete[](q, std::align_val_t{64});
  const HeapCounts b = heap_counts();
  CHECK(b.allocations == a.allocations + 2);
  CHECK(b.bytes == a.bytes + 124);
}
