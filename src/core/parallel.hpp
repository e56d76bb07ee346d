#pragma once
// The one thread mechanism: independent items over threads, handed out one at a time, so
// results written per item do not depend on the thread count; and the one place "0 threads"
// becomes a number.
#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "core/layout.hpp"

namespace lg {

/// `threads` as a count: itself when > 0, every hardware thread for 0 or less (>= 1). The one
/// place "0 = all cores" is turned into a number.
inline int resolve_threads(int threads) {
  if (threads > 0) return threads;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

/// How many workers parallel_for_workers starts for `n` items: resolve_threads(threads), at
/// most n, at least 1.
inline int worker_count(Index n, int threads) {
  return static_cast<int>(std::clamp<Index>(resolve_threads(threads), 1, std::max<Index>(n, 1)));
}

/// body(worker, i) for every i in [0, n) on worker_count(n, threads) threads (this one
/// included, as worker 0), each taking the next i in turn: `worker` indexes per-thread scratch.
/// An exception stops the hand-out; after all threads stopped, the one of the lowest failing i
/// is rethrown (every lower i was handed out and ran, so the error does not depend on timing).
template <typename Body>
void parallel_for_workers(Index n, int threads, const Body& body) {
  const int t = worker_count(n, threads);
  std::atomic<Index> next{0};
  std::exception_ptr failure;
  Index failed_at = n;
  std::mutex failure_mutex;
  auto worker = [&](int w) {
    for (Index i = next++; i < n; i = next++) {
      try {
        body(w, i);
      } catch (...) {
        const std::lock_guard<std::mutex> lock(failure_mutex);
        if (i < failed_at) {
          failed_at = i;
          failure = std::current_exception();
        }
        next = n;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int k = 1; k < t; ++k) pool.emplace_back(worker, k);
  worker(0);
  for (std::thread& th : pool) th.join();
  if (failure) std::rethrow_exception(failure);
}

/// body(i) for every i in [0, n) on up to `threads` threads (0: every hardware thread).
template <typename Body>
void parallel_for(Index n, int threads, const Body& body) {
  parallel_for_workers(n, threads, [&](int, Index i) { body(i); });
}

/// body(p) for each of `parts` parts of a job the caller has split, one thread per part (this
/// one included); errors as parallel_for_workers.
template <typename Body>
void parallel_parts(int parts, const Body& body) {
  parallel_for_workers(parts, parts, [&](int, Index p) { body(static_cast<int>(p)); });
}

}  // namespace lg
