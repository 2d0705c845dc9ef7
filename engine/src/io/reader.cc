// Copyright 2026 The Dubare Authors.

#include "dubare/reader.h"

#include <dirent.h>
#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "dubare/status.h"
#include "io/input_stream.h"
#include "io/line_reader.h"
#include "io/utf8.h"
#include "simdjson.h"

namespace dubare {
namespace {

constexpr absl::string_view kReasonNames[kNumRejectReasons] = {
    "none",  "malformed_json", "not_an_object", "missing_text", "text_not_string", "invalid_utf8",
    "empty", "too_large",      "binary",        "unreadable",   "directory_loop",
};

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool IsBlank(absl::string_view s) {
  for (char c : s) {
    if (!IsAsciiSpace(c)) return false;
  }
  return true;
}

// A file named (or found) for reading, or a rejection found while walking.
struct Source {
  std::string path;
  RejectReason reject = RejectReason::kNone;
  std::string detail;
  absl::StatusCode code = absl::StatusCode::kOk;  // of an unreadable source, for strict mode
};


// ---- Directory walks --------------------------------------------------------

struct DirId {
  dev_t dev;
  ino_t ino;
  bool operator==(const DirId& o) const { return dev == o.dev && ino == o.ino; }
};

class Walker {
 public:
  Walker(const ReaderOptions& options, std::vector<Source>* sources, uint64_t* skipped_links)
      : options_(options), sources_(sources), skipped_links_(skipped_links) {}

  void Walk(const std::string& dir, const struct stat& st) {
    ancestors_.push_back({st.st_dev, st.st_ino});
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) {
      const int err = errno;
      Reject(dir, RejectReason::kUnreadable, absl::StrCat("cannot open directory: ", std::strerror(err)),
             absl::ErrnoToStatusCode(err));
      ancestors_.pop_back();
      return;
    }
    std::vector<std::string> names;
    while (struct dirent* e = ::readdir(d)) {
      if (e->d_name[0] == '.') continue;  // ".", ".." and hidden entries
      names.emplace_back(e->d_name);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    const std::string prefix = absl::EndsWith(dir, "/") ? dir : absl::StrCat(dir, "/");
    for (const std::string& name : names) Visit(prefix + name, name);
    ancestors_.pop_back();
  }

 private:
  void Visit(const std::string& path, const std::string& name) {
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) {
      Reject(path, RejectReason::kUnreadable, std::strerror(errno), absl::ErrnoToStatusCode(errno));
      return;
    }
    if (S_ISLNK(st.st_mode)) {
      if (!options_.follow_symlinks) {
        ++*skipped_links_;
        return;
      }
      if (::stat(path.c_str(), &st) != 0) {
        const int err = errno;
        if (Matches(name)) {
          Reject(path, RejectReason::kUnreadable, absl::StrCat("broken symbolic link: ", std::strerror(err)),
                 absl::ErrnoToStatusCode(err));
        }
        return;
      }
    }
    if (S_ISDIR(st.st_mode)) {
      const DirId id{st.st_dev, st.st_ino};
      if (std::find(ancestors_.begin(), ancestors_.end(), id) != ancestors_.end()) {
        Reject(path, RejectReason::kDirectoryLoop, "links back to a directory being walked",
               absl::StatusCode::kFailedPrecondition);
        return;
      }
      Walk(path, st);
      return;
    }
    if (!Matches(name)) return;
    if (!S_ISREG(st.st_mode)) {
      Reject(path, RejectReason::kUnreadable, "not a regular file", absl::StatusCode::kFailedPrecondition);
      return;
    }
    sources_->push_back({path, RejectReason::kNone, {}, absl::StatusCode::kOk});
  }

  bool Matches(const std::string& name) const {
    return options_.glob.empty() || ::fnmatch(options_.glob.c_str(), name.c_str(), 0) == 0;
  }

  void Reject(const std::string& path, RejectReason reason, std::string detail, absl::StatusCode code) {
    sources_->push_back({path, reason, std::move(detail), code});
  }

