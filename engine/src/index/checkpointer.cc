// Copyright 2026 The Dubare Authors.

#include "index/checkpointer.h"

#include <utility>

#include "dubare/status.h"

namespace dubare::index_internal {

absl::StatusOr<std::unique_ptr<Checkpointer>> Checkpointer::Start(Db* writer, int pages) {
  DUBARE_ASSIGN_OR_RETURN(std::unique_ptr<Db> own,
                          Db::Open(writer->path(), /*create=*/false, /*read_only=*/false));
  // The writer holds the write lock for a batch at a time; a checkpoint
  // needs none of it, only a moment of the WAL's own locks.
  DUBARE_RETURN_IF_ERROR(own->Exec("PRAGMA busy_timeout=1000"));
  DUBARE_RETURN_IF_ERROR(own->QueryInt("PRAGMA user_version").status());  // opens the WAL
  return std::unique_ptr<Checkpointer>(new Checkpointer(writer, std::move(own), pages));
}

Checkpointer::Checkpointer(Db* writer, std::unique_ptr<Db> own, int pages)
    : writer_(writer), own_(std::move(own)), pages_(std::max(1, pages)) {
  sqlite3_wal_hook(writer_->handle(), &Checkpointer::OnCommit, this);
  thread_ = std::thread([this] { Loop(); });
}

Checkpointer::~Checkpointer() {
  sqlite3_wal_hook(writer_->handle(), nullptr, nullptr);
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

int Checkpointer::OnCommit(void* arg, sqlite3* db, const char* name, int pages) {
  auto* self = static_cast<Checkpointer*>(arg);
  if (pages < self->pages_) return SQLITE_OK;
  if (pages >= 8 * self->pages_) {
    // The thread is behind (or failing): do what auto-checkpoint would.
    sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    std::lock_guard<std::mutex> lock(self->mu_);
    ++self->by_writer_;
    return SQLITE_OK;
  }
  {
    std::lock_guard<std::mutex> lock(self->mu_);
    self->due_ = true;
  }
  self->wake_.notify_one();
  return SQLITE_OK;
}

void Checkpointer::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    wake_.wait(lock, [this] { return due_ || stop_; });
    if (stop_) break;
    due_ = false;
    running_ = true;
    lock.unlock();
    // Errors (SQLITE_BUSY from another checkpointer, I/O) leave the frames
    // in the WAL, where they are safe; the next commit asks again.
    sqlite3_wal_checkpoint_v2(own_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                              nullptr);
    lock.lock();
    running_ = false;
    ++background_;
    if (!due_) idle_.notify_all();
  }
  idle_.notify_all();
}

uint64_t Checkpointer::background_checkpoints() const {
  std::lock_guard<std::mutex> lock(mu_);
  return background_;
}

uint64_t Checkpointer::writer_checkpoints() const {
  std::lock_guard<std::mutex> lock(mu_);
  return by_writer_;
}

void Checkpointer::WaitIdle() {
  std::unique_lock<std::mutex> lock(mu_);
  idle_.wait(lock, [this] { return (!due_ && !running_) || stop_; });
}

}  // namespace dubare::index_internal
