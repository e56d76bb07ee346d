// labelgraph eval --truth F --scores F [--train F] [--threshold SPEC] [--format F] [--out F] ...
// Scores predictions made by any tool: reads the matrices (io/score_reader), thresholds the
// scores, computes every measure (eval/measures) and the imbalance-aware views (eval/imbalance).
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/input_options.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "eval/imbalance.hpp"
#include "eval/measures.hpp"
#include "eval/thresholding.hpp"
#include "io/score_reader.hpp"
#include "report/table.hpp"

namespace lg::cli {
namespace {

struct EvalArgs {
  std::string truth;              ///< --truth: matrix file, data file or known data set
  std::string scores;             ///< --scores: matrix file
  std::string train;              ///< --train: training labels (PCut, buckets); optional
  std::string threshold = "fixed:0.5";  ///< --threshold spec
  std::string format = "text";    ///< text | md | csv | json | latex
  std::string out;                ///< output file; empty = stdout
  std::string zero_division = "0";  ///< 0 | 1 | mulan
  double beta = 1.0;              ///< F-beta besides F1 when != 1
  std::string buckets;            ///< quantile edges "0.33,0.67"; empty = the default terciles
  std::string names;              ///< file of label names, one per line
  std::string validation_truth;   ///< SCut's validation labels
  std::string validation_scores;  ///< SCut's validation scores
  InputArgs labels;               ///< --xml / --labels / --label-columns / --label-prefix
};

void note(const std::string& text) { std::fprintf(stderr, "labelgraph: note: %s\n", text.c_str()); }

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::string item;
  for (char c : text + sep) {
    if (c == sep) {
      out.push_back(item);
      item.clear();
    } else if (c != ' ') {
      item += c;
    }
  }
  return out;
}

/// --buckets "0.33,0.67": increasing quantile edges in (0, 1). Names rarest first: tail,
/// medium, head for two edges; tail, head for one; tail, medium-1 .. medium-k, head otherwise.
eval::BucketOptions parse_buckets(const std::string& text) {
  eval::BucketOptions opts;
  if (text.empty()) return opts;
  opts.edges.clear();
  for (const std::string& item : split(text, ',')) {
    double v = 0.0;
    const auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (item.empty() || ec != std::errc() || ptr != item.data() + item.size() || !(v > 0.0 && v < 1.0))
      throw Error(fmt::format("--buckets: expected quantile edges between 0 and 1 separated by "
                              "commas (e.g. 0.33,0.67), found '{}'", item));
    if (!opts.edges.empty() && v <= opts.edges.back())
      throw Error(fmt::format("--buckets: the edges must increase, found {} after {}", v, opts.edges.back()));
    opts.edges.push_back(v);
  }
  const std::size_t k = opts.edges.size();
  opts.names = {"tail"};
  if (k == 2) opts.names.push_back("medium");
  if (k > 2)
    for (std::size_t i = 1; i < k; ++i) opts.names.push_back(fmt::format("medium-{}", i));
  opts.names.push_back("head");
  return opts;
}

/// --names FILE: one label name per line (blank lines skipped).
std::vector<std::string> read_names(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(file, 0, "cannot open the label names file");
  std::vector<std::string> names;
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
    const std::size_t start = line.find_first_not_of(" \t");
    if (start != std::string::npos) names.push_back(line.substr(start));
  }
  if (names.empty()) throw Error(file, 0, "expected label names, one per line, found none");
  return names;
}

std::string shape(Index rows, Index cols) { return fmt::format("{} rows x {} columns", rows, cols); }

/// Scores and truth must match exactly: same rows, same labels.
void check_same_shape(const std::string& scores_file, const ScoreFile& scores,
                      const std::string& truth_file, const LabelMatrix& y) {
  const bool f32 = scores.scores_float32.size() > 0;
  const Index rows = f32 ? scores.scores_float32.rows() : scores.scores.rows();
  const Index cols = f32 ? scores.scores_float32.cols() : scores.scores.cols();
  if (rows == y.rows() && cols == y.cols()) return;
  throw Error(scores_file, 0,
              fmt::format("has {}, but the truth {} has {}: scores and truth must have the same "
                          "shape (one row per instance, one column per label, in the same order)",
                          shape(rows, cols), truth_file, shape(y.rows(), y.cols())));
}

/// Column names of two files: identical, or a note; the same names in another order is an
/// error (the columns would be compared label against the wrong label).
void check_names(const std::vector<std::string>& a, const std::string& a_file,
                 const std::vector<std::string>& b, const std::string& b_file) {
  if (a.empty() || b.empty() || a == b) return;
  std::vector<std::string> sa = a, sb = b;
  std::sort(sa.begin(), sa.end());
  std::sort(sb.begin(), sb.end());
  if (sa == sb) {
    std::size_t i = 0;
    while (a[i] == b[i]) ++i;
    throw Error(b_file, 0,
                fmt::format("names the same labels as {} in another order (column {} is '{}' "
                            "there, '{}' here): write the columns in the same order",
                            a_file, i + 1, a[i], b[i]));
  }
  note(fmt::format("the column names of {} differ from those of {}; the labels are matched by "
                   "position and named as in {}", b_file, a_file, a_file));
}

