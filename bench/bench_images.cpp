// bench_images: training speed (images per second) of the LibTorch image models cnn-br and
// mlgcn on 64 x 64 synthetic scenes. bench/run_images.sh runs it beside bench/images_reference.py
// (the identical network, loop and data pipeline in python3-torch, same threads) and prints the
// ratios; figures are in bench/README.md, section "bench/images".
//
//   bench_images (--folder DIR | --rows N) [--model cnn-br|mlgcn] [--threads T] [--epochs E]
//                [--batch B] [--width W] [--depth D] [--seed S] [--size P] [--device D]
//       --folder DIR: the PNG folder + labels.csv that `labelgraph synth-images` writes, read
//       with read_image_folder and decoded into memory before training (not timed), so both
//       sides train from uint8 HWC arrays in memory. --rows N: generate_scenes(N, P x P,
//       default SceneSpec, seed 42) in memory instead. --size P: the images' side (64; the
//       folder's images must have it). --device: cpu (default), cuda, cuda:K
//       (bench/run_gpu.sh).
//       Model through the registry (which loads the plugin): backbone resnet, width W (16),
//       depth D (3), max pooling, image_size P, resize 0, augment on (random flip; no crop at
//       resize 0), bce, adam lr 1e-3 weight_decay 1e-4, clip_grad_norm 10, batch B (64),
//       validation_fraction 0; mlgcn: one-hot label inputs, mlgcn-reference at tau 0.4,
//       gcn_hidden 256, 2 graph convolutions. One line:
//       `RESULT side cpp model M threads T epochs E rows N median_epoch_ms X images_per_s I
//        first_epoch_ms W fit_s F cpu_util U loader_cpu_share C final_loss L labels K
//        size P device D`
//       median over epochs 2..E (the first pays for LibTorch's and the allocator's warm-up);
//       images_per_s = rows / median epoch seconds. cpu_util = (user + sys CPU seconds of the
//       process during fit()) / (fit() wall seconds * T). loader_cpu_share: the CPU seconds of
//       threads that ended during fit() (the ImageBatchLoader starts one worker per epoch and
//       joins it; LibTorch's pool threads live on) over the process's CPU seconds in fit();
//       an estimate from /proc/self/task, since the loader's own counters are not public.
//   bench_images --folder DIR --export-npy PREFIX
//       Writes the decoded images as PREFIX-images.npy (N x H x W x 3 uint8) and the labels as
//       PREFIX-labels.npy (N x L uint8) for the Python side (Debian's python3 has no PIL).
#include <cstdlib>
#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/context.hpp"
#include "core/error.hpp"
#include "data/synthetic_scenes.hpp"
#include "io/image_dataset.hpp"
#include "io/image_readers.hpp"
#include "models/registry.hpp"

