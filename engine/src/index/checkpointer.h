// Copyright 2026 The Dubare Authors.
//
// checkpointer.h: copies a writer's WAL into the database file on a thread
// of its own.
//
// In WAL mode every page a transaction writes goes to the WAL first and is
// copied into the database file by a checkpoint. SQLite runs that
// checkpoint inside the commit that crosses its threshold, on the writer's
// thread: for the index that is about a third of the database thread's
// time during merges, on the critical path of `dubare index add`. A
// Checkpointer takes that work: it installs a WAL hook on the writer's
// connection (which replaces SQLite's auto-checkpoint) and, once the WAL
// holds `pages` pages, runs a PASSIVE checkpoint on its own connection,
// which copies frames while the writer goes on appending. Should it fall
// behind by 8x (or fail), the writer checkpoints in the hook itself, as
// SQLite would have, so the WAL stays bounded. A checkpoint killed half-way
// is redone by SQLite; it never loses a committed transaction.
//
// Ownership: a Checkpointer borrows the writer's Db, which must outlive it,
// and owns its connection and thread; destroying it removes the hook and
// joins the thread. Thread safety: Notify runs on the writer's thread (from
// the hook); everything else is internal.

#ifndef DUBARE_SRC_INDEX_CHECKPOINTER_H_
#define DUBARE_SRC_INDEX_CHECKPOINTER_H_

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/status/statusor.h"
#include "index/sqlite.h"

namespace dubare::index_internal {

class Checkpointer {
 public:
  // Opens a second connection to writer's file and starts the thread.
  static absl::StatusOr<std::unique_ptr<Checkpointer>> Start(Db* writer, int pages);
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Checkpoints run so far by the thread, and by the writer as a fallback.
  uint64_t background_checkpoints() const;
  uint64_t writer_checkpoints() const;
  // Waits until the thread has no checkpoint left to run (for tests).
  void WaitIdle();

 private:
  Checkpointer(Db* writer, std::unique_ptr<Db> own, int pages);
  static int OnCommit(void* self, sqlite3* db, const char* name, int pages);
  void Loop();

  Db* const writer_;
  const std::unique_ptr<Db> own_;
  const int pages_;
  mutable std::mutex mu_;
  std::condition_variable wake_, idle_;
  bool due_ = false, running_ = false, stop_ = false;
  uint64_t background_ = 0, by_writer_ = 0;
  std::thread thread_;
};

}  // namespace dubare::index_internal

#endif  // DUBARE_SRC_INDEX_CHECKPOINTER_H_
