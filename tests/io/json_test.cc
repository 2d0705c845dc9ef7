// Copyright 2026 The Dubare Authors.
//
// The JSON writer, the UTF-8 check and the reader's one-pass field matcher,
// each against a slow obvious reference: simdjson's DOM parser and a
// code-point-by-code-point decoder.

#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "dubare/json_writer.h"
#include "dubare/reader.h"
#include "gtest/gtest.h"
#include "io_test_util.h"
#include "simdjson.h"

namespace dubare {
namespace {

using ::dubare::testing::TempDir;

// Decodes one code point the slow way: returns its length, 0 if invalid.
size_t ReferenceSequenceLength(absl::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  if (c < 0x80) return 1;
  size_t len;
  uint32_t cp;
  if ((c & 0xE0) == 0xC0) {
    len = 2, cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(k) & 0x3F);
  }
  const uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < min_for_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

int64_t ReferenceFindInvalid(absl::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t len = ReferenceSequenceLength(s, i);
    if (len == 0) return static_cast<int64_t>(i);
    i += len;
  }
  return -1;
}

// Random mostly-valid text: Kurdish, ASCII and controls, with a few broken
// or overlong sequences and surrogates mixed in.
std::string RandomText(std::mt19937_64& rng, size_t pieces) {
  static const char* const kPieces[] = {
      "ئ", "ە", "ڕ", "ک", "a", " ", "\"", "\\", "\n", "\t", "\x01", "\x1f", "/", "😀", "\u2028",
      "\xC3", "\xE0\x80\x80", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\x80", "\xC0\xAF", "\xF0\x9F"};
  std::string s;
  for (size_t i = 0; i < pieces; ++i) {
    size_t k = rng() % 100 < 97 ? rng() % 15 : 15 + rng() % 7;
    s += kPieces[k];
  }
  return s;
}

TEST(Utf8Test, FindInvalidUtf8MatchesTheReferenceDecoder) {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 20000; ++i) {
    std::string s = RandomText(rng, 1 + rng() % 40);
    ASSERT_EQ(FindInvalidUtf8(s), ReferenceFindInvalid(s)) << absl::CEscape(s);
  }
  // Every 1- and 2-byte string.
  for (int a = 0; a < 256; ++a) {
    std::string s1(1, static_cast<char>(a));
    ASSERT_EQ(FindInvalidUtf8(s1), ReferenceFindInvalid(s1));
    for (int b = 0; b < 256; ++b) {
      std::string s2 = s1 + static_cast<char>(b);
      ASSERT_EQ(FindInvalidUtf8(s2), ReferenceFindInvalid(s2)) << a << " " << b;
    }
  }
}

// What AppendJsonString promises: parsing the output gives the input back,
// with each invalid byte replaced by U+FFFD.
std::string ReferenceRepair(absl::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    size_t len = ReferenceSequenceLength(s, i);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.data() + i, len);
      i += len;
    }
  }
  return out;
}

TEST(JsonWriterTest, StringsParseBackToTheRepairedInput) {
  std::mt19937_64 rng(11);
  simdjson::dom::parser parser;
  for (int i = 0; i < 5000; ++i) {
    std::string s = RandomText(rng, rng() % 30);
    std::string json = JsonString(s);
    std::string_view back;
    ASSERT_EQ(parser.parse(json).get(back), simdjson::SUCCESS) << json;
    ASSERT_EQ(std::string(back), ReferenceRepair(s)) << absl::CEscape(s);
    // Kurdish letters stay readable: no \u escapes outside controls.
    if (FindInvalidUtf8(s) < 0 && s.find_first_of(std::string("\x01\x1f", 2)) == std::string::npos) {
      EXPECT_EQ(json.find("\\u"), std::string::npos);
    }
  }
}

TEST(JsonWriterTest, ObjectsHaveEveryFieldTypeAndParse) {
  std::string line;
  {
    JsonObjectWriter w(&line);
    w.Field("id", "d\"1").Field("n", 3).Field("big", uint64_t{18446744073709551615u});
    w.Field("neg", int64_t{-5}).Field("score", 0.1).Field("third", 1.0 / 3).Field("ok", true);
    w.Field("nan", std::nan("")).RawField("members", "[1,2]");
  }  // closed by the destructor
  EXPECT_EQ(line,
            "{\"id\":\"d\\\"1\",\"n\":3,\"big\":18446744073709551615,\"neg\":-5,\"score\":0.1,"
            "\"third\":0.3333333333333333,\"ok\":true,\"nan\":null,\"members\":[1,2]}");
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  ASSERT_EQ(parser.parse(line).get(e), simdjson::SUCCESS);
  EXPECT_EQ(double(e["third"]), 1.0 / 3);  // shortest form still round-trips
  std::string empty;
  JsonObjectWriter(&empty).Close();
  EXPECT_EQ(empty, "{}");
}

