#include "tsdb/block/chunk_files.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "tsdb/chunkenc/coding.h"

namespace pharos::tsdb::block {

using chunkenc::Crc32c;

std::string SegmentFileName(uint32_t seq) { return absl::StrFormat("%06u", seq); }

absl::Status ChunkWriter::Cut() {
  if (file_ != nullptr) {
    RETURN_IF_ERROR(file_->Sync());
    RETURN_IF_ERROR(file_->Close());
  }
  ++seq_;
  ASSIGN_OR_RETURN(file_, env_->NewWritableFile(absl::StrCat(dir_, "/", SegmentFileName(seq_))));
  std::string header;
  chunkenc::PutBE32(&header, kChunkFileMagic);
  header.push_back(1);  // version
  header.append(3, '\0');
  RETURN_IF_ERROR(file_->Append(header));
  total_ += header.size();
  return absl::OkStatus();
}

absl::StatusOr<ChunkRef> ChunkWriter::Write(chunkenc::Encoding enc, std::string_view bytes) {
  buf_.clear();
  chunkenc::PutUvarint(&buf_, bytes.size());
  size_t body = buf_.size();
  buf_.push_back(static_cast<char>(enc));
  buf_.append(bytes);
  chunkenc::PutBE32(&buf_, Crc32c(std::string_view(buf_).substr(body)));
  if (file_ == nullptr || (file_->Size() + buf_.size() > segment_bytes_ && file_->Size() > kChunkFileHeaderSize)) {
    RETURN_IF_ERROR(Cut());
  }
  uint64_t off = file_->Size();
  if (off + buf_.size() > UINT32_MAX) return absl::ResourceExhaustedError("chunk segment over 4 GiB");
  RETURN_IF_ERROR(file_->Append(buf_));
  total_ += buf_.size();
  return (uint64_t{seq_} << 32) | off;
}

absl::Status ChunkWriter::Finish() {
  if (file_ == nullptr) return absl::OkStatus();
  RETURN_IF_ERROR(file_->Sync());
  RETURN_IF_ERROR(file_->Close());
  file_.reset();
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<ChunkReader>> ChunkReader::Open(disk::Env* env, const std::string& dir) {
  auto r = std::unique_ptr<ChunkReader>(new ChunkReader());
  r->dir_ = dir;
  ASSIGN_OR_RETURN(auto names, env->ListDir(dir));
  // Segments must be exactly 000001..00000N.
  uint32_t want = 1;
  for (const auto& n : names) {
    if (n != SegmentFileName(want)) {
      return absl::DataLossError(absl::StrCat(dir, ": unexpected file \"", n, "\" (want ", SegmentFileName(want), ")"));
    }
    std::string path = absl::StrCat(dir, "/", n);
    ASSIGN_OR_RETURN(auto f, env->OpenReadOnly(path));
    std::string_view d = f->Data();
    if (d.size() < kChunkFileHeaderSize || chunkenc::ReadBE32(d.data()) != kChunkFileMagic || d[4] != 1) {
      return absl::DataLossError(absl::StrCat(path, ": bad chunk file header at offset 0"));
    }
    r->files_.push_back(std::move(f));
    ++want;
  }
  return r;
}

absl::StatusOr<std::string_view> ChunkReader::Chunk(ChunkRef ref) const {
  auto seq = static_cast<uint32_t>(ref >> 32);
  auto off = static_cast<uint32_t>(ref);
  auto where = [&](std::string_view what) {
    return absl::DataLossError(
        absl::StrCat(dir_, "/", SegmentFileName(seq), ": ", AV(what), " at offset ", off));
  };
  if (seq == 0 || seq > files_.size()) return where("chunk ref to a missing segment");
  std::string_view d = files_[seq - 1]->Data();
  if (off < kChunkFileHeaderSize || off >= d.size()) return where("chunk ref out of bounds");
  chunkenc::Decoder dec(d.substr(off));
  uint64_t len;
  uint8_t enc;
  std::string_view body;
  uint32_t crc;
  size_t start = 0;
  if (!dec.GetUvarint(&len)) return where("truncated chunk length");
  start = dec.pos();
  if (len > dec.remaining() || !dec.GetByte(&enc) || !dec.GetBytes(static_cast<size_t>(len), &body) ||
      !dec.GetBE32(&crc)) {
    return where("truncated chunk");
  }
  if (Crc32c(d.substr(off + start, 1 + len)) != crc) return where("chunk checksum mismatch");
  if (enc != static_cast<uint8_t>(chunkenc::Encoding::kXor)) return where("unknown chunk encoding");
  return body;
}

}  // namespace pharos::tsdb::block
