// Copyright 2026 The Dubare Authors.
//
// SketchBatch: the sketch stage's output, how a batch is made on several
// threads, and its binary encoding.

#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/parallel.h"
#include "dubare/sketch.h"
#include "dubare/status.h"

namespace dubare {
namespace {

static_assert(std::endian::native == std::endian::little,
              "SketchBatch encodes arrays as their little-endian memory");

constexpr char kMagic[8] = {'D', 'U', 'B', 'S', 'K', 'B', 'A', 'T'};

void PutU64(std::string* out, uint64_t v) { out->append(reinterpret_cast<const char*>(&v), 8); }
void PutBytes(std::string* out, absl::string_view bytes) {
  PutU64(out, bytes.size());
  out->append(bytes.data(), bytes.size());
}
template <typename T>
void PutArray(std::string* out, const std::vector<T>& v) {
  PutU64(out, v.size());
  if (!v.empty()) out->append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

// Reads the encoding front to back; every failure names the byte offset.
class Cursor {
 public:
  explicit Cursor(absl::string_view bytes) : bytes_(bytes) {}
  size_t offset() const { return offset_; }
  absl::Status Error(absl::string_view what) const {
    return absl::DataLossError(
        absl::StrCat("sketch batch: ", what, " at byte offset ", offset_));
  }
  absl::StatusOr<uint64_t> U64() {
    if (bytes_.size() - offset_ < 8) return Error("truncated");
    uint64_t v;
    std::memcpy(&v, bytes_.data() + offset_, 8);
    offset_ += 8;
    return v;
  }
  absl::StatusOr<absl::string_view> Bytes() {
    DUBARE_ASSIGN_OR_RETURN(const uint64_t n, U64());
    if (bytes_.size() - offset_ < n) return Error("truncated");
    absl::string_view v = bytes_.substr(offset_, n);
    offset_ += n;
    return v;
  }
  template <typename T>
  absl::Status Array(std::vector<T>* v, uint64_t expected) {
    DUBARE_ASSIGN_OR_RETURN(const uint64_t n, U64());
    if (n != expected) return Error(absl::StrCat("array of ", n, " values where ", expected, " belong"));
    if ((bytes_.size() - offset_) / sizeof(T) < n) return Error("truncated");
    v->resize(n);
    if (n > 0) std::memcpy(v->data(), bytes_.data() + offset_, n * sizeof(T));  // data() may be null
    offset_ += n * sizeof(T);
    return absl::OkStatus();
  }

 private:
  absl::string_view bytes_;
  size_t offset_ = 0;
};

}  // namespace

absl::Status SketchBatch::Append(SketchBatch other) {
  DUBARE_RETURN_IF_ERROR(params.CheckCompatible(other.params));
  if (has_simhash != other.has_simhash || has_shingle_sets != other.has_shingle_sets) {
    return absl::FailedPreconditionError(
        "sketch batches are not comparable: one has SimHash fingerprints or shingle sets that the "
        "other lacks");
  }
  if (size() == 0) {
    *this = std::move(other);
    return absl::OkStatus();
  }
  auto move_append = [](auto& to, auto& from) {
    to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
  };
  move_append(text_bytes, other.text_bytes);
  move_append(key_hash, other.key_hash);
  move_append(shingle_count, other.shingle_count);
  move_append(minhash, other.minhash);
  move_append(simhash, other.simhash);
  move_append(shingle_sets, other.shingle_sets);
  move_append(reject_reason, other.reject_reason);
  move_append(reject_detail, other.reject_detail);
  return absl::OkStatus();
}

std::string SketchBatch::Encode() const {
  std::string out(kMagic, sizeof(kMagic));
  PutU64(&out, kEncodingVersion);
  PutBytes(&out, params.ToString());
  PutU64(&out, (has_simhash ? 1 : 0) | (has_shingle_sets ? 2 : 0));
  PutU64(&out, size());
  PutArray(&out, text_bytes);
  PutArray(&out, key_hash);
  PutArray(&out, shingle_count);
  PutArray(&out, minhash);
  if (has_simhash) PutArray(&out, simhash);
  if (has_shingle_sets) {
    for (const std::vector<uint64_t>& set : shingle_sets) PutArray(&out, set);
  }
  for (size_t i = 0; i < size(); ++i) {
    PutBytes(&out, reject_reason[i]);
    PutBytes(&out, reject_detail[i]);
  }
  PutU64(&out, XXH3_64bits(out.data(), out.size()));
  return out;
}

absl::StatusOr<SketchBatch> SketchBatch::Decode(absl::string_view bytes) {
  if (bytes.size() < sizeof(kMagic) + 16 || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    return absl::DataLossError("sketch batch: not a Dubare sketch batch (bad magic at byte offset 0)");
  }
  const size_t body = bytes.size() - 8;
  uint64_t checksum;
  std::memcpy(&checksum, bytes.data() + body, 8);
  Cursor in(bytes.substr(0, body));
  in.U64().IgnoreError();  // skip the magic
  DUBARE_ASSIGN_OR_RETURN(const uint64_t version, in.U64());
  if (version != kEncodingVersion) {
    return absl::FailedPreconditionError(absl::StrCat("sketch batch: encoding version ", version,
                                                      "; this build reads ", kEncodingVersion));
  }
  if (XXH3_64bits(bytes.data(), body) != checksum) {
    return absl::DataLossError(
        absl::StrCat("sketch batch: checksum mismatch (damaged) at byte offset ", body));
  }
  SketchBatch batch;
  DUBARE_ASSIGN_OR_RETURN(const absl::string_view params_text, in.Bytes());
  absl::StatusOr<SketchParams> params = SketchParams::Parse(params_text);
  if (!params.ok()) return Annotate(params.status(), "sketch batch: parameters");
  batch.params = *params;
  DUBARE_ASSIGN_OR_RETURN(const uint64_t features, in.U64());
  if (features > 3) return in.Error("unknown feature bits");
  batch.has_simhash = features & 1;
  batch.has_shingle_sets = features & 2;
  DUBARE_ASSIGN_OR_RETURN(const uint64_t n, in.U64());
  if (n > body) return in.Error("impossible document count");
  DUBARE_RETURN_IF_ERROR(in.Array(&batch.text_bytes, n));
  DUBARE_RETURN_IF_ERROR(in.Array(&batch.key_hash, 2 * n));
  DUBARE_RETURN_IF_ERROR(in.Array(&batch.shingle_count, n));
  DUBARE_RETURN_IF_ERROR(in.Array(&batch.minhash, n * batch.params.num_perm));
  if (batch.has_simhash) DUBARE_RETURN_IF_ERROR(in.Array(&batch.simhash, n));
  if (batch.has_shingle_sets) {
    batch.shingle_sets.resize(n);
    for (std::vector<uint64_t>& set : batch.shingle_sets) {
      const size_t at = in.offset();
      DUBARE_ASSIGN_OR_RETURN(const uint64_t size, Cursor(bytes.substr(at, 8)).U64());
      DUBARE_RETURN_IF_ERROR(in.Array(&set, size));
    }
  }
  batch.reject_reason.resize(n);
  batch.reject_detail.resize(n);
  for (size_t i = 0; i < n; ++i) {
    DUBARE_ASSIGN_OR_RETURN(const absl::string_view reason, in.Bytes());
    DUBARE_ASSIGN_OR_RETURN(const absl::string_view detail, in.Bytes());
    batch.reject_reason[i] = std::string(reason);
    batch.reject_detail[i] = std::string(detail);
  }
  if (in.offset() != body) return in.Error("trailing bytes");
  return batch;
}

absl::StatusOr<SketchBatch> SketchTexts(absl::Span<const absl::string_view> texts,
                                        const SketchParams& params,
                                        const SketchBatchOptions& options) {
  DUBARE_RETURN_IF_ERROR(params.Validate());
  auto empty_batch = [&] {
    SketchBatch b;
    b.params = params;
    b.has_simhash = options.simhash;
    b.has_shingle_sets = options.shingle_sets;
    return b;
  };
  // Contiguous slices, one batch each, appended in order: the result does
  // not depend on the number of workers.
  constexpr size_t kMinSlice = 64;
  const int workers = base::ResolveThreads(options.threads);
  const size_t slices =
      std::max<size_t>(1, std::min<size_t>(workers, texts.size() / kMinSlice));
  std::vector<SketchBatch> parts(slices, empty_batch());
  base::ParallelFor(slices, workers, [&](size_t s, int) {
    DocumentSketcher sketcher(params, options.on_invalid);
    const size_t begin = texts.size() * s / slices, end = texts.size() * (s + 1) / slices;
    for (size_t i = begin; i < end; ++i) sketcher.AppendTo(texts[i], options, &parts[s]);
  });
  SketchBatch batch = empty_batch();
  for (SketchBatch& part : parts) DUBARE_RETURN_IF_ERROR(batch.Append(std::move(part)));
  return batch;
}

}  // namespace dubare
