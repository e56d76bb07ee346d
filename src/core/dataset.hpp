#pragma once
// A multi-label data set: features (dense or sparse), the 0/1 label matrix, names.
// See core/layout.hpp for the layout convention.
#include <memory>
#include <string>
#include <vector>

#include "core/layout.hpp"

namespace lg {

struct ImageDataset;  // io/image_dataset.hpp

struct Dataset {
  std::string name;                        ///< relation / data set name
  bool sparse = false;                     ///< which of the two feature members is in use
  DenseFeatures dense;                     ///< N x D when !sparse
  SparseFeatures csr;                      ///< N x D when sparse
  LabelMatrix labels;                      ///< N x L, values 0 / 1
  std::vector<std::string> feature_names;  ///< D names (one-hot columns are "attr=value")
  std::vector<std::string> label_names;    ///< L names
  std::vector<std::string> notes;          ///< what the reader did that a user should know
  std::vector<std::string> sources;        ///< files the rows came from, in order
  /// Image data sets: the images behind the rows, shared (select_rows never copies pixels);
  /// null for feature data. Row i shows image image_rows[i] of *images. The features of an
  /// image set are empty (N x 0) until a trained network computes some.
  std::shared_ptr<const ImageDataset> images;
  std::vector<Index> image_rows;           ///< N entries when images is set

  Dataset() = default;
  Dataset(const Dataset&) = default;
  Dataset& operator=(const Dataset&) = default;
  // Eigen 3.4's SparseMatrix has no move operations: swap the CSR instead of deep-copying it.
  Dataset(Dataset&& other) noexcept;
  Dataset& operator=(Dataset&& other) noexcept;

  Index rows() const { return labels.rows(); }
  Index num_features() const { return static_cast<Index>(feature_names.size()); }
  Index num_labels() const { return labels.cols(); }
  bool has_images() const { return images != nullptr; }

  /// Throws lg::Error if the members disagree in size (names vs matrices).
  void check_consistent() const;
};

/// Stack data sets with the same features and labels (e.g. train + test) row-wise.
/// Dense and sparse parts may be mixed; the result is sparse if any part is. Image parts must
/// share one ImageDataset.
/// Throws lg::Error naming the first part whose schema differs.
Dataset concat_rows(const std::vector<Dataset>& parts);

/// Row subset, in the given order (image rows follow).
Dataset select_rows(const Dataset& data, const std::vector<Index>& rows);

}  // namespace lg
