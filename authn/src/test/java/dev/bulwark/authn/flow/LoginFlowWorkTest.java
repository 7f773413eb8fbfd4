package dev.bulwark.authn.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bulwark.authn.flow.LoginResult.Outcome;
import dev.bulwark.authn.flow.spi.AccountDirectory;
import dev.bulwark.authn.lockout.Lockout;
import dev.bulwark.authn.lockout.spi.AttemptStore;
import dev.bulwark.authn.password.Argon2idParameters;
import dev.bulwark.authn.password.PasswordHasher;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every failed login costs one Argon2id computation, whatever made it fail: unknown account,
 * wrong, empty, over-long or invalid-Unicode password, an identifier that cannot be one, a
 * corrupt stored hash. Counted with {@link PasswordHasher#hashesComputed()}, not timed.
 */
class LoginFlowWorkTest {

  private static final Instant T = Instant.parse("2026-06-01T09:00:00Z");

  private final PasswordHasher hasher =
      PasswordHasher.builder().insecureParametersForTesting(Argon2idParameters.unchecked(64, 1, 1)).build();
  private final Map<String, Account> accounts = Map.of(
      "alice", new Account("u-alice", hasher.hash("alice long passphrase"), Set.of("user")),
      "broken", new Account("u-broken", "$argon2id$v=19$m=64,t=1,p=1$not-base64!$x", Set.of("user")));
  private final AccountDirectory directory = username -> Optional.ofNullable(accounts.get(username));
  private final LoginFlow flow = LoginFlow.builder(directory, hasher,
      Lockout.builder(AttemptStore.inMemory(() -> T)).clock(() -> T).build()).clock(() -> T).build();

  private long work(String username, String password, Outcome expected) {
    long before = hasher.hashesComputed();
    assertEquals(expected, flow.login(LoginRequest.of(username, password, Optional.empty())).outcome());
    return hasher.hashesComputed() - before;
  }

  @Test
  void everyPath_costsOneHash() {
    assertEquals(1, work("alice", "alice long passphrase", Outcome.SUCCESS), "right password");
    assertEquals(1, work("alice", "a wrong passphrase", Outcome.FAILED), "wrong password");
    assertEquals(1, work("nobody", "a wrong passphrase", Outcome.FAILED), "unknown account");
    assertEquals(1, work("alice", "", Outcome.FAILED), "empty password, known account");
    assertEquals(1, work("nobody", "", Outcome.FAILED), "empty password, unknown account");
    assertEquals(1, work("alice", "p".repeat(100_000), Outcome.FAILED), "over-long password");
    assertEquals(1, work("alice", "abc\uD800", Outcome.FAILED), "invalid Unicode");
    assertEquals(1, work("not an identifier", "a wrong passphrase", Outcome.FAILED), "identifier with a space");
    assertEquals(1, work("broken", "a wrong passphrase", Outcome.FAILED), "corrupt stored hash");
  }
}
