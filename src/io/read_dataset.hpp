#pragma once
// Format dispatch: read any supported data file, or several as one set (train + test).
#include <filesystem>
#include <string>
#include <vector>

#include "core/dataset.hpp"
#include "io/read_options.hpp"

namespace lg {

/// Read one file, choosing the reader by extension: .arff -> ARFF; .csv -> CSV;
/// .svm / .libsvm / .txt / .xc / .svmlight -> LIBSVM. Throws lg::Error otherwise.
Dataset read_dataset(const std::filesystem::path& path, const ReadOptions& options = {});

/// Read several files as one data set (rows stacked in order). With MissingPolicy::ImputeMean
/// the means come from the first file only (the training file), then apply to all.
/// `part_rows`, when given, receives the row count of each file in order (a given train/test
/// split is the first file's rows, then the others').
Dataset read_datasets(const std::vector<std::filesystem::path>& paths,
                      const ReadOptions& options = {}, std::vector<Index>* part_rows = nullptr);

/// Replace NaN features in every part by the column means of parts[0] (NaNs ignored there);
/// records a note on each part. A column that is all-missing in parts[0] is an error.
void impute_missing(std::vector<Dataset>& parts);

/// Resolve what a command was given: paths to files, or names of known data sets (see
/// io/catalog.hpp: a descriptor name means its files under LABELGRAPH_DATA and its label
/// declaration, unless `options` declares labels itself). Reads them all as one set.
/// `part_rows` as for read_datasets (a known data set's train file, then its test file).
Dataset load_inputs(const std::vector<std::string>& inputs, const ReadOptions& options = {},
                    std::vector<Index>* part_rows = nullptr);

}  // namespace lg
