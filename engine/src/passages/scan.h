// Copyright 2026 The Dubare Authors.
//
// scan.h (private): the per-document front end of the passage finder. It
// normalizes a document to its match key (spaces kept, so words stay words)
// and produces either its winnowed anchor fingerprints or its words as
// alignment keys with their spans in the original text.
//
// Thread safety: a DocumentScanner keeps scratch buffers; use one per thread.

#ifndef DUBARE_PASSAGES_SCAN_H_
#define DUBARE_PASSAGES_SCAN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "dubare/normalize.h"
#include "dubare/passages.h"
#include "dubare/shingle.h"
#include "passages/align.h"

namespace dubare::passages_internal {

// A kept k-gram: its hash, the word it starts in and how many words it
// touches (at least 1, at most 255).
struct Fingerprint {
  uint64_t hash = 0;
  uint32_t word = 0;
  uint32_t extent = 0;
};

// The words of a document: alignment keys and original byte spans.
struct DocWords {
  std::vector<WordKey> keys;
  std::vector<ByteSpan> original;
  size_t size() const { return keys.size(); }
};

// The skeleton of a match-key word, under which spelling variants agree:
// ە/ه/ھ/ة, tatweel and joiners dropped, Latin letters without diacritics,
// runs of one letter collapsed to one.
std::string Skeleton(absl::string_view word);

// Keys of `word` followed by `next` (empty for the last word).
WordKey MakeWordKey(absl::string_view word, absl::string_view next);
// The same with reused buffers, for loops over words.
struct KeyScratch {
  std::string joined, skeleton;
};
WordKey MakeWordKey(absl::string_view word, absl::string_view next, KeyScratch* scratch);

class DocumentScanner {
 public:
  explicit DocumentScanner(const PassageOptions& options);

  // The winnowed fingerprints of `text`, in text order; *words is set to
  // its number of words. Errors are the normalizer's.
  absl::Status Fingerprints(absl::string_view text, std::vector<Fingerprint>* out,
                            uint32_t* words);
  // The words of `text`, in text order.
  absl::Status Words(absl::string_view text, DocWords* out);

 private:
  absl::Status Normalize(absl::string_view text);

  Normalizer normalizer_;
  Shingler chars_;
  Shingler words_;
  int window_;
  NormalizedText norm_;
  Shingles shingles_;
  std::vector<Token> tokens_;
  std::vector<uint32_t> kept_;
  KeyScratch scratch_;
};

}  // namespace dubare::passages_internal

#endif  // DUBARE_PASSAGES_SCAN_H_
