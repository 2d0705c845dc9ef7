// Copyright 2026 The Dubare Authors.
//
// The HTML passage report: one self-contained right-to-left page.

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "dubare/report.h"
#include "passages/report_internal.h"

namespace dubare::passages_internal {
namespace {

constexpr int kColours = 8;

constexpr absl::string_view kStyle = R"css(
:root{--ink:#1f2328;--line:#d0d7de}
body{font-family:"Noto Naskh Arabic","Noto Sans Arabic","Vazirmatn","DejaVu Sans",sans-serif;
 margin:1.5rem;line-height:1.9;color:var(--ink);background:#f6f8fa}
h1{margin:.2rem 0 .6rem}h2{margin:2rem 0 .3rem;font-size:1.2rem}h3{margin:.2rem 0;font-size:1rem}
.summary{margin:.3rem 0 1rem}
table{border-collapse:collapse;background:#fff;margin:.5rem 0 1rem}
th,td{border:1px solid var(--line);padding:.2rem .6rem;vertical-align:top}
th{background:#eaeef2}
td.num{text-align:end;font-variant-numeric:tabular-nums}
.sides{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
.doc{white-space:pre-wrap;background:#fff;border:1px solid var(--line);border-radius:6px;
 padding:.6rem .8rem;overflow-wrap:anywhere}
.meta{color:#57606a;margin:0 0 .4rem}
mark{border-radius:3px;padding:.1em 0;color:inherit}
mark.c0{background:#ffe08a}mark.c1{background:#b7ebb0}mark.c2{background:#a9d6ff}
mark.c3{background:#ffc2d1}mark.c4{background:#dcc7ff}mark.c5{background:#ffd3a8}
mark.c6{background:#a6efe2}mark.c7{background:#e4e49a}
del{text-decoration:line-through 2px #cf222e;color:#a40e26;background:#ffebe9}
ins{text-decoration:underline 2px #1a7f37;text-underline-offset:.3em;color:#116329;
 background:#dafbe1}
.var{text-decoration:underline dotted 2px #9a6700;text-underline-offset:.3em}
a.tag{font:bold .7rem sans-serif;background:#24292f;color:#fff;border-radius:3px;
 padding:0 .3em;margin-inline-end:.25em;text-decoration:none;vertical-align:super}
.gap{color:#8c959f}
.legend bdi{margin-inline-end:1.5rem}
a.top{font-size:.8rem;margin-inline-start:.5rem}
)css";

void Escape(absl::string_view text, std::string* out) {
  for (char c : text) {
    switch (c) {
      case '&': out->append("&amp;"); break;
      case '<': out->append("&lt;"); break;
      case '>': out->append("&gt;"); break;
      case '"': out->append("&quot;"); break;
      case '\'': out->append("&#39;"); break;
      case '\r': break;
      default: out->push_back(c);
    }
  }
}

std::string Escaped(absl::string_view text) {
  std::string out;
  Escape(text, &out);
  return out;
}

// One side of a pair: which passage covers each byte, and how its words
// differ from the other side.
struct SidePassage {
  size_t number;  // 1-based within the pair
  ByteSpan whole;
  const PassageMatch* match;
};

class SideRenderer {
 public:
  SideRenderer(absl::string_view text, int side, size_t pair, std::vector<SidePassage> passages,
               std::string* out)
      : text_(text), side_(side), pair_(pair), passages_(std::move(passages)), out_(out) {}

  // Renders bytes [from, to) of the text.
  void Render(uint32_t from, uint32_t to) {
    std::vector<uint32_t> cuts = {from, to};
    for (const SidePassage& p : passages_) {
      cuts.push_back(p.whole.begin);
      cuts.push_back(p.whole.end);
      for (const DiffSegment& d : p.match->diff) {
        const ByteSpan s = side_ == 0 ? d.a : d.b;
        cuts.push_back(s.begin);
        cuts.push_back(s.end);
      }
    }
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    for (size_t c = 0; c + 1 < cuts.size(); ++c) {
      const uint32_t lo = cuts[c], hi = cuts[c + 1];
      if (lo < from || hi > to) continue;
      const SidePassage* primary = nullptr;
      for (const SidePassage& p : passages_) {
        if (p.whole.begin <= lo && lo < p.whole.end && (!primary || p.number < primary->number)) {
          primary = &p;
        }
      }
      DiffKind kind = DiffKind::kSame;
      if (primary) {
        for (const DiffSegment& d : primary->match->diff) {
          const ByteSpan s = side_ == 0 ? d.a : d.b;
          if (s.begin <= lo && lo < s.end) kind = d.kind;
        }
      }
      Switch(primary, kind);
      for (const SidePassage& p : passages_) {
        if (p.whole.begin == lo) Tag(p);
      }
      Escape(text_.substr(lo, hi - lo), out_);
    }
    Switch(nullptr, DiffKind::kSame);
  }

 private:
  void Tag(const SidePassage& p) {
    const char mine = side_ == 0 ? 'a' : 'b', other = side_ == 0 ? 'b' : 'a';
    absl::StrAppend(out_, "<a class=\"tag\" id=\"p", pair_, "-", p.number, "-",
                    std::string(1, mine), "\" href=\"#p", pair_, "-", p.number, "-",
                    std::string(1, other), "\">", p.number, "</a>");
  }

  void Switch(const SidePassage* primary, DiffKind kind) {
    if (primary == open_ && kind == kind_) return;
    CloseKind();
    if (primary != open_) {
      if (open_) out_->append("</mark>");
      open_ = primary;
      if (primary) {
        const PassageMatch& m = *primary->match;
        absl::StrAppend(out_, "<mark class=\"c", (primary->number - 1) % kColours,
                        "\" data-match=\"", pair_, ".", primary->number, "\" title=\"",
                        absl::StrFormat("passage %d.%d: %u and %u words, similarity %.2f", pair_,
                                        primary->number, m.a.words, m.b.words, m.similarity),
                        "\">");
      }
    }
    kind_ = primary ? kind : DiffKind::kSame;
    if (kind_ == DiffKind::kChanged) out_->append(side_ == 0 ? "<del>" : "<ins>");
    if (kind_ == DiffKind::kVariant) out_->append("<span class=\"var\">");
  }

  void CloseKind() {
    if (kind_ == DiffKind::kChanged) out_->append(side_ == 0 ? "</del>" : "</ins>");
    if (kind_ == DiffKind::kVariant) out_->append("</span>");
    kind_ = DiffKind::kSame;
  }

  absl::string_view text_;
  int side_;
  size_t pair_;
  std::vector<SidePassage> passages_;
  std::string* out_;
  const SidePassage* open_ = nullptr;
  DiffKind kind_ = DiffKind::kSame;
};

uint32_t BackToCharStart(absl::string_view text, uint32_t pos) {
  while (pos > 0 && pos < text.size() && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80) {
    --pos;
  }
  return pos;
}

// The document text of one side, whole or as excerpts around its passages.
void RenderSide(const ReportDocument& doc, int side, size_t pair,
                std::vector<SidePassage> passages, const ReportOptions& options,
                std::string* out) {
  const absl::string_view text = doc.text;
  std::vector<ByteSpan> windows;
  if (text.size() <= options.html_whole_document_bytes) {
    windows.push_back({0, static_cast<uint32_t>(text.size())});
  } else {
    const auto ctx = static_cast<uint32_t>(options.html_context_bytes);
    for (const SidePassage& p : passages) {
      const uint32_t lo = p.whole.begin > ctx ? p.whole.begin - ctx : 0;
      const uint32_t hi = static_cast<uint32_t>(
          std::min<size_t>(text.size(), size_t{p.whole.end} + ctx));
      windows.push_back({BackToCharStart(text, lo), BackToCharStart(text, hi)});
    }
    std::sort(windows.begin(), windows.end(),
              [](const ByteSpan& x, const ByteSpan& y) { return x.begin < y.begin; });
    std::vector<ByteSpan> merged;
    for (const ByteSpan& w : windows) {
      if (!merged.empty() && w.begin <= merged.back().end) {
        merged.back().end = std::max(merged.back().end, w.end);
      } else {
        merged.push_back(w);
      }
    }
    windows.swap(merged);
  }
  SideRenderer renderer(text, side, pair, std::move(passages), out);
  for (size_t i = 0; i < windows.size(); ++i) {
    if (windows[i].begin > 0) out->append("<span class=\"gap\">[…]</span>\n");
    renderer.Render(windows[i].begin, windows[i].end);
    if (i + 1 == windows.size() && windows[i].end < text.size()) {
      out->append("\n<span class=\"gap\">[…]</span>");
    }
  }
}

}  // namespace

std::string RenderHtml(const PassageReport& report, const ReportOptions& options) {
  const auto& docs = report.documents;
  const auto groups = GroupPairs(report.result);
  std::string out;
  out.reserve(1 << 16);
  absl::StrAppend(&out,
                  "<!DOCTYPE html>\n<html lang=\"ckb\" dir=\"rtl\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                  "<title>",
                  Escaped(options.title), "</title>\n<style>", kStyle, "</style>\n</head>\n<body>\n",
                  "<h1 id=\"top\">", Escaped(options.title), "</h1>\n");
  absl::StrAppendFormat(
      &out,
      "<p class=\"summary\"><bdi>%d documents</bdi> · <bdi>%d repeated passages in %d "
      "document pairs</bdi> · <bdi>%d boilerplate passages</bdi> · <bdi>%d refused "
      "inputs</bdi></p>\n",
      docs.size(), report.result.matches.size(), groups.size(), report.result.boilerplate.size(),
      report.rejected.size());
  out.append(
      "<p class=\"legend\"><bdi><mark class=\"c0\">passage</mark> the same colour on both "
      "sides</bdi><bdi><del>struck</del> only in the first</bdi><bdi><ins>underlined</ins> "
      "only in the second</bdi><bdi><span class=\"var\">dotted</span> spelled "
      "differently</bdi></p>\n");

  if (!groups.empty()) {
    out.append(
        "<table class=\"pairs\">\n<thead><tr><th>#</th><th>first document</th><th>second "
        "document</th><th>passages</th><th>words</th><th>best similarity</th></tr></thead>\n"
        "<tbody>\n");
    for (size_t g = 0; g < groups.size(); ++g) {
      const PairGroup& p = groups[g];
      absl::StrAppendFormat(
          &out,
          "<tr><td><a href=\"#pair-%d\">%d</a></td><td>%s</td><td>%s</td><td "
          "class=\"num\">%d</td><td class=\"num\">%d</td><td class=\"num\">%.2f</td></tr>\n",
          g + 1, g + 1, Escaped(docs[p.a_doc].id),
          p.a_doc == p.b_doc ? "(the same document)" : Escaped(docs[p.b_doc].id),
          p.end - p.begin, p.words, p.best_similarity);
    }
    out.append("</tbody>\n</table>\n");
  }
  if (!report.result.boilerplate.empty()) {
    out.append(
        "<h2 id=\"boilerplate\">Boilerplate</h2>\n<table class=\"boilerplate\">\n<thead><tr>"
        "<th>documents</th><th>occurrences</th><th>example</th><th>text</th></tr></thead>\n"
        "<tbody>\n");
    for (const Boilerplate& b : report.result.boilerplate) {
      const ReportDocument& doc = docs[b.example.doc];
      absl::StrAppendFormat(&out,
                            "<tr><td class=\"num\">%d</td><td class=\"num\">%d</td><td>%s</td>"
                            "<td dir=\"auto\">%s</td></tr>\n",
                            b.documents, b.occurrences, Escaped(doc.id),
                            Escaped(Slice(doc.text, b.example.bytes)));
    }
    out.append("</tbody>\n</table>\n");
  }
  if (!report.rejected.empty()) {
    out.append("<h2 id=\"refused\">Refused inputs</h2>\n<ul>\n");
    for (const ReportRejection& r : report.rejected) {
      absl::StrAppend(&out, "<li dir=\"auto\">", Escaped(r.location), ": ",
                      RejectReasonName(r.reason), r.detail.empty() ? "" : ": ",
                      Escaped(r.detail), "</li>\n");
    }
    out.append("</ul>\n");
  }

  for (size_t g = 0; g < groups.size(); ++g) {
    const PairGroup& p = groups[g];
    const ReportDocument& a = docs[p.a_doc];
    const ReportDocument& b = docs[p.b_doc];
    absl::StrAppendFormat(&out,
                          "<section class=\"pair\" id=\"pair-%d\">\n<h2><bdi>%d.</bdi> "
                          "<bdi>%s</bdi> <bdi>%s</bdi><a class=\"top\" href=\"#top\">↑</a>"
                          "</h2>\n",
                          g + 1, g + 1, Escaped(a.id),
                          p.a_doc == p.b_doc ? "(within one document)"
                                             : absl::StrCat("⟷ ", Escaped(b.id)));
    absl::StrAppendFormat(&out,
                          "<p class=\"meta\"><bdi>%d passages</bdi> · <bdi>%d words</bdi> · "
                          "<bdi>best similarity %.2f</bdi></p>\n",
                          p.end - p.begin, p.words, p.best_similarity);
    std::vector<SidePassage> side_a, side_b;
    for (size_t i = p.begin; i < p.end; ++i) {
      const PassageMatch& m = report.result.matches[i];
      side_a.push_back({i - p.begin + 1, m.a.bytes, &m});
      side_b.push_back({i - p.begin + 1, m.b.bytes, &m});
    }
    out.append("<div class=\"sides\">\n<div class=\"side\"><h3 dir=\"auto\">");
    Escape(a.id, &out);
    out.append("</h3><div class=\"doc\" dir=\"auto\">");
    RenderSide(a, 0, g + 1, std::move(side_a), options, &out);
    out.append("</div></div>\n<div class=\"side\"><h3 dir=\"auto\">");
    Escape(b.id, &out);
    out.append("</h3><div class=\"doc\" dir=\"auto\">");
    RenderSide(b, 1, g + 1, std::move(side_b), options, &out);
    out.append("</div></div>\n</div>\n</section>\n");
  }
  out.append("</body>\n</html>\n");
  return out;
}

}  // namespace dubare::passages_internal
