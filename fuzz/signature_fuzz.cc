// Copyright 2026 The Dubare Authors.
//
// Fuzzes the decoders of stored signatures and their parameters: what an
// index file or a `dubare sketch` line hands back. Input: one selector byte,
// then the bytes to decode.
// Invariants checked:
//   * DecodeValues accepts exactly 4 * count bytes and re-encodes to them;
//   * SketchParams::Parse accepts only valid parameters, and what it accepts
//     prints (ToString) to a text that parses back to the same value;
//   * LshParams::Parse and ParseShingleSpec likewise round-trip.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "dubare/lsh.h"
#include "dubare/shingle.h"
#include "dubare/sketch.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dubare;
  fuzz::Input in(data, size);
  const uint8_t selector = in.Byte();
  const absl::string_view bytes = in.rest();
  switch (selector % 4) {
    case 0: {
      const size_t count = in.rest().size() / 4 + (selector >> 2) % 3 - 1;  // off by -1..+1
      absl::StatusOr<std::vector<uint32_t>> values = DecodeValues(bytes, count);
      FUZZ_CHECK(values.ok() == (bytes.size() == count * 4));
      if (values.ok()) {
        FUZZ_CHECK(values->size() == count);
        FUZZ_CHECK(EncodeValues(*values) == bytes);
        if (!values->empty()) FUZZ_CHECK(EstimateJaccard(*values, *values) == 1.0);
      }
      break;
    }
    case 1: {
      absl::StatusOr<SketchParams> p = SketchParams::Parse(bytes);
      if (p.ok()) {
        FUZZ_CHECK(p->Validate().ok());
        absl::StatusOr<SketchParams> again = SketchParams::Parse(p->ToString());
        FUZZ_CHECK(again.ok() && *again == *p);
        FUZZ_CHECK(p->CheckCompatible(*again).ok());
      } else {
        FUZZ_CHECK(p.status().code() == absl::StatusCode::kInvalidArgument);
      }
      break;
    }
    case 2: {
      absl::StatusOr<LshParams> p = LshParams::Parse(bytes);
      if (p.ok()) {
        absl::StatusOr<LshParams> again = LshParams::Parse(p->ToString());
        FUZZ_CHECK(again.ok() && *again == *p);
        (void)p->Validate(1024);  // any value: must not overflow or crash
      }
      break;
    }
    case 3: {
      ShingleOptions options;
      if (ParseShingleSpec(bytes, &options).ok()) {
        FUZZ_CHECK(options.Validate().ok());
        ShingleOptions again;
        FUZZ_CHECK(ParseShingleSpec(ShingleSpec(options), &again).ok());
        FUZZ_CHECK(again == options);
      }
      break;
    }
  }
  return 0;
}
