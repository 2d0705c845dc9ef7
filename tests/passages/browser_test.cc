// Copyright 2026 The Dubare Authors.
//
// The HTML report in a real browser (headless Chromium, Debian's
// `chromium`), in a 1,400 px window: the index and a pair page load in
// under 2 s (as the browser measures it: performance.now() at the load
// event), neither scrolls sideways, every link the browser resolves names a
// file of the folder, the filter finds pairs through pairs.js, the pair page
// shows every passage on both sides, and the screenshot of the index has
// its histogram and looks like tests/passages/testdata/report-index.png
// (DUBARE_UPDATE_REFERENCE=1 rewrites it; review the picture; the
// screenshot is also left in the build directory). Each Chromium run takes
// seconds, so there are four. Skipped when Chromium is not installed.

#include <unistd.h>
#include <zlib.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "dubare/file.h"
#include "dubare/passages.h"
#include "dubare/report.h"
#include "gtest/gtest.h"
#include "passage_test_util.h"
#include "report_fixture.h"

namespace dubare {
namespace {

namespace fs = std::filesystem;

constexpr int kWindowWidth = 1400, kWindowHeight = 1280;

std::string FindChromium() {
  if (const char* env = std::getenv("DUBARE_CHROMIUM")) return env;
  for (const char* path : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
    if (access(path, X_OK) == 0) return path;
  }
  return "";
}

// Added to a copy of a page: at the load event, what the browser measured.
constexpr char kProbe[] = R"js(<script>
window.addEventListener('load', function () {
  var d = document.documentElement, links = [], a = document.querySelectorAll('a[href]');
  for (var i = 0; i < a.length; ++i) links.push(a[i].href);
  var h = document.querySelector('figure.hist'), r = h ? h.getBoundingClientRect() : null;
  d.setAttribute('data-load-ms', String(performance.now()));
  d.setAttribute('data-scroll-width', String(d.scrollWidth));
  d.setAttribute('data-client-width', String(d.clientWidth));
  d.setAttribute('data-hist', r ? [r.left, r.top, r.width, r.height].map(Math.round).join(' ') : '');
  var pre = document.createElement('pre');
  pre.id = 'probe-links';
  pre.textContent = links.join('\n');
  document.body.appendChild(pre);
});
</script>
)js";

// Sets the filter to "similarity at least 0.9" and reports what it shows.
constexpr char kFilterProbe[] = R"js(<script>
window.addEventListener('load', function () {
  var f = document.getElementById('filter'), d = document.documentElement;
  d.setAttribute('data-form-hidden', String(f.hidden));
  f.elements.min.value = '0.9';
  f.dispatchEvent(new Event('submit', {cancelable: true}));
  (function wait() {
    var s = document.getElementById('filter-status').textContent;
    if (!s) return setTimeout(wait, 20);
    d.setAttribute('data-filter', s);
    d.setAttribute('data-rows', String(document.querySelector('table.pairs').tBodies[0].rows.length));
  })();
});
</script>
)js";

struct Probe {
  double load_ms = -1;
  int scroll_width = -1, client_width = -1;
  std::vector<int> hist;  // left, top, width, height
  std::vector<std::string> links;
  std::string dom;
};

std::string Attribute(const std::string& dom, const std::string& name) {
  const std::regex re(" " + name + "=\"([^\"]*)\"");
  std::smatch m;
  return std::regex_search(dom, m, re) ? m[1].str() : "";
}

// A decoded 8-bit RGB or RGBA PNG (what Chromium writes), as RGB.
struct Image {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;
  const uint8_t* At(int x, int y) const { return &rgb[(static_cast<size_t>(y) * width + x) * 3]; }
};

uint32_t BigEndian(const std::string& s, size_t at) {
  return (uint32_t{static_cast<uint8_t>(s[at])} << 24) |
         (uint32_t{static_cast<uint8_t>(s[at + 1])} << 16) |
         (uint32_t{static_cast<uint8_t>(s[at + 2])} << 8) | static_cast<uint8_t>(s[at + 3]);
}

