// Copyright 2026 The Dubare Authors.
//
// Fuzzes the tokenizer and the word and character shinglers. Input: two
// option bytes (kind, k, ignore_spaces), then the text. The text is shingled
// as given (the scanner takes invalid UTF-8 byte by byte) and after match-key
// normalization (kReplace), which is what the pipeline feeds the shingler.
// Invariants checked:
//   * tokens are non-empty, in order, disjoint, inside the text, and (for
//     valid UTF-8) never start or end inside a UTF-8 sequence;
//   * one span per shingle, each non-empty (for non-empty text) and inside
//     the text, begins non-decreasing; empty text gives no shingle;
//   * the no-spans fast path gives the same hashes;
//   * shingling is deterministic.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "dubare/normalize.h"
#include "dubare/reader.h"
#include "dubare/shingle.h"
#include "fuzz_util.h"

namespace dubare {
namespace {

bool IsContinuation(absl::string_view text, size_t i) {
  return i < text.size() && (static_cast<uint8_t>(text[i]) & 0xC0) == 0x80;
}

void Check(const Shingler& shingler, absl::string_view text) {
  const bool valid = FindInvalidUtf8(text) < 0;
  std::vector<Token> tokens;
  shingler.Tokenize(text, &tokens);
  uint32_t last_end = 0;
  for (const Token& t : tokens) {
    FUZZ_CHECK(t.span.begin < t.span.end);
    FUZZ_CHECK(t.span.end <= text.size());
    FUZZ_CHECK(t.span.begin >= last_end);
    FUZZ_CHECK(!valid || !IsContinuation(text, t.span.begin));
    FUZZ_CHECK(!valid || !IsContinuation(text, t.span.end));
    last_end = t.span.end;
  }

  Shingles with_spans, without_spans, again;
  shingler.Shingle(text, &with_spans, /*want_spans=*/true);
  shingler.Shingle(text, &without_spans, /*want_spans=*/false);
  shingler.Shingle(text, &again, /*want_spans=*/true);
  FUZZ_CHECK(with_spans.spans.size() == with_spans.hashes.size());
  FUZZ_CHECK(without_spans.spans.empty());
  FUZZ_CHECK(without_spans.hashes == with_spans.hashes);
  FUZZ_CHECK(again.hashes == with_spans.hashes && again.spans == with_spans.spans);
  if (text.empty()) FUZZ_CHECK(with_spans.hashes.empty());
  uint32_t last_begin = 0;
  for (const ByteSpan& s : with_spans.spans) {
    FUZZ_CHECK(s.begin < s.end);
    FUZZ_CHECK(s.end <= text.size());
    FUZZ_CHECK(s.begin >= last_begin);
    FUZZ_CHECK(!valid || !IsContinuation(text, s.begin));
    FUZZ_CHECK(!valid || !IsContinuation(text, s.end));
    last_begin = s.begin;
  }

  std::vector<uint64_t> set = with_spans.hashes;
  SortUnique(&set);
  for (size_t i = 1; i < set.size(); ++i) FUZZ_CHECK(set[i - 1] < set[i]);
}

}  // namespace
}  // namespace dubare

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dubare;
  fuzz::Input in(data, size);
  const uint8_t a = in.Byte();
  const uint8_t b = in.Byte();
  ShingleOptions options;
  options.kind = (a & 1) ? ShingleKind::kChar : ShingleKind::kWord;
  options.size = 1 + b % (options.kind == ShingleKind::kWord ? 16 : 64);
  options.ignore_spaces = !(a & 2);
  FUZZ_CHECK(options.Validate().ok());
  const Shingler shingler(options);
  const absl::string_view text = in.rest();

  Check(shingler, text);
  static const Normalizer* const kMatchKey[2] = {
      new Normalizer({.form = NormalForm::kMatchKey, .keep_spaces = false,
                      .on_invalid = InvalidUtf8Policy::kReplace}),
      new Normalizer({.form = NormalForm::kMatchKey, .keep_spaces = true,
                      .on_invalid = InvalidUtf8Policy::kReplace})};
  NormalizedText key;
  FUZZ_CHECK(kMatchKey[(a & 4) == 0]->Normalize(text, &key).ok());
  Check(shingler, key.text);
  return 0;
}
