// The image batch loader: its batches are exactly prepare_batch's for the same rows and seed
// (whatever the cache, threads or prefetch depth), errors surface from next(), and stopping
// or restarting in the middle of a pass neither hangs nor mixes passes.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/random.hpp"
#include "data/image_batches.hpp"
#include "data/image_transforms.hpp"
#include "helpers.hpp"

namespace {

/// A width x height image with content that differs by pixel, channel and `seed`.
lg::Image pattern(int width, int height, int seed) {
  lg::Image im{width, height, std::vector<std::uint8_t>(static_cast<std::size_t>(width) * height * 3)};
  for (std::size_t p = 0; p < im.pixels.size(); ++p)
    im.pixels[p] = static_cast<std::uint8_t>((p * 37 + static_cast<std::size_t>(seed) * 101 + p * p % 13) % 256);
  return im;
}

/// `n` images of mixed sizes (some square, some not, all >= 8 so a resize to 8 changes them).
std::vector<lg::Image> patterns(int n) {
  std::vector<lg::Image> images;
  for (int k = 0; k < n; ++k) images.push_back(pattern(8 + k % 3 * 3, 9 + k % 2 * 4, k));
  return images;
}

lg::ImageTransform augmenting() {
  lg::ImageTransform t;
  t.size = 6;
  t.resize = 8;
  t.random_crop = true;
  t.random_flip = true;
  return t;
}

struct Batch {
  std::vector<lg::Index> rows;
  std::vector<float> pixels;
  bool operator==(const Batch& o) const { return rows == o.rows && pixels == o.pixels; }
};

/// What the loader must give: batch b = prepare_batch(images of its rows, t, derive_seed(seed, b)).
std::vector<Batch> expected(const std::vector<lg::Image>& images, const std::vector<lg::Index>& rows,
                            lg::Index batch_size, const lg::ImageTransform& t, std::uint64_t seed) {
  std::vector<Batch> out;
  for (std::size_t first = 0, b = 0; first < rows.size(); first += static_cast<std::size_t>(batch_size), ++b) {
    Batch batch;
    std::vector<const lg::Image*> pointers;
    for (std::size_t i = first; i < std::min(rows.size(), first + static_cast<std::size_t>(batch_size)); ++i) {
      batch.rows.push_back(rows[i]);
      pointers.push_back(&images[static_cast<std::size_t>(rows[i])]);
    }
    lg::prepare_batch(pointers, t, lg::derive_seed(seed, b), 1, batch.pixels);
    out.push_back(std::move(batch));
  }
  return out;
}

/// Every batch of the pass, in order (next() until nullptr).
std::vector<Batch> drain(lg::ImageBatchLoader& loader) {
  std::vector<Batch> out;
  while (const lg::ImageBatch* b = loader.next()) out.push_back({b->rows, b->pixels});
  return out;
}

std::vector<Batch> pass(lg::ImageBatchLoader& loader, const std::vector<lg::Index>& rows,
                        lg::Index batch_size, const lg::ImageTransform& t, std::uint64_t seed,
                        int threads = 1, int depth = 2) {
  loader.start(rows, batch_size, t, seed, threads, depth);
  return drain(loader);
}

lg::ImageDataset in_memory(std::vector<lg::Image> images) {
  lg::ImageDataset data;
  data.name = "patterns";
  data.labels = lg::LabelMatrix::Zero(static_cast<lg::Index>(images.size()), 2);
  data.images = std::move(images);
  return data;
}

/// The images written as img<k>.png under `dir`, as a file-backed set.
lg::ImageDataset on_disk(const std::vector<lg::Image>& images, const lg::test::TempDir& dir) {
  lg::ImageDataset data;
  data.name = "patterns-on-disk";
  data.labels = lg::LabelMatrix::Zero(static_cast<lg::Index>(images.size()), 2);
  for (std::size_t k = 0; k < images.size(); ++k) {
    data.files.push_back(dir / ("img" + std::to_string(k) + ".png"));
    lg::write_png(images[k], data.files.back());
  }
  return data;
}

}  // namespace

