#pragma once
// IDX files (the MNIST / Fashion-MNIST format, http://yann.lecun.com/exdb/mnist/): a big-endian
// header, then unsigned bytes. Images: magic 0x00000803, count, rows, cols, then count * rows
// * cols pixels (row-major, one image after the other). Labels: magic 0x00000801, count, then
// count bytes. Files may be gzip'd (as Debian's dataset-fashion-mnist ships them) or plain:
// both are read through zlib's gzread, which passes plain files through unchanged.
#include <cstdint>
#include <filesystem>
#include <vector>

#include "core/layout.hpp"

namespace lg {

struct IdxImages {
  Index count = 0;                   ///< number of images
  int rows = 0;                      ///< pixel rows per image
  int cols = 0;                      ///< pixels per row
  std::vector<std::uint8_t> pixels;  ///< count * rows * cols bytes, image i at i * rows * cols

  /// Bytes of one image.
  std::size_t image_size() const {
    return static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
  }
  /// First pixel of image i (0 <= i < count).
  const std::uint8_t* image(Index i) const {
    return pixels.data() + static_cast<std::size_t>(i) * image_size();
  }
};

/// Read an IDX image file (magic 0x00000803). Throws lg::Error naming the file for a missing or
/// unreadable file, a corrupt gzip stream, a bad magic number, zero or overflowing dimensions,
/// truncated data (bytes expected and got) or bytes after the data.
IdxImages read_idx_images(const std::filesystem::path& path);

/// Read an IDX label file (magic 0x00000801): one byte per item. Same errors as above.
std::vector<std::uint8_t> read_idx_labels(const std::filesystem::path& path);

}  // namespace lg
