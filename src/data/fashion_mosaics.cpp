#include "data/fashion_mosaics.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <system_error>

#include "core/error.hpp"
#include "core/parallel.hpp"
#include "core/random.hpp"

namespace lg {
namespace {

namespace fs = std::filesystem;

const std::array<const char*, kFashionClasses> kClassNames = {
    "t-shirt-top", "trouser", "pullover", "dress", "coat",
    "sandal",      "shirt",   "sneaker",  "bag",   "ankle-boot"};

enum FashionClass : Index {
  kTshirt = 0, kTrouser, kPullover, kDress, kCoat, kSandal, kShirt, kSneaker, kBag, kAnkleBoot
};

/// The split's file "<split>-<kind>" with ".gz", or without when only the plain file exists.
fs::path split_file(const MosaicSpec& spec, const std::string& kind) {
  const fs::path gz = spec.source_dir / (spec.split + "-" + kind + ".gz");
  const fs::path plain = spec.source_dir / (spec.split + "-" + kind);
  std::error_code ec;
  return !fs::exists(gz, ec) && fs::exists(plain, ec) ? plain : gz;
}

void require_file(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec))
    throw Error(path.string(), 0,
                "Fashion-MNIST file not found: Debian's dataset-fashion-mnist provides it "
                "(apt-get install dataset-fashion-mnist), or set LABELGRAPH_FASHION_MNIST (or "
                "--source) to a folder with the IDX files");
}

/// The classes outside outfit o, ascending (the stray draws index into this list).
std::vector<Index> non_members(const Outfit& o) {
  std::vector<Index> out;
  for (Index k = 0; k < kFashionClasses; ++k) {
    bool member = false;
    for (Index m : o.classes) member = member || m == k;
    if (!member) out.push_back(k);
  }
  return out;
}

double total_weight(const MosaicSpec& spec) {
  double w = 0.0;
  for (const Outfit& o : spec.outfits) w += o.weight;
  return w;
}

Index tiles_per_image(const MosaicSpec& spec) { return Index{spec.grid} * spec.grid; }

/// Draw the layout from `rng` (step 2); the same rng then draws the empty tiles' noise.
MosaicLayout draw_layout(const MosaicSpec& spec, const FashionPool& pool, double weights_total,
                         Random& rng) {
  MosaicLayout layout;
  // Outfit by weight: the first whose cumulative weight passes u; the last one absorbs rounding.
  const double u = rng.uniform() * weights_total;
  double cumulative = 0.0;
  layout.outfit = static_cast<Index>(spec.outfits.size()) - 1;
  for (std::size_t o = 0; o < spec.outfits.size(); ++o) {
    cumulative += spec.outfits[o].weight;
    if (u < cumulative) {
      layout.outfit = static_cast<Index>(o);
      break;
    }
  }
  const Outfit& outfit = spec.outfits[static_cast<std::size_t>(layout.outfit)];
  const std::vector<Index> others = non_members(outfit);
  const Index tiles = tiles_per_image(spec);
  layout.tiles.resize(static_cast<std::size_t>(tiles));
  for (MosaicTile& tile : layout.tiles) {
    if (rng.uniform() < spec.empty_rate) continue;  // stays empty
    const bool stray = rng.uniform() < spec.stray_rate;
    const std::vector<Index>& from = stray ? others : outfit.classes;
    tile.klass = from[static_cast<std::size_t>(rng.below(static_cast<Index>(from.size())))];
    const auto& candidates = pool.by_class[static_cast<std::size_t>(tile.klass)];
    tile.source = candidates[static_cast<std::size_t>(rng.below(
        static_cast<Index>(candidates.size())))];
  }
  return layout;
}