  const ReaderOptions& options_;
  std::vector<Source>* sources_;
  uint64_t* skipped_links_;
  std::vector<DirId> ancestors_;
};

// ---- JSON field extraction --------------------------------------------------

// The wanted field paths as a tree of key components. A node's targets are
// the slots its value goes to: 0 = id, 1 = text, 2 + k = extra_fields[k].
struct FieldNode {
  std::string key;
  std::vector<int> targets;
  std::vector<FieldNode> children;
  size_t id = 0;  // depth-first number, to mark the node seen in a record
};

constexpr int kIdSlot = 0;
constexpr int kTextSlot = 1;

void AddPath(FieldNode* root, absl::string_view path, int slot) {
  FieldNode* node = root;
  for (absl::string_view part : absl::StrSplit(path, '.')) {
    auto it = std::find_if(node->children.begin(), node->children.end(),
                           [&](const FieldNode& c) { return c.key == part; });
    if (it == node->children.end()) {
      node->children.push_back({std::string(part), {}, {}, 0});
      it = node->children.end() - 1;
    }
    node = &*it;
  }
  node->targets.push_back(slot);
}

// Numbers the nodes depth first from *next; returns how many there are.
size_t NumberNodes(FieldNode* node, size_t* next) {
  node->id = (*next)++;
  for (FieldNode& c : node->children) NumberNodes(&c, next);
  return *next;
}

// What one JSON line yielded, before it becomes a Document.
struct Extracted {
  std::vector<std::string> slots;  // id, text, extras
  std::vector<uint8_t> found;      // per slot
  bool text_not_string = false;
  std::string text_type;  // JSON type of a non-string text
};

absl::string_view JsonTypeName(simdjson::dom::element_type type) {
  using T = simdjson::dom::element_type;
  switch (type) {
    case T::ARRAY: return "an array";
    case T::OBJECT: return "an object";
    case T::INT64:
    case T::UINT64:
    case T::DOUBLE: return "a number";
    case T::STRING: return "a string";
    case T::BOOL: return "a boolean";
    case T::NULL_VALUE: return "null";
  }
  return "an unknown value";
}

// Parses JSON lines and pulls out the wanted fields. simdjson's DOM parser
// validates the whole line (structure, UTF-8, escapes) with the widest
// kernel the CPU has, chosen at run time; its On-Demand front end would be
// compiled for the baseline x86-64 only and is slower here (bench/io_bench.cc).
class JsonExtractor {
 public:
  explicit JsonExtractor(const ReaderOptions& options) {
    AddPath(&root_, options.id_field, kIdSlot);
    AddPath(&root_, options.text_field, kTextSlot);
    for (size_t k = 0; k < options.extra_fields.size(); ++k) {
      AddPath(&root_, options.extra_fields[k], 2 + static_cast<int>(k));
    }
    num_slots_ = 2 + options.extra_fields.size();
    size_t next = 0;
    seen_.resize(NumberNodes(&root_, &next));
  }

  // Parses `line` (with kLinePadding readable bytes after it). On a reject,
  // returns its reason and sets *detail.
  RejectReason Extract(absl::string_view line, Extracted* out, std::string* detail) {
    out->slots.resize(num_slots_);
    out->found.assign(num_slots_, 0);
    out->text_not_string = false;
    std::fill(seen_.begin(), seen_.end(), 0);
    // The parser sizes itself to each new longest line (~13 bytes of
    // buffers per byte); grown by doubling up to 1 MiB instead, it
    // allocates a few times per run, not at every longest line.
    if (parser_.capacity() < line.size()) {
      constexpr size_t kDoubleUpTo = size_t{1} << 20;
      const size_t grown = std::min(std::max(2 * parser_.capacity(), size_t{64} << 10), kDoubleUpTo);
      (void)parser_.allocate(std::max(line.size(), grown));
    }
    simdjson::dom::element root;
    const auto error = parser_.parse(line.data(), line.size(), /*realloc_if_needed=*/false).get(root);
    if (error == simdjson::UTF8_ERROR) {
      *detail = absl::StrCat("invalid UTF-8 at byte ", FindInvalidUtf8(line), " of the line");
      return RejectReason::kInvalidUtf8;
    }
    if (error) {
      *detail = simdjson::error_message(error);
      return RejectReason::kMalformedJson;
    }
    simdjson::dom::object obj;
    if (root.get_object().get(obj)) {
      *detail = absl::StrCat("the line is ", JsonTypeName(root.type()), ", not an object");
      return RejectReason::kNotAnObject;
    }
    Match(obj, root_, out);
    return RejectReason::kNone;
  }

