// Copyright 2026 The Dubare Authors.

#include "dubare/reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "io_test_util.h"

namespace dubare {
namespace {

using ::dubare::testing::Gzip;
using ::dubare::testing::TempDir;
using ::dubare::testing::Zstd;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<Document> ReadOk(std::vector<std::string> inputs, const ReaderOptions& options = {}) {
  absl::StatusOr<std::vector<Document>> docs = ReadAllDocuments(std::move(inputs), options);
  EXPECT_TRUE(docs.ok()) << docs.status();
  return docs.ok() ? *std::move(docs) : std::vector<Document>{};
}

std::vector<std::string> Ids(const std::vector<Document>& docs) {
  std::vector<std::string> ids;
  for (const Document& d : docs) ids.push_back(d.id);
  return ids;
}

// ---- JSON Lines -------------------------------------------------------------

TEST(ReaderJsonlTest, ReadsIdTextExtraFieldsAndRawLines) {
  TempDir dir;
  const std::string line1 = R"({"id":"a1","text":"ئەمڕۆ شەممە","date":"2024-01-02"})";
  const std::string line2 = R"({"text":"دووەم\nهێڵ","id":7,"date":null})";
  std::string path = dir.Write("news.jsonl", line1 + "\n" + line2 + "\n");
  ReaderOptions options;
  options.extra_fields = {"date"};
  std::vector<Document> docs = ReadOk({path}, options);
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_TRUE(docs[0].ok());
  EXPECT_EQ(docs[0].id, "a1");
  EXPECT_EQ(docs[0].text, "ئەمڕۆ شەممە");
  EXPECT_EQ(docs[0].raw, line1);
  EXPECT_THAT(docs[0].fields, ElementsAre("2024-01-02"));
  EXPECT_EQ(docs[0].line, 1u);
  EXPECT_EQ(docs[0].offset, 0u);
  EXPECT_EQ(docs[0].format, InputFormat::kJsonl);
  EXPECT_EQ(docs[1].id, "7");  // a number id in its JSON spelling
  EXPECT_EQ(docs[1].text, "دووەم\nهێڵ");
  EXPECT_THAT(docs[1].fields, ElementsAre(""));  // null counts as absent
  EXPECT_EQ(docs[1].line, 2u);
  EXPECT_EQ(docs[1].offset, line1.size() + 1);
}

TEST(ReaderJsonlTest, DottedPathsDescendIntoObjects) {
  TempDir dir;
  std::string path = dir.Write(
      "n.ndjson",
      R"({"meta":{"url":"http://x/1","tags":["a","b"],"n":{"k":1.5}},"body":{"text":"hello"}})"
      "\n");
  ReaderOptions options;
  options.id_field = "meta.url";
  options.text_field = "body.text";
  options.extra_fields = {"meta.tags", "meta.n.k", "meta.missing"};
  std::vector<Document> docs = ReadOk({path}, options);
  ASSERT_EQ(docs.size(), 1u);
  ASSERT_TRUE(docs[0].ok()) << docs[0].detail;
  EXPECT_EQ(docs[0].id, "http://x/1");
  EXPECT_EQ(docs[0].text, "hello");
  EXPECT_THAT(docs[0].fields, ElementsAre(R"(["a","b"])", "1.5", ""));
}

// An empty id was found by jsonl_reader_fuzz: it named nothing, and two such
// records would share one id (the index would call the second one `exists`).
TEST(ReaderJsonlTest, MissingNullOrEmptyIdBecomesFileAndLine) {
  TempDir dir;
  std::string path = dir.Write(
      "a.jsonl", "{\"text\":\"x\"}\n{\"id\":null,\"text\":\"y\"}\n{\"id\":\"\",\"text\":\"z\"}");
  std::vector<Document> docs = ReadOk({path});
  EXPECT_THAT(Ids(docs), ElementsAre(path + ":1", path + ":2", path + ":3"));
}

// Next() reuses the caller's Document: nothing of one record may leak into
// the next (a missing field, a rejection's detail, a raw line).
TEST(ReaderJsonlTest, ReusedDocumentCarriesNothingOver) {
  TempDir dir;
  std::string path = dir.Write(
      "a.jsonl",
      "{\"id\":\"a\",\"text\":\"x\",\"date\":\"d1\"}\n{\"text\":\"y\"}\n[1]\n{\"id\":\"c\",\"text\":\"z\"}\n");
  ReaderOptions options;
  options.extra_fields = {"date"};
  std::unique_ptr<Reader> reader = *Reader::Open({path}, options);
  Document doc;
  ASSERT_TRUE(*reader->Next(&doc));
  EXPECT_EQ(doc.fields[0], "d1");
  ASSERT_TRUE(*reader->Next(&doc));
  EXPECT_EQ(doc.id, path + ":2");
  EXPECT_EQ(doc.text, "y");
  EXPECT_EQ(doc.fields[0], "");
  EXPECT_EQ(doc.raw, "{\"text\":\"y\"}");
  ASSERT_TRUE(*reader->Next(&doc));
  EXPECT_EQ(doc.reject, RejectReason::kNotAnObject);
  EXPECT_TRUE(doc.text.empty());
  EXPECT_TRUE(doc.raw.empty());
  ASSERT_TRUE(*reader->Next(&doc));
  EXPECT_TRUE(doc.ok());
  EXPECT_TRUE(doc.detail.empty());
  EXPECT_EQ(doc.id, "c");
  EXPECT_EQ(doc.fields[0], "");
  EXPECT_FALSE(*reader->Next(&doc));
}

TEST(ReaderJsonlTest, RawIsKeptOnlyWhenAsked) {
  TempDir dir;
  std::string jsonl = dir.Write("a.jsonl", "{\"text\":\"x\"}\n");
  std::string lines = dir.Write("a.txt", "one line\n");
  ReaderOptions options;
  options.keep_raw = false;
  EXPECT_TRUE(ReadOk({jsonl}, options)[0].raw.empty());
  options.keep_raw = true;
  options.format = InputFormat::kLines;
  EXPECT_EQ(ReadOk({lines}, options)[0].raw, "one line");
}

// Reader::raw() is the last record's line in place, with or without keep_raw:
// CRLF line ends, rejections and whole files have none of it.
TEST(ReaderJsonlTest, RawViewIsTheLastRecordsLine) {
  TempDir dir;
  const std::string jsonl =
      dir.Write("a.jsonl", "{\"text\":\"x\"}\r\n[2]\n\n{\"id\":\"b\",\"text\":\"y z\"}");
  const std::string file = dir.Write("c.txt", "a whole file\n");
  for (const bool keep_raw : {false, true}) {
    ReaderOptions options;
    options.keep_raw = keep_raw;
    std::unique_ptr<Reader> reader = *Reader::Open({jsonl, file}, options);
    Document doc;
    std::vector<std::string> raws;
    std::vector<std::string> copies;
    while (*reader->Next(&doc)) {
      raws.emplace_back(reader->raw());
      copies.push_back(doc.raw);
    }
    EXPECT_EQ(raws, (std::vector<std::string>{"{\"text\":\"x\"}", "", "", "{\"id\":\"b\",\"text\":\"y z\"}", ""}))
        << keep_raw;
    if (keep_raw) {
      EXPECT_EQ(copies, raws);
    } else {
      for (const std::string& c : copies) EXPECT_TRUE(c.empty());
    }
  }
  ReaderOptions options;
  options.format = InputFormat::kLines;
  options.keep_raw = false;
  std::unique_ptr<Reader> reader = *Reader::Open({dir.Write("l.txt", "one\ntwo\n")}, options);
  Document doc;
  ASSERT_TRUE(*reader->Next(&doc));
  EXPECT_EQ(reader->raw(), "one");
  ASSERT_TRUE(*reader->Next(&doc));
  EXPECT_EQ(reader->raw(), "two");
}

TEST(ReaderJsonlTest, FirstOfRepeatedKeysWins) {
  TempDir dir;
  std::string path = dir.Write("a.jsonl", R"({"text":"first","text":"second"})");
  std::vector<Document> docs = ReadOk({path});
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].text, "first");
}

