// `labelgraph eval` end to end (the built binary): scikit-learn parity on the committed
// fixtures of tests/fixtures/eval (written by make_sklearn_fixtures.py there), the JSON shape,
// every input format, thresholds that need --train or a validation set, label names, the
// imbalance tables in every format, --out, and bad input (one line, file and line named).
#include <catch2/catch.hpp>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "helpers.hpp"

namespace {
namespace fs = std::filesystem;
using lg::test::run_labelgraph;
using nlohmann::json;

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }
fs::path scores_fixture(const std::string& name) { return lg::test::fixture("scores/" + name); }

std::size_t count_lines(const std::string& s) {
  std::size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// `eval ARGS --format json`, required to succeed.
json eval_json(const std::string& args) {
  const auto r = run_labelgraph("eval " + args + " --format json");
  INFO("eval " << args << "\n" << r.err);
  REQUIRE(r.status == 0);
  return json::parse(r.out);
}

/// The fixture pair of tests/fixtures/scores (4 x 3, see the README there).
std::string small(const std::string& truth = "truth.csv", const std::string& scores = "scores.csv") {
  return "--truth " + quoted(scores_fixture(truth)) + " --scores " + quoted(scores_fixture(scores));
}

std::vector<fs::path> sklearn_cases() {
  std::vector<fs::path> cases;
  for (const auto& entry : fs::directory_iterator(lg::test::fixture("eval")))
    if (fs::exists(entry.path() / "expected.json")) cases.push_back(entry.path());
  std::sort(cases.begin(), cases.end());
  return cases;
}

}  // namespace

// ---- scikit-learn parity ----

TEST_CASE("eval cli: every measure of the scikit-learn fixtures to 1e-9", "[cli]") {
  const std::vector<fs::path> cases = sklearn_cases();
  REQUIRE(cases.size() >= 5);  // the generator writes eight cases
  const std::set<std::string> not_measures = {"threshold", "mlgcn_threshold", "skipped_labels",
                                              "auc_skipped_labels"};
  for (const fs::path& dir : cases) {
    INFO("case " << dir.filename().string());
    const json expected = json::parse(lg::test::read_file(dir / "expected.json"));
    const std::string files =
        "--truth " + quoted(dir / "truth.csv") + " --scores " + quoted(dir / "scores.csv");
    const json j = eval_json(files);
    std::size_t compared = 0;
    for (const auto& [name, value] : expected.items()) {
      if (!value.is_number() || not_measures.count(name)) continue;
      INFO("measure " << name);
      REQUIRE(j["measures"].contains(name));
      CHECK(j["measures"][name].get<double>() == Approx(value.get<double>()).margin(1e-9));
      ++compared;
    }
    CHECK(compared >= 30);
    CHECK(j["skipped_labels"] == expected["skipped_labels"]);
    // Per-label AP (null for a label without a positive) and AUC where scikit-learn has one.
    const json& ap = expected["per_label_ap"];
    const json& auc = expected["per_label_auc"];
    REQUIRE(j["per_label"].size() == ap.size());
    for (std::size_t l = 0; l < ap.size(); ++l) {
      INFO("label " << l);
      if (ap[l].is_null()) {
        CHECK(j["per_label"][l]["ap"].is_null());
      } else {
        CHECK(j["per_label"][l]["ap"].get<double>() == Approx(ap[l].get<double>()).margin(1e-9));
      }
      if (!auc[l].is_null())
        CHECK(j["per_label"][l]["auc"].get<double>() == Approx(auc[l].get<double>()).margin(1e-9));
    }
    // scikit-learn's zero_division=1 and F-beta with beta = 2.
    const json one = eval_json(files + " --zero-division 1");
    CHECK(one["zero_division"] == "1");
    for (const auto& [name, value] : expected["zero_division_1"].items()) {
      INFO("zero_division=1 " << name);
      CHECK(one["measures"][name].get<double>() == Approx(value.get<double>()).margin(1e-9));
    }
    const json beta = eval_json(files + " --beta 2");
    for (const auto& [name, value] : expected["beta_2"].items()) {
      INFO("beta=2 " << name);
      REQUIRE(beta["measures"].contains(name));
      CHECK(beta["measures"][name].get<double>() == Approx(value.get<double>()).margin(1e-9));
    }
  }
}

