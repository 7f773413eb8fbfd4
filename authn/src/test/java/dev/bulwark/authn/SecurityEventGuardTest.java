package dev.bulwark.authn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.flow.Account;
import dev.bulwark.authn.flow.LoginFlow;
import dev.bulwark.authn.flow.LoginRequest;
import dev.bulwark.authn.flow.LoginResult;
import dev.bulwark.authn.flow.spi.AccountDirectory;
import dev.bulwark.authn.lockout.Lockout;
import dev.bulwark.authn.lockout.spi.AttemptStore;
import dev.bulwark.authn.password.Argon2idParameters;
import dev.bulwark.authn.password.PasswordHasher;
import dev.bulwark.authn.session.InMemorySessionStore;
import dev.bulwark.authn.session.Sessions;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testing.LogCapture;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A listener that cannot record an event is never silent, and can refuse the operation. */
class SecurityEventGuardTest {

  private static final RuntimeException AUDIT_DOWN = new IllegalStateException("audit store is down");

  private final FakeClock clock = FakeClock.atDefaultEpoch();
  private final PasswordHasher hasher =
      PasswordHasher.builder().insecureParametersForTesting(Argon2idParameters.unchecked(64, 1, 1)).build();
  private final Map<String, Account> accounts =
      Map.of("alice", new Account("u-alice", hasher.hash("alice long passphrase"), Set.of("user")));
  private final AccountDirectory directory = new AccountDirectory() {
    @Override
    public Optional<Account> find(String username) {
      return Optional.ofNullable(accounts.get(username));
    }

    @Override
    public void updatePasswordHash(String accountId, String newHash) {}
  };
  private LogCapture log;

  @BeforeEach
  void captureLog() {
    log = LogCapture.of("dev.bulwark.authn");
  }

  @AfterEach
  void releaseLog() {
    log.close();
  }

  private LoginFlow flow(SecurityEventListener listener) {
    Lockout lockout = Lockout.builder(AttemptStore.inMemory(clock)).clock(clock).build();
    return LoginFlow.builder(directory, hasher, lockout).clock(clock).listener(listener).build();
  }

  private LoginResult login(LoginFlow flow) {
    return flow.login(LoginRequest.of("alice", "alice long passphrase", Optional.of("192.0.2.1")));
  }

  @Test
  void plainListenerThatThrows_isReportedThroughSystemLogger_andLoginStillSucceeds() {
    LoginResult r = login(flow(e -> {
      throw AUDIT_DOWN;
    }));
    assertEquals(LoginResult.Outcome.SUCCESS, r.outcome());
    assertEquals(1, log.records().size(), "the failure was reported, not swallowed");
    assertEquals(Level.SEVERE, log.records().get(0).getLevel());
    assertTrue(log.records().get(0).getMessage().contains(SecurityEventType.LOGIN_SUCCESS), log.records().get(0).getMessage());
    assertSame(AUDIT_DOWN, log.records().get(0).getThrown());
  }

  @Test
  void guard_countsEachFailure_andCallsTheHostsFallback() {
    List<String> fallback = new CopyOnWriteArrayList<>();
    SecurityEventGuard guard = SecurityEventGuard.builder(e -> {
      throw AUDIT_DOWN;
    }).fallback((event, failure) -> fallback.add(event.type() + ":" + failure.getMessage())).build();
    LoginFlow flow = flow(guard);
    assertEquals(LoginResult.Outcome.SUCCESS, login(flow).outcome());
    flow.login(LoginRequest.of("alice", "wrong", Optional.empty()));
    assertEquals(2, guard.failures());
    assertEquals(List.of(SecurityEventType.LOGIN_SUCCESS + ":audit store is down",
        SecurityEventType.LOGIN_FAIL + ":audit store is down"), fallback);
    assertTrue(log.records().isEmpty(), "the host's fallback replaces the default report");
  }

  @Test
  void guard_whoseFallbackThrows_stillCountsAndKeepsBothFailures() {
    RuntimeException[] seen = new RuntimeException[1];
    SecurityEventGuard guard = SecurityEventGuard.builder(e -> {
      throw new IllegalStateException("down");
    }).fallback((event, failure) -> {
      seen[0] = failure;
      throw new IllegalStateException("pager down too");
    }).failClosed(true).build();
    SecurityEventNotRecordedException e = assertThrows(SecurityEventNotRecordedException.class,
        () -> guard.onEvent(SecurityEvent.of(SecurityEventType.LOGIN_FAIL, "alice", Instant.EPOCH)));
    assertEquals(1, guard.failures());
    assertSame(seen[0], e.getCause());
    assertEquals("pager down too", e.getCause().getSuppressed()[0].getMessage());
    assertEquals(SecurityEventType.LOGIN_FAIL, e.eventType());
  }

  @Test
  void failClosedGuard_refusesTheLoginWhoseEventCannotBeWritten() {
    SecurityEventGuard guard = SecurityEventGuard.builder(e -> {
      throw AUDIT_DOWN;
    }).fallback((e, f) -> { }).failClosed(true).build();
    SecurityEventNotRecordedException e = assertThrows(SecurityEventNotRecordedException.class, () -> login(flow(guard)));
    assertEquals(SecurityEventType.LOGIN_SUCCESS, e.eventType());
    assertSame(AUDIT_DOWN, e.getCause());
    assertFalse(e.getMessage().contains("alice long passphrase"));
  }

  @Test
  void failClosedGuard_leavesNoSessionBehindWhenTheCreationEventIsLost() {
    InMemorySessionStore store = new InMemorySessionStore(clock);
    SecurityEventGuard guard = SecurityEventGuard.builder(e -> {
      if (e.type().equals(SecurityEventType.SESSION_CREATED)) {
        throw AUDIT_DOWN;
      }
    }).fallback((e, f) -> { }).failClosed(true).build();
    Sessions sessions = Sessions.builder(store).clock(clock).listener(guard).build();
    assertThrows(SecurityEventNotRecordedException.class,
        () -> sessions.create("u-alice", AssuranceLevel.AAL1, Map.of(Factor.PASSWORD, clock.instant())));
    assertTrue(sessions.list("u-alice").isEmpty(), "the session nobody can account for is gone");
  }

  @Test
  void loginSuccessEvent_usesTheSharedDetailKeySyntax() {
    List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    login(flow(events::add));
    SecurityEvent success = events.get(events.size() - 1);
    assertEquals("u-alice", success.details().get("account_id"));
    for (SecurityEvent e : events) {
      for (String key : e.details().keySet()) {
        assertTrue(key.matches("[a-z][a-z0-9_.-]{0,63}"), key);
      }
    }
  }
}
