// Copyright 2026 The Dubare Authors.
//
// MpiSession and the MPI Communicator (mpi.h).

#include <mpi.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "dubare/mpi.h"

namespace dubare {
namespace {

// Bytes per peer per MPI_Alltoallv round: MPI counts are int.
constexpr uint64_t kRoundBytes = uint64_t{1} << 30;

class MpiCommunicator final : public Communicator {
 public:
  MpiCommunicator() {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    char name[MPI_MAX_PROCESSOR_NAME];
    int len = 0;
    MPI_Get_processor_name(name, &len);
    host_.assign(name, len);
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string host() const override { return host_; }
  uint64_t bytes_sent() const override { return bytes_sent_; }

  absl::StatusOr<std::vector<std::string>> Exchange(std::vector<std::string> outgoing) override {
    if (static_cast<int>(outgoing.size()) != size_) {
      return absl::InvalidArgumentError(absl::StrCat("Exchange: ", outgoing.size(),
                                                     " buffers for ", size_, " processes"));
    }
    std::vector<uint64_t> send_sizes(size_), recv_sizes(size_);
    for (int r = 0; r < size_; ++r) {
      send_sizes[r] = outgoing[r].size();
      if (r != rank_) bytes_sent_ += outgoing[r].size();
    }
    MPI_Alltoall(send_sizes.data(), 1, MPI_UINT64_T, recv_sizes.data(), 1, MPI_UINT64_T,
                 MPI_COMM_WORLD);
    std::vector<std::string> incoming(size_);
    uint64_t largest = 0;
    for (int r = 0; r < size_; ++r) {
      incoming[r].resize(recv_sizes[r]);
      largest = std::max({largest, send_sizes[r], recv_sizes[r]});
    }
    uint64_t rounds = (largest + kRoundBytes - 1) / kRoundBytes;
    MPI_Allreduce(MPI_IN_PLACE, &rounds, 1, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD);
    std::vector<int> scount(size_), sdispl(size_), rcount(size_), rdispl(size_);
    std::string sendbuf, recvbuf;
    for (uint64_t round = 0; round < rounds; ++round) {
      const uint64_t from = round * kRoundBytes;
      auto piece = [&](uint64_t total) {
        return total > from ? std::min(kRoundBytes, total - from) : uint64_t{0};
      };
      uint64_t s = 0, rv = 0;
      for (int r = 0; r < size_; ++r) {
        scount[r] = static_cast<int>(piece(send_sizes[r]));
        rcount[r] = static_cast<int>(piece(recv_sizes[r]));
        s += scount[r];
        rv += rcount[r];
      }
      // Displacements are int too: pack each round into buffers of its own.
      if (s > INT32_MAX || rv > INT32_MAX) {
        return absl::ResourceExhaustedError(
            "Exchange: over 2 GiB in one round; run with more processes");
      }
      sendbuf.resize(s);
      recvbuf.resize(rv);
      int at = 0;
      for (int r = 0; r < size_; ++r) {
        sdispl[r] = at;
        if (scount[r] > 0) std::memcpy(sendbuf.data() + at, outgoing[r].data() + from, scount[r]);
        at += scount[r];
      }
      at = 0;
      for (int r = 0; r < size_; ++r) {
        rdispl[r] = at;
        at += rcount[r];
      }
      MPI_Alltoallv(sendbuf.data(), scount.data(), sdispl.data(), MPI_BYTE, recvbuf.data(),
                    rcount.data(), rdispl.data(), MPI_BYTE, MPI_COMM_WORLD);
      for (int r = 0; r < size_; ++r) {
        if (rcount[r] > 0) std::memcpy(incoming[r].data() + from, recvbuf.data() + rdispl[r], rcount[r]);
      }
    }
    return incoming;
  }

 private:
  int rank_ = 0;
  int size_ = 1;
  std::string host_;
  uint64_t bytes_sent_ = 0;
};

}  // namespace

bool LaunchedByMpi() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "PMI_RANK", "MPI_LOCALNRANKS"}) {
    if (std::getenv(v) != nullptr) return true;
  }
  return false;
}

MpiSession::MpiSession() = default;

absl::StatusOr<std::unique_ptr<MpiSession>> MpiSession::Start() {
  int provided = 0;
  if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
    return absl::UnavailableError("MPI_Init failed");
  }
  std::unique_ptr<MpiSession> session(new MpiSession());
  session->world_ = std::make_unique<MpiCommunicator>();
  return session;
}

MpiSession::~MpiSession() {
  world_.reset();
  MPI_Finalize();
}

void MpiSession::Abort(int code) {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);
}

}  // namespace dubare