TEST_CASE("eval cli: the fixtures' 0/1 predictions as scores give the thresholded measures",
          "[cli]") {
  // predictions.csv = (scores >= 0.5): thresholding it at 0.5 changes nothing, so every
  // measure of the predictions matches.
  for (const fs::path& dir : sklearn_cases()) {
    INFO("case " << dir.filename().string());
    const json expected = json::parse(lg::test::read_file(dir / "expected.json"));
    const json j = eval_json("--truth " + quoted(dir / "truth.csv") + " --scores " +
                             quoted(dir / "predictions.csv"));
    for (const std::string name : {"hamming_loss", "subset_accuracy", "accuracy", "example_f1",
                                   "micro_f1", "macro_f1", "macro_precision", "macro_recall"})
      CHECK(j["measures"][name].get<double>() == Approx(expected[name].get<double>()).margin(1e-9));
  }
}

// ---- the JSON document ----

TEST_CASE("eval cli: json has exactly the documented keys", "[cli]") {
  const json j = eval_json(small());
  std::set<std::string> keys;
  for (const auto& item : j.items()) keys.insert(item.key());
  CHECK(keys == std::set<std::string>{"measures", "per_label", "buckets", "skipped_labels",
                                      "threshold", "zero_division", "bucket_source"});
  CHECK(j["threshold"] == "fixed:0.5");
  CHECK(j["zero_division"] == "0");
  CHECK(j["bucket_source"] == "truth");
  CHECK(j["skipped_labels"] == 0);
  CHECK(j["measures"].size() >= 30);
  for (const auto& [name, value] : j["measures"].items()) {
    INFO(name);
    CHECK(value.is_number());
  }
  REQUIRE(j["per_label"].size() == 3);
  const std::set<std::string> label_keys = {"name", "train_count", "support", "irlbl", "minority",
                                            "bucket", "tp", "fp", "fn", "tn", "precision",
                                            "recall", "f1", "ap", "auc"};
  for (const json& label : j["per_label"]) {
    std::set<std::string> lk;
    for (const auto& item : label.items()) lk.insert(item.key());
    CHECK(lk == label_keys);
  }
  CHECK(j["per_label"][0]["name"] == "a");  // from truth.csv's header
  CHECK(j["per_label"][2]["train_count"] == 2);  // without --train: the truth's own counts
  // The 4 x 3 example is predicted perfectly at 0.5: label c has tp 2 (rows 1, 4), tn 2.
  CHECK(j["per_label"][2]["tp"] == 2);
  CHECK(j["per_label"][2]["tn"] == 2);
  CHECK(j["per_label"][2]["fp"] == 0);
  std::set<std::string> buckets;
  for (const auto& item : j["buckets"].items()) buckets.insert(item.key());
  CHECK(buckets == std::set<std::string>{"tail", "medium", "head", "minority", "majority"});
  for (const auto& [name, b] : j["buckets"].items()) {
    std::set<std::string> bk;
    for (const auto& item : b.items()) bk.insert(item.key());
    CHECK(bk == std::set<std::string>{"labels", "min_count", "max_count", "macro_precision",
                                      "macro_recall", "macro_f1", "map", "skipped_labels"});
  }
}

TEST_CASE("eval cli: without --train the buckets come from the truth, with a note", "[cli]") {
  const auto r = run_labelgraph("eval " + small());
  REQUIRE(r.status == 0);
  CHECK(contains(r.err, "no --train"));
  const auto t = run_labelgraph("eval " + small() + " --train " +
                                quoted(scores_fixture("truth.arff")));
  REQUIRE(t.status == 0);
  CHECK(!contains(t.err, "no --train"));
}

// ---- input formats: every one gives the same evaluation ----

TEST_CASE("eval cli: npy, CSV, whitespace, ARFF and LIBSVM inputs give the same measures",
          "[cli]") {
  const json reference = eval_json(small());
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"truth_b1.npy", "scores_f4.npy"},       {"truth_i1.npy", "scores_f8.npy"},
      {"truth_u1.npy", "scores_f8_fortran.npy"}, {"truth_i8.npy", "scores_f4_v3.npy"},
      {"truth.tsv", "scores.txt"},             {"truth_spellings.txt", "scores_header_crlf.csv"},
      {"truth.arff", "scores_pandas.csv"},     {"truth_libsvm.txt", "scores_f4_v2.npy"},
  };
  for (const auto& [truth, scores] : pairs) {
    INFO(truth << " + " << scores);
    const json j = eval_json(small(truth, scores));
    CHECK(j["measures"] == reference["measures"]);
    CHECK(j["per_label"].size() == 3);
  }
}

