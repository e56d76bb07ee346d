#pragma once
// Synthetic scenes: a built-in multi-label IMAGE data set with a known structure. Small RGB
// images show objects of K kinds (the labels); which kinds appear together follows latent
// "contexts", and some kinds are hard to see but nearly always come with an easy partner, so
// a label graph can tell what the pixels barely show.
//
// Generative model (N rows, S x S pixels, K kinds, C contexts; defaults in SceneSpec):
//
//  1. Kinds. Kind k has a shape (circle, square, triangle, ring, cross, hbars, vbars, diamond,
//     dots, x, frame, halfdisc: kind k gets shape k mod 12) and a colour from a fixed palette
//     of 12 (kind k < 12: colour k; kind k >= 12: colour (k + 5) mod 12, name "shape-colour").
//     Names: "circle", "square", ... (scene_kind_name()).
//  2. Contexts. Kind k belongs to context k mod C (street, kitchen, park, beach, office,
//     forest, night, snow). The anchor of context c is kind c, the most frequent of its
//     context. Each context has a background tint.
//  3. Frequencies. Target frequencies follow a power law in the kind index:
//        p_k = top_frequency * (k + 1)^(-imbalance)
//  4. Weak kinds. W = floor(weak_fraction * K) kinds (at most K - C) are "weak": weak kind j
//     (j = 0..W-1) is kind C + floor((j + 1/2)(K - C) / W), spread over the frequency ranks of
//     the non-anchor kinds. The partner of a weak kind is the anchor of its context
//     (kind k mod C), an easy kind. All other kinds are easy.
//  5. Which kinds an image places. The image draws one context z uniformly from the C. Each
//     easy kind k of context c(k) is placed with probability
//        q_k = min(1, C * p_k * (1 - background * (C - 1) / C))   if c(k) = z,
//        background * p_k                                        otherwise,
//     so its marginal placement rate is p_k while q_k <= 1 (synthetic.hpp's group model).
//     A weak kind w with partner a (placement rate P(a)) is then placed with probability
//        min(1, partner_rate * p_w / P(a))              when a is placed,
//        min(1, (1 - partner_rate) * p_w / (1 - P(a)))  when it is not,
//     so P(w placed) = p_w and P(a placed | w placed) = partner_rate while unclipped.
//     expected_scene_frequency() gives these placement rates exactly.
//  6. Drawing. Background: the context's tint. Each placed easy kind draws 1..max_copies
//     objects (uniform) of radius uniform in [0.12, 0.22] * S at the full kind colour; each
//     placed weak kind draws one object of radius [0.06, 0.09] * S, its colour blended toward
//     the background to weak_contrast (colour = tint + weak_contrast * (colour - tint)). All
//     objects lie wholly inside the image; colours get a per-object jitter of +-12 per
//     channel. Weak objects are drawn FIRST and easy ones after them in random order, so easy
//     objects cover weak ones; with probability `occlusion` a weak object's partner (when
//     placed) has its first copy centred next to the weak object (centre distance
//     R_partner + r_weak * u, u uniform in [-0.1, 0.6]), covering part of it on purpose.
//     Last, every pixel channel gets uniform noise in [-noise, +noise] (16-bit steps).
//  7. Labels = kinds VISIBLE in the image: a kind is a label when at least one of its objects
//     keeps >= min_visible_pixels * (S / 64)^2 pixels (rounded, at least 1: the threshold is
//     stated for 64 x 64 images and scales with the area, so that small weak objects stay
//     labels in small images) after everything drawn later (visibility is counted
//     on the final owner of each pixel, so a fully covered object is no label). Label
//     frequencies are therefore the placement rates of step 5 minus the full occlusions:
//     easy kinds lose about 1-3% of their placements, weak kinds about 1-20% (defaults,
//     4000 rows: cross 17%, vbars 10-16%, dots 1-3%; small shapes under big ones), and on
//     the labels P(partner | weak) comes out a little under partner_rate (0.87-0.88 for
//     0.9: a weak object next to its partner is the one most often hidden). With the
//     defaults about a fifth of the images show no object at all (no label; mean 1.33
//     labels per image).
//
// Determinism: row i draws its layout from lg::Random(derive_seed(seed, 2i)) and its noise
// from lg::Random(derive_seed(seed, 2i + 1)), so the images do not depend on the thread count
// or on how many rows are asked for. Shapes are rasterised by plain arithmetic (pixel centres
// tested against the shape); the only library maths are pow (frequencies) and cos / sin
// (where a partner is put), so bit-identical images across C libraries are not promised.
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "io/image_dataset.hpp"

