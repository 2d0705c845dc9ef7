// Copyright 2026 The Dubare Authors.
//
// The HTML report of corpus/press rendered by a real browser (headless
// Chromium, Debian's `chromium`): the highlighted passages must be in the
// rendered DOM on both sides, and a screenshot is taken (copied by hand to
// docs/passages-report.png). Skipped when Chromium is not installed.

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "dubare/file.h"
#include "dubare/passages.h"
#include "dubare/report.h"
#include "gtest/gtest.h"
#include "passage_test_util.h"

namespace dubare {
namespace {

namespace fs = std::filesystem;

std::string FindChromium() {
  if (const char* env = std::getenv("DUBARE_CHROMIUM")) return env;
  for (const char* path : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
    if (access(path, X_OK) == 0) return path;
  }
  return "";
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

  // Runs headless Chromium on `page` with `mode` (--dump-dom, --screenshot=...)
  // and returns its standard output.
  std::string Chromium(const std::string& page, const std::string& mode) {
    const std::string out = dir_ + "/stdout", profile = dir_ + "/profile";
    const std::string cmd = absl::StrCat(
        "timeout 120 ", chromium_,
        " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
        " --disable-background-networking --disable-component-update --disable-sync"
        " --hide-scrollbars --window-size=1400,1280 --user-data-dir=",
        profile, " ", mode, " file://", page, " > ", out, " 2> ", dir_, "/stderr");
    const int rc = std::system(cmd.c_str());
    EXPECT_EQ(rc, 0) << cmd;
    absl::StatusOr<std::string> text = ReadFile(out);
    return text.ok() ? *text : "";
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

TEST_F(BrowserTest, PressReportShowsEveryPassageOnBothSides) {
  const auto press = testing::LoadPress();
  const auto views = press.Views();
  absl::StatusOr<PassageResult> result = FindPassages(views);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_FALSE(result->matches.empty());
  std::vector<std::string> ids;  // as the CLI names them, relative to the repository
  for (const std::string& id : press.ids) ids.push_back(id.substr(id.find("corpus/")));
  PassageReport report;
  for (size_t i = 0; i < views.size(); ++i) report.documents.push_back({ids[i], views[i]});
  report.result = *result;
  ReportOptions options;
  options.format = ReportFormat::kHtml;
  options.title = "Repeated passages in corpus/press";
  const std::string page = dir_ + "/report.html";
  ASSERT_TRUE(WriteFileAtomically(page, RenderPassageReport(report, options)).ok());

  const std::string dom = Chromium(page, "--dump-dom");
  ASSERT_NE(dom.find("<html lang=\"ckb\" dir=\"rtl\">"), std::string::npos) << dom.substr(0, 300);
  // The pair's two sides, in document order.
  const size_t first_side = dom.find("<div class=\"side\">");
  const size_t second_side = dom.find("<div class=\"side\">", first_side + 1);
  ASSERT_NE(second_side, std::string::npos);
  const std::string side_a = dom.substr(first_side, second_side - first_side);
  const std::string side_b = dom.substr(second_side);
  size_t changed = 0;
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
  changed = Count(side_a, "<del>") + Count(side_b, "<ins>");
  EXPECT_GT(changed, 0u);
  EXPECT_GT(Count(dom, "<span class=\"var\">"), 0u);
  EXPECT_NE(dom.find("href=\"#pair-1\""), std::string::npos);

  // A screenshot of the same page for docs/passages-report.png.
  const std::string shot = std::string(DUBARE_BINARY_DIR) + "/passages-report.png";
  Chromium(page, "--screenshot=" + shot);
  absl::StatusOr<std::string> png = ReadFile(shot);
  ASSERT_TRUE(png.ok()) << png.status();
  EXPECT_EQ(png->substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_GT(png->size(), 50000u);  // a blank page compresses to a few kB
}

}  // namespace
}  // namespace dubare
