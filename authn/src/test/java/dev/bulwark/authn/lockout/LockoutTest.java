package dev.bulwark.authn.lockout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.Factor;
import dev.bulwark.authn.SecurityEvent;
import dev.bulwark.authn.SecurityEventType;
import dev.bulwark.authn.lockout.LockoutStatus.State;
import dev.bulwark.authn.lockout.spi.AttemptStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class LockoutTest {

  private static final Optional<String> NO_SOURCE = Optional.empty();

  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-02-01T00:00:00Z"));
  private final AttemptStore store = AttemptStore.inMemory(now::get);
  private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
  private final Lockout lockout = Lockout.builder(store).clock(now::get).listener(events::add).build();

  private void advance(Duration d) {
    now.set(now.get().plus(d));
  }

  private LockoutStatus fail(String account) {
    return lockout.recordFailure(account, Factor.PASSWORD, NO_SOURCE);
  }

  @Test
  void firstFiveFailures_areFree_thenBackoffDoubles() {
    for (int i = 0; i < 5; i++) {
      assertEquals(LockoutStatus.OPEN, fail("alice"));
    }
    assertEquals(LockoutStatus.throttled(Duration.ofSeconds(1)), fail("alice"));
    assertEquals(State.THROTTLED, lockout.check("alice", Factor.PASSWORD, NO_SOURCE).state());
    assertEquals(LockoutStatus.throttled(Duration.ofSeconds(2)), fail("alice"));
    assertEquals(LockoutStatus.throttled(Duration.ofSeconds(4)), fail("alice"));
    advance(Duration.ofSeconds(4));
    assertTrue(lockout.check("alice", Factor.PASSWORD, NO_SOURCE).open());
  }

  @Test
  void backoff_capsAtTemporaryLockout_andEmitsLockOnce() {
    LockoutStatus last = null;
    for (int i = 0; i < 20; i++) {
      last = fail("bob");
    }
    assertEquals(LockoutStatus.throttled(Duration.ofMinutes(15)), last);
    List<SecurityEvent> locks = events.stream().filter(e -> e.type().equals(SecurityEventType.LOGIN_LOCK)).toList();
    // account and password-factor keys both reach the cap once (5 free, 1 s doubling: failure 16 hits 15 min).
    assertEquals(2, locks.size(), locks.toString());
    assertEquals("false", locks.get(0).details().get("permanent"));
    advance(Duration.ofMinutes(15));
    assertTrue(lockout.check("bob", Factor.PASSWORD, NO_SOURCE).open(), "temporary lock ends by itself");
  }

  @Test
  void hundredConsecutiveFailures_disableTheFactor_untilAdminUnlock() {
    for (int i = 0; i < 99; i++) {
      fail("carol");
      advance(Duration.ofMinutes(16));
    }
    assertFalse(lockout.isDisabled("carol", Factor.PASSWORD));
    assertEquals(LockoutStatus.DISABLED, fail("carol"));
    assertTrue(events.stream().anyMatch(e -> e.type().equals(SecurityEventType.LOGIN_LOCK)
        && "true".equals(e.details().get("permanent"))));
    advance(Duration.ofDays(400));
    assertEquals(LockoutStatus.DISABLED, lockout.check("carol", Factor.PASSWORD, NO_SOURCE), "time does not unlock");
    lockout.unlock("carol", "admin-7");
    assertTrue(lockout.check("carol", Factor.PASSWORD, NO_SOURCE).open());
    SecurityEvent unlock = events.get(events.size() - 1);
    assertEquals(SecurityEventType.LOGIN_UNLOCK, unlock.type());
    assertEquals("admin-7", unlock.details().get("actor"));
  }

  @Test
  void success_resetsAccountAndUsedFactors() {
    for (int i = 0; i < 7; i++) {
      fail("dan");
    }
    lockout.recordFailure("dan", Factor.TOTP, NO_SOURCE);
    lockout.recordSuccess("dan", Set.of(Factor.PASSWORD));
    assertEquals(0, lockout.accountAttempts("dan").failures());
    assertTrue(lockout.check("dan", Factor.PASSWORD, NO_SOURCE).open());
    assertEquals(1, store.get(Lockout.factorKey(Factor.TOTP, "dan"), now.get()).failures(), "unused factor untouched");
  }

  @Test
  void factors_areCountedSeparately_butAllCountForTheAccount() {
    for (int i = 0; i < 4; i++) {
      lockout.recordFailure("erin", Factor.TOTP, NO_SOURCE);
    }
    // TOTP allows 3 free failures: the 4th throttles the TOTP factor...
    assertEquals(State.THROTTLED, lockout.check("erin", Factor.TOTP, NO_SOURCE).state());
    // ...but the password factor and the account (5 free) are still open.
    assertTrue(lockout.check("erin", Factor.PASSWORD, NO_SOURCE).open());
    assertEquals(4, lockout.accountAttempts("erin").failures());
    assertEquals(0, store.get(Lockout.factorKey(Factor.PASSWORD, "erin"), now.get()).failures());
  }

  @Test
  void source_isThrottledAcrossAccounts_andNotResetByASuccess() {
    Optional<String> ip = Optional.of("203.0.113.9");
    for (int i = 0; i < 21; i++) {
      lockout.recordFailure("user" + i, Factor.PASSWORD, ip);
    }
    assertEquals(State.THROTTLED, lockout.check("fresh-user", Factor.PASSWORD, ip).state());
    assertTrue(lockout.check("fresh-user", Factor.PASSWORD, Optional.of("198.51.100.1")).open());
    lockout.recordSuccess("user0", Set.of(Factor.PASSWORD));
    assertEquals(State.THROTTLED, lockout.check("fresh-user", Factor.PASSWORD, ip).state());
    lockout.unlockSource("203.0.113.9");
    assertTrue(lockout.check("fresh-user", Factor.PASSWORD, ip).open());
  }

  @Test
  void failures_areForgottenAfterTheRulesWindow() {
    for (int i = 0; i < 5; i++) {
      fail("fay");
    }
    advance(Duration.ofHours(25));
    assertEquals(0, lockout.accountAttempts("fay").failures());
    fail("fay");
    assertEquals(1, lockout.accountAttempts("fay").failures(), "account counter restarted");
    // The password factor keeps counting: NIST's limit is on consecutive failures, which only a success clears.
    assertEquals(6, store.get(Lockout.factorKey(Factor.PASSWORD, "fay"), now.get()).failures());
  }

  @Test
  void rules_validateNistCeilingAndOrdering() {
    assertThrows(IllegalArgumentException.class,
        () -> new LockoutRule(5, Duration.ofSeconds(1), Duration.ofMinutes(15), 101, Duration.ofDays(1)));
    assertThrows(IllegalArgumentException.class,
        () -> new LockoutRule(5, Duration.ofSeconds(1), Duration.ofMinutes(15), 5, Duration.ofDays(1)));
    assertThrows(IllegalArgumentException.class,
        () -> new LockoutRule(5, Duration.ZERO, Duration.ofMinutes(15), 0, Duration.ofDays(1)));
    assertThrows(IllegalArgumentException.class,
        () -> new LockoutRule(5, Duration.ofMinutes(20), Duration.ofMinutes(15), 0, Duration.ofDays(1)));
    assertThrows(IllegalArgumentException.class,
        () -> new LockoutRule(5, Duration.ofSeconds(1), Duration.ofMinutes(15), 0, Duration.ofMinutes(1)));
    LockoutRule r = new LockoutRule(2, Duration.ofSeconds(1), Duration.ofSeconds(10), 0, Duration.ofHours(1));
    assertEquals(Duration.ZERO, r.delayAfter(2));
    assertEquals(Duration.ofSeconds(1), r.delayAfter(3));
    assertEquals(Duration.ofSeconds(8), r.delayAfter(6));
    assertEquals(Duration.ofSeconds(10), r.delayAfter(7));
    assertEquals(Duration.ofSeconds(10), r.delayAfter(Long.MAX_VALUE));
  }

  @Test
  void emptyOrNullAccount_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> lockout.check("", Factor.PASSWORD, NO_SOURCE));
    assertThrows(IllegalArgumentException.class, () -> lockout.recordFailure(null, Factor.PASSWORD, NO_SOURCE));
    assertThrows(IllegalArgumentException.class, () -> lockout.unlockSource(""));
  }
}
