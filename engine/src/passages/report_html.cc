// Copyright 2026 The Dubare Authors.
//
// The HTML passage report: a folder of small pages (report.h). Every page
// is bounded whatever the corpus: an index page lists html_rows_per_page
// pairs, a pair page shows at most html_side_bytes of each document,
// boilerplate.html and refused.html at most kMaxListed rows; top_pairs and
// html_max_bytes bound the number of pair pages, and so the folder.

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "dubare/json_writer.h"
#include "dubare/report.h"
#include "dubare/status.h"
#include "passages/report_internal.h"

namespace dubare::passages_internal {
namespace {

constexpr int kColours = 8;

// Rows of boilerplate.html and refused.html: a page stays small however
// many there are (the JSON report lists all).
constexpr size_t kMaxListed = 5000;
// A boilerplate passage is shown up to this many bytes.
constexpr size_t kBoilerplateExcerptBytes = 600;
// Refused inputs listed on index.html (the rest on refused.html).
constexpr size_t kRefusedOnIndex = 10;

// style.css, shared by every page. Tables have a fixed layout and every id
// may break anywhere, so that no page scrolls sideways in a 1,400 px window
// whatever the ids.
constexpr absl::string_view kStyle = R"css(:root{--ink:#1f2328;--muted:#57606a;--line:#d0d7de;--link:#0969da}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,"DejaVu Sans",sans-serif;margin:0;padding:.6rem 1.5rem 2rem;
 color:var(--ink);background:#f6f8fa}
a{color:var(--link)}
[lang=ckb]{font-family:"Noto Naskh Arabic","Noto Sans Arabic","Vazirmatn","DejaVu Sans",sans-serif}
nav.bar{display:flex;flex-wrap:wrap;gap:.3rem 1.2rem;padding:.3rem 0 .5rem;
 border-bottom:1px solid var(--line)}
nav.bar .title{color:var(--muted);margin-inline-start:auto}
nav.pager{display:flex;flex-wrap:wrap;gap:.3rem .9rem;align-items:baseline;margin:.5rem 0}
nav.pager .here{font-weight:600}
h1{font-size:1.45rem;margin:.6rem 0 .4rem;overflow-wrap:anywhere}
h2{font-size:1.15rem;margin:1.2rem 0 .4rem}
.id{font-family:"DejaVu Sans Mono",monospace;font-size:.86em;overflow-wrap:anywhere}
.summary{font-size:1.05rem;margin:.3rem 0}
.note,.meta,figcaption{color:var(--muted)}
figure.hist{margin:.6rem 0 1rem;background:#fff;border:1px solid var(--line);border-radius:6px;
 padding:.5rem .8rem;display:inline-block;max-width:100%}
figure.hist svg{display:block;max-width:100%;height:auto}
.hist .in{fill:#0969da}.hist .out{fill:#a8cdf5}.hist .axis{stroke:#57606a}
.hist .grid{stroke:#eaeef2}.hist text{font:11px system-ui,"DejaVu Sans",sans-serif;fill:#57606a}
.hist .cut{stroke:#cf222e;stroke-dasharray:4 3}
.key{display:inline-block;width:.8em;height:.8em;margin:0 .3em 0 .9em}
table{border-collapse:collapse;background:#fff;width:100%;table-layout:fixed;margin:.3rem 0}
th,td{border:1px solid var(--line);padding:.25rem .5rem;vertical-align:top;text-align:start;
 overflow-wrap:anywhere}
th{background:#eaeef2;font-weight:600}
td.num,th.num{text-align:end;font-variant-numeric:tabular-nums}
tr:target{background:#fff8c5}
col.rank{width:4.5rem}col.sim{width:6.5rem}col.n{width:6.5rem}
form.filter{display:flex;flex-wrap:wrap;gap:.5rem 1.2rem;align-items:center;margin:.5rem 0}
form.filter[hidden]{display:none}
form.filter input[type=search]{width:18rem;max-width:100%}
form.filter input[type=number]{width:5.5rem}
.legend span{margin-inline-end:1.5rem}
.ids{font-size:1.05rem;margin:.2rem 0}
.sides{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:1rem;margin-top:.6rem}
.side h2{font-size:1rem;margin:.2rem 0 .4rem}
.doc{white-space:pre-wrap;background:#fff;border:1px solid var(--line);border-radius:6px;
 padding:.6rem .8rem;overflow-wrap:anywhere;line-height:1.9;font-size:1.05rem}
.text{overflow-wrap:anywhere}
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
)css";

// report.js, the filter of the index pages. It loads pairs.js (every listed
// pair) on first use and shows the matching pairs, most similar first, a
// page at a time. Without scripts the form stays hidden and the static
// pages work alone. Rows are built with textContent: ids are never parsed
// as HTML.
constexpr absl::string_view kScript = R"js((function () {
  var form = document.getElementById('filter');
  var table = document.querySelector('table.pairs');
  if (!form || !table) return;
  var body = table.tBodies[0], original = Array.prototype.slice.call(body.rows);
  var pagers = document.querySelectorAll('nav.pager');
  var status = document.getElementById('filter-status');
  var less = document.getElementById('filter-less'), more = document.getElementById('filter-more');
  var per = parseInt(table.getAttribute('data-rows'), 10) || 200;
  var data = null, hits = [], first = 0, timer = 0;
  form.hidden = false;
  function withData(then) {
    if (data) return then();
    var s = document.createElement('script');
    s.src = 'pairs.js';
    s.onload = function () { data = window.dubarePairs || []; then(); };
    s.onerror = function () { status.textContent = 'pairs.js could not be loaded'; };
    document.head.appendChild(s);
  }
  function cell(tr, text, cls) {
    var td = tr.insertCell();
    if (cls) td.className = cls;
    if (text !== null) td.textContent = text;
    return td;
  }
  function id(td, text, href) {
    var b = document.createElement('bdi');
    b.className = 'id'; b.dir = 'ltr'; b.textContent = text;
    if (!href) return td.appendChild(b);
    var a = document.createElement('a');
    a.href = href; a.appendChild(b); td.appendChild(a);
  }
  function row(i) {
    var p = data[i], href = 'pairs/' + (i + 1) + '.html', tr = document.createElement('tr');
    var a = document.createElement('a');
    a.href = href; a.textContent = String(i + 1);
    cell(tr, null, 'num').appendChild(a);
    cell(tr, p[4].toFixed(2), 'num');
    id(cell(tr, null), p[0], href);
    if (p[1] === '') cell(tr, '(the same document)'); else id(cell(tr, null), p[1], null);
    cell(tr, String(p[2]), 'num');
    cell(tr, String(p[3]), 'num');
    return tr;
  }
  function pagersHidden(hidden) {
    for (var k = 0; k < pagers.length; ++k) pagers[k].hidden = hidden;
  }
  function show() {
    body.textContent = '';
    var end = Math.min(first + per, hits.length);
    for (var k = first; k < end; ++k) body.appendChild(row(hits[k]));
    status.textContent = hits.length + ' of ' + data.length + (data.length === 1 ? ' pair' : ' pairs') +
        (hits.length === 1 ? ' matches' : ' match') +
        (hits.length > per ? '; showing ' + (first + 1) + '\u2013' + end : '');
    less.hidden = first === 0;
    more.hidden = end >= hits.length;
  }
  function apply() {
    var q = form.elements.q.value.trim().toLowerCase();
    var min = parseFloat(form.elements.min.value);
    if (!q && !(min > 0)) {
      body.textContent = '';
      original.forEach(function (tr) { body.appendChild(tr); });
      status.textContent = '';
      less.hidden = more.hidden = true;
      pagersHidden(false);
      return;
    }
    withData(function () {
      hits = [];
      first = 0;
      for (var i = 0; i < data.length; ++i) {
        var p = data[i];
        if (min > 0 && p[4] < min) break;  // most similar first
        if (q && p[0].toLowerCase().indexOf(q) < 0 && p[1].toLowerCase().indexOf(q) < 0) continue;
        hits.push(i);
      }
      pagersHidden(true);
      show();
    });
  }
  form.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(apply, 150); });
  form.addEventListener('submit', function (e) { e.preventDefault(); apply(); });
  less.addEventListener('click', function () { first = Math.max(0, first - per); show(); });
  more.addEventListener('click', function () { first += per; show(); });
})();
)js";

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
  // The budget: the windows up to html_side_bytes, the last one cut short.
  size_t shown = 0;
  bool cut = false;
  for (size_t i = 0; i < windows.size(); ++i) {
    if (shown + windows[i].size() > options.html_side_bytes) {
      const size_t room = options.html_side_bytes - shown;
      windows[i].end = BackToCharStart(text, static_cast<uint32_t>(windows[i].begin + room));
      windows.resize(windows[i].end > windows[i].begin ? i + 1 : i);
      cut = true;
      break;
    }
    shown += windows[i].size();
  }
  SideRenderer renderer(text, side, pair, std::move(passages), out);
  for (size_t i = 0; i < windows.size(); ++i) {
    if (windows[i].begin > 0) out->append("<span class=\"gap\">[…]</span>\n");
    renderer.Render(windows[i].begin, windows[i].end);
    if (i + 1 == windows.size() && windows[i].end < text.size()) {
      out->append("\n<span class=\"gap\">[…]</span>");
    }
  }
  if (cut) {
    absl::StrAppend(out, "\n<span class=\"gap\" dir=\"ltr\" lang=\"en\">(", Thousands(shown),
                    " bytes of this document are shown; the JSON report has every passage)</span>");
  }
}

// The language and direction of a document's text: Sorani is written in
// Arabic script, right to left; Kurmanji in Latin script, left to right.
// Decided by the letters of its first 4 KB.
struct TextDirection {
  const char* lang;
  const char* dir;
};
TextDirection DirectionOf(absl::string_view text) {
  size_t arabic = 0, latin = 0;
  for (unsigned char c : text.substr(0, 4096)) {
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ++latin;
    if (c >= 0xD8 && c <= 0xDB) ++arabic;  // lead bytes of U+0600..U+06FF
    if (c == 0xC3 || c == 0xC5) ++latin;   // ç ê î û, ş
  }
  if (arabic == 0 && latin == 0) return {"ckb", "auto"};
  return arabic >= latin ? TextDirection{"ckb", "rtl"} : TextDirection{"kmr", "ltr"};
}

// Cuts `text` to at most `bytes`, at a character boundary.
absl::string_view Prefix(absl::string_view text, size_t bytes) {
  if (text.size() <= bytes) return text;
  return text.substr(0, BackToCharStart(text, static_cast<uint32_t>(bytes)));
}

std::string IndexName(size_t page) {
  return page == 1 ? "index.html" : absl::StrCat("index-", page, ".html");
}

class HtmlReport {
 public:
  HtmlReport(const PassageReport& report, const ReportOptions& options)
      : report_(report),
        options_(options),
        groups_(GroupPairs(report.result)),
        order_(RankPairs(groups_)),
        rows_(std::max<size_t>(options.html_rows_per_page, 1)) {
    shown_ = options.top_pairs == 0 ? groups_.size() : std::min(options.top_pairs, groups_.size());
    if (options.html_max_bytes > 0) FitTheBudget();
  }

