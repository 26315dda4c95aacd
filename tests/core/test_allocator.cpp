// tests/core/test_allocator.cpp - the CPU caching allocator (core/cpu/memory.cpp): a freed
// buffer is reused for the next request of its size class, every buffer is 64-byte aligned,
// release_cached_memory() empties the cache, the stats add up, frees on other threads are
// safe; and the steady state it exists for: after warm-up, a training step of a small model
// takes no tensor buffer from the system and makes no heap allocation at all (operator new,
// counted by core/alloc_count.h, which is linked into this binary; and no new block for the
// small-object pool, core/alloc_pool.h); the pieces that make that possible (SmallVector,
// BackwardFn, backward(KeepGraph::no) freeing saved tensors early).
#include <cmath>
#include <cstdint>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "core/alloc.h"
#include "core/alloc_count.h"
#include "core/alloc_pool.h"
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

// One training step as `train` runs it; nothing in it may allocate once warmed up.
static void steady_state(const char* model_name) {
  REQUIRE(heap_counting_linked());
  auto model = make_model(model_name, "cifar", 10, 0);
  model->train();
  Sgd opt(model->named_parameters(), {.lr = 0.05f, .momentum = 0.9f});
  Generator g(3);
  const Tensor x = Tensor::randn({4, 3, 32, 32}, g);
  const std::vector<int> y = {1, 7, 3, 0};
  bool finite = true;
  auto step = [&] {
    const Tensor loss = cross_entropy((*model)(x), y);
    finite = finite && std::isfinite(loss.item());
    loss.backward(Tensor::KeepGraph::no);
    opt.step();
    opt.zero_grad();
  };
  step();
  step();  // warm-up: the caches now hold every size a step asks for
  const CpuMemoryStats m0 = cpu_memory_stats();
  const PoolStats p0 = pool_stats();
  const HeapCounts h0 = heap_counts();
  constexpr int kSteps = 3;
  for (int i = 0; i < kSteps; ++i) step();
  const HeapCounts h1 = heap_counts();  // read first: the CHECKs below are not counted
  const PoolStats p1 = pool_stats();
  const CpuMemoryStats m1 = cpu_memory_stats();
  CHECK(finite);
  CHECK(m1.system_allocs == m0.system_allocs);  // no new tensor storage
  CHECK(m1.reuses > m0.reuses);
  CHECK(m1.in_use_bytes == m0.in_use_bytes);    // nothing leaks from step to step
  CHECK(p1.system_allocs == p0.system_allocs);  // no new pool block (TensorImpl, Node, ...)
  CHECK(p1.reuses > p0.reuses);
  MESSAGE(std::string(model_name), ": operator new calls in ", kSteps,
          " training steps after warm-up: ", h1.allocations - h0.allocations);
  CHECK(h1.allocations == h0.allocations);  // the steady state: no heap allocation at all
}

TEST_CASE("allocator: after warm-up a training step of v2-0.5 makes no heap allocation") {
  steady_state("v2-0.5");
}

TEST_CASE("allocator: after warm-up a training step of v1-g3-0.5 makes no heap allocation") {
  steady_state("v1-g3-0.5");
}

TEST_CASE("pool: a freed block is reused for the next request of its size class") {
  void* a = pool_alloc(100);
  CHECK(reinterpret_cast<uintptr_t>(a) % 16 == 0);
  pool_free(a, 100);
  const PoolStats s0 = pool_stats();
  void* b = pool_alloc(112);  // 100 and 112 bytes share the 112-byte class
  CHECK(b == a);
  CHECK(pool_stats().reuses == s0.reuses + 1);
  CHECK(pool_stats().system_allocs == s0.system_allocs);
  pool_free(b, 112);
  void* big = pool_alloc(100000);  // a large class, still 16-byte aligned and writable
  CHECK(reinterpret_cast<uintptr_t>(big) % 16 == 0);
  static_cast<char*>(big)[99999] = 1;
  pool_free(big, 100000);
}

