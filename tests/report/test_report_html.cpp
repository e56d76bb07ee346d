// report.html (report/report_html.hpp): what the page holds, its escaping, bad input, and the
// page itself loaded in Debian's headless Chromium (installed by .ci/setup): no script error,
// nothing fetched, the graph view and the tables drawn (pixels of a screenshot), a page with
// 1,000 labels. Without Chromium the browser parts skip with a message (a failure under CI=true).
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "core/context.hpp"
#include "core/error.hpp"
#include "graph/build_label_graph.hpp"
#include "graph/communities.hpp"
#include "graph/graph_view.hpp"
#include "helpers.hpp"
#include "io/image_dataset.hpp"
#include "report/report_html.hpp"
#include "report/table.hpp"

using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

constexpr int kWidth = 1280, kHeight = 1600;  // the window of every load and screenshot

std::string sh_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// Debian's chromium, or nullopt (skipped with a message; a failure under CI=true).
std::optional<std::string> chromium() {
  for (const char* path : {"/usr/bin/chromium", "/usr/bin/chromium-browser"})
    if (fs::exists(path)) return std::string(path);
  const char* ci = std::getenv("CI");
  if (ci && std::string(ci) == "true") FAIL("chromium missing under CI=true: .ci/setup installs it");
  WARN("chromium is not installed: report.html's browser checks are skipped (.ci/setup installs it)");
  return std::nullopt;
}

struct PageLoad {
  nlohmann::json status;  ///< what the page wrote into #lg-status
  lg::Image shot;         ///< the screenshot of the window
  double seconds = 0;     ///< wall time of the whole browser run
  std::string log;        ///< chromium's stderr
};

std::string unescape_html(std::string text) {
  const std::pair<const char*, const char*> entities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&nbsp;", " "}, {"&amp;", "&"}};
  for (const auto& [from, to] : entities)
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + 1))
      text.replace(at, std::string(from).size(), to);
  return text;
}

/// Load `page` in headless Chromium: the DOM after the scripts ran (its #lg-status) and a
/// screenshot, in one run. `dom` receives the serialised DOM.
PageLoad load(const std::string& browser, const fs::path& page, const lg::test::TempDir& tmp,
              std::string* dom = nullptr) {
  const fs::path shot = tmp / "shot.png", out = tmp / "dom.html", err = tmp / "chromium.log";
  fs::remove(shot);
  // As root Chromium needs --no-sandbox; --disable-gpu leaves WebGL to SwiftShader (software).
  const std::string command = fmt::format(
      "timeout 300 {} --headless --no-sandbox --disable-gpu --enable-unsafe-swiftshader "
      "--hide-scrollbars --no-first-run --disable-extensions --user-data-dir={} "
      "--window-size={},{} --screenshot={} --dump-dom {} > {} 2> {}",
      sh_quote(browser), sh_quote((tmp / "profile").string()), kWidth, kHeight,
      sh_quote(shot.string()), sh_quote("file://" + fs::absolute(page).string()),
      sh_quote(out.string()), sh_quote(err.string()));
  const auto start = std::chrono::steady_clock::now();
  const int rc = std::system(command.c_str());
  PageLoad result;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.log = lg::test::read_file(err);
  INFO(result.log);
  REQUIRE(rc == 0);
  const std::string text = lg::test::read_file(out);
  if (dom) *dom = text;
  std::smatch m;
  REQUIRE(std::regex_search(text, m, std::regex("<pre id=\"lg-status\"[^>]*>([^<]*)</pre>")));
  result.status = nlohmann::json::parse(unescape_html(m[1].str()));
  result.shot = lg::decode_image(shot);
  // To look at them: LABELGRAPH_REPORT_SHOTS=<folder> keeps every screenshot there.
  if (const char* keep = std::getenv("LABELGRAPH_REPORT_SHOTS")) {
    fs::create_directories(keep);
    fs::copy_file(shot, fs::path(keep) / (page.stem().string() + ".png"), fs::copy_options::overwrite_existing);
  }
  return result;
}

struct Pixels {
  long area = 0;      ///< pixels of the rectangle inside the window
  long ink = 0;       ///< not (nearly) white
  long colour = 0;    ///< saturated (max - min channel > 60): the graph's node colours
};