  size_t shown() const { return shown_; }

  absl::Status Write(const ReportFileSink& sink) const {
    DUBARE_RETURN_IF_ERROR(sink("style.css", kStyle));
    if (shown_ > 0) {
      DUBARE_RETURN_IF_ERROR(sink("report.js", kScript));
      DUBARE_RETURN_IF_ERROR(sink("pairs.js", PairsScript()));
    }
    for (size_t page = 1; page <= IndexPages(); ++page) {
      DUBARE_RETURN_IF_ERROR(sink(IndexName(page), IndexPage(page)));
    }
    for (size_t rank = 1; rank <= shown_; ++rank) {
      DUBARE_RETURN_IF_ERROR(sink(absl::StrCat("pairs/", rank, ".html"), PairPage(rank)));
    }
    if (!report_.result.boilerplate.empty()) {
      DUBARE_RETURN_IF_ERROR(sink("boilerplate.html", BoilerplatePage()));
    }
    if (!report_.rejected.empty()) DUBARE_RETURN_IF_ERROR(sink("refused.html", RefusedPage()));
    return absl::OkStatus();
  }

  size_t IndexPages() const { return std::max<size_t>(1, (shown_ + rows_ - 1) / rows_); }

  std::string IndexPage(size_t page) const {
    std::string out = Head(page == 1 ? options_.title
                                     : absl::StrCat(options_.title, ", page ", page),
                           "");
    NavBar("", &out);
    absl::StrAppend(&out, "<h1>", Escaped(options_.title), "</h1>\n");
    if (page == 1) Summary(&out);
    if (shown_ == 0) {
      out.append("<p>No repeated passages were found.</p>\n");
    } else {
      absl::StrAppend(&out, "<h2 id=\"pairs\">",
                      shown_ == groups_.size() ? "Document pairs" : "The most similar pairs",
                      ", most similar first</h2>\n");
      out.append(
          "<form id=\"filter\" class=\"filter\" hidden>"
          "<label>Document id contains <input name=\"q\" type=\"search\"></label>"
          "<label>Similarity at least <input name=\"min\" type=\"number\" min=\"0\" max=\"1\" "
          "step=\"0.01\"></label>"
          "<button type=\"button\" id=\"filter-less\" hidden>‹ previous</button>"
          "<button type=\"button\" id=\"filter-more\" hidden>next ›</button>"
          "<span id=\"filter-status\" role=\"status\"></span></form>\n");
      Pager(page, &out);
      absl::StrAppend(&out,
                      "<table class=\"pairs\" data-rows=\"", rows_,
                      "\">\n<colgroup><col class=\"rank\"><col class=\"sim\"><col><col>"
                      "<col class=\"n\"><col class=\"n\"></colgroup>\n<thead><tr>"
                      "<th class=\"num\">#</th><th class=\"num\">similarity</th>"
                      "<th>first document</th><th>second document</th>"
                      "<th class=\"num\">passages</th><th class=\"num\">words</th></tr></thead>\n"
                      "<tbody>\n");
      const size_t last = std::min(shown_, page * rows_);
      for (size_t rank = (page - 1) * rows_ + 1; rank <= last; ++rank) {
        const PairGroup& p = Pair(rank);
        const std::string href = absl::StrCat("pairs/", rank, ".html");
        absl::StrAppendFormat(
            &out,
            "<tr id=\"pair-%d\"><td class=\"num\"><a href=\"%s\">%d</a></td>"
            "<td class=\"num\">%.2f</td><td><a href=\"%s\">%s</a></td><td>%s</td>"
            "<td class=\"num\">%d</td><td class=\"num\">%d</td></tr>\n",
            rank, href, rank, p.best_similarity, href, Id(p.a_doc),
            p.a_doc == p.b_doc ? "(the same document)" : Id(p.b_doc), p.end - p.begin, p.words);
      }
      out.append("</tbody>\n</table>\n");
      Pager(page, &out);
      out.append("<script src=\"report.js\"></script>\n");
    }
    out.append("</body>\n</html>\n");
    return out;
  }

