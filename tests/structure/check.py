#!/usr/bin/env python3
"""Checks on the shape of the code, run by `make test` (tests/CMakeLists.txt):

  check.py seams ROOT    every source file belongs to a module of cmake/seams.txt, includes
                         only the modules it may, and a pure module includes no Asio
  check.py sleeps ROOT   no test sleeps to order events: the only sleeps are the harness's
                         wait_until poll and pace() (a peer's own pace), and the peers'
                         scripts listed in SLEEPING_PEERS
  check.py chart ROOT    every function gateway/README.md's request chart names exists
  check.py selftest ROOT each check above fails on a tree that breaks it

Exit status 0 when the check holds; otherwise 1 and a line per finding.
"""
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import tempfile

SOURCE_DIRS = ["gateway", "http_backend", "fcgi_adapter", "migrate_tool"]
SOURCE_EXT = (".cc", ".h")


def read_seams(root):
    modules = []  # (name, [patterns], kind, [deps]) in file order
    with open(os.path.join(root, "cmake/seams.txt")) as f:
        for line in f:
            if not re.match(r"^[a-z]", line):
                continue
            name, sources, kind, deps = line.split()[:4]
            modules.append((name, sources.split(","), kind, [] if deps == "-" else deps.split(",")))
    return modules


def module_of(path, modules):
    """The module a repository-relative path belongs to: a file pattern wins over a folder,
    and a folder holds its subfolders unless a deeper folder is another module's."""
    best, depth = None, -1
    for name, patterns, _, _ in modules:
        for p in patterns:
            if any(c in p for c in "*?") or os.path.splitext(p)[1]:
                if fnmatch.fnmatchcase(path, p) and path.count("/") == p.count("/"):  # * stays in its folder
                    return name
            elif path.startswith(p + "/") and p.count("/") > depth:
                best, depth = name, p.count("/")
    return best


def closure(name, deps):
    seen, todo = [name], [name]
    while todo:
        for d in deps[todo.pop()]:
            if d not in seen:
                seen.append(d)
                todo.append(d)
    return set(seen)


def source_files(root):
    for top in SOURCE_DIRS:
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            for f in sorted(files):
                if f.endswith(SOURCE_EXT):
                    yield os.path.relpath(os.path.join(dirpath, f), root)


def include_target(root, src, inc):
    """The repository path a quoted include of `src` names, or None if outside the tree."""
    here = os.path.join(os.path.dirname(src), inc)
    if os.path.exists(os.path.join(root, here)):
        return os.path.normpath(here)
    for base in ["gateway", "."]:  # the include roots' folders live here
        p = os.path.normpath(os.path.join(base, inc))
        if os.path.exists(os.path.join(root, p)):
            return p
    return None


def check_seams(root):
    modules = read_seams(root)
    deps = {m[0]: m[3] for m in modules}
    kinds = {m[0]: m[2] for m in modules}
    bad = []
    for src in source_files(root):
        mod = module_of(src, modules)
        if mod is None:
            bad.append(f"{src}: belongs to no module of cmake/seams.txt")
            continue
        allowed = closure(mod, deps)
        with open(os.path.join(root, src), errors="replace") as f:
            for n, line in enumerate(f, 1):
                m = re.match(r'\s*#\s*include\s*([<"])([^>"]+)[>"]', line)
                if not m:
                    continue
                quoted, inc = m.group(1) == '"', m.group(2)
                if kinds[mod] == "pure" and (inc.startswith("boost/") or inc.startswith("asio") or inc == "core/asio.h"):
                    bad.append(f"{src}:{n}: {mod} is pure but includes {inc}")
                if not quoted:
                    continue
                target = include_target(root, src, inc)
                if target is None:
                    continue  # generated (demo_config.h) or a library's own
                tmod = module_of(target, modules)
                if tmod is not None and tmod not in allowed:
                    bad.append(f"{src}:{n}: {mod} includes {inc} of {tmod}, across a seam "
                               f"({mod} may include {', '.join(sorted(allowed - {mod})) or 'nothing'})")
        if mod in PROTOCOL_NEUTRAL:
            with open(os.path.join(root, src), errors="replace") as f:
                for n, line in enumerate(f, 1):
                    code = line.split("//", 1)[0]
                    if re.search(r"(?i)fastcgi|fcgi|scgi", code):
                        bad.append(f"{src}:{n}: {mod} names a backend protocol in its code; that belongs to its "
                                   f"adapter (Upstream, BackendState) or the config")
        for rule_files, word, why in NARROW_SEAMS:
            if (rule_files == "adapters" and mod in ADAPTERS) or src in rule_files:
                with open(os.path.join(root, src), errors="replace") as f:
                    for n, line in enumerate(f, 1):
                        code = line.split("//", 1)[0]
                        if re.search(word, code):
                            bad.append(f"{src}:{n}: {why}")
    return bad