namespace {

namespace fs = std::filesystem;

struct Options {
  std::string model = "cnn-br";
  std::string folder;      ///< PNG folder with labels.csv; empty = generate
  lg::Index rows = 2000;   ///< generated scenes when no folder
  int threads = 1;
  int epochs = 5;
  int batch = 64;
  int width = 16;
  int depth = 3;
  int size = 64;             ///< image side in pixels
  std::string device = "cpu";
  std::uint64_t seed = 1;
  std::string export_npy;  ///< write the data as .npy and stop
};

toml::table model_params(const Options& o) {
  toml::table t;
  t.insert("backbone", "resnet");
  t.insert("width", o.width);
  t.insert("depth", o.depth);
  t.insert("pooling", "max");
  t.insert("image_size", o.size);
  t.insert("resize", 0);
  t.insert("augment", true);
  // The measured layout: channels-last convolutions (BackboneParams::channels_last, the
  // default; IMAGES_BENCH_NCHW=1 measures NCHW instead).
  const char* nchw = std::getenv("IMAGES_BENCH_NCHW");
  t.insert("channels_last", !(nchw && std::string(nchw) == "1"));
  t.insert("loss", "bce");
  t.insert("optimizer", "adam");
  t.insert("lr", 1e-3);
  t.insert("weight_decay", 1e-4);
  t.insert("clip_grad_norm", 10.0);
  t.insert("epochs", o.epochs);
  t.insert("batch_size", o.batch);
  t.insert("validation_fraction", 0.0);
  t.insert("patience", 0);
  if (o.model == "mlgcn") {
    t.insert("label_inputs", "one-hot");
    t.insert("adjacency", "mlgcn-reference");
    t.insert("tau", 0.4);
    t.insert("gcn_hidden", 256);
    t.insert("gcn_depth", 2);
  }
  return t;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

/// User + system CPU seconds of the whole process (all threads, living or ended).
double process_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

/// CPU seconds (utime + stime) of every living thread of the process, by thread id.
std::map<long, double> thread_cpu_seconds() {
  std::map<long, double> out;
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  std::error_code ec;
  for (const fs::directory_entry& task : fs::directory_iterator("/proc/self/task", ec)) {
    std::ifstream in(task.path() / "stat");
    std::string text;
    if (!in || !std::getline(in, text)) continue;  // the thread ended meanwhile
    // Fields after the ")" closing the thread name: state is field 3, utime 14, stime 15.
    const std::size_t close = text.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(text.substr(close + 1));
    std::string field;
    double utime = 0, stime = 0;
    for (int k = 3; k <= 15 && rest >> field; ++k) {
      if (k == 14) utime = std::stod(field);
      if (k == 15) stime = std::stod(field);
    }
    out[std::stol(task.path().filename().string())] = (utime + stime) / tick;
  }
  return out;
}

/// Decode every file of a folder-backed set into memory (the set becomes an in-memory one).
void decode_all(lg::ImageDataset& data) {
  data.images.reserve(data.files.size());
  for (const fs::path& f : data.files) data.images.push_back(lg::decode_image(f));
}

/// One .npy (format 1.0, C order) of uint8 with the given shape.
void write_npy_u8(const fs::path& path, const std::vector<std::int64_t>& shape,
                  const std::uint8_t* bytes, std::size_t count) {
  std::string dims;
  for (const std::int64_t d : shape) dims += std::to_string(d) + ", ";
  if (shape.size() > 1) dims.resize(dims.size() - 2);
  std::string header = "{'descr': '|u1', 'fortran_order': False, 'shape': (" + dims + "), }";
  const std::size_t unpadded = 10 + header.size() + 1;  // magic, version, length, header, '\n'
  header.append((64 - unpadded % 64) % 64, ' ');
  header.push_back('\n');
  std::string out = std::string("\x93NUMPY\x01\x00", 8);
  out.push_back(static_cast<char>(header.size() & 0xff));
  out.push_back(static_cast<char>(header.size() >> 8));
  out += header;
  out.append(reinterpret_cast<const char*>(bytes), count);
  lg::write_file_atomically(path, out);
}

void export_npy(const lg::ImageDataset& data, const std::string& prefix) {
  if (data.images.empty()) throw lg::Error("bench_images: no images to export");
  const lg::Image& first = data.images.front();
  std::vector<std::uint8_t> pixels;
  pixels.reserve(data.images.size() * first.pixels.size());
  for (const lg::Image& im : data.images) {
    if (im.width != first.width || im.height != first.height)
      throw lg::Error("bench_images: --export-npy needs images of one size");
    pixels.insert(pixels.end(), im.pixels.begin(), im.pixels.end());
  }
  const auto n = static_cast<std::int64_t>(data.images.size());
  write_npy_u8(prefix + "-images.npy", {n, first.height, first.width, 3}, pixels.data(),
               pixels.size());
  std::vector<std::uint8_t> labels(static_cast<std::size_t>(data.labels.size()));
  for (lg::Index i = 0; i < data.labels.rows(); ++i)
    for (lg::Index j = 0; j < data.labels.cols(); ++j)
      labels[static_cast<std::size_t>(i * data.labels.cols() + j)] = data.labels(i, j);
  write_npy_u8(prefix + "-labels.npy", {n, static_cast<std::int64_t>(data.labels.cols())},
               labels.data(), labels.size());
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Options o;
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      if (i + 1 >= argc) throw lg::Error("bench_images: " + a + " needs a value");
      const std::string v = argv[++i];
      if (a == "--model") o.model = v;
      else if (a == "--folder") o.folder = v;
      else if (a == "--rows") o.rows = std::stoll(v);
      else if (a == "--threads") o.threads = std::stoi(v);
      else if (a == "--epochs") o.epochs = std::stoi(v);
      else if (a == "--batch") o.batch = std::stoi(v);
      else if (a == "--width") o.width = std::stoi(v);
      else if (a == "--depth") o.depth = std::stoi(v);
      else if (a == "--seed") o.seed = std::stoull(v);
      else if (a == "--size") o.size = std::stoi(v);
      else if (a == "--device") o.device = v;
      else if (a == "--export-npy") o.export_npy = v;
      else throw lg::Error("bench_images: unknown option " + a);
    }
    auto images = std::make_shared<lg::ImageDataset>();
    if (!o.folder.empty()) {
      *images = lg::read_image_folder(o.folder, fs::path(o.folder) / "labels.csv");
      decode_all(*images);
    } else {
      lg::SceneSpec spec;
      spec.rows = o.rows;
      spec.size = o.size;
      *images = lg::generate_scenes(spec, 42, 2);
    }
    if (!o.export_npy.empty()) {
      export_npy(*images, o.export_npy);
      return 0;
    }
    const lg::Dataset train = lg::as_dataset(images);
    lg::Context ctx;
    ctx.threads = o.threads;
    ctx.seed = o.seed;
    ctx.device = o.device;
    lg::models::ModelPtr model = lg::models::make_model(o.model, model_params(o));

    const std::map<long, double> threads_before = thread_cpu_seconds();
    const double cpu_before = process_cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    model->fit(train, ctx);
    const double fit_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = process_cpu_seconds() - cpu_before;
    double living = 0;  // CPU seconds in fit() of threads still alive now
    for (const auto& [tid, seconds] : thread_cpu_seconds()) {
      const auto before = threads_before.find(tid);
      living += seconds - (before == threads_before.end() ? 0.0 : before->second);
    }
    const double ended = std::max(0.0, cpu - living);

    const lg::report::TrainingHistory* history = model->training_history();
    if (!history || history->epochs.empty())
      throw lg::Error("bench_images: " + o.model + " recorded no epochs");
    std::vector<double> tail;
    for (const lg::report::EpochRecord& r : history->epochs)
      if (r.epoch > 1) tail.push_back(r.seconds);
    if (tail.empty()) tail.push_back(history->epochs.front().seconds);
    const double med = median(tail);
    const int threads = ctx.resolved_threads();
    std::cout << fmt::format(
        "RESULT side cpp model {} threads {} epochs {} rows {} median_epoch_ms {:.1f} "
        "images_per_s {:.1f} first_epoch_ms {:.1f} fit_s {:.3f} cpu_util {:.3f} "
        "loader_cpu_share {:.3f} final_loss {:.6f} labels {} size {} device {}\n",
        o.model, threads, history->epochs.size(), train.rows(), 1e3 * med,
        static_cast<double>(train.rows()) / med, 1e3 * history->epochs.front().seconds, fit_s,
        cpu / (fit_s * threads), cpu > 0 ? ended / cpu : 0.0, history->epochs.back().train_loss,
        train.num_labels(), o.size, o.device);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "bench_images: " << e.what() << "\n";
    return 1;
  }
}
