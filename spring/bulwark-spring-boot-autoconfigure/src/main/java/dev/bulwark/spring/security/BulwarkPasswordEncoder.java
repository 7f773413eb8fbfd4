package dev.bulwark.spring.security;

import dev.bulwark.authn.password.InvalidPasswordHashException;
import dev.bulwark.authn.password.PasswordHasher;
import java.util.Map;
import java.util.Objects;
import org.springframework.security.crypto.password.DelegatingPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * A Spring Security {@link PasswordEncoder} for Bulwark's Argon2id PHC strings
 * ({@code $argon2id$v=19$m=...}), through Bulwark's {@link PasswordHasher} (and its pepper).
 *
 * <p>It also checks legacy hashes with {@code legacy} (for example a {@code BCryptPasswordEncoder}
 * for {@code $2a$/$2b$/$2y$} hashes) and answers {@link #upgradeEncoding} {@code true} for them and
 * for Argon2id hashes with weaker parameters or another pepper, so Spring's
 * {@code DaoAuthenticationProvider} with a {@code UserDetailsPasswordService} rewrites each one as
 * Argon2id at the user's next successful login. {@link #delegating} builds a
 * {@link DelegatingPasswordEncoder} ({@code {bulwark}} prefix for new hashes, {@code {bcrypt}} and
 * un-prefixed legacy hashes still accepted). A malformed stored hash never matches. Thread-safe.
 */
public final class BulwarkPasswordEncoder implements PasswordEncoder {

  /** The id of this encoder in a {@link DelegatingPasswordEncoder}. */
  public static final String ID = "bulwark";

  private final PasswordHasher hasher;
  private final PasswordEncoder legacy;

  /**
   * @param hasher Bulwark's hasher (its pepper applies to every hash)
   * @param legacy checks hashes that are not Argon2id PHC strings; null to refuse them
   */
  public BulwarkPasswordEncoder(PasswordHasher hasher, PasswordEncoder legacy) {
    this.hasher = Objects.requireNonNull(hasher, "hasher");
    this.legacy = legacy;
  }

  /** A {@link DelegatingPasswordEncoder} that writes {@code {bulwark}} hashes and reads {@code {bcrypt}} and bare ones. */
  public static PasswordEncoder delegating(PasswordHasher hasher, PasswordEncoder bcrypt) {
    BulwarkPasswordEncoder bulwark = new BulwarkPasswordEncoder(hasher, bcrypt);
    DelegatingPasswordEncoder d = new DelegatingPasswordEncoder(ID, Map.of(ID, bulwark, "bcrypt", bcrypt));
    d.setDefaultPasswordEncoderForMatches(bulwark);
    return d;
  }

  private static boolean isPhc(String encoded) {
    return encoded.startsWith("$argon2id$");
  }

  @Override
  public String encode(CharSequence rawPassword) {
    return hasher.hash(rawPassword);
  }

  @Override
  public boolean matches(CharSequence rawPassword, String encodedPassword) {
    if (rawPassword == null || encodedPassword == null || encodedPassword.isEmpty()) {
      return false;
    }
    if (isPhc(encodedPassword)) {
      try {
        return hasher.verify(rawPassword, encodedPassword);
      } catch (InvalidPasswordHashException e) {
        hasher.verifyDummy(rawPassword);
        return false;
      }
    }
    if (legacy == null) {
      hasher.verifyDummy(rawPassword);
      return false;
    }
    try {
      return legacy.matches(rawPassword, encodedPassword);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  @Override
  public boolean upgradeEncoding(String encodedPassword) {
    if (encodedPassword == null || encodedPassword.isEmpty()) {
      return false;
    }
    if (!isPhc(encodedPassword)) {
      return true;
    }
    try {
      return hasher.needsRehash(encodedPassword);
    } catch (InvalidPasswordHashException e) {
      return true;
    }
  }
}
