// Resize, crop, flip, normalisation and batches, against hand computation.
#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "data/image_transforms.hpp"

namespace {

/// A width x height image whose red channel is `red` (row-major), green = 10, blue = 20.
lg::Image image(int width, int height, std::vector<int> red) {
  lg::Image im{width, height, std::vector<std::uint8_t>(static_cast<std::size_t>(width) * height * 3)};
  for (std::size_t p = 0; p < red.size(); ++p) {
    im.pixels[p * 3] = static_cast<std::uint8_t>(red[p]);
    im.pixels[p * 3 + 1] = 10;
    im.pixels[p * 3 + 2] = 20;
  }
  return im;
}

std::vector<int> reds(const lg::Image& im) {
  std::vector<int> out;
  for (std::size_t p = 0; p < im.pixels.size(); p += 3) out.push_back(im.pixels[p]);
  return out;
}

}  // namespace

TEST_CASE("bilinear resize with half-pixel centres, by hand", "[data]") {
  // Up 2 -> 4: output x samples (x + 0.5) / 2 - 0.5 = -0.25 (clamped to 0), 0.25, 0.75, 1.25
  // (clamped to 1): 0, 0.75*0 + 0.25*100 = 25, 75, 100 (torch's interpolate, align_corners=False).
  CHECK(reds(lg::resize_bilinear(image(2, 1, {0, 100}), 4, 1)) == std::vector<int>{0, 25, 75, 100});
  // Down 4 -> 2: samples at 0.5 and 2.5: (0 + 100) / 2 = 50, (200 + 255) / 2 = 227.5 -> 228.
  CHECK(reds(lg::resize_bilinear(image(4, 1, {0, 100, 200, 255}), 2, 1)) == std::vector<int>{50, 228});
  // Both axes: 2 x 2 -> 1 x 1 samples the centre (0.5, 0.5): the mean of the four, 40.
  CHECK(reds(lg::resize_bilinear(image(2, 2, {10, 30, 50, 70}), 1, 1)) == std::vector<int>{40});
  // Same size: unchanged, other channels kept.
  const lg::Image same = lg::resize_bilinear(image(2, 2, {1, 2, 3, 4}), 2, 2);
  CHECK(reds(same) == std::vector<int>{1, 2, 3, 4});
  CHECK(same.pixels[1] == 10);
  CHECK_THROWS_WITH(lg::resize_bilinear(image(2, 1, {0, 1}), 0, 3), Catch::Contains("empty"));
  CHECK_THROWS_WITH(lg::resize_bilinear(lg::Image{}, 2, 2), Catch::Contains("empty"));
}

TEST_CASE("crop and flip, by hand", "[data]") {
  // 3 x 2:  1 2 3 / 4 5 6
  const lg::Image im = image(3, 2, {1, 2, 3, 4, 5, 6});
  CHECK(reds(lg::crop(im, 1, 0, 2, 2)) == std::vector<int>{2, 3, 5, 6});
  CHECK(reds(lg::crop(im, 0, 1, 3, 1)) == std::vector<int>{4, 5, 6});
  CHECK(reds(lg::flip_horizontal(im)) == std::vector<int>{3, 2, 1, 6, 5, 4});
  CHECK_THROWS_WITH(lg::crop(im, 2, 0, 2, 2), Catch::Contains("leaves the 3 x 2 image"));
}

TEST_CASE("normalisation into planes, by hand", "[data]") {
  lg::ImageTransform t;
  t.mean = {0.5f, 0.0f, 0.0f};
  t.sd = {0.25f, 1.0f, 0.5f};
  std::vector<float> out(6);
  lg::to_planar_normalized(image(2, 1, {255, 0}), t, out.data());
  // red: (1 - 0.5) / 0.25 = 2, (0 - 0.5) / 0.25 = -2; green 10/255; blue (20/255) / 0.5
  CHECK(out[0] == Approx(2.0));
  CHECK(out[1] == Approx(-2.0));
  CHECK(out[2] == Approx(10.0 / 255.0));
  CHECK(out[3] == Approx(10.0 / 255.0));
  CHECK(out[4] == Approx(40.0 / 255.0));
  t.sd[1] = 0;
  CHECK_THROWS_WITH(lg::validate(t), Catch::Contains("channel 1"));
}

TEST_CASE("batches: centre crop by default, seeded random crops and flips, any thread count", "[data]") {
  std::vector<lg::Image> images;
  for (int k = 0; k < 9; ++k) {
    std::vector<int> red(36);
    for (int p = 0; p < 36; ++p) red[static_cast<std::size_t>(p)] = (p * 7 + k * 13) % 256;
    images.push_back(image(6, 6, red));
  }
  std::vector<const lg::Image*> pointers;
  for (const lg::Image& im : images) pointers.push_back(&im);

  lg::ImageTransform t;
  t.size = 4;
  t.mean = {0, 0, 0};
  t.sd = {1, 1, 1};
  std::vector<float> centre;
  lg::prepare_batch(pointers, t, 1, 1, centre);
  REQUIRE(centre.size() == 9u * 3 * 4 * 4);
  // size 4 without resize: the 6 x 6 image is resized to 4 x 4 (no crop)
  const lg::Image expected = lg::resize_bilinear(images[2], 4, 4);
  CHECK(centre[2 * 48 + 5] == Approx(expected.pixels[5 * 3] / 255.0));

  t.resize = 6;  // no resize, crop 4 x 4 from 6 x 6: centre window at (1, 1)
  lg::prepare_batch(pointers, t, 1, 1, centre);
  CHECK(centre[0] == Approx(images[0].pixels[(1 * 6 + 1) * 3] / 255.0));

  t.random_crop = true;
  t.random_flip = true;
  std::vector<float> one, two, other;
  lg::prepare_batch(pointers, t, 7, 1, one);
  lg::prepare_batch(pointers, t, 7, 2, two);
  lg::prepare_batch(pointers, t, 8, 2, other);
  CHECK(one == two);
  CHECK(one != other);
  t.resize = 3;
  CHECK_THROWS_WITH(lg::prepare_batch(pointers, t, 7, 1, one), Catch::Contains("resize = 3"));
}
