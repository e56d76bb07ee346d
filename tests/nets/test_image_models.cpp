// cnn-br and mlgcn on image data (a CNN backbone): they learn the synthetic scenes, the same
// seed gives the same scores, images from files give what the same pixels in memory give,
// checkpoints round-trip, and the wrong kind of input is refused.
#include <catch2/catch.hpp>

#include <memory>

#include "core/error.hpp"
#include "data/split.hpp"
#include "data/synthetic_scenes.hpp"
#include "eval/measures.hpp"
#include "helpers.hpp"
#include "io/image_readers.hpp"
#include "models/registry.hpp"
#include "nets/net_model.hpp"

namespace {

using lg::Dataset;
using lg::Index;

lg::models::ModelPtr make(const std::string& name, toml::table params) {
  lg::nets::register_net_models();
  return lg::models::make_model(name, params, "test.toml", 3);
}

// Small and quick: 32 x 32 scenes, a narrow 2-stage ResNet.
toml::table cnn_params(int epochs) {
  return toml::table{{"width", 8},     {"depth", 2},       {"image_size", 32},
                     {"epochs", epochs}, {"batch_size", 32}, {"lr", 0.01},
                     {"validation_fraction", 0.0}};
}

Dataset scenes(Index rows, std::uint64_t seed) {
  lg::SceneSpec spec;
  spec.rows = rows;
  spec.size = 32;
  spec.kinds = 6;
  spec.contexts = 2;
  return lg::as_dataset(std::make_shared<lg::ImageDataset>(lg::generate_scenes(spec, seed, 2)));
}

lg::Context context(std::uint64_t seed = 3) {
  lg::Context ctx;
  ctx.device = lg::test::test_device();  // LABELGRAPH_TEST_DEVICE (bench/run_gpu.sh)
  ctx.seed = seed;
  ctx.threads = 2;
  return ctx;
}

double map_of(const Dataset& d, const lg::ScoreMatrix& scores) {
  const lg::LabelMatrix predicted = (scores.array() >= 0.5f).cast<std::uint8_t>();
  return lg::eval::evaluate(d.labels, scores, predicted).get("mAP");
}

}  // namespace

TEST_CASE("cnn-br and mlgcn on images: a short training beats a constant predictor", "[nets]") {
  const Dataset data = scenes(500, 11);
  std::vector<Index> train_rows, test_rows;
  for (Index i = 0; i < data.rows(); ++i) (i < 400 ? train_rows : test_rows).push_back(i);
  const Dataset train = lg::select_rows(data, train_rows), test = lg::select_rows(data, test_rows);
  // A constant score per label gives each label an AP equal to its prevalence (one tied
  // threshold), so the constant predictor's mAP is the mean prevalence over labels that occur.
  double constant_map = 0;
  int present = 0;
  for (Index l = 0; l < test.num_labels(); ++l) {
    const double prevalence = test.labels.col(l).cast<double>().mean();
    if (prevalence > 0) constant_map += prevalence, ++present;
  }
  constant_map /= present;
  for (const std::string name : {"cnn-br", "mlgcn"}) {
    INFO(name);
    auto model = make(name, cnn_params(8));
    model->fit(train, context());
    const lg::ScoreMatrix scores = model->predict_scores(test, context());
    REQUIRE(scores.rows() == 100);
    REQUIRE(scores.cols() == 6);
    CHECK(scores.minCoeff() >= 0.0f);
    CHECK(scores.maxCoeff() <= 1.0f);
    const double map = map_of(test, scores);
    CAPTURE(constant_map, map);
    CHECK(map > constant_map + 0.2);
    // Pooled features: width * 2^(depth - 1) = 16 per image, the model's f(x).
    const Dataset f = model->learned_features(test, context());
    CHECK(f.rows() == 100);
    CHECK(f.num_features() == 16);
    CHECK(f.labels == test.labels);
    CHECK_FALSE(f.has_images());
    CHECK(f.dense.minCoeff() >= 0.0f);  // max-pooled ReLU maps
  }
}

