#pragma once
// ARFF reader (Weka grammar as real MULAN / MEKA files use it), dense and sparse rows, streaming.
//
// Grammar accepted: `%` comments and blank lines anywhere, CRLF line endings, case-insensitive
// keywords, quoted names with backslash escapes ('a b', "x", 'Swainson\'s x'; unquoted names
// are taken literally, backslashes included, as MULAN's delicious.xml expects), numeric / real /
// integer, nominal {a,b}, string and date attributes, `?` for missing values, dense rows and
// sparse rows `{3 1.5,17 1}` (0-based attribute indices; an omitted attribute is 0, i.e. the
// FIRST declared value of a nominal attribute, as in Weka). Values may be quoted in data rows.
//
// What becomes of each attribute:
//   * numeric / real / integer feature -> one float column;
//   * nominal feature with exactly the values {0,1} (either order) -> one 0/1 float column
//     (so MULAN's binary text sets keep their published feature counts);
//   * any other nominal feature -> one-hot columns named "attr=value";
//   * string and date attributes -> kept out of the features;
//   each of these is recorded in Dataset::notes.
//
// Which attributes are labels (first that applies): ReadOptions.labels.xml; a MULAN XML beside
// the file (NAME.arff, NAME-train.arff, NAME-test.arff, NAME-train-sparse.arff ... -> NAME.xml);
// ReadOptions.labels.count (n > 0: first n attributes, n < 0: last n); MEKA's `-C n` in
// @relation. Label attributes must be nominal {0,1} or numeric holding 0/1.
// Label columns follow the XML's order when an XML declares them, attribute order otherwise.
//
// Dataset::sparse is true when the file has sparse rows (features in CSR), false otherwise.
//
// Large files are parsed by several threads, each taking line-aligned pieces of the data
// section in turn; the result is the same whatever the thread count, and an error names the
// first bad line of the file, as a single thread would.
#include <cstddef>
#include <filesystem>

#include "core/dataset.hpp"
#include "io/read_options.hpp"

namespace lg {

/// How the reader spreads the data rows over threads; the defaults suit any file. Tests force
/// several threads and tiny pieces to exercise the splits.
struct ArffTuning {
  unsigned threads = 0;  ///< parser threads; 0 = all cores
  std::size_t min_bytes_per_thread = std::size_t{4} << 20;  ///< smaller data sections use fewer threads
};

/// Read one ARFF file. Label attributes are found as ReadOptions::labels says.
/// With MissingPolicy::ImputeMean, missing values are left as NaN for impute_missing().
/// Throws lg::Error naming the file and line on any malformed input.
Dataset read_arff(const std::filesystem::path& path, const ReadOptions& options = {},
                  const ArffTuning& tuning = {});

/// The MULAN label XML that read_arff would use for `arff` when no XML is given: NAME.xml
/// beside it, after stripping -train / -test / -sparse suffixes one at a time
/// (Corel5k-train-sparse.arff -> Corel5k-train-sparse.xml, Corel5k-train.xml, Corel5k.xml).
/// Empty path if none exists.
std::filesystem::path find_label_xml(const std::filesystem::path& arff);

}  // namespace lg
