// Copyright 2026 The Dubare Authors.

#include "dubare/json_writer.h"

#include "absl/strings/str_format.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "io/utf8.h"
#include "simdjson.h"

namespace dubare {
namespace {

// Bytes JSON requires escaped: '"', '\\' and controls.
constexpr std::array<bool, 256> kNeedsEscape = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = true;
  t['"'] = t['\\'] = true;
  return t;
}();

void AppendEscape(unsigned char c, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  switch (c) {
    case '"': out->append("\\\""); break;
    case '\\': out->append("\\\\"); break;
    case '\n': out->append("\\n"); break;
    case '\r': out->append("\\r"); break;
    case '\t': out->append("\\t"); break;
    case '\b': out->append("\\b"); break;
    case '\f': out->append("\\f"); break;
    default: {
      const char esc[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
      out->append(esc, sizeof esc);
    }
  }
}

}  // namespace

void AppendJsonString(absl::string_view text, std::string* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  out->reserve(out->size() + n + 2);
  out->push_back('"');
  size_t run = 0;  // start of the pending run of bytes copied verbatim
  if (simdjson::validate_utf8(text.data(), n)) {
    // The usual case, checked at SIMD speed: only ASCII needs escaping.
    for (size_t i = 0; i < n; ++i) {
      if (!kNeedsEscape[p[i]]) continue;
      out->append(text.data() + run, i - run);
      AppendEscape(p[i], out);
      run = i + 1;
    }
  } else {
    size_t i = 0;
    while (i < n) {
      const unsigned char c = p[i];
      if (c >= 0x80) {
        const size_t len = io::ValidSequenceLength(p + i, n - i);
        if (len > 0) {
          i += len;
          continue;
        }
      } else if (!kNeedsEscape[c]) {
        ++i;
        continue;
      }
      out->append(text.data() + run, i - run);
      if (c >= 0x80) {
        out->append("\xEF\xBF\xBD");  // U+FFFD for an invalid byte
      } else {
        AppendEscape(c, out);
      }
      run = ++i;
    }
  }
  out->append(text.data() + run, n - run);
  out->push_back('"');
}

std::string JsonString(absl::string_view text) {
  std::string out;
  AppendJsonString(text, &out);
  return out;
}

void AppendJsonNumber(double value, std::string* out) {
  if (!std::isfinite(value)) {
    out->append("null");
    return;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out->append(buf, end);
}

JsonObjectWriter::JsonObjectWriter(std::string* out) : out_(out) { out_->push_back('{'); }

JsonObjectWriter::~JsonObjectWriter() { Close(); }

void JsonObjectWriter::Key(absl::string_view key) {
  if (!first_) out_->push_back(',');
  first_ = false;
  AppendJsonString(key, out_);
  out_->push_back(':');
}

JsonObjectWriter& JsonObjectWriter::Field(absl::string_view key, absl::string_view value) {
  Key(key);
  AppendJsonString(value, out_);
  return *this;
}
JsonObjectWriter& JsonObjectWriter::Field(absl::string_view key, const char* value) {
  return Field(key, absl::string_view(value));
}
JsonObjectWriter& JsonObjectWriter::Field(absl::string_view key, const std::string& value) {
  return Field(key, absl::string_view(value));
}
JsonObjectWriter& JsonObjectWriter::Field(absl::string_view key, int64_t value) {
  Key(key);
  absl::StrAppend(out_, value);
  return *this;
}
JsonObjectWriter& JsonObjectWriter::Field(absl::string_view key, uint64_t value) {
  Key(key);
  absl::StrAppend(out_, value);
  return *this;
}
JsonObjectWriter& JsonObjectWriter::Field(absl::string_view key, int value) {
  return Field(key, static_cast<int64_t>(value));
}
JsonObjectWriter& JsonObjectWriter::Field(absl::string_view key, uint32_t value) {
  return Field(key, static_cast<uint64_t>(value));
}
JsonObjectWriter& JsonObjectWriter::Field(absl::string_view key, double value) {
  Key(key);
  AppendJsonNumber(value, out_);
  return *this;
}
JsonObjectWriter& JsonObjectWriter::Field(absl::string_view key, bool value) {
  Key(key);
  out_->append(value ? "true" : "false");
  return *this;
}
JsonObjectWriter& JsonObjectWriter::RawField(absl::string_view key, absl::string_view json) {
  Key(key);
  out_->append(json.data(), json.size());
  return *this;
}

void JsonObjectWriter::Close() {
  if (closed_) return;
  closed_ = true;
  out_->push_back('}');
}

std::string EscapeTsvField(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          absl::StrAppendFormat(&out, "\\x%02X", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace dubare
