// Copyright 2026 The Dubare Authors.

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
    shingler.Shingle(normalized.text, &shingles, /*want_spans=*/false);
    return absl::OkStatus();
  }

  SketchParams params;
  Normalizer normalizer;
  Shingler shingler;
  MinHasher minhasher;
  // Scratch reused from document to document.
  NormalizedText normalized;
  Shingles shingles;
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
  out->shingles.swap(m.shingles.hashes);  // out's old buffer becomes next call's scratch
  SortUnique(&out->shingles);
  out->minhash.resize(m.params.num_perm);
  m.minhasher.Sketch(out->shingles, absl::MakeSpan(out->minhash));
  return absl::OkStatus();
}

absl::Status DocumentSketcher::SketchMinHash(absl::string_view text,
                                             std::vector<uint32_t>* minhash) {
  Impl& m = *impl_;
  if (absl::Status s = m.ShingleText(text); !s.ok()) return s;
  minhash->resize(m.params.num_perm);
  m.minhasher.Sketch(m.shingles.hashes, absl::MakeSpan(*minhash));
  return absl::OkStatus();
}

}  // namespace dubare
