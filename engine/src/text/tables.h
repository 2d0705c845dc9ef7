// Copyright 2026 The Dubare Authors.
//
// tables.h: the per-code-point rule table behind dubare::Normalizer.
//
// For every BMP code point the table holds what the normalizer does with it:
// NFKC (or NFKC_Casefold for the match key) composed with the context-free
// Kurdish rules, precomputed with ICU when the table is built. The hot loop
// then needs one lookup per code point; only the context rules (word start,
// heh+ZWNJ, letter+mark, white-space runs) run at normalization time, and
// only code points that can combine with what precedes them (kComposesBack)
// send a short segment through ICU.
//
// Tables are immutable once built and shared by every Normalizer with the
// same (form, script): TableFor() builds each variant once, thread-safely.

#ifndef DUBARE_TEXT_TABLES_H_
#define DUBARE_TEXT_TABLES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "dubare/normalize.h"

namespace dubare::text_internal {

enum class Action : uint8_t {
  kEmit,       // write the 1-4 UTF-8 bytes in Entry::bytes
  kExpand,     // NFKC gives several code points: run each (Table::expansions) through the rules
  kDrop,       // remove; invisible to context rules (marks, tatweel, bidi, ZWJ, BOM, ...)
  kSpace,      // white space; Entry::aux = the newlines it counts
  kCr,         // '\r': one newline, none when '\n' follows (CRLF)
  kSeparator,  // match key: punctuation, which separates words like a space
  kZwnj,       // ZWNJ: a pending ه becomes ە; then removed
  kPendable,   // canonical Sorani: a letter that a following mark, ZWNJ or word end can change
  kMark,       // canonical Sorani: an Arabic mark that may change the pending letter
  kAmp,        // '&': may open an HTML entity for ZWNJ
};

// Entry::aux for kPendable: which letter; for kMark: which letters it changes.
enum PendingLetter : uint8_t {
  kHeh = 1,         // ه: ە before ZWNJ or at a word end
  kKnottedHeh = 2,  // ھ, or ه marked as a consonant by tatweel/ZWJ: ھ at a word end, else ه
  kYeh = 3,
  kWaw = 4,
  kLam = 5,
  kReh = 6,
  kAlef = 7,        // joins a pending ل: لا + fatha → ڵا
  kLamAlef = 8,
};
enum MarkCarries : uint8_t {
  kCarriesV = 1,      // fatha, fathatan, dammatan, small v above: ی → ێ, و → ۆ, ل → ڵ
  kCarriesVBelow = 2  // kasra, kasratan: ر → ڕ
};
// Entry::aux for kDrop: tatweel and ZWJ after ه mark it as the consonant.
inline constexpr uint8_t kMarksConsonantH = 1;

// Entry::flags.
enum EntryFlags : uint8_t {
  kLetter = 1,         // output is a letter: the next character is not at a word start
  kComposesBack = 2,   // may compose or reorder with the preceding character under NFKC
  kWordInitialR = 4,   // canonical Sorani ر: becomes ڕ at the start of a word
  kCombining = 8,      // has no NFKC boundary before it: combining marks, and kComposesBack
  kPlain = 16,         // kEmit and not kCombining, or kPendable: the fast path may take it
  kTransparent = 32,   // kDrop or kZwnj and not kCombining: removed, changing nothing after it
};

struct Entry {
  Action action = Action::kDrop;
  uint8_t flags = 0;
  uint8_t len = 0;  // kEmit: bytes in `bytes`; kExpand: number of code points
  uint8_t aux = 0;  // kSpace: newlines; kPendable: PendingLetter; kMark: MarkCarries
  union {
    char bytes[4];     // kEmit, kPendable: the UTF-8 output
    uint32_t offset;   // kExpand: first code point in Table::expansions
  };
  Entry() : offset(0) {}
};
static_assert(sizeof(Entry) == 8);

// The block path of context-free tables (normalize.cc), for text in ASCII
// and the Arabic block U+0600..U+06FF: which characters a 16-byte block may
// hold to be written as read, folded (A-Z) or as another two-byte character.
// Derived from Table::bmp when the table is built, so it cannot disagree.
struct BlockRules {
  // Only for context-free tables, where no entry is kPendable, kMark or kZwnj
  // (the match key; canonical Kurmanji): every code point is settled without
  // looking at the next one.
  bool enabled = false;
  // Bit c & 7 of byte c >> 3: ASCII c (not the space) is written as itself.
  uint8_t ascii_ok[16] = {};
  bool fold_upper = false;  // A-Z are written as a-z
  // Bit i & 7 of byte i >> 3, i = cp - 0x600: a non-combining character
  // written as two bytes, itself (ok only) or arabic_sub_bytes[i] (ok and sub).
  uint8_t arabic_ok[32] = {};
  uint8_t arabic_sub[32] = {};
  char arabic_sub_bytes[256][2] = {};
  // The 64-byte block path only (BlockPrefix64) also takes, by the same
  // bit layout: non-combining characters that are removed (tatweel), not
  // next to a space; characters written as one ASCII byte (Arabic-Indic
  // digits), that byte in arabic_one_byte; and ZWNJ when it is removed
  // (zwnj_drop), not next to a space. Next to a space the general rules
  // would collapse the spaces on either side into one.
  uint8_t arabic_drop[32] = {};
  // White space and separators (kSpace, kSeparator, kCr), as ascii_ok and
  // arabic_ok are laid out.
  uint8_t ascii_white[16] = {};
  uint8_t arabic_white[32] = {};
  uint8_t arabic_one[32] = {};
  alignas(64) char arabic_one_byte[256] = {};
  bool zwnj_drop = false;
  // arabic_sub_bytes as two tables of 256, for lookups by byte permutes.
  alignas(64) char arabic_sub_lead[256] = {};
  alignas(64) char arabic_sub_trail[256] = {};
};

struct Table {
  NormalForm form;
  Script script;
  std::vector<Entry> bmp;           // 0x10000 entries
  std::vector<char32_t> expansions;  // code points of kExpand entries
  BlockRules block;
};

// The shared table for (form, script), built on first use.
const Table& TableFor(NormalForm form, Script script);

// The entry of a code point that is already NFKC (NFKC_Casefold for the match
// key), for code points outside the BMP met in a slow segment. Slow: uses ICU.
Entry ClassifyStable(const Table& table, char32_t cp);

// The table's kComposesBack and kCombining flags, computed with ICU outside
// the BMP: whether `cp` may combine with (kComposesBack), or at least has no
// NFKC boundary against (kCombining), the character before it.
bool NoBoundaryBeforeOutsideBmp(const Table& table, char32_t cp);
inline bool ComposesBack(const Table& table, char32_t cp) {
  if (cp < 0x10000) return (table.bmp[cp].flags & kComposesBack) != 0;
  return NoBoundaryBeforeOutsideBmp(table, cp);
}
inline bool IsCombining(const Table& table, char32_t cp) {
  if (cp < 0x10000) return (table.bmp[cp].flags & kCombining) != 0;
  return NoBoundaryBeforeOutsideBmp(table, cp);
}

// NFKC (NFKC_Casefold for the match key) of a short segment, with the Kurdish
// hamza-above rules that NFKC lacks (ی + U+0654 → ئ, ه + U+0654 → ە).
void NormalizeSegment(const Table& table, const char32_t* cps, size_t n,
                      std::u32string* out);

// Encodes `cp` as UTF-8 into `out` (room for 4 bytes); returns the length.
int EncodeUtf8(char32_t cp, char* out);

}  // namespace dubare::text_internal

#endif  // DUBARE_TEXT_TABLES_H_
