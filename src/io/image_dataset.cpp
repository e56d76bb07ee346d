// The image-dataset readers declared in io/image_readers.hpp (a folder + labels.csv, VOC 2007,
// MS-COCO) and the Dataset view of an image set; decoding and PNG writing are io/image_codec.cpp.
#include "io/image_dataset.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/file_text.hpp"
#include "io/image_readers.hpp"

namespace lg {
namespace fs = std::filesystem;


Dataset as_dataset(std::shared_ptr<const ImageDataset> images) {
  if (!images) throw Error("as_dataset: no image data set");
  Dataset out;
  out.name = images->name;
  out.labels = images->labels;
  out.label_names = images->label_names;
  out.notes = images->notes;
  for (const fs::path& f : images->files) out.sources.push_back(f.string());
  out.dense.resize(images->rows(), 0);
  out.image_rows.resize(static_cast<std::size_t>(images->rows()));
  for (Index i = 0; i < images->rows(); ++i) out.image_rows[static_cast<std::size_t>(i)] = i;
  out.images = std::move(images);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Readers (io/image_readers.hpp)

namespace {

/// A text file's bytes without a UTF-8 byte-order mark (spreadsheet exports write one).
std::string read_whole_file(const fs::path& path) {
  std::string text = read_file(path);
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
  return text;
}

/// Calls `visit(line_number, line)` for every line (1-based), without the line end.
template <class Visit>
void for_each_line(const std::string& text, Visit&& visit) {
  std::size_t number = 0;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + begin, end - begin);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    visit(++number, line);
    begin = end + 1;
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_blank(std::string_view line) { return trim(line).empty(); }

/// One CSV record on one line: fields separated by commas, optionally "quoted" with "" for a
/// quote inside. Records spanning lines are not supported (file names have no newlines).
std::vector<std::string> split_csv_line(std::string_view line, const std::string& file,
                                        std::size_t number) {
  std::vector<std::string> fields(1);
  std::size_t i = 0;
  while (i < line.size()) {
    const char c = line[i];
    if (c == ',') {
      fields.emplace_back();
      ++i;
    } else if (c == '"' && trim(fields.back()).empty()) {
      fields.back().clear();
      ++i;
      for (;;) {
        if (i >= line.size())
          throw Error(file, number, "unterminated quoted field (expected a closing \")");
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            fields.back() += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        fields.back() += line[i++];
      }
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
      if (i < line.size() && line[i] != ',')
        throw Error(file, number, "unexpected text after a quoted field (expected a comma)");
    } else {
      fields.back() += c;
      ++i;
    }
  }
  return fields;
}

bool has_image_extension(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static const std::unordered_set<std::string> known = {".jpg", ".jpeg", ".png", ".bmp", ".gif",
                                                        ".tga", ".ppm", ".pgm", ".psd", ".hdr",
                                                        ".pic", ".pnm"};
  return known.count(ext) > 0;
}

/// Row-major N x L 0/1 values into a LabelMatrix.
LabelMatrix to_label_matrix(const std::vector<std::uint8_t>& values, Index rows, Index cols) {
  LabelMatrix m(rows, cols);
  if (rows * cols > 0) std::copy(values.begin(), values.end(), m.data());
  return m;
}

}  // namespace

ImageDataset read_image_folder(const fs::path& images_dir, const fs::path& labels_csv) {
  const std::string file = labels_csv.string();
  std::error_code ec;
  if (!fs::is_directory(images_dir, ec))
    throw Error(images_dir.string(), 0, "the image folder does not exist or is not a folder");
  const std::string text = read_whole_file(labels_csv);

  ImageDataset data;
  data.name = labels_csv.stem().string();
  std::vector<std::uint8_t> values;
  std::unordered_map<std::string, std::size_t> line_of_file;  // normalised name -> CSV line
  bool have_header = false;
  for_each_line(text, [&](std::size_t number, std::string_view line) {
    if (is_blank(line)) return;
    std::vector<std::string> fields = split_csv_line(line, file, number);
    if (!have_header) {
      if (fields.size() < 2)
        throw Error(file, number,
                    "expected a header `file,label_a,label_b,...` with at least one label column");
      std::unordered_map<std::string, std::size_t> seen;
      for (std::size_t j = 1; j < fields.size(); ++j) {
        const std::string name(trim(fields[j]));
        if (name.empty())
          throw Error(file, number, fmt::format("label column {} has an empty name", j + 1));
        if (!seen.emplace(name, j).second)
          throw Error(file, number,
                      fmt::format("label name '{}' appears twice (columns {} and {})", name,
                                  seen[name] + 1, j + 1));
        data.label_names.push_back(name);
      }
      have_header = true;
      return;
    }
    if (fields.size() != data.label_names.size() + 1)
      throw Error(file, number,
                  fmt::format("expected {} fields (the file name and {} labels, as in the header), "
                              "found {}",
                              data.label_names.size() + 1, data.label_names.size(),
                              fields.size()));
    const std::string name(trim(fields[0]));
    if (name.empty()) throw Error(file, number, "the file name (first field) is empty");
    const std::string key = fs::path(name).lexically_normal().generic_string();
    const auto [it, inserted] = line_of_file.emplace(key, number);
    if (!inserted)
      throw Error(file, number,
                  fmt::format("duplicate file name '{}' (first listed on line {})", name,
                              it->second));
    for (std::size_t j = 1; j < fields.size(); ++j) {
      const std::string_view v = trim(fields[j]);
      if (v != "0" && v != "1")
        throw Error(file, number,
                    fmt::format("label '{}' (field {}) is '{}': expected 0 or 1",
                                data.label_names[j - 1], j + 1, std::string(v)));
      values.push_back(v == "1" ? 1 : 0);
    }
    const fs::path image = images_dir / name;
    if (!fs::is_regular_file(image, ec))
      throw Error(file, number,
                  fmt::format("image file '{}' does not exist (looked for {})", name,
                              image.string()));
    data.files.push_back(image);
  });
  if (!have_header) throw Error(file, 0, "the CSV is empty (expected a header and image rows)");
  if (data.files.empty()) throw Error(file, 0, "the CSV has a header but no image rows");

  data.labels = to_label_matrix(values, static_cast<Index>(data.files.size()),
                                static_cast<Index>(data.label_names.size()));

  // Images the CSV does not name are fine (a folder often holds more), but say so.
  std::size_t unlisted = 0;
  std::string first_unlisted;
  for (auto walk = fs::recursive_directory_iterator(
           images_dir, fs::directory_options::skip_permission_denied, ec);
       !ec && walk != fs::recursive_directory_iterator(); walk.increment(ec)) {
    if (!walk->is_regular_file(ec) || !has_image_extension(walk->path())) continue;
    const std::string key =
        walk->path().lexically_relative(images_dir).lexically_normal().generic_string();
    if (line_of_file.count(key)) continue;
    if (unlisted++ == 0) first_unlisted = key;
  }
  if (unlisted > 0)
    data.notes.push_back(fmt::format("{} image file(s) in {} are not listed in {} and were left "
                                     "out (first: {})",
                                     unlisted, images_dir.string(), file, first_unlisted));
  return data;
}

const std::vector<std::string>& voc_classes() {
  static const std::vector<std::string> classes = {
      "aeroplane", "bicycle", "bird",   "boat",        "bottle", "bus",   "car",
      "cat",       "chair",   "cow",    "diningtable", "dog",    "horse", "motorbike",
      "person",    "pottedplant", "sheep", "sofa",     "train",  "tvmonitor"};
  return classes;
}

// Convention checked against the ML-GCN reference (github.com/megvii-research/ML-GCN, found with
// the code search): voc.py read_object_labels reads ImageSets/Main/<class>_<set>.txt for the 20
// object_categories in the order above, takes the first field as the id and the last as the
// value (so runs of spaces are fine), and keeps the ids in the order of the first (aeroplane)
// file; engine.py on_start_batch then sets target[target == 0] = 1 and target[target == -1] = 0
// for training, while the AP meter reads the untouched target_gt, where 0 ("difficult") is
// skipped. Hence labels = (value != -1) and difficult = (value == 0).
ImageDataset read_voc2007(const fs::path& root, const std::string& split) {
  if (split != "trainval" && split != "train" && split != "val" && split != "test")
    throw Error(fmt::format("VOC 2007 split '{}' is unknown: expected trainval, train, val or test",
                            split));
  std::error_code ec;
  fs::path voc;
  for (const fs::path& candidate : {root, root / "VOC2007", root / "VOCdevkit" / "VOC2007"}) {
    if (fs::is_directory(candidate / "ImageSets" / "Main", ec)) {
      voc = candidate;
      break;
    }
  }
  if (voc.empty())
    throw Error(root.string(), 0,
                "expected a VOC2007 folder (holding ImageSets/Main) or a devkit root holding "
                "VOC2007/ or VOCdevkit/VOC2007/");
  const fs::path main = voc / "ImageSets" / "Main";
  const std::vector<std::string>& classes = voc_classes();
  const Index num_classes = static_cast<Index>(classes.size());

  std::vector<std::string> ids;
  std::vector<std::size_t> id_lines;                   // line of each id in the first file
  std::unordered_map<std::string, std::size_t> row_of;  // id -> row
  std::vector<std::int8_t> value;                       // N x 20, row-major, filled per class
  std::string first_file;
  for (Index c = 0; c < num_classes; ++c) {
    const fs::path path = main / (classes[c] + "_" + split + ".txt");
    const std::string file = path.string();
    if (!fs::is_regular_file(path, ec))
      throw Error(file, 0,
                  fmt::format("class file missing: the VOC 2007 '{}' labels need all 20 "
                              "<class>_{}.txt files",
                              split, split));
    const std::string text = read_whole_file(path);
    std::vector<char> seen(ids.size(), 0);
    std::size_t seen_count = 0;
    for_each_line(text, [&](std::size_t number, std::string_view line) {
      if (is_blank(line)) return;
      std::istringstream tokens{std::string(line)};
      std::string id, v, extra;
      tokens >> id >> v;
      if (v.empty() || (tokens >> extra))
        throw Error(file, number, "expected `<image id> <1|-1|0>`");
      if (v != "1" && v != "-1" && v != "0")
        throw Error(file, number,
                    fmt::format("value '{}' for image '{}': expected 1 (present), -1 (absent) "
                                "or 0 (only difficult objects)",
                                v, id));
      const std::int8_t x = v == "1" ? 1 : v == "-1" ? -1 : 0;
      if (c == 0) {
        const auto [it, inserted] = row_of.emplace(id, ids.size());
        if (!inserted)
          throw Error(file, number,
                      fmt::format("image '{}' listed twice (first on line {})", id,
                                  id_lines[it->second]));
        ids.push_back(id);
        id_lines.push_back(number);
        value.insert(value.end(), static_cast<std::size_t>(num_classes), -1);
        value[value.size() - static_cast<std::size_t>(num_classes)] = x;
        return;
      }
      const auto it = row_of.find(id);
      if (it == row_of.end())
        throw Error(file, number,
                    fmt::format("image '{}' is not in {}: every class file of a split must list "
                                "the same images",
                                id, first_file));
      if (seen[it->second]++)
        throw Error(file, number, fmt::format("image '{}' listed twice", id));
      ++seen_count;
      value[it->second * static_cast<std::size_t>(num_classes) + static_cast<std::size_t>(c)] = x;
    });
    if (c == 0) {
      first_file = file;
      if (ids.empty()) throw Error(file, 0, "the class file lists no images");
    } else if (seen_count != ids.size()) {
      const auto missing = std::find(seen.begin(), seen.end(), 0) - seen.begin();
      throw Error(file, 0,
                  fmt::format("lists {} of the {} images of {} (missing e.g. '{}'): every class "
                              "file of a split must list the same images",
                              seen_count, ids.size(), first_file, ids[missing]));
    }
  }

  ImageDataset data;
  data.name = "voc2007-" + split;
  data.label_names = classes;
  const Index n = static_cast<Index>(ids.size());
  data.labels.resize(n, num_classes);
  data.difficult.resize(n, num_classes);
  Index difficult_count = 0;
  for (Index i = 0; i < n; ++i)
    for (Index c = 0; c < num_classes; ++c) {
      const std::int8_t x = value[static_cast<std::size_t>(i * num_classes + c)];
      data.labels(i, c) = x != -1 ? 1 : 0;
      data.difficult(i, c) = x == 0 ? 1 : 0;
      difficult_count += x == 0;
    }
  data.files.reserve(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    fs::path image = voc / "JPEGImages" / (ids[i] + ".jpg");
    if (!fs::is_regular_file(image, ec))
      throw Error(first_file, id_lines[i],
                  fmt::format("image '{}' has no file {}", ids[i], image.string()));
    data.files.push_back(std::move(image));
  }
  data.notes.push_back(fmt::format(
      "{} label(s) present only through 'difficult' objects (value 0) are counted as positive, "
      "as the ML-GCN reference trains; they are marked in `difficult` for evaluation to skip",
      difficult_count));
  data.notes.push_back("labels come from ImageSets/Main/<class>_" + split +
                       ".txt; Annotations/*.xml were not read");
  return data;
}

namespace {

// Drops the polygon and RLE "segmentation" values while parsing: they are most of an instances
// file (train2014: ~330 MB) and the labels need none of them.
bool skip_segmentation(int /*depth*/, nlohmann::json::parse_event_t event,
                       nlohmann::json& parsed) {
  return !(event == nlohmann::json::parse_event_t::key && parsed == "segmentation");
}

const nlohmann::json& array_field(const nlohmann::json& root, const char* key,
                                  const std::string& file) {
  const auto it = root.find(key);
  if (it == root.end() || !it->is_array())
    throw Error(file, 0, fmt::format("expected an array \"{}\" in the top-level object", key));
  return *it;
}

std::int64_t integer_field(const nlohmann::json& item, const char* key, const std::string& file,
                           const char* array, std::size_t index) {
  const auto it = item.is_object() ? item.find(key) : item.end();
  if (it == item.end() || !it->is_number_integer())
    throw Error(file, 0, fmt::format("{}[{}]: expected an integer \"{}\"", array, index, key));
  return it->get<std::int64_t>();
}

std::string string_field(const nlohmann::json& item, const char* key, const std::string& file,
                         const char* array, std::size_t index) {
  const auto it = item.is_object() ? item.find(key) : item.end();
  if (it == item.end() || !it->is_string())
    throw Error(file, 0, fmt::format("{}[{}]: expected a string \"{}\"", array, index, key));
  return it->get<std::string>();
}

}  // namespace

// Convention checked against the ML-GCN reference (github.com/megvii-research/ML-GCN coco.py,
// download_coco2014): cat2idx = categoty_to_idx(sorted(category_id.values())), i.e. labels are
// the category names sorted alphabetically (not the COCO ids), which is also the order of
// ../shared/datasets/mlgcn-adj/coco_labels.txt; every annotation (crowd ones included) adds its
// category to its image; images without annotations are skipped there (`continue`).
ImageDataset read_coco(const fs::path& instances_json, const fs::path& images_dir,
                       const CocoOptions& options) {
  const std::string file = instances_json.string();
  std::error_code ec;
  if (!fs::is_directory(images_dir, ec))
    throw Error(images_dir.string(), 0, "the image folder does not exist or is not a folder");
  nlohmann::json root;
  {
    const std::string text = read_whole_file(instances_json);
    try {
      root = nlohmann::json::parse(text, &skip_segmentation);
    } catch (const nlohmann::json::parse_error& e) {
      const std::size_t byte = std::min<std::size_t>(e.byte, text.size());
      const std::size_t line =
          1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + byte, '\n'));
      throw Error(file, line, fmt::format("malformed JSON at byte {}: {}", e.byte, e.what()));
    }
  }
  if (!root.is_object()) throw Error(file, 0, "expected a JSON object (a COCO instances file)");
  const nlohmann::json& images = array_field(root, "images", file);
  const nlohmann::json& annotations = array_field(root, "annotations", file);
  const nlohmann::json& categories = array_field(root, "categories", file);

