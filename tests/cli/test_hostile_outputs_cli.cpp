// Outputs under hostile conditions, through the built binary: a place that cannot be written
// (under /proc, root included), a path that runs through a file, a file-size limit reached
// mid-write (`ulimit -f`: SIGXFSZ used to kill the process without a word), and SIGINT /
// SIGTERM while a command writes. Each ends with one line naming the path and the cause, a
// non-zero exit, and no file half-written (no target, no temporary left behind).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "helpers.hpp"

extern char** environ;

namespace {
namespace fs = std::filesystem;
using lg::test::files_under;
using lg::test::run_labelgraph;
using lg::test::spawn;
using lg::test::wait_exit;
using lg::test::wait_for;

/// `text` as one single-quoted shell word.
std::string sh_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}
std::string quoted(const fs::path& p) { return sh_quote(p.string()); }

/// Lines of stderr that are errors (notes may come before them).
std::size_t count_lines(const std::string& s) {
  std::size_t n = 0;
  for (std::size_t at = s.find("labelgraph: error:"); at != std::string::npos;
       at = s.find("labelgraph: error:", at + 1))
    ++n;
  return n;
}

bool any_temporary(const fs::path& dir) {
  for (const std::string& f : files_under(dir))
    if (f.find(".tmp-") != std::string::npos) return true;
  return false;
}

/// A tiny label file every command below can read.
fs::path tiny() { return lg::test::fixture("stats/tiny.arff"); }

/// `sh -c SCRIPT`; returns the exit status.
int shell(const std::string& script) {
  const std::string cmd = "/bin/sh -c " + sh_quote(script);
  const int raw = std::system(cmd.c_str());
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

}  // namespace

TEST_CASE("outputs: a place that cannot be written is one clear line", "[cli][outputs]") {
  // /proc takes no new files, for root too.
  for (const std::string& out : {std::string("/proc/labelgraph-test.svg"),
                                 std::string("/proc/labelgraph-test/sub/graph.svg")}) {
    INFO(out);
    const auto r = run_labelgraph("graph " + quoted(tiny()) + " --weighting counts --out " + out);
    INFO(r.err);
    CHECK(r.status != 0);
    CHECK(count_lines(r.err) == 1);
    CHECK(r.err.find(out) != std::string::npos);
    CHECK(r.err.find("does not allow new") != std::string::npos);
    CHECK(!fs::exists(out));
  }
  const auto stats = run_labelgraph("stats " + quoted(tiny()) + " --out /proc/stats.json");
  CHECK(stats.status != 0);
  CHECK(count_lines(stats.err) == 1);
  CHECK(stats.err.find("/proc/stats.json") != std::string::npos);
  const auto run =
      run_labelgraph("synth --rows 10 --labels 3 --features 2 --groups 1 --seed 1 --out /proc/s.arff");
  CHECK(run.status != 0);
  CHECK(count_lines(run.err) == 1);
  CHECK(run.err.find("/proc/s.arff") != std::string::npos);
}

TEST_CASE("outputs: a path that runs through a file names that file", "[cli][outputs]") {
  lg::test::TempDir dir;
  const fs::path file = dir.write("notes.txt", "a file, not a folder\n");
  const fs::path out = file / "graphs" / "g.svg";
  const auto r = run_labelgraph("graph " + quoted(tiny()) + " --weighting counts --out " + quoted(out));
  INFO(r.err);
  CHECK(r.status != 0);
  CHECK(count_lines(r.err) == 1);
  CHECK(r.err.find(out.string()) != std::string::npos);
  CHECK(r.err.find("'" + file.string() + "' is a file, not a folder") != std::string::npos);
  CHECK(lg::test::read_file(file) == "a file, not a folder\n");
  // An output folder of `run` that is a file: the same, before any work.
  const fs::path config = dir.write("c.toml",
                                    "[experiment]\nname = \"x\"\noutput = \"" + file.string() +
                                        "/run\"\n[split]\nmethod = \"holdout\"\n"
                                        "[[datasets]]\nname = \"synthetic\"\n"
                                        "[datasets.synthetic]\nrows = 50\nlabels = 3\n"
                                        "features = 4\ngroups = 1\n[[algorithms]]\nname = "
                                        "\"br\"\n");
  const auto run = run_labelgraph("run " + quoted(config));
  INFO(run.err);
  CHECK(run.status != 0);
  CHECK(run.err.find("is a file, not a folder") != std::string::npos);
}

