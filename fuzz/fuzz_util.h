// Copyright 2026 The Dubare Authors.
//
// fuzz_util.h: small helpers shared by the libFuzzer targets in fuzz/.
//
// A target takes its options from the first bytes of the input (so the fuzzer
// explores options and text together) and checks its invariants with
// FUZZ_CHECK, which aborts with a message: libFuzzer then saves the input as a
// crash file.

#ifndef DUBARE_FUZZ_FUZZ_UTIL_H_
#define DUBARE_FUZZ_FUZZ_UTIL_H_

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

#define FUZZ_CHECK(cond)                                                         \
  do {                                                                           \
    if (!(cond)) {                                                               \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                              \
    }                                                                            \
  } while (false)

namespace dubare::fuzz {

// Consumes bytes from the front of the fuzzer's input.
class Input {
 public:
  Input(const uint8_t* data, size_t size)
      : rest_(reinterpret_cast<const char*>(data), size) {}

  // The next byte, or 0 once the input is used up.
  uint8_t Byte() {
    if (rest_.empty()) return 0;
    const uint8_t b = static_cast<uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }
  absl::string_view rest() const { return rest_; }

 private:
  absl::string_view rest_;
};

// A per-process scratch file for targets whose code under test reads paths:
// in /dev/shm when writable, so each run costs no disk I/O. Held in a static,
// it is removed (with SQLite's -wal, -shm and -journal files) when the fuzzer
// exits normally; a crash leaves it for inspection.
class ScratchFile {
 public:
  explicit ScratchFile(absl::string_view name)
      : path_(absl::StrCat(access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp", "/dubare_",
                           getpid(), "_", name)) {}
  ~ScratchFile() {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      unlink(absl::StrCat(path_, suffix).c_str());
    }
  }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  const std::string path_;
};

// Replaces the file's contents (no fsync: a fuzzer writes one per run).
inline bool WriteFile(const std::string& path, absl::string_view bytes) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  return std::fclose(f) == 0 && ok;
}

}  // namespace dubare::fuzz

#endif  // DUBARE_FUZZ_FUZZ_UTIL_H_
