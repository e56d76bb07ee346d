#pragma once
// Run independent items over threads: body(i) for i in [0, n), items handed out one at a time,
// so results written per item do not depend on the thread count.
#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "core/layout.hpp"

namespace lg {

/// body(i) for every i in [0, n) on up to `threads` threads (>= 1; the caller resolves 0);
/// the first exception thrown stops the hand-out and is rethrown here.
template <typename Body>
void parallel_for(Index n, int threads, const Body& body) {
  const int t = static_cast<int>(std::clamp<Index>(threads, 1, std::max<Index>(n, 1)));
  std::atomic<Index> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto worker = [&] {
    try {
      for (Index i = next++; i < n; i = next++) body(i);
    } catch (...) {
      const std::lock_guard<std::mutex> lock(failure_mutex);
      if (!failure) failure = std::current_exception();
      next = n;
    }
  };
  std::vector<std::thread> pool;
  for (int k = 1; k < t; ++k) pool.emplace_back(worker);
  worker();
  for (std::thread& th : pool) th.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace lg
