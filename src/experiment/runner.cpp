#include "experiment/runner.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/progress.hpp"
#include "data/resampling.hpp"
#include "data/split.hpp"
#include "data/standardize.hpp"
#include "experiment/results.hpp"
#include "graph/build_label_graph.hpp"
#include "graph/communities.hpp"
#include "graph/graph_render.hpp"
#include "graph/label_figure.hpp"
#include "io/arff_writer.hpp"
#include "io/catalog.hpp"
#include "io/image_readers.hpp"
#include "io/read_dataset.hpp"
#include "models/registry.hpp"
#include "report/stats_report.hpp"
#include "report/table.hpp"
#include "report/training_history.hpp"

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

/// A data set and where its files' own train/test split lies.
struct LoadedData {
  Dataset data;
  Index given_train_rows = 0;  ///< rows of the first file when there are several, else 0
};

/// `train`'s rows followed by `test`'s, as one image set (the sources' own split).
ImageDataset train_then_test(ImageDataset train, const ImageDataset& test, Index& train_rows) {
  if (train.label_names != test.label_names)
    throw Error(fmt::format("the training and test images of '{}' name different labels", train.name));
  train_rows = train.rows();
  train.files.insert(train.files.end(), test.files.begin(), test.files.end());
  const auto stack = [](const LabelMatrix& top, const LabelMatrix& bottom) {
    if (top.size() == 0 && bottom.size() == 0) return LabelMatrix();
    LabelMatrix both(top.rows() + bottom.rows(), top.cols());
    both << top, bottom;
    return both;
  };
  train.labels = stack(train.labels, test.labels);
  train.difficult = stack(train.difficult, test.difficult);
  for (const std::string& n : test.notes) train.notes.push_back("test: " + n);
  return train;
}

/// VOC 2007's trainval rows followed by its test rows.
ImageDataset read_voc2007_trainval_test(const fs::path& root, Index& train_rows) {
  ImageDataset out = train_then_test(read_voc2007(root, "trainval"), read_voc2007(root, "test"), train_rows);
  out.notes.push_back("labels present only through objects marked difficult count as positives "
                      "in training and are left out of mAP / AUC in evaluation (ML-GCN's CP..OF1 "
                      "count them as negatives), as the ML-GCN reference does");
  return out;
}

/// MS-COCO 2014 as the ML-GCN reference uses it: train2014 for training, val2014 for testing,
/// images without annotations left out (counted in the notes).
ImageDataset read_coco2014_train_val(const fs::path& root, Index& train_rows) {
  CocoOptions options;
  options.keep_unannotated = false;
  const auto part = [&](const std::string& split) {
    return read_coco(root / "annotations" / ("instances_" + split + ".json"), root / split, options);
  };
  return train_then_test(part("train2014"), part("val2014"), train_rows);
}

/// A data-set root from the config: the path, or the value of "env:VAR". Returns "" when an
/// optional set's variable is unset (`note` says so); throws when a required one's is.
std::string resolve_root(const DatasetConfig& cfg, const std::string& root, const char* what,
                         const char* expected, std::string& note) {
  if (root.rfind("env:", 0) != 0) return root;
  const std::string variable = root.substr(4);
  const char* value = std::getenv(variable.c_str());
  if (value && *value) return value;
  if (!cfg.optional)
    throw Error(fmt::format("data set '{}': set {} to the {} folder ({})", cfg.name, variable, what,
                            expected));
  note = fmt::format("skipped: the environment variable {} (the {} folder) is not set", variable, what);
  return "";
}

