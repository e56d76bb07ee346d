#pragma once
// The one run context, passed by const reference: seed, threads, device, output folder.
// There is no global RNG in labelgraph; everything random derives from `seed`.
#include <cstdint>
#include <filesystem>
#include <string>

#include "core/processes.hpp"

namespace lg {

struct Context {
  std::uint64_t seed = 42;           ///< master seed for every random choice
  int threads = 0;                   ///< worker threads; 0 = all hardware threads
  std::string device = "cpu";        ///< "cpu" or "cuda[:k]" (used by src/nets only)
  std::filesystem::path output_dir;  ///< where results go; empty = current directory
  ProcessGroupSpec processes;        ///< this process in a multi-process training (rank, world)

  /// `threads` resolved against the machine (>= 1).
  int resolved_threads() const;
};

/// Facts about this build, for manifests and `--version`.
struct BuildInfo {
  std::string version;       ///< labelgraph version
  std::string git_revision;  ///< short SHA at configure time, or "unknown"
  std::string compiler;      ///< compiler id and version
  std::string build_type;    ///< "Release", "Debug", ...
};
BuildInfo build_info();

/// The project's source folder at configure time (finds datasets/, ../shared/datasets and
/// git for the manifest). Only build_info.cpp sees the path, so moving the checkout does not
/// invalidate every cached object.
std::filesystem::path source_dir();

}  // namespace lg
