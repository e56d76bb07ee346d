// Fashion-MNIST mosaics: the documented outfit model (names, exact frequencies and
// co-occurrences by hand), tiles that are the pool's pixels and labels that are the tiles'
// classes, determinism across threads, frequencies over 2000 rows, validation and missing
// files, the CLI, and mosaics of Debian's real files (skipped without the package).
// Most tests use a tiny pool written here: 10 classes x 2 images of 2 x 3 pixels.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "data/fashion_mosaics.hpp"
#include "helpers.hpp"
#include "io/idx_reader.hpp"

namespace {
namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using lg::Index;
using lg::MosaicSpec;
using Bytes = std::vector<std::uint8_t>;

void put_u32(Bytes& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<std::uint8_t>((v >> shift) & 0xFF));
}

void write_bytes(const fs::path& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

constexpr int kTileRows = 2, kTileCols = 3;

/// Plain (not gzip'd) IDX files "<split>-images-idx3-ubyte" / "-labels-idx1-ubyte" in `dir`:
/// image i has class classes[i] and pixel p = 10 * i + p + 1, so every pixel names its source.
void write_pool(const fs::path& dir, const std::string& split, const Bytes& classes) {
  Bytes images, labels;
  put_u32(images, 0x803);
  put_u32(images, static_cast<std::uint32_t>(classes.size()));
  put_u32(images, kTileRows);
  put_u32(images, kTileCols);
  for (std::size_t i = 0; i < classes.size(); ++i)
    for (int p = 0; p < kTileRows * kTileCols; ++p)
      images.push_back(static_cast<std::uint8_t>(10 * i + static_cast<std::size_t>(p) + 1));
  put_u32(labels, 0x801);
  put_u32(labels, static_cast<std::uint32_t>(classes.size()));
  labels.insert(labels.end(), classes.begin(), classes.end());
  write_bytes(dir / (split + "-images-idx3-ubyte"), images);
  write_bytes(dir / (split + "-labels-idx1-ubyte"), labels);
}

/// 20 images, image i of class i mod 10.
Bytes two_per_class() {
  Bytes c;
  for (int i = 0; i < 20; ++i) c.push_back(static_cast<std::uint8_t>(i % 10));
  return c;
}

MosaicSpec fixture_spec(const fs::path& dir, Index rows) {
  MosaicSpec s;
  s.rows = rows;
  s.source_dir = dir;
  s.split = "t10k";
  return s;
}

/// Every tile of row i shows its source image's pixels (grey on all 3 channels; empty tiles
/// black when there is no noise), and the label row is the set of the tiles' classes.
void check_row(const MosaicSpec& s, const lg::FashionPool& pool, const lg::ImageDataset& d,
               std::uint64_t seed, Index i) {
  const lg::MosaicLayout layout = lg::mosaic_layout(s, pool, seed, i);
  const lg::Image& img = d.images.at(static_cast<std::size_t>(i));
  const int th = pool.images.rows, tw = pool.images.cols;
  REQUIRE(img.width == s.grid * tw);
  REQUIRE(img.height == s.grid * th);
  REQUIRE(layout.tiles.size() == static_cast<std::size_t>(s.grid * s.grid));
  std::set<Index> shown;
  bool pixels_match = true;
  for (std::size_t t = 0; t < layout.tiles.size(); ++t) {
    const lg::MosaicTile& tile = layout.tiles[t];
    if (tile.klass >= 0) {
      shown.insert(tile.klass);
      CHECK(int{pool.labels.at(static_cast<std::size_t>(tile.source))} == tile.klass);
    }
    const int x0 = static_cast<int>(t) % s.grid * tw, y0 = static_cast<int>(t) / s.grid * th;
    for (int y = 0; y < th; ++y)
      for (int x = 0; x < tw; ++x) {
        const int want = tile.klass >= 0 ? pool.images.image(tile.source)[y * tw + x] : 0;
        const auto at = static_cast<std::size_t>(((y0 + y) * img.width + x0 + x) * 3);
        for (std::size_t c = 0; c < 3; ++c)
          pixels_match = pixels_match && img.pixels[at + c] == want;
      }
  }
  CHECK(pixels_match);
  for (Index k = 0; k < 10; ++k) CHECK(int{d.labels(i, k)} == int(shown.count(k)));
}

using lg::test::error_of;

/// Debian's Fashion-MNIST folder, or skip (fail under CI=true).
std::optional<fs::path> fashion_dir() {
  const fs::path dir = lg::default_fashion_dir();
  for (const char* f : {"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"})
    if (!lg::test::package_file(dir / f, "dataset-fashion-mnist")) return std::nullopt;
  return dir;
}

}  // namespace

