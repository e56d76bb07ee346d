#include "io/read_dataset.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "core/error.hpp"
#include "io/arff_reader.hpp"
#include "io/catalog.hpp"
#include "io/csv_reader.hpp"
#include "io/libsvm_reader.hpp"

namespace lg {
namespace fs = std::filesystem;

Dataset read_dataset(const fs::path& path, const ReadOptions& options) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  if (ext == ".arff") return read_arff(path, options);
  if (ext == ".csv") return read_csv(path, options);
  if (ext == ".svm" || ext == ".libsvm" || ext == ".txt" || ext == ".xc" || ext == ".svmlight")
    return read_libsvm(path, options);
  throw Error(path.string(), 0,
              fmt::format("unknown data format '{}': expected .arff, .csv or a LIBSVM file "
                          "(.svm, .libsvm, .svmlight, .xc, .txt)",
                          ext));
}

void impute_missing(std::vector<Dataset>& parts) {
  if (parts.empty()) return;
  const Dataset& train = parts.front();
  const Index d = train.num_features();
  std::vector<double> sum(d, 0.0);
  std::vector<Index> count(d, 0);
  bool any_missing = false;
  auto accumulate = [&](Index col, float v) {
    if (std::isnan(v)) { any_missing = true; return; }
    sum[col] += v;
    ++count[col];
  };
  if (train.sparse) {
    // Implicit zeros are present values: count every row, then add the stored entries.
    std::fill(count.begin(), count.end(), train.rows());
    for (Index r = 0; r < train.csr.outerSize(); ++r)
      for (SparseFeatures::InnerIterator it(train.csr, r); it; ++it) {
        if (std::isnan(it.value())) { any_missing = true; --count[it.col()]; }
        else sum[it.col()] += it.value();
      }
  } else {
    for (Index r = 0; r < train.dense.rows(); ++r)
      for (Index c = 0; c < d; ++c) accumulate(c, train.dense(r, c));
  }
  for (const Dataset& p : parts) {
    if (p.sparse) {
      for (Index k = 0; k < p.csr.nonZeros(); ++k) any_missing |= std::isnan(p.csr.valuePtr()[k]);
    } else {
      any_missing |= p.dense.hasNaN();
    }
  }
  if (!any_missing) return;
  std::vector<float> mean(d, 0.0f);
  for (Index c = 0; c < d; ++c) mean[c] = count[c] ? static_cast<float>(sum[c] / count[c]) : NAN;
  const std::string from = train.sources.empty() ? train.name : train.sources.front();
  auto fill = [&](float& v, Index col) {
    if (!std::isnan(v)) return;
    if (std::isnan(mean[col]))
      throw Error(from, 0, fmt::format("cannot impute feature '{}': every value is missing in "
                                       "the training file", train.feature_names[col]));
    v = mean[col];
  };
  for (Dataset& p : parts) {
    if (p.sparse) {
      for (Index r = 0; r < p.csr.outerSize(); ++r)
        for (SparseFeatures::InnerIterator it(p.csr, r); it; ++it) fill(it.valueRef(), it.col());
    } else {
      for (Index r = 0; r < p.dense.rows(); ++r)
        for (Index c = 0; c < d; ++c) fill(p.dense(r, c), c);
    }
    p.notes.push_back(fmt::format("missing values imputed with the feature means of {}", from));
  }
}

