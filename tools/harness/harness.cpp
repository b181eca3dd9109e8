#include "harness.hpp"

#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>
#include <simdjson.h>

extern char** environ;

namespace crmsync::harness {
namespace fs = std::filesystem;

std::string SimBinary() { return std::string(CRMSYNC_BINARY_DIR) + "/tools/sim/crmsync-sim"; }
std::string CrmsyncBinary() { return std::string(CRMSYNC_BINARY_DIR) + "/tools/crmsync/crmsync"; }
std::string BenchBinary() { return std::string(CRMSYNC_BINARY_DIR) + "/tools/bench/crmsync-bench"; }

TempDir::TempDir() {
  std::string pattern = (fs::temp_directory_path() / "crmsync-it-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

void SetEngineOption(const std::string& config_path, const std::string& key, const std::string& value) {
  std::string config = ReadFile(config_path);
  const std::string section = "[engine]\n";
  const auto at = config.find(section);
  if (at == std::string::npos) throw std::runtime_error(config_path + " has no [engine] section");
  config.insert(at + section.size(), key + " = " + value + "\n");
  WriteFile(config_path, config);
}

std::string WithCapture(const std::string& config, const std::string& settings) {
  const std::string table = "\n[tenants.capture]\n" + settings;
  const std::string marker = "\n[[tenants]]";
  std::string out;
  std::size_t pos = 0;
  bool first = true;
  for (std::size_t at = config.find(marker); at != std::string::npos; at = config.find(marker, at + 1)) {
    out += config.substr(pos, at - pos);
    if (!first) out += table;
    first = false;
    pos = at;
  }
  return out + config.substr(pos) + table;
}

namespace {

pid_t Spawn(const std::vector<std::string>& argv, const std::string& output_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, output_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error(fmt::format("cannot start {}: {}", argv[0], strerror(rc)));
  return pid;
}

ProcessResult Wait(pid_t pid, const std::string& output_path, std::chrono::milliseconds limit,
                   bool kill_at_limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  const auto started = std::chrono::steady_clock::now();
  int status = 0;
  struct rusage usage {};
  for (;;) {
    const pid_t done = wait4(pid, &status, WNOHANG, &usage);
    if (done == pid) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      kill(pid, SIGKILL);
      wait4(pid, &status, 0, &usage);
      if (!kill_at_limit) throw std::runtime_error("process did not finish in time");
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ProcessResult result;
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  result.cpu_seconds = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                       static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  result.max_rss_kb = usage.ru_maxrss;
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  result.output = ReadFile(output_path);
  return result;
}

std::size_t Append(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

std::string Request(const std::string& url, const std::string& ca_file, const char* method,
                    const std::string* body) {
  CURL* curl = curl_easy_init();
  std::string response;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  if (!ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 120L);
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
  struct curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  if (body != nullptr) curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body->c_str());
  const CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK || status != 200) {
    throw std::runtime_error(fmt::format("{} {}: curl {} status {}: {}", method, url,
                                         curl_easy_strerror(rc), status, response));
  }
  return response;
}

}  // namespace

long TestTimeScale() {
  const char* scale_text = std::getenv("CRMSYNC_TEST_TIME_SCALE");
  const long scale = scale_text == nullptr ? 1 : std::strtol(scale_text, nullptr, 10);
  return scale > 1 ? scale : 1;
}

namespace {

// Sanitizer builds run the engine several times slower (ThreadSanitizer:
// 5-15x). Tests that make access tokens expire within a run (--token-ttl 1
// or 2) would then see tokens expire while a request waits for a
// connection, which no real service's hour-long token ever does;
// CRMSYNC_TEST_TIME_SCALE (set by `tools/test --tsan`) stretches them.
void ScaleTokenLifetimes(std::vector<std::string>& args) {
  const long scale = TestTimeScale();
  if (scale <= 1) return;
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] != "--token-ttl") continue;
    args[i + 1] = std::to_string(std::strtol(args[i + 1].c_str(), nullptr, 10) * scale);
  }
}

}  // namespace

