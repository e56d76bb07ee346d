// labelgraph data list | verify | fetch, end to end through the built binary.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

#include "core/context.hpp"
#include "helpers.hpp"
#include "io/catalog.hpp"

namespace fs = std::filesystem;
using lg::test::run_labelgraph;
using lg::test::TempDir;

namespace {

std::size_t count_lines(const std::string& text, const std::string& start) {
  std::size_t n = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) n += line.rfind(start, 0) == 0 ? 1 : 0;
  return n;
}

fs::path fixture_data() { return lg::test::fixture("catalog/data"); }
fs::path fixture_descriptors() { return lg::test::fixture("catalog/descriptors"); }
fs::path project_descriptors() { return lg::source_dir() / "datasets"; }

// The fixture descriptor with its URLs pointing at file:// copies in `served`.
void write_file_url_descriptor(const fs::path& dir, const fs::path& served, bool corrupt_sha) {
  std::string text = lg::test::read_file(fixture_descriptors() / "tiny.toml");
  const std::string from = "https://example.invalid/";
  for (std::size_t at; (at = text.find(from)) != std::string::npos;)
    text.replace(at, from.size(), "file://" + served.string() + "/");
  if (corrupt_sha) {
    const std::string sha = "940ee48c60af9ceb73dd17c9661425c731e13a67843ce1a77fe26f36b939b39a";
    text.replace(text.find(sha), sha.size(), std::string(64, '0'));
  }
  fs::create_directories(dir);
  std::ofstream(dir / "tiny.toml") << text;
}

}  // namespace

TEST_CASE("labelgraph data list", "[cli]") {
  lg::test::ScopedEnv desc("LABELGRAPH_DESCRIPTORS", project_descriptors().string());
  const auto text = run_labelgraph("data list");
  REQUIRE(text.status == 0);
  for (const char* name : {"emotions", "scene", "yeast", "enron", "medical", "bibtex", "corel5k",
                           "delicious", "tmc2007-500", "meka-music", "meka-scene", "meka-yeast",
                           "meka-enron", "meka-imdb", "mlgcn-voc", "mlgcn-coco"})
    CHECK(count_lines(text.out, std::string(name) + " ") == 1);

  const auto json = run_labelgraph("data list --format json");
  REQUIRE(json.status == 0);
  const nlohmann::json all = nlohmann::json::parse(json.out);
  REQUIRE(all.is_array());
  CHECK(all.size() == 16);
  for (const auto& d : all)
    for (const char* key : {"name", "format", "labels", "features", "rows", "present", "files"})
      CHECK(d.contains(key));
  CHECK(all[3]["name"] == "emotions");
  CHECK(all[3]["labels"] == 6);
  CHECK(all[3]["rows"] == 593);

  {  // nothing present under an empty data directory
    TempDir empty;
    lg::test::ScopedEnv data("LABELGRAPH_DATA", empty.path().string());
    const auto none = run_labelgraph("data list --format json");
    REQUIRE(none.status == 0);
    for (const auto& d : nlohmann::json::parse(none.out)) CHECK(d["present"] == false);
  }
  CHECK(run_labelgraph("data list --format xml").status != 0);
}

TEST_CASE("labelgraph data verify on the shared data", "[cli]") {
  if (!lg::test::shared_file("emotions/emotions.xml")) return;
  lg::test::ScopedEnv desc("LABELGRAPH_DESCRIPTORS", project_descriptors().string());
  lg::test::ScopedEnv data("LABELGRAPH_DATA", lg::test::data_root().string());
  const auto all = run_labelgraph("data verify");
  INFO(all.out << all.err);
  CHECK(all.status == 0);
  CHECK(count_lines(all.out, "ok ") == 55);
  const auto one = run_labelgraph("data verify emotions");
  CHECK(one.status == 0);
  CHECK(count_lines(one.out, "ok ") == 4);
}