  std::string PairPage(size_t rank) const {
    const PairGroup& p = Pair(rank);
    const ReportDocument& a = report_.documents[p.a_doc];
    const ReportDocument& b = report_.documents[p.b_doc];
    const bool same = p.a_doc == p.b_doc;
    std::string out = Head(absl::StrCat("Pair ", rank, ": ", DisplayId(a.id, options_),
                                        same ? "" : absl::StrCat(" and ", DisplayId(b.id, options_))),
                           "../");
    NavBar("../", &out);
    out.append("<nav class=\"pager\">");
    if (rank > 1) absl::StrAppend(&out, "<a rel=\"prev\" href=\"", rank - 1, ".html\">‹ pair ", rank - 1, "</a>");
    absl::StrAppend(&out, "<a href=\"../", IndexName((rank - 1) / rows_ + 1), "#pair-", rank,
                    "\">back to the list</a>");
    if (rank < shown_) absl::StrAppend(&out, "<a rel=\"next\" href=\"", rank + 1, ".html\">pair ", rank + 1, " ›</a>");
    out.append("</nav>\n");
    absl::StrAppend(&out, "<h1>Pair ", Thousands(rank), " of ", Thousands(shown_), "</h1>\n");
    absl::StrAppend(&out, "<p class=\"ids\">", Id(p.a_doc),
                    same ? " (passages repeated within one document)"
                         : absl::StrCat(" and ", Id(p.b_doc)),
                    "</p>\n");
    absl::StrAppendFormat(&out, "<p class=\"meta\">%s · %s · best similarity %.2f</p>\n",
                          Plural(p.end - p.begin, "passage", "passages"),
                          Plural(p.words, "word", "words"), p.best_similarity);
    out.append(
        "<p class=\"legend\"><span><mark class=\"c0\">passage</mark> the same colour on both "
        "sides, numbered tags link its two copies</span><span><del>struck</del> only in the "
        "first</span><span><ins>underlined</ins> only in the second</span><span><span "
        "class=\"var\">dotted</span> spelled differently</span></p>\n");
    std::vector<SidePassage> side_a, side_b;
    for (size_t i = p.begin; i < p.end; ++i) {
      const PassageMatch& m = report_.result.matches[i];
      side_a.push_back({i - p.begin + 1, m.a.bytes, &m});
      side_b.push_back({i - p.begin + 1, m.b.bytes, &m});
    }
    const TextDirection dir_a = DirectionOf(a.text), dir_b = DirectionOf(b.text);
    // Two right-to-left texts read from the right: the first on the right.
    const bool rtl = std::string_view(dir_a.dir) == "rtl" && std::string_view(dir_b.dir) == "rtl";
    absl::StrAppend(&out, "<div class=\"sides\" dir=\"", rtl ? "rtl" : "ltr", "\">\n");
    for (int side = 0; side < 2; ++side) {
      const ReportDocument& doc = side == 0 ? a : b;
      const TextDirection dir = side == 0 ? dir_a : dir_b;
      absl::StrAppend(&out, "<section class=\"side\"><h2 dir=\"ltr\">",
                      side == 0 ? "First: " : "Second: ", Id(side == 0 ? p.a_doc : p.b_doc),
                      "</h2><div class=\"doc\" lang=\"", dir.lang, "\" dir=\"", dir.dir, "\">");
      RenderSide(doc, side, rank, std::move(side == 0 ? side_a : side_b), options_, &out);
      out.append("</div></section>\n");
    }
    out.append("</div>\n</body>\n</html>\n");
    return out;
  }