bool DecodePng(const std::string& png, Image* image) {
  if (png.size() < 33 || png.compare(0, 8, std::string("\x89PNG\r\n\x1a\n", 8)) != 0) return false;
  std::string idat;
  int channels = 0;
  for (size_t at = 8; at + 8 <= png.size();) {
    const uint32_t len = BigEndian(png, at);
    const std::string type = png.substr(at + 4, 4);
    if (at + 12 + len > png.size()) return false;
    if (type == "IHDR") {
      image->width = static_cast<int>(BigEndian(png, at + 8));
      image->height = static_cast<int>(BigEndian(png, at + 12));
      const int depth = static_cast<uint8_t>(png[at + 16]), colour = static_cast<uint8_t>(png[at + 17]);
      if (depth != 8 || (colour != 2 && colour != 6) || png[at + 20] != 0) return false;
      channels = colour == 6 ? 4 : 3;
    } else if (type == "IDAT") {
      idat.append(png, at + 8, len);
    }
    at += 12 + len;
  }
  if (channels == 0) return false;
  const size_t stride = static_cast<size_t>(image->width) * channels;
  std::vector<uint8_t> raw((stride + 1) * image->height);
  uLongf raw_size = raw.size();
  if (uncompress(raw.data(), &raw_size, reinterpret_cast<const Bytef*>(idat.data()), idat.size()) !=
          Z_OK ||
      raw_size != raw.size()) {
    return false;
  }
  std::vector<uint8_t> prev(stride, 0), cur(stride);
  image->rgb.resize(static_cast<size_t>(image->width) * image->height * 3);
  for (int y = 0; y < image->height; ++y) {
    const uint8_t filter = raw[y * (stride + 1)];
    const uint8_t* in = &raw[y * (stride + 1) + 1];
    for (size_t i = 0; i < stride; ++i) {
      const int a = i >= static_cast<size_t>(channels) ? cur[i - channels] : 0;
      const int b = prev[i];
      const int c = i >= static_cast<size_t>(channels) ? prev[i - channels] : 0;
      int predicted = 0;
      switch (filter) {
        case 0: predicted = 0; break;
        case 1: predicted = a; break;
        case 2: predicted = b; break;
        case 3: predicted = (a + b) / 2; break;
        case 4: {
          const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
          predicted = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default: return false;
      }
      cur[i] = static_cast<uint8_t>(in[i] + predicted);
    }
    for (int x = 0; x < image->width; ++x) {
      for (int k = 0; k < 3; ++k) {
        image->rgb[(static_cast<size_t>(y) * image->width + x) * 3 + k] = cur[x * channels + k];
      }
    }
    prev.swap(cur);
  }
  return true;
}

// Mean luminance of cells of `cell` x `cell` pixels.
std::vector<double> Cells(const Image& image, int cell) {
  std::vector<double> out;
  for (int cy = 0; cy + cell <= image.height; cy += cell) {
    for (int cx = 0; cx + cell <= image.width; cx += cell) {
      double sum = 0;
      for (int y = cy; y < cy + cell; ++y) {
        for (int x = cx; x < cx + cell; ++x) {
          const uint8_t* p = image.At(x, y);
          sum += 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
        }
      }
      out.push_back(sum / (cell * cell));
    }
  }
  return out;
}

class BrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium_ = FindChromium();
    if (chromium_.empty()) GTEST_SKIP() << "chromium is not installed (apt-get install chromium)";
    char pattern[] = "/tmp/dubare-browser-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  // Writes the HTML report folder into dir_/NAME and returns its path.
  std::string WriteReport(const PassageReport& report, const ReportOptions& options,
                          const std::string& name) {
    const std::string root = dir_ + "/" + name;
    absl::StatusOr<size_t> listed = RenderPassageReportFolder(
        report, options, [&](absl::string_view path, absl::string_view content) {
          const fs::path file = fs::path(root) / std::string(path);
          fs::create_directories(file.parent_path());
          std::ofstream(file, std::ios::binary).write(content.data(), content.size());
          return absl::OkStatus();
        });
    EXPECT_TRUE(listed.ok()) << listed.status();
    return root;
  }

  // Runs headless Chromium on `page` with `mode` (--dump-dom, --screenshot=...)
  // and returns its standard output.
  std::string Chromium(const std::string& page, const std::string& mode) {
    const std::string out = dir_ + "/stdout", profile = dir_ + "/profile";
    const std::string cmd = absl::StrCat(
        "timeout 120 ", chromium_,
        " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
        " --disable-background-networking --disable-component-update --disable-sync"
        " --hide-scrollbars --window-size=", kWindowWidth, ",", kWindowHeight,
        " --user-data-dir=", profile, " ", mode, " file://", page, " > ", out, " 2> ", dir_,
        "/stderr");
    const int rc = std::system(cmd.c_str());
    EXPECT_EQ(rc, 0) << cmd;
    absl::StatusOr<std::string> text = ReadFile(out);
    return text.ok() ? *text : "";
  }

  // Loads a copy of `page` with `script` added, next to it (so that its
  // links resolve alike), and returns the DOM after the load event.
  std::string DomWith(const std::string& page, const std::string& script,
                      const std::string& mode = "--dump-dom") {
    absl::StatusOr<std::string> html = ReadFile(page);
    EXPECT_TRUE(html.ok()) << html.status();
    std::string copy = html.ok() ? *html : "";
    const size_t body = copy.rfind("</body>");
    EXPECT_NE(body, std::string::npos) << page;
    if (body != std::string::npos) copy.insert(body, script);
    const fs::path path(page);
    const std::string probe = (path.parent_path() / ("probe-" + path.filename().string())).string();
    EXPECT_TRUE(WriteFileAtomically(probe, copy).ok());
    const std::string dom = Chromium(probe, mode);
    fs::remove(probe);
    return dom;
  }

  Probe Measure(const std::string& page) {
    Probe p;
    p.dom = DomWith(page, kProbe);
    p.load_ms = std::atof(Attribute(p.dom, "data-load-ms").c_str());
    p.scroll_width = std::atoi(Attribute(p.dom, "data-scroll-width").c_str());
    p.client_width = std::atoi(Attribute(p.dom, "data-client-width").c_str());
    for (absl::string_view v : absl::StrSplit(Attribute(p.dom, "data-hist"), ' ', absl::SkipEmpty())) {
      p.hist.push_back(std::atoi(std::string(v).c_str()));
    }
    const size_t pre = p.dom.find("<pre id=\"probe-links\">");
    if (pre != std::string::npos) {
      const size_t from = pre + std::string("<pre id=\"probe-links\">").size();
      const std::string text = p.dom.substr(from, p.dom.find("</pre>", from) - from);
      for (absl::string_view l : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
        p.links.emplace_back(l);
      }
    }
    return p;
  }

  // Every link the browser resolved names a file (its #fragment aside).
  void ExpectLinksExist(const Probe& p, const std::string& page) {
    EXPECT_FALSE(p.links.empty()) << page;
    for (const std::string& link : p.links) {
      ASSERT_EQ(link.rfind("file://", 0), 0u) << page << ": " << link;
      std::string path = link.substr(7, link.find('#') - 7);
      const size_t probe = path.find("/probe-");  // this page's own links name the probe copy
      if (probe != std::string::npos) path.erase(probe + 1, 6);
      EXPECT_TRUE(fs::is_regular_file(path)) << page << " links to " << link;
    }
  }

  std::string chromium_;
  std::string dir_;
};

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

