#pragma once
// CSV with a header row; label columns chosen by name list or name prefix (ReadOptions::labels).
//
// * RFC 4180: fields may be quoted ("a, b", "say ""hi""", line breaks inside quotes); CRLF or
//   LF line ends; blank lines are skipped; a UTF-8 byte-order mark is ignored.
// * Label columns, first rule that is given wins: ReadOptions::labels.columns (names, in that
//   order), .prefix (every column whose name starts with it, in file order), .count (MEKA's sign
//   convention: n > 0 the first n columns, n < 0 the last n). None given is an error.
// * Label values must be 0 or 1; every other column is a numeric (dense) feature.
// * Missing feature values (empty, `?`, `NA`) follow ReadOptions::missing: an error naming the
//   line and column, or NaN for read_datasets() to impute.
#include <filesystem>

#include "core/dataset.hpp"
#include "io/read_options.hpp"

namespace lg {

/// Read a CSV data set into dense features. Throws lg::Error naming file and line.
Dataset read_csv(const std::filesystem::path& path, const ReadOptions& options = {});

}  // namespace lg