/// What is drawn inside a page rectangle {x, y, w, h} of the screenshot (clipped to it).
Pixels pixels(const lg::Image& image, const nlohmann::json& rect) {
  Pixels p;
  const int x0 = std::max(0, rect["x"].get<int>()), y0 = std::max(0, rect["y"].get<int>());
  const int x1 = std::min(image.width, rect["x"].get<int>() + rect["w"].get<int>());
  const int y1 = std::min(image.height, rect["y"].get<int>() + rect["h"].get<int>());
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) {
      const std::uint8_t* px = &image.pixels[(static_cast<std::size_t>(y) * image.width + x) * 3];
      const int lo = std::min({px[0], px[1], px[2]}), hi = std::max({px[0], px[1], px[2]});
      ++p.area;
      p.ink += lo < 230;
      p.colour += hi - lo > 60;
    }
  return p;
}

/// The checks every sound page passes: no error, nothing fetched, `graphs` graph views drawn
/// and the first table drawn.
void check_drawn(const PageLoad& page, std::size_t graphs) {
  INFO(page.status.dump());
  CHECK(page.status["errors"].empty());
  CHECK(page.status["resources"].empty());  // the page fetched nothing
  REQUIRE(page.status["graphs"].size() == graphs);
  REQUIRE(page.shot.width == kWidth);
  REQUIRE(page.shot.height == kHeight);
  if (graphs > 0) {
    const Pixels g = pixels(page.shot, page.status["graphs"][0]["rect"]);
    CHECK(g.area > 200 * 200);  // in the window
    CHECK(g.colour > 150);      // coloured nodes
    CHECK(g.ink > 500);         // nodes, edges, labels
  }
  REQUIRE(!page.status["tables"].empty());
  const Pixels t = pixels(page.shot, page.status["tables"][0]);
  CHECK(t.area > 100 * 40);
  CHECK(t.ink > 300);  // header and numbers
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

/// Every "<script" of the page: the error hook, the data, graphology, sigma, the page's own.
constexpr std::size_t kScripts = 5;

const char* kExperiment = R"(
[experiment]
name = "report <test> & 'quotes'"
seed = 3
[split]
method = "kfold"
folds = 2
[graph]
weighting = "conditional"
communities = true
[[datasets]]
name = "one"
[datasets.synthetic]
rows = 300
labels = 10
features = 8
groups = 3
[[datasets]]
name = "two"
[datasets.synthetic]
rows = 300
labels = 8
features = 8
noise = 2.0
[[algorithms]]
name = "br"
[[algorithms]]
name = "mlknn"
k = 5
)";

/// Hostile label names: markup, a script end, quotes, entities, unicode.
std::string hostile_name(int i) {
  switch (i % 100) {
    case 0: return fmt::format("</script><script>window.lgErrors.push('injected {}')</script>", i);
    case 1: return fmt::format("\"quote' & <b>bold</b> &amp; #{}", i);
    case 2: return fmt::format("ünïcødé ✓ 標籤 \u2028 #{}", i);
    case 3: return fmt::format("<!-- comment {}", i);
    default: return fmt::format("label {}", i);
  }
}

