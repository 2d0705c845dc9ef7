// Copyright 2026 The Dubare Authors.
//
// _dubare: the Python binding of the library (pybind11). A thin caller of the
// public API: options are keyword arguments named like the CLI's flags, a
// Status that is not OK becomes an exception (ValueError for bad arguments,
// FileNotFoundError, PermissionError, else dubare.Error), and every call
// that sketches releases the GIL and runs on all cores (threads=0).
//
// python/dubare/__init__.py is the package users import; it re-exports this.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

// SHA1_Init/Update/Final are deprecated in OpenSSL 3 but are its fast path.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <algorithm>
#include <memory>
#include <random>
#include <thread>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "dubare/dedup.h"
#include "dubare/index.h"
#include "dubare/normalize.h"
#include "dubare/sketch.h"

namespace py = pybind11;

namespace dubare::python {
namespace {

// dubare.Error, set when the module is initialized.
PyObject* g_error = nullptr;

// Raises the Python exception for a Status that is not OK.
[[noreturn]] void Raise(const absl::Status& status) {
  const std::string message(status.message());
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      throw py::value_error(message);
    case absl::StatusCode::kNotFound:
      PyErr_SetString(PyExc_FileNotFoundError, message.c_str());
      throw py::error_already_set();
    case absl::StatusCode::kPermissionDenied:
      PyErr_SetString(PyExc_PermissionError, message.c_str());
      throw py::error_already_set();
    default:
      PyErr_SetString(g_error, message.c_str());
      throw py::error_already_set();
  }
}

void Check(const absl::Status& status) {
  if (!status.ok()) Raise(status);
}
template <typename T>
T Check(absl::StatusOr<T> value) {
  if (!value.ok()) Raise(value.status());
  return *std::move(value);
}

// The sketch parameters of the CLI's flags --shingle, --num-perm, --minhash,
// --keep-spaces.
SketchParams MakeSketchParams(const std::string& shingle, uint32_t num_perm,
                              const std::string& minhash, bool keep_spaces) {
  SketchParams p;
  Check(ParseShingleSpec(shingle, &p.shingle));
  p.num_perm = num_perm;
  p.method = Check(ParseMinHashMethod(minhash));
  p.match_key_keep_spaces = keep_spaces;
  Check(p.Validate());
  return p;
}

// UTF-8 views of Python str objects, kept alive by `owners` so that the GIL
// can be released while C++ reads them.
struct TextViews {
  std::vector<py::object> owners;
  std::vector<absl::string_view> views;
};

// The UTF-8 of a str; a TypeError names it as "[document N: ]WHAT" (the
// message is only built on failure: this runs once per document).
constexpr size_t kNoPosition = ~size_t{0};
absl::string_view Utf8(const py::handle& text, const char* what, size_t position = kNoPosition) {
  if (!PyUnicode_Check(text.ptr())) {
    throw py::type_error(absl::StrCat(
        position == kNoPosition ? "" : absl::StrCat("document ", position, ": "), what,
        " must be str, not ", Py_TYPE(text.ptr())->tp_name));
  }
  Py_ssize_t size = 0;
  const char* data = PyUnicode_AsUTF8AndSize(text.ptr(), &size);
  if (data == nullptr) throw py::error_already_set();  // lone surrogates
  return absl::string_view(data, static_cast<size_t>(size));
}

TextViews ViewsOf(const py::iterable& texts) {
  TextViews t;
  for (py::handle item : texts) {
    t.owners.push_back(py::reinterpret_borrow<py::object>(item));
    t.views.push_back(Utf8(item, "each text"));
  }
  return t;
}

// ---- normalize -------------------------------------------------------------------

py::object Normalize(const py::str& text, const std::string& form, const std::string& script,
                     bool keep_spaces, bool keep_paragraphs, const std::string& on_invalid,
                     bool offsets) {
  NormalizeOptions o;
  o.form = Check(ParseNormalForm(form));
  o.script = Check(ParseScript(script));
  o.keep_spaces = keep_spaces;
  o.keep_paragraphs = keep_paragraphs;
  o.on_invalid = Check(ParseInvalidUtf8Policy(on_invalid));
  o.offset_map = offsets;
  const absl::string_view input = Utf8(text, "text");
  NormalizedText out;
  absl::Status status;
  {
    py::gil_scoped_release release;
    status = Normalizer(o).Normalize(input, &out);
  }
  Check(status);
  py::str result(out.text.data(), out.text.size());
  if (!offsets) return result;
  py::array_t<uint32_t> begins(out.map.size()), ends(out.map.size());
  std::copy(out.map.begins().begin(), out.map.begins().end(), begins.mutable_data());
  std::copy(out.map.ends().begin(), out.map.ends().end(), ends.mutable_data());
  return py::make_tuple(result, begins, ends);
}

// ---- Sketcher --------------------------------------------------------------------

class Sketcher {
 public:
  Sketcher(const std::string& shingle, uint32_t num_perm, const std::string& minhash,
           bool keep_spaces, int threads)
      : params_(MakeSketchParams(shingle, num_perm, minhash, keep_spaces)), threads_(threads) {
    if (threads < 0) throw py::value_error("threads must be >= 0");
  }

