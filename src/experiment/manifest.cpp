#include "experiment/manifest.hpp"

#include <Eigen/Core>
#include <boost/version.hpp>
#include <cairo.h>
#include <fmt/format.h>
#include <graphviz/graphviz_version.h>
#include <igraph/igraph_version.h>
#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include <array>
#include <cstdio>
#include <ctime>

#include "core/atomic_file.hpp"
#include "core/context.hpp"

namespace lg {
namespace {

std::string run_git(const std::string& args) {
  const std::string cmd = "git -C '" + source_dir().string() + "' " + args + " 2>/dev/null";
  std::FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return "";
  std::string out;
  std::array<char, 256> buf{};
  while (std::fgets(buf.data(), buf.size(), pipe)) out += buf.data();
  if (pclose(pipe) != 0) return "";
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

}  // namespace

std::string source_revision() {
  std::string sha = run_git("rev-parse HEAD");
  if (sha.empty()) return build_info().git_revision;
  if (!run_git("status --porcelain --untracked-files=no").empty()) sha += "+dirty";
  return sha;
}

std::map<std::string, std::string> library_versions() {
  return {
      {"eigen", fmt::format("{}.{}.{}", EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION)},
      {"boost", fmt::format("{}.{}.{}", BOOST_VERSION / 100000, BOOST_VERSION / 100 % 1000,
                            BOOST_VERSION % 100)},
      {"igraph", IGRAPH_VERSION},
      {"graphviz", PACKAGE_VERSION},
      {"cairo", CAIRO_VERSION_STRING},
      {"fmt", fmt::format("{}.{}.{}", FMT_VERSION / 10000, FMT_VERSION / 100 % 100, FMT_VERSION % 100)},
      {"tomlplusplus", fmt::format("{}.{}.{}", TOML_LIB_MAJOR, TOML_LIB_MINOR, TOML_LIB_PATCH)},
      {"nlohmann_json", fmt::format("{}.{}.{}", NLOHMANN_JSON_VERSION_MAJOR,
                                    NLOHMANN_JSON_VERSION_MINOR, NLOHMANN_JSON_VERSION_PATCH)},
  };
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void write_manifest(const RunManifest& m, const std::filesystem::path& dir) {
  nlohmann::ordered_json j;
  j["command_line"] = m.command_line;
  j["seed"] = m.seed;
  j["threads"] = m.threads;
  j["labelgraph_version"] = m.labelgraph_version;
  j["git_revision"] = m.git_revision;
  j["compiler"] = m.compiler;
  j["build_type"] = m.build_type;
  j["torch_version"] = m.torch_version;
  j["started_utc"] = m.started_utc;
  j["finished_utc"] = m.finished_utc;
  j["libraries"] = library_versions();
  j["seeds"] = m.seeds;
  j["seconds"] = m.seconds;
  j["inputs"] = m.inputs;
  j["outputs"] = m.outputs;
  j["cells"] = m.cell_timings;
  j["resolved_config_file"] = "config.resolved.toml";
  write_file_atomically(dir / "config.resolved.toml", m.resolved_config);
  write_file_atomically(dir / "manifest.json", j.dump(2) + "\n");
}

void set_build_facts(RunManifest& manifest) {
  const BuildInfo info = build_info();
  manifest.labelgraph_version = info.version;
  manifest.git_revision = source_revision();
  manifest.compiler = info.compiler;
  manifest.build_type = info.build_type;
}

}  // namespace lg
