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

#include <algorithm>
#include <memory>
#include <optional>
#include <random>
#include <thread>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "dubare/dedup.h"
#include "dubare/index.h"
#include "dubare/normalize.h"
#include "dubare/passages.h"
#include "dubare/sketch.h"
#include "sha1.h"

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

// The UTF-8 of a str, written into `out` (appended). Python's own
// PyUnicode_AsUTF8AndSize caches a UTF-8 copy inside every non-ASCII str it
// encodes: for a corpus of Kurdish text that doubles the caller's memory for
// as long as their documents live, and the first pass over them pays for it.
// A TypeError names the text as "[document N: ]WHAT" (the message is only
// built on failure: this runs once per document).
constexpr size_t kNoPosition = ~size_t{0};

[[noreturn]] void NotStr(const py::handle& text, const char* what, size_t position) {
  throw py::type_error(absl::StrCat(
      position == kNoPosition ? "" : absl::StrCat("document ", position, ": "), what,
      " must be str, not ", Py_TYPE(text.ptr())->tp_name));
}

// Branch-light: Kurdish text mixes 1- and 2-byte characters word by word, so
// a branch per character mispredicts at every space.
template <typename Unit>
void EncodeUtf8(const Unit* in, size_t n, PyObject* owner, std::string* out) {
  size_t bytes = n;
  bool surrogate = false;
  for (size_t i = 0; i < n; ++i) {
    const uint32_t c = in[i];
    bytes += (c >= 0x80) + (c >= 0x800) + (c >= 0x10000);
    surrogate |= c - 0xD800u < 0x800u;
  }
  if (surrogate) {
    // Let Python raise its UnicodeEncodeError, naming the position.
    py::object failed = py::reinterpret_steal<py::object>(PyUnicode_AsUTF8String(owner));
    throw py::error_already_set();
  }
  const size_t start = out->size();
  out->resize(start + bytes + 1);  // slack for the two-byte store
  unsigned char* p = reinterpret_cast<unsigned char*>(out->data() + start);
  for (size_t i = 0; i < n; ++i) {
    const uint32_t c = in[i];
    if (c < 0x800) {
      const bool two = c >= 0x80;
      p[0] = static_cast<unsigned char>(two ? 0xC0 | (c >> 6) : c);
      p[1] = static_cast<unsigned char>(0x80 | (c & 0x3F));
      p += 1 + two;
    } else if (c < 0x10000) {
      p[0] = static_cast<unsigned char>(0xE0 | (c >> 12));
      p[1] = static_cast<unsigned char>(0x80 | ((c >> 6) & 0x3F));
      p[2] = static_cast<unsigned char>(0x80 | (c & 0x3F));
      p += 3;
    } else {
      p[0] = static_cast<unsigned char>(0xF0 | (c >> 18));
      p[1] = static_cast<unsigned char>(0x80 | ((c >> 12) & 0x3F));
      p[2] = static_cast<unsigned char>(0x80 | ((c >> 6) & 0x3F));
      p[3] = static_cast<unsigned char>(0x80 | (c & 0x3F));
      p += 4;
    }
  }
  out->resize(start + bytes);
}

void AppendUtf8(const py::handle& text, const char* what, size_t position, std::string* out) {
  PyObject* s = text.ptr();
  if (!PyUnicode_Check(s)) NotStr(text, what, position);
  const size_t n = static_cast<size_t>(PyUnicode_GET_LENGTH(s));
  if (PyUnicode_IS_ASCII(s)) {
    out->append(static_cast<const char*>(PyUnicode_DATA(s)), n);
    return;
  }
  switch (PyUnicode_KIND(s)) {
    case PyUnicode_1BYTE_KIND:
      return EncodeUtf8(PyUnicode_1BYTE_DATA(s), n, s, out);
    case PyUnicode_2BYTE_KIND:
      return EncodeUtf8(PyUnicode_2BYTE_DATA(s), n, s, out);
    default:
      return EncodeUtf8(PyUnicode_4BYTE_DATA(s), n, s, out);
  }
}

std::string Utf8(const py::handle& text, const char* what, size_t position = kNoPosition) {
  std::string out;
  AppendUtf8(text, what, position, &out);
  return out;
}

// UTF-8 views of many Python strs: ASCII ones point into the str (kept
// alive by `owners`), the others into `arena`, so that the GIL can be
// released while C++ reads them.
struct TextViews {
  std::vector<py::object> owners;
  std::string arena;
  std::vector<absl::string_view> views;
};