TEST_CASE("eval cli: an ARFF truth with its labels last, declared by --labels or --xml",
          "[cli]") {
  lg::test::TempDir dir;
  const auto arff = dir.write("last.arff",
                              "@relation last\n@attribute x numeric\n@attribute a {0,1}\n"
                              "@attribute b {0,1}\n@attribute c {0,1}\n@data\n"
                              "0.5,1,0,1\n?,0,1,0\n2,1,1,0\n-1,0,0,1\n");
  const json reference = eval_json(small());
  const std::string scores = " --scores " + quoted(scores_fixture("scores.csv"));
  const json j = eval_json("--truth " + quoted(arff) + scores + " --labels -3");
  CHECK(j["measures"] == reference["measures"]);
  CHECK(j["per_label"][1]["name"] == "b");
  const auto xml = dir.write("labels.xml",
                             "<labels xmlns=\"http://mulan.sourceforge.net/labels\">"
                             "<label name=\"a\"></label><label name=\"b\"></label>"
                             "<label name=\"c\"></label></labels>\n");
  CHECK(eval_json("--truth " + quoted(arff) + scores + " --xml " + quoted(xml))["measures"] ==
        reference["measures"]);
  // Without a declaration the ARFF has no labels to read: an error naming the file.
  const auto r = run_labelgraph("eval --truth " + quoted(arff) + scores);
  CHECK(r.status != 0);
  CHECK(contains(r.err, "last.arff"));
}

TEST_CASE("eval cli: a CSV data set as truth with --label-prefix", "[cli]") {
  lg::test::TempDir dir;
  const auto data = dir.write("data.csv", "x,tag_a,tag_b,tag_c\n0.1,1,0,1\n0.2,0,1,0\n"
                                          "0.3,1,1,0\n0.4,0,0,1\n");
  const json j = eval_json("--truth " + quoted(data) + " --scores " +
                           quoted(scores_fixture("scores.csv")) + " --label-prefix tag_");
  CHECK(j["measures"] == eval_json(small())["measures"]);
  CHECK(j["per_label"][0]["name"] == "tag_a");
}

// ---- thresholds that need more input ----

TEST_CASE("eval cli: --threshold pcut uses the --train label frequencies", "[cli]") {
  // Training frequencies a 1/4, b 3/4, c 4/4: PCut predicts the top round(4 f) = 1, 3, 4 rows
  // of each label's scores:
  //   a: 0.9375 (row 1)                      -> pred 1 0 0 0, truth 1 0 1 0: tp 1, fn 1
  //   b: 0.8125, 0.5, 0.4375 (rows 2, 3, 4)  -> pred 0 1 1 1, truth 0 1 1 0: tp 2, fp 1
  //   c: all rows                            -> pred 1 1 1 1, truth 1 0 0 1: tp 2, fp 2
  // tp 5, fp 3, fn 1: micro precision 5/8, micro recall 5/6; Hamming loss 4/12.
  lg::test::TempDir dir;
  const auto train = dir.write("train.csv", "a,b,c\n1,1,1\n0,1,1\n0,1,1\n0,0,1\n");
  const json j = eval_json(small() + " --train " + quoted(train) + " --threshold pcut");
  CHECK(j["threshold"] == "pcut");
  CHECK(j["bucket_source"] == "train");
  CHECK(j["measures"]["micro_precision"].get<double>() == Approx(5.0 / 8.0).epsilon(1e-12));
  CHECK(j["measures"]["micro_recall"].get<double>() == Approx(5.0 / 6.0).epsilon(1e-12));
  CHECK(j["measures"]["hamming_loss"].get<double>() == Approx(4.0 / 12.0).epsilon(1e-12));
  CHECK(j["per_label"][0]["train_count"] == 1);
  CHECK(j["per_label"][1]["train_count"] == 3);
  CHECK(j["per_label"][2]["train_count"] == 4);
  // Training counts 1, 3, 4; terciles at (L-1) q = 2/3, 4/3: 1 + 2/3 * 2 = 7/3 and
  // 3 + 1/3 * 1 = 10/3 -> a (1) tail, b (3) medium, c (4) head.
  CHECK(j["per_label"][0]["bucket"] == "tail");
  CHECK(j["per_label"][1]["bucket"] == "medium");
  CHECK(j["per_label"][2]["bucket"] == "head");
}

