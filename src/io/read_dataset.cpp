#include "io/read_dataset.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "core/error.hpp"
#include "io/arff_reader.hpp"
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

Dataset read_datasets(const std::vector<fs::path>& paths, const ReadOptions& options) {
  if (paths.empty()) throw Error("no data files given");
  std::vector<Dataset> parts;
  parts.reserve(paths.size());
  for (const fs::path& p : paths) parts.push_back(read_dataset(p, options));
  if (options.missing == MissingPolicy::ImputeMean) impute_missing(parts);
  if (parts.size() == 1) return std::move(parts.front());
  return concat_rows(parts);
}

Dataset load_inputs(const std::vector<std::string>& inputs, const ReadOptions& options) {
  std::vector<fs::path> paths(inputs.begin(), inputs.end());
  return read_datasets(paths, options);
}

}  // namespace lg
