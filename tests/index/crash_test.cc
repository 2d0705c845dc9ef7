// Copyright 2026 The Dubare Authors.
//
// Crash test: a child process adds a large input to an index in batches and
// is killed with SIGKILL at a random moment, twenty times. After every kill
// the index must open, pass PRAGMA integrity_check and the index's own
// checks, and hold exactly the batches the child reported as committed --
// or one more: a batch whose COMMIT returned but whose line the child had
// not yet written when it died (the only window no program can close).
// The child merges band-key runs in one-chunk transactions with a small
// budget, so merges take many transactions; every other round waits until
// the file shows a merge under way and kills the child a few milliseconds
// later, so that many kills interrupt a merge, whose half-written run the
// next child must delete.
//
// The child is the CLI ($DUBARE_BIN, set by ctest) or, without it, a forked
// copy of this process calling the same library function the CLI calls.

#include <fcntl.h>
#include <sqlite3.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "dubare/index.h"
#include "dubare/jobs.h"
#include "gen/corpus_gen.h"
#include "gtest/gtest.h"
#include "index/index_test_util.h"

namespace dubare {
namespace {

// 50,000 short articles in 100 batches; under a sanitizer, which makes
// every child several times slower and tests memory, not durability, 4,000
// in 40.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr size_t kDocs = 4000;
constexpr size_t kBatch = 100;
#else
constexpr size_t kDocs = 50000;
constexpr size_t kBatch = 500;
#endif
constexpr int kWords = 50;
constexpr int kRounds = 20;
constexpr uint32_t kMergeStep = 1;  // chunks per merge transaction
constexpr uint32_t kMergeWork = 1;  // merge budget per batch, in batch entries

// Starts the child adding `input` to `index`; its stderr goes to `log`.
pid_t StartChild(const std::string& index, const std::string& input, const std::string& log) {
  const char* bin = std::getenv("DUBARE_BIN");
  const std::string batch = absl::StrCat(kBatch);
  const pid_t pid = fork();
  if (pid != 0) return pid;
  const int err = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const int null = open("/dev/null", O_WRONLY);
  dup2(err, 2);
  dup2(null, 1);
  if (bin != nullptr && *bin != '\0') {
    const std::string step = absl::StrCat(kMergeStep), work = absl::StrCat(kMergeWork);
    execl(bin, "dubare", "index", "add", index.c_str(), input.c_str(), "--batch", batch.c_str(),
          "--merge-step", step.c_str(), "--merge-work", work.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  IndexOptions index_options;
  index_options.merge_step_chunks = kMergeStep;
  index_options.merge_work = kMergeWork;
  absl::StatusOr<std::unique_ptr<Index>> opened = Index::Open(index, index_options);
  if (!opened.ok()) _exit(3);
  IndexInputOptions options;
  options.batch_size = kBatch;
  IndexInputCallbacks callbacks;
  callbacks.on_commit = [](const AddResult& batch, size_t documents) {
    const std::string line = absl::StrFormat("committed batch %d (%d documents, %d added)\n",
                                             batch.batch, documents, batch.added);
    if (write(2, line.data(), line.size()) < 0) _exit(4);
  };
  _exit(AddInputs(opened->get(), {input}, options, callbacks).ok() ? 0 : 5);
}

// Waits until the index shows a run being written by a merge, the child
// exits, or `limit` seconds pass.
void WaitForAMerge(const std::string& path, pid_t child, double limit) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return;
  sqlite3_busy_timeout(db, 100);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "SELECT count(*) FROM runs WHERE state = 1", -1, &stmt, nullptr);
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < limit) {
    const bool merging = sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_int64(stmt, 0) > 0;
    sqlite3_reset(stmt);
    siginfo_t info{};
    // WNOWAIT: the caller reaps the child.
    if (merging || (waitid(P_PID, child, &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
                    info.si_pid == child)) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

// The batch numbers the child reported, in order.
std::vector<uint64_t> ReportedBatches(const std::string& log) {
  std::vector<uint64_t> batches;
  std::ifstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    absl::string_view rest = line;
    if (!absl::ConsumePrefix(&rest, "committed batch ")) continue;
    uint64_t batch;
    EXPECT_TRUE(absl::SimpleAtoi(rest.substr(0, rest.find(' ')), &batch)) << line;
    batches.push_back(batch);
  }
  return batches;
}

std::set<std::string> Prefix(const std::vector<IndexDocument>& docs, size_t n) {
  std::set<std::string> ids;
  for (size_t i = 0; i < n && i < docs.size(); ++i) ids.insert(docs[i].id);
  return ids;
}

TEST(IndexCrashTest, KilledWriterLeavesExactlyTheCommittedBatches) {
  const std::string dir = index_test::NewDir("crash");
  gen::CorpusOptions corpus_options;
  corpus_options.num_docs = kDocs;
  corpus_options.words_per_article = kWords;
  ASSERT_TRUE(gen::WriteCorpus(corpus_options, dir + "/corpus", 2).ok());
  const std::string input = dir + "/corpus/corpus.jsonl";
  index_test::TestCorpus corpus = index_test::MakeCorpus(kDocs, kWords, corpus_options.seed);
  ASSERT_EQ(corpus.docs.size(), kDocs);
  const std::string path = dir + "/i.db";

  // How long an uninterrupted run takes, to spread the kills over it.
  ASSERT_TRUE(Index::Create(dir + "/calibrate.db", IndexOptions()).ok());
  auto start = std::chrono::steady_clock::now();
  pid_t pid = StartChild(dir + "/calibrate.db", input, dir + "/calibrate.log");
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  const double full = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(ReportedBatches(dir + "/calibrate.log").size(), kDocs / kBatch);
  std::printf("crash test: an uninterrupted run of %zu documents takes %.2f s\n", kDocs, full);
  std::printf("crash test: an uninterrupted run takes %.2f s\n", full);

  std::mt19937_64 rng(::testing::UnitTest::GetInstance()->random_seed());
  size_t prefix = kDocs;  // forces a fresh index in the first round
  uint64_t batches = 0;
  int unreported_commits = 0, finished_runs = 0, mid_run_kills = 0, mid_merge_kills = 0;
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round));
    if (prefix == kDocs) {  // all in: start over, so that every round adds
      for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
      ASSERT_TRUE(Index::Create(path, IndexOptions()).ok());
      prefix = 0;
      batches = 0;
    }
    const std::string log = absl::StrCat(dir, "/round", round, ".log");
    // Spread over most of the expected length of this run (it only adds what
    // is missing); the rounds still reach the end of the input.
    const double remaining = std::max(0.1, double(kDocs - prefix) / kDocs);
    const double delay = std::uniform_real_distribution<double>(0.0, 0.6 * full * remaining)(rng);
    pid = StartChild(path, input, log);
    if (round % 2 == 0) {
      std::this_thread::sleep_for(std::chrono::duration<double>(delay));
    } else {
      WaitForAMerge(path, pid, 2 * full);
      std::this_thread::sleep_for(std::chrono::duration<double>(delay / 1000));
    }
    kill(pid, SIGKILL);
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    if (WIFEXITED(status)) {
      ASSERT_EQ(WEXITSTATUS(status), 0);
      ++finished_runs;
    } else {
      ++mid_run_kills;
    }