TEST_CASE("outputs: the file-size limit (ulimit -f) is a clear error, nothing half-written",
          "[cli][outputs]") {
  lg::test::TempDir dir;
  const fs::path err = dir / "err.txt";
  struct Case {
    std::string name, args;
  };
  const std::vector<Case> cases = {
      {"graph.svg", "graph " + quoted(tiny()) + " --weighting counts --out "},
      {"graph.png", "graph " + quoted(tiny()) + " --weighting counts --out "},
      {"stats.json", "stats " + quoted(tiny()) + " --format json --out "},
      {"synth.arff", "synth --rows 2000 --labels 5 --features 20 --groups 2 --seed 1 --out "},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    const fs::path out = dir / "out" / c.name;
    fs::create_directories(out.parent_path());
    // 1 block (512 or 1024 bytes): every output above is larger.
    const int status = shell("ulimit -f 1; exec '" + lg::test::labelgraph_binary() + "' " +
                             c.args + quoted(out) + " 2>" + quoted(err));
    const std::string text = lg::test::read_file(err);
    INFO(text);
    CHECK(status == 1);  // an error exit, not death by SIGXFSZ
    CHECK(count_lines(text) == 1);
    CHECK(text.find(out.string()) != std::string::npos);
    CHECK(text.find("file-size limit") != std::string::npos);
    CHECK(files_under(dir / "out").empty());  // neither the target nor a temporary
  }
}

TEST_CASE("outputs: SIGINT and SIGTERM stop a command with one line and no partial file",
          "[cli][outputs]") {
  for (const int sig : {SIGINT, SIGTERM}) {
    INFO("signal " << sig);
    lg::test::TempDir dir;
    const fs::path out = dir / "out" / "big.arff";
    fs::create_directories(out.parent_path());
    // Big enough to be mid-write for seconds (about 100 MB).
    const pid_t pid = spawn({"synth", "--rows", "1500000", "--labels", "20", "--features", "40", "--groups", "4",
                             "--seed", "1", "--out", out.string()},
                            dir / "err.txt");
    // Wait until its temporary file holds data, then signal.
    const bool writing = wait_for(
        [&] {
          for (const std::string& f : files_under(dir / "out"))
            if (f.find(".tmp-") != std::string::npos && fs::file_size(dir / "out" / f) > 0)
              return true;
          return false;
        },
        120);
    kill(pid, sig);
    const int status = wait_exit(pid);
    const std::string text = lg::test::read_file(dir / "err.txt");
    INFO(text);
    REQUIRE(writing);
    CHECK(status == (sig == SIGINT ? 130 : 143));
    CHECK(text.find(sig == SIGINT ? "interrupted (SIGINT)" : "terminated (SIGTERM)") !=
          std::string::npos);
    CHECK(text.find(out.string()) != std::string::npos);
    CHECK(text.find("unfinished files removed") != std::string::npos);
    CHECK(files_under(dir / "out").empty());
  }
}

TEST_CASE("outputs: SIGINT during a run keeps finished files and removes none of them",
          "[cli][outputs]") {
  lg::test::TempDir dir;
  const fs::path config = dir.write(
      "c.toml",
      "[experiment]\nname = \"x\"\noutput = \"" + (dir / "run").string() +
          "\"\nseeds = [1, 2, 3, 4, 5, 6, 7, 8]\n[split]\nmethod = \"holdout\"\n[[datasets]]\nname = \"synthetic\"\n"
          "[datasets.synthetic]\nrows = 3000\nlabels = 12\nfeatures = 60\n"
          "[[algorithms]]\nname = \"cc\"\n"
          "[[algorithms]]\nname = \"br\"\n");
  const pid_t pid = spawn({"run", config.string()}, dir / "err.txt");
  // Interrupt once the first cell is written.
  const bool started = wait_for([&] { return fs::exists(dir / "run" / "runs"); }, 120);
  kill(pid, SIGINT);
  const int status = wait_exit(pid);
  const std::string text = lg::test::read_file(dir / "err.txt");
  INFO(text);
  REQUIRE(started);
  CHECK(status == 130);
  CHECK(text.find("interrupted (SIGINT) while writing " + (dir / "run").string()) !=
        std::string::npos);
  CHECK(!any_temporary(dir / "run"));
  // What is there is whole: every cell file parses.
  for (const std::string& f : files_under(dir / "run"))
    if (f.rfind("runs/", 0) == 0) CHECK(!lg::test::read_file(dir / "run" / f).empty());
}