/// A run folder with a label graph of `labels` labels (hostile names among them), its
/// per-label table and a summary table, as report_html reads them.
void write_big_folder(const fs::path& dir, int labels) {
  const int rows = 2 * labels, groups = std::max(1, labels / 50);
  lg::LabelMatrix y = lg::LabelMatrix::Zero(rows, labels);
  std::mt19937 rng(7);
  for (int r = 0; r < rows; ++r) {
    const int g = r % groups, size = labels / groups;
    for (int k = 0; k < 4; ++k) y(r, g * size + static_cast<int>(rng() % size)) = 1;
    y(r, static_cast<int>(rng() % labels)) = 1;
  }
  std::vector<std::string> names;
  for (int i = 0; i < labels; ++i) names.push_back(hostile_name(i));
  lg::graph::LabelGraphSpec spec;
  const auto built = lg::graph::build_label_graph(y, names, spec, lg::Context{});
  lg::graph::LabelGraph g = built.label_graph();
  g.set_communities(lg::graph::detect_communities(g).membership);
  lg::graph::ViewOptions view;
  view.title = "big: " + hostile_name(0);
  view.weighting = "conditional probability P(j | i)";
  fs::create_directories(dir / "graphs");
  fs::create_directories(dir / "tables");
  std::ofstream(dir / "graphs/big.view.json") << lg::graph::view_json(g, view);

  lg::report::Table per_label;
  per_label.columns = {{"label"}, {"count", lg::report::ColumnKind::Integer},
                       {"f1", lg::report::ColumnKind::Real, 3, lg::report::Better::Higher}};
  for (int i = 0; i < labels; ++i)
    per_label.add_row({names[static_cast<std::size_t>(i)], static_cast<double>(y.col(i).cast<int>().sum()),
                       lg::report::Cell::mean_sd(0.001 * i, 0.01)});
  std::ofstream(dir / "tables/big-labels.csv") << lg::report::to_csv(per_label);
  lg::report::Table summary;
  summary.columns = {{"dataset"}, {"algorithm"}, {"micro_f1", lg::report::ColumnKind::Real}};
  summary.add_row({"big", "BR", 0.5});
  summary.add_row({"big", hostile_name(0), 0.25});
  summary.add_row({"big", "bad byte \xff here", 0.125});  // not UTF-8: shown as U+FFFD
  std::ofstream(dir / "tables/summary.csv") << lg::report::to_csv(summary);
}

}  // namespace

TEST_CASE("report.html: a run writes one page with its tables, graphs and figures", "[report-html][cli]") {
  lg::test::TempDir tmp;
  const fs::path cfg = tmp.write("report.toml", kExperiment);
  const fs::path out = tmp / "out";
  const auto r = lg::test::run_labelgraph("run " + sh_quote(cfg.string()) + " --out " + sh_quote(out.string()));
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Contains("report.html"));
  const std::string html = lg::test::read_file(out / "report.html");
  REQUIRE(!html.empty());
  const auto manifest = nlohmann::json::parse(lg::test::read_file(out / "manifest.json"));
  CHECK(std::find(manifest["outputs"].begin(), manifest["outputs"].end(), "report.html") != manifest["outputs"].end());
  for (const char* part : {"<h3>tables/summary</h3>", "<h3>tables/one-labels</h3>", "<h3>tables/two-buckets</h3>",
                           "<h3>tables/ranks</h3>", "<h3>graphs/one.svg</h3>", "<h3>figures/cd-micro_f1.svg</h3>",
                           "report &lt;test&gt; &amp; &#39;quotes&#39;", "config.resolved.toml"})
    CHECK_THAT(html, Contains(part));
  CHECK(fs::exists(out / "graphs/one.view.json"));
  CHECK(count(html, "<script") == kScripts);
  // Self-contained: no address of anything outside the file (but in the libraries' licence
  // texts under About), nothing an element or the style could load.
  std::string outside_licences = html;
  const std::size_t about = html.find("<h2 id=\"about\">");
  REQUIRE(about != std::string::npos);
  outside_licences.erase(about, html.find("</ul>", about) - about);
  CHECK(outside_licences.find("http://") == std::string::npos);
  CHECK(outside_licences.find("https://") == std::string::npos);
  for (const char* load : {"src=\"http", "href=\"http", "href=\"//", "src=\"//", "url(", "@import"})
    CHECK(html.find(load) == std::string::npos);
  CHECK(html.find(" src=\"data:image/svg+xml;base64,") != std::string::npos);

  SECTION("merge writes it too") {
    fs::remove(out / "report.html");
    const auto m = lg::test::run_labelgraph("merge " + sh_quote(out.string()));
    INFO(m.err);
    REQUIRE(m.status == 0);
    CHECK(lg::test::read_file(out / "report.html").size() > 1000);
  }
  SECTION("in Chromium: no error, nothing fetched, graphs and tables drawn") {
    const auto browser = chromium();
    if (!browser) return;
    const PageLoad page = load(*browser, out / "report.html", tmp);
    check_drawn(page, 2);
    CHECK(page.status["graphs"][0]["nodes"] == 10);
    CHECK(page.status["tables"].size() > 10);
  }
}