TEST(ReaderJsonlTest, CrlfLineEndsAreRemoved) {
  TempDir dir;
  std::string path = dir.Write("a.jsonl", "{\"id\":\"1\",\"text\":\"x\"}\r\n{\"id\":\"2\",\"text\":\"y\"}\r\n");
  std::vector<Document> docs = ReadOk({path});
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_TRUE(docs[1].ok());
  EXPECT_EQ(docs[0].raw, "{\"id\":\"1\",\"text\":\"x\"}");
  EXPECT_EQ(docs[1].offset, docs[0].raw.size() + 2);
}

TEST(ReaderJsonlTest, ByteOrderMarkIsSkipped) {
  TempDir dir;
  std::string path = dir.Write("a.jsonl", "\xEF\xBB\xBF{\"id\":\"1\",\"text\":\"x\"}\n");
  std::vector<Document> docs = ReadOk({path});
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_TRUE(docs[0].ok()) << docs[0].detail;
}

// Found by jsonl_reader_fuzz: the mark belongs to no line, so a file holding
// only a mark has no line at all, and one with a mark and "\n" has one empty line.
TEST(ReaderJsonlTest, AFileOfOnlyAByteOrderMarkHasNoLines) {
  TempDir dir;
  for (InputFormat format : {InputFormat::kJsonl, InputFormat::kLines}) {
    ReaderOptions options;
    options.format = format;
    EXPECT_TRUE(ReadOk({dir.Write("bom", "\xEF\xBB\xBF")}, options).empty());
    std::vector<Document> docs = ReadOk({dir.Write("bom_nl", "\xEF\xBB\xBF\n")}, options);
    ASSERT_EQ(docs.size(), 1u);
    EXPECT_EQ(docs[0].line, 1u);
    EXPECT_EQ(docs[0].reject, RejectReason::kEmpty);
  }
}