TEST_CASE("image batches: resizing an image to its own size changes nothing", "[data]") {
  // The cache stores images already resized to the pre-crop side and prepare_batch resizes them
  // again: that second resize must be the identity, or the cache would change pixels.
  const lg::Image im = pattern(8, 8, 3);
  CHECK(lg::resize_bilinear(im, 8, 8).pixels == im.pixels);
  const lg::Image once = lg::resize_bilinear(pattern(11, 13, 4), 8, 8);
  CHECK(lg::resize_bilinear(once, 8, 8).pixels == once.pixels);
  // ... while a real resize does change them (the check above can fail).
  CHECK(lg::resize_bilinear(pattern(11, 13, 4), 8, 8).pixels != pattern(8, 8, 4).pixels);
}

TEST_CASE("image batches: in memory, equal to prepare_batch, in order, last batch smaller", "[data]") {
  const lg::ImageDataset data = in_memory(patterns(7));
  const lg::ImageTransform t = augmenting();
  const std::vector<lg::Index> rows = {5, 0, 3, 6, 1, 2, 4};
  lg::ImageBatchLoader loader(data, 1 << 20);  // the budget is unused for in-memory sets

  const std::vector<Batch> got = pass(loader, rows, 3, t, 42);
  const std::vector<Batch> want = expected(data.images, rows, 3, t, 42);
  REQUIRE(got.size() == 3);  // 3 + 3 + 1
  CHECK(got[0].rows == std::vector<lg::Index>{5, 0, 3});
  CHECK(got[1].rows == std::vector<lg::Index>{6, 1, 2});
  CHECK(got[2].rows == std::vector<lg::Index>{4});
  CHECK(got[2].pixels.size() == 1u * 3 * 6 * 6);
  CHECK(got == want);
  // The seed matters (so the equality above is not trivially true).
  CHECK(expected(data.images, rows, 3, t, 43)[0].pixels != want[0].pixels);

  CHECK(loader.next() == nullptr);  // still the end
  CHECK(loader.stats().batches == 3);
  CHECK(loader.stats().decoded == 0);
  CHECK(loader.stats().cache_hits == 0);
  CHECK(loader.cached_bytes() == 0);

  // A pass with no rows has no batches.
  loader.start({}, 4, t, 1);
  CHECK(loader.next() == nullptr);
}

TEST_CASE("image batches: files with the cache on or off give the same batches, epoch after epoch", "[data]") {
  const std::vector<lg::Image> images = patterns(6);
  const lg::test::TempDir dir;
  const lg::ImageDataset data = on_disk(images, dir);
  const lg::ImageTransform t = augmenting();
  const std::vector<lg::Index> epoch1 = {0, 1, 2, 3, 4, 5}, epoch2 = {4, 2, 0, 5, 3, 1};
  const std::size_t per_image = 8 * 8 * 3;  // cached at the pre-crop side, t.resize = 8

  lg::ImageBatchLoader plain(data, 0), cached(data, 64 * per_image);
  // PNG is lossless, so the decoded files are the images in memory.
  const std::vector<Batch> want1 = expected(images, epoch1, 4, t, 7);
  const std::vector<Batch> want2 = expected(images, epoch2, 4, t, 8);

  CHECK(pass(plain, epoch1, 4, t, 7) == want1);
  CHECK(plain.stats().decoded == 6);
  CHECK(pass(plain, epoch2, 4, t, 8) == want2);
  CHECK(plain.stats().decoded == 6);
  CHECK(plain.stats().cache_hits == 0);
  CHECK(plain.cached_bytes() == 0);

  CHECK(pass(cached, epoch1, 4, t, 7, 2) == want1);
  CHECK(cached.stats().decoded == 6);
  CHECK(cached.stats().cache_hits == 0);
  CHECK(cached.stats().batches == 2);
  CHECK(cached.cached_bytes() == 6 * per_image);
  CHECK(pass(cached, epoch2, 4, t, 8, 2) == want2);
  CHECK(cached.stats().decoded == 0);  // counters are per pass
  CHECK(cached.stats().cache_hits == 6);

  SECTION("a budget for two images caches two and decodes the rest every epoch") {
    lg::ImageBatchLoader small(data, 2 * per_image + per_image / 2);
    CHECK(pass(small, epoch1, 4, t, 7, 2) == want1);
    CHECK(small.cached_bytes() == 2 * per_image);
    CHECK(pass(small, epoch2, 4, t, 8, 2) == want2);
    CHECK(small.stats().cache_hits == 2);
    CHECK(small.stats().decoded == 4);
  }
  SECTION("a pass at another pre-crop side decodes again and leaves the cache as it is") {
    lg::ImageTransform centre;
    centre.size = 6;  // resize to 6, no crop: the 8 x 8 cached images do not fit
    CHECK(pass(cached, epoch1, 5, centre, 3) == expected(images, epoch1, 5, centre, 3));
    CHECK(cached.stats().cache_hits == 0);
    CHECK(cached.stats().decoded == 6);
    CHECK(cached.cached_bytes() == 6 * per_image);
  }
}

