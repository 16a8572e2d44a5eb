#include <mutex>
#include <set>

#include "absl/strings/str_cat.h"
#include "disk/env.h"

namespace pharos::disk {
namespace {

std::mutex g_locks_mu;
std::set<std::pair<const Env*, std::string>>& Locks() {
  static auto* s = new std::set<std::pair<const Env*, std::string>>;
  return *s;
}

class InProcessLock final : public FileLock {
 public:
  InProcessLock(const Env* env, std::string path) : key_(env, std::move(path)) {}
  ~InProcessLock() override {
    std::lock_guard<std::mutex> l(g_locks_mu);
    Locks().erase(key_);
  }

 private:
  std::pair<const Env*, std::string> key_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<FileLock>> Env::LockFile(const std::string& path) {
  auto f = NewAppendableFile(path);
  if (!f.ok()) return f.status();
  (void)(*f)->Close();
  std::lock_guard<std::mutex> l(g_locks_mu);
  if (!Locks().emplace(this, path).second) {
    return absl::FailedPreconditionError(absl::StrCat("lock ", path, ": held by another user of the directory"));
  }
  return std::unique_ptr<FileLock>(new InProcessLock(this, path));
}

}  // namespace pharos::disk
