#pragma once
// Fashion-MNIST mosaics: a multi-label IMAGE data set with REAL pixels. Each image is a G x G
// grid of Fashion-MNIST tiles (28 x 28 grey, from Debian's dataset-fashion-mnist); the labels
// are the clothing classes shown, and which classes come together follows latent "outfits".
//
// Labels (the 10 Fashion-MNIST classes, in the source's order, fashion_class_name()):
//   0 t-shirt-top, 1 trouser, 2 pullover, 3 dress, 4 coat, 5 sandal, 6 shirt, 7 sneaker,
//   8 bag, 9 ankle-boot
//
// Generative model (N rows, T = G * G tiles per image; parameters in MosaicSpec):
//
//  1. Outfits. The default outfits (default_outfits()), each drawn with probability 1/4:
//        casual: t-shirt-top, trouser, sneaker
//        formal: shirt, coat, ankle-boot
//        summer: dress, sandal, bag
//        winter: pullover, coat, ankle-boot
//     Every class belongs to at least one outfit; coat and ankle-boot belong to two (formal
//     and winter), so they are the most frequent labels and the hubs of the label graph.
//     Callers may give their own outfits (members, weight, tint).
//  2. Tiles. An image draws one outfit o (by weight). Each of its T tiles, independently, is
//        empty                                    with probability e (empty_rate),
//        a member of o, uniform over the m_o       with probability (1 - e)(1 - s),
//        a class outside o, uniform over 10 - m_o  with probability (1 - e) s  (s: stray_rate),
//     so a tile shows class k with probability (tile_class_probability())
//        q_ok = (1 - e)(1 - s) / m_o  if k in o,   (1 - e) s / (10 - m_o)  otherwise.
//     A class tile shows a uniformly drawn image of that class from the split's pool ("train":
//     60000 images, "t10k": 10000), pixels unchanged.
//  3. Labels = the classes shown on at least one tile. Given o the tiles are independent, so
//        P(k | o) = 1 - (1 - q_ok)^T,
//        P(j, k | o) = 1 - (1 - q_oj)^T - (1 - q_ok)^T + (1 - q_oj - q_ok)^T   (j != k),
//     and expected_mosaic_frequency() / expected_mosaic_cooccurrence() sum these over the
//     outfits times their probabilities (exact, no sampling). Defaults (G = 2, e = 0.2,
//     s = 0.1): an outfit member shows with probability 1 - 0.76^4 = 0.666, a stray class
//     with 1 - (1 - 0.08/7)^4 = 0.045; coat and ankle-boot 0.356, the others 0.200; mean
//     labels per image 2.31; 0.2^4 = 0.16% of the images are all empty (no label).
//  4. Pixels. Grey g is expanded to RGB. Empty tiles are black plus uniform grey noise in
//     [0, empty_noise] per pixel (default 0: plain black, like the Fashion-MNIST background).
//     With tint > 0 every pixel is coloured by the outfit's tint t (RGB):
//        channel c = round(g * ((1 - tint) + tint * t_c / 255)),
//     which shows the latent outfit in the colour - a shortcut a model may learn instead of the
//     clothes, so the default tint is 0 (pure grey, channels equal to the source pixels).
//
// Determinism: row i draws from lg::Random(derive_seed(seed, i)): the outfit, then per tile
// (raster order) the empty / member / stray choice, the class and the pool image, then the
// empty tiles' noise. The images do not depend on the thread count or on how many rows are
// asked for; the arithmetic is integer except the uniform draws, so they are bit-identical
// everywhere.
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "io/idx_reader.hpp"
#include "io/image_dataset.hpp"

