// Copyright 2026 The Dubare Authors.
//
// distributed.h: the dedup engine over several processes, each holding a
// share of the documents, that together give the answer one process gives.
//
// Processes talk through a Communicator: a group of `size()` processes
// numbered from 0 that exchange byte buffers collectively, every process
// calling the same operations in the same order. The MPI one (mpi.h) runs on
// a cluster under `mpirun` or `srun`; LocalGroup runs a group on threads of
// one process (tests, and a check that the algorithm needs nothing else).
//
// DedupShards is the distributed counterpart of Deduper::Finish. Process r
// holds documents [first_doc, first_doc + n) of the global input order (the
// shares are contiguous and in rank order). Work is spread by hashing, so no
// process holds more than its share of any table:
//
//   ids         (id, doc) -> owner of hash(id): a repeated id is refused
//   exact       (match key, doc) -> owner of the key: heads and their copies
//   band keys   (band, key, doc) -> owner of the key: its buckets' pairs
//               (FindCandidatesInTuples) -> the owner of the pair's first
//               document, which removes repeats
//   verify      the owner of a pair's first document fetches the second's
//               features (signature, shingle set) from its owner and scores
//               the pair (VerifyCandidates)
//   components  min-label propagation with pointer jumping over the
//               verified pairs, each label held by its document's owner;
//               rounds until no label changes (about log of the longest
//               path)
//   clusters    members go to the owner of their smallest member, which
//               applies the keep policy and scores them (BuildClusters'
//               rules); fates go back to the documents' owners
//
// The result is the single-process one: the pairs, clusters and fates that
// Deduper gives for the same documents in the same order, split by owner,
// so that the outputs of all processes concatenated in rank order equal the
// single-process outputs byte for byte (tested for 1..4 processes).
//
// Ownership: DedupShards takes its input by value and returns owned values.
// Thread safety: a Communicator is used by one thread at a time; DedupShards
// uses the communicator from the calling thread and starts its own workers.

#ifndef DUBARE_DISTRIBUTED_H_
#define DUBARE_DISTRIBUTED_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "dubare/dedup.h"
#include "dubare/progress.h"
#include "dubare/sketch.h"

namespace dubare {

// Whether an MPI launcher (mpirun, mpiexec, srun with PMI/PMIx) started this
// process: the environment variables they set. (Known without MPI: the
// `dubare` program hands such runs to `dubare-mpi`.)
bool LaunchedByMpi();

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // This process's host, for messages ("rank 2 on node7").
  virtual std::string host() const = 0;
  // Bytes cut into runs, one per process in rank order.
  struct Packed {
    std::string bytes;
    std::vector<uint64_t> counts;  // size() entries; their sum is bytes.size()
  };
  // All-to-all: run r of `outgoing` goes to process r; returns what every
  // process addressed to this one, runs by sender. Collective. One buffer
  // each way, so a large exchange holds its data twice at most.
  virtual absl::StatusOr<Packed> ExchangePacked(Packed outgoing) = 0;
  // The same with one buffer per process (packs and unpacks).
  absl::StatusOr<std::vector<std::string>> Exchange(std::vector<std::string> outgoing);
  // Bytes this process has sent to others so far (not to itself).
  virtual uint64_t bytes_sent() const = 0;
};

// Every process's `mine`, by rank. Collective.
absl::StatusOr<std::vector<std::string>> AllGather(Communicator& comm, std::string mine);
// The element-wise sum over all processes. Collective.
absl::StatusOr<std::vector<uint64_t>> AllSum(Communicator& comm, std::vector<uint64_t> mine);
// Collective agreement on failure: OK when every process passes OK, else
// the failure of the lowest-ranked failing process, with "rank R on HOST: "
// before its message, for every process. Call at the end of each stage that
// can fail on one process alone (reading, writing), so that no process
// waits forever in the next collective.
absl::Status AgreeOk(Communicator& comm, const absl::Status& mine);

// `size` communicators that talk through memory; use each from its own
// thread (LocalGroup::Run does).
struct LocalGroupState;  // defined in communicator.cc
class LocalGroup {
 public:
  explicit LocalGroup(int size);
  ~LocalGroup();
  Communicator& member(int rank);
  // Runs fn(communicator) for every rank, each on its own thread, and joins.
  template <typename Fn>
  void Run(Fn fn);

 private:
  std::unique_ptr<LocalGroupState> shared_;
  std::vector<std::unique_ptr<Communicator>> members_;
  void RunAll(const std::function<void(Communicator&)>& fn);
};

template <typename Fn>
void LocalGroup::Run(Fn fn) {
  RunAll(std::function<void(Communicator&)>(std::move(fn)));
}

// ---- Distributed dedup ---------------------------------------------------------

// One process's share of the documents.
struct ShardInput {
  SketchBatch sketches;                  // its documents, in input order
  std::vector<std::string> ids;          // one per document
  std::vector<std::string> keep_values;  // one per document when the policy reads them
};

struct ShardResult {
  int processes = 1;
  uint32_t first_doc = 0;    // global number of this share's first document
  uint32_t num_docs = 0;     // documents of this share
  uint64_t total_docs = 0;   // documents of all shares
  // Verified pairs (global numbers) whose first document is in this share,
  // sorted by (a, b).
  std::vector<ScoredPair> pairs;
  // Clusters whose smallest member is in this share, by that member; their
  // global numbers are first_cluster, first_cluster + 1, ...
  std::vector<Cluster> clusters;
  uint64_t first_cluster = 0;
  // Per document of this share.
  std::vector<DocumentFate> fate;
  std::vector<DedupRejection> rejected;  // doc = index in this share
  // The share's ids (ShardInput::ids, handed back), and those of the other
  // shares' documents named in pairs and clusters.
  std::vector<std::string> ids;
  absl::flat_hash_map<uint32_t, std::string> remote_ids;
  // The id of document `doc` (global number) when this share knows it.
  const std::string& id(uint32_t doc) const {
    return doc >= first_doc && doc - first_doc < num_docs ? ids[doc - first_doc] : remote_ids.at(doc);
  }
  // Over all processes; the *_seconds are this process's.
  DedupStats stats;
  uint64_t band_tuples = 0;  // (band, key, doc) tuples exchanged, all processes
  uint64_t label_rounds = 0;  // rounds of label propagation
  // Bytes sent between processes by each stage ("ids", "exact", "band_keys",
  // "verify", "components", "clusters"), all processes.
  std::vector<std::pair<std::string, uint64_t>> bytes_by_stage;
};

// After DedupShards failed on a repeated id: the id and the global numbers
// of its first document and of the first refused one (every process gets it).
struct RefusedId {
  std::string id;
  uint32_t first = 0;
  uint32_t second = 0;
};

// Collective: every process calls it with its share. Errors (the same on
// every process): invalid options; SimHash and DuplicateIds::kRename, which
// need all documents in one place; more than 2^32 documents; a repeated id
// (kInvalidArgument, with *refused set when not null). `progress` (may be
// null) gets global counts after each stage.
absl::StatusOr<ShardResult> DedupShards(Communicator& comm, ShardInput input,
                                        const DedupOptions& options, ProgressCallback progress = nullptr,
                                        RefusedId* refused = nullptr);

}  // namespace dubare

#endif  // DUBARE_DISTRIBUTED_H_
