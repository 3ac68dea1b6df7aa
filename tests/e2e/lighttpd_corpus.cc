#include "lighttpd_corpus.h"

#include <sstream>

namespace e2e {

const std::vector<Request> kRequests = {
    {"GET", "/"},
    {"GET", "/index.html"},
    {"GET", "/static/hello.txt"},
    {"GET", "/staticky"},
    {"GET", "/static/hello.txt?v=2"},
    {"GET", "/sub/"},
    {"GET", "/sub"},
    {"GET", "/missing"},
    {"GET", "/x.php"},
    {"GET", "/x.php/extra?q=1"},
    {"GET", "/index.php/route/7?x=y"},
    {"GET", "/app"},
    {"GET", "/app/"},
    {"GET", "/app/x.php?a=b"},
    {"GET", "/app/x.php/more/info"},
    {"GET", "/app/deep/path"},
    {"GET", "/application/x"},
    {"GET", "/api/v1/users?id=7"},
    {"GET", "/old/page?a=1"},
    {"GET", "/dir/file.txt"},
    {"GET", "/a%20b/%7Euser"},
    {"POST", "/app/form"},
    {"HEAD", "/static/hello.txt"},
    {"GET", "/notes.inc"},
    {"GET", "/backup.txt~"},
    {"GET", "/assets/logo.txt"},
    {"GET", "/", "api.local"},
    {"GET", "/api/x", "api.local"},
    {"GET", "/app/x", "api.local"},
    {"GET", "/app/x", "api.local:8080"},
    {"GET", "/x/y?z=1", "foo.example.org"},
    {"GET", "/dir/file.txt", "foo.example.org"},
    {"GET", "/app/x", "FOO.example.org"},
    {"GET", "/old/a", "foo.example.org"},
    {"GET", "/", "shop.example.org:8080"},
    {"GET", "/old/a", "api.local"},
    {"GET", "/sub/x", "other.org"},
    {"GET", "/app/y", "api.local"},
    {"GET", "/api/v1/users?id=7", "api.local"},
    {"GET", "/proxy/next?location=%2Fthen%3Fa%3D1"},
    {"GET", "/app/secret.inc"},
    {"GET", "/api/moved?location=http%3A%2F%2Fbackend.internal%2Fdone", "api.local"},
    // Answers whose URLs proxy.header maps back.
    {"GET", "/proxy/c?set-cookie=sid%3D1%3B%20Path%3D%2Fcart%3B%20Domain%3D.backend.internal%3B%20HttpOnly"},
    {"GET", "/api/c?set-cookie=sid%3D1%3B%20path%3D%2Fv2%2Fx%3B%20domain%3Dbackend.internal&content-location=%2Fv2%2Fdoc",
     "api.local"},
    {"GET", "/api/c?content-location=http%3A%2F%2Fdefault.internal%2Fv2%2Fdoc", "other.org"},
    // For blocks on other request fields.
    {"GET", "/api/v1/users?id=7", "127.0.0.1", "User-Agent: Googlebot/2.1\r\n"},
    {"GET", "/app/x", "127.0.0.1", "X-Canary: 1\r\n"},
    {"GET", "/app/x", "127.0.0.1", "X-Canary: 10\r\n"},
    {"GET", "/static/hello.txt?a=2&debug=1"},
    {"GET", "/app/y?debug=10"},
    {"GET", "/old/page?a=1", "127.0.0.1", "Cookie: x=2; beta=1\r\n"},
    {"GET", "/old/page?a=1", "127.0.0.1", "Cookie: beta=10\r\n"},
    {"GET", "/static/hello.txt", "127.0.0.1", "Referer: http://spam.example/\r\n"},
    {"GET", "/index.html", "127.0.0.1", "Referer: http://ok.example/\r\n"},
    {"GET", "/static/hello.txt", "127.0.0.1", "Referer: http://ok.example/\r\n"},
    // What a proxy in front says about the client (mod_extforward).
    {"GET", "/app/x", "127.0.0.1", "X-Forwarded-For: 127.0.10.1\r\n"},
    {"GET", "/app/x", "127.0.0.1", "X-Forwarded-For: 127.0.10.1, 127.0.20.1\r\nX-Forwarded-Proto: https\r\n"},
    {"GET", "/app/x", "127.0.0.1", "Forwarded: for=127.0.10.1, for=127.0.20.1;proto=https\r\nX-Forwarded-For: 127.0.30.5\r\n"},
    {"GET", "/app/x", "127.0.0.1", "Forwarded-For: 127.0.40.1\r\n"},
    {"GET", "/static/hello.txt", "127.0.0.1", "X-Forwarded-For: 10.9.8.7\r\n"},
    // A range of a file (server.range-requests in a url block turns it off there).
    {"GET", "/static/hello.txt", "127.0.0.1", "Range: bytes=0-3\r\n"},
    {"GET", "/dir/file.txt", "127.0.0.1", "Range: bytes=2-5\r\n"},
    // Credentials (mod_auth): Basic right, wrong and undecodable; Digest unsigned and with a
    // nonce the server never made (stale).
    {"GET", "/dir/file.txt", "api.local", "Authorization: Basic amFuOmphbg==\r\n"},
    {"GET", "/dir/file.txt", "api.local", "Authorization: Basic amFuOmphbQ==\r\n"},
    {"GET", "/dir/file.txt", "api.local", "Authorization: Basic =\r\n"},
    {"GET", "/dir/file.txt", "api.local"},
    {"GET", "/dir/file.txt", "apr.api.local", "Authorization: Basic YXByOmFwcg==\r\n"},
    {"GET", "/dir/file.txt", "apr.api.local", "Authorization: Basic amFuOmphbg==\r\n"},
    {"GET", "/static/hello.txt", "api.local"},
    {"GET", "/static/hello.txt", "api.local", "Authorization: Digest username=\"jan\", realm=\"r\", nonce=\"b3b26457000000003a9b34a3cd56d26e48a52a498ac9765d4b\", "
     "uri=\"/static/hello.txt\", qop=auth, nc=00000001, cnonce=\"65ee1b37\", algorithm=\"md5\", response=\"049b000fb00ab51dddea6f093a96aa2e\"\r\n"},
    {"GET", "/static/hello.txt", "api.local", "Authorization: Digest username=\"jan\", realm=\"r\", nonce=\"x\", uri=\"/static/hello.txt\", qop=auth, "
     "response=\"049b000fb00ab51dddea6f093a96aa2e\"\r\n"},
    {"GET", "/sub/", "127.0.0.1", "Authorization: Basic amFuOmphbg==\r\n"},
    {"GET", "/sub/", "127.0.0.1", "Authorization: Basic YW5uOmFubg==\r\n"},
    // Aliases and expiry of a host block over the global ones.
    {"GET", "/static/logo.txt", "api.local"},
    {"GET", "/assets/logo.txt", "api.local"},
    {"HEAD", "/static/hello.txt"},
    // Errors cutover answers itself, for the error handlers of blocks.
    {"GET", "/static/nope.txt", "api.local"},
    {"GET", "/dir/nope", "api.local"},
    {"GET", "/missing", "api.local"},
    // Methods files do not take as GET: lighttpd serves a POST, answers OPTIONS 200 with
    // Allow (and OPTIONS * for the server), 501 otherwise; a missing file stays 404.
    {"POST", "/static/hello.txt"},
    {"OPTIONS", "/static/hello.txt"},
    {"OPTIONS", "*"},
    {"OPTIONS", "/"},
    {"PUT", "/static/hello.txt"},
    {"DELETE", "/dir/file.txt"},
    // Body limits: 2 KiB against a block's 1 KB and the server's.
    {"POST", "/app/upload", "127.0.0.1", "", std::string(2048, 'x')},
    {"POST", "/app/form", "127.0.0.1", "", std::string(2048, 'x')},
};

// What may differ between two correct answers: the listener's port and the server's name.
std::string normalize_body(const std::string& body) {
  std::istringstream in(body);
  std::string line, out;
  while (std::getline(in, line)) {
    for (const char* skip : {"SERVER_PORT=", "REMOTE_PORT=", "SERVER_SOFTWARE="})
      if (line.rfind(skip, 0) == 0) line.clear();
    if (!line.empty()) out += line + "\n";
  }
  return out;
}

std::string location_path(const std::string& loc) {
  if (loc.rfind("http://", 0) != 0) return loc;
  size_t slash = loc.find('/', 7);
  return slash == std::string::npos ? "/" : loc.substr(slash);
}

std::optional<Response> ask(int port, const Request& r) {
  Client c(port);
  std::string req = r.method + " " + r.target + " HTTP/1.1\r\nHost: " + r.host + "\r\nConnection: close\r\n" + r.fields;
  if (r.method == "POST")
    req += "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + std::to_string(r.body.size()) + "\r\n\r\n" + r.body;
  else req += "\r\n";
  if (!c.send(req)) return std::nullopt;
  return c.read(r.method == "HEAD");
}

const std::vector<Case> kCorpus = {
    {"setenv in a host block and a url block",
     "server.modules = (\"mod_setenv\", \"mod_fastcgi\")\nserver.document-root = \"{DOCROOT}\"\nserver.port = {PORT}\n"
     "index-file.names = ( \"index.html\" )\nsetenv.add-response-header = ( \"X-Frame-Options\" => \"DENY\" )\n"
     "fastcgi.server = ( \"/app/\" => (( \"socket\" => \"{APP}\", \"check-local\" => \"disable\" )) )\n"
     "setenv.add-environment = ( \"APP_ENV\" => \"production\", \"TZ\" => \"UTC\" )\n"
     "setenv.set-environment = ( \"TZ\" => \"Europe/Paris\" )\n"
     "$HTTP[\"host\"] == \"api.local\" {\n  setenv.add-response-header = ( \"X-Frame-Options\" => \"SAMEORIGIN\" )\n"
     "  setenv.set-environment = ( \"APP_ENV\" => \"api\" )\n}\n"
     "$HTTP[\"url\"] =~ \"^/app/\" {\n  setenv.add-request-header = ( \"X-In-App\" => \"yes\" )\n"
     "  setenv.add-environment = ( \"IN_APP\" => \"1\" )\n}\n"},
    {"proxy.header map-host-request and map-host-response",
     "server.modules = (\"mod_proxy\")\nserver.document-root = \"{DOCROOT}\"\nserver.port = {PORT}\nindex-file.names = ( \"index.html\" )\n"
     "proxy.server = ( \"/api/\" => (( \"host\" => \"127.0.0.1\", \"port\" => {W2} )) )\n"
     "proxy.header = ( \"map-host-request\" => ( \"api.local\" => \"backend.internal\", \"-\" => \"default.internal\" ),\n"
     "                 \"map-host-response\" => ( \"backend.internal\" => \"-\" ) )\n"},
    {"error-handler-404 into a FastCGI front controller",
     "server.modules = (\"mod_fastcgi\")\nserver.document-root = \"{DOCROOT}\"\nserver.port = {PORT}\nindex-file.names = ( \"index.html\" )\n"
     "server.error-handler-404 = \"/app/dispatch?from=404\"\n"
     "fastcgi.server = ( \"/app/\" => (( \"socket\" => \"{APP}\", \"check-local\" => \"disable\" )) )\n"},
    {"error-handler-404 to a static page",
     "server.modules = (\"mod_fastcgi\")\nserver.document-root = \"{DOCROOT}\"\nserver.port = {PORT}\nindex-file.names = ( \"index.html\" )\n"
     "server.error-handler-404 = \"/static/hello.txt\"\n"},
    {"error-handler for a denied file",
     "server.modules = (\"mod_access\", \"mod_fastcgi\")\nserver.document-root = \"{DOCROOT}\"\nserver.port = {PORT}\n"
     "index-file.names = ( \"index.html\" )\nurl.access-deny = ( \".inc\", \"~\" )\n"
     "server.error-handler = \"/app/error\"\n"
     "fastcgi.server = ( \"/app/\" => (( \"socket\" => \"{APP}\", \"check-local\" => \"disable\" )) )\n"},
    {"setenv: request fields, answer fields, the FastCGI environment",
     "server.modules = (\"mod_setenv\", \"mod_fastcgi\", \"mod_proxy\")\nserver.document-root = \"{DOCROOT}\"\nserver.port = {PORT}\n"
     "setenv.add-request-header = ( \"X-Added\" => \"by-setenv\" )\n"
     "setenv.set-request-header = ( \"User-Agent\" => \"set-by-setenv\" )\n"
     "setenv.add-response-header = ( \"X-Frame-Options\" => \"DENY\" )\n"
     "setenv.add-environment = ( \"APP_ENV\" => \"production\" )\n"
     "fastcgi.server = ( \"/app/\" => (( \"socket\" => \"{APP}\", \"check-local\" => \"disable\" )) )\n"
     "proxy.server = ( \"/api/\" => (( \"host\" => \"127.0.0.1\", \"port\" => {W2} )) )\n"},
    {"seed in 1.4 syntax (rewrite-once idiom, proxy, map-urlpath)",
     "server.modules = (\"mod_rewrite\", \"mod_proxy\")\nserver.document-root = \"{DOCROOT}\"\nserver.port = {PORT}\n"
     "url.rewrite-once = ( \"^/static.*\" => \"$0\", \"(.*)\" => \"/proxy$1\" )\n"
     "proxy.server = ( \"/proxy\" => (( \"host\" => \"127.0.0.1\", \"port\" => {W1} )) )\n"
     "proxy.header = ( \"map-urlpath\" => ( \"/proxy/\" => \"/\" ) )\n"},
    {"PHP front controller with rewrite-if-not-file",
     "server.modules = (\"mod_rewrite\", \"mod_fastcgi\")\nserver.document-root = \"{DOCROOT}\"\nserver.port = {PORT}\n"
     "index-file.names = ( \"index.html\" )\nstatic-file.exclude-extensions = ( \".php\" )\n"
     "url.rewrite-if-not-file = ( \"^/(.*)$\" => \"/index.php/$1\" )\n"
     "fastcgi.server = ( \".php\" => (( \"socket\" => \"{APP}\" )) )\n"},
    {"app at / with fix-root-scriptname",
     "server.modules = (\"mod_fastcgi\")\nserver.document-root = \"{DOCROOT}\"\nserver.port = {PORT}\n"
     "fastcgi.server = ( \"/\" => (( \"socket\" => \"{APP}\", \"check-local\" => \"disable\", \"fix-root-scriptname\" => \"enable\" )) )\n"},
    {"app at / without fix-root-scriptname",
     "server.modules = (\"mod_fastcgi\")\nserver.document-root = \"{DOCROOT}\"\nserver.port = {PORT}\n"
     "fastcgi.server = ( \"/\" => (( \"socket\" => \"{APP}\", \"check-local\" => \"disable\" )) )\n"},
    {"prefix mount with a trailing slash, a body limit for uploads",
     "server.modules = (\"mod_fastcgi\")\nserver.document-root = \"{DOCROOT}\"\nserver.port = {PORT}\nindex-file.names = ( \"index.html\" )\n"
     "fastcgi.server = ( \"/app/\" => (( \"socket\" => \"{APP}\", \"check-local\" => \"disable\" )) )\n"
     "$HTTP[\"url\"] =^ \"/app/up\" {\n  server.max-request-size = 1\n}\n"},
    {"prefix mount with check-local (lighttpd's default): the file system splits the path",
     "server.modules = (\"mod_fastcgi\")\nserver.document-root = \"{DOCROOT}\"\nserver.port = {PORT}\nindex-file.names = ( \"index.html\" )\n"
     "fastcgi.server = ( \"/app/\" => (( \"socket\" => \"{APP}\" )) )\n"},
    {"prefix mount without a trailing slash (no segment boundary)",
     "server.modules = (\"mod_fastcgi\")\nserver.document-root = \"{DOCROOT}\"\nserver.port = {PORT}\nindex-file.names = ( \"index.html\" )\n"
     "fastcgi.server = ( \"/app\" => (( \"socket\" => \"{APP}\", \"check-local\" => \"disable\" )) )\n"},
    {"proxy.server with map-urlpath to two pools",
     "server.modules = (\"mod_proxy\")\nserver.document-root = \"{DOCROOT}\"\nserver.port = {PORT}\nindex-file.names = ( \"index.html\" )\n"
     "proxy.server = ( \"/api/\" => (( \"host\" => \"127.0.0.1\", \"port\" => {W2} )), \"/app\" => (( \"host\" => \"127.0.0.1\", \"port\" => {W1} )) )\n"
     "proxy.header = ( \"map-urlpath\" => ( \"/api/\" => \"/v2/\", \"/app\" => \"/application\" ),\n"
     "                 \"map-host-request\" => ( \"-\" => \"default.internal\" ),\n"
     "                 \"map-host-response\" => ( \"-\" => \"-\", \"backend.internal\" => \"www.example.org\" ) )\n"},
    {"redirects",
     "server.modules = (\"mod_redirect\")\nserver.document-root = \"{DOCROOT}\"\nserver.port = {PORT}\nindex-file.names = ( \"index.html\" )\n"
     "url.redirect = ( \"^/old/(.*)\" => \"/new/$1\", \"^/app$\" => \"/app/\" )\nurl.redirect-code = 302\n"},
    {"excluded extensions and access-deny",
     "server.modules = (\"mod_access\")\nserver.document-root = \"{DOCROOT}\"\nserver.port = {PORT}\nindex-file.names = ( \"index.html\" )\n"
     "static-file.exclude-extensions = ( \".php\", \".inc\" )\nurl.access-deny = ( \"~\" )\n"},
    {"alias next to the docroot",
     "server.modules = (\"mod_alias\")\nserver.document-root = \"{DOCROOT}\"\nserver.port = {PORT}\nindex-file.names = ( \"index.html\" )\n"
     "alias.url = ( \"/assets/\" => \"{ASSETS}\" )\n"},
    {"virtual host block routing to another worker",
     "server.modules = (\"mod_proxy\")\nserver.document-root = \"{DOCROOT}\"\nserver.port = {PORT}\nindex-file.names = ( \"index.html\" )\n"
     "proxy.server = ( \"/app\" => (( \"host\" => \"127.0.0.1\", \"port\" => {W1} )) )\n"
     "$HTTP[\"host\"] == \"api.local\" {\n  proxy.server = ( \"\" => (( \"host\" => \"127.0.0.1\", \"port\" => {W2} )) )\n}\n"},
    {"virtual hosts with %1 captures and an == host block",
     "server.modules = (\"mod_rewrite\", \"mod_fastcgi\")\nserver.document-root = \"{DOCROOT}\"\nserver.port = {PORT}\nindex-file.names = ( \"index.html\" )\n"
     "url.rewrite-once = ( \"^/old/(.*)\" => \"/app/$1\" )\n"
     "$HTTP[\"host\"] =~ \"^([a-z]+)\\.example\\.org$\" {\n  url.rewrite-once = ( \"^/(.*)\" => \"/app/%1/$1\" )\n}\n"
     "$HTTP[\"host\"] == \"shop.example.org\" {\n  url.rewrite-once = ( \"^/(.*)\" => \"/app/shop/$1\" )\n}\n"
     "fastcgi.server = ( \"/app\" => (( \"socket\" => \"{APP}\", \"check-local\" => \"disable\" )) )\n"},
    {"a regex host block with a proxy, a redirect using its capture, setenv and a deny",
     "server.modules = (\"mod_setenv\", \"mod_redirect\", \"mod_access\", \"mod_proxy\", \"mod_fastcgi\")\n"
     "server.document-root = \"{DOCROOT}\"\nserver.port = {PORT}\nindex-file.names = ( \"index.html\" )\n"
     "proxy.server = ( \"/app\" => (( \"host\" => \"127.0.0.1\", \"port\" => {W1} )) )\n"
     "$HTTP[\"host\"] =~ \"^([a-z]+)\\.example\\.org$\" {\n"
     "  proxy.server = ( \"\" => (( \"host\" => \"127.0.0.1\", \"port\" => {W2} )) )\n"
     "  url.redirect = ( \"^/old/(.*)\" => \"http://%1.example.net/$1\" )\n"
     "  setenv.add-response-header = ( \"X-Frame-Options\" => \"vhost\" )\n"
     "  url.access-deny = ( \".txt\" )\n}\n"},
    {"an else chain of host blocks",
     "server.modules = (\"mod_rewrite\", \"mod_proxy\", \"mod_fastcgi\")\nserver.document-root = \"{DOCROOT}\"\nserver.port = {PORT}\nindex-file.names = ( \"index.html\" )\n"
     "url.rewrite-once = ( \"^/old/(.*)\" => \"/app/$1\" )\n"
     "fastcgi.server = ( \"/app\" => (( \"socket\" => \"{APP}\", \"check-local\" => \"disable\" )) )\n"
     "$HTTP[\"host\"] == \"api.local\" {\n  proxy.server = ( \"\" => (( \"host\" => \"127.0.0.1\", \"port\" => {W2} )) )\n}\n"
     "else $HTTP[\"host\"] =~ \"^([a-z]+)\\.example\\.org$\" {\n  url.rewrite-once = ( \"^/(.*)\" => \"/app/%1/$1\" )\n}\n"
     "else {\n  url.rewrite-once = ( \"^/sub/(.*)\" => \"/app/sub/$1\" )\n}\n"},
    {"url blocks replacing the global proxy.server",
     "server.modules = (\"mod_proxy\")\nserver.document-root = \"{DOCROOT}\"\nserver.port = {PORT}\nindex-file.names = ( \"index.html\" )\n"
     "proxy.server = ( \"/app\" => (( \"host\" => \"127.0.0.1\", \"port\" => {W1} )) )\n"
     "$HTTP[\"url\"] =~ \"^/(api|app/x)\" {\n  proxy.server = ( \"\" => (( \"host\" => \"127.0.0.1\", \"port\" => {W2} )) )\n}\n"},
    {"an extension key inside a url block",
     "server.modules = (\"mod_fastcgi\")\nserver.document-root = \"{DOCROOT}\"\nserver.port = {PORT}\nindex-file.names = ( \"index.html\" )\n"
     "$HTTP[\"url\"] =^ \"/app/\" {\n  fastcgi.server = ( \".php\" => (( \"socket\" => \"{APP}\" )) )\n}\n"},
    {"the app at / except static files (the !~ idiom)",
     "server.modules = (\"mod_fastcgi\")\nserver.document-root = \"{DOCROOT}\"\nserver.port = {PORT}\nindex-file.names = ( \"index.html\" )\n"
     "$HTTP[\"url\"] !~ \"^/(static|sub)/\" {\n  fastcgi.server = ( \"/\" => (( \"socket\" => \"{APP}\", \"check-local\" => \"disable\", \"fix-root-scriptname\" => \"enable\" )) )\n}\n"},
    {"nested url blocks with else inside a host block",
     "server.modules = (\"mod_proxy\", \"mod_fastcgi\")\nserver.document-root = \"{DOCROOT}\"\nserver.port = {PORT}\nindex-file.names = ( \"index.html\" )\n"
     "proxy.server = ( \"/app\" => (( \"host\" => \"127.0.0.1\", \"port\" => {W1} )) )\n"
     "$HTTP[\"host\"] == \"api.local\" {\n"
     "  $HTTP[\"url\"] =~ \"^/app/x\" {\n    proxy.server = ( \"\" => (( \"host\" => \"127.0.0.1\", \"port\" => {W2} )) )\n  }\n"
     "  else $HTTP[\"url\"] =^ \"/api/\" {\n    fastcgi.server = ( \"/api\" => (( \"socket\" => \"{APP}\", \"check-local\" => \"disable\" )) )\n  }\n"
     "  else {\n    proxy.server = ( \"/\" => (( \"host\" => \"127.0.0.1\", \"port\" => {W2} )) )\n  }\n}\n"},
    {"blocks on the user agent, the query, a request header, the method and the client address",
     "server.modules = (\"mod_rewrite\", \"mod_access\", \"mod_redirect\", \"mod_setenv\", \"mod_proxy\", \"mod_fastcgi\")\n"
     "server.document-root = \"{DOCROOT}\"\nserver.port = {PORT}\nindex-file.names = ( \"index.html\" )\nurl.access-deny = ( \"~\" )\n"
     "url.rewrite-once = ( \"^/old/(.*)\" => \"/app/$1\" )\n"
     "$HTTP[\"cookie\"] =~ \"(^|; )beta=1\" {\n  url.rewrite-once = ( \"^/old/(.*)\" => \"/api/$1\" )\n}\n"
     "proxy.server = ( \"/api/\" => (( \"host\" => \"127.0.0.1\", \"port\" => {W1} )) )\n"
     "fastcgi.server = ( \"/app\" => (( \"socket\" => \"{APP}\", \"check-local\" => \"disable\" )) )\n"
     "$HTTP[\"useragent\"] =~ \"(?i)bot\" {\n  proxy.server = ( \"/api/\" => (( \"host\" => \"127.0.0.1\", \"port\" => {W2} )) )\n"
     "  setenv.add-response-header = ( \"X-Frame-Options\" => \"bots\" )\n}\n"
     "$HTTP[\"querystring\"] =~ \"(^|&)debug=1$\" {\n  url.redirect = ( \"^/(.*)\" => \"/debug/$1\" )\n}\n"
     "$REQUEST_HEADER[\"X-Canary\"] == \"1\" {\n  fastcgi.server = ( \"/app\" => (( \"socket\" => \"{APP}\", \"check-local\" => \"disable\", \"strip-request-uri\" => \"/app/\" )) )\n}\n"
     "$HTTP[\"request-method\"] == \"POST\" {\n  url.access-deny = ( \"\" )\n}\n"
     "$HTTP[\"remoteip\"] != \"127.0.0.0/8\" {\n  $HTTP[\"url\"] =^ \"/static\" {\n    url.access-deny = ( \"\" )\n  }\n}\n"
     "$HTTP[\"remoteip\"] == \"127.0.0.1\" {\n  $HTTP[\"url\"] =^ \"/dir\" {\n    url.access-deny = ( \"\" )\n  }\n}\n"
     "$HTTP[\"referer\"] =~ \"^http://spam\\.\" {\n  url.access-deny = ( \"\" )\n}\n"
     "else $HTTP[\"referer\"] == \"\" {\n  url.access-deny = ( \"~\", \".inc\" )\n}\nelse {\n  url.access-deny = ( \".html\" )\n}\n"},
    {"extforward with Forwarded preferred",
     "server.modules = (\"mod_extforward\", \"mod_fastcgi\")\nserver.document-root = \"{DOCROOT}\"\nserver.port = {PORT}\n"
     "extforward.forwarder = ( \"127.0.0.1\" => \"trust\", \"127.0.30.5\" => \"trust\" )\n"
     "extforward.headers = ( \"Forwarded\", \"X-Forwarded-For\" )\n"
     "fastcgi.server = ( \"/app\" => (( \"socket\" => \"{APP}\", \"check-local\" => \"disable\" )) )\n"
     "$HTTP[\"remoteip\"] == \"10.9.8.7\" {\n  url.access-deny = ( \"\" )\n}\n"},
    {"extforward with lighttpd's default headers",
     "server.modules = (\"mod_extforward\", \"mod_fastcgi\")\nserver.document-root = \"{DOCROOT}\"\nserver.port = {PORT}\n"
     "extforward.forwarder = ( \"127.0.0.0/8\" => \"trust\" )\n"
     "fastcgi.server = ( \"/app\" => (( \"socket\" => \"{APP}\", \"check-local\" => \"disable\" )) )\n"},
    {"a check-local prefix entry ahead of an extension entry (lighttpd takes the first entry whose key matches)",
     "server.modules = (\"mod_fastcgi\")\nserver.document-root = \"{DOCROOT}\"\nserver.port = {PORT}\nindex-file.names = ( \"index.html\" )\n"
     "fastcgi.server = ( \"/app/\" => (( \"socket\" => \"{APP}\" )),\n"
     "  \".php\" => (( \"socket\" => \"{APP}\", \"check-local\" => \"disable\", \"docroot\" => \"/srv/by-extension\" )) )\n"},
    {"a check-local extension entry ahead of a prefix entry",
     "server.modules = (\"mod_fastcgi\")\nserver.document-root = \"{DOCROOT}\"\nserver.port = {PORT}\nindex-file.names = ( \"index.html\" )\n"
     "fastcgi.server = ( \".php\" => (( \"socket\" => \"{APP}\" )),\n"
     "  \"/app/\" => (( \"socket\" => \"{APP}\", \"check-local\" => \"disable\", \"docroot\" => \"/srv/by-prefix\" )) )\n"},
    {"ranges off in a url block, and a mimetype table",
     "server.document-root = \"{DOCROOT}\"\nserver.port = {PORT}\nindex-file.names = ( \"index.html\" )\n"
     "mimetype.assign = ( \".txt\" => \"text/x-plain-table\", \".html\" => \"text/html\" )\n"
     "$HTTP[\"url\"] =^ \"/static/\" {\n  server.range-requests = \"disable\"\n}\n"},
    {"setenv in a url block nested in a host block",
     "server.modules = (\"mod_setenv\")\nserver.document-root = \"{DOCROOT}\"\nserver.port = {PORT}\nindex-file.names = ( \"index.html\" )\n"
     "setenv.set-response-header = ( \"X-Frame-Options\" => \"global\" )\n"
     "$HTTP[\"host\"] == \"api.local\" {\n  $HTTP[\"url\"] =^ \"/app/\" {\n"
     "    setenv.set-response-header = ( \"X-Frame-Options\" => \"nested\" )\n  }\n}\n"},
    {"auth in nested host blocks (plain and htpasswd backends, Basic and Digest) and in a url block",
     "server.modules = (\"mod_auth\", \"mod_authn_file\")\nserver.document-root = \"{DOCROOT}\"\nserver.port = {PORT}\nindex-file.names = ( \"index.html\" )\n"
     "$HTTP[\"host\"] =~ \"api\\.local$\" {\n"
     "  $HTTP[\"host\"] == \"api.local\" {\n    auth.backend = \"plain\"\n    auth.backend.plain.userfile = \"{USERS}\"\n  }\n"
     "  $HTTP[\"host\"] == \"apr.api.local\" {\n    auth.backend = \"htpasswd\"\n    auth.backend.htpasswd.userfile = \"{HTPASSWD}\"\n  }\n"
     "  auth.require = ( \"/dir\" => ( \"method\" => \"basic\", \"realm\" => \"r\", \"require\" => \"valid-user\" ),\n"
     "    \"/static\" => ( \"method\" => \"digest\", \"realm\" => \"r\", \"require\" => \"user=jan\" ) )\n}\n"
     "$HTTP[\"url\"] =^ \"/sub\" {\n  auth.backend = \"plain\"\n  auth.backend.plain.userfile = \"{USERS}\"\n"
     "  auth.require = ( \"\" => ( \"method\" => \"basic\", \"realm\" => \"sub\", \"require\" => \"user=jan|group=staff\" ) )\n}\n"},
    {"error handlers in url blocks of a host block, static and a FastCGI app",
     "server.modules = (\"mod_fastcgi\")\nserver.document-root = \"{DOCROOT}\"\nserver.port = {PORT}\nindex-file.names = ( \"index.html\" )\n"
     "fastcgi.server = ( \"/app\" => (( \"socket\" => \"{APP}\", \"check-local\" => \"disable\" )) )\n"
     "server.error-handler-404 = \"/app/global-404\"\n"
     "$HTTP[\"host\"] == \"api.local\" {\n  $HTTP[\"url\"] =^ \"/static/\" {\n    server.error-handler-404 = \"/index.html\"\n  }\n"
     "  else $HTTP[\"url\"] =^ \"/dir/\" {\n    server.error-handler = \"/app/any-error\"\n  }\n"
     "  else {\n    server.error-handler-404 = \"/app/host-404\"\n  }\n}\n"},
    {"alias.url, dir-listing and expire.url in a host block over the global ones",
     "server.modules = (\"mod_alias\", \"mod_expire\", \"mod_fastcgi\")\nserver.document-root = \"{DOCROOT}\"\nserver.port = {PORT}\n"
     "index-file.names = ( \"index.html\" )\nalias.url = ( \"/assets/\" => \"{ASSETS}\" )\n"
     "expire.url = ( \"/static/\" => \"access plus 1 hours\", \"/app\" => \"access 5 minutes\" )\n"
     "fastcgi.server = ( \"/app\" => (( \"socket\" => \"{APP}\", \"check-local\" => \"disable\" )) )\n"
     "$HTTP[\"host\"] == \"api.local\" {\n  alias.url = ( \"/static/\" => \"{ASSETS}\" )\n  dir-listing.activate = \"enable\"\n"
     "  expire.url = ( \"/assets/\" => \"access 2 hours\", \"/dir/\" => \"modification plus 1 days\" )\n}\n"},
    {"rewrite-repeat and once together",
     "server.modules = (\"mod_rewrite\", \"mod_fastcgi\")\nserver.document-root = \"{DOCROOT}\"\nserver.port = {PORT}\nindex-file.names = ( \"index.html\" )\n"
     "url.rewrite-repeat = ( \"^/api/v1/(.*)\" => \"/api/v2/$1\" )\nurl.rewrite-once = ( \"^/api/v2/(.*)\" => \"/app/$1\" )\n"
     "fastcgi.server = ( \"/app\" => (( \"socket\" => \"{APP}\", \"check-local\" => \"disable\" )) )\n"},
};


}  // namespace e2e
