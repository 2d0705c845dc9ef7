// Copyright 2026 The Dubare Authors.

#include <algorithm>

#include <xxhash.h>

#include "dubare/normalize.h"
#include "dubare/shingle.h"
#include "dubare/sketch.h"

namespace dubare {

struct DocumentSketcher::Impl {
  Impl(const SketchParams& p, InvalidUtf8Policy on_invalid)
      : params(p),
        normalizer([&] {
          NormalizeOptions o;
          o.form = NormalForm::kMatchKey;
          o.keep_spaces = p.match_key_keep_spaces;
          o.on_invalid = on_invalid;
          o.offset_map = false;  // sketches hash the text only
          return o;
        }()),
        shingler(p.shingle),
        minhasher(p) {}

  // The match key of `text`, shingled into `shingles.hashes`.
  absl::Status ShingleText(absl::string_view text) {
    if (absl::Status s = normalizer.Normalize(text, &normalized); !s.ok()) return s;
    key_hash = XXH3_128bits(normalized.text.data(), normalized.text.size());
    shingler.Shingle(normalized.text, &shingles, /*want_spans=*/false);
    return absl::OkStatus();
  }

  SketchParams params;
  Normalizer normalizer;
  Shingler shingler;
  MinHasher minhasher;
  // Scratch reused from document to document.
  NormalizedText normalized;
  XXH128_hash_t key_hash{0, 0};  // of `normalized`
  Shingles shingles;
  // AppendTo's.
  std::vector<uint32_t> scratch_minhash;
  DocumentSketch scratch_sketch;
};

DocumentSketcher::DocumentSketcher(const SketchParams& params, InvalidUtf8Policy on_invalid)
    : impl_(new Impl(params, on_invalid)) {}

DocumentSketcher::~DocumentSketcher() = default;

const SketchParams& DocumentSketcher::params() const { return impl_->params; }

absl::Status DocumentSketcher::Sketch(absl::string_view text, DocumentSketch* out) {
  Impl& m = *impl_;
  if (absl::Status s = m.ShingleText(text); !s.ok()) return s;
  out->normalized_bytes = m.normalized.text.size();
  // SimHash weighs shingles by their frequency, so it sees the multiset
  // before deduplication; MinHash and the exact sets use the unique set.
  out->simhash = SimHash(m.shingles.hashes);
  out->num_shingles = m.shingles.hashes.size();
  out->shingles.swap(m.shingles.hashes);  // out's old buffer becomes next call's scratch
  SortUnique(&out->shingles);
  out->minhash.resize(m.params.num_perm);
  m.minhasher.Sketch(out->shingles, absl::MakeSpan(out->minhash));
  return absl::OkStatus();
}

absl::Status DocumentSketcher::SketchMinHash(absl::string_view text,
                                             std::vector<uint32_t>* minhash,
                                             size_t* num_shingles) {
  Impl& m = *impl_;
  if (absl::Status s = m.ShingleText(text); !s.ok()) return s;
  if (num_shingles != nullptr) *num_shingles = m.shingles.hashes.size();
  minhash->resize(m.params.num_perm);
  m.minhasher.Sketch(m.shingles.hashes, absl::MakeSpan(*minhash));
  return absl::OkStatus();
}

void DocumentSketcher::AppendTo(absl::string_view text, const SketchBatchOptions& options,
                                SketchBatch* batch) {
  const size_t k = batch->params.num_perm;
  const size_t doc = batch->size();
  batch->text_bytes.push_back(text.size());
  batch->key_hash.insert(batch->key_hash.end(), {0, 0});
  batch->shingle_count.push_back(0);
  batch->reject_reason.emplace_back();
  batch->reject_detail.emplace_back();
  batch->minhash.resize((doc + 1) * k, 0xFFFFFFFFu);
  if (options.simhash) batch->simhash.push_back(0);
  if (options.shingle_sets) batch->shingle_sets.emplace_back();

  absl::Status status;
  size_t shingles = 0;
  if (!options.simhash && !options.shingle_sets) {
    // The signature alone: no shingle set, no SimHash (a minimum does not
    // see repeats).
    std::vector<uint32_t>& scratch = impl_->scratch_minhash;
    status = SketchMinHash(text, &scratch, &shingles);
    if (status.ok() && shingles > 0) {
      std::copy(scratch.begin(), scratch.end(), batch->minhash.begin() + doc * k);
    }
  } else {
    status = Sketch(text, &impl_->scratch_sketch);
    shingles = impl_->scratch_sketch.num_shingles;
    if (status.ok() && shingles > 0) {
      std::copy(impl_->scratch_sketch.minhash.begin(), impl_->scratch_sketch.minhash.end(),
                batch->minhash.begin() + doc * k);
      if (options.simhash) batch->simhash.back() = impl_->scratch_sketch.simhash;
      if (options.shingle_sets) batch->shingle_sets.back() = impl_->scratch_sketch.shingles;
    }
  }
  if (status.ok()) {
    batch->shingle_count.back() = static_cast<uint32_t>(std::min<size_t>(shingles, UINT32_MAX));
    batch->key_hash[2 * doc] = impl_->key_hash.low64;
    batch->key_hash[2 * doc + 1] = impl_->key_hash.high64;
  }
  if (!status.ok()) {
    batch->reject_reason.back() = "sketch_error";
    batch->reject_detail.back() = std::string(status.message());
  } else if (shingles == 0) {
    batch->reject_reason.back() = "no_words";
    batch->reject_detail.back() = "no word remains after normalization";
  }
}

}  // namespace dubare
