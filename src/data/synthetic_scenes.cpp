#include "data/synthetic_scenes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/parallel.hpp"
#include "core/random.hpp"

namespace lg {
namespace {

constexpr int kShapes = 12;
const char* const kShapeNames[kShapes] = {"circle", "square", "triangle", "ring",
                                          "cross",  "hbars",  "vbars",    "diamond",
                                          "dots",   "x",      "frame",    "halfdisc"};
const char* const kColourNames[kShapes] = {"red",    "blue",    "yellow", "green",
                                           "orange", "purple",  "cyan",   "magenta",
                                           "white",  "black",   "brown",  "pink"};
constexpr Rgb kPalette[kShapes] = {{{220, 40, 40}},  {{40, 70, 220}},  {{235, 220, 40}},
                                   {{40, 170, 60}},  {{245, 140, 20}}, {{140, 50, 180}},
                                   {{40, 210, 220}}, {{220, 50, 200}}, {{245, 245, 245}},
                                   {{15, 15, 15}},   {{130, 80, 30}},  {{250, 160, 190}}};
constexpr int kMaxContexts = 8;
const char* const kContextNames[kMaxContexts] = {"street", "kitchen", "park",  "beach",
                                                 "office", "forest",  "night", "snow"};
constexpr Rgb kTints[kMaxContexts] = {{{120, 120, 128}}, {{200, 180, 150}}, {{100, 150, 90}},
                                      {{215, 200, 150}}, {{170, 170, 190}}, {{50, 85, 55}},
                                      {{35, 35, 70}},    {{225, 228, 235}}};
constexpr double kColourJitter = 12.0;

Index weak_count(const SceneSpec& spec) {
  const auto wanted = static_cast<Index>(std::floor(spec.weak_fraction * spec.kinds + 1e-9));
  return std::min(wanted, spec.kinds - spec.contexts);
}

/// Placement rate of easy kind k inside its context / outside it (step 5).
double in_context_rate(const SceneSpec& spec, Index k) {
  const double c = static_cast<double>(spec.contexts);
  return std::min(1.0,
                  c * target_scene_frequency(spec, k) * (1.0 - spec.background * (c - 1.0) / c));
}
double out_context_rate(const SceneSpec& spec, Index k) {
  return std::min(1.0, spec.background * target_scene_frequency(spec, k));
}
/// Placement rate of weak kind w when its partner is placed / is not.
double weak_rate_with_partner(const SceneSpec& spec, Index w) {
  const double pa = expected_scene_frequency(spec, scene_partner(spec, w));
  return pa > 0.0 ? std::min(1.0, spec.partner_rate * target_scene_frequency(spec, w) / pa) : 0.0;
}
double weak_rate_without_partner(const SceneSpec& spec, Index w) {
  const double pa = expected_scene_frequency(spec, scene_partner(spec, w));
  return pa < 1.0 ? std::min(1.0, (1.0 - spec.partner_rate) * target_scene_frequency(spec, w) /
                                      (1.0 - pa))
                  : 0.0;
}

/// Whether the point (u, v), in the shape's own square [-1, 1]^2 (v down), is inside shape s.
bool inside_shape(int s, double u, double v) {
  const double au = std::abs(u), av = std::abs(v), d2 = u * u + v * v;
  switch (s) {
    case 0: return d2 <= 1.0;                                       // circle
    case 1: return au <= 0.8 && av <= 0.8;                          // square
    case 2: return v >= -0.85 && v <= 0.85 && au <= (v + 0.85) * 0.55;  // triangle, apex up
    case 3: return d2 <= 1.0 && d2 >= 0.36;                         // ring
    case 4: return (au <= 0.28 && av <= 0.95) || (av <= 0.28 && au <= 0.95);  // cross
    case 5:                                                          // hbars: 3 bars
      return au <= 0.9 && av <= 0.9 && static_cast<int>((v + 0.9) / 0.36) % 2 == 0;
    case 6:                                                          // vbars
      return au <= 0.9 && av <= 0.9 && static_cast<int>((u + 0.9) / 0.36) % 2 == 0;
    case 7: return au + av <= 1.0;                                  // diamond
    case 8: {                                                        // dots: 5 small discs
      const double cu = u > 0.3 ? 0.58 : (u < -0.3 ? -0.58 : 0.0);
      const double cv = v > 0.3 ? 0.58 : (v < -0.3 ? -0.58 : 0.0);
      if ((cu == 0.0) != (cv == 0.0)) return false;  // only the centre and the 4 corners
      return (u - cu) * (u - cu) + (v - cv) * (v - cv) <= 0.1;
    }
    case 9: return au <= 0.9 && av <= 0.9 && (std::abs(u - v) <= 0.38 || std::abs(u + v) <= 0.38);
    case 10: return std::max(au, av) <= 0.9 && std::max(au, av) >= 0.6;  // frame
    default: return d2 <= 1.0 && v >= 0.0;                          // halfdisc
  }
}

Rgb jittered(Rgb colour, Random& rng) {
  Rgb out;
  for (int c = 0; c < 3; ++c) {
    const double value = colour[c] + (2.0 * rng.uniform() - 1.0) * kColourJitter;
    out[c] = static_cast<std::uint8_t>(std::clamp(std::lround(value), 0L, 255L));
  }
  return out;
}

Rgb blended(Rgb tint, Rgb colour, double amount) {
  Rgb out;
  for (int c = 0; c < 3; ++c)
    out[c] = static_cast<std::uint8_t>(
        std::lround(tint[c] + amount * (static_cast<double>(colour[c]) - tint[c])));
  return out;
}

/// Rates precomputed once per spec.
struct SceneModel {
  std::vector<bool> weak;
  std::vector<double> in_rate, out_rate, with_partner, without_partner;
};

SceneModel make_model(const SceneSpec& spec) {
  SceneModel m;
  const auto k = static_cast<std::size_t>(spec.kinds);
  m.weak.resize(k);
  m.in_rate.resize(k);
  m.out_rate.resize(k);
  m.with_partner.assign(k, 0.0);
  m.without_partner.assign(k, 0.0);
  for (Index i = 0; i < spec.kinds; ++i) {
    m.weak[i] = is_weak_kind(spec, i);
    m.in_rate[i] = in_context_rate(spec, i);
    m.out_rate[i] = out_context_rate(spec, i);
    if (m.weak[i]) {
      m.with_partner[i] = weak_rate_with_partner(spec, i);
      m.without_partner[i] = weak_rate_without_partner(spec, i);
    }
  }
  return m;
}

SceneLayout draw_layout(const SceneSpec& spec, const SceneModel& model, Random& rng) {
  SceneLayout draw;
  const double s = spec.size;
  draw.context = rng.below(spec.contexts);
  const Rgb tint = kTints[draw.context];
  std::vector<bool> placed(static_cast<std::size_t>(spec.kinds), false);
  for (Index k = 0; k < spec.kinds; ++k)  // easy kinds first: weak ones depend on them
    if (!model.weak[k])
      placed[k] = rng.uniform() <
                  (scene_context(spec, k) == draw.context ? model.in_rate[k] : model.out_rate[k]);
  for (Index k = 0; k < spec.kinds; ++k)
    if (model.weak[k])
      placed[k] = rng.uniform() < (placed[scene_partner(spec, k)] ? model.with_partner[k]
                                                                  : model.without_partner[k]);

  auto place = [&](int kind, double radius, Rgb colour) {
    SceneObject o;
    o.kind = kind;
    o.radius = radius;
    o.cx = radius + rng.uniform() * (s - 2.0 * radius);
    o.cy = radius + rng.uniform() * (s - 2.0 * radius);
    o.colour = jittered(colour, rng);
    return o;
  };
  const auto colour_of = [](Index k) {
    return kPalette[k < kShapes ? k : (k + 5) % kShapes];
  };
  // Weak objects first; remember which partner should be put over which weak object.
  std::vector<std::pair<Index, std::size_t>> covers;  // (partner kind, weak object index)
  for (Index k = 0; k < spec.kinds; ++k) {
    if (!model.weak[k] || !placed[k]) continue;
    const double radius = s * (0.06 + 0.03 * rng.uniform());
    draw.objects.push_back(
        place(static_cast<int>(k), radius, blended(tint, colour_of(k), spec.weak_contrast)));
    const Index partner = scene_partner(spec, k);
    if (placed[partner] && rng.uniform() < spec.occlusion)
      covers.emplace_back(partner, draw.objects.size() - 1);
  }
  const std::size_t first_easy = draw.objects.size();
  for (Index k = 0; k < spec.kinds; ++k) {
    if (model.weak[k] || !placed[k]) continue;
    const Index copies = 1 + rng.below(spec.max_copies);
    for (Index c = 0; c < copies; ++c)
      draw.objects.push_back(
          place(static_cast<int>(k), s * (0.12 + 0.10 * rng.uniform()), colour_of(k)));
  }
  // Put each covering partner's first copy beside its weak object (clamped inside the image).
  for (const auto& [partner, weak_index] : covers) {
    for (std::size_t i = first_easy; i < draw.objects.size(); ++i) {
      SceneObject& o = draw.objects[i];
      if (o.kind != partner) continue;
      const SceneObject& w = draw.objects[weak_index];
      const double angle = 2.0 * 3.14159265358979323846 * rng.uniform();
      const double dist = o.radius + w.radius * (-0.1 + 0.7 * rng.uniform());
      o.cx = std::clamp(w.cx + dist * std::cos(angle), o.radius, s - o.radius);
      o.cy = std::clamp(w.cy + dist * std::sin(angle), o.radius, s - o.radius);
      break;
    }
  }
  // Easy objects in random order (partners first in index order would always be on top).
  std::vector<SceneObject> easy(draw.objects.begin() + static_cast<std::ptrdiff_t>(first_easy),
                                draw.objects.end());
  rng.shuffle(easy);
  std::copy(easy.begin(), easy.end(),
            draw.objects.begin() + static_cast<std::ptrdiff_t>(first_easy));
  return draw;
}

/// Uniform noise in [-amplitude, amplitude] on every channel; one 48-bit draw per pixel gives
/// its three channels 16 bits each (a third of the draws of one per channel).
void add_noise(Image& image, double amplitude, Random& rng) {
  if (amplitude <= 0.0) return;
  const double scale = 2.0 * amplitude / 65536.0;
  for (std::size_t p = 0; p + 2 < image.pixels.size(); p += 3) {
    auto bits = static_cast<std::uint64_t>(rng.uniform() * 0x1.0p48);
    for (std::size_t c = 0; c < 3; ++c, bits >>= 16) {
      const double value =
          image.pixels[p + c] - amplitude + static_cast<double>(bits & 0xFFFF) * scale;
      image.pixels[p + c] = static_cast<std::uint8_t>(std::clamp(std::lround(value), 0L, 255L));
    }
  }
}

/// Row i's streams: one for the layout, one for the pixel noise.
std::uint64_t layout_seed(std::uint64_t seed, Index row) {
  return derive_seed(seed, 2 * static_cast<std::uint64_t>(row));
}
std::uint64_t noise_seed(std::uint64_t seed, Index row) {
  return derive_seed(seed, 2 * static_cast<std::uint64_t>(row) + 1);
}

std::string image_file_name(Index i) { return fmt::format("img-{:05d}.png", i); }

}  // namespace

void validate(const SceneSpec& spec) {
  auto fail = [](const std::string& what) { throw Error("synthetic scenes: " + what); };
  if (spec.rows < 1) fail(fmt::format("rows must be >= 1, not {}", spec.rows));
  if (spec.size < 16 || spec.size > 1024)
    fail(fmt::format("size must be in 16..1024 pixels, not {}", spec.size));
  if (spec.kinds < 2 || spec.kinds > 2 * kShapes)
    fail(fmt::format("kinds must be in 2..{}, not {}", 2 * kShapes, spec.kinds));
  if (spec.contexts < 1 || spec.contexts > std::min<Index>(kMaxContexts, spec.kinds))
    fail(fmt::format("contexts must be in 1..{} (at most 8 and at most kinds), not {}",
                     std::min<Index>(kMaxContexts, spec.kinds), spec.contexts));
  auto in01 = [&](double v, const char* name) {
    if (!(v >= 0.0 && v <= 1.0)) fail(fmt::format("{} must be in [0, 1], not {}", name, v));
  };
  in01(spec.weak_fraction, "weak_fraction");
  in01(spec.background, "background");
  in01(spec.partner_rate, "partner_rate");
  in01(spec.weak_contrast, "weak_contrast");
  in01(spec.occlusion, "occlusion");
  if (!(spec.top_frequency > 0.0 && spec.top_frequency <= 1.0))
    fail(fmt::format("top_frequency must be in (0, 1], not {}", spec.top_frequency));
  if (!(spec.imbalance >= 0.0 && spec.imbalance <= 10.0))
    fail(fmt::format("imbalance must be in [0, 10], not {}", spec.imbalance));
  if (spec.max_copies < 1 || spec.max_copies > 8)
    fail(fmt::format("max_copies must be in 1..8, not {}", spec.max_copies));
  if (spec.min_visible_pixels < 1)
    fail(fmt::format("min_visible_pixels must be >= 1, not {}", spec.min_visible_pixels));
  if (!(spec.noise >= 0.0 && spec.noise <= 128.0))
    fail(fmt::format("noise must be in [0, 128], not {}", spec.noise));
}

std::string scene_kind_name(Index kind) {
  if (kind < 0) throw Error(fmt::format("synthetic scenes: kind {} is negative", kind));
  const auto s = static_cast<std::size_t>(kind % kShapes);
  if (kind < kShapes) return kShapeNames[s];
  return fmt::format("{}-{}", kShapeNames[s], kColourNames[(kind + 5) % kShapes]);
}

Index scene_context(const SceneSpec& spec, Index kind) { return kind % spec.contexts; }

bool is_weak_kind(const SceneSpec& spec, Index kind) {
  const Index w = weak_count(spec), m = spec.kinds - spec.contexts;
  // Weak kinds are C + floor((j + 1/2) m / W) for j < W: kind k is one when some j maps to it.
  for (Index j = 0; j < w; ++j)
    if (spec.contexts + ((2 * j + 1) * m) / (2 * w) == kind) return true;
  return false;
}

Index scene_partner(const SceneSpec& spec, Index kind) { return scene_context(spec, kind); }

double target_scene_frequency(const SceneSpec& spec, Index kind) {
  return spec.top_frequency * std::pow(static_cast<double>(kind + 1), -spec.imbalance);
}

double expected_scene_frequency(const SceneSpec& spec, Index kind) {
  if (is_weak_kind(spec, kind)) {
    const double pa = expected_scene_frequency(spec, scene_partner(spec, kind));
    return pa * weak_rate_with_partner(spec, kind) +
           (1.0 - pa) * weak_rate_without_partner(spec, kind);
  }
  const double c = static_cast<double>(spec.contexts);
  return in_context_rate(spec, kind) / c + (c - 1.0) / c * out_context_rate(spec, kind);
}

double expected_partner_rate(const SceneSpec& spec, Index weak_kind) {
  const double pa = expected_scene_frequency(spec, scene_partner(spec, weak_kind));
  const double pw = expected_scene_frequency(spec, weak_kind);
  return pw > 0.0 ? pa * weak_rate_with_partner(spec, weak_kind) / pw : 0.0;
}

Index visibility_threshold(const SceneSpec& spec) {
  const double area = static_cast<double>(spec.size) * spec.size / (64.0 * 64.0);
  return std::max<Index>(1, std::lround(spec.min_visible_pixels * area));
}

Rgb scene_tint(Index context) { return kTints[std::clamp<Index>(context, 0, kMaxContexts - 1)]; }

SceneLayout scene_layout(const SceneSpec& spec, std::uint64_t seed, Index row) {
  validate(spec);
  Random rng(layout_seed(seed, row));
  return draw_layout(spec, make_model(spec), rng);
}

RenderedScene render_objects(int size, Rgb tint, const std::vector<SceneObject>& objects) {
  if (size < 1 || size > 1 << 15)
    throw Error(fmt::format("render_objects: size must be in 1..32768, not {}", size));
  RenderedScene out;
  out.image.width = size;
  out.image.height = size;
  const auto n = static_cast<std::size_t>(size) * static_cast<std::size_t>(size);
  out.image.pixels.resize(n * 3);
  for (std::size_t p = 0; p < n; ++p)
    std::copy(tint.begin(), tint.end(),
              out.image.pixels.begin() + static_cast<std::ptrdiff_t>(3 * p));
  std::vector<std::int32_t> owner(n, -1);
  for (std::size_t i = 0; i < objects.size(); ++i) {
    const SceneObject& o = objects[i];
    if (!std::isfinite(o.cx) || !std::isfinite(o.cy) || !std::isfinite(o.radius) || o.kind < 0)
      throw Error(fmt::format("render_objects: object {} has kind {}, centre ({}, {}), radius {}: "
                              "expected a kind >= 0 and finite numbers",
                              i, o.kind, o.cx, o.cy, o.radius));
    if (!(o.radius > 0.0)) continue;
    const int shape = o.kind % kShapes;
    // Clip the bounding box in double first: far-away objects must not overflow an int.
    const double last = size - 1.0;
    const double fx0 = std::max(0.0, std::floor(o.cx - o.radius));
    const double fx1 = std::min(last, std::ceil(o.cx + o.radius));
    const double fy0 = std::max(0.0, std::floor(o.cy - o.radius));
    const double fy1 = std::min(last, std::ceil(o.cy + o.radius));
    if (fx0 > fx1 || fy0 > fy1) continue;
    const int x0 = static_cast<int>(fx0), x1 = static_cast<int>(fx1);
    const int y0 = static_cast<int>(fy0), y1 = static_cast<int>(fy1);
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x) {
        const double u = (x + 0.5 - o.cx) / o.radius, v = (y + 0.5 - o.cy) / o.radius;
        if (!inside_shape(shape, u, v)) continue;
        const auto p = static_cast<std::size_t>(y) * static_cast<std::size_t>(size) +
                       static_cast<std::size_t>(x);
        owner[p] = static_cast<std::int32_t>(i);
        std::copy(o.colour.begin(), o.colour.end(),
                  out.image.pixels.begin() + static_cast<std::ptrdiff_t>(3 * p));
      }
  }
  out.visible_pixels.assign(objects.size(), 0);
  for (const std::int32_t o : owner)
    if (o >= 0) ++out.visible_pixels[static_cast<std::size_t>(o)];
  return out;
}

