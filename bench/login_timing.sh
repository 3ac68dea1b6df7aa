#!/usr/bin/env bash
# Whether a login's time tells a wrong user name from a wrong password: an [[auth]] area
# whose htpasswd file has apr1 entries (htpasswd -m), N logins each way on one kept-alive
# connection, median and p90 of each (cutover hashes on its blocking pool).
#   bench/login_timing.sh [N=40] [SCHEME=-m]   (-m apr1, -B bcrypt, -5 sha256, -6 sha512)
set -euo pipefail
N=${1:-40}
SCHEME=${2:--m}
. "$(dirname "$0")/lib.sh"
CUT=$(free_port)
for u in alice bob carol; do htpasswd -b $SCHEME ${FIRST:--c} "$WORK/htpasswd" "$u" "pw-$u" 2>/dev/null; FIRST=" "; done
cat > "$WORK/cutover.toml" <<TOML
[server]
allow_root = true  # the bench machine runs as root
listen = ["127.0.0.1:$CUT"]
[[auth]]
prefix = "/"
htpasswd = "$WORK/htpasswd"
max_failures = 0
[[routes]]
name = "r"
redirect = { to = "/x" }
TOML
start 1 "$CUTOVER" serve -c "$WORK/cutover.toml" 2>"$WORK/cutover.log"
wait_port "$CUT"
python3 - "$CUT" "$N" <<'PY'
import base64, socket, statistics, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port))
def login(user, pw):
    a = base64.b64encode(f"{user}:{pw}".encode()).decode()
    t = time.perf_counter()
    s.sendall(f"GET /p HTTP/1.1\r\nHost: t\r\nAuthorization: Basic {a}\r\n\r\n".encode())
    buf = b""
    while b"\r\n\r\n" not in buf: buf += s.recv(65536)
    head, _, rest = buf.partition(b"\r\n\r\n")
    length = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
    while len(rest) < length: rest += s.recv(65536)
    return (time.perf_counter() - t) * 1000
unknown, wrong = [], []
for i in range(n):  # interleaved, so drift hits both alike
    unknown.append(login(f"nobody{i}", "x"))
    wrong.append(login("alice", f"wrong{i}"))
for name, v in (("unknown user", unknown), ("wrong password", wrong)):
    v.sort()
    print(f"| {name} | {statistics.median(v):.3f} ms | {v[int(len(v) * 0.9)]:.3f} ms |")
print(f"ratio of the medians: {statistics.median(unknown) / statistics.median(wrong):.2f}")
PY