 private:
  // Walks the fields of `obj` once, capturing wanted values (the first
  // occurrence of a repeated key wins).
  void Match(simdjson::dom::object obj, const FieldNode& node, Extracted* out) {
    for (simdjson::dom::key_value_pair field : obj) {
      const FieldNode* child = nullptr;
      for (const FieldNode& c : node.children) {
        if (c.key == field.key) {
          child = &c;
          break;
        }
      }
      if (child == nullptr || seen_[child->id]) continue;
      seen_[child->id] = 1;
      simdjson::dom::object inner;
      if (!child->children.empty() && !field.value.get_object().get(inner)) {
        Match(inner, *child, out);
        continue;
      }
      if (!child->targets.empty()) Capture(field.value, child->targets, out);
    }
  }

  // Strings are captured unescaped, null as absent, anything else as
  // minified JSON.
  void Capture(simdjson::dom::element value, const std::vector<int>& targets, Extracted* out) {
    if (value.is_null()) return;
    std::string_view text;
    std::string json;
    const bool is_string = !value.get_string().get(text);
    if (!is_string) {
      json = simdjson::minify(value);
      text = json;
    }
    for (int slot : targets) {
      if (slot == kTextSlot && !is_string) {
        out->text_not_string = true;
        out->text_type = std::string(JsonTypeName(value.type()));
        continue;
      }
      out->slots[slot].assign(text.data(), text.size());
      out->found[slot] = 1;
    }
  }

  FieldNode root_;
  size_t num_slots_ = 0;
  std::vector<uint8_t> seen_;
  simdjson::dom::parser parser_;
};

}  // namespace

absl::string_view InputFormatName(InputFormat format) {
  switch (format) {
    case InputFormat::kAuto: return "auto";
    case InputFormat::kJsonl: return "jsonl";
    case InputFormat::kLines: return "lines";
    case InputFormat::kFile: return "file";
  }
  return "auto";
}

absl::StatusOr<InputFormat> ParseInputFormat(absl::string_view name) {
  for (InputFormat f : {InputFormat::kAuto, InputFormat::kJsonl, InputFormat::kLines, InputFormat::kFile}) {
    if (name == InputFormatName(f)) return f;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown input format '", name, "' (expected auto, jsonl, lines or file)"));
}

absl::string_view RejectReasonName(RejectReason reason) {
  const size_t i = static_cast<size_t>(reason);
  return i < kNumRejectReasons ? kReasonNames[i] : "unknown";
}

absl::Status ReaderOptions::Validate() const {
  auto check_path = [](absl::string_view what, absl::string_view path) -> absl::Status {
    for (absl::string_view part : absl::StrSplit(path, '.')) {
      if (part.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat(what, " '", path, "' is not a field path (empty component)"));
      }
    }
    return absl::OkStatus();
  };
  DUBARE_RETURN_IF_ERROR(check_path("id field", id_field));
  DUBARE_RETURN_IF_ERROR(check_path("text field", text_field));
  for (const std::string& f : extra_fields) DUBARE_RETURN_IF_ERROR(check_path("extra field", f));
  if (max_document_bytes == 0) return absl::InvalidArgumentError("max_document_bytes must be positive");
  if (max_line_bytes == 0) return absl::InvalidArgumentError("max_line_bytes must be positive");
  return absl::OkStatus();
}

