#include "experiment/cell_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

#include "core/atomic_file.hpp"
#include "core/context.hpp"
#include "core/error.hpp"
#include "core/interrupt.hpp"

namespace lg {
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr const char* kFormat = "labelgraph-cell";
constexpr int kVersion = 1;

// ---- numbers: every double exactly (JSON's shortest round-trip form), NaN as null ----

json num(double v) {
  if (std::isnan(v)) return nullptr;
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}

double get_num(const json& j) {
  if (j.is_null()) return std::numeric_limits<double>::quiet_NaN();
  if (j.is_string()) {
    const std::string s = j.get<std::string>();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
    throw Error("a number field holds the text '" + s + "'");
  }
  if (!j.is_number()) throw Error("a number field holds " + std::string(j.type_name()));
  return j.get<double>();
}

// Per-label figures as one array: tp fp fn tn precision recall f1 fbeta ap ap_mlgcn auc
// has_positive has_negative.
json label_measures_json(const eval::LabelMeasures& m) {
  return json::array({m.confusion.tp, m.confusion.fp, m.confusion.fn, m.confusion.tn,
                      num(m.precision), num(m.recall), num(m.f1), num(m.fbeta), num(m.ap),
                      num(m.ap_mlgcn), num(m.auc), m.has_positive, m.has_negative});
}

eval::LabelMeasures label_measures_from(const json& a) {
  if (!a.is_array() || a.size() != 13) throw Error("a per-label entry is not 13 values");
  eval::LabelMeasures m;
  m.confusion.tp = a[0].get<Index>();
  m.confusion.fp = a[1].get<Index>();
  m.confusion.fn = a[2].get<Index>();
  m.confusion.tn = a[3].get<Index>();
  m.precision = get_num(a[4]);
  m.recall = get_num(a[5]);
  m.f1 = get_num(a[6]);
  m.fbeta = get_num(a[7]);
  m.ap = get_num(a[8]);
  m.ap_mlgcn = get_num(a[9]);
  m.auc = get_num(a[10]);
  m.has_positive = a[11].get<bool>();
  m.has_negative = a[12].get<bool>();
  return m;
}

bool same_bits(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0 || (std::isnan(a) && std::isnan(b));
}

bool same(const eval::LabelMeasures& a, const eval::LabelMeasures& b) {
  return a.confusion.tp == b.confusion.tp && a.confusion.fp == b.confusion.fp &&
         a.confusion.fn == b.confusion.fn && a.confusion.tn == b.confusion.tn &&
         same_bits(a.precision, b.precision) && same_bits(a.recall, b.recall) &&
         same_bits(a.f1, b.f1) && same_bits(a.fbeta, b.fbeta) && same_bits(a.ap, b.ap) &&
         same_bits(a.ap_mlgcn, b.ap_mlgcn) && same_bits(a.auc, b.auc) &&
         a.has_positive == b.has_positive && a.has_negative == b.has_negative;
}

json bucket_json(const eval::BucketSummary& b) {
  return {{"name", b.name},
          {"labels", b.labels},
          {"min_count", b.min_count},
          {"max_count", b.max_count},
          {"macro_precision", num(b.macro_precision)},
          {"macro_recall", num(b.macro_recall)},
          {"macro_f1", num(b.macro_f1)},
          {"map", num(b.map)},
          {"skipped_labels", b.skipped_labels}};
}

eval::BucketSummary bucket_from(const json& j) {
  eval::BucketSummary b;
  b.name = j.at("name").get<std::string>();
  b.labels = j.at("labels").get<Index>();
  b.min_count = j.at("min_count").get<Index>();
  b.max_count = j.at("max_count").get<Index>();
  b.macro_precision = get_num(j.at("macro_precision"));
  b.macro_recall = get_num(j.at("macro_recall"));
  b.macro_f1 = get_num(j.at("macro_f1"));
  b.map = get_num(j.at("map"));
  b.skipped_labels = j.at("skipped_labels").get<Index>();
  return b;
}

json cell_body(const CellResult& c) {
  json j;
  j["dataset"] = c.dataset;
  j["algorithm"] = c.algorithm;
  j["seed"] = c.seed;
  j["fold"] = c.fold;
  j["train_rows"] = c.train_rows;
  j["test_rows"] = c.test_rows;
  j["threshold"] = c.threshold;
  const eval::EvaluationResult& e = c.evaluation;
  json measures = json::array();
  for (const eval::MeasureValue& m : e.measures) measures.push_back({m.name, num(m.value)});
  json per_label = json::array();
  for (const eval::LabelMeasures& m : e.per_label) per_label.push_back(label_measures_json(m));
  j["evaluation"] = {{"measures", measures},
                     {"per_label", per_label},
                     {"skipped_labels", e.skipped_labels},
                     {"auc_skipped_labels", e.auc_skipped_labels},
                     {"undefined_measures", e.undefined_measures}};
  const eval::ImbalanceReport& r = c.imbalance;
  json labels = json::array();
  for (std::size_t l = 0; l < r.labels.size(); ++l) {
    const eval::LabelRow& row = r.labels[l];
    json x = {{"name", row.name},       {"train_count", row.train_count},
              {"support", row.support}, {"irlbl", num(row.irlbl)},
              {"minority", row.minority}, {"bucket", row.bucket}};
    // Usually the evaluation's own per-label figures: stored once.
    if (l >= e.per_label.size() || !same(row.measures, e.per_label[l]))
      x["measures"] = label_measures_json(row.measures);
    labels.push_back(std::move(x));
  }
  json buckets = json::array();
  for (const eval::BucketSummary& b : r.buckets) buckets.push_back(bucket_json(b));
  json edges = json::array();
  for (const double v : r.edge_counts) edges.push_back(num(v));
  j["imbalance"] = {{"labels", labels},
                    {"buckets", buckets},
                    {"edge_counts", edges},
                    {"minority", bucket_json(r.minority)},
                    {"majority", bucket_json(r.majority)},
                    {"meanir", num(r.meanir)}};
  j["fit_seconds"] = num(c.fit_seconds);
  j["predict_seconds"] = num(c.predict_seconds);
  j["notes"] = c.notes;
  if (c.history) {
    json epochs = json::array();
    for (const report::EpochRecord& ep : c.history->epochs)
      epochs.push_back(json::array({ep.epoch, num(ep.train_loss), num(ep.validation_loss),
                                    num(ep.validation_map), num(ep.learning_rate),
                                    num(ep.seconds)}));
    j["history"] = {{"epochs", epochs},
                    {"best_epoch", c.history->best_epoch},
                    {"stop_reason", c.history->stop_reason}};
  }
  if (c.cost) j["cost"] = {{"parameters", c.cost->parameters}, {"multiply_adds", c.cost->multiply_adds}};
  return j;
}

CellResult cell_from_body(const json& j) {
  CellResult c;
  c.dataset = j.at("dataset").get<std::string>();
  c.algorithm = j.at("algorithm").get<std::string>();
  c.seed = j.at("seed").get<std::uint64_t>();
  c.fold = j.at("fold").get<int>();
  c.train_rows = j.at("train_rows").get<Index>();
  c.test_rows = j.at("test_rows").get<Index>();
  c.threshold = j.at("threshold").get<std::string>();
  const json& e = j.at("evaluation");
  for (const json& m : e.at("measures")) {
    if (!m.is_array() || m.size() != 2) throw Error("a measure entry is not [name, value]");
    c.evaluation.measures.push_back({m[0].get<std::string>(), get_num(m[1])});
  }
  for (const json& m : e.at("per_label")) c.evaluation.per_label.push_back(label_measures_from(m));
  c.evaluation.skipped_labels = e.at("skipped_labels").get<Index>();
  c.evaluation.auc_skipped_labels = e.at("auc_skipped_labels").get<Index>();
  c.evaluation.undefined_measures = e.at("undefined_measures").get<std::vector<std::string>>();
  const json& r = j.at("imbalance");
  const json& labels = r.at("labels");
  for (std::size_t l = 0; l < labels.size(); ++l) {
    const json& x = labels[l];
    eval::LabelRow row;
    row.name = x.at("name").get<std::string>();
    row.train_count = x.at("train_count").get<Index>();
    row.support = x.at("support").get<Index>();
    row.irlbl = get_num(x.at("irlbl"));
    row.minority = x.at("minority").get<bool>();
    row.bucket = x.at("bucket").get<std::string>();
    if (x.contains("measures")) {
      row.measures = label_measures_from(x.at("measures"));
    } else {
      if (l >= c.evaluation.per_label.size()) throw Error("more label rows than per-label figures");
      row.measures = c.evaluation.per_label[l];
    }
    c.imbalance.labels.push_back(std::move(row));
  }
  for (const json& b : r.at("buckets")) c.imbalance.buckets.push_back(bucket_from(b));
  for (const json& v : r.at("edge_counts")) c.imbalance.edge_counts.push_back(get_num(v));
  c.imbalance.minority = bucket_from(r.at("minority"));
  c.imbalance.majority = bucket_from(r.at("majority"));
  c.imbalance.meanir = get_num(r.at("meanir"));
  c.fit_seconds = get_num(j.at("fit_seconds"));
  c.predict_seconds = get_num(j.at("predict_seconds"));
  c.notes = j.at("notes").get<std::vector<std::string>>();
  if (j.contains("history")) {
    const json& h = j.at("history");
    report::TrainingHistory history;
    for (const json& ep : h.at("epochs")) {
      if (!ep.is_array() || ep.size() != 6) throw Error("an epoch entry is not 6 values");
      report::EpochRecord rec;
      rec.epoch = ep[0].get<int>();
      rec.train_loss = get_num(ep[1]);
      rec.validation_loss = get_num(ep[2]);
      rec.validation_map = get_num(ep[3]);
      rec.learning_rate = get_num(ep[4]);
      rec.seconds = get_num(ep[5]);
      history.epochs.push_back(rec);
    }
    history.best_epoch = h.at("best_epoch").get<int>();
    history.stop_reason = h.at("stop_reason").get<std::string>();
    c.history = std::move(history);
  }
  if (j.contains("cost")) {
    models::Model::Cost cost;
    cost.parameters = j.at("cost").at("parameters").get<std::int64_t>();
    cost.multiply_adds = j.at("cost").at("multiply_adds").get<std::int64_t>();
    c.cost = cost;
  }
  return c;
}

/// The pid holding a write lock on `fd`'s file, 0 when none.
long lock_holder(int fd) {
  struct flock probe {};
  probe.l_type = F_WRLCK;
  probe.l_whence = SEEK_SET;
  if (::fcntl(fd, F_GETLK, &probe) != 0 || probe.l_type == F_UNLCK) return 0;
  return static_cast<long>(probe.l_pid);
}

}  // namespace

