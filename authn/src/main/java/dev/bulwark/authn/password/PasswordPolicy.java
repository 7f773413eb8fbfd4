package dev.bulwark.authn.password;

import dev.bulwark.authn.password.spi.PasswordBlocklist;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The NIST SP 800-63B rev. 4 rules for choosing a password (§3.1.1.2):
 *
 * <ul>
 *   <li>at least {@value #NIST_MIN_SINGLE_FACTOR} characters when the password is the only factor,
 *       at least {@value #NIST_MIN_WITH_MFA} when it is used together with a second factor;
 *   <li>a maximum of at least 64 (default {@value #DEFAULT_MAX_LENGTH});
 *   <li>no composition rules (no "one digit, one symbol"): any Unicode is accepted;
 *   <li>a blocklist of common, expected or breached passwords ({@link PasswordBlocklist}).
 * </ul>
 *
 * Length is counted in Unicode code points after NFKC normalisation. Apply the policy when a
 * password is set or changed, never at login: a login compares only with the stored hash.
 *
 * <p>Immutable and thread-safe.
 */
public final class PasswordPolicy {

  public static final int NIST_MIN_SINGLE_FACTOR = 15;
  public static final int NIST_MIN_WITH_MFA = 8;
  public static final int DEFAULT_MAX_LENGTH = 128;

  /** One reason a password was refused. The candidate itself is never part of it. */
  public enum Violation {
    TOO_SHORT,
    TOO_LONG,
    BLOCKLISTED,
    INVALID_UNICODE
  }

  /**
   * The outcome of {@link #check}: accepted when {@code violations} is empty.
   *
   * @param violations what is wrong, in a stable order
   * @param minLength the minimum that applied
   * @param maxLength the maximum that applied
   */
  public record Result(List<Violation> violations, int minLength, int maxLength) {
    public Result {
      violations = List.copyOf(violations);
    }

    public boolean accepted() {
      return violations.isEmpty();
    }
  }

  private final int minSingleFactor;
  private final int minWithMfa;
  private final int maxLength;
  private final PasswordBlocklist blocklist;

  private PasswordPolicy(int minSingleFactor, int minWithMfa, int maxLength, PasswordBlocklist blocklist) {
    this.minSingleFactor = minSingleFactor;
    this.minWithMfa = minWithMfa;
    this.maxLength = maxLength;
    this.blocklist = blocklist;
  }

  /** NIST defaults: 15 alone, 8 with MFA, maximum 128, no blocklist. */
  public static PasswordPolicy nist() {
    return new PasswordPolicy(NIST_MIN_SINGLE_FACTOR, NIST_MIN_WITH_MFA, DEFAULT_MAX_LENGTH, PasswordBlocklist.NONE);
  }

  /** This policy with {@code blocklist} consulted for every candidate. */
  public PasswordPolicy withBlocklist(PasswordBlocklist blocklist) {
    return new PasswordPolicy(minSingleFactor, minWithMfa, maxLength, Objects.requireNonNull(blocklist, "blocklist"));
  }

  /**
   * This policy with other lengths. NIST's floors still hold: the minimums cannot go below 15
   * and 8, and the maximum cannot be below 64 or above {@link PasswordHasher#MAX_PASSWORD_CHARS}.
   */
  public PasswordPolicy withLengths(int minSingleFactor, int minWithMfa, int maxLength) {
    if (minSingleFactor < NIST_MIN_SINGLE_FACTOR || minWithMfa < NIST_MIN_WITH_MFA) {
      throw new IllegalArgumentException("minimum lengths below NIST 800-63B (15 single-factor, 8 with MFA)");
    }
    if (maxLength < 64 || maxLength > PasswordHasher.MAX_PASSWORD_CHARS) {
      throw new IllegalArgumentException("maxLength must be in 64.." + PasswordHasher.MAX_PASSWORD_CHARS);
    }
    if (minSingleFactor > maxLength || minWithMfa > maxLength) {
      throw new IllegalArgumentException("minimum lengths must not exceed maxLength");
    }
    return new PasswordPolicy(minSingleFactor, minWithMfa, maxLength, blocklist);
  }

  /**
   * Checks a candidate password.
   *
   * @param withMfa true when the account authenticates with a second factor as well
   * @throws IllegalArgumentException if {@code candidate} is null
   */
  public Result check(CharSequence candidate, boolean withMfa) {
    if (candidate == null) {
      throw new IllegalArgumentException("candidate password is null");
    }
    int min = withMfa ? minWithMfa : minSingleFactor;
    List<Violation> violations = new ArrayList<>(2);
    if (candidate.length() > PasswordHasher.MAX_PASSWORD_CHARS) {
      return new Result(List.of(Violation.TOO_LONG), min, maxLength);
    }
    if (PasswordHasher.encode(candidate) == null && candidate.length() > 0) {
      return new Result(List.of(Violation.INVALID_UNICODE), min, maxLength);
    }
    String normalized = Normalizer.normalize(candidate, Normalizer.Form.NFKC);
    int length = normalized.codePointCount(0, normalized.length());
    if (length < min) {
      violations.add(Violation.TOO_SHORT);
    }
    if (length > maxLength) {
      violations.add(Violation.TOO_LONG);
    }
    if (length > 0 && blocklist.isBlocked(normalized)) {
      violations.add(Violation.BLOCKLISTED);
    }
    return new Result(violations, min, maxLength);
  }

  @Override
  public String toString() {
    return "PasswordPolicy[min=" + minSingleFactor + "/" + minWithMfa + " (single/MFA), max=" + maxLength + "]";
  }
}
