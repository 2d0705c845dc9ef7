// Copyright 2026 The Dubare Authors.
//
// json_writer.h: appending JSON text (strings, numbers, flat objects) to a
// std::string, for the JSON Lines that dedup, passages and index print.
//
// Strings are written as UTF-8 with only the escapes JSON requires (", \,
// control characters) so Kurdish text stays readable; an invalid UTF-8
// sequence becomes U+FFFD, so the output is always valid JSON. Numbers use the
// shortest form that reads back to the same double.
//
//   std::string line;
//   JsonObjectWriter(&line).Field("id", id).Field("score", 0.93).Close();
//   line += '\n';
//
// Ownership: the writers append to a string the caller owns.
// Thread safety: free functions; a JsonObjectWriter is used by one thread.

#ifndef DUBARE_JSON_WRITER_H_
#define DUBARE_JSON_WRITER_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace dubare {

// A field of a tab-separated output (pairs.tsv, `index query`): backslash,
// tab, line ends and every other control character (NUL included) escaped
// as \\, \t, \n, \r and \xHH, so that no id can cut or break a row.
std::string EscapeTsvField(absl::string_view text);

// Appends `text` as a quoted JSON string.
void AppendJsonString(absl::string_view text, std::string* out);
// The quoted JSON string of `text`.
std::string JsonString(absl::string_view text);
// Appends a double in its shortest round-trip form; NaN and infinities,
// which JSON cannot express, are written as null.
void AppendJsonNumber(double value, std::string* out);

// Builds one JSON object field by field: appends '{' on construction, a
// comma between fields and '}' on Close() (or destruction, if not closed).
class JsonObjectWriter {
 public:
  explicit JsonObjectWriter(std::string* out);
  ~JsonObjectWriter();
  JsonObjectWriter(const JsonObjectWriter&) = delete;
  JsonObjectWriter& operator=(const JsonObjectWriter&) = delete;

  JsonObjectWriter& Field(absl::string_view key, absl::string_view value);
  JsonObjectWriter& Field(absl::string_view key, const char* value);
  JsonObjectWriter& Field(absl::string_view key, const std::string& value);
  JsonObjectWriter& Field(absl::string_view key, int64_t value);
  JsonObjectWriter& Field(absl::string_view key, uint64_t value);
  JsonObjectWriter& Field(absl::string_view key, int value);
  JsonObjectWriter& Field(absl::string_view key, uint32_t value);
  JsonObjectWriter& Field(absl::string_view key, double value);
  JsonObjectWriter& Field(absl::string_view key, bool value);
  // `json` must already be valid JSON (an array or object built elsewhere).
  JsonObjectWriter& RawField(absl::string_view key, absl::string_view json);
  void Close();

 private:
  void Key(absl::string_view key);
  std::string* out_;
  bool first_ = true;
  bool closed_ = false;
};

}  // namespace dubare

#endif  // DUBARE_JSON_WRITER_H_
