package dev.bulwark.spring.sso;

import java.util.Objects;
import java.util.Set;

/**
 * The local account a verified single sign-on identity maps to, and its roles (they become
 * {@code ROLE_<role>} authorities of the signed-in user, read once at sign-in).
 *
 * @param accountId the local account id the Bulwark session is created for (1-255 characters)
 * @param roles the account's roles, e.g. {@code admin}
 */
public record SsoAccount(String accountId, Set<String> roles) {
  public SsoAccount {
    Objects.requireNonNull(accountId, "accountId");
    if (accountId.isEmpty() || accountId.length() > 255) {
      throw new IllegalArgumentException("accountId must be 1-255 characters");
    }
    roles = Set.copyOf(roles);
  }
}