    const std::vector<uint64_t> reported = ReportedBatches(log);
    for (size_t k = 0; k < reported.size(); ++k) EXPECT_EQ(reported[k], batches + k + 1);

    absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(path, IndexOptions());
    ASSERT_TRUE(index.ok()) << index.status();
    absl::Status integrity = (*index)->CheckIntegrity();
    ASSERT_TRUE(integrity.ok()) << integrity;
    absl::StatusOr<IndexStats> stats = (*index)->Stats();
    ASSERT_TRUE(stats.ok()) << stats.status();
    index->reset();
    // A merge was cut short: its run is flagged, and invisible to readers.
    mid_merge_kills += stats->merging_runs > 0;

    const uint64_t committed = stats->batches - batches;
    ASSERT_TRUE(committed == reported.size() || committed == reported.size() + 1)
        << committed << " batches committed, " << reported.size() << " reported";
    unreported_commits += committed == reported.size() + 1;
    // Batch k of a run holds input documents [k * kBatch, (k + 1) * kBatch);
    // the ones already present from earlier rounds were reported as existing.
    const size_t expected_prefix = std::min(kDocs, std::max(prefix, committed * kBatch));
    const std::set<std::string> stored = index_test::StoredIds(path);
    ASSERT_EQ(stored.size(), expected_prefix);
    ASSERT_TRUE(stored == Prefix(corpus.docs, expected_prefix));
    EXPECT_EQ(stats->documents, expected_prefix);
    prefix = expected_prefix;
    batches = stats->batches;
  }
  EXPECT_GE(mid_run_kills, kRounds / 2);
  EXPECT_GE(mid_merge_kills, kRounds / 4);
  std::printf(
      "crash test: %d kills mid-run (%d mid-merge), %d runs finished first, %d commits not yet "
      "reported\n",
      mid_run_kills, mid_merge_kills, finished_runs, unreported_commits);

  // The next writer deletes what the killed merges left and finishes the
  // merges that are due.
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(path, IndexOptions());
  ASSERT_TRUE(index.ok()) << index.status();
  ASSERT_TRUE((*index)->FinishMerges().ok());
  absl::StatusOr<IndexStats> stats = (*index)->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->merging_runs, 0u);
  // The committed batches are a prefix of the input.
  const std::vector<IndexDocument> present(corpus.docs.begin(),
                                           corpus.docs.begin() + stats->documents);
  absl::StatusOr<std::vector<SketchedDocument>> sketched = (*index)->Sketch(present);
  ASSERT_TRUE(sketched.ok());
  EXPECT_EQ(stats->band_entries,
            index_test::EntriesOf(*sketched, (*index)->settings().lsh.bands));
  absl::Status integrity = (*index)->CheckIntegrity();
  EXPECT_TRUE(integrity.ok()) << integrity;
}

}  // namespace
}  // namespace dubare