TEST_CASE("report.html: the browser checks can fail (a page with errors)", "[report-html]") {
  const auto browser = chromium();
  if (!browser) return;
  lg::test::TempDir tmp;
  write_big_folder(tmp / "run", 60);
  const std::string html = lg::report::report_html(tmp / "run");

  SECTION("a script error is reported") {
    std::string broken = html;
    broken.replace(broken.rfind("</body>"), 7, "<script>notDefinedAnywhere();</script></body>");
    const fs::path page = tmp.write("broken.html", broken);
    const PageLoad load_result = load(*browser, page, tmp);
    REQUIRE(!load_result.status["errors"].empty());
    CHECK_THAT(load_result.status["errors"].dump(), Contains("notDefinedAnywhere"));
  }
  SECTION("a graph that cannot be drawn is an error, and its area has no node colours") {
    std::string broken = html;
    const std::size_t at = broken.find("new Sigma(G");
    REQUIRE(at != std::string::npos);
    broken.replace(at, 11, "new Missing(G");
    const fs::path page = tmp.write("nograph.html", broken);
    const PageLoad load_result = load(*browser, page, tmp);
    REQUIRE(!load_result.status["errors"].empty());
    CHECK_THAT(load_result.status["errors"].dump(), Contains("Missing"));
    // No rectangle reported for the graph: measure where the sound page draws it.
    const PageLoad sound = load(*browser, tmp.write("sound.html", html), tmp);
    check_drawn(sound, 1);
    const Pixels g = pixels(load_result.shot, sound.status["graphs"][0]["rect"]);
    CHECK(g.colour < 20);
  }
}

TEST_CASE("report.html: the slider, community filter, hover, search and table sorting respond", "[report-html]") {
  const auto browser = chromium();
  if (!browser) return;
  lg::test::TempDir tmp;
  write_big_folder(tmp / "run", 60);
  std::string html = lg::report::report_html(tmp / "run");
  // Drive the controls as a reader would (input / change events, a mouse move over label 0's
  // node on sigma's mouse layer) and record what the page then says.
  const char* drive = R"(<script>
(function () {
  var out = window.lgStatus.controls = {};
  var slider = document.getElementById('lg-weight-0');
  var text = document.getElementById('lg-weight-text-0');
  out.initial = text.textContent;
  slider.value = slider.max; slider.dispatchEvent(new Event('input'));
  out.atMax = text.textContent;
  slider.value = slider.min; slider.dispatchEvent(new Event('input'));
  out.atMin = text.textContent;
  var select = document.getElementById('lg-community-0');
  out.options = select.options.length;
  select.value = '0'; select.dispatchEvent(new Event('change'));
  select.value = ''; select.dispatchEvent(new Event('change'));
  var renderer = window.lgViews[0];
  var attrs = renderer.getGraph().getNodeAttributes('0');
  var at = renderer.graphToViewport({ x: attrs.x, y: attrs.y });
  var layer = document.querySelector('#lg-graph-0 .sigma-mouse');
  var box = layer.getBoundingClientRect();
  layer.dispatchEvent(new MouseEvent('mousemove', { clientX: box.left + at.x, clientY: box.top + at.y, bubbles: true }));
  out.hover = document.getElementById('lg-info-0').textContent;
  var search = document.getElementById('lg-search-0');
  search.value = 'COMMENT 3'; search.dispatchEvent(new Event('change'));
  out.found = document.getElementById('lg-info-0').textContent;
  search.value = 'no such label'; search.dispatchEvent(new Event('change'));
  out.notFound = document.getElementById('lg-info-0').textContent;
  // Sorting: tables/big-labels by count, up then down.
  var table = document.getElementById('lg-table-1');
  var counts = function () {
    return Array.prototype.map.call(table.tBodies[0].rows, function (r) { return parseFloat(r.cells[1].getAttribute('data-v')); });
  };
  out.before = counts();
  table.tHead.rows[0].cells[1].click();
  out.up = counts();
  table.tHead.rows[0].cells[1].click();
  out.down = counts();
  window.lgWriteStatus();
})();
</script></body>)";
  html.replace(html.rfind("</body>"), 7, drive);
  const PageLoad page = load(*browser, tmp.write("controls.html", html), tmp);
  INFO(page.status.dump());
  CHECK(page.status["errors"].empty());
  const nlohmann::json& c = page.status["controls"];
  REQUIRE(c.is_object());
  const std::regex shown("weight \u2265 ([0-9.e+-]+): ([0-9]+) of ([0-9]+) edges");
  std::smatch at_max, at_min;
  const std::string max_text = c["atMax"].get<std::string>(), min_text = c["atMin"].get<std::string>();
  REQUIRE(std::regex_search(max_text, at_max, shown));
  REQUIRE(std::regex_search(min_text, at_min, shown));
  CHECK(std::stoi(at_min[2].str()) == std::stoi(at_min[3].str()));  // lowest weight: every edge
  CHECK(std::stoi(at_max[2].str()) < std::stoi(at_min[2].str()));   // highest: only the strongest
  CHECK(std::stoi(at_max[2].str()) >= 1);
  CHECK(c["options"].get<int>() >= 3);  // "all" and at least two communities
  // Hovering label 0 shows its name, count, IRLbl and community.
  const std::string hover = c["hover"].get<std::string>();
  CHECK_THAT(hover, Contains(hostile_name(0)) && Contains("count ") && Contains("IRLbl ") && Contains("community "));
  // Finding a label by part of its name (case ignored) shows it; a name nobody has says so.
  CHECK_THAT(c["found"].get<std::string>(), Contains(hostile_name(3)) && Contains("IRLbl "));
  CHECK_THAT(c["notFound"].get<std::string>(), Contains("No label contains"));
  // A click on a header sorts by it, a second click reverses.
  std::vector<double> before = c["before"], up = c["up"], down = c["down"];
  REQUIRE(before.size() == 60);
  CHECK_FALSE(std::is_sorted(before.begin(), before.end()));
  std::vector<double> want = before;
  std::sort(want.begin(), want.end());
  CHECK(up == want);
  std::reverse(want.begin(), want.end());
  CHECK(down == want);
}

