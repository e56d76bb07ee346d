#pragma once
// LIBSVM / extreme-classification reader: `l1,l2 f:v f:v ...` per line, optional `N F L` header.
//
// * With a first line `N F L` (the extreme-classification repository variant) feature indices
//   and labels are 0-based, D = F and L = L; the reader checks rows == N, index < F, label < L.
// * Without it, scikit-learn's load_svmlight_file(multilabel=True, zero_based="auto") rules:
//   feature indices are one-based unless an index 0 appears (a Dataset note says which);
//   D = largest index (+1 when zero-based); labels are integers as written, L = max label + 1,
//   label names are the numbers.
// * Rows without labels start with whitespace or directly with `f:v`. `#` comments run to the
//   end of the line; blank lines are skipped; `qid:n` tokens are ignored (as scikit-learn does).
// * Feature indices may be unsorted within a row (scikit-learn refuses this; we sort);
//   a repeated index is an error.
#include <cstddef>
#include <filesystem>

#include "core/dataset.hpp"
#include "io/read_options.hpp"

namespace lg {

/// How the reader streams the file; the defaults suit any file. Tests shrink the chunks to
/// exercise line splits at chunk and thread boundaries.
struct LibsvmTuning {
  std::size_t chunk_bytes = std::size_t{16} << 20;   ///< bytes read at a time (grows for longer lines)
  unsigned threads = 0;                              ///< parser threads per chunk; 0 = all cores
  std::size_t min_bytes_per_thread = std::size_t{1} << 20;  ///< smaller chunks use fewer threads
};

/// Read a LIBSVM multi-label file into sparse CSR features. Throws lg::Error naming file and line.
Dataset read_libsvm(const std::filesystem::path& path, const ReadOptions& options = {},
                    const LibsvmTuning& tuning = {});

}  // namespace lg
