#pragma once
// Options shared by every data reader.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace lg {

/// What to do with `?` (missing) feature values.
enum class MissingPolicy {
  Error,       ///< a missing value is an error naming file and line (default)
  ImputeMean,  ///< replace by the feature's mean over the training (first) file
  Keep,        ///< keep as NaN (statistics: counted, never used; no model reads such data)
};

/// Which attributes / columns are labels. Precedence for ARFF: `xml` given > an XML file found
/// beside the ARFF (NAME-train.arff -> NAME.xml) > `count` > MEKA's `-C n` in @relation.
struct LabelDeclaration {
  std::filesystem::path xml;         ///< MULAN label XML; empty = look beside the file
  std::optional<int> count;          ///< MEKA sign convention: n > 0 first n, n < 0 last n
  std::vector<std::string> columns;  ///< CSV: label columns by name
  std::string prefix;                ///< CSV: label columns are those whose name starts so
};

struct ReadOptions {
  LabelDeclaration labels;                         ///< which attributes are labels
  MissingPolicy missing = MissingPolicy::Error;    ///< policy for `?` values
};

}  // namespace lg
