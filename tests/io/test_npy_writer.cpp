// lg::write_npy: byte-for-byte what numpy.save writes (fixture from make_npy_fixture.py), the
// 64-byte data alignment of format 1.0, a bit-exact round trip through the score reader, and
// an unwritable path naming the file.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>
#include <random>
#include <string>

#include "core/error.hpp"
#include "helpers.hpp"
#include "io/npy_writer.hpp"
#include "io/score_reader.hpp"

namespace {
namespace fs = std::filesystem;
using lg::ScoreMatrix;

/// The values of tests/fixtures/io/make_npy_fixture.py, rounded to float32 the same way.
ScoreMatrix fixture_values() {
  ScoreMatrix s(2, 3);
  s << 0.1f, 0.25f, -1.5f, static_cast<float>(1.0 / 3.0), 0.0f, 1e-7f;
  return s;
}

std::uint16_t header_length(const std::string& bytes) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(bytes[8]) |
                                    (static_cast<unsigned char>(bytes[9]) << 8));
}

}  // namespace

TEST_CASE("npy writer: byte-for-byte the file numpy.save writes", "[io]") {
  const std::string expected = lg::test::read_file(lg::test::fixture("io/scores_2x3.npy"));
  REQUIRE(expected.size() == 128 + 2 * 3 * 4);  // numpy 1.24: 128-byte header, then the data
  lg::test::TempDir dir;
  const fs::path out = dir / "scores.npy";
  lg::write_npy(out, fixture_values());
  const std::string written = lg::test::read_file(out);
  CHECK(written.size() == expected.size());
  CHECK(written == expected);
}

TEST_CASE("npy writer: format 1.0 header, data at a multiple of 64 bytes", "[io]") {
  lg::test::TempDir dir;
  // Shapes whose dict text has different lengths, including a long first axis.
  for (const auto& [rows, cols] : {std::pair<int, int>{1, 1}, {7, 123}, {12345, 2}, {0, 4}}) {
    INFO(rows << " x " << cols);
    ScoreMatrix s = ScoreMatrix::Constant(rows, cols, 0.5f);
    const fs::path out = dir / "shape.npy";
    lg::write_npy(out, s);
    const std::string bytes = lg::test::read_file(out);
    REQUIRE(bytes.size() >= 10);
    CHECK(bytes.compare(0, 8, std::string("\x93NUMPY\x01\x00", 8)) == 0);
    const std::size_t data_start = 10 + header_length(bytes);
    CHECK(data_start % 64 == 0);
    CHECK(bytes.size() == data_start + static_cast<std::size_t>(rows) * cols * 4);
    const std::string dict = bytes.substr(10, header_length(bytes));
    const std::string shape = "'shape': (" + std::to_string(rows) + ", " + std::to_string(cols) + ")";
    CHECK(dict.rfind("{'descr': '<f4', 'fortran_order': False, " + shape + ", }", 0) == 0);
    CHECK(dict.back() == '\n');
  }
}

TEST_CASE("npy writer: round trip through the score reader is bit-exact", "[io]") {
  // Random floats of every magnitude (not just nice fractions), plus the extremes.
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> mantissa(-1.0f, 1.0f);
  std::uniform_int_distribution<int> exponent(-40, 40);
  ScoreMatrix s(37, 11);
  for (Eigen::Index k = 0; k < s.size(); ++k)
    s.data()[k] = std::ldexp(mantissa(rng), exponent(rng));
  s(0, 0) = std::numeric_limits<float>::max();
  s(0, 1) = std::numeric_limits<float>::denorm_min();
  s(0, 2) = -0.0f;
  lg::test::TempDir dir;
  const fs::path out = dir / "random.npy";
  lg::write_npy(out, s);
  const lg::ScoreFile back = lg::read_score_matrix(out);
  REQUIRE(back.scores.rows() == 37);
  REQUIRE(back.scores.cols() == 11);
  CHECK(back.float32);  // widened to double exactly: narrowing back gives every bit
  const ScoreMatrix narrowed = back.scores.cast<float>();
  CHECK(std::memcmp(narrowed.data(), s.data(), sizeof(float) * 37 * 11) == 0);
  CHECK(back.kind == lg::MatrixFileKind::Npy);
}

TEST_CASE("npy writer: an unwritable path is an lg::Error naming the file, no file left",
          "[io]") {
  lg::test::TempDir dir;
  const fs::path missing_folder = dir / "no-such-folder" / "scores.npy";
  try {
    lg::write_npy(missing_folder, fixture_values());
    FAIL("expected lg::Error");
  } catch (const lg::Error& e) {
    CHECK(e.file() == missing_folder.string());
    CHECK(std::string(e.what()).find("scores.npy") != std::string::npos);
  }
  CHECK_FALSE(fs::exists(dir / "no-such-folder"));

  // A folder in the way of the file: the rename cannot replace it.
  fs::create_directory(dir / "taken.npy");
  CHECK_THROWS_AS(lg::write_npy(dir / "taken.npy", fixture_values()), lg::Error);
  CHECK(fs::is_directory(dir / "taken.npy"));
  // Only the folder is left: the temporary file was removed.
  CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 1);
}