  // An (n, num_perm) uint32 matrix; a text with no word gets a row of
  // 0xFFFFFFFF (as datasketch's empty MinHash).
  py::array_t<uint32_t> Sketch(const py::iterable& texts) const {
    TextViews t = ViewsOf(texts);
    SketchBatchOptions o;
    o.threads = threads_;
    absl::StatusOr<SketchBatch> batch;
    {
      py::gil_scoped_release release;
      batch = SketchTexts(t.views, params_, o);
    }
    SketchBatch b = Check(std::move(batch));
    for (size_t i = 0; i < b.size(); ++i) {
      if (b.reject_reason[i] == "sketch_error") {
        Raise(absl::InvalidArgumentError(absl::StrCat("text ", i, ": ", b.reject_detail[i])));
      }
    }
    py::array_t<uint32_t> out({b.size(), static_cast<size_t>(params_.num_perm)});
    std::copy(b.minhash.begin(), b.minhash.end(), out.mutable_data());
    return out;
  }

  std::string params() const { return params_.ToString(); }
  uint32_t num_perm() const { return params_.num_perm; }

 private:
  SketchParams params_;
  int threads_;
};

// ---- dedup -----------------------------------------------------------------------

struct DedupArgs {
  DedupOptions options;
  std::string id_field = "id";
  std::string text_field = "text";
  size_t batch_size = 10000;
};

// Streams `docs` into a Deduper in batches: each batch's texts are copied
// with the GIL held, then sketched without it while Python produces more.
py::dict RunDedup(const py::iterable& docs, const DedupArgs& args) {
  std::unique_ptr<Deduper> deduper = Check(Deduper::Create(args.options));
  const bool want_keep = args.options.keep.kind == KeepPolicy::Kind::kEarliest;
  const py::str id_key(args.id_field), text_key(args.text_field), keep_key(args.options.keep.field);
  std::vector<std::string> ids, texts, keep_values;
  size_t position = 0;
  auto flush = [&] {
    absl::Status s;
    {
      py::gil_scoped_release release;
      s = deduper->Add(std::move(ids), std::move(texts), std::move(keep_values));
    }
    ids.clear();
    texts.clear();
    keep_values.clear();
    Check(s);
  };
  for (py::handle item : docs) {
    if (PyUnicode_Check(item.ptr())) {
      ids.push_back(std::to_string(position));
      texts.emplace_back(Utf8(item, "the text", position));
      if (want_keep) keep_values.emplace_back();
    } else if (PyDict_Check(item.ptr())) {
      py::dict d = py::reinterpret_borrow<py::dict>(item);
      if (!d.contains(text_key)) {
        throw py::value_error(
            absl::StrCat("document ", position, ": no '", args.text_field, "' field"));
      }
      texts.emplace_back(Utf8(d[text_key], args.text_field.c_str(), position));
      if (d.contains(id_key) && !d[id_key].is_none()) {
        ids.push_back(py::str(d[id_key]));
      } else {
        ids.push_back(std::to_string(position));
      }
      if (want_keep) {
        keep_values.push_back(d.contains(keep_key) && !d[keep_key].is_none()
                                  ? std::string(py::str(d[keep_key]))
                                  : std::string());
      }
    } else if (PyTuple_Check(item.ptr()) && py::len(item) == 2) {
      py::tuple t = py::reinterpret_borrow<py::tuple>(item);
      ids.push_back(py::str(t[0]));
      texts.emplace_back(Utf8(t[1], "the text", position));
      if (want_keep) keep_values.emplace_back();
    } else {
      throw py::type_error(absl::StrCat("document ", position,
                                        ": expected a dict, an (id, text) tuple or a str, not ",
                                        Py_TYPE(item.ptr())->tp_name));
    }
    ++position;
    if (texts.size() >= args.batch_size) flush();
  }
  flush();
  absl::StatusOr<DedupResult> finished;
  {
    py::gil_scoped_release release;
    finished = deduper->Finish();
  }
  DedupResult r = Check(std::move(finished));
  auto id_of = [&](uint32_t doc) { return py::str(deduper->id(doc)); };

  py::list clusters;
  for (const Cluster& c : r.clusters) {
    py::list members;
    for (const ClusterMember& m : c.members) members.append(py::make_tuple(id_of(m.doc), m.score));
    py::dict cluster;
    cluster["representative"] = id_of(c.representative);
    cluster["members"] = members;
    clusters.append(cluster);
  }
  py::list pairs;
  for (const ScoredPair& p : r.pairs) pairs.append(py::make_tuple(id_of(p.a), id_of(p.b), p.score));
  py::list kept;
  py::dict duplicates;
  for (size_t d = 0; d < r.fate.size(); ++d) {
    if (r.fate[d] == DocumentFate::kKept) kept.append(id_of(d));
    if (r.fate[d] == DocumentFate::kDuplicate) {
      duplicates[id_of(d)] = id_of(r.clusters[r.cluster_of[d]].representative);
    }
  }
  py::list rejected;
  for (const DedupRejection& x : r.rejected) {
    rejected.append(py::make_tuple(id_of(x.doc), x.reason, x.detail));
  }
  py::dict stats;
  stats["documents"] = r.stats.documents;
  stats["rejected"] = r.stats.rejected;
  stats["kept"] = r.stats.kept;
  stats["duplicates"] = r.stats.duplicates;
  stats["clusters"] = r.stats.clusters;
  stats["candidate_pairs"] = r.stats.candidate_pairs;
  stats["verified_pairs"] = r.stats.verified_pairs;
  stats["bands"] = r.stats.bands;
  stats["rows"] = r.stats.rows;
  stats["threads"] = r.stats.threads;
  py::dict result;
  result["clusters"] = clusters;
  result["pairs"] = pairs;
  result["kept"] = kept;
  result["duplicates"] = duplicates;
  result["rejected"] = rejected;
  result["stats"] = stats;
  return result;
}

// ---- Index -------------------------------------------------------------------------

class PyIndex {
 public:
  PyIndex(const std::string& path, bool create, bool read_only, double threshold,
          const std::string& shingle, uint32_t num_perm, const std::string& minhash,
          bool keep_spaces, int threads) {
    IndexOptions o;
    o.read_only = read_only;
    o.threads = threads;
    o.settings.threshold = threshold;
    o.settings.sketch = MakeSketchParams(shingle, num_perm, minhash, keep_spaces);
    py::gil_scoped_release release;
    absl::StatusOr<std::unique_ptr<Index>> index =
        create ? Index::Create(path, o) : Index::Open(path, o);
    py::gil_scoped_acquire acquire;
    index_ = Check(std::move(index));
  }