TEST_CASE("mosaics: class names, outfits and the documented rates by hand", "[data][mosaics]") {
  CHECK(lg::fashion_class_name(0) == "t-shirt-top");
  CHECK(lg::fashion_class_name(4) == "coat");
  CHECK(lg::fashion_class_name(9) == "ankle-boot");
  CHECK_THROWS_AS(lg::fashion_class_name(10), lg::Error);
  const MosaicSpec s;  // G = 2 (T = 4), e = 0.2, s = 0.1, four outfits of 3, weights 1
  REQUIRE(s.outfits.size() == 4);
  CHECK(s.outfits[1].name == "formal");
  CHECK(s.outfits[1].classes == std::vector<Index>{6, 4, 9});
  CHECK(lg::outfit_probability(s, 2) == Approx(0.25));
  // q for a member: 0.8 * 0.9 / 3 = 0.24; for a stray class: 0.8 * 0.1 / 7 = 0.0114286.
  CHECK(lg::tile_class_probability(s, 0, 1) == Approx(0.24));
  CHECK(lg::tile_class_probability(s, 0, 4) == Approx(0.08 / 7));
  // Member shown: 1 - 0.76^4 = 0.66637824; stray: 1 - (1 - 0.08/7)^4 = 0.0449366.
  // coat (formal, winter): 0.5 * 0.66637824 + 0.5 * 0.0449366 = 0.3556574
  // trouser (casual):      0.25 * 0.66637824 + 0.75 * 0.0449366 = 0.2002970
  CHECK(lg::expected_mosaic_frequency(s, 4) == Approx(0.3556574).epsilon(1e-6));
  CHECK(lg::expected_mosaic_frequency(s, 1) == Approx(0.2002970).epsilon(1e-6));
  // coat & ankle-boot, both members in formal / winter:
  //   1 - 2 * 0.76^4 + 0.52^4 = 1 - 0.66724352 + 0.07311616 = 0.40587264;
  // both strays in casual / summer: 1 - 2 (1 - r)^4 + (1 - 2r)^4 with r = 0.08/7: 0.0015318;
  // mean 0.2037022.
  CHECK(lg::expected_mosaic_cooccurrence(s, 4, 9) == Approx(0.2037022).epsilon(1e-6));
  CHECK(lg::expected_mosaic_cooccurrence(s, 9, 4) == Approx(0.2037022).epsilon(1e-6));
  CHECK(lg::expected_mosaic_cooccurrence(s, 4, 4) == Approx(lg::expected_mosaic_frequency(s, 4)));
}

TEST_CASE("mosaics: a one-class outfit with no empty or stray tiles shows only that class",
          "[data][mosaics]") {
  lg::test::TempDir tmp;
  write_pool(tmp.path(), "t10k", two_per_class());
  MosaicSpec s = fixture_spec(tmp.path(), 6);
  s.grid = 3;
  s.outfits = {{"trousers", {1}, 1.0, {255, 255, 255}}};
  s.empty_rate = 0.0;
  s.stray_rate = 0.0;
  const lg::FashionPool pool = lg::load_fashion_pool(s);
  CHECK(pool.by_class[1] == std::vector<Index>{1, 11});
  const lg::ImageDataset d = lg::generate_mosaics(s, pool, 5, 2);
  REQUIRE(d.rows() == 6);
  CHECK(d.images[0].width == 9);   // 3 tiles of 3 columns
  CHECK(d.images[0].height == 6);  // 3 tiles of 2 rows
  for (Index i = 0; i < 6; ++i) {
    CHECK(d.labels.row(i).cast<int>().sum() == 1);
    CHECK(int{d.labels(i, 1)} == 1);
    // Top-left pixel of the top-left tile: image 1 (value 11) or image 11 (value 111).
    const int v = d.images[static_cast<std::size_t>(i)].pixels[0];
    CHECK((v == 11 || v == 111));
    check_row(s, pool, d, 5, i);
  }
}

