#include "data/image_transforms.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <thread>

#include "core/error.hpp"
#include "core/parallel.hpp"
#include "core/random.hpp"

namespace lg {
namespace {

void require_pixels(const Image& image, const char* what) {
  if (image.width < 1 || image.height < 1 ||
      image.pixels.size() != static_cast<std::size_t>(image.width) * image.height * 3)
    throw Error(fmt::format("{}: the image is empty or its pixels do not match {} x {} x 3", what,
                            image.width, image.height));
}

/// Source coordinate and weights of output position `o` along an axis of `in` -> `out`.
struct Tap {
  int low = 0, high = 0;
  float weight_high = 0;  // weight of `high`; `low` gets 1 - weight_high
};

std::vector<Tap> taps(int in, int out) {
  std::vector<Tap> t(static_cast<std::size_t>(out));
  const double scale = static_cast<double>(in) / out;
  for (int o = 0; o < out; ++o) {
    const double s = std::clamp((o + 0.5) * scale - 0.5, 0.0, static_cast<double>(in - 1));
    const int low = static_cast<int>(std::floor(s));
    t[static_cast<std::size_t>(o)] = {low, std::min(low + 1, in - 1), static_cast<float>(s - low)};
  }
  return t;
}

}  // namespace

void validate(const ImageTransform& t) {
  if (t.size < 1) throw Error(fmt::format("image size = {} must be >= 1", t.size));
  if (t.resize != 0 && t.resize < t.size)
    throw Error(fmt::format("image resize = {} must be 0 or >= size ({})", t.resize, t.size));
  for (int c = 0; c < 3; ++c)
    if (!(t.sd[static_cast<std::size_t>(c)] > 0) || !std::isfinite(t.mean[static_cast<std::size_t>(c)]))
      throw Error(fmt::format("image normalisation: channel {} needs a finite mean and sd > 0", c));
}

Image resize_bilinear(const Image& image, int width, int height) {
  require_pixels(image, "resize");
  if (width < 1 || height < 1) throw Error(fmt::format("resize: target {} x {} is empty", width, height));
  if (width == image.width && height == image.height) return image;
  const std::vector<Tap> tx = taps(image.width, width), ty = taps(image.height, height);
  Image out{width, height, std::vector<std::uint8_t>(static_cast<std::size_t>(width) * height * 3)};
  const auto px = [&image](int x, int y, int c) {
    return static_cast<float>(image.pixels[(static_cast<std::size_t>(y) * image.width + x) * 3 + c]);
  };
  for (int y = 0; y < height; ++y) {
    const Tap& a = ty[static_cast<std::size_t>(y)];
    for (int x = 0; x < width; ++x) {
      const Tap& b = tx[static_cast<std::size_t>(x)];
      for (int c = 0; c < 3; ++c) {
        const float top = px(b.low, a.low, c) * (1 - b.weight_high) + px(b.high, a.low, c) * b.weight_high;
        const float bottom = px(b.low, a.high, c) * (1 - b.weight_high) + px(b.high, a.high, c) * b.weight_high;
        const float v = top * (1 - a.weight_high) + bottom * a.weight_high;
        out.pixels[(static_cast<std::size_t>(y) * width + x) * 3 + c] =
            static_cast<std::uint8_t>(std::clamp(std::lround(v), 0L, 255L));
      }
    }
  }
  return out;
}

Image crop(const Image& image, int x, int y, int width, int height) {
  require_pixels(image, "crop");
  if (x < 0 || y < 0 || width < 1 || height < 1 || x + width > image.width || y + height > image.height)
    throw Error(fmt::format("crop: window {} x {} at ({}, {}) leaves the {} x {} image", width, height,
                            x, y, image.width, image.height));
  Image out{width, height, std::vector<std::uint8_t>(static_cast<std::size_t>(width) * height * 3)};
  for (int r = 0; r < height; ++r) {
    const auto from = image.pixels.begin() + (static_cast<std::ptrdiff_t>(y + r) * image.width + x) * 3;
    std::copy(from, from + width * 3, out.pixels.begin() + static_cast<std::ptrdiff_t>(r) * width * 3);
  }
  return out;
}

Image flip_horizontal(const Image& image) {
  require_pixels(image, "flip");
  Image out = image;
  for (int y = 0; y < image.height; ++y)
    for (int x = 0; x < image.width; ++x)
      for (int c = 0; c < 3; ++c)
        out.pixels[(static_cast<std::size_t>(y) * image.width + x) * 3 + c] =
            image.pixels[(static_cast<std::size_t>(y) * image.width + (image.width - 1 - x)) * 3 + c];
  return out;
}

void to_planar_normalized(const Image& image, const ImageTransform& t, float* out) {
  require_pixels(image, "normalise");
  const std::size_t plane = static_cast<std::size_t>(image.width) * image.height;
  for (int c = 0; c < 3; ++c) {
    const float mean = t.mean[static_cast<std::size_t>(c)], sd = t.sd[static_cast<std::size_t>(c)];
    for (std::size_t p = 0; p < plane; ++p)
      out[c * plane + p] = (static_cast<float>(image.pixels[p * 3 + c]) / 255.0f - mean) / sd;
  }
}

void prepare_batch(const std::vector<const Image*>& images, const ImageTransform& t,
                   std::uint64_t seed, int threads, std::vector<float>& out) {
  validate(t);
  const std::size_t per_image = static_cast<std::size_t>(3) * t.size * t.size;
  out.resize(images.size() * per_image);
  const int resize = t.resize ? t.resize : t.size;
  parallel_for(static_cast<Index>(images.size()), threads, [&](Index i) {
    Random rng(derive_seed(seed, static_cast<std::uint64_t>(i)));
    Image im = resize_bilinear(*images[static_cast<std::size_t>(i)], resize, resize);
    const int slack = resize - t.size;
    const int x = t.random_crop ? static_cast<int>(rng.below(slack + 1)) : slack / 2;
    const int y = t.random_crop ? static_cast<int>(rng.below(slack + 1)) : slack / 2;
    if (slack > 0) im = crop(im, x, y, t.size, t.size);
    if (t.random_flip && rng.uniform() < 0.5) im = flip_horizontal(im);
    to_planar_normalized(im, t, out.data() + static_cast<std::size_t>(i) * per_image);
  });
}

}  // namespace lg
