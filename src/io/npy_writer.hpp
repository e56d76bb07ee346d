#pragma once
// NumPy .npy files (format 1.0, little-endian <f4, C order), for scores that `labelgraph eval`,
// numpy.load and the toolkit's own score reader read back exactly.
#include <filesystem>

#include "core/layout.hpp"

namespace lg {

/// Write `scores` (N x L) as a 2-D float32 .npy through a temporary file renamed into place.
/// Throws lg::Error naming the file when it cannot be written.
void write_npy(const std::filesystem::path& path, const ScoreMatrix& scores);

}  // namespace lg