# Backend adapters: an exchange sees its ExchangeContext, never the event loop's whole context.
ADAPTERS = {"http_backend", "fcgi_adapter"}
# The request phases see the downstream seam (proxy/stream.h), never the HTTP/1 framing.
PHASE_FILES = {"gateway/proxy/session.cc", "gateway/proxy/session.h", "gateway/proxy/stream.h", "gateway/proxy/stream.cc",
               "gateway/proxy/static_files.cc", "gateway/proxy/static_files.h"}
NARROW_SEAMS = [
    ("adapters", r"\bThreadContext\b|core/thread_context\.h",
     "a backend adapter names the event loop's ThreadContext; an exchange gets an ExchangeContext (core/exchange_context.h)"),
    (PHASE_FILES, r"\b(Downstream|Http1Response|Http1Body|Http1Connection)\b|proxy/http1_(stream|connection)\.h|http1/(parser|chunked)\.h",
     "the request phases name the HTTP/1 framing; they see RequestStream and ResponseStream (proxy/stream.h)"),
]


# Modules that never name a backend protocol (comments may): a new kind of backend plugs in
# through core/upstream.h without touching them.
PROTOCOL_NEUTRAL = {"core", "proxy", "supervise", "control", "balance"}


# Peers' own scripts that sleep as part of what they are (a worker that ticks, one slow to stop).
SLEEPING_PEERS = {
    "tests/e2e/workers_test.cc": 1,  # the worker script's tick loop
    "tests/e2e/worker_stop_test.cc": 1,  # a worker that takes 2 s to stop on TERM
}
SLEEP_RE = re.compile(r"\b(sleep_for|sleep_until|usleep|nanosleep)\s*\(|\btime\.sleep\s*\(|\bsleep\s+[0-9]")
TIMING_RE = re.compile(r"(EXPECT|ASSERT)_(LT|LE|GT|GE)\s*\(.*(steady_clock|system_clock|/\s*seconds\b|took\b)")


def check_sleeps(root):
    bad = []
    allowed_files = {"tests/e2e/harness.cc": "wait_until's poll and pace()",
                     "tests/e2e/browser.cc": "polling the page in wait_text"}
    for dirpath, _, files in os.walk(os.path.join(root, "tests")):
        if "/corpus" in dirpath or "/data" in dirpath:
            continue
        for f in sorted(files):
            if not f.endswith((".cc", ".h", ".sh", ".py")) or f == "check.py":
                continue
            path = os.path.relpath(os.path.join(dirpath, f), root)
            with open(os.path.join(root, path), errors="replace") as fh:
                text = fh.read()
            sleeps = [n for n, line in enumerate(text.splitlines(), 1) if SLEEP_RE.search(line)]
            if path not in allowed_files and len(sleeps) > SLEEPING_PEERS.get(path, 0):
                for n in sleeps:
                    bad.append(f"{path}:{n}: a fixed sleep: wait on an event with wait_until, or pace() a peer")
            for n, line in enumerate(text.splitlines(), 1):
                if TIMING_RE.search(line):
                    bad.append(f"{path}:{n}: a timing assertion: measure it in bench/, or wait with a deadline")
    return bad


def chart_names(root):
    with open(os.path.join(root, "gateway/README.md")) as f:
        text = f.read()
    names = set()
    for block in re.findall(r"```\n(.*?)```", text, re.S):
        names.update(re.findall(r"\b([A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*)\(\)", block))
    return sorted(names)


def class_bodies(text, owner):
    """The bodies of every class, struct or namespace named `owner` in `text`."""
    for m in re.finditer(r"\b(class|struct|namespace)\s+" + re.escape(owner) + r"\b[^;{]*\{", text):
        depth, i = 1, m.end()
        while depth and i < len(text):
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        yield text[m.end():i]