  // Categories: sorted by name, as the reference does.
  std::vector<std::pair<std::string, std::int64_t>> by_name;  // (name, id)
  std::unordered_map<std::int64_t, std::size_t> category_index;
  for (std::size_t k = 0; k < categories.size(); ++k) {
    const std::int64_t id = integer_field(categories[k], "id", file, "categories", k);
    std::string name = string_field(categories[k], "name", file, "categories", k);
    if (!category_index.emplace(id, k).second)
      throw Error(file, 0, fmt::format("categories[{}]: category id {} appears twice", k, id));
    by_name.emplace_back(std::move(name), id);
  }
  if (by_name.empty()) throw Error(file, 0, "\"categories\" is empty");
  std::sort(by_name.begin(), by_name.end());
  for (std::size_t j = 0; j < by_name.size(); ++j) {
    if (j > 0 && by_name[j].first == by_name[j - 1].first)
      throw Error(file, 0,
                  fmt::format("category name '{}' is used by ids {} and {}: the labels are named "
                              "by category, so names must be unique",
                              by_name[j].first, by_name[j - 1].second, by_name[j].second));
    category_index[by_name[j].second] = j;
  }

  std::unordered_map<std::int64_t, std::size_t> image_row;
  std::vector<std::string> file_names;
  file_names.reserve(images.size());
  for (std::size_t i = 0; i < images.size(); ++i) {
    const std::int64_t id = integer_field(images[i], "id", file, "images", i);
    if (!image_row.emplace(id, i).second)
      throw Error(file, 0, fmt::format("images[{}]: image id {} appears twice", i, id));
    file_names.push_back(string_field(images[i], "file_name", file, "images", i));
  }

