package dev.bulwark.authn.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.flow.LoginResult.Outcome;
import dev.bulwark.authn.flow.spi.AccountDirectory;
import dev.bulwark.authn.lockout.Lockout;
import dev.bulwark.authn.lockout.spi.AttemptStore;
import dev.bulwark.authn.password.Argon2idParameters;
import dev.bulwark.authn.password.PasswordHasher;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** One account, one counter: spellings of an identifier share the lookup and the lockout. */
class LoginFlowIdentifierTest {

  private static final Instant T = Instant.parse("2026-06-01T09:00:00Z");

  private final PasswordHasher hasher =
      PasswordHasher.builder().insecureParametersForTesting(Argon2idParameters.unchecked(64, 1, 1)).build();
  private final Map<String, Account> accounts =
      Map.of("alice@example.com", new Account("u-alice", hasher.hash("alice long passphrase"), Set.of("user")));
  private final Lockout lockout = Lockout.builder(AttemptStore.inMemory(() -> T)).clock(() -> T).build();

  private LoginFlow flow(AccountDirectory directory) {
    return LoginFlow.builder(directory, hasher, lockout).clock(() -> T).build();
  }

  private final AccountDirectory canonical = username -> Optional.ofNullable(accounts.get(username));

  /** 60 guesses rotating over three spellings: before, each had its own counter (56 checks of 60). */
  @Test
  void caseVariants_shareOneCounter() {
    LoginFlow flow = flow(canonical);
    List<String> spellings = List.of("Alice@example.com", "aLice@example.com", "ALICE@example.com");
    long before = hasher.hashesComputed();
    for (int i = 0; i < 60; i++) {
      flow.login(LoginRequest.of(spellings.get(i % 3), "guess " + i, Optional.of("192.0.2." + i)));
    }
    long checks = hasher.hashesComputed() - before;
    assertEquals(6, checks, "60 guesses over three spellings at one instant: 6 checks, as for one spelling");
    assertEquals(6, lockout.accountAttempts("alice@example.com").failures());
  }

  @Test
  void anySpelling_logsIntoTheOneAccount_andSuccessClearsTheSharedCounter() {
    LoginFlow flow = flow(canonical);
    flow.login(LoginRequest.of("ALICE@example.com", "wrong", Optional.empty()));
    assertEquals(1, lockout.accountAttempts("alice@example.com").failures());
    LoginResult r = flow.login(LoginRequest.of("\uFF21lice@Example.com", "alice long passphrase", Optional.empty()));
    assertEquals(Outcome.SUCCESS, r.outcome());
    assertEquals(Optional.of("u-alice"), r.accountId());
    assertEquals(0, lockout.accountAttempts("alice@example.com").failures());
  }

  @Test
  void theHostCanReplaceTheCanonicalForm() {
    AccountDirectory caseSensitive = new AccountDirectory() {
      @Override
      public Optional<Account> find(String username) {
        return Optional.ofNullable(accounts.get(username));
      }

      @Override
      public String canonicalIdentifier(String typed) {
        return typed;
      }
    };
    LoginFlow flow = flow(caseSensitive);
    assertEquals(Outcome.FAILED, flow.login(LoginRequest.of("ALICE@example.com", "alice long passphrase",
        Optional.empty())).outcome());
    assertEquals(1, lockout.accountAttempts("ALICE@example.com").failures());
    assertTrue(flow.login(LoginRequest.of("alice@example.com", "alice long passphrase", Optional.empty())).succeeded());
  }
}