TEST_CASE("eval cli: --threshold rcut:1 keeps each row's top label", "[cli]") {
  // Row tops: a (0.9375), b (0.8125), a (0.5625), c (0.96875); all four are true labels.
  // tp 4, fp 0, fn 6 - 4 = 2: micro precision 1, micro recall 4/6; Hamming loss 2/12.
  const json j = eval_json(small() + " --threshold rcut:1");
  CHECK(j["threshold"] == "rcut:1");
  CHECK(j["measures"]["micro_precision"].get<double>() == Approx(1.0).epsilon(1e-12));
  CHECK(j["measures"]["micro_recall"].get<double>() == Approx(4.0 / 6.0).epsilon(1e-12));
  CHECK(j["measures"]["hamming_loss"].get<double>() == Approx(2.0 / 12.0).epsilon(1e-12));
}

TEST_CASE("eval cli: --threshold scut:f1 tunes on the validation files", "[cli]") {
  // One label; test scores 0.3 0.3 0.1 0.1 for truth 1 1 0 0. At 0.5 nothing is predicted
  // (micro F1 0). The validation set (0.3 -> 1, 0.1 -> 0) puts the threshold in (0.1, 0.3],
  // which predicts the test set exactly (micro F1 1).
  lg::test::TempDir dir;
  const auto truth = dir.write("y.txt", "1\n1\n0\n0\n");
  const auto scores = dir.write("s.txt", "0.3\n0.3\n0.1\n0.1\n");
  const auto vtruth = dir.write("yv.txt", "1\n0\n");
  const auto vscores = dir.write("sv.txt", "0.3\n0.1\n");
  const std::string files = "--truth " + quoted(truth) + " --scores " + quoted(scores);
  CHECK(eval_json(files)["measures"]["micro_f1"] == 0.0);
  const json j = eval_json(files + " --threshold scut:f1 --validation-truth " + quoted(vtruth) +
                           " --validation-scores " + quoted(vscores));
  CHECK(j["threshold"] == "scut:f1");
  CHECK(j["measures"]["micro_f1"] == 1.0);
  CHECK(j["per_label"][0]["name"] == "0");  // no names anywhere: labels are numbered from 0
}

// ---- names ----

TEST_CASE("eval cli: label names from --names, else the scores' header", "[cli]") {
  lg::test::TempDir dir;
  const auto names = dir.write("names.txt", "beach\r\n\nsunset\nfield\n");
  const json j = eval_json(small("truth_i1.npy", "scores.csv") + " --names " + quoted(names));
  CHECK(j["per_label"][0]["name"] == "beach");
  CHECK(j["per_label"][2]["name"] == "field");
  // The npy truth has no names; the scores' header has.
  const json h = eval_json(small("truth_i1.npy", "scores_header_crlf.csv"));
  CHECK(h["per_label"][1]["name"] == "b");
  const auto two = dir.write("two.txt", "x\ny\n");
  const auto r = run_labelgraph("eval " + small() + " --names " + quoted(two));
  CHECK(r.status != 0);
  CHECK(count_lines(r.err) == 1);
  CHECK(contains(r.err, "two.txt"));
  CHECK(contains(r.err, "has 2 label names"));
}

TEST_CASE("eval cli: the same names in another column order is an error", "[cli]") {
  lg::test::TempDir dir;
  const auto swapped = dir.write("swapped.csv", "b,a,c\n0.25,0.9375,0.6875\n0.8125,0.125,0.375\n"
                                                "0.5,0.5625,0.3125\n0.4375,0.0625,0.96875\n");
  const auto r = run_labelgraph("eval --truth " + quoted(scores_fixture("truth.csv")) +
                                " --scores " + quoted(swapped));
  CHECK(r.status != 0);
  CHECK(count_lines(r.err) == 1);
  CHECK(contains(r.err, "swapped.csv"));
  CHECK(contains(r.err, "column 1 is 'a' there, 'b' here"));
}

// ---- human formats ----

