// Copyright 2026 The Dubare Authors.
//
// Clusters and keep policies of dedup.h.

#include <numeric>

#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "base/enum_names.h"
#include "dedup/sketch_rows.h"
#include "dubare/dedup.h"

namespace dubare {

namespace {
constexpr base::EnumName<DedupMethod> kDedupMethods[] = {{DedupMethod::kMinHash, "minhash"},
                                                         {DedupMethod::kSimHash, "simhash"}};
constexpr base::EnumName<DocumentFate> kFates[] = {{DocumentFate::kKept, "kept"},
                                                   {DocumentFate::kDuplicate, "duplicate"},
                                                   {DocumentFate::kRejected, "rejected"}};
constexpr base::EnumName<DuplicateIds> kDuplicateIds[] = {{DuplicateIds::kError, "error"},
                                                          {DuplicateIds::kRename, "rename"}};
}  // namespace

absl::string_view DuplicateIdsName(DuplicateIds d) { return base::NameOf(d, kDuplicateIds); }
absl::StatusOr<DuplicateIds> ParseDuplicateIds(absl::string_view name) {
  return base::ParseName("duplicate ids", name, kDuplicateIds);
}

absl::string_view DedupMethodName(DedupMethod method) { return base::NameOf(method, kDedupMethods); }
absl::StatusOr<DedupMethod> ParseDedupMethod(absl::string_view name) {
  return base::ParseName("method", name, kDedupMethods);
}
absl::string_view DocumentFateName(DocumentFate fate) { return base::NameOf(fate, kFates); }

absl::StatusOr<KeepPolicy> KeepPolicy::Parse(absl::string_view text) {
  KeepPolicy p;
  if (text == "first") return p;
  if (text == "longest") {
    p.kind = Kind::kLongest;
    return p;
  }
  if (absl::ConsumePrefix(&text, "earliest:") && !text.empty()) {
    p.kind = Kind::kEarliest;
    p.field = std::string(text);
    return p;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("keep policy '", text, "' is not first, longest or earliest:FIELD"));
}

std::string KeepPolicy::ToString() const {
  switch (kind) {
    case Kind::kFirst:
      return "first";
    case Kind::kLongest:
      return "longest";
    case Kind::kEarliest:
      return absl::StrCat("earliest:", field);
  }
  return "first";
}

size_t ChooseRepresentative(const KeepPolicy& policy, absl::Span<const KeepKey> members) {
  // Returns true when x is a better representative than y.
  auto better = [&](const KeepKey& x, const KeepKey& y) {
    switch (policy.kind) {
      case KeepPolicy::Kind::kFirst:
        return x.index < y.index;
      case KeepPolicy::Kind::kLongest:
        if (x.length != y.length) return x.length > y.length;
        break;
      case KeepPolicy::Kind::kEarliest:
        if (x.field != y.field) return x.field < y.field;
        break;
    }
    if (x.id != y.id) return x.id < y.id;
    return x.index < y.index;  // equal ids: input order decides
  };
  size_t best = 0;
  for (size_t i = 1; i < members.size(); ++i) {
    if (better(members[i], members[best])) best = i;
  }
  return best;
}

std::vector<uint32_t> ConnectedComponents(size_t num_docs, absl::Span<const ScoredPair> pairs) {
  std::vector<uint32_t> parent(num_docs);
  std::iota(parent.begin(), parent.end(), 0u);
  auto find = [&](uint32_t x) {
    while (parent[x] != x) {
      parent[x] = parent[parent[x]];  // path halving
      x = parent[x];
    }
    return x;
  };
  // Union by smaller index: the root of a component is its smallest member,
  // so labels do not depend on the order of the pairs.
  for (const ScoredPair& p : pairs) {
    const uint32_t ra = find(p.a), rb = find(p.b);
    if (ra < rb) {
      parent[rb] = ra;
    } else if (rb < ra) {
      parent[ra] = rb;
    }
  }
  for (uint32_t i = 0; i < num_docs; ++i) parent[i] = find(i);
  return parent;
}

std::vector<Cluster> BuildClusters(const SketchBatch& batch, absl::Span<const ScoredPair> pairs,
                                   absl::Span<const KeepKey> keys, const DedupOptions& options) {
  return dedup_internal::BuildClusters({batch, {}}, pairs, keys, options);
}

namespace dedup_internal {

std::vector<Cluster> BuildClusters(const SketchRows& sketches, absl::Span<const ScoredPair> pairs,
                                   absl::Span<const KeepKey> keys, const DedupOptions& options) {
  const size_t n = keys.size();
  const std::vector<uint32_t> root = ConnectedComponents(n, pairs);
  // Members of each root other than itself, in index order.
  std::vector<uint32_t> count(n, 0);
  for (uint32_t i = 0; i < n; ++i) {
    if (root[i] != i) ++count[root[i]];
  }
  std::vector<Cluster> clusters;
  std::vector<int32_t> cluster_of_root(n, -1);
  std::vector<KeepKey> members_keys;
  for (uint32_t i = 0; i < n; ++i) {
    if (count[i] > 0) {
      cluster_of_root[i] = static_cast<int32_t>(clusters.size());
      clusters.emplace_back();
      clusters.back().members.reserve(count[i] + 1);
      clusters.back().members.push_back({i, 0});
    } else if (root[i] != i) {
      clusters[cluster_of_root[root[i]]].members.push_back({i, 0});
    }
  }
  for (Cluster& c : clusters) {
    members_keys.clear();
    for (const ClusterMember& m : c.members) members_keys.push_back(keys[m.doc]);
    c.representative = c.members[ChooseRepresentative(options.keep, members_keys)].doc;
    for (ClusterMember& m : c.members) {
      const uint32_t rep = c.representative;
      m.score = m.doc == rep ? 1.0
                             : ScoreDocuments(sketches, std::min(m.doc, rep), std::max(m.doc, rep),
                                              options);
    }
  }
  return clusters;
}

}  // namespace dedup_internal

}  // namespace dubare
