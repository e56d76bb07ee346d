#pragma once
// ARFF reader (Weka grammar as real MULAN / MEKA files use it), dense and sparse rows, streaming.
#include <filesystem>

#include "core/dataset.hpp"
#include "io/read_options.hpp"

namespace lg {

/// Read one ARFF file. Label attributes are found as ReadOptions::labels says.
/// With MissingPolicy::ImputeMean, missing values are left as NaN for impute_missing().
/// Throws lg::Error naming the file and line on any malformed input.
Dataset read_arff(const std::filesystem::path& path, const ReadOptions& options = {});

}  // namespace lg
