#pragma once
// LIBSVM / extreme-classification reader: `l1,l2 f:v f:v ...` per line, optional `N F L` header.
#include <filesystem>

#include "core/dataset.hpp"
#include "io/read_options.hpp"

namespace lg {

/// Read a LIBSVM multi-label file into sparse CSR features. Throws lg::Error naming file and line.
Dataset read_libsvm(const std::filesystem::path& path, const ReadOptions& options = {});

}  // namespace lg
