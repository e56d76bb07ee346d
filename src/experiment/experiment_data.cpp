// Where the runner's data come from: generated or read data sets (feature files, image
// folders, VOC 2007, MS-COCO 2014), the digest cells are keyed by, and a seed's folds.
#include "experiment/experiment_data.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <memory>
#include <optional>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/random.hpp"
#include "experiment/results.hpp"
#include "io/arff_writer.hpp"
#include "io/catalog.hpp"
#include "io/image_readers.hpp"
#include "io/read_dataset.hpp"

namespace lg {
namespace fs = std::filesystem;

namespace {

/// The first input (file or known data-set name) whose files are absent, or "" if all exist.
std::string missing_input(const std::vector<std::string>& inputs) {
  for (const std::string& input : inputs) {
    if (fs::exists(input)) continue;
    const std::optional<Descriptor> d = find_descriptor(input);
    if (!d) return fmt::format("'{}' is neither a file nor a known data set", input);
    for (const CatalogFile* f : d->data_files())
      if (!fs::exists(data_dir() / f->path))
        return fmt::format("{} not found under LABELGRAPH_DATA ({})", f->path, data_dir().string());
  }
  return "";
}


/// SHA-256 of an image set's content as the runner sees it: label names, per row the file's
/// name (not its folder: the same set elsewhere keeps its keys), labels and difficult marks,
/// and the pixels of in-memory (generated) images.
std::string image_digest(const ImageDataset& images) {
  std::string text;
  for (const std::string& n : images.label_names) text += n + '\n';
  for (Index i = 0; i < images.rows(); ++i) {
    const auto r = static_cast<std::size_t>(i);
    if (r < images.files.size()) text += images.files[r].filename().string();
    text += '\n';
    for (Index l = 0; l < images.labels.cols(); ++l) text += static_cast<char>('0' + images.labels(i, l));
    if (images.difficult.size() > 0)
      for (Index l = 0; l < images.difficult.cols(); ++l) text += static_cast<char>('0' + images.difficult(i, l));
    if (r < images.images.size()) {
      const Image& im = images.images[r];
      text += fmt::format("{}x{}", im.width, im.height);
      text.append(reinterpret_cast<const char*>(im.pixels.data()), im.pixels.size());
    }
    text += '\n';
  }
  return "images:" + sha256_text(text);
}

/// `train`'s rows followed by `test`'s, as one image set (the sources' own split).
ImageDataset train_then_test(ImageDataset train, const ImageDataset& test, Index& train_rows) {
  if (train.label_names != test.label_names)
    throw Error(fmt::format("the training and test images of '{}' name different labels", train.name));
  train_rows = train.rows();
  train.files.insert(train.files.end(), test.files.begin(), test.files.end());
  const auto stack = [](const LabelMatrix& top, const LabelMatrix& bottom) {
    if (top.size() == 0 && bottom.size() == 0) return LabelMatrix();
    LabelMatrix both(top.rows() + bottom.rows(), top.cols());
    both << top, bottom;
    return both;
  };
  train.labels = stack(train.labels, test.labels);
  train.difficult = stack(train.difficult, test.difficult);
  for (const std::string& n : test.notes) train.notes.push_back("test: " + n);
  return train;
}

/// VOC 2007's trainval rows followed by its test rows.
ImageDataset read_voc2007_trainval_test(const fs::path& root, Index& train_rows) {
  ImageDataset out = train_then_test(read_voc2007(root, "trainval"), read_voc2007(root, "test"), train_rows);
  out.notes.push_back("labels present only through objects marked difficult count as positives "
                      "in training and are left out of mAP / AUC in evaluation (ML-GCN's CP..OF1 "
                      "count them as negatives), as the ML-GCN reference does");
  return out;
}

/// MS-COCO 2014 as the ML-GCN reference uses it: train2014 for training, val2014 for testing,
/// images without annotations left out (counted in the notes).
ImageDataset read_coco2014_train_val(const fs::path& root, Index& train_rows) {
  CocoOptions options;
  options.keep_unannotated = false;
  const auto part = [&](const std::string& split) {
    return read_coco(root / "annotations" / ("instances_" + split + ".json"), root / split, options);
  };
  return train_then_test(part("train2014"), part("val2014"), train_rows);
}

/// A data-set root from the config: the path, or the value of "env:VAR". Returns "" when an
/// optional set's variable is unset (`note` says so); throws when a required one's is.
std::string resolve_root(const DatasetConfig& cfg, const std::string& root, const char* what,
                         const char* expected, std::string& note) {
  if (root.rfind("env:", 0) != 0) return root;
  const std::string variable = root.substr(4);
  const char* value = std::getenv(variable.c_str());
  if (value && *value) return value;
  if (!cfg.optional)
    throw Error(fmt::format("data set '{}': set {} to the {} folder ({})", cfg.name, variable, what,
                            expected));
  note = fmt::format("skipped: the environment variable {} (the {} folder) is not set", variable, what);
  return "";
}

/// Read or generate an image data set; returns false when an optional one is absent.
bool obtain_image_dataset(const DatasetConfig& cfg, const Context& ctx, ExperimentResult& result,
                          LoadedData& loaded, std::string& note) {
  std::shared_ptr<ImageDataset> images;
  if (cfg.generator == "scenes") {
    images = std::make_shared<ImageDataset>(generate_scenes(cfg.scenes, ctx.seed, ctx.resolved_threads()));
    note = fmt::format("generated scenes (seed {}, {}x{} pixels); `labelgraph synth-images --kind "
                       "scenes --seed {} --rows {} --size {} --kinds {}` writes the same images",
                       ctx.seed, cfg.scenes.size, cfg.scenes.size, ctx.seed, cfg.scenes.rows,
                       cfg.scenes.size, cfg.scenes.kinds);
  } else if (cfg.generator == "mosaics") {
    images = std::make_shared<ImageDataset>(generate_mosaics(cfg.mosaics, ctx.seed, ctx.resolved_threads()));
    note = fmt::format("Fashion-MNIST mosaics (seed {}, {}x{} tiles from {}); `labelgraph "
                       "synth-images --kind mosaics --seed {} --rows {} --grid {}` writes the same "
                       "images", ctx.seed, cfg.mosaics.grid, cfg.mosaics.grid,
                       cfg.mosaics.source_dir.string(), ctx.seed, cfg.mosaics.rows, cfg.mosaics.grid);
  } else if (!cfg.images.empty()) {
    if (cfg.optional && !(fs::exists(cfg.images) && fs::exists(cfg.labels_csv))) {
      note = fmt::format("skipped: {} not found", fs::exists(cfg.images) ? cfg.labels_csv.string()
                                                                         : cfg.images.string());
      return false;
    }
    images = std::make_shared<ImageDataset>(read_image_folder(cfg.images, cfg.labels_csv));
    result.inputs.push_back(fmt::format("{} sha256:{}", cfg.labels_csv.string(), sha256_file(cfg.labels_csv.string())));
    note = fmt::format("{} images in {}, labels from {}", images->rows(), cfg.images.string(),
                       cfg.labels_csv.string());
  } else {
    const bool voc = !cfg.voc2007.empty();
    const std::string root =
        voc ? resolve_root(cfg, cfg.voc2007, "VOC 2007", "VOCdevkit/VOC2007", note)
            : resolve_root(cfg, cfg.coco2014, "MS-COCO 2014",
                           "annotations/instances_{train,val}2014.json, train2014/, val2014/", note);
    if (root.empty()) return false;
    if (cfg.optional && !fs::exists(root)) {
      note = fmt::format("skipped: {} not found", root);
      return false;
    }
    Index& train_rows = loaded.given_train_rows;
    images = std::make_shared<ImageDataset>(voc ? read_voc2007_trainval_test(root, train_rows)
                                                : read_coco2014_train_val(root, train_rows));
    note = fmt::format("{} from {}: {} {} + {} {} images", voc ? "VOC 2007" : "MS-COCO 2014", root,
                       train_rows, voc ? "trainval" : "train2014", images->rows() - train_rows,
                       voc ? "test" : "val2014");
  }
  images->name = cfg.name;
  loaded.digest = image_digest(*images);
  loaded.data = as_dataset(std::move(images));
  return true;
}

}  // namespace

bool obtain_dataset(const DatasetConfig& cfg, const Context& ctx, ExperimentResult& result,
                    LoadedData& loaded, std::string& note, bool write_generated) {
  if (cfg.is_image_set()) return obtain_image_dataset(cfg, ctx, result, loaded, note);
  if (cfg.generator == "synthetic") {
    loaded.data = make_synthetic(cfg.synthetic, ctx.seed);
    loaded.data.name = cfg.name;
    loaded.digest = "generated";
    // The points of a swept split share their data: one file under the name as written.
    const fs::path file = fs::path("data") / (file_stem(cfg.sweep_of.empty() ? cfg.name : cfg.sweep_of) + ".arff");
    if (write_generated && ctx.processes.rank == 0) {  // one process of several writes
      create_output_folder(result.output_dir / "data");
      write_arff(loaded.data, result.output_dir / file);
      result.outputs.push_back(file.string());
    }
    note = fmt::format("generated (seed {}), written to {}", ctx.seed, file.string());
    return true;
  }
  std::vector<std::string> inputs;
  for (const fs::path& f : cfg.files) inputs.push_back(f.string());
  if (inputs.empty()) inputs.push_back(cfg.name);  // a known data set's name
  if (cfg.optional) {
    const std::string missing = missing_input(inputs);
    if (!missing.empty()) {
      note = "skipped: " + missing;
      return false;
    }
  }
  std::vector<Index> part_rows;
  loaded.data = load_inputs(inputs, cfg.read, &part_rows);
  if (part_rows.size() >= 2) loaded.given_train_rows = part_rows.front();
  for (const std::string& src : loaded.data.sources) {
    const std::string sum = sha256_file(src);
    result.inputs.push_back(fmt::format("{} sha256:{}", src, sum));
    loaded.digest += (loaded.digest.empty() ? "files:" : ",") + sum;
  }
  // Which attributes are labels (a MULAN XML found beside the file, label_count, a prefix)
  // changes the data without changing its files: the names go into the digest too.
  std::string names;
  for (const std::string& n : loaded.data.label_names) names += n + '\n';
  names += "--\n";
  for (const std::string& n : loaded.data.feature_names) names += n + '\n';
  loaded.digest += ",names:" + sha256_text(names).substr(0, 16);
  note = fmt::format("read from {}", fmt::join(loaded.data.sources, " + "));
  return true;
}

std::vector<Fold> make_folds(const DatasetConfig& cfg, const SplitSpec& spec,
                             const LoadedData& loaded, std::uint64_t seed,
                             const std::string& file) {
  std::vector<Fold> folds;
  if (spec.method == "given") {
    if (loaded.given_train_rows == 0)
      throw Error(file, cfg.line,
                  fmt::format("data set '{}' has no train/test files of its own, so split method "
                              "\"given\" cannot apply: set [split] method (or [datasets.split]) "
                              "to holdout, kfold or iterative",
                              cfg.name));
    Fold f;
    for (Index i = 0; i < loaded.data.rows(); ++i)
      (i < loaded.given_train_rows ? f.train : f.test).push_back(i);
    folds = {f};
  } else {
    folds = folds_from_assignment(assign_folds(loaded.data.labels, spec, seed), fold_count(spec));
  }
  // train_fraction: a nested random subset of each fold's training rows (a stream of its own,
  // so the folds themselves do not depend on it).
  if (spec.train_fraction < 1.0)
    for (std::size_t f = 0; f < folds.size(); ++f)
      folds[f].train = subsample_rows(folds[f].train, spec.train_fraction,
                                      derive_seed(seed, 0x7472616e0000ull + f));
  return folds;
}

}  // namespace lg
