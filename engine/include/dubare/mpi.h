// Copyright 2026 The Dubare Authors.
//
// mpi.h: the Communicator of distributed.h over MPI (Debian's OpenMPI), for
// runs started by `mpirun -np N dubare ...` or by Slurm's `srun`.
//
// An MpiSession initializes MPI when the process was started by an MPI
// launcher and finalizes it when destroyed; a process started without one
// never touches MPI, so the command behaves as a single process does and
// starts no MPI runtime. Exchange is MPI_Alltoall of the sizes, then
// MPI_Alltoallv in rounds of under 2 GiB in all (MPI counts are int).
// Errors in MPI calls abort the job (MPI_ERRORS_ARE_FATAL): the launcher
// then ends every rank and names the one that failed.
//
// Built only when CMake finds MPI (DUBARE_HAVE_MPI).
// Thread safety: one thread calls MPI (MPI_THREAD_FUNNELED).

#ifndef DUBARE_MPI_H_
#define DUBARE_MPI_H_

#include <memory>

#include "absl/status/statusor.h"
#include "dubare/distributed.h"

namespace dubare {

class MpiSession {
 public:
  // Initializes MPI. Call once per process, only when LaunchedByMpi()
  // (distributed.h).
  static absl::StatusOr<std::unique_ptr<MpiSession>> Start();
  ~MpiSession();  // MPI_Finalize
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  // MPI_COMM_WORLD.
  Communicator& world() { return *world_; }
  // Ends every process of the job with `code` (MPI_Abort).
  [[noreturn]] void Abort(int code);

 private:
  MpiSession();
  std::unique_ptr<Communicator> world_;
};

}  // namespace dubare

#endif  // DUBARE_MPI_H_
