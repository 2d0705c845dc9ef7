// Copyright 2026 The Dubare Authors.

#include "text/tables.h"

#include <array>
#include <mutex>

#include "unicode/normalizer2.h"
#include "unicode/uchar.h"
#include "unicode/unistr.h"
#include "unicode/unorm2.h"

namespace dubare::text_internal {
namespace {

bool SoraniRules(const Table& t) { return t.script != Script::kKurmanji; }
bool LatinRules(const Table& t) { return t.script != Script::kSorani; }
bool IsMatchKey(const Table& t) { return t.form == NormalForm::kMatchKey; }

const icu::Normalizer2& NormalizerFor(NormalForm form) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* n = form == NormalForm::kMatchKey
                                  ? icu::Normalizer2::getNFKCCasefoldInstance(status)
                                  : icu::Normalizer2::getNFKCInstance(status);
  // ICU's data is linked in; failing to load it is a broken installation.
  if (U_FAILURE(status) || n == nullptr) std::abort();
  return *n;
}

// Arabic combining marks: harakat, Quranic marks, hamza above/below.
bool IsArabicMark(char32_t c) {
  const bool arabic_block =
      (c >= 0x0600 && c <= 0x06FF) || (c >= 0x0750 && c <= 0x077F) || (c >= 0x0870 && c <= 0x08FF);
  return arabic_block && u_charType(c) == U_NON_SPACING_MARK;
}

// Characters that are rewritten before NFKC, because NFKC would turn them
// into something worse (´ → space + combining acute) or ICU's case folding
// disagrees with Kurdish (İ → i + combining dot).
char32_t PreNfkc(NormalForm form, char32_t c) {
  switch (c) {
    case 0x0060:  // grave accent typed as an apostrophe
    case 0x00B4:  // acute accent typed as an apostrophe
      return U'\'';
    case 0x0130:  // İ
      return form == NormalForm::kMatchKey ? U'i' : U'I';
    default:
      return c;
  }
}

// Zero-width and invisible format characters, handled before NFKC because
// NFKC_Casefold deletes some of them (and ZWNJ must first act on heh).
bool IsInvisible(char32_t c) {
  switch (c) {
    case 0x00AD:  // soft hyphen
    case 0x034F:  // combining grapheme joiner
    case 0x061C:  // Arabic letter mark
    case 0x0640:  // tatweel
    case 0x180E:  // Mongolian vowel separator
    case 0x200B:  // zero-width space
    case 0x200D:  // ZWJ
    case 0x200E:  // LRM
    case 0x200F:  // RLM
    case 0x2060:  // word joiner
    case 0xFEFF:  // BOM / zero-width no-break space
      return true;
    default:
      return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
  }
}

// Sorani letters: the variants of ک, ی, ە, ه, ۆ, ا, ڕ, ڵ.
char32_t SoraniLetter(char32_t c) {
  switch (c) {
    case 0x0643: case 0x06AA: case 0x063B: case 0x063C:  // ك ڪ ػ ؼ
      return 0x06A9;                                      // ک
    case 0x064A: case 0x0649: case 0x06D2: case 0x06CD: case 0x06D3:  // ي ى ے ۍ ۓ
      return 0x06CC;                                                  // ی
    case 0x0629: case 0x06C0: case 0x06C2: case 0x06C3:  // ة ۀ ۂ ۃ
      return 0x06D5;                                      // ە
    case 0x06C1:    // ہ
      return 0x0647;  // ه
    case 0x0624:    // ؤ
      return 0x06C6;  // ۆ
    case 0x0622: case 0x0623: case 0x0625: case 0x0671: case 0x0672: case 0x0673:  // آ أ إ ٱ ٲ ٳ
      return 0x0627;                                                               // ا
    case 0x0692: case 0x0694: case 0x0696: case 0x0697: case 0x06EF:  // ڒ ڔ ږ ڗ ۯ
      return 0x0695;                                                  // ڕ
    case 0x06B6: case 0x06B7: case 0x06B8:  // ڶ ڷ ڸ
      return 0x06B5;                         // ڵ
    default:
      return c;
  }
}

// Match key: one letter for what writers interchange.
char32_t MatchFold(char32_t c) {
  switch (c) {
    case 0x06D5: return 0x0647;  // ە → ه
    case 0x06BE: return 0x0647;  // ھ → ه
    case 0x0695: return 0x0631;  // ڕ → ر
    case 0x06B5: return 0x0644;  // ڵ → ل
    case 0x06CE: return 0x06CC;  // ێ → ی
    case 0x06C6: return 0x0648;  // ۆ → و
    default: return c;
  }
}

char32_t LatinLetter(char32_t c) {
  switch (c) {
    case 0x00E9: return 0x00EA;  // é → ê
    case 0x00C9: return 0x00CA;  // É → Ê
    case 0x00ED: return 0x00EE;  // í → î
    case 0x00CD: return 0x00CE;  // Í → Î
    case 0x00FA: return 0x00FB;  // ú → û
    case 0x00DA: return 0x00DB;  // Ú → Û
    case 0x0131: return U'i';    // ı → i
    default: return c;
  }
}

// The match key of Kurmanji typed without its diacritics: keyboards and SMS
// habits write î ê û ş ç as i e u s c, and a text and such a copy would
// otherwise share almost no word shingle (Jaccard 0.135 on BLARK).
char32_t LatinMatchFold(char32_t c) {
  switch (c) {
    case 0x00EE: case 0x00CE: return U'i';  // î Î
    case 0x00EA: case 0x00CA: return U'e';  // ê Ê
    case 0x00FB: case 0x00DB: return U'u';  // û Û
    case 0x015F: case 0x015E: return U's';  // ş Ş
    case 0x00E7: case 0x00C7: return U'c';  // ç Ç
    default: return c;
  }
}

// Punctuation and digits that have one form in both scripts.
char32_t CommonForm(char32_t c) {
  if (c >= 0x0660 && c <= 0x0669) return U'0' + (c - 0x0660);
  if (c >= 0x06F0 && c <= 0x06F9) return U'0' + (c - 0x06F0);
  switch (c) {
    case 0x066A: return U'%';
    case 0x066B: case 0x06D4: return U'.';
    case 0x066C: return U',';
    case 0x2E41: return 0x060C;  // reversed comma → Arabic comma
    case 0x204F: return 0x061B;  // reversed semicolon → Arabic semicolon
    case 0x2E2E: return 0x061F;  // reversed question mark → Arabic question mark
    case 0x201C: case 0x201D: case 0x201E: case 0x201F: case 0x00AB: case 0x00BB:
    case 0x301D: case 0x301E: case 0x301F: case 0x2033:
      return U'"';
    case 0x2018: case 0x2019: case 0x201A: case 0x201B: case 0x2039: case 0x203A:
    case 0x2032: case 0x02B9: case 0x02BB: case 0x02BC: case 0x02BD: case 0x0060: case 0x00B4:
      return U'\'';
    case 0x2010: case 0x2012: case 0x2013: case 0x2014: case 0x2015: case 0x2212:
    case 0x2E3A: case 0x2E3B: case 0x2043:
      return U'-';
    default:
      return c;
  }
}

// The context-free one-to-one rewrites of a code point that NFKC leaves alone.
char32_t MapLetter(const Table& t, char32_t c) {
  char32_t m = CommonForm(c);
  if (SoraniRules(t)) m = SoraniLetter(m);
  if (LatinRules(t)) m = LatinLetter(m);
  if (c == 0x0130) m = IsMatchKey(t) ? U'i' : U'I';
  if (IsMatchKey(t) && SoraniRules(t)) m = MatchFold(m);
  if (IsMatchKey(t) && LatinRules(t)) m = LatinMatchFold(m);
  return m;
}

Entry EmitEntry(char32_t c) {
  Entry e;
  e.action = Action::kEmit;
  e.len = static_cast<uint8_t>(EncodeUtf8(c, e.bytes));
  if (u_hasBinaryProperty(c, UCHAR_ALPHABETIC)) e.flags |= kLetter;
  return e;
}

Entry Simple(Action a, uint8_t aux = 0) {
  Entry e;
  e.action = a;
  e.aux = aux;
  return e;
}

// The entry of a code point that NFKC (NFKC_Casefold) leaves alone.
Entry Classify(const Table& t, char32_t c) {
  const bool canonical = !IsMatchKey(t);
  const bool pending_rules = canonical && SoraniRules(t);
  if (c == 0x200C) return Simple(pending_rules ? Action::kZwnj : Action::kDrop);
  if (IsInvisible(c)) {
    const bool marks_h = pending_rules && (c == 0x0640 || c == 0x200D);
    return Simple(Action::kDrop, marks_h ? kMarksConsonantH : 0);
  }
  switch (c) {
    case U'\r': return Simple(Action::kCr);
    case U'\n': case 0x000B: case 0x000C: case 0x0085: case 0x2028:
      return Simple(Action::kSpace, 1);
    case 0x2029: return Simple(Action::kSpace, 2);
    case U'&': {
      Entry e = EmitEntry(c);
      e.action = Action::kAmp;
      e.aux = canonical ? 0 : 1;  // 1: a separator when no entity follows
      return e;
    }
    default: break;
  }
  if (u_isUWhiteSpace(c)) return Simple(Action::kSpace, 0);
  if (u_charType(c) == U_CONTROL_CHAR) return Simple(Action::kDrop);

  if (SoraniRules(t) && IsArabicMark(c)) {
    if (!pending_rules) return Simple(Action::kDrop);
    uint8_t carries = 0;
    if (c == 0x064B || c == 0x064C || c == 0x064E || c == 0x065A || c == 0x065B) {
      carries = kCarriesV;
    }
    if (c == 0x064D || c == 0x0650) carries = kCarriesVBelow;
    return Simple(Action::kMark, carries);
  }

  const char32_t m = MapLetter(t, c);
  if (!canonical) {
    if (m == U'\'') return Simple(Action::kDrop);  // apostrophes join: Amed'ê = Amedê
    if (u_ispunct(m)) return Simple(Action::kSeparator);
  }
  Entry e = EmitEntry(m);
  if (pending_rules) {
    uint8_t letter = 0;
    switch (m) {
      case 0x0647: letter = kHeh; break;
      case 0x06BE: letter = kKnottedHeh; break;
      case 0x0627: letter = kAlef; break;
      case 0x06CC: letter = kYeh; break;
      case 0x0648: letter = kWaw; break;
      case 0x0644: letter = kLam; break;
      case 0x0631: letter = kReh; e.flags |= kWordInitialR; break;
      default: break;
    }
    if (letter != 0) {
      e.action = Action::kPendable;
      e.aux = letter;
    }
  }
  return e;
}

std::u32string ToU32(const icu::UnicodeString& s) {
  std::u32string out;
  for (int32_t i = 0; i < s.length();) {
    UChar32 c = s.char32At(i);
    out.push_back(static_cast<char32_t>(c));
    i += U16_LENGTH(c);
  }
  return out;
}

void BuildTable(Table* t) {
  const icu::Normalizer2& nfkc = NormalizerFor(t->form);
  t->bmp.assign(0x10000, Entry());
  for (char32_t c = 0; c < 0x10000; ++c) {
    if (c >= 0xD800 && c <= 0xDFFF) continue;  // never decoded from valid UTF-8
    const char32_t pre = PreNfkc(t->form, c);
    Entry e;
    if (c == 0x200C || IsInvisible(c)) {
      e = Classify(*t, c);
    } else {
      // A code point without a decomposition mapping is its own NFKC (one
      // code point composes with nothing): most of the BMP, and 20x faster
      // to ask than to normalize, which was most of a run's start-up.
      std::u32string s;
      if (icu::UnicodeString mapping; !nfkc.getDecomposition(static_cast<UChar32>(pre), mapping)) {
        s.assign(1, pre);
      } else {
        UErrorCode status = U_ZERO_ERROR;
        s = ToU32(nfkc.normalize(icu::UnicodeString(static_cast<UChar32>(pre)), status));
        if (U_FAILURE(status)) std::abort();
      }
      if (s.empty()) {
        e = Simple(Action::kDrop);
      } else if (s.size() == 1) {
        e = Classify(*t, s[0]);
      } else {
        e.action = Action::kExpand;
        e.len = static_cast<uint8_t>(s.size());
        e.offset = static_cast<uint32_t>(t->expansions.size());
        t->expansions.insert(t->expansions.end(), s.begin(), s.end());
      }
    }
    // Arabic marks that compose with nothing are handled by the context
    // rules directly; canonical reordering cannot change their effect.
    const bool fast_mark = SoraniRules(*t) && IsArabicMark(c) &&
                           u_getIntPropertyValue(c, UCHAR_NFKC_QUICK_CHECK) != UNORM_MAYBE;
    // Invisible characters are removed before NFKC could see them, so they
    // never count as combining (NFKC_Casefold maps some to nothing, which
    // would otherwise leave them without a boundary).
    const bool invisible = c == 0x200C || IsInvisible(c);
    if (!invisible && !nfkc.hasBoundaryBefore(static_cast<UChar32>(c))) {
      e.flags |= fast_mark ? kCombining : kCombining | kComposesBack;
    }
    if ((e.action == Action::kEmit && (e.flags & kCombining) == 0) ||
        e.action == Action::kPendable) {
      e.flags |= kPlain;
    }
    if ((e.action == Action::kDrop || e.action == Action::kZwnj) && (e.flags & kCombining) == 0) {
      e.flags |= kTransparent;
    }
    t->bmp[c] = e;
  }
}

void BuildBlockRules(Table* t) {
  BlockRules& r = t->block;
  auto plain_emit = [&](char32_t c) -> const Entry* {
    const Entry& e = t->bmp[c];
    const bool ok = e.action == Action::kEmit && (e.flags & kCombining) == 0;
    return ok ? &e : nullptr;
  };
  for (char32_t c = 0; c < 0x80; ++c) {
    const Entry* e = plain_emit(c);
    if (e != nullptr && e->len == 1 && e->bytes[0] == static_cast<char>(c)) {
      r.ascii_ok[c >> 3] |= uint8_t(1u << (c & 7));
    }
  }
  r.fold_upper = true;
  for (char32_t c = U'A'; c <= U'Z'; ++c) {
    const Entry* e = plain_emit(c);
    if (e == nullptr || e->len != 1 || e->bytes[0] != static_cast<char>(c + 0x20)) {
      r.fold_upper = false;
    }
  }
  for (uint32_t i = 0; i < 256; ++i) {
    const char32_t c = 0x600 + i;
    const Entry* e = plain_emit(c);
    if (e == nullptr || e->len != 2 || (static_cast<uint8_t>(e->bytes[0]) & 0xE0) != 0xC0) continue;
    char self[4];
    EncodeUtf8(c, self);
    r.arabic_ok[i >> 3] |= uint8_t(1u << (i & 7));
    if (e->bytes[0] != self[0] || e->bytes[1] != self[1]) {
      r.arabic_sub[i >> 3] |= uint8_t(1u << (i & 7));
      r.arabic_sub_bytes[i][0] = e->bytes[0];
      r.arabic_sub_bytes[i][1] = e->bytes[1];
      r.arabic_sub_lead[i] = e->bytes[0];
      r.arabic_sub_trail[i] = e->bytes[1];
    }
  }
  // The block path writes spaces as read and leaves every other case
  // (white-space runs, separators) to the general rules.
  auto white = [](const Entry& e) {
    return (e.flags & kCombining) == 0 && (e.action == Action::kSpace ||
                                            e.action == Action::kSeparator ||
                                            e.action == Action::kCr);
  };
  for (char32_t c = 0; c < 0x80; ++c) {
    if (white(t->bmp[c])) r.ascii_white[c >> 3] |= uint8_t(1u << (c & 7));
  }
  for (uint32_t i = 0; i < 256; ++i) {
    const Entry& e = t->bmp[0x600 + i];
    if (white(e)) r.arabic_white[i >> 3] |= uint8_t(1u << (i & 7));
    if ((e.flags & kCombining) != 0) continue;
    if (e.action == Action::kDrop) r.arabic_drop[i >> 3] |= uint8_t(1u << (i & 7));
    if (e.action == Action::kEmit && e.len == 1 && static_cast<uint8_t>(e.bytes[0]) < 0x80 &&
        e.bytes[0] != ' ') {
      r.arabic_one[i >> 3] |= uint8_t(1u << (i & 7));
      r.arabic_one_byte[i] = e.bytes[0];
    }
  }
  {
    const Entry& z = t->bmp[0x200C];
    r.zwnj_drop = z.action == Action::kDrop && (z.flags & kCombining) == 0;
  }
  const bool context_free = IsMatchKey(*t) || !SoraniRules(*t);  // what Classify's rules give
  r.enabled = context_free && t->bmp[U' '].action == Action::kSpace;
}

}  // namespace