std::string cell_record_json(const std::string& key, const std::string& description,
                             const CellResult& cell) {
  json j;
  j["format"] = kFormat;
  j["version"] = kVersion;
  j["key"] = key;
  j["labelgraph"] = build_info().version;
  j["description"] = description;
  j["cell"] = cell_body(cell);
  return j.dump(1) + "\n";
}

CellResult cell_from_record(const std::string& text, const std::string& key,
                            const std::string& file) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    throw Error(file, 0, fmt::format("not a complete JSON document ({})", e.what()));
  }
  try {
    if (!j.is_object() || j.value("format", "") != kFormat)
      throw Error(file, 0, "not a labelgraph cell file (no \"format\": \"labelgraph-cell\")");
    if (j.value("version", 0) != kVersion)
      throw Error(file, 0, fmt::format("cell file version {} (this build reads {})",
                                       j.value("version", 0), kVersion));
    const std::string stored = j.at("key").get<std::string>();
    if (!key.empty() && stored != key)
      throw Error(file, 0, fmt::format("holds the cell with key {}, not {}", stored, key));
    return cell_from_body(j.at("cell"));
  } catch (const json::exception& e) {
    throw Error(file, 0, fmt::format("a field is missing or of the wrong type ({})", e.what()));
  } catch (const Error& e) {
    if (e.line() != 0 || !e.file().empty()) throw;
    throw Error(file, 0, e.message());
  }
}

