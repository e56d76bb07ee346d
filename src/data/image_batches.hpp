#pragma once
// Batches of images for the CNN training loop, prepared ahead on a worker thread so decoding
// and augmentation overlap with the network's step, with an optional cache of decoded, resized
// images for sets read from files. Plain C++: the caller copies ImageBatch::pixels into a tensor.
//
// A batch's pixels depend only on (rows, transform, seed, batch number): batch b is
// prepare_batch(images of its rows, t, derive_seed(seed, b)) (data/image_transforms.hpp), whatever
// the thread count, prefetch depth or cache. Cached images are stored already resized to the
// transform's pre-crop side; prepare_batch's own resize is then the identity, so the cache does
// not change a single pixel.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/layout.hpp"
#include "data/image_transforms.hpp"
#include "io/image_dataset.hpp"

namespace lg {

struct ImageBatch {
  /// rows.size() x 3 x size x size floats, planar, normalised (to_planar_normalized)
  std::vector<float> pixels;
  /// which rows of the ImageDataset, in batch order
  std::vector<Index> rows;
};

/// Counters of the current pass (reset by start()), over the batches next() has handed out.
struct LoaderStats {
  double wait_seconds = 0;     ///< time next() blocked: the pipeline was the bottleneck
  double prepare_seconds = 0;  ///< worker time spent decoding and transforming those batches
  Index batches = 0;           ///< batches handed out
  Index cache_hits = 0;        ///< images taken from the decoded-image cache
  Index decoded = 0;           ///< images decoded from their files
};

class ImageBatchLoader {
 public:
  /// `data` must outlive the loader. cache_bytes: budget (pixel bytes) for decoded images of
  /// file-backed sets, stored resized to the transform's pre-crop side (t.resize, or t.size);
  /// 0 = no cache (decode every time). In-memory sets (data.images non-empty) are used directly:
  /// prepare_batch resizes them. Throws lg::Error when data has neither one image nor one file
  /// per row.
  ImageBatchLoader(const ImageDataset& data, std::size_t cache_bytes);
  /// Cancels a running pass and joins the worker.
  ~ImageBatchLoader();
  ImageBatchLoader(const ImageBatchLoader&) = delete;
  ImageBatchLoader& operator=(const ImageBatchLoader&) = delete;

  /// Begin a pass: `rows` in this order, cut into batches of batch_size (the last may be
  /// smaller), transformed with `t`. Batch b's random draws come from
  /// derive_seed(seed, first_batch + b): a pass resumed at batch k of an epoch (rows = the
  /// epoch's rows from entry k * batch_size on, first_batch = k) gives the batches the whole
  /// pass would have given from its batch k on.
  /// Prefetches up to `depth` (>= 1) batches ahead on one worker thread, which uses `threads`
  /// threads (0 = all cores) to decode and transform a batch. Cancels a pass still running.
  /// Throws lg::Error (before starting anything) for a row out of range, batch_size < 1,
  /// depth < 1, first_batch < 0 or a bad transform.
  void start(std::vector<Index> rows, Index batch_size, const ImageTransform& t, std::uint64_t seed,
             int threads = 1, int depth = 2, Index first_batch = 0);

  /// The next batch (blocks until it is ready), or nullptr after the last one (and before any
  /// start()). The pointer stays valid until the next call of next() or start(). An error from
  /// the worker (decode_image's lg::Error naming a corrupt file) is rethrown here, after the
  /// batches prepared before it; the pass then ends (later calls return nullptr).
  const ImageBatch* next();

  /// Counters of the current pass.
  const LoaderStats& stats() const { return stats_; }

  /// Pixel bytes held by the decoded-image cache (at most the budget).
  std::size_t cached_bytes() const;

 private:
  /// A prepared batch with the worker's own counters, handed over through the queue.
  struct Prepared {
    ImageBatch batch;
    std::vector<Image> decoded;  ///< this batch's decoded images that are not in the cache
    double prepare_seconds = 0;
    Index cache_hits = 0;
    Index decoded_count = 0;
  };
  class Cache;

  void stop_worker();
  void run_pass(std::vector<Index> rows, Index batch_size, ImageTransform t, std::uint64_t seed,
                int threads, int depth, Index first_batch);
  void prepare(Prepared& item, const ImageTransform& t, std::uint64_t batch_seed, int threads);

  const ImageDataset& data_;
  std::unique_ptr<Cache> cache_;

  // Shared between next() and the worker, under mutex_.
  std::mutex mutex_;
  std::condition_variable ready_;  ///< a batch, the end or an error is there for next()
  std::condition_variable space_;  ///< the queue has room, or the pass is cancelled
  std::deque<std::unique_ptr<Prepared>> queue_;
  std::vector<std::unique_ptr<Prepared>> spare_;  ///< used batches whose buffers are reused
  std::exception_ptr failure_;
  bool finished_ = true;  ///< the worker has queued its last batch (or failed, or was stopped)
  /// start() or the destructor wants the worker gone; atomic so decoding can poll it unlocked
  std::atomic<bool> cancel_{false};

  std::thread worker_;
  std::unique_ptr<Prepared> current_;  ///< the batch next() last returned
  LoaderStats stats_;
};

}  // namespace lg
