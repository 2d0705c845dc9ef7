// Copyright 2026 The Dubare Authors.
//
// The passage report: shared parts, the text and JSON renderers, and the
// `dubare passages` job.

#include "dubare/report.h"

#include <algorithm>
#include <memory>
#include <numeric>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "dubare/json_writer.h"
#include "dubare/status.h"
#include "passages/report_internal.h"

namespace dubare {

absl::string_view ReportFormatName(ReportFormat format) {
  switch (format) {
    case ReportFormat::kText: return "text";
    case ReportFormat::kJson: return "json";
    case ReportFormat::kHtml: return "html";
  }
  return "text";
}

absl::StatusOr<ReportFormat> ParseReportFormat(absl::string_view name) {
  for (ReportFormat f : {ReportFormat::kText, ReportFormat::kJson, ReportFormat::kHtml}) {
    if (name == ReportFormatName(f)) return f;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown report format '", name, "' (expected text, json or html)"));
}

CodePointIndex::CodePointIndex(absl::string_view text) : text_(text) {
  before_.reserve((text.size() >> kStrideBits) + 1);
  uint32_t count = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((i & ((size_t{1} << kStrideBits) - 1)) == 0) before_.push_back(count);
    count += (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
  }
}

uint32_t CodePointIndex::CodePoints(uint32_t byte_offset) const {
  if (byte_offset > text_.size()) byte_offset = static_cast<uint32_t>(text_.size());
  const size_t block = byte_offset >> kStrideBits;
  if (block >= before_.size()) {  // only when byte_offset == size at a block edge
    uint32_t count = 0;
    for (unsigned char c : text_) count += (c & 0xC0) != 0x80;
    return count;
  }
  uint32_t count = before_[block];
  for (size_t i = block << kStrideBits; i < byte_offset; ++i) {
    count += (static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80;
  }
  return count;
}

std::string RenderPassageReport(const PassageReport& report, const ReportOptions& options) {
  switch (options.format) {
    case ReportFormat::kJson: return passages_internal::RenderJson(report, options);
    case ReportFormat::kHtml: return passages_internal::RenderHtmlIndex(report, options);
    case ReportFormat::kText: break;
  }
  return passages_internal::RenderText(report, options);
}

namespace passages_internal {

std::vector<PairGroup> GroupPairs(const PassageResult& result) {
  std::vector<PairGroup> groups;
  for (size_t i = 0; i < result.matches.size(); ++i) {
    const PassageMatch& m = result.matches[i];
    if (groups.empty() || groups.back().a_doc != m.a.doc || groups.back().b_doc != m.b.doc) {
      groups.push_back(PairGroup{m.a.doc, m.b.doc, i, i, 0, 0});
    }
    PairGroup& g = groups.back();
    g.end = i + 1;
    g.words += m.a.words + m.b.words;
    g.best_similarity = std::max(g.best_similarity, m.similarity);
  }
  return groups;
}

std::vector<size_t> RankPairs(const std::vector<PairGroup>& groups) {
  std::vector<size_t> order(groups.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    if (groups[x].best_similarity != groups[y].best_similarity) {
      return groups[x].best_similarity > groups[y].best_similarity;
    }
    return groups[x].words > groups[y].words;
  });
  return order;
}

std::vector<bool> KeptPairs(const std::vector<PairGroup>& groups, const ReportOptions& options) {
  if (options.top_pairs == 0 || options.top_pairs >= groups.size()) {
    return std::vector<bool>(groups.size(), true);
  }
  std::vector<bool> kept(groups.size(), false);
  const std::vector<size_t> order = RankPairs(groups);
  for (size_t r = 0; r < options.top_pairs; ++r) kept[order[r]] = true;
  return kept;
}

absl::string_view DisplayId(absl::string_view id, const ReportOptions& options) {
  absl::string_view base = options.relative_to;
  while (base.size() > 1 && base.back() == '/') base.remove_suffix(1);
  if (base.empty() || base == "/") return id;
  if (id.size() > base.size() + 1 && id.substr(0, base.size()) == base && id[base.size()] == '/') {
    return id.substr(base.size() + 1);
  }
  return id;
}

std::string Thousands(uint64_t n) {
  std::string digits = absl::StrCat(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string Plural(uint64_t n, absl::string_view one, absl::string_view many) {
  return absl::StrCat(Thousands(n), " ", n == 1 ? one : many);
}

namespace {

// ---- text -------------------------------------------------------------------

struct Markers {
  const char* open[2][2];  // [side][variant? 1 : 0]
  const char* close[2][2];
  const char* bold;
  const char* plain;
};
constexpr Markers kBrackets = {{{"[-", "[~"}, {"{+", "{~"}}, {{"-]", "~]"}, {"+}", "~}"}}, "", ""};
constexpr Markers kAnsi = {{{"\x1b[1;31m", "\x1b[4;33m"}, {"\x1b[1;32m", "\x1b[4;33m"}},
                           {{"\x1b[0m", "\x1b[0m"}, {"\x1b[0m", "\x1b[0m"}},
                           "\x1b[1m",
                           "\x1b[0m"};

// Appends text with line breaks shown as " ¶ " (paragraph structure stays
// visible while each passage stays one block).
void AppendFlat(absl::string_view text, std::string* out) {
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '\n' || text[i] == '\r') {
      while (!out->empty() && out->back() == ' ') out->pop_back();
      while (i < text.size() && (text[i] == '\n' || text[i] == '\r' || text[i] == ' ' ||
                                 text[i] == '\t')) {
        ++i;
      }
      out->append(" ¶ ");
      continue;
    }
    out->push_back(text[i] == '\t' ? ' ' : text[i]);
    ++i;
  }
}

// One side of a match with its changed and respelled words marked.
void AppendMarkedSide(absl::string_view text, const PassageMatch& m, int side,
                      const Markers& mk, std::string* out) {
  const ByteSpan whole = side == 0 ? m.a.bytes : m.b.bytes;
  uint32_t pos = whole.begin;
  for (const DiffSegment& seg : m.diff) {
    const ByteSpan s = side == 0 ? seg.a : seg.b;
    if (s.size() == 0 || seg.kind == DiffKind::kSame) continue;
    AppendFlat(text.substr(pos, s.begin - pos), out);
    const int variant = seg.kind == DiffKind::kVariant;
    out->append(mk.open[side][variant]);
    AppendFlat(Slice(text, s), out);
    out->append(mk.close[side][variant]);
    pos = s.end;
  }
  AppendFlat(text.substr(pos, whole.end - pos), out);
}

std::string SpanLine(absl::string_view id, const CodePointIndex& cps, const PassageSpan& s) {
  return absl::StrFormat("%s  bytes %u-%u, code points %u-%u, %u words", id, s.bytes.begin,
                         s.bytes.end, cps.CodePoints(s.bytes.begin), cps.CodePoints(s.bytes.end),
                         s.words);
}

// Lazily built code-point indexes, one per document.
class CodePoints {
 public:
  explicit CodePoints(const PassageReport& report) : report_(report) {
    index_.resize(report.documents.size());
  }
  const CodePointIndex& Of(uint32_t doc) {
    if (!index_[doc]) index_[doc] = std::make_unique<CodePointIndex>(report_.documents[doc].text);
    return *index_[doc];
  }

 private:
  const PassageReport& report_;
  std::vector<std::unique_ptr<CodePointIndex>> index_;
};

// `matches` and `pairs` are those shown; `left_out` pairs were not (top_pairs).
std::string SummaryLine(const PassageReport& report, size_t matches, size_t pairs,
                        size_t left_out) {
  return absl::StrCat(Plural(report.documents.size(), "document", "documents"), ", ",
                      Plural(matches, "repeated passage", "repeated passages"),
                      " in ", Plural(pairs, "document pair", "document pairs"),
                      left_out == 0 ? ""
                                    : absl::StrCat(" (the most similar; ",
                                                   Plural(left_out, "pair", "pairs"),
                                                   " left out)"),
                      ", ",
                      Plural(report.result.boilerplate.size(), "boilerplate passage",
                             "boilerplate passages"),
                      ", ", Plural(report.rejected.size(), "refused input", "refused inputs"));
}

}  // namespace

std::string RenderText(const PassageReport& report, const ReportOptions& options) {
  const Markers& mk = options.color ? kAnsi : kBrackets;
  const auto& docs = report.documents;
  const auto groups = GroupPairs(report.result);
  const std::vector<bool> kept = KeptPairs(groups, options);
  size_t shown_pairs = 0, shown_matches = 0;
  for (size_t g = 0; g < groups.size(); ++g) {
    if (!kept[g]) continue;
    ++shown_pairs;
    shown_matches += groups[g].end - groups[g].begin;
  }
  auto id = [&](uint32_t doc) { return DisplayId(docs[doc].id, options); };
  CodePoints cps(report);
  std::string out;
  absl::StrAppend(&out, mk.bold, options.title, mk.plain, ": ",
                  SummaryLine(report, shown_matches, shown_pairs, groups.size() - shown_pairs),
                  "\n");
  if (!options.color) {
    out.append("Marks: [-words-] only in the first passage, {+words+} only in the second, "
               "[~x~] {~y~} the same words spelled differently; ¶ a line break.\n");
  }
  size_t number = 0;
  for (size_t g = 0; g < groups.size(); ++g) {
    if (!kept[g]) continue;
    const PairGroup& pair = groups[g];
    const bool same = pair.a_doc == pair.b_doc;
    const size_t n = ++number;
    absl::StrAppend(&out, "\n", mk.bold, "== pair ", n, ": ", id(pair.a_doc),
                    same ? " (within one document)" : absl::StrCat("  <->  ", id(pair.b_doc)),
                    mk.plain, " - ",
                    Plural(pair.end - pair.begin, "passage", "passages"), "\n");
    for (size_t i = pair.begin; i < pair.end; ++i) {
      const PassageMatch& m = report.result.matches[i];
      absl::StrAppend(&out, "\n", mk.bold, "[", n, ".", i - pair.begin + 1, "]", mk.plain,
                      absl::StrFormat(" similarity %.2f\n", m.similarity));
      absl::StrAppend(&out, "  A ", SpanLine(id(m.a.doc), cps.Of(m.a.doc), m.a), "\n    ");
      AppendMarkedSide(docs[m.a.doc].text, m, 0, mk, &out);
      absl::StrAppend(&out, "\n  B ", SpanLine(id(m.b.doc), cps.Of(m.b.doc), m.b), "\n    ");
      AppendMarkedSide(docs[m.b.doc].text, m, 1, mk, &out);
      out.push_back('\n');
    }
  }
  if (!report.result.boilerplate.empty()) {
    absl::StrAppend(&out, "\n", mk.bold, "== boilerplate", mk.plain,
                    " (passages in many documents, reported once)\n");
    for (const Boilerplate& b : report.result.boilerplate) {
      const ReportDocument& doc = docs[b.example.doc];
      absl::StrAppend(&out, "\n  in ", Plural(b.documents, "document", "documents"), " (",
                      Plural(b.occurrences, "occurrence", "occurrences"), "), e.g. ",
                      SpanLine(id(b.example.doc), cps.Of(b.example.doc), b.example), "\n    ");
      AppendFlat(Slice(doc.text, b.example.bytes), &out);
      out.push_back('\n');
    }
  }
  if (!report.rejected.empty()) {
    absl::StrAppend(&out, "\n", mk.bold, "== refused inputs", mk.plain, "\n");
    for (const ReportRejection& r : report.rejected) {
      absl::StrAppend(&out, "  ", r.location, ": ", RejectReasonName(r.reason),
                      r.detail.empty() ? "" : ": ", r.detail, "\n");
    }
  }
  return out;
}

// ---- JSON Lines ---------------------------------------------------------------

namespace {

std::string SpanJson(const ReportDocument& doc, const CodePointIndex& cps, const PassageSpan& s) {
  std::string obj;
  JsonObjectWriter(&obj)
      .Field("id", doc.id)
      .Field("byte_begin", s.bytes.begin)
      .Field("byte_end", s.bytes.end)
      .Field("cp_begin", cps.CodePoints(s.bytes.begin))
      .Field("cp_end", cps.CodePoints(s.bytes.end))
      .Field("words", s.words)
      .Field("text", Slice(doc.text, s.bytes))
      .Close();
  return obj;
}

absl::string_view DiffKindName(DiffKind kind) {
  switch (kind) {
    case DiffKind::kSame: return "same";
    case DiffKind::kVariant: return "variant";
    case DiffKind::kChanged: return "changed";
  }
  return "same";
}

}  // namespace

std::string RenderJson(const PassageReport& report, const ReportOptions& options) {
  const auto& docs = report.documents;
  const auto groups = GroupPairs(report.result);
  const std::vector<bool> kept = KeptPairs(groups, options);
  std::vector<const PassageMatch*> matches;
  size_t shown_pairs = 0;
  for (size_t g = 0; g < groups.size(); ++g) {
    if (!kept[g]) continue;
    ++shown_pairs;
    for (size_t i = groups[g].begin; i < groups[g].end; ++i) {
      matches.push_back(&report.result.matches[i]);
    }
  }
  CodePoints cps(report);
  std::string out;
  JsonObjectWriter(&out)
      .Field("type", "summary")
      .Field("documents", uint64_t{docs.size()})
      .Field("matches", uint64_t{matches.size()})
      .Field("document_pairs", uint64_t{shown_pairs})
      .Field("document_pairs_left_out", uint64_t{groups.size() - shown_pairs})
      .Field("boilerplate", uint64_t{report.result.boilerplate.size()})
      .Field("rejected", uint64_t{report.rejected.size()})
      .Close();
  out.push_back('\n');
  for (const PassageMatch* match : matches) {
    const PassageMatch& m = *match;
    // Diff segments as [kind, a_begin, a_end, b_begin, b_end] byte offsets.
    std::string diff = "[";
    for (const DiffSegment& d : m.diff) {
      if (diff.size() > 1) diff.push_back(',');
      diff.push_back('[');
      AppendJsonString(DiffKindName(d.kind), &diff);
      absl::StrAppend(&diff, ",", d.a.begin, ",", d.a.end, ",", d.b.begin, ",", d.b.end, "]");
    }
    diff.push_back(']');
    JsonObjectWriter(&out)
        .Field("type", "match")
        .RawField("a", SpanJson(docs[m.a.doc], cps.Of(m.a.doc), m.a))
        .RawField("b", SpanJson(docs[m.b.doc], cps.Of(m.b.doc), m.b))
        .Field("similarity", m.similarity)
        .RawField("diff", diff)
        .Close();
    out.push_back('\n');
  }
  for (const Boilerplate& b : report.result.boilerplate) {
    JsonObjectWriter(&out)
        .Field("type", "boilerplate")
        .Field("documents", b.documents)
        .Field("occurrences", b.occurrences)
        .RawField("example", SpanJson(docs[b.example.doc], cps.Of(b.example.doc), b.example))
        .Close();
    out.push_back('\n');
  }
  for (const ReportRejection& r : report.rejected) {
    JsonObjectWriter(&out)
        .Field("type", "rejected")
        .Field("location", r.location)
        .Field("reason", RejectReasonName(r.reason))
        .Field("detail", r.detail)
        .Close();
    out.push_back('\n');
  }
  return out;
}

}  // namespace passages_internal

}  // namespace dubare
