#pragma once
// Experiment configs: TOML text becomes these typed structs here, at the edge; nothing below
// looks keys up by string. An unknown key is an error naming the key, the file and the line.
//
// The schema (see experiments/*.toml for commented examples):
//   [experiment]   name, seed, seeds (one run per seed), threads, device, output,
//                  checkpoint_minutes, checkpoint_epochs (neural cells' saved state),
//                  keep_models (each cell's fitted model beside its cell file), train (the
//                  algorithm `labelgraph train` trains when --algorithm is not given)
//   [split]        method given | holdout | kfold | iterative, folds, order, test_fraction
//   [preprocess]   standardize
//   [resampling]   method none | ml-ros | ml-rus | mlsmote | remedial, percentage, k, label_set
//   [evaluation]   threshold, validation_fraction, measures, zero_division, bucket_edges
//   [search]       method kfold | iterative | holdout, folds, order, test_fraction, measure:
//                  how a parameter given as key = { search = [...] } is chosen per cell, on
//                  the cell's training rows only
//   [graphs.NAME]  a label graph stated once (graph::LabelGraphSpec: weighting, tau, p,
//                  min_support, top_k, normalization, propagation); an algorithm or [graph]
//                  with graph = "NAME" takes its keys (its own keys override them)
//   [graph]        the label-graph figure per data set: graph = "NAME" or weighting, tau, p,
//                  min_support, top_k, normalization; communities, format
//   [[datasets]]   name + files | known data set | [datasets.synthetic] | image data:
//                  [datasets.scenes] | [datasets.mosaics] | images + labels (folder + CSV) | voc2007 (root or
//                  "env:VAR") | coco2014 (root or "env:VAR"); optional [datasets.split]
//   [[algorithms]] name (registry), label (table name), features (the label of an earlier
//                  neural algorithm whose trained network gives this one its features), and
//                  the model's own parameters
// Sweeps: any parameter of an algorithm, of a [graphs.NAME] or of [split] / [datasets.split]
// (train_fraction included) may be written key = { sweep = [v1, v2, ...] }: each value
// becomes an algorithm "<label> key=v" (a data set "<name> key=v" for split keys) with cells
// of its own. Several swept keys of one table give every combination.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <toml++/toml.h>
#include <utility>
#include <vector>

#include "graph/weighting.hpp"
#include "data/resampling.hpp"
#include "data/split.hpp"
#include "data/synthetic.hpp"
#include "data/fashion_mosaics.hpp"
#include "data/synthetic_scenes.hpp"
#include "io/read_options.hpp"

namespace lg {

/// One data set of an experiment.
struct DatasetConfig {
  std::string name;                         ///< label used in tables and file names
  std::string generator;                    ///< "synthetic" | "scenes" (built-in generators), else ""
  SyntheticSpec synthetic;                  ///< generator parameters (generator = "synthetic")
  SceneSpec scenes;                         ///< generator parameters (generator = "scenes")
  MosaicSpec mosaics;                       ///< generator parameters (generator = "mosaics")
  std::filesystem::path images;             ///< image folder (with labels_csv)
  std::filesystem::path labels_csv;         ///< `file,label,...` CSV of the image folder
  std::string voc2007;                      ///< VOC 2007 root, or "env:VAR"; "" = none
  std::string coco2014;                     ///< MS-COCO 2014 root, or "env:VAR"; "" = none
  std::vector<std::filesystem::path> files; ///< data files (train first); empty = known data set `name`
  ReadOptions read;                         ///< label declaration and missing-value policy
  bool optional = false;                    ///< skip with a note when its files are absent
  std::optional<SplitSpec> split;           ///< overrides the experiment's [split]
  std::size_t line = 0;                     ///< where it was declared, for messages
  /// A point of a swept split key ([split] or [datasets.split] key = { sweep = [...] }): the
  /// name as written (`name` is then "<sweep_of> key=value"), else ""
  std::string sweep_of;
  /// The swept split keys of this point with their values as text, in the config's order
  std::vector<std::pair<std::string, std::string>> sweep;