  // [(id, status, [(match_id, score), ...]), ...]
  py::list Add(const py::iterable& docs) { return Run(docs, /*add=*/true); }
  py::list Query(const py::iterable& docs) { return Run(docs, /*add=*/false); }

  py::list Remove(const std::vector<std::string>& ids) {
    absl::StatusOr<std::vector<bool>> removed;
    {
      py::gil_scoped_release release;
      removed = Live()->Remove(ids);
    }
    py::list out;
    for (bool b : Check(std::move(removed))) out.append(b);
    return out;
  }

  py::dict Stats() {
    const IndexStats s = Check(Live()->Stats());
    py::dict d;
    d["documents"] = s.documents;
    d["batches"] = s.batches;
    d["runs"] = s.runs;
    d["band_entries"] = s.band_entries;
    d["removed_documents"] = s.removed_documents;
    d["file_bytes"] = s.file_bytes;
    d["sketch"] = s.settings.sketch.ToString();
    d["lsh"] = s.settings.lsh.ToString();
    d["threshold"] = s.settings.threshold;
    return d;
  }

  void Close() {
    if (index_ != nullptr) {
      py::gil_scoped_release release;
      index_.reset();
    }
  }

 private:
  Index* Live() {
    if (index_ == nullptr) Raise(absl::FailedPreconditionError("the index is closed"));
    return index_.get();
  }