int64_t FindInvalidUtf8(absl::string_view text) {
  if (simdjson::validate_utf8(text.data(), text.size())) return -1;
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    size_t len = io::ValidSequenceLength(p + i, n - i);
    if (len == 0) return static_cast<int64_t>(i);
    i += len;
  }
  return -1;
}

// ---- Reader -----------------------------------------------------------------

struct Reader::Impl {
  ReaderOptions options;
  std::vector<Source> sources;
  ReaderStats stats;
  JsonExtractor extractor;
  Extracted extracted;

  // Reader::Restrict: the parts of sources to read, in order.
  bool restricted = false;
  std::vector<SourceRange> ranges;
  size_t next_range = 0;
  uint64_t range_end = UINT64_MAX;  // of the source being read

  // The source being read as lines; null between sources.
  size_t next_source = 0;
  uint32_t current = 0;
  InputFormat current_format = InputFormat::kFile;
  std::unique_ptr<io::InputStream> stream;
  std::unique_ptr<io::LineReader> lines;
  uint64_t bytes_counted = 0;  // of the current line source, already in stats.bytes
  absl::string_view raw;  // Reader::raw(): the last document's line, in lines' buffer
  // The status code of the last rejection, returned in strict mode.
  absl::StatusCode reject_code = absl::StatusCode::kInvalidArgument;

  explicit Impl(const ReaderOptions& o) : options(o), extractor(o) {}

  void Begin(Document* doc, uint32_t source, InputFormat format, uint64_t line, uint64_t offset) {
    doc->id.clear();
    doc->text.clear();
    doc->raw.clear();
    raw = absl::string_view();
    doc->fields.resize(options.extra_fields.size());
    for (std::string& f : doc->fields) f.clear();
    doc->field_found.assign(options.extra_fields.size(), 0);
    doc->source = source;
    doc->format = format;
    doc->line = line;
    doc->offset = offset;
    doc->reject = RejectReason::kNone;
    doc->detail.clear();
  }

  void Reject(Document* doc, RejectReason reason, std::string detail,
              absl::StatusCode code = absl::StatusCode::kInvalidArgument) {
    doc->reject = reason;
    doc->detail = std::move(detail);
    reject_code = code;
  }

  std::string LineId(uint32_t source, uint64_t line) const {
    return absl::StrCat(sources[source].path, ":", line);
  }

  // Checks a text for the reasons every format shares. `what` names the
  // unit in messages ("the text", "the file", "the line"). Text decoded by
  // the JSON parser is known to be valid UTF-8 (the parser checks the line
  // and refuses escaped lone surrogates).
  bool CheckText(Document* doc, absl::string_view text, absl::string_view what,
                 bool known_valid_utf8 = false) {
    if (text.size() > options.max_document_bytes) {
      Reject(doc, RejectReason::kTooLarge,
             absl::StrCat(what, " has ", text.size(), " bytes, over the limit of ",
                          options.max_document_bytes));
      return false;
    }
    if (const void* nul = std::memchr(text.data(), '\0', text.size())) {
      Reject(doc, RejectReason::kBinary,
             absl::StrCat(what, " holds a NUL byte at byte ",
                          static_cast<const char*>(nul) - text.data()));
      return false;
    }
    if (int64_t bad = known_valid_utf8 ? -1 : FindInvalidUtf8(text); bad >= 0) {
      Reject(doc, RejectReason::kInvalidUtf8, absl::StrCat("invalid UTF-8 at byte ", bad, " of ", what));
      return false;
    }
    if (IsBlank(text)) {
      Reject(doc, RejectReason::kEmpty, absl::StrCat(what, " is empty or only white space"));
      return false;
    }
    return true;
  }

  void CloseSource() {
    lines.reset();
    stream.reset();
  }

