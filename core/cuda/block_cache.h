// core/cuda/block_cache.h - the caching allocator behind the CUDA backend's alloc/free:
// a freed block goes to a cache and the next request of (about) its size takes it back,
// so training reuses the same buffers every step instead of calling cudaMalloc/cudaFree
// (cudaFree waits for the whole GPU). Plain C++ over two callbacks, so tests run it on
// the host. Not here: streams (everything runs on the default stream, in order, so a
// block freed by the host can be reused by the next kernel) or splitting large blocks.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <unordered_map>
#include <utility>

namespace sl::cuda {

class BlockCache {
 public:
  using RawAlloc = std::function<void*(size_t bytes)>;  // nullptr when out of memory
  using RawFree = std::function<void(void* p)>;

  // Requests are rounded up to kRound bytes; a cached block is reused when it is at most
  // a quarter bigger than the request (best fit), so a small tensor never pins a big block.
  static constexpr size_t kRound = 512;

  struct Stats {
    size_t in_use_bytes = 0, cached_bytes = 0;  // handed out; waiting in the cache
    int64_t raw_allocs = 0, raw_frees = 0, reuses = 0;
  };

  BlockCache(RawAlloc raw_alloc, RawFree raw_free)
      : raw_alloc_(std::move(raw_alloc)), raw_free_(std::move(raw_free)) {}

  // A block of at least `bytes` (at least one kRound), nullptr when the device is full even
  // after the cache was given back to it.
  void* allocate(size_t bytes) {
    const size_t size = (std::max<size_t>(bytes, 1) + kRound - 1) / kRound * kRound;
    std::lock_guard<std::mutex> lock(mu_);
    auto it = free_.lower_bound(size);
    if (it != free_.end() && it->first <= size + size / 4) {
      void* p = it->second;
      live_[p] = it->first;
      stats_.cached_bytes -= it->first;
      stats_.in_use_bytes += it->first;
      stats_.reuses += 1;
      free_.erase(it);
      return p;
    }
    void* p = raw_alloc_(size);
    if (!p) {  // out of memory: hand every cached block back, then try once more
      release_cached_locked();
      p = raw_alloc_(size);
      if (!p) return nullptr;
    }
    live_[p] = size;
    stats_.in_use_bytes += size;
    stats_.raw_allocs += 1;
    return p;
  }

  // Returns p (from allocate) to the cache; false when p is not one of this cache's blocks.
  bool release(void* p) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = live_.find(p);
    if (it == live_.end()) return false;
    free_.emplace(it->second, p);
    stats_.in_use_bytes -= it->second;
    stats_.cached_bytes += it->second;
    live_.erase(it);
    return true;
  }

  // Gives every cached (not in-use) block back to the device.
  void release_cached() {
    std::lock_guard<std::mutex> lock(mu_);
    release_cached_locked();
  }

  Stats stats() const {
    std::lock_guard<std::mutex> lock(mu_);
    return stats_;
  }

 private:
  void release_cached_locked() {
    for (auto& [size, p] : free_) {
      raw_free_(p);
      stats_.cached_bytes -= size;
      stats_.raw_frees += 1;
    }
    free_.clear();
  }

  RawAlloc raw_alloc_;
  RawFree raw_free_;
  mutable std::mutex mu_;
  std::unordered_map<void*, size_t> live_;  // block -> its rounded size
  std::multimap<size_t, void*> free_;       // rounded size -> cached block
  Stats stats_;
};

}  // namespace sl::cuda