  py::list Run(const py::iterable& docs, bool add) {
    std::vector<IndexDocument> batch;
    size_t position = 0;
    for (py::handle item : docs) {
      IndexDocument d;
      if (PyTuple_Check(item.ptr()) && py::len(item) == 2) {
        d.id = py::str(item[py::int_(0)]);
        d.text = std::string(Utf8(item[py::int_(1)], "the text", position));
      } else if (PyDict_Check(item.ptr())) {
        py::dict m = py::reinterpret_borrow<py::dict>(item);
        if (!m.contains("id") || !m.contains("text")) {
          throw py::value_error(absl::StrCat("document ", position, ": needs 'id' and 'text'"));
        }
        d.id = py::str(m["id"]);
        d.text = std::string(Utf8(m["text"], "the text", position));
      } else {
        throw py::type_error(absl::StrCat("document ", position,
                                          ": expected a dict or an (id, text) tuple"));
      }
      batch.push_back(std::move(d));
      ++position;
    }
    std::vector<IndexResult> results;
    absl::Status status;
    {
      py::gil_scoped_release release;
      if (add) {
        absl::StatusOr<AddResult> r = Live()->Add(batch);
        status = r.status();
        if (r.ok()) results = std::move(r->results);
      } else {
        absl::StatusOr<std::vector<IndexResult>> r = Live()->Query(batch);
        status = r.status();
        if (r.ok()) results = *std::move(r);
      }
    }
    Check(status);
    py::list out;
    for (size_t i = 0; i < results.size(); ++i) {
      py::list matches;
      for (const IndexMatch& m : results[i].matches) matches.append(py::make_tuple(m.id, m.score));
      out.append(py::make_tuple(batch[i].id, std::string(IndexStatusName(results[i].status)),
                                matches));
    }
    return out;
  }