TextViews ViewsOf(const py::iterable& texts) {
  TextViews t;
  // (offset into the arena, size), or (~0, index into owners) for ASCII.
  std::vector<std::pair<size_t, size_t>> spans;
  for (py::handle item : texts) {
    PyObject* s = item.ptr();
    if (PyUnicode_Check(s) && PyUnicode_IS_ASCII(s)) {
      spans.emplace_back(~size_t{0}, t.owners.size());
      t.owners.push_back(py::reinterpret_borrow<py::object>(item));
    } else {
      const size_t start = t.arena.size();
      AppendUtf8(item, "each text", kNoPosition, &t.arena);
      spans.emplace_back(start, t.arena.size() - start);
    }
  }
  t.views.reserve(spans.size());
  for (const auto& [start, size] : spans) {
    if (start == ~size_t{0}) {
      PyObject* s = t.owners[size].ptr();
      t.views.emplace_back(static_cast<const char*>(PyUnicode_DATA(s)),
                           static_cast<size_t>(PyUnicode_GET_LENGTH(s)));
    } else {
      t.views.emplace_back(t.arena.data() + start, size);
    }
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
  const std::string input = Utf8(text, "text");
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
           bool keep_spaces, bool shingle_sets, bool simhash, int threads)
      : params_(MakeSketchParams(shingle, num_perm, minhash, keep_spaces)) {
    features_.shingle_sets = shingle_sets;
    features_.simhash = simhash;
    SetThreads(threads);
  }
  Sketcher(const SketchParams& params, const SketchBatchOptions& features, int threads)
      : params_(params), features_(features) {
    SetThreads(threads);
  }

  // An (n, num_perm) uint32 matrix; a text with no word gets a row of
  // 0xFFFFFFFF (as datasketch's empty MinHash).
  py::array_t<uint32_t> Sketch(const py::iterable& texts) const {
    SketchBatchOptions minhash_only;
    minhash_only.threads = features_.threads;
    SketchBatch b = Run(texts, minhash_only);
    py::array_t<uint32_t> out({b.size(), static_cast<size_t>(params_.num_perm)});
    std::copy(b.minhash.begin(), b.minhash.end(), out.mutable_data());
    return out;
  }

  // The texts' sketches as versioned, checksummed bytes for
  // Deduper.add_sketched (in this or another process).
  py::bytes Encode(const py::iterable& texts) const {
    SketchBatch b = Run(texts, features_);
    std::string bytes;
    {
      py::gil_scoped_release release;
      bytes = b.Encode();
    }
    return py::bytes(bytes);
  }

  std::string params() const { return params_.ToString(); }
  uint32_t num_perm() const { return params_.num_perm; }
  py::tuple GetState() const {
    return py::make_tuple(params_.ToString(), features_.shingle_sets, features_.simhash,
                          features_.threads);
  }
  static Sketcher SetState(const py::tuple& state) {
    if (state.size() != 4) throw py::value_error("Sketcher: bad pickled state");
    const SketchParams params = Check(SketchParams::Parse(state[0].cast<std::string>()));
    SketchBatchOptions features;
    features.shingle_sets = state[1].cast<bool>();
    features.simhash = state[2].cast<bool>();
    return Sketcher(params, features, state[3].cast<int>());
  }

 private:
  void SetThreads(int threads) {
    if (threads < 0) throw py::value_error("threads must be >= 0");
    features_.threads = threads;
  }

  SketchBatch Run(const py::iterable& texts, const SketchBatchOptions& o) const {
    TextViews t = ViewsOf(texts);
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
    return b;
  }

  SketchParams params_;
  SketchBatchOptions features_;
};

// ---- dedup -----------------------------------------------------------------------

struct DedupArgs {
  DedupOptions options;
  std::string id_field = "id";
  std::string text_field = "text";
  size_t batch_size = 1024;
};

// dubare.Deduper: the streaming engine. add() copies each batch of texts
// with the GIL held and queues it; the engine's workers sketch it while
// Python produces the next.
class PyDeduper {
 public:
  explicit PyDeduper(DedupArgs args)
      : args_(std::move(args)), deduper_(Check(Deduper::Create(args_.options))) {}

