// Copyright 2026 The Dubare Authors.
//
// The generator in four parts:
//   * Model: a word-bigram chain over the training text (punctuation split
//     off as tokens that attach to the left), plus an embedded Sorani
//     vocabulary for content words, numbers, names and compounds.
//   * Plan: which document is which article, which copies exist and what
//     edits each makes, where passages go (a few bytes per document).
//   * Article: a base article as token ids, built from (seed, article).
//   * Render: tokens to text, then the orthographic "house style" of the
//     outlet, byte by byte, keeping sentence spans.

#include "gen/corpus_gen.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "dubare/file.h"
#include "dubare/json_writer.h"
#include "dubare/status.h"
#include "unicode/utf8.h"

namespace dubare::gen {
namespace {

// ---- Random numbers ------------------------------------------------------------

uint64_t Mix(uint64_t x) {  // splitmix64 finalizer
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

uint64_t Seed(uint64_t seed, uint64_t a, uint64_t stream) { return Mix(Mix(seed ^ Mix(stream)) + a); }

// xoshiro256** seeded from one 64-bit value.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (uint64_t& s : s_) s = seed = Mix(seed);
  }
  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, n); n > 0.
  uint32_t Below(uint32_t n) { return static_cast<uint32_t>(((Next() >> 32) * n) >> 32); }
  // Uniform in [lo, hi].
  int Range(int lo, int hi) { return lo + static_cast<int>(Below(static_cast<uint32_t>(hi - lo + 1))); }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  bool Chance(double p) { return Uniform() < p; }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

// ---- Embedded vocabulary --------------------------------------------------------

// Content words of Sorani news, beyond what the small training set holds.
constexpr const char* kNouns[] = {
    "حکومەت", "پەرلەمان", "وەزیر", "وەزارەت", "سەرۆک", "شار", "گوند", "ناوچە", "پارێزگا",
    "هەرێم", "وڵات", "خەڵک", "هاووڵاتی", "قوتابی", "مامۆستا", "قوتابخانە", "زانکۆ", "نەخۆشخانە",
    "پزیشک", "نەخۆشی", "دەرمان", "ئاو", "کارەبا", "نەوت", "گاز", "بازاڕ", "نرخ", "پارە", "دینار",
    "دۆلار", "مووچە", "فەرمانبەر", "کرێکار", "پڕۆژە", "ڕێگا", "پرد", "بینا", "خانوو", "زەوی",
    "کشتوکاڵ", "جووتیار", "گەنم", "باران", "بەفر", "کەشوهەوا", "سنوور", "هێز", "سوپا", "پۆلیس",
    "ئاسایش", "دادگا", "یاسا", "دەستوور", "هەڵبژاردن", "پارت", "لایەن", "دانیشتن", "بڕیار",
    "ڕاپۆرت", "ئامار", "ژمارە", "ساڵ", "مانگ", "ڕۆژ", "هەفتە", "کاتژمێر", "دیمانە", "ڕۆژنامەنووس",
    "میدیا", "کەناڵ", "هەواڵ", "بەیاننامە", "ڕاگەیەندراو", "پەیام", "نامە", "داوا", "ناڕەزایی",
    "خۆپیشاندان", "ئاشتی", "شەڕ", "هێرش", "تەقینەوە", "قوربانی", "بریندار", "ئاوارە", "پەنابەر",
    "کەمپ", "یارمەتی", "ڕێکخراو", "نەتەوە", "کۆمەڵگە", "ئافرەت", "منداڵ", "گەنج", "وەرزش", "یاری",
    "تیپ", "یاریزان", "خول", "کولتوور", "هونەر", "مۆسیقا", "فیلم", "کتێب", "نووسەر", "شاعیر",
    "زمان", "مێژوو", "ئابووری", "بودجە", "داهات", "قەرز", "بازرگانی", "هاوردە", "هەناردە",
    "کۆمپانیا", "وەبەرهێنان", "گەشتیاری", "گەشتیار", "فڕۆکەخانە", "فڕۆکە", "ئۆتۆمبێل", "شۆفێر",
    "ڕووداو", "کارەسات", "ئاگر", "لافاو", "بومەلەرزە", "تەندروستی", "پەروەردە", "خوێندن",
    "تاقیکردنەوە", "بەرنامە", "پلان", "پەیوەندی", "هاوکاری", "ڕێککەوتن", "گفتوگۆ", "دانوستان",
    "کێشە", "چارەسەر", "قەیران", "گۆڕانکاری", "چاکسازی", "گەندەڵی", "لێکۆڵینەوە", "تۆمەتبار",
    "زیندان", "ماف", "ئازادی", "دیموکراسی", "سیاسەت", "هەڵوێست", "پێشنیار", "پرسیار", "وەڵام",
    "ئەنجام", "ئامانج", "دەرفەت", "مەترسی", "هەڕەشە", "پاراستن", "پێداویستی", "خزمەتگوزاری",
    "شارەوانی", "ژینگە", "دارستان", "چیا", "ڕووبار", "دەریاچە", "بەنداو", "کارگە", "بەرهەم",
    "خواردن", "نان", "گۆشت", "میوە", "سەوزە", "هاوین", "زستان", "بەهار", "پایز", "بەیانی",
    "ئێوارە", "شەو", "ناوەند", "باڵیۆزخانە", "کونسوڵخانە", "باڵیۆز", "نوێنەر", "شاند", "سەردان",
    "میوان", "پێشوازی", "ئاهەنگ", "جەژن", "شەهید", "پێشمەرگە", "سەرکردە", "ئەندام", "ئەنجومەن",
    "لیژنە", "دەستە", "ڕێنمایی", "پرۆسە", "هەنگاو", "ئاست", "بەشداری", "پشتگیری", "ناکۆکی",
    "سەقامگیری", "ئاوەدانکردنەوە", "گواستنەوە", "پاسەوان", "دەروازە", "گومرگ", "باج", "بانک",
    "وەرگێڕان", "ڕێژە", "پارسەنگ", "کەرت", "پیشەسازی", "تەکنەلۆژیا", "ئینتەرنێت", "مۆبایل",
};

constexpr const char* kVerbs[] = {
    "کرد", "کردووە", "کردبوو", "دەکات", "دەکەن", "دەکرێت", "کرا", "کراوە", "ڕایگەیاند",
    "وتی", "دەڵێت", "گوتی", "دەبێت", "بوو", "بووە", "دەبن", "هەیە", "نییە", "هەبوو", "هات",
    "هاتووە", "دێت", "ڕۆیشت", "دەڕوات", "گەیشت", "گەیشتووە", "دەگات", "نارد", "ناردووە", "وەرگرت",
    "وەردەگرێت", "داوە", "دەدات", "بینی", "دەبینێت", "خستووە", "دەزانێت", "هێنا", "دەهێنێت",
    "کوژرا", "گۆڕا", "دەگۆڕێت", "بەردەوامە", "دەخوازێت", "دەتوانێت", "ناتوانێت", "دەستیپێکرد",
    "ڕاگەیەنرا", "دیاریکرا", "دابەشکرا", "بڵاوکرایەوە", "کرایەوە", "داخرا", "وەستا",
};

constexpr const char* kAdjectives[] = {
    "نوێ", "کۆن", "گەورە", "بچووک", "زۆر", "کەم", "باش", "خراپ", "گرنگ", "سەرەکی", "تایبەت",
    "گشتی", "نێودەوڵەتی", "ناوخۆیی", "سیاسی", "کۆمەڵایەتی", "ئەمنی", "سەربازی", "بەرز", "نزم",
    "درێژ", "کورت", "خێرا", "ئاسان", "قورس", "ئازاد", "فەرمی", "یەکەم", "دووەم", "سێیەم",
    "کۆتایی", "داهاتوو", "ڕابردوو", "هاوبەش", "جیاواز", "پێویست", "ئەرێنی", "نەرێنی",
    "سەرکەوتوو", "بەرفراوان", "مەترسیدار", "ئاسایی", "تازە", "دێرین", "زیاتر", "کەمتر",
};

constexpr const char* kPeople[] = {
    "مەسعود بارزانی", "نێچیرڤان بارزانی", "مەسرور بارزانی", "بافڵ تاڵەبانی", "قوباد تاڵەبانی",
    "شاسوار عەبدولواحید", "عەلی حەسەن", "ئەحمەد مستەفا", "محەمەد کەریم", "ڕێبوار ڕەشید",
    "ئارام قادر", "هێمن سەعید", "شێرکۆ عومەر", "دلێر ساڵح", "سۆران حەمە", "کاوە ئەحمەد",
    "ئازاد عەبدوڵڵا", "بەختیار قادر", "فەرهاد عەلی", "هەڵگورد محەمەد", "نەوزاد ڕەشید",
    "سیروان کەریم", "ژیلا حەسەن", "شیلان ئەحمەد", "نەسرین عومەر", "ڤیان ساڵح", "هاوژین قادر",
};

constexpr const char* kPlaces[] = {
    "هەولێر", "سلێمانی", "دهۆک", "کەرکووک", "هەڵەبجە", "زاخۆ", "ڕانیە", "کۆیە", "چەمچەماڵ",
    "کەلار", "خانەقین", "شەنگال", "مووسڵ", "بەغدا", "بەسرە", "تاران", "ئەنقەرە", "دیمەشق",
    "واشنتۆن", "لەندەن", "پاریس", "بەرلین", "مۆسکۆ", "سۆران", "ئاکرێ", "پێنجوێن", "قەڵادزێ",
    "دەربەندیخان", "شارباژێڕ", "هەڵەبجەی شەهید", "ئامێدی", "سەیدسادق", "کفری", "تووزخورماتوو",
};

// Outlets, as in the "source" field.
constexpr const char* kOutlets[] = {
    "rudaw", "kurdistan24", "basnews", "nrt", "drawmedia", "xendan", "peyam", "awene",
    "knnc", "esta", "speda", "kurdsat", "hawlati", "sbeiy", "lvinpress", "standardkurdi",
};
// Their names in the dateline.
constexpr const char* kOutletNames[] = {
    "ڕووداو", "کوردستان ٢٤", "باسنیوز", "ئێن ئاڕ تی", "درەو", "خەندان", "پەیام", "ئاوێنە",
    "کەی ئێن ئێن سی", "ئێستا", "سپێدە", "کوردسات", "هاوڵاتی", "سبەی", "لڤین", "ستاندارد",
};

constexpr const char* kMonths[] = {
    "کانوونی دووەم", "شوبات", "ئازار", "نیسان", "ئایار", "حوزەیران",
    "تەممووز", "ئاب", "ئەیلوول", "تشرینی یەکەم", "تشرینی دووەم", "کانوونی یەکەم",
};

// Noun suffixes: after a consonant, and after a vowel-final stem.
constexpr const char* kSuffixAfterConsonant[] = {"", "", "ی", "ەکە", "ەکان", "ەکەی", "ەکانی", "ێک", "ەکاندا", "یش"};
constexpr const char* kSuffixAfterVowel[] = {"", "", "ی", "کە", "کان", "کەی", "کانی", "یەک", "کاندا", "یش"};

// Compounds written joined or split: the normalizer's match key with
// keep_spaces=false folds these, the default key does not.
constexpr std::pair<const char*, const char*> kCompounds[] = {
    {"لەسەر", "لە سەر"},         {"لەگەڵ", "لە گەڵ"},           {"لەبارەی", "لە بارەی"},
    {"بەپێی", "بە پێی"},         {"لەلایەن", "لە لایەن"},       {"بەهۆی", "بە هۆی"},
    {"لەناو", "لە ناو"},         {"لەنێوان", "لە نێوان"},       {"بەتایبەتی", "بە تایبەتی"},
    {"لەبەر", "لە بەر"},         {"لەژێر", "لە ژێر"},           {"لەدوای", "لە دوای"},
    {"لەپێش", "لە پێش"},         {"کۆبوونەوە", "کۆ بوونەوە"},    {"بەڕێوەچوو", "بەڕێوە چوو"},
    {"دەستپێکرد", "دەست پێکرد"}, {"ئاماژەیکرد", "ئاماژەی کرد"}, {"داوایکرد", "داوای کرد"},
    {"پەسەندکرد", "پەسەند کرد"}, {"واژۆکرد", "واژۆ کرد"},       {"دەستگیرکرا", "دەستگیر کرا"},
    {"تەواوبوو", "تەواو بوو"},   {"کۆتاییهات", "کۆتایی هات"},   {"ئاشکراکرد", "ئاشکرا کرد"},
    {"پێشکەشکرد", "پێشکەش کرد"}, {"هاوکاریکردن", "هاوکاری کردن"}, {"بڕیاریدا", "بڕیاری دا"},
    {"جەختیکردەوە", "جەختی کردەوە"}, {"ڕەتیکردەوە", "ڕەتی کردەوە"}, {"بەردەوامبوو", "بەردەوام بوو"},
};

// Prepositions that writers attach to the next word or not.
constexpr const char* kJoiningPrepositions[] = {"لە", "بە"};

bool IsLeftPunct(absl::string_view t) {
  return t == "،" || t == "." || t == ":" || t == "؟" || t == "!" || t == "؛" || t == ",";
}
bool EndsSentence(absl::string_view t) { return t == "." || t == "؟" || t == "!"; }

// The code point at s[i] (valid UTF-8 assumed) and its length.
uint32_t Decode(absl::string_view s, size_t i, int* len) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    *len = 1;
    return c;
  }
  if (c < 0xE0) {
    *len = 2;
    return ((c & 0x1F) << 6) | (s[i + 1] & 0x3F);
  }
  if (c < 0xF0) {
    *len = 3;
    return ((c & 0x0F) << 12) | ((s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
  }
  *len = 4;
  return ((c & 0x07) << 18) | ((s[i + 1] & 0x3F) << 12) | ((s[i + 2] & 0x3F) << 6) | (s[i + 3] & 0x3F);
}

void AppendUtf8(uint32_t cp, std::string* out) {
  uint8_t buf[U8_MAX_LENGTH];
  int32_t n = 0;
  U8_APPEND_UNSAFE(buf, n, cp);
  out->append(reinterpret_cast<const char*>(buf), n);
}

bool IsArabicLetter(uint32_t cp) { return (cp >= 0x0620 && cp <= 0x064A) || (cp >= 0x066E && cp <= 0x06D5); }
// Letters that join to the following letter (so tatweel may follow them).
bool JoinsForward(uint32_t cp) {
  if (!IsArabicLetter(cp)) return false;
  switch (cp) {
    case 0x0622: case 0x0623: case 0x0625: case 0x0627: case 0x062F: case 0x0630: case 0x0631:
    case 0x0632: case 0x0648: case 0x0695: case 0x0698: case 0x06C6: case 0x06D5:
      return false;
    default:
      return true;
  }
}

// ---- Orthographic house styles ----------------------------------------------------

enum StyleBit : uint32_t {
  kStyleArabicKaf = 1u << 0,     // ک → ك
  kStyleArabicYeh = 1u << 1,     // ی → ي
  kStyleAlefMaksura = 1u << 2,   // word-final ی → ى
  kStyleHehZwnj = 1u << 3,       // ە → ه + ZWNJ inside a word, ه at its end
  kStyleTatweel = 1u << 4,       // ـ stretches some joins
  kStylePlainReh = 1u << 5,      // word-initial ڕ → ر
  kStyleAsciiDigits = 1u << 6,   // ٠-٩ → 0-9
  kStylePersianDigits = 1u << 7, // ٠-٩ → ۰-۹
  kStyleZwnj = 1u << 8,          // stray ZWNJ inside words
};

uint32_t RandomStyle(Rng& rng) {
  uint32_t style = 0;
  while (style == 0) {
    if (rng.Chance(0.5)) style |= kStyleArabicKaf;
    if (rng.Chance(0.4)) style |= rng.Chance(0.7) ? kStyleArabicYeh : kStyleAlefMaksura;
    if (rng.Chance(0.4)) style |= kStyleHehZwnj;
    if (rng.Chance(0.2)) style |= kStyleTatweel;
    if (rng.Chance(0.4)) style |= kStylePlainReh;
    if (rng.Chance(0.4)) style |= rng.Chance(0.7) ? kStyleAsciiDigits : kStylePersianDigits;
    if (rng.Chance(0.2)) style |= kStyleZwnj;
  }
  return style;
}

// Appends `in` to *out in house style `style` (0 copies it unchanged).
void ApplyStyle(absl::string_view in, uint32_t style, Rng& rng, std::string* out) {
  if (style == 0) {
    out->append(in.data(), in.size());
    return;
  }
  uint32_t prev = ' ';
  int len = 0;
  for (size_t i = 0; i < in.size(); i += len) {
    const uint32_t cp = Decode(in, i, &len);
    const bool at_start = !IsArabicLetter(prev);
    uint32_t next = ' ';
    if (i + len < in.size()) {
      int next_len;
      next = Decode(in, i + len, &next_len);
    }
    const bool at_end = !IsArabicLetter(next);
    prev = cp;
    switch (cp) {
      case 0x06A9:
        if (style & kStyleArabicKaf) {
          AppendUtf8(0x0643, out);
          continue;
        }
        break;
      case 0x06CC:
        if ((style & kStyleAlefMaksura) && at_end) {
          AppendUtf8(0x0649, out);
          continue;
        }
        if (style & kStyleArabicYeh) {
          AppendUtf8(0x064A, out);
          continue;
        }
        break;
      case 0x06D5:
        if (style & kStyleHehZwnj) {
          AppendUtf8(0x0647, out);
          if (!at_end) AppendUtf8(0x200C, out);
          continue;
        }
        break;
      case 0x0695:
        if ((style & kStylePlainReh) && at_start) {
          AppendUtf8(0x0631, out);
          continue;
        }
        break;
      default:
        if (cp >= 0x0660 && cp <= 0x0669) {
          if (style & kStyleAsciiDigits) {
            out->push_back(static_cast<char>('0' + (cp - 0x0660)));
            continue;
          }
          if (style & kStylePersianDigits) {
            AppendUtf8(0x06F0 + (cp - 0x0660), out);
            continue;
          }
        }
    }
    out->append(in.data() + i, len);
    if (!at_end && JoinsForward(cp) && IsArabicLetter(next)) {
      if ((style & kStyleTatweel) && rng.Chance(0.04)) AppendUtf8(0x0640, out);
      if ((style & kStyleZwnj) && rng.Chance(0.03)) AppendUtf8(0x200C, out);
    }
  }
}

// ---- Model ------------------------------------------------------------------------

constexpr uint32_t kNoToken = 0xFFFFFFFFu;
constexpr uint32_t kNone32 = 0xFFFFFFFFu;

struct Model {
  std::vector<std::string> words;  // token id → text
  std::vector<uint8_t> left_punct;  // attaches to the previous token
  std::vector<uint8_t> sentence_end;
  absl::flat_hash_map<std::string, uint32_t> ids;

  // The chain: successors of each training token (repeats = frequency).
  std::vector<std::vector<uint32_t>> next;
  std::vector<uint32_t> starts;     // sentence-initial training tokens
  std::vector<uint32_t> unigram;    // every training token occurrence
  std::vector<uint8_t> function;    // frequent training tokens, kept as they are

  // Content vocabulary (embedded forms and training content words).
  std::vector<uint32_t> content;
  std::vector<uint32_t> people, places, numbers, years;

  // Compounds: joined id → split (a, b), indexed by token id; kNoToken if none.
  std::vector<std::pair<uint32_t, uint32_t>> split_of;
  std::vector<uint8_t> preposition;  // may attach to the next word
  uint32_t period = 0;

  uint32_t Intern(absl::string_view w) {
    auto [it, inserted] = ids.try_emplace(std::string(w), static_cast<uint32_t>(words.size()));
    if (inserted) {
      words.emplace_back(w);
      left_punct.push_back(IsLeftPunct(w));
      sentence_end.push_back(EndsSentence(w));
    }
    return it->second;
  }
};

// Splits training text into tokens: words, and punctuation as its own token.
void TokenizeTraining(absl::string_view text, Model* m, std::vector<uint32_t>* out) {
  // Quotes and brackets carry nothing for the chain. (ByAnyChar works on
  // bytes, so the multi-byte ones are replaced first.)
  const std::string clean =
      absl::StrReplaceAll(text, {{"«", " "}, {"»", " "}, {"“", " "}, {"”", " "}});
  for (absl::string_view piece : absl::StrSplit(clean, absl::ByAnyChar(" \t\r\n\"()[]"), absl::SkipEmpty())) {
    absl::string_view w = piece;
    std::vector<uint32_t> trailing;
    for (;;) {
      bool stripped = false;
      for (absl::string_view p : {"،", ".", ":", "؟", "!", "؛", ","}) {
        if (w.size() > p.size() && absl::EndsWith(w, p)) {
          trailing.push_back(m->Intern(p));
          w.remove_suffix(p.size());
          stripped = true;
          break;
        }
      }
      if (!stripped) break;
    }
    if (w == "-" || w == "–") continue;
    out->push_back(m->Intern(w));
    for (auto it = trailing.rbegin(); it != trailing.rend(); ++it) out->push_back(*it);
  }
}

absl::Status ReadTraining(const std::vector<std::string>& paths, std::string* text) {
  for (const std::string& p : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      std::vector<std::string> files;
      for (const auto& e : std::filesystem::recursive_directory_iterator(p, ec)) {
        if (e.is_regular_file() && e.path().extension() == ".txt") files.push_back(e.path().string());
      }
      std::sort(files.begin(), files.end());
      for (const std::string& f : files) {
        DUBARE_ASSIGN_OR_RETURN(std::string t, ReadFile(f));
        absl::StrAppend(text, t, "\n");
      }
    } else {
      DUBARE_ASSIGN_OR_RETURN(std::string t, ReadFile(p));
      absl::StrAppend(text, t, "\n");
    }
  }
  return absl::OkStatus();
}

