// Old configs give the same tables: experiments/quickstart.toml and mulan-deep.toml made small
// (tests/fixtures/experiments/*-small.toml: the same algorithms and graph settings, fewer rows
// and epochs, one thread) are run with the built binary, and their tables are compared with the
// ones committed under tests/fixtures/golden/NAME/ (written by the code before the label-graph
// and nets refactors; tests/fixtures/golden/README.md says which commit). The Markdown tables
// (3 decimals) must be byte-identical, the CSV tables (full precision) equal to 1e-9 relative:
// a refactor that changes any result fails, the last bits of a BLAS kernel on another CPU do not.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "helpers.hpp"

namespace fs = std::filesystem;

namespace {

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, sep)) parts.push_back(part);
  return parts;
}

/// Cells equal as text, or both numbers within 1e-9 relative.
void check_csv(const fs::path& want, const fs::path& got) {
  const std::vector<std::string> a = split(lg::test::read_file(want), '\n');
  const std::vector<std::string> b = split(lg::test::read_file(got), '\n');
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::vector<std::string> x = split(a[i], ',');
    const std::vector<std::string> y = split(b[i], ',');
    INFO(got.filename().string() << " line " << i + 1 << "\n  want: " << a[i] << "\n  got:  " << b[i]);
    REQUIRE(x.size() == y.size());
    for (std::size_t j = 0; j < x.size(); ++j) {
      if (x[j] == y[j]) continue;
      char* end_x = nullptr;
      char* end_y = nullptr;
      const double u = std::strtod(x[j].c_str(), &end_x);
      const double v = std::strtod(y[j].c_str(), &end_y);
      const bool numbers = !x[j].empty() && !y[j].empty() && *end_x == '\0' && *end_y == '\0';
      CHECK(numbers);
      if (numbers) CHECK(std::abs(u - v) <= 1e-9 * std::max({1.0, std::abs(u), std::abs(v)}));
    }
  }
}

void check_golden(const std::string& name) {
  const fs::path golden = lg::test::fixture("golden/" + name);
  REQUIRE(fs::is_directory(golden));
  lg::test::TempDir tmp;
  const auto r = lg::test::run_labelgraph("run '" + lg::test::fixture("experiments/" + name + ".toml").string() +
                                          "' --out '" + (tmp / "out").string() + "'");
  INFO(r.err);
  REQUIRE(r.status == 0);
  std::size_t compared = 0;
  for (const auto& entry : fs::directory_iterator(golden)) {
    const fs::path got = tmp / "out" / "tables" / entry.path().filename();
    INFO(got.string());
    REQUIRE(fs::exists(got));
    if (entry.path().extension() == ".md") {
      CHECK(lg::test::read_file(got) == lg::test::read_file(entry.path()));
      ++compared;
    } else if (entry.path().extension() == ".csv") {
      check_csv(entry.path(), got);
      ++compared;
    }
  }
  CHECK(compared >= 4);
}

}  // namespace

TEST_CASE("golden tables: the quickstart made small gives the committed tables", "[golden]") {
  check_golden("quickstart-small");
}

TEST_CASE("golden tables: mulan-deep made small gives the committed tables", "[golden]") {
  if (!lg::test::shared_file("emotions/emotions-train.arff")) return;
  check_golden("mulan-deep-small");
}
