// IDX reader: small image and label files written here (plain and gzip'd through zlib), the
// errors for a missing file, bad magic, truncated data, trailing bytes and overflowing
// dimensions, and the real Fashion-MNIST files of Debian's dataset-fashion-mnist.
#include <catch2/catch.hpp>
#include <zlib.h>

#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "data/fashion_mosaics.hpp"
#include "helpers.hpp"
#include "io/idx_reader.hpp"

namespace {
namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using Bytes = std::vector<std::uint8_t>;

void put_u32(Bytes& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<std::uint8_t>((v >> shift) & 0xFF));
}

/// An IDX image file: magic 0x803, count, rows, cols, then `pixels` as given.
Bytes idx_images(std::uint32_t count, std::uint32_t rows, std::uint32_t cols, const Bytes& pixels) {
  Bytes b;
  put_u32(b, 0x00000803);
  put_u32(b, count);
  put_u32(b, rows);
  put_u32(b, cols);
  b.insert(b.end(), pixels.begin(), pixels.end());
  return b;
}

Bytes idx_labels(const Bytes& labels) {
  Bytes b;
  put_u32(b, 0x00000801);
  put_u32(b, static_cast<std::uint32_t>(labels.size()));
  b.insert(b.end(), labels.begin(), labels.end());
  return b;
}

fs::path write_plain(const fs::path& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
  return path;
}

fs::path write_gz(const fs::path& path, const Bytes& bytes) {
  gzFile f = gzopen(path.string().c_str(), "wb");
  REQUIRE(f != nullptr);
  const int written = gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  REQUIRE(gzclose(f) == Z_OK);
  REQUIRE(written == static_cast<int>(bytes.size()));
  return path;
}

/// Pixel p of image i in the test files: distinct values, so a mixed-up offset shows.
Bytes test_pixels(int count, int rows, int cols) {
  Bytes p;
  for (int i = 0; i < count; ++i)
    for (int k = 0; k < rows * cols; ++k) p.push_back(static_cast<std::uint8_t>(100 * i + k + 1));
  return p;
}

using lg::test::error_of;

/// A file of Debian's dataset-fashion-mnist, or skip (fail under CI=true).
std::optional<fs::path> fashion_file(const std::string& name) {
  return lg::test::package_file(lg::default_fashion_dir() / name, "dataset-fashion-mnist");
}

}  // namespace

TEST_CASE("idx: images and labels read back from plain and gzip'd files", "[io][idx]") {
  lg::test::TempDir tmp;
  const Bytes pixels = test_pixels(3, 2, 4);  // 3 images of 2 rows x 4 columns
  const Bytes file = idx_images(3, 2, 4, pixels);
  const Bytes labels{7, 0, 9};
  for (const bool gz : {false, true}) {
    INFO((gz ? "gzip'd" : "plain"));
    const fs::path images_path = gz ? write_gz(tmp / "img.idx.gz", file)
                                    : write_plain(tmp / "img.idx", file);
    const fs::path labels_path = gz ? write_gz(tmp / "lab.idx.gz", idx_labels(labels))
                                    : write_plain(tmp / "lab.idx", idx_labels(labels));
    const lg::IdxImages im = lg::read_idx_images(images_path);
    CHECK(im.count == 3);
    CHECK(im.rows == 2);
    CHECK(im.cols == 4);
    CHECK(im.image_size() == 8);
    CHECK(im.pixels == pixels);
    // Image 2, row 1, column 3: offset 2 * 8 + 1 * 4 + 3 = 23 -> value 100 * 2 + 7 + 1 = 208.
    CHECK(int{im.image(2)[1 * 4 + 3]} == 208);
    CHECK(lg::read_idx_labels(labels_path) == labels);
  }
  // A gzip'd file really is compressed (starts with the gzip magic 1f 8b), so zlib did the work.
  const std::string gz_bytes = lg::test::read_file(tmp / "img.idx.gz");
  REQUIRE(gz_bytes.size() > 2);
  CHECK(static_cast<unsigned char>(gz_bytes[0]) == 0x1f);
  CHECK(static_cast<unsigned char>(gz_bytes[1]) == 0x8b);
}

TEST_CASE("idx: an empty image file (count 0) is valid", "[io][idx]") {
  lg::test::TempDir tmp;
  const lg::IdxImages im = lg::read_idx_images(write_gz(tmp / "e.gz", idx_images(0, 28, 28, {})));
  CHECK(im.count == 0);
  CHECK(im.rows == 28);
  CHECK(im.pixels.empty());
  CHECK(lg::read_idx_labels(write_plain(tmp / "l", idx_labels({}))).empty());
}

