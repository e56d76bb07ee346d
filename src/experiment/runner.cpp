#include "experiment/runner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <fstream>
#include <set>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <map>
#include <memory>
#include <optional>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/nets_loader.hpp"
#include "core/parallel.hpp"
#include "core/progress.hpp"
#include "core/train_session.hpp"
#include "data/resampling.hpp"
#include "data/split.hpp"
#include "data/standardize.hpp"
#include "experiment/cell_plan.hpp"
#include "experiment/cell_store.hpp"
#include "experiment/experiment_data.hpp"
#include "experiment/results.hpp"
#include "experiment/run_figures.hpp"
#include "experiment/sweep_results.hpp"
#include "graph/build_label_graph.hpp"
#include "graph/communities.hpp"
#include "graph/graph_render.hpp"
#include "graph/graph_view.hpp"
#include "graph/label_figure.hpp"
#include "io/catalog.hpp"
#include "models/model_file.hpp"
#include "models/registry.hpp"
#include "report/stats_report.hpp"
#include "report/table.hpp"
#include "report/training_history.hpp"

namespace lg {
namespace fs = std::filesystem;

namespace {

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
  // The whole graph laid out, for report.html's interactive view.
  graph::ViewOptions view;
  view.title = options.title;
  view.weighting = plan.style.weighting;
  view.seed = config.seed;
  write_output(result, fs::path("graphs") / (file_stem(cfg.name) + ".view.json"), graph::view_json(lg_graph, view));
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

/// One cell of a data set during a run.
struct Slot {
  PlannedCell plan;
  std::string key;
  std::string network_key;          ///< the key of the network whose features it uses, or ""
  const std::string* config_text = nullptr;  ///< cell_config_text of its algorithm (the data set's)
  bool mine = true;                 ///< in this shard
  std::optional<CellResult> result; ///< finished (run now or read from its file)
};

/// A file's path relative to the output folder, for the cell's views.
fs::path cell_view_stem(const std::string& folder, const std::string& dataset,
                        const std::string& label, std::uint64_t seed, int fold) {
  return fs::path(folder) / file_stem(dataset) /
         fmt::format("{}-seed{}-fold{}", file_stem(label), seed, fold);
}

/// The files under OUT/<folder>/<dataset stem>/, as paths relative to OUT (one directory read
/// instead of a stat per cell).
std::unordered_set<std::string> existing_views(const fs::path& out, const std::string& folder,
                                               const std::string& dataset) {
  std::unordered_set<std::string> names;
  const fs::path rel = fs::path(folder) / file_stem(dataset);
  std::error_code ec;
  for (auto it = fs::directory_iterator(out / rel, ec); !ec && it != fs::directory_iterator(); it.increment(ec))
    names.insert((rel / it->path().filename()).string());
  return names;
}

/// runs/<dataset>/<label>-seed<S>-fold<F>.json and, for a trained network, its history
/// (histories/...csv, .svg): written when `fresh` (the cell ran now, or its views are of another
/// key) or when they are missing (not in `existing`).
void write_cell_views(const CellResult& cell, bool fresh, const std::unordered_set<std::string>& existing,
                      ExperimentResult& result) {
  const auto missing = [&](const fs::path& rel) { return fresh || existing.count(rel.string()) == 0; };
  const fs::path run = cell_view_stem("runs", cell.dataset, cell.algorithm, cell.seed, cell.fold).string() + ".json";
  if (missing(run)) write_output(result, run, cell_json(cell));
  else result.outputs.push_back(run.string());
  if (!cell.history) return;
  const fs::path stem = cell_view_stem("histories", cell.dataset, cell.algorithm, cell.seed, cell.fold);
  const fs::path csv = stem.string() + ".csv";
  const fs::path figure = stem.string() + ".svg";
  if (missing(csv))
    write_output(result, csv, report::render(report::history_table(*cell.history), report::TableFormat::Csv));
  else result.outputs.push_back(csv.string());
  if (missing(figure))
    report::write_history_figure(*cell.history,
                                 fmt::format("{} on {} (seed {}, fold {})", cell.algorithm,
                                             cell.dataset, cell.seed, cell.fold),
                                 result.output_dir / figure);
  result.outputs.push_back(figure.string());
}

/// Runs the missing cells of one data set and gathers all of them (experiment/runner.hpp).
class DatasetRun {
 public:
  DatasetRun(const ExperimentConfig& config, const DatasetConfig& cfg, const LoadedData& loaded,
             const Context& ctx, const RunOptions& options, const CellStore& store,
             ProgressBar& progress, ExperimentResult& result, std::vector<Slot>& slots)
      : config_(config), cfg_(cfg), loaded_(loaded), ctx_(ctx), options_(options), store_(store),
        progress_(progress), result_(result), slots_(slots),
        spec_(cfg.split ? *cfg.split : config.split), file_(config.source.string()) {
    views_ = existing_views(result.output_dir, "runs", cfg.name);
    read_view_index();
    views_.merge(existing_views(result.output_dir, "histories", cfg.name));
  }