  // The head, navigation, heading and lead paragraph of a page that lists
  // at most kMaxListed of `total` items.
  std::string ListPageStart(absl::string_view heading, absl::string_view lead,
                            size_t total) const {
    std::string out = Head(absl::StrCat(heading, ": ", options_.title), "");
    NavBar("", &out);
    absl::StrAppend(&out, "<h1>", heading, "</h1>\n<p class=\"note\">", lead,
                    total > kMaxListed
                        ? absl::StrCat("; the first ", Thousands(kMaxListed),
                                       " are listed (the JSON report has all)")
                        : "",
                    ".</p>\n");
    return out;
  }

  std::string BoilerplatePage() const {
    const auto& all = report_.result.boilerplate;
    std::string out = ListPageStart(
        "Boilerplate",
        absl::StrCat(Plural(all.size(), "passage", "passages"),
                     " found in many documents, each reported once with one example"),
        all.size());
    out.append(
        "<table class=\"boilerplate\">\n<colgroup><col class=\"n\"><col class=\"n\"><col "
        "style=\"width:30%\"><col></colgroup>\n<thead><tr><th class=\"num\">documents</th>"
        "<th class=\"num\">occurrences</th><th>example from</th><th>text</th></tr></thead>\n"
        "<tbody>\n");
    for (size_t i = 0; i < all.size() && i < kMaxListed; ++i) {
      const Boilerplate& bp = all[i];
      const ReportDocument& doc = report_.documents[bp.example.doc];
      const absl::string_view text = Slice(doc.text, bp.example.bytes);
      const absl::string_view excerpt = Prefix(text, kBoilerplateExcerptBytes);
      const TextDirection dir = DirectionOf(excerpt);
      absl::StrAppendFormat(&out,
                            "<tr><td class=\"num\">%s</td><td class=\"num\">%s</td><td>%s</td>"
                            "<td class=\"text\" lang=\"%s\" dir=\"%s\">%s%s</td></tr>\n",
                            Thousands(bp.documents), Thousands(bp.occurrences),
                            Id(bp.example.doc), dir.lang, dir.dir, Escaped(excerpt),
                            excerpt.size() < text.size() ? " […]" : "");
    }
    out.append("</tbody>\n</table>\n</body>\n</html>\n");
    return out;
  }