/// Label names: --names, else the truth's, the scores', the training file's; else 0..L-1.
std::vector<std::string> label_names(const EvalArgs& args, const TruthFile& truth,
                                     const ScoreFile& scores, const TruthFile* train) {
  const Index l = truth.labels.cols();
  if (!args.names.empty()) {
    std::vector<std::string> names = read_names(args.names);
    if (static_cast<Index>(names.size()) != l)
      throw Error(args.names, 0, fmt::format("has {} label names, the truth {} has {} labels",
                                             names.size(), args.truth, l));
    return names;
  }
  if (!truth.names.empty()) return truth.names;
  if (!scores.names.empty()) return scores.names;
  if (train && !train->names.empty()) return train->names;
  std::vector<std::string> names;
  for (Index i = 0; i < l; ++i) names.push_back(std::to_string(i));
  return names;
}

report::Table measures_table(const eval::EvaluationResult& result, const std::string& title,
                             report::TableFormat format) {
  report::Table t;
  t.title = title;
  t.columns = {{"measure", report::ColumnKind::Text, 0},
               {"value", report::ColumnKind::Real, 4},
               {"better", report::ColumnKind::Text, 0}};
  // Arrows for people; words where programs or LaTeX without unicode read them.
  const bool arrows = format == report::TableFormat::Text || format == report::TableFormat::Markdown;
  for (const eval::MeasureValue& m : result.measures) {
    const bool up = eval::measure_direction(m.name) == eval::Direction::HigherIsBetter;
    t.add_row({m.name, m.value, arrows ? (up ? "↑" : "↓") : (up ? "higher" : "lower")});
  }
  return t;
}

nlohmann::json bucket_json(const eval::BucketSummary& b) {
  return {{"labels", b.labels},
          {"min_count", b.min_count},
          {"max_count", b.max_count},
          {"macro_precision", b.macro_precision},
          {"macro_recall", b.macro_recall},
          {"macro_f1", b.macro_f1},
          {"map", b.map},
          {"skipped_labels", b.skipped_labels}};
}

/// Scores the way `labelgraph eval` reads them: a float32 .npy as float32 (ScoreFile::
/// scores_float32), so that thresholds and the ML-GCN threshold compare in float, as NumPy
/// compares a float32 array with a Python float; every other file as float64 (distinct
/// float64 scores must not become ties).
ScoreFile read_scores(const std::string& file) { return read_score_matrix(file, {}, true); }

/// The float32 scores of a float32 file, moved out of `file`; nothing for any other file.
std::optional<ScoreMatrix> take_float32(ScoreFile& file) {
  if (!file.float32) return std::nullopt;
  return std::move(file.scores_float32);
}

std::string to_json(const eval::EvaluationResult& result, const eval::ImbalanceReport& report,
                    const EvalArgs& args, const eval::ThresholdSpec& spec, bool from_train) {
  nlohmann::ordered_json j;
  nlohmann::ordered_json measures = nlohmann::ordered_json::object();
  for (const eval::MeasureValue& m : result.measures) measures[m.name] = m.value;
  j["measures"] = measures;
  nlohmann::ordered_json per_label = nlohmann::ordered_json::array();
  for (const eval::LabelRow& row : report.labels) {
    const eval::LabelMeasures& m = row.measures;
    const auto defined = [&](double v) { return m.has_positive ? nlohmann::ordered_json(v) : nullptr; };
    per_label.push_back({{"name", row.name},
                         {"train_count", row.train_count},
                         {"support", row.support},
                         {"irlbl", row.irlbl},
                         {"minority", row.minority},
                         {"bucket", row.bucket},
                         {"tp", m.confusion.tp},
                         {"fp", m.confusion.fp},
                         {"fn", m.confusion.fn},
                         {"tn", m.confusion.tn},
                         {"precision", m.precision},
                         {"recall", m.recall},
                         {"f1", m.f1},
                         {"ap", defined(m.ap)},
                         {"auc", defined(m.auc)}});
  }
  j["per_label"] = per_label;
  nlohmann::ordered_json buckets = nlohmann::ordered_json::object();
  for (const eval::BucketSummary& b : report.buckets) buckets[b.name] = bucket_json(b);
  buckets["minority"] = bucket_json(report.minority);
  buckets["majority"] = bucket_json(report.majority);
  j["buckets"] = buckets;
  j["skipped_labels"] = result.skipped_labels;
  j["threshold"] = spec.to_string();
  j["zero_division"] = args.zero_division;
  j["bucket_source"] = from_train ? "train" : "truth";
  return j.dump(2) + "\n";
}