  const std::size_t num_labels = by_name.size();
  std::vector<std::uint8_t> values(images.size() * num_labels, 0);
  std::vector<char> annotated(images.size(), 0);
  for (std::size_t a = 0; a < annotations.size(); ++a) {
    const std::int64_t image_id = integer_field(annotations[a], "image_id", file, "annotations", a);
    const std::int64_t category_id =
        integer_field(annotations[a], "category_id", file, "annotations", a);
    const auto row = image_row.find(image_id);
    if (row == image_row.end())
      throw Error(file, 0,
                  fmt::format("annotations[{}]: image_id {} is not in \"images\"", a, image_id));
    const auto label = category_index.find(category_id);
    if (label == category_index.end())
      throw Error(file, 0,
                  fmt::format("annotations[{}]: category_id {} is not in \"categories\"", a,
                              category_id));
    values[row->second * num_labels + label->second] = 1;
    annotated[row->second] = 1;
  }

  ImageDataset data;
  data.name = instances_json.stem().string();
  for (auto& [name, id] : by_name) data.label_names.push_back(std::move(name));
  std::vector<std::uint8_t> kept;
  kept.reserve(values.size());
  std::size_t unannotated = 0;
  for (std::size_t i = 0; i < images.size(); ++i) {
    if (!annotated[i]) {
      ++unannotated;
      if (!options.keep_unannotated) continue;
    }
    fs::path image = images_dir / file_names[i];
    if (!fs::is_regular_file(image, ec))
      throw Error(file, 0,
                  fmt::format("images[{}]: file_name '{}' does not exist (looked for {})", i,
                              file_names[i], image.string()));
    data.files.push_back(std::move(image));
    kept.insert(kept.end(), values.begin() + static_cast<std::ptrdiff_t>(i * num_labels),
                values.begin() + static_cast<std::ptrdiff_t>((i + 1) * num_labels));
  }
  if (data.files.empty()) throw Error(file, 0, "no images to read");
  data.labels = to_label_matrix(kept, static_cast<Index>(data.files.size()),
                                static_cast<Index>(num_labels));
  data.notes.push_back(
      "labels are the category names sorted alphabetically, as the ML-GCN reference orders them");
  if (unannotated > 0)
    data.notes.push_back(
        options.keep_unannotated
            ? fmt::format("{} image(s) have no annotation and were kept with no labels (the "
                          "ML-GCN reference drops them)",
                          unannotated)
            : fmt::format("{} image(s) have no annotation and were dropped, as the ML-GCN "
                          "reference does",
                          unannotated));
  return data;
}

}  // namespace lg
