#include "tsdb/block/chunk_files.h"

#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "block_testing.h"
#include "tsdb/chunkenc/coding.h"

namespace pharos::tsdb::block {
namespace {

using tsdb::testing::ScratchDir;

std::string RandomChunk(std::mt19937_64* rng, size_t i) {
  // Compressible but distinct: a counter-like byte pattern with noise.
  std::string s(100 + (*rng)() % 3000, '\0');
  for (size_t j = 0; j < s.size(); ++j) s[j] = static_cast<char>((j * i) % 7 + ((*rng)() % 4 == 0 ? (*rng)() % 256 : 0));
  return s;
}

TEST(ChunkFiles, FramesAcrossSegmentsReadBackAndCacheIsBounded) {
  ScratchDir dir;
  disk::Env* env = disk::PosixEnv();
  std::mt19937_64 rng(3);
  std::vector<std::string> chunks;
  std::vector<ChunkRef> refs;
  {
    ChunkWriter w(env, dir.path(), /*segment_bytes=*/2 << 20);
    for (size_t i = 0; i < 3000; ++i) {
      chunks.push_back(RandomChunk(&rng, i));
      auto enc = i % 3 == 0 ? chunkenc::Encoding::kXor : chunkenc::Encoding::kColumn;
      auto ref = w.Write(enc, chunks.back());
      ASSERT_TRUE(ref.ok()) << ref.status();
      refs.push_back(*ref);
    }
    ASSERT_TRUE(w.Finish().ok());
  }
  auto r = ChunkReader::Open(env, dir.path());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_GT((*r)->NumSegments(), 1u);
  // Forwards, backwards and from two threads at once (frames evicted and
  // decompressed again: 3000 chunks are over the cache).
  auto check = [&](size_t i) {
    auto c = (*r)->Chunk(refs[i]);
    ASSERT_TRUE(c.ok()) << c.status();
    EXPECT_EQ(c->bytes, chunks[i]);
    EXPECT_EQ(c->encoding, i % 3 == 0 ? chunkenc::Encoding::kXor : chunkenc::Encoding::kColumn);
  };
  for (size_t i = 0; i < refs.size(); ++i) check(i);
  std::thread t([&] {
    for (size_t i = refs.size(); i-- > 0;) check(i);
  });
  for (size_t i = 0; i < refs.size(); i += 7) check(i);
  t.join();
  EXPECT_FALSE((*r)->Chunk(refs.back() + 100000).ok());
  EXPECT_FALSE((*r)->Chunk(0).ok());
}

TEST(ChunkFiles, ReadsVersionOneSegments) {
  ScratchDir dir;
  disk::Env* env = disk::PosixEnv();
  std::string seg;
  chunkenc::PutBE32(&seg, kChunkFileMagic);
  seg.append("\x01\0\0\0", 4);
  uint64_t off = seg.size();
  std::string body = "\x01hello";  // encoding byte, then the chunk
  chunkenc::PutUvarint(&seg, 5);
  seg += body;
  chunkenc::PutBE32(&seg, chunkenc::Crc32c(body));
  auto f = env->NewWritableFile(dir.path() + "/000001");
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append(seg).ok());
  ASSERT_TRUE((*f)->Close().ok());
  auto r = ChunkReader::Open(env, dir.path());
  ASSERT_TRUE(r.ok()) << r.status();
  auto c = (*r)->Chunk((uint64_t{1} << 32) | off);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->bytes, "hello");
  EXPECT_EQ(c->encoding, chunkenc::Encoding::kXor);
}

}  // namespace
}  // namespace pharos::tsdb::block
