#include "data/image_batches.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "core/error.hpp"
#include "core/parallel.hpp"
#include "core/random.hpp"

namespace lg {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}


}  // namespace

/// Decoded images of a file-backed set, one slot per row, each resized to the side the pass
/// asked for when it was filled. Filled until the byte budget is reached, then left as it is:
/// no eviction, because every epoch visits every row in a new order, so LRU would throw out
/// each image just before it is needed again (a cache of the first rows that fit at least
/// saves their decoding every epoch). Slots are never emptied while a pass runs, so a pointer
/// handed out stays valid until the loader dies.
class ImageBatchLoader::Cache {
 public:
  Cache(std::size_t rows, std::size_t budget) : slots_(rows), budget_(budget) {}

  /// The cached image of `row` if it is side x side, else nullptr.
  const Image* find(Index row, int side) const {
    const std::lock_guard<std::mutex> lock(mutex_);
    const Image* image = slots_[static_cast<std::size_t>(row)].get();
    return image && image->width == side && image->height == side ? image : nullptr;
  }

  /// Keep `image` for `row` when the slot is free and the budget allows (the image is then
  /// moved in and the stored one returned); else nullptr and `image` is left untouched.
  const Image* add(Index row, Image& image) {
    const std::lock_guard<std::mutex> lock(mutex_);
    std::unique_ptr<const Image>& slot = slots_[static_cast<std::size_t>(row)];
    const std::size_t bytes = image.pixels.size();
    if (slot || used_ + bytes > budget_) return nullptr;
    slot = std::make_unique<const Image>(std::move(image));
    used_ += bytes;
    return slot.get();
  }

  std::size_t bytes() const {
    const std::lock_guard<std::mutex> lock(mutex_);
    return used_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<const Image>> slots_;
  std::size_t budget_ = 0;
  std::size_t used_ = 0;
};

ImageBatchLoader::ImageBatchLoader(const ImageDataset& data, std::size_t cache_bytes) : data_(data) {
  const auto rows = static_cast<std::size_t>(data.rows());
  const bool in_memory = !data.images.empty();
  if (in_memory ? data.images.size() != rows : data.files.size() != rows)
    throw Error(fmt::format("image data set '{}': {} rows of labels but {} {}", data.name, rows,
                            in_memory ? data.images.size() : data.files.size(),
                            in_memory ? "images in memory" : "image files"));
  if (!in_memory && cache_bytes > 0) cache_ = std::make_unique<Cache>(rows, cache_bytes);
}

ImageBatchLoader::~ImageBatchLoader() { stop_worker(); }

std::size_t ImageBatchLoader::cached_bytes() const { return cache_ ? cache_->bytes() : 0; }

void ImageBatchLoader::start(std::vector<Index> rows, Index batch_size, const ImageTransform& t,
                             std::uint64_t seed, int threads, int depth, Index first_batch) {
  validate(t);
  if (batch_size < 1) throw Error(fmt::format("batch size = {} must be >= 1", batch_size));
  if (depth < 1) throw Error(fmt::format("prefetch depth = {} must be >= 1", depth));
  if (threads < 0) throw Error(fmt::format("threads = {} must be >= 0 (0 = all cores)", threads));
  if (first_batch < 0) throw Error(fmt::format("first batch = {} must be >= 0", first_batch));
  for (std::size_t i = 0; i < rows.size(); ++i)
    if (rows[i] < 0 || rows[i] >= data_.rows())
      throw Error(fmt::format("image batches: row {} (entry {} of the pass) is outside the {} rows of '{}'",
                              rows[i], i, data_.rows(), data_.name));
  stop_worker();
  stats_ = LoaderStats{};
  finished_ = false;
  worker_ = std::thread(&ImageBatchLoader::run_pass, this, std::move(rows), batch_size, t, seed,
                        resolve_threads(threads), depth, first_batch);
}

const ImageBatch* ImageBatchLoader::next() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (current_) spare_.push_back(std::move(current_));
  const Clock::time_point start = Clock::now();
  ready_.wait(lock, [this] { return !queue_.empty() || finished_; });
  stats_.wait_seconds += seconds_since(start);
  if (!queue_.empty()) {
    current_ = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    space_.notify_one();
    stats_.batches += 1;
    stats_.prepare_seconds += current_->prepare_seconds;
    stats_.cache_hits += current_->cache_hits;
    stats_.decoded += current_->decoded_count;
    return &current_->batch;
  }
  if (failure_) {
    // Hand the error out once; the pass is over (finished_ is set), later calls get nullptr.
    std::exception_ptr failure = std::exchange(failure_, nullptr);
    std::rethrow_exception(failure);
  }
  return nullptr;
}

