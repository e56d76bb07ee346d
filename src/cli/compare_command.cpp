// labelgraph compare RESULT_DIR... [--predictions ALGO:DATASET=SCORES --truth DATASET=TRUTH]
//                    [--values FILE] [--baseline NAME] [--measures M,...] [--format F,...]
//                    [--out DIR]
// The tables and figures of a paper's comparison: per measure, data sets x algorithms with
// mean ± sd, average ranks, Friedman / Iman–Davenport, Nemenyi's CD and its diagram, and each
// algorithm against a baseline (Wilcoxon signed-rank with Holm's correction, win/tie/loss).
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "experiment/compare.hpp"
#include "report/cd_diagram.hpp"
#include "report/comparison_table.hpp"
#include "report/paper_table.hpp"
#include "report/table.hpp"

namespace lg::cli {
namespace {
namespace fs = std::filesystem;

struct CompareArgs {
  std::vector<std::string> results;      ///< result folders of labelgraph run
  std::vector<std::string> predictions;  ///< ALGO:DATASET=SCORES
  std::vector<std::string> truth;        ///< DATASET=TRUTH
  std::vector<std::string> values;       ///< published values (CSV / JSON)
  std::vector<std::string> renames;      ///< [DIR:]OLD=NEW
  std::string baseline;                  ///< baseline algorithm; default the first
  std::string measures;                  ///< comma-separated; default all common ones
  std::string datasets;                  ///< comma-separated subset / order
  std::string algorithms;                ///< comma-separated subset / order
  std::string format = "latex,md,csv,json";  ///< table formats
  std::string out = "compare";           ///< output folder
  double alpha = 0.05;                   ///< significance level
  int decimals = 3;                      ///< decimals of means and sds
  std::string threshold = "fixed:0.5";   ///< thresholding of prediction files
  std::string zero_division = "0";       ///< of prediction files' measures
};

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::string item;
  for (char c : text + ",") {
    if (c == ',') {
      if (!item.empty()) out.push_back(item);
      item.clear();
    } else if (c != ' ') {
      item += c;
    }
  }
  return out;
}

/// "LEFT=RIGHT" with both sides non-empty; `what` names the option for the message.
std::pair<std::string, std::string> split_assignment(const std::string& text, const char* what,
                                                     const char* form) {
  const std::size_t eq = text.rfind('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
    throw Error(fmt::format("{} '{}': expected {}", what, text, form));
  return {text.substr(0, eq), text.substr(eq + 1)};
}

/// Whether two names on the command line are the same folder.
bool same_folder(const std::string& a, const std::string& b) {
  std::error_code ec;
  if (fs::equivalent(a, b, ec)) return true;
  auto trimmed = [](std::string s) {
    while (s.size() > 1 && s.back() == '/') s.pop_back();
    return fs::path(s).lexically_normal().string();
  };
  return trimmed(a) == trimmed(b);
}

std::string file_stem(const std::string& measure) {
  std::string out;
  for (char c : measure)
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.') ? c : '_';
  return out;
}

const char* extension(report::TableFormat f) {
  switch (f) {
    case report::TableFormat::Text: return ".txt";
    case report::TableFormat::Markdown: return ".md";
    case report::TableFormat::Csv: return ".csv";
    case report::TableFormat::Latex: return ".tex";
    case report::TableFormat::Json: return ".json";
  }
  return ".txt";
}

void run_compare(const CompareArgs& args) {
  // Every option is checked before any file is read.
  std::vector<report::TableFormat> formats;
  for (const std::string& f : split_list(args.format)) formats.push_back(report::parse_table_format(f));
  if (formats.empty()) throw Error("--format: give at least one of text, md, csv, latex, json");
  if (!(args.alpha > 0.0 && args.alpha < 1.0))
    throw Error(fmt::format("--alpha must be between 0 and 1, not {}", args.alpha));
  if (args.decimals < 0 || args.decimals > 12)
    throw Error(fmt::format("--decimals must be 0 to 12, not {}", args.decimals));
  if (args.results.empty() && args.predictions.empty() && args.values.empty())
    throw Error("nothing to compare: give result folders, --predictions or --values");

  std::vector<ResultFolder> folders;
  for (const std::string& dir : args.results) {
    for (const ResultFolder& f : folders)
      if (same_folder(f.name, dir))
        throw Error(fmt::format("result folder {} is given twice ({} and {})", dir, f.name, dir));
    folders.push_back({dir, dir, {}});
  }
  for (const std::string& r : args.renames) {
    const auto [left, to] = split_assignment(r, "--rename", "[DIR:]LABEL=NEW_LABEL");
    const std::size_t colon = left.rfind(':');
    const std::string dir = colon == std::string::npos ? "" : left.substr(0, colon);
    const std::string from = colon == std::string::npos ? left : left.substr(colon + 1);
    if (folders.empty()) throw Error(fmt::format("--rename {}: no result folders given", r));
    if (dir.empty() && folders.size() > 1)
      throw Error(fmt::format("--rename {}: with several result folders, say which one "
                              "(--rename DIR:{}={})",
                              r, from, to));
    bool matched = false;
    for (ResultFolder& f : folders)
      if (dir.empty() || same_folder(dir, f.name)) {
        matched = true;
        f.renames[from] = to;
      }
    if (!matched)
      throw Error(fmt::format("--rename {}: '{}' is not one of the result folders given", r, dir));
  }
  std::vector<PredictionSource> predictions;
  for (const std::string& p : args.predictions) {
    const auto [left, scores] = split_assignment(p, "--predictions", "ALGORITHM:DATASET=SCORES_FILE");
    const std::size_t colon = left.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == left.size())
      throw Error(fmt::format("--predictions '{}': expected ALGORITHM:DATASET=SCORES_FILE", p));
    predictions.push_back({left.substr(0, colon), left.substr(colon + 1), scores});
  }
  std::map<std::string, std::string> truth;
  for (const std::string& t : args.truth) {
    const auto [dataset, file] = split_assignment(t, "--truth", "DATASET=TRUTH_FILE");
    if (!truth.emplace(dataset, file).second)
      throw Error(fmt::format("--truth {}: data set '{}' has a truth already", t, dataset));
  }

  CompareSources sources;
  for (const ResultFolder& f : folders) read_result_folder(f, sources);
  PredictionScoring scoring;
  scoring.threshold = args.threshold;
  scoring.zero_division = args.zero_division;
  if (!predictions.empty() || !truth.empty()) score_predictions(predictions, truth, scoring, sources);
  for (const std::string& v : args.values) read_values_file(v, sources);
  check_sources(sources);

  const std::vector<std::string> datasets = split_list(args.datasets);
  const std::vector<std::string> algorithms = split_list(args.algorithms);
  std::vector<std::string> measures = split_list(args.measures);
  if (measures.empty()) measures = common_measures(sources, datasets, algorithms);
  if (measures.empty())
    throw Error("the results have no measure in common: name some with --measures");

  // Every table and figure in memory first: an error leaves no half-written folder.
  std::vector<std::pair<fs::path, std::string>> files;
  std::vector<std::pair<fs::path, report::CdDiagram>> figures;
  std::vector<report::ComparisonCell> cells;  // for the ranks and Friedman tables over measures
  std::map<std::string, eval::Direction> directions;
  std::string summary;
  for (const std::string& measure : measures) {
    const MeasureGrid grid = measure_grid(sources, measure, datasets, algorithms);
    report::MeasureValues values;
    values.measure = measure;
    try {
      values.direction = eval::measure_direction(measure);
    } catch (const Error&) {
      throw Error(fmt::format("--measures: '{}' is not one of labelgraph's measures, so which "
                              "way is better is not known (known: {})",
                              measure, fmt::join(eval::measure_names(), ", ")));
    }
    directions[measure] = values.direction;
    values.datasets = grid.datasets;
    values.algorithms = grid.algorithms;
    values.values = grid.values;
    report::PaperOptions options;
    options.alpha = args.alpha;
    options.decimals = args.decimals;
    if (!args.baseline.empty()) {
      const auto it = std::find(values.algorithms.begin(), values.algorithms.end(), args.baseline);
      if (it == values.algorithms.end())
        throw Error(fmt::format("--baseline {}: not among the algorithms compared ({})",
                                args.baseline, fmt::join(values.algorithms, ", ")));
      options.baseline = static_cast<std::size_t>(it - values.algorithms.begin());
    }
    const report::MeasureAnalysis analysis = report::analyse_measure(values, options);
    const report::Table paper = report::paper_table(values, analysis, options);
    const report::Table versus = report::baseline_table(values, analysis, options);
    const std::string stem = file_stem(measure);
    for (report::TableFormat f : formats) {
      files.emplace_back(fs::path(stem + extension(f)), report::render(paper, f));
      files.emplace_back(fs::path(stem + "-vs-baseline" + extension(f)), report::render(versus, f));
    }
    if (analysis.has_friedman) {
      const report::CdDiagram cd = report::measure_cd(values, analysis, options);
      figures.emplace_back(fs::path("cd-" + stem + ".svg"), cd);
      figures.emplace_back(fs::path("cd-" + stem + ".pdf"), cd);
    }
    for (std::size_t d = 0; d < values.datasets.size(); ++d)
      for (std::size_t a = 0; a < values.algorithms.size(); ++a) {
        auto it = std::find_if(cells.begin(), cells.end(), [&](const report::ComparisonCell& c) {
          return c.dataset == values.datasets[d] && c.algorithm == values.algorithms[a];
        });
        if (it == cells.end()) {
          cells.push_back({values.datasets[d], values.algorithms[a], {}});
          it = cells.end() - 1;
        }
        it->values[measure] = {values.values[d][a].mean};
      }

    // The summary on standard output.
    summary += fmt::format("{} ({} data set{}, {} algorithms, baseline {}):\n", measure,
                           values.datasets.size(), values.datasets.size() == 1 ? "" : "s",
                           values.algorithms.size(), values.algorithms[options.baseline]);
    std::vector<std::size_t> order(values.algorithms.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
      return analysis.average_ranks[x] < analysis.average_ranks[y];
    });
    for (std::size_t a : order) {
      summary += fmt::format("  {:<20} rank {:.2f}", values.algorithms[a], analysis.average_ranks[a]);
      if (a != options.baseline) {
        const eval::WinTieLoss& w = analysis.wtl[a];
        summary += fmt::format("  W/T/L {}/{}/{}  p = {:.4f}, Holm p = {:.4f}{}", w.wins, w.ties,
                               w.losses, analysis.wilcoxon[a].p_value, analysis.p_holm[a],
                               analysis.significant[a] > 0   ? "  significantly better"
                               : analysis.significant[a] < 0 ? "  significantly worse"
                                                             : "");
      }
      summary += '\n';
    }
    if (analysis.has_friedman)
      summary += fmt::format("  Friedman p = {:.4g}, Iman-Davenport p = {:.4g}, Nemenyi CD = {:.3f}\n",
                             analysis.friedman.chi2_p, analysis.friedman.iman_davenport_p,
                             analysis.critical_difference);
  }
  report::ComparisonOptions options;
  options.measures = measures;
  options.directions = directions;
  options.alpha = args.alpha;
  const bool two_datasets = std::any_of(cells.begin(), cells.end(), [&](const auto& c) {
    return c.dataset != cells.front().dataset;
  });
  const report::Table ranks = report::rank_table(cells, options);
  for (report::TableFormat f : formats) {
    files.emplace_back(fs::path("ranks" + std::string(extension(f))), report::render(ranks, f));
    if (two_datasets)
      files.emplace_back(fs::path("friedman" + std::string(extension(f))),
                         report::render(report::significance_table(cells, options), f));
  }

