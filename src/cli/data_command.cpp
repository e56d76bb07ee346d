// labelgraph data list | verify [NAME] | fetch NAME --to DIR: the known data sets of datasets/.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <optional>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "io/catalog.hpp"

namespace lg::cli {
namespace fs = std::filesystem;

namespace {

struct DataArgs {
  std::string format = "text";  // list
  std::string name;             // verify, fetch
  std::string to;               // fetch
  bool no_progress = false;     // fetch
};

const char* kEnvFooter =
    "Environment:\n"
    "  LABELGRAPH_DATA         where the data files live (default: ../shared/datasets beside\n"
    "                          the source tree); descriptor paths are relative to it\n"
    "  LABELGRAPH_DESCRIPTORS  folder of the descriptors (default: datasets/ in the source tree)";

std::string optional_number(const std::optional<std::int64_t>& v) {
  return v ? std::to_string(*v) : "-";
}

std::size_t count_present(const Descriptor& d, const fs::path& root) {
  std::size_t n = 0;
  std::error_code ec;
  for (const CatalogFile& f : d.files) n += fs::is_regular_file(root / f.path, ec) ? 1 : 0;
  return n;
}

Descriptor find_or_throw(const std::string& name) {
  std::optional<Descriptor> d = find_descriptor(name);
  if (!d)
    throw Error(fmt::format("unknown data set '{}' (see `labelgraph data list`; descriptors are "
                            "read from {})", name, descriptor_dir().string()));
  return std::move(*d);
}

void run_list(const DataArgs& args) {
  const fs::path root = data_dir();
  const std::vector<Descriptor> all = load_catalog();
  if (args.format == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const Descriptor& d : all) {
      auto num = [](const std::optional<std::int64_t>& v) {
        return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
      };
      const std::size_t present = count_present(d, root);
      out.push_back({{"name", d.name},
                     {"format", to_string(d.format)},
                     {"description", d.description},
                     {"labels", num(d.labels)},
                     {"features", num(d.features)},
                     {"rows", num(d.rows)},
                     {"files", d.files.size()},
                     {"files_present", present},
                     {"present", present == d.files.size()},
                     {"source", d.source.repository}});
    }
    fmt::print("{}\n", out.dump(2));
    return;
  }
  fmt::print("{:<13} {:<12} {:>6} {:>8} {:>8}  {}\n", "name", "format", "labels", "features",
             "rows", "present");
  for (const Descriptor& d : all) {
    const std::size_t present = count_present(d, root);
    const std::string state = present == d.files.size() ? "yes"
                              : present == 0            ? "no"
                                : fmt::format("partial ({}/{} files)", present, d.files.size());
    fmt::print("{:<13} {:<12} {:>6} {:>8} {:>8}  {}\n", d.name, to_string(d.format),
               optional_number(d.labels), optional_number(d.features), optional_number(d.rows),
               state);
  }
  fmt::print("\n{} data sets; files under {} (LABELGRAPH_DATA)\n", all.size(), root.string());
}

void run_verify(const DataArgs& args) {
  const fs::path root = data_dir();
  std::vector<Descriptor> sets;
  if (args.name.empty()) sets = load_catalog();
  else sets.push_back(find_or_throw(args.name));
  std::size_t total = 0, failed = 0;
  for (const Descriptor& d : sets) {
    for (const FileCheck& c : verify(d, root)) {
      ++total;
      std::string detail;
      switch (c.status) {
        case FileStatus::Ok: break;
        case FileStatus::Missing: detail = fmt::format("  (expected at {})", c.where.string()); break;
        case FileStatus::SizeMismatch:
          detail = fmt::format("  (expected {} bytes, found {})", c.file.bytes, c.actual_bytes);
          break;
        case FileStatus::ChecksumMismatch:
          detail = fmt::format("  (expected sha256 {}, found {})", c.file.sha256, c.actual_sha256);
          break;
      }
      if (c.status != FileStatus::Ok) ++failed;
      fmt::print("{:<18} {:<13} {}{}\n", to_string(c.status), d.name, c.file.path, detail);
    }
  }
  std::fflush(stdout);
  if (failed)
    throw Error(fmt::format("{} of {} files failed verification under {} (LABELGRAPH_DATA)",
                            failed, total, root.string()));
  fmt::print("all {} files of {} data set(s) verified under {}\n", total, sets.size(),
             root.string());
}

void run_fetch(const DataArgs& args) {
  const Descriptor d = find_or_throw(args.name);
  FetchOptions options;
  options.progress = !args.no_progress;
  const fs::path to(args.to);
  std::size_t derived = 0;
  for (const FetchedFile& f : fetch(d, to, options)) {
    switch (f.action) {
      case FetchAction::Downloaded:
        fmt::print("downloaded   {} ({} bytes, sha256 ok)\n", f.where.string(), f.file.bytes);
        break;
      case FetchAction::AlreadyPresent:
        fmt::print("present      {} (sha256 ok, skipped)\n", f.where.string());
        break;
      case FetchAction::NotDownloadable:
        ++derived;
        fmt::print("not fetched  {} (written locally from {}; not downloadable)\n",
                   f.where.string(), f.file.derived_from);
        break;
    }
  }
  if (derived)
    fmt::print("{} derived file(s) are not downloadable: see the descriptor {} for how they "
               "were made\n", derived, d.origin.string());
  fmt::print("'{}' is in {}; use it with LABELGRAPH_DATA={}\n", d.name, to.string(), to.string());
}

}  // namespace