// ---- claims ----

CellClaim::CellClaim(int fd, fs::path dir) : fd_(fd), dir_(std::move(dir)) {}

CellClaim::~CellClaim() {
  // Remove the file while still holding the lock, then drop the lock: a process that opened
  // the old file takes a lock on an unlinked file, looks for the finished cell and finds it.
  std::error_code ec;
  fs::remove(dir_ / "claim", ec);
  ::close(fd_);
  fs::remove(dir_, ec);  // only when empty: a stopped cell's state stays
}

CellStore::CellStore(fs::path output_dir) : dir_(std::move(output_dir) / "cells") {}

fs::path CellStore::file(const std::string& key) const { return dir_ / (key + ".json"); }
fs::path CellStore::work_dir(const std::string& key) const { return dir_ / key; }

bool CellStore::has_file(const std::string& key) const {
  std::error_code ec;
  return fs::exists(file(key), ec);
}

CellStore::Lookup CellStore::find(const std::string& key) const {
  Lookup out;
  const fs::path path = file(key);
  std::ifstream in(path, std::ios::binary);
  if (!in) return out;  // Missing
  std::ostringstream text;
  text << in.rdbuf();
  try {
    out.cell = cell_from_record(text.str(), key, path.string());
    out.state = State::Done;
  } catch (const Error& e) {
    out.state = State::Damaged;
    out.why = e.what();
  }
  return out;
}