  // Reads source `index` whole into one document.
  void ReadWholeFile(uint32_t index, Document* doc) {
    Begin(doc, index, InputFormat::kFile, 0, 0);
    doc->id = sources[index].path;
    std::string& text = doc->text;
    const size_t limit = options.max_document_bytes;
    for (;;) {
      const size_t old = text.size();
      const size_t chunk = size_t{1} << 16;
      text.resize(old + chunk);
      absl::StatusOr<size_t> n = stream->Read(text.data() + old, chunk);
      if (!n.ok()) {
        text.clear();
        Reject(doc, RejectReason::kUnreadable, std::string(n.status().message()), n.status().code());
        return;
      }
      text.resize(old + *n);
      stats.bytes += *n;
      if (*n == 0) break;
      if (text.size() > limit) {
        text.clear();
        // A regular file ends: count the rest without keeping it. A device
        // or a pipe may never end (/dev/zero): stop here.
        struct stat st;
        const std::string& path = sources[index].path;
        if (path == "-" || ::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
          Reject(doc, RejectReason::kTooLarge,
                 absl::StrCat("more than ", limit, " bytes, over the limit of ", limit,
                              " (not read further)"));
          return;
        }
        uint64_t total = old + *n;
        uint64_t reported = stats.bytes;
        char sink[1 << 16];
        for (;;) {
          absl::StatusOr<size_t> m = stream->Read(sink, sizeof sink);
          if (!m.ok() || *m == 0) break;
          total += *m;
          stats.bytes += *m;
          if (options.on_skipping && stats.bytes - reported >= (uint64_t{64} << 20)) {
            reported = stats.bytes;
            options.on_skipping(stats.bytes);
          }
        }
        Reject(doc, RejectReason::kTooLarge,
               absl::StrCat("the file has ", total, " bytes, over the limit of ", limit));
        return;
      }
    }
    if (absl::StartsWith(text, "\xEF\xBB\xBF")) text.erase(0, 3);
    if (!CheckText(doc, text, "the file")) text.clear();
  }

  // Turns one line of the current source into *doc.
  void ReadLine(const io::Line& line, Document* doc) {
    Begin(doc, current, current_format, line.number, line.offset);
    if (line.too_long) {
      doc->id = LineId(current, line.number);
      Reject(doc, RejectReason::kTooLarge,
             absl::StrCat("the line has ", line.length, " bytes, over the limit of ",
                          options.max_line_bytes));
      return;
    }
    if (current_format == InputFormat::kLines) {
      doc->id = LineId(current, line.number);
      if (!CheckText(doc, line.text, "the line")) return;
      doc->text.assign(line.text.data(), line.text.size());
      raw = line.text;
      if (options.keep_raw) doc->raw = doc->text;
      return;
    }
    if (IsBlank(line.text)) {
      doc->id = LineId(current, line.number);
      Reject(doc, RejectReason::kEmpty, "blank line");
      return;
    }
    Extracted& x = extracted;
    RejectReason reason = extractor.Extract(line.text, &x, &doc->detail);
    if (x.found[kIdSlot] && !x.slots[kIdSlot].empty()) {  // "" names nothing
      doc->id.swap(x.slots[kIdSlot]);
    } else {
      doc->id = LineId(current, line.number);
    }
    if (reason != RejectReason::kNone) {
      doc->reject = reason;
      reject_code = absl::StatusCode::kInvalidArgument;
      return;
    }
    if (x.text_not_string) {
      Reject(doc, RejectReason::kTextNotString,
             absl::StrCat("field '", options.text_field, "' is ", x.text_type, ", not a string"));
      return;
    }
    if (!x.found[kTextSlot]) {
      Reject(doc, RejectReason::kMissingText, absl::StrCat("no field '", options.text_field, "'"));
      return;
    }
    // An escape can still decode to NUL, which CheckText catches.
    if (!CheckText(doc, x.slots[kTextSlot], "the text", /*known_valid_utf8=*/true)) return;
    doc->text.swap(x.slots[kTextSlot]);
    for (size_t k = 0; k < doc->fields.size(); ++k) {
      if (x.found[2 + k]) {
        doc->fields[k].swap(x.slots[2 + k]);
        doc->field_found[k] = 1;
      }
    }
    raw = line.text;
    if (options.keep_raw) doc->raw.assign(line.text.data(), line.text.size());
  }

