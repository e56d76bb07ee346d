#include "helpers.hpp"

#include "core/context.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

extern char** environ;

namespace lg::test {
namespace fs = std::filesystem;

fs::path data_root() {
  if (const char* env = std::getenv("LABELGRAPH_DATA"); env && *env) return env;
  return lg::source_dir() / ".." / "shared" / "datasets";
}

std::string test_device() {
  const char* env = std::getenv("LABELGRAPH_TEST_DEVICE");
  return env && *env ? env : "cpu";
}

std::optional<fs::path> shared_file(const std::string& relative) {
  const fs::path p = data_root() / relative;
  if (fs::exists(p)) return p;
  const char* ci = std::getenv("CI");
  if (ci && std::string(ci) == "true") {
    FAIL("shared data file missing under CI=true: " << p.string());
  }
  WARN("SKIPPED: shared data file not found: " << p.string() << " (set LABELGRAPH_DATA)");
  return std::nullopt;
}

std::optional<fs::path> package_file(const fs::path& path, const std::string& package) {
  if (fs::exists(path)) return path;
  const char* ci = std::getenv("CI");
  if (ci && std::string(ci) == "true")
    FAIL(path.string() << " missing under CI=true: .ci/setup installs " << package);
  WARN("SKIPPED: " << path.string() << " not found (apt-get install " << package << ")");
  return std::nullopt;
}

std::optional<fs::path> torch_script_output(const std::string& script, const std::string& args) {
  struct Generated {
    TempDir dir;
    int status = -1;   // the script's exit status
    std::string log;   // its stdout + stderr
  };
  static const bool python_has_torch = [] {
    const std::string python = "/usr/bin/python3";
    if (!fs::exists(python)) return false;
    const int raw = std::system((python + " -c 'import torch' >/dev/null 2>&1").c_str());
    return WIFEXITED(raw) && WEXITSTATUS(raw) == 0;
  }();
  if (!python_has_torch) {
    const char* ci = std::getenv("CI");
    if (ci && std::string(ci) == "true")
      FAIL("/usr/bin/python3 with torch is required under CI=true (apt install python3-torch)");
    WARN("SKIPPED: /usr/bin/python3 with torch not found (apt install python3-torch)");
    return std::nullopt;
  }
  // Python + torch start in seconds: each (script, args) runs once per test run.
  static std::map<std::string, std::unique_ptr<Generated>> runs;
  std::unique_ptr<Generated>& run = runs[script + "\n" + args];
  if (!run) {
    run = std::make_unique<Generated>();
    const fs::path log = run->dir / "script.log";
    const std::string cmd = "/usr/bin/python3 '" + fixture(script).string() + "' '" +
                            (run->dir / "out").string() + "' " + args + " >'" + log.string() +
                            "' 2>&1";
    const int raw = std::system(cmd.c_str());
    run->status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    run->log = read_file(log);
  }
  INFO(run->log);
  REQUIRE(run->status == 0);
  return run->dir / "out";
}

Eigen::MatrixXd matrix(std::initializer_list<std::initializer_list<double>> rows) {
  Eigen::MatrixXd m(static_cast<Eigen::Index>(rows.size()),
                    rows.size() ? static_cast<Eigen::Index>(rows.begin()->size()) : 0);
  Eigen::Index r = 0;
  for (const auto& row : rows) {
    REQUIRE(static_cast<Eigen::Index>(row.size()) == m.cols());
    Eigen::Index c = 0;
    for (double v : row) m(r, c++) = v;
    ++r;
  }
  return m;
}

fs::path fixture(const std::string& name) { return fs::path(LABELGRAPH_TEST_DIR) / "fixtures" / name; }

TempDir::TempDir() {
  std::random_device rd;
  path_ = fs::temp_directory_path() / ("labelgraph-test-" + std::to_string(rd()) + std::to_string(rd()));
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

fs::path TempDir::write(const std::string& name, const std::string& text) const {
  const fs::path p = path_ / name;
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

std::vector<std::vector<std::string>> dat_rows(const std::filesystem::path& dat) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(read_file(dat));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::vector<std::string> row;
    std::string w;
    while (words >> w) row.push_back(w);
    rows.push_back(row);
  }
  return rows;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

ScopedEnv::ScopedEnv(std::string name, const std::string& value) : name_(std::move(name)) {
  if (const char* old = std::getenv(name_.c_str())) old_ = old;
  setenv(name_.c_str(), value.c_str(), 1);
}

ScopedEnv::~ScopedEnv() {
  if (old_) setenv(name_.c_str(), old_->c_str(), 1);
  else unsetenv(name_.c_str());
}

std::string labelgraph_binary() { return LABELGRAPH_BINARY; }

CliResult run_labelgraph(const std::string& args) {
  TempDir tmp;
  const std::string cmd = std::string("'") + LABELGRAPH_BINARY + "' " + args + " >'" +
                          (tmp / "out").string() + "' 2>'" + (tmp / "err").string() + "'";
  const int raw = std::system(cmd.c_str());
  CliResult r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = read_file(tmp / "out");
  r.err = read_file(tmp / "err");
  return r;
}

}  // namespace lg::test

namespace lg::test {

lg::LabelMatrix label_matrix(std::initializer_list<std::initializer_list<int>> rows) {
  lg::LabelMatrix y(static_cast<lg::Index>(rows.size()),
                    rows.size() ? static_cast<lg::Index>(rows.begin()->size()) : 0);
  lg::Index r = 0;
  for (const auto& row : rows) {
    lg::Index c = 0;
    for (int v : row) y(r, c++) = static_cast<std::uint8_t>(v);
    ++r;
  }
  return y;
}

lg::ScoreMatrix score_matrix(std::initializer_list<std::initializer_list<double>> rows) {
  lg::ScoreMatrix m(static_cast<lg::Index>(rows.size()),
                    rows.size() ? static_cast<lg::Index>(rows.begin()->size()) : 0);
  lg::Index r = 0;
  for (const auto& row : rows) {
    lg::Index c = 0;
    for (double v : row) m(r, c++) = static_cast<float>(v);
    ++r;
  }
  return m;
}

std::vector<std::vector<double>> read_numeric_csv(const std::string& name) {
  std::ifstream in(fixture(name));
  REQUIRE(in.good());
  std::vector<std::vector<double>> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<double> row;
    std::stringstream cells(line);
    std::string cell;
    while (std::getline(cells, cell, ',')) row.push_back(std::stod(cell));
    rows.push_back(row);
  }
  return rows;
}

lg::Dataset as_sparse(const lg::Dataset& dense) {
  lg::Dataset s = dense;
  s.sparse = true;
  s.csr = dense.dense.sparseView();
  s.dense.resize(0, 0);
  return s;
}

pid_t spawn(const std::vector<std::string>& args, const std::filesystem::path& err,
            const std::filesystem::path& out) {
  std::vector<std::string> all = {labelgraph_binary()};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (out.empty())
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  else
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  // The signals a test runner may ignore are delivered to the child with their defaults.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGUSR1);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  REQUIRE(rc == 0);
  return pid;
}

int wait_exit(pid_t pid) {
  int raw = 0;
  REQUIRE(waitpid(pid, &raw, 0) == pid);
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1000 - WTERMSIG(raw);
}

bool wait_for(const std::function<bool()>& ready, double seconds) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}


/// Every file under `dir` (recursively), as paths relative to it.
std::vector<std::string> files_under(const std::filesystem::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec); it != std::filesystem::recursive_directory_iterator();
       it.increment(ec))
    if (it->is_regular_file()) out.push_back(std::filesystem::relative(it->path(), dir).string());
  return out;
}

}  // namespace lg::test