// Every kind of bad line yields exactly one rejection, at its line, and the
// good lines around it still come through.
TEST(ReaderJsonlTest, EveryBadLineIsRejectedWithItsLineAndReason) {
  TempDir dir;
  struct Case {
    std::string line;
    RejectReason reason;
    std::string detail;
  };
  const std::vector<Case> cases = {
      {R"({"id":"m1","text":"x")", RejectReason::kMalformedJson, ""},
      {R"({"id":"m2" "text":"x"})", RejectReason::kMalformedJson, ""},
      {R"({"id":"m3","text":"x"} {"b":1})", RejectReason::kMalformedJson, ""},
      {R"(["text","x"])", RejectReason::kNotAnObject, "an array"},
      {R"("just a string")", RejectReason::kNotAnObject, "a string"},
      {R"({"id":"n1","body":"x"})", RejectReason::kMissingText, "'text'"},
      {R"({"id":"n2","text":42})", RejectReason::kTextNotString, "a number"},
      {R"({"id":"n3","text":{"a":1}})", RejectReason::kTextNotString, "an object"},
      {"{\"id\":\"u1\",\"text\":\"ab\xC3(\"}", RejectReason::kInvalidUtf8, "byte 21 of the line"},
      {R"({"id":"u2","text":"bad \ud800 surrogate"})", RejectReason::kMalformedJson, ""},
      {R"({"id":"z1","text":"nul \u0000 here"})", RejectReason::kBinary, "byte 4"},
      {R"({"id":"e1","text":"  \n "})", RejectReason::kEmpty, ""},
      {"   ", RejectReason::kEmpty, "blank line"},
  };
  std::string data = "{\"id\":\"good0\",\"text\":\"ok\"}\n";
  for (const Case& c : cases) absl::StrAppend(&data, c.line, "\n{\"id\":\"good\",\"text\":\"ok\"}\n");
  std::string path = dir.Write("bad.jsonl", data);
  std::unique_ptr<Reader> reader = *Reader::Open({path}, ReaderOptions());
  Document doc;
  ASSERT_TRUE(*reader->Next(&doc));
  EXPECT_TRUE(doc.ok());
  uint64_t line = 1;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.line);
    ASSERT_TRUE(*reader->Next(&doc));
    EXPECT_EQ(doc.reject, c.reason) << RejectReasonName(doc.reject) << ": " << doc.detail;
    EXPECT_EQ(doc.line, ++line);
    EXPECT_THAT(doc.detail, HasSubstr(c.detail));
    EXPECT_EQ(reader->Location(doc), absl::StrCat(path, ":", line));
    ASSERT_TRUE(*reader->Next(&doc));
    EXPECT_TRUE(doc.ok()) << doc.detail;
    EXPECT_EQ(doc.line, ++line);
  }
  EXPECT_FALSE(*reader->Next(&doc));
  EXPECT_EQ(reader->stats().documents, cases.size() + 1);
  EXPECT_EQ(reader->stats().rejected, cases.size());
  EXPECT_EQ(reader->stats().by_reason[static_cast<int>(RejectReason::kMalformedJson)], 4u);
  EXPECT_EQ(reader->stats().bytes, data.size());
}

TEST(ReaderJsonlTest, RejectionsKeepTheIdWhenItWasRead) {
  TempDir dir;
  std::string path = dir.Write("a.jsonl", R"({"id":"known","text":17})");
  std::vector<Document> docs = ReadOk({path});
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].reject, RejectReason::kTextNotString);
  EXPECT_EQ(docs[0].id, "known");
}