  std::string RefusedPage() const {
    const auto& all = report_.rejected;
    std::string out = ListPageStart(
        "Refused inputs",
        absl::StrCat(Plural(all.size(), "input was", "inputs were"), " not read as documents"),
        all.size());
    out.append("<ul>\n");
    for (size_t i = 0; i < all.size() && i < kMaxListed; ++i) RefusedItem(all[i], &out);
    out.append("</ul>\n</body>\n</html>\n");
    return out;
  }

  // pairs.js: the listed pairs for the filter, most similar first, as
  // [first id, second id ("" within one document), passages, words,
  // similarity].
  std::string PairsScript() const {
    // "<" as \u003c: no id can end a script element, whatever loads the file.
    auto append_id = [&](absl::string_view id, std::string* out) {
      for (char c : JsonString(id)) {
        if (c == '<') {
          out->append("\\u003c");
        } else {
          out->push_back(c);
        }
      }
    };
    std::string out = "window.dubarePairs = [\n";
    for (size_t rank = 1; rank <= shown_; ++rank) {
      const PairGroup& p = Pair(rank);
      out.push_back('[');
      append_id(DisplayId(report_.documents[p.a_doc].id, options_), &out);
      out.push_back(',');
      append_id(p.a_doc == p.b_doc ? "" : DisplayId(report_.documents[p.b_doc].id, options_),
                &out);
      absl::StrAppendFormat(&out, ",%d,%d,%.4f]%s\n", p.end - p.begin, p.words, p.best_similarity,
                            rank < shown_ ? "," : "");
    }
    out.append("];\n");
    return out;
  }

