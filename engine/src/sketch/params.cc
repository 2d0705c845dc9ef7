// Copyright 2026 The Dubare Authors.

#include <cinttypes>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "base/enum_names.h"
#include "dubare/shingle.h"
#include "dubare/sketch.h"

namespace dubare {
namespace {

absl::Status Mismatch(absl::string_view field, const std::string& a, const std::string& b) {
  return absl::FailedPreconditionError(absl::StrCat(
      "signatures are not comparable: ", field, " differs (", a, " vs ", b, ")"));
}

// Parses "name=value" with the expected name into *value.
template <typename T>
absl::Status ParseField(absl::string_view field, absl::string_view name, T* value) {
  if (!absl::ConsumePrefix(&field, name) || !absl::ConsumePrefix(&field, "=")) {
    return absl::InvalidArgumentError(absl::StrCat("expected '", name, "=...', got '", field, "'"));
  }
  bool ok;
  if constexpr (std::is_same_v<T, uint64_t>) {
    ok = absl::ConsumePrefix(&field, "0x") ? absl::SimpleHexAtoi(field, value)
                                           : absl::SimpleAtoi(field, value);
  } else {
    ok = absl::SimpleAtoi(field, value);
  }
  if (!ok) {
    return absl::InvalidArgumentError(absl::StrCat("bad value for '", name, "': '", field, "'"));
  }
  return absl::OkStatus();
}

}  // namespace

namespace {
constexpr base::EnumName<MinHashMethod> kMinHashMethods[] = {{MinHashMethod::kClassic, "classic"},
                                                             {MinHashMethod::kOnePerm, "oneperm"}};
}  // namespace

absl::string_view MinHashMethodName(MinHashMethod method) {
  return base::NameOf(method, kMinHashMethods);
}

absl::StatusOr<MinHashMethod> ParseMinHashMethod(absl::string_view name) {
  return base::ParseName("MinHash method", name, kMinHashMethods);
}

std::string ShingleSpec(const ShingleOptions& o) {
  if (o.kind == ShingleKind::kWord) return absl::StrCat("word:", o.size);
  return absl::StrCat(o.ignore_spaces ? "char:" : "charsp:", o.size);
}

absl::Status ParseShingleSpec(absl::string_view spec, ShingleOptions* options) {
  ShingleOptions o = *options;
  std::vector<absl::string_view> parts = absl::StrSplit(spec, ':');
  if (parts.size() != 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad shingle spec '", spec, "': expected word:K, char:K or charsp:K"));
  }
  if (parts[0] == "word") {
    o.kind = ShingleKind::kWord;
  } else if (parts[0] == "char" || parts[0] == "charsp") {
    o.kind = ShingleKind::kChar;
    o.ignore_spaces = parts[0] == "char";
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("bad shingle kind '", parts[0], "' in '", spec, "': word, char or charsp"));
  }
  if (!absl::SimpleAtoi(parts[1], &o.size)) {
    return absl::InvalidArgumentError(absl::StrCat("bad shingle size in '", spec, "'"));
  }
  if (absl::Status s = o.Validate(); !s.ok()) return s;
  *options = o;
  return absl::OkStatus();
}

absl::Status SketchParams::Validate() const {
  if (format_version != kFormatVersion) {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported sketch format version ", format_version));
  }
  if (normalizer_version != kNormalizerVersion) {
    // The match key this build computes is another: signatures would not
    // compare. (Version 2 folds Kurmanji î ê û ş ç to i e u s c.)
    return absl::FailedPreconditionError(absl::StrCat(
        "normalizer version ", normalizer_version, ": this build normalizes with version ",
        kNormalizerVersion, ", so its signatures do not compare; sketch the documents again (an index: build a new one)"));
  }
  if (absl::Status s = shingle.Validate(); !s.ok()) return s;
  if (method != MinHashMethod::kClassic && method != MinHashMethod::kOnePerm) {
    return absl::InvalidArgumentError("unknown MinHash method");
  }
  if (num_perm < 64 || num_perm > 1024) {
    return absl::InvalidArgumentError(
        absl::StrCat("num_perm ", num_perm, " out of range 64..1024"));
  }
  return absl::OkStatus();
}

