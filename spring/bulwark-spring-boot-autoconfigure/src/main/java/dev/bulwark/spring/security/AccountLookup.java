package dev.bulwark.spring.security;

import dev.bulwark.authn.flow.Account;
import dev.bulwark.authn.flow.spi.AccountDirectory;
import java.util.Objects;
import java.util.Optional;

/**
 * Finds an account by its id: the name a Bulwark session and a passkey carry. A passkey login has
 * no typed identifier, so the WebAuthn endpoints ask this for the account's roles (stored with the
 * new session) and its second-factor policy; an account it does not find cannot sign in with a
 * passkey (deleted or disabled accounts included). Implementations must be thread-safe.
 */
@FunctionalInterface
public interface AccountLookup {

  /** The account whose {@link Account#accountId()} is {@code accountId}, or empty. */
  Optional<Account> byId(String accountId);

  /**
   * A lookup through {@code directory} for hosts whose account id is also the login identifier
   * in canonical form: {@code directory.find(canonical(accountId))}, kept only when the account
   * found has exactly that id. Define your own bean when ids and identifiers differ.
   */
  static AccountLookup of(AccountDirectory directory) {
    Objects.requireNonNull(directory, "directory");
    return accountId -> {
      String canonical;
      try {
        canonical = directory.canonicalIdentifier(accountId);
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
      return directory.find(canonical).filter(a -> a.accountId().equals(accountId));
    };
  }
}