 private:
  const PairGroup& Pair(size_t rank) const { return groups_[order_[rank - 1]]; }

  // An id (a path, usually) as left-to-right text isolated from its
  // surroundings, so that "/a/b.txt" never reads "a/b.txt/".
  std::string Id(uint32_t doc) const {
    return absl::StrCat("<bdi class=\"id\" dir=\"ltr\">",
                        Escaped(DisplayId(report_.documents[doc].id, options_)), "</bdi>");
  }

  std::string Head(absl::string_view title, absl::string_view root) const {
    return absl::StrCat(
        "<!DOCTYPE html>\n<html lang=\"en\" dir=\"ltr\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
        Escaped(title), "</title>\n<link rel=\"stylesheet\" href=\"", root,
        "style.css\">\n</head>\n<body>\n");
  }

  void NavBar(absl::string_view root, std::string* out) const {
    absl::StrAppend(out, "<nav class=\"bar\"><a href=\"", root, "index.html\">Index</a>");
    if (!report_.result.boilerplate.empty()) {
      absl::StrAppend(out, "<a href=\"", root, "boilerplate.html\">Boilerplate (",
                      Thousands(report_.result.boilerplate.size()), ")</a>");
    }
    if (!report_.rejected.empty()) {
      absl::StrAppend(out, "<a href=\"", root, "refused.html\">Refused inputs (",
                      Thousands(report_.rejected.size()), ")</a>");
    }
    absl::StrAppend(out, "<span class=\"title\">", Escaped(options_.title), "</span></nav>\n");
  }

  void Summary(std::string* out) const {
    size_t matches = 0;
    for (const PairGroup& g : groups_) matches += g.end - g.begin;
    absl::StrAppend(out, "<p class=\"summary\">",
                    Plural(report_.documents.size(), "document", "documents"), " · ",
                    Plural(matches, "repeated passage", "repeated passages"), " in ",
                    Plural(groups_.size(), "document pair", "document pairs"), " · ");
    if (report_.result.boilerplate.empty()) {
      out->append("no boilerplate");
    } else {
      absl::StrAppend(out, "<a href=\"boilerplate.html\">",
                      Plural(report_.result.boilerplate.size(), "boilerplate passage",
                             "boilerplate passages"),
                      "</a>");
    }
    out->append(" · ");
    if (report_.rejected.empty()) {
      out->append("no refused inputs");
    } else {
      absl::StrAppend(out, "<a href=\"refused.html\">",
                      Plural(report_.rejected.size(), "refused input", "refused inputs"), "</a>");
    }
    out->append("</p>\n");
    if (shown_ < groups_.size()) {
      absl::StrAppendFormat(
          out,
          "<p class=\"note\">Only the %s most similar pairs are listed, down to a similarity of "
          "%.2f; %s left out (%s; the JSON report lists every pair).</p>\n",
          Thousands(shown_), Pair(shown_).best_similarity,
          Plural(groups_.size() - shown_, "pair with a lower similarity is",
                 "pairs with a lower similarity are"),
          by_budget_ ? "the report's size budget, <code>--html-max-mb</code>" : "<code>--top</code>");
    }
    if (!groups_.empty()) Histogram(out);
    if (!report_.rejected.empty()) {
      out->append("<h2 id=\"refused\">Refused inputs</h2>\n<ul>\n");
      for (size_t i = 0; i < report_.rejected.size() && i < kRefusedOnIndex; ++i) {
        RefusedItem(report_.rejected[i], out);
      }
      out->append("</ul>\n");
      if (report_.rejected.size() > kRefusedOnIndex) {
        absl::StrAppend(out, "<p><a href=\"refused.html\">All ",
                        Thousands(report_.rejected.size()), " refused inputs</a></p>\n");
      }
    }
  }

  void RefusedItem(const ReportRejection& r, std::string* out) const {
    absl::StrAppend(out, "<li><bdi class=\"id\" dir=\"ltr\">",
                    Escaped(DisplayId(r.location, options_)), "</bdi>: ",
                    RejectReasonName(r.reason), r.detail.empty() ? "" : ": ",
                    "<bdi>", Escaped(r.detail), "</bdi></li>\n");
  }

