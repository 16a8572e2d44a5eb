#include "disk/fault_env.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace pharos::disk {

struct FaultEnv::File {
  std::string data;    // what the OS holds
  std::string synced;  // what survives a crash
};

namespace {

std::string Parent(const std::string& p) {
  size_t i = p.rfind('/');
  if (i == std::string::npos) return "";
  if (i == 0) return "/";
  return p.substr(0, i);
}

bool Under(const std::string& path, const std::string& dir) {
  if (dir == "/") return !path.empty() && path[0] == '/' && path != "/";
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/';
}

class StringFile final : public ReadOnlyFile {
 public:
  explicit StringFile(std::string d) : d_(std::move(d)) {}
  std::string_view Data() const override { return d_; }

 private:
  std::string d_;
};

}  // namespace

class FaultEnv::Writable final : public WritableFile {
 public:
  Writable(FaultEnv* env, std::string path, std::shared_ptr<File> f, uint64_t gen)
      : env_(env), path_(std::move(path)), f_(std::move(f)), gen_(gen) {}

  absl::Status Append(std::string_view data) override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    if (closed_ || gen_ != env_->generation_) return absl::FailedPreconditionError(absl::StrCat("append to dead file ", path_));
    uint64_t used = env_->UsedLocked();
    uint64_t room = used >= env_->space_limit_ ? 0 : env_->space_limit_ - used;
    if (data.size() > room) {
      f_->data.append(data.substr(0, room));
      return absl::UnavailableError(absl::StrCat("write ", path_, ": No space left on device"));
    }
    f_->data.append(data);
    return absl::OkStatus();
  }
  absl::Status Flush() override { return absl::OkStatus(); }
  absl::Status Sync() override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    if (closed_ || gen_ != env_->generation_) return absl::FailedPreconditionError(absl::StrCat("sync of dead file ", path_));
    if (env_->fail_syncs_) return absl::InternalError(absl::StrCat("fdatasync ", path_, ": Input/output error"));
    f_->synced = f_->data;
    env_->syncs_.fetch_add(1);
    return absl::OkStatus();
  }
  absl::Status Close() override {
    closed_ = true;
    return absl::OkStatus();
  }
  uint64_t Size() const override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    return f_->data.size();
  }

 private:
  FaultEnv* env_;
  std::string path_;
  std::shared_ptr<File> f_;
  uint64_t gen_;
  bool closed_ = false;
};

FaultEnv::FaultEnv() { dirs_.insert("/"); }
FaultEnv::~FaultEnv() = default;

std::string FaultEnv::Clean(const std::string& path) {
  std::string out;
  out.reserve(path.size());
  for (char c : path) {
    if (c == '/' && !out.empty() && out.back() == '/') continue;
    out.push_back(c);
  }
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  // "a/./b" → "a/b"
  for (size_t i; (i = out.find("/./")) != std::string::npos;) out.erase(i, 2);
  if (out.size() > 2 && out.compare(out.size() - 2, 2, "/.") == 0) out.resize(out.size() - 2);
  return out;
}

uint64_t FaultEnv::UsedLocked() const {
  uint64_t n = 0;
  for (const auto& [p, f] : files_) n += f->data.size();
  return n;
}

absl::StatusOr<std::unique_ptr<WritableFile>> FaultEnv::Open(const std::string& raw, bool truncate) {
  std::string path = Clean(raw);
  std::lock_guard<std::mutex> lock(mu_);
  std::string parent = Parent(path);
  if (!parent.empty() && !dirs_.contains(parent)) return absl::NotFoundError(absl::StrCat("open ", path, ": No such file or directory"));
  if (dirs_.contains(path)) return absl::InternalError(absl::StrCat("open ", path, ": Is a directory"));
  auto& f = files_[path];
  if (!f) f = std::make_shared<File>();
  if (truncate) f->data.clear();
  return std::unique_ptr<WritableFile>(new Writable(this, path, f, generation_));
}

absl::StatusOr<std::unique_ptr<WritableFile>> FaultEnv::NewWritableFile(const std::string& path) {
  return Open(path, true);
}
absl::StatusOr<std::unique_ptr<WritableFile>> FaultEnv::NewAppendableFile(const std::string& path) {
  return Open(path, false);
}

absl::StatusOr<std::unique_ptr<ReadOnlyFile>> FaultEnv::OpenReadOnly(const std::string& path) {
  auto d = ReadFile(path);
  if (!d.ok()) return d.status();
  return std::unique_ptr<ReadOnlyFile>(new StringFile(std::move(*d)));
}

absl::StatusOr<std::string> FaultEnv::ReadFile(const std::string& raw) {
  std::string path = Clean(raw);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return absl::NotFoundError(absl::StrCat("open ", path, ": No such file or directory"));
  return it->second->data;
}

bool FaultEnv::Exists(const std::string& raw) {
  std::string path = Clean(raw);
  std::lock_guard<std::mutex> lock(mu_);
  return files_.contains(path) || dirs_.contains(path);
}

absl::StatusOr<uint64_t> FaultEnv::FileSize(const std::string& raw) {
  std::string path = Clean(raw);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return absl::NotFoundError(absl::StrCat("stat ", path, ": No such file or directory"));
  return it->second->data.size();
}

absl::StatusOr<std::vector<std::string>> FaultEnv::ListDir(const std::string& raw) {
  std::string dir = Clean(raw);
  std::lock_guard<std::mutex> lock(mu_);
  if (!dirs_.contains(dir)) return absl::NotFoundError(absl::StrCat("opendir ", dir, ": No such file or directory"));
  std::vector<std::string> names;
  auto child = [&](const std::string& p) {
    if (Parent(p) == dir) names.push_back(p.substr(p.rfind('/') + 1));
  };
  for (const auto& [p, f] : files_) child(p);
  for (const auto& d : dirs_) {
    if (d != dir) child(d);
  }
  std::sort(names.begin(), names.end());
  return names;
}