TEST_F(BrowserTest, IndexOpensFastFitsTheWindowAndLooksRight) {
  // 2,000 pairs with long paths as ids, the default 250 listed.
  testing::ManyPairs many(2000);
  ReportOptions options;
  options.format = ReportFormat::kHtml;
  options.top_pairs = kHtmlDefaultTopPairs;
  options.title = "Repeated passages in a generated crawl";
  const std::string root = WriteReport(many.report, options, "many");

  const Probe index = Measure(root + "/index.html");
  EXPECT_GT(index.load_ms, 0) << index.dom.substr(0, 300);
  EXPECT_LT(index.load_ms, 2000);
  EXPECT_EQ(index.client_width, kWindowWidth);
  EXPECT_LE(index.scroll_width, index.client_width) << "the index scrolls sideways";
  EXPECT_NE(index.dom.find("<html lang=\"en\" dir=\"ltr\""), std::string::npos);
  EXPECT_GE(index.links.size(), 2u * 200);  // two links a row
  ExpectLinksExist(index, "index.html");
  ASSERT_EQ(index.hist.size(), 4u);

  // The filter (scripts on) reads pairs.js and shows the pairs >= 0.9.
  const std::string filtered = DomWith(root + "/index.html", kFilterProbe,
                                       "--virtual-time-budget=5000 --dump-dom");
  size_t expected = 0;
  for (double s : many.similarity) expected += std::round(s * 10000) / 10000 >= 0.9;
  expected = std::min<size_t>(expected, kHtmlDefaultTopPairs);
  EXPECT_EQ(Attribute(filtered, "data-form-hidden"), "false");
  EXPECT_EQ(Attribute(filtered, "data-filter"),
            absl::StrCat(expected, " of ", kHtmlDefaultTopPairs, " pairs match",
                         expected > 200 ? absl::StrCat("; showing 1–200") : ""));
  EXPECT_EQ(Attribute(filtered, "data-rows"), absl::StrCat(std::min<size_t>(expected, 200)));

  // The screenshot: the histogram drawn, and the page as the reference shows it.
  const std::string shot = std::string(DUBARE_BINARY_DIR) + "/passages-report-index.png";
  fs::remove(shot);
  Chromium(root + "/index.html", "--screenshot=" + shot);
  absl::StatusOr<std::string> png = ReadFile(shot);
  ASSERT_TRUE(png.ok()) << png.status();
  Image image;
  ASSERT_TRUE(DecodePng(*png, &image));
  EXPECT_EQ(image.width, kWindowWidth);
  EXPECT_EQ(image.height, kWindowHeight);
  size_t blue = 0, pixels = 0;
  for (int y = index.hist[1]; y < index.hist[1] + index.hist[3] && y < image.height; ++y) {
    for (int x = index.hist[0]; x < index.hist[0] + index.hist[2] && x < image.width; ++x) {
      const uint8_t* p = image.At(x, y);
      ++pixels;
      blue += std::abs(p[0] - 0x09) < 24 && std::abs(p[1] - 0x69) < 24 && std::abs(p[2] - 0xda) < 24;
    }
  }
  EXPECT_GT(blue, pixels / 50) << "no histogram bars in the screenshot";

  const std::string reference =
      std::string(DUBARE_SOURCE_DIR) + "/tests/passages/testdata/report-index.png";
  if (std::getenv("DUBARE_UPDATE_REFERENCE") != nullptr) {
    fs::create_directories(fs::path(reference).parent_path());
    ASSERT_TRUE(WriteFileAtomically(reference, *png).ok());
  }
  absl::StatusOr<std::string> ref_png = ReadFile(reference);
  ASSERT_TRUE(ref_png.ok()) << ref_png.status();
  Image ref;
  ASSERT_TRUE(DecodePng(*ref_png, &ref));
  ASSERT_EQ(ref.width, image.width);
  ASSERT_EQ(ref.height, image.height);
  // Loosely: fonts may anti-alias differently, a moved or missing block may not.
  const std::vector<double> a = Cells(image, 40), b = Cells(ref, 40);
  size_t differ = 0;
  for (size_t i = 0; i < a.size(); ++i) differ += std::abs(a[i] - b[i]) > 24;
  EXPECT_LT(differ, a.size() / 20) << differ << " of " << a.size()
                                   << " cells differ from " << reference;
}

