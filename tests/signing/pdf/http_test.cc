// /v1/verify, /v1/sign and the record's signatures through a real server on
// loopback, configured as an operator would: trust anchors and a signing key.
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "pactum/service/server.h"
#include "test_util.h"

namespace pactum::signing::testing {
namespace {

using json = nlohmann::json;

class SigningServer : public ::testing::Test {
 protected:
  void Start(bool with_key) {
    service::ServerOptions o;
    o.port = 0;
    o.workers = 2;
    o.worker.binary = PACTUM_BINARY;
    o.trust.anchor_files = {Pki("root.pem"), Sample("trust-root-ca.pem")};
    if (with_key) {
      SigningConfig key;
      key.p12_file = Pki("rsa2048.p12");
      key.p12_password = ReadFileOrDie(Pki("rsa2048.p12.pass"));
      o.sign_key = key;
    }
    server_ = std::make_unique<service::Server>(o);
    auto port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.error().ToString();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", *port);
    client_->set_read_timeout(60, 0);
  }
  void TearDown() override {
    client_.reset();
    if (server_) server_->Stop();
  }
  httplib::Result Post(const std::string& target, const std::string& body) {
    return client_->Post(target.c_str(), body, "application/octet-stream");
  }
  std::unique_ptr<service::Server> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(SigningServer, VerifiesTheSharedSamplesAsTheManifestSays) {
  Start(false);
  std::ifstream in(Sample("manifest.json"));
  auto manifest = json::parse(in);
  for (const auto& f : manifest["files"]) {
    SCOPED_TRACE(f["file"].get<std::string>());
    auto r = Post("/v1/verify", ReadFile(Sample(f["file"])));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    auto j = json::parse(r->body);
    EXPECT_EQ(j["status"], f["expected_status"]);
    EXPECT_EQ(j["signatures"].size(), f["signatures"].size());
    EXPECT_EQ(j["id"], f["sha256"]);
  }
  // Multipart, the other upload form of the contract.
  httplib::MultipartFormDataItems items = {
      {"file", ReadFile(Sample("digest_mismatch.pdf")), "x.pdf", "application/pdf"}};
  auto r = client_->Post("/v1/verify", items);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  auto j = json::parse(r->body);
  EXPECT_EQ(j["status"], "invalid");
  EXPECT_EQ(j["signatures"][0]["integrity"], "failed");
  EXPECT_EQ(j["signatures"][0]["reasons"][0], "digest_mismatch");
}

TEST_F(SigningServer, ErrorsFollowTheContract) {
  Start(false);
  auto r = Post("/v1/verify", "GIF89a not a pdf");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 415);
  EXPECT_EQ(json::parse(r->body)["error"]["code"], "unsupported_media_type");
  r = Post("/v1/verify", "");
  EXPECT_EQ(r->status, 400);
  r = Post("/v1/verify?x=1", ReadFile(Sample("unsigned.pdf")));
  EXPECT_EQ(r->status, 400);
  r = Post("/v1/verify", "%PDF-1.7\ntruncated");
  EXPECT_EQ(r->status, 422);
  r = Post("/v1/sign", ReadFile(Sample("unsigned.pdf")));
  EXPECT_EQ(r->status, 400);  // no signing key configured
  EXPECT_NE(json::parse(r->body)["error"]["message"].get<std::string>().find("--sign-p12"), std::string::npos);
  r = client_->Get("/healthz");
  EXPECT_EQ(r->status, 200);
}

TEST_F(SigningServer, SignsAndTheResultVerifies) {
  Start(true);
  auto r = Post("/v1/sign?reason=Freigabe&location=Kassel&contact=a%40b.de&page=1&rect=72,650,272,700",
                ReadFile(Sample("unsigned.pdf")));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/pdf");
  auto v = Post("/v1/verify", r->body);
  ASSERT_EQ(v->status, 200);
  auto j = json::parse(v->body);
  EXPECT_EQ(j["status"], "valid") << v->body;
  EXPECT_EQ(j["signatures"][0]["sub_filter"], "ETSI.CAdES.detached");
  EXPECT_EQ(j["signatures"][0]["reason"], "Freigabe");
  EXPECT_EQ(j["signatures"][0]["location"], "Kassel");
  // The record of /v1/extract carries the same signature objects.
  auto e = Post("/v1/extract", r->body);
  ASSERT_EQ(e->status, 200);
  auto record = json::parse(e->body);
  ASSERT_EQ(record["signatures"].size(), 1u);
  EXPECT_EQ(record["signatures"][0]["status"], "valid");
  EXPECT_EQ(record["signatures"][0]["field"], j["signatures"][0]["field"]);
  // Signing the signed file again adds a second, both valid.
  auto twice = Post("/v1/sign?field=Landrat", r->body);
  ASSERT_EQ(twice->status, 200) << twice->body;
  auto v2 = json::parse(Post("/v1/verify", twice->body)->body);
  EXPECT_EQ(v2["status"], "valid");
  EXPECT_EQ(v2["signatures"].size(), 2u);
  EXPECT_EQ(v2["signatures"][1]["field"], "Landrat");
  // Bad requests.
  EXPECT_EQ(Post("/v1/sign?field=Landrat", twice->body)->status, 400);
  EXPECT_EQ(Post("/v1/sign?rect=1,2,3", r->body)->status, 400);
  EXPECT_EQ(Post("/v1/sign?page=2&rect=1,2,30,40", r->body)->status, 400);
  EXPECT_EQ(Post("/v1/sign?colour=red", r->body)->status, 400);
  EXPECT_EQ(Post("/v1/sign", "\x89PNG\r\n\x1a\n")->status, 415);
  EXPECT_EQ(Post("/v1/sign", ReadFile(Sample("unsigned.pdf")).substr(0, 900))->status, 422);
}

TEST_F(SigningServer, AnAttackedFileIsInvalidOverHttp) {
  Start(true);
  auto r = Post("/v1/sign", ReadFile(Sample("unsigned.pdf")));
  ASSERT_EQ(r->status, 200);
  QPDF q;
  q.processMemoryFile("x", r->body.data(), r->body.size());
  const int contents = QPDFObjectHandle(q.getAllPages()[0]).getKey("/Contents").getObjGen().getObj();
  std::string attacked = AppendUpdate(r->body, {{contents, Stream("", "BT /F1 20 Tf 72 600 Td (9.999.999 Euro) Tj ET")}});
  auto v = Post("/v1/verify", attacked);
  ASSERT_EQ(v->status, 200);
  auto j = json::parse(v->body);
  EXPECT_EQ(j["status"], "invalid");
  EXPECT_EQ(j["signatures"][0]["modified_after_signing"], true);
}

}  // namespace
}  // namespace pactum::signing::testing