  const fs::path out(args.out);
  create_output_folder(out);
  for (const auto& [name, text] : files) write_file_atomically(out / name, text);
  for (const auto& [name, figure] : figures) report::write_cd_diagram(figure, out / name);
  for (const std::string& note : sources.notes) std::printf("note: %s\n", note.c_str());
  std::fwrite(summary.data(), 1, summary.size(), stdout);
  std::printf("compare: %zu files in %s (per measure: tables, -vs-baseline tables%s; ranks%s)\n",
              files.size() + figures.size(), out.string().c_str(),
              figures.empty() ? "" : ", CD diagrams", two_datasets ? ", friedman" : "");
}

}  // namespace

void add_compare_command(CLI::App& app) {
  auto args = std::make_shared<CompareArgs>();
  auto* cmd = app.add_subcommand(
      "compare",
      "Compare algorithms over data sets for a paper: result folders of labelgraph run (several "
      "may contribute algorithms on the same data sets), prediction files of other tools "
      "(scored as labelgraph eval scores them) and published values. Per measure: a table of "
      "data sets x algorithms (mean ± sd, best per data set in bold, average ranks, win/tie/loss "
      "against the baseline marked • / ∘ where the baseline is significantly better / worse by "
      "Wilcoxon signed-rank with Holm's correction), Friedman with Iman-Davenport, Nemenyi's "
      "critical difference and its diagram (SVG and PDF). Refuses results whose data checksums "
      "or splits differ, naming the two sources.");
  cmd->add_option("results", args->results, "result folders written by labelgraph run / merge");
  cmd->add_option("--predictions", args->predictions,
                  "ALGORITHM:DATASET=SCORES_FILE: another tool's scores (or 0/1 predictions) of "
                  "a data set's test rows; repeat for more")
      ->expected(1)
      ->take_all();
  cmd->add_option("--truth", args->truth,
                  "DATASET=TRUTH_FILE: the true labels of a data set's test rows (a matrix or "
                  "data file, as labelgraph eval --truth)")
      ->expected(1)
      ->take_all();
  cmd->add_option("--values", args->values,
                  "published values: CSV with a header dataset,algorithm,measure,mean[,sd,n] or "
                  "JSON rows as tables/summary.json (not checked against any data)")
      ->expected(1)
      ->take_all();
  cmd->add_option("--rename", args->renames,
                  "[DIR:]LABEL=NEW_LABEL: rename an algorithm of a result folder (needed when "
                  "two folders report the same label on the same data set)")
      ->expected(1)
      ->take_all();
  cmd->add_option("--baseline", args->baseline,
                  "the algorithm the others are tested against (default: the first)");
  cmd->add_option("--measures", args->measures,
                  "measures to compare, comma-separated (default: every measure all results "
                  "have)");
  cmd->add_option("--datasets", args->datasets, "only these data sets, in this order (a,b,c)");
  cmd->add_option("--algorithms", args->algorithms,
                  "only these algorithms, in this order (a,b,c)");
  cmd->add_option("--format", args->format,
                  "table formats, comma-separated: latex, md, csv, json, text")
      ->capture_default_str();
  cmd->add_option("--out", args->out, "output folder")->capture_default_str();
  cmd->add_option("--alpha", args->alpha, "significance level (Nemenyi CD, Holm-adjusted marks)")
      ->capture_default_str();
  cmd->add_option("--decimals", args->decimals, "decimals of means and sds")
      ->capture_default_str();
  cmd->add_option("--threshold", args->threshold,
                  "thresholding of prediction files: fixed:T, rcut:K or mcut")
      ->capture_default_str();
  cmd->add_option("--zero-division", args->zero_division,
                  "prediction files: value of a ratio with an empty denominator (0, 1, mulan)")
      ->check(CLI::IsMember({"0", "1", "mulan"}))
      ->capture_default_str();
  cmd->footer(
      "Writes to --out, per measure M: M.tex/.md/.csv/.json (the paper table), "
      "M-vs-baseline.* (Wilcoxon, Holm, W/T/L), cd-M.svg and cd-M.pdf; over measures: ranks.* "
      "and friedman.*.\n"
      "Examples:\n"
      "  labelgraph compare results/mulan-baselines --baseline BR --measures micro_f1,mAP "
      "--format latex,md\n"
      "  labelgraph compare results/classical results/more-baselines --baseline BR\n"
      "  labelgraph compare results/classical --predictions MEKA-CC:emotions=cc-scores.csv "
      "--truth emotions=emotions-test.arff --baseline BR --out paper/\n"
      "  labelgraph compare results/a results/b --rename results/b:BR=BR-tuned\n"
      "  labelgraph compare --values published.csv --measures macro_auc --baseline C4.5");
  cmd->callback([args] { run_compare(*args); });
}

}  // namespace lg::cli