TEST_CASE("eval cli: text, md, csv and latex print measures, per-label and bucket tables",
          "[cli]") {
  for (const std::string format : {"text", "md", "csv", "latex"}) {
    INFO("format " << format);
    const auto r = run_labelgraph("eval " + small() + " --format " + format);
    INFO(r.err);
    REQUIRE(r.status == 0);
    for (std::string word : {"hamming_loss", "micro_f1", "mAP", "irlbl", "train_count", "tail",
                             "medium", "head", "minority", "majority"}) {
      if (format == "latex" && word.find('_') != std::string::npos)
        word.replace(word.find('_'), 1, "\\_");  // LaTeX escapes the underscore
      CHECK(contains(r.out, word));
    }
  }
  const auto text = run_labelgraph("eval " + small());
  CHECK(contains(text.out, "threshold fixed:0.5"));
  CHECK(contains(text.out, "↓"));  // hamming_loss: lower is better
  const auto csv = run_labelgraph("eval " + small() + " --format csv");
  CHECK(contains(csv.out, "\nhamming_loss,0,lower\n"));
  const auto latex = run_labelgraph("eval " + small() + " --format latex");
  CHECK(contains(latex.out, "hamming\\_loss"));
  CHECK(contains(latex.out, "\\toprule"));
}

TEST_CASE("eval cli: --buckets sets the quantile edges and the bucket names", "[cli]") {
  const json one = eval_json(small() + " --buckets 0.5");
  std::set<std::string> names;
  for (const auto& item : one["buckets"].items()) names.insert(item.key());
  CHECK(names == std::set<std::string>{"tail", "head", "minority", "majority"});
  const json four = eval_json(small() + " --buckets 0.25,0.5,0.75");
  CHECK(four["buckets"].contains("medium-1"));
  CHECK(four["buckets"].contains("medium-2"));
  for (const std::string bad : {"0.5,0.4", "1.5", "x", "0.2,,0.4"}) {
    INFO(bad);
    const auto r = run_labelgraph("eval " + small() + " --buckets " + bad);
    CHECK(r.status != 0);
    CHECK(count_lines(r.err) == 1);
    CHECK(contains(r.err, "--buckets"));
  }
}

// ---- --out ----

TEST_CASE("eval cli: --out writes the file atomically, nothing on stdout", "[cli]") {
  lg::test::TempDir dir;
  const auto out = dir / "eval.json";
  const auto r = run_labelgraph("eval " + small() + " --format json --out " + quoted(out));
  REQUIRE(r.status == 0);
  CHECK(r.out.empty());
  CHECK(json::parse(lg::test::read_file(out))["threshold"] == "fixed:0.5");
  CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 1);
  // A failing run leaves an existing output as it was, and no temporary file.
  lg::test::TempDir bad_dir;
  const auto old = bad_dir.write("eval.json", "old");
  const auto nan = bad_dir.write("nan.csv", "0.1,0.2,0.3\nnan,0.1,0.1\n0,0,0\n1,1,1\n");
  const auto f = run_labelgraph("eval --truth " + quoted(scores_fixture("truth.csv")) +
                                " --scores " + quoted(nan) + " --out " + quoted(old));
  CHECK(f.status != 0);
  CHECK(lg::test::read_file(old) == "old");
  CHECK(std::distance(fs::directory_iterator(bad_dir.path()), fs::directory_iterator()) == 2);
}

// ---- bad input ----