TEST(ReaderJsonlTest, DocumentOverTheSizeLimitIsRejected) {
  TempDir dir;
  std::string path = dir.Write("a.jsonl", absl::StrCat(R"({"text":")", std::string(100, 'x'),
                                                        "\"}\n{\"text\":\"small\"}\n"));
  ReaderOptions options;
  options.max_document_bytes = 50;
  std::vector<Document> docs = ReadOk({path}, options);
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].reject, RejectReason::kTooLarge);
  EXPECT_THAT(docs[0].detail, HasSubstr("100 bytes"));
  EXPECT_TRUE(docs[1].ok());
}

// A huge line is skipped in constant memory: the next line still reads, and
// the reported length is the real one.
TEST(ReaderJsonlTest, HugeLineOverTheLimitIsSkipped) {
  TempDir dir;
  const size_t huge = (size_t{3} << 20) + 123;  // spans several buffer refills
  // A long line that fits the buffer takes the other path.
  std::string data = absl::StrCat("{\"text\":\"", std::string(huge, 'a'), "\"}\n",
                                  "{\"id\":\"after\",\"text\":\"b\"}\n",
                                  "{\"text\":\"", std::string(1500, 'c'), "\"}\n",
                                  "{\"id\":\"last\",\"text\":\"d\"}");
  std::string path = dir.Write("a.jsonl", data);
  ReaderOptions options;
  options.max_line_bytes = 1000;
  for (const std::string& p : {path, dir.Write("a.jsonl.gz", Gzip(data))}) {
    std::vector<Document> docs = ReadOk({p}, options);
    ASSERT_EQ(docs.size(), 4u);
    EXPECT_EQ(docs[0].reject, RejectReason::kTooLarge);
    EXPECT_THAT(docs[0].detail, HasSubstr(absl::StrCat(huge + 11, " bytes")));
    EXPECT_EQ(docs[1].id, "after");
    EXPECT_EQ(docs[1].line, 2u);
    EXPECT_EQ(docs[1].offset, huge + 12);
    EXPECT_EQ(docs[2].reject, RejectReason::kTooLarge);
    EXPECT_THAT(docs[2].detail, HasSubstr("1511 bytes"));
    EXPECT_EQ(docs[3].id, "last");
    EXPECT_EQ(docs[3].line, 4u);
  }
}

TEST(ReaderJsonlTest, EmptyFileHasNoRecords) {
  TempDir dir;
  std::string path = dir.Write("empty.jsonl", "");
  EXPECT_TRUE(ReadOk({path}).empty());
}

// ---- Reference comparisons -------------------------------------------------

// Lines of random length (some across the 1 MiB buffer and the 256 KiB read
// size) come out exactly as a plain split finds them, compressed or not.
TEST(ReaderLinesTest, LinesMatchAPlainSplitAcrossBufferBoundaries) {
  TempDir dir;
  std::mt19937_64 rng(7);
  std::string data;
  std::vector<std::string> expected;
  for (int i = 0; i < 400; ++i) {
    size_t len = 1 + rng() % (i % 50 == 0 ? 300000 : 5000);
    std::string line;
    for (size_t j = 0; j < len; ++j) line.push_back(static_cast<char>('a' + rng() % 26));
    expected.push_back(line);
    absl::StrAppend(&data, line, (i % 3 == 0) ? "\r\n" : "\n");
  }
  ReaderOptions options;
  options.format = InputFormat::kLines;
  for (const std::string& p : {dir.Write("plain.txt", data), dir.Write("g.txt.gz", Gzip(data)),
                               dir.Write("z.txt.zst", Zstd(data))}) {
    SCOPED_TRACE(p);
    std::vector<Document> docs = ReadOk({p}, options);
    ASSERT_EQ(docs.size(), expected.size());
    uint64_t offset = 0;
    for (size_t i = 0; i < docs.size(); ++i) {
      ASSERT_TRUE(docs[i].ok()) << docs[i].detail;
      ASSERT_EQ(docs[i].text, expected[i]) << i;
      EXPECT_EQ(docs[i].id, absl::StrCat(p, ":", i + 1));
      EXPECT_EQ(docs[i].offset, offset);
      offset += expected[i].size() + ((i % 3 == 0) ? 2 : 1);
    }
  }
}

