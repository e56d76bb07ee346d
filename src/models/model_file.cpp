#include "models/model_file.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <atomic>
#include <random>
#include <fstream>
#include <sstream>

#include "core/atomic_file.hpp"
#include "core/context.hpp"
#include "core/nets_loader.hpp"
#include "io/catalog.hpp"
#include "models/registry.hpp"

namespace lg::models {
namespace fs = std::filesystem;

namespace {

constexpr char kMagic[8] = {'\x89', 'L', 'G', 'M', 'O', 'D', 'E', 'L'};
constexpr const char* kFormat = "labelgraph-model";
// Refuse absurd header sizes before allocating (a damaged length field).
constexpr std::uint64_t kMaxHeader = std::uint64_t{1} << 32;

bool little_endian() {
  const std::uint16_t one = 1;
  unsigned char first = 0;
  std::memcpy(&first, &one, 1);
  return first == 1;
}

void check_host(const std::string& file) {
  if (!little_endian())
    throw Error(file, 0, "labelgraph model files are little-endian; this machine is not");
}

std::size_t dtype_size(const std::string& dtype) {
  if (dtype == "f32" || dtype == "i32") return 4;
  if (dtype == "f64" || dtype == "i64") return 8;
  if (dtype == "u8" || dtype == "i8") return 1;
  return 0;
}

std::string read_whole(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path.string(), 0, "cannot read the checkpoint just written");
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

/// A scratch file name for a LibTorch checkpoint on its way into or out of a model file.
fs::path scratch_checkpoint() {
  static std::atomic<unsigned> counter{0};
  return fs::temp_directory_path() /
         fmt::format("labelgraph-model{}{}-{}.pt", temporary_suffix(), std::random_device{}(), counter++);
}

std::string names_diff(const std::vector<std::string>& model, const std::vector<std::string>& data) {
  for (std::size_t i = 0; i < std::min(model.size(), data.size()); ++i)
    if (model[i] != data[i])
      return fmt::format("position {}: the model has '{}', the data '{}'", i + 1, model[i], data[i]);
  return fmt::format("the model has {}, the data {}", model.size(), data.size());
}

}  // namespace

// ---- ModelState ----------------------------------------------------------------------------

Error ModelState::damaged(const std::string& what) const {
  return Error(file_, 0, "damaged model file: " + what);
}

const nlohmann::json& ModelState::value(const std::string& key) const {
  const auto it = values_.find(key);
  if (it == values_.end()) throw damaged(fmt::format("value '{}' is missing", key));
  return *it;
}

void ModelState::put_bytes(const std::string& name, const char* dtype, Index rows, Index cols,
                           const void* data, std::size_t bytes) {
  Array a;
  a.dtype = dtype;
  a.rows = rows;
  a.cols = cols;
  a.bytes.assign(static_cast<const char*>(data), bytes);
  arrays_[name] = std::move(a);
}

const ModelState::Array& ModelState::find(const std::string& name, const char* dtype) const {
  const auto it = arrays_.find(name);
  if (it == arrays_.end()) throw damaged(fmt::format("array '{}' is missing", name));
  if (it->second.dtype != dtype)
    throw damaged(fmt::format("array '{}' holds {}, expected {}", name, it->second.dtype, dtype));
  return it->second;
}

void ModelState::put_lists(const std::string& name, const std::vector<std::vector<Index>>& lists) {
  std::vector<Index> sizes, flat;
  for (const auto& list : lists) {
    sizes.push_back(static_cast<Index>(list.size()));
    flat.insert(flat.end(), list.begin(), list.end());
  }
  put(name + ".sizes", sizes);
  put(name + ".entries", flat);
}

void ModelState::get_lists(const std::string& name, std::vector<std::vector<Index>>& lists) const {
  std::vector<Index> sizes, flat;
  get(name + ".sizes", sizes);
  get(name + ".entries", flat);
  lists.clear();
  std::size_t at = 0;
  for (const Index size : sizes) {
    if (size < 0 || at + static_cast<std::size_t>(size) > flat.size())
      throw damaged(fmt::format("lists '{}' do not match their sizes", name));
    lists.emplace_back(flat.begin() + static_cast<std::ptrdiff_t>(at),
                       flat.begin() + static_cast<std::ptrdiff_t>(at + static_cast<std::size_t>(size)));
    at += static_cast<std::size_t>(size);
  }
  if (at != flat.size()) throw damaged(fmt::format("lists '{}' do not match their sizes", name));
}

void ModelState::put_rows(const std::string& name, const Dataset& data) {
  values_[name + ".sparse"] = data.sparse;
  put(name + ".labels", data.labels);
  if (!data.sparse) {
    put(name + ".dense", data.dense);
    return;
  }
  SparseFeatures csr = data.csr;
  csr.makeCompressed();
  values_[name + ".rows"] = csr.rows();
  values_[name + ".cols"] = csr.cols();
  put(name + ".outer", std::vector<std::int64_t>(csr.outerIndexPtr(), csr.outerIndexPtr() + csr.rows() + 1));
  put(name + ".inner", std::vector<std::int64_t>(csr.innerIndexPtr(), csr.innerIndexPtr() + csr.nonZeros()));
  put(name + ".values", std::vector<float>(csr.valuePtr(), csr.valuePtr() + csr.nonZeros()));
}

void ModelState::get_rows(const std::string& name, Dataset& data) const {
  data = Dataset();
  data.sparse = get_value<bool>(name + ".sparse");
  get(name + ".labels", data.labels);
  if (!data.sparse) {
    get(name + ".dense", data.dense);
    if (data.dense.rows() != data.labels.rows())
      throw damaged(fmt::format("'{}' has {} feature rows and {} label rows", name, data.dense.rows(),
                                data.labels.rows()));
    return;
  }
  const Index rows = get_value<Index>(name + ".rows"), cols = get_value<Index>(name + ".cols");
  std::vector<std::int64_t> outer, inner;
  std::vector<float> values;
  get(name + ".outer", outer);
  get(name + ".inner", inner);
  get(name + ".values", values);
  if (rows != data.labels.rows() || rows < 0 || cols < 0 ||
      outer.size() != static_cast<std::size_t>(rows) + 1 || inner.size() != values.size() ||
      outer.front() != 0 || outer.back() != static_cast<std::int64_t>(values.size()))
    throw damaged(fmt::format("the sparse rows '{}' are inconsistent", name));
  std::vector<Eigen::Triplet<float, std::int64_t>> triplets;
  triplets.reserve(values.size());
  for (Index r = 0; r < rows; ++r) {
    const auto begin = outer[static_cast<std::size_t>(r)], end = outer[static_cast<std::size_t>(r) + 1];
    if (begin > end) throw damaged(fmt::format("the sparse rows '{}' are inconsistent", name));
    for (auto p = begin; p < end; ++p) {
      const auto c = inner[static_cast<std::size_t>(p)];
      if (c < 0 || c >= cols) throw damaged(fmt::format("the sparse rows '{}' are inconsistent", name));
      triplets.emplace_back(r, c, values[static_cast<std::size_t>(p)]);
    }
  }
  data.csr.resize(rows, cols);
  data.csr.setFromTriplets(triplets.begin(), triplets.end());
  data.csr.makeCompressed();
}

// ---- the file --------------------------------------------------------------------------------

void save_model_file(const fs::path& path, const Model& model, const Dataset& train,
                     const Standardizer* scaler) {
  const std::string file = path.string();
  check_host(file);
  ModelState state(file);
  const ModelEntry* entry = find_model(model.name());
  if (entry && entry->neural) {
    // A network (the runner's keep_models): its LibTorch checkpoint as bytes, so the run's
    // standardisation can travel with it.
    const fs::path scratch = scratch_checkpoint();
    std::string bytes;
    try {
      nets_api().save(model, scratch);
      bytes = read_whole(scratch);
    } catch (...) {
      std::error_code ec;
      fs::remove(scratch, ec);
      throw;
    }
    std::error_code ec;
    fs::remove(scratch, ec);
    state.put("torch_checkpoint", std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
  } else {
    model.save_state(state);  // throws for a model without a classical state
  }
  const Index width = train.sparse ? train.csr.cols() : train.dense.cols();
  if (scaler) {
    if (scaler->mean.size() != width || scaler->scale.size() != width)
      throw Error(file, 0, fmt::format("the standardisation has {} columns, the data {}",
                                       scaler->mean.size(), width));
    state.put("preprocess.mean", scaler->mean);
    state.put("preprocess.scale", scaler->scale);
  }
  const BuildInfo build = build_info();
  nlohmann::json header = {
      {"format", kFormat},
      {"version", kModelFileVersion},
      {"algorithm", model.name()},
      {"params", model.resolved_params()},
      {"label_names", train.label_names},
      {"feature_names", train.feature_names},
      {"num_features", width},
      {"labelgraph", {{"version", build.version}, {"git_revision", build.git_revision}}},
      {"notes", model.notes()},
      {"standardize", scaler != nullptr},
      {"state", state.values()},
  };
  std::string payload;
  nlohmann::json arrays = nlohmann::json::array();
  for (const auto& [name, a] : state.arrays()) {
    arrays.push_back({{"name", name}, {"dtype", a.dtype}, {"rows", a.rows}, {"cols", a.cols},
                      {"offset", payload.size()}, {"bytes", a.bytes.size()}});
    payload += a.bytes;
  }
  header["arrays"] = arrays;
  header["payload_bytes"] = payload.size();
  header["payload_sha256"] = sha256_text(payload);
  const std::string text = header.dump();
  const std::uint32_t version = kModelFileVersion;
  const std::uint64_t length = text.size();
  AtomicFile out(path);
  out.stream().write(kMagic, sizeof kMagic);
  out.stream().write(reinterpret_cast<const char*>(&version), sizeof version);
  out.stream().write(reinterpret_cast<const char*>(&length), sizeof length);
  out.stream() << text << payload;
  out.commit();
}

bool is_model_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[sizeof kMagic] = {};
  return in.read(magic, sizeof magic) && std::equal(magic, magic + sizeof magic, kMagic);
}

LoadedModel load_model_file(const fs::path& path) {
  const std::string file = path.string();
  check_host(file);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(file, 0, fs::exists(path) ? "cannot open the model file" : "no such model file");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < sizeof kMagic || !std::equal(kMagic, kMagic + sizeof kMagic, bytes.begin()))
    throw Error(file, 0,
                "not a labelgraph model file (it does not start with a model file's signature; "
                "`labelgraph train` writes model.lgm for classical models, model.pt for neural ones)");
  constexpr std::size_t kPrefix = sizeof kMagic + 4 + 8;
  if (bytes.size() < kPrefix) throw Error(file, 0, "damaged model file: truncated in its first bytes");
  std::uint32_t version = 0;
  std::uint64_t length = 0;
  std::memcpy(&version, bytes.data() + sizeof kMagic, sizeof version);
  std::memcpy(&length, bytes.data() + sizeof kMagic + 4, sizeof length);
  if (version != kModelFileVersion)
    throw Error(file, 0, fmt::format("model file format version {} is not supported (this labelgraph "
                                     "reads version {}): train the model again with this build",
                                     version, kModelFileVersion));
  if (length > kMaxHeader || kPrefix + length > bytes.size())
    throw Error(file, 0, fmt::format("damaged model file: truncated ({} bytes, the header alone needs {})",
                                     bytes.size(), kPrefix + length));
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes.begin() + kPrefix, bytes.begin() + static_cast<std::ptrdiff_t>(kPrefix + length));
  } catch (const nlohmann::json::exception& e) {
    throw Error(file, 0, std::string("damaged model file: its header is not readable JSON: ") + e.what());
  }
  LoadedModel loaded;
  loaded.file = path;
  ModelFileInfo& info = loaded.info;
  ModelState state(file);
  std::string payload;
  try {
    if (!header.is_object() || header.value("format", "") != kFormat)
      throw Error(file, 0, "damaged model file: the header's format field is not labelgraph-model");
    const auto payload_bytes = header.at("payload_bytes").get<std::uint64_t>();
    if (bytes.size() - kPrefix - length != payload_bytes)
      throw Error(file, 0, fmt::format("damaged model file: {} bytes of arrays, the header says {}{}",
                                       bytes.size() - kPrefix - length, payload_bytes,
                                       bytes.size() - kPrefix - length < payload_bytes ? " (truncated)" : ""));
    payload = bytes.substr(kPrefix + length);
    bytes.clear();
    if (sha256_text(payload) != header.at("payload_sha256").get<std::string>())
      throw Error(file, 0, "damaged model file: the arrays' checksum (sha256) does not match the header");
    info.format_version = version;
    info.algorithm = header.at("algorithm").get<std::string>();
    info.params = header.at("params").get<std::string>();
    info.label_names = header.at("label_names").get<std::vector<std::string>>();
    info.feature_names = header.at("feature_names").get<std::vector<std::string>>();
    info.num_features = header.at("num_features").get<Index>();
    info.labelgraph_version = header.at("labelgraph").at("version").get<std::string>();
    info.git_revision = header.at("labelgraph").at("git_revision").get<std::string>();
    info.notes = header.at("notes").get<std::vector<std::string>>();
    state.values() = header.at("state");
    for (const auto& a : header.at("arrays")) {
      ModelState::Array array;
      array.dtype = a.at("dtype").get<std::string>();
      array.rows = a.at("rows").get<Index>();
      array.cols = a.at("cols").get<Index>();
      const auto offset = a.at("offset").get<std::uint64_t>();
      const auto size = a.at("bytes").get<std::uint64_t>();
      const std::string name = a.at("name").get<std::string>();
      const auto rows = static_cast<std::uint64_t>(array.rows), cols = static_cast<std::uint64_t>(array.cols);
      if (dtype_size(array.dtype) == 0 || array.rows < 0 || array.cols < 0 || offset > payload.size() ||
          (cols != 0 && rows > payload.size() / cols) ||
          size > payload.size() - offset ||
          size != dtype_size(array.dtype) * static_cast<std::uint64_t>(array.rows) * static_cast<std::uint64_t>(array.cols))
        throw Error(file, 0, fmt::format("damaged model file: array '{}' does not fit its record", name));
      array.bytes = payload.substr(offset, size);
      state.add_array(name, std::move(array));
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(file, 0, std::string("damaged model file: its header lacks a field or has a wrong type: ") + e.what());
  }
  if (header.value("standardize", false)) {
    Standardizer s;
    state.get("preprocess.mean", s.mean);
    state.get("preprocess.scale", s.scale);
    if (s.mean.size() != info.num_features || s.scale.size() != info.num_features)
      throw state.damaged("the standardisation's width differs from the feature width");
    info.standardizer = std::move(s);
  }
  if (static_cast<Index>(info.feature_names.size()) != info.num_features)
    throw state.damaged(fmt::format("{} feature names for {} features", info.feature_names.size(),
                                    info.num_features));

  // A classical model is looked up without loading the LibTorch plugin; a network kept by a
  // run (keep_models) carries its checkpoint, read through the plugin.
  const std::vector<std::string> classical = classical_model_names();
  if (std::find(classical.begin(), classical.end(), info.algorithm) == classical.end()) {
    if (state.arrays().count("torch_checkpoint") == 0)
      throw state.damaged(fmt::format("'{}' is not a classical model of this build (model files hold {}, "
                                      "or a network with its checkpoint)",
                                      info.algorithm, fmt::join(classical, ", ")));
    std::vector<std::uint8_t> checkpoint;
    state.get("torch_checkpoint", checkpoint);
    const fs::path scratch = scratch_checkpoint();
    try {
      write_file_atomically(scratch, std::string_view(reinterpret_cast<const char*>(checkpoint.data()),
                                                      checkpoint.size()));
      loaded.model = nets_api().load(scratch);
    } catch (const Error& e) {
      std::error_code ec;
      fs::remove(scratch, ec);
      throw Error(file, 0, fmt::format("the network in the model file cannot be read: {}", e.message()));
    }
    std::error_code ec;
    fs::remove(scratch, ec);
    return loaded;
  }
  toml::table params;
  try {
    params = toml::parse(info.params);
  } catch (const toml::parse_error& e) {
    throw state.damaged(fmt::format("its parameters are not readable TOML: {}", e.description()));
  }
  loaded.model = make_model(info.algorithm, params, file, 0);
  loaded.model->load_state(state);
  loaded.model->restore_notes(info.notes);
  return loaded;
}

