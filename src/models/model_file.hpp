#pragma once
// The labelgraph model file (.lgm): one container for every classical model (br, cc, ecc, lp,
// rakel, mlknn, lp-communities). Neural models are LibTorch checkpoints (model.pt, written by
// `labelgraph train`); a network a run keeps (keep_models) goes into a model file too, as its
// checkpoint's bytes (array torch_checkpoint, read back through the nets plugin), so that the
// run's standardisation travels with it.
//
// Layout (little-endian):
//   8 bytes   magic "\x89LGMODEL" (the high first byte makes a text transfer visible)
//   4 bytes   format version (uint32, kModelFileVersion)
//   8 bytes   header length H (uint64)
//   H bytes   JSON header: format, algorithm, params (the resolved parameters as TOML text),
//             label_names, feature_names, num_features, labelgraph {version, git_revision},
//             notes, standardize, state (the model's small values), arrays (name, dtype,
//             rows, cols, offset, bytes), payload_bytes, payload_sha256
//   payload   the arrays' raw bytes (row-major), so floats and doubles come back bit for bit
//
// A file of another format version is refused (no conversion); a truncated or damaged file
// (size, checksum, header) and a file that is not a model are refused naming the file. A file
// written by another labelgraph build with the same format version loads.
//
// A model writes its fitted state through ModelState (Model::save_state) and reads it back
// (Model::load_state) into a model created from the file's algorithm and parameters.
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "core/dataset.hpp"
#include "core/error.hpp"
#include "data/standardize.hpp"
#include "models/model.hpp"

namespace lg::models {

/// The container's format version; files of any other version are refused.
constexpr std::uint32_t kModelFileVersion = 1;
/// The extension `labelgraph train` and the runner's keep_models give classical model files.
constexpr const char* kModelFileExtension = ".lgm";

/// A model's fitted state: named numeric arrays (stored exactly) and small JSON values.
/// get_* throw lg::Error naming the model file and the entry when it is missing or has
/// another type or shape (a damaged file, or one written by a model of other code).
class ModelState {
 public:
  explicit ModelState(std::string file = "") : file_(std::move(file)) {}

  /// Small values (strings, integers, flags; doubles round-trip exactly in JSON too).
  nlohmann::json& values() { return values_; }
  const nlohmann::json& values() const { return values_; }
  /// The value `key`, or an error naming the file.
  const nlohmann::json& value(const std::string& key) const;
  template <class T>
  T get_value(const std::string& key) const {
    try {
      return value(key).get<T>();
    } catch (const nlohmann::json::exception& e) {
      throw damaged(fmt::format("value '{}' has the wrong type ({})", key, e.what()));
    }
  }

  /// Any Eigen dense matrix or vector of float, double, uint8, int32 or int64.
  template <class S, int R, int C, int O, int MR, int MC>
  void put(const std::string& name, const Eigen::Matrix<S, R, C, O, MR, MC>& m) {
    const RowMajor<S> rm = m;
    put_bytes(name, dtype<S>(), rm.rows(), rm.cols(), rm.data(), sizeof(S) * static_cast<std::size_t>(rm.size()));
  }
  template <class S, int R, int C, int O, int MR, int MC>
  void get(const std::string& name, Eigen::Matrix<S, R, C, O, MR, MC>& m) const {
    const Array& a = find(name, dtype<S>());
    if ((R != Eigen::Dynamic && a.rows != R) || (C != Eigen::Dynamic && a.cols != C))
      throw damaged(fmt::format("array '{}' is {} x {}, not the expected shape", name, a.rows, a.cols));
    RowMajor<S> rm(a.rows, a.cols);
    if (!a.bytes.empty()) std::memcpy(rm.data(), a.bytes.data(), a.bytes.size());
    m = rm;
  }
  /// std::vector of the same types (char is stored as int8), as an n x 1 array.
  template <class S>
  void put(const std::string& name, const std::vector<S>& v) {
    put_bytes(name, dtype<S>(), static_cast<Index>(v.size()), 1, v.data(), sizeof(S) * v.size());
  }
  template <class S>
  void get(const std::string& name, std::vector<S>& v) const {
    const Array& a = find(name, dtype<S>());
    if (a.cols != 1) throw damaged(fmt::format("array '{}' is {} x {}, not a list", name, a.rows, a.cols));
    v.resize(static_cast<std::size_t>(a.rows));
    if (!a.bytes.empty()) std::memcpy(v.data(), a.bytes.data(), a.bytes.size());
  }
  /// Lists of index lists (chain orders, label subsets): the sizes and the flat entries.
  void put_lists(const std::string& name, const std::vector<std::vector<Index>>& lists);
  void get_lists(const std::string& name, std::vector<std::vector<Index>>& lists) const;
  /// The feature matrix of a data set (dense or CSR) and its label matrix.
  void put_rows(const std::string& name, const Dataset& data);
  void get_rows(const std::string& name, Dataset& data) const;