TEST(ReaderLinesTest, LinesFormatRejectsBlankBinaryAndInvalidLines) {
  TempDir dir;
  std::string path = dir.Write("l.txt", std::string("one\n\ntw\0o\nth\xFFree\nfour", 21));
  ReaderOptions options;
  options.format = InputFormat::kLines;
  std::vector<Document> docs = ReadOk({path}, options);
  ASSERT_EQ(docs.size(), 5u);
  EXPECT_TRUE(docs[0].ok());
  EXPECT_EQ(docs[1].reject, RejectReason::kEmpty);
  EXPECT_EQ(docs[2].reject, RejectReason::kBinary);
  EXPECT_EQ(docs[3].reject, RejectReason::kInvalidUtf8);
  EXPECT_THAT(docs[3].detail, HasSubstr("byte 2 of the line"));
  EXPECT_EQ(docs[4].text, "four");
  EXPECT_EQ(docs[4].line, 5u);
}

// ---- Whole files and directories -------------------------------------------

TEST(ReaderFileTest, WholeFileIsOneDocumentWithItsPathAsId) {
  TempDir dir;
  std::string text = "سەردێڕ\n\nبڕگەی یەکەم.\r\nبڕگەی دووەم.\n";
  std::string path = dir.Write("a.txt", text);
  std::vector<Document> docs = ReadOk({path});
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].id, path);
  EXPECT_EQ(docs[0].text, text);
  EXPECT_EQ(docs[0].line, 0u);
  EXPECT_EQ(docs[0].format, InputFormat::kFile);
}

TEST(ReaderFileTest, BadFilesAreRejected) {
  TempDir dir;
  ReaderOptions options;
  options.max_document_bytes = 1000;
  std::vector<Document> docs =
      ReadOk({dir.Write("empty.txt", ""), dir.Write("blank.txt", " \n\t\n"),
              dir.Write("bin.dat", std::string("ab\0cd", 5)), dir.Write("bad.txt", "ok \xE0\x80\x80"),
              dir.Write("big.txt", std::string(5000, 'x'))},
             options);
  ASSERT_EQ(docs.size(), 5u);
  EXPECT_EQ(docs[0].reject, RejectReason::kEmpty);
  EXPECT_EQ(docs[1].reject, RejectReason::kEmpty);
  EXPECT_EQ(docs[2].reject, RejectReason::kBinary);
  EXPECT_EQ(docs[3].reject, RejectReason::kInvalidUtf8);
  EXPECT_THAT(docs[3].detail, HasSubstr("byte 3 of the file"));
  EXPECT_EQ(docs[4].reject, RejectReason::kTooLarge);
  EXPECT_THAT(docs[4].detail, HasSubstr("5000 bytes"));
  for (const Document& d : docs) EXPECT_TRUE(d.text.empty());
}

TEST(ReaderFileTest, MissingInputFailsOpen) {
  absl::StatusOr<std::unique_ptr<Reader>> reader = Reader::Open({"/nonexistent/dubare"}, {});
  EXPECT_EQ(reader.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(reader.status().message(), HasSubstr("/nonexistent/dubare"));
}

TEST(ReaderDirectoryTest, WalkIsDepthFirstInByteOrderWithGlobAndHiddenSkipped) {
  TempDir dir;
  // Written in a scrambled order; the walk must not depend on it.
  for (const char* name : {"b/z.txt", "a.txt", "c.txt", "b/a.txt", "b/c/d.txt", ".hidden.txt",
                           "b/.h/x.txt", "notes.md", "B.txt"}) {
    dir.Write(name, name);
  }
  ReaderOptions options;
  options.glob = "*.txt";
  std::vector<Document> docs = ReadOk({dir.path()}, options);
  const std::string& d = dir.path();
  EXPECT_THAT(Ids(docs), ElementsAre(d + "/B.txt", d + "/a.txt", d + "/b/a.txt", d + "/b/c/d.txt",
                                     d + "/b/z.txt", d + "/c.txt"));
  EXPECT_EQ(docs[2].text, "b/a.txt");
}

TEST(ReaderDirectoryTest, JsonlFilesInADirectoryAreReadAsJsonl) {
  TempDir dir;
  dir.Write("x/1.jsonl", "{\"id\":\"j1\",\"text\":\"a\"}\n{\"id\":\"j2\",\"text\":\"b\"}\n");
  dir.Write("x/2.txt", "whole");
  std::vector<Document> docs = ReadOk({dir.path() + "/x"});
  EXPECT_THAT(Ids(docs), ElementsAre("j1", "j2", dir.path() + "/x/2.txt"));
}

TEST(ReaderDirectoryTest, SymlinkLoopIsRejectedAndWalkGoesOn) {
  TempDir dir;
  dir.Write("top/a.txt", "a");
  dir.Write("top/sub/b.txt", "b");
  ASSERT_EQ(::symlink("..", (dir.path() + "/top/sub/up").c_str()), 0);
  ASSERT_EQ(::symlink("b.txt", (dir.path() + "/top/sub/link.txt").c_str()), 0);
  ASSERT_EQ(::symlink("nowhere.txt", (dir.path() + "/top/sub/dangling.txt").c_str()), 0);
  const std::string t = dir.path() + "/top";
  std::vector<Document> docs = ReadOk({t});
  ASSERT_EQ(docs.size(), 5u);
  EXPECT_THAT(Ids(docs), ElementsAre(t + "/a.txt", t + "/sub/b.txt", t + "/sub/dangling.txt",
                                     t + "/sub/link.txt", t + "/sub/up"));
  EXPECT_EQ(docs[2].reject, RejectReason::kUnreadable);
  EXPECT_EQ(docs[3].text, "b");
  EXPECT_EQ(docs[4].reject, RejectReason::kDirectoryLoop);

  ReaderOptions no_links;
  no_links.follow_symlinks = false;
  std::unique_ptr<Reader> reader = *Reader::Open({t}, no_links);
  Document doc;
  std::vector<std::string> ids;
  while (*reader->Next(&doc)) ids.push_back(doc.id);
  EXPECT_THAT(ids, ElementsAre(t + "/a.txt", t + "/sub/b.txt"));
  EXPECT_EQ(reader->stats().skipped_links, 3u);
}

TEST(ReaderDirectoryTest, NonRegularFileInAWalkIsUnreadable) {
  TempDir dir;
  ASSERT_EQ(::mkfifo((dir.path() + "/pipe.txt").c_str(), 0644), 0);
  std::vector<Document> docs = ReadOk({dir.path()});
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].reject, RejectReason::kUnreadable);
  EXPECT_THAT(docs[0].detail, HasSubstr("not a regular file"));
}

