#pragma once
// The input options every data-reading command shares:
//   FILE...                 data files or known data-set names, read as one set (train + test)
//   --xml F                 MULAN label XML (default: NAME.xml beside NAME[-train].arff)
//   --labels n              MEKA convention: n > 0 first n attributes, n < 0 last n (not with --xml)
//   --label-columns a,b     CSV: label columns by name
//   --label-prefix P        CSV: label columns are those whose name starts with P
//   --missing error|impute  `?` values: an error, or the training file's feature mean
#include <string>
#include <vector>

#include "io/read_options.hpp"

namespace CLI {
class App;
class Option;
}

namespace lg::cli {

struct InputArgs {
  std::vector<std::string> inputs;  ///< files or known data-set names, in order
  std::string xml;                  ///< --xml; empty = look beside the ARFF
  int labels = 0;                   ///< --labels; 0 = not given
  std::string label_columns;        ///< --label-columns, comma-separated
  std::string label_prefix;         ///< --label-prefix
  std::string missing = "error";    ///< --missing: error | impute; "keep" where only labels are read
};

/// Register the data inputs (positional FILE..., or an option such as "--data") and the label /
/// missing-value options on `cmd`, filling `args`. Returns the data option (required).
/// Commands that read only the labels (stats, graph) pass `labels_only`: they get no --missing
/// option and keep missing feature values as NaN (MissingPolicy::Keep) to count them.
CLI::Option* add_input_options(CLI::App* cmd, InputArgs& args, const std::string& data_name = "FILE",
                               bool labels_only = false);

/// The reader options the arguments ask for. Throws lg::Error on inconsistent values.
ReadOptions to_read_options(const InputArgs& args);

}  // namespace lg::cli