namespace lg {

/// Fashion-MNIST has 10 classes.
constexpr Index kFashionClasses = 10;

/// One latent outfit: the classes it wears.
struct Outfit {
  std::string name;                     ///< e.g. "casual"
  std::vector<Index> classes;           ///< member classes, distinct, 1..9 of them
  double weight = 1.0;                  ///< relative probability of the outfit, > 0
  std::array<std::uint8_t, 3> tint{255, 255, 255};  ///< colour used when MosaicSpec::tint > 0
};

/// Step 1's four outfits (casual, formal, summer, winter), equal weights.
std::vector<Outfit> default_outfits();

/// LABELGRAPH_FASHION_MNIST if set and not empty, else /usr/share/datasets/fashion-mnist.
std::filesystem::path default_fashion_dir();

struct MosaicSpec {
  Index rows = 2000;                   ///< N: images
  int grid = 2;                        ///< G: tiles per side (1..8); 2 gives 56 x 56 images
  std::filesystem::path source_dir = default_fashion_dir();  ///< folder of the IDX files
  std::string split = "train";         ///< pool the tiles come from: "train" or "t10k"
  std::vector<Outfit> outfits = default_outfits();  ///< step 1
  double empty_rate = 0.2;             ///< e: probability a tile is empty, [0, 1)
  double stray_rate = 0.1;             ///< s: probability a class tile is outside the outfit
  int empty_noise = 0;                 ///< empty tiles: uniform grey noise in [0, this], 0..255
  double tint = 0.0;                   ///< strength of the outfit tint, [0, 1]
};

/// The pool of tiles: one split's images and labels, indexed by class.
struct FashionPool {
  std::filesystem::path images_file;           ///< the IDX image file read
  std::filesystem::path labels_file;           ///< the IDX label file read
  IdxImages images;                            ///< count x rows x cols grey pixels
  std::vector<std::uint8_t> labels;            ///< class of each image, 0..9
  std::vector<std::vector<Index>> by_class;    ///< per class, the images of that class
};

/// One tile of a mosaic: which class and pool image (class -1: empty).
struct MosaicTile {
  Index klass = -1;    ///< class shown, or -1 for an empty tile
  Index source = -1;   ///< index of the image in the split's IDX file, -1 when empty
};

/// One image's draws of step 2, tiles in raster order (row by row).
struct MosaicLayout {
  Index outfit = 0;                ///< index into MosaicSpec::outfits
  std::vector<MosaicTile> tiles;   ///< G * G tiles
};

/// Throws lg::Error naming the first parameter out of range (files are checked on loading).
void validate(const MosaicSpec& spec);

/// Label name of class k (0..9): "t-shirt-top", "trouser", ... (the list above).
std::string fashion_class_name(Index klass);

/// "<dir>/<split>-images-idx3-ubyte.gz" and "...-labels-idx1-ubyte.gz"; the plain (not gzip'd)
/// name when only that exists.
std::filesystem::path fashion_images_file(const MosaicSpec& spec);
std::filesystem::path fashion_labels_file(const MosaicSpec& spec);

/// Read the split's files. Throws lg::Error naming a missing file (and Debian's
/// dataset-fashion-mnist, which provides it), a count mismatch, or a label outside 0..9.
FashionPool load_fashion_pool(const MosaicSpec& spec);

/// q_ok of step 2: probability that one tile of an image with outfit o shows class k.
double tile_class_probability(const MosaicSpec& spec, Index outfit, Index klass);
/// Probability of outfit o (its weight over the total).
double outfit_probability(const MosaicSpec& spec, Index outfit);
/// Exact P(label k) under step 3.
double expected_mosaic_frequency(const MosaicSpec& spec, Index klass);
/// Exact P(labels j and k) under step 3 (j == k gives P(k)).
double expected_mosaic_cooccurrence(const MosaicSpec& spec, Index j, Index k);

/// Row `row`'s layout, exactly as generate_mosaics(spec, seed) draws it from `pool`.
MosaicLayout mosaic_layout(const MosaicSpec& spec, const FashionPool& pool, std::uint64_t seed,
                           Index row);

/// Generate the data set in memory (images, labels, class names, notes naming the source
/// files and the outfits). Same spec and seed give identical pixels and labels for any
/// `threads` (>= 1).
ImageDataset generate_mosaics(const MosaicSpec& spec, std::uint64_t seed, int threads = 2);
/// The same from an already loaded pool (tests, and callers that make several sets).
ImageDataset generate_mosaics(const MosaicSpec& spec, const FashionPool& pool,
                              std::uint64_t seed, int threads = 2);

}  // namespace lg
