// The fuzz targets' regression inputs (tests/fuzz/regressions/TARGET/, one file per finding of
// bench/fuzz.sh; bench/README.md, "Fuzzing") replayed through the readers exactly as the
// targets read them (tests/fuzz/fuzz_cases.hpp): each must end in success or in an lg::Error
// that names the file, never in another exception. The findings' own tests, with the message
// each one now gives, are in the reader's test file.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <set>

#include "fuzz/fuzz_cases.hpp"
#include "helpers.hpp"

namespace fs = std::filesystem;

TEST_CASE("fuzz regression inputs end in a result or a clear lg::Error", "[io][fuzz]") {
  const fs::path root = lg::test::fixture("../fuzz/regressions");
  std::set<std::string> targets;
  for (const auto& c : lg::fuzz::fuzz_cases()) targets.insert(c.target);
  // Every folder belongs to a target (a misnamed folder would never be replayed).
  if (fs::is_directory(root))
    for (const auto& dir : fs::directory_iterator(root))
      CHECK(targets.count(dir.path().filename().string()) == 1);
  for (const auto& c : lg::fuzz::fuzz_cases()) {
    const fs::path dir = root / c.target;
    if (!fs::is_directory(dir)) continue;
    const lg::fuzz::InputFile file(c.file_name);
    for (const auto& entry : fs::directory_iterator(dir)) {
      std::ifstream in(entry.path(), std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      INFO(c.target << ": " << entry.path().string());
      CHECK_NOTHROW(c.run(file, reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
    }
  }
}