  /// Look every cell up, run the missing ones of this shard (waiting for those another process
  /// is running), in plan order. Several processes (ctx.processes): rank 0 does this and tells
  /// the others each cell it runs (announce()); they follow() it, training the networks with it
  /// and writing nothing.
  void run() {
    if (!writer_) return follow();
    std::vector<std::size_t> busy;
    if (!options_.fresh) {
      // Read every finished cell first, on the context's threads (a rerun of a large grid is
      // mostly this); reporting and views follow in plan order.
      std::vector<CellStore::Lookup> found(slots_.size());
      parallel_for(static_cast<Index>(slots_.size()), ctx_.threads, [&](Index i) {
        const auto k = static_cast<std::size_t>(i);
        if (slots_[k].mine) found[k] = store_.find(slots_[k].key);
      });
      for (std::size_t i = 0; i < slots_.size(); ++i)
        if (slots_[i].mine) take(slots_[i], std::move(found[i]));
    }
    std::set<std::string> busy_keys;
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      Slot& slot = slots_[i];
      if (!slot.mine) continue;  // another shard's
      if (slot.result || options_.mode != RunMode::Run) {
        progress_.advance();
        continue;
      }
      // Fitted on a network another process is training: wait for it rather than train it twice.
      std::unique_ptr<CellClaim> claim =
          busy_keys.count(slot.network_key) ? nullptr : store_.try_claim(slot.key);
      if (!claim) {
        busy.push_back(i);
        busy_keys.insert(slot.key);
        continue;
      }
      look_up(slot);  // finished by another process meanwhile?
      if (!slot.result) {
        announce(static_cast<long>(i));
        run_slot(slot, claim->dir());
      }
      claim.reset();
      progress_.advance();
      stop_if_asked();
    }
    for (const std::size_t i : busy) wait_for(slots_[i]);
    announce(kEndOfCells);  // (an exception ends rank 0: the others then end with PeerLost)
  }

 private:
  /// Read the cell's file; a damaged one is reported and redone. With --fresh only a file this
  /// run's processes wrote counts (another process of the same --fresh command may finish a
  /// cell first).
  void look_up(Slot& slot) {
    if (options_.fresh) {
      std::error_code ec;
      const auto written = fs::last_write_time(store_.file(slot.key), ec);
      if (ec || written < fresh_since_) return;
    }
    take(slot, store_.find(slot.key));
  }

  void take(Slot& slot, CellStore::Lookup found) {
    if (found.state == CellStore::State::Done) {
      found.cell->algorithm = algorithm(slot).label;  // labels are not part of the key
      found.cell->dataset = cfg_.name;
      slot.result = std::move(found.cell);
      ++result_.cells_reused;
      write_cell_views(*slot.result, !view_current(slot), views_, result_);
    } else if (found.state == CellStore::State::Damaged && !reported_.count(slot.key)) {
      reported_.insert(slot.key);
      ++result_.cells_damaged;
      result_.run_notes.push_back(fmt::format("damaged cell file redone: {}", found.why));
    }
  }