  // Links to the other index pages: first, previous, a few around this one,
  // next, last.
  void Pager(size_t page, std::string* out) const {
    const size_t pages = IndexPages();
    const size_t first = (page - 1) * rows_ + 1, last = std::min(shown_, page * rows_);
    absl::StrAppend(out, "<nav class=\"pager\"><span>Pairs ", Thousands(first), "–",
                    Thousands(last), " of ", Thousands(shown_), "</span>");
    if (pages > 1) {
      if (page > 1) {
        absl::StrAppend(out, "<a rel=\"prev\" href=\"", IndexName(page - 1), "\">‹ previous</a>");
      }
      const size_t lo = page > 4 ? page - 4 : 1, hi = std::min(pages, page + 4);
      if (lo > 1) absl::StrAppend(out, "<a href=\"index.html\">1</a>", lo > 2 ? "<span>…</span>" : "");
      for (size_t k = lo; k <= hi; ++k) {
        if (k == page) {
          absl::StrAppend(out, "<span class=\"here\">", k, "</span>");
        } else {
          absl::StrAppend(out, "<a href=\"", IndexName(k), "\">", k, "</a>");
        }
      }
      if (hi < pages) {
        absl::StrAppend(out, hi + 1 < pages ? "<span>…</span>" : "", "<a href=\"",
                        IndexName(pages), "\">", pages, "</a>");
      }
      if (page < pages) {
        absl::StrAppend(out, "<a rel=\"next\" href=\"", IndexName(page + 1), "\">next ›</a>");
      }
    }
    out->append("</nav>\n");
  }