namespace {

/// LIBSVM files without a header take their widths from their own largest feature index and
/// label, so a test file often comes out narrower than its training file. Give every part the
/// widest shape when the narrower names are a prefix of the wider ones (same numbering).
void widen_to_common_shape(std::vector<Dataset>& parts) {
  const auto widest = [&](auto member) {
    const Dataset* best = &parts.front();
    for (const Dataset& p : parts)
      if ((p.*member).size() > (best->*member).size()) best = &p;
    return (best->*member);
  };
  const std::vector<std::string> features = widest(&Dataset::feature_names);
  const std::vector<std::string> labels = widest(&Dataset::label_names);
  const auto is_prefix = [](const std::vector<std::string>& a, const std::vector<std::string>& b) {
    return a.size() <= b.size() && std::equal(a.begin(), a.end(), b.begin());
  };
  for (Dataset& p : parts) {
    if (!p.sparse || !is_prefix(p.feature_names, features) || !is_prefix(p.label_names, labels)) continue;
    const Index d = static_cast<Index>(features.size());
    const Index l = static_cast<Index>(labels.size());
    if (p.csr.cols() < d) p.csr.conservativeResize(p.csr.rows(), d);
    if (p.labels.cols() < l) {
      LabelMatrix wider = LabelMatrix::Zero(p.labels.rows(), l);
      wider.leftCols(p.labels.cols()) = p.labels;
      p.labels.swap(wider);
    }
    p.feature_names = features;
    p.label_names = labels;
  }
}

bool is_libsvm(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext != ".arff" && ext != ".csv";
}

}  // namespace

Dataset read_datasets(const std::vector<fs::path>& paths, const ReadOptions& options,
                      std::vector<Index>* part_rows) {
  if (paths.empty()) throw Error("no data files given");
  std::vector<Dataset> parts;
  parts.reserve(paths.size());
  for (const fs::path& p : paths) parts.push_back(read_dataset(p, options));
  if (std::all_of(paths.begin(), paths.end(), is_libsvm)) widen_to_common_shape(parts);
  if (options.missing == MissingPolicy::ImputeMean) impute_missing(parts);
  if (part_rows) {
    part_rows->clear();
    for (const Dataset& p : parts) part_rows->push_back(p.rows());
  }
  if (parts.size() == 1) return std::move(parts.front());
  return concat_rows(parts);
}

Dataset load_inputs(const std::vector<std::string>& inputs, const ReadOptions& options,
                    std::vector<Index>* part_rows) {
  // An input is a file, or else the name of a known data set: its train + test (or full) files
  // under data_dir(), read with its label declaration unless the caller declared labels.
  const bool caller_declares = !options.labels.xml.empty() || options.labels.count.has_value();
  ReadOptions resolved = options;
  std::string declared_by;  // the data set whose declaration `resolved` carries
  std::vector<fs::path> paths;
  for (const std::string& input : inputs) {
    std::error_code ec;
    if (fs::exists(input, ec) && !fs::is_directory(input, ec)) {
      paths.emplace_back(input);
      continue;
    }
    const std::optional<Descriptor> d = find_descriptor(input);
    if (!d)
      throw Error(fmt::format("'{}' is neither a file nor a known data set (see `labelgraph data "
                              "list`)", input));
    const std::vector<const CatalogFile*> files = d->data_files();
    if (files.empty())
      throw Error(d->origin.string(), 0,
                  fmt::format("'{}' is a {} (no instances to read); its files are under {}",
                              d->name, to_string(d->format), data_dir().string()));
    const fs::path root = data_dir();
    auto require = [&](const fs::path& p) {
      if (!fs::exists(p))
        throw Error(p.string(), 0,
                    fmt::format("file of data set '{}' not found; download it with `labelgraph "
                                "data fetch {} --to {}` or point LABELGRAPH_DATA at it",
                                d->name, d->name, root.string()));
    };
    for (const CatalogFile* f : files) {
      require(root / f->path);
      paths.push_back(root / f->path);
    }
    if (caller_declares) continue;
    LabelDeclaration decl;
    if (!d->label_xml.empty()) {
      decl.xml = root / d->label_xml;
      require(decl.xml);
    } else {
      decl.count = d->label_count;
    }
    if (declared_by.empty()) {
      resolved.labels.xml = decl.xml;
      resolved.labels.count = decl.count;
      declared_by = d->name;
    } else if (decl.xml != resolved.labels.xml || decl.count != resolved.labels.count) {
      throw Error(fmt::format("data sets '{}' and '{}' declare their labels differently; read them "
                              "separately, or declare the labels with --xml / --labels",
                              declared_by, d->name));
    }
  }
  return read_datasets(paths, resolved, part_rows);
}

}  // namespace lg