int EncodeUtf8(char32_t c, char* out) {
  if (c < 0x80) {
    out[0] = static_cast<char>(c);
    return 1;
  }
  if (c < 0x800) {
    out[0] = static_cast<char>(0xC0 | (c >> 6));
    out[1] = static_cast<char>(0x80 | (c & 0x3F));
    return 2;
  }
  if (c < 0x10000) {
    out[0] = static_cast<char>(0xE0 | (c >> 12));
    out[1] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out[2] = static_cast<char>(0x80 | (c & 0x3F));
    return 3;
  }
  out[0] = static_cast<char>(0xF0 | (c >> 18));
  out[1] = static_cast<char>(0x80 | ((c >> 12) & 0x3F));
  out[2] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
  out[3] = static_cast<char>(0x80 | (c & 0x3F));
  return 4;
}

const Table& TableFor(NormalForm form, Script script) {
  static std::array<Table, 6> tables;
  static std::array<std::once_flag, 6> once;
  const int i = static_cast<int>(form) * 3 + static_cast<int>(script);
  std::call_once(once[i], [&] {
    tables[i].form = form;
    tables[i].script = script;
    BuildTable(&tables[i]);
    BuildBlockRules(&tables[i]);
  });
  return tables[i];
}

Entry ClassifyStable(const Table& table, char32_t cp) {
  Entry e = Classify(table, cp);
  if (!NormalizerFor(table.form).hasBoundaryBefore(static_cast<UChar32>(cp))) {
    e.flags |= kCombining | kComposesBack;
  }
  return e;
}

