// Training history: the table (exact CSV, NaN as empty cells, the best epoch marked) and the
// gnuplot figure (SVG written, title escaped, validation curves only when present, errors for a
// missing or failing gnuplot and an empty history, no temporary file left behind).
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <string>

#include "core/error.hpp"
#include "helpers.hpp"
#include "report/training_history.hpp"

namespace {
namespace fs = std::filesystem;
using namespace lg::report;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TrainingHistory three_epochs() {
  TrainingHistory h;
  //            epoch train   val loss  val mAP  lr      seconds
  h.epochs = {{1, 0.6875, 0.5, 0.25, 0.001, 12.5},
              {2, 0.40625, 0.375, 0.5, 0.001, 11.25},
              {3, 0.3125, 0.4375, 0.4375, 0.0001, 11.0}};
  h.best_epoch = 2;
  h.stop_reason = "max epochs (3)";
  return h;
}

/// A 20-epoch run: train loss falling from 2 to ~0.1 (a factor > 20: log axis), validation
/// loss flattening and mAP peaking at epoch 12.
TrainingHistory twenty_epochs(bool with_validation) {
  TrainingHistory h;
  for (int e = 1; e <= 20; ++e) {
    EpochRecord r;
    r.epoch = e;
    r.train_loss = 2.0 * std::pow(0.83, e - 1) + 0.002 * e;
    if (with_validation) {
      r.validation_loss = 0.35 + 1.6 * std::pow(0.75, e - 1) + 0.004 * std::max(0, e - 12);
      r.validation_map = 0.78 - 0.5 * std::pow(0.78, e - 1) - 0.002 * std::max(0, e - 12);
    }
    r.learning_rate = e <= 10 ? 1e-3 : 1e-4;
    r.seconds = 30.0 + e % 3;
    h.epochs.push_back(r);
  }
  h.best_epoch = with_validation ? 12 : 0;
  return h;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

std::size_t files_in(const fs::path& folder) {
  return static_cast<std::size_t>(
      std::distance(fs::directory_iterator(folder), fs::directory_iterator()));
}

bool gnuplot_available() {
  return std::system("command -v gnuplot >/dev/null 2>&1") == 0;
}

/// A fake `gnuplot` (a shell script) alone in a folder that then becomes PATH.
void write_fake_gnuplot(const lg::test::TempDir& bin, const std::string& body) {
  const fs::path exe = bin.write("gnuplot", "#!/bin/sh\n" + body + "\n");
  fs::permissions(exe, fs::perms::owner_all);
}

}  // namespace

TEST_CASE("training history table: exact CSV, best epoch marked", "[report]") {
  CHECK(to_csv(history_table(three_epochs())) ==
        "epoch,train_loss,validation_loss,validation_map,learning_rate,seconds,best\n"
        "1,0.6875,0.5,0.25,0.001,12.5,\n"
        "2,0.40625,0.375,0.5,0.001,11.25,*\n"
        "3,0.3125,0.4375,0.4375,0.0001,11,\n");
}

TEST_CASE("training history table: NaN validation is empty, best 0 means the last epoch",
          "[report]") {
  TrainingHistory h = three_epochs();
  for (EpochRecord& e : h.epochs) e.validation_loss = e.validation_map = kNaN;
  h.best_epoch = 0;
  CHECK(to_csv(history_table(h)) ==
        "epoch,train_loss,validation_loss,validation_map,learning_rate,seconds,best\n"
        "1,0.6875,,,0.001,12.5,\n"
        "2,0.40625,,,0.001,11.25,\n"
        "3,0.3125,,,0.0001,11,*\n");
  // Human formats: reals at the column's decimals, the mAP column says higher is better.
  const std::string text = to_text(history_table(three_epochs()));
  CHECK(text.find("validation_map ↑") != std::string::npos);
  CHECK(text.find("0.000100") != std::string::npos);  // learning rate with 6 decimals
  CHECK(text.find("0.4062") != std::string::npos);    // 0.40625 at 4 decimals (round-half-even)
}

TEST_CASE("training history table: a best epoch outside the history is an error", "[report]") {
  TrainingHistory h = three_epochs();
  h.best_epoch = 7;
  CHECK_THROWS_WITH(history_table(h), Catch::Contains("best epoch 7 is not in the history"));
  h.epochs.clear();
  h.best_epoch = 0;
  const Table empty = history_table(h);
  CHECK(empty.rows.empty());
  CHECK(empty.columns.size() == 7);
}

TEST_CASE("training history figure: SVG with validation curves and the best epoch",
          "[report]") {
  if (!gnuplot_available()) {
    WARN("gnuplot is not installed (Debian package gnuplot-nox): figure not tested");
    if (std::getenv("CI") != nullptr && std::string(std::getenv("CI")) == "true")
      FAIL("gnuplot is required under CI");
    return;
  }
  lg::test::TempDir dir;
  const fs::path svg = dir / "figures" / "history.svg";  // the folder does not exist yet
  write_history_figure(twenty_epochs(true), "mlgcn on voc_2007 {a^b} & it's <fine>", svg);
  const std::string text = lg::test::read_file(svg);
  REQUIRE(!text.empty());
  CHECK((text.rfind("<?xml", 0) == 0 || text.rfind("<svg", 0) == 0));
  CHECK(text.find("</svg>") != std::string::npos);
  // The title as typed: the underscore, braces and caret are not taken as enhanced-text markup,
  // '&' and '<' are XML entities.
  CHECK(text.find("mlgcn on voc_2007 {a^b} &amp; it's &lt;fine>") != std::string::npos);
  CHECK(text.find("best epoch 12") != std::string::npos);
  CHECK(text.find("train loss") != std::string::npos);
  CHECK(text.find("validation loss") != std::string::npos);
  CHECK(text.find("validation mAP") != std::string::npos);
  // Train loss 2.0 .. 0.09: more than a factor 20, so a log axis with decade ticks.
  CHECK(text.find("0.01</tspan>") != std::string::npos);
  CHECK(text.find(" 10</tspan>") != std::string::npos);
  CHECK(files_in(dir / "figures") == 1);  // no script or temporary SVG left
  // The XML parses (gnuplot copies '&' unescaped; our title escaping must keep it valid).
  if (std::system("command -v rsvg-convert >/dev/null 2>&1") == 0) {
    const fs::path png = dir / "history.png";
    CHECK(std::system(("rsvg-convert '" + svg.string() + "' -o '" + png.string() + "'").c_str()) ==
          0);
    CHECK(fs::file_size(png) > 1000);
  }
}

TEST_CASE("training history figure: without validation only the train loss", "[report]") {
  if (!gnuplot_available()) {
    WARN("gnuplot is not installed (Debian package gnuplot-nox): figure not tested");
    return;
  }
  lg::test::TempDir dir;
  const fs::path svg = dir / "history.svg";
  TrainingHistory h = twenty_epochs(false);
  for (EpochRecord& e : h.epochs) e.train_loss = 0.5 + 0.01 * (20 - e.epoch);  // factor < 20
  write_history_figure(h, "mlp-br, no validation", svg);
  const std::string text = lg::test::read_file(svg);
  CHECK((text.rfind("<?xml", 0) == 0 || text.rfind("<svg", 0) == 0));
  CHECK(text.find("mlp-br, no validation") != std::string::npos);
  CHECK(text.find("train loss") != std::string::npos);
  CHECK(count(text, "validation") == 1);  // only in the title: no validation curve, no y2 axis
  CHECK(text.find("best epoch 20") != std::string::npos);  // best 0 = the last epoch
  CHECK(files_in(dir.path()) == 1);
}

TEST_CASE("training history figure: a single epoch draws", "[report]") {
  if (!gnuplot_available()) return;
  lg::test::TempDir dir;
  TrainingHistory h;
  h.epochs = {{1, 0.7, 0.6, 0.3, 0.01, 1.0}};
  write_history_figure(h, "one", dir / "one.svg");
  CHECK(lg::test::read_file(dir / "one.svg").find("best epoch 1") != std::string::npos);
}

TEST_CASE("training history figure: gnuplot missing, failing or silent is an lg::Error",
          "[report]") {
  lg::test::TempDir dir;
  const fs::path svg = dir / "out" / "history.svg";
  SECTION("not on PATH") {
    lg::test::TempDir empty_bin;
    lg::test::ScopedEnv path("PATH", empty_bin.path().string());
    CHECK_THROWS_WITH(write_history_figure(twenty_epochs(true), "t", svg),
                      "cannot draw " + svg.string() +
                          ": gnuplot not found (Debian package gnuplot-nox)");
  }
  SECTION("exits with an error: its message is in the error") {
    lg::test::TempDir bin;
    write_fake_gnuplot(bin, "echo 'line 3: unknown terminal type' >&2\nexit 3");
    lg::test::ScopedEnv path("PATH", bin.path().string());
    CHECK_THROWS_WITH(write_history_figure(twenty_epochs(true), "t", svg),
                      Catch::StartsWith("cannot draw " + svg.string()) &&
                          Catch::Contains("exit status 3") &&
                          Catch::Contains("line 3: unknown terminal type"));
    CHECK(files_in(dir / "out") == 0);  // no half-written figure, no script left
  }
  SECTION("exits 0 without writing the SVG") {
    lg::test::TempDir bin;
    write_fake_gnuplot(bin, "exit 0");
    lg::test::ScopedEnv path("PATH", bin.path().string());
    CHECK_THROWS_WITH(write_history_figure(twenty_epochs(true), "t", svg),
                      Catch::Contains("wrote no SVG"));
    CHECK(files_in(dir / "out") == 0);
  }
  SECTION("an empty history") {
    CHECK_THROWS_WITH(write_history_figure(TrainingHistory{}, "t", svg),
                      "cannot draw " + svg.string() + ": the training history has no epochs");
  }
  CHECK_FALSE(fs::exists(svg));
}