std::string KurdishDigits(int64_t n) {
  std::string ascii = absl::StrCat(n), out;
  for (char c : ascii) AppendUtf8(0x0660 + (c - '0'), &out);
  return out;
}

bool EndsInVowel(absl::string_view w) {
  for (absl::string_view v : {"ە", "ا", "ۆ", "ێ", "و", "ی"}) {
    if (absl::EndsWith(w, v)) return true;
  }
  return false;
}

absl::StatusOr<Model> BuildModel(const std::vector<std::string>& paths) {
  std::string text;
  DUBARE_RETURN_IF_ERROR(ReadTraining(paths, &text));
  Model m;
  m.period = m.Intern(".");
  std::vector<uint32_t> tokens;
  TokenizeTraining(text, &m, &tokens);
  size_t words = 0;
  for (uint32_t t : tokens) words += !m.left_punct[t];
  if (words < 200) {
    return absl::FailedPreconditionError(
        absl::StrCat("corpus generator: only ", words, " words of training text in ",
                     absl::StrJoin(paths, ", "), " (need at least 200)"));
  }
  const size_t trained = m.words.size();
  m.next.resize(trained);
  std::vector<uint32_t> freq(trained, 0);
  bool at_start = true;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const uint32_t t = tokens[i];
    ++freq[t];
    if (!m.left_punct[t]) {
      m.unigram.push_back(t);
      if (at_start) m.starts.push_back(t);
    }
    at_start = m.sentence_end[t];
    if (i + 1 < tokens.size()) m.next[t].push_back(tokens[i + 1]);
  }
  // Function words: the 60 most frequent training types (particles,
  // prepositions, the names every article repeats) are kept as they are.
  std::vector<uint32_t> order(trained);
  for (uint32_t i = 0; i < trained; ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return freq[a] != freq[b] ? freq[a] > freq[b] : m.words[a] < m.words[b];
  });
  m.function.assign(trained, 0);
  for (size_t i = 0; i < order.size() && i < 60; ++i) m.function[order[i]] = 1;
  for (uint32_t i = 0; i < trained; ++i) {
    if (m.left_punct[i]) m.function[i] = 1;
    if (!m.function[i]) m.content.push_back(i);
  }

  // Embedded vocabulary.
  for (const char* noun : kNouns) {
    const bool vowel = EndsInVowel(noun);
    for (size_t k = 0; k < std::size(kSuffixAfterConsonant); ++k) {
      m.content.push_back(m.Intern(absl::StrCat(noun, vowel ? kSuffixAfterVowel[k] : kSuffixAfterConsonant[k])));
    }
  }
  for (const char* w : kVerbs) m.content.push_back(m.Intern(w));
  for (const char* w : kAdjectives) {
    m.content.push_back(m.Intern(w));
    m.content.push_back(m.Intern(absl::StrCat(w, EndsInVowel(w) ? "یە" : "ە")));
  }
  for (const char* w : kPeople) m.people.push_back(m.Intern(w));
  for (const char* w : kPlaces) m.places.push_back(m.Intern(w));
  for (int n = 1; n <= 500; ++n) m.numbers.push_back(m.Intern(KurdishDigits(n)));
  for (int y = 2000; y <= 2026; ++y) m.years.push_back(m.Intern(KurdishDigits(y)));

  std::vector<std::array<uint32_t, 3>> compounds;  // joined, first, second
  for (const auto& [joined, split] : kCompounds) {
    std::vector<absl::string_view> parts = absl::StrSplit(split, ' ');
    compounds.push_back({m.Intern(joined), m.Intern(parts[0]), m.Intern(parts[1])});
    m.content.push_back(compounds.back()[0]);
  }
  m.split_of.assign(m.words.size(), {kNoToken, kNoToken});
  for (const auto& [j, a, b] : compounds) m.split_of[j] = {a, b};
  m.preposition.assign(m.words.size(), 0);
  for (const char* p : kJoiningPrepositions) {
    auto it = m.ids.find(p);
    if (it != m.ids.end()) m.preposition[it->second] = 1;
  }
  return m;
}