// ---- Compression -------------------------------------------------------------

TEST(ReaderCompressionTest, GzipAndZstdRoundTripByMagicBytes) {
  TempDir dir;
  std::string data;
  for (int i = 0; i < 2000; ++i) {
    absl::StrAppend(&data, "{\"id\":\"d", i, "\",\"text\":\"هەواڵی ژمارە ", i, "\"}\n");
  }
  const std::vector<Document> plain = ReadOk({dir.Write("p.jsonl", data)});
  ASSERT_EQ(plain.size(), 2000u);
  // Concatenated members/frames are one stream; a misleading name does not matter.
  const std::string half1 = data.substr(0, data.size() / 2), half2 = data.substr(data.size() / 2);
  for (const std::string& p :
       {dir.Write("g.jsonl.gz", Gzip(data)), dir.Write("z.jsonl.zst", Zstd(data)),
        dir.Write("multi.jsonl.gz", Gzip(half1) + Gzip(half2)),
        dir.Write("multi.jsonl.zst", Zstd(half1) + Zstd(half2)),
        dir.Write("mislabeled.jsonl", Zstd(data))}) {
    SCOPED_TRACE(p);
    std::unique_ptr<Reader> reader = *Reader::Open({p}, {});
    Document doc;
    size_t i = 0;
    while (*reader->Next(&doc)) {
      ASSERT_LT(i, plain.size());
      ASSERT_TRUE(doc.ok()) << doc.detail;
      EXPECT_EQ(doc.id, plain[i].id);
      EXPECT_EQ(doc.text, plain[i].text);
      EXPECT_EQ(doc.offset, plain[i].offset);
      ++i;
    }
    EXPECT_EQ(i, plain.size());
    EXPECT_EQ(reader->stats().bytes, data.size());
  }
}

TEST(ReaderCompressionTest, CompressedWholeFileIsDecoded) {
  TempDir dir;
  std::vector<Document> docs =
      ReadOk({dir.Write("a.txt.gz", Gzip("گۆڕان")), dir.Write("b.txt.zst", Zstd("گۆڕان"))});
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].text, "گۆڕان");
  EXPECT_EQ(docs[1].text, "گۆڕان");
}

