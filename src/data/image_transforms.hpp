#pragma once
// What happens to an image between the file and the network: resize, random crop and flip
// (training augmentation), and normalisation into planar float (C x H x W), batched over
// threads. Plain C++ on io/image_dataset.hpp's RGB images; the CNN models copy the batch
// buffer into a tensor.
//
// Resizing is bilinear with half-pixel centres (torch.nn.functional.interpolate(...,
// mode="bilinear", align_corners=False) without antialiasing): output pixel x samples the source
// at (x + 0.5) * in / out - 0.5, clamped to the image.
#include <array>
#include <cstdint>
#include <vector>

#include "io/image_dataset.hpp"

namespace lg {

struct ImageTransform {
  int size = 64;            ///< side of the square the network sees
  int resize = 0;           ///< resize to resize x resize first (0 = size); crop takes size x size
  bool random_crop = false; ///< crop at a random position (else the centre)
  bool random_flip = false; ///< mirror left-right with probability 1/2
  std::array<float, 3> mean = {0.485f, 0.456f, 0.406f};  ///< per channel, on [0, 1] values (ImageNet)
  std::array<float, 3> sd = {0.229f, 0.224f, 0.225f};    ///< per channel (ImageNet)
};

/// Throws lg::Error naming the bad field (sizes < 1, resize < size, sd <= 0).
void validate(const ImageTransform& t);

/// Bilinear resize (rule above). Throws lg::Error for an empty image or size < 1.
Image resize_bilinear(const Image& image, int width, int height);
/// The width x height window at (x, y). Throws lg::Error when it leaves the image.
Image crop(const Image& image, int x, int y, int width, int height);
/// Mirror left-right.
Image flip_horizontal(const Image& image);
/// Write (pixel / 255 - mean) / sd as 3 planes of height x width floats into `out`.
void to_planar_normalized(const Image& image, const ImageTransform& t, float* out);

/// Apply `t` to each image and write N x 3 x size x size floats into `out` (resized to
/// N * 3 * size * size). Row i's random choices come from derive_seed(seed, i), so the batch
/// does not depend on `threads` (0 = all cores).
void prepare_batch(const std::vector<const Image*>& images, const ImageTransform& t,
                   std::uint64_t seed, int threads, std::vector<float>& out);

}  // namespace lg