void LoadedModel::check_input(const Dataset& data) const {
  const std::string f = file.string();
  if (data.num_labels() > 0 && data.label_names != info.label_names)
    throw Error(f, 0, fmt::format("the model was trained on other labels ({} labels, first '{}'); the "
                                  "data has {} labels, first '{}' ({})",
                                  info.label_names.size(), info.label_names.empty() ? "" : info.label_names.front(),
                                  data.num_labels(), data.label_names.empty() ? "" : data.label_names.front(),
                                  names_diff(info.label_names, data.label_names)));
  const Index width = data.sparse ? data.csr.cols() : data.dense.cols();
  if (width != info.num_features)
    throw Error(f, 0, fmt::format("the model was trained on {} features; the data has {}",
                                  info.num_features, width));
  if (!data.feature_names.empty() && !info.feature_names.empty() && data.feature_names != info.feature_names)
    throw Error(f, 0, fmt::format("the model was trained on other features (same width {}): {}", width,
                                  names_diff(info.feature_names, data.feature_names)));
}

ScoreMatrix LoadedModel::predict(const Dataset& data, const Context& ctx) const {
  check_input(data);
  if (!info.standardizer) return model->predict_scores(data, ctx);
  Dataset scaled = data;
  info.standardizer->apply(scaled);
  return model->predict_scores(scaled, ctx);
}

// ---- the defaults of Model (model.hpp) -----------------------------------------------------

void Model::save_state(ModelState& state) const {
  throw Error(state.file(), 0,
              fmt::format("{} has no labelgraph model file state (neural models are saved as LibTorch "
                          "checkpoints, model.pt)",
                          name()));
}

void Model::load_state(const ModelState& state) {
  throw Error(state.file(), 0, fmt::format("{} cannot be read from a labelgraph model file", name()));
}

}  // namespace lg::models
