package dev.bulwark.authn.flow.spi;

import dev.bulwark.authn.flow.Account;
import dev.bulwark.authn.flow.Identifiers;
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

  /**
   * Finds the account with this identifier.
   *
   * @param username the identifier in its canonical form ({@link #canonicalIdentifier}), never
   *     the raw text typed
   */
  Optional<Account> find(String username);

  /**
   * The one spelling of an identifier: {@link dev.bulwark.authn.flow.LoginFlow} applies it to
   * what the user typed before the lookup ({@link #find}) and before the lockout counts, so that
   * {@code Alice}, {@code aLice} and {@code ALICE} reach the same account and share one failure
   * counter. Store identifiers in this form when accounts are created.
   *
   * <p>The default is the PRECIS UsernameCaseMapped profile of RFC 8265
   * ({@link dev.bulwark.authn.flow.Identifiers#usernameCaseMapped}: width mapping, lower case,
   * NFC). Override it to keep another scheme, for example case-sensitive identifiers
   * ({@code return typed;}); it MUST be deterministic and idempotent, and MUST NOT return null
   * or an empty string.
   *
   * @throws IllegalArgumentException if {@code typed} cannot be an identifier; the login then
   *     fails like one for an unknown account, at the same cost
   */
  default String canonicalIdentifier(String typed) {
    return Identifiers.usernameCaseMapped(typed);
  }

  /**
   * Called after a successful password check when the stored hash is outdated (weaker
   * parameters, another pepper): store {@code newHash} in place of the old one. The default does
   * nothing. An exception here is ignored: the login still succeeds, and the next one retries.
   */
  default void updatePasswordHash(String accountId, String newHash) {}
}
