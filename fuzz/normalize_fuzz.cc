// Copyright 2026 The Dubare Authors.
//
// Fuzzes the normalizer over every option (form, script, spaces, paragraphs,
// invalid-UTF-8 policy). Input: one option byte, then the text.
// Invariants checked:
//   * kError fails exactly when FindInvalidUtf8 (the reader's validator)
//     finds invalid UTF-8, at that byte offset; kReplace never fails;
//   * the output is valid UTF-8 and normalizing it again changes nothing;
//   * the offset map has one entry per output byte, each span lies inside
//     the input, begin <= end, and both ends are monotone;
//   * without the map, the fast paths (the match key's 16-byte blocks among
//     them) give the text that the general rules alone give.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "dubare/normalize.h"
#include "dubare/reader.h"
#include "fuzz_util.h"
#include "text/normalize_internal.h"

namespace dubare {
namespace {

void CheckMap(const NormalizedText& out, size_t input_size) {
  const OffsetMap& map = out.map;
  FUZZ_CHECK(map.size() == out.text.size());
  FUZZ_CHECK(map.input_size() == input_size);
  const auto& b = map.begins();
  const auto& e = map.ends();
  for (size_t i = 0; i < map.size(); ++i) {
    FUZZ_CHECK(b[i] <= e[i]);
    FUZZ_CHECK(e[i] <= input_size);
    if (i > 0) FUZZ_CHECK(b[i - 1] <= b[i] && e[i - 1] <= e[i]);
  }
  // ToInput of every prefix and suffix range stays in range.
  for (size_t i = 0; i <= map.size(); i += 1 + map.size() / 16) {
    const ByteSpan head = map.ToInput(0, i);
    const ByteSpan tail = map.ToInput(i, map.size());
    FUZZ_CHECK(head.begin <= head.end && head.end <= input_size);
    FUZZ_CHECK(tail.begin <= tail.end && tail.end <= input_size);
  }
}

}  // namespace
}  // namespace dubare

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dubare;
  fuzz::Input in(data, size);
  const uint8_t o = in.Byte();
  NormalizeOptions options;
  options.form = (o & 1) ? NormalForm::kMatchKey : NormalForm::kCanonical;
  options.script = static_cast<Script>((o >> 1) % 3);
  options.keep_spaces = !(o & 8);
  options.keep_paragraphs = !(o & 16);
  options.on_invalid = (o & 32) ? InvalidUtf8Policy::kReplace : InvalidUtf8Policy::kError;
  const absl::string_view text = in.rest();

  // One normalizer per option byte (the script uses its high bits), built once.
  static std::unique_ptr<Normalizer> cache[256];
  std::unique_ptr<Normalizer>& slot = cache[o];
  if (slot == nullptr) slot = std::make_unique<Normalizer>(options);
  const Normalizer& normalizer = *slot;
  NormalizedText out;
  const absl::Status status = normalizer.Normalize(text, &out);
  const int64_t invalid = FindInvalidUtf8(text);
  if (options.on_invalid == InvalidUtf8Policy::kError) {
    FUZZ_CHECK(status.ok() == (invalid < 0));
    if (!status.ok()) {
      FUZZ_CHECK(status.code() == absl::StatusCode::kInvalidArgument);
      FUZZ_CHECK(absl::StrContains(status.message(), absl::StrCat("byte offset ", invalid)));
      return 0;
    }
  } else {
    FUZZ_CHECK(status.ok());
    FUZZ_CHECK((out.replacements > 0) == (invalid >= 0));
  }
  FUZZ_CHECK(FindInvalidUtf8(out.text) < 0);
  CheckMap(out, text.size());

  // Without the map (the match key then reads 16 bytes at a time): the same
  // text, which the general rules alone also give.
  static std::unique_ptr<Normalizer> text_only_cache[256];
  std::unique_ptr<Normalizer>& text_only_slot = text_only_cache[o];
  if (text_only_slot == nullptr) {
    NormalizeOptions text_only = options;
    text_only.offset_map = false;
    text_only_slot = std::make_unique<Normalizer>(text_only);
  }
  NormalizedText fast, general;
  FUZZ_CHECK(text_only_slot->Normalize(text, &fast).ok());
  FUZZ_CHECK(fast.text == out.text);
  FUZZ_CHECK(text_internal::NormalizeWith(text_only_slot->options(), text, &general, false).ok());
  FUZZ_CHECK(general.text == fast.text);

  NormalizedText again;
  FUZZ_CHECK(normalizer.Normalize(out.text, &again).ok());
  FUZZ_CHECK(again.text == out.text);
  FUZZ_CHECK(again.replacements == 0);
  return 0;
}
