// Grids that survive (experiment/runner.hpp, cell_store.hpp, cell_plan.hpp), through the built
// binary: a rerun reuses finished cells; SIGKILL at several points, then the same command, gives
// tables byte-identical to an uninterrupted run; a neural cell continues from its saved
// training state; shards + merge equal one run; two processes on one folder equal one run; a
// damaged cell file is redone; an edited parameter or a new seed runs only its cells.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/types.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "helpers.hpp"

namespace fs = std::filesystem;
using lg::test::files_under;
using lg::test::run_labelgraph;
using lg::test::spawn;
using lg::test::wait_exit;
using lg::test::wait_for;

namespace {

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

/// Two generated data sets x `seeds` x a holdout split x BR and CC (and `extra` TOML).
std::string classical_config(const std::string& seeds, int rows, const std::string& extra = "") {
  return "[experiment]\nname = \"grid\"\nseed = 5\nseeds = " + seeds +
         "\nthreads = 1\n[split]\nmethod = \"holdout\"\n"
         "[[datasets]]\nname = \"first\"\n[datasets.synthetic]\nrows = " + std::to_string(rows) +
         "\nlabels = 8\nfeatures = 40\n"
         "[[datasets]]\nname = \"second\"\n[datasets.synthetic]\nrows = " + std::to_string(rows) +
         "\nlabels = 6\nfeatures = 30\n"
         "[[algorithms]]\nname = \"br\"\n[[algorithms]]\nname = \"cc\"\n" + extra;
}

/// tables/ as (relative name, content) pairs.
std::vector<std::pair<std::string, std::string>> tables_of(const fs::path& out) {
  std::vector<std::pair<std::string, std::string>> t;
  for (const std::string& f : files_under(out / "tables")) t.emplace_back(f, lg::test::read_file(out / "tables" / f));
  std::sort(t.begin(), t.end());
  return t;
}

/// The "cells: N run, M reused ..." line's two numbers.
std::pair<int, int> run_reused(const std::string& out) {
  std::smatch m;
  REQUIRE(std::regex_search(out, m, std::regex("cells: (\\d+) run, (\\d+) reused")));
  return {std::stoi(m[1]), std::stoi(m[2])};
}

std::size_t finished_cells(const fs::path& out) {
  std::size_t n = 0;
  std::error_code ec;
  for (auto it = fs::directory_iterator(out / "cells", ec); it != fs::directory_iterator(); it.increment(ec))
    n += it->path().extension() == ".json";
  return n;
}

void check_same_tables(const fs::path& want, const fs::path& got) {
  const auto a = tables_of(want);
  const auto b = tables_of(got);
  REQUIRE(a.size() == b.size());
  REQUIRE(a.size() > 10);
  for (std::size_t i = 0; i < a.size(); ++i) {
    INFO(a[i].first);
    CHECK(a[i].first == b[i].first);
    CHECK(a[i].second == b[i].second);
  }
}

}  // namespace

TEST_CASE("grid: a rerun reuses every cell, --fresh redoes them, tables identical",
          "[cli][grid]") {
  lg::test::TempDir dir;
  const fs::path config = dir.write("c.toml", classical_config("[1, 2]", 150));
  const auto first = run_labelgraph("run " + q(config) + " --out " + q(dir / "out"));
  INFO(first.err);
  REQUIRE(first.status == 0);
  CHECK(run_reused(first.out) == std::pair<int, int>{8, 0});
  CHECK(finished_cells(dir / "out") == 8);
  const auto tables = tables_of(dir / "out");
  const auto again = run_labelgraph("run " + q(config) + " --out " + q(dir / "out"));
  REQUIRE(again.status == 0);
  CHECK(run_reused(again.out) == std::pair<int, int>{0, 8});
  CHECK(tables_of(dir / "out") == tables);
  const auto fresh = run_labelgraph("run " + q(config) + " --out " + q(dir / "out") + " --fresh");
  REQUIRE(fresh.status == 0);
  CHECK(run_reused(fresh.out) == std::pair<int, int>{8, 0});
  CHECK(tables_of(dir / "out") == tables);
  CHECK(finished_cells(dir / "out") == 8);
  // The list says every cell is done, each under its own key.
  const auto list = run_labelgraph("run " + q(config) + " --out " + q(dir / "out") + " --list-cells");
  REQUIRE(list.status == 0);
  CHECK(list.out.find("8 done") != std::string::npos);
}

