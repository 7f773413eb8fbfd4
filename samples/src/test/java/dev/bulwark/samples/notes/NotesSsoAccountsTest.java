package dev.bulwark.samples.notes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.audit.AuditQuery;
import dev.bulwark.spring.sso.SsoAccount;
import dev.bulwark.sso.Protocol;
import dev.bulwark.sso.SsoAssuranceLevel;
import dev.bulwark.sso.VerifiedIdentity;
import dev.bulwark.testing.FakeClock;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Notes app's "Sign in with SSO" account mapper on the running app's service (embedded
 * stores): the IdP's (issuer, subject) is the only link, the first sign-in creates one account
 * however many arrive at once, and nothing the IdP sends as free text reaches an existing account.
 */
class NotesSsoAccountsTest {

  private static final String IDP = "http://localhost:8180/realms/bulwark-notes";
  private static final String PASSWORD = "correct horse battery staple";

  @TempDir
  Path data;

  private NotesApp app;
  private NotesService service;
  private NotesSsoAccounts mapper;

  @BeforeEach
  void start() {
    app = NotesApp.start(NotesApp.Options.defaults().withPort(0).withDataDir(data),
        FakeClock.at(Instant.parse("2026-11-22T10:00:00Z")));
    service = app.service();
    mapper = new NotesSsoAccounts(service);
  }

  @AfterEach
  void stop() {
    if (app != null) {
      app.close();
    }
  }

  private static VerifiedIdentity identity(String issuer, String subject, Map<String, List<String>> attributes) {
    return new VerifiedIdentity(Protocol.OIDC, issuer, subject, attributes, "1", SsoAssuranceLevel.AAL1,
        Instant.parse("2026-11-22T10:00:00Z"), "sid-1");
  }

  private long ssoAccountsCreated() {
    try (var events = service.auditLogForTests().query(AuditQuery.ALL)) {
      return events.filter(e -> e.event().action().name().equals("user_created"))
          .filter(e -> "sso".equals(e.event().actor().authMethod())).count();
    }
  }

