// Tests GitHub App authentication (src/github/github_app.*, app_key.*, credential.*) over
// loopback HTTP against the fake GitHub (tests/support/fake_github.py), which checks each JWT's
// RS256 signature against the app's public key and its iat/exp, issues installation tokens
// with an expiry it controls, and answers 401 for expired, revoked or unknown tokens. Keys are
// made at test time (tests/support/test_keys.*). Syncs go into real SQLite files.
#include "core/base64url.hpp"
#include "db/database_source_access.hpp"
#include "db/store.hpp"
#include "github/app_key.hpp"
#include "github/credential.hpp"
#include "github/github_app.hpp"
#include "github/github_client.hpp"
#include "support/fake_github.hpp"
#include "support/scoped_env.hpp"
#include "support/temp_spec_tree.hpp"
#include "support/test_keys.hpp"

#include <doctest/doctest.h>
#include <fstream>
#include <leanspec/database_source.hpp>
#include <leanspec/error.hpp>
#include <leanspec/github_sync.hpp>
#include <leanspec/json.hpp>
#include <leanspec/specs_service.hpp>
#include <sstream>
#include <thread>

using namespace leanspec;
using leanspec::test::FakeGithub;
using leanspec::test::FakeGithubApp;
using leanspec::test::RepoFiles;
using leanspec::test::ScopedEnv;
using leanspec::test::TempSpecTree;
using leanspec::test::TestRsaKey;

namespace {

constexpr std::int64_t app_id = 4242;
constexpr std::int64_t installation = 77;

const TestRsaKey &app_key() {
  static const TestRsaKey key = test::make_rsa_key();
  return key;
}

std::string readme(const std::string &title) {
  return "---\nstatus: planned\ncreated: 2025-11-01\n---\n\n# " + title + "\n";
}

// The lines of a PEM between its armour: what must never show anywhere.
std::vector<std::string> key_lines(const std::string &pem) {
  std::vector<std::string> out;
  std::istringstream in(pem);
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && !line.starts_with("-----"))
      out.push_back(line);
  return out;
}

std::string file_bytes(const std::filesystem::path &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Whether a non-empty `secret` shows in `text`.
bool holds(const std::string &text, const std::string &secret) {
  return !secret.empty() && text.find(secret) != std::string::npos;
}

std::string config_error(const std::function<void()> &body) {
  try {
    body();
  } catch (const Error &e) {
    CHECK(e.code() == ErrorCode::config);
    return e.what();
  }
  FAIL("no config error");
  return "";
}

// A repository with three specs served by a fake GitHub that knows the app (and no personal
// token), and a SQLite store with acme/web registered.
struct AppFixture {
  ScopedEnv env{"SPECS_MODE",
                "SPECS_DIR",
                "DATABASE_URL",
                "GITHUB_TOKEN",
                "GITHUB_APP_ID",
                "GITHUB_APP_PRIVATE_KEY",
                "GITHUB_APP_PRIVATE_KEY_FILE",
                "GITHUB_APP_INSTALLATION_ID"};
  TempSpecTree dir;
  FakeGithub server{files(), {.token = ""}};
  std::filesystem::path store_file = dir.root() / "store.db";
  std::shared_ptr<DatabaseSource> db;
  std::shared_ptr<GithubSync> sync;

  AppFixture() {
    server.set_app({.id = app_id,
                    .modulus_hex = app_key().modulus_hex,
                    .exponent = app_key().exponent,
                    .installation_id = installation});
    db = make_database_source(
        {.database_url = "sqlite:" + store_file.string(), .recheck = std::chrono::milliseconds(0)});
    db->add_project({.id = "acme/web", .branch = "main"});
  }
  static RepoFiles files() {
    return {{"specs/001-one/README.md", readme("One")},
            {"specs/002-two/README.md", readme("Two")},
            {"specs/003-three/README.md", readme("Three")}};
  }
  SyncOptions options() const {
    SyncOptions o;
    o.api_url = server.api_url();
    o.app_id = app_id;
    o.app_private_key = app_key().pkcs1_pem;
    o.retry_base = std::chrono::milliseconds(5);
    o.max_retries = 1;
    return o;
  }
  void start(SyncOptions o) { sync = make_github_sync(db, std::move(o)); }
  void start() { start(options()); }
  SyncRun sync_now() { return sync->sync_now("acme/web"); }
  std::size_t stored_specs() const {
    return detail::DatabaseSourceAccess::store(*db).specs("acme/web").size();
  }
  detail::GithubClientOptions http() const {
    detail::GithubClientOptions o;
    o.api_url = server.api_url();
    o.retry_base = std::chrono::milliseconds(5);
    return o;
  }
  detail::GithubAppSettings settings() const {
    return {.app_id = app_id, .private_key = app_key().pkcs8_pem};
  }
  // Nothing secret in `text`: no key line, no JWT, no installation token the fake issued.
  void check_clean(const std::string &text, const std::string &where) const {
    CAPTURE(where);
    const auto stats = server.app_stats();
    for (const std::string &line : key_lines(app_key().pkcs1_pem))
      CHECK_FALSE(holds(text, line));
    for (const std::string &token : stats.tokens)
      CHECK_FALSE(holds(text, token));
    for (const std::string &jwt : stats.jwts) {
      CHECK_FALSE(holds(text, jwt));
      CHECK_FALSE(holds(text, jwt.substr(jwt.rfind('.') + 1))); // its signature alone
    }
  }
};

} // namespace