TEST_CASE("image batches: the same pixels for any thread count and prefetch depth", "[data]") {
  const std::vector<lg::Image> images = patterns(11);
  const lg::test::TempDir dir;
  const lg::ImageDataset files = on_disk(images, dir);
  const lg::ImageDataset memory = in_memory(images);
  const lg::ImageTransform t = augmenting();
  const std::vector<lg::Index> rows = {10, 3, 3, 7, 0, 1, 9, 2, 8, 4, 6, 5, 3};  // row 3 repeated
  const std::vector<Batch> want = expected(images, rows, 4, t, 99);
  REQUIRE(want.size() == 4);

  for (const lg::ImageDataset* data : {&files, &memory}) {
    lg::ImageBatchLoader loader(*data, 1 << 20);
    for (const auto& [threads, depth] : std::vector<std::pair<int, int>>{{1, 1}, {2, 1}, {2, 4}, {0, 2}, {3, 9}}) {
      INFO(data->name << ", threads " << threads << ", depth " << depth);
      CHECK(pass(loader, rows, 4, t, 99, threads, depth) == want);
    }
  }
}

TEST_CASE("image batches: a corrupt file fails the pass from next(), naming the file", "[data]") {
  const std::vector<lg::Image> images = patterns(6);
  const lg::test::TempDir dir;
  const lg::ImageDataset data = on_disk(images, dir);
  // img3.png: the first 40 bytes of a real PNG (signature and header, no image data).
  const std::string whole = lg::test::read_file(data.files[3]);
  REQUIRE(whole.size() > 40);
  {
    std::ofstream out(data.files[3], std::ios::binary | std::ios::trunc);
    out << whole.substr(0, 40);
  }
  const lg::ImageTransform t = augmenting();
  for (const std::size_t cache : {std::size_t{0}, std::size_t{1} << 20}) {
    for (const int depth : {1, 4}) {
      INFO("cache " << cache << ", depth " << depth);
      lg::ImageBatchLoader loader(data, cache);
      loader.start({0, 1, 2, 3, 4, 5}, 2, t, 5, 2, depth);
      // Batch 0 (rows 0, 1) was prepared before the failure and still comes out first.
      const lg::ImageBatch* first = loader.next();
      REQUIRE(first != nullptr);
      CHECK(first->rows == std::vector<lg::Index>{0, 1});
      CHECK(first->pixels == expected(images, {0, 1}, 2, t, 5)[0].pixels);
      CHECK_THROWS_WITH(loader.next(), Catch::Contains("img3.png"));
      CHECK(loader.next() == nullptr);  // the pass is over
      // The loader is still usable.
      CHECK(pass(loader, {5, 4}, 2, t, 5) == expected(images, {5, 4}, 2, t, 5));
    }
  }
}