absl::Status SketchParams::CheckCompatible(const SketchParams& o) const {
  auto str = [](auto v) { return absl::StrCat(v); };
  if (format_version != o.format_version)
    return Mismatch("format version", str(format_version), str(o.format_version));
  if (normalizer_version != o.normalizer_version)
    return Mismatch("normalizer version", str(normalizer_version), str(o.normalizer_version));
  if (match_key_keep_spaces != o.match_key_keep_spaces)
    return Mismatch("match-key keep_spaces", str(match_key_keep_spaces),
                    str(o.match_key_keep_spaces));
  // ignore_spaces means nothing for word shingles, so ShingleSpec omits it there.
  if (ShingleSpec(shingle) != ShingleSpec(o.shingle))
    return Mismatch("shingle", ShingleSpec(shingle), ShingleSpec(o.shingle));
  if (shingle.seed != o.shingle.seed)
    return Mismatch("shingle seed", absl::StrFormat("0x%x", shingle.seed),
                    absl::StrFormat("0x%x", o.shingle.seed));
  if (method != o.method) {
    return Mismatch("MinHash method", std::string(MinHashMethodName(method)),
                    std::string(MinHashMethodName(o.method)));
  }
  if (num_perm != o.num_perm) return Mismatch("num_perm", str(num_perm), str(o.num_perm));
  if (seed != o.seed) return Mismatch("MinHash seed", str(seed), str(o.seed));
  return absl::OkStatus();
}

std::string SketchParams::ToString() const {
  return absl::StrFormat("v%u norm%u keep_spaces=%d %s shingle_seed=0x%x minhash=%s k=%u seed=%u",
                         format_version, normalizer_version, match_key_keep_spaces ? 1 : 0,
                         ShingleSpec(shingle), shingle.seed, MinHashMethodName(method), num_perm, seed);
}

absl::StatusOr<SketchParams> SketchParams::Parse(absl::string_view text) {
  auto error = [&](const absl::Status& s) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad sketch parameters '", text, "': ", s.message()));
  };
  std::vector<absl::string_view> f = absl::StrSplit(text, ' ', absl::SkipEmpty());
  if (f.size() != 8) {
    return error(absl::InvalidArgumentError(absl::StrCat("expected 8 fields, got ", f.size())));
  }
  SketchParams p;
  absl::string_view v = f[0], n = f[1];
  if (!absl::ConsumePrefix(&v, "v") || !absl::SimpleAtoi(v, &p.format_version))
    return error(absl::InvalidArgumentError("field 1 must be vN"));
  if (!absl::ConsumePrefix(&n, "norm") || !absl::SimpleAtoi(n, &p.normalizer_version))
    return error(absl::InvalidArgumentError("field 2 must be normN"));
  int keep = 0;
  if (absl::Status s = ParseField(f[2], "keep_spaces", &keep); !s.ok()) return error(s);
  if (keep != 0 && keep != 1) return error(absl::InvalidArgumentError("keep_spaces must be 0 or 1"));
  p.match_key_keep_spaces = keep == 1;
  if (absl::Status s = ParseShingleSpec(f[3], &p.shingle); !s.ok()) return error(s);
  if (absl::Status s = ParseField(f[4], "shingle_seed", &p.shingle.seed); !s.ok()) return error(s);
  absl::string_view m = f[5];
  if (!absl::ConsumePrefix(&m, "minhash=")) {
    return error(absl::InvalidArgumentError("expected minhash=..."));
  }
  absl::StatusOr<MinHashMethod> method = ParseMinHashMethod(m);
  if (!method.ok()) return error(method.status());
  p.method = *method;
  if (absl::Status s = ParseField(f[6], "k", &p.num_perm); !s.ok()) return error(s);
  if (absl::Status s = ParseField(f[7], "seed", &p.seed); !s.ok()) return error(s);
  if (absl::Status s = p.Validate(); !s.ok()) return error(s);
  return p;
}

}  // namespace dubare
