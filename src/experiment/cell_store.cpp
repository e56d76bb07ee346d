#include "experiment/cell_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/atomic_file.hpp"
#include "core/context.hpp"
#include "core/error.hpp"
#include "core/file_text.hpp"
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

// The record's body is laid out for reading thousands of them quickly (a rerun of a large grid
// is mostly that): columns of numbers rather than one object per label or measure, so a parse
// allocates a few dozen blocks instead of hundreds. runs/ holds the readable view of a cell.

constexpr std::size_t kLabelFields = 13;

// tp fp fn tn precision recall f1 fbeta ap ap_mlgcn auc has_positive has_negative
void put_label_measures(json& out, const eval::LabelMeasures& m) {
  for (const Index v : {m.confusion.tp, m.confusion.fp, m.confusion.fn, m.confusion.tn}) out.push_back(v);
  for (const double v : {m.precision, m.recall, m.f1, m.fbeta, m.ap, m.ap_mlgcn, m.auc}) out.push_back(num(v));
  out.push_back(m.has_positive ? 1 : 0);
  out.push_back(m.has_negative ? 1 : 0);
}

eval::LabelMeasures label_measures_at(const json& a, std::size_t at) {
  if (!a.is_array() || a.size() < at + kLabelFields) throw Error("a per-label block is cut short");
  eval::LabelMeasures m;
  m.confusion.tp = a[at].get<Index>();
  m.confusion.fp = a[at + 1].get<Index>();
  m.confusion.fn = a[at + 2].get<Index>();
  m.confusion.tn = a[at + 3].get<Index>();
  m.precision = get_num(a[at + 4]);
  m.recall = get_num(a[at + 5]);
  m.f1 = get_num(a[at + 6]);
  m.fbeta = get_num(a[at + 7]);
  m.ap = get_num(a[at + 8]);
  m.ap_mlgcn = get_num(a[at + 9]);
  m.auc = get_num(a[at + 10]);
  m.has_positive = a[at + 11].get<int>() != 0;
  m.has_negative = a[at + 12].get<int>() != 0;
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

// name labels min_count max_count macro_precision macro_recall macro_f1 map skipped_labels
json bucket_json(const eval::BucketSummary& b) {
  return json::array({b.name, b.labels, b.min_count, b.max_count, num(b.macro_precision),
                      num(b.macro_recall), num(b.macro_f1), num(b.map), b.skipped_labels});
}

eval::BucketSummary bucket_from(const json& a) {
  if (!a.is_array() || a.size() != 9) throw Error("a bucket entry is not 9 values");
  eval::BucketSummary b;
  b.name = a[0].get<std::string>();
  b.labels = a[1].get<Index>();
  b.min_count = a[2].get<Index>();
  b.max_count = a[3].get<Index>();
  b.macro_precision = get_num(a[4]);
  b.macro_recall = get_num(a[5]);
  b.macro_f1 = get_num(a[6]);
  b.map = get_num(a[7]);
  b.skipped_labels = a[8].get<Index>();
  return b;
}

/// Words joined by single spaces (measure names have none).
std::string joined(const std::vector<eval::MeasureValue>& measures) {
  std::string out;
  for (const eval::MeasureValue& m : measures) {
    if (m.name.empty() || m.name.find(' ') != std::string::npos)
      throw Error("measure name '" + m.name + "' cannot be stored");
    out += (out.empty() ? "" : " ") + m.name;
  }
  return out;
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
  json values = json::array();
  for (const eval::MeasureValue& m : e.measures) values.push_back(num(m.value));
  json per_label = json::array();
  for (const eval::LabelMeasures& m : e.per_label) put_label_measures(per_label, m);
  j["measure_names"] = joined(e.measures);
  j["measure_values"] = std::move(values);
  j["per_label"] = std::move(per_label);
  j["skipped_labels"] = e.skipped_labels;
  j["auc_skipped_labels"] = e.auc_skipped_labels;
  j["undefined_measures"] = e.undefined_measures;
  const eval::ImbalanceReport& r = c.imbalance;
  json names = json::array(), counts = json::array(), support = json::array(),
       irlbl = json::array(), minority = json::array(), bucket = json::array(), own = json::object();
  for (std::size_t l = 0; l < r.labels.size(); ++l) {
    const eval::LabelRow& row = r.labels[l];
    names.push_back(row.name);
    counts.push_back(row.train_count);
    support.push_back(row.support);
    irlbl.push_back(num(row.irlbl));
    minority.push_back(row.minority ? 1 : 0);
    bucket.push_back(row.bucket);
    // Usually the evaluation's own per-label figures: stored once.
    if (l >= e.per_label.size() || !same(row.measures, e.per_label[l])) {
      json m = json::array();
      put_label_measures(m, row.measures);
      own[std::to_string(l)] = std::move(m);
    }
  }
  j["label_names"] = std::move(names);
  j["label_train_count"] = std::move(counts);
  j["label_support"] = std::move(support);
  j["label_irlbl"] = std::move(irlbl);
  j["label_minority"] = std::move(minority);
  j["label_bucket"] = std::move(bucket);
  if (!own.empty()) j["label_measures"] = std::move(own);
  json buckets = json::array();
  for (const eval::BucketSummary& b : r.buckets) buckets.push_back(bucket_json(b));
  buckets.push_back(bucket_json(r.minority));
  buckets.push_back(bucket_json(r.majority));
  j["buckets"] = std::move(buckets);  // the frequency buckets, then minority and majority
  json edges = json::array();
  for (const double v : r.edge_counts) edges.push_back(num(v));
  j["edge_counts"] = std::move(edges);
  j["meanir"] = num(r.meanir);
  j["fit_seconds"] = num(c.fit_seconds);
  j["predict_seconds"] = num(c.predict_seconds);
  j["notes"] = c.notes;
  if (!c.chosen.empty()) {  // searched parameters: [[key, value], ...]
    json chosen = json::array();
    for (const auto& [key, value] : c.chosen) chosen.push_back(json::array({key, value}));
    j["chosen"] = std::move(chosen);
  }
  if (c.history) {
    // epoch train_loss validation_loss validation_map learning_rate seconds, per epoch
    json epochs = json::array();
    for (const report::EpochRecord& ep : c.history->epochs)
      for (const json& v : {json(ep.epoch), num(ep.train_loss), num(ep.validation_loss),
                            num(ep.validation_map), num(ep.learning_rate), num(ep.seconds)})
        epochs.push_back(v);
    j["history"] = {{"epochs", epochs},
                    {"best_epoch", c.history->best_epoch},
                    {"stop_reason", c.history->stop_reason}};
  }
  if (c.cost) j["cost"] = json::array({c.cost->parameters, c.cost->multiply_adds});
  if (c.curves) {
    const eval::ScoreCurves& k = *c.curves;
    auto numbers = [](const std::vector<double>& v) {
      json a = json::array();
      for (const double x : v) a.push_back(num(x));
      return a;
    };
    j["curves"] = {{"recall_levels", numbers(k.recall_levels)}, {"groups", k.groups},
                   {"group_positives", k.group_positives}, {"precision", numbers(k.precision)},
                   {"thresholds", numbers(k.thresholds)}, {"micro_f1", numbers(k.micro_f1)},
                   {"macro_f1", numbers(k.macro_f1)}, {"hamming_loss", numbers(k.hamming_loss)}};
  }
  return j;
}

/// The curves block of a record (optional: records written before it existed lack it).
eval::ScoreCurves curves_from(const json& j) {
  auto numbers = [&](const char* name) {
    std::vector<double> v;
    for (const json& x : j.at(name)) v.push_back(get_num(x));
    return v;
  };
  eval::ScoreCurves k;
  k.recall_levels = numbers("recall_levels");
  k.groups = j.at("groups").get<std::vector<std::string>>();
  k.group_positives = j.at("group_positives").get<std::vector<Index>>();
  k.precision = numbers("precision");
  k.thresholds = numbers("thresholds");
  k.micro_f1 = numbers("micro_f1");
  k.macro_f1 = numbers("macro_f1");
  k.hamming_loss = numbers("hamming_loss");
  if (k.group_positives.size() != k.groups.size() ||
      k.precision.size() != k.groups.size() * k.recall_levels.size())
    throw Error("the precision-recall curves do not match their groups and recall levels");
  if (k.micro_f1.size() != k.thresholds.size() || k.macro_f1.size() != k.thresholds.size() ||
      k.hamming_loss.size() != k.thresholds.size())
    throw Error("the threshold curves do not match their thresholds");
  return k;
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
  const std::string& names = j.at("measure_names").get_ref<const std::string&>();
  const json& values = j.at("measure_values");
  c.evaluation.measures.reserve(values.size());
  std::size_t from = 0;
  for (std::size_t k = 0; k < values.size(); ++k) {
    if (from > names.size()) throw Error("fewer measure names than values");
    const std::size_t space = names.find(' ', from);
    const std::size_t end = space == std::string::npos ? names.size() : space;
    c.evaluation.measures.push_back({names.substr(from, end - from), get_num(values[k])});
    from = end + 1;
  }
  if (from <= names.size() && !(names.empty() && values.empty()))
    throw Error("more measure names than values");
  const json& per_label = j.at("per_label");
  if (per_label.size() % kLabelFields != 0) throw Error("the per-label block is cut short");
  c.evaluation.per_label.reserve(per_label.size() / kLabelFields);
  for (std::size_t at = 0; at < per_label.size(); at += kLabelFields)
    c.evaluation.per_label.push_back(label_measures_at(per_label, at));
  c.evaluation.skipped_labels = j.at("skipped_labels").get<Index>();
  c.evaluation.auc_skipped_labels = j.at("auc_skipped_labels").get<Index>();
  c.evaluation.undefined_measures = j.at("undefined_measures").get<std::vector<std::string>>();
  const json& label_names = j.at("label_names");
  const json& counts = j.at("label_train_count");
  const json& support = j.at("label_support");
  const json& irlbl = j.at("label_irlbl");
  const json& minority = j.at("label_minority");
  const json& bucket = j.at("label_bucket");
  const json* own = j.contains("label_measures") ? &j.at("label_measures") : nullptr;
  const std::size_t labels = label_names.size();
  for (const json* column : {&counts, &support, &irlbl, &minority, &bucket})
    if (!column->is_array() || column->size() != labels) throw Error("the label columns differ in length");
  for (std::size_t l = 0; l < labels; ++l) {
    eval::LabelRow row;
    row.name = label_names[l].get<std::string>();
    row.train_count = counts[l].get<Index>();
    row.support = support[l].get<Index>();
    row.irlbl = get_num(irlbl[l]);
    row.minority = minority[l].get<int>() != 0;
    row.bucket = bucket[l].get<std::string>();
    if (own && own->contains(std::to_string(l))) {
      row.measures = label_measures_at(own->at(std::to_string(l)), 0);
    } else {
      if (l >= c.evaluation.per_label.size()) throw Error("more label rows than per-label figures");
      row.measures = c.evaluation.per_label[l];
    }
    c.imbalance.labels.push_back(std::move(row));
  }
  const json& buckets = j.at("buckets");
  if (buckets.size() < 2) throw Error("the buckets lack minority and majority");
  for (std::size_t b = 0; b + 2 < buckets.size(); ++b) c.imbalance.buckets.push_back(bucket_from(buckets[b]));
  c.imbalance.minority = bucket_from(buckets[buckets.size() - 2]);
  c.imbalance.majority = bucket_from(buckets[buckets.size() - 1]);
  for (const json& v : j.at("edge_counts")) c.imbalance.edge_counts.push_back(get_num(v));
  c.imbalance.meanir = get_num(j.at("meanir"));
  c.fit_seconds = get_num(j.at("fit_seconds"));
  c.predict_seconds = get_num(j.at("predict_seconds"));
  c.notes = j.at("notes").get<std::vector<std::string>>();
  if (j.contains("chosen"))
    for (const json& pair : j.at("chosen")) {
      if (!pair.is_array() || pair.size() != 2) throw Error("a chosen parameter is not [key, value]");
      c.chosen.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
    }
  if (j.contains("history")) {
    const json& h = j.at("history");
    const json& e = h.at("epochs");
    if (e.size() % 6 != 0) throw Error("the epochs block is cut short");
    report::TrainingHistory history;
    for (std::size_t at = 0; at < e.size(); at += 6) {
      report::EpochRecord rec;
      rec.epoch = e[at].get<int>();
      rec.train_loss = get_num(e[at + 1]);
      rec.validation_loss = get_num(e[at + 2]);
      rec.validation_map = get_num(e[at + 3]);
      rec.learning_rate = get_num(e[at + 4]);
      rec.seconds = get_num(e[at + 5]);
      history.epochs.push_back(rec);
    }
    history.best_epoch = h.at("best_epoch").get<int>();
    history.stop_reason = h.at("stop_reason").get<std::string>();
    c.history = std::move(history);
  }
  if (j.contains("cost")) {
    const json& cost = j.at("cost");
    if (!cost.is_array() || cost.size() != 2) throw Error("the cost is not [parameters, multiply-adds]");
    c.cost = models::Model::Cost{cost[0].get<std::int64_t>(), cost[1].get<std::int64_t>()};
  }
  if (j.contains("curves")) c.curves = curves_from(j.at("curves"));
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
  return j.dump() + "\n";  // one line: a rerun reads thousands (runs/ has the readable view)
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

std::optional<std::string> CellStore::text(const std::string& key) const {
  return try_read_file(file(key));
}

CellStore::Lookup CellStore::find(const std::string& key) const {
  Lookup out;
  const std::optional<std::string> text = this->text(key);
  if (!text) return out;  // Missing
  try {
    out.cell = cell_from_record(*text, key, file(key).string());
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