TEST_CASE("mosaics: tiles are the pool's pixels and labels are the tiles' classes",
          "[data][mosaics]") {
  lg::test::TempDir tmp;
  write_pool(tmp.path(), "t10k", two_per_class());
  const MosaicSpec s = fixture_spec(tmp.path(), 40);
  const lg::FashionPool pool = lg::load_fashion_pool(s);
  const lg::ImageDataset d = lg::generate_mosaics(s, pool, 9, 2);
  CHECK(d.label_names.size() == 10);
  CHECK(d.label_names[8] == "bag");
  for (Index i = 0; i < d.rows(); ++i) check_row(s, pool, d, 9, i);
  REQUIRE_FALSE(d.notes.empty());
  CHECK_THAT(d.notes[0], Contains("t10k-images-idx3-ubyte"));
  bool outfit_note = false;
  for (const std::string& n : d.notes)
    outfit_note = outfit_note || n == "outfit 'summer' (probability 0.250): dress, sandal, bag";
  CHECK(outfit_note);
}

TEST_CASE("mosaics: same seed same pixels for any thread count, another seed differs",
          "[data][mosaics]") {
  lg::test::TempDir tmp;
  write_pool(tmp.path(), "t10k", two_per_class());
  MosaicSpec s = fixture_spec(tmp.path(), 50);
  s.empty_noise = 40;  // noise draws are part of the determinism too
  const lg::ImageDataset a = lg::generate_mosaics(s, 3, 2), b = lg::generate_mosaics(s, 3, 1);
  const lg::ImageDataset c = lg::generate_mosaics(s, 4, 2);
  REQUIRE(a.images.size() == 50);
  CHECK(a.labels == b.labels);
  bool same = true, other = false;
  for (std::size_t i = 0; i < 50; ++i) {
    same = same && a.images[i].pixels == b.images[i].pixels;
    other = other || a.images[i].pixels != c.images[i].pixels;
  }
  CHECK(same);
  CHECK(other);
  CHECK_FALSE(a.labels == c.labels);
  s.rows = 7;  // the first rows do not depend on how many are asked for
  const lg::ImageDataset e = lg::generate_mosaics(s, 3, 2);
  CHECK(e.labels == a.labels.topRows(7));
  CHECK(e.images[6].pixels == a.images[6].pixels);
}

TEST_CASE("mosaics: label frequencies and co-occurrences follow the model over 2000 rows",
          "[data][mosaics]") {
  lg::test::TempDir tmp;
  write_pool(tmp.path(), "t10k", two_per_class());
  const MosaicSpec s = fixture_spec(tmp.path(), 2000);
  const lg::ImageDataset d = lg::generate_mosaics(s, 21, 2);
  // Binomial standard error at p = 0.36, n = 2000: 0.011; the bound is about 3 of them.
  for (Index k = 0; k < 10; ++k) {
    INFO(lg::fashion_class_name(k));
    CHECK(d.labels.col(k).cast<double>().mean() ==
          Approx(lg::expected_mosaic_frequency(s, k)).margin(0.033));
  }
  const auto both = [&](Index j, Index k) {
    return (d.labels.col(j).cast<int>().array() * d.labels.col(k).cast<int>().array())
               .cast<double>()
               .mean();
  };
  CHECK(both(4, 9) == Approx(lg::expected_mosaic_cooccurrence(s, 4, 9)).margin(0.03));  // 0.204
  CHECK(both(0, 1) == Approx(lg::expected_mosaic_cooccurrence(s, 0, 1)).margin(0.03));  // 0.103
  CHECK(both(0, 3) == Approx(lg::expected_mosaic_cooccurrence(s, 0, 3)).margin(0.01));  // 0.013
  // Mean labels per image: 2 * 0.3556574 + 8 * 0.2002970 = 2.3137.
  CHECK(d.labels.cast<double>().sum() / 2000.0 == Approx(2.3137).margin(0.08));
}

