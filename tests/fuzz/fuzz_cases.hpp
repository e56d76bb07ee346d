#pragma once
// What each fuzz target does with one input, shared by the libFuzzer targets (fuzz_*.cpp) and
// the Catch2 replay of the regression inputs (tests/io/test_fuzz_regressions.cpp), so both read
// an input the same way. Each run_* writes the input to `file` (fuzz_input.hpp) and reads it
// with the toolkit's own reader; it returns false for an input the target does not take (then
// nothing was read). An lg::Error naming the file is swallowed (the expected outcome for bad
// input); anything else escapes (see read_or_named_error).
//
// Several targets vary the reader's options by the input's last byte `sel` (so the seeds stay
// plain copies of real files, most of which end in '\n').
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "experiment/config.hpp"
#include "fuzz/fuzz_input.hpp"
#include "io/arff_reader.hpp"
#include "io/csv_reader.hpp"
#include "io/embeddings_reader.hpp"
#include "io/idx_reader.hpp"
#include "io/image_dataset.hpp"
#include "io/libsvm_reader.hpp"
#include "io/mulan_xml.hpp"
#include "io/score_reader.hpp"

namespace lg::fuzz {

inline unsigned last_byte(const std::uint8_t* data, std::size_t size) {
  return size ? data[size - 1] : 0u;
}

/// ARFF (file input.arff, no XML beside it). sel % 4: 1 = first k attributes are labels,
/// 2 = last k (k = 1 + (sel >> 2) % 4), else MEKA's -C in @relation; bit 6: impute missing
/// values; bit 7: three threads on 64-byte pieces.
inline bool run_arff(const InputFile& file, const std::uint8_t* data, std::size_t size) {
  const auto& path = file.write(data, size);
  const unsigned sel = last_byte(data, size);
  ReadOptions options;
  const int k = 1 + static_cast<int>((sel >> 2) % 4);
  if (sel % 4 == 1) options.labels.count = k;
  if (sel % 4 == 2) options.labels.count = -k;
  if (sel & 0x40) options.missing = MissingPolicy::ImputeMean;
  ArffTuning tuning;
  tuning.threads = (sel & 0x80) ? 3 : 1;
  tuning.min_bytes_per_thread = 64;
  read_or_named_error(path, [&] { read_arff(path, options, tuning); });
  return true;
}

/// MULAN label XML.
inline bool run_mulan_xml(const InputFile& file, const std::uint8_t* data, std::size_t size) {
  const auto& path = file.write(data, size);
  read_or_named_error(path, [&] { read_mulan_labels(path); });
  return true;
}

/// LIBSVM / XC. sel bit 7: three threads; bit 6: chunks of 8-39 bytes (line splits at chunk
/// and thread boundaries).
inline bool run_libsvm(const InputFile& file, const std::uint8_t* data, std::size_t size) {
  const auto& path = file.write(data, size);
  const unsigned sel = last_byte(data, size);
  LibsvmTuning tuning;
  tuning.threads = (sel & 0x80) ? 3 : 1;
  tuning.min_bytes_per_thread = 16;
  tuning.chunk_bytes = (sel & 0x40) ? 8 + (sel & 0x1f) : std::size_t{1} << 16;
  read_or_named_error(path, [&] { read_libsvm(path, {}, tuning); });
  return true;
}

/// CSV data set. sel % 4: first k / last k columns are labels, the prefix "label", or the
/// columns "a" and "b"; bit 6: impute missing values.
inline bool run_csv(const InputFile& file, const std::uint8_t* data, std::size_t size) {
  const auto& path = file.write(data, size);
  const unsigned sel = last_byte(data, size);
  ReadOptions options;
  const int k = 1 + static_cast<int>((sel >> 2) % 4);
  switch (sel % 4) {
    case 0: options.labels.count = k; break;
    case 1: options.labels.count = -k; break;
    case 2: options.labels.prefix = "label"; break;
    default: options.labels.columns = {"a", "b"}; break;
  }
  if (sel & 0x40) options.missing = MissingPolicy::ImputeMean;
  read_or_named_error(path, [&] { read_csv(path, options); });
  return true;
}

/// Experiment config (TOML), and its resolved copy for the manifest.
inline bool run_config(const InputFile& file, const std::uint8_t* data, std::size_t size) {
  const auto& path = file.write(data, size);
  read_or_named_error(path, [&] { (void)to_toml(load_experiment_config(path)); });
  return true;
}

/// Score / truth matrices (.csv, .txt, .npy by the file's name): read once as scores, once as
/// truth. sel bit 7: three threads; bit 6: chunks of 8-39 bytes.
inline bool run_scores(const InputFile& file, const std::uint8_t* data, std::size_t size) {
  const auto& path = file.write(data, size);
  const unsigned sel = last_byte(data, size);
  MatrixReadTuning tuning;
  tuning.threads = (sel & 0x80) ? 3 : 1;
  tuning.min_bytes_per_thread = 16;
  tuning.chunk_bytes = (sel & 0x40) ? 8 + (sel & 0x1f) : std::size_t{1} << 16;
  read_or_named_error(path, [&] { read_score_matrix(path, tuning); });
  read_or_named_error(path, [&] { read_truth_matrix(path.string(), {}, tuning); });
  return true;
}

/// Label embeddings: the input's first line is the label set (comma-separated names, which a
/// real run takes from the data set), the rest is the file. No '\n': not an input.
inline bool run_embeddings(const InputFile& file, const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::size_t nl = text.find('\n');
  if (nl == std::string_view::npos) return false;
  std::vector<std::string> names;
  for (std::size_t begin = 0; begin <= nl;) {
    std::size_t end = text.find(',', begin);
    if (end == std::string_view::npos || end > nl) end = nl;
    std::string name(text.substr(begin, end - begin));
    // The label set is the program's, checked before any file is read: keep it valid.
    if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end())
      names.push_back(std::move(name));
    begin = end + 1;
  }
  if (names.empty()) return false;
  const auto& path = file.write(data + nl + 1, size - nl - 1);
  EmbeddingsNotes notes;
  read_or_named_error(path, [&] { read_label_embeddings(path, names, &notes); });
  return true;
}