TEST_CASE("grid: an edited parameter reruns only its algorithm's cells, a new seed only its own",
          "[cli][grid]") {
  lg::test::TempDir dir;
  const fs::path out = dir / "out";
  REQUIRE(run_labelgraph("run " + q(dir.write("a.toml", classical_config("[1, 2]", 150))) +
                         " --out " + q(out)).status == 0);
  // CC's order changes: its 4 cells run, BR's 4 are reused.
  const auto edited = run_labelgraph(
      "run " + q(dir.write("b.toml", classical_config("[1, 2]", 150) + "order = \"frequency\"\n")) +
      " --out " + q(out));
  INFO(edited.err);
  REQUIRE(edited.status == 0);
  CHECK(run_reused(edited.out) == std::pair<int, int>{4, 4});
  // A third seed: 4 new cells (2 data sets x 2 algorithms), 8 reused.
  const auto seeded = run_labelgraph(
      "run " + q(dir.write("c.toml", classical_config("[1, 2, 3]", 150) + "order = \"frequency\"\n")) +
      " --out " + q(out));
  REQUIRE(seeded.status == 0);
  CHECK(run_reused(seeded.out) == std::pair<int, int>{4, 8});
  // A relabelled algorithm keeps its cells (labels are not part of the key).
  const auto relabelled = run_labelgraph(
      "run " + q(dir.write("d.toml", classical_config("[1, 2, 3]", 150) +
                                         "order = \"frequency\"\nlabel = \"CC (frequency)\"\n")) +
      " --out " + q(out));
  REQUIRE(relabelled.status == 0);
  CHECK(run_reused(relabelled.out) == std::pair<int, int>{0, 12});
  CHECK(lg::test::read_file(out / "tables" / "summary.md").find("CC (frequency)") != std::string::npos);
}

TEST_CASE("grid: damaged cell files are found, listed and redone", "[cli][grid]") {
  lg::test::TempDir dir;
  const fs::path config = dir.write("c.toml", classical_config("[1]", 150));
  const fs::path out = dir / "out";
  REQUIRE(run_labelgraph("run " + q(config) + " --out " + q(out)).status == 0);
  const auto tables = tables_of(out);
  std::vector<fs::path> cells;
  for (const auto& e : fs::directory_iterator(out / "cells")) cells.push_back(e.path());
  std::sort(cells.begin(), cells.end());
  REQUIRE(cells.size() == 4);
  const std::string whole = lg::test::read_file(cells[0]);
  dir.write("cut", whole.substr(0, whole.size() / 3));
  fs::copy_file(dir / "cut", cells[0], fs::copy_options::overwrite_existing);  // truncated
  fs::copy_file(cells[2], cells[1], fs::copy_options::overwrite_existing);    // another cell's
  const auto list = run_labelgraph("run " + q(config) + " --out " + q(out) + " --list-cells");
  CHECK(list.out.find("2 damaged") != std::string::npos);
  CHECK(list.out.find("not a complete JSON document") != std::string::npos);
  const auto again = run_labelgraph("run " + q(config) + " --out " + q(out));
  INFO(again.out);
  REQUIRE(again.status == 0);
  CHECK(run_reused(again.out) == std::pair<int, int>{2, 2});
  CHECK(again.out.find("2 damaged files redone") != std::string::npos);
  CHECK(tables_of(out) == tables);
}

TEST_CASE("grid: SIGKILL during cells and during table writing, then the same command: the "
          "same tables", "[cli][grid]") {
  lg::test::TempDir dir;
  const fs::path config = dir.write("c.toml", classical_config("[1, 2, 3, 4]", 2500));
  REQUIRE(run_labelgraph("run " + q(config) + " --out " + q(dir / "whole")).status == 0);
  struct Point {
    const char* name;
    std::function<bool(const fs::path&)> reached;
  };
  const std::vector<Point> points = {
      {"after the first cell", [](const fs::path& out) { return finished_cells(out) >= 1; }},
      {"half way", [](const fs::path& out) { return finished_cells(out) >= 8; }},
      {"while writing the first data set's tables",
       [](const fs::path& out) { return fs::exists(out / "tables" / "first-labels.md"); }}};
  for (const Point& p : points) {
    const fs::path out = dir / (std::string("killed-") + std::to_string(&p - points.data()));
    const pid_t pid = spawn({"run", config.string(), "--out", out.string()}, dir / "err.txt");
    const bool reached = wait_for([&] { return p.reached(out); }, 300);
    kill(pid, SIGKILL);
    const int status = wait_exit(pid);
    INFO(p.name);
    REQUIRE(reached);
    if (status == 0) WARN("the run finished before the kill " << p.name);
    CHECK(finished_cells(out) < 16);
    const auto resumed = run_labelgraph("run " + q(config) + " --out " + q(out));
    INFO(resumed.err);
    REQUIRE(resumed.status == 0);
    const auto [ran, reused] = run_reused(resumed.out);
    CHECK(reused > 0);
    CHECK(ran + reused == 16);
    check_same_tables(dir / "whole", out);
    for (const std::string& f : files_under(out)) CHECK(f.find(".tmp-") == std::string::npos);
  }
}