TEST(ReaderCompressionTest, TruncatedOrCorruptStreamIsUnreadableAtItsLine) {
  TempDir dir;
  std::string data;
  for (int i = 0; i < 5000; ++i) absl::StrAppend(&data, "{\"text\":\"line ", i, " of the test\"}\n");
  std::string gz = Gzip(data, 1);
  std::string zs = Zstd(data, 1);
  for (const std::string& p : {dir.Write("t.jsonl.gz", gz.substr(0, gz.size() / 2)),
                               dir.Write("t.jsonl.zst", zs.substr(0, zs.size() - 10))}) {
    SCOPED_TRACE(p);
    std::vector<Document> docs = ReadOk({p});
    ASSERT_FALSE(docs.empty());
    const Document& last = docs.back();
    EXPECT_EQ(last.reject, RejectReason::kUnreadable);
    EXPECT_THAT(last.detail, HasSubstr("truncated"));
    EXPECT_EQ(last.line, docs.size());
    // The failing line's offset in the decompressed stream: where it starts.
    size_t start = 0;
    for (size_t i = 1; i < last.line; ++i) start = data.find('\n', start) + 1;
    EXPECT_EQ(last.offset, start);
    EXPECT_GT(last.offset, 0u);
    for (size_t i = 0; i + 1 < docs.size(); ++i) ASSERT_TRUE(docs[i].ok());
  }
  std::string corrupt = gz;
  corrupt[corrupt.size() / 3] ^= 0x55;
  std::vector<Document> docs = ReadOk({dir.Write("c.jsonl.gz", corrupt)});
  ASSERT_FALSE(docs.empty());
  EXPECT_EQ(docs.back().reject, RejectReason::kUnreadable);
}