/// Step 4: paint the layout's tiles (and the empty tiles' noise from `rng`).
Image render(const MosaicSpec& spec, const FashionPool& pool, const MosaicLayout& layout,
             Random& rng) {
  const int th = pool.images.rows, tw = pool.images.cols;
  Image image;
  image.width = spec.grid * tw;
  image.height = spec.grid * th;
  image.pixels.assign(static_cast<std::size_t>(image.width) * image.height * 3, 0);
  const Outfit& outfit = spec.outfits[static_cast<std::size_t>(layout.outfit)];
  // Per-channel factor in 1/65536 steps, so tinting is integer arithmetic.
  std::array<std::uint32_t, 3> factor{};
  for (std::size_t c = 0; c < 3; ++c)
    factor[c] = static_cast<std::uint32_t>(
        std::lround(65536.0 * ((1.0 - spec.tint) + spec.tint * outfit.tint[c] / 255.0)));
  const bool tinted = spec.tint > 0.0;
  for (std::size_t t = 0; t < layout.tiles.size(); ++t) {
    const MosaicTile& tile = layout.tiles[t];
    const int x0 = static_cast<int>(t % static_cast<std::size_t>(spec.grid)) * tw;
    const int y0 = static_cast<int>(t / static_cast<std::size_t>(spec.grid)) * th;
    const std::uint8_t* src = tile.klass >= 0 ? pool.images.image(tile.source) : nullptr;
    for (int y = 0; y < th; ++y)
      for (int x = 0; x < tw; ++x) {
        std::uint32_t grey = 0;
        if (src)
          grey = src[static_cast<std::size_t>(y) * tw + x];
        else if (spec.empty_noise > 0)
          grey = static_cast<std::uint32_t>(rng.below(spec.empty_noise + 1));
        std::uint8_t* px =
            &image.pixels[(static_cast<std::size_t>(y0 + y) * image.width + (x0 + x)) * 3];
        for (std::size_t c = 0; c < 3; ++c)
          px[c] = static_cast<std::uint8_t>(
              tinted ? std::min<std::uint32_t>(255, (grey * factor[c] + 32768) >> 16) : grey);
      }
  }
  return image;
}

}  // namespace

std::vector<Outfit> default_outfits() {
  return {
      {"casual", {kTshirt, kTrouser, kSneaker}, 1.0, {120, 170, 255}},
      {"formal", {kShirt, kCoat, kAnkleBoot}, 1.0, {255, 235, 170}},
      {"summer", {kDress, kSandal, kBag}, 1.0, {255, 150, 120}},
      {"winter", {kPullover, kCoat, kAnkleBoot}, 1.0, {170, 255, 235}},
  };
}

fs::path default_fashion_dir() {
  const char* env = std::getenv("LABELGRAPH_FASHION_MNIST");
  if (env && *env) return env;
  return "/usr/share/datasets/fashion-mnist";
}

std::string fashion_class_name(Index klass) {
  if (klass < 0 || klass >= kFashionClasses)
    throw Error(fmt::format("Fashion-MNIST class {} out of range 0..9", klass));
  return kClassNames[static_cast<std::size_t>(klass)];
}

void validate(const MosaicSpec& spec) {
  if (spec.rows < 1) throw Error(fmt::format("mosaics: rows must be >= 1, not {}", spec.rows));
  if (spec.grid < 1 || spec.grid > 8)
    throw Error(fmt::format("mosaics: grid must be 1..8 tiles per side, not {}", spec.grid));
  if (spec.split != "train" && spec.split != "t10k")
    throw Error(fmt::format("mosaics: split must be 'train' or 't10k', not '{}'", spec.split));
  if (!(spec.empty_rate >= 0.0 && spec.empty_rate < 1.0))
    throw Error(fmt::format("mosaics: empty rate must be in [0, 1), not {}", spec.empty_rate));
  if (!(spec.stray_rate >= 0.0 && spec.stray_rate <= 1.0))
    throw Error(fmt::format("mosaics: stray rate must be in [0, 1], not {}", spec.stray_rate));
  if (spec.empty_noise < 0 || spec.empty_noise > 255)
    throw Error(fmt::format("mosaics: empty-tile noise must be 0..255, not {}", spec.empty_noise));
  if (!(spec.tint >= 0.0 && spec.tint <= 1.0))
    throw Error(fmt::format("mosaics: tint must be in [0, 1], not {}", spec.tint));
  if (spec.outfits.empty()) throw Error("mosaics: at least one outfit is needed");
  for (const Outfit& o : spec.outfits) {
    const auto m = static_cast<Index>(o.classes.size());
    if (m < 1 || m >= kFashionClasses)
      throw Error(fmt::format("mosaics: outfit '{}' has {} classes: expected 1..9", o.name, m));
    for (std::size_t a = 0; a < o.classes.size(); ++a) {
      if (o.classes[a] < 0 || o.classes[a] >= kFashionClasses)
        throw Error(fmt::format("mosaics: outfit '{}' has class {}: expected 0..9", o.name,
                                o.classes[a]));
      for (std::size_t b = 0; b < a; ++b)
        if (o.classes[a] == o.classes[b])
          throw Error(fmt::format("mosaics: outfit '{}' lists class {} twice", o.name,
                                  fashion_class_name(o.classes[a])));
    }
    if (!(o.weight > 0.0 && std::isfinite(o.weight)))
      throw Error(fmt::format("mosaics: outfit '{}' has weight {}: expected > 0", o.name,
                              o.weight));
  }
}