SimProcess::SimProcess(const std::string& dir, std::vector<std::string> args) {
  ScaleTokenLifetimes(args);
  const std::string port_file = dir + "/sim.port";
  config_path_ = dir + "/crmsync.toml";
  const std::string ca_dir = dir + "/sim-ca";
  ca_file_ = ca_dir + "/ca.pem";
  for (const auto& a : args) {
    if (a == "--plain-http") tls_ = false;
  }
  std::vector<std::string> argv = {SimBinary(), "--listen", "127.0.0.1:0", "--port-file", port_file,
                                   "--write-config", config_path_, "--ca-dir", ca_dir};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_ = Spawn(argv, dir + "/sim.log");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("crmsync-sim exited at start: " + ReadFile(dir + "/sim.log"));
    }
    const std::string text = ReadFile(port_file);
    if (!text.empty() && text.back() == '\n' && fs::exists(config_path_)) {
      port_ = static_cast<std::uint16_t>(std::stoi(text));
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw std::runtime_error("crmsync-sim did not start listening in 30 s");
}

SimProcess::~SimProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 500 && waitpid(pid_, &status, WNOHANG) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
  }
}

double SimProcess::CpuSeconds() const {
  // utime and stime are fields 14 and 15 of /proc/PID/stat, in clock ticks.
  const std::string stat = ReadFile(fmt::format("/proc/{}/stat", pid_));
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  double ticks = 0;
  for (int index = 3; fields >> field; ++index) {
    if (index == 14 || index == 15) ticks += std::stod(field);
    if (index == 15) break;
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::string SimProcess::origin() const {
  return fmt::format("{}://127.0.0.1:{}", tls_ ? "https" : "http", port_);
}

std::string SimProcess::Get(const std::string& path) const {
  return Request(origin() + path, tls_ ? ca_file_ : "", "GET", nullptr);
}

std::string SimProcess::Post(const std::string& path, const std::string& body) const {
  return Request(origin() + path, tls_ ? ca_file_ : "", "POST", &body);
}

std::int64_t JsonInt(const std::string& json, const std::vector<std::string>& path) {
  simdjson::dom::parser parser;
  simdjson::dom::element element;
  if (parser.parse(json).get(element)) return -1;
  for (const std::string& key : path) {
    simdjson::dom::element next;
    simdjson::dom::array array;
    if (!element.get(array)) {
      // A numeric component indexes an array: "tenants.0.captured".
      if (key.empty() || key.find_first_not_of("0123456789") != std::string::npos) return -1;
      if (array.at(std::stoul(key)).get(next)) return -1;
    } else if (element[key].get(next)) {
      return -1;
    }
    element = next;
  }
  int64_t value = 0;
  if (element.get(value)) return -1;
  return value;
}

std::int64_t JsonInt(const std::string& json, const std::string& dotted_path) {
  std::vector<std::string> path;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = dotted_path.find('.', start);
    path.push_back(dotted_path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return JsonInt(json, path);
}

Verify ParseVerify(const std::string& json) {
  Verify v;
  v.raw = json;
  v.expected = JsonInt(json, "expected");
  v.present = JsonInt(json, "present");
  v.missing = JsonInt(json, "missing");
  v.duplicates = JsonInt(json, "duplicates");
  v.unexpected = JsonInt(json, "unexpected");
  v.mismatched = JsonInt(json, "mismatched");
  v.isolation_violations = JsonInt(json, "isolation_violations");
  return v;
}

ProcessResult RunCrmsync(const std::vector<std::string>& args, std::chrono::seconds timeout) {
  TempDir scratch;
  std::vector<std::string> argv = {CrmsyncBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  const std::string output = scratch.path() + "/out.log";
  return Wait(Spawn(argv, output), output, timeout, false);
}

ProcessResult RunProcess(const std::vector<std::string>& argv, std::chrono::seconds timeout) {
  TempDir scratch;
  const std::string output = scratch.path() + "/out.log";
  return Wait(Spawn(argv, output), output, timeout, false);
}

ProcessResult RunCrmsyncKilledAfter(const std::vector<std::string>& args, std::chrono::milliseconds delay) {
  TempDir scratch;
  std::vector<std::string> argv = {CrmsyncBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  const std::string output = scratch.path() + "/out.log";
  return Wait(Spawn(argv, output), output, delay, true);
}

}  // namespace crmsync::harness