// Issue 20, point 2: a compression we do not read is named, not taken for
// text with a NUL byte; a text that merely begins like one is still text.
TEST(ReaderCompressionTest, OtherCompressionsAreRefusedByName) {
  TempDir dir;
  const struct {
    std::string bytes;
    std::string name;
  } kCases[] = {
      {std::string("\xfd" "7zXZ\0\0\x04", 8), "xz"},
      {std::string("BZh91AY&SY\0\0", 12), "bzip2"},
      {std::string("\x04\x22\x4d\x18\x64\x40", 6), "lz4"},
      {std::string("PK\x03\x04\x14\0", 6), "zip"},
      {std::string("7z\xbc\xaf\x27\x1c", 6), "7z"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    const std::string path = dir.Write("a.jsonl." + c.name, c.bytes + std::string(64, 'x'));
    std::vector<Document> docs = ReadOk({path});
    ASSERT_EQ(docs.size(), 1u);
    EXPECT_EQ(docs[0].reject, RejectReason::kUnreadable);
    EXPECT_THAT(docs[0].detail, HasSubstr("compressed with " + c.name + ", which is not read"));
    absl::StatusOr<std::string> whole = ReadInputFile(path, 1 << 20);
    ASSERT_FALSE(whole.ok());
    EXPECT_EQ(whole.status().message(),
              absl::StrCat(path, ": compressed with ", c.name,
                           ", which is not read: decompress it first (",
                           c.name == "xz"      ? "xz -d"
                           : c.name == "bzip2" ? "bunzip2"
                           : c.name == "lz4"   ? "lz4 -d"
                           : c.name == "zip"   ? "unzip"
                                               : "7z x",
                           ") or recompress it with gzip or zstd"));
  }
  // "BZh" without bzip2's block-size digit, and short files, are text.
  for (const std::string text : {"BZh is how this line begins", "BZ", "P"}) {
    const std::string path = dir.Write("t.txt", text);
    EXPECT_EQ(*ReadInputFile(path, 1 << 20), text);
    std::vector<Document> docs = ReadOk({path});
    ASSERT_EQ(docs.size(), 1u);
    EXPECT_EQ(docs[0].text, text);
  }
}

TEST(ReaderCompressionTest, ReadInputFileDecompressesAndKeepsTheLimit) {
  TempDir dir;
  const std::string text = "گۆڕانی ژمارە یەک\n{\"text\":\"not a record here\"}\n";
  EXPECT_EQ(*ReadInputFile(dir.Write("a.txt", text), 1 << 20), text);
  EXPECT_EQ(*ReadInputFile(dir.Write("a.txt.gz", Gzip(text)), 1 << 20), text);
  EXPECT_EQ(*ReadInputFile(dir.Write("a.txt.zst", Zstd(text)), 1 << 20), text);
  const std::string big(5000, 'a');
  absl::StatusOr<std::string> plain = ReadInputFile(dir.Write("big.txt", big), 100);
  EXPECT_EQ(plain.status().message(), dir.Path("big.txt") + ": 5000 bytes, over the limit of 100 (--max-document-bytes)");
  // Compressed, the limit applies to what it expands to.
  absl::StatusOr<std::string> bomb = ReadInputFile(dir.Write("big.txt.gz", Gzip(big)), 100);
  EXPECT_EQ(bomb.status().message(),
            dir.Path("big.txt.gz") + ": more than 100 bytes decompressed, over the limit (--max-document-bytes)");
  EXPECT_EQ(ReadInputFile(dir.path(), 100).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReadInputFile(dir.Path("missing"), 100).status().code(), absl::StatusCode::kNotFound);
}

// ---- Strict mode, stdin, options ----------------------------------------------

TEST(ReaderStrictTest, FirstRejectionIsAnErrorNamingFileAndLine) {
  TempDir dir;
  std::string path = dir.Write("s.jsonl", "{\"text\":\"ok\"}\n{\"text\":5}\n{\"text\":\"never\"}\n");
  ReaderOptions options;
  options.strict = true;
  std::unique_ptr<Reader> reader = *Reader::Open({path}, options);
  Document doc;
  ASSERT_TRUE(*reader->Next(&doc));
  absl::StatusOr<bool> second = reader->Next(&doc);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(second.status().message(),
            absl::StrCat(path, ":2: text_not_string: field 'text' is a number, not a string"));
  EXPECT_FALSE(*reader->Next(&doc));  // nothing after the error

  EXPECT_EQ(ReadAllDocuments({path}, options).status().code(), absl::StatusCode::kInvalidArgument);
  std::string gz = Gzip("{\"text\":\"x\"}\n");
  absl::Status truncated =
      ReadAllDocuments({dir.Write("t.jsonl.gz", gz.substr(0, gz.size() - 4))}, options).status();
  EXPECT_EQ(truncated.code(), absl::StatusCode::kDataLoss) << truncated;
}

// Redirects standard input to a file for the life of the object.
class StdinFrom {
 public:
  explicit StdinFrom(const std::string& path) : saved_(::dup(STDIN_FILENO)) {
    int fd = ::open(path.c_str(), O_RDONLY);
    ::dup2(fd, STDIN_FILENO);
    ::close(fd);
  }
  ~StdinFrom() {
    ::dup2(saved_, STDIN_FILENO);
    ::close(saved_);
  }

 private:
  int saved_;
};

TEST(ReaderStdinTest, StdinIsSniffedAsJsonlOrLines) {
  TempDir dir;
  {
    StdinFrom in(dir.Write("in1", "\n  {\"id\":\"s1\",\"text\":\"x\"}\n"));
    std::vector<Document> docs = ReadOk({"-"});
    ASSERT_EQ(docs.size(), 2u);
    EXPECT_EQ(docs[0].reject, RejectReason::kEmpty);
    EXPECT_EQ(docs[1].id, "s1");
    EXPECT_EQ(docs[1].format, InputFormat::kJsonl);
  }
  {
    StdinFrom in(dir.Write("in2", Gzip("first line\nsecond line\n")));
    std::vector<Document> docs = ReadOk({"-"});
    EXPECT_THAT(Ids(docs), ElementsAre("-:1", "-:2"));
    EXPECT_EQ(docs[1].text, "second line");
    EXPECT_EQ(docs[1].format, InputFormat::kLines);
  }
}

TEST(ReaderOptionsTest, BadOptionsAreRejected) {
  ReaderOptions options;
  options.text_field = "a..b";
  EXPECT_EQ(options.Validate().code(), absl::StatusCode::kInvalidArgument);
  options = ReaderOptions();
  options.max_line_bytes = 0;
  EXPECT_FALSE(options.Validate().ok());
  EXPECT_TRUE(ReaderOptions().Validate().ok());
  EXPECT_EQ(*ParseInputFormat("lines"), InputFormat::kLines);
  EXPECT_FALSE(ParseInputFormat("xml").ok());
  for (int i = 0; i < kNumRejectReasons; ++i) {
    EXPECT_NE(RejectReasonName(static_cast<RejectReason>(i)), "unknown");
  }
}

TEST(ReaderOptionsTest, ForcedFormatOverridesTheExtension) {
  TempDir dir;
  std::string path = dir.Write("data.jsonl", "{\"text\":\"a\"}\n{\"text\":\"b\"}\n");
  ReaderOptions options;
  options.format = InputFormat::kFile;
  std::vector<Document> docs = ReadOk({path}, options);
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].text, "{\"text\":\"a\"}\n{\"text\":\"b\"}\n");
  options.format = InputFormat::kLines;
  EXPECT_EQ(ReadOk({path}, options).size(), 2u);
}

}  // namespace
}  // namespace dubare
