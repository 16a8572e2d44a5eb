#include "promql/internal/task_pool.h"

#include <algorithm>
#include <chrono>

namespace pharos::promql::internal {
namespace {

constexpr auto kSpin = std::chrono::microseconds(20);

inline void Pause() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

}  // namespace

void TaskPool::Batch::Work(int worker) {
  for (;;) {
    size_t i = next_.fetch_add(1, std::memory_order_relaxed);
    if (i >= n_) return;
    fn_(i, worker);
    // Release: the item's results are visible to the thread that sees done_.
    if (done_.fetch_add(1, std::memory_order_acq_rel) + 1 == n_) done_.notify_all();
  }
}

TaskPool::TaskPool(int helpers) : helpers_(std::max(helpers, 0)) {}

TaskPool::~TaskPool() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

std::shared_ptr<TaskPool::Batch> TaskPool::Post(size_t n, ItemFn fn) {
  auto b = std::make_shared<Batch>(n, fn);
  if (helpers_ == 0 || n < 2) return b;  // nothing to share: Join runs it all
  {
    std::lock_guard<std::mutex> l(mu_);
    if (threads_.empty()) {
      for (int w = 1; w <= helpers_; ++w) threads_.emplace_back([this, w] { Loop(w); });
    }
    queue_.push_back(b);
    queued_.store(queue_.size(), std::memory_order_relaxed);
  }
  cv_.notify_all();
  return b;
}

void TaskPool::Join(Batch& b) {
  b.Work(0);
  Remove(&b);
  // The helpers' last items are usually a few microseconds from done: wait
  // for them awake rather than give the core away.
  auto until = std::chrono::steady_clock::now() + kSpin;
  while (b.done_.load(std::memory_order_acquire) < b.n_ && std::chrono::steady_clock::now() < until) Pause();
  for (size_t d = b.done_.load(std::memory_order_acquire); d < b.n_; d = b.done_.load(std::memory_order_acquire)) {
    b.done_.wait(d, std::memory_order_acquire);
  }
}

void TaskPool::Remove(const Batch* b) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = std::find_if(queue_.begin(), queue_.end(), [&](const auto& x) { return x.get() == b; });
  if (it != queue_.end()) queue_.erase(it);
  queued_.store(queue_.size(), std::memory_order_relaxed);
}

void TaskPool::Loop(int worker) {
  std::unique_lock<std::mutex> l(mu_);
  for (;;) {
    if (queue_.empty() && !stop_) {
      // A query posts its batches back to back: wait a little for the next
      // one before sleeping, as being woken again can take a whole time
      // slice on a busy machine.
      l.unlock();
      auto until = std::chrono::steady_clock::now() + kSpin;
      while (queued_.load(std::memory_order_relaxed) == 0 && std::chrono::steady_clock::now() < until) {
        Pause();
      }
      l.lock();
    }
    cv_.wait(l, [&] { return stop_ || !queue_.empty(); });
    if (stop_) return;
    std::shared_ptr<Batch> b = queue_.front();
    l.unlock();
    b->Work(worker);
    l.lock();
    // No item is left to take: later helpers need not look at it.
    auto it = std::find(queue_.begin(), queue_.end(), b);
    if (it != queue_.end()) queue_.erase(it);
    queued_.store(queue_.size(), std::memory_order_relaxed);
  }
}

int HelpersFor(int parallelism) {
  int p = parallelism;
  if (p <= 0) p = std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, 8);
  return p - 1;
}

}  // namespace pharos::promql::internal
