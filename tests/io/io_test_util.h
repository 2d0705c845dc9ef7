// Copyright 2026 The Dubare Authors.
//
// io_test_util.h: temporary directories and compressed fixtures for the
// reader tests. Fixtures are written by the tests themselves with the zlib
// and zstd APIs, never checked in.

#ifndef DUBARE_TESTS_IO_IO_TEST_UTIL_H_
#define DUBARE_TESTS_IO_IO_TEST_UTIL_H_

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace dubare::testing {

// A fresh directory, removed with its contents at destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = ::testing::TempDir() + "dubare_io_XXXXXX";
    path_ = ::mkdtemp(tmpl.data());
    EXPECT_FALSE(path_.empty());
  }
  ~TempDir() {
    std::error_code ignored;  // a test may have left an unreadable entry behind
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }
  std::string Path(const std::string& name) const { return path_ + "/" + name; }

  // Writes `data` to path()/name (creating parent directories); returns the full path.
  std::string Write(const std::string& name, const std::string& data) const {
    const std::string full = Path(name);
    std::filesystem::create_directories(std::filesystem::path(full).parent_path());
    std::ofstream out(full, std::ios::binary);
    out << data;
    EXPECT_TRUE(out.good()) << full;
    return full;
  }

 private:
  std::string path_;
};

// One gzip member of `data`.
inline std::string Gzip(const std::string& data, int level = 6) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// One zstd frame of `data`.
inline std::string Zstd(const std::string& data, int level = 3) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), level);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

}  // namespace dubare::testing

#endif  // DUBARE_TESTS_IO_IO_TEST_UTIL_H_
