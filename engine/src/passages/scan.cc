// Copyright 2026 The Dubare Authors.

#include "passages/scan.h"

#include <algorithm>

#include "passages/winnow.h"
#include "unicode/utf8.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace dubare::passages_internal {
namespace {

constexpr uint64_t kWordSeed = 0x7061737361676531ull;  // "passage1"

uint32_t Hash32(absl::string_view s) {
  const uint64_t h = XXH3_64bits_withSeed(s.data(), s.size(), kWordSeed);
  return static_cast<uint32_t>(h ^ (h >> 32));
}

// Decodes one code point at s[i]. The input is normalizer output (valid
// UTF-8); a truncated sequence is taken byte by byte rather than read past.
size_t Decode(absl::string_view s, size_t i, uint32_t* cp) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data()) + i;
  const size_t len = p[0] < 0x80 ? 1 : p[0] < 0xE0 ? 2 : p[0] < 0xF0 ? 3 : 4;
  if (len == 1 || i + len > s.size()) {
    *cp = p[0];
    return 1;
  }
  uint32_t v = p[0] & (0x7F >> len);
  for (size_t k = 1; k < len; ++k) v = (v << 6) | (p[k] & 0x3F);
  *cp = v;
  return len;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  uint8_t buf[U8_MAX_LENGTH];
  int32_t n = 0;
  U8_APPEND_UNSAFE(buf, n, cp);
  out->append(reinterpret_cast<const char*>(buf), n);
}

// The skeleton letter of `cp`, or 0 when it is dropped.
uint32_t SkeletonLetter(uint32_t cp) {
  switch (cp) {
    case 0x0647: case 0x06D5: case 0x06BE: case 0x0629:  // the h/e letters
    case 0x0640:                                         // tatweel
    case 0x200C: case 0x200D:                            // joiners
      return 0;
    case 0x00EA: case 0x00CA: return 'e';  // ê
    case 0x00EE: case 0x00CE: return 'i';  // î
    case 0x00FB: case 0x00DB: return 'u';  // û
    case 0x00E7: case 0x00C7: return 'c';  // ç
    case 0x015F: case 0x015E: return 's';  // ş
    default:
      return cp < 0x80 && cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp;
  }
}

}  // namespace

void AppendSkeleton(absl::string_view word, std::string* out) {
  uint32_t last = 0;
  for (size_t i = 0; i < word.size();) {
    uint32_t cp;
    i += Decode(word, i, &cp);
    const uint32_t letter = SkeletonLetter(cp);
    if (letter == 0 || letter == last) continue;
    AppendUtf8(letter, out);
    last = letter;
  }
}

std::string Skeleton(absl::string_view word) {
  std::string out;
  AppendSkeleton(word, &out);
  return out;
}

WordKey MakeWordKey(absl::string_view word, absl::string_view next, KeyScratch* scratch) {
  WordKey key;
  key.exact = Hash32(word);
  scratch->skeleton.clear();
  AppendSkeleton(word, &scratch->skeleton);
  key.fuzzy = Hash32(scratch->skeleton);
  if (!next.empty()) {
    scratch->joined.assign(word.data(), word.size());
    scratch->joined.append(next.data(), next.size());
    key.join = Hash32(scratch->joined);
    scratch->skeleton.clear();
    AppendSkeleton(scratch->joined, &scratch->skeleton);
    key.join_fuzzy = Hash32(scratch->skeleton);
  }
  return key;
}

WordKey MakeWordKey(absl::string_view word, absl::string_view next) {
  KeyScratch scratch;
  return MakeWordKey(word, next, &scratch);
}

DocumentScanner::DocumentScanner(const PassageOptions& options)
    : normalizer_(NormalizeOptions{.form = NormalForm::kMatchKey,
                                   .keep_spaces = true,
                                   .keep_paragraphs = false,
                                   .on_invalid = options.on_invalid}),
      chars_(ShingleOptions{.kind = ShingleKind::kChar,
                            .size = options.anchor_chars,
                            .ignore_spaces = true}),
      words_(ShingleOptions{}),
      window_(options.winnow_window) {}

absl::Status DocumentScanner::Normalize(absl::string_view text) {
  return normalizer_.Normalize(text, &norm_);
}

absl::Status DocumentScanner::Fingerprints(absl::string_view text,
                                           std::vector<Fingerprint>* out, uint32_t* words) {
  out->clear();
  *words = 0;
  if (absl::Status s = Normalize(text); !s.ok()) return s;
  words_.Tokenize(norm_.text, &tokens_);
  *words = static_cast<uint32_t>(tokens_.size());
  if (tokens_.empty()) return absl::OkStatus();
  chars_.Shingle(norm_.text, &shingles_, /*want_spans=*/true);
  Winnow(shingles_.hashes, window_, &kept_);
  out->reserve(kept_.size());
  // Kept k-grams come in text order, so two cursors find their words.
  size_t first = 0, last = 0;
  for (uint32_t k : kept_) {
    const ByteSpan span = shingles_.spans[k];
    while (first < tokens_.size() && tokens_[first].span.end <= span.begin) ++first;
    if (first == tokens_.size()) break;
    last = std::max(last, first);
    while (last + 1 < tokens_.size() && tokens_[last + 1].span.begin < span.end) ++last;
    out->push_back(Fingerprint{shingles_.hashes[k], static_cast<uint32_t>(first),
                               static_cast<uint32_t>(std::min<size_t>(last - first + 1, 255))});
  }
  return absl::OkStatus();
}

absl::Status DocumentScanner::Words(absl::string_view text, DocWords* out) {
  out->keys.clear();
  out->original.clear();
  if (absl::Status s = Normalize(text); !s.ok()) return s;
  words_.Tokenize(norm_.text, &tokens_);
  const absl::string_view norm = norm_.text;
  out->keys.reserve(tokens_.size());
  out->original.reserve(tokens_.size());
  for (size_t i = 0; i < tokens_.size(); ++i) {
    const ByteSpan s = tokens_[i].span;
    absl::string_view next;
    if (i + 1 < tokens_.size()) {
      next = norm.substr(tokens_[i + 1].span.begin, tokens_[i + 1].span.size());
    }
    out->keys.push_back(MakeWordKey(norm.substr(s.begin, s.size()), next, &scratch_));
    out->original.push_back(norm_.map.ToInput(s.begin, s.end));
  }
  return absl::OkStatus();
}

}  // namespace dubare::passages_internal