// ---- Articles ------------------------------------------------------------------------

struct Date {
  int year = 2024, month = 1, day = 1;
};

Date DateFromDays(int64_t days) {  // days since 1970-01-01 (civil_from_days)
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  Date d;
  d.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  d.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  d.year = static_cast<int>(era * 400 + yoe + (d.month <= 2));
  return d;
}

constexpr uint32_t kJoinNext = 1u << 31;  // token flag: no space after it

struct Article {
  std::vector<uint32_t> headline;
  std::vector<std::vector<uint32_t>> sentences;
  std::vector<int> paragraph_sizes;  // sentences per paragraph
  int dateline_style = 0;
  uint32_t city = 0;
  int outlet = 0;  // named in dateline style 2, and the source of a base
  int64_t day = 0;  // days since 1970-01-01
  // Topic: the words this article keeps coming back to.
  std::vector<uint32_t> topic;
};

class Writer {
 public:
  Writer(const Model& m, const CorpusOptions& o) : m_(m), o_(o) {}

  uint32_t ContentWord(Rng& rng, const Article& a) const {
    const uint32_t r = rng.Below(100);
    if (r < 60) return a.topic[rng.Below(static_cast<uint32_t>(a.topic.size()))];
    if (r < 66) return m_.numbers[rng.Below(static_cast<uint32_t>(m_.numbers.size()))];
    if (r < 68) return m_.years[rng.Below(static_cast<uint32_t>(m_.years.size()))];
    return m_.content[rng.Below(static_cast<uint32_t>(m_.content.size()))];
  }