TEST_CASE("grid: 3 shards in one folder or three, merged, give the tables of one run",
          "[cli][grid]") {
  lg::test::TempDir dir;
  const fs::path config = dir.write("c.toml", classical_config("[1, 2, 3]", 150));
  REQUIRE(run_labelgraph("run " + q(config) + " --out " + q(dir / "whole")).status == 0);
  int total = 0;
  for (int i = 1; i <= 3; ++i) {
    const auto shard = run_labelgraph("run " + q(config) + " --out " + q(dir / "shared") +
                                      " --shard " + std::to_string(i) + "/3");
    INFO(shard.err);
    REQUIRE(shard.status == 0);
    const auto [ran, reused] = run_reused(shard.out);
    CHECK(reused == 0);
    CHECK(ran >= 3);  // 12 cells, balanced
    total += ran;
    CHECK(!fs::exists(dir / "shared" / "tables" / "summary.md"));  // shards write no tables
    REQUIRE(run_labelgraph("run " + q(config) + " --out " + q(dir / ("own-" + std::to_string(i))) +
                           " --shard " + std::to_string(i) + "/3").status == 0);
  }
  CHECK(total == 12);
  const auto merged = run_labelgraph("merge " + q(dir / "shared"));
  INFO(merged.err);
  REQUIRE(merged.status == 0);
  check_same_tables(dir / "whole", dir / "shared");
  // Two of three separate folders: refused, naming a missing cell, no table written.
  const auto partial = run_labelgraph("merge " + q(dir / "own-1") + " " + q(dir / "own-2") +
                                      " --out " + q(dir / "merged"));
  CHECK(partial.status != 0);
  CHECK(partial.err.find("have no finished file") != std::string::npos);
  CHECK(!fs::exists(dir / "merged" / "tables"));
  const auto all = run_labelgraph("merge " + q(dir / "own-1") + " " + q(dir / "own-2") + " " +
                                  q(dir / "own-3") + " --out " + q(dir / "merged"));
  INFO(all.err);
  REQUIRE(all.status == 0);
  check_same_tables(dir / "whole", dir / "merged");
  // Shards of another experiment are refused.
  const fs::path other = dir.write("o.toml", classical_config("[1, 2, 3]", 160));
  REQUIRE(run_labelgraph("run " + q(other) + " --out " + q(dir / "other") + " --shard 1/3").status == 0);
  const auto mixed = run_labelgraph("merge " + q(dir / "own-1") + " " + q(dir / "other") +
                                    " --out " + q(dir / "mixed"));
  CHECK(mixed.status != 0);
  CHECK(mixed.err.find("another experiment") != std::string::npos);
}

TEST_CASE("grid: two processes on one folder run every cell once and give the tables of one run",
          "[cli][grid]") {
  lg::test::TempDir dir;
  const fs::path config = dir.write("c.toml", classical_config("[1, 2, 3]", 1500));
  REQUIRE(run_labelgraph("run " + q(config) + " --out " + q(dir / "whole")).status == 0);
  const pid_t a = spawn({"run", config.string(), "--out", (dir / "both").string()}, dir / "a.err", dir / "a.out");
  const pid_t b = spawn({"run", config.string(), "--out", (dir / "both").string()}, dir / "b.err", dir / "b.out");
  const int status_a = wait_exit(a);
  const int status_b = wait_exit(b);
  INFO(lg::test::read_file(dir / "a.err") << lg::test::read_file(dir / "b.err"));
  REQUIRE(status_a == 0);
  REQUIRE(status_b == 0);
  const auto [ran_a, reused_a] = run_reused(lg::test::read_file(dir / "a.out"));
  const auto [ran_b, reused_b] = run_reused(lg::test::read_file(dir / "b.out"));
  CHECK(ran_a + ran_b == 12);  // no cell ran twice
  CHECK(ran_a + reused_a == 12);
  CHECK(ran_b + reused_b == 12);
  check_same_tables(dir / "whole", dir / "both");
  CHECK(finished_cells(dir / "both") == 12);
  for (const std::string& f : files_under(dir / "both" / "cells")) CHECK(f.find('/') == std::string::npos);
}

