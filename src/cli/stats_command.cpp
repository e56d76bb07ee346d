// labelgraph stats FILE... [--xml F | --labels n] [--format text|md|csv|json|latex] [--out FILE]
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/input_options.hpp"
#include "core/atomic_file.hpp"
#include "data/statistics.hpp"
#include "io/read_dataset.hpp"
#include "report/table.hpp"

namespace lg::cli {
namespace {

struct StatsArgs {
  InputArgs input;            ///< files and label declaration
  std::string format = "text";  ///< text | md | csv | json | latex
  std::string out;            ///< output file; empty = stdout
};

/// One row: the data set figures, headed by the JSON key names.
report::Table summary_table(const DatasetStats& s, const std::string& title) {
  using report::ColumnKind;
  report::Table t;
  t.title = title;
  const ColumnKind I = ColumnKind::Integer, R = ColumnKind::Real;
  t.columns = {{"instances", I},   {"features", I}, {"labels", I},  {"cardinality", R},
               {"density", R},     {"distinct_labelsets", I},     {"meanir", R},
               {"maxir", R},       {"cvir", R},     {"scumble", R}, {"tcs", R},
               {"empty_rows", I},  {"empty_labels", I}};
  t.add_row({s.instances, s.features, s.labels, s.cardinality, s.density, s.distinct_labelsets,
             s.meanir, s.maxir, s.cvir, s.scumble, s.tcs, s.empty_rows, s.empty_labels});
  return t;
}

report::Table per_label_table(const DatasetStats& s) {
  using report::ColumnKind;
  report::Table t;
  t.title = "Labels";
  t.columns = {{"name", ColumnKind::Text},      {"count", ColumnKind::Integer},
               {"frequency", ColumnKind::Real, 4}, {"irlbl", ColumnKind::Real},
               {"minority", ColumnKind::Text}};
  for (const LabelStats& l : s.per_label)
    t.add_row({l.name, l.count, l.frequency, l.irlbl, l.minority ? "yes" : "no"});
  return t;
}

/// The JSON object: exactly the documented keys, numbers at full precision.
std::string stats_json(const DatasetStats& s) {
  nlohmann::ordered_json j;
  j["instances"] = s.instances;
  j["features"] = s.features;
  j["labels"] = s.labels;
  j["cardinality"] = s.cardinality;
  j["density"] = s.density;
  j["distinct_labelsets"] = s.distinct_labelsets;
  j["meanir"] = s.meanir;
  j["maxir"] = s.maxir;
  j["cvir"] = s.cvir;
  j["scumble"] = s.scumble;
  j["tcs"] = s.tcs;
  j["empty_rows"] = s.empty_rows;
  j["empty_labels"] = s.empty_labels;
  j["per_label"] = nlohmann::ordered_json::array();
  for (const LabelStats& l : s.per_label)
    j["per_label"].push_back({{"name", l.name},
                              {"count", l.count},
                              {"frequency", l.frequency},
                              {"irlbl", l.irlbl},
                              {"minority", l.minority}});
  return j.dump(2) + '\n';
}

std::string describe_sources(const Dataset& data, const std::vector<std::string>& inputs) {
  std::vector<std::string> names;
  for (const std::string& s : data.sources.empty() ? inputs : data.sources)
    names.push_back(std::filesystem::path(s).filename().string());
  return fmt::format("{} ({})", data.name, fmt::join(names, " + "));
}

void run_stats(const StatsArgs& args) {
  const report::TableFormat format = report::parse_table_format(args.format);
  const Dataset data = load_inputs(args.input.inputs, to_read_options(args.input));
  for (const std::string& note : data.notes) std::fprintf(stderr, "labelgraph: note: %s\n", note.c_str());
  const DatasetStats stats = compute_stats(data);

  std::string text;
  if (format == report::TableFormat::Json) {
    text = stats_json(stats);
  } else {
    // Two tables, a blank line between them.
    const std::string title = describe_sources(data, args.input.inputs);
    text = report::render(summary_table(stats, title), format) + "\n" +
           report::render(per_label_table(stats), format);
  }
  if (args.out.empty())
    std::fwrite(text.data(), 1, text.size(), stdout);
  else
    write_file_atomically(args.out, text);
}

}  // namespace

void add_stats_command(CLI::App& app) {
  auto args = std::make_shared<StatsArgs>();
  auto* cmd = app.add_subcommand(
      "stats",
      "Print multi-label statistics of a data set (mldr definitions): instances, features, "
      "labels, cardinality, density, distinct label sets, MeanIR, MaxIR, CVIR, SCUMBLE, TCS, "
      "empty rows and labels, and per label its count, frequency, IRLbl and minority flag. "
      "Several files (train + test) are read as one set, as published figures are computed.");
  add_input_options(cmd, args->input);
  cmd->add_option("--format", args->format,
                  "output format: text (aligned columns), md (Markdown), csv, latex (booktabs), "
                  "json (one object with the figures and a per_label list, full precision)")
      ->check(CLI::IsMember(report::table_format_names()))
      ->capture_default_str();
  cmd->add_option("--out", args->out, "write to this file instead of standard output");
  cmd->footer(
      "Examples:\n"
      "  labelgraph stats emotions-train.arff emotions-test.arff\n"
      "  labelgraph stats Yeast.arff --format json --out yeast-stats.json\n"
      "  labelgraph stats data.csv --label-prefix tag_ --format md");
  cmd->callback([args] { run_stats(*args); });
}

}  // namespace lg::cli