  std::unique_ptr<Index> index_;
};

// ---- dubare.datasketch kernels ------------------------------------------------------
//
// datasketch's MinHash, bit for bit: permutations (a, b) drawn by numpy's
// legacy RandomState(seed) (MT19937, 64-bit masked rejection sampling),
// the default hash sha1_hash32 (the first 4 bytes of SHA-1, little-endian),
// and phv = ((a*hv + b) mod 2^64) mod (2^61 - 1) & 0xFFFFFFFF, where the
// wrap of a*hv + b modulo 2^64 is part of the definition (numpy uint64).

constexpr uint64_t kMersenne61 = (uint64_t{1} << 61) - 1;

// x mod (2^61 - 1) for any x < 2^64: one fold and one subtraction
// (tested against % in tests/python/test_datasketch.py).
inline uint64_t ModMersenne61(uint64_t x) {
  x = (x & kMersenne61) + (x >> 61);
  return x >= kMersenne61 ? x - kMersenne61 : x;
}

// numpy RandomState(seed).randint(low, high, dtype=uint64), high exclusive,
// for ranges wider than 32 bits.
uint64_t LegacyRandint(std::mt19937& g, uint64_t low, uint64_t high) {
  const uint64_t range = high - 1 - low;
  uint64_t mask = range;
  for (int shift = 1; shift < 64; shift <<= 1) mask |= mask >> shift;
  uint64_t v;
  do {
    const uint64_t hi = g(), lo = g();
    v = ((hi << 32) | lo) & mask;
  } while (v > range);
  return low + v;
}

py::array_t<uint64_t> DatasketchPermutations(uint32_t seed, size_t n) {
  py::array_t<uint64_t> out({size_t{2}, n});
  uint64_t* a = out.mutable_data();
  uint64_t* b = a + n;
  std::mt19937 g(seed);
  for (size_t i = 0; i < n; ++i) {
    a[i] = LegacyRandint(g, 1, kMersenne61);
    b[i] = LegacyRandint(g, 0, kMersenne61);
  }
  return out;
}

// hashvalues[j] = min(hashvalues[j], min over hv of phv(a[j], b[j], hv)).
// The inner loop is a min-reduction that GCC vectorizes; with AVX-512DQ
// (vpmullq) a whole vector of items per instruction.
__attribute__((always_inline)) inline void FoldMinBody(const uint64_t* hv, size_t count, const uint64_t* a, const uint64_t* b,
                        uint64_t* values, size_t k) {
  for (size_t j = 0; j < k; ++j) {
    const uint64_t aj = a[j], bj = b[j];
    uint64_t best = values[j];
    for (size_t i = 0; i < count; ++i) {
      const uint64_t phv = ModMersenne61(aj * hv[i] + bj) & 0xFFFFFFFFu;
      best = phv < best ? phv : best;
    }
    values[j] = best;
  }
}

__attribute__((target("avx512f,avx512dq"))) void FoldMinAvx512(const uint64_t* hv, size_t count,
                                                                 const uint64_t* a, const uint64_t* b,
                                                                 uint64_t* values, size_t k) {
  FoldMinBody(hv, count, a, b, values, k);
}

void FoldMinScalar(const uint64_t* hv, size_t count, const uint64_t* a, const uint64_t* b,
                   uint64_t* values, size_t k) {
  FoldMinBody(hv, count, a, b, values, k);
}

// Items are folded in blocks that stay in L1 while every permutation passes
// over them.
void FoldMin(const uint64_t* hv, size_t count, const uint64_t* a, const uint64_t* b, uint64_t* values,
             size_t k) {
  static const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
  constexpr size_t kBlock = 2048;
  for (size_t begin = 0; begin < count; begin += kBlock) {
    const size_t n = std::min(kBlock, count - begin);
    if (avx512) {
      FoldMinAvx512(hv + begin, n, a, b, values, k);
    } else {
      FoldMinScalar(hv + begin, n, a, b, values, k);
    }
  }
}

using U64Array = py::array_t<uint64_t, py::array::c_style | py::array::forcecast>;

struct Kernel {
  const uint64_t* a;
  const uint64_t* b;
  uint64_t* values;
  size_t k;
};

Kernel KernelOf(py::array_t<uint64_t>& hashvalues, const U64Array& permutations) {
  if (hashvalues.ndim() != 1 || !(hashvalues.flags() & py::array::c_style) ||
      !hashvalues.writeable()) {
    throw py::value_error("hashvalues must be a writable contiguous uint64 vector");
  }
  const size_t k = static_cast<size_t>(hashvalues.shape(0));
  if (permutations.ndim() != 2 || permutations.shape(0) != 2 ||
      static_cast<size_t>(permutations.shape(1)) != k) {
    throw py::value_error("Numbers of hash values and permutations mismatch");
  }
  return {permutations.data(), permutations.data() + k, hashvalues.mutable_data(), k};
}

// update_batch with sha1_hash32: every item is bytes-like.
void DatasketchUpdateSha1(py::array_t<uint64_t> hashvalues, const U64Array& permutations,
                          const py::iterable& items) {
  const Kernel kernel = KernelOf(hashvalues, permutations);
  // (pointer, size) of each item: bytes directly, other buffers through
  // the buffer protocol (kept alive in `owners`).
  std::vector<std::pair<const unsigned char*, size_t>> spans;
  std::vector<py::buffer_info> buffers;
  std::vector<py::object> owners;
  if (PyList_Check(items.ptr()) || PyTuple_Check(items.ptr())) {
    spans.reserve(py::len(items));
    owners.reserve(py::len(items));
  }
  for (py::handle item : items) {
    if (PyBytes_Check(item.ptr())) {
      spans.emplace_back(reinterpret_cast<const unsigned char*>(PyBytes_AS_STRING(item.ptr())),
                         static_cast<size_t>(PyBytes_GET_SIZE(item.ptr())));
      owners.push_back(py::reinterpret_borrow<py::object>(item));
      continue;
    }
    if (PyUnicode_Check(item.ptr())) throw py::type_error("Strings must be encoded before hashing");
    py::object owner = py::reinterpret_borrow<py::object>(item);
    buffers.push_back(py::buffer(owner).request());
    spans.emplace_back(static_cast<const unsigned char*>(buffers.back().ptr),
                       static_cast<size_t>(buffers.back().size * buffers.back().itemsize));
    owners.push_back(std::move(owner));
  }
  if (spans.empty()) return;
  py::gil_scoped_release release;
  std::vector<uint64_t> hv(spans.size());
  // The SHA1_* functions, not the one-shot SHA1() or EVP: OpenSSL 3 routes
  // those through a provider fetch per call, 5-10x slower for short items.
  auto hash_range = [&](size_t begin, size_t end) {
    SHA_CTX ctx;
    unsigned char digest[SHA_DIGEST_LENGTH];
    for (size_t i = begin; i < end; ++i) {
      SHA1_Init(&ctx);
      SHA1_Update(&ctx, spans[i].first, spans[i].second);
      SHA1_Final(digest, &ctx);
      hv[i] = uint64_t{digest[0]} | uint64_t{digest[1]} << 8 | uint64_t{digest[2]} << 16 |
              uint64_t{digest[3]} << 24;
    }
  };
  // Large batches are hashed on every core (the items are independent).
  const size_t n = spans.size();
  const size_t workers = std::min<size_t>(std::max(1u, std::thread::hardware_concurrency()),
                                          n / 16384 + 1);
  std::vector<std::thread> pool;
  for (size_t w = 1; w < workers; ++w) {
    pool.emplace_back(hash_range, n * w / workers, n * (w + 1) / workers);
  }
  hash_range(0, n / workers);
  for (std::thread& t : pool) t.join();
  FoldMin(hv.data(), hv.size(), kernel.a, kernel.b, kernel.values, kernel.k);
}

// update_batch with any other hash function: its values, already computed.
void DatasketchUpdateValues(py::array_t<uint64_t> hashvalues, const U64Array& permutations,
                            const U64Array& hv) {
  const Kernel kernel = KernelOf(hashvalues, permutations);
  py::gil_scoped_release release;
  FoldMin(hv.data(), static_cast<size_t>(hv.size()), kernel.a, kernel.b, kernel.values, kernel.k);
}

// numpy's pairwise summation of hashvalues / 2^32-1, so that count() is
// bit-identical to datasketch's np.sum.
double PairwiseSum(const uint64_t* v, size_t n) {
  constexpr double kMax = 4294967295.0;
  if (n < 8) {
    double s = 0.;
    for (size_t i = 0; i < n; ++i) s += static_cast<double>(v[i]) / kMax;
    return s;
  }
  if (n <= 128) {
    double r[8];
    for (int j = 0; j < 8; ++j) r[j] = static_cast<double>(v[j]) / kMax;
    size_t i = 8;
    for (; i < n - n % 8; i += 8) {
      for (int j = 0; j < 8; ++j) r[j] += static_cast<double>(v[i + j]) / kMax;
    }
    double s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) s += static_cast<double>(v[i]) / kMax;
    return s;
  }
  size_t n2 = n / 2;
  n2 -= n2 % 8;
  return PairwiseSum(v, n2) + PairwiseSum(v + n2, n - n2);
}

}  // namespace
}  // namespace dubare::python