  // A sentence of min..max words from the chain, content words redrawn.
  std::vector<uint32_t> Sentence(Rng& rng, const Article& a, int min_words, int max_words,
                                 bool final_punct) const {
    std::vector<uint32_t> s;
    int words = 0;
    // Past the target length the sentence ends where the chain ends one, or
    // at the hard limit.
    const int target = rng.Range(min_words, max_words);
    const int limit = target + 6;
    uint32_t t = m_.starts[rng.Below(static_cast<uint32_t>(m_.starts.size()))];
    while (words < limit) {
      if (m_.left_punct[t]) {
        // Punctuation never starts a sentence or follows punctuation.
        if (!s.empty() && !m_.left_punct[s.back() & ~kJoinNext] && !m_.sentence_end[t]) s.push_back(t);
      } else {
        uint32_t w = t;
        if (!m_.function[t] && rng.Chance(0.8)) w = ContentWord(rng, a);
        s.push_back(w);
        ++words;
      }
      const auto& succ = m_.next[t];
      if (succ.empty() || rng.Chance(0.15)) {
        t = m_.unigram[rng.Below(static_cast<uint32_t>(m_.unigram.size()))];
      } else {
        t = succ[rng.Below(static_cast<uint32_t>(succ.size()))];
      }
      if (m_.sentence_end[t]) {
        if (words >= target) break;
        t = m_.unigram[rng.Below(static_cast<uint32_t>(m_.unigram.size()))];
      }
    }
    if (!s.empty() && m_.left_punct[s.back()]) s.pop_back();
    if (final_punct) s.push_back(m_.period);
    return s;
  }

