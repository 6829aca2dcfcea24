// Real resources for the connector tests: a private temporary directory, file helpers, and a TCP
// server on the loopback interface whose events the test can wait for (no sleeping and hoping).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>
#include "support/latch.h"

namespace eddy::testing {

// A fresh directory (mkdtemp), removed with its content at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "eddy_connectors_XXXXXX");
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed: " + std::string(std::strerror(errno)));
    }
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;  // a leftover temp directory must not fail the test
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path);
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// The names of the entries of `dir`, hidden ones included, sorted.
inline std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// "a\nb\n" -> {"a", "b"}: the lines of text whose every line ends with "\n".
inline std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t end = text.find('\n'); end != std::string::npos; end = text.find('\n', start)) {
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  if (start != text.size()) lines.push_back(text.substr(start) + "<no newline>");
  return lines;
}

inline void send_all(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("send failed: " + std::string(std::strerror(errno)));
    }
    sent += static_cast<size_t>(n);
  }
}

// Waits until the peer closes the connection; false if it has not after `limit`.
inline bool wait_until_closed_by_peer(int fd, std::chrono::milliseconds limit) {
  const auto due = std::chrono::steady_clock::now() + limit;
  char byte;
  while (std::chrono::steady_clock::now() < due) {
    pollfd waiting{fd, POLLIN, 0};
    if (::poll(&waiting, 1, 20) > 0) {
      const ssize_t n = ::recv(fd, &byte, 1, 0);
      if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) return true;
    }
  }
  return false;
}

// A TCP server on a loopback address and a port the OS picks. It accepts connections one after
// another on its own thread, runs handler(connection_index, fd) for each and then closes it,
// until it has served `connections`; it keeps listening until destroyed.
class TestServer {
 public:
  using Handler = std::function<void(int connection, int fd)>;

  TestServer(int connections, Handler handler, const std::string& address = "127.0.0.1")
      : connections_(connections), handler_(std::move(handler)) {
    const bool v6 = address.find(':') != std::string::npos;
    listen_fd_ = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) throw std::runtime_error("socket: " + std::string(std::strerror(errno)));
    sockaddr_storage storage{};
    socklen_t length;
    if (v6) {
      auto* a = reinterpret_cast<sockaddr_in6*>(&storage);
      a->sin6_family = AF_INET6;
      ::inet_pton(AF_INET6, address.c_str(), &a->sin6_addr);
      length = sizeof(sockaddr_in6);
    } else {
      auto* a = reinterpret_cast<sockaddr_in*>(&storage);
      a->sin_family = AF_INET;
      ::inet_pton(AF_INET, address.c_str(), &a->sin_addr);
      length = sizeof(sockaddr_in);
    }
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&storage), length) != 0 ||
        ::listen(listen_fd_, 8) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&storage), &length) != 0) {
      const std::string error = std::strerror(errno);
      ::close(listen_fd_);
      throw std::runtime_error("cannot listen on " + address + ": " + error);
    }
    port_ = ntohs(v6 ? reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port
                     : reinterpret_cast<sockaddr_in*>(&storage)->sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;
  ~TestServer() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
  }

  int port() const { return port_; }
  // Waits until `n` connections were accepted; false if that takes longer than `limit`.
  bool wait_for_accepts(int n, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    std::unique_lock lock(mu_);
    return accepted_cv_.wait_for(lock, limit, [&] { return accepted_ >= n; });
  }

 private:
  void serve() {
    for (int i = 0; i < connections_ && !stop_;) {
      pollfd waiting{listen_fd_, POLLIN, 0};
      if (::poll(&waiting, 1, 20) <= 0) continue;
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      {
        std::lock_guard lock(mu_);
        ++accepted_;
        accepted_cv_.notify_all();
      }
      handler_(i++, fd);
      ::close(fd);
    }
  }

  const int connections_;
  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable accepted_cv_;
  int accepted_ = 0;  // GUARDED_BY(mu_)
  std::thread thread_;
};

// A port on 127.0.0.1 that is bound but not listening, so connecting to it is refused; holding
// the socket keeps other processes from taking the port meanwhile.
class RefusingPort {
 public:
  RefusingPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      throw std::runtime_error("cannot bind a port: " + std::string(std::strerror(errno)));
    }
    port_ = ntohs(address.sin_port);
  }
  RefusingPort(const RefusingPort&) = delete;
  RefusingPort& operator=(const RefusingPort&) = delete;
  ~RefusingPort() { ::close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace eddy::testing
