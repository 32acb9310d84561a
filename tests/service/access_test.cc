// ApiKeys: the key file format and its errors, and the Authorization header
// forms that are accepted and refused.
#include "access.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "test_util.h"

namespace pactum::service {
namespace {

using testutil::TempPath;
using testutil::WriteFile;

// SHA-256 of "test" and of "secret-key-2".
constexpr const char* kTestDigest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
constexpr const char* kTestDigestUpper = "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08";
constexpr const char* kSecondDigest = "94d34471aab4552c315d1b13f9259af333b99494c47c15999230f576b8478aba";

ApiKeys MustParse(const std::string& text) {
  Result<ApiKeys> keys = ApiKeys::Parse(text, "keys.txt");
  EXPECT_TRUE(keys.ok()) << keys.error().ToString();
  return std::move(keys).value();
}

// The error message of parsing `text`, which must fail with bad_request.
std::string ParseError(const std::string& text) {
  Result<ApiKeys> keys = ApiKeys::Parse(text, "keys.txt");
  if (keys.ok()) {
    ADD_FAILURE() << "parsed: " << text;
    return "";
  }
  EXPECT_EQ(keys.error().code, ErrorCode::kBadRequest);
  return keys.error().message;
}

TEST(ApiKeysTest, LoadsDigestsLabelsCommentsAndBlankLines) {
  const std::string path = TempPath("keys.txt");
  WriteFile(path, std::string("# pactum API keys\n"
                              "\n") +
                      kTestDigest + " archive-system\n" +
                      "   # an indented comment\n"
                      "\t\n" +
                      kSecondDigest + "\n");
  Result<ApiKeys> keys = ApiKeys::Load(path);
  ASSERT_TRUE(keys.ok()) << keys.error().ToString();
  EXPECT_EQ(keys->size(), 2u);
  EXPECT_EQ(keys->Authenticate("Bearer test"), "archive-system");
  EXPECT_EQ(keys->Authenticate("Bearer secret-key-2"), "94d34471aab4");  // no label: the digest's start
}

TEST(ApiKeysTest, HexDigestsAreCaseInsensitive) {
  ApiKeys keys = MustParse(std::string(kTestDigestUpper) + "\n");
  EXPECT_EQ(keys.Authenticate("Bearer test"), "9f86d081884c");  // default label lowercased
  EXPECT_EQ(ParseError(std::string(kTestDigest) + "\n" + kTestDigestUpper + "\n"),
            "API key file keys.txt, line 2: the digest is already listed on line 1");
}

TEST(ApiKeysTest, CrlfTabsAndSurroundingBlanksAreAccepted) {
  ApiKeys keys = MustParse(std::string("  ") + kTestDigest + "\t\tlabel-1  \r\n" + kSecondDigest + "\r\n");
  EXPECT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys.Authenticate("Bearer test"), "label-1");
  EXPECT_EQ(keys.Authenticate("Bearer secret-key-2"), "94d34471aab4");
}

TEST(ApiKeysTest, LastLineWithoutNewline) {
  ApiKeys keys = MustParse(std::string("# x\n") + kTestDigest + " last");
  EXPECT_EQ(keys.Authenticate("Bearer test"), "last");
}

TEST(ApiKeysTest, MalformedLinesNameTheLineNumber) {
  const std::string d = kTestDigest;
  EXPECT_EQ(ParseError("# c\n\n" + d.substr(1) + "\n"),
            "API key file keys.txt, line 3: expected a SHA-256 digest of 64 hex digits, found a word of 63 "
            "characters");
  EXPECT_EQ(ParseError(d + "0\n"),
            "API key file keys.txt, line 1: expected a SHA-256 digest of 64 hex digits, found a word of 65 "
            "characters");
  EXPECT_EQ(ParseError(d + "\n" + "g" + d.substr(1) + "\n"),
            "API key file keys.txt, line 2: the digest contains a character that is not a hex digit");
  EXPECT_EQ(ParseError(d + " two words\n"), "API key file keys.txt, line 1: more than one word after the digest");
  EXPECT_EQ(ParseError(d + " caf\xc3\xa9\n"),
            "API key file keys.txt, line 1: the label contains a character that is not printable ASCII");
  EXPECT_EQ(ParseError(d + " " + std::string(ApiKeys::kMaxLabelLength + 1, 'x') + "\n"),
            "API key file keys.txt, line 1: the label is longer than 64 characters");
  EXPECT_TRUE(ApiKeys::Parse(d + " " + std::string(ApiKeys::kMaxLabelLength, 'x'), "k").ok());
  // A bare key (not its digest) is refused, and the message does not repeat it.
  const std::string message = ParseError("my-secret-api-key\n");
  EXPECT_NE(message.find("line 1"), std::string::npos);
  EXPECT_EQ(message.find("my-secret-api-key"), std::string::npos) << message;
}

TEST(ApiKeysTest, AFileWithoutKeysIsAnError) {
  EXPECT_EQ(ParseError(""), "API key file keys.txt: no key (one SHA-256 hex digest per line expected)");
  EXPECT_EQ(ParseError("# only a comment\n\n"),
            "API key file keys.txt: no key (one SHA-256 hex digest per line expected)");
}

TEST(ApiKeysTest, UnreadableOrHugeFileIsAnError) {
  Result<ApiKeys> missing = ApiKeys::Load(TempPath("does-not-exist"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kBadRequest);
  EXPECT_NE(missing.error().message.find("does-not-exist"), std::string::npos);

  const std::string huge = TempPath("huge.txt");
  WriteFile(huge, std::string(kTestDigest) + "\n" + std::string((1u << 20) + 1, '#'));
  Result<ApiKeys> too_big = ApiKeys::Load(huge);
  ASSERT_FALSE(too_big.ok());
  EXPECT_NE(too_big.error().message.find("larger than"), std::string::npos) << too_big.error().message;
}

TEST(ApiKeysTest, LoadErrorsNameThePath) {
  const std::string path = TempPath("bad.txt");
  WriteFile(path, "not-a-digest\n");
  Result<ApiKeys> keys = ApiKeys::Load(path);
  ASSERT_FALSE(keys.ok());
  EXPECT_EQ(keys.error().message,
            "API key file " + path +
                ", line 1: expected a SHA-256 digest of 64 hex digits, found a word of 12 characters");
}

TEST(ApiKeysTest, BearerWithTheRightKeyIsAccepted) {
  ApiKeys keys = MustParse(std::string(kTestDigest) + " ci\n" + kSecondDigest + " other\n");
  EXPECT_EQ(keys.Authenticate("Bearer test"), "ci");
  EXPECT_EQ(keys.Authenticate("bearer test"), "ci");        // the scheme is case-insensitive
  EXPECT_EQ(keys.Authenticate("BEARER test"), "ci");
  EXPECT_EQ(keys.Authenticate("Bearer    test"), "ci");     // 1*SP
  EXPECT_EQ(keys.Authenticate("  Bearer test \t"), "ci");   // surrounding whitespace
  EXPECT_EQ(keys.Authenticate("Bearer secret-key-2"), "other");
}

TEST(ApiKeysTest, EverythingElseIsRefused) {
  ApiKeys keys = MustParse(std::string(kTestDigest) + " ci\n");
  EXPECT_EQ(keys.Authenticate(""), std::nullopt);                     // missing
  EXPECT_EQ(keys.Authenticate("   "), std::nullopt);
  EXPECT_EQ(keys.Authenticate("test"), std::nullopt);                 // no scheme
  EXPECT_EQ(keys.Authenticate("Bearer"), std::nullopt);               // no key
  EXPECT_EQ(keys.Authenticate("Bearer "), std::nullopt);
  EXPECT_EQ(keys.Authenticate("Bearertest"), std::nullopt);
  EXPECT_EQ(keys.Authenticate("Basic test"), std::nullopt);           // wrong scheme
  EXPECT_EQ(keys.Authenticate("Basic dGVzdDp0ZXN0"), std::nullopt);
  EXPECT_EQ(keys.Authenticate("Token test"), std::nullopt);
  EXPECT_EQ(keys.Authenticate("Bearer wrong"), std::nullopt);         // wrong key
  EXPECT_EQ(keys.Authenticate("Bearer TEST"), std::nullopt);          // keys are case-sensitive
  EXPECT_EQ(keys.Authenticate("Bearer tes"), std::nullopt);
  EXPECT_EQ(keys.Authenticate("Bearer test2"), std::nullopt);
  EXPECT_EQ(keys.Authenticate("Bearer test extra"), std::nullopt);    // one key only
  EXPECT_EQ(keys.Authenticate("Bearer\ttest"), std::nullopt);         // SP only between
  EXPECT_EQ(keys.Authenticate("Bearer te\tst"), std::nullopt);
  EXPECT_EQ(keys.Authenticate(std::string("Bearer test\0", 12)), std::nullopt);
  EXPECT_EQ(keys.Authenticate("Bearer Bearer test"), std::nullopt);
  EXPECT_EQ(keys.Authenticate(std::string("Bearer ") + kTestDigest), std::nullopt);  // the digest is no key
}

}  // namespace
}  // namespace pactum::service
