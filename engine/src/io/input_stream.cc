// Copyright 2026 The Dubare Authors.

#include "io/input_stream.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "dubare/status.h"

namespace dubare::io {
namespace {

constexpr size_t kChunk = size_t{1} << 18;  // 256 KiB of compressed input per read

absl::Status ErrnoStatus(const std::string& path, absl::string_view what, int err) {
  return absl::ErrnoToStatus(err, absl::StrCat(path, ": ", what));
}

// Plain bytes from a file descriptor, after `prefix` (the bytes read to
// sniff the magic number).
class FdStream final : public InputStream {
 public:
  FdStream(std::string path, int fd, bool owned, std::string prefix)
      : path_(std::move(path)), fd_(fd), owned_(owned), prefix_(std::move(prefix)) {}
  ~FdStream() override {
    if (owned_) ::close(fd_);
  }

  absl::StatusOr<size_t> Read(char* buf, size_t n) override {
    if (pos_ < prefix_.size()) {
      size_t k = std::min(n, prefix_.size() - pos_);
      std::memcpy(buf, prefix_.data() + pos_, k);
      pos_ += k;
      return k;
    }
    for (;;) {
      ssize_t r = ::read(fd_, buf, n);
      if (r >= 0) return static_cast<size_t>(r);
      if (errno != EINTR) return ErrnoStatus(path_, "read failed", errno);
    }
  }
  Compression compression() const override { return Compression::kNone; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_;
  bool owned_;
  std::string prefix_;
  size_t pos_ = 0;
};

// Shared input buffering of the two decoders.
class DecoderBase : public InputStream {
 protected:
  explicit DecoderBase(std::unique_ptr<FdStream> raw) : raw_(std::move(raw)), in_(kChunk) {}

  // Refills in_ when it is used up; sets eof_ at the end of the raw stream.
  absl::Status Fill() {
    if (in_pos_ < in_len_ || eof_) return absl::OkStatus();
    absl::StatusOr<size_t> n = raw_->Read(in_.data(), in_.size());
    if (!n.ok()) return n.status();
    in_pos_ = 0;
    in_len_ = *n;
    eof_ = *n == 0;
    return absl::OkStatus();
  }
  absl::Status Corrupt(absl::string_view what) const {
    return absl::DataLossError(absl::StrCat(raw_->path(), ": ", what));
  }

  std::unique_ptr<FdStream> raw_;
  std::vector<char> in_;
  size_t in_pos_ = 0, in_len_ = 0;
  bool eof_ = false;
};

class GzipStream final : public DecoderBase {
 public:
  explicit GzipStream(std::unique_ptr<FdStream> raw) : DecoderBase(std::move(raw)) {
    std::memset(&z_, 0, sizeof z_);
    ok_ = inflateInit2(&z_, 15 + 16) == Z_OK;  // 15 + 16: gzip wrapper only
  }
  ~GzipStream() override {
    if (ok_) inflateEnd(&z_);
  }

  absl::StatusOr<size_t> Read(char* buf, size_t n) override {
    if (!ok_) return absl::ResourceExhaustedError(absl::StrCat(raw_->path(), ": inflateInit failed"));
    if (n == 0 || done_) return 0;
    for (;;) {
      if (absl::Status s = Fill(); !s.ok()) return s;
      if (in_pos_ == in_len_ && eof_) {
        if (member_open_) return Corrupt("truncated gzip data");
        done_ = true;
        return 0;
      }
      if (!member_open_) {
        // Another member of a concatenated gzip file starts here.
        inflateReset(&z_);
        member_open_ = true;
      }
      z_.next_in = reinterpret_cast<Bytef*>(in_.data() + in_pos_);
      z_.avail_in = static_cast<uInt>(in_len_ - in_pos_);
      z_.next_out = reinterpret_cast<Bytef*>(buf);
      z_.avail_out = static_cast<uInt>(std::min<size_t>(n, 1u << 30));
      int rc = inflate(&z_, Z_NO_FLUSH);
      in_pos_ = in_len_ - z_.avail_in;
      size_t produced = static_cast<size_t>(reinterpret_cast<char*>(z_.next_out) - buf);
      if (rc == Z_STREAM_END) {
        member_open_ = false;
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return Corrupt(absl::StrCat("corrupt gzip data (", z_.msg ? z_.msg : "zlib error", ") at ",
                                    "decoded byte ", z_.total_out));
      }
      if (produced > 0) return produced;
    }
  }
  Compression compression() const override { return Compression::kGzip; }

