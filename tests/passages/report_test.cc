// Copyright 2026 The Dubare Authors.
//
// The passage report renderers on a hand-made result, so that every field
// of the output can be checked against the input it came from.

#include "dubare/report.h"

#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "report_fixture.h"
#include "simdjson.h"

namespace dubare {
namespace {

// Two documents with one hand-made match: "گفتوگۆ لەگەڵ بەغدا <b>&</b>" in
// the first is "گفتوگۆ لە گەڵ بەغدا x" in the second.
struct Fixture {
  std::string text_a = "سەرەتا. گفتوگۆ لەگەڵ بەغدا <b>&</b> تەواو";
  std::string text_b = "گفتوگۆ لە گەڵ بەغدا x کۆتایی";
  PassageReport report;

  Fixture() {
    report.documents = {{"a<script>alert(1)</script>", text_a}, {"b\"doc'", text_b}};
    auto at = [](const std::string& text, const std::string& needle) {
      const size_t i = text.find(needle);
      EXPECT_NE(i, std::string::npos) << needle;
      return ByteSpan{static_cast<uint32_t>(i), static_cast<uint32_t>(i + needle.size())};
    };
    PassageMatch m;
    m.a = {0, {at(text_a, "گفتوگۆ").begin, at(text_a, "</b>").end}, 5};
    m.b = {1, {0, at(text_b, "x").end}, 5};
    m.similarity = 0.75;
    m.diff = {{DiffKind::kSame, at(text_a, "گفتوگۆ"), at(text_b, "گفتوگۆ")},
              {DiffKind::kVariant, at(text_a, "لەگەڵ"), at(text_b, "لە گەڵ")},
              {DiffKind::kSame, at(text_a, "بەغدا"), at(text_b, "بەغدا")},
              {DiffKind::kChanged, {at(text_a, "<b>").begin, at(text_a, "</b>").end},
               at(text_b, "x")}};
    report.result.matches.push_back(m);
    Boilerplate b;
    b.example = {1, at(text_b, "کۆتایی"), 1};
    b.documents = 25;
    b.occurrences = 26;
    report.result.boilerplate.push_back(b);
    report.rejected.push_back({"bad.jsonl:3", RejectReason::kInvalidUtf8, "byte 7"});
  }
};

TEST(CodePointIndexTest, MatchesCountingFromTheStart) {
  std::mt19937 rng(9);
  const std::vector<std::string> pieces = {"a", "ە", "€", "😀", " ", "ڕ"};
  std::string text;
  for (int i = 0; i < 3000; ++i) text += pieces[rng() % pieces.size()];
  const CodePointIndex index(text);
  uint32_t count = 0;
  for (size_t b = 0; b <= text.size(); ++b) {
    ASSERT_EQ(index.CodePoints(static_cast<uint32_t>(b)), count) << b;
    if (b < text.size()) count += (static_cast<unsigned char>(text[b]) & 0xC0) != 0x80;
  }
}

TEST(ReportTest, JsonLinesCarryBothOffsetsAndTheOriginalText) {
  Fixture f;
  ReportOptions options;
  options.format = ReportFormat::kJson;
  const std::string out = RenderPassageReport(f.report, options);
  simdjson::dom::parser parser;
  std::vector<std::string> types;
  size_t start = 0;
  while (start < out.size()) {
    const size_t end = out.find('\n', start);
    ASSERT_NE(end, std::string::npos) << "every record ends with a newline";
    simdjson::padded_string line(out.substr(start, end - start));
    simdjson::dom::element record;
    ASSERT_EQ(parser.parse(line).get(record), simdjson::SUCCESS) << out.substr(start, end - start);
    types.emplace_back(std::string_view(record["type"].get_string().value()));
    if (types.back() == "match") {
      for (const char* side : {"a", "b"}) {
        simdjson::dom::element s = record[side];
        const std::string id(std::string_view(s["id"].get_string().value()));
        const std::string& text = id == f.report.documents[0].id ? f.text_a : f.text_b;
        const uint64_t b0 = s["byte_begin"].get_uint64().value();
        const uint64_t b1 = s["byte_end"].get_uint64().value();
        EXPECT_EQ(std::string_view(s["text"].get_string().value()), text.substr(b0, b1 - b0));
        const CodePointIndex cps(text);
        EXPECT_EQ(s["cp_begin"].get_uint64().value(), cps.CodePoints(b0));
        EXPECT_EQ(s["cp_end"].get_uint64().value(), cps.CodePoints(b1));
      }
      EXPECT_DOUBLE_EQ(record["similarity"].get_double().value(), 0.75);
      EXPECT_EQ(record["diff"].get_array().size(), 4u);
    }
    if (types.back() == "boilerplate") {
      EXPECT_EQ(record["documents"].get_uint64().value(), 25u);
      EXPECT_EQ(std::string_view(record["example"]["text"].get_string().value()), "کۆتایی");
    }
    start = end + 1;
  }
  EXPECT_EQ(types, (std::vector<std::string>{"summary", "match", "boilerplate", "rejected"}));
}

TEST(ReportTest, TextMarksDifferencesUnderEachOther) {
  Fixture f;
  const std::string out = RenderPassageReport(f.report, ReportOptions());
  EXPECT_NE(out.find("گفتوگۆ [~لەگەڵ~] بەغدا [-<b>&</b>-]"), std::string::npos) << out;
  EXPECT_NE(out.find("گفتوگۆ {~لە گەڵ~} بەغدا {+x+}"), std::string::npos) << out;
  EXPECT_LT(out.find("[-<b>"), out.find("{+x+}"));  // first passage above the second
  EXPECT_NE(out.find("in 25 documents (26 occurrences)"), std::string::npos);
  EXPECT_NE(out.find("bad.jsonl:3: invalid_utf8: byte 7"), std::string::npos);
  EXPECT_EQ(out.find("\x1b["), std::string::npos);
  ReportOptions color;
  color.color = true;
  const std::string colored = RenderPassageReport(f.report, color);
  EXPECT_NE(colored.find("\x1b[1;31m<b>&</b>\x1b[0m"), std::string::npos);
  EXPECT_EQ(colored.find("[-"), std::string::npos);
}

TEST(ReportTest, HtmlPairPageIsEscapedAndOnlyTheKurdishTextIsRightToLeft) {
  Fixture f;
  ReportOptions options;
  options.format = ReportFormat::kHtml;
  const auto files = testing::RenderFolder(f.report, options);
  for (const auto& [path, content] : files) {
    for (const char* banned : {"http://", "https://", "@import", "url("}) {
      EXPECT_EQ(content.find(banned), std::string::npos) << path << ": " << banned;
    }
    EXPECT_EQ(content.find("<b>"), std::string::npos) << path;
    EXPECT_EQ(content.find("<script>alert"), std::string::npos) << path;
    if (path.size() > 5 && path.substr(path.size() - 5) == ".html") {
      // The interface is English, left to right; never the whole page right to left.
      EXPECT_NE(content.find("<html lang=\"en\" dir=\"ltr\">"), std::string::npos) << path;
      EXPECT_EQ(content.find("<html lang=\"ckb\""), std::string::npos) << path;
    }
  }
  ASSERT_TRUE(files.count("pairs/1.html"));
  const std::string& html = files.at("pairs/1.html");
  EXPECT_NE(html.find("<bdi class=\"id\" dir=\"ltr\">a&lt;script&gt;alert(1)&lt;/script&gt;</bdi>"),
            std::string::npos);
  EXPECT_NE(html.find("b&quot;doc&#39;"), std::string::npos);
  EXPECT_NE(html.find("<div class=\"doc\" lang=\"ckb\" dir=\"rtl\">"), std::string::npos);
  EXPECT_NE(html.find("<del>&lt;b&gt;&amp;&lt;/b&gt;</del>"), std::string::npos);
  EXPECT_NE(html.find("<ins>x</ins>"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"var\">لەگەڵ</span>"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"var\">لە گەڵ</span>"), std::string::npos);
  // The passage is one highlighted mark per side, with the same colour.
  size_t marks = 0;
  for (size_t at = html.find("<mark class=\"c0\" data-match=\"1.1\""); at != std::string::npos;
       at = html.find("<mark class=\"c0\" data-match=\"1.1\"", at + 1)) {
    ++marks;
  }
  EXPECT_EQ(marks, 2u);
  // RenderPassageReport gives the index page of the same folder.
  EXPECT_EQ(RenderPassageReport(f.report, options), files.at("index.html"));
}

TEST(ReportTest, LongDocumentsAreShownAsExcerpts) {
  Fixture f;
  std::string long_a = std::string(5000, 'z') + " " + f.text_a + " " + std::string(5000, 'y');
  const uint32_t shift = 5001;
  f.report.documents[0].text = long_a;
  PassageMatch& m = f.report.result.matches[0];
  m.a.bytes = {m.a.bytes.begin + shift, m.a.bytes.end + shift};
  for (DiffSegment& d : m.diff) d.a = {d.a.begin + shift, d.a.end + shift};
  ReportOptions options;
  options.format = ReportFormat::kHtml;
  options.html_whole_document_bytes = 1000;
  options.html_context_bytes = 100;
  const std::string html = testing::RenderFolder(f.report, options).at("pairs/1.html");
  EXPECT_EQ(html.find(std::string(200, 'z')), std::string::npos);
  EXPECT_NE(html.find(std::string(50, 'z')), std::string::npos);
  EXPECT_NE(html.find("[…]"), std::string::npos);
  EXPECT_NE(html.find("<del>&lt;b&gt;&amp;&lt;/b&gt;</del>"), std::string::npos);
}

TEST(ReportTest, FormatNamesRoundTrip) {
  for (ReportFormat f : {ReportFormat::kText, ReportFormat::kJson, ReportFormat::kHtml}) {
    EXPECT_EQ(ParseReportFormat(ReportFormatName(f)).value(), f);
  }
  EXPECT_FALSE(ParseReportFormat("pdf").ok());
}

}  // namespace
}  // namespace dubare
