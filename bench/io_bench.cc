// Copyright 2026 The Dubare Authors.
//
// Reading JSON Lines and generating the synthetic corpus.
//
// BM_ReadJsonl_Reader reads a generated news corpus (plain, gzip, zstd)
// through dubare::Reader; BM_ReadJsonl_Naive is the obvious alternative in
// the same run: std::getline and a full DOM parse of each line. Compare the
// two as a ratio (the machine is shared). BM_Generate_Corpus measures the
// generator, which the dedup benchmarks need at a million documents.

#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "dubare/json_writer.h"
#include "dubare/reader.h"
#include "gen/corpus_gen.h"
#include "simdjson.h"

namespace dubare {
namespace {

enum Codec { kPlain = 0, kGzip = 1, kZstd = 2 };

std::string Compress(const std::string& data, Codec codec) {
  if (codec == kGzip) {
    z_stream z{};
    deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&z, data.size()), '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
  }
  if (codec == kZstd) {
    std::string out(ZSTD_compressBound(data.size()), '\0');
    out.resize(ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3));
    return out;
  }
  return data;
}

// A corpus of `docs` generated articles as a JSON Lines file, made once per
// (docs, codec) and kept in the temporary directory for the whole run.
struct Fixture {
  std::string path;
  size_t bytes = 0;  // uncompressed
};

// The fixture files live for the whole run and are removed at exit.
void RemoveAtExit(const std::string& path) {
  static auto* paths = new std::vector<std::string>;
  if (paths->empty()) {
    std::atexit([] {
      for (const std::string& p : *paths) std::remove(p.c_str());
    });
  }
  paths->push_back(path);
}

const Fixture& CorpusFile(size_t docs, Codec codec) {
  static std::map<std::pair<size_t, int>, Fixture>* cache = new std::map<std::pair<size_t, int>, Fixture>;
  auto it = cache->find({docs, codec});
  if (it != cache->end()) return it->second;
  gen::CorpusOptions options;
  options.num_docs = docs;
  options.seed = 99;
  const gen::Corpus corpus = *gen::GenerateCorpus(options, 2);
  std::string data;
  for (const gen::GeneratedDoc& d : corpus.docs) {
    JsonObjectWriter(&data).Field("id", d.id).Field("text", d.text).Field("date", d.date).Field("source", d.source);
    data.push_back('\n');
  }
  static const char* kExt[] = {".jsonl", ".jsonl.gz", ".jsonl.zst"};
  Fixture f;
  f.path = (std::filesystem::temp_directory_path() /
            ("dubare_io_bench_" + std::to_string(::getpid()) + "_" + std::to_string(docs) + kExt[codec]))
               .string();
  f.bytes = data.size();
  std::ofstream(f.path, std::ios::binary) << Compress(data, codec);
  RemoveAtExit(f.path);
  return cache->emplace(std::make_pair(docs, static_cast<int>(codec)), f).first->second;
}

void BM_ReadJsonl_Reader(benchmark::State& state) {
  const Fixture& f = CorpusFile(state.range(0), static_cast<Codec>(state.range(1)));
  ReaderOptions options;
  options.extra_fields = {"date"};
  size_t docs = 0;
  for (auto _ : state) {
    std::unique_ptr<Reader> reader = *Reader::Open({f.path}, options);
    Document doc;
    while (*reader->Next(&doc)) ++docs;
  }
  state.SetBytesProcessed(static_cast<int64_t>(f.bytes * state.iterations()));
  state.SetItemsProcessed(static_cast<int64_t>(docs));
}
BENCHMARK(BM_ReadJsonl_Reader)
    ->ArgsProduct({{1000, 10000}, {kPlain, kGzip, kZstd}})
    ->ArgNames({"docs", "codec"})
    ->Unit(benchmark::kMillisecond);

// The obvious way: getline, then a validating DOM parse of each line.
void BM_ReadJsonl_Naive(benchmark::State& state) {
  const Fixture& f = CorpusFile(state.range(0), kPlain);
  simdjson::dom::parser parser;
  size_t docs = 0;
  for (auto _ : state) {
    std::ifstream in(f.path, std::ios::binary);
    std::string line, id, text, date;
    while (std::getline(in, line)) {
      simdjson::dom::element e;
      if (parser.parse(line).get(e)) continue;
      std::string_view v;
      if (!e["id"].get(v)) id.assign(v);
      if (!e["text"].get(v)) text.assign(v);
      if (!e["date"].get(v)) date.assign(v);
      ++docs;
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(f.bytes * state.iterations()));
  state.SetItemsProcessed(static_cast<int64_t>(docs));
}
BENCHMARK(BM_ReadJsonl_Naive)->Arg(1000)->Arg(10000)->ArgName("docs")->Unit(benchmark::kMillisecond);

// The texts both escapes run over: 1,000 generated articles.
const std::vector<Document>& EscapeTexts() {
  static const auto* docs =
      new std::vector<Document>(*ReadAllDocuments({CorpusFile(1000, kPlain).path}, ReaderOptions()));
  return *docs;
}

void BM_JsonString_Escape(benchmark::State& state) {
  const std::vector<Document>& docs = EscapeTexts();
  size_t bytes = 0;
  std::string out;
  for (auto _ : state) {
    for (const Document& d : docs) {
      out.clear();
      AppendJsonString(d.text, &out);
      bytes += d.text.size();
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_JsonString_Escape)->Unit(benchmark::kMillisecond);

// The hand-written escape most code has: a byte at a time, no UTF-8 check.
void BM_JsonString_Naive(benchmark::State& state) {
  const std::vector<Document>& docs = EscapeTexts();
  size_t bytes = 0;
  std::string out;
  for (auto _ : state) {
    for (const Document& d : docs) {
      out.clear();
      out += '"';
      for (char c : d.text) {
        switch (c) {
          case '"': out += "\\\""; break;
          case '\\': out += "\\\\"; break;
          case '\n': out += "\\n"; break;
          default:
            if (static_cast<unsigned char>(c) < 0x20) {
              char buf[8];
              std::snprintf(buf, sizeof buf, "\\u%04x", c);
              out += buf;
            } else {
              out += c;
            }
        }
      }
      out += '"';
      bytes += d.text.size();
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_JsonString_Naive)->Unit(benchmark::kMillisecond);

// One thread generating documents (with 30% copies, the default).
void BM_Generate_Corpus(benchmark::State& state) {
  gen::CorpusOptions options;
  options.num_docs = state.range(0);
  options.passages = state.range(1) != 0;
  std::unique_ptr<gen::CorpusGenerator> gen = *gen::CorpusGenerator::Create(options);
  gen::GeneratedDoc doc;
  size_t bytes = 0, docs = 0;
  for (auto _ : state) {
    for (size_t i = 0; i < gen->num_docs(); ++i) {
      gen->Generate(i, &doc);
      bytes += doc.text.size();
      ++docs;
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.SetItemsProcessed(static_cast<int64_t>(docs));
}
BENCHMARK(BM_Generate_Corpus)
    ->ArgsProduct({{2000}, {0, 1}})
    ->ArgNames({"docs", "passages"})
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace dubare