  std::vector<int> Paragraphs(Rng& rng, size_t sentences) const {
    std::vector<int> sizes;
    size_t left = sentences;
    while (left > 0) {
      int n = std::min<int>(static_cast<int>(left), rng.Range(1, 4));
      sizes.push_back(n);
      left -= n;
    }
    return sizes;
  }

  Article Base(uint64_t article) const {
    Rng rng(Seed(o_.seed, article, 1));
    Article a;
    for (int i = 0; i < 40; ++i) a.topic.push_back(m_.content[rng.Below(static_cast<uint32_t>(m_.content.size()))]);
    for (int i = 0; i < 3; ++i) a.topic.push_back(m_.people[rng.Below(static_cast<uint32_t>(m_.people.size()))]);
    a.city = m_.places[rng.Below(static_cast<uint32_t>(m_.places.size()))];
    for (int i = 0; i < 3; ++i) a.topic.push_back(a.city);
    a.outlet = static_cast<int>(rng.Below(std::size(kOutlets)));
    a.dateline_style = static_cast<int>(rng.Below(3));
    a.day = 17897 + rng.Below(2557);  // 2019-01-01 .. 2025-12-31
    a.headline = Sentence(rng, a, 5, 10, false);
    const int target = std::max(20, static_cast<int>(o_.words_per_article * (0.7 + 0.6 * rng.Uniform())));
    int words = 0;
    while (words < target) {
      a.sentences.push_back(Sentence(rng, a, 8, 24, true));
      for (uint32_t t : a.sentences.back()) words += !m_.left_punct[t];
    }
    a.paragraph_sizes = Paragraphs(rng, a.sentences.size());
    return a;
  }

  // Applies the edits in `mask` to a copy of the base.
  void Edit(Article* a, uint32_t mask, Rng& rng) const {
    const double e = o_.edit_intensity;
    if (mask & kEditHeadline) {
      // Keep a few words of the old headline, as re-titling editors do.
      std::vector<uint32_t> h = Sentence(rng, *a, 4, 9, false);
      const size_t keep = std::min<size_t>(a->headline.size(), 2);
      h.insert(h.begin(), a->headline.begin(), a->headline.begin() + keep);
      a->headline = std::move(h);
    }
    if (mask & kEditDateline) {
      a->dateline_style = (a->dateline_style + 1 + static_cast<int>(rng.Below(2))) % 3;
      a->outlet = static_cast<int>(rng.Below(std::size(kOutlets)));
      a->day += rng.Below(3);
    }
    if (mask & kEditSentenceDeleted) {
      int n = 1 + static_cast<int>(rng.Uniform() * 2.5 * e);
      while (n-- > 0 && a->sentences.size() > 3) {
        a->sentences.erase(a->sentences.begin() + 1 + rng.Below(static_cast<uint32_t>(a->sentences.size() - 1)));
      }
    }
    if (mask & kEditSentenceInserted) {
      int n = 1 + static_cast<int>(rng.Uniform() * 2 * e);
      while (n-- > 0) {
        const uint32_t at = 1 + rng.Below(static_cast<uint32_t>(a->sentences.size()));
        a->sentences.insert(a->sentences.begin() + at, Sentence(rng, *a, 8, 20, true));
      }
    }
    if (mask & kEditWords) {
      int n = 1 + static_cast<int>(rng.Uniform() * 6 * e);
      while (n-- > 0) {
        auto& s = a->sentences[rng.Below(static_cast<uint32_t>(a->sentences.size()))];
        uint32_t& t = s[rng.Below(static_cast<uint32_t>(s.size()))];
        if (!m_.left_punct[t & ~kJoinNext]) t = ContentWord(rng, *a) | (t & kJoinNext);
      }
    }
    if (mask & kEditCompounds) {
      // The outlet's habit: split joined compounds, join prepositions.
      const double p = 0.4 + 0.5 * e;
      bool changed = false;
      for (auto& s : a->sentences) changed |= ToggleCompounds(&s, p, rng);
      changed |= ToggleCompounds(&a->headline, p, rng);
      if (!changed) {  // make the edit real: split or join the first candidate
        for (auto& s : a->sentences) {
          if (ToggleCompounds(&s, 1.0, rng)) break;
        }
      }
    }
    if (mask & (kEditParagraphs | kEditSentenceDeleted | kEditSentenceInserted)) {
      size_t total = 0;
      for (int n : a->paragraph_sizes) total += n;
      if ((mask & kEditParagraphs) || total != a->sentences.size()) {
        a->paragraph_sizes = Paragraphs(rng, a->sentences.size());
      }
    }
  }