TEST_CASE("labelgraph data verify fails on a corrupted copy", "[cli]") {
  lg::test::ScopedEnv desc("LABELGRAPH_DESCRIPTORS", fixture_descriptors().string());
  TempDir copy;
  fs::copy(fixture_data(), copy.path(), fs::copy_options::recursive);
  {
    lg::test::ScopedEnv data("LABELGRAPH_DATA", copy.path().string());
    CHECK(run_labelgraph("data verify tiny").status == 0);
  }
  std::string xml = lg::test::read_file(copy / "tiny/tiny.xml");
  xml[xml.find("\"a\"") + 1] = 'z';
  copy.write("tiny/tiny.xml", xml);
  fs::remove(copy / "tiny/tiny-test.arff");
  lg::test::ScopedEnv data("LABELGRAPH_DATA", copy.path().string());
  const auto r = run_labelgraph("data verify tiny");
  INFO(r.out << r.err);
  CHECK(r.status != 0);
  CHECK(count_lines(r.out, "ok ") == 1);
  CHECK(count_lines(r.out, "missing ") == 1);
  CHECK(count_lines(r.out, "checksum mismatch ") == 1);
  CHECK_THAT(r.out, Catch::Contains((copy / "tiny/tiny-test.arff").string()));
  CHECK_THAT(r.err, Catch::Contains("2 of 3 files failed verification"));

  const auto unknown = run_labelgraph("data verify no-such-set");
  CHECK(unknown.status != 0);
  CHECK_THAT(unknown.err, Catch::Contains("unknown data set 'no-such-set'"));
}

TEST_CASE("labelgraph data fetch with file URLs", "[cli]") {
  TempDir served, descriptors, dest;
  fs::copy(fixture_data(), served.path(), fs::copy_options::recursive);  // served/tiny/...
  lg::test::ScopedEnv desc("LABELGRAPH_DESCRIPTORS", descriptors.path().string());

  SECTION("a good fetch, then verify") {
    write_file_url_descriptor(descriptors.path(), served.path(), false);
    const auto r = run_labelgraph("data fetch tiny --to '" + dest.path().string() + "'");
    INFO(r.out << r.err);
    REQUIRE(r.status == 0);
    CHECK(count_lines(r.out, "downloaded ") == 3);
    CHECK(r.err.empty());  // no progress bar when stderr is not a terminal
    lg::test::ScopedEnv data("LABELGRAPH_DATA", dest.path().string());
    CHECK(run_labelgraph("data verify tiny").status == 0);
    const auto again = run_labelgraph("data fetch tiny --to '" + dest.path().string() + "'");
    CHECK(count_lines(again.out, "present ") == 3);
  }
  SECTION("a checksum mismatch fails naming the URL and keeps no file") {
    write_file_url_descriptor(descriptors.path(), served.path(), true);
    const auto r = run_labelgraph("data fetch tiny --to '" + dest.path().string() + "'");
    INFO(r.out << r.err);
    CHECK(r.status != 0);
    CHECK_THAT(r.err, Catch::Contains("file://" + (served / "tiny/tiny-test.arff").string()) &&
                          Catch::Contains("checksum mismatch"));
    CHECK_FALSE(fs::exists(dest / "tiny/tiny-test.arff"));
    for (const auto& e : fs::recursive_directory_iterator(dest.path()))
      CHECK_THAT(e.path().string(), !Catch::Contains(".tmp-"));
  }
  SECTION("an unknown name and missing arguments") {
    CHECK(run_labelgraph("data fetch no-such-set --to x").status != 0);
    CHECK(run_labelgraph("data fetch tiny").status != 0);  // --to is required
  }
}

TEST_CASE("labelgraph data --help", "[cli]") {
  for (const char* sub : {"data --help", "data list --help", "data verify --help",
                          "data fetch --help"}) {
    const auto r = run_labelgraph(sub);
    INFO(sub);
    CHECK(r.status == 0);
    CHECK_THAT(r.out, Catch::Contains("LABELGRAPH_DATA"));
  }
  CHECK(run_labelgraph("data").status != 0);  // a subcommand is required
}
