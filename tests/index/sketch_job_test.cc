// Copyright 2026 The Dubare Authors.

#include "index/sketch_job.h"

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "dubare/sketch.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dubare::index_internal {
namespace {

using ::testing::HasSubstr;

std::vector<IndexDocument> Docs(int n) {
  std::vector<IndexDocument> docs;
  for (int i = 0; i < n; ++i) {
    docs.push_back({absl::StrCat("d", i), absl::StrCat("وشەی ", i, " و ", i * 7, " لە دەقێکدا"),
                    absl::StrCat("{\"n\":", i, "}")});
  }
  return docs;
}

std::vector<std::unique_ptr<DocumentSketcher>> Sketchers(size_t n) {
  std::vector<std::unique_ptr<DocumentSketcher>> sketchers;
  for (size_t i = 0; i < n; ++i) {
    sketchers.push_back(std::make_unique<DocumentSketcher>(SketchParams()));
  }
  return sketchers;
}

// Threads join the job at any time, as the database thread of AddInputs does
// when it reaches a batch still being sketched, or after it is done.
TEST(SketchJobTest, ThreadsJoiningAtAnyTimeGiveEachDocumentsOwnSketch) {
  const std::vector<IndexDocument> docs = Docs(500);
  auto sketchers = Sketchers(4);
  for (int round = 0; round < 10; ++round) {
    std::vector<SketchedDocument> out;
    SketchJob job(docs, &out);
    std::vector<std::thread> threads;
    absl::Cleanup join = [&] {
      for (std::thread& t : threads) t.join();
    };
    for (size_t t = 0; t < 3; ++t) {
      threads.emplace_back([&, t] {
        std::this_thread::sleep_for(std::chrono::microseconds(200 * t * round));
        job.Work(*sketchers[t]);
      });
    }
    ASSERT_TRUE(job.Wait().ok());  // waits for the others' runs too
    for (size_t i = 0; i < docs.size(); ++i) {
      ASSERT_EQ(out[i].id, docs[i].id) << i;
      ASSERT_EQ(out[i].metadata, docs[i].metadata) << i;
    }
    job.Work(*sketchers[3]);  // nothing left: returns at once
    EXPECT_TRUE(job.AllTaken());
    DocumentSketcher one{SketchParams()};
    for (size_t i = 0; i < docs.size(); ++i) {
      DocumentSketch want;
      ASSERT_TRUE(one.Sketch(docs[i].text, &want).ok());
      ASSERT_EQ(out[i].minhash, want.minhash) << i;
      ASSERT_EQ(out[i].length, docs[i].text.size());
    }
  }
}

TEST(SketchJobTest, TheErrorNamesTheFirstBadDocumentInInputOrder) {
  std::vector<IndexDocument> docs = Docs(300);
  docs[290].text = "late \xff";
  docs[131].text = "early \xfe";
  auto sketchers = Sketchers(4);
  for (int round = 0; round < 20; ++round) {
    std::vector<SketchedDocument> out;
    SketchJob job(docs, &out);
    std::vector<std::thread> threads;
    for (size_t t = 1; t < sketchers.size(); ++t) {
      threads.emplace_back([&, t] { job.Work(*sketchers[t]); });
    }
    job.Work(*sketchers[0]);
    absl::Status status = job.Wait();
    for (std::thread& t : threads) t.join();
    ASSERT_FALSE(status.ok());
    EXPECT_THAT(status.message(), HasSubstr("document 'd131'"));
    // Every document before the first bad one was sketched.
    for (size_t i = 0; i < 131; ++i) ASSERT_EQ(out[i].id, docs[i].id) << i;
  }
}

TEST(SketchJobTest, AnEmptyJobIsDoneAtOnce) {
  std::vector<SketchedDocument> out(3);
  SketchJob job({}, &out);
  EXPECT_TRUE(job.AllTaken());
  EXPECT_TRUE(job.Wait().ok());
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace dubare::index_internal