  // Splits joined compounds and joins a preposition to its next word, each
  // with probability p. Returns whether anything changed.
  bool ToggleCompounds(std::vector<uint32_t>* s, double p, Rng& rng) const {
    bool changed = false;
    std::vector<uint32_t> out;
    out.reserve(s->size() + 4);
    for (size_t i = 0; i < s->size(); ++i) {
      const uint32_t t = (*s)[i];
      const uint32_t id = t & ~kJoinNext;
      if (id < m_.split_of.size() && m_.split_of[id].first != kNoToken && rng.Chance(p)) {
        out.push_back(m_.split_of[id].first);
        out.push_back(m_.split_of[id].second | (t & kJoinNext));
        changed = true;
        continue;
      }
      if (!(t & kJoinNext) && m_.preposition[id] && i + 1 < s->size() &&
          !m_.left_punct[(*s)[i + 1] & ~kJoinNext] && rng.Chance(p * 0.5)) {
        out.push_back(t | kJoinNext);
        changed = true;
        continue;
      }
      out.push_back(t);
    }
    s->swap(out);
    return changed;
  }

  std::string Dateline(const Article& a) const {
    const Date d = DateFromDays(a.day);
    const std::string& city = m_.words[a.city];
    switch (a.dateline_style) {
      case 0:
        return absl::StrCat(city, " - ");
      case 1:
        return absl::StrCat(city, "، ", KurdishDigits(d.day), "ی ", kMonths[d.month - 1], "ی ",
                            KurdishDigits(d.year), " - ");
      default:
        return absl::StrCat("(", kOutletNames[a.outlet], ") ", city, ": ");
    }
  }

  // Renders `a`. Sentences [passage_begin, passage_end) get `passage_style`
  // instead of `style`; sentence_spans receives each sentence's byte span.
  void Render(const Article& a, uint32_t style, Rng& rng, std::string* out,
              std::vector<std::pair<uint32_t, uint32_t>>* sentence_spans = nullptr,
              size_t passage_begin = 0, size_t passage_end = 0, uint32_t passage_style = 0) const {
    std::string plain;
    auto tokens = [&](const std::vector<uint32_t>& s) {
      plain.clear();
      for (size_t i = 0; i < s.size(); ++i) {
        const uint32_t id = s[i] & ~kJoinNext;
        if (i > 0 && !m_.left_punct[id] && !(s[i - 1] & kJoinNext)) plain.push_back(' ');
        plain += m_.words[id];
      }
      return absl::string_view(plain);
    };
    out->clear();
    ApplyStyle(tokens(a.headline), style, rng, out);
    out->append("\n\n");
    ApplyStyle(Dateline(a), style, rng, out);
    size_t sentence = 0;
    for (size_t p = 0; p < a.paragraph_sizes.size(); ++p) {
      if (p > 0) out->append("\n\n");
      for (int k = 0; k < a.paragraph_sizes[p]; ++k, ++sentence) {
        if (k > 0) out->push_back(' ');
        const uint32_t begin = static_cast<uint32_t>(out->size());
        const bool in_passage = sentence >= passage_begin && sentence < passage_end;
        ApplyStyle(tokens(a.sentences[sentence]), in_passage ? passage_style : style, rng, out);
        if (sentence_spans) sentence_spans->push_back({begin, static_cast<uint32_t>(out->size())});
      }
    }
  }

  std::string IsoDate(int64_t day) const {
    const Date d = DateFromDays(day);
    return absl::StrFormat("%04d-%02d-%02d", d.year, d.month, d.day);
  }

 private:
  const Model& m_;
  const CorpusOptions& o_;
};

}  // namespace

// ---- Plan and generation -------------------------------------------------------------

std::string EditKindString(uint32_t edits) {
  static constexpr const char* kNames[] = {"orthography", "compounds", "sentence_deleted",
                                           "sentence_inserted", "paragraphs", "headline",
                                           "dateline", "words"};
  if (edits == 0) return "exact";
  std::string out;
  for (int i = 0; i < 8; ++i) {
    if (edits & (1u << i)) absl::StrAppend(&out, out.empty() ? "" : "+", kNames[i]);
  }
  return out;
}

absl::Status CorpusOptions::Validate() const {
  if (num_docs == 0 || num_docs > 0xFFFFFFF0u) return absl::InvalidArgumentError("num_docs must be in 1..4e9");
  if (!(dup_fraction >= 0 && dup_fraction < 1)) return absl::InvalidArgumentError("dup_fraction must be in [0, 1)");
  if (min_cluster_size < 2 || max_cluster_size < min_cluster_size || max_cluster_size > 1000) {
    return absl::InvalidArgumentError("cluster sizes must satisfy 2 <= min <= max <= 1000");
  }
  if (!(edit_intensity >= 0 && edit_intensity <= 1)) return absl::InvalidArgumentError("edit_intensity must be in [0, 1]");
  if (words_per_article < 20 || words_per_article > 100000) {
    return absl::InvalidArgumentError("words_per_article must be in 20..100000");
  }
  if (!(passage_fraction >= 0 && passage_fraction <= 1)) return absl::InvalidArgumentError("passage_fraction must be in [0, 1]");
  if (min_passage_sentences < 1 || max_passage_sentences < min_passage_sentences) {
    return absl::InvalidArgumentError("passage sentences must satisfy 1 <= min <= max");
  }
  return absl::OkStatus();
}

struct CorpusGenerator::Impl {
  CorpusOptions options;
  Model model;
  // Per document.
  struct Slot {
    uint32_t article = 0;   // content seed; shared by a cluster
    uint32_t cluster = kNone32;
    uint32_t passage_src = kNone32;
    uint16_t edits = 0;     // EditKind bits for a copy; 0 for a base
    uint8_t is_copy = 0;
  };
  std::vector<Slot> slots;
  std::vector<TruthPair> pairs;
  std::vector<std::vector<uint32_t>> clusters;

  void Plan();
  uint32_t DrawEdits(Rng& rng) const;
};

uint32_t CorpusGenerator::Impl::DrawEdits(Rng& rng) const {
  const double e = options.edit_intensity;
  uint32_t m = 0;
  if (rng.Chance(0.85)) m |= kEditOrthography;
  if (rng.Chance(std::min(1.0, 1.0 * e))) m |= kEditCompounds;
  if (rng.Chance(std::min(1.0, 1.2 * e))) m |= kEditSentenceDeleted;
  if (rng.Chance(std::min(1.0, 0.8 * e))) m |= kEditSentenceInserted;
  if (rng.Chance(std::min(1.0, 0.8 * e))) m |= kEditParagraphs;
  if (rng.Chance(std::min(1.0, 0.6 * e))) m |= kEditHeadline;
  if (rng.Chance(std::min(1.0, 0.8 * e))) m |= kEditDateline;
  if (rng.Chance(std::min(1.0, 1.0 * e))) m |= kEditWords;
  return m;
}