fs::path fashion_images_file(const MosaicSpec& spec) {
  return split_file(spec, "images-idx3-ubyte");
}
fs::path fashion_labels_file(const MosaicSpec& spec) {
  return split_file(spec, "labels-idx1-ubyte");
}

FashionPool load_fashion_pool(const MosaicSpec& spec) {
  validate(spec);
  FashionPool pool;
  pool.images_file = fashion_images_file(spec);
  pool.labels_file = fashion_labels_file(spec);
  require_file(pool.images_file);
  require_file(pool.labels_file);
  pool.images = read_idx_images(pool.images_file);
  pool.labels = read_idx_labels(pool.labels_file);
  if (static_cast<Index>(pool.labels.size()) != pool.images.count)
    throw Error(pool.labels_file.string(), 0,
                fmt::format("{} labels for the {} images of {}", pool.labels.size(),
                            pool.images.count, pool.images_file.string()));
  pool.by_class.resize(kFashionClasses);
  for (std::size_t i = 0; i < pool.labels.size(); ++i) {
    if (pool.labels[i] >= kFashionClasses)
      throw Error(pool.labels_file.string(), 0,
                  fmt::format("label {} of item {}: expected a class 0..9", pool.labels[i], i));
    pool.by_class[pool.labels[i]].push_back(static_cast<Index>(i));
  }
  return pool;
}

double outfit_probability(const MosaicSpec& spec, Index outfit) {
  return spec.outfits.at(static_cast<std::size_t>(outfit)).weight / total_weight(spec);
}

double tile_class_probability(const MosaicSpec& spec, Index outfit, Index klass) {
  const Outfit& o = spec.outfits.at(static_cast<std::size_t>(outfit));
  const auto m = static_cast<double>(o.classes.size());
  bool member = false;
  for (Index c : o.classes) member = member || c == klass;
  const double shown = 1.0 - spec.empty_rate;
  return member ? shown * (1.0 - spec.stray_rate) / m
                : shown * spec.stray_rate / (static_cast<double>(kFashionClasses) - m);
}

double expected_mosaic_frequency(const MosaicSpec& spec, Index klass) {
  return expected_mosaic_cooccurrence(spec, klass, klass);
}

double expected_mosaic_cooccurrence(const MosaicSpec& spec, Index j, Index k) {
  const double t = static_cast<double>(tiles_per_image(spec));
  double p = 0.0;
  for (Index o = 0; o < static_cast<Index>(spec.outfits.size()); ++o) {
    const double qj = tile_class_probability(spec, o, j);
    const double qk = tile_class_probability(spec, o, k);
    const double both = j == k ? 1.0 - std::pow(1.0 - qj, t)
                               : 1.0 - std::pow(1.0 - qj, t) - std::pow(1.0 - qk, t) +
                                     std::pow(1.0 - qj - qk, t);
    p += outfit_probability(spec, o) * both;
  }
  return p;
}

