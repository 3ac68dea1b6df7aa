// One exchange's connection, the same for every backend protocol: an idle connection of
// this loop to the backend, else a new one; and once more on a new one when the failure
// allows it (Failure::retry_on_new_connection: a kept connection the backend closed just
// as it was used). The adapter says what it does with the connection (ConnectionUse).
#pragma once
#include <memory>

#include "core/asio.h"
#include "core/exchange_context.h"
#include "core/failure.h"
#include "core/up_conn.h"

namespace cutover {

struct ForwardRequest;
class BodySource;
class ResponseSink;

// One exchange's parties, as Upstream::exchange() got them.
struct Exchange {
  ExchangeContext x;
  const PoolSpec& pool;
  BackendRuntime& backend;
  const ForwardRequest& req;
  BodySource& body;
  ResponseSink& sink;
};

class ConnectionUse {
 public:
  explicit ConnectionUse(const Exchange& e) : ex(e) {}
  virtual ~ConnectionUse() = default;
  // The request and its answer over `c`; on success the adapter may keep `c` for the next
  // request (ExchangeContext::keep), leaving it null. `got_bytes`: some of the answer came.
  virtual awaitable<Failure> use(std::unique_ptr<UpConn>& c, bool& got_bytes) = 0;
  // Whether the request can be sent again (its body not consumed, or kept).
  virtual bool replayable() const = 0;
  // Before the retry on a new connection; `failed` is the connection that failed.
  virtual void retrying(const UpConn* failed) = 0;
  // No idle connection: the adapter's own way to one before connecting anew (FastCGI's
  // kept connections, handed over by another loop). Leaves `c` null to connect.
  virtual awaitable<Failure> when_none_idle(ExchangeContext, std::unique_ptr<UpConn>&) { co_return Failure{}; }
  // A new connection, before it connects (what it holds is given back if that fails) and after.
  virtual void before_connect(UpConn&) {}
  virtual void connected(UpConn&) {}
  // Idle connections the backend had closed after one request each, found on the way.
  virtual void closed_idle(int) {}
  const Exchange ex;
  bool never_idle = false;  // the request must not ride an idle connection (an upgrade)
};

// Runs `use` over a connection to its exchange's backend: see above.
awaitable<Failure> exchange_over_connection(ConnectionUse& use);

}  // namespace cutover