void CorpusGenerator::Impl::Plan() {
  const size_t n = options.num_docs;
  Rng rng(Seed(options.seed, 0, 2));
  // Clusters until the copies reach the wanted fraction.
  size_t copies_wanted = static_cast<size_t>(options.dup_fraction * n + 0.5);
  std::vector<int> sizes;
  size_t used = 0, copies = 0;
  while (copies < copies_wanted) {
    int s = rng.Range(options.min_cluster_size, options.max_cluster_size);
    s = static_cast<int>(std::min<size_t>(s, copies_wanted - copies + 1));
    if (used + s > n) break;
    sizes.push_back(s);
    used += s;
    copies += s - 1;
  }
  // Slot order before shuffling: clusters (base first), then singletons.
  std::vector<Slot> ordered;
  ordered.reserve(n);
  uint32_t article = 0;
  for (size_t c = 0; c < sizes.size(); ++c, ++article) {
    for (int k = 0; k < sizes[c]; ++k) {
      Slot s;
      s.article = article;
      s.cluster = static_cast<uint32_t>(c);
      s.is_copy = k > 0;
      if (k > 0) s.edits = static_cast<uint16_t>(DrawEdits(rng));
      ordered.push_back(s);
    }
  }
  while (ordered.size() < n) {
    Slot s;
    s.article = article++;
    ordered.push_back(s);
  }
  for (size_t i = n; i > 1; --i) std::swap(ordered[i - 1], ordered[rng.Below(static_cast<uint32_t>(i))]);
  slots = std::move(ordered);

  clusters.assign(sizes.size(), {});
  for (uint32_t i = 0; i < n; ++i) {
    const Slot& s = slots[i];
    if (s.cluster == kNone32) continue;
    auto& c = clusters[s.cluster];
    if (!s.is_copy) {
      c.insert(c.begin(), i);
    } else {
      c.push_back(i);
    }
  }
  std::sort(clusters.begin(), clusters.end());
  for (const auto& c : clusters) {
    for (size_t x = 0; x < c.size(); ++x) {
      for (size_t y = x + 1; y < c.size(); ++y) {
        const uint32_t a = std::min(c[x], c[y]), b = std::max(c[x], c[y]);
        pairs.push_back({a, b, static_cast<uint32_t>(slots[c[x]].edits | slots[c[y]].edits)});
      }
    }
  }
  std::sort(pairs.begin(), pairs.end(), [](const TruthPair& p, const TruthPair& q) {
    return p.a != q.a ? p.a < q.a : p.b < q.b;
  });

  if (options.passages) {
    std::vector<uint32_t> singles;
    for (uint32_t i = 0; i < n; ++i) {
      if (slots[i].cluster == kNone32) singles.push_back(i);
    }
    std::vector<uint8_t> is_dst(n, 0);
    for (uint32_t i : singles) is_dst[i] = rng.Chance(options.passage_fraction);
    std::vector<uint32_t> sources;
    for (uint32_t i : singles) {
      if (!is_dst[i]) sources.push_back(i);
    }
    if (!sources.empty()) {
      for (uint32_t i : singles) {
        if (is_dst[i]) slots[i].passage_src = sources[rng.Below(static_cast<uint32_t>(sources.size()))];
      }
    }
  }
}

CorpusGenerator::CorpusGenerator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CorpusGenerator::~CorpusGenerator() = default;

absl::StatusOr<std::unique_ptr<CorpusGenerator>> CorpusGenerator::Create(const CorpusOptions& options) {
  DUBARE_RETURN_IF_ERROR(options.Validate());
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  std::vector<std::string> paths = options.training_paths;
  if (paths.empty()) paths.push_back(DUBARE_SOURCE_DIR "/corpus/press");
  DUBARE_ASSIGN_OR_RETURN(impl->model, BuildModel(paths));
  impl->Plan();
  return std::unique_ptr<CorpusGenerator>(new CorpusGenerator(std::move(impl)));
}

const CorpusOptions& CorpusGenerator::options() const { return impl_->options; }
size_t CorpusGenerator::num_docs() const { return impl_->slots.size(); }
const std::vector<TruthPair>& CorpusGenerator::pairs() const { return impl_->pairs; }
const std::vector<std::vector<uint32_t>>& CorpusGenerator::clusters() const { return impl_->clusters; }

void CorpusGenerator::Generate(size_t index, GeneratedDoc* out, std::vector<PlantedPassage>* planted) const {
  const Impl& m = *impl_;
  const Impl::Slot& slot = m.slots[index];
  Writer w(m.model, m.options);
  Rng rng(Seed(m.options.seed, index, 3));
  Article a = w.Base(slot.article);
  out->id = absl::StrFormat("d%07u", static_cast<unsigned>(index));
  uint32_t style = 0;
  size_t source = a.outlet;
  if (slot.is_copy) {
    w.Edit(&a, slot.edits, rng);
    if (slot.edits & kEditOrthography) style = RandomStyle(rng);
    // Republished later, by another outlet (the dateline may still name the first).
    source = (source + 1 + rng.Below(std::size(kOutlets) - 1)) % std::size(kOutlets);
  }
  int64_t day = a.day + (slot.is_copy ? rng.Below(11) : 0);
  if (slot.passage_src == kNone32) {
    w.Render(a, style, rng, &out->text);
  } else {
    // Take sentences of the source as it was rendered.
    const Impl::Slot& src_slot = m.slots[slot.passage_src];
    Article src = w.Base(src_slot.article);
    Rng src_rng(Seed(m.options.seed, slot.passage_src, 3));
    std::string src_text;
    std::vector<std::pair<uint32_t, uint32_t>> src_spans;
    w.Render(src, 0, src_rng, &src_text, &src_spans);
    const int count = std::min<int>(static_cast<int>(src.sentences.size()),
                                    rng.Range(m.options.min_passage_sentences, m.options.max_passage_sentences));
    const uint32_t first = rng.Below(static_cast<uint32_t>(src.sentences.size() - count + 1));
    const uint32_t at = 1 + rng.Below(static_cast<uint32_t>(a.sentences.size()));
    uint32_t edits = 0;
    std::vector<std::vector<uint32_t>> passage(src.sentences.begin() + first,
                                               src.sentences.begin() + first + count);
    if (rng.Chance(0.5)) {
      auto& s = passage[rng.Below(static_cast<uint32_t>(passage.size()))];
      uint32_t& t = s[rng.Below(static_cast<uint32_t>(s.size()))];
      if (!m.model.left_punct[t & ~kJoinNext]) {
        t = w.ContentWord(rng, a) | (t & kJoinNext);
        edits |= kEditWords;
      }
    }
    const uint32_t passage_style = rng.Chance(0.5) ? RandomStyle(rng) : 0;
    if (passage_style) edits |= kEditOrthography;
    a.sentences.insert(a.sentences.begin() + at, passage.begin(), passage.end());
    a.paragraph_sizes = w.Paragraphs(rng, a.sentences.size());
    std::vector<std::pair<uint32_t, uint32_t>> spans;
    w.Render(a, style, rng, &out->text, &spans, at, at + count, passage_style);
    if (planted) {
      PlantedPassage p;
      p.src = slot.passage_src;
      p.src_begin = src_spans[first].first;
      p.src_end = src_spans[first + count - 1].second;
      p.dst = static_cast<uint32_t>(index);
      p.dst_begin = spans[at].first;
      p.dst_end = spans[at + count - 1].second;
      p.edits = edits;
      planted->push_back(p);
    }
  }
  out->date = w.IsoDate(day);
  out->source = kOutlets[source];
}

