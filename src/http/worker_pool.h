// WorkerPool: a fixed number of threads running submitted tasks from a
// bounded FIFO queue. HTTP handlers run here so that they may block (queries)
// without stalling the I/O threads.
//
// Thread-safe. Stop() runs every task already queued, then joins the threads;
// tasks submitted after Stop() are refused.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace pharos::http {

class WorkerPool {
 public:
  WorkerPool(int threads, size_t max_queued);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `task`; false when the queue is full or the pool is stopped.
  bool TrySubmit(std::function<void()> task);
  void Stop();

  size_t queued() const;

 private:
  void Run();

  const size_t max_queued_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace pharos::http