namespace {

/// One generated data set, an MLP trained for `epochs` epochs (its state saved every few
/// milliseconds) and BR fitted on its features.
std::string neural_config(int epochs) {
  return "[experiment]\nname = \"neural\"\nseed = 3\nthreads = 1\ncheckpoint_minutes = 0.0005\n"
         "[split]\nmethod = \"holdout\"\n"
         "[[datasets]]\nname = \"rows\"\n[datasets.synthetic]\nrows = 3000\nlabels = 8\nfeatures = 60\n"
         "[[algorithms]]\nname = \"mlp-br\"\nlabel = \"MLP\"\nhidden = [64]\ndropout = 0.2\n"
         "batch_size = 32\nvalidation_fraction = 0.2\nepochs = " + std::to_string(epochs) +
         "\n[[algorithms]]\nname = \"br\"\nlabel = \"BR on MLP\"\nfeatures = \"MLP\"\n";
}

/// The measures of a cell's runs/ view.
std::string measures_of(const fs::path& out, const std::string& cell) {
  const std::string text = lg::test::read_file(out / "runs" / "rows" / (cell + ".json"));
  const std::size_t from = text.find("\"measures\"");
  const std::size_t to = text.find('}', from);
  REQUIRE(from != std::string::npos);
  return text.substr(from, to - from);
}

bool state_saved(const fs::path& out) {
  // The state file itself, not its temporary (state.pt.tmp-...) while it is written.
  for (const std::string& f : files_under(out / "cells"))
    if (f.size() >= 9 && f.compare(f.size() - 9, 9, "/state.pt") == 0) return true;
  return false;
}

}  // namespace

TEST_CASE("grid: a neural cell killed or stopped mid-training continues from its saved state "
          "and ends where an uninterrupted one ends", "[cli][grid][nets]") {
  lg::test::TempDir dir;
  const fs::path config = dir.write("c.toml", neural_config(12));
  const auto whole = run_labelgraph("run " + q(config) + " --out " + q(dir / "whole"));
  INFO(whole.err);
  REQUIRE(whole.status == 0);
  struct Stop {
    int signal;
    int exit_code;
  };
  for (const Stop stop : {Stop{SIGKILL, -1000 - SIGKILL}, Stop{SIGTERM, 143}, Stop{SIGUSR1, 75},
                          Stop{SIGINT, 130}}) {
    INFO("signal " << stop.signal);
    const fs::path out = dir / ("stopped-" + std::to_string(stop.signal));
    const pid_t pid = spawn({"run", config.string(), "--out", out.string()}, dir / "err.txt");
    const bool saved = wait_for([&] { return state_saved(out); }, 300);
    kill(pid, stop.signal);
    const int status = wait_exit(pid);
    const std::string err = lg::test::read_file(dir / "err.txt");
    INFO(err);
    REQUIRE(saved);
    CHECK(status == stop.exit_code);
    CHECK(finished_cells(out) == 0);
    CHECK(state_saved(out));
    if (stop.signal != SIGKILL) CHECK(err.find("saved its training at epoch") != std::string::npos);
    const auto list = run_labelgraph("run " + q(config) + " --out " + q(out) + " --list-cells");
    CHECK(list.out.find("missing (training state saved)") != std::string::npos);
    const auto resumed = run_labelgraph("run " + q(config) + " --out " + q(out));
    INFO(resumed.err);
    REQUIRE(resumed.status == 0);
    CHECK(resumed.out.find("1 continued from a saved training state") != std::string::npos);
    CHECK(!state_saved(out));  // removed once the cell is finished
    CHECK(measures_of(out, "MLP-seed3-fold0") == measures_of(dir / "whole", "MLP-seed3-fold0"));
    CHECK(measures_of(out, "BR_on_MLP-seed3-fold0") == measures_of(dir / "whole", "BR_on_MLP-seed3-fold0"));
    check_same_tables(dir / "whole", out);
  }
}

TEST_CASE("grid: runs/ shows the cells the tables use after an edit and its undo",
          "[cli][grid]") {
  lg::test::TempDir dir;
  const fs::path out = dir / "out";
  const fs::path original = dir.write("a.toml", classical_config("[1]", 150));
  REQUIRE(run_labelgraph("run " + q(original) + " --out " + q(out)).status == 0);
  const std::string view = lg::test::read_file(out / "runs" / "first" / "cc-seed1-fold0.json");
  REQUIRE(!view.empty());
  REQUIRE(run_labelgraph("run " + q(dir.write("b.toml", classical_config("[1]", 150) + "order = \"frequency\"\n")) +
                         " --out " + q(out)).status == 0);
  const std::string edited = lg::test::read_file(out / "runs" / "first" / "cc-seed1-fold0.json");
  CHECK(edited != view);
  const auto undone = run_labelgraph("run " + q(original) + " --out " + q(out));
  REQUIRE(undone.status == 0);
  CHECK(run_reused(undone.out) == std::pair<int, int>{0, 4});
  // The view is the original cell's again (timings and all: it is written from its file).
  CHECK(lg::test::read_file(out / "runs" / "first" / "cc-seed1-fold0.json") == view);
}
