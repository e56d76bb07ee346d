// labelgraph stats FILE... [--xml F | --labels n] [--format text|md|csv|json|latex] [--out FILE]
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "cli/commands.hpp"
#include "cli/input_options.hpp"
#include "core/atomic_file.hpp"
#include "data/statistics.hpp"
#include "io/read_dataset.hpp"
#include "report/stats_report.hpp"
#include "report/table.hpp"

namespace lg::cli {
namespace {

struct StatsArgs {
  InputArgs input;            ///< files and label declaration
  std::string format = "text";  ///< text | md | csv | json | latex
  std::string out;            ///< output file; empty = stdout
};

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
  if (stats.missing_values > 0)
    std::fprintf(stderr,
                 "labelgraph: note: %lld missing feature values in %lld of %lld rows (statistics "
                 "use only the labels and the feature count)\n",
                 static_cast<long long>(stats.missing_values),
                 static_cast<long long>(stats.rows_with_missing),
                 static_cast<long long>(stats.instances));

  std::string text;
  if (format == report::TableFormat::Json) {
    text = report::stats_json(stats);
  } else {
    // Two tables, a blank line between them.
    const std::string title = describe_sources(data, args.input.inputs);
    text = report::render(report::stats_summary_table(stats, title), format) + "\n" +
           report::render(report::stats_label_table(stats), format);
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
      "Several files (train + test) are read as one set, as published figures are computed. "
      "Missing feature values (?) are counted (missing_values, rows_with_missing), not refused: "
      "statistics use only the labels; a missing label value is an error.");
  add_input_options(cmd, args->input, "FILE", /*labels_only=*/true);
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