void add_data_command(CLI::App& app) {
  auto args = std::make_shared<DataArgs>();
  auto* data = app.add_subcommand(
      "data", "Known data sets (datasets/*.toml): list them, verify checksums, download them");
  data->require_subcommand(1);
  data->footer(kEnvFooter);

  auto* list = data->add_subcommand(
      "list", "List the known data sets and whether their files are present");
  list->add_option("--format", args->format, "Output format: text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  list->footer(std::string("Prints name, format, labels, features, rows (- when unknown) and whether "
               "all files\nare present under LABELGRAPH_DATA (checksums: `labelgraph data "
               "verify`).\n\n") + kEnvFooter);
  list->callback([args] { run_list(*args); });

  auto* verify_cmd = data->add_subcommand(
      "verify", "Check the size and sha256 of each file under LABELGRAPH_DATA");
  verify_cmd->add_option("NAME", args->name, "Data set name (default: every known set)");
  verify_cmd->footer(std::string("Prints one line per file: ok, missing, size mismatch or "
                                 "checksum mismatch.\nExits non-zero if any file is missing or "
                                 "differs.\n\n") + kEnvFooter);
  verify_cmd->callback([args] { run_verify(*args); });

  auto* fetch_cmd = data->add_subcommand(
      "fetch", "Download a data set's files into DIR, checking each sha256");
  fetch_cmd->add_option("NAME", args->name, "Data set name (see `labelgraph data list`)")
      ->required();
  fetch_cmd->add_option("--to", args->to, "Data directory to fill (then use it as LABELGRAPH_DATA)")
      ->required();
  fetch_cmd->add_flag("--no-progress", args->no_progress,
                      "No progress bar (it is drawn only when stderr is a terminal)");
  fetch_cmd->footer(std::string(
      "Each file with a URL is downloaded (http, https or file URLs) to a temporary name as\n"
      "DIR/<path>, decompressed if the descriptor says so (bz2), checked against its size\n"
      "and sha256, then renamed into place; a mismatch discards it and fails naming the URL.\n"
      "Files already present and matching are skipped. Files derived locally (no URL) are\n"
      "listed, not fetched. Afterwards, set LABELGRAPH_DATA=DIR.\n\n") + kEnvFooter);
  fetch_cmd->callback([args] { run_fetch(*args); });
}

}  // namespace lg::cli