TEST_CASE("image models: same seed, same scores, and images from files equal those in memory",
          "[nets]") {
  const Dataset data = scenes(120, 5);
  lg::test::TempDir dir;
  lg::write_image_folder(*data.images, dir / "imgs", 2);
  const Dataset from_files = lg::as_dataset(std::make_shared<lg::ImageDataset>(
      lg::read_image_folder(dir / "imgs", dir / "imgs" / "labels.csv")));
  REQUIRE(from_files.labels == data.labels);
  toml::table p = cnn_params(2);
  p.insert_or_assign("validation_fraction", 0.25);  // seeded too
  p.insert_or_assign("resize", 36);                 // random crops of 32 from 36
  for (const std::string name : {"cnn-br", "mlgcn"}) {
    INFO(name);
    auto a = make(name, p), b = make(name, p), c = make(name, p), files = make(name, p);
    a->fit(data, context(5));
    b->fit(data, context(5));
    c->fit(data, context(6));
    files->fit(from_files, context(5));
    const lg::ScoreMatrix sa = a->predict_scores(data, context(5));
    CHECK(sa == b->predict_scores(data, context(5)));
    CHECK(sa != c->predict_scores(data, context(6)));
    // PNG is lossless, so the decoded files are the generated pixels (and the same threads).
    CHECK(sa == files->predict_scores(from_files, context(5)));
  }
}

TEST_CASE("image models: checkpoint save -> load gives identical scores", "[nets]") {
  const Dataset data = scenes(80, 2);
  lg::test::TempDir dir;
  auto model = make("mlgcn", cnn_params(2));
  model->fit(data, context());
  auto& net = dynamic_cast<lg::nets::NetModel&>(*model);
  net.save(dir / "m.pt");
  const auto loaded = lg::nets::NetModel::load(dir / "m.pt");
  CHECK(loaded->predict_scores(data, context()) == model->predict_scores(data, context()));
}

TEST_CASE("image models: the wrong kind of input is refused with a clear message", "[nets]") {
  const Dataset images = scenes(40, 1);
  Dataset rows;
  rows.name = "rows";
  rows.dense = lg::DenseFeatures::Zero(40, 2);
  rows.feature_names = {"a", "b"};
  rows.labels = images.labels;
  rows.label_names = images.label_names;
  auto mlp = make("mlp-br", toml::table{{"epochs", 1}});
  CHECK_THROWS_WITH(mlp->fit(images, context()),
                    Catch::Contains("mlp-br reads feature rows") && Catch::Contains("use cnn-br"));
  auto cnn = make("cnn-br", cnn_params(1));
  CHECK_THROWS_WITH(cnn->fit(rows, context()), Catch::Contains("cnn-br reads images"));
  cnn->fit(images, context());
  CHECK_THROWS_WITH(cnn->predict_scores(rows, context()),
                    Catch::Contains("trained on images, 'rows' has feature rows"));
  CHECK_THROWS_WITH(make("cnn-br", toml::table{{"pooling", "median"}}),
                    Catch::Contains("pooling"));
  CHECK_THROWS_WITH(make("cnn-br", toml::table{{"freeze", true}}),
                    Catch::Contains("freeze = true needs a pretrained backbone"));
  CHECK_THROWS_WITH(make("cnn-br", toml::table{{"resize", 40}, {"image_size", 64}}),
                    Catch::Contains("resize = 40 must be 0 or >= image_size"));
}

TEST_CASE("image models: channels-last convolutions compute what NCHW ones do", "[nets]") {
  const Dataset data = scenes(64, 8);
  toml::table p = cnn_params(1);
  p.insert_or_assign("channels_last", false);
  auto nchw = make("cnn-br", p);
  p.insert_or_assign("channels_last", true);
  auto nhwc = make("cnn-br", p), again = make("cnn-br", p);
  nchw->fit(data, context());
  nhwc->fit(data, context());
  again->fit(data, context());
  const lg::ScoreMatrix a = nchw->predict_scores(data, context()), b = nhwc->predict_scores(data, context());
  CHECK(b == again->predict_scores(data, context()));  // deterministic in either layout
  // Same arithmetic in another summation order: one epoch later the scores agree closely.
  CHECK((a - b).cwiseAbs().maxCoeff() < 1e-3f);
}
