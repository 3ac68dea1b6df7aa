// Mirrors (DESIGN.md: an off-path copy of a request to another pool), for compare (A/B): after the legacy pool answered the client, a copy of
// the request goes to the candidate pool in a coroutine of its own, bounded by a per-route
// concurrency cap and queue, and the two answers are compared (stage/compare.h). The
// client never waits for it and its connection is not held.
#pragma once
#include <memory>
#include <string>

#include "core/thread_context.h"
#include "core/upstream.h"
#include "stage/compare.h"

namespace cutover {

// Records what a backend answered, up to a size limit, for a comparison. As a tee it also
// passes everything on to the client's sink.
class CaptureSink final : public ResponseSink {
 public:
  CaptureSink(uint64_t limit, ResponseSink* pass_to = nullptr) : limit_(limit), next_(pass_to) {}
  void start(const ResponseStart& r) override;
  awaitable<bool> body(std::string_view data) override;
  awaitable<bool> finish() override;
  awaitable<void> tunnel(UpSocket& up, std::string_view up_leftover) override;
  // The client gets what the app handed over; the copy has nothing comparable.
  bool hand_off(Handoff h) override {
    cap_.truncated = true;
    return next_ && next_->hand_off(std::move(h));
  }
  bool started() const override { return next_ ? next_->started() : started_; }
  bool retract() override {
    if (next_ && !next_->retract()) return false;
    started_ = false;
    cap_ = {};
    return true;
  }
  stage::Captured& captured() { return cap_; }

 private:
  uint64_t limit_;
  ResponseSink* next_;
  bool started_ = false;
  stage::Captured cap_;
};

// Records the request body as it is read (up to a limit) so the copy can send it again.
class CapturingBody final : public BodySource {
 public:
  CapturingBody(BodySource& inner, uint64_t limit) : inner_(inner), limit_(limit) {}
  bool has_body() const override { return inner_.has_body(); }
  std::optional<uint64_t> length() const override { return inner_.length(); }
  awaitable<std::string_view> read(error_code& ec) override;
  bool replayable() const override { return inner_.replayable(); }
  void rewind() override {
    inner_.rewind();
    bytes_.clear();
    over_ = false;
  }
  std::string& bytes() { return bytes_; }
  bool over_limit() const { return over_; }

 private:
  BodySource& inner_;
  uint64_t limit_;
  std::string bytes_;
  bool over_ = false;
};

// Everything the copy needs, owned (the client's request buffers are reused at once).
struct MirrorJob {
  std::shared_ptr<const Snapshot> snap;
  size_t route_index = 0;
  std::string text;  // what the views of `head` and `extra_fields` point into
  http1::RequestHead head;
  std::string target;      // what the candidate is asked for
  std::string primary_target;  // what the legacy pool was asked for (for the secondary)
  std::vector<http1::Field> extra_fields;
  std::string body;
  std::string client_ip, server_ip;
  uint16_t client_port = 0, server_port = 0;
  stage::Captured primary;
  int64_t primary_ms = 0;
};

// Starts the comparison on this thread's event loop and returns at once.
void spawn_mirror(ThreadContext& tc, std::unique_ptr<MirrorJob> job);

}  // namespace cutover
