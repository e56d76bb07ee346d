#include "data/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_map>
#include <utility>

namespace lg {
namespace {

/// A label row packed to one bit per label: the key of its label set.
std::string pack_row(const std::uint8_t* row, Index num_labels) {
  std::string key(static_cast<std::size_t>((num_labels + 7) / 8), '\0');
  for (Index l = 0; l < num_labels; ++l)
    if (row[l]) key[static_cast<std::size_t>(l / 8)] |= static_cast<char>(1u << (l % 8));
  return key;
}

bool has_label(const std::string& key, Index l) {
  return (static_cast<unsigned char>(key[static_cast<std::size_t>(l / 8)]) >> (l % 8)) & 1u;
}

/// SCUMBLE of one label set: 1 - geometric mean / arithmetic mean of its labels' IRLbl.
/// Logs keep the product finite for rows with many labels.
double scumble_of(const std::string& key, const std::vector<LabelStats>& per_label) {
  double sum = 0.0, log_sum = 0.0;
  Index k = 0;
  for (Index l = 0; l < static_cast<Index>(per_label.size()); ++l) {
    if (!has_label(key, l)) continue;
    sum += per_label[l].irlbl;
    log_sum += std::log(per_label[l].irlbl);
    ++k;
  }
  if (k == 0) return 0.0;
  return 1.0 - std::exp(log_sum / k) / (sum / k);
}

/// MeanIR, MaxIR, CVIR and the minority flags, over labels that occur.
void imbalance_figures(DatasetStats& s) {
  std::vector<double> ir;
  for (const LabelStats& l : s.per_label)
    if (l.count > 0) ir.push_back(l.irlbl);
  if (ir.empty()) return;
  double sum = 0.0;
  for (double v : ir) sum += v;
  s.meanir = sum / static_cast<double>(ir.size());
  s.maxir = *std::max_element(ir.begin(), ir.end());
  if (ir.size() > 1) {
    double ss = 0.0;
    for (double v : ir) ss += (v - s.meanir) * (v - s.meanir);
    s.cvir = std::sqrt(ss / static_cast<double>(ir.size() - 1)) / s.meanir;
  }
  for (LabelStats& l : s.per_label) l.minority = l.irlbl > s.meanir;
}

}  // namespace

DatasetStats compute_stats(const LabelMatrix& labels, Index num_features,
                           const std::vector<std::string>& label_names) {
  DatasetStats s;
  const Index n = labels.rows();
  const Index num_labels = labels.cols();
  s.instances = n;
  s.features = num_features;
  s.labels = num_labels;
  s.per_label.resize(static_cast<std::size_t>(num_labels));

  // The one pass: label counts, label-set sizes, distinct label sets with multiplicity.
  // Label sets are kept in first-seen order so the SCUMBLE sum has a fixed order.
  std::unordered_map<std::string, std::size_t> seen;
  std::vector<std::pair<std::string, Index>> labelsets;
  Index total_labels = 0;
  for (Index i = 0; i < n; ++i) {
    const std::uint8_t* row = labels.data() + i * num_labels;
    Index size = 0;
    for (Index l = 0; l < num_labels; ++l)
      if (row[l]) {
        ++s.per_label[l].count;
        ++size;
      }
    total_labels += size;
    if (size == 0) ++s.empty_rows;
    std::string key = pack_row(row, num_labels);
    const auto [it, added] = seen.emplace(key, labelsets.size());
    if (added) labelsets.emplace_back(std::move(key), 0);
    ++labelsets[it->second].second;
  }
  s.distinct_labelsets = static_cast<Index>(labelsets.size());
  if (n > 0) s.cardinality = static_cast<double>(total_labels) / static_cast<double>(n);
  if (num_labels > 0) s.density = s.cardinality / static_cast<double>(num_labels);

  Index max_count = 0;
  for (const LabelStats& l : s.per_label) max_count = std::max(max_count, l.count);
  for (Index l = 0; l < num_labels; ++l) {
    LabelStats& ls = s.per_label[l];
    ls.name = l < static_cast<Index>(label_names.size()) ? label_names[l] : std::to_string(l);
    if (n > 0) ls.frequency = static_cast<double>(ls.count) / static_cast<double>(n);
    if (ls.count > 0)
      ls.irlbl = static_cast<double>(max_count) / static_cast<double>(ls.count);
    else
      ++s.empty_labels;
  }
  imbalance_figures(s);

  // SCUMBLE_i depends only on the row's label set: evaluate each set once, weight by count.
  if (n > 0) {
    double total = 0.0;
    for (const auto& [key, count] : labelsets)
      total += scumble_of(key, s.per_label) * static_cast<double>(count);
    s.scumble = total / static_cast<double>(n);
  }

  const double volume = static_cast<double>(num_features) * static_cast<double>(num_labels) *
                        static_cast<double>(s.distinct_labelsets);
  s.tcs = volume > 0.0 ? std::log(volume) : 0.0;
  return s;
}

DatasetStats compute_stats(const Dataset& data) {
  DatasetStats s = compute_stats(data.labels, data.num_features(), data.label_names);
  // Missing feature values are NaN entries (readers keep `?` so under MissingPolicy::Keep).
  if (data.sparse) {
    const SparseFeatures& m = data.csr;
    for (Index r = 0; r < m.outerSize(); ++r) {
      Index in_row = 0;
      for (SparseFeatures::InnerIterator it(m, r); it; ++it) in_row += std::isnan(it.value());
      s.missing_values += in_row;
      s.rows_with_missing += in_row > 0;
    }
  } else {
    for (Index r = 0; r < data.dense.rows(); ++r) {
      const Index in_row = data.dense.row(r).array().isNaN().count();
      s.missing_values += in_row;
      s.rows_with_missing += in_row > 0;
    }
  }
  return s;
}

}  // namespace lg
