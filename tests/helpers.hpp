#pragma once
// Shared test helpers: where the real data lives, temporary folders, running the CLI.
#include <Eigen/Core>

#include <filesystem>
#include <initializer_list>
#include <functional>
#include <optional>
#include <sys/types.h>
#include <string>
#include <vector>

#include "core/dataset.hpp"
#include "core/error.hpp"

namespace lg::test {

/// LABELGRAPH_DATA, or ../shared/datasets beside the project.
std::filesystem::path data_root();

/// The path of a shared data file if it exists. If it does not: under CI=true the test
/// fails (missing data is a failure there); otherwise it warns and returns nullopt, and the
/// test returns early (skipped, with the message in the output).
std::optional<std::filesystem::path> shared_file(const std::string& relative);

/// A file a Debian package installs (e.g. dataset-fashion-mnist's), treated like shared_file:
/// absent -> a failure under CI=true (where .ci/setup installs `package`), else a warning and
/// nullopt.
std::optional<std::filesystem::path> package_file(const std::filesystem::path& path,
                                                  const std::string& package);

/// OUTDIR of tests/fixtures/<script> run with Debian's /usr/bin/python3 (python3-torch) as
/// `script OUTDIR args`, once per test run for each (script, args); the folder lives to the end
/// of the run. nullopt without python3-torch (skipped with a message; a failure under
/// CI=true, where .ci/setup installs it); a failure, with the script's output, if it fails.
std::optional<std::filesystem::path> torch_script_output(const std::string& script,
                                                         const std::string& args = "");

/// A dense double matrix written row by row: matrix({{1, 0}, {0, 2}}).
Eigen::MatrixXd matrix(std::initializer_list<std::initializer_list<double>> rows);

/// tests/fixtures/<name>
std::filesystem::path fixture(const std::string& name);

/// A fresh empty folder under the system temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
  /// Write `text` to a file in the folder and return its path.
  std::filesystem::path write(const std::string& name, const std::string& text) const;

 private:
  std::filesystem::path path_;
};

/// The data lines of a gnuplot .dat file (not comments, not blank), split into words.
std::vector<std::vector<std::string>> dat_rows(const std::filesystem::path& dat);

/// The whole content of a file ("" if it cannot be read).
std::string read_file(const std::filesystem::path& path);

/// Sets an environment variable (inherited by child processes) for the object's lifetime.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, const std::string& value);
  ~ScopedEnv();
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

/// The device the nets tests train on: env LABELGRAPH_TEST_DEVICE (cuda, cuda:K; bench/run_gpu.sh
/// sets it), "cpu" when unset.
std::string test_device();

/// Result of running the built `labelgraph` binary.
struct CliResult {
  int status = -1;      ///< exit status
  std::string out;      ///< stdout
  std::string err;      ///< stderr
};
/// The built `labelgraph` binary's path.
std::string labelgraph_binary();
/// Run `labelgraph ARGS` (args are passed to /bin/sh, quote as needed).
CliResult run_labelgraph(const std::string& args);

/// Start `labelgraph ARGS...` (no shell) with stdout to `out` (/dev/null when empty) and stderr
/// to `err`; SIGINT and SIGTERM are delivered with their default actions even when the test
/// runner ignores them. Returns its pid.
pid_t spawn(const std::vector<std::string>& args, const std::filesystem::path& err,
            const std::filesystem::path& out = {});
/// Wait for the process to end: its exit status, or -1000 - signal when a signal killed it.
int wait_exit(pid_t pid);
/// Poll `ready` every 20 ms until it holds (true) or `seconds` have passed (false).
bool wait_for(const std::function<bool()>& ready, double seconds);
/// Every regular file under `dir` (recursively), as paths relative to it.
std::vector<std::string> files_under(const std::filesystem::path& dir);

/// A 0/1 label matrix written row by row: label_matrix({{1, 0}, {0, 1}}).
lg::LabelMatrix label_matrix(std::initializer_list<std::initializer_list<int>> rows);

/// A float score matrix written row by row: score_matrix({{0.9, 0.1}, {0.2, 0.8}}).
lg::ScoreMatrix score_matrix(std::initializer_list<std::initializer_list<double>> rows);

/// tests/fixtures/<name> as rows of numbers (comma-separated, no header, blank lines skipped).
std::vector<std::vector<double>> read_numeric_csv(const std::string& name);

/// The same data set with its dense features stored as CSR (labels and names kept).
lg::Dataset as_sparse(const lg::Dataset& dense);

/// The message of the lg::Error that `f` throws, or "" when it throws none (so that a check
/// on the message fails).
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const lg::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace lg::test
