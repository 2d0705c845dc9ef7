// Copyright 2026 The Dubare Authors.
//
// A scratch directory per test process: tests that name their files (index
// databases, dedup outputs) put them under it, and the process that made it
// removes it with all its contents when it exits, so runs of the suite do not
// pile up gigabytes under $TMPDIR. A forked child that exits leaves it alone.

#ifndef DUBARE_TESTS_SCRATCH_DIR_H_
#define DUBARE_TESTS_SCRATCH_DIR_H_

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>

#include "gtest/gtest.h"

namespace dubare::testing {

inline const std::string& ProcessScratchDir() {
  struct Root {
    Root() : owner(::getpid()) {
      std::string tmpl = ::testing::TempDir() + "dubare_test_XXXXXX";
      if (::mkdtemp(tmpl.data()) != nullptr) path = tmpl;
      EXPECT_FALSE(path.empty()) << "cannot create a directory under " << ::testing::TempDir();
    }
    ~Root() {
      if (path.empty() || ::getpid() != owner) return;
      std::error_code ignored;  // a test may have left an unreadable entry behind
      std::filesystem::remove_all(path, ignored);
    }
    std::string path;
    pid_t owner;
  };
  static const Root root;
  return root.path;
}

// ProcessScratchDir()/name, emptied if it exists.
inline std::string NewScratchDir(const std::string& name) {
  const std::string dir = ProcessScratchDir() + "/" + name;
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace dubare::testing

#endif  // DUBARE_TESTS_SCRATCH_DIR_H_