void ImageBatchLoader::stop_worker() {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    cancel_ = true;
  }
  space_.notify_all();
  if (worker_.joinable()) worker_.join();
  const std::lock_guard<std::mutex> lock(mutex_);
  for (std::unique_ptr<Prepared>& item : queue_) spare_.push_back(std::move(item));
  queue_.clear();
  if (current_) spare_.push_back(std::move(current_));
  failure_ = nullptr;
  finished_ = true;
  cancel_ = false;
}

void ImageBatchLoader::run_pass(std::vector<Index> rows, Index batch_size, ImageTransform t,
                                std::uint64_t seed, int threads, int depth, Index first_batch) {
  try {
    const auto n = static_cast<Index>(rows.size());
    for (Index b = first_batch, first = 0; first < n; ++b, first += batch_size) {
      std::unique_ptr<Prepared> item;
      {
        // Wait for room before preparing, so at most `depth` batches exist ahead of next():
        // the queued ones and the one in the making.
        std::unique_lock<std::mutex> lock(mutex_);
        space_.wait(lock, [&] { return cancel_ || queue_.size() < static_cast<std::size_t>(depth); });
        if (cancel_) return;
        if (!spare_.empty()) {
          item = std::move(spare_.back());
          spare_.pop_back();
        }
      }
      if (!item) item = std::make_unique<Prepared>();
      const Index last = std::min(n, first + batch_size);
      item->batch.rows.assign(rows.begin() + first, rows.begin() + last);
      const Clock::time_point start = Clock::now();
      prepare(*item, t, derive_seed(seed, static_cast<std::uint64_t>(b)), threads);
      item->prepare_seconds = seconds_since(start);
      const std::lock_guard<std::mutex> lock(mutex_);
      if (cancel_) return;
      queue_.push_back(std::move(item));
      ready_.notify_one();
    }
    const std::lock_guard<std::mutex> lock(mutex_);
    finished_ = true;
    ready_.notify_one();
  } catch (...) {
    const std::lock_guard<std::mutex> lock(mutex_);
    failure_ = std::current_exception();
    finished_ = true;
    ready_.notify_one();
  }
}

void ImageBatchLoader::prepare(Prepared& item, const ImageTransform& t, std::uint64_t batch_seed,
                               int threads) {
  const std::vector<Index>& rows = item.batch.rows;
  std::vector<const Image*> images(rows.size(), nullptr);
  item.cache_hits = 0;
  item.decoded_count = 0;
  if (!data_.images.empty()) {
    for (std::size_t i = 0; i < rows.size(); ++i)
      images[i] = &data_.images[static_cast<std::size_t>(rows[i])];
  } else {
    const int side = t.resize ? t.resize : t.size;
    item.decoded.assign(rows.size(), Image{});
    std::atomic<Index> hits{0};
    std::atomic<Index> decoded{0};
    parallel_for(static_cast<Index>(rows.size()), threads, [&](Index k) {
      if (cancel_) return;  // the batch is thrown away anyway
      const auto i = static_cast<std::size_t>(k);
      const Index row = rows[i];
      if (cache_) {
        if (const Image* cached = cache_->find(row, side)) {
          images[i] = cached;
          ++hits;
          return;
        }
      }
      Image image = decode_image(data_.files[static_cast<std::size_t>(row)]);
      ++decoded;
      if (cache_) {
        // Resized here (prepare_batch's resize of a side x side image is then a copy) so the
        // cache holds the small image, not the decoded original.
        image = resize_bilinear(image, side, side);
        if (const Image* stored = cache_->add(row, image)) {
          images[i] = stored;
          return;
        }
      }
      item.decoded[i] = std::move(image);
      images[i] = &item.decoded[i];
    });
    if (cancel_) return;
    item.cache_hits = hits;
    item.decoded_count = decoded;
  }
  prepare_batch(images, t, batch_seed, threads, item.batch.pixels);
  // Free the decoded originals now; the Prepared object waits in the queue or the spare pool.
  item.decoded.clear();
}

}  // namespace lg
