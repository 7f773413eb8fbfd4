package dev.bulwark.authn.flow;

import java.util.Objects;
import java.util.Optional;

/**
 * One login attempt: identifier, password, optionally a second-factor code, and the client's
 * address. The flow is stateless between calls: when a second factor is needed, the client sends
 * the password again with the code (over the same TLS connection, typically from one form). So
 * any application node can finish any login.
 *
 * <p>{@link #toString} shows the username and source only.
 */
public final class LoginRequest {

  private static final int MAX_USERNAME_CHARS = 256;

  private final String username;
  private final CharSequence password;
  private final Optional<SecondFactorResponse> secondFactor;
  private final Optional<String> source;

  /**
   * @param username the identifier as typed; 1..256 characters
   * @param password as typed (not validated here: a wrong or absurd password is just a failure)
   * @param source the client address, used for per-source throttling; empty if unknown
   * @throws IllegalArgumentException if the username is null, empty or too long, or the password
   *     is null
   */
  public LoginRequest(String username, CharSequence password, Optional<SecondFactorResponse> secondFactor,
      Optional<String> source) {
    if (username == null || username.isEmpty()) {
      throw new IllegalArgumentException("username must not be null or empty");
    }
    if (username.length() > MAX_USERNAME_CHARS) {
      throw new IllegalArgumentException("username must be at most " + MAX_USERNAME_CHARS + " characters");
    }
    if (password == null) {
      throw new IllegalArgumentException("password must not be null");
    }
    this.username = username;
    this.password = password;
    this.secondFactor = Objects.requireNonNull(secondFactor, "secondFactor");
    this.source = Objects.requireNonNull(source, "source").filter(s -> !s.isEmpty());
  }

  /** A password-only attempt. */
  public static LoginRequest of(String username, CharSequence password, Optional<String> source) {
    return new LoginRequest(username, password, Optional.empty(), source);
  }

  /** This attempt with a second-factor code added. */
  public LoginRequest withSecondFactor(SecondFactorResponse response) {
    return new LoginRequest(username, password, Optional.of(response), source);
  }

  public String username() {
    return username;
  }

  public CharSequence password() {
    return password;
  }

  public Optional<SecondFactorResponse> secondFactor() {
    return secondFactor;
  }

  public Optional<String> source() {
    return source;
  }

  @Override
  public String toString() {
    return "LoginRequest[username=" + username + ", source=" + source.orElse("?") + ", password=<redacted>"
        + secondFactor.map(s -> ", " + s).orElse("") + "]";
  }
}