TEST_F(BrowserTest, PressPairPageShowsEveryPassageOnBothSides) {
  const auto press = testing::LoadPress();
  const auto views = press.Views();
  absl::StatusOr<PassageResult> result = FindPassages(views);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_FALSE(result->matches.empty());
  PassageReport report;
  for (size_t i = 0; i < views.size(); ++i) report.documents.push_back({press.ids[i], views[i]});
  report.result = *result;
  ReportOptions options;
  options.format = ReportFormat::kHtml;
  options.title = "Repeated passages in corpus/press";
  options.relative_to = DUBARE_SOURCE_DIR;  // as the CLI run from the repository shows them
  const std::string root = WriteReport(report, options, "press");

  const Probe probe = Measure(root + "/pairs/1.html");
  const std::string& dom = probe.dom;
  EXPECT_LT(probe.load_ms, 2000);
  EXPECT_LE(probe.scroll_width, probe.client_width);
  ExpectLinksExist(probe, "pairs/1.html");
  ASSERT_NE(dom.find("<html lang=\"en\" dir=\"ltr\""), std::string::npos) << dom.substr(0, 300);
  EXPECT_NE(dom.find("<bdi class=\"id\" dir=\"ltr\">corpus/press/001_"), std::string::npos);
  // The pair's two sides, in document order, each Sorani text right to left.
  const size_t first_side = dom.find("<section class=\"side\">");
  const size_t second_side = dom.find("<section class=\"side\">", first_side + 1);
  ASSERT_NE(second_side, std::string::npos);
  const std::string side_a = dom.substr(first_side, second_side - first_side);
  const std::string side_b = dom.substr(second_side);
  EXPECT_NE(side_a.find("<div class=\"doc\" lang=\"ckb\" dir=\"rtl\">"), std::string::npos);
  for (size_t k = 1; k <= result->matches.size(); ++k) {
    const std::string mark = absl::StrCat("data-match=\"1.", k, "\"");
    EXPECT_GE(Count(side_a, mark), 1u) << mark;
    EXPECT_GE(Count(side_b, mark), 1u) << mark;
    // Both sides have the same colour class.
    const std::string colour = absl::StrCat("<mark class=\"c", (k - 1) % 8, "\" ", mark);
    EXPECT_GE(Count(side_a, colour), 1u);
    EXPECT_GE(Count(side_b, colour), 1u);
    EXPECT_EQ(Count(side_a, absl::StrCat("id=\"p1-", k, "-a\"")), 1u);
    EXPECT_EQ(Count(side_b, absl::StrCat("id=\"p1-", k, "-b\"")), 1u);
  }
  EXPECT_GT(Count(side_a, "<del>") + Count(side_b, "<ins>"), 0u);
  EXPECT_GT(Count(dom, "<span class=\"var\">"), 0u);

}

}  // namespace
}  // namespace dubare