TEST_CASE("eval cli: bad input is a one-line error naming the file and line", "[cli]") {
  lg::test::TempDir dir;
  const std::string truth = quoted(scores_fixture("truth.csv"));
  const std::string scores = quoted(scores_fixture("scores.csv"));
  struct Case {
    std::string args;
    std::vector<std::string> says;  ///< all of these in the message
  };
  const auto three_rows = dir.write("three_rows.csv", "0.1,0.2,0.3\n0.1,0.2,0.3\n0.1,0.2,0.3\n");
  const auto two_cols = dir.write("two_cols.csv", "0.1,0.2\n0.1,0.2\n0.1,0.2\n0.1,0.2\n");
  const auto nan = dir.write("nan.csv", "0.1,0.2,0.3\n0.1,0.2,0.3\n0.1,nan,0.3\n0.1,0.2,0.3\n");
  const auto ragged = dir.write("ragged.csv", "0.1,0.2,0.3\n0.1,0.2\n0.1,0.2,0.3\n0.1,0.2,0.3\n");
  const auto word = dir.write("word.txt", "0.1 0.2 0.3\n0.1 0.2 0.3\n0.1 0.2 0.3\n0.1 zero 0.3\n");
  const auto truth_two = dir.write("truth_two.csv", "a,b,c\n1,0,1\n0,2,0\n1,1,0\n0,0,1\n");
  const auto empty = dir.write("empty.csv", "");
  const auto train_two = dir.write("train_two.csv", "1,0\n0,1\n");
  const Case cases[] = {
      {"--truth " + truth + " --scores " + quoted(three_rows),
       {"three_rows.csv", "3 rows x 3 columns", "4 rows x 3 columns", "same shape"}},
      {"--truth " + truth + " --scores " + quoted(two_cols), {"two_cols.csv", "4 rows x 2 columns"}},
      {"--truth " + truth + " --scores " + quoted(nan), {"nan.csv:3:", "column 2: NaN score"}},
      {"--truth " + truth + " --scores " + quoted(ragged), {"ragged.csv:2:", "found 2"}},
      {"--truth " + truth + " --scores " + quoted(word), {"word.txt:4:", "found 'zero'"}},
      {"--truth " + quoted(truth_two) + " --scores " + scores,
       {"truth_two.csv:3:", "column 2: truth values must be 0 or 1, found '2'"}},
      {"--truth " + truth + " --scores " + quoted(empty), {"empty.csv", "found none"}},
      {"--truth " + truth + " --scores " + quoted(dir / "missing.csv"),
       {"missing.csv", "cannot open"}},
      {"--truth " + quoted(dir / "missing.arff") + " --scores " + scores, {"missing.arff"}},
      {"--truth " + truth + " --scores " + quoted(scores_fixture("bad/big_endian.npy")),
       {"big_endian.npy", "npy header", "big-endian"}},
      {"--truth " + truth + " --scores " + quoted(scores_fixture("bad/nan_scores.npy")),
       {"nan_scores.npy", "row 3, column 2: NaN"}},
      {"--truth " + truth + " --scores " + quoted(scores_fixture("truth.arff")),
       {"truth.arff", "scores must be a matrix"}},
      {"--truth " + truth + " --scores " + scores + " --train " + quoted(train_two),
       {"train_two.csv", "has 2 labels", "has 3"}},
      {"--truth " + truth + " --scores " + scores + " --threshold pcut", {"--train"}},
      {"--truth " + truth + " --scores " + scores + " --threshold scut:f1",
       {"--validation-truth", "--validation-scores"}},
      {"--truth " + truth + " --scores " + scores + " --validation-truth " + truth,
       {"give both"}},
      {"--truth " + truth + " --scores " + scores + " --threshold half", {"fixed:T"}},
      {"--truth " + truth + " --scores " + scores + " --beta -1", {"--beta"}},
  };
  for (const Case& c : cases) {
    INFO("eval " << c.args);
    const auto r = run_labelgraph("eval " + c.args);
    INFO(r.err);
    CHECK(r.status != 0);
    CHECK(r.out.empty());
    CHECK(count_lines(r.err) == 1);
    CHECK(contains(r.err, "labelgraph: error: "));
    for (const std::string& part : c.says) CHECK(contains(r.err, part));
  }
}

TEST_CASE("eval cli: bad options give a non-zero exit, --help documents them", "[cli]") {
  CHECK(run_labelgraph("eval").status != 0);
  CHECK(run_labelgraph("eval " + small() + " --format xls").status != 0);
  CHECK(run_labelgraph("eval " + small() + " --zero-division 2").status != 0);
  CHECK(run_labelgraph("eval " + small() + " --xml a.xml --labels 3").status != 0);
  CHECK(run_labelgraph("eval --truth " + quoted(scores_fixture("truth.csv"))).status != 0);
  const auto help = run_labelgraph("eval --help");
  CHECK(help.status == 0);
  for (const char* option : {"--truth", "--scores", "--train", "--threshold", "--format", "--out",
                             "--zero-division", "--beta", "--buckets", "--names",
                             "--validation-truth", "--validation-scores", "--xml", "--labels"})
    CHECK(contains(help.out, option));
}