/// Read or generate an image data set; returns false when an optional one is absent.
bool obtain_image_dataset(const DatasetConfig& cfg, const Context& ctx, ExperimentResult& result,
                          LoadedData& loaded, std::string& note) {
  std::shared_ptr<ImageDataset> images;
  if (cfg.generator == "scenes") {
    images = std::make_shared<ImageDataset>(generate_scenes(cfg.scenes, ctx.seed, ctx.resolved_threads()));
    note = fmt::format("generated scenes (seed {}, {}x{} pixels); `labelgraph synth-images --kind "
                       "scenes --seed {} --rows {} --size {} --kinds {}` writes the same images",
                       ctx.seed, cfg.scenes.size, cfg.scenes.size, ctx.seed, cfg.scenes.rows,
                       cfg.scenes.size, cfg.scenes.kinds);
  } else if (cfg.generator == "mosaics") {
    images = std::make_shared<ImageDataset>(generate_mosaics(cfg.mosaics, ctx.seed, ctx.resolved_threads()));
    note = fmt::format("Fashion-MNIST mosaics (seed {}, {}x{} tiles from {}); `labelgraph "
                       "synth-images --kind mosaics --seed {} --rows {} --grid {}` writes the same "
                       "images", ctx.seed, cfg.mosaics.grid, cfg.mosaics.grid,
                       cfg.mosaics.source_dir.string(), ctx.seed, cfg.mosaics.rows, cfg.mosaics.grid);
  } else if (!cfg.images.empty()) {
    if (cfg.optional && !(fs::exists(cfg.images) && fs::exists(cfg.labels_csv))) {
      note = fmt::format("skipped: {} not found", fs::exists(cfg.images) ? cfg.labels_csv.string()
                                                                         : cfg.images.string());
      return false;
    }
    images = std::make_shared<ImageDataset>(read_image_folder(cfg.images, cfg.labels_csv));
    result.inputs.push_back(fmt::format("{} sha256:{}", cfg.labels_csv.string(), sha256_file(cfg.labels_csv.string())));
    note = fmt::format("{} images in {}, labels from {}", images->rows(), cfg.images.string(),
                       cfg.labels_csv.string());
  } else {
    const bool voc = !cfg.voc2007.empty();
    const std::string root =
        voc ? resolve_root(cfg, cfg.voc2007, "VOC 2007", "VOCdevkit/VOC2007", note)
            : resolve_root(cfg, cfg.coco2014, "MS-COCO 2014",
                           "annotations/instances_{train,val}2014.json, train2014/, val2014/", note);
    if (root.empty()) return false;
    if (cfg.optional && !fs::exists(root)) {
      note = fmt::format("skipped: {} not found", root);
      return false;
    }
    Index& train_rows = loaded.given_train_rows;
    images = std::make_shared<ImageDataset>(voc ? read_voc2007_trainval_test(root, train_rows)
                                                : read_coco2014_train_val(root, train_rows));
    note = fmt::format("{} from {}: {} {} + {} {} images", voc ? "VOC 2007" : "MS-COCO 2014", root,
                       train_rows, voc ? "trainval" : "train2014", images->rows() - train_rows,
                       voc ? "test" : "val2014");
  }
  images->name = cfg.name;
  loaded.data = as_dataset(std::move(images));
  return true;
}