TEST_CASE("report.html: 1,000 labels with hostile names load and draw", "[report-html]") {
  lg::test::TempDir tmp;
  const auto start = std::chrono::steady_clock::now();
  write_big_folder(tmp / "run", 1000);
  lg::report::write_report_html(tmp / "run");
  const double write_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string html = lg::test::read_file(tmp / "run/report.html");
  // The names are text, never markup: no script of theirs, no comment opened.
  CHECK(count(html, "<script") == kScripts);
  CHECK(html.find("<b>bold</b>") == std::string::npos);
  CHECK(html.find("<!-- comment") == std::string::npos);
  CHECK_THAT(html, Contains("&lt;/script&gt;&lt;script&gt;window.lgErrors.push(&#39;injected 0&#39;)"));
  CHECK_THAT(html, Contains("bad byte \xEF\xBF\xBD here"));
  CHECK(html.find('\xff') == std::string::npos);
  const std::size_t data = html.find("<script type=\"application/json\" id=\"lg-data\">");
  REQUIRE(data != std::string::npos);
  const std::size_t data_end = html.find("</script>", data);
  const std::string json = html.substr(data + 45, data_end - data - 45);
  CHECK(json.find('<') == std::string::npos);
  const auto parsed = nlohmann::json::parse(json);
  REQUIRE(parsed["graphs"].size() == 1);
  CHECK(parsed["graphs"][0]["nodes"].size() == 1000);
  CHECK(parsed["graphs"][0]["nodes"][0]["name"] == hostile_name(0));

  const auto browser = chromium();
  if (!browser) return;
  // How long a redraw takes after a slider move (sigma re-processes every edge: refresh) and
  // after a zoom step (render only); reported, not asserted.
  std::string timed = html;
  timed.replace(timed.rfind("</body>"), 7, R"(<script>
(function () {
  var slider = document.getElementById('lg-weight-0'), times = [];
  for (var i = 0; i < 10; ++i) {
    var t0 = performance.now();
    slider.value = String(i % 2 ? 0 : 500);
    slider.dispatchEvent(new Event('input'));
    window.lgViews[0].refresh();
    times.push(performance.now() - t0);
  }
  var zoom = [];  // a zoom step: the camera moves, nothing is re-processed
  for (var j = 0; j < 10; ++j) {
    var t1 = performance.now();
    window.lgViews[0].getCamera().setState({ ratio: j % 2 ? 1 : 0.8 });
    window.lgViews[0].render();
    zoom.push(performance.now() - t1);
  }
  var median = function (a) { a.sort(function (x, y) { return x - y; }); return a[5]; };
  window.lgStatus.redrawMs = median(times);
  window.lgStatus.zoomMs = median(zoom);
  window.lgWriteStatus();
})();
</script></body>)");
  const fs::path timed_page = tmp.write("timed.html", timed);
  std::string dom;
  const PageLoad page = load(*browser, timed_page, tmp, &dom);
  check_drawn(page, 1);
  CHECK(page.status["graphs"][0]["nodes"] == 1000);
  CHECK(page.status["graphs"][0]["edges"].get<int>() > 5000);
  // The names arrive as text (the injected script would have pushed an error).
  CHECK_THAT(dom, Contains("&lt;b&gt;bold&lt;/b&gt;") && Contains("ünïcødé ✓ 標籤"));
  WARN(fmt::format("report.html with 1,000 labels and {} edges: {:.1f} MB, written in {:.1f} s, "
                   "loaded and drawn by headless Chromium in {:.1f} s (browser start included; "
                   "the page's script ran {} ms); medians of 10 with software WebGL: a slider "
                   "move redraws in {:.0f} ms, a zoom step in {:.0f} ms",
                   page.status["graphs"][0]["edges"].get<int>(), html.size() / 1e6, write_seconds,
                   page.seconds, page.status["ms"].get<int>(), page.status["redrawMs"].get<double>(),
                   page.status["zoomMs"].get<double>()));
}