  void Add(const py::iterable& docs) {
    Live();
    const bool want_keep = WantKeep();
    const py::str id_key(args_.id_field), text_key(args_.text_field),
        keep_key(args_.options.keep.field);
    std::vector<std::string> ids, texts, keep_values;
    auto flush = [&] {
      absl::Status s;
      {
        py::gil_scoped_release release;
        s = deduper_->Add(std::move(ids), std::move(texts), std::move(keep_values));
      }
      ids.clear();
      texts.clear();
      keep_values.clear();
      Check(s);
    };
    for (py::handle item : docs) {
      const size_t position = position_;
      if (PyUnicode_Check(item.ptr())) {
        ids.push_back(std::to_string(position));
        texts.emplace_back(Utf8(item, "the text", position));
        if (want_keep) keep_values.emplace_back();
      } else if (PyDict_Check(item.ptr())) {
        py::dict d = py::reinterpret_borrow<py::dict>(item);
        if (!d.contains(text_key)) {
          throw py::value_error(
              absl::StrCat("document ", position, ": no '", args_.text_field, "' field"));
        }
        texts.emplace_back(Utf8(d[text_key], args_.text_field.c_str(), position));
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
      ++position_;
      if (texts.size() >= args_.batch_size) flush();
    }
    flush();
  }

  // Signatures made by a Sketcher elsewhere (another process, a Dask
  // worker), as the bytes of Sketcher.encode().
  void AddSketched(const py::bytes& batch, const py::iterable& ids,
                   const std::optional<py::iterable>& keep_values) {
    Live();
    char* data = nullptr;
    Py_ssize_t size = 0;
    if (PyBytes_AsStringAndSize(batch.ptr(), &data, &size) != 0) throw py::error_already_set();
    absl::StatusOr<SketchBatch> decoded =
        SketchBatch::Decode(absl::string_view(data, static_cast<size_t>(size)));
    if (!decoded.ok()) {
      Raise(absl::Status(decoded.status().code(),
                         decoded.status().message()));
    }
    std::vector<std::string> id_list, keep_list;
    for (py::handle id : ids) id_list.push_back(py::str(id));
    if (keep_values) {
      for (py::handle v : *keep_values) {
        keep_list.push_back(v.is_none() ? std::string() : std::string(py::str(v)));
      }
    }
    const size_t n = id_list.size();
    Check(deduper_->AddSketched(*std::move(decoded), std::move(id_list), std::move(keep_list)));
    position_ += n;
  }

  // A Sketcher that makes what add_sketched() needs for these options.
  Sketcher MakeSketcher(int threads) const {
    return Sketcher(args_.options.sketch, args_.options.SketchOptions(), threads);
  }

  size_t size() const { return deduper_ ? deduper_->size() : finished_size_; }

  py::dict Finish() {
    Live();
    absl::StatusOr<DedupResult> finished;
    {
      py::gil_scoped_release release;
      finished = deduper_->Finish();
    }
    DedupResult r = Check(std::move(finished));
    py::dict result = ToPython(r);
    finished_size_ = deduper_->size();
    deduper_.reset();
    return result;
  }

 private:
  void Live() const {
    if (!deduper_) throw py::value_error("this Deduper has finished; make a new one");
  }
  bool WantKeep() const { return args_.options.keep.kind == KeepPolicy::Kind::kEarliest; }

  py::dict ToPython(const DedupResult& r) const {
    auto id_of = [&](uint32_t doc) { return py::str(deduper_->id(doc)); };
    py::list clusters;
    for (const Cluster& c : r.clusters) {
      py::list members;
      for (const ClusterMember& m : c.members) {
        members.append(py::make_tuple(id_of(m.doc), m.score));
      }
      py::dict cluster;
      cluster["representative"] = id_of(c.representative);
      cluster["members"] = members;
      clusters.append(cluster);
    }
    py::list pairs, pair_details;
    for (const ScoredPair& p : r.pairs) {
      pairs.append(py::make_tuple(id_of(p.a), id_of(p.b), p.score));
      pair_details.append(
          py::make_tuple(p.jaccard, p.containment, std::string(PairRuleName(p.rule))));
    }
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
    py::dict renamed;
    for (const DedupResult::Renamed& x : r.renamed) renamed[id_of(x.doc)] = x.original_id;
    py::dict stats;
    stats["documents"] = r.stats.documents;
    stats["rejected"] = r.stats.rejected;
    stats["kept"] = r.stats.kept;
    stats["duplicates"] = r.stats.duplicates;
    stats["exact_duplicates"] = r.stats.exact_duplicates;
    stats["clusters"] = r.stats.clusters;
    stats["candidate_pairs"] = r.stats.candidate_pairs;
    stats["verified_pairs"] = r.stats.verified_pairs;
    stats["bands"] = r.stats.bands;
    stats["rows"] = r.stats.rows;
    stats["threads"] = r.stats.threads;
    py::dict result;
    result["clusters"] = clusters;
    result["pairs"] = pairs;
    result["pair_details"] = pair_details;
    result["kept"] = kept;
    result["duplicates"] = duplicates;
    result["rejected"] = rejected;
    result["renamed"] = renamed;
    result["stats"] = stats;
    return result;
  }

  DedupArgs args_;
  std::unique_ptr<Deduper> deduper_;
  size_t position_ = 0;
  size_t finished_size_ = 0;
};

// ---- passages ---------------------------------------------------------------------

// Code point offsets of UTF-8 byte offsets in one text, for Python slicing.
class CharOffsets {
 public:
  explicit CharOffsets(absl::string_view text) : text_(text) {}
  size_t operator()(size_t byte) {
    if (prefix_.empty()) {
      prefix_.resize(text_.size() + 1);
      uint32_t chars = 0;
      for (size_t i = 0; i < text_.size(); ++i) {
        prefix_[i] = chars;
        chars += (static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80;
      }
      prefix_[text_.size()] = chars;
    }
    return prefix_[byte];
  }

 private:
  absl::string_view text_;
  std::vector<uint32_t> prefix_;
};

py::dict Passages(const py::iterable& texts, const PassageOptions& options) {
  Check(options.Validate());
  TextViews t = ViewsOf(texts);
  absl::StatusOr<PassageResult> found;
  {
    py::gil_scoped_release release;
    found = FindPassages(t.views, options);
  }
  PassageResult r = Check(std::move(found));
  std::vector<std::unique_ptr<CharOffsets>> offsets(t.views.size());
  auto span = [&](const PassageSpan& s) {
    auto& o = offsets[s.doc];
    if (!o) o = std::make_unique<CharOffsets>(t.views[s.doc]);
    const size_t begin = (*o)(s.bytes.begin), end = (*o)(s.bytes.end);
    py::dict d;
    d["doc"] = s.doc;
    d["start"] = begin;
    d["end"] = end;
    d["words"] = s.words;
    d["text"] = py::str(t.views[s.doc].data() + s.bytes.begin, s.bytes.end - s.bytes.begin);
    return d;
  };
  py::list matches;
  for (const PassageMatch& m : r.matches) {
    py::dict d;
    d["a"] = span(m.a);
    d["b"] = span(m.b);
    d["similarity"] = m.similarity;
    matches.append(d);
  }
  py::list boilerplate;
  for (const Boilerplate& b : r.boilerplate) {
    py::dict d;
    d["example"] = span(b.example);
    d["documents"] = b.documents;
    d["occurrences"] = b.occurrences;
    boilerplate.append(d);
  }
  py::dict stats;
  stats["documents"] = r.stats.documents;
  stats["words"] = r.stats.words;
  stats["anchor_pairs"] = r.stats.anchor_pairs;
  stats["doc_pairs"] = r.stats.doc_pairs;
  stats["chains"] = r.stats.chains;
  py::dict result;
  result["matches"] = matches;
  result["boilerplate"] = boilerplate;
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
        d.text = Utf8(item[py::int_(1)], "the text", position);
      } else if (PyDict_Check(item.ptr())) {
        py::dict m = py::reinterpret_borrow<py::dict>(item);
        if (!m.contains("id") || !m.contains("text")) {
          throw py::value_error(absl::StrCat("document ", position, ": needs 'id' and 'text'"));
        }
        d.id = py::str(m["id"]);
        d.text = Utf8(m["text"], "the text", position);
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

// update_batch's buffers, kept from call to call: datasketch users call it
// once per document, and fresh buffers cost a page fault per 4 KiB.
struct Sha1Scratch {
  std::vector<std::pair<const unsigned char*, size_t>> spans;
  std::vector<PyObject*> refs;  // a reference to each item while the GIL is released
  std::vector<uint64_t> hv;
};

// update_batch with sha1_hash32: every item is bytes-like.
void DatasketchUpdateSha1(py::array_t<uint64_t> hashvalues, const U64Array& permutations,
                          const py::iterable& items) {
  const Kernel kernel = KernelOf(hashvalues, permutations);
  thread_local Sha1Scratch scratch;
  auto& [spans, refs, hv] = scratch;
  spans.clear();
  refs.clear();
  // Items that are not bytes go through the buffer protocol.
  std::vector<py::buffer_info> buffers;
  struct Release {
    std::vector<PyObject*>& refs;
    ~Release() {
      for (PyObject* r : refs) Py_DECREF(r);
      refs.clear();
    }
  } release_refs{refs};
  auto add = [&](PyObject* item) {
    Py_INCREF(item);
    refs.push_back(item);
    if (PyBytes_Check(item)) {
      spans.emplace_back(reinterpret_cast<const unsigned char*>(PyBytes_AS_STRING(item)),
                         static_cast<size_t>(PyBytes_GET_SIZE(item)));
      return;
    }
    if (PyUnicode_Check(item)) throw py::type_error("Strings must be encoded before hashing");
    buffers.push_back(py::reinterpret_borrow<py::buffer>(item).request());
    spans.emplace_back(static_cast<const unsigned char*>(buffers.back().ptr),
                       static_cast<size_t>(buffers.back().size * buffers.back().itemsize));
  };
  if (PyList_Check(items.ptr()) || PyTuple_Check(items.ptr())) {
    PyObject* seq = items.ptr();
    const Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PyObject** elements = PySequence_Fast_ITEMS(seq);
    for (Py_ssize_t i = 0; i < n; ++i) add(elements[i]);
  } else {
    for (py::handle item : items) add(item.ptr());
  }
  if (spans.empty()) return;
  const size_t n = spans.size();
  {
    py::gil_scoped_release release;
    hv.resize(n);
    const bool extensions = python::Sha1ExtensionsAvailable();
    auto hash_range = [&](size_t begin, size_t end) {
      for (size_t i = begin; i < end; ++i) {
        hv[i] = python::Sha1Hash32(spans[i].first, spans[i].second, extensions);
      }
    };
    // Large batches are hashed and folded on every core: each worker folds
    // its items into its own minima, merged at the end.
    const size_t workers = std::min<size_t>(std::max(1u, std::thread::hardware_concurrency()),
                                            n / 16384 + 1);
    std::vector<std::vector<uint64_t>> minima(workers);
    auto work = [&](size_t w) {
      const size_t begin = n * w / workers, end = n * (w + 1) / workers;
      hash_range(begin, end);
      uint64_t* values = kernel.values;
      if (w > 0) {
        minima[w].assign(kernel.values, kernel.values + kernel.k);
        values = minima[w].data();
      }
      FoldMin(hv.data() + begin, end - begin, kernel.a, kernel.b, values, kernel.k);
    };
    std::vector<std::thread> pool;
    for (size_t w = 1; w < workers; ++w) pool.emplace_back(work, w);
    work(0);
    for (std::thread& t : pool) t.join();
    for (size_t w = 1; w < workers; ++w) {
      for (size_t j = 0; j < kernel.k; ++j) {
        kernel.values[j] = std::min(kernel.values[j], minima[w][j]);
      }
    }
  }
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
      .def(py::init<const std::string&, uint32_t, const std::string&, bool, bool, bool, int>(),
           py::kw_only(), py::arg("shingle") = "word:2", py::arg("num_perm") = 128,
           py::arg("minhash") = "classic", py::arg("keep_spaces") = true,
           py::arg("shingle_sets") = false, py::arg("simhash") = false, py::arg("threads") = 0)
      .def("sketch", &Sketcher::Sketch, py::arg("texts"),
           "MinHash signatures of texts as an (n, num_perm) uint32 array (GIL released).")
      .def("encode", &Sketcher::Encode, py::arg("texts"),
           "The texts' sketches as bytes for Deduper.add_sketched (GIL released).")
      .def_property_readonly("params", &Sketcher::params)
      .def_property_readonly("num_perm", &Sketcher::num_perm)
      .def(py::pickle([](const Sketcher& s) { return s.GetState(); },
                      [](const py::tuple& state) { return Sketcher::SetState(state); }));

  py::class_<PyDeduper>(m, "_Deduper")
      .def(py::init([](double threshold, const std::string& method, const std::string& shingle,
                       uint32_t num_perm, const std::string& minhash, bool keep_spaces,
                       uint32_t bands, uint32_t rows, int hamming, const std::string& verify,
                       double containment_ratio, double containment_threshold,
                       uint32_t min_shingles, const std::string& keep, uint32_t max_bucket,
                       int threads, const std::string& id_field, const std::string& text_field,
                       size_t batch_size, const std::string& duplicate_ids) {
             DedupArgs a;
             a.options.sketch = MakeSketchParams(shingle, num_perm, minhash, keep_spaces);
             a.options.threshold = threshold;
             a.options.method = Check(ParseDedupMethod(method));
             a.options.bands = bands;
             a.options.rows = rows;
             a.options.hamming = hamming;
             a.options.verify = Check(ParseVerifyMode(verify));
             a.options.containment_ratio = containment_ratio;
             a.options.containment_threshold = containment_threshold;
             a.options.min_shingles = min_shingles;
             a.options.keep = Check(KeepPolicy::Parse(keep));
             a.options.max_bucket_size = max_bucket;
             a.options.threads = threads;
             a.options.duplicate_ids = Check(ParseDuplicateIds(duplicate_ids));
             a.id_field = id_field;
             a.text_field = text_field;
             if (batch_size == 0) throw py::value_error("batch_size must be >= 1");
             a.batch_size = batch_size;
             Check(a.options.Validate());
             return std::make_unique<PyDeduper>(std::move(a));
           }),
           py::kw_only(), py::arg("threshold"), py::arg("method"), py::arg("shingle"),
           py::arg("num_perm"), py::arg("minhash"), py::arg("keep_spaces"), py::arg("bands"),
           py::arg("rows"), py::arg("hamming"), py::arg("verify"), py::arg("containment_ratio"),
           py::arg("containment_threshold"), py::arg("min_shingles"),
           py::arg("keep"), py::arg("max_bucket"), py::arg("threads"), py::arg("id_field"),
           py::arg("text_field"), py::arg("batch_size"), py::arg("duplicate_ids"))
      .def("add", &PyDeduper::Add, py::arg("docs"))
      .def("add_sketched", &PyDeduper::AddSketched, py::arg("batch"), py::arg("ids"),
           py::arg("keep_values") = py::none())
      .def("sketcher", &PyDeduper::MakeSketcher, py::arg("threads") = 0)
      .def("finish", &PyDeduper::Finish)
      .def("__len__", &PyDeduper::size);

  m.def(
      "_passages",
      [](const py::iterable& texts, int min_words, double min_similarity,
         int boilerplate_docs, int anchor_chars, int winnow_window, int band_words,
         int threads) {
        PassageOptions o;
        o.min_words = min_words;
        o.min_similarity = min_similarity;
        o.boilerplate_min_docs = boilerplate_docs;
        o.anchor_chars = anchor_chars;
        o.winnow_window = winnow_window;
        o.band_words = band_words;
        o.threads = threads;
        return Passages(texts, o);
      },
      py::arg("texts"), py::kw_only(), py::arg("min_words"), py::arg("min_similarity"),
      py::arg("boilerplate_docs"), py::arg("anchor_chars"), py::arg("winnow_window"),
      py::arg("band_words"), py::arg("threads"));

  // The engine's defaults, for the test that keeps Python's keyword defaults
  // equal to them.
  m.def("_dedup_defaults", [] {
    const DedupOptions o;
    py::dict d;
    d["threshold"] = o.threshold;
    d["num_perm"] = o.sketch.num_perm;
    d["bands"] = o.bands;
    d["rows"] = o.rows;
    d["hamming"] = o.hamming;
    d["verify"] = std::string(VerifyModeName(o.verify));
    d["containment_ratio"] = o.containment_ratio;
    d["containment_threshold"] = o.containment_threshold;
    d["min_shingles"] = o.min_shingles;
    d["max_bucket"] = o.max_bucket_size;
    d["threads"] = o.threads;
    return d;
  });
  m.def("_ds_permutations", &DatasketchPermutations, py::arg("seed"), py::arg("num_perm"));
  m.def("_ds_update_sha1", &DatasketchUpdateSha1, py::arg("hashvalues"), py::arg("permutations"),
        py::arg("items"));
  // sha1_hash32 of each bytes item, by the SHA-extension path or OpenSSL's
  // (the test compares both with hashlib).
  m.def(
      "_ds_sha1_hash32",
      [](const py::list& items, bool use_extensions) {
        py::array_t<uint32_t> out(items.size());
        auto o = out.mutable_unchecked<1>();
        for (size_t i = 0; i < items.size(); ++i) {
          const std::string b = items[i].cast<py::bytes>();
          o(i) = python::Sha1Hash32(reinterpret_cast<const unsigned char*>(b.data()), b.size(),
                                    use_extensions);
        }
        return out;
      },
      py::arg("items"), py::arg("use_extensions"));
  m.def("_ds_sha1_extensions", &python::Sha1ExtensionsAvailable);
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
