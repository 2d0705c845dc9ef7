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

// Bytes per peer per MPI_Alltoallv round: MPI counts and displacements are
// int, so a round's buffer stays under 2 GiB whatever the number of peers.
uint64_t RoundBytes(int peers) {
  return std::min<uint64_t>(uint64_t{1} << 30, (uint64_t{INT32_MAX} - 1) / std::max(peers, 1));
}

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

  absl::StatusOr<Packed> ExchangePacked(Packed outgoing) override {
    if (static_cast<int>(outgoing.counts.size()) != size_) {
      return absl::InvalidArgumentError(absl::StrCat("Exchange: ", outgoing.counts.size(),
                                                     " runs for ", size_, " processes"));
    }
    std::vector<uint64_t>& send_sizes = outgoing.counts;
    std::vector<uint64_t> recv_sizes(size_);
    for (int r = 0; r < size_; ++r) {
      if (r != rank_) bytes_sent_ += send_sizes[r];
    }
    MPI_Alltoall(send_sizes.data(), 1, MPI_UINT64_T, recv_sizes.data(), 1, MPI_UINT64_T,
                 MPI_COMM_WORLD);
    std::vector<uint64_t> send_at(size_ + 1, 0), recv_at(size_ + 1, 0);
    for (int r = 0; r < size_; ++r) {
      send_at[r + 1] = send_at[r] + send_sizes[r];
      recv_at[r + 1] = recv_at[r] + recv_sizes[r];
    }
    Packed in;
    in.counts = recv_sizes;
    in.bytes.resize(recv_at[size_]);
    std::vector<int> scount(size_), sdispl(size_), rcount(size_), rdispl(size_);
    // One call when every count and displacement fits an int (the usual
    // case): straight from the send buffer into the receive buffer.
    uint64_t total = std::max(send_at[size_], recv_at[size_]);
    MPI_Allreduce(MPI_IN_PLACE, &total, 1, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD);
    if (total <= static_cast<uint64_t>(INT32_MAX)) {
      for (int r = 0; r < size_; ++r) {
        scount[r] = static_cast<int>(send_sizes[r]);
        sdispl[r] = static_cast<int>(send_at[r]);
        rcount[r] = static_cast<int>(recv_sizes[r]);
        rdispl[r] = static_cast<int>(recv_at[r]);
      }
      MPI_Alltoallv(outgoing.bytes.data(), scount.data(), sdispl.data(), MPI_BYTE, in.bytes.data(),
                    rcount.data(), rdispl.data(), MPI_BYTE, MPI_COMM_WORLD);
      return in;
    }
    // Larger: rounds of a slice per peer, each packed into buffers of its own.
    const uint64_t kRoundBytes = RoundBytes(size_);
    uint64_t largest = 0;
    for (int r = 0; r < size_; ++r) largest = std::max({largest, send_sizes[r], recv_sizes[r]});
    uint64_t rounds = (largest + kRoundBytes - 1) / kRoundBytes;
    MPI_Allreduce(MPI_IN_PLACE, &rounds, 1, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD);
    std::string sendbuf, recvbuf;
    for (uint64_t round = 0; round < rounds; ++round) {
      const uint64_t from = round * kRoundBytes;
      auto piece = [&](uint64_t size) {
        return size > from ? std::min(kRoundBytes, size - from) : uint64_t{0};
      };
      int s = 0, rv = 0;
      for (int r = 0; r < size_; ++r) {
        scount[r] = static_cast<int>(piece(send_sizes[r]));
        rcount[r] = static_cast<int>(piece(recv_sizes[r]));
        sdispl[r] = s;
        rdispl[r] = rv;
        s += scount[r];
        rv += rcount[r];
      }
      sendbuf.resize(s);
      recvbuf.resize(rv);
      for (int r = 0; r < size_; ++r) {
        if (scount[r] > 0) {
          std::memcpy(sendbuf.data() + sdispl[r], outgoing.bytes.data() + send_at[r] + from, scount[r]);
        }
      }
      MPI_Alltoallv(sendbuf.data(), scount.data(), sdispl.data(), MPI_BYTE, recvbuf.data(),
                    rcount.data(), rdispl.data(), MPI_BYTE, MPI_COMM_WORLD);
      for (int r = 0; r < size_; ++r) {
        if (rcount[r] > 0) {
          std::memcpy(in.bytes.data() + recv_at[r] + from, recvbuf.data() + rdispl[r], rcount[r]);
        }
      }
    }
    return in;
  }

 private:
  int rank_ = 0;
  int size_ = 1;
  std::string host_;
  uint64_t bytes_sent_ = 0;
};

}  // namespace

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
