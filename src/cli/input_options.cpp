#include "cli/input_options.hpp"

#include <CLI/CLI.hpp>

#include "core/error.hpp"

namespace lg::cli {

CLI::Option* add_input_options(CLI::App* cmd, InputArgs& args, const std::string& data_name,
                               bool labels_only) {
  auto* data = cmd->add_option(data_name, args.inputs,
                  "data files (.arff, .csv, LIBSVM) or known data-set names; several are read "
                  "as one set, rows stacked in order (e.g. NAME-train.arff NAME-test.arff)")
      ->required();
  auto* xml = cmd->add_option("--xml", args.xml,
                              "MULAN label XML naming the label attributes (default: NAME.xml "
                              "beside NAME.arff or NAME-train.arff, else -C n in @relation)");
  auto* labels = cmd->add_option("--labels", args.labels,
                                 "label count, MEKA convention: n > 0 the first n attributes "
                                 "are labels, n < 0 the last n");
  labels->check([](const std::string& v) {
    return v == "0" ? std::string("the label count must not be 0") : std::string();
  });
  xml->excludes(labels);
  cmd->add_option("--label-columns", args.label_columns,
                  "CSV: the label columns by name, comma-separated (a,b,c)");
  cmd->add_option("--label-prefix", args.label_prefix,
                  "CSV: label columns are those whose name starts with this prefix");
  if (labels_only) {
    args.missing = "keep";
    return data;
  }
  cmd->add_option("--missing", args.missing,
                  "missing values (?): 'error' stops with file and line, 'impute' replaces "
                  "them by the feature mean of the first (training) file")
      ->check(CLI::IsMember({"error", "impute"}))
      ->capture_default_str();
  return data;
}

namespace {
std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::string item;
  for (char c : text) {
    if (c == ',') {
      if (!item.empty()) out.push_back(item);
      item.clear();
    } else {
      item += c;
    }
  }
  if (!item.empty()) out.push_back(item);
  return out;
}
}  // namespace

ReadOptions to_read_options(const InputArgs& args) {
  if (!args.xml.empty() && args.labels != 0)
    throw Error("--xml and --labels both declare the labels: give one of them");
  ReadOptions opts;
  opts.labels.xml = args.xml;
  if (args.labels != 0) opts.labels.count = args.labels;
  opts.labels.columns = split_commas(args.label_columns);
  opts.labels.prefix = args.label_prefix;
  if (args.missing == "error")
    opts.missing = MissingPolicy::Error;
  else if (args.missing == "impute")
    opts.missing = MissingPolicy::ImputeMean;
  else if (args.missing == "keep")
    opts.missing = MissingPolicy::Keep;
  else
    throw Error("--missing must be 'error' or 'impute', not '" + args.missing + "'");
  return opts;
}

}  // namespace lg::cli
