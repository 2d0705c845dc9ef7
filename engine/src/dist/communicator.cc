// Copyright 2026 The Dubare Authors.
//
// The collectives every Communicator gets from Exchange, LocalGroup, and
// LaunchedByMpi.

#include <barrier>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "absl/strings/str_cat.h"
#include "dubare/distributed.h"
#include "dubare/status.h"

namespace dubare {

bool LaunchedByMpi() {
  for (const char* v :
       {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "PMI_RANK", "MPI_LOCALNRANKS"}) {
    if (std::getenv(v) != nullptr) return true;
  }
  return false;
}

absl::StatusOr<std::vector<std::string>> Communicator::Exchange(std::vector<std::string> outgoing) {
  if (static_cast<int>(outgoing.size()) != size()) {
    return absl::InvalidArgumentError(absl::StrCat("Exchange: ", outgoing.size(),
                                                   " buffers for ", size(), " processes"));
  }
  Packed packed;
  for (std::string& o : outgoing) {
    packed.counts.push_back(o.size());
    packed.bytes += o;
    std::string().swap(o);
  }
  DUBARE_ASSIGN_OR_RETURN(Packed in, ExchangePacked(std::move(packed)));
  std::vector<std::string> by_sender(in.counts.size());
  uint64_t at = 0;
  for (size_t r = 0; r < in.counts.size(); ++r) {
    by_sender[r] = in.bytes.substr(at, in.counts[r]);
    at += in.counts[r];
  }
  return by_sender;
}

absl::StatusOr<std::vector<std::string>> AllGather(Communicator& comm, std::string mine) {
  std::vector<std::string> out(comm.size(), mine);
  return comm.Exchange(std::move(out));
}

absl::StatusOr<std::vector<uint64_t>> AllSum(Communicator& comm, std::vector<uint64_t> mine) {
  std::string bytes(mine.size() * sizeof(uint64_t), '\0');
  if (!mine.empty()) std::memcpy(bytes.data(), mine.data(), bytes.size());
  DUBARE_ASSIGN_OR_RETURN(std::vector<std::string> all, AllGather(comm, std::move(bytes)));
  std::vector<uint64_t> sum(mine.size(), 0);
  for (const std::string& b : all) {
    if (b.size() != sum.size() * sizeof(uint64_t)) {
      return absl::InternalError("AllSum: processes passed vectors of different sizes");
    }
    for (size_t i = 0; i < sum.size(); ++i) {
      uint64_t v;
      std::memcpy(&v, b.data() + i * sizeof v, sizeof v);
      sum[i] += v;
    }
  }
  return sum;
}

absl::Status AgreeOk(Communicator& comm, const absl::Status& mine) {
  // One byte of status code, then the message.
  std::string report;
  if (!mine.ok()) {
    report.push_back(static_cast<char>(mine.code()));
    absl::StrAppend(&report, "rank ", comm.rank(), " on ", comm.host(), ": ", mine.message());
  }
  DUBARE_ASSIGN_OR_RETURN(std::vector<std::string> all, AllGather(comm, std::move(report)));
  for (const std::string& r : all) {
    if (!r.empty()) {
      return absl::Status(static_cast<absl::StatusCode>(static_cast<unsigned char>(r[0])),
                          absl::string_view(r).substr(1));
    }
  }
  return absl::OkStatus();
}

// ---- LocalGroup --------------------------------------------------------------

struct LocalGroupState {
  explicit LocalGroupState(int n) : size(n), outbox(n), barrier(n) {}
  const int size;
  // outbox[from]: what each process sends this round, runs by receiver.
  std::vector<Communicator::Packed> outbox;
  std::vector<std::vector<uint64_t>> offsets = std::vector<std::vector<uint64_t>>(size);
  std::barrier<> barrier;
};

namespace {

class LocalCommunicator final : public Communicator {
 public:
  LocalCommunicator(int rank, LocalGroupState* shared) : rank_(rank), shared_(shared) {}
  int rank() const override { return rank_; }
  int size() const override { return shared_->size; }
  std::string host() const override { return "localhost"; }
  absl::StatusOr<Packed> ExchangePacked(Packed outgoing) override;
  uint64_t bytes_sent() const override { return bytes_sent_; }

 private:
  int rank_;
  LocalGroupState* shared_;
  uint64_t bytes_sent_ = 0;
};

}  // namespace

absl::StatusOr<Communicator::Packed> LocalCommunicator::ExchangePacked(Packed outgoing) {
  LocalGroupState& s = *shared_;
  if (static_cast<int>(outgoing.counts.size()) != s.size) {
    return absl::InvalidArgumentError(absl::StrCat("Exchange: ", outgoing.counts.size(),
                                                   " runs for ", s.size, " processes"));
  }
  std::vector<uint64_t>& offsets = s.offsets[rank_];
  offsets.assign(s.size + 1, 0);
  for (int to = 0; to < s.size; ++to) {
    offsets[to + 1] = offsets[to] + outgoing.counts[to];
    if (to != rank_) bytes_sent_ += outgoing.counts[to];
  }
  s.outbox[rank_] = std::move(outgoing);
  s.barrier.arrive_and_wait();
  Packed in;
  for (int from = 0; from < s.size; ++from) {
    const std::vector<uint64_t>& o = s.offsets[from];
    in.counts.push_back(o[rank_ + 1] - o[rank_]);
    in.bytes.append(s.outbox[from].bytes, o[rank_], o[rank_ + 1] - o[rank_]);
  }
  s.barrier.arrive_and_wait();  // nobody writes the next round before all have read
  return in;
}

LocalGroup::LocalGroup(int size) : shared_(std::make_unique<LocalGroupState>(size)) {
  for (int r = 0; r < size; ++r) {
    members_.push_back(std::make_unique<LocalCommunicator>(r, shared_.get()));
  }
}

LocalGroup::~LocalGroup() = default;

Communicator& LocalGroup::member(int rank) { return *members_[rank]; }

void LocalGroup::RunAll(const std::function<void(Communicator&)>& fn) {
  std::vector<std::thread> threads;
  for (auto& m : members_) threads.emplace_back([&fn, &m] { fn(*m); });
  for (std::thread& t : threads) t.join();
}

}  // namespace dubare
