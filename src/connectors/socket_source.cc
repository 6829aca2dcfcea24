// socket_text_stream(host, port, delimiter, max_retry): a non-parallel source reading delimited
// records from a TCP server, with the reconnect behaviour of Flink's SocketTextStreamFunction.
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "eddy/api/stream_execution_environment.h"
#include "eddy/core/exceptions.h"

namespace eddy {
namespace {

// Every wait (connect, read, retry delay) is cut into steps this long, so that cancellation is
// noticed within one step.
constexpr int kPollStepMs = 100;
// Flink's delay between two connection attempts.
constexpr std::chrono::milliseconds kRetryDelay{500};
constexpr size_t kReadChunkBytes = 8192;

// "host:port", with an IPv6 literal in brackets.
std::string endpoint(const std::string& host, int port) {
  return host.find(':') == std::string::npos ? fmt::format("{}:{}", host, port)
                                             : fmt::format("[{}]:{}", host, port);
}

class SocketFd {
 public:
  SocketFd() = default;
  explicit SocketFd(int fd) : fd_(fd) {}
  SocketFd(SocketFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  SocketFd& operator=(SocketFd&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  ~SocketFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

struct AddrInfoFree {
  void operator()(addrinfo* list) const { ::freeaddrinfo(list); }
};

// Reads records from one connection at a time; reconnects while max_retry allows. Every
// blocking call is a poll() of at most kPollStepMs, so run() returns promptly once the job is
// cancelled, whether it is connecting, reading or waiting to retry.
class SocketTextSourceOperator final : public runtime::SourceOperator {
 public:
  SocketTextSourceOperator(std::string host, int port, char delimiter, int max_retry,
                           runtime::Output<std::string>* out)
      : host_(std::move(host)),
        port_(port),
        delimiter_(delimiter),
        max_retry_(max_retry),
        out_(out) {}

  void run(runtime::SourceRunContext& ctx) override {
    int retries = 0;  // connection attempts after the first one
    while (running(ctx)) {
      std::string error;
      SocketFd socket = connect_to_server(ctx, error);
      if (socket.valid()) {
        error = read_records(ctx, socket.get());
        if (!running(ctx)) return;
        emit_unterminated_record();
        if (error.empty() && !retries_left(retries)) return;  // the server ended the stream
      }
      if (!running(ctx)) return;
      if (!error.empty() && !retries_left(retries)) {
        throw EddyException(retries == 0 ? error
                                         : fmt::format("{} (after {} {})", error, retries,
                                                       retries == 1 ? "retry" : "retries"));
      }
      ++retries;
      wait_before_retry(ctx);
    }
  }

  // Only sets a flag: run() polls it at least every kPollStepMs.
  void cancel() override { cancelled_.store(true, std::memory_order_relaxed); }

 private:
  bool running(const runtime::SourceRunContext& ctx) const {
    return ctx.is_running() && !cancelled_.load(std::memory_order_relaxed);
  }
  bool retries_left(int retries) const { return max_retry_ == -1 || retries < max_retry_; }

  // A connected socket, or an invalid one with `error` saying why (empty when cancelled).
  // Tries every address the host resolves to (IPv4 and IPv6), so that "localhost" works
  // whichever of ::1 and 127.0.0.1 the server listens on. Name resolution itself cannot be
  // interrupted; it is bounded by the resolver's timeouts.
  SocketFd connect_to_server(const runtime::SourceRunContext& ctx, std::string& error) const {
    const std::string where = endpoint(host_, port_);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* raw_list = nullptr;
    const int rc = ::getaddrinfo(host_.c_str(), std::to_string(port_).c_str(), &hints, &raw_list);
    if (rc != 0) {
      error = fmt::format("cannot resolve {}: {}", where,
                          rc == EAI_SYSTEM ? std::strerror(errno) : ::gai_strerror(rc));
      return {};
    }
    std::unique_ptr<addrinfo, AddrInfoFree> list(raw_list);
    int last_error = 0;
    for (const addrinfo* address = list.get(); address != nullptr; address = address->ai_next) {
      SocketFd socket(::socket(address->ai_family,
                               address->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                               address->ai_protocol));
      if (!socket.valid()) {
        last_error = errno;
        continue;
      }
      std::optional<int> result = connect_socket(ctx, socket.get(), *address);
      if (!result) return {};  // cancelled
      if (*result == 0) return socket;
      last_error = *result;
    }
    error = fmt::format("cannot connect to {}: {}", where, std::strerror(last_error));
    return {};
  }

  // 0 when connected, the errno value of the failure, or nothing when cancelled.
  std::optional<int> connect_socket(const runtime::SourceRunContext& ctx, int fd,
                                    const addrinfo& address) const {
    if (::connect(fd, address.ai_addr, address.ai_addrlen) == 0) return 0;
    if (errno != EINPROGRESS) return errno;
    pollfd waiting{fd, POLLOUT, 0};
    while (running(ctx)) {
      const int ready = ::poll(&waiting, 1, kPollStepMs);
      if (ready < 0 && errno != EINTR) return errno;
      if (ready <= 0) continue;
      int so_error = 0;
      socklen_t length = sizeof so_error;
      if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &length) != 0) return errno;
      return so_error;
    }
    return std::nullopt;
  }

  // Emits records until the server closes the connection (returns ""), the connection fails
  // (returns the error) or the job is cancelled (returns "").
  std::string read_records(const runtime::SourceRunContext& ctx, int fd) {
    char chunk[kReadChunkBytes];
    pollfd waiting{fd, POLLIN, 0};
    while (running(ctx)) {
      const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n > 0) {
        emit_records(chunk, static_cast<size_t>(n));
      } else if (n == 0) {
        return {};
      } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        if (::poll(&waiting, 1, kPollStepMs) < 0 && errno != EINTR) return lost_connection(errno);
      } else if (errno != EINTR) {
        return lost_connection(errno);
      }
    }
    return {};
  }
  std::string lost_connection(int error) const {
    return fmt::format("lost the connection to {}: {}", endpoint(host_, port_),
                       std::strerror(error));
  }