  // An SVG histogram of the pairs' best similarities: 40 bins from the
  // twentieth below the lowest similarity to 1 (a crawl's pairs may all lie
  // above 0.95), the listed pairs dark, the left-out ones light, the --top
  // cut a dashed line. Counts are drawn on a log scale when the tallest bin
  // is over 50 times the shortest, so that a spike at 1.0 hides no bin.
  void Histogram(std::string* out) const {
    constexpr int kBins = 40;
    constexpr int kWidth = 720, kHeight = 230, kLeft = 56, kRight = 14, kTop = 14, kBottom = 42;
    constexpr int kPlotW = kWidth - kLeft - kRight, kPlotH = kHeight - kTop - kBottom;
    const double lowest = Pair(groups_.size()).best_similarity;
    const double lo = std::clamp(std::floor(lowest * 20 + 1e-9) / 20, 0.0, 0.95);
    const double bin = (1.0 - lo) / kBins;
    std::vector<uint64_t> listed(kBins, 0), left_out(kBins, 0);
    for (size_t rank = 1; rank <= groups_.size(); ++rank) {
      const double s = Pair(rank).best_similarity;
      const int b = std::clamp(static_cast<int>((s - lo) / bin + 1e-9), 0, kBins - 1);
      (rank <= shown_ ? listed : left_out)[b]++;
    }
    uint64_t most = 1, fewest = UINT64_MAX;
    for (int b = 0; b < kBins; ++b) {
      const uint64_t total = listed[b] + left_out[b];
      most = std::max(most, total);
      if (total > 0) fewest = std::min(fewest, total);
    }
    const bool log_scale = most > 50 * fewest;
    const double bar_w = static_cast<double>(kPlotW) / kBins;
    // Height of a bar of `count` (log: 1 is a sliver, `most` is full).
    auto y_of = [&](double count) {
      double share = count / most;
      if (log_scale) share = count <= 0 ? 0 : (std::log10(count) + 0.15) / (std::log10(most) + 0.15);
      return kTop + kPlotH - share * kPlotH;
    };
    absl::StrAppendFormat(
        out,
        "<figure class=\"hist\"><svg viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
        "role=\"img\" aria-label=\"Histogram of the similarity of %s\">\n",
        kWidth, kHeight, kWidth, kHeight, Plural(groups_.size(), "document pair", "document pairs"));
    std::vector<uint64_t> ticks;
    if (log_scale) {
      for (uint64_t t = 1; t <= most; t *= 10) ticks.push_back(t);
    } else {
      for (int t = 0; t <= 4; ++t) ticks.push_back((most * t + 2) / 4);
    }
    for (uint64_t count : ticks) {  // horizontal grid and counts
      const double y = y_of(static_cast<double>(count));
      absl::StrAppendFormat(out,
                            "<line class=\"grid\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"/>"
                            "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                            kLeft, kLeft + kPlotW, y, y, kLeft - 6, y + 4, Thousands(count));
    }
    for (int b = 0; b < kBins; ++b) {
      const double x = kLeft + b * bar_w;
      const double from = lo + b * bin;
      const uint64_t total = listed[b] + left_out[b];
      if (total == 0) continue;
      const std::string title = absl::StrFormat(
          "<title>similarity %.4f–%.4f: %s%s</title>", from, from + bin,
          Plural(total, "pair", "pairs"),
          left_out[b] == 0 ? "" : absl::StrCat(", ", Thousands(left_out[b]), " left out"));
      const double top = y_of(static_cast<double>(total));
      // The listed part at the bottom, in proportion to the bar's height.
      const double split = kTop + kPlotH - (kTop + kPlotH - top) * listed[b] / total;
      if (left_out[b] > 0) {
        absl::StrAppendFormat(out,
                              "<rect class=\"out\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                              "height=\"%.1f\">%s</rect>\n",
                              x + 0.5, top, bar_w - 1, split - top, title);
      }
      if (listed[b] > 0) {
        absl::StrAppendFormat(out,
                              "<rect class=\"in\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                              "height=\"%.1f\">%s</rect>\n",
                              x + 0.5, split, bar_w - 1, kTop + kPlotH - split, title);
      }
    }
    absl::StrAppendFormat(out,
                          "<line class=\"axis\" x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\"/>\n",
                          kLeft, kLeft + kPlotW, kTop + kPlotH, kTop + kPlotH);
    for (int t = 0; t <= 5; ++t) {
      const double x = kLeft + t * kPlotW / 5.0;
      absl::StrAppendFormat(out,
                            "<line class=\"axis\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\"/>"
                            "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.2f</text>\n",
                            x, x, kTop + kPlotH, kTop + kPlotH + 5, x, kTop + kPlotH + 18,
                            lo + t * (1.0 - lo) / 5);
    }
    if (shown_ < groups_.size()) {
      const double x = kLeft + (Pair(shown_).best_similarity - lo) / bin * bar_w;
      absl::StrAppendFormat(out,
                            "<line class=\"cut\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\"/>\n",
                            x, x, kTop, kTop + kPlotH);
    }
    absl::StrAppendFormat(out,
                          "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">similarity of the "
                          "pair's best passage%s</text>\n</svg>\n",
                          kLeft + kPlotW / 2, kHeight - 6,
                          log_scale ? " (pairs on a log scale)" : "");
    absl::StrAppend(out, "<figcaption>", Plural(groups_.size(), "document pair", "document pairs"),
                    " by similarity");
    if (shown_ < groups_.size()) {
      absl::StrAppend(out, "<span class=\"key\" style=\"background:#0969da\"></span>listed (the ",
                      Thousands(shown_),
                      " most similar)<span class=\"key\" style=\"background:#a8cdf5\"></span>left "
                      "out");
    }
    out->append("</figcaption></figure>\n");
  }

  // Lowers shown_ to the pairs whose pages (and rows: kRowBytes each, on
  // the index pages and in pairs.js) fit in html_max_bytes with the fixed
  // files. Pages are rendered to be measured, and again when written: the
  // rendering costs milliseconds, finding the passages seconds.
  void FitTheBudget() {
    constexpr size_t kRowBytes = 700;
    size_t used = kStyle.size() + kScript.size() + kRowBytes * 8;  // + the summary
    if (!report_.result.boilerplate.empty()) used += BoilerplatePage().size();
    if (!report_.rejected.empty()) used += RefusedPage().size();
    const size_t limit = shown_;
    for (size_t rank = 1; rank <= limit; ++rank) {
      used += PairPage(rank).size() + kRowBytes;
      if (used > options_.html_max_bytes && rank > 1) {
        shown_ = rank - 1;
        by_budget_ = true;
        return;
      }
    }
  }

  const PassageReport& report_;
  const ReportOptions& options_;
  const std::vector<PairGroup> groups_;
  const std::vector<size_t> order_;  // indexes into groups_, most similar first
  const size_t rows_;                // per index page
  size_t shown_ = 0;                 // pairs listed and given a page
  bool by_budget_ = false;           // shown_ was cut by html_max_bytes
};

}  // namespace

std::string RenderHtmlIndex(const PassageReport& report, const ReportOptions& options) {
  return HtmlReport(report, options).IndexPage(1);
}

}  // namespace dubare::passages_internal

namespace dubare {

absl::StatusOr<size_t> RenderPassageReportFolder(const PassageReport& report,
                                                 const ReportOptions& options,
                                                 const ReportFileSink& sink) {
  const passages_internal::HtmlReport html(report, options);
  DUBARE_RETURN_IF_ERROR(html.Write(sink));
  return html.shown();
}

}  // namespace dubare
