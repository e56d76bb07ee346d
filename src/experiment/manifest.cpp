#include "experiment/manifest.hpp"

#include <nlohmann/json.hpp>

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
  j["inputs"] = m.inputs;
  j["outputs"] = m.outputs;
  j["resolved_config_file"] = "config.resolved.toml";
  write_file_atomically(dir / "config.resolved.toml", m.resolved_config);
  write_file_atomically(dir / "manifest.json", j.dump(2) + "\n");
}

}  // namespace lg
