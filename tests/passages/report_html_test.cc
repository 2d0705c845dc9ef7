// Copyright 2026 The Dubare Authors.
//
// The HTML report folder on many document pairs: the index sorted by
// similarity and paged, --top and what it says about the pairs left out,
// the histogram, plurals, ids shown relative and left to right, every link
// resolving inside the folder, and every page within its size budget.

#include <algorithm>
#include <cstdlib>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "dubare/report.h"
#include "gtest/gtest.h"
#include "report_fixture.h"
#include "simdjson.h"

namespace dubare {
namespace {

using Files = std::map<std::string, std::string>;

ReportOptions Html() {
  ReportOptions options;
  options.format = ReportFormat::kHtml;
  return options;
}

// The similarity column of an index page, top to bottom.
std::vector<double> Similarities(const std::string& page) {
  static const std::regex kRow(
      R"re(<tr id="pair-(\d+)"><td class="num"><a href="pairs/\1\.html">\1</a></td><td class="num">([0-9.]+)</td>)re");
  std::vector<double> out;
  for (std::sregex_iterator it(page.begin(), page.end(), kRow), end; it != end; ++it) {
    out.push_back(std::strtod((*it)[2].str().c_str(), nullptr));
  }
  return out;
}

// Every href and src of every page names a file of the folder, and its
// #fragment an id of that file.
void ExpectLinksResolve(const Files& files) {
  static const std::regex kLink(R"re((?:href|src)="([^"]*)")re");
  static const std::regex kId(R"re( id="([^"]+)")re");
  std::map<std::string, std::set<std::string>> ids;
  for (const auto& [path, content] : files) {
    for (std::sregex_iterator it(content.begin(), content.end(), kId), end; it != end; ++it) {
      ids[path].insert((*it)[1].str());
    }
  }
  size_t links = 0;
  for (const auto& [path, content] : files) {
    const std::string dir = path.find('/') == std::string::npos ? "" : path.substr(0, path.rfind('/') + 1);
    for (std::sregex_iterator it(content.begin(), content.end(), kLink), end; it != end; ++it) {
      ++links;
      const std::string link = (*it)[1].str();
      ASSERT_FALSE(link.empty()) << path;
      ASSERT_EQ(link.find("://"), std::string::npos) << path << ": " << link;
      const size_t hash = link.find('#');
      std::string target = link.substr(0, hash);
      const std::string fragment = hash == std::string::npos ? "" : link.substr(hash + 1);
      target = target.empty() ? path : dir + target;
      while (target.find("../") != std::string::npos) {  // "pairs/../index.html"
        const size_t up = target.find("../");
        const size_t parent = up >= 2 ? target.rfind('/', up - 2) : std::string::npos;
        target = (parent == std::string::npos ? "" : target.substr(0, parent + 1)) +
                 target.substr(up + 3);
      }
      ASSERT_TRUE(files.count(target)) << path << " links to " << link << " (" << target << ")";
      if (!fragment.empty()) {
        EXPECT_TRUE(ids[target].count(fragment)) << path << " links to " << link;
      }
    }
  }
  EXPECT_GT(links, files.size());
}

TEST(ReportHtmlTest, IndexIsSortedBySimilarityPagedAndEveryLinkResolves) {
  testing::ManyPairs many(450);
  ReportOptions options = Html();
  options.html_rows_per_page = 200;
  const Files files = testing::RenderFolder(many.report, options);
  // 450 pairs: index.html, index-2.html, index-3.html; one page per pair.
  EXPECT_TRUE(files.count("index.html") && files.count("index-2.html") &&
              files.count("index-3.html"));
  EXPECT_FALSE(files.count("index-4.html"));
  EXPECT_TRUE(files.count("pairs/450.html"));
  EXPECT_FALSE(files.count("pairs/451.html"));
  std::vector<double> column;
  for (const char* page : {"index.html", "index-2.html", "index-3.html"}) {
    const std::vector<double> sims = Similarities(files.at(page));
    EXPECT_EQ(sims.size(), std::string(page) == "index-3.html" ? 50u : 200u) << page;
    column.insert(column.end(), sims.begin(), sims.end());
  }
  ASSERT_EQ(column.size(), 450u);
  EXPECT_TRUE(std::is_sorted(column.rbegin(), column.rend()));
  std::vector<double> expected = many.similarity;
  std::sort(expected.rbegin(), expected.rend());
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(column[i], expected[i], 0.0051) << i;
  // The most similar pair is pairs/1.html and links back to its row.
  const std::string& first = files.at("pairs/1.html");
  const size_t best = std::max_element(many.similarity.begin(), many.similarity.end()) -
                      many.similarity.begin();
  EXPECT_NE(first.find(many.ids[2 * best].substr(std::string("/srv/crawl/").size())),
            std::string::npos);
  EXPECT_NE(files.at("pairs/201.html").find("href=\"../index-2.html#pair-201\""), std::string::npos);
  EXPECT_NE(files.at("pairs/201.html").find("rel=\"prev\" href=\"200.html\""), std::string::npos);
  EXPECT_NE(files.at("index-2.html").find("rel=\"next\" href=\"index-3.html\""), std::string::npos);
  ExpectLinksResolve(files);
  // pairs.js lists the same pairs in the same order, for the filter.
  const std::string& js = files.at("pairs.js");
  ASSERT_EQ(js.rfind("window.dubarePairs = [", 0), 0u);
  simdjson::dom::parser parser;
  const std::string array = js.substr(js.find('['), js.rfind(']') - js.find('[') + 1);
  simdjson::dom::element rows;
  ASSERT_EQ(parser.parse(array).get(rows), simdjson::SUCCESS);
  size_t i = 0;
  for (simdjson::dom::element row : rows.get_array()) {
    ASSERT_LT(i, column.size());
    EXPECT_NEAR(row.at(4).get_double().value(), column[i], 0.0051);
    ++i;
  }
  EXPECT_EQ(i, 450u);
}

TEST(ReportHtmlTest, TopKeepsTheMostSimilarPairsAndSaysHowManyAreLeftOut) {
  testing::ManyPairs many(300);
  ReportOptions options = Html();
  options.top_pairs = 40;
  const Files files = testing::RenderFolder(many.report, options);
  EXPECT_TRUE(files.count("pairs/40.html"));
  EXPECT_FALSE(files.count("pairs/41.html"));
  EXPECT_FALSE(files.count("index-2.html"));
  const std::string& index = files.at("index.html");
  EXPECT_NE(index.find("260 pairs with a lower similarity are left out"), std::string::npos);
  EXPECT_NE(index.find("300 document pairs"), std::string::npos);
  std::vector<double> sorted = many.similarity;
  std::sort(sorted.rbegin(), sorted.rend());
  const std::vector<double> listed = Similarities(index);
  ASSERT_EQ(listed.size(), 40u);
  EXPECT_NEAR(listed.back(), sorted[39], 0.0051);
  // The histogram counts every pair: the listed ones dark, the others light.
  EXPECT_NE(index.find("<figure class=\"hist\"><svg"), std::string::npos);
  EXPECT_NE(index.find("<rect class=\"in\""), std::string::npos);
  EXPECT_NE(index.find("<rect class=\"out\""), std::string::npos);
  EXPECT_NE(index.find("<line class=\"cut\""), std::string::npos);
  uint64_t counted = 0;
  static const std::regex kBar(R"re(<title>similarity [0-9.]+–[0-9.]+: ([0-9,]+) pairs?)re");
  std::set<std::string> bins;
  for (std::sregex_iterator it(index.begin(), index.end(), kBar), end; it != end; ++it) {
    if (!bins.insert(it->str()).second) continue;  // a bin with both colours has two titles
    std::string n = (*it)[1].str();
    n.erase(std::remove(n.begin(), n.end(), ','), n.end());
    counted += std::strtoull(n.c_str(), nullptr, 10);
  }
  EXPECT_EQ(counted, 300u);
  ExpectLinksResolve(files);

  // Text and JSON keep the same pairs.
  options.format = ReportFormat::kJson;
  const std::string json = RenderPassageReport(many.report, options);
  EXPECT_EQ(json.rfind("{\"type\":\"summary\",\"documents\":600,", 0), 0u) << json.substr(0, 200);
  EXPECT_NE(json.find("\"document_pairs\":40,\"document_pairs_left_out\":260,"), std::string::npos)
      << json.substr(0, 200);
  size_t records = 0;
  for (size_t at = json.find("{\"type\":\"match\""); at != std::string::npos;
       at = json.find("{\"type\":\"match\"", at + 1)) {
    ++records;
  }
  size_t expected_matches = 0;
  for (size_t p = 0; p < 300; ++p) {
    if (many.similarity[p] >= sorted[39]) expected_matches += p % 3 == 0 ? 2 : 1;
  }
  EXPECT_EQ(records, expected_matches);
  options.format = ReportFormat::kText;
  const std::string text = RenderPassageReport(many.report, options);
  EXPECT_NE(text.find("in 40 document pairs (the most similar; 260 pairs left out)"),
            std::string::npos) << text.substr(0, 300);
  EXPECT_NE(text.find("== pair 40:"), std::string::npos);
  EXPECT_EQ(text.find("== pair 41:"), std::string::npos);
}

TEST(ReportHtmlTest, PluralsAreRight) {
  testing::ManyPairs many(2);
  many.report.result.matches.erase(many.report.result.matches.begin() + 1);  // pair 0: 1 passage
  many.report.rejected.push_back({"bad.jsonl:3", RejectReason::kInvalidUtf8, ""});
  const Files one = testing::RenderFolder(many.report, Html());
  const std::string& index = one.at("index.html");
  EXPECT_NE(index.find("4 documents · 2 repeated passages in 2 document pairs"), std::string::npos)
      << index;
  EXPECT_NE(index.find("1 refused input</a>"), std::string::npos);
  EXPECT_NE(one.at("refused.html").find("1 input was not read"), std::string::npos);
  for (const auto& [path, content] : one) {
    for (const char* wrong : {">1 passages", " 1 documents", " 1 document pairs", "1 refused inputs",
                              "1 words", ">1 pairs"}) {
      EXPECT_EQ(content.find(wrong), std::string::npos) << path << ": " << wrong;
    }
  }
  for (const char* page : {"pairs/1.html", "pairs/2.html"}) {
    EXPECT_NE(one.at(page).find("<p class=\"meta\">1 passage · 48 words"), std::string::npos)
        << one.at(page);
  }
  many.report.result.matches.push_back(many.report.result.matches.back());  // pair 1: 2 passages
  const Files two = testing::RenderFolder(many.report, Html());
  EXPECT_NE(two.at("index.html").find("3 repeated passages in 2 document pairs"),
            std::string::npos);
  EXPECT_TRUE(two.at("pairs/1.html").find("2 passages · 96 words") != std::string::npos ||
              two.at("pairs/2.html").find("2 passages · 96 words") != std::string::npos);
}

TEST(ReportHtmlTest, IdsAreShownRelativeAndLeftToRight) {
  testing::ManyPairs many(3, "/work/shared/corpus");
  many.ids[0] = "/elsewhere/st10.txt";
  many.report.documents[0].id = many.ids[0];
  ReportOptions options = Html();
  options.relative_to = "/work/shared/";
  const Files files = testing::RenderFolder(many.report, options);
  const std::string& index = files.at("index.html");
  EXPECT_NE(index.find("<bdi class=\"id\" dir=\"ltr\">corpus/outlet-1/"), std::string::npos);
  EXPECT_EQ(index.find("/work/shared/corpus"), std::string::npos);
  EXPECT_NE(index.find("<bdi class=\"id\" dir=\"ltr\">/elsewhere/st10.txt</bdi>"), std::string::npos);
  EXPECT_EQ(files.at("pairs.js").find("/work/shared"), std::string::npos);
  options.relative_to = "/work/sha";  // a prefix of a name is not a directory
  EXPECT_NE(testing::RenderFolder(many.report, options).at("index.html").find("/work/shared/corpus"),
            std::string::npos);
  // JSON keeps ids as given.
  options.format = ReportFormat::kJson;
  options.relative_to = "/work/shared";
  EXPECT_NE(RenderPassageReport(many.report, options).find("\"/work/shared/corpus/"),
            std::string::npos);
}

TEST(ReportHtmlTest, EveryPageStaysSmallWhateverTheCorpus) {
  // 14,000 pairs (the 20,000-article crawl has 13,840), all listed.
  testing::ManyPairs many(14000);
  ReportOptions options = Html();
  options.html_max_bytes = 0;  // no budget: every pair listed
  size_t index_bytes = 0, largest = 0, pages = 0;
  absl::StatusOr<size_t> listed = RenderPassageReportFolder(
      many.report, options, [&](absl::string_view path, absl::string_view content) {
        if (absl::StartsWith(path, "index")) index_bytes += content.size();
        ++pages;
        if (path == "pairs.js") {
          // The filter's data, loaded when one filters: ~200 bytes a pair.
          EXPECT_LT(content.size(), size_t{4} << 20);
        } else {
          largest = std::max(largest, content.size());
          EXPECT_LT(content.size(), size_t{200} << 10) << path;
        }
        return absl::OkStatus();
      });
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(*listed, 14000u);
  EXPECT_EQ(pages, 14000u + 70 + 3);  // pairs, index pages, style.css, report.js, pairs.js
  EXPECT_LT(largest, size_t{200} << 10);
  EXPECT_LT(index_bytes, size_t{10} << 20);  // 70 index pages

  // Two 6 MB documents that are one passage: the pair page shows a part.
  std::string big;
  while (big.size() < (size_t{6} << 20)) big += "دەقێکی زۆر درێژ کە دووبارە بووەتەوە. ";
  PassageReport huge;
  huge.documents = {{"a.txt", big}, {"b.txt", big}};
  PassageMatch m;
  const uint32_t n = static_cast<uint32_t>(big.size());
  m.a = {0, {0, n}, 1000000};
  m.b = {1, {0, n}, 1000000};
  m.similarity = 1;
  m.diff = {{DiffKind::kSame, {0, n}, {0, n}}};
  huge.result.matches.push_back(m);
  const std::string page = testing::RenderFolder(huge, options).at("pairs/1.html");
  EXPECT_LT(page.size(), size_t{2} << 20);
  EXPECT_NE(page.find("bytes of this document are shown"), std::string::npos);
}

TEST(ReportHtmlTest, NoPairsSaysSo) {
  PassageReport empty;
  empty.rejected.push_back({"x.txt", RejectReason::kEmpty, ""});
  const Files files = testing::RenderFolder(empty, Html());
  EXPECT_NE(files.at("index.html").find("No repeated passages were found."), std::string::npos);
  EXPECT_FALSE(files.count("pairs.js"));
  ExpectLinksResolve(files);
}

// The folder stays within html_max_bytes whatever the number of pairs and
// the documents' lengths: pairs are cut, most similar kept, and the index
// says why.
TEST(ReportHtmlTest, TheFolderKeepsItsSizeBudget) {
  testing::ManyPairs many(14000);
  for (const size_t budget : {size_t{5} << 20, size_t{1} << 20}) {
    SCOPED_TRACE(budget);
    ReportOptions options = Html();
    options.html_max_bytes = budget;
    size_t bytes = 0, pair_pages = 0;
    absl::StatusOr<size_t> listed = RenderPassageReportFolder(
        many.report, options, [&](absl::string_view path, absl::string_view content) {
          bytes += content.size();
          pair_pages += absl::StartsWith(path, "pairs/");
          return absl::OkStatus();
        });
    ASSERT_TRUE(listed.ok()) << listed.status();
    EXPECT_LE(bytes, budget);
    EXPECT_GT(bytes, budget / 2);  // the budget is used, not wasted
    EXPECT_LT(*listed, 14000u);
    EXPECT_EQ(pair_pages, *listed);
    const std::string index = testing::RenderFolder(many.report, options).at("index.html");
    EXPECT_NE(index.find("the report's size budget, <code>--html-max-mb</code>"), std::string::npos);
  }
  // Long documents: fewer, larger pair pages in the same budget.
  std::string big;
  while (big.size() < (size_t{1} << 20)) big += "دەقێکی زۆر درێژ کە دووبارە بووەتەوە. ";
  PassageReport huge;
  for (uint32_t d = 0; d < 40; ++d) huge.documents.push_back({"doc", big});
  const uint32_t n = static_cast<uint32_t>(big.size());
  for (uint32_t d = 0; d + 1 < 40; d += 2) {
    PassageMatch m;
    m.a = {d, {0, n}, 100000};
    m.b = {d + 1, {0, n}, 100000};
    m.similarity = 1.0 - d / 100.0;
    m.diff = {{DiffKind::kSame, {0, n}, {0, n}}};
    huge.result.matches.push_back(m);
  }
  ReportOptions options = Html();
  size_t bytes = 0;
  absl::StatusOr<size_t> listed = RenderPassageReportFolder(
      huge, options, [&](absl::string_view, absl::string_view content) {
        bytes += content.size();
        return absl::OkStatus();
      });
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_LE(bytes, options.html_max_bytes);
  EXPECT_GE(*listed, 1u);
  EXPECT_LT(*listed, 20u);
}

}  // namespace
}  // namespace dubare