std::vector<std::uint8_t> visible_kinds(const SceneSpec& spec,
                                        const std::vector<SceneObject>& objects,
                                        const std::vector<Index>& visible_pixels) {
  if (visible_pixels.size() != objects.size())
    throw Error(fmt::format("visible_kinds: {} objects but {} visibility counts", objects.size(),
                            visible_pixels.size()));
  std::vector<std::uint8_t> row(static_cast<std::size_t>(spec.kinds), 0);
  const Index threshold = visibility_threshold(spec);
  for (std::size_t i = 0; i < objects.size(); ++i) {
    const int k = objects[i].kind;
    if (k < 0 || k >= spec.kinds)
      throw Error(fmt::format("visible_kinds: object {} has kind {}, expected 0..{}", i, k,
                              spec.kinds - 1));
    if (visible_pixels[i] >= threshold) row[static_cast<std::size_t>(k)] = 1;
  }
  return row;
}

ImageDataset generate_scenes(const SceneSpec& spec, std::uint64_t seed, int threads) {
  validate(spec);
  const SceneModel model = make_model(spec);
  ImageDataset data;
  data.name = "synthetic-scenes";
  data.images.resize(static_cast<std::size_t>(spec.rows));
  data.labels = LabelMatrix::Zero(spec.rows, spec.kinds);
  for (Index k = 0; k < spec.kinds; ++k) data.label_names.push_back(scene_kind_name(k));
  parallel_for(spec.rows, threads, [&](Index i) {
    Random layout_rng(layout_seed(seed, i)), noise_rng(noise_seed(seed, i));
    const SceneLayout draw = draw_layout(spec, model, layout_rng);
    RenderedScene scene = render_objects(spec.size, kTints[draw.context], draw.objects);
    const auto row = visible_kinds(spec, draw.objects, scene.visible_pixels);
    for (Index k = 0; k < spec.kinds; ++k) data.labels(i, k) = row[static_cast<std::size_t>(k)];
    add_noise(scene.image, spec.noise, noise_rng);
    data.images[static_cast<std::size_t>(i)] = std::move(scene.image);
  });

  data.notes.push_back(fmt::format(
      "synthetic scenes: {} images of {}x{} pixels, {} kinds, {} contexts (model in "
      "src/data/synthetic_scenes.hpp)",
      spec.rows, spec.size, spec.size, spec.kinds, spec.contexts));
  for (Index c = 0; c < spec.contexts; ++c) {
    std::string members;
    for (Index k = c; k < spec.kinds; k += spec.contexts)
      members += fmt::format("{}{} {:.3f}", members.empty() ? "" : ", ", scene_kind_name(k),
                             is_weak_kind(spec, k) ? expected_scene_frequency(spec, k)
                                                   : in_context_rate(spec, k));
    data.notes.push_back(fmt::format("context {} '{}': kinds with placement rate in context: {}",
                                     c, kContextNames[c], members));
  }
  for (Index k = 0; k < spec.kinds; ++k)
    if (is_weak_kind(spec, k))
      data.notes.push_back(fmt::format(
          "weak kind {}: small, contrast {}, partner {} (P({} | {}) = {:.3f})",
          scene_kind_name(k), spec.weak_contrast, scene_kind_name(scene_partner(spec, k)),
          scene_kind_name(scene_partner(spec, k)), scene_kind_name(k),
          expected_partner_rate(spec, k)));
  return data;
}

std::vector<std::filesystem::path> write_image_folder(const ImageDataset& data,
                                                      const std::filesystem::path& dir,
                                                      int threads) {
  const Index n = data.rows();
  if (static_cast<Index>(data.images.size()) != n)
    throw Error(dir.string(), 0,
                fmt::format("write_image_folder needs in-memory images: {} images for {} rows",
                            data.images.size(), n));
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error(dir.string(), 0, "cannot create the folder: " + ec.message());
  std::vector<std::filesystem::path> written(static_cast<std::size_t>(n) + 1);
  parallel_for(n, threads, [&](Index i) {
    const auto path = dir / image_file_name(i);
    write_png(data.images[static_cast<std::size_t>(i)], path);
    written[static_cast<std::size_t>(i)] = path;
  });
  std::string csv = "file";
  for (const std::string& name : data.label_names) csv += "," + name;
  csv += '\n';
  for (Index i = 0; i < n; ++i) {
    csv += image_file_name(i);
    for (Index k = 0; k < data.num_labels(); ++k) csv += data.labels(i, k) ? ",1" : ",0";
    csv += '\n';
  }
  written.back() = dir / "labels.csv";
  write_file_atomically(written.back(), csv);
  return written;
}

}  // namespace lg