  // Opens the next source. Returns true when *doc was filled (a whole file
  // or a rejection); false when a line source is now open, or at the end.
  bool OpenNext(Document* doc, bool* at_end) {
    *at_end = false;
    SourceRange range;
    if (restricted) {
      if (next_range >= ranges.size()) {
        *at_end = true;
        return false;
      }
      range = ranges[next_range++];
    } else {
      if (next_source >= sources.size()) {
        *at_end = true;
        return false;
      }
      range.source = static_cast<uint32_t>(next_source++);
    }
    const uint32_t index = range.source;
    range_end = range.end;
    const Source& src = sources[index];
    ++stats.sources;
    if (src.reject != RejectReason::kNone) {
      Begin(doc, index, InputFormatOfPath(src.path), 0, 0);
      doc->id = src.path;
      Reject(doc, src.reject, src.detail, src.code);
      return true;
    }
    absl::StatusOr<std::unique_ptr<io::InputStream>> opened =
        range.begin > 0 ? io::OpenInputStreamAt(src.path, range.begin) : io::OpenInputStream(src.path);
    InputFormat format = options.format;
    if (format == InputFormat::kAuto && src.path != "-") format = InputFormatOfPath(src.path);
    if (!opened.ok()) {
      Begin(doc, index, format == InputFormat::kAuto ? InputFormat::kLines : format, 0, 0);
      doc->id = src.path;
      Reject(doc, RejectReason::kUnreadable, std::string(opened.status().message()),
             opened.status().code());
      return true;
    }
    stream = *std::move(opened);
    if (format == InputFormat::kFile) {
      ReadWholeFile(index, doc);
      CloseSource();
      return true;
    }
    current = index;
    lines = std::make_unique<io::LineReader>(stream.get(), options.max_line_bytes);
    if (range.begin > 0) lines->StartAt(range.begin, range.first_line);
    bytes_counted = 0;
    if (options.on_skipping) {
      lines->set_on_skipping([this](uint64_t read) {
        options.on_skipping(stats.bytes + read - bytes_counted);
      });
    }
    if (format == InputFormat::kAuto) {  // standard input: sniff the first byte
      absl::StatusOr<int> first = lines->PeekFirstNonBlank();
      format = first.ok() && *first == '{' ? InputFormat::kJsonl : InputFormat::kLines;
    }
    current_format = format;
    return false;
  }

  absl::StatusOr<bool> NextRecord(Document* doc) {
    for (;;) {
      if (lines == nullptr) {
        bool at_end;
        if (OpenNext(doc, &at_end)) return true;
        if (at_end) return false;
        continue;
      }
      io::Line line;
      absl::StatusOr<bool> got = lines->Next(&line);
      stats.bytes += lines->bytes_read() - bytes_counted;
      bytes_counted = lines->bytes_read();
      if (!got.ok()) {
        // A read or decompression error ends the source at this line.
        const uint64_t number = lines->current_line_number();
        Begin(doc, current, current_format, number, lines->current_line_offset());
        doc->id = LineId(current, number);
        Reject(doc, RejectReason::kUnreadable, std::string(got.status().message()), got.status().code());
        CloseSource();
        return true;
      }
      if (!*got || line.offset >= range_end) {
        CloseSource();
        continue;
      }
      ReadLine(line, doc);
      return true;
    }
  }
};

Reader::Reader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

absl::string_view Reader::raw() const { return impl_->raw; }
Reader::~Reader() = default;