TEST_CASE("report.html: a damaged graph or table file is an error naming it, nothing written", "[report-html]") {
  lg::test::TempDir tmp;
  write_big_folder(tmp / "run", 20);
  SECTION("graph view") {
    std::ofstream(tmp / "run/graphs/big.view.json") << R"({"nodes": [{"name": "a"}], "edges": []})";
    try {
      lg::report::write_report_html(tmp / "run");
      FAIL("no error");
    } catch (const lg::Error& e) {
      CHECK_THAT(std::string(e.what()), Contains("big.view.json") && Contains("label-graph view"));
    }
  }
  SECTION("table") {
    std::ofstream(tmp / "run/tables/summary.csv") << "a,b\n1,2\n3,\"open\n";
    try {
      lg::report::write_report_html(tmp / "run");
      FAIL("no error");
    } catch (const lg::Error& e) {
      CHECK_THAT(std::string(e.what()), Contains("summary.csv") && Contains("not closed"));
    }
  }
  CHECK_FALSE(fs::exists(tmp / "run/report.html"));
}

TEST_CASE("report.html: another process's temporary files in the folder are not read", "[report-html]") {
  // Two runs on one folder write the same figures and tables (temporary name, then rename): a
  // temporary seen in a listing may be gone when it is read, and is never part of the page.
  lg::test::TempDir tmp;
  write_big_folder(tmp / "run", 20);
  fs::create_directories(tmp / "run/figures/big");
  std::ofstream(tmp / "run/figures/big/shown.svg") << "<svg xmlns=\"http://www.w3.org/2000/svg\"/>";
  // Half-written: an unclosed CSV quote and an SVG that would be embedded.
  std::ofstream(tmp / "run/tables/summary.csv.tmp-host-4242-17") << "a,b\n1,\"open\n";
  std::ofstream(tmp / "run/tables/other.csv.tmp-host-4242-18.csv") << "a,b\n1,\"open\n";
  std::ofstream(tmp / "run/figures/big/cooccurrence.svg.tmp-host-4242-19.svg") << "<svg";
  const std::string html = lg::report::report_html(tmp / "run");
  CHECK_THAT(html, Contains("shown.svg"));
  CHECK_THAT(html, !Contains(".tmp-"));
}