void CellStore::save(const std::string& key, const std::string& description,
                     const CellResult& cell) const {
  create_output_folder(dir_);
  write_file_atomically(file(key), cell_record_json(key, description, cell));
}

std::unique_ptr<CellClaim> CellStore::try_claim(const std::string& key) const {
  const fs::path dir = work_dir(key);
  const fs::path path = dir / "claim";
  // Another process may remove the (empty) folder between our mkdir and open: try again.
  for (int attempt = 0;; ++attempt) {
    create_output_folder(dir);
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      if (errno == ENOENT && attempt < 20) continue;
      throw Error(path.string(), 0, "cannot create the cell's claim file: " + describe_write_errno(errno));
    }
    struct flock lock {};
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_SET;
    if (::fcntl(fd, F_SETLK, &lock) != 0) {
      const int error = errno;
      ::close(fd);
      if (error == EACCES || error == EAGAIN) return nullptr;  // a live process holds it
      throw Error(path.string(), 0, fmt::format("cannot lock the cell's claim file: {} (the "
                                                "output folder needs a file system with POSIX "
                                                "locks)", std::strerror(error)));
    }
    // The file we locked may have been removed by its previous holder after we opened it:
    // then lock the new one instead.
    struct stat held {}, current {};
    if (::fstat(fd, &held) == 0 && ::stat(path.c_str(), &current) == 0 &&
        held.st_ino == current.st_ino && held.st_dev == current.st_dev) {
      const std::string who = fmt::format("pid {}\n", static_cast<long>(::getpid()));
      if (::ftruncate(fd, 0) == 0) {
        [[maybe_unused]] const ssize_t w = ::pwrite(fd, who.data(), who.size(), 0);
      }
      return std::make_unique<CellClaim>(fd, dir);
    }
    ::close(fd);
    if (attempt >= 20)
      throw Error(path.string(), 0, "the claim file keeps changing under this process");
  }
}

long CellStore::claimant(const std::string& key) const {
  const fs::path path = work_dir(key) / "claim";
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return 0;
  const long pid = lock_holder(fd);
  ::close(fd);
  return pid;
}

}  // namespace lg