bool NoBoundaryBeforeOutsideBmp(const Table& table, char32_t cp) {
  return !NormalizerFor(table.form).hasBoundaryBefore(static_cast<UChar32>(cp));
}

void NormalizeSegment(const Table& table, const char32_t* cps, size_t n, std::u32string* out) {
  // Compose first, so that characters formed by composition (I + U+0307 = İ)
  // get the same pre-NFKC rewrites as precomposed ones.
  icu::UnicodeString composed;
  for (size_t i = 0; i < n; ++i) composed.append(static_cast<UChar32>(cps[i]));
  UErrorCode nfkc_status = U_ZERO_ERROR;
  composed = NormalizerFor(NormalForm::kCanonical).normalize(composed, nfkc_status);
  if (U_FAILURE(nfkc_status)) std::abort();
  icu::UnicodeString text;
  for (int32_t i = 0; i < composed.length();) {
    const UChar32 c = composed.char32At(i);
    text.append(static_cast<UChar32>(PreNfkc(table.form, static_cast<char32_t>(c))));
    i += U16_LENGTH(c);
  }
  // NFKC, then the letter rewrites; a rewritten letter (é → ê) may compose
  // anew with the marks after it, so repeat until nothing changes.
  for (int round = 0; round < 4; ++round) {
    UErrorCode status = U_ZERO_ERROR;
    icu::UnicodeString norm = NormalizerFor(table.form).normalize(text, status);
    if (U_FAILURE(status)) std::abort();
    icu::UnicodeString mapped;
    for (int32_t i = 0; i < norm.length();) {
      const UChar32 c = norm.char32At(i);
      mapped.append(static_cast<UChar32>(MapLetter(table, static_cast<char32_t>(c))));
      i += U16_LENGTH(c);
    }
    const bool stable = mapped == norm;
    text = mapped;
    if (stable) break;
  }
  *out = ToU32(text);
  if (!SoraniRules(table)) return;
  // Hamza above on letters it does not compose with under NFKC: a legacy way
  // to type ئ and the ezafe ە.
  size_t w = 0;
  for (size_t r = 0; r < out->size(); ++r) {
    char32_t c = (*out)[r];
    if (r + 1 < out->size() && (*out)[r + 1] == 0x0654) {
      if (c == 0x06CC || c == 0x0649) c = 0x0626, ++r;
      else if (c == 0x0647 || c == 0x06BE) c = 0x06D5, ++r;
    }
    (*out)[w++] = c;
  }
  out->resize(w);
}

}  // namespace dubare::text_internal
