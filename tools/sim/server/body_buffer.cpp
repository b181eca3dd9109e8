#include "body_buffer.hpp"

#include <utility>

namespace crmsync::sim {
namespace {

std::string& Kept() {
  thread_local std::string kept;
  return kept;
}

}  // namespace

std::string TakeBodyBuffer() {
  std::string out = std::move(Kept());
  Kept() = std::string();
  out.clear();
  return out;
}

void KeepBodyBuffer(std::string&& body) {
  std::string& kept = Kept();
  if (body.capacity() > kMaxKeptBodyBytes || body.capacity() <= kept.capacity()) return;
  kept = std::move(body);
}

}  // namespace crmsync::sim