TEST_CASE("mosaics: outfit tint and empty-tile noise", "[data][mosaics]") {
  lg::test::TempDir tmp;
  write_pool(tmp.path(), "t10k", two_per_class());
  MosaicSpec s = fixture_spec(tmp.path(), 1);
  s.grid = 1;
  s.outfits = {{"red", {3}, 1.0, {255, 128, 0}}};
  s.empty_rate = 0.0;
  s.stray_rate = 0.0;
  s.tint = 0.5;
  const lg::FashionPool pool = lg::load_fashion_pool(s);
  const lg::ImageDataset d = lg::generate_mosaics(s, pool, 1, 1);
  const lg::MosaicLayout layout = lg::mosaic_layout(s, pool, 1, 0);
  // Pixel 0 of image 3 or 13: grey g = 31 or 131. Factors 0.5 + 0.5 * t / 255:
  // red 1, green 0.5 + 0.5 * 128/255 = 0.750980, blue 0.5.
  const int g = pool.images.image(layout.tiles.at(0).source)[0];
  CHECK((g == 31 || g == 131));
  CHECK(int{d.images[0].pixels[0]} == g);
  CHECK(int{d.images[0].pixels[1]} ==
        static_cast<int>(std::lround(g * (0.5 + 0.5 * 128.0 / 255.0))));
  CHECK(int{d.images[0].pixels[2]} == static_cast<int>(std::lround(g * 0.5)));

  MosaicSpec n = fixture_spec(tmp.path(), 20);
  n.empty_rate = 0.5;
  n.empty_noise = 30;
  const lg::ImageDataset e = lg::generate_mosaics(n, pool, 2, 2);
  int max_noise = 0;
  bool grey = true;
  for (Index i = 0; i < 20; ++i) {
    const lg::MosaicLayout l = lg::mosaic_layout(n, pool, 2, i);
    const lg::Image& img = e.images[static_cast<std::size_t>(i)];
    for (std::size_t t = 0; t < l.tiles.size(); ++t) {
      if (l.tiles[t].klass >= 0) continue;
      const int x0 = static_cast<int>(t) % 2 * kTileCols, y0 = static_cast<int>(t) / 2 * kTileRows;
      for (int y = 0; y < kTileRows; ++y)
        for (int x = 0; x < kTileCols; ++x) {
          const std::uint8_t* px =
              &img.pixels[static_cast<std::size_t>(((y0 + y) * img.width + x0 + x) * 3)];
          max_noise = std::max(max_noise, int{px[0]});
          grey = grey && px[0] == px[1] && px[1] == px[2];
        }
    }
  }
  CHECK(max_noise > 0);
  CHECK(max_noise <= 30);
  CHECK(grey);
}

TEST_CASE("mosaics: bad parameters, missing files and missing classes", "[data][mosaics]") {
  lg::test::TempDir tmp;
  MosaicSpec s = fixture_spec(tmp.path(), 10);
  SECTION("parameters") {
    MosaicSpec b = s;
    b.grid = 9;
    CHECK_THAT(error_of([&] { lg::validate(b); }), Contains("grid must be 1..8"));
    b = s;
    b.split = "val";
    CHECK_THAT(error_of([&] { lg::validate(b); }), Contains("'train' or 't10k', not 'val'"));
    b = s;
    b.empty_rate = 1.0;
    CHECK_THAT(error_of([&] { lg::validate(b); }), Contains("empty rate must be in [0, 1)"));
    b = s;
    b.outfits[0].classes = {0, 1, 0};
    CHECK_THAT(error_of([&] { lg::validate(b); }),
               Contains("outfit 'casual' lists class t-shirt-top twice"));
    b = s;
    b.outfits[2].classes = {3, 10};
    CHECK_THAT(error_of([&] { lg::validate(b); }), Contains("outfit 'summer' has class 10"));
    b = s;
    b.outfits[1].weight = 0.0;
    CHECK_THAT(error_of([&] { lg::validate(b); }), Contains("outfit 'formal' has weight 0"));
    b = s;
    b.tint = 1.5;
    CHECK_THAT(error_of([&] { lg::validate(b); }), Contains("tint must be in [0, 1]"));
  }
  SECTION("missing files name the file and the Debian package") {
    const std::string msg = error_of([&] { lg::generate_mosaics(s, 1, 1); });
    CHECK_THAT(msg, Contains((tmp.path() / "t10k-images-idx3-ubyte.gz").string()));
    CHECK_THAT(msg, Contains("apt-get install dataset-fashion-mnist"));
    CHECK_THAT(msg, Contains("LABELGRAPH_FASHION_MNIST"));
  }
  SECTION("a class the outfits draw but the pool lacks") {
    Bytes classes = two_per_class();
    for (std::uint8_t& c : classes)
      if (c == 8) c = 7;  // no bag
    write_pool(tmp.path(), "t10k", classes);
    CHECK_THAT(error_of([&] { lg::generate_mosaics(s, 1, 1); }),
               Contains("no image of class 8 (bag) in the t10k split"));
    // Without strays only the outfits' classes are drawn: an outfit without a bag works.
    s.stray_rate = 0.0;
    s.outfits = {{"casual", {0, 1, 7}, 1.0, {255, 255, 255}}};
    CHECK(lg::generate_mosaics(s, 1, 1).rows() == 10);
  }
  SECTION("a label outside 0..9") {
    Bytes classes = two_per_class();
    classes[5] = 12;
    write_pool(tmp.path(), "t10k", classes);
    CHECK_THAT(error_of([&] { lg::load_fashion_pool(s); }), Contains("label 12 of item 5"));
  }
}