absl::Status FaultEnv::CreateDirs(const std::string& raw) {
  std::string dir = Clean(raw);
  std::lock_guard<std::mutex> lock(mu_);
  for (std::string d = dir; !d.empty() && d != "/"; d = Parent(d)) {
    if (files_.contains(d)) return absl::InternalError(absl::StrCat("mkdir ", d, ": File exists"));
    dirs_.insert(d);
  }
  return absl::OkStatus();
}

absl::Status FaultEnv::RemoveFile(const std::string& raw) {
  std::string path = Clean(raw);
  std::lock_guard<std::mutex> lock(mu_);
  if (files_.erase(path) == 0) return absl::NotFoundError(absl::StrCat("unlink ", path, ": No such file or directory"));
  return absl::OkStatus();
}

absl::Status FaultEnv::RemoveAll(const std::string& raw) {
  std::string path = Clean(raw);
  std::lock_guard<std::mutex> lock(mu_);
  files_.erase(path);
  dirs_.erase(path);
  std::erase_if(files_, [&](const auto& kv) { return Under(kv.first, path); });
  std::erase_if(dirs_, [&](const std::string& d) { return Under(d, path); });
  return absl::OkStatus();
}

absl::Status FaultEnv::Rename(const std::string& rfrom, const std::string& rto) {
  std::string from = Clean(rfrom), to = Clean(rto);
  std::lock_guard<std::mutex> lock(mu_);
  std::string parent = Parent(to);
  if (!parent.empty() && !dirs_.contains(parent)) return absl::NotFoundError(absl::StrCat("rename ", from, " to ", to, ": No such file or directory"));
  if (auto it = files_.find(from); it != files_.end()) {
    if (dirs_.contains(to)) return absl::InternalError(absl::StrCat("rename ", from, " to ", to, ": Is a directory"));
    auto f = it->second;
    files_.erase(it);
    files_[to] = std::move(f);
    return absl::OkStatus();
  }
  if (!dirs_.contains(from)) return absl::NotFoundError(absl::StrCat("rename ", from, " to ", to, ": No such file or directory"));
  if (files_.contains(to)) return absl::InternalError(absl::StrCat("rename ", from, " to ", to, ": Not a directory"));
  // Directory rename: the target must be missing or empty.
  for (const auto& [p, f] : files_) {
    if (Under(p, to)) return absl::InternalError(absl::StrCat("rename ", from, " to ", to, ": Directory not empty"));
  }
  std::map<std::string, std::shared_ptr<File>> moved;
  for (auto it = files_.begin(); it != files_.end();) {
    if (Under(it->first, from)) {
      moved[to + it->first.substr(from.size())] = it->second;
      it = files_.erase(it);
    } else {
      ++it;
    }
  }
  files_.merge(moved);
  std::set<std::string> mdirs;
  for (auto it = dirs_.begin(); it != dirs_.end();) {
    if (*it == from || Under(*it, from)) {
      mdirs.insert(to + it->substr(from.size()));
      it = dirs_.erase(it);
    } else {
      ++it;
    }
  }
  dirs_.merge(mdirs);
  return absl::OkStatus();
}

absl::Status FaultEnv::Truncate(const std::string& raw, uint64_t size) {
  std::string path = Clean(raw);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return absl::NotFoundError(absl::StrCat("truncate ", path, ": No such file or directory"));
  it->second->data.resize(size, '\0');
  // A truncation is a metadata change; treat the shorter length as durable.
  if (it->second->synced.size() > size) it->second->synced.resize(size);
  return absl::OkStatus();
}

absl::Status FaultEnv::SyncDir(const std::string& raw) {
  std::string dir = Clean(raw);
  std::lock_guard<std::mutex> lock(mu_);
  if (!dirs_.contains(dir)) return absl::NotFoundError(absl::StrCat("open ", dir, ": No such file or directory"));
  if (fail_syncs_) return absl::InternalError(absl::StrCat("fsync ", dir, ": Input/output error"));
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> FaultEnv::DirSize(const std::string& raw) {
  std::string dir = Clean(raw);
  std::lock_guard<std::mutex> lock(mu_);
  if (!dirs_.contains(dir)) return absl::NotFoundError(absl::StrCat("walk ", dir, ": No such file or directory"));
  uint64_t n = 0;
  for (const auto& [p, f] : files_) {
    if (Under(p, dir)) n += f->data.size();
  }
  return n;
}

void FaultEnv::SimulateCrash() {
  std::lock_guard<std::mutex> lock(mu_);
  ++generation_;
  for (auto& [p, f] : files_) f->data = f->synced;
}

void FaultEnv::SetSpaceLimit(uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  space_limit_ = bytes;
}

void FaultEnv::LimitToUsedPlus(uint64_t extra) {
  std::lock_guard<std::mutex> lock(mu_);
  space_limit_ = UsedLocked() + extra;
}

void FaultEnv::FailSyncs(bool fail) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_syncs_ = fail;
}

absl::StatusOr<std::string> FaultEnv::Contents(const std::string& path) { return ReadFile(path); }

void FaultEnv::SetContents(const std::string& raw, std::string data) {
  std::string path = Clean(raw);
  std::lock_guard<std::mutex> lock(mu_);
  auto& f = files_[path];
  if (!f) f = std::make_shared<File>();
  f->data = data;
  f->synced = std::move(data);
}

uint64_t FaultEnv::UsedBytes() {
  std::lock_guard<std::mutex> lock(mu_);
  return UsedLocked();
}

}  // namespace pharos::disk
