#pragma once
// Collecting results for `labelgraph compare`: the value of each (data set, algorithm,
// measure) from labelgraph result folders, from prediction files of other tools (scored as
// `labelgraph eval` scores them) and from tables of published values, with what must agree
// between the sources before they are compared.
//
//   result folder   tables/summary.json gives mean, sd and n of every (data set, algorithm,
//                   measure). The split and the data come from the run's cells: the runs/
//                   files the manifest lists give each cell's seed, fold and test rows, and
//                   the cells/ record with the same data set, algorithm, seed, fold and
//                   measures gives the description its key hashes (the data's checksum, for
//                   generated data the generator's seed and parameters, the split section).
//   predictions     ALGORITHM:DATASET=SCORES with DATASET=TRUTH: one test set, n = 1.
//   values file     published numbers (CSV with a header, or JSON rows as in summary.json):
//                   dataset, algorithm, measure, mean, and optionally sd and n; nothing about
//                   their data can be checked.
//
// check_sources refuses, with an lg::Error naming the two sources and what differs, a data set
// whose data or split differ between two sources, and an algorithm that two sources both
// report on one data set (rename one: ResultFolder::renames).
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "eval/significance.hpp"

namespace lg {

/// One value: a measure of an algorithm on a data set, over the run's folds and seeds.
struct CompareEntry {
  std::string dataset;    ///< data set name
  std::string algorithm;  ///< algorithm label (after renaming)
  std::string measure;    ///< measure name
  eval::MeanSd value;     ///< mean, sample sd and number of folds × seeds
  std::string source;     ///< the folder or file it came from
};

/// What must agree between two sources that report on the same data set.
struct DatasetIdentity {
  std::string dataset;  ///< data set name
  std::string source;   ///< folder or file
  /// The data: "data = '<checksum>'" lines and, for generated data, the generator's seed and
  /// parameters; empty when not known (predictions, values files).
  std::string data;
  std::string split;  ///< the split section of the cells' config; empty when not known
  /// Test rows per (seed, fold); a prediction file: one entry (0, 0).
  std::map<std::pair<std::uint64_t, int>, std::int64_t> test_rows;
  bool one_test_set = false;  ///< a prediction file: scores of one test set
};

struct CompareSources {
  std::vector<CompareEntry> entries;
  std::vector<DatasetIdentity> identities;
  std::vector<std::string> notes;  ///< what could not be checked, said once per source
};

struct ResultFolder {
  std::filesystem::path dir;  ///< the folder `labelgraph run` (or merge) wrote
  std::string name;           ///< how messages name it (as given on the command line)
  std::map<std::string, std::string> renames;  ///< algorithm label -> label in the comparison
};
/// Read a result folder into `into`. Throws lg::Error naming the file for a folder that is not
/// a result folder (no tables/summary.json or manifest.json) or a file that does not parse.
void read_result_folder(const ResultFolder& folder, CompareSources& into);

struct PredictionSource {
  std::string algorithm;  ///< label in the comparison
  std::string dataset;    ///< data set name (matched with the result folders')
  std::string scores;     ///< score (or 0/1 prediction) matrix file
};
struct PredictionScoring {
  std::string threshold = "fixed:0.5";  ///< eval's --threshold; fixed, rcut:K or mcut
  std::string zero_division = "0";      ///< eval's --zero-division: 0, 1 or mulan
  int threads = 0;                      ///< measure threads; 0 = all cores
};
/// Score each prediction file against its data set's truth (truth: data set -> file, read by
/// `labelgraph eval`'s readers) into one entry per measure. Throws lg::Error for a data set
/// without a truth, shapes that differ, or a threshold that needs more than the scores.
void score_predictions(const std::vector<PredictionSource>& predictions,
                       const std::map<std::string, std::string>& truth,
                       const PredictionScoring& scoring, CompareSources& into);

/// Read published values: CSV with a header naming dataset, algorithm, measure, mean (and
/// optionally sd, n), or a .json list of such objects (tables/summary.json's form).
void read_values_file(const std::filesystem::path& file, CompareSources& into);

/// Throws lg::Error (see the header comment) when sources disagree on a data set or report the
/// same algorithm on the same data set.
void check_sources(const CompareSources& sources);

/// The first line where two texts differ, as "'a' in A, 'b' in B" (for messages).
std::string first_difference(const std::string& a, const std::string& b, const std::string& a_name,
                             const std::string& b_name);

/// One measure over data sets × algorithms, complete.
struct MeasureGrid {
  std::string measure;                  ///< measure name
  std::vector<std::string> datasets;    ///< rows
  std::vector<std::string> algorithms;  ///< columns
  std::vector<std::vector<eval::MeanSd>> values;  ///< [data set][algorithm]
};
/// The grid of `measure` over `datasets` and `algorithms` (empty: all, in first-seen order).
/// Throws lg::Error naming the algorithm, the data set and the sources for a missing value.
MeasureGrid measure_grid(const CompareSources& sources, const std::string& measure,
                         const std::vector<std::string>& datasets = {},
                         const std::vector<std::string>& algorithms = {});

/// Measures every (data set, algorithm) pair has, in measure_names() order then alphabetical.
std::vector<std::string> common_measures(const CompareSources& sources,
                                         const std::vector<std::string>& datasets = {},
                                         const std::vector<std::string>& algorithms = {});

}  // namespace lg
