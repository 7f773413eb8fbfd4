package dev.bulwark.spring.autoconfigure;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code bulwark.authn.*}: passwords, lockout, sessions and the login flow.
 *
 * @param pepper Base64 of the password pepper (32 to 64 random bytes), mixed into every Argon2id
 *     hash. Required outside a development profile.
 * @param pepperId the pepper's key id written into each hash (1-8 characters of [A-Za-z0-9._-])
 * @param store where lockout counters, sessions, TOTP credentials, pending TOTP enrolments and
 *     used TOTP steps are kept: AUTO (the DataSource if there is one, otherwise memory), MEMORY or
 *     JDBC
 * @param mfaForEveryone require a second factor for every account, not only administrators
 */
@ConfigurationProperties(prefix = "bulwark.authn", ignoreUnknownFields = false)
public record BulwarkAuthnProperties(
    String pepper,
    @DefaultValue("p1") String pepperId,
    @DefaultValue("auto") StoreKind store,
    @DefaultValue("false") boolean mfaForEveryone) {

  @Override
  public String toString() {
    return "BulwarkAuthnProperties[pepper=" + (pepper == null ? "unset" : "(redacted)") + ", pepperId=" + pepperId
        + ", store=" + store + ", mfaForEveryone=" + mfaForEveryone + "]";
  }
}
