// Copyright 2026 The Dubare Authors.
//
// The passage report: shared parts, the text and JSON renderers, and the
// `dubare passages` job.

#include "dubare/report.h"

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
    case ReportFormat::kJson: return passages_internal::RenderJson(report);
    case ReportFormat::kHtml: return passages_internal::RenderHtml(report, options);
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

std::string SpanLine(const ReportDocument& doc, const CodePointIndex& cps, const PassageSpan& s) {
  return absl::StrFormat("%s  bytes %u-%u, code points %u-%u, %u words", doc.id, s.bytes.begin,
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

std::string Plural(size_t n, absl::string_view one, absl::string_view many) {
  return absl::StrCat(n, " ", n == 1 ? one : many);
}

std::string SummaryLine(const PassageReport& report, size_t pairs) {
  return absl::StrCat(Plural(report.documents.size(), "document", "documents"), ", ",
                      Plural(report.result.matches.size(), "repeated passage", "repeated passages"),
                      " in ", Plural(pairs, "document pair", "document pairs"), ", ",
                      Plural(report.result.boilerplate.size(), "boilerplate passage",
                             "boilerplate passages"),
                      ", ", Plural(report.rejected.size(), "refused input", "refused inputs"));
}

}  // namespace

std::string RenderText(const PassageReport& report, const ReportOptions& options) {
  const Markers& mk = options.color ? kAnsi : kBrackets;
  const auto& docs = report.documents;
  const auto groups = GroupPairs(report.result);
  CodePoints cps(report);
  std::string out;
  absl::StrAppend(&out, mk.bold, options.title, mk.plain, ": ", SummaryLine(report, groups.size()),
                  "\n");
  if (!options.color) {
    out.append("Marks: [-words-] only in the first passage, {+words+} only in the second, "
               "[~x~] {~y~} the same words spelled differently; ¶ a line break.\n");
  }
  for (size_t g = 0; g < groups.size(); ++g) {
    const PairGroup& pair = groups[g];
    const bool same = pair.a_doc == pair.b_doc;
    absl::StrAppend(&out, "\n", mk.bold, "== pair ", g + 1, ": ", docs[pair.a_doc].id,
                    same ? " (within one document)" : absl::StrCat("  <->  ", docs[pair.b_doc].id),
                    mk.plain, " - ",
                    Plural(pair.end - pair.begin, "passage", "passages"), "\n");
    for (size_t i = pair.begin; i < pair.end; ++i) {
      const PassageMatch& m = report.result.matches[i];
      absl::StrAppend(&out, "\n", mk.bold, "[", g + 1, ".", i - pair.begin + 1, "]", mk.plain,
                      absl::StrFormat(" similarity %.2f\n", m.similarity));
      absl::StrAppend(&out, "  A ", SpanLine(docs[m.a.doc], cps.Of(m.a.doc), m.a), "\n    ");
      AppendMarkedSide(docs[m.a.doc].text, m, 0, mk, &out);
      absl::StrAppend(&out, "\n  B ", SpanLine(docs[m.b.doc], cps.Of(m.b.doc), m.b), "\n    ");
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
                      SpanLine(doc, cps.Of(b.example.doc), b.example), "\n    ");
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

std::string RenderJson(const PassageReport& report) {
  const auto& docs = report.documents;
  CodePoints cps(report);
  std::string out;
  JsonObjectWriter(&out)
      .Field("type", "summary")
      .Field("documents", uint64_t{docs.size()})
      .Field("matches", uint64_t{report.result.matches.size()})
      .Field("document_pairs", uint64_t{GroupPairs(report.result).size()})
      .Field("boilerplate", uint64_t{report.result.boilerplate.size()})
      .Field("rejected", uint64_t{report.rejected.size()})
      .Close();
  out.push_back('\n');
  for (const PassageMatch& m : report.result.matches) {
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
