package dev.bulwark.authn.flow;

import java.util.Objects;
import java.util.Set;

/**
 * What the login flow needs to know about an account, as the host's
 * {@link dev.bulwark.authn.flow.spi.AccountDirectory} returns it.
 *
 * @param accountId the host's stable id (events and the login result carry it)
 * @param passwordHash the Argon2id PHC string
 * @param roles the account's roles; the {@link MfaPolicy} decides which ones require a second factor
 */
public record Account(String accountId, String passwordHash, Set<String> roles) {

  public Account {
    if (accountId == null || accountId.isEmpty()) {
      throw new IllegalArgumentException("accountId must not be null or empty");
    }
    Objects.requireNonNull(passwordHash, "passwordHash");
    roles = Set.copyOf(Objects.requireNonNull(roles, "roles"));
  }

  /** Omits the password hash, which belongs in no log. */
  @Override
  public String toString() {
    return "Account[accountId=" + accountId + ", roles=" + roles + "]";
  }
}