TEST_CASE("image batches: stopping or restarting in the middle of a pass", "[data]") {
  const lg::ImageDataset data = in_memory(patterns(40));
  const lg::ImageTransform t = augmenting();
  std::vector<lg::Index> all(40);
  for (lg::Index i = 0; i < 40; ++i) all[static_cast<std::size_t>(i)] = 39 - i;

  SECTION("destroyed after one batch (the worker is blocked on a full queue): no hang") {
    for (const int depth : {1, 3}) {
      lg::ImageBatchLoader loader(data, 0);
      loader.start(all, 1, t, 1, 1, depth);
      REQUIRE(loader.next() != nullptr);
    }
    lg::ImageBatchLoader never_started(data, 0);
    CHECK(never_started.next() == nullptr);
    lg::ImageBatchLoader never_read(data, 0);
    never_read.start(all, 2, t, 1);
  }
  SECTION("start() again after a partial pass gives the new pass only, from its first batch") {
    lg::ImageBatchLoader loader(data, 0);
    loader.start(all, 3, t, 1, 2, 2);
    REQUIRE(loader.next() != nullptr);
    REQUIRE(loader.next() != nullptr);
    const std::vector<lg::Index> rows = {1, 2, 3, 4, 5};
    CHECK(pass(loader, rows, 2, t, 2, 2, 2) == expected(data.images, rows, 2, t, 2));
    CHECK(loader.stats().batches == 3);
    // A start() right after another one, before any next().
    loader.start(all, 5, t, 3);
    CHECK(pass(loader, rows, 5, t, 4) == expected(data.images, rows, 5, t, 4));
  }
}

TEST_CASE("image batches: a pass started at batch k gives the whole pass's batches from k on", "[data]") {
  // A training resumed in the middle of an epoch starts the loader at its next batch.
  const std::vector<lg::Image> images = patterns(11);
  const lg::ImageDataset data = in_memory(images);
  const lg::ImageTransform t = augmenting();
  const std::vector<lg::Index> rows = {10, 3, 5, 7, 0, 1, 9, 2, 8, 4, 6};
  const std::vector<Batch> whole = expected(images, rows, 3, t, 77);
  REQUIRE(whole.size() == 4);
  lg::ImageBatchLoader loader(data, 0);
  for (lg::Index k = 0; k <= 4; ++k) {
    INFO("first batch " << k);
    loader.start(std::vector<lg::Index>(rows.begin() + std::min<std::ptrdiff_t>(3 * k, 11), rows.end()),
                 3, t, 77, 1, 2, k);
    const std::vector<Batch> got = drain(loader);
    CHECK(got == std::vector<Batch>(whole.begin() + k, whole.end()));
  }
  // Without the offset the same rows draw batch 0's seeds: other crops and flips.
  loader.start(std::vector<lg::Index>(rows.begin() + 3, rows.end()), 3, t, 77);
  CHECK(drain(loader).front().pixels != whole[1].pixels);
  CHECK_THROWS_WITH(loader.start({0}, 1, t, 1, 1, 2, -1), Catch::Contains("first batch = -1"));
}

TEST_CASE("image batches: bad arguments are refused before anything starts", "[data]") {
  const lg::ImageDataset data = in_memory(patterns(3));
  lg::ImageBatchLoader loader(data, 0);
  const lg::ImageTransform t = augmenting();
  CHECK_THROWS_WITH(loader.start({0, 3}, 2, t, 1), Catch::Contains("row 3 (entry 1 of the pass) is outside the 3 rows"));
  CHECK_THROWS_WITH(loader.start({0, -1}, 2, t, 1), Catch::Contains("row -1"));
  CHECK_THROWS_WITH(loader.start({0}, 0, t, 1), Catch::Contains("batch size = 0"));
  CHECK_THROWS_WITH(loader.start({0}, 1, t, 1, 1, 0), Catch::Contains("prefetch depth = 0"));
  lg::ImageTransform bad = t;
  bad.resize = 4;
  CHECK_THROWS_WITH(loader.start({0}, 1, bad, 1), Catch::Contains("resize = 4"));

  lg::ImageDataset mismatched = data;
  mismatched.images.pop_back();
  CHECK_THROWS_WITH(lg::ImageBatchLoader(mismatched, 0), Catch::Contains("3 rows of labels but 2 images in memory"));
  lg::ImageDataset no_pixels;
  no_pixels.name = "empty";
  no_pixels.labels = lg::LabelMatrix::Zero(2, 1);
  CHECK_THROWS_WITH(lg::ImageBatchLoader(no_pixels, 0), Catch::Contains("2 rows of labels but 0 image files"));
}