absl::StatusOr<std::unique_ptr<Reader>> Reader::Open(std::vector<std::string> inputs,
                                                     const ReaderOptions& options) {
  DUBARE_RETURN_IF_ERROR(options.Validate());
  auto impl = std::make_unique<Impl>(options);
  Walker walker(options, &impl->sources, &impl->stats.skipped_links);
  for (std::string& input : inputs) {
    if (input == "-") {
      impl->sources.push_back({std::move(input), RejectReason::kNone, {}, absl::StatusCode::kOk});
      continue;
    }
    struct stat st;
    if (::stat(input.c_str(), &st) != 0) {
      return absl::ErrnoToStatus(errno, absl::StrCat(input, ": cannot read input"));
    }
    if (S_ISDIR(st.st_mode)) {
      walker.Walk(input, st);
    } else {
      impl->sources.push_back({std::move(input), RejectReason::kNone, {}, absl::StatusCode::kOk});
    }
  }
  return std::unique_ptr<Reader>(new Reader(std::move(impl)));
}

absl::StatusOr<bool> Reader::Next(Document* doc) {
  Impl& m = *impl_;
  DUBARE_ASSIGN_OR_RETURN(bool got, m.NextRecord(doc));
  if (!got) return false;
  if (doc->ok()) {
    ++m.stats.documents;
    return true;
  }
  ++m.stats.rejected;
  ++m.stats.by_reason[static_cast<size_t>(doc->reject)];
  if (m.options.strict) {
    m.CloseSource();
    m.next_source = m.sources.size();
    return absl::Status(m.reject_code,
                        absl::StrCat(Location(*doc), ": ", RejectReasonName(doc->reject), ": ",
                                     doc->detail));
  }
  return true;
}

absl::Status Reader::Restrict(std::vector<SourceRange> ranges) {
  Impl& m = *impl_;
  for (size_t i = 0; i < ranges.size(); ++i) {
    const SourceRange& r = ranges[i];
    if (r.source >= m.sources.size() || (i > 0 && r.source <= ranges[i - 1].source) ||
        r.begin > r.end || r.first_line < 1) {
      return absl::InvalidArgumentError(absl::StrCat("Reader::Restrict: bad range ", i, " (source ",
                                                     r.source, ", bytes ", r.begin, "..", r.end, ")"));
    }
    if (!r.whole() && !Shape(r.source).splittable) {
      return absl::InvalidArgumentError(absl::StrCat(
          m.sources[r.source].path, ": cannot be read in parts (compressed, not a regular file, "
                                    "or not JSON Lines or lines)"));
    }
  }
  m.restricted = true;
  m.ranges = std::move(ranges);
  m.next_range = 0;
  return absl::OkStatus();
}

SourceShape Reader::Shape(uint32_t source) const {
  const Source& src = impl_->sources[source];
  SourceShape shape;
  struct stat st;
  if (src.path == "-" || src.reject != RejectReason::kNone || ::stat(src.path.c_str(), &st) != 0 ||
      !S_ISREG(st.st_mode)) {
    return shape;
  }
  shape.bytes = static_cast<uint64_t>(st.st_size);
  InputFormat format = impl_->options.format;
  if (format == InputFormat::kAuto) format = InputFormatOfPath(src.path);
  absl::StatusOr<io::Compression> compression = io::SniffCompression(src.path);
  shape.splittable = (format == InputFormat::kJsonl || format == InputFormat::kLines) &&
                     compression.ok() && *compression == io::Compression::kNone;
  return shape;
}

absl::StatusOr<uint64_t> Reader::AlignToLine(uint32_t source, uint64_t offset) const {
  const std::string& path = impl_->sources[source].path;
  if (offset == 0) return 0;
  // A line starts at `offset` when the byte before it ends a line.
  DUBARE_ASSIGN_OR_RETURN(std::unique_ptr<io::InputStream> in, io::OpenInputStreamAt(path, offset - 1));
  char buf[1 << 16];
  uint64_t pos = offset - 1;
  for (;;) {
    DUBARE_ASSIGN_OR_RETURN(const size_t n, in->Read(buf, sizeof buf));
    if (n == 0) return pos;
    if (const void* nl = std::memchr(buf, '\n', n)) {
      return pos + (static_cast<const char*>(nl) - buf) + 1;
    }
    pos += n;
  }
}

