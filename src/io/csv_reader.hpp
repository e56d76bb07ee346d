#pragma once
// CSV with a header row; label columns chosen by name list or name prefix (ReadOptions::labels).
#include <filesystem>

#include "core/dataset.hpp"
#include "io/read_options.hpp"

namespace lg {

/// Read a CSV data set into dense features. Throws lg::Error naming file and line.
Dataset read_csv(const std::filesystem::path& path, const ReadOptions& options = {});

}  // namespace lg
