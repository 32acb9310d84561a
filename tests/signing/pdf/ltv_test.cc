// PAdES B-LT / B-LTA and long-term validation (issue 12, parts 3 and 4), end
// to end with real components: a local RFC 3161 TSA (tsa_server.py), an OCSP
// responder (`openssl ocsp -index ... -port`), the test PKI's short-lived
// signers (30 days), Poppler's pdfsig, the pactum binary under faketime
// (the clock moved years past the signer's expiry), and the HTTP service.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "pactum/service/server.h"
#include "test_util.h"

namespace pactum::signing::testing {
namespace {

using json = nlohmann::json;
using std::chrono::hours;

// Runs `cmd` with sh; its stdout (and stderr, unless `with_stderr` is false).
// Anchors root.pem, plus CRL files of the PKI (or absolute paths).
std::shared_ptr<const TrustContext> TrustWith(const std::vector<std::string>& crls) {
  std::vector<std::string> paths;
  for (const std::string& c : crls) paths.push_back(c.front() == '/' ? c : Pki(c));
  return Trust(paths);
}

// The validation data B-LT takes from the configuration: both CRLs.
std::shared_ptr<const TrustContext> Crls() { return TrustWith({"intermediate.crl.pem", "root.crl.pem"}); }

SignOptions Options(const std::string& signer, const TsaProcess& tsa, std::optional<PadesLevel> level) {
  SignOptions o;
  o.key = Key(signer);
  o.tsa_url = tsa.url();
  o.level = level;
  o.trust = Crls();
  return o;
}

const SignatureReport* Find(const VerifyReport& r, SignatureType type) {
  for (const auto& s : r.signatures) {
    if (s.type == type) return &s;
  }
  return nullptr;
}

// `pactum verify FILE --trust-anchors root.pem` with the clock at `when`
// (faketime: the process sees that time, advancing from there).
json VerifyAt(const std::string& pdf, std::chrono::sys_seconds when) {
  const std::string path = TempDir() + "/doc.pdf";
  WriteFile(path, pdf);
  const std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
  int st = 0;
  // faketime preloads its library ahead of everything; a sanitizer build
  // must be told that this is fine (ASan wants its runtime first).
  const std::string out = Shell("ASAN_OPTIONS=verify_asan_link_order=0${ASAN_OPTIONS:+:$ASAN_OPTIONS} TZ=UTC faketime '" +
                                    std::string(stamp) + "' " + PACTUM_BINARY + " verify " + path +
                                    " --trust-anchors " + Pki("root.pem"),
                                &st, false);
  EXPECT_EQ(st, 0) << "faketime (Debian package faketime) or pactum failed: " << out;
  json j = json::parse(out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << out;
  return j;
}

// The certificate of the PKI file `name`.
internal::X509Ptr Cert(const std::string& name) { return ReadPemCert(Pki(name)); }

std::chrono::sys_seconds NotAfter(const std::string& cert) {
  internal::X509Ptr x = Cert(cert);
  EXPECT_TRUE(x);
  return x ? internal::Asn1TimeToSys(X509_get0_notAfter(x.get())).value_or(std::chrono::sys_seconds{})
           : std::chrono::sys_seconds{};
}

// Five years on: the short-lived signers (30 days) have expired, the TSA
// and intermediate (10 years) have not.
std::chrono::sys_seconds FiveYearsOn() { return Now() + hours(24 * 365 * 5); }

// The intermediate's CRL, made now, revoking `cert` (a PKI file) at `revoked`.
std::string CrlRevoking(const std::string& cert, std::chrono::sys_seconds revoked) {
  internal::X509Ptr x = Cert(cert);
  internal::X509Ptr issuer = Cert("intermediate.pem");
  internal::EvpPkeyPtr key = ReadPemKey(Pki("intermediate.key"));
  EXPECT_TRUE(x && issuer && key);
  const auto asn1 = [](std::chrono::sys_seconds t) {
    return internal::OpenSslPtr<ASN1_TIME, ASN1_TIME_free>(
        ASN1_TIME_set(nullptr, std::chrono::system_clock::to_time_t(t)));
  };
  internal::X509CrlPtr crl(X509_CRL_new());
  X509_CRL_set_version(crl.get(), 1);
  X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.get()));
  X509_CRL_set1_lastUpdate(crl.get(), asn1(Now()).get());
  X509_CRL_set1_nextUpdate(crl.get(), asn1(Now() + hours(24 * 365 * 8)).get());
  X509_REVOKED* entry = X509_REVOKED_new();
  X509_REVOKED_set_serialNumber(entry, X509_get_serialNumber(x.get()));
  X509_REVOKED_set_revocationDate(entry, asn1(revoked).get());
  X509_CRL_add0_revoked(crl.get(), entry);
  X509_CRL_sort(crl.get());
  EXPECT_GT(X509_CRL_sign(crl.get(), key.get(), EVP_sha256()), 0);
  const std::string path = TempDir() + "/revoking.crl.pem";
  internal::BioPtr out(BIO_new_file(path.c_str(), "w"));
  EXPECT_EQ(PEM_write_bio_X509_CRL(out.get(), crl.get()), 1);
  return path;
}

// `openssl ocsp -index` answering for the intermediate's certificates on a
// free loopback port; stopped by the destructor.
class OcspResponder {
 public:
  OcspResponder() {
    // A free port: bind to 0, read it back, release it for openssl.
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ADD_FAILURE() << "no free port";
    }
    port_ = ntohs(addr.sin_port);
    close(fd);
    const std::string port = std::to_string(port_), index = Pki("intermediate.index.txt"),
                      ca = Pki("intermediate.pem"), key = Pki("intermediate.key");
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      const int null = open("/dev/null", O_WRONLY);
      dup2(null, STDOUT_FILENO);
      dup2(null, STDERR_FILENO);
      execlp("openssl", "openssl", "ocsp", "-index", index.c_str(), "-port", port.c_str(), "-rsigner", ca.c_str(),
             "-rkey", key.c_str(), "-CA", ca.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    // Ready when the port listens. (Not probed with a connection: `openssl
    // ocsp` 3.0 stops serving after a connection that sends nothing.)
    for (int i = 0; i < 100; ++i) {
      if (Listening()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "openssl ocsp did not start on port " << port_;
  }
  ~OcspResponder() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

 private:
  // Whether a socket listens on port_ (/proc/net/tcp and tcp6: local
  // address "ADDR:PORT" in hex, state 0A).
  bool Listening() const {
    char port_hex[8];
    std::snprintf(port_hex, sizeof port_hex, ":%04X", port_);
    for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
      std::istringstream lines(ReadFile(table));
      std::string line;
      while (std::getline(lines, line)) {
        std::istringstream fields(line);
        std::string slot, local, remote, state;
        fields >> slot >> local >> remote >> state;
        if (local.size() > 5 && local.compare(local.size() - 5, 5, port_hex) == 0 && state == "0A") return true;
      }
    }
    return false;
  }

  int port_ = 0;
  pid_t pid_ = -1;
};

// The catalogue's /DSS of `pdf`: its lists, read with qpdf.
struct Dss {
  std::vector<std::string> certs, crls, ocsps, vri_keys;
};

Dss ReadDssOf(const std::string& pdf) {
  Dss out;
  QPDF q;
  q.setSuppressWarnings(true);
  q.processMemoryFile("x", pdf.data(), pdf.size());
  QPDFObjectHandle dss = q.getRoot().getKey("/DSS");
  if (!dss.isDictionary()) return out;
  auto read = [](QPDFObjectHandle a, std::vector<std::string>& v) {
    for (int i = 0; a.isArray() && i < a.getArrayNItems(); ++i) {
      auto data = a.getArrayItem(i).getStreamData(qpdf_dl_all);
      v.emplace_back(reinterpret_cast<const char*>(data->getBuffer()), data->getSize());
    }
  };
  read(dss.getKey("/Certs"), out.certs);
  read(dss.getKey("/CRLs"), out.crls);
  read(dss.getKey("/OCSPs"), out.ocsps);
  if (dss.getKey("/VRI").isDictionary()) {
    for (const auto& k : dss.getKey("/VRI").getKeys()) out.vri_keys.push_back(k.substr(1));
  }
  return out;
}

// Upper-case hex SHA-1 of each signature's /Contents string, in field order.
std::vector<std::string> ContentsSha1(const std::string& pdf) {
  std::vector<std::string> out;
  QPDF q;
  q.setSuppressWarnings(true);
  q.processMemoryFile("x", pdf.data(), pdf.size());
  for (auto& field : q.getRoot().getKey("/AcroForm").getKey("/Fields").getArrayAsVector()) {
    QPDFObjectHandle v = field.getKey("/V");
    if (!v.isDictionary()) continue;
    const std::string digest = internal::DigestParts(EVP_sha1(), {v.getKey("/Contents").getStringValue()});
    std::string hex;
    for (unsigned char c : digest) {
      static constexpr char kHex[] = "0123456789ABCDEF";
      hex += kHex[c >> 4];
      hex += kHex[c & 15];
    }
    out.push_back(hex);
  }
  return out;
}

bool Contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

TEST(PadesLta, SignedDocumentIsValidAndCarriesItsValidationData) {
  auto tsa = TsaProcess::Start();
  ASSERT_TRUE(tsa);
  const std::string in = Unsigned();
  const std::string pdf = MustSign(in, Options("ltv", *tsa, PadesLevel::kBLTA));
  ASSERT_FALSE(pdf.empty());
  // Three updates on the original: signature, /DSS, document timestamp.
  EXPECT_EQ(pdf.substr(0, in.size()), in);
  const VerifyReport r = MustVerify(pdf, Trust());
  EXPECT_EQ(r.status, DocumentStatus::kValid) << Reasons(r);
  EXPECT_EQ(r.revisions, 4);
  ASSERT_EQ(r.signatures.size(), 2u);
  const SignatureReport* sig = Find(r, SignatureType::kSignature);
  const SignatureReport* doc_ts = Find(r, SignatureType::kDocumentTimestamp);
  ASSERT_TRUE(sig && doc_ts);
  EXPECT_EQ(doc_ts->sub_filter, "ETSI.RFC3161");
  EXPECT_EQ(sig->validation_time_source, ValidationTimeSource::kSignatureTimestamp);
  ASSERT_TRUE(sig->timestamp && sig->validation_time);
  EXPECT_EQ(*sig->validation_time, sig->timestamp->time);
  EXPECT_EQ(sig->revocation, Revocation::kGood);
  EXPECT_TRUE(sig->ltv);
  EXPECT_EQ(doc_ts->validation_time_source, ValidationTimeSource::kCurrentTime);

  // The /DSS: the signer's, intermediate's, root's and TSA's certificates,
  // both CRLs, and a /VRI entry keyed by the SHA-1 of the signature's
  // /Contents (upper-case hex).
  const Dss dss = ReadDssOf(pdf);
  EXPECT_TRUE(Contains(dss.certs, internal::CertDer(Cert("ltv.pem").get())));
  EXPECT_EQ(dss.certs.size(), 4u);
  EXPECT_EQ(dss.crls.size(), 2u);
  const std::vector<std::string> keys = ContentsSha1(pdf);
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_TRUE(Contains(dss.vri_keys, keys[0])) << keys[0];
}

TEST(PadesLta, StaysValidAfterTheSignerExpiredAndBtDoesNot) {
  auto tsa = TsaProcess::Start();
  ASSERT_TRUE(tsa);
  const std::string lta = MustSign(Unsigned(), Options("ltv", *tsa, PadesLevel::kBLTA));
  const std::string bt = MustSign(Unsigned(), Options("ltv", *tsa, PadesLevel::kBT));
  ASSERT_FALSE(lta.empty() || bt.empty());
  const auto later = FiveYearsOn();
  ASSERT_GT(later, NotAfter("ltv.pem"));  // the expiry is real
  ASSERT_LT(later, NotAfter("tsa.pem"));

  for (const std::string* pdf : {&lta, &bt}) EXPECT_EQ(VerifyAt(*pdf, Now())["status"], "valid");

  const json l = VerifyAt(lta, later);
  EXPECT_EQ(l["status"], "valid") << l.dump(1);
  ASSERT_EQ(l["signatures"].size(), 2u);
  const json& sig = l["signatures"][0];
  EXPECT_EQ(sig["validation_time_source"], "signature_timestamp");
  EXPECT_EQ(sig["validation_time"], sig["timestamp"]["time"]);
  EXPECT_EQ(sig["revocation"], "good");
  EXPECT_EQ(sig["ltv"], true);
  EXPECT_EQ(l["signatures"][1]["status"], "valid");

  // B-T: the timestamp proves the time, but nothing vouches for the expired
  // certificate then.
  const json t = VerifyAt(bt, later);
  EXPECT_EQ(t["status"], "indeterminate") << t.dump(1);
  const json& bt_sig = t["signatures"][0];
  EXPECT_EQ(bt_sig["reasons"], json::array({"certificate_expired"}));
  EXPECT_EQ(bt_sig["ltv"], false);
  EXPECT_EQ(bt_sig["revocation"], "not_checked");
}

TEST(PadesLta, RevokedSignerByACrlInTheDssIsIndeterminate) {
  auto tsa = TsaProcess::Start();
  ASSERT_TRUE(tsa);
  // intermediate.crl.pem revokes ltv-revoked at PKI generation, before the
  // timestamp.
  const std::string pdf = MustSign(Unsigned(), Options("ltv-revoked", *tsa, PadesLevel::kBLTA));
  ASSERT_FALSE(pdf.empty());
  ASSERT_EQ(ReadDssOf(pdf).crls.size(), 2u);
  const VerifyReport r = MustVerify(pdf, Trust());
  EXPECT_EQ(r.status, DocumentStatus::kIndeterminate) << Reasons(r);
  const SignatureReport* sig = Find(r, SignatureType::kSignature);
  ASSERT_TRUE(sig);
  EXPECT_EQ(sig->reasons, std::vector<std::string>{"certificate_revoked"});
  EXPECT_EQ(sig->revocation, Revocation::kRevoked);
  EXPECT_FALSE(sig->ltv);
  EXPECT_EQ(Find(r, SignatureType::kDocumentTimestamp)->status, SignatureStatus::kValid);
  const json later = VerifyAt(pdf, FiveYearsOn());
  EXPECT_EQ(later["status"], "indeterminate");
  EXPECT_TRUE(Contains(later["signatures"][0]["reasons"].get<std::vector<std::string>>(), "certificate_revoked"));
}

TEST(PadesLta, RevocationAfterTheTimestampDoesNotCount) {
  auto tsa = TsaProcess::Start();
  ASSERT_TRUE(tsa);
  const std::string bt = MustSign(Unsigned(), Options("ltv", *tsa, PadesLevel::kBT));
  const VerifyReport before = MustVerify(bt, Trust());
  ASSERT_TRUE(before.signatures.at(0).timestamp);
  // Revoked an hour after the timestamp (key compromise found later), then
  // extended with that CRL: the timestamp proves the signature came first.
  const auto stamped = Now();
  for (const auto& [offset, status] : {std::pair{hours(1), "valid"}, std::pair{hours(-1), "indeterminate"}}) {
    SCOPED_TRACE(offset.count());
    SignOptions o = Options("ltv", *tsa, PadesLevel::kBLT);
    o.extend = true;
    o.trust = TrustWith({CrlRevoking("ltv.pem", stamped + offset), "root.crl.pem"});
    const std::string extended = MustSign(bt, o);
    ASSERT_FALSE(extended.empty());
    const json later = VerifyAt(extended, FiveYearsOn());
    EXPECT_EQ(later["status"], status) << later.dump(1);
    EXPECT_EQ(later["signatures"][0]["revocation"], offset.count() > 0 ? "good" : "revoked");
  }
}

TEST(PadesLta, ExtendingBtToLtaKeepsTheSignatureAndAddsATimestamp) {
  auto tsa = TsaProcess::Start();
  ASSERT_TRUE(tsa);
  // Two signatures, another signer's first: both must stay valid.
  SignOptions first;
  first.key = Key("rsa2048");
  first.tsa_url = tsa->url();
  const std::string bt = MustSign(MustSign(Unsigned(), first), Options("ltv", *tsa, PadesLevel::kBT));
  SignOptions o = Options("ltv", *tsa, std::nullopt);  // extend: b-lta by default
  o.extend = true;
  const std::string lta = MustSign(bt, o);
  ASSERT_FALSE(lta.empty());
  EXPECT_EQ(lta.substr(0, bt.size()), bt);
  const VerifyReport r = MustVerify(lta, Trust());
  EXPECT_EQ(r.status, DocumentStatus::kValid) << Reasons(r);
  ASSERT_EQ(r.signatures.size(), 3u);
  EXPECT_EQ(r.revisions, 5);
  int timestamps = 0;
  for (const auto& s : r.signatures) {
    EXPECT_EQ(s.status, SignatureStatus::kValid) << s.field;
    if (s.type == SignatureType::kDocumentTimestamp) ++timestamps;
    if (s.type == SignatureType::kSignature) {
      EXPECT_TRUE(s.ltv) << s.field;
    }
  }
  EXPECT_EQ(timestamps, 1);
  EXPECT_EQ(ReadDssOf(lta).vri_keys.size(), 2u);

  // Extended again: a second document timestamp, the first one now relied
  // on at the time the second proves.
  const std::string again = MustSign(lta, o);
  const VerifyReport r2 = MustVerify(again, Trust());
  EXPECT_EQ(r2.status, DocumentStatus::kValid) << Reasons(r2);
  ASSERT_EQ(r2.signatures.size(), 4u);
  const SignatureReport& first_ts = r2.signatures[2];
  EXPECT_EQ(first_ts.type, SignatureType::kDocumentTimestamp);
  EXPECT_EQ(first_ts.validation_time_source, ValidationTimeSource::kDocumentTimestamp);
  EXPECT_EQ(r2.signatures[3].validation_time_source, ValidationTimeSource::kCurrentTime);
  EXPECT_EQ(VerifyAt(again, FiveYearsOn())["status"], "valid");
}

TEST(PadesLta, OcspResponsesFromAResponderOrAFile) {
  auto tsa = TsaProcess::Start();
  ASSERT_TRUE(tsa);
  OcspResponder responder;
  for (const std::string signer : {"ltv", "ltv-revoked"}) {
    SCOPED_TRACE(signer);
    SigningConfig config;
    config.p12_file = Pki(signer + ".p12");
    config.p12_password = ReadFile(Pki(signer + ".p12.pass"));
    config.ocsp_url = responder.url();
    auto key = LoadSigningKey(config);
    ASSERT_TRUE(key.ok()) << key.error().message;
    SignOptions o;
    o.key = *key;
    o.tsa_url = tsa->url();
    o.level = PadesLevel::kBLT;
    o.trust = TrustWith({"root.crl.pem"});  // no CRL for the signer: OCSP only
    const std::string pdf = MustSign(Unsigned(), o);
    ASSERT_FALSE(pdf.empty());
    const Dss dss = ReadDssOf(pdf);
    EXPECT_EQ(dss.ocsps.size(), 2u);  // the signer's and the TSA's
    EXPECT_EQ(dss.crls.size(), 1u);   // the root's
    const VerifyReport r = MustVerify(pdf, Trust());
    if (signer == "ltv") {
      EXPECT_EQ(r.status, DocumentStatus::kValid) << Reasons(r);
      EXPECT_EQ(r.signatures[0].revocation, Revocation::kGood);
      EXPECT_TRUE(r.signatures[0].ltv);
      EXPECT_EQ(VerifyAt(pdf, FiveYearsOn())["status"], "valid");
    } else {
      EXPECT_EQ(r.status, DocumentStatus::kIndeterminate) << Reasons(r);
      EXPECT_EQ(r.signatures[0].revocation, Revocation::kRevoked);
    }
  }
  // A response saved to a file (--ocsp-response) serves as well.
  const std::string dir = TempDir();
  int st = 0;
  const std::string out = Shell("openssl ocsp -issuer " + Pki("intermediate.pem") + " -cert " + Pki("ltv.pem") +
                                    " -url " + responder.url() + " -respout " + dir + "/ltv.ocsp -noverify",
                                &st);
  ASSERT_EQ(st, 0) << out;
  SigningConfig config;
  config.p12_file = Pki("ltv.p12");
  config.p12_password = ReadFile(Pki("ltv.p12.pass"));
  config.ocsp_response_files = {dir + "/ltv.ocsp"};
  auto key = LoadSigningKey(config);
  ASSERT_TRUE(key.ok()) << key.error().message;
  SignOptions o;
  o.key = *key;
  o.tsa_url = tsa->url();
  o.level = PadesLevel::kBLT;
  const std::string pdf = MustSign(Unsigned(), o);
  EXPECT_EQ(ReadDssOf(pdf).ocsps.size(), 1u);
  const VerifyReport r = MustVerify(pdf, Trust());
  EXPECT_EQ(r.status, DocumentStatus::kValid) << Reasons(r);
  EXPECT_EQ(r.signatures[0].revocation, Revocation::kGood);

  config.ocsp_response_files = {Pki("root.pem")};
  EXPECT_EQ(LoadSigningKey(config).error().code, ErrorCode::kBadRequest);
}

TEST(PadesLta, LevelsGetTheContractsErrors) {
  auto tsa = TsaProcess::Start();
  ASSERT_TRUE(tsa);
  SignOptions o;
  o.key = Key("ltv");
  o.level = PadesLevel::kBT;  // no TSA configured
  EXPECT_EQ(Sign(Unsigned(), o).error().code, ErrorCode::kBadRequest);
  o.tsa_url = tsa->url();
  o.level = PadesLevel::kBLT;  // no CRL, no OCSP
  auto r = Sign(Unsigned(), o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kBadRequest);
  EXPECT_NE(r.error().message.find("--crl"), std::string::npos) << r.error().message;
  o.trust = Crls();
  o.extend = true;
  EXPECT_EQ(Sign(Unsigned(), o).error().code, ErrorCode::kBadRequest);  // nothing to extend
  o.level = PadesLevel::kBT;
  EXPECT_EQ(Sign(MustSign(Unsigned(), {}), o).error().code, ErrorCode::kBadRequest);
  // A document timestamp would break a DocMDP level 1 certification; the
  // /DSS alone does not.
  SignOptions certify = Options("ltv", *tsa, PadesLevel::kBT);
  certify.certify = 1;
  const std::string certified = MustSign(Unsigned(), certify);
  o.level = PadesLevel::kBLTA;
  EXPECT_EQ(Sign(certified, o).error().code, ErrorCode::kUnprocessable);
  o.level = PadesLevel::kBLT;
  const VerifyReport lt = MustVerify(MustSign(certified, o), Trust());
  EXPECT_EQ(lt.status, DocumentStatus::kValid) << Reasons(lt);
  EXPECT_TRUE(lt.signatures.at(0).ltv);

  EXPECT_EQ(ParsePadesLevel("b-lta"), PadesLevel::kBLTA);
  EXPECT_FALSE(ParsePadesLevel("B-LTA"));
  EXPECT_FALSE(ParsePadesLevel("lta"));
}

// pdfsig (Poppler 22.12) accepts the signature of B-LT and B-LTA files; it
// lists the document timestamp but does not validate that kind ("Signature
// Type: unknown", "not yet verified"), so pactum's report is the check there.
TEST(PadesLta, PdfsigAcceptsTheSignatureOfBltAndBlta) {
  auto tsa = TsaProcess::Start();
  ASSERT_TRUE(tsa);
  const std::string dir = TempDir() + "/nss";
  std::filesystem::create_directories(dir);
  int st = 0;
  std::string out = Shell("certutil -N -d sql:" + dir + " --empty-password", &st);
  ASSERT_EQ(st, 0) << out;
  out = Shell("certutil -A -d sql:" + dir + " -n root -t CT,C,C -i " + Pki("root.pem"), &st);
  ASSERT_EQ(st, 0) << out;
  for (PadesLevel level : {PadesLevel::kBLT, PadesLevel::kBLTA}) {
    SCOPED_TRACE(PadesLevelName(level));
    const std::string file = dir + "/signed.pdf";
    WriteFile(file, MustSign(Unsigned(), Options("ltv", *tsa, level)));
    out = Shell("pdfsig -nssdir sql:" + dir + " " + file, &st);
    EXPECT_EQ(st, 0) << out;
    EXPECT_NE(out.find("Signature Field Name: Signature1"), std::string::npos) << out;
    EXPECT_NE(out.find("Signature is Valid."), std::string::npos) << out;
    EXPECT_NE(out.find("Certificate is Trusted."), std::string::npos) << out;
    EXPECT_EQ(out.find("Timestamp1") != std::string::npos, level == PadesLevel::kBLTA) << out;
  }
}

TEST(PadesLta, CommandLineLevelsAndExtend) {
  auto tsa = TsaProcess::Start();
  ASSERT_TRUE(tsa);
  const std::string dir = TempDir();
  WriteFile(dir + "/in.pdf", Unsigned());
  const std::string sign = "PACTUM_SIGN_P12_PASSWORD='" + ReadFile(Pki("ltv.p12.pass")) + "' " + PACTUM_BINARY +
                           " sign --sign-p12 " + Pki("ltv.p12") + " --tsa-url " + tsa->url();
  const std::string crls = " --crl " + Pki("intermediate.crl.pem") + " --crl " + Pki("root.crl.pem");
  int st = 0;
  std::string out = Shell(sign + " " + dir + "/in.pdf -o " + dir + "/x.pdf --level b-x", &st);
  EXPECT_EQ(st, 64) << out;
  EXPECT_NE(out.find("--level must be b-b, b-t"), std::string::npos) << out;
  out = Shell(sign + " " + dir + "/in.pdf -o " + dir + "/bt.pdf --level b-t", &st);
  ASSERT_EQ(st, 0) << out;
  out = Shell(sign + " " + dir + "/bt.pdf -o " + dir + "/x.pdf --extend --reason R" + crls, &st);
  EXPECT_EQ(st, 64) << out;
  out = Shell(sign + " " + dir + "/bt.pdf -o " + dir + "/x.pdf --extend --level b-lt", &st);
  EXPECT_EQ(st, 2) << out;  // no revocation data
  EXPECT_NE(out.find("(bad_request)"), std::string::npos) << out;
  out = Shell(sign + " " + dir + "/bt.pdf -o " + dir + "/lta.pdf --extend" + crls, &st);
  ASSERT_EQ(st, 0) << out;
  const VerifyReport r = MustVerify(ReadFile(dir + "/lta.pdf"), Trust());
  EXPECT_EQ(r.status, DocumentStatus::kValid) << Reasons(r);
  ASSERT_EQ(r.signatures.size(), 2u);
  EXPECT_TRUE(r.signatures[0].ltv);
  EXPECT_EQ(r.signatures[1].type, SignatureType::kDocumentTimestamp);
}

TEST(PadesLta, ServiceSignsAndExtendsAtTheLevelAsked) {
  auto tsa = TsaProcess::Start();
  ASSERT_TRUE(tsa);
  service::ServerOptions so;
  so.port = 0;
  so.workers = 1;
  so.worker.binary = PACTUM_BINARY;
  so.trust.anchor_files = {Pki("root.pem")};
  so.trust.crl_files = {Pki("intermediate.crl.pem"), Pki("root.crl.pem")};
  SigningConfig key;
  key.p12_file = Pki("ltv.p12");
  key.p12_password = ReadFile(Pki("ltv.p12.pass"));
  so.sign_key = key;
  so.tsa_url = tsa->url();
  service::Server server(so);
  auto port = server.Start();
  ASSERT_TRUE(port.ok()) << port.error().ToString();
  httplib::Client c("127.0.0.1", *port);
  c.set_read_timeout(60, 0);
  const auto post = [&](const std::string& target, const std::string& body) {
    return c.Post(target.c_str(), body, "application/octet-stream");
  };
  auto bad = post("/v1/sign?level=b-x", Unsigned());
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(json::parse(bad->body)["error"]["code"], "bad_request");
  EXPECT_EQ(post("/v1/sign?extend=true&level=b-b", Unsigned())->status, 400);
  EXPECT_EQ(post("/v1/sign?extend=maybe", Unsigned())->status, 400);
  EXPECT_EQ(post("/v1/sign?extend=true", Unsigned())->status, 400);  // no signatures

  auto bt = post("/v1/sign", Unsigned());  // default with a TSA: B-T
  ASSERT_TRUE(bt);
  ASSERT_EQ(bt->status, 200) << bt->body;
  EXPECT_EQ(bt->body.find("/DSS"), std::string::npos);
  auto lta = post("/v1/sign?extend=true&level=b-lta", bt->body);
  ASSERT_TRUE(lta);
  ASSERT_EQ(lta->status, 200) << lta->body;
  auto v = post("/v1/verify", lta->body);
  ASSERT_TRUE(v);
  const json j = json::parse(v->body);
  EXPECT_EQ(j["status"], "valid") << v->body;
  ASSERT_EQ(j["signatures"].size(), 2u);
  EXPECT_EQ(j["signatures"][0]["ltv"], true);
  EXPECT_EQ(j["signatures"][0]["validation_time_source"], "signature_timestamp");
  EXPECT_EQ(j["signatures"][1]["type"], "document_timestamp");

  auto lt = post("/v1/sign?level=b-lt&reason=Freigabe", Unsigned());
  ASSERT_TRUE(lt);
  ASSERT_EQ(lt->status, 200) << lt->body;
  EXPECT_EQ(json::parse(post("/v1/verify", lt->body)->body)["signatures"][0]["ltv"], true);
  server.Stop();
}

}  // namespace
}  // namespace pactum::signing::testing
