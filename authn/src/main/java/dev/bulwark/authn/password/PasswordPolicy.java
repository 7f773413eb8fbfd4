package dev.bulwark.authn.password;

import dev.bulwark.authn.password.spi.BreachedPasswordSource;
import dev.bulwark.authn.password.spi.PasswordBlocklist;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
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
 *   <li>a blocklist of common, expected or breached passwords ({@link PasswordBlocklist}), and a
 *       breached-password source with a threshold count ({@link #withBreachedPasswords}).
 * </ul>
 *
 * Length is counted in Unicode code points after NFKC normalisation. Apply {@link #check} when a
 * password is set or changed (sign-up, password change); a login compares only with the stored
 * hash, and may in addition ask {@link #checkAtLogin} whether the password it just accepted is
 * breached (when enabled with {@link #breachCheckAtLogin}), to require a change.
 *
 * <p><b>Breached passwords.</b> The candidate is NFKC-normalised, encoded as UTF-8 and hashed
 * with SHA-1 (the range files' key); only the hash reaches the {@link BreachedPasswordSource},
 * and the bytes are wiped. A password seen at least {@code minTimesSeen} times is refused
 * ({@link Violation#BREACHED}). When the source cannot answer (it throws), the policy does what
 * {@link #onBreachSourceFailure} says: by default {@link OnSourceFailure#UNDECIDED}, a result
 * that is neither accepted nor refused ({@link Result#decided()} false, {@link Result#accepted()}
 * false), so a host that only asks {@code accepted()} never lets an unchecked password through
 * silently and a host that looks can tell the user to try again later;
 * {@link OnSourceFailure#REFUSE} refuses ({@link Violation#BREACH_CHECK_FAILED});
 * {@link OnSourceFailure#ACCEPT} accepts and reports {@link BreachVerdict#SOURCE_FAILED}.
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
    INVALID_UNICODE,
    /** Seen in breaches at least the policy's threshold number of times. */
    BREACHED,
    /** The breached-password source could not answer and the policy refuses then ({@link OnSourceFailure#REFUSE}). */
    BREACH_CHECK_FAILED
  }

  /** What the breached-password check found. */
  public enum BreachVerdict {
    /** No source configured, or (at login) the check is not enabled, or the candidate was refused before it. */
    NOT_CHECKED,
    /** Seen fewer times than the threshold (possibly 0). */
    NOT_BREACHED,
    /** Seen at least the threshold number of times. */
    BREACHED,
    /** The source could not answer; the policy refused ({@code REFUSE}) or accepted ({@code ACCEPT}) anyway. */
    SOURCE_FAILED,
    /** The source could not answer and the policy refuses to decide ({@code UNDECIDED}, the default). */
    UNDECIDED
  }

  /** What the policy does when the breached-password source cannot answer. No default is silent. */
  public enum OnSourceFailure {
    /** Neither accept nor refuse: the result is undecided and not accepted (the default). */
    UNDECIDED,
    /** Refuse the password ({@link Violation#BREACH_CHECK_FAILED}): fail closed. */
    REFUSE,
    /** Accept it if nothing else is wrong, reporting {@link BreachVerdict#SOURCE_FAILED}: fail open. */
    ACCEPT
  }

  /**
   * The outcome of {@link #check} or {@link #checkAtLogin}.
   *
   * @param violations what is wrong, in a stable order
   * @param minLength the minimum that applied
   * @param maxLength the maximum that applied
   * @param breach what the breached-password check found
   * @param timesSeen how often the source saw the password; -1 if it was not asked or did not answer
   */
  public record Result(List<Violation> violations, int minLength, int maxLength, BreachVerdict breach,
      long timesSeen) {
    public Result {
      violations = List.copyOf(violations);
      java.util.Objects.requireNonNull(breach, "breach");
    }

    /** A result without a breached-password check. */
    public Result(List<Violation> violations, int minLength, int maxLength) {
      this(violations, minLength, maxLength, BreachVerdict.NOT_CHECKED, -1);
    }

    /** True when nothing is wrong and the policy decided: never true for an undecided result. */
    public boolean accepted() {
      return violations.isEmpty() && breach != BreachVerdict.UNDECIDED;
    }

    /** False only when the breached-password source failed and the policy refuses to decide. */
    public boolean decided() {
      return breach != BreachVerdict.UNDECIDED;
    }
  }

  private final int minSingleFactor;
  private final int minWithMfa;
  private final int maxLength;
  private final PasswordBlocklist blocklist;
  private final BreachedPasswordSource breaches;
  private final long minTimesSeen;
  private final OnSourceFailure onSourceFailure;
  private final boolean atLogin;

  private PasswordPolicy(int minSingleFactor, int minWithMfa, int maxLength, PasswordBlocklist blocklist,
      BreachedPasswordSource breaches, long minTimesSeen, OnSourceFailure onSourceFailure, boolean atLogin) {
    this.minSingleFactor = minSingleFactor;
    this.minWithMfa = minWithMfa;
    this.maxLength = maxLength;
    this.blocklist = blocklist;
    this.breaches = breaches;
    this.minTimesSeen = minTimesSeen;
    this.onSourceFailure = onSourceFailure;
    this.atLogin = atLogin;
  }

  /** NIST defaults: 15 alone, 8 with MFA, maximum 128, no blocklist, no breached-password source. */
  public static PasswordPolicy nist() {
    return new PasswordPolicy(NIST_MIN_SINGLE_FACTOR, NIST_MIN_WITH_MFA, DEFAULT_MAX_LENGTH, PasswordBlocklist.NONE,
        null, 1, OnSourceFailure.UNDECIDED, false);
  }

  /** This policy with {@code blocklist} consulted for every candidate. */
  public PasswordPolicy withBlocklist(PasswordBlocklist blocklist) {
    return new PasswordPolicy(minSingleFactor, minWithMfa, maxLength, Objects.requireNonNull(blocklist, "blocklist"),
        breaches, minTimesSeen, onSourceFailure, atLogin);
  }

  /**
   * This policy refusing passwords that {@code source} saw at least {@code minTimesSeen} times
   * (checked at sign-up and password change; at login only with {@link #breachCheckAtLogin}).
   *
   * @throws IllegalArgumentException if {@code minTimesSeen < 1}
   */
  public PasswordPolicy withBreachedPasswords(BreachedPasswordSource source, long minTimesSeen) {
    Objects.requireNonNull(source, "source");
    if (minTimesSeen < 1) {
      throw new IllegalArgumentException("minTimesSeen must be >= 1");
    }
    return new PasswordPolicy(minSingleFactor, minWithMfa, maxLength, blocklist, source, minTimesSeen,
        onSourceFailure, atLogin);
  }

  /** What to do when the breached-password source cannot answer (default {@link OnSourceFailure#UNDECIDED}). */
  public PasswordPolicy onBreachSourceFailure(OnSourceFailure mode) {
    return new PasswordPolicy(minSingleFactor, minWithMfa, maxLength, blocklist, breaches, minTimesSeen,
        Objects.requireNonNull(mode, "mode"), atLogin);
  }

  /** Whether {@link #checkAtLogin} asks the breached-password source (default false: it answers NOT_CHECKED). */
  public PasswordPolicy breachCheckAtLogin(boolean enabled) {
    return new PasswordPolicy(minSingleFactor, minWithMfa, maxLength, blocklist, breaches, minTimesSeen,
        onSourceFailure, enabled);
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
    return new PasswordPolicy(minSingleFactor, minWithMfa, maxLength, blocklist, breaches, minTimesSeen,
        onSourceFailure, atLogin);
  }

  /**
   * Checks a candidate password being set (sign-up, password change): lengths, blocklist and, if
   * configured, the breached-password source (asked only when nothing else is wrong).
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
    if (!violations.isEmpty() || breaches == null) {
      return new Result(violations, min, maxLength);
    }
    return breachCheck(normalized, violations, min);
  }

  /**
   * After a login accepted {@code password}: whether it is breached, if {@link #breachCheckAtLogin}
   * is on (else {@link BreachVerdict#NOT_CHECKED}). Lengths and the blocklist are not applied (the
   * password is already set). A refused result means: require a password change.
   */
  public Result checkAtLogin(CharSequence password) {
    if (password == null) {
      throw new IllegalArgumentException("password is null");
    }
    if (!atLogin || breaches == null || password.length() == 0 || password.length() > PasswordHasher.MAX_PASSWORD_CHARS
        || PasswordHasher.encode(password) == null) {
      return new Result(List.of(), minWithMfa, maxLength);
    }
    return breachCheck(Normalizer.normalize(password, Normalizer.Form.NFKC), new ArrayList<>(1), minWithMfa);
  }

  private Result breachCheck(String normalized, List<Violation> violations, int min) {
    long seen;
    try {
      seen = breaches.timesSeen(sha1(normalized));
    } catch (RuntimeException e) {
      return breachCheckFailed(violations, min); // the exception may name the source; never the password
    }
    if (seen < 0) { // a source that answers nonsense has not answered
      return breachCheckFailed(violations, min);
    }
    if (seen >= minTimesSeen) {
      violations.add(Violation.BREACHED);
      return new Result(violations, min, maxLength, BreachVerdict.BREACHED, seen);
    }
    return new Result(violations, min, maxLength, BreachVerdict.NOT_BREACHED, seen);
  }

  private Result breachCheckFailed(List<Violation> violations, int min) {
    return switch (onSourceFailure) {
      case UNDECIDED -> new Result(violations, min, maxLength, BreachVerdict.UNDECIDED, -1);
      case REFUSE -> {
        violations.add(Violation.BREACH_CHECK_FAILED);
        yield new Result(violations, min, maxLength, BreachVerdict.SOURCE_FAILED, -1);
      }
      case ACCEPT -> new Result(violations, min, maxLength, BreachVerdict.SOURCE_FAILED, -1);
    };
  }

  /** SHA-1 of the UTF-8 of {@code normalized}; the UTF-8 bytes are wiped. */
  private static byte[] sha1(String normalized) {
    byte[] utf8 = normalized.getBytes(StandardCharsets.UTF_8);
    try {
      // SHA-1 here is the breach corpora's lookup key (k-anonymity ranges), not a password hash.
      return MessageDigest.getInstance("SHA-1").digest(utf8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-1", e);
    } finally {
      Arrays.fill(utf8, (byte) 0);
    }
  }

  @Override
  public String toString() {
    return "PasswordPolicy[min=" + minSingleFactor + "/" + minWithMfa + " (single/MFA), max=" + maxLength
        + (breaches == null ? "" : ", breached when seen >= " + minTimesSeen + " times, on source failure "
            + onSourceFailure + (atLogin ? ", also at login" : "")) + "]";
  }
}
