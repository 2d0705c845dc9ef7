// Copyright 2026 The Dubare Authors.
//
// Fuzzes opening an index file made of arbitrary bytes (seeded with real,
// small index files, so most mutations are damaged indexes rather than
// foreign files). Input: one option byte, then the file's bytes.
// Invariants checked: Index::Open returns an error or an index, never
// crashes; an error names the path; an
// opened index answers Stats, CheckIntegrity, a query and (when writable) an
// add with a status, never a crash, and its settings are valid.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "dubare/index.h"
#include "fuzz_util.h"

namespace dubare {
namespace {

void RemoveFiles(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::remove(absl::StrCat(path, suffix).c_str());
  }
}

}  // namespace
}  // namespace dubare

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dubare;
  fuzz::Input in(data, size);
  const uint8_t o = in.Byte();
  const absl::string_view bytes = in.rest();

  static const fuzz::ScratchFile scratch("index_fuzz.dbx");
  const std::string& path = scratch.path();
  RemoveFiles(path);
  FUZZ_CHECK(fuzz::WriteFile(path, bytes));
  IndexOptions options;
  options.read_only = o & 1;
  options.quick_check = o & 2;
  options.busy_timeout_ms = 0;
  options.cache_mb = 1;
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(path, options);
  if (!index.ok()) {
    FUZZ_CHECK(absl::StrContains(index.status().message(), path));
    RemoveFiles(path);
    return 0;
  }
  const IndexSettings& settings = (*index)->settings();
  FUZZ_CHECK(settings.Validate().ok());
  (void)(*index)->Stats();
  if (o & 4) (void)(*index)->CheckIntegrity();
  SketchedDocument doc;
  doc.id = "fuzz";
  doc.length = 10;
  doc.minhash.assign(settings.sketch.num_perm, 0x12345678u);
  for (size_t i = 0; i < doc.minhash.size(); ++i) doc.minhash[i] ^= static_cast<uint32_t>(i);
  (void)(*index)->QuerySketched({doc});
  if (!options.read_only && (o & 8)) (void)(*index)->AddSketched({doc});
  index->reset();
  RemoveFiles(path);
  return 0;
}
