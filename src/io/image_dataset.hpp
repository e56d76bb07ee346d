#pragma once
// Multi-label image data: a list of images (files on disk, or pixels in memory for generated
// sets) with a 0/1 label matrix. The CNN models (src/nets) read it; the readers below build it.
//
// Pixels are 8-bit RGB, row-major, interleaved (HWC): pixel (y, x) channel c at
// pixels[(y * width + x) * 3 + c]. Grey and RGBA files are converted to RGB on decoding.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/dataset.hpp"
#include "core/layout.hpp"

namespace lg {

struct Image {
  int width = 0;                  ///< pixels per row
  int height = 0;                 ///< rows
  std::vector<std::uint8_t> pixels;  ///< height * width * 3 bytes, RGB interleaved
};

struct ImageDataset {
  std::string name;                          ///< data set name
  std::vector<std::filesystem::path> files;  ///< one image file per row (empty for in-memory sets)
  std::vector<Image> images;                 ///< one decoded image per row (in-memory sets only)
  LabelMatrix labels;                        ///< N x L, 0 / 1
  /// N x L, 1 where the label is present only through objects marked "difficult" (VOC). The
  /// ML-GCN reference trains on those as positives and leaves them out of evaluation. Empty
  /// (0 x 0) when the source has no such notion.
  LabelMatrix difficult;
  std::vector<std::string> label_names;      ///< L names, in the source's documented order
  std::vector<std::string> notes;            ///< what the reader did that a user should know

  Index rows() const { return labels.rows(); }
  Index num_labels() const { return labels.cols(); }
};

/// The rows of `images` as a Dataset for the runner and the models: labels, label names,
/// notes and source files copied, no features (N x 0), image_rows 0..N-1 sharing `images`.
Dataset as_dataset(std::shared_ptr<const ImageDataset> images);

/// Decode a JPEG (libjpeg-turbo) or PNG / BMP / GIF / TGA / HDR / PNM (stb_image)
/// file into RGB. Throws lg::Error naming the file and the decoder's reason for a missing,
/// unreadable, truncated or corrupt image (corrupt JPEG data is an error, not grey pixels).
Image decode_image(const std::filesystem::path& path);

/// Write `image` as a PNG (stb_image_write), through a temporary file renamed into place.
void write_png(const Image& image, const std::filesystem::path& path);

}  // namespace lg
