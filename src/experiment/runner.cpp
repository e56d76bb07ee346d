#include "experiment/runner.hpp"

#include <fmt/format.h>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/progress.hpp"
#include "io/arff_writer.hpp"
#include "io/catalog.hpp"
#include "io/read_dataset.hpp"
#include "report/stats_report.hpp"
#include "report/table.hpp"

namespace lg {
namespace fs = std::filesystem;

namespace {

/// The first input (file or known data-set name) whose files are absent, or "" if all exist.
std::string missing_input(const std::vector<std::string>& inputs) {
  for (const std::string& input : inputs) {
    if (fs::exists(input)) continue;
    const std::optional<Descriptor> d = find_descriptor(input);
    if (!d) return fmt::format("'{}' is neither a file nor a known data set", input);
    for (const CatalogFile* f : d->data_files())
      if (!fs::exists(data_dir() / f->path))
        return fmt::format("{} not found under LABELGRAPH_DATA ({})", f->path, data_dir().string());
  }
  return "";
}

/// Generate or read one data set; returns false when an optional one is absent.
bool obtain_dataset(const DatasetConfig& cfg, const Context& ctx, ExperimentResult& result,
                    Dataset& data, std::string& note) {
  if (cfg.generator == "synthetic") {
    data = make_synthetic(cfg.synthetic, ctx.seed);
    data.name = cfg.name;
    const fs::path file = fs::path("data") / (cfg.name + ".arff");
    fs::create_directories(result.output_dir / "data");
    write_arff(data, result.output_dir / file);
    result.outputs.push_back(file.string());
    note = fmt::format("generated (seed {}), written to {}", ctx.seed, file.string());
    return true;
  }
  std::vector<std::string> inputs;
  for (const fs::path& f : cfg.files) inputs.push_back(f.string());
  if (inputs.empty()) inputs.push_back(cfg.name);  // a known data set's name
  if (cfg.optional) {
    const std::string missing = missing_input(inputs);
    if (!missing.empty()) {
      note = "skipped: " + missing;
      return false;
    }
  }
  data = load_inputs(inputs, cfg.read);
  for (const std::string& src : data.sources) result.inputs.push_back(fmt::format("{} sha256:{}", src, sha256_file(src)));
  note = fmt::format("read from {}", fmt::join(data.sources, " + "));
  return true;
}

void write_tables(const report::Table& table, const fs::path& dir, const std::string& stem,
                  ExperimentResult& result) {
  const std::pair<report::TableFormat, const char*> formats[] = {
      {report::TableFormat::Markdown, ".md"}, {report::TableFormat::Csv, ".csv"},
      {report::TableFormat::Latex, ".tex"},   {report::TableFormat::Json, ".json"}};
  for (const auto& [format, ext] : formats) {
    const fs::path rel = fs::path("tables") / (stem + ext);
    write_file_atomically(dir / rel, report::render(table, format));
    result.outputs.push_back(rel.string());
  }
}

}  // namespace

ExperimentResult run_experiment(const ExperimentConfig& config, const Context& ctx) {
  ExperimentResult result;
  result.output_dir = ctx.output_dir.empty() ? config.output : ctx.output_dir;
  fs::create_directories(result.output_dir);

  std::vector<std::string> names;
  std::vector<DatasetStats> all_stats;
  ProgressBar progress("data sets", config.datasets.size());
  for (const DatasetConfig& cfg : config.datasets) {
    progress.status(cfg.name);
    DatasetOutcome outcome;
    outcome.name = cfg.name;
    Dataset data;
    if (!obtain_dataset(cfg, ctx, result, data, outcome.note)) {
      outcome.skipped = true;
    } else {
      outcome.stats = compute_stats(data);
      const fs::path json = fs::path("tables") / (cfg.name + "-stats.json");
      write_file_atomically(result.output_dir / json, report::stats_json(outcome.stats));
      result.outputs.push_back(json.string());
      write_tables(report::stats_label_table(outcome.stats), result.output_dir, cfg.name + "-labels", result);
      names.push_back(cfg.name);
      all_stats.push_back(outcome.stats);
      result.summary_text += fmt::format("\n{} — {}\n", cfg.name, outcome.note) +
                             report::to_text(report::stats_label_table(outcome.stats));
    }
    result.datasets.push_back(std::move(outcome));
    progress.advance();
  }
  progress.finish();

  const report::Table comparison = report::stats_comparison_table(names, all_stats);
  write_tables(comparison, result.output_dir, "datasets", result);
  std::string skipped;
  for (const DatasetOutcome& o : result.datasets)
    if (o.skipped) skipped += fmt::format("{}: {}\n", o.name, o.note);
  result.summary_text = report::to_text(comparison) + result.summary_text + (skipped.empty() ? "" : "\n" + skipped);
  return result;
}

}  // namespace lg