  /// A cell another process holds: wait until it is finished, or run it if that process died.
  void wait_for(Slot& slot) {
    const AlgorithmConfig& a = algorithm(slot);
    progress_.status(fmt::format("{} · {} · seed {} · fold {}: waiting for process {}", cfg_.name,
                                 a.label, slot.plan.seed, slot.plan.fold + 1,
                                 store_.claimant(slot.key)));
    for (;;) {
      look_up(slot);
      if (slot.result) break;
      if (std::unique_ptr<CellClaim> claim = store_.try_claim(slot.key)) {
        look_up(slot);
        if (!slot.result) {
          announce(static_cast<long>(&slot - slots_.data()));
          run_slot(slot, claim->dir());
        }
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    ++result_.cells_waited;
    progress_.advance();
    stop_if_asked();
  }

  void stop_if_asked() const {
    if (stop_requested()) {
      announce(kStopped);
      throw Stopped(stop_signal(), fmt::format("every finished cell is saved under {}; run the "
                                               "same command to continue",
                                               store_.dir().string()));
    }
  }

  // What rank 0 tells the other processes: the index of the slot it runs next, or one of these.
  static constexpr long kEndOfCells = -1;
  static constexpr long kStopped = -2;

  /// Several processes, rank 0: tell the others what comes next (nothing with one process).
  void announce(long what) const {
    if (!ctx_.processes.distributed() || !writer_) return;
    std::string text = std::to_string(what);
    nets_api().broadcast_text(ctx_, text);
  }

  /// Several processes, rank > 0: run the slots rank 0 runs, in its order, until it says the
  /// data set is done. A classical cell without a network under it has nothing to share: rank 0
  /// runs it alone.
  void follow() {
    for (;;) {
      std::string text;
      nets_api().broadcast_text(ctx_, text);
      long what = 0;
      try {
        what = std::stol(text);
      } catch (const std::exception&) {
        throw Error(fmt::format("{}: process 0 sent '{}' instead of a cell", ctx_.processes.describe(), text));
      }
      if (what == kEndOfCells) return;
      if (what == kStopped)
        throw Stopped(stop_signal() ? stop_signal() : SIGTERM, "stopped with process 0");
      if (what < 0 || static_cast<std::size_t>(what) >= slots_.size())
        throw Error(fmt::format("{}: process 0 runs cell {} of {}", ctx_.processes.describe(), what, slots_.size()));
      Slot& slot = slots_[static_cast<std::size_t>(what)];
      const AlgorithmConfig& a = algorithm(slot);
      const models::ModelEntry* entry = models::find_model(a.name);
      if (a.features.empty() && entry && !entry->neural) continue;
      run_slot(slot, store_.work_dir(slot.key));
    }
  }

  /// Whether runs/ shows this cell (its view there was written from the same key).
  bool view_current(const Slot& slot) const {
    const std::string run =
        cell_view_stem("runs", cfg_.name, algorithm(slot).label, slot.plan.seed, slot.plan.fold).string() + ".json";
    const auto it = view_keys_.find(run);
    return views_.count(run) && it != view_keys_.end() && it->second == slot.key;
  }

  /// runs/<dataset>/.cell-keys: which key each view was written from ("KEY PATH" lines), so a
  /// rerun rewrites a view whose cell changed (an edited parameter, then reverted) and no other.
  fs::path view_index() const { return result_.output_dir / "runs" / file_stem(cfg_.name) / ".cell-keys"; }

  void read_view_index() {
    std::ifstream in(view_index());
    std::string key, path;
    while (in >> key >> path) view_keys_[path] = key;
  }

 public:
  /// Record the keys of the views now in runs/ (after the data set's cells).
  void write_view_index() const {
    std::string text;
    for (const Slot& slot : slots_)
      if (slot.result)
        text += slot.key + " " +
                cell_view_stem("runs", cfg_.name, algorithm(slot).label, slot.plan.seed, slot.plan.fold).string() +
                ".json\n";
    if (!text.empty()) write_file_atomically(view_index(), text);
  }

 private:
  /// What the cell file says its key was computed from: the key's text, then the config text.
  std::string slot_description(const Slot& slot) const {
    std::string text;
    (void)cell_key(sha256_text(*slot.config_text), loaded_.digest, slot.plan.seed, slot.plan.fold,
                   slot.network_key, &text);
    return text + "# the configuration (its sha256 is `config` above):\n" + *slot.config_text;
  }

  const AlgorithmConfig& algorithm(const Slot& slot) const {
    return config_.algorithms[slot.plan.algorithm];
  }

  /// The prepared training and test rows of (seed, fold): split, standardised, resampled.
  void prepare(std::uint64_t seed, int fold) {
    if (work_ && work_->seed == seed && work_->fold == fold) return;
    work_.reset();
    auto folds = folds_.find(seed);
    if (folds == folds_.end())
      folds = folds_.emplace(seed, make_folds(cfg_, spec_, loaded_, seed, file_)).first;
    const Fold& f = folds->second[static_cast<std::size_t>(fold)];
    auto w = std::make_unique<FoldWork>();
    w->seed = seed;
    w->fold = fold;
    w->train = select_rows(loaded_.data, f.train);
    w->test = select_rows(loaded_.data, f.test);
    if (config_.preprocess.standardize && w->train.num_features() > 0) {
      const Standardizer scaler = Standardizer::fit(w->train);
      scaler.apply(w->train);
      scaler.apply(w->test);
      w->scaler = scaler;
    }
    if (config_.resampling.method != "none") {
      const std::size_t before = w->train.notes.size();
      w->train = resample(w->train, config_.resampling, seed);
      w->notes.assign(w->train.notes.begin() + static_cast<std::ptrdiff_t>(before), w->train.notes.end());
    }
    work_ = std::move(w);
  }

  /// The trained network of the algorithm labelled `label` in the current fold: kept from its
  /// cell when it ran now, else trained again (same seed: the same network).
  /// cells/<key>.model.pt: the trained network of a cell whose features others use, so that
  /// they need not train it again (a rerun after a kill, another shard's process).
  fs::path model_file(const std::string& key) const { return store_.dir() / (key + ".model.pt"); }

  /// The trained network of the algorithm labelled `label` in the current fold: kept from its
  /// cell when it ran now, else read from its model file, else trained again (same seed: the
  /// same network) under its cell's claim and saved.
  const models::Model& network(const std::string& label, const std::string& key) {
    auto it = work_->networks.find(label);
    if (it != work_->networks.end()) return *it->second;
    models::ModelPtr& kept = work_->networks[label];
    if (fs::exists(model_file(key))) {
      try {
        kept = nets_api().load(model_file(key));
        return *kept;
      } catch (const Error& e) {
        result_.run_notes.push_back(fmt::format("trained {} again: {}", label, e.what()));
      }
    }
    const auto source = std::find_if(config_.algorithms.begin(), config_.algorithms.end(),
                                     [&](const AlgorithmConfig& o) { return o.label == label; });
    Context cell_ctx = ctx_;
    cell_ctx.seed = work_->seed;
    progress_.status(fmt::format("{} · {} · seed {} · fold {}: training the network for its "
                                 "features", cfg_.name, label, work_->seed, work_->fold + 1));
    // Rank 0 holds the claim for all processes (the others follow it: they must not wait).
    std::unique_ptr<CellClaim> claim;
    if (writer_)
      while (!(claim = store_.try_claim(key))) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    TrainSession session;
    session.state_file = (claim ? claim->dir() : store_.work_dir(key)) / "state.pt";
    session.state_every_epochs = config_.checkpoint_epochs;
    session.state_every_seconds = config_.checkpoint_minutes * 60.0;
    run_cell(*source, work_->train, work_->test, config_, cell_ctx, &kept, &session);
    if (writer_) {
      nets_api().save(*kept, model_file(key));
      std::error_code ec;
      fs::remove(session.state_file, ec);
    }
    return *kept;
  }

  /// [experiment] keep_models: the cell's fitted model beside its cell file, cells/<key>.model.lgm,
  /// with the standardisation of its training rows (a network inside with its checkpoint).
  void keep_model(const std::string& key, const models::Model& model, const Dataset& train,
                  const Standardizer* scaler) const {
    models::save_model_file(store_.dir() / (key + ".model" + models::kModelFileExtension), model, train, scaler);
  }

  /// Run the slot's cell; `work_dir` is its claimed work folder (its state file goes there).
  /// A follower (rank > 0) trains and scores like rank 0 and writes nothing.
  void run_slot(Slot& slot, const fs::path& work_dir) {
    const AlgorithmConfig& a = algorithm(slot);
    const std::uint64_t seed = slot.plan.seed;
    const int fold = slot.plan.fold;
    progress_.status(fmt::format("{} · {} · seed {} · fold {}/{}", cfg_.name, a.label, seed,
                                 fold + 1, fold_count_of(config_, cfg_)));
    prepare(seed, fold);
    Context cell_ctx = ctx_;
    cell_ctx.seed = seed;
    TrainSession session;
    session.state_file = work_dir / "state.pt";
    session.state_every_epochs = config_.checkpoint_epochs;
    session.state_every_seconds = config_.checkpoint_minutes * 60.0;
    if (options_.fresh && writer_) {
      std::error_code ec;
      fs::remove(session.state_file, ec);
    }
    const bool resuming = fs::exists(session.state_file);
    CellResult cell;
    if (!a.features.empty()) {
      auto it = work_->learned.find(a.features);
      if (it == work_->learned.end()) {
        const models::Model& net = network(a.features, slot.network_key);
        std::pair<Dataset, Dataset> sets{net.learned_features(work_->train, cell_ctx),
                                         net.learned_features(work_->test, cell_ctx)};
        if (config_.preprocess.standardize) {
          const Standardizer scaler = Standardizer::fit(sets.first);
          scaler.apply(sets.first);
          scaler.apply(sets.second);
          work_->learned_scalers[a.features] = scaler;
        }
        it = work_->learned.emplace(a.features, std::move(sets)).first;
      }
      models::ModelPtr fitted;
      cell = run_cell(a, it->second.first, it->second.second, config_, cell_ctx,
                      config_.keep_models ? &fitted : nullptr, &session);
      if (config_.keep_models && writer_) {
        const auto scaler = work_->learned_scalers.find(a.features);
        keep_model(slot.key, *fitted, it->second.first,
                   scaler == work_->learned_scalers.end() ? nullptr : &scaler->second);
      }
      cell.notes.insert(cell.notes.begin(),
                        fmt::format("fitted on the {} features of {}'s trained network",
                                    it->second.first.num_features(), a.features));
    } else {
      if (work_->train.has_images() && !reads_images(a.name))
        throw Error(file_, a.line,
                    fmt::format("'{}' cannot read the images of '{}': add features = "
                                "\"<label of a {} algorithm before it>\" to fit "
                                "it on that network's pooled features",
                                a.label, cfg_.name, image_model_names()));
      const bool keep = std::any_of(config_.algorithms.begin(), config_.algorithms.end(),
                                    [&](const AlgorithmConfig& o) { return o.features == a.label; });
      models::ModelPtr fitted;
      cell = run_cell(a, work_->train, work_->test, config_, cell_ctx,
                      keep || config_.keep_models ? &fitted : nullptr, &session);
      const models::ModelEntry* entry = models::find_model(a.name);
      if (keep && entry && entry->neural && writer_) nets_api().save(*fitted, model_file(slot.key));
      if (config_.keep_models && writer_)
        keep_model(slot.key, *fitted, work_->train, work_->scaler ? &*work_->scaler : nullptr);
      if (keep) work_->networks[a.label] = std::move(fitted);
    }
    if (resuming) ++result_.cells_resumed;
    cell.notes.insert(cell.notes.begin(), work_->notes.begin(), work_->notes.end());
    cell.dataset = cfg_.name;
    cell.fold = fold;
    // The cell as its file holds it: tables never depend on whether it ran now or earlier.
    const std::string description = slot_description(slot);
    if (writer_) {
      store_.save(slot.key, description, cell);
      std::error_code ec;
      fs::remove(session.state_file, ec);
    }
    CellResult stored = cell_from_record(cell_record_json(slot.key, description, cell), slot.key,
                                         store_.file(slot.key).string());
    if (writer_) write_cell_views(stored, true, views_, result_);
    slot.result = std::move(stored);
    ++result_.cells_run;
  }

  struct FoldWork {
    std::uint64_t seed = 0;
    int fold = -1;
    Dataset train, test;
    std::vector<std::string> notes;  ///< what resampling did
    std::optional<Standardizer> scaler;  ///< [preprocess] standardize of train (keep_models)
    std::map<std::string, Standardizer> learned_scalers;  ///< ... of a network's features
    std::map<std::string, models::ModelPtr> networks;  ///< networks whose features others use
    std::map<std::string, std::pair<Dataset, Dataset>> learned;  ///< those features
  };

  const ExperimentConfig& config_;
  const DatasetConfig& cfg_;
  const LoadedData& loaded_;
  const Context& ctx_;
  const bool writer_ = ctx_.processes.rank == 0;  ///< rank 0 (or the only process) writes
  const RunOptions& options_;
  const CellStore& store_;
  ProgressBar& progress_;
  ExperimentResult& result_;
  std::vector<Slot>& slots_;
  const SplitSpec spec_;
  const std::string file_;
  std::map<std::uint64_t, std::vector<Fold>> folds_;
  std::unique_ptr<FoldWork> work_;
  std::set<std::string> reported_;
  /// --fresh: cell files older than this are ignored (less a file system's coarse clock tick)
  const fs::file_time_type fresh_since_ =
      fs::file_time_type::clock::now() - std::chrono::milliseconds(20);
  std::unordered_set<std::string> views_;  ///< runs/ and histories/ files there at the start
  std::unordered_map<std::string, std::string> view_keys_;  ///< view -> key it was written from
};

/// The per-data-set tables from its finished cells, in plan order.
std::vector<CellResult> dataset_tables(const ExperimentConfig& config, const DatasetConfig& cfg,
                                       std::vector<Slot>& slots, ExperimentResult& result) {
  std::vector<CellResult> cells;
  cells.reserve(slots.size());
  for (Slot& s : slots) cells.push_back(std::move(*s.result));
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

/// The slots of one data set with their keys (network cells come before the cells fitted on
/// their features, so their keys are known).
/// `texts` receives each algorithm's cell_config_text (the slots point into it).
std::vector<Slot> dataset_slots(const ExperimentConfig& config, std::size_t d,
                                const std::vector<PlannedCell>& plan, const std::vector<int>& shard,
                                const RunOptions& options, const std::string& digest,
                                std::vector<std::string>& texts) {
  std::vector<Slot> slots;
  const DatasetConfig& cfg = config.datasets[d];
  texts.assign(config.algorithms.size(), "");
  std::vector<std::string> digests(config.algorithms.size());
  for (std::size_t a = 0; a < config.algorithms.size(); ++a) {
    texts[a] = cell_config_text(config, cfg, config.algorithms[a]);
    digests[a] = sha256_text(texts[a]);
  }
  std::map<std::tuple<std::uint64_t, int, std::string>, std::string> keys;  // (seed, fold, label)
  for (std::size_t i = 0; i < plan.size(); ++i) {
    if (plan[i].dataset != d) continue;
    Slot s;
    s.plan = plan[i];
    s.mine = shard[i] == options.shard_index;
    s.config_text = &texts[s.plan.algorithm];
    const AlgorithmConfig& a = config.algorithms[s.plan.algorithm];
    if (!a.features.empty()) s.network_key = keys.at({s.plan.seed, s.plan.fold, a.features});
    s.key = cell_key(digests[s.plan.algorithm], digest, s.plan.seed, s.plan.fold, s.network_key);
    keys[{s.plan.seed, s.plan.fold, a.label}] = s.key;
    slots.push_back(std::move(s));
  }
  return slots;
}

/// One line per cell for --list-cells.
void list_slots(const ExperimentConfig& config, const DatasetConfig& cfg,
                const std::vector<Slot>& slots, const CellStore& store, ExperimentResult& result) {
  for (const Slot& s : slots) {
    CellListing row;
    row.dataset = cfg.name;
    row.algorithm = config.algorithms[s.plan.algorithm].label;
    row.seed = s.plan.seed;
    row.fold = s.plan.fold;
    row.key = s.key;
    row.mine = s.mine;
    const CellStore::Lookup found = store.find(s.key);
    if (found.state == CellStore::State::Done) {
      row.state = "done";
    } else if (const long pid = store.claimant(s.key); pid != 0) {
      row.state = fmt::format("running (pid {})", pid);
    } else if (found.state == CellStore::State::Damaged) {
      row.state = "damaged";
      row.why = found.why;
    } else {
      row.state = fs::exists(store.work_dir(s.key) / "state.pt") ? "missing (training state saved)"
                                                                  : "missing";
    }
    result.listing.push_back(std::move(row));
  }
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
  for (const SweepSeries& series : sweep_series(config, result.cells, options.measures)) {
    const report::Table table = sweep_table(series, options.measures);
    write_tables(table, result.output_dir, "sweep-" + file_stem(series.key), result);
    result.summary_text += "\n" + report::to_text(table);
    const report::WrittenFigure figure = write_sweep_figure(series, options.measures, result.output_dir);
    for (const fs::path& f : figure.files) result.outputs.push_back(fs::relative(f, result.output_dir).string());
    if (!figure.drawn) result.run_notes.push_back("figures/sweep-" + file_stem(series.key) + ": gnuplot is not installed, so only its .dat and .gp were written");
  }
  if (const report::Table search = search_table(config, result.cells); !search.rows.empty()) {
    write_tables(search, result.output_dir, "search", result);
    result.summary_text += "\n" + report::to_text(search);
  }

  std::size_t datasets = 0;
  for (const DatasetOutcome& o : result.datasets) datasets += !o.skipped;
  // The points of a swept split are one data set seen several ways, not independent data sets.
  const bool split_swept = std::any_of(config.datasets.begin(), config.datasets.end(),
                                       [](const DatasetConfig& d) { return !d.sweep_of.empty(); });
  if (datasets < 2 || config.algorithms.size() < 2 || split_swept) return;
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

ExperimentResult run_experiment(const ExperimentConfig& config, const Context& ctx,
                                const RunOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  ExperimentResult result;
  result.output_dir = ctx.output_dir.empty() ? config.output : ctx.output_dir;
  const bool listing = options.mode == RunMode::List;
  const bool sharded = options.shard_count > 1;
  // Several processes: rank 0 runs the grid and writes; the others train its networks with it.
  const bool writer = ctx.processes.rank == 0;
  if (options.shard_count < 1 || options.shard_index < 0 || options.shard_index >= options.shard_count)
    throw Error(fmt::format("shard {} of {} does not exist", options.shard_index + 1, options.shard_count));
  if (!listing && writer) {
    create_output_folder(result.output_dir);
    // What a killed run left half-written goes; finished files stay.
    if (const std::size_t stale = remove_stale_temporaries(result.output_dir))
      result.run_notes.push_back(fmt::format("removed {} unfinished file(s) a killed run left", stale));
  }
  const CellStore store(result.output_dir);

  const std::vector<PlannedCell> plan = plan_cells(config);
  const std::vector<int> shard = assign_shards(config, plan, options.shard_count);
  const bool evaluating = !config.algorithms.empty();
  std::vector<std::size_t> mine_per_dataset(config.datasets.size(), 0);
  for (std::size_t i = 0; i < plan.size(); ++i)
    if (shard[i] == options.shard_index) ++mine_per_dataset[plan[i].dataset];
  std::uint64_t total = 0;
  for (const std::size_t n : mine_per_dataset) total += n;
  std::unique_ptr<ProgressBar> progress;
  if (!listing) {
    progress = std::make_unique<ProgressBar>(evaluating ? "cells" : "data sets",
                                             evaluating ? total : config.datasets.size());
    if (!writer) progress->disable();
  }

  std::vector<std::string> names;
  std::vector<DatasetStats> all_stats;
  std::string per_dataset_text;
  for (std::size_t d = 0; d < config.datasets.size(); ++d) {
    const DatasetConfig& cfg = config.datasets[d];
    if (sharded && evaluating && mine_per_dataset[d] == 0) continue;  // another shard's
    if (progress) progress->status(cfg.name);
    DatasetOutcome outcome;
    outcome.name = cfg.name;
    LoadedData loaded;
    if (!obtain_dataset(cfg, ctx, result, loaded, outcome.note, !listing)) {
      outcome.skipped = true;
      result.datasets.push_back(std::move(outcome));
      if (progress) progress->advance(evaluating ? mine_per_dataset[d] : 1);
      continue;
    }
    const bool tables = !listing && !sharded && writer;
    if (tables) {
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
    }
    result.datasets.push_back(std::move(outcome));
    if (!evaluating) {
      if (progress) progress->advance();
      continue;
    }
    std::vector<std::string> config_texts;
    std::vector<Slot> slots = dataset_slots(config, d, plan, shard, options, loaded.digest, config_texts);
    if (listing) {
      list_slots(config, cfg, slots, store, result);
      continue;
    }
    DatasetRun dataset_run(config, cfg, loaded, ctx, options, store, *progress, result, slots);
    dataset_run.run();
    if (!writer) continue;
    dataset_run.write_view_index();
    if (!tables) continue;
    std::size_t missing = 0;
    const Slot* first_missing = nullptr;
    for (const Slot& s : slots)
      if (!s.result) {
        ++missing;
        if (!first_missing) first_missing = &s;
      }
    if (missing > 0) {
      const Slot& s = *first_missing;
      throw Error(fmt::format("{} of the {} cells of '{}' have no finished file in {} (the first: "
                              "{}, seed {}, fold {}, key {}): run the shards that own them, then "
                              "merge again",
                              missing, slots.size(), cfg.name, store.dir().string(),
                              config.algorithms[s.plan.algorithm].label, s.plan.seed, s.plan.fold,
                              s.key));
    }
    if (config.graph.enabled) {
      // The label graph of the first seed's first training fold, before resampling.
      const LoadedData& data = loaded;
      const SplitSpec spec = cfg.split ? *cfg.split : config.split;
      const std::vector<Fold> folds = make_folds(cfg, spec, data, config.seeds.front(), config.source.string());
      draw_graph(config, cfg, select_rows(data.data, folds.front().train), ctx, result);
    }
    std::vector<CellResult> cells = dataset_tables(config, cfg, slots, result);
    write_dataset_figures(config, cfg, loaded, cells, ctx, fs::path("figures") / file_stem(cfg.name), result);
    result.cells.reserve(result.cells.size() + cells.size());
    for (CellResult& c : cells) result.cells.push_back(std::move(c));
  }
  if (progress) progress->finish();
  if (listing || sharded || !writer) {
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
  }

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

std::size_t import_cells(const fs::path& from, const fs::path& into, std::vector<std::string>* skipped) {
  const fs::path source = from / "cells";
  if (!fs::is_directory(source))
    throw Error(source.string(), 0, "no cells/ folder here: not the output folder of a run");
  const CellStore target(into);
  create_output_folder(target.dir());
  std::error_code ec;
  if (fs::equivalent(source, target.dir(), ec)) return 0;  // merging a folder into itself
  std::size_t copied = 0;
  for (const fs::directory_entry& e : fs::directory_iterator(source)) {
    if (!e.is_regular_file() || e.path().extension() != ".json") continue;
    const std::string key = e.path().stem().string();
    if (target.find(key).state == CellStore::State::Done) continue;
    const std::optional<std::string> text = CellStore(from).text(key);
    if (!text) continue;
    try {
      (void)cell_from_record(*text, key, e.path().string());
    } catch (const Error& damaged) {
      if (skipped) skipped->push_back(damaged.what());
      continue;  // the merge names the cell as missing if no folder has a sound copy
    }
    write_file_atomically(target.file(key), *text);
    ++copied;
  }
  return copied;
}

}  // namespace lg
