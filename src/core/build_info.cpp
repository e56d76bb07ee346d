// Kept apart so that the changing git revision recompiles only this file.
#include "core/context.hpp"

#ifndef LABELGRAPH_SOURCE_DIR
#define LABELGRAPH_SOURCE_DIR "."
#endif
#ifndef LABELGRAPH_GIT_REVISION
#define LABELGRAPH_GIT_REVISION "unknown"
#endif

namespace lg {

BuildInfo build_info() {
  BuildInfo info;
  info.version = LABELGRAPH_VERSION;
  info.git_revision = LABELGRAPH_GIT_REVISION[0] ? LABELGRAPH_GIT_REVISION : "unknown";
#if defined(__clang__)
  info.compiler = "clang " __clang_version__;
#elif defined(__GNUC__)
  info.compiler = "gcc " __VERSION__;
#else
  info.compiler = "unknown";
#endif
#ifdef NDEBUG
  info.build_type = "Release";
#else
  info.build_type = "Debug";
#endif
  return info;
}

std::filesystem::path source_dir() { return LABELGRAPH_SOURCE_DIR; }

}  // namespace lg