MosaicLayout mosaic_layout(const MosaicSpec& spec, const FashionPool& pool, std::uint64_t seed,
                           Index row) {
  Random rng(derive_seed(seed, static_cast<std::uint64_t>(row)));
  return draw_layout(spec, pool, total_weight(spec), rng);
}

ImageDataset generate_mosaics(const MosaicSpec& spec, std::uint64_t seed, int threads) {
  const FashionPool pool = load_fashion_pool(spec);
  return generate_mosaics(spec, pool, seed, threads);
}

ImageDataset generate_mosaics(const MosaicSpec& spec, const FashionPool& pool,
                              std::uint64_t seed, int threads) {
  validate(spec);
  if (threads < 1) throw Error(fmt::format("mosaics: threads must be >= 1, not {}", threads));
  if (pool.by_class.size() != static_cast<std::size_t>(kFashionClasses))
    throw Error("mosaics: the pool is not loaded (load_fashion_pool)");
  // Tiles bigger than this are no Fashion-MNIST (28 x 28) and would overflow the image size.
  if (pool.images.rows > 1024 || pool.images.cols > 1024)
    throw Error(pool.images_file.string(), 0,
                fmt::format("tiles of {}x{} pixels: expected at most 1024x1024",
                            pool.images.rows, pool.images.cols));
  // A class the model can draw needs at least one image in the pool.
  for (Index k = 0; k < kFashionClasses; ++k) {
    bool drawn = false;
    for (Index o = 0; o < static_cast<Index>(spec.outfits.size()); ++o)
      drawn = drawn || tile_class_probability(spec, o, k) > 0.0;
    if (drawn && pool.by_class[static_cast<std::size_t>(k)].empty())
      throw Error(pool.labels_file.string(), 0,
                  fmt::format("no image of class {} ({}) in the {} split, but the outfits "
                              "draw it",
                              k, fashion_class_name(k), spec.split));
  }
  const double weights_total = total_weight(spec);
  ImageDataset data;
  data.name = "fashion-mosaics";
  data.images.resize(static_cast<std::size_t>(spec.rows));
  data.labels = LabelMatrix::Zero(spec.rows, kFashionClasses);
  for (Index k = 0; k < kFashionClasses; ++k) data.label_names.push_back(fashion_class_name(k));
  parallel_for(spec.rows, threads, [&](Index i) {
    Random rng(derive_seed(seed, static_cast<std::uint64_t>(i)));
    const MosaicLayout layout = draw_layout(spec, pool, weights_total, rng);
    for (const MosaicTile& tile : layout.tiles)
      if (tile.klass >= 0) data.labels(i, tile.klass) = 1;
    data.images[static_cast<std::size_t>(i)] = render(spec, pool, layout, rng);
  });

  data.notes.push_back(fmt::format(
      "Fashion-MNIST mosaics: {} images of {}x{} tiles ({}x{} pixels) from {} and {} ({} "
      "images); model in src/data/fashion_mosaics.hpp",
      spec.rows, spec.grid, spec.grid, spec.grid * pool.images.cols, spec.grid * pool.images.rows,
      pool.images_file.string(), pool.labels_file.string(), pool.images.count));
  data.notes.push_back(fmt::format("tiles: empty {}, outside the outfit {}, empty noise {}, "
                                   "tint {}",
                                   spec.empty_rate, spec.stray_rate, spec.empty_noise, spec.tint));
  for (Index o = 0; o < static_cast<Index>(spec.outfits.size()); ++o) {
    const Outfit& outfit = spec.outfits[static_cast<std::size_t>(o)];
    std::string members;
    for (Index k : outfit.classes)
      members += (members.empty() ? "" : ", ") + fashion_class_name(k);
    data.notes.push_back(fmt::format("outfit '{}' (probability {:.3f}): {}", outfit.name,
                                     outfit_probability(spec, o), members));
  }
  std::string expected;
  for (Index k = 0; k < kFashionClasses; ++k)
    expected += fmt::format("{}{} {:.3f}", k ? ", " : "", fashion_class_name(k),
                            expected_mosaic_frequency(spec, k));
  data.notes.push_back("expected label frequencies: " + expected);
  return data;
}

}  // namespace lg