TEST_SUITE("github") {

  TEST_CASE("GitHub App: the JWT is RS256 over {iat, exp, iss}, base64url without padding") {
    const auto key = detail::AppKey::parse(app_key().pkcs1_pem, "test");
    const auto now = std::chrono::system_clock::from_time_t(1'700'000'000);
    const std::string jwt = key->jwt(app_id, now);
    const auto first = jwt.find('.'), second = jwt.rfind('.');
    REQUIRE(first != second);
    CHECK(jwt.substr(0, first) == detail::base64url(R"({"alg":"RS256","typ":"JWT"})"));
    CHECK(jwt.substr(first + 1, second - first - 1) ==
          detail::base64url(R"({"iat":1699999940,"exp":1700000540,"iss":"4242"})"));
    CHECK(jwt.find_first_of("=+/") == std::string::npos);
    CHECK(jwt.size() - second - 1 == 342); // 256 signature bytes in base64url, unpadded
    CHECK(detail::base64url("f") == "Zg");
    CHECK(detail::base64url("fo") == "Zm8");
    CHECK(detail::base64url("foo") == "Zm9v");
    CHECK(detail::base64url("\xfb\xff") == "-_8");
    // The same key on one line with "\n" escapes, as an .env file holds it.
    std::string one_line;
    for (const char c : app_key().pkcs1_pem)
      one_line += c == '\n' ? std::string("\\n") : std::string(1, c);
    CHECK(detail::AppKey::parse(one_line, "test")->jwt(app_id, now) == jwt);
  }

  TEST_CASE("GitHub App: rate budget keys") {
    CHECK(detail::token_budget_key("abc") == "token:ba7816bf8f01"); // SHA-256("abc")
    CHECK(detail::token_budget_key("") == "anonymous");
    CHECK(detail::installation_budget_key(77) == "installation:77");
    AppFixture f;
    detail::GithubApp app(f.settings(), f.http());
    CHECK(app.credential("acme", "web")->budget_key() == "installation:77");
    CHECK(f.server.app_stats().installation_lookups == 1);
    CHECK(detail::TokenCredential("abc").budget_key() == "token:ba7816bf8f01");
  }

  TEST_CASE("GitHub App: installation tokens are cached until shortly before expires_at, then "
            "fetched anew") {
    AppFixture f;
    auto offset = std::make_shared<std::chrono::seconds>(0);
    detail::GithubApp app(f.settings(), f.http(),
                          [offset] { return std::chrono::system_clock::now() + *offset; });
    const auto deadline = std::chrono::steady_clock::time_point::max();
    CHECK(app.installation_of("acme", "web", deadline) == installation);
    CHECK(app.installation_of("acme", "web", deadline) == installation); // cached
    CHECK(f.server.app_stats().installation_lookups == 1);
    const std::string first = app.installation_token(installation, deadline);
    CHECK(first.starts_with("ghs_"));
    *offset = std::chrono::seconds(3500); // the token lives 3600 s; refreshed a minute before
    CHECK(app.installation_token(installation, deadline) == first);
    CHECK(f.server.app_stats().access_tokens == 1);
    *offset = std::chrono::seconds(3545);
    const std::string second = app.installation_token(installation, deadline);
    CHECK(second != first);
    CHECK(f.server.app_stats().access_tokens == 2);
    CHECK(f.server.app_stats().jwt_rejected == 0); // every JWT passed the fake's RS256 check

    // Through the client, as a sync asks: each request takes the token current at its start.
    *offset = std::chrono::seconds(0);
    detail::GithubClientOptions options = f.http();
    options.credential = app.credential("acme", "web");
    detail::GithubClient client(options);
    CHECK(client.fetch({.path = f.server.repo_path()}).status == 200);
    *offset = std::chrono::seconds(3600 + 3545); // past the second token's refresh time
    CHECK(client.fetch({.path = f.server.repo_path()}).status == 200);
    const auto stats = f.server.app_stats();
    CHECK(stats.access_tokens == 3);
    CHECK(stats.token_rejected == 0); // refreshed before GitHub would refuse it
    const auto secrets = options.credential->secrets();
    CHECK(secrets.size() == 2);
  }

  TEST_CASE("GitHub App: a sync with an app; the installation is looked up once and its token "
            "reused by the next sync") {
    AppFixture f;
    f.start();
    const SyncRun first = f.sync_now();
    CHECK(first.error == "");
    REQUIRE(first.outcome == SyncOutcome::ok);
    CHECK(first.added == 3);
    f.server.commit({{"specs/004-four/README.md", readme("Four")}});
    const SyncRun second = f.sync_now();
    REQUIRE(second.outcome == SyncOutcome::ok);
    CHECK(second.added == 1);
    const auto stats = f.server.app_stats();
    CHECK(stats.installation_lookups == 1);
    CHECK(stats.access_tokens == 1);
    CHECK(stats.jwt_rejected == 0);
    CHECK(stats.token_rejected == 0);
    CHECK(f.server.stats().api_authorization_missing == 0);

    // With the installation id given, nothing is looked up.
    AppFixture g;
    SyncOptions o = g.options();
    o.app_installation_id = installation;
    o.app_private_key.clear();
    const std::filesystem::path key_file = g.dir.root() / "app.pem";
    std::ofstream(key_file) << app_key().pkcs8_pem;
    o.app_private_key_file = key_file.string();
    g.start(o);
    CHECK(g.sync_now().outcome == SyncOutcome::ok);
    CHECK(g.server.app_stats().installation_lookups == 0);
    CHECK(g.server.app_stats().access_tokens == 1);
  }

  TEST_CASE("GitHub App: the environment configures it, for every front-end") {
    AppFixture f;
    f.env.set("GITHUB_APP_ID", std::to_string(app_id));
    f.env.set("GITHUB_APP_PRIVATE_KEY", app_key().pkcs1_pem);
    f.env.set("GITHUB_APP_INSTALLATION_ID", std::to_string(installation));
    SyncOptions o;
    o.api_url = f.server.api_url();
    f.start(o);
    CHECK(f.sync_now().outcome == SyncOutcome::ok);
    CHECK(f.server.app_stats().access_tokens == 1);
    CHECK(f.server.app_stats().installation_lookups == 0);
    // ServiceConfig::from_env reads the same variables.
    f.env.set("SPECS_MODE", "database");
    const ServiceConfig config = ServiceConfig::from_env();
    CHECK(config.github_app_id == app_id);
    CHECK(config.github_app_installation_id == installation);
    CHECK(config.github_app_private_key == app_key().pkcs1_pem);
  }

  TEST_CASE("GitHub App: a token that expires between two syncs is replaced") {
    AppFixture f;
    f.server.set_app_token_ttl(std::chrono::seconds(2));
    f.start();
    REQUIRE(f.sync_now().outcome == SyncOutcome::ok);
    const std::size_t issued = f.server.app_stats().tokens.size();
    // Wait until the fake refuses the first sync's token (it lives 2 s at most).
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    f.server.commit({{"specs/004-four/README.md", readme("Four")}});
    const SyncRun run = f.sync_now();
    CHECK(run.error == "");
    CHECK(run.outcome == SyncOutcome::ok);
    CHECK(run.added == 1);
    CHECK(f.server.app_stats().tokens.size() > issued);
  }

  TEST_CASE("GitHub App: a token revoked mid-sync is fetched anew once and the sync goes on") {
    AppFixture f;
    f.start();
    REQUIRE(f.sync_now().outcome == SyncOutcome::ok);
    f.server.commit({{"specs/004-four/README.md", readme("Four")}});
    // The head request passes; the tree request after it meets a revoked token.
    f.server.revoke_app_tokens_after(1);
    const auto before = f.server.app_stats();
    const SyncRun run = f.sync_now();
    CHECK(run.error == "");
    REQUIRE(run.outcome == SyncOutcome::ok);
    CHECK(run.added == 1);
    const auto after = f.server.app_stats();
    CHECK(after.token_rejected - before.token_rejected == 1);
    CHECK(after.access_tokens - before.access_tokens == 1);
    f.check_clean(run.error + to_json(run), "the run");
  }

  TEST_CASE("GitHub App: a token refused again after a refresh fails the sync clearly") {
    AppFixture f;
    f.start();
    REQUIRE(f.sync_now().outcome == SyncOutcome::ok);
    f.server.commit({{"specs/004-four/README.md", readme("Four")}});
    f.server.set_app_refuse_tokens(true);
    const auto before = f.server.app_stats();
    const SyncRun run = f.sync_now();
    CHECK(run.outcome == SyncOutcome::error);
    CHECK(run.error.find("401 Unauthorized: GitHub App 4242's installation token "
                         "(installation 77) was refused, also when fetched anew") !=
          std::string::npos);
    const auto after = f.server.app_stats();
    CHECK(after.access_tokens - before.access_tokens == 1); // one refresh, not a loop
    CHECK(after.token_rejected - before.token_rejected == 2);
    CHECK(f.stored_specs() == 3); // the stored snapshot stays
    f.check_clean(run.error + to_json(run), "the run");
  }

  TEST_CASE("GitHub App: an uninstalled app fails the sync naming it, and a reinstall recovers") {
    AppFixture f;
    f.start();
    REQUIRE(f.sync_now().outcome == SyncOutcome::ok);
    f.server.commit({{"specs/004-four/README.md", readme("Four")}});
    f.server.set_app_installed(false); // revokes its tokens too
    const SyncRun run = f.sync_now();
    CHECK(run.outcome == SyncOutcome::error);
    CHECK(run.error.find("GitHub App 4242: a token for installation 77: not found (HTTP 404): "
                         "the app was uninstalled") != std::string::npos);
    CHECK(f.stored_specs() == 3);
    f.server.set_app_installed(true);
    const auto lookups = f.server.app_stats().installation_lookups;
    const SyncRun again = f.sync_now();
    CHECK(again.error == "");
    CHECK(again.outcome == SyncOutcome::ok);
    CHECK(f.server.app_stats().installation_lookups == lookups + 1); // looked up anew
  }

  TEST_CASE("GitHub App: a JWT signed with another key is refused, and the sync says so") {
    AppFixture f;
    SyncOptions o = f.options();
    o.app_private_key = test::make_rsa_key().pkcs1_pem;
    f.start(o);
    const SyncRun run = f.sync_now();
    CHECK(run.outcome == SyncOutcome::error);
    CHECK(run.error.find("GitHub App 4242: the installation for acme/web: GitHub refused the "
                         "app's JWT (HTTP 401)") != std::string::npos);
    CHECK(f.server.app_stats().jwt_rejected == 1);
    CHECK(f.server.app_stats().access_tokens == 0);
    for (const std::string &line : key_lines(o.app_private_key))
      CHECK_FALSE(holds(run.error, line));
  }

  TEST_CASE("GitHub App: bad configuration is a config error naming the option, never the key") {
    AppFixture f;
    const std::string garbage = "-----BEGIN RSA PRIVATE KEY-----\nc2VjcmV0LWtleS1ieXRlcw==\n"
                                "-----END RSA PRIVATE KEY-----\n";
    const auto with = [&](const std::function<void(SyncOptions &)> &change) {
      SyncOptions o = f.options();
      change(o);
      return config_error([&] { f.start(o); });
    };
    std::string m = with([](SyncOptions &o) { o.app_private_key = "not a key at all"; });
    CHECK(m == "app_private_key (GITHUB_APP_PRIVATE_KEY): not a PEM private key (no "
               "\"-----BEGIN\" line)");
    m = with([&](SyncOptions &o) { o.app_private_key = garbage; });
    CHECK(m == "app_private_key (GITHUB_APP_PRIVATE_KEY): not a readable PEM private key");
    CHECK_FALSE(holds(m, "c2VjcmV0LWtleS1ieXRlcw"));
    m = with([](SyncOptions &o) { o.app_private_key = test::make_ec_key_pem(); });
    CHECK(m == "app_private_key (GITHUB_APP_PRIVATE_KEY): not an RSA key (GitHub Apps sign "
               "their JWT with RS256)");
    m = with([](SyncOptions &o) { o.app_id = 0; });
    CHECK(m.starts_with("app_id (GITHUB_APP_ID): a GitHub App needs its id"));
    m = with([](SyncOptions &o) { o.app_private_key_file = "/nonexistent/app.pem"; });
    CHECK(m.find("give exactly one of the two") != std::string::npos);
    m = with([](SyncOptions &o) {
      o.app_private_key.clear();
      o.app_private_key_file = "/nonexistent/app.pem";
    });
    CHECK(m == "app_private_key_file (GITHUB_APP_PRIVATE_KEY_FILE): cannot read "
               "'/nonexistent/app.pem'");
    m = with([](SyncOptions &o) { o.token = "ghp_sometoken"; });
    CHECK(m.find("token and a GitHub App") != std::string::npos);
    CHECK_FALSE(holds(m, "ghp_sometoken"));

    // From the environment: the variable is named.
    SyncOptions o;
    o.api_url = f.server.api_url();
    f.env.set("GITHUB_APP_ID", "12ab");
    m = config_error([&] { f.start(o); });
    CHECK(m == "GITHUB_APP_ID: '12ab' is not a number (a positive integer)");
    f.env.set("GITHUB_APP_ID", std::to_string(app_id));
    f.env.set("GITHUB_APP_PRIVATE_KEY", app_key().pkcs1_pem);
    f.env.set("GITHUB_TOKEN", "ghp_envtoken");
    m = config_error([&] { f.start(o); });
    CHECK(m.starts_with("GITHUB_TOKEN and a GitHub App"));
    // ServiceConfig collects the same problems, naming the variables.
    f.env.set("SPECS_MODE", "database");
    f.env.set("GITHUB_APP_PRIVATE_KEY", garbage);
    m = config_error([] { (void)ServiceConfig::from_env(); });
    CHECK(m.find("GITHUB_TOKEN and a GitHub App") != std::string::npos);
    CHECK(m.find("app_private_key (GITHUB_APP_PRIVATE_KEY): not a readable PEM private key") !=
          std::string::npos);
    CHECK_FALSE(holds(m, "c2VjcmV0LWtleS1ieXRlcw"));
    CHECK_FALSE(holds(m, "ghp_envtoken"));
    f.env.unset("GITHUB_TOKEN");
    f.env.set("GITHUB_APP_INSTALLATION_ID", "-3");
    m = config_error([] { (void)ServiceConfig::from_env(); });
    CHECK(m.find("GITHUB_APP_INSTALLATION_ID: '-3' is not a number") != std::string::npos);
  }

  TEST_CASE("GitHub App: the key, the JWT and installation tokens never reach an error, a run, "
            "JSON or the store") {
    AppFixture f;
    f.start();
    REQUIRE(f.sync_now().outcome == SyncOutcome::ok);
    // A hostile GitHub sends the token the request carried back in a tree path.
    f.server.commit({{"specs/004-four/README.md", readme("Four")}});
    f.server.set_tree_entries({{.path = "../{token}/README.md"}});
    const SyncRun hostile = f.sync_now();
    CHECK(hostile.outcome == SyncOutcome::error);
    CHECK(hostile.error.find("unsafe path '../***/README.md'") != std::string::npos);
    f.server.clear_hostile();
    // A revoked app: the refusals' texts.
    f.server.set_app_refuse_tokens(true);
    const SyncRun refused = f.sync_now();
    CHECK(refused.outcome == SyncOutcome::error);
    f.server.set_app_refuse_tokens(false);
    REQUIRE(f.sync_now().outcome == SyncOutcome::ok);

    std::string everything;
    for (const SyncRun &run : f.sync->sync_runs("acme/web", 0))
      everything += run.error + "\n" + to_json(run) + "\n";
    for (const auto &project : f.db->registered_projects())
      everything += to_json(project) + "\n";
    f.check_clean(everything, "runs and projects");
    f.sync.reset();
    f.db.reset(); // the SQLite file as it stays on disk (WAL folded in)
    std::string bytes;
    for (const auto &entry : std::filesystem::directory_iterator(f.dir.root()))
      if (entry.path().filename().string().starts_with("store.db"))
        bytes += file_bytes(entry.path());
    REQUIRE(bytes.size() > 4096);
    f.check_clean(bytes, "the SQLite file");
    CHECK(f.server.app_stats().tokens.size() >= 2);
    CHECK(f.server.app_stats().jwts.size() >= 2);
  }

} // TEST_SUITE