  /// An lg::Error "FILE: damaged model file: WHAT".
  Error damaged(const std::string& what) const;
  const std::string& file() const { return file_; }

  struct Array {
    std::string dtype;  ///< f32 | f64 | u8 | i8 | i32 | i64
    Index rows = 0, cols = 0;
    std::string bytes;  ///< row-major raw values
  };
  const std::map<std::string, Array>& arrays() const { return arrays_; }
  /// Adds an array read from a file (the container's reader).
  void add_array(const std::string& name, Array array) { arrays_[name] = std::move(array); }

 private:
  template <class S>
  using RowMajor = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  template <class S>
  static const char* dtype() {
    if constexpr (std::is_same_v<S, float>) return "f32";
    else if constexpr (std::is_same_v<S, double>) return "f64";
    else if constexpr (std::is_same_v<S, std::uint8_t>) return "u8";
    else if constexpr (std::is_same_v<S, char> || std::is_same_v<S, std::int8_t>) return "i8";
    else if constexpr (std::is_same_v<S, std::int32_t>) return "i32";
    else {
      static_assert(std::is_same_v<S, std::int64_t>, "unsupported array element type");
      return "i64";
    }
  }
  void put_bytes(const std::string& name, const char* dtype, Index rows, Index cols, const void* data,
                 std::size_t bytes);
  const Array& find(const std::string& name, const char* dtype) const;

  std::string file_;
  nlohmann::json values_ = nlohmann::json::object();
  std::map<std::string, Array> arrays_;
};

/// What a model file says besides the model's own state.
struct ModelFileInfo {
  std::uint32_t format_version = kModelFileVersion;
  std::string algorithm;                   ///< registry name
  std::string params;                      ///< resolved parameters, TOML text
  std::vector<std::string> label_names;    ///< the training data's labels, in order
  std::vector<std::string> feature_names;  ///< the training data's features
  Index num_features = 0;                  ///< feature width
  std::string labelgraph_version;          ///< the build that wrote it
  std::string git_revision;
  std::vector<std::string> notes;          ///< the fit's notes
  /// Standardisation fitted on the training rows, applied by predict() before the model.
  std::optional<Standardizer> standardizer;
};

/// A model read from a file with what the file says about its data.
struct LoadedModel {
  ModelPtr model;
  ModelFileInfo info;
  std::filesystem::path file;

  /// Refuse data the model was not trained for: other label names, order or count, another
  /// feature width, other feature names. Throws lg::Error naming the model file.
  void check_input(const Dataset& data) const;
  /// check_input, the file's standardisation, then the model's scores (raw data in).
  ScoreMatrix predict(const Dataset& data, const Context& ctx) const;
};

/// Write `model` (fitted on `train`, whose names and feature width go into the file; its rows
/// are not kept unless the model keeps them) atomically to `path`. `scaler`: the
/// standardisation applied to the training rows before the fit (null = none). A neural model
/// goes in as its LibTorch checkpoint. Throws lg::Error for an unfitted model or an unwritable
/// path.
void save_model_file(const std::filesystem::path& path, const Model& model, const Dataset& train,
                     const Standardizer* scaler = nullptr);
/// Read a model file: the model is created from the file's algorithm and parameters and given
/// its state (a network: loaded from its checkpoint through the nets plugin; a classical model
/// never loads LibTorch). Throws lg::Error naming the file: not a model file, another format
/// version, a truncated or damaged file, an unknown algorithm or parameter.
LoadedModel load_model_file(const std::filesystem::path& path);
/// Whether `path` starts with the model file's magic bytes (false for a missing file).
bool is_model_file(const std::filesystem::path& path);

}  // namespace lg::models