def check_chart(root):
    corpus = []
    for src in source_files(root):
        with open(os.path.join(root, src), errors="replace") as f:
            corpus.append(f.read())
    text = "\n".join(corpus)
    bad = []
    names = chart_names(root)
    for name in names:
        parts = name.split("::")
        short, owner = parts[-1], parts[-2] if len(parts) > 1 else None
        # Declared or defined: the name and its parameter list, then a body or `;` with only
        # qualifiers between (const, override, = 0, -> T); a call inside an expression does
        # not end like that.
        decl = re.compile(r"(^|[\s*&>:])" + re.escape(short) + r"\s*\([^;{}]*\)[^;{}()]*[{;]", re.M)
        if owner:
            found = re.search(r"\b" + re.escape(owner) + r"::" + re.escape(short) + r"\s*\(", text) or any(
                decl.search(body) for body in class_bodies(text, owner))
        else:
            found = decl.search(text)
        if not found:
            bad.append(f"gateway/README.md names {name}(), which does not exist")
    if len(names) < 10:
        bad.append("gateway/README.md's chart names fewer than 10 functions: is the chart still there?")
    return bad


def selftest(root):
    me = os.path.abspath(__file__)
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        for d in SOURCE_DIRS + ["cmake", "tests"]:
            shutil.copytree(os.path.join(root, d), os.path.join(tmp, d), ignore=shutil.ignore_patterns("corpus", "data"))
        def run(what):
            return subprocess.run([sys.executable, me, what, tmp], capture_output=True, text=True)
        for what in ["seams", "sleeps", "chart"]:
            if run(what).returncode != 0:
                failures.append(f"the tree as it is fails `{what}`: fix that first")
        def breaks(what, path, text, expect):
            p = os.path.join(tmp, path)
            with open(p) as f:
                before = f.read()
            with open(p, "w") as f:
                f.write(text + before if path.endswith(SOURCE_EXT) and "README" not in path else before + text)
            r = run(what)
            with open(p, "w") as f:
                f.write(before)
            if r.returncode == 0 or expect not in r.stdout:
                failures.append(f"`{what}` missed {expect!r} after editing {path}: {r.stdout}")
        breaks("seams", "fcgi_adapter/spool.cc", '#include "http_backend/http_upstream.h"\n', "across a seam")
        breaks("seams", "http_backend/http_upstream.cc", '#include "fcgi_adapter/fcgi_upstream.h"\n', "across a seam")
        breaks("seams", "gateway/core/runtime.cc", '#include "proxy/session.h"\n', "across a seam")
        breaks("seams", "migrate_tool/parser.cc", "#include <boost/asio.hpp>\n", "is pure")
        breaks("seams", "fcgi_adapter/fcgi_upstream.cc", "static void f(cutover::ThreadContext&);\n", "ExchangeContext")
        breaks("seams", "gateway/proxy/session.cc", '#include "proxy/http1_stream.h"\n', "the HTTP/1 framing")
        breaks("seams", "gateway/http1/parser.cc", '#include "core/asio.h"\n', "is pure")
        breaks("seams", "gateway/supervise/supervisor.cc", 'static bool f(const std::string& p) { return p == "fastcgi"; }\n',
               "names a backend protocol")
        os.makedirs(os.path.join(tmp, "gateway/newthing"))
        with open(os.path.join(tmp, "gateway/newthing/x.cc"), "w") as f:
            f.write("int x;\n")
        r = run("seams")
        if r.returncode == 0 or "belongs to no module" not in r.stdout:
            failures.append("`seams` missed a folder no module holds")
        os.remove(os.path.join(tmp, "gateway/newthing/x.cc"))
        breaks("sleeps", "tests/e2e/drain_test.cc", "void f() { std::this_thread::sleep_for(std::chrono::milliseconds(300)); }\n", "a fixed sleep")
        breaks("sleeps", "tests/e2e/drain_test.cc", "void g() { EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s); }\n", "a timing assertion")
        breaks("chart", "gateway/README.md", "\n```\n  └─ no_such_phase_anywhere()\n```\n", "no_such_phase_anywhere")
        breaks("chart", "gateway/README.md", "\n```\n  └─ Session::no_such_phase()\n```\n", "Session::no_such_phase")
    return failures


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("seams", "sleeps", "chart", "selftest"):
        print(__doc__)
        return 2
    what, root = sys.argv[1], os.path.abspath(sys.argv[2])
    bad = {"seams": check_seams, "sleeps": check_sleeps, "chart": check_chart, "selftest": selftest}[what](root)
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