absl::StatusOr<uint64_t> Reader::CountLineEnds(uint32_t source, uint64_t begin, uint64_t end) const {
  const std::string& path = impl_->sources[source].path;
  DUBARE_ASSIGN_OR_RETURN(std::unique_ptr<io::InputStream> in, io::OpenInputStreamAt(path, begin));
  std::vector<char> buf(size_t{1} << 20);
  uint64_t count = 0;
  for (uint64_t left = end - begin; left > 0;) {
    DUBARE_ASSIGN_OR_RETURN(const size_t n, in->Read(buf.data(), std::min<uint64_t>(left, buf.size())));
    if (n == 0) break;
    count += std::count(buf.data(), buf.data() + n, '\n');
    left -= n;
  }
  return count;
}

const std::string& Reader::source_path(uint32_t index) const { return impl_->sources[index].path; }
size_t Reader::num_sources() const { return impl_->sources.size(); }

uint64_t Reader::SourceBytes() const {
  uint64_t bytes = 0;
  for (size_t i = 0; i < num_sources(); ++i) {
    struct stat st;
    if (::stat(source_path(static_cast<uint32_t>(i)).c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      bytes += static_cast<uint64_t>(st.st_size);
    }
  }
  return bytes;
}

std::string Reader::Location(const Document& doc) const {
  const std::string& path = source_path(doc.source);
  return doc.line > 0 ? absl::StrCat(path, ":", doc.line) : path;
}

const ReaderStats& Reader::stats() const { return impl_->stats; }
const ReaderOptions& Reader::options() const { return impl_->options; }

absl::StatusOr<std::vector<Document>> ReadAllDocuments(std::vector<std::string> inputs,
                                                       const ReaderOptions& options) {
  DUBARE_ASSIGN_OR_RETURN(std::unique_ptr<Reader> reader, Reader::Open(std::move(inputs), options));
  std::vector<Document> docs;
  for (;;) {
    Document doc;
    DUBARE_ASSIGN_OR_RETURN(bool got, reader->Next(&doc));
    if (!got) break;
    docs.push_back(std::move(doc));
  }
  return docs;
}

InputFormat InputFormatOfPath(absl::string_view path) {
  for (absl::string_view suffix : {".gz", ".zst", ".zstd"}) {
    if (absl::EndsWith(path, suffix)) {
      path.remove_suffix(suffix.size());
      break;
    }
  }
  for (absl::string_view ext : {".jsonl", ".ndjson", ".json"}) {
    if (absl::EndsWith(path, ext)) return InputFormat::kJsonl;
  }
  return InputFormat::kFile;
}

absl::StatusOr<std::string> ReadInputFile(const std::string& path, uint64_t max_bytes) {
  const std::string name = path == "-" ? "<stdin>" : path;
  struct stat st;
  const bool stat_ok = path != "-" && ::stat(path.c_str(), &st) == 0;
  if (stat_ok && S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(path, ": is a directory"));
  }
  DUBARE_ASSIGN_OR_RETURN(std::unique_ptr<io::InputStream> stream, io::OpenInputStream(path));
  const bool plain = stream->compression() == io::Compression::kNone;
  if (plain && stat_ok && S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) > max_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", st.st_size,
                                                   " bytes, over the limit of ", max_bytes,
                                                   " (--max-document-bytes)"));
  }
  std::string data;
  if (plain && stat_ok && S_ISREG(st.st_mode)) data.reserve(static_cast<size_t>(st.st_size));
  char buf[1 << 16];
  for (;;) {
    DUBARE_ASSIGN_OR_RETURN(const size_t n, stream->Read(buf, sizeof buf));
    if (n == 0) break;
    data.append(buf, n);
    if (data.size() > max_bytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          name, ": more than ", max_bytes, " bytes", plain ? "" : " decompressed",
          ", over the limit (--max-document-bytes)"));
    }
  }
  return data;
}

}  // namespace dubare