namespace lg {

struct SceneSpec {
  Index rows = 2000;              ///< N: images
  int size = 64;                  ///< S: images are S x S pixels, 16..1024
  Index kinds = 10;               ///< K: object kinds (labels), 2..24
  Index contexts = 3;             ///< C: latent contexts, 1..min(8, K)
  double weak_fraction = 0.3;     ///< fraction of kinds that are weak (at most K - C kinds)
  double imbalance = 1.0;         ///< power-law exponent of kind frequencies (0 = balanced)
  double top_frequency = 0.5;     ///< target frequency of kind 0, (0, 1]
  double background = 0.1;        ///< rate of an easy kind outside its image's context, times p_k
  double partner_rate = 0.9;      ///< P(partner placed | weak placed), [0, 1]
  int max_copies = 2;             ///< a placed easy kind draws 1..max_copies objects
  double weak_contrast = 0.35;    ///< weak colour: this fraction of the way from tint to colour
  double occlusion = 0.5;         ///< probability that a weak object's partner is put on it
  int min_visible_pixels = 8;     ///< fewer visible pixels: no label (at S = 64; scaled by area)
  double noise = 12.0;            ///< uniform pixel noise amplitude, 0..128
};

using Rgb = std::array<std::uint8_t, 3>;

/// One object to draw: kind, centre and radius in pixels, colour.
struct SceneObject {
  int kind = 0;      ///< which kind (shape k mod 12)
  double cx = 0.0;   ///< centre x in pixels (pixel x covers [x, x + 1))
  double cy = 0.0;   ///< centre y in pixels
  double radius = 1.0;  ///< half the side of the shape's bounding square
  Rgb colour{};      ///< fill colour
};

/// An image drawn from objects, with each object's pixels left visible at the end.
struct RenderedScene {
  Image image;                       ///< S x S RGB
  std::vector<Index> visible_pixels; ///< per object (same order), pixels it owns at the end
};

/// One image's context and objects in drawing order (steps 5 and 6), before rendering.
struct SceneLayout {
  Index context = 0;                ///< the image's context, 0..C-1
  std::vector<SceneObject> objects; ///< weak objects first, then easy ones in random order
};

/// Throws lg::Error naming the first parameter out of range.
void validate(const SceneSpec& spec);

/// Name of kind k ("circle", "square", ...; "circle-blue" etc. for k >= 12).
std::string scene_kind_name(Index kind);
/// Context of kind k (k mod C).
Index scene_context(const SceneSpec& spec, Index kind);
/// Whether kind k is weak (step 4).
bool is_weak_kind(const SceneSpec& spec, Index kind);
/// Partner (the context's anchor) of kind k; the anchor itself for easy kinds.
Index scene_partner(const SceneSpec& spec, Index kind);
/// Target frequency p_k of step 3.
double target_scene_frequency(const SceneSpec& spec, Index kind);
/// Exact placement rate of kind k under step 5 (p_k unless clipped at 1).
double expected_scene_frequency(const SceneSpec& spec, Index kind);
/// Exact P(partner placed | weak kind placed) under step 5 (weak kinds only).
double expected_partner_rate(const SceneSpec& spec, Index weak_kind);

/// Row `row`'s layout, exactly as generate_scenes(spec, seed) draws it.
SceneLayout scene_layout(const SceneSpec& spec, std::uint64_t seed, Index row);
/// Background tint of context c.
Rgb scene_tint(Index context);

/// Draw `objects` in order (later ones cover earlier ones) on a `size` x `size` background of
/// colour `tint`, without noise, and count every object's visible pixels.
RenderedScene render_objects(int size, Rgb tint, const std::vector<SceneObject>& objects);

/// Step 7's threshold: min_visible_pixels * (S / 64)^2, rounded, at least 1.
Index visibility_threshold(const SceneSpec& spec);
/// Label row (K entries, 0/1) of a rendered scene: step 7's visibility rule.
std::vector<std::uint8_t> visible_kinds(const SceneSpec& spec,
                                        const std::vector<SceneObject>& objects,
                                        const std::vector<Index>& visible_pixels);

/// Generate the data set in memory (images, labels, kind names, notes on contexts and
/// partners). Same spec and seed give identical pixels and labels for any `threads`.
ImageDataset generate_scenes(const SceneSpec& spec, std::uint64_t seed, int threads = 2);

/// Write `data` (in-memory images) as DIR/img-00000.png ... plus DIR/labels.csv
/// ("file,<label>,..." then one 0/1 row per image), each file written atomically. Creates DIR.
/// Returns the paths written (labels.csv last).
std::vector<std::filesystem::path> write_image_folder(const ImageDataset& data,
                                                      const std::filesystem::path& dir,
                                                      int threads = 2);

}  // namespace lg