PYBIND11_MODULE(_dubare, m) {
  using namespace dubare;
  using namespace dubare::python;
  m.doc() = "Dubare: near-duplicate detection for Kurdish text (C++ engine)";
  static py::exception<std::runtime_error> error(m, "Error", PyExc_RuntimeError);
  g_error = error.ptr();

  m.def("normalize", &Normalize, py::arg("text"), py::kw_only(), py::arg("form") = "canonical",
        py::arg("script") = "auto", py::arg("keep_spaces") = true,
        py::arg("keep_paragraphs") = true, py::arg("on_invalid") = "error",
        py::arg("offsets") = false,
        "Kurdish text in canonical or match-key ('match') form; with offsets=True, also two "
        "uint32 arrays mapping each output byte to its input bytes [begin, end).");

  py::class_<Sketcher>(m, "Sketcher")
      .def(py::init<const std::string&, uint32_t, const std::string&, bool, int>(), py::kw_only(),
           py::arg("shingle") = "word:2", py::arg("num_perm") = 128,
           py::arg("minhash") = "classic", py::arg("keep_spaces") = true, py::arg("threads") = 0)
      .def("sketch", &Sketcher::Sketch, py::arg("texts"),
           "MinHash signatures of texts as an (n, num_perm) uint32 array (GIL released).")
      .def_property_readonly("params", &Sketcher::params)
      .def_property_readonly("num_perm", &Sketcher::num_perm);

  m.def(
      "_dedup",
      [](const py::iterable& docs, double threshold, const std::string& method,
         const std::string& shingle, uint32_t num_perm, const std::string& minhash,
         bool keep_spaces, uint32_t bands, uint32_t rows, int hamming, const std::string& verify,
         double containment_ratio, const std::string& keep, uint32_t max_bucket, int threads,
         const std::string& id_field, const std::string& text_field, size_t batch_size) {
        DedupArgs a;
        a.options.sketch = MakeSketchParams(shingle, num_perm, minhash, keep_spaces);
        a.options.threshold = threshold;
        a.options.method = Check(ParseDedupMethod(method));
        a.options.bands = bands;
        a.options.rows = rows;
        a.options.hamming = hamming;
        a.options.verify = Check(ParseVerifyMode(verify));
        a.options.containment_ratio = containment_ratio;
        a.options.keep = Check(KeepPolicy::Parse(keep));
        a.options.max_bucket_size = max_bucket;
        a.options.threads = threads;
        a.id_field = id_field;
        a.text_field = text_field;
        if (batch_size == 0) throw py::value_error("batch_size must be >= 1");
        a.batch_size = batch_size;
        Check(a.options.Validate());
        return RunDedup(docs, a);
      },
      py::arg("docs"), py::kw_only(), py::arg("threshold") = kDefaultJaccardThreshold,
      py::arg("method") = "minhash", py::arg("shingle") = "word:2", py::arg("num_perm") = 128,
      py::arg("minhash") = "classic", py::arg("keep_spaces") = true, py::arg("bands") = 0,
      py::arg("rows") = 0, py::arg("hamming") = kDefaultSimHashMaxDistance,
      py::arg("verify") = "estimate", py::arg("containment_ratio") = 0.25,
      py::arg("keep") = "first", py::arg("max_bucket") = 512, py::arg("threads") = 0,
      py::arg("id_field") = "id", py::arg("text_field") = "text", py::arg("batch_size") = 10000);

  m.def("_ds_permutations", &DatasketchPermutations, py::arg("seed"), py::arg("num_perm"));
  m.def("_ds_update_sha1", &DatasketchUpdateSha1, py::arg("hashvalues"), py::arg("permutations"),
        py::arg("items"));
  m.def("_ds_update_values", &DatasketchUpdateValues, py::arg("hashvalues"),
        py::arg("permutations"), py::arg("hv"));
  m.def("_ds_mod_mersenne61", [](uint64_t x) { return ModMersenne61(x); });
  m.def("_ds_sum", [](const U64Array& v) { return PairwiseSum(v.data(), static_cast<size_t>(v.size())); });
  m.def(
      "_ds_optimal_param",
      [](double threshold, uint32_t num_perm, double fp, double fn) {
        LshWeights w;
        w.false_positive = fp;
        w.false_negative = fn;
        const LshParams p = Check(OptimalLshParams(threshold, num_perm, w));
        return py::make_tuple(p.bands, p.rows);
      },
      py::arg("threshold"), py::arg("num_perm"), py::arg("false_positive_weight"),
      py::arg("false_negative_weight"));

  py::class_<PyIndex>(m, "_Index")
      .def(py::init<const std::string&, bool, bool, double, const std::string&, uint32_t,
                    const std::string&, bool, int>(),
           py::arg("path"), py::kw_only(), py::arg("create"), py::arg("read_only"),
           py::arg("threshold"), py::arg("shingle"), py::arg("num_perm"), py::arg("minhash"),
           py::arg("keep_spaces"), py::arg("threads"))
      .def("add", &PyIndex::Add)
      .def("query", &PyIndex::Query)
      .def("remove", &PyIndex::Remove)
      .def("stats", &PyIndex::Stats)
      .def("close", &PyIndex::Close);
}
