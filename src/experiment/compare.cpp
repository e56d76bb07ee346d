#include "experiment/compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <tuple>

#include "core/error.hpp"
#include "eval/measures.hpp"
#include "eval/thresholding.hpp"
#include "experiment/cell_store.hpp"
#include "io/score_reader.hpp"

namespace lg {
namespace fs = std::filesystem;

namespace {

std::optional<std::string> read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

nlohmann::json parse_json(const fs::path& file, const std::string& what) {
  const std::optional<std::string> text = read_text(file);
  if (!text) throw Error(file.string(), 0, fmt::format("cannot be opened ({})", what));
  try {
    return nlohmann::json::parse(*text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(file.string(), 0, fmt::format("is not valid JSON ({}): {}", what, e.what()));
  }
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

/// Lines of the TOML section `header` (e.g. "[split]") of a cell description, up to the next
/// top-level section; sub-tables ("[split.x]") stay in.
std::vector<std::string> section(const std::vector<std::string>& lines, const std::string& header) {
  std::vector<std::string> out;
  bool inside = false;
  const std::string prefix = header.substr(0, header.size() - 1) + ".";  // "[split."
  for (const std::string& raw : lines) {
    const std::size_t start = raw.find_first_not_of(" \t");
    const std::string line = start == std::string::npos ? "" : raw.substr(start);
    if (!line.empty() && line[0] == '[') {
      inside = line == header || line.rfind(prefix, 0) == 0;
      if (inside && line != header) out.push_back(line);
      continue;
    }
    if (inside && !line.empty()) out.push_back(line);
  }
  return out;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + '\n';
  return out;
}

/// The data and split of a cell, from the description its key hashes (cell_plan's cell_key
/// and the runner's config text).
std::pair<std::string, std::string> identity_of(const std::string& description) {
  const std::vector<std::string> lines = lines_of(description);
  std::string data;
  bool generated = false;
  for (const std::string& l : lines)
    if (l.rfind("data = ", 0) == 0) {
      data += l + '\n';
      generated = generated || l == "data = 'generated'";
    }
  if (generated) {
    for (const std::string& l : lines)
      if (l.rfind("generator_seed = ", 0) == 0) data += l + '\n';
    for (const std::string& l : section(lines, "[dataset]"))
      if (l.rfind("name = ", 0) != 0 && l.rfind("optional = ", 0) != 0) data += l + '\n';
  }
  return {data, join_lines(section(lines, "[split]"))};
}

/// runs/ and cells/ entries are matched on these.
using CellId = std::tuple<std::string, std::string, std::uint64_t, int>;

std::string get_string(const nlohmann::json& j, const char* key, const fs::path& file) {
  if (!j.contains(key) || !j[key].is_string())
    throw Error(file.string(), 0, fmt::format("expected a text field '{}'", key));
  return j[key].get<std::string>();
}

double get_number(const nlohmann::json& j, const char* key, const fs::path& file) {
  if (!j.contains(key) || !j[key].is_number())
    throw Error(file.string(), 0, fmt::format("expected a number field '{}'", key));
  return j[key].get<double>();
}

std::string renamed(const ResultFolder& folder, const std::string& label) {
  const auto it = folder.renames.find(label);
  return it == folder.renames.end() ? label : it->second;
}

}  // namespace

std::string first_difference(const std::string& a, const std::string& b, const std::string& a_name,
                             const std::string& b_name) {
  const std::vector<std::string> la = lines_of(a), lb = lines_of(b);
  for (std::size_t i = 0; i < std::max(la.size(), lb.size()); ++i) {
    const std::string x = i < la.size() ? la[i] : "(nothing)";
    const std::string y = i < lb.size() ? lb[i] : "(nothing)";
    if (x != y) return fmt::format("'{}' in {}, '{}' in {}", x, a_name, y, b_name);
  }
  return "no line differs";
}

void read_result_folder(const ResultFolder& folder, CompareSources& into) {
  const fs::path summary_file = folder.dir / "tables" / "summary.json";
  const fs::path manifest_file = folder.dir / "manifest.json";
  if (!fs::is_directory(folder.dir))
    throw Error(fmt::format("{}: not a folder (expected the output folder of labelgraph run)",
                            folder.name));
  if (!fs::exists(summary_file) || !fs::exists(manifest_file))
    throw Error(fmt::format("{}: not a labelgraph result folder ({} missing; labelgraph run "
                            "writes tables/summary.json and manifest.json)",
                            folder.name, fs::exists(summary_file) ? "manifest.json"
                                                                  : "tables/summary.json"));
  // Values: the run's own means over its folds and seeds.
  const nlohmann::json summary = parse_json(summary_file, "the run's summary");
  if (!summary.is_array()) throw Error(summary_file.string(), 0, "expected a list of rows");
  std::set<std::pair<std::string, std::string>> pairs;  // (data set, label in the folder)
  for (const nlohmann::json& row : summary) {
    CompareEntry e;
    e.dataset = get_string(row, "dataset", summary_file);
    const std::string label = get_string(row, "algorithm", summary_file);
    e.algorithm = renamed(folder, label);
    e.measure = get_string(row, "measure", summary_file);
    e.value.mean = get_number(row, "mean", summary_file);
    e.value.sd = get_number(row, "sd", summary_file);
    e.value.n = static_cast<Index>(get_number(row, "n", summary_file));
    e.source = folder.name;
    pairs.insert({e.dataset, label});
    into.entries.push_back(std::move(e));
  }
  for (const auto& [from, to] : folder.renames) {
    const bool used = std::any_of(pairs.begin(), pairs.end(),
                                  [&, f = from](const auto& p) { return p.second == f; });
    if (!used)
      throw Error(fmt::format("--rename {}:{}={}: {} has no algorithm labelled '{}'", folder.name,
                              from, to, folder.name, from));
  }

  // The run's cells: runs/ files the manifest lists (seed, fold, test rows, measures).
  const nlohmann::json manifest = parse_json(manifest_file, "the run's manifest");
  struct RunCell {
    std::int64_t test_rows = 0;
    std::map<std::string, double> measures;
  };
  std::map<CellId, RunCell> run_cells;
  if (manifest.contains("outputs") && manifest["outputs"].is_array())
    for (const nlohmann::json& out : manifest["outputs"]) {
      if (!out.is_string()) continue;
      const std::string rel = out.get<std::string>();
      if (rel.rfind("runs/", 0) != 0 || fs::path(rel).extension() != ".json") continue;
      const fs::path file = folder.dir / rel;
      const nlohmann::json j = parse_json(file, "a cell of the run");
      const auto number = [&](const char* key) {
        // cell_json writes numbers; accept their text too.
        if (j.contains(key) && j[key].is_string()) return std::stod(j[key].get<std::string>());
        return get_number(j, key, file);
      };
      RunCell c;
      c.test_rows = static_cast<std::int64_t>(number("test_rows"));
      if (j.contains("measures") && j["measures"].is_object())
        for (const auto& [name, value] : j["measures"].items())
          if (value.is_number()) c.measures[name] = value.get<double>();
      run_cells[{get_string(j, "dataset", file), get_string(j, "algorithm", file),
                 static_cast<std::uint64_t>(number("seed")), static_cast<int>(number("fold"))}] =
          std::move(c);
    }
  if (run_cells.empty())
    throw Error(manifest_file.string(), 0,
                "lists no runs/ files: cannot tell the run's seeds, folds and test rows");

  // Their records in cells/: the description gives the data and the split.
  std::map<CellId, std::pair<std::string, std::string>> described;
  const fs::path cells_dir = folder.dir / "cells";
  if (fs::is_directory(cells_dir))
    for (const fs::directory_entry& entry : fs::directory_iterator(cells_dir)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
      const std::optional<std::string> text = read_text(entry.path());
      if (!text) continue;
      std::string description;
      CellResult cell;
      try {
        cell = cell_from_record(*text, "", entry.path().string());
        description = nlohmann::json::parse(*text).at("description").get<std::string>();
      } catch (const std::exception&) {
        continue;  // damaged: a rerun would redo it; the runs/ files still give the split
      }
      const CellId id{cell.dataset, cell.algorithm, cell.seed, cell.fold};
      const auto run = run_cells.find(id);
      if (run == run_cells.end()) continue;
      // Same measures: this record is the run's cell, not one left by an earlier config.
      bool same = true;
      for (const eval::MeasureValue& m : cell.evaluation.measures) {
        const auto it = run->second.measures.find(m.name);
        same = same && it != run->second.measures.end() && it->second == m.value;
      }
      if (same) described[id] = identity_of(description);
    }

  // One identity per data set; the folder must agree with itself.
  std::map<std::string, DatasetIdentity> identities;
  bool unverified = false;
  for (const auto& [id, cell] : run_cells) {
    const std::string& dataset = std::get<0>(id);
    DatasetIdentity& ident = identities[dataset];
    const bool first = ident.dataset.empty();
    ident.dataset = dataset;
    ident.source = folder.name;
    const auto d = described.find(id);
    if (d == described.end()) {
      unverified = true;
    } else if (first || (ident.data.empty() && ident.split.empty())) {
      ident.data = d->second.first;
      ident.split = d->second.second;
    } else if (ident.data != d->second.first || ident.split != d->second.second) {
      throw Error(fmt::format("{}: the cells of data set '{}' disagree about its data or split "
                              "({}): the folder mixes runs of different configs",
                              folder.name, dataset,
                              ident.data != d->second.first
                                  ? first_difference(ident.data, d->second.first, "one cell",
                                                     "another")
                                  : first_difference(ident.split, d->second.second, "one cell",
                                                     "another")));
    }
    const std::pair<std::uint64_t, int> seed_fold{std::get<2>(id), std::get<3>(id)};
    const auto [it, inserted] = ident.test_rows.emplace(seed_fold, cell.test_rows);
    if (!inserted && it->second != cell.test_rows)
      throw Error(fmt::format("{}: data set '{}', seed {} fold {} has {} test rows for one "
                              "algorithm and {} for another",
                              folder.name, dataset, seed_fold.first, seed_fold.second, it->second,
                              cell.test_rows));
  }
  if (unverified)
    into.notes.push_back(fmt::format("{}: some cells have no record in cells/ (an older run?): "
                                     "their data checksum is not known; seeds, folds and test "
                                     "rows are still compared",
                                     folder.name));
  for (auto& [name, ident] : identities) into.identities.push_back(std::move(ident));
}

void score_predictions(const std::vector<PredictionSource>& predictions,
                       const std::map<std::string, std::string>& truth,
                       const PredictionScoring& scoring, CompareSources& into) {
  const eval::ThresholdSpec spec = eval::parse_threshold_spec(scoring.threshold);
  if (spec.kind == eval::ThresholdSpec::Kind::SCut || spec.kind == eval::ThresholdSpec::Kind::PCut)
    throw Error(fmt::format("--threshold {}: compare scores prediction files with thresholds "
                            "that need nothing but the scores (fixed:T, rcut:K, mcut); "
                            "threshold with labelgraph eval and give its 0/1 predictions",
                            spec.to_string()));
  eval::MeasureOptions options;
  options.zero_division = eval::parse_zero_division(scoring.zero_division);
  options.threads = scoring.threads;
  for (const auto& [dataset, file] : truth)
    if (std::none_of(predictions.begin(), predictions.end(),
                     [&, d = dataset](const PredictionSource& p) { return p.dataset == d; }))
      throw Error(fmt::format("--truth {}={}: no --predictions of data set '{}'", dataset, file,
                              dataset));
  std::map<std::string, TruthFile> truths;
  for (const PredictionSource& p : predictions) {
    const auto t = truth.find(p.dataset);
    if (t == truth.end())
      throw Error(fmt::format("--predictions {}:{}={}: no --truth for data set '{}' (give "
                              "--truth {}=FILE)",
                              p.algorithm, p.dataset, p.scores, p.dataset, p.dataset));
    auto found = truths.find(p.dataset);
    if (found == truths.end()) found = truths.emplace(p.dataset, read_truth_matrix(t->second)).first;
    const LabelMatrix& y = found->second.labels;
    ScoreFile scores = read_score_matrix(p.scores, {}, true);
    const bool f32 = scores.float32;
    const Index rows = f32 ? scores.scores_float32.rows() : scores.scores.rows();
    const Index cols = f32 ? scores.scores_float32.cols() : scores.scores.cols();
    if (rows != y.rows() || cols != y.cols())
      throw Error(p.scores, 0,
                  fmt::format("has {} rows x {} columns, but the truth {} has {} x {}: scores "
                              "and truth must have the same shape",
                              rows, cols, t->second, y.rows(), y.cols()));
    const eval::Thresholds fitted = eval::fit_thresholds(spec, y.cols());
    const eval::EvaluationResult result =
        f32 ? eval::evaluate(y, scores.scores_float32,
                             eval::apply_thresholds(fitted, scores.scores_float32), options)
            : eval::evaluate(y, scores.scores, eval::apply_thresholds(fitted, scores.scores),
                             options);
    for (const eval::MeasureValue& m : result.measures) {
      CompareEntry e;
      e.dataset = p.dataset;
      e.algorithm = p.algorithm;
      e.measure = m.name;
      e.value = eval::mean_sd({m.value});
      e.source = p.scores;
      into.entries.push_back(std::move(e));
    }
    DatasetIdentity ident;
    ident.dataset = p.dataset;
    ident.source = p.scores;
    ident.test_rows[{0, 0}] = y.rows();
    ident.one_test_set = true;
    into.identities.push_back(std::move(ident));
  }
  if (!predictions.empty())
    into.notes.push_back(fmt::format("prediction files are scored at threshold {} (zero_division "
                                     "{}); their data is known only by the truth's rows",
                                     spec.to_string(), scoring.zero_division));
}

void read_values_file(const fs::path& file, CompareSources& into) {
  const auto add = [&](std::string dataset, std::string algorithm, std::string measure,
                       double mean, double sd, double n, std::size_t line) {
    if (!std::isfinite(mean) || !std::isfinite(sd) || sd < 0 || !(n >= 1) || n != std::floor(n))
      throw Error(file.string(), line,
                  "expected a finite mean, sd >= 0 and a whole n >= 1");
    CompareEntry e;
    e.dataset = std::move(dataset);
    e.algorithm = std::move(algorithm);
    e.measure = std::move(measure);
    e.value.mean = mean;
    e.value.sd = sd;
    e.value.n = static_cast<Index>(n);
    e.source = file.string();
    into.entries.push_back(std::move(e));
  };
  if (file.extension() == ".json") {
    const nlohmann::json rows = parse_json(file, "values");
    if (!rows.is_array()) throw Error(file.string(), 0, "expected a list of rows");
    for (const nlohmann::json& r : rows)
      add(get_string(r, "dataset", file), get_string(r, "algorithm", file),
          get_string(r, "measure", file), get_number(r, "mean", file),
          r.contains("sd") ? get_number(r, "sd", file) : 0.0,
          r.contains("n") ? get_number(r, "n", file) : 1.0, 0);
  } else {
    const std::optional<std::string> text = read_text(file);
    if (!text) throw Error(file.string(), 0, "cannot be opened (values)");
    const std::vector<std::string> lines = lines_of(*text);
    const auto cells = [&](std::string line, std::size_t number) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.find('"') != std::string::npos)
        throw Error(file.string(), number, "quoted fields are not supported: write names "
                                           "without commas or quotes");
      std::vector<std::string> out;
      std::string cell;
      for (char c : line + ',') {
        if (c == ',') {
          const std::size_t b = cell.find_first_not_of(" \t"), e = cell.find_last_not_of(" \t");
          out.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
          cell.clear();
        } else {
          cell += c;
        }
      }
      return out;
    };
    if (lines.empty()) throw Error(file.string(), 0, "is empty: expected a header row");
    const std::vector<std::string> header = cells(lines[0], 1);
    const auto column = [&](const std::string& name, bool required) -> std::ptrdiff_t {
      const auto it = std::find(header.begin(), header.end(), name);
      if (it == header.end()) {
        if (required)
          throw Error(file.string(), 1,
                      fmt::format("the header has no column '{}' (expected dataset, algorithm, "
                                  "measure, mean and optionally sd, n)",
                                  name));
        return -1;
      }
      return it - header.begin();
    };
    const std::ptrdiff_t cd = column("dataset", true), ca = column("algorithm", true),
                         cm = column("measure", true), cmean = column("mean", true),
                         csd = column("sd", false), cn = column("n", false);
    for (std::size_t i = 1; i < lines.size(); ++i) {
      if (lines[i].find_first_not_of(" \t\r") == std::string::npos) continue;
      const std::vector<std::string> row = cells(lines[i], i + 1);
      if (row.size() != header.size())
        throw Error(file.string(), i + 1,
                    fmt::format("has {} fields, the header {}", row.size(), header.size()));
      const auto number = [&](std::ptrdiff_t c, double fallback) {
        if (c < 0 || row[static_cast<std::size_t>(c)].empty()) return fallback;
        const std::string& s = row[static_cast<std::size_t>(c)];
        std::size_t used = 0;
        double v = 0;
        try {
          v = std::stod(s, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        if (used != s.size())
          throw Error(file.string(), i + 1,
                      fmt::format("'{}' in column '{}' is not a number", s,
                                  header[static_cast<std::size_t>(c)]));
        return v;
      };
      const auto text_at = [&](std::ptrdiff_t c) {
        const std::string& s = row[static_cast<std::size_t>(c)];
        if (s.empty())
          throw Error(file.string(), i + 1,
                      fmt::format("column '{}' is empty", header[static_cast<std::size_t>(c)]));
        return s;
      };
      add(text_at(cd), text_at(ca), text_at(cm), number(cmean, NAN), number(csd, 0.0),
          number(cn, 1.0), i + 1);
    }
  }
  into.notes.push_back(fmt::format("{}: published values, their data and split are not checked",
                                   file.string()));
}

void check_sources(const CompareSources& sources) {
  // The same algorithm on the same data set from two sources.
  std::map<std::pair<std::string, std::string>, std::string> owner;
  for (const CompareEntry& e : sources.entries) {
    const auto [it, inserted] = owner.emplace(std::make_pair(e.dataset, e.algorithm), e.source);
    if (!inserted && it->second != e.source)
      throw Error(fmt::format("algorithm '{}' on data set '{}' comes from both {} and {}: "
                              "rename one (--rename {}:{}=NEW_LABEL for a result folder, "
                              "another ALGORITHM in --predictions ALGORITHM:DATASET=FILE)",
                              e.algorithm, e.dataset, it->second, e.source, e.source,
                              e.algorithm));
  }
  // Data and split of each data set agree between every two sources that have them.
  for (std::size_t i = 0; i < sources.identities.size(); ++i)
    for (std::size_t j = i + 1; j < sources.identities.size(); ++j) {
      const DatasetIdentity& a = sources.identities[i];
      const DatasetIdentity& b = sources.identities[j];
      if (a.dataset != b.dataset || a.source == b.source) continue;
      const std::string where =
          fmt::format("data set '{}' differs between {} and {}", a.dataset, a.source, b.source);
      if (!a.data.empty() && !b.data.empty() && a.data != b.data)
        throw Error(fmt::format("{}: different data checksums ({}); compare results on the same "
                                "data",
                                where, first_difference(a.data, b.data, a.source, b.source)));
      if (!a.split.empty() && !b.split.empty() && a.split != b.split)
        throw Error(fmt::format("{}: different splits ({}); compare results of the same split",
                                where, first_difference(a.split, b.split, a.source, b.source)));
      const auto describe = [](const DatasetIdentity& d) {
        if (d.one_test_set)
          return fmt::format("one test set of {} rows", d.test_rows.begin()->second);
        std::string s;
        for (const auto& [sf, rows] : d.test_rows)
          s += fmt::format("{}seed {} fold {}: {} test rows", s.empty() ? "" : ", ", sf.first,
                           sf.second, rows);
        return s;
      };
      bool same;
      if (a.one_test_set || b.one_test_set) {
        same = a.test_rows.size() == 1 && b.test_rows.size() == 1 &&
               a.test_rows.begin()->second == b.test_rows.begin()->second;
      } else {
        same = a.test_rows == b.test_rows;
      }
      if (!same)
        throw Error(fmt::format("{}: different splits ({} in {}; {} in {}); compare results of "
                                "the same split",
                                where, describe(a), a.source, describe(b), b.source));
    }
}

namespace {

std::vector<std::string> first_seen(const CompareSources& s, bool datasets) {
  std::vector<std::string> out;
  for (const CompareEntry& e : s.entries) {
    const std::string& name = datasets ? e.dataset : e.algorithm;
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  }
  return out;
}

void check_known(const std::vector<std::string>& asked, const std::vector<std::string>& known,
                 const char* what) {
  for (const std::string& name : asked)
    if (std::find(known.begin(), known.end(), name) == known.end())
      throw Error(fmt::format("no {} '{}' in the results (they have: {})", what, name,
                              fmt::join(known, ", ")));
}

}  // namespace

MeasureGrid measure_grid(const CompareSources& sources, const std::string& measure,
                         const std::vector<std::string>& datasets,
                         const std::vector<std::string>& algorithms) {
  MeasureGrid g;
  g.measure = measure;
  const std::vector<std::string> all_d = first_seen(sources, true), all_a = first_seen(sources, false);
  check_known(datasets, all_d, "data set");
  check_known(algorithms, all_a, "algorithm");
  g.datasets = datasets.empty() ? all_d : datasets;
  g.algorithms = algorithms.empty() ? all_a : algorithms;
  std::map<std::tuple<std::string, std::string>, const CompareEntry*> at;
  std::map<std::tuple<std::string, std::string>, std::string> source_of;
  for (const CompareEntry& e : sources.entries) {
    source_of[{e.dataset, e.algorithm}] = e.source;
    if (e.measure == measure) at[{e.dataset, e.algorithm}] = &e;
  }
  for (const std::string& d : g.datasets) {
    auto& row = g.values.emplace_back();
    for (const std::string& a : g.algorithms) {
      const auto it = at.find({d, a});
      if (it != at.end()) {
        row.push_back(it->second->value);
        continue;
      }
      const auto src = source_of.find({d, a});
      if (src != source_of.end())
        throw Error(fmt::format("{}: algorithm '{}' on data set '{}' has no value of '{}' (choose "
                                "measures all results have with --measures)",
                                src->second, a, d, measure));
      std::vector<std::string> sets_of_a, algorithms_of_d;
      for (const auto& [pair, src_name] : source_of) {
        if (std::get<1>(pair) == a) sets_of_a.push_back(std::get<0>(pair));
        if (std::get<0>(pair) == d) algorithms_of_d.push_back(std::get<1>(pair));
      }
      throw Error(fmt::format("algorithm '{}' has no results on data set '{}' ('{}' has {}; "
                              "'{}' has {}): the comparison needs every algorithm on every data "
                              "set (choose with --datasets / --algorithms; results on disjoint "
                              "data sets are compared separately)",
                              a, d, a, fmt::join(sets_of_a, ", "), d,
                              fmt::join(algorithms_of_d, ", ")));
    }
  }
  return g;
}

std::vector<std::string> common_measures(const CompareSources& sources,
                                         const std::vector<std::string>& datasets,
                                         const std::vector<std::string>& algorithms) {
  std::map<std::string, std::set<std::pair<std::string, std::string>>> pairs_of;
  std::set<std::pair<std::string, std::string>> pairs;
  const auto wanted = [](const std::vector<std::string>& list, const std::string& name) {
    return list.empty() || std::find(list.begin(), list.end(), name) != list.end();
  };
  for (const CompareEntry& e : sources.entries) {
    if (!wanted(datasets, e.dataset) || !wanted(algorithms, e.algorithm)) continue;
    pairs.insert({e.dataset, e.algorithm});
    pairs_of[e.measure].insert({e.dataset, e.algorithm});
  }
  std::vector<std::string> out;
  for (const std::string& m : eval::measure_names()) {
    const auto it = pairs_of.find(m);
    if (it != pairs_of.end() && it->second == pairs) out.push_back(m);
  }
  for (const auto& [m, p] : pairs_of)
    if (p == pairs && std::find(out.begin(), out.end(), m) == out.end()) out.push_back(m);
  return out;
}

}  // namespace lg
