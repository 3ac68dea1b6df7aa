// The one place that includes Asio. Boost 1.74's coroutine headers need <utility> first
// under g++ 12 with -std=c++20.
#pragma once
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace cutover {
namespace asio = boost::asio;
using error_code = boost::system::error_code;
template <class T = void>
using awaitable = asio::awaitable<T>;
using tcp = asio::ip::tcp;
using UpSocket = asio::generic::stream_protocol::socket;  // TCP or unix, to a backend
}  // namespace cutover