void run_eval(const EvalArgs& args) {
  // Every option is checked before any file is read.
  const report::TableFormat format = report::parse_table_format(args.format);
  const eval::ThresholdSpec spec = eval::parse_threshold_spec(args.threshold);
  eval::MeasureOptions measure_options;
  measure_options.zero_division = eval::parse_zero_division(args.zero_division);
  if (!(args.beta > 0.0) || !std::isfinite(args.beta))
    throw Error(fmt::format("--beta must be a positive number, not {}", args.beta));
  measure_options.beta = args.beta;
  const eval::BucketOptions bucket_options = parse_buckets(args.buckets);
  const bool has_validation = !args.validation_truth.empty() || !args.validation_scores.empty();
  if (has_validation && (args.validation_truth.empty() || args.validation_scores.empty()))
    throw Error("--validation-truth and --validation-scores come together: give both");
  if (spec.kind == eval::ThresholdSpec::Kind::SCut && !has_validation)
    throw Error(fmt::format("--threshold {} tunes one threshold per label on a validation set: "
                            "give --validation-truth and --validation-scores", spec.to_string()));
  if (spec.kind == eval::ThresholdSpec::Kind::PCut && args.train.empty())
    throw Error("--threshold pcut matches the training label frequencies: give --train");
  const ReadOptions read_options = to_read_options(args.labels);

  const TruthFile truth = read_truth_matrix(args.truth, read_options);
  ScoreFile scores = read_scores(args.scores);
  check_same_shape(args.scores, scores, args.truth, truth.labels);
  check_names(truth.names, args.truth, scores.names, args.scores);
  const Index l = truth.labels.cols();

  std::optional<TruthFile> train;
  if (!args.train.empty()) {
    train = read_truth_matrix(args.train, read_options);
    if (train->labels.cols() != l)
      throw Error(args.train, 0, fmt::format("has {} labels, but the truth {} has {}: the training "
                                             "labels must be the same columns", train->labels.cols(),
                                             args.truth, l));
    check_names(truth.names, args.truth, train->names, args.train);
  }
  std::optional<TruthFile> validation_truth;
  std::optional<ScoreFile> validation_scores;
  std::optional<ScoreMatrix> validation_scores32;
  if (has_validation) {
    validation_truth = read_truth_matrix(args.validation_truth, read_options);
    validation_scores = read_scores(args.validation_scores);
    check_same_shape(args.validation_scores, *validation_scores, args.validation_truth,
                     validation_truth->labels);
    if (validation_truth->labels.cols() != l)
      throw Error(args.validation_truth, 0,
                  fmt::format("has {} labels, but the truth {} has {}", validation_truth->labels.cols(),
                              args.truth, l));
    if (spec.kind != eval::ThresholdSpec::Kind::SCut)
      note(fmt::format("the validation set is only used by --threshold scut; ignored for {}",
                       spec.to_string()));
    validation_scores32 = take_float32(*validation_scores);
  }
  const std::vector<std::string> names = label_names(args, truth, scores, train ? &*train : nullptr);
  const std::optional<ScoreMatrix> scores32 = take_float32(scores);

  eval::ThresholdInputs inputs;
  if (train) inputs.train_labels = &train->labels;
  if (validation_truth) {
    inputs.validation_truth = &validation_truth->labels;
    if (validation_scores32)
      inputs.validation_scores = &*validation_scores32;
    else
      inputs.validation_scores_f64 = &validation_scores->scores;
  }
  const eval::Thresholds fitted = eval::fit_thresholds(spec, l, inputs);
  const LabelMatrix predictions = scores32 ? eval::apply_thresholds(fitted, *scores32, inputs)
                                           : eval::apply_thresholds(fitted, scores.scores, inputs);
  const eval::EvaluationResult result =
      scores32 ? eval::evaluate(truth.labels, *scores32, predictions, measure_options)
               : eval::evaluate(truth.labels, scores.scores, predictions, measure_options);

  if (!train)
    note(fmt::format("no --train: label counts, IRLbl and buckets come from the evaluated truth "
                     "({})", args.truth));
  if (result.skipped_labels > 0)
    note(fmt::format("{} of {} labels have no positive in the truth: left out of mAP and the "
                     "AUCs", result.skipped_labels, l));
  const eval::ImbalanceReport imbalance =
      eval::imbalance_report(result, train ? train->labels : truth.labels, names, bucket_options);

  std::string text;
  if (format == report::TableFormat::Json) {
    text = to_json(result, imbalance, args, spec, train.has_value());
  } else {
    const std::string title = fmt::format(
        "{} rows, {} labels; threshold {}; zero_division {}", truth.labels.rows(), l,
        spec.to_string(), args.zero_division);
    text = report::render(measures_table(result, title, format), format) + "\n" +
           report::render(eval::per_label_table(imbalance), format) + "\n" +
           report::render(eval::bucket_table(imbalance), format);
  }
  if (args.out.empty())
    std::fwrite(text.data(), 1, text.size(), stdout);
  else
    write_file_atomically(args.out, text);
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto args = std::make_shared<EvalArgs>();
  auto* cmd = app.add_subcommand(
      "eval",
      "Evaluate predictions made by any tool: every multi-label measure (example-based, "
      "label-based micro/macro, ML-GCN's CP..OF1, ranking measures, mAP, AUC), the per-label "
      "table with training frequency and IRLbl, and head/medium/tail buckets. Scores and truth "
      "are .npy (float32/float64/int8/uint8/bool), CSV (with or without a header row) or "
      "whitespace-separated text; the truth (and --train) may also be a data file (.arff, "
      "LIBSVM, a CSV with --label-columns/--label-prefix) or a known data set name, whose labels "
      "are used. A .txt is LIBSVM when it holds index:value tokens, else a matrix. Scores are "
      "ranked and thresholded in their file's precision: float64 (text, float64 and integer "
      ".npy) or float32 (a float32 .npy, compared in float as NumPy does).");
  cmd->add_option("--truth", args->truth, "true labels: N x L 0/1 matrix, or a data file")
      ->required();
  cmd->add_option("--scores", args->scores,
                  "scores: N x L matrix, higher = more relevant (a 0/1 prediction matrix works "
                  "too: the default threshold keeps it as it is, ranking measures then see ties)")
      ->required();
  cmd->add_option("--train", args->train,
                  "training labels (matrix or data file): frequencies for --threshold pcut, "
                  "IRLbl and the buckets (default: the truth's own label counts)");
  cmd->add_option("--threshold", args->threshold,
                  "how scores become predictions: fixed:T (score >= T), scut:M (per-label "
                  "threshold maximising measure M on the validation set), pcut (match the "
                  "training label frequencies), rcut:K (top K per row), mcut (largest gap)")
      ->capture_default_str();
  cmd->add_option("--format", args->format,
                  "output format: text, md, csv, latex (the measures, per-label and bucket "
                  "tables) or json (one object, full precision)")
      ->check(CLI::IsMember(report::table_format_names()))
      ->capture_default_str();
  cmd->add_option("--out", args->out, "write to this file instead of standard output");
  cmd->add_option("--zero-division", args->zero_division,
                  "value of a ratio with an empty denominator: 0 or 1 (scikit-learn's "
                  "zero_division), or mulan (an example with no true and no predicted label "
                  "scores 1)")
      ->check(CLI::IsMember({"0", "1", "mulan"}))
      ->capture_default_str();
  cmd->add_option("--beta", args->beta, "also report F-beta with this beta (when not 1)")
      ->capture_default_str();
  cmd->add_option("--buckets", args->buckets,
                  "quantile edges of the label-frequency buckets, rarest first (default "
                  "0.3333,0.6667: tail, medium, head)");
  cmd->add_option("--names", args->names,
                  "label names, one per line (default: the truth's header or data set, else the "
                  "scores' header, else 0..L-1)");
  cmd->add_option("--validation-truth", args->validation_truth,
                  "validation labels for --threshold scut:M");
  cmd->add_option("--validation-scores", args->validation_scores,
                  "validation scores for --threshold scut:M");
  auto* xml = cmd->add_option("--xml", args->labels.xml,
                              "MULAN label XML of an ARFF truth / train file (default: NAME.xml "
                              "beside it, else -C n in @relation)");
  auto* labels = cmd->add_option("--labels", args->labels.labels,
                                 "label count of an ARFF truth / train file, MEKA convention: "
                                 "n > 0 the first n attributes are labels, n < 0 the last n");
  labels->check([](const std::string& v) {
    return v == "0" ? std::string("the label count must not be 0") : std::string();
  });
  xml->excludes(labels);
  cmd->add_option("--label-columns", args->labels.label_columns,
                  "CSV data file as truth / train: the label columns by name (a,b,c)");
  cmd->add_option("--label-prefix", args->labels.label_prefix,
                  "CSV data file as truth / train: label columns are those starting with this");
  cmd->footer(
      "Examples:\n"
      "  labelgraph eval --truth test.csv --scores scores.npy\n"
      "  labelgraph eval --truth emotions-test.arff --scores s.csv --train emotions-train.arff "
      "--threshold pcut\n"
      "  labelgraph eval --truth y.npy --scores s.npy --threshold scut:f1 "
      "--validation-truth yv.npy --validation-scores sv.npy --format json --out eval.json");
  cmd->callback([args] { run_eval(*args); });
}

}  // namespace lg::cli