TEST_CASE("idx: errors name the file and what was expected", "[io][idx]") {
  lg::test::TempDir tmp;
  const Bytes pixels = test_pixels(3, 2, 4);

  SECTION("missing file") {
    const std::string msg = error_of([&] { lg::read_idx_images(tmp / "absent-idx3.gz"); });
    CHECK_THAT(msg, Contains("absent-idx3.gz"));
    CHECK_THAT(msg, Contains("file not found"));
  }
  SECTION("a label file read as images, and the other way round") {
    const fs::path lab = write_gz(tmp / "lab.gz", idx_labels({1, 2}));
    const std::string msg = error_of([&] { lg::read_idx_images(lab); });
    CHECK_THAT(msg, Contains("lab.gz"));
    CHECK_THAT(msg, Contains("bad IDX magic number 0x00000801: expected 0x00000803"));
    CHECK_THAT(msg, Contains("this is a label file"));
    const fs::path img = write_plain(tmp / "img", idx_images(3, 2, 4, pixels));
    CHECK_THAT(error_of([&] { lg::read_idx_labels(img); }),
               Contains("bad IDX magic number 0x00000803: expected 0x00000801"));
  }
  SECTION("not an IDX file at all") {
    const fs::path txt = write_plain(tmp / "notes.txt", {'h', 'e', 'l', 'l', 'o', '\n'});
    const std::string msg = error_of([&] { lg::read_idx_images(txt); });
    CHECK_THAT(msg, Contains("notes.txt"));
    CHECK_THAT(msg, Contains("bad IDX magic number 0x68656c6c"));  // "hell"
  }
  SECTION("truncated data, plain and gzip'd: bytes expected and got") {
    Bytes file = idx_images(3, 2, 4, pixels);
    file.resize(file.size() - 4);  // 20 of the 24 data bytes
    for (const fs::path& p : {write_plain(tmp / "short", file), write_gz(tmp / "short.gz", file)}) {
      const std::string msg = error_of([&] { lg::read_idx_images(p); });
      CHECK_THAT(msg, Contains(p.filename().string()));
      CHECK_THAT(msg, Contains("truncated IDX data: the header says 3 x 2 x 4 = 24 bytes, the "
                               "file has 20"));
    }
    Bytes labels = idx_labels({1, 2, 3, 4, 5});
    labels.pop_back();
    CHECK_THAT(error_of([&] { lg::read_idx_labels(write_gz(tmp / "l.gz", labels)); }),
               Contains("5 labels = 5 bytes, the file has 4"));
  }
  SECTION("truncated header") {
    Bytes file = idx_images(3, 2, 4, pixels);
    file.resize(10);  // magic, count, half of the row count
    CHECK_THAT(error_of([&] { lg::read_idx_images(write_plain(tmp / "h", file)); }),
               Contains("truncated IDX header: expected 4 bytes of the row count, got 2"));
  }
  SECTION("bytes after the data") {
    Bytes file = idx_images(3, 2, 4, pixels);
    file.push_back(0);
    CHECK_THAT(error_of([&] { lg::read_idx_images(write_gz(tmp / "long.gz", file)); }),
               Contains("more bytes after the IDX data than the header's 3 x 2 x 4 = 24 bytes"));
  }
  SECTION("dimensions that overflow, or zero") {
    // 4294967295^3 bytes: no allocation is tried, the product check refuses it.
    const Bytes huge = idx_images(0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, pixels);
    const std::string msg = error_of([&] { lg::read_idx_images(write_plain(tmp / "huge", huge)); });
    CHECK_THAT(msg, Contains("huge"));
    CHECK_THAT(msg, Contains("4294967295 x 4294967295 x 4294967295 overflow"));
    // 4294967295 x 65535 x 65535 bytes (about 2^64): rows and columns fit, the product not.
    CHECK_THAT(error_of([&] {
                 lg::read_idx_images(
                     write_plain(tmp / "big", idx_images(0xFFFFFFFF, 65535, 65535, pixels)));
               }),
               Contains("4294967295 x 65535 x 65535 overflow: more than 2^40 bytes"));
    // 2^31 rows do not fit an int.
    CHECK_THAT(error_of([&] {
                 lg::read_idx_images(write_plain(tmp / "rows", idx_images(1, 0x80000000u, 1, {})));
               }),
               Contains("overflow"));
    CHECK_THAT(error_of([&] {
                 lg::read_idx_images(write_plain(tmp / "zero", idx_images(2, 0, 28, {})));
               }),
               Contains("rows and columns must be >= 1"));
  }
  SECTION("a damaged gzip stream") {
    const fs::path p = write_gz(tmp / "bad.gz", idx_images(3, 2, 4, pixels));
    std::string bytes = lg::test::read_file(p);
    REQUIRE(bytes.size() > 20);
    // The gzip trailer holds the CRC-32 of the data: change it and zlib must refuse the stream.
    bytes[bytes.size() - 8] = static_cast<char>(bytes[bytes.size() - 8] ^ 0x55);
    write_plain(p, Bytes(bytes.begin(), bytes.end()));
    const std::string msg = error_of([&] { lg::read_idx_images(p); });
    CHECK_THAT(msg, Contains("bad.gz"));
    CHECK_THAT(msg, Contains("corrupt or unreadable gzip data"));
  }
}

TEST_CASE("idx: Debian's Fashion-MNIST files", "[io][idx][fashion]") {
  const auto images = fashion_file("t10k-images-idx3-ubyte.gz");
  const auto labels = fashion_file("t10k-labels-idx1-ubyte.gz");
  const auto train_labels = fashion_file("train-labels-idx1-ubyte.gz");
  if (!images || !labels || !train_labels) return;
  const lg::IdxImages im = lg::read_idx_images(*images);
  // Xiao, Rasul and Vollgraf (2017), "Fashion-MNIST": 60000 training and 10000 test images of
  // 28 x 28 grey pixels, 10 classes, 6000 / 1000 per class.
  CHECK(im.count == 10000);
  CHECK(im.rows == 28);
  CHECK(im.cols == 28);
  CHECK(im.pixels.size() == 10000u * 784u);
  const Bytes test = lg::read_idx_labels(*labels);
  const Bytes train = lg::read_idx_labels(*train_labels);
  REQUIRE(test.size() == 10000);
  REQUIRE(train.size() == 60000);
  std::vector<int> test_count(10), train_count(10);
  for (std::uint8_t y : test) ++test_count.at(y);
  for (std::uint8_t y : train) ++train_count.at(y);
  CHECK(test_count == std::vector<int>(10, 1000));
  CHECK(train_count == std::vector<int>(10, 6000));
  // The first image of both sets is an ankle boot (class 9), as in TensorFlow's Fashion-MNIST
  // tutorial (train_labels[0] and test_labels[0] are 9).
  CHECK(int{test[0]} == 9);
  CHECK(int{train[0]} == 9);
}
