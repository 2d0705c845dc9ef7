// Copyright 2026 The Dubare Authors.
//
// parallel.h (private): the one thread-count rule and the one parallel loop
// of the library.
//
// Every Options struct with a `threads` field means the same by it: a
// positive number is that many workers, 0 is one per hardware thread
// (ResolveThreads). Work is split by ParallelFor; results must not depend on
// the number of workers, so callers write only to state owned by an index
// or by a worker number and combine in index order.
//
// Thread safety: ParallelFor calls fn concurrently with distinct i; it
// starts its workers and joins them before it returns.

#ifndef DUBARE_BASE_PARALLEL_H_
#define DUBARE_BASE_PARALLEL_H_

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace dubare::base {

// Workers for a request of `threads`: itself when positive, else one per
// hardware thread (at least 1).
inline int ResolveThreads(int threads) {
  if (threads > 0) return threads;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

// Calls fn(i, worker) for every i in [0, n), worker in [0, workers); the
// calling thread is worker 0. Indices are handed out in blocks of `grain`
// (0 = about 64 blocks per worker), so uneven items balance.
template <typename Fn>
void ParallelFor(size_t n, int workers, Fn&& fn, size_t grain = 0) {
  workers = static_cast<int>(std::min<size_t>(std::max(workers, 1), std::max<size_t>(n, 1)));
  if (workers == 1) {
    for (size_t i = 0; i < n; ++i) fn(i, 0);
    return;
  }
  std::atomic<size_t> next{0};
  const size_t block = grain > 0 ? grain : std::max<size_t>(1, n / (workers * 64));
  auto run = [&](int worker) {
    for (;;) {
      const size_t begin = next.fetch_add(block, std::memory_order_relaxed);
      if (begin >= n) return;
      const size_t end = std::min(n, begin + block);
      for (size_t i = begin; i < end; ++i) fn(i, worker);
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(workers - 1);
  for (int w = 1; w < workers; ++w) pool.emplace_back(run, w);
  run(0);
  for (std::thread& t : pool) t.join();
}

// fn(begin, end, worker) over [0, n) cut into contiguous ranges of at least
// `min_range` items, at most one range per worker: for loops whose items are
// too cheap for a call each.
template <typename Fn>
void ParallelRanges(size_t n, int workers, size_t min_range, Fn&& fn) {
  const size_t ranges =
      std::max<size_t>(1, std::min<size_t>(std::max(workers, 1), n / std::max<size_t>(min_range, 1)));
  ParallelFor(ranges, static_cast<int>(ranges), [&](size_t r, int worker) {
    fn(n * r / ranges, n * (r + 1) / ranges, worker);
  });
}

// Sorts *v with `less` on `workers` threads: equal slices sorted in
// parallel, then merged pairwise, also in parallel.
template <typename T, typename Less>
void ParallelSort(std::vector<T>* v, int workers, Less less) {
  size_t slices = 1;
  while (slices < static_cast<size_t>(std::max(workers, 1)) && slices * 2 * 4096 <= v->size()) {
    slices *= 2;
  }
  std::vector<size_t> cut(slices + 1);
  for (size_t i = 0; i <= slices; ++i) cut[i] = v->size() * i / slices;
  ParallelFor(slices, workers, [&](size_t i, int) {
    std::sort(v->begin() + cut[i], v->begin() + cut[i + 1], less);
  });
  for (size_t width = 1; width < slices; width *= 2) {
    ParallelFor(slices / (2 * width), workers, [&](size_t k, int) {
      const size_t lo = 2 * width * k;
      std::inplace_merge(v->begin() + cut[lo], v->begin() + cut[lo + width],
                         v->begin() + cut[lo + 2 * width], less);
    });
  }
}

}  // namespace dubare::base

#endif  // DUBARE_BASE_PARALLEL_H_