  bool is_image_set() const { return generator == "scenes" || generator == "mosaics" || !images.empty() || !voc2007.empty() || !coco2014.empty(); }
};

/// One algorithm of the comparison: a registered model with its parameters.
struct AlgorithmConfig {
  std::string name;     ///< registry name (`br`, `cc`, ...)
  std::string label;    ///< name in tables and file names (default: `name`); unique
  /// Label of an earlier (neural) algorithm: this one is fitted, per fold, on the features that
  /// algorithm's trained network computes (pooled CNN features on image data). "" = the data's own.
  std::string features;
  std::string graph;    ///< a [graphs.NAME] whose keys filled the model's graph keys ("" = none)
  toml::table params;   ///< every parameter of the model, defaults written out
  std::size_t line = 0; ///< where it was declared, for messages
  /// A point of a sweep (key = { sweep = [...] }): the label as written (`label` is then
  /// "<sweep_of> key=value ..."), else ""
  std::string sweep_of;
  /// The swept keys of this point with their values as text, in the config's order
  std::vector<std::pair<std::string, std::string>> sweep;
  /// Parameters searched on the training rows (key = { search = [...] }): key and candidate
  /// values; `params` holds the first candidate. Empty: nothing searched
  std::vector<std::pair<std::string, toml::array>> search;
};

/// How a searched parameter is chosen ([search]): on the training rows of a cell only.
struct SearchConfig {
  /// The inner split of a cell's training rows: kfold | iterative (folds, order) or holdout
  /// (test_fraction = the validation share)
  SplitSpec split = [] {
    SplitSpec s;
    s.method = "kfold";
    s.folds = 3;
    s.test_fraction = 0.2;
    return s;
  }();
  std::string measure = "micro_f1";  ///< the measure whose mean over the inner folds decides
};

struct PreprocessConfig {
  bool standardize = true;  ///< standardise features (fitted on each training fold)
};

struct EvaluationConfig {
  std::string threshold = "0.5";     ///< thresholding spec (eval/thresholding.hpp)
  double validation_fraction = 0.2;  ///< scut: training rows held out to tune thresholds
  std::vector<std::string> measures; ///< columns of tables/summary (default: a standard set)
  std::string zero_division = "0";   ///< 0 | 1 | mulan
  std::vector<double> bucket_edges = {1.0 / 3.0, 2.0 / 3.0};  ///< frequency-bucket quantiles
  /// An algorithm's label: tables/<dataset>-vs-baseline compares every other algorithm with it
  /// ("" = no such table)
  std::string baseline;
};

struct GraphConfig {
  bool enabled = true;                 ///< draw graphs/<dataset>.<format>
  std::string graph;                   ///< a [graphs.NAME] the figure draws ("" = spec below)
  graph::LabelGraphSpec spec;          ///< the graph drawn (top_k 0 = default pruning)
  bool communities = true;             ///< colour by Leiden communities
  std::string format = "svg";          ///< svg | pdf | png
};

struct ExperimentConfig {
  std::filesystem::path source;             ///< the config file
  std::string name = "experiment";          ///< experiment name
  std::uint64_t seed = 42;                  ///< master seed (data generation, graph layout)
  std::vector<std::uint64_t> seeds;         ///< one run per seed (default: {seed})
  int threads = 0;                          ///< 0 = all cores
  std::string device = "cpu";               ///< where neural models train: cpu | cuda | cuda:K
  std::filesystem::path output = "results"; ///< output folder (relative to the working dir)
  /// A neural cell saves its training state into its cell folder after this many minutes
  /// (at a batch boundary; 0 = not by time), so a killed grid continues it from there
  double checkpoint_minutes = 5;
  int checkpoint_epochs = 0;                ///< ... and after every this many epochs (0 = not)
  /// Keep each cell's fitted model beside its cell file, cells/<key>.model.lgm (a model file,
  /// models/model_file.hpp, with the cell's standardisation; a network inside with its
  /// checkpoint), for `labelgraph predict`. Not part of the cell keys: tables are the same.
  bool keep_models = false;
  /// The label (or name) of the [[algorithms]] entry `labelgraph train` trains without
  /// --algorithm (empty: the only one; a config with several then needs --algorithm)
  std::string train_algorithm;
  SplitSpec split;                          ///< how rows are split (per data set overridable)
  PreprocessConfig preprocess;              ///< feature preprocessing
  ResamplingSpec resampling;                ///< applied to training folds only
  EvaluationConfig evaluation;              ///< thresholds, measures, buckets
  SearchConfig search;                      ///< how searched parameters are chosen
  /// [graphs.NAME] tables: label graphs stated once, by name (sorted)
  std::map<std::string, graph::LabelGraphSpec> graphs;
  GraphConfig graph;                        ///< the label-graph figure
  std::vector<DatasetConfig> datasets;      ///< in order
  std::vector<AlgorithmConfig> algorithms;  ///< in order (empty: statistics only)
};

/// The measures of tables/summary when the config names none.
const std::vector<std::string>& default_summary_measures();

/// Every combination of one index per list of `sizes` (the last list varies fastest): how
/// several swept or searched keys combine.
std::vector<std::vector<std::size_t>> index_combinations(const std::vector<std::size_t>& sizes);

/// A scalar config value as text, for labels and tables ("0.3", "mst", "5", "true").
std::string config_value_text(const toml::node& node);

/// Parse a config file; relative data paths are resolved against the config's folder.
ExperimentConfig load_experiment_config(const std::filesystem::path& path);

/// The resolved config as TOML text (every default written out, paths absolute), for the run
/// manifest and config.resolved.toml (which `labelgraph merge` loads again).
std::string to_toml(const ExperimentConfig& config);

/// What one cell's results depend on in the config, as canonical TOML text: the data set's
/// settings without its file paths (the cell key adds the files' checksums), the effective
/// split, preprocessing, resampling, the evaluation settings a cell uses (threshold,
/// validation_fraction, zero_division, bucket_edges), the algorithm's name and resolved
/// parameters, and the master seed for a generated data set. Not in it: labels, output,
/// threads, device, measures, baseline, the figure (experiment/cell_key.hpp).
std::string cell_config_text(const ExperimentConfig& config, const DatasetConfig& dataset,
                             const AlgorithmConfig& algorithm);

}  // namespace lg
