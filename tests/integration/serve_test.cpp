// `crmsync serve` as a real process: requests signed by `crmsync sign`, sent
// over HTTP with libcurl, accepted once, refused on replay; the inbox it
// leaves is applied to the state as the next run would.
#include <catch2/catch.hpp>

#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "crmsync/engine/config.hpp"
#include "crmsync/engine/provisioning_inbox.hpp"
#include "crmsync/state/store.hpp"
#include "harness.hpp"

extern char** environ;

namespace {

using crmsync::harness::CrmsyncBinary;
using crmsync::harness::ReadFile;
using crmsync::harness::RunCrmsync;
using crmsync::harness::TempDir;
using crmsync::harness::WriteFile;

const std::string kCurrent = "serve-test-current-secret-0123456789";
const std::string kPrevious = "serve-test-previous-secret-012345678";

std::string ConfigText() {
  return "[[tenants]]\nid = \"acme\"\ndomains = [\"acme.example\"]\n"
         "[tenants.microsoft]\ntenant_id = \"t\"\nclient_id = \"c\"\nclient_secret = \"s\"\n"
         "[tenants.salesforce]\nclient_id = \"sc\"\nclient_secret = \"ss\"\nrefresh_token = \"rt\"\n"
         "[tenants.provisioning]\nhmac_secrets = [\"" + kCurrent + "\", \"" + kPrevious + "\"]\n";
}

// crmsync serve in the background; SIGTERM and a reaped exit status on Stop().
class ServeProcess {
 public:
  ServeProcess(const std::string& dir, const std::string& config, const std::string& state)
      : log_(dir + "/serve.log"), port_file_(dir + "/port") {
    std::vector<std::string> args = {CrmsyncBinary(), "serve", "--config", config, "--state", state,
                                     "--listen", "127.0.0.1:0", "--port-file", port_file_};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    REQUIRE(rc == 0);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      std::ifstream in(port_file_);
      if (in >> port_ && port_ > 0) return;
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        FAIL("crmsync serve exited early: " << ReadFile(log_));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
    FAIL("crmsync serve did not write its port file: " << ReadFile(log_));
  }
  ~ServeProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  // SIGTERM; the exit code, or -1 when it had to be killed.
  int Stop() {
    kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }
  std::string origin() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string log() const { return ReadFile(log_); }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string log_;
  std::string port_file_;
};

std::size_t Append(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// (HTTP status, body) of one request.
std::pair<long, std::string> Send(const std::string& method, const std::string& url,
                                  const std::vector<std::string>& headers, const std::string& body) {
  CURL* curl = curl_easy_init();
  REQUIRE(curl != nullptr);
  std::string response;
  curl_slist* list = nullptr;
  for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
  list = curl_slist_append(list, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  if (!body.empty()) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
  const CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  REQUIRE(rc == CURLE_OK);
  return {status, response};
}

// The "Name: value" lines `crmsync sign` prints.
std::vector<std::string> SignedHeaders(const std::vector<std::string>& args) {
  auto result = RunCrmsync(args, std::chrono::seconds(30));
  INFO(result.output);
  REQUIRE(result.exit_code == 0);
  std::vector<std::string> lines;
  std::istringstream in(result.output);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("X-Crmsync-", 0) == 0) lines.push_back(line);
  }
  REQUIRE(lines.size() == 3);
  return lines;
}

}  // namespace

