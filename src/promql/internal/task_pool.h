// TaskPool: a few helper threads, owned by an Engine, that run parts of a
// query beside the thread evaluating it. A query posts a batch of n
// independent items; the calling thread and every free helper take items in
// increasing order until none is left, and the caller then waits for the
// items the helpers took. Results go to per-item slots that the caller reads
// after Join, in item order, so parallel evaluation gives exactly the
// sequential answer.
//
// Helpers never wait for each other: when they are busy with other queries'
// batches the caller simply runs the items itself. Threads start on the
// first Post.
//
// Threading: Post/Join may be called by many threads at once; a Batch is
// joined by the thread that posted it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/functional/function_ref.h"

namespace pharos::promql::internal {

class TaskPool {
 public:
  // fn(item, worker): worker is 0 for the posting thread and 1..helpers()
  // for helpers, so that per-worker scratch can be indexed by it (a helper
  // works on one batch at a time).
  using ItemFn = absl::FunctionRef<void(size_t item, int worker)>;

  class Batch {
   public:
    explicit Batch(size_t n, ItemFn fn) : n_(n), fn_(fn) {}

   private:
    friend class TaskPool;
    // Runs items until none is left.
    void Work(int worker);
    const size_t n_;
    const ItemFn fn_;
    std::atomic<size_t> next_{0};
    std::atomic<size_t> done_{0};
  };

  explicit TaskPool(int helpers);
  ~TaskPool();
  TaskPool(const TaskPool&) = delete;
  TaskPool& operator=(const TaskPool&) = delete;

  int helpers() const { return helpers_; }
  // Makes the batch's items available to the helpers. `fn` and everything it
  // refers to must stay valid until Join returns.
  std::shared_ptr<Batch> Post(size_t n, ItemFn fn);
  // Runs the items no helper took on this thread, then waits for the rest.
  void Join(Batch& b);

 private:
  void Loop(int worker);
  void Remove(const Batch* b);

  const int helpers_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<Batch>> queue_;  // guarded by mu_; batches with items left
  std::atomic<size_t> queued_{0};             // queue_.size(), read without mu_ by spinning helpers
  std::vector<std::thread> threads_;          // guarded by mu_; started by the first Post
  bool stop_ = false;                         // guarded by mu_
};

// Helper threads for an engine that may use `parallelism` threads per query
// (0: one per core, at most 8): parallelism - 1, or none.
int HelpersFor(int parallelism);

}  // namespace pharos::promql::internal
