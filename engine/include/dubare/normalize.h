// Copyright 2026 The Dubare Authors.
//
// normalize.h: Kurdish text normalization with a map back to the input bytes.
//
// Kurdish is typed in many ways: Arabic or Kurdish letters, heh+ZWNJ or ە for
// the vowel e, tatweel, legacy-font diacritics, Arabic-Indic digits, compounds
// joined or split. A Normalizer turns UTF-8 text into one of two forms:
//
//   * kCanonical: modern Sorani (Arabic script) / Kurmanji (Latin script)
//     orthography, fit to show a person (`dubare normalize`).
//   * kMatchKey: a deliberately lossy form for hashing, which also folds what
//     writers spell inconsistently (ە/ه/ھ, ڕ/ر, ڵ/ل, ێ/ی, ۆ/و, punctuation,
//     Latin case), so that two copies of one text typed differently give the
//     same shingles.
//
// Every output byte carries the input byte span it came from (OffsetMap), so a
// match found in normalized text can be shown in the original bytes. The rules
// and the places where public toolkits disagree are listed in
// docs/normalization.md.
//
// Ownership: NormalizedText owns its text and map. A Normalizer holds only its
// options and immutable tables.
//
// Thread safety: a const Normalizer may be used from many threads at once.

#ifndef DUBARE_NORMALIZE_H_
#define DUBARE_NORMALIZE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dubare {

// Bumped whenever a rule change can change the match key for some input:
// hashes made under different versions are not comparable (see SketchParams).
// Nothing hashes the canonical form, so changes to it alone (a lone '\r' no
// longer swallowing a later '\n') do not bump it.
// Version 2: the match key folds Kurmanji î ê û ş ç to i e u s c.
inline constexpr uint32_t kNormalizerVersion = 2;

enum class Script {
  kAuto,      // per word: Arabic-script words get Sorani rules, Latin words Kurmanji/Latin rules
  kSorani,    // Sorani in Arabic script
  kKurmanji,  // Kurmanji (and Sorani) in Latin script
};

enum class NormalForm {
  kCanonical,  // correct orthography, for people
  kMatchKey,   // lossy, for hashing
};

enum class InvalidUtf8Policy {
  kError,    // fail with the byte offset of the first invalid sequence
  kReplace,  // substitute U+FFFD per maximal invalid subpart and count it
};

struct NormalizeOptions {
  Script script = Script::kAuto;
  NormalForm form = NormalForm::kCanonical;
  // Match key only: when false, spaces between words are removed, so joined
  // and split compounds (لەسەر / لە سەر) give the same text. Canonical output
  // always keeps (collapsed) white space.
  bool keep_spaces = true;
  // Keep paragraph breaks ("\n\n" after collapsing) in the canonical form;
  // otherwise every run of white space becomes one space.
  bool keep_paragraphs = true;
  InvalidUtf8Policy on_invalid = InvalidUtf8Policy::kError;
  // Fill NormalizedText::map. Hashing needs only the text: without the map
  // (8 bytes per output byte) normalization is faster and the map is empty.
  bool offset_map = true;
};

// The option values as `dubare normalize` and reports spell them:
// "canonical" / "match", "auto" / "sorani" / "kurmanji", "error" / "replace".
// Parse* fail with kInvalidArgument listing the accepted names.
absl::string_view NormalFormName(NormalForm form);
absl::StatusOr<NormalForm> ParseNormalForm(absl::string_view name);
absl::string_view ScriptName(Script script);
absl::StatusOr<Script> ParseScript(absl::string_view name);
absl::string_view InvalidUtf8PolicyName(InvalidUtf8Policy policy);
absl::StatusOr<InvalidUtf8Policy> ParseInvalidUtf8Policy(absl::string_view name);

// A half-open byte range [begin, end).
struct ByteSpan {
  uint32_t begin = 0;
  uint32_t end = 0;
  uint32_t size() const { return end - begin; }
  friend bool operator==(const ByteSpan&, const ByteSpan&) = default;
};

// Maps each output byte to the input bytes that produced it. Both ends are
// monotone (non-decreasing) in the output position, so the input span of an
// output range is [begin of its first byte, end of its last byte).
namespace text_internal {
class OffsetMapWriter;
}  // namespace text_internal

class OffsetMap {
 public:
  OffsetMap() = default;

  // Number of output bytes mapped.
  size_t size() const { return begin_.size(); }

  // Input span of output bytes [out_begin, out_end); out_end <= size().
  // An empty output range maps to the empty input span at the position where
  // it would start.
  ByteSpan ToInput(size_t out_begin, size_t out_end) const;

  // Records that the next `n` output bytes came from input [in_begin, in_end).
  void Append(uint32_t in_begin, uint32_t in_end, size_t n);

  void Clear();
  void Reserve(size_t n);

  // Raw access for tests and for serializers.
  const std::vector<uint32_t>& begins() const { return begin_; }
  const std::vector<uint32_t>& ends() const { return end_; }

  // Total input size; ToInput of an empty range at the end maps here.
  uint32_t input_size() const { return input_size_; }
  void set_input_size(uint32_t n) { input_size_ = n; }

 private:
  // The normalizer fills the map in bulk, in its hot loop.
  friend class text_internal::OffsetMapWriter;
  std::vector<uint32_t> begin_;
  std::vector<uint32_t> end_;
  uint32_t input_size_ = 0;
};

struct NormalizedText {
  std::string text;  // valid UTF-8
  OffsetMap map;     // map.size() == text.size()
  size_t replacements = 0;  // invalid UTF-8 sequences replaced (kReplace only)
};

class Normalizer {
 public:
  explicit Normalizer(const NormalizeOptions& options = NormalizeOptions());
  ~Normalizer();
  Normalizer(Normalizer&&) noexcept;
  Normalizer& operator=(Normalizer&&) noexcept;

  const NormalizeOptions& options() const { return options_; }

  // Normalizes `input` into `*out` (its previous contents are replaced; its
  // buffers are reused, so a loop over documents does not reallocate).
  // Errors: kInvalidArgument naming the byte offset of invalid UTF-8 under
  // kError; kOutOfRange for inputs of 4 GiB or more. Empty input is OK.
  absl::Status Normalize(absl::string_view input, NormalizedText* out) const;
  absl::StatusOr<NormalizedText> Normalize(absl::string_view input) const;

 private:
  struct Tables;
  NormalizeOptions options_;
  std::unique_ptr<const Tables> tables_;
};

}  // namespace dubare

#endif  // DUBARE_NORMALIZE_H_