TEST_CASE("serve: a signed POST is accepted once, replays are refused, the run applies the inbox",
          "[integration][serve]") {
  TempDir dir;
  const std::string config_path = dir.path() + "/crmsync.toml";
  const std::string state_dir = dir.path() + "/state";
  const std::string body_path = dir.path() + "/u1.json";
  WriteFile(config_path, ConfigText());
  const std::string body = R"({"user_id":"u1","email":"u1@acme.example","aliases":["one@acme.example"]})";
  WriteFile(body_path, body);

  ServeProcess serve(dir.path(), config_path, state_dir);
  const std::string path = "/v1/tenants/acme/users";
  const auto headers = SignedHeaders({"sign", "--config", config_path, "--tenant", "acme", "--method", "POST",
                                      "--path", path, "--body-file", body_path});

  auto accepted = Send("POST", serve.origin() + path, headers, body);
  CHECK(accepted.first == 202);
  CHECK_THAT(accepted.second, Catch::Contains(R"("status":"accepted")") && Catch::Contains(R"("user_id":"u1")"));

  auto replay = Send("POST", serve.origin() + path, headers, body);
  CHECK(replay.first == 401);
  CHECK(replay.second == R"({"error":"replayed_nonce"})");

  auto tampered = Send("POST", serve.origin() + path, headers, R"({"user_id":"u1","email":"evil@acme.example"})");
  CHECK(tampered.first == 401);
  CHECK(tampered.second == R"({"error":"bad_signature"})");

  // The previous secret still signs during a rotation.
  const std::string body2 = R"({"user_id":"u2","email":"u2@acme.example"})";
  const std::string body2_path = dir.path() + "/u2.json";
  WriteFile(body2_path, body2);
  const auto previous = SignedHeaders({"sign", "--config", config_path, "--tenant", "acme", "--path", path,
                                       "--body-file", body2_path, "--secret-index", "1"});
  CHECK(Send("POST", serve.origin() + path, previous, body2).first == 202);

  const std::string delete_path = "/v1/tenants/acme/users/u2";
  const auto delete_headers =
      SignedHeaders({"sign", "--config", config_path, "--tenant", "acme", "--method", "DELETE", "--path", delete_path});
  CHECK(Send("DELETE", serve.origin() + delete_path, delete_headers, "").first == 202);

  CHECK(Send("GET", serve.origin() + "/v1/elsewhere", {}, "").first == 404);
  CHECK(Send("POST", serve.origin() + path, {}, body).second == R"({"error":"missing_signature"})");

  auto curl_command = RunCrmsync({"sign", "--config", config_path, "--tenant", "acme", "--path", path,
                                  "--body-file", body_path, "--curl", serve.origin()});
  REQUIRE(curl_command.exit_code == 0);
  CHECK_THAT(curl_command.output, Catch::Contains("curl -sS -X POST") &&
                                      Catch::Contains("'" + serve.origin() + path + "'"));

  CHECK(serve.Stop() == 0);
  const std::string log = serve.log();
  CHECK_THAT(log, Catch::Contains("POST /v1/tenants/acme/users 202"));
  CHECK_THAT(log, Catch::Contains("POST /v1/tenants/acme/users 401 replayed_nonce"));
  CHECK(log.find(kCurrent) == std::string::npos);
  CHECK(log.find(kPrevious) == std::string::npos);

  // What the next run does at its start.
  auto config = crmsync::engine::LoadConfig(config_path);
  REQUIRE(config.ok());
  auto store = crmsync::state::Store::Open(state_dir);
  REQUIRE(store.ok());
  auto summary = crmsync::engine::ApplyInbox(config.value(), *store.value(), state_dir);
  REQUIRE(summary.ok());
  CHECK(summary->upserted == 2);
  CHECK(summary->disabled == 1);
  auto u1 = store.value()->GetUser("acme", "u1");
  REQUIRE(u1.ok());
  REQUIRE(u1.value().has_value());
  CHECK(u1.value()->status == "active");
  CHECK(u1.value()->source == "provisioned");
  CHECK(u1.value()->primary == "u1@acme.example");
  auto u2 = store.value()->GetUser("acme", "u2");
  REQUIRE(u2.ok());
  REQUIRE(u2.value().has_value());
  CHECK(u2.value()->status == "disabled");
  CHECK(u2.value()->reason == "deprovisioned");
}

TEST_CASE("serve: sign refuses a path of another tenant and a missing secret slot", "[integration][serve]") {
  TempDir dir;
  const std::string config_path = dir.path() + "/crmsync.toml";
  WriteFile(config_path, ConfigText());
  auto other = RunCrmsync({"sign", "--config", config_path, "--tenant", "acme", "--path", "/v1/tenants/beta/users"});
  CHECK(other.exit_code == 2);
  CHECK_THAT(other.output, Catch::Contains("names tenant \"beta\""));
  auto slot = RunCrmsync({"sign", "--config", config_path, "--tenant", "acme", "--path", "/v1/tenants/acme/users",
                          "--secret-index", "2"});
  CHECK(slot.exit_code == 2);
  CHECK(slot.output.find(kCurrent) == std::string::npos);
}

TEST_CASE("serve: GET /metrics answers the last run's metrics file", "[integration][serve][metrics]") {
  TempDir dir;
  const std::string config_path = dir.path() + "/crmsync.toml";
  const std::string state_dir = dir.path() + "/state";
  WriteFile(config_path, ConfigText());
  ServeProcess serve(dir.path(), config_path, state_dir);
  auto none = Send("GET", serve.origin() + "/metrics", {}, "");
  CHECK(none.first == 404);
  CHECK_THAT(none.second, Catch::Contains("no metrics yet"));
  const std::string text = "# HELP crmsync_lag_seconds x\n# TYPE crmsync_lag_seconds gauge\ncrmsync_lag_seconds{tenant=\"acme\"} 12\n";
  WriteFile(state_dir + "/metrics.prom", text);
  auto served = Send("GET", serve.origin() + "/metrics", {}, "");
  CHECK(served.first == 200);
  CHECK(served.second == text);
  CHECK(Send("POST", serve.origin() + "/metrics", {}, "").first != 200);
  CHECK(serve.Stop() == 0);
}