TEST_CASE("SmallVector: behaves like std::vector inline and past its inline capacity") {
  Shape s = {2, 3, 4};
  CHECK(s.size() == 3);
  s.insert(s.begin() + 1, 7);
  CHECK(s == Shape{2, 7, 3, 4});
  s.erase(s.begin());
  CHECK(s == std::vector<int64_t>{7, 3, 4});  // compares with, and converts to, std::vector
  const std::vector<int64_t> v = s;
  CHECK(v == std::vector<int64_t>{7, 3, 4});
  const HeapCounts h0 = heap_counts();
  Shape t(6, 1);  // six dims: still inline
  t[5] = 9;
  Shape u = t;
  const HeapCounts h1 = heap_counts();
  CHECK(h1.allocations == h0.allocations);
  CHECK(u.back() == 9);
  for (int64_t i = 0; i < 10; ++i) u.push_back(i);  // past 6: a pool block
  CHECK(u.size() == 16);
  CHECK(u[15] == 9);
  Shape moved = std::move(u);
  CHECK(moved.size() == 16);
  CHECK(u.empty());  // NOLINT: a moved-from SmallVector is empty
  u = moved;
  CHECK(u == moved);
  TensorList ts;  // non-trivial elements too
  for (int i = 0; i < 5; ++i) ts.push_back(Tensor::full({2}, (float)i));
  ts.erase(ts.begin() + 1);
  CHECK(ts.size() == 4);
  CHECK(ts[1].to_vector()[0] == 2.f);
}

TEST_CASE("BackwardFn: small closures inline, big ones in the pool, both called and freed") {
  const Tensor a = Tensor::full({3}, 2.f);
  BackwardFn small = [a](const Tensor& d) { return std::vector<Tensor>{mul(d, a)}; };
  struct Big {
    Tensor t[16];  // 256 bytes: more than BackwardFn::kInline
  } big_capture;
  big_capture.t[15] = a;
  BackwardFn big = [big_capture](const Tensor& d) {
    return std::vector<Tensor>{add(d, big_capture.t[15])};
  };
  const PoolStats p0 = pool_stats();
  BackwardFn moved = std::move(big);
  CHECK(pool_stats().reuses == p0.reuses);  // a pooled closure moves by pointer
  CHECK_FALSE(big);
  const Tensor d = Tensor::ones({3});
  CHECK(small(d)[0].to_vector() == std::vector<float>{2.f, 2.f, 2.f});
  CHECK(moved(d)[0].to_vector() == std::vector<float>{3.f, 3.f, 3.f});
  moved.reset();
  CHECK_FALSE(moved);
}

TEST_CASE("backward(KeepGraph::no) frees saved tensors early and forbids a second backward") {
  Tensor w = Tensor::full({64, 64}, 0.5f).requires_grad_();
  const Tensor x = Tensor::full({64, 64}, 2.f);
  const int64_t block = 64 * 64 * (int64_t)sizeof(float), start = cpu_memory_stats().in_use_bytes;
  Tensor h = relu(mul(w, x));
  const Tensor loss = sum(mul(h, h));
  // Held now: w, x, h and mul(w, x) (relu's saved input), 4 blocks, and the scalar loss. Not
  // mul(h, h): sum's backward does not read it, and the graph keeps only its stand-in.
  const int64_t before = cpu_memory_stats().in_use_bytes;
  CHECK(before - start < 3 * block);  // h, mul(w, x) and the loss (w, x came before start)
  CHECK(before - start > 2 * block);
  const Tensor& stand_in = loss.impl()->node->inputs[0];
  CHECK(stand_in.impl() != nullptr);
  CHECK(stand_in.impl()->storage == nullptr);  // shape and node only
  CHECK(stand_in.shape() == Shape{64, 64});
  CHECK_THROWS_AS((void)stand_in.data(), Error);
  loss.backward(Tensor::KeepGraph::no);
  // h's node no longer holds its input (mul's output) nor relu's saved copy of it.
  CHECK(h.impl()->node->freed);
  CHECK(h.impl()->node->inputs.empty());
  CHECK_FALSE(h.impl()->node->backward);
  // mul(w, x) went back to the allocator; w's gradient is the one new block.
  CHECK(cpu_memory_stats().in_use_bytes - block < before);
  CHECK(w.grad().to_vector()[0] == doctest::Approx(4.f));  // d(wx)^2/dw = 2wx * x = 2*1*2
  CHECK_THROWS_AS(loss.backward(), Error);
  // KeepGraph::yes (the default) leaves the graph whole: backward runs twice.
  Tensor v = Tensor::full({4}, 1.f).requires_grad_();
  const Tensor l2 = sum(mul(v, v));
  l2.backward();
  l2.backward();
  CHECK(v.grad().to_vector() == std::vector<float>(4, 4.f));
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
