#include "connect_support.hpp"

#include <fstream>
#include <iostream>
#include <sstream>

#include "command.hpp"

namespace crmsync::tools {
namespace {

std::string TrimSpace(std::string text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

}  // namespace

const engine::TenantConfig* FindTenantOrReport(const engine::Config& config, const std::string& id,
                                               const std::string& config_path) {
  const engine::TenantConfig* tenant = nullptr;
  for (const auto& t : config.tenants) {
    if (t.id == id) tenant = &t;
  }
  if (tenant == nullptr) std::cerr << "crmsync: --tenant " << id << " is not a tenant of " << config_path << "\n";
  return tenant;
}

std::optional<std::string> ReadRefreshTokenFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) {
    std::cerr << "crmsync: cannot read " << path << "\n";
    return std::nullopt;
  }
  std::string token = TrimSpace(text.str());
  if (token.empty()) {
    std::cerr << "crmsync: " << path << " holds no refresh token\n";
    return std::nullopt;
  }
  return token;
}

std::optional<SealedState> OpenSealedState(const std::string& state_dir) {
  auto store = state::Store::Open(state_dir);
  if (!store.ok()) {
    std::cerr << "crmsync: cannot open state: " << store.status().message() << "\n";
    return std::nullopt;
  }
  auto box = LoadSecretBox(state_dir, true);
  if (!box.ok() || !box.value()) {
    std::cerr << "crmsync: " << (box.ok() ? "no master key" : box.status().message()) << "\n";
    return std::nullopt;
  }
  return SealedState{std::move(store.value()), std::move(*box.value())};
}

}  // namespace crmsync::tools
