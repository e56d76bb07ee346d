#pragma once
// Label embeddings (e.g. the GloVe vectors ML-GCN feeds its GCN, reference doc §4) from a text
// file, one row per label in the order of a given label set.
//
// Format: lines `name v1 ... vd`, fields separated by spaces or tabs.
//   * '#' comment lines (first non-blank character) and blank lines are skipped; CRLF and a
//     UTF-8 byte-order mark are tolerated.
//   * Every row has the first row's number of values d >= 1. Values are finite numbers.
//   * Names: a file name matches a label exactly first; otherwise a file name whose spaces were
//     written as '_' matches the label with spaces ("traffic_light" <-> "traffic light").
//   * Rows for names outside the label set are ignored and counted (a full GloVe vocabulary
//     works as input). Their value count is checked but their values are not parsed, and
//     duplicates among them are not errors: neither affects the result.
// Errors (lg::Error, naming the file and the 1-based line): a row with another number of values
// than the first, a value that is not a finite number, two rows for the same label (naming the
// first one's line), and, after reading, every label the file lacks (the first few by name and
// the count): a missing label is never a silent zero row.
#include <filesystem>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "core/layout.hpp"

namespace lg {

/// What reading an embeddings file did beyond the matrix, for a report.
struct EmbeddingsNotes {
  Index rows_read = 0;              ///< data rows in the file (comments and blanks excluded)
  Index ignored_rows = 0;           ///< rows for names outside the label set
  Index matched_by_underscore = 0;  ///< labels found as their name with spaces written as '_'
  Index dims = 0;                   ///< values per row (d)
  std::vector<std::string> notes;   ///< sentences for a report (one fact each)
};

/// Read an L x d matrix, row l the vector of `label_names[l]`. Throws lg::Error on bad input,
/// an empty label set, duplicate label names, or labels missing from the file.
Eigen::MatrixXf read_label_embeddings(const std::filesystem::path& path,
                                      const std::vector<std::string>& label_names,
                                      EmbeddingsNotes* notes = nullptr);

}  // namespace lg