  // Invariant: pending_ holds no delimiter; it is the start of a record still being received.
  void emit_records(const char* data, size_t size) {
    size_t start = pending_.size();
    pending_.append(data, size);
    size_t record_start = 0;
    for (size_t end = pending_.find(delimiter_, start); end != std::string::npos;
         end = pending_.find(delimiter_, record_start)) {
      emit(record_start, end);
      record_start = end + 1;
    }
    pending_.erase(0, record_start);
  }
  void emit_unterminated_record() {
    if (!pending_.empty()) emit(0, pending_.size());
    pending_.clear();
  }
  // Emits pending_[begin, end), without the '\r' of a "\r\n" line ending.
  void emit(size_t begin, size_t end) {
    if (delimiter_ == '\n' && end > begin && pending_[end - 1] == '\r') --end;
    out_->push(pending_.substr(begin, end - begin));
  }

  void wait_before_retry(const runtime::SourceRunContext& ctx) const {
    const auto due = std::chrono::steady_clock::now() + kRetryDelay;
    while (running(ctx) && std::chrono::steady_clock::now() < due) {
      std::this_thread::sleep_until(
          std::min(due, std::chrono::steady_clock::now() + std::chrono::milliseconds(kPollStepMs)));
    }
  }

  const std::string host_;
  const int port_;
  const char delimiter_;
  const int max_retry_;
  runtime::Output<std::string>* out_;
  std::string pending_;
  std::atomic<bool> cancelled_{false};
};

}  // namespace

DataStream<std::string> StreamExecutionEnvironment::socket_text_stream(const std::string& host,
                                                                       int port, char delimiter,
                                                                       int max_retry) const {
  if (host.empty()) throw InvalidProgramException("socket_text_stream: the host is empty");
  if (port < 1 || port > 65535) {
    throw InvalidProgramException("socket_text_stream: port must be in [1, 65535], not " +
                                  std::to_string(port));
  }
  if (max_retry < -1) {
    throw InvalidProgramException(
        "socket_text_stream: max_retry must be -1 (forever) or >= 0, not " +
        std::to_string(max_retry));
  }
  return non_parallel_source<std::string>(
      "Source: Socket Stream",
      [host, port, delimiter, max_retry](const runtime::OperatorOutputs& outputs) {
        return std::make_unique<SocketTextSourceOperator>(host, port, delimiter, max_retry,
                                                          outputs.main_as<std::string>());
      });
}

}  // namespace eddy
