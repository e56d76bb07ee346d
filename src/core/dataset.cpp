#include "core/dataset.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.hpp"
#include "io/image_dataset.hpp"

namespace lg {

Dataset::Dataset(Dataset&& other) noexcept { *this = std::move(other); }

Dataset& Dataset::operator=(Dataset&& other) noexcept {
  name = std::move(other.name);
  sparse = other.sparse;
  dense = std::move(other.dense);
  csr.swap(other.csr);
  labels = std::move(other.labels);
  feature_names = std::move(other.feature_names);
  label_names = std::move(other.label_names);
  notes = std::move(other.notes);
  sources = std::move(other.sources);
  images = std::move(other.images);
  image_rows = std::move(other.image_rows);
  return *this;
}

void Dataset::check_consistent() const {
  const Index n = labels.rows();
  const Index d = sparse ? csr.cols() : dense.cols();
  const Index feature_rows = sparse ? csr.rows() : dense.rows();
  if (feature_rows != n)
    throw Error(fmt::format("data set '{}': {} feature rows but {} label rows", name,
                            feature_rows, n));
  if (d != num_features())
    throw Error(fmt::format("data set '{}': {} feature columns but {} feature names", name, d,
                            feature_names.size()));
  if (labels.cols() != static_cast<Index>(label_names.size()))
    throw Error(fmt::format("data set '{}': {} label columns but {} label names", name,
                            labels.cols(), label_names.size()));
  if (!images) return;
  if (static_cast<Index>(image_rows.size()) != n)
    throw Error(fmt::format("data set '{}': {} image rows but {} label rows", name,
                            image_rows.size(), n));
  for (const Index r : image_rows)
    if (r < 0 || r >= images->rows())
      throw Error(fmt::format("data set '{}': image row {} outside the {} images", name, r,
                              images->rows()));
}

namespace {
SparseFeatures as_sparse(const Dataset& d) {
  if (d.sparse) return d.csr;
  return d.dense.sparseView().eval().cast<float>();
}
}  // namespace

Dataset concat_rows(const std::vector<Dataset>& parts) {
  if (parts.empty()) throw Error("concat_rows: no data sets to stack");
  const Dataset& first = parts.front();
  bool any_sparse = false;
  Index total = 0;
  for (const Dataset& p : parts) {
    const std::string where = p.sources.empty() ? p.name : p.sources.front();
    if (p.feature_names != first.feature_names)
      throw Error(where, 0,
                  fmt::format("expected the same {} features as '{}' to stack them, found {}",
                              first.feature_names.size(), first.sources.empty() ? first.name : first.sources.front(),
                              p.feature_names.size()));
    if (p.label_names != first.label_names)
      throw Error(where, 0,
                  fmt::format("expected the same {} labels as '{}' to stack them",
                              first.label_names.size(), first.sources.empty() ? first.name : first.sources.front()));
    if (p.images != first.images)
      throw Error(where, 0, "expected the images of the first part to stack image data sets");
    any_sparse = any_sparse || p.sparse;
    total += p.rows();
  }
  Dataset out;
  out.name = first.name;
  out.feature_names = first.feature_names;
  out.label_names = first.label_names;
  out.sparse = any_sparse;
  out.images = first.images;
  out.labels.resize(total, first.num_labels());
  const Index d = first.num_features();
  if (any_sparse) {
    std::vector<Eigen::Triplet<float, Index>> triplets;
    Index offset = 0;
    for (const Dataset& p : parts) {
      SparseFeatures s = as_sparse(p);
      for (Index r = 0; r < s.outerSize(); ++r)
        for (SparseFeatures::InnerIterator it(s, r); it; ++it)
          triplets.emplace_back(offset + r, it.col(), it.value());
      offset += p.rows();
    }
    out.csr.resize(total, d);
    out.csr.setFromTriplets(triplets.begin(), triplets.end());
  } else {
    out.dense.resize(total, d);
  }
  Index offset = 0;
  for (const Dataset& p : parts) {
    if (!any_sparse) out.dense.middleRows(offset, p.rows()) = p.dense;
    out.labels.middleRows(offset, p.rows()) = p.labels;
    for (const std::string& note : p.notes)
      if (std::find(out.notes.begin(), out.notes.end(), note) == out.notes.end())
        out.notes.push_back(note);
    out.sources.insert(out.sources.end(), p.sources.begin(), p.sources.end());
    out.image_rows.insert(out.image_rows.end(), p.image_rows.begin(), p.image_rows.end());
    offset += p.rows();
  }
  return out;
}

Dataset select_rows(const Dataset& data, const std::vector<Index>& rows) {
  Dataset out;
  out.name = data.name;
  out.sparse = data.sparse;
  out.feature_names = data.feature_names;
  out.label_names = data.label_names;
  out.notes = data.notes;
  out.sources = data.sources;
  const Index n = static_cast<Index>(rows.size());
  out.labels.resize(n, data.num_labels());
  if (data.sparse) {
    std::vector<Eigen::Triplet<float, Index>> triplets;
    for (Index i = 0; i < n; ++i)
      for (SparseFeatures::InnerIterator it(data.csr, rows[i]); it; ++it)
        triplets.emplace_back(i, it.col(), it.value());
    out.csr.resize(n, data.csr.cols());
    out.csr.setFromTriplets(triplets.begin(), triplets.end());
  } else {
    out.dense.resize(n, data.dense.cols());
    for (Index i = 0; i < n; ++i) out.dense.row(i) = data.dense.row(rows[i]);
  }
  for (Index i = 0; i < n; ++i) out.labels.row(i) = data.labels.row(rows[i]);
  out.images = data.images;
  if (data.images)
    for (Index i = 0; i < n; ++i) out.image_rows.push_back(data.image_rows[static_cast<std::size_t>(rows[i])]);
  return out;
}

}  // namespace lg
