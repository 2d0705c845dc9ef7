// Copyright 2026 The Dubare Authors.
//
// shingle.h: tokens and shingles of normalized text, as 64-bit hashes.
//
// A shingle is a k-gram of words or of code points of match-key text. Each
// becomes a 64-bit XXH3 hash. Word shingles hash every token once and combine
// the k token hashes, so the cost grows with the text and not with k. Every
// shingle keeps the byte span of the normalized text it covers (map it back to
// the original input with OffsetMap::ToInput).
//
// Downstream stages (MinHash, SimHash, exact Jaccard, LSH) take
// absl::Span<const uint64_t> of hashes, never strings.
//
// Ownership: Shingles owns its vectors; Shingler holds its options and, for
// character shingles, an immutable table shared between copies.
// Thread safety: a const Shingler may be used from many threads at once.

#ifndef DUBARE_SHINGLE_H_
#define DUBARE_SHINGLE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "dubare/normalize.h"

namespace dubare {

enum class ShingleKind : uint8_t {
  kWord = 0,  // k consecutive words
  kChar = 1,  // k consecutive code points
};

struct ShingleOptions {
  ShingleKind kind = ShingleKind::kWord;
  // k; for words 1..16, for characters 1..64. The default word k = 2 is
  // chosen from measurements on Kurdish text (docs/sketching.md): Kurdish
  // words carry their clitics, so two of them already make a rare unit, and
  // k = 2 keeps copies with 20% of their words edited above the default
  // threshold while unrelated same-topic text stays below 0.1.
  int size = 2;
  // Character shingles only: skip white space, so joined and split compounds
  // (لەسەر / لە سەر) give the same shingles.
  bool ignore_spaces = true;
  uint64_t seed = 0x64756261726530ull;  // "dubare0"

  absl::Status Validate() const;
  friend bool operator==(const ShingleOptions&, const ShingleOptions&) = default;
};

// One token (word) of the input: its byte span and its hash.
struct Token {
  ByteSpan span;
  uint64_t hash = 0;
};

// Shingle hashes in text order (duplicates kept) with their spans.
struct Shingles {
  std::vector<uint64_t> hashes;
  std::vector<ByteSpan> spans;  // spans[i] covers shingle i; empty if not asked for
  void Clear() { hashes.clear(); spans.clear(); }
};

class Shingler {
 public:
  explicit Shingler(const ShingleOptions& options = ShingleOptions());
  const ShingleOptions& options() const { return options_; }

  // Splits text into words (letters, marks and digits; everything else
  // separates) and hashes each. Appends to *out after clearing it.
  void Tokenize(absl::string_view text, std::vector<Token>* out) const;

  // Shingles `text` (normally match-key output). A text shorter than k units
  // gives one shingle covering all of it, so short documents still compare;
  // an empty text gives none. With want_spans=false, out->spans stays empty
  // (the fast path used when only a signature is needed).
  void Shingle(absl::string_view text, Shingles* out, bool want_spans = true) const;

 private:
  ShingleOptions options_;
  // Character shingles: the hashes of code points below U+0800 (ASCII, Latin,
  // Arabic script), computed once, so the hot loop looks them up.
  std::shared_ptr<const std::vector<uint64_t>> char_hashes_;
};

// Sorts and deduplicates hashes in place: the set a sketch is made of.
void SortUnique(std::vector<uint64_t>* hashes);

// The text form of the shingle kind and size used by flags and by
// SketchParams::ToString: "word:K", "char:K" (ignore_spaces) or "charsp:K"
// (character shingles that keep white space).
std::string ShingleSpec(const ShingleOptions& options);
// Parses that form into *options (its seed is kept); validates the size.
absl::Status ParseShingleSpec(absl::string_view spec, ShingleOptions* options);

}  // namespace dubare

#endif  // DUBARE_SHINGLE_H_