absl::StatusOr<Corpus> GenerateCorpus(const CorpusOptions& options, int threads) {
  DUBARE_ASSIGN_OR_RETURN(std::unique_ptr<CorpusGenerator> gen, CorpusGenerator::Create(options));
  Corpus corpus;
  const size_t n = gen->num_docs();
  corpus.docs.resize(n);
  threads = std::max(1, threads);
  std::vector<std::vector<PlantedPassage>> planted(threads);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (size_t i = t; i < n; i += threads) gen->Generate(i, &corpus.docs[i], &planted[t]);
    });
  }
  for (std::thread& th : pool) th.join();
  for (auto& p : planted) corpus.passages.insert(corpus.passages.end(), p.begin(), p.end());
  std::sort(corpus.passages.begin(), corpus.passages.end(), [](const PlantedPassage& x, const PlantedPassage& y) {
    return x.dst != y.dst ? x.dst < y.dst : x.dst_begin < y.dst_begin;
  });
  corpus.pairs = gen->pairs();
  corpus.clusters = gen->clusters();
  return corpus;
}

namespace {

// A FILE* that reports errors with its path.
class OutFile {
 public:
  static absl::StatusOr<OutFile> Open(const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) return absl::ErrnoToStatus(errno, absl::StrCat(path, ": cannot create"));
    return OutFile(path, f);
  }
  OutFile(OutFile&& o) noexcept : path_(std::move(o.path_)), f_(std::exchange(o.f_, nullptr)) {}
  ~OutFile() {
    if (f_) std::fclose(f_);
  }
  absl::Status Write(absl::string_view s) {
    if (std::fwrite(s.data(), 1, s.size(), f_) != s.size()) {
      return absl::ErrnoToStatus(errno, absl::StrCat(path_, ": write failed"));
    }
    return absl::OkStatus();
  }
  absl::Status Close() {
    FILE* f = std::exchange(f_, nullptr);
    if (std::fclose(f) != 0) return absl::ErrnoToStatus(errno, absl::StrCat(path_, ": write failed"));
    return absl::OkStatus();
  }

 private:
  OutFile(std::string path, FILE* f) : path_(std::move(path)), f_(f) {}
  std::string path_;
  FILE* f_;
};

void AppendJsonLine(const GeneratedDoc& d, std::string* out) {
  JsonObjectWriter(out).Field("id", d.id).Field("text", d.text).Field("date", d.date).Field("source", d.source);
  out->push_back('\n');
}

}  // namespace

absl::Status WriteCorpus(const CorpusOptions& options, const std::string& dir, int threads) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::InternalError(absl::StrCat(dir, ": cannot create directory: ", ec.message()));
  DUBARE_ASSIGN_OR_RETURN(std::unique_ptr<CorpusGenerator> gen, CorpusGenerator::Create(options));
  DUBARE_ASSIGN_OR_RETURN(OutFile corpus, OutFile::Open(dir + "/corpus.jsonl"));
  const size_t n = gen->num_docs();
  auto id = [](uint32_t i) { return absl::StrFormat("d%07u", i); };

  // Batches of documents are generated on `threads` threads while the
  // previous batch is written, in index order.
  threads = std::max(1, threads);
  constexpr size_t kBatch = 4096;
  std::vector<std::string> chunks[2] = {std::vector<std::string>(threads), std::vector<std::string>(threads)};
  std::vector<std::vector<PlantedPassage>> planted(threads);
  auto generate = [&](size_t begin, std::vector<std::string>* out) {
    const size_t end = std::min(n, begin + kBatch);
    const size_t share = (end - begin + threads - 1) / threads;
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&, t, begin, end, share, out] {
        std::string& chunk = (*out)[t];
        chunk.clear();
        GeneratedDoc doc;
        const size_t lo = std::min(end, begin + t * share), hi = std::min(end, lo + share);
        for (size_t i = lo; i < hi; ++i) {
          gen->Generate(i, &doc, &planted[t]);
          AppendJsonLine(doc, &chunk);
        }
      });
    }
    return pool;
  };
  std::vector<std::thread> running = generate(0, &chunks[0]);
  for (size_t begin = 0, k = 0; begin < n; begin += kBatch, k ^= 1) {
    for (std::thread& th : running) th.join();
    running.clear();
    if (begin + kBatch < n) running = generate(begin + kBatch, &chunks[k ^ 1]);
    for (const std::string& c : chunks[k]) {
      absl::Status written = corpus.Write(c);
      if (!written.ok()) {
        for (std::thread& th : running) th.join();
        return written;
      }
    }
  }
  DUBARE_RETURN_IF_ERROR(corpus.Close());

  std::string text = "id_a\tid_b\tedits\n";
  for (const TruthPair& p : gen->pairs()) absl::StrAppend(&text, id(p.a), "\t", id(p.b), "\t", EditKindString(p.edits), "\n");
  DUBARE_RETURN_IF_ERROR(WriteFileAtomically(dir + "/pairs.tsv", text));

  text.clear();
  for (const auto& c : gen->clusters()) {
    for (size_t k = 0; k < c.size(); ++k) absl::StrAppend(&text, k ? "\t" : "", id(c[k]));
    text.push_back('\n');
  }
  DUBARE_RETURN_IF_ERROR(WriteFileAtomically(dir + "/clusters.tsv", text));

  std::vector<PlantedPassage> passages;
  for (auto& p : planted) passages.insert(passages.end(), p.begin(), p.end());
  std::sort(passages.begin(), passages.end(), [](const PlantedPassage& x, const PlantedPassage& y) {
    return x.dst != y.dst ? x.dst < y.dst : x.dst_begin < y.dst_begin;
  });
  text = "src_id\tsrc_begin\tsrc_end\tdst_id\tdst_begin\tdst_end\tedits\n";
  for (const PlantedPassage& p : passages) {
    absl::StrAppend(&text, id(p.src), "\t", p.src_begin, "\t", p.src_end, "\t", id(p.dst), "\t", p.dst_begin,
                    "\t", p.dst_end, "\t", EditKindString(p.edits), "\n");
  }
  return WriteFileAtomically(dir + "/passages.tsv", text);
}

}  // namespace dubare::gen