/// IDX, plain or gzip'd: read as images and as labels (the magic number decides which one
/// succeeds).
inline bool run_idx(const InputFile& file, const std::uint8_t* data, std::size_t size) {
  const auto& path = file.write(data, size);
  read_or_named_error(path, [&] {
    const IdxImages images = read_idx_images(path);
    if (images.pixels.size() != static_cast<std::size_t>(images.count) * images.image_size())
      throw std::logic_error("read_idx_images: pixel count differs from count x rows x cols");
  });
  read_or_named_error(path, [&] { read_idx_labels(path); });
  return true;
}

inline bool starts_with(const std::uint8_t* data, std::size_t size, const char* magic, std::size_t n) {
  return size >= n && std::memcmp(data, magic, n) == 0;
}
inline bool is_png(const std::uint8_t* data, std::size_t size) {
  return starts_with(data, size, "\x89PNG\r\n\x1a\n", 8);
}
inline bool is_jpeg(const std::uint8_t* data, std::size_t size) {
  return starts_with(data, size, "\xff\xd8", 2);
}

/// An image file through lg::decode_image (stb_image picks the decoder by content).
inline bool run_image(const InputFile& file, const std::uint8_t* data, std::size_t size) {
  const auto& path = file.write(data, size);
  read_or_named_error(path, [&] {
    const Image image = decode_image(path);
    const std::size_t expected =
        static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height) * 3;
    if (image.width <= 0 || image.height <= 0 || image.pixels.size() != expected)
      throw std::logic_error("decode_image: pixel buffer does not match width x height x 3");
  });
  return true;
}
/// The image targets keep to their format by the first bytes (PNG, JPEG, everything else).
inline bool run_image_png(const InputFile& file, const std::uint8_t* data, std::size_t size) {
  return is_png(data, size) && run_image(file, data, size);
}
inline bool run_image_jpeg(const InputFile& file, const std::uint8_t* data, std::size_t size) {
  return is_jpeg(data, size) && run_image(file, data, size);
}
inline bool run_image_other(const InputFile& file, const std::uint8_t* data, std::size_t size) {
  return !is_png(data, size) && !is_jpeg(data, size) && run_image(file, data, size);
}

/// Every target: its name (tests/fuzz/fuzz_NAME.cpp, tests/fuzz/regressions/NAME/), the name
/// of the file its input is written to, and its run_* function.
struct FuzzCase {
  const char* target;
  const char* file_name;
  bool (*run)(const InputFile&, const std::uint8_t*, std::size_t);
};
inline const std::vector<FuzzCase>& fuzz_cases() {
  static const std::vector<FuzzCase> cases = {
      {"arff", "input.arff", run_arff},
      {"mulan_xml", "labels.xml", run_mulan_xml},
      {"libsvm", "input.svm", run_libsvm},
      {"csv", "input.csv", run_csv},
      {"config", "experiment.toml", run_config},
      {"score_csv", "scores.csv", run_scores},
      {"score_text", "scores.txt", run_scores},
      {"score_npy", "scores.npy", run_scores},
      {"embeddings", "embeddings.txt", run_embeddings},
      {"idx", "input-idx-ubyte.gz", run_idx},
      {"image_png", "image.png", run_image_png},
      {"image_jpeg", "image.jpg", run_image_jpeg},
      {"image_other", "image.bin", run_image_other},
  };
  return cases;
}

}  // namespace lg::fuzz