  @Test
  void eightParallelFirstSignInsOfOneSubject_createExactlyOneAccount_andLaterSignInsFindIt() throws Exception {
    VerifiedIdentity alice = identity(IDP, "f3a9c1e2-0000-4000-8000-000000000001", Map.of());
    int n = 8;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Optional<SsoAccount>>> results = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        results.add(pool.submit(() -> {
          go.await();
          return mapper.map("kc-oidc", alice);
        }));
      }
      go.countDown();
      Set<String> ids = new HashSet<>();
      for (Future<Optional<SsoAccount>> f : results) {
        ids.add(f.get(2, TimeUnit.MINUTES).orElseThrow().accountId());
      }
      assertEquals(1, ids.size(), "one account for all " + n + " first sign-ins: " + ids);
      assertEquals(1, ssoAccountsCreated());
      String id = ids.iterator().next();
      assertEquals(id, mapper.map("kc-oidc", alice).orElseThrow().accountId());
      assertEquals(Optional.of(id), mapper.linkedAccount("kc-oidc", IDP, alice.subject()));
      assertEquals(1, ssoAccountsCreated());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void withoutTheSsoProfile_theSignInPageHasNoSsoButton_andTheSsoEndpointsAreNotThere() throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    java.net.http.HttpResponse<String> login = http.send(java.net.http.HttpRequest.newBuilder(app.baseUri().resolve("/login"))
        .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(200, login.statusCode());
    assertTrue(login.body().contains("id=\"signin\""));
    assertTrue(!login.body().contains("Sign in with SSO") && !login.body().contains("/sso/"), login.body());
    java.net.http.HttpResponse<String> sso = http.send(java.net.http.HttpRequest.newBuilder(
        app.baseUri().resolve("/sso/kc-saml/login")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(404, sso.statusCode());
  }

  @Test
  void anotherIssuerWithTheSameSubject_isAnotherAccount() {
    String a = mapper.map("kc-oidc", identity(IDP, "alice", Map.of())).orElseThrow().accountId();
    String b = mapper.map("other", identity("https://idp.other.example", "alice", Map.of())).orElseThrow().accountId();
    assertNotEquals(a, b);
    // The encoding is unambiguous: moving characters between issuer and subject is another pair.
    String c = mapper.map("kc-oidc", identity(IDP + "a", "lice", Map.of())).orElseThrow().accountId();
    assertNotEquals(a, c);
    assertEquals(Optional.empty(), mapper.linkedAccount("kc-oidc", "https://never.example", "alice"));
  }

  @Test
  void anIdentityWithoutAUsableSubjectOrIssuer_isRefused_andCreatesNothing() {
    assertEquals(Optional.empty(), mapper.map("kc-oidc", identity(IDP, "   ", Map.of())));
    assertEquals(Optional.empty(), mapper.map("kc-oidc", identity(IDP, "alice\u0000", Map.of())));
    assertEquals(Optional.empty(), mapper.map("kc-oidc", identity(IDP, "x".repeat(1025), Map.of())));
    assertEquals(Optional.empty(), mapper.map("kc-oidc", identity(" ", "alice", Map.of())));
    assertEquals(Optional.empty(), mapper.linkedAccount("kc-oidc", IDP, " "));
    assertEquals(0, ssoAccountsCreated());
    // A VerifiedIdentity cannot even be made without one.
    assertThrows(IllegalArgumentException.class, () -> identity(IDP, "", Map.of()));
  }

  @Test
  void anEmailOrNameTheIdpSends_neverReachesAnExistingLocalAccount() throws Exception {
    service.register("alice", PASSWORD, PASSWORD, "127.0.0.1");
    String local = service.userByNameForTests("alice").orElseThrow().id();
    SsoAccount sso = mapper.map("kc-oidc", identity(IDP, "alice", Map.of("email", List.of("alice"),
        "preferred_username", List.of("alice")))).orElseThrow();
    assertNotEquals(local, sso.accountId());
    // The first account (the local alice) is the admin; the SSO account is a user of its own organization.
    assertEquals(Set.of("user"), sso.roles());
  }

  @Test
  void aLocalSignUp_cannotClaimAnSsoAccountsNameInAdvance() {
    String name = NotesService.ssoAccountName(IDP, "alice");
    assertTrue(name.startsWith(NotesService.SSO_NAME_PREFIX));
    assertThrows(UserError.class, () -> service.register(name, PASSWORD, PASSWORD, "127.0.0.1"));
    assertThrows(UserError.class, () -> service.register(name.substring(NotesService.SSO_NAME_PREFIX.length()) + ":x",
        PASSWORD, PASSWORD, "127.0.0.1"));
  }

  @Test
  void theFirstSignInCreatesAnAccountAsASignUpDoes_ownOrganizationAndKeyring() throws Exception {
    SsoAccount first = mapper.map("kc-saml", identity(IDP, "G-first", Map.of())).orElseThrow();
    // The first account of the store is the admin, as with sign-up.
    assertEquals(Set.of("admin", "user"), first.roles());
    AppStore.User user = service.user(first.accountId()).orElseThrow();
    service.createNote(user, "written by an SSO account");
    assertEquals(List.of("written by an SSO account"), service.notes(user).stream().map(NotesService.NoteView::text).toList());
    // org-admin of its own organization: it may invite a local user there.
    service.register("bob", PASSWORD, PASSWORD, "127.0.0.1");
    assertEquals(NotesService.homeOrganization(user.id()),
        service.inviteToOrganization(user, NotesService.homeOrganization(user.id()), "bob"));
    // It has no password anyone knows: the sign-in form does not open it.
    assertThrows(UserError.class, () -> service.login(user.username(), "", "", "127.0.0.1"));
  }
}
