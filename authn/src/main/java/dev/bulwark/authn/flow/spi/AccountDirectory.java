package dev.bulwark.authn.flow.spi;

import dev.bulwark.authn.flow.Account;
import java.util.Optional;

/**
 * Finds accounts by the identifier a user types at login.
 *
 * <p>Contract for implementers: MUST be thread-safe; MUST NOT return null
 * ({@code Optional.empty()} for an unknown identifier). The lookup SHOULD take about the same time
 * whether or not the account exists. Exceptions propagate out of
 * {@link dev.bulwark.authn.flow.LoginFlow#login}: the login fails.
 */
public interface AccountDirectory {

  Optional<Account> find(String username);

  /**
   * Called after a successful password check when the stored hash is outdated (weaker
   * parameters, another pepper): store {@code newHash} in place of the old one. The default does
   * nothing. An exception here is ignored: the login still succeeds, and the next one retries.
   */
  default void updatePasswordHash(String accountId, String newHash) {}
}