TEST_CASE("mosaics: synth-images --kind mosaics writes the folder and CSV",
          "[data][mosaics][cli]") {
  lg::test::TempDir tmp;
  const fs::path src = tmp / "pool", out = tmp / "out";
  fs::create_directories(src);
  write_pool(src, "train", two_per_class());
  const lg::test::CliResult r = lg::test::run_labelgraph(
      "synth-images --kind mosaics --rows 5 --grid 2 --seed 3 --threads 2 --source '" +
      src.string() + "' --out '" + out.string() + "'");
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Contains("5 images of 6x4 pixels, 10 labels"));
  const std::string csv = lg::test::read_file(out / "labels.csv");
  CHECK(csv.rfind("file,t-shirt-top,trouser,pullover,dress,coat,sandal,shirt,sneaker,bag,"
                  "ankle-boot\nimg-00000.png,",
                  0) == 0);
  MosaicSpec s;
  s.rows = 5;
  s.source_dir = src;
  const lg::ImageDataset d = lg::generate_mosaics(s, 3, 1);
  for (int i = 0; i < 5; ++i) {
    const lg::Image png = lg::decode_image(out / ("img-0000" + std::to_string(i) + ".png"));
    CHECK(png.pixels == d.images[static_cast<std::size_t>(i)].pixels);
  }
  const auto wrong = lg::test::run_labelgraph("synth-images --kind mosaics --size 32 --source '" +
                                              src.string() + "' --out '" + (tmp / "x").string() +
                                              "'");
  CHECK(wrong.status != 0);
  CHECK_THAT(wrong.err, Contains("--size does not apply to --kind mosaics"));
  const auto wrong2 = lg::test::run_labelgraph("synth-images --kind scenes --grid 3 --out '" +
                                               (tmp / "y").string() + "'");
  CHECK(wrong2.status != 0);
  CHECK_THAT(wrong2.err, Contains("--grid does not apply to --kind scenes"));
}

TEST_CASE("mosaics: Debian's Fashion-MNIST test split", "[data][mosaics][fashion]") {
  const auto dir = fashion_dir();
  if (!dir) return;
  MosaicSpec s;
  s.rows = 24;
  s.source_dir = *dir;
  s.split = "t10k";
  const lg::FashionPool pool = lg::load_fashion_pool(s);
  CHECK(pool.images.count == 10000);
  for (const auto& members : pool.by_class) CHECK(members.size() == 1000);
  const lg::ImageDataset d = lg::generate_mosaics(s, pool, 7, 2);
  REQUIRE(d.rows() == 24);
  CHECK(d.images[0].width == 56);
  CHECK(d.images[0].height == 56);
  for (Index i = 0; i < 24; ++i) check_row(s, pool, d, 7, i);
  // The pixels are the package's: a tile equals an image read independently from the file.
  const lg::IdxImages file = lg::read_idx_images(*dir / "t10k-images-idx3-ubyte.gz");
  const lg::MosaicLayout layout = lg::mosaic_layout(s, pool, 7, 0);
  for (std::size_t t = 0; t < 4; ++t) {
    if (layout.tiles[t].klass < 0) continue;
    const std::uint8_t* src = file.image(layout.tiles[t].source);
    const int x0 = static_cast<int>(t % 2) * 28, y0 = static_cast<int>(t / 2) * 28;
    bool same = true;
    for (int y = 0; y < 28; ++y)
      for (int x = 0; x < 28; ++x)
        same = same && d.images[0].pixels[static_cast<std::size_t>(((y0 + y) * 56 + x0 + x) * 3)] ==
                           src[y * 28 + x];
    CHECK(same);
  }
}