// The reader's one-pass matcher against DOM lookups, on random objects with
// nested fields, repeated keys, escapes and values of every type.
TEST(JsonExtractionTest, FieldsMatchTheDomParser) {
  std::mt19937_64 rng(5);
  const std::vector<std::string> keys = {"id", "text", "meta", "date", "x", "t\\u0065xt"};
  std::function<std::string(int)> value = [&](int depth) -> std::string {
    switch (rng() % (depth > 2 ? 4 : 6)) {
      case 0: return JsonString(RandomText(rng, rng() % 6));
      case 1: return absl::StrCat(static_cast<int64_t>(rng() % 2000) - 1000);
      case 2: return rng() % 2 ? "true" : "null";
      case 3: return "1.5e3";
      case 4: return absl::StrCat("[", value(depth + 1), ",", value(depth + 1), "]");
      default: {
        std::string o = "{";
        int n = rng() % 4;
        for (int i = 0; i < n; ++i) {
          if (i) o += ",";
          absl::StrAppend(&o, "\"", keys[rng() % keys.size()], "\":", value(depth + 1));
        }
        return o + "}";
      }
    }
  };
  TempDir dir;
  std::string data;
  std::vector<std::string> lines;
  for (int i = 0; i < 3000; ++i) {
    std::string o = "{";
    int n = 1 + rng() % 5;
    for (int k = 0; k < n; ++k) {
      if (k) o += ",";
      absl::StrAppend(&o, "\"", keys[rng() % keys.size()], "\":", value(0));
    }
    o += "}";
    lines.push_back(o);
    absl::StrAppend(&data, o, "\n");
  }
  ReaderOptions options;
  options.id_field = "meta.id";
  options.extra_fields = {"date", "meta.x", "meta.meta.text"};
  std::vector<Document> docs = *ReadAllDocuments({dir.Write("r.jsonl", data)}, options);
  ASSERT_EQ(docs.size(), lines.size());

  simdjson::dom::parser parser;
  // First occurrence of a key, as the reader promises (DOM's at_key is also first-wins).
  auto lookup = [](simdjson::dom::element e, const std::vector<std::string>& path)
      -> simdjson::simdjson_result<simdjson::dom::element> {
    simdjson::simdjson_result<simdjson::dom::element> cur{std::move(e)};
    for (const std::string& k : path) {
      simdjson::dom::object o;
      if (cur.get_object().get(o)) return simdjson::NO_SUCH_FIELD;
      cur = o.at_key(k);
    }
    return cur;
  };
  // A value as the reader captures it: strings unescaped, null as absent,
  // anything else in JSON (compared after minifying).
  auto captured = [](simdjson::simdjson_result<simdjson::dom::element> r, bool* found) {
    simdjson::dom::element e;
    *found = false;
    if (r.get(e) || e.is_null()) return std::string();
    *found = true;
    if (e.is_string()) return std::string(std::string_view(e));
    return simdjson::minify(e);
  };
  int checked_text = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    SCOPED_TRACE(lines[i]);
    const Document& doc = docs[i];
    simdjson::dom::element root;
    if (parser.parse(lines[i]).get(root)) {
      EXPECT_NE(doc.reject, RejectReason::kNone);
      continue;
    }
    bool found;
    std::string text = captured(lookup(root, {"text"}), &found);
    simdjson::dom::element text_el;
    const bool text_is_string = !lookup(root, {"text"}).get(text_el) && text_el.is_string();
    if (!text_is_string) {
      EXPECT_TRUE(doc.reject == RejectReason::kMissingText ||
                  doc.reject == RejectReason::kTextNotString)
          << RejectReasonName(doc.reject);
      continue;
    }
    if (doc.reject != RejectReason::kNone) {
      // Only content checks may refuse a well-formed line with a string text.
      EXPECT_TRUE(doc.reject == RejectReason::kEmpty || doc.reject == RejectReason::kInvalidUtf8 ||
                  doc.reject == RejectReason::kBinary)
          << RejectReasonName(doc.reject) << " " << doc.detail;
      continue;
    }
    ++checked_text;
    EXPECT_EQ(doc.text, text);
    // A captured non-string is JSON as spelled in the line: minify it too.
    auto expect_captured = [&](const std::vector<std::string>& path, std::string got,
                               const std::string& if_absent) {
      std::string want = captured(lookup(root, path), &found);
      simdjson::dom::element ge;
      if (found && !lookup(root, path).get(ge) && !ge.is_string()) {
        simdjson::dom::parser p2;
        simdjson::dom::element reparsed;
        ASSERT_EQ(p2.parse(got).get(reparsed), simdjson::SUCCESS) << got;
        got = simdjson::minify(reparsed);
      }
      EXPECT_EQ(got, found ? want : if_absent) << absl::StrJoin(path, ".");
    };
    expect_captured({"meta", "id"}, doc.id, absl::StrCat(dir.path(), "/r.jsonl:", i + 1));
    expect_captured({"date"}, doc.fields[0], "");
    expect_captured({"meta", "x"}, doc.fields[1], "");
    expect_captured({"meta", "meta", "text"}, doc.fields[2], "");
  }
  EXPECT_GT(checked_text, 100);
}

}  // namespace
}  // namespace dubare