 private:
  z_stream z_;
  bool ok_ = false;
  bool member_open_ = true;
  bool done_ = false;
};

class ZstdStream final : public DecoderBase {
 public:
  explicit ZstdStream(std::unique_ptr<FdStream> raw)
      : DecoderBase(std::move(raw)), dctx_(ZSTD_createDCtx()) {}
  ~ZstdStream() override { ZSTD_freeDCtx(dctx_); }

  absl::StatusOr<size_t> Read(char* buf, size_t n) override {
    if (dctx_ == nullptr) return absl::ResourceExhaustedError("ZSTD_createDCtx failed");
    if (n == 0) return 0;
    for (;;) {
      if (absl::Status s = Fill(); !s.ok()) return s;
      if (in_pos_ == in_len_ && eof_ && !pending_output_) {
        if (frame_open_) return Corrupt("truncated zstd data");
        return 0;
      }
      ZSTD_inBuffer in{in_.data(), in_len_, in_pos_};
      ZSTD_outBuffer out{buf, n, 0};
      size_t rc = ZSTD_decompressStream(dctx_, &out, &in);
      in_pos_ = in.pos;
      if (ZSTD_isError(rc)) {
        return Corrupt(absl::StrCat("corrupt zstd data (", ZSTD_getErrorName(rc), ")"));
      }
      frame_open_ = rc != 0;
      // A full output buffer may leave decoded bytes inside the context.
      pending_output_ = out.pos == out.size;
      if (out.pos > 0) return out.pos;
    }
  }
  Compression compression() const override { return Compression::kZstd; }

 private:
  ZSTD_DCtx* dctx_;
  bool frame_open_ = false;
  bool pending_output_ = false;
};

}  // namespace

absl::StatusOr<std::unique_ptr<InputStream>> OpenInputStream(const std::string& path) {
  const bool is_stdin = path == "-";
  int fd = is_stdin ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(path, "cannot open", errno);
  // Sniff up to 5 bytes; a pipe may deliver them in pieces.
  std::string prefix(5, '\0');
  size_t got = 0;
  while (got < prefix.size()) {
    ssize_t r = ::read(fd, prefix.data() + got, prefix.size() - got);
    if (r == 0) break;
    if (r < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      if (!is_stdin) ::close(fd);
      return ErrnoStatus(path, "read failed", err);
    }
    got += static_cast<size_t>(r);
  }
  prefix.resize(got);
  const bool gzip = got >= 2 && prefix[0] == '\x1f' && prefix[1] == '\x8b';
  const bool zstd = got >= 4 && prefix.compare(0, 4, "\x28\xb5\x2f\xfd", 4) == 0;
  // Formats we do not read, named rather than taken for binary text.
  struct Other {
    const char* magic;
    size_t size;
    const char* name;
    const char* undo;
  };
  static constexpr Other kOthers[] = {
      {"\xfd\x37\x7a\x58\x5a", 5, "xz", "xz -d"},
      {"BZh", 3, "bzip2", "bunzip2"},
      {"\x04\x22\x4d\x18", 4, "lz4", "lz4 -d"},
      {"PK\x03\x04", 4, "zip", "unzip"},
      {"\x37\x7a\xbc\xaf", 4, "7z", "7z x"},
  };
  for (const Other& o : kOthers) {
    if (got < o.size || prefix.compare(0, o.size, o.magic, o.size) != 0) continue;
    // "BZh" is also how a text may begin: bzip2's has its block size digit.
    if (o.size == 3 && (got < 4 || prefix[3] < '1' || prefix[3] > '9')) continue;
    if (!is_stdin) ::close(fd);
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": compressed with ", o.name, ", which is not read: decompress it first (",
                     o.undo, ") or recompress it with gzip or zstd"));
  }
  auto raw = std::make_unique<FdStream>(path, fd, !is_stdin, std::move(prefix));
  if (gzip) return std::make_unique<GzipStream>(std::move(raw));
  if (zstd) return std::make_unique<ZstdStream>(std::move(raw));
  return raw;
}

absl::StatusOr<std::unique_ptr<InputStream>> OpenInputStreamAt(const std::string& path,
                                                              uint64_t offset) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(path, "cannot open", errno);
  if (::lseek(fd, static_cast<off_t>(offset), SEEK_SET) < 0) {
    const int err = errno;
    ::close(fd);
    return ErrnoStatus(path, absl::StrCat("cannot seek to byte ", offset), err);
  }
  return std::make_unique<FdStream>(path, fd, /*owned=*/true, std::string());
}

absl::StatusOr<Compression> SniffCompression(const std::string& path) {
  DUBARE_ASSIGN_OR_RETURN(std::unique_ptr<InputStream> stream, OpenInputStream(path));
  return stream->compression();
}

}  // namespace dubare::io
