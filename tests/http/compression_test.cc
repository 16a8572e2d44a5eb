#include <gtest/gtest.h>

#include "http/compression.h"

namespace pharos::http {
namespace {

TEST(Compression, ChoosesTheFirstSupportedEncodingListed) {
  EXPECT_EQ(ChooseEncoding("gzip, deflate, br"), Encoding::kGzip);
  EXPECT_EQ(ChooseEncoding("br, deflate;q=0.5, gzip"), Encoding::kDeflate);
  EXPECT_EQ(ChooseEncoding("identity"), Encoding::kIdentity);
  EXPECT_EQ(ChooseEncoding(""), Encoding::kIdentity);
  EXPECT_EQ(ChooseEncoding(" gzip;q=1.0"), Encoding::kGzip);
}

TEST(Compression, RoundTripsBothEncodings) {
  std::string in;
  for (int i = 0; i < 1000; ++i) in += "{\"__name__\":\"up\",\"job\":\"node\"},";
  for (Encoding e : {Encoding::kGzip, Encoding::kDeflate}) {
    std::string z, back;
    ASSERT_TRUE(Compress(e, in, 1, &z).ok());
    EXPECT_LT(z.size(), in.size() / 10);
    ASSERT_TRUE(Decompress(e, z, in.size(), &back).ok());
    EXPECT_EQ(back, in);
    // One byte under the size: refused, not truncated.
    auto st = Decompress(e, z, in.size() - 1, &back);
    EXPECT_EQ(st.code(), absl::StatusCode::kResourceExhausted) << st;
    // Corrupt and truncated input.
    EXPECT_EQ(Decompress(e, z.substr(0, z.size() / 2), 1 << 20, &back).code(), absl::StatusCode::kInvalidArgument);
    std::string bad = z;
    bad[bad.size() / 2] ^= 0x55;
    bad[2] ^= 0x55;
    EXPECT_FALSE(Decompress(e, bad, 1 << 20, &back).ok());
  }
  std::string z;
  ASSERT_TRUE(Compress(Encoding::kGzip, "x", 1, &z).ok());
  EXPECT_EQ(static_cast<unsigned char>(z[0]), 0x1f);  // gzip magic
  EXPECT_EQ(static_cast<unsigned char>(z[1]), 0x8b);
}

}  // namespace
}  // namespace pharos::http