/// Generate or read one data set; returns false when an optional one is absent.
bool obtain_dataset(const DatasetConfig& cfg, const Context& ctx, ExperimentResult& result,
                    LoadedData& loaded, std::string& note) {
  if (cfg.is_image_set()) return obtain_image_dataset(cfg, ctx, result, loaded, note);
  if (cfg.generator == "synthetic") {
    loaded.data = make_synthetic(cfg.synthetic, ctx.seed);
    loaded.data.name = cfg.name;
    const fs::path file = fs::path("data") / (cfg.name + ".arff");
    create_output_folder(result.output_dir / "data");
    write_arff(loaded.data, result.output_dir / file);
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
  std::vector<Index> part_rows;
  loaded.data = load_inputs(inputs, cfg.read, &part_rows);
  if (part_rows.size() >= 2) loaded.given_train_rows = part_rows.front();
  for (const std::string& src : loaded.data.sources)
    result.inputs.push_back(fmt::format("{} sha256:{}", src, sha256_file(src)));
  note = fmt::format("read from {}", fmt::join(loaded.data.sources, " + "));
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

void write_output(ExperimentResult& result, const fs::path& rel, const std::string& content) {
  write_file_atomically(result.output_dir / rel, content);
  result.outputs.push_back(rel.string());
}

/// A name usable as a file name: anything but letters, digits, '.', '-' and '_' becomes '_'.
std::string file_stem(const std::string& name) {
  std::string out = name;
  for (char& c : out)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_')) c = '_';
  return out;
}

/// The train/test folds of one seed.
std::vector<Fold> make_folds(const DatasetConfig& cfg, const SplitSpec& spec,
                             const LoadedData& loaded, std::uint64_t seed,
                             const std::string& file) {
  if (spec.method == "given") {
    if (loaded.given_train_rows == 0)
      throw Error(file, cfg.line,
                  fmt::format("data set '{}' has no train/test files of its own, so split method "
                              "\"given\" cannot apply: set [split] method (or [datasets.split]) "
                              "to holdout, kfold or iterative",
                              cfg.name));
    Fold f;
    for (Index i = 0; i < loaded.data.rows(); ++i)
      (i < loaded.given_train_rows ? f.train : f.test).push_back(i);
    return {f};
  }
  return folds_from_assignment(assign_folds(loaded.data.labels, spec, seed), fold_count(spec));
}

/// graphs/<dataset>.<format>: the label graph of a training fold.
void draw_graph(const ExperimentConfig& config, const DatasetConfig& cfg, const Dataset& train,
                const Context& ctx, ExperimentResult& result) {
  const GraphConfig& g = config.graph;
  const graph::BuiltLabelGraph built =
      graph::build_label_graph(train.labels, train.label_names, g.spec, ctx);
  graph::LabelGraph lg_graph = built.label_graph();
  std::optional<graph::Communities> communities;
  if (g.communities) {
    graph::CommunityOptions options;
    options.seed = config.seed;
    communities = graph::detect_communities(lg_graph, options);
    lg_graph.set_communities(communities->membership);
  }
  graph::FigureOptions options;
  options.prune_by_default = g.spec.top_k == 0;
  options.title = fmt::format("{}: training labels ({} rows)", cfg.name, train.rows());
  const graph::PreparedFigure plan = graph::prepare_figure(built.stats, g.spec, lg_graph, communities, options);
  const fs::path rel = fs::path("graphs") / (file_stem(cfg.name) + "." + g.format);
  graph::render_figure(plan.pruned ? *plan.pruned : lg_graph, plan.style, result.output_dir / rel);
  result.outputs.push_back(rel.string());
}

/// Whether a registered model reads images itself (a CNN backbone).
bool reads_images(const std::string& algorithm) {
  const models::ModelEntry* entry = models::find_model(algorithm);
  return entry != nullptr && entry->reads_images;
}

/// The registered models that read images, for messages ("cnn-br or mlgcn").
std::string image_model_names() {
  std::vector<std::string> names;
  for (const std::string& name : models::model_names())
    if (reads_images(name)) names.push_back(name);
  return names.empty() ? std::string("an image model (the neural models are not available)") : fmt::format("{}", fmt::join(names, " or "));
}

/// Every seed × fold × algorithm of one data set.
std::vector<CellResult> evaluate_dataset(const ExperimentConfig& config, const DatasetConfig& cfg,
                                         const LoadedData& loaded, const Context& ctx,
                                         ProgressBar& progress, ExperimentResult& result) {
  const SplitSpec spec = cfg.split ? *cfg.split : config.split;
  const std::string file = config.source.string();
  std::vector<CellResult> cells;
  bool graph_drawn = false;
  for (const std::uint64_t seed : config.seeds) {
    const std::vector<Fold> folds = make_folds(cfg, spec, loaded, seed, file);
    for (std::size_t f = 0; f < folds.size(); ++f) {
      Dataset train = select_rows(loaded.data, folds[f].train);
      Dataset test = select_rows(loaded.data, folds[f].test);
      if (config.graph.enabled && !graph_drawn) {
        draw_graph(config, cfg, train, ctx, result);  // before resampling: the data's own graph
        graph_drawn = true;
      }
      if (config.preprocess.standardize && train.num_features() > 0) {
        const Standardizer scaler = Standardizer::fit(train);
        scaler.apply(train);
        scaler.apply(test);
      }
      std::vector<std::string> fold_notes;
      if (config.resampling.method != "none") {
        const std::size_t before = train.notes.size();
        train = resample(train, config.resampling, seed);
        fold_notes.assign(train.notes.begin() + static_cast<std::ptrdiff_t>(before),
                          train.notes.end());
      }
      Context cell_ctx = ctx;
      cell_ctx.seed = seed;
      // Networks whose features other algorithms use, and those features (this fold only).
      std::map<std::string, models::ModelPtr> networks;
      std::map<std::string, std::pair<Dataset, Dataset>> learned;
      for (const AlgorithmConfig& algorithm : config.algorithms) {
        progress.status(fmt::format("{} · {} · seed {} · fold {}/{}", cfg.name, algorithm.label,
                                    seed, f + 1, folds.size()));
        CellResult cell;
        if (!algorithm.features.empty()) {
          auto it = learned.find(algorithm.features);
          if (it == learned.end()) {
            const models::Model& network = *networks.at(algorithm.features);
            std::pair<Dataset, Dataset> sets{network.learned_features(train, cell_ctx),
                                             network.learned_features(test, cell_ctx)};
            if (config.preprocess.standardize) {
              const Standardizer scaler = Standardizer::fit(sets.first);
              scaler.apply(sets.first);
              scaler.apply(sets.second);
            }
            it = learned.emplace(algorithm.features, std::move(sets)).first;
          }
          cell = run_cell(algorithm, it->second.first, it->second.second, config, cell_ctx);
          cell.notes.insert(cell.notes.begin(),
                            fmt::format("fitted on the {} features of {}'s trained network",
                                        it->second.first.num_features(), algorithm.features));
        } else {
          if (train.has_images() && !reads_images(algorithm.name))
            throw Error(file, algorithm.line,
                        fmt::format("'{}' cannot read the images of '{}': add features = "
                                    "\"<label of a {} algorithm before it>\" to fit "
                                    "it on that network's pooled features",
                                    algorithm.label, cfg.name, image_model_names()));
          const bool keep = std::any_of(config.algorithms.begin(), config.algorithms.end(),
                                        [&](const AlgorithmConfig& o) { return o.features == algorithm.label; });
          cell = run_cell(algorithm, train, test, config, cell_ctx, keep ? &networks[algorithm.label] : nullptr);
        }
        cell.notes.insert(cell.notes.begin(), fold_notes.begin(), fold_notes.end());
        cell.dataset = cfg.name;
        cell.fold = static_cast<int>(f);
        write_output(result,
                     fs::path("runs") / file_stem(cfg.name) /
                         fmt::format("{}-seed{}-fold{}.json", file_stem(algorithm.label), seed, f),
                     cell_json(cell));
        if (cell.history) {
          const fs::path stem = fs::path("histories") / file_stem(cfg.name) /
                                fmt::format("{}-seed{}-fold{}", file_stem(algorithm.label), seed, f);
          write_output(result, stem.string() + ".csv",
                       report::render(report::history_table(*cell.history), report::TableFormat::Csv));
          const fs::path figure = stem.string() + ".svg";
          report::write_history_figure(
              *cell.history,
              fmt::format("{} on {} (seed {}, fold {})", algorithm.label, cfg.name, seed, f),
              result.output_dir / figure);
          result.outputs.push_back(figure.string());
        }
        cells.push_back(std::move(cell));
        progress.advance();
      }
    }
  }
  write_tables(label_table(cells), result.output_dir, file_stem(cfg.name) + "-labels", result);
  write_tables(bucket_table(cells), result.output_dir, file_stem(cfg.name) + "-buckets", result);
  if (!config.evaluation.baseline.empty())
    write_tables(baseline_table(cells, config.evaluation.baseline), result.output_dir,
                 file_stem(cfg.name) + "-vs-baseline", result);
  // Sizes and timings: outside tables/, whose files are byte-identical for a config and seed.
  const report::Table costs = cost_table(cells);
  for (const auto& [format, ext] : {std::pair{report::TableFormat::Markdown, ".md"},
                                    std::pair{report::TableFormat::Csv, ".csv"}})
    write_output(result, fs::path("timings") / (file_stem(cfg.name) + "-costs" + ext),
                 report::render(costs, format));
  return cells;
}

/// Cells per data set, for the progress bar's total.
std::uint64_t planned_cells(const ExperimentConfig& config, const DatasetConfig& cfg) {
  const SplitSpec& spec = cfg.split ? *cfg.split : config.split;
  const int folds = spec.method == "given" ? 1 : fold_count(spec);
  return static_cast<std::uint64_t>(folds) * config.seeds.size() *
         config.algorithms.size();
}

/// Summary over data sets, and ranks / significance / CD diagrams when they mean something.
void write_comparison(const ExperimentConfig& config, ExperimentResult& result) {
  const std::vector<report::ComparisonCell> cells = comparison_cells(result.cells);
  report::ComparisonOptions options;
  options.measures =
      config.evaluation.measures.empty() ? default_summary_measures() : config.evaluation.measures;
  // Measures a method cannot produce (none today: every model gives scores) would leave gaps.
  const report::Table summary = report::summary_table(cells, options);
  const std::pair<report::TableFormat, const char*> formats[] = {
      {report::TableFormat::Markdown, ".md"}, {report::TableFormat::Csv, ".csv"},
      {report::TableFormat::Latex, ".tex"}};
  for (const auto& [format, ext] : formats)
    write_output(result, fs::path("tables") / (std::string("summary") + ext),
                 report::render(summary, format));
  write_output(result, "tables/summary.json", summary_json(cells, options.measures));
  result.summary_text += "\n" + report::to_text(summary);

  std::size_t datasets = 0;
  for (const DatasetOutcome& o : result.datasets) datasets += !o.skipped;
  if (datasets < 2 || config.algorithms.size() < 2) return;
  write_tables(report::rank_table(cells, options), result.output_dir, "ranks", result);
  write_tables(report::significance_table(cells, options), result.output_dir, "significance",
               result);
  for (const char* measure : {"micro_f1", "mAP"}) {
    if (std::find(options.measures.begin(), options.measures.end(), measure) ==
        options.measures.end())
      continue;
    const fs::path rel = fs::path("figures") / fmt::format("cd-{}.svg", measure);
    create_output_folder(result.output_dir / "figures");
    report::write_cd_diagram(report::cd_diagram_for(cells, measure, options),
                             result.output_dir / rel);
    result.outputs.push_back(rel.string());
  }
}

}  // namespace

ExperimentFold experiment_fold(const ExperimentConfig& config, const DatasetConfig& cfg,
                               const Context& ctx) {
  ExperimentResult scratch;
  scratch.output_dir = ctx.output_dir.empty() ? config.output : ctx.output_dir;
  DatasetConfig required = cfg;
  required.optional = false;  // absent files are an error here, naming what is missing
  LoadedData loaded;
  ExperimentFold out;
  obtain_dataset(required, ctx, scratch, loaded, out.note);
  const SplitSpec& spec = cfg.split ? *cfg.split : config.split;
  const std::vector<Fold> folds =
      make_folds(cfg, spec, loaded, ctx.seed, config.source.string());
  out.train = select_rows(loaded.data, folds.front().train);
  out.test = select_rows(loaded.data, folds.front().test);
  out.inputs = scratch.inputs;
  return out;
}

ExperimentResult run_experiment(const ExperimentConfig& config, const Context& ctx) {
  const auto start = std::chrono::steady_clock::now();
  ExperimentResult result;
  result.output_dir = ctx.output_dir.empty() ? config.output : ctx.output_dir;
  create_output_folder(result.output_dir);

  std::uint64_t total = 0;
  for (const DatasetConfig& cfg : config.datasets) total += planned_cells(config, cfg);
  const bool evaluating = !config.algorithms.empty();
  ProgressBar progress(evaluating ? "cells" : "data sets", evaluating ? total : config.datasets.size());

  std::vector<std::string> names;
  std::vector<DatasetStats> all_stats;
  std::string per_dataset_text;
  for (const DatasetConfig& cfg : config.datasets) {
    progress.status(cfg.name);
    DatasetOutcome outcome;
    outcome.name = cfg.name;
    LoadedData loaded;
    if (!obtain_dataset(cfg, ctx, result, loaded, outcome.note)) {
      outcome.skipped = true;
      result.datasets.push_back(std::move(outcome));
      progress.advance(evaluating ? planned_cells(config, cfg) : 1);
      continue;
    }
    outcome.stats = compute_stats(loaded.data);
    const std::string stem = file_stem(cfg.name);
    write_output(result, fs::path("tables") / (stem + "-stats.json"),
                 report::stats_json(outcome.stats));
    write_tables(report::stats_label_table(outcome.stats), result.output_dir,
                 stem + "-label-stats", result);
    names.push_back(cfg.name);
    all_stats.push_back(outcome.stats);
    per_dataset_text += fmt::format("\n{} — {}\n", cfg.name, outcome.note);
    if (!evaluating) per_dataset_text += report::to_text(report::stats_label_table(outcome.stats));
    result.datasets.push_back(std::move(outcome));
    if (evaluating) {
      std::vector<CellResult> cells = evaluate_dataset(config, cfg, loaded, ctx, progress, result);
      for (CellResult& c : cells) result.cells.push_back(std::move(c));
    } else {
      progress.advance();
    }
  }
  progress.finish();

  const report::Table comparison = report::stats_comparison_table(names, all_stats);
  write_tables(comparison, result.output_dir, "datasets", result);
  result.summary_text = report::to_text(comparison) + per_dataset_text;
  if (evaluating && !result.cells.empty()) write_comparison(config, result);
  std::string skipped;
  for (const DatasetOutcome& o : result.datasets)
    if (o.skipped) skipped += fmt::format("{}: {}\n", o.name, o.note);
  if (!skipped.empty()) result.summary_text += "\n" + skipped;
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace lg
