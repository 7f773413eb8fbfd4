package dev.bulwark.authn.password.spi;

import java.util.Collection;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Says whether a candidate password is known to be weak: a breached-password corpus (for
 * example a Have I Been Pwned k-anonymity client or an offline Bloom filter), a list of common
 * passwords, or context words (the service name, the user's own name).
 *
 * <p>Contract for implementers: MUST be thread-safe; MUST NOT log or keep the candidate. An
 * exception it throws propagates to the caller of
 * {@link dev.bulwark.authn.password.PasswordPolicy#check}, which refuses to accept the password
 * (fail closed).
 */
@FunctionalInterface
public interface PasswordBlocklist {

  /** Blocks nothing. */
  PasswordBlocklist NONE = candidate -> false;

  /** True when {@code candidate} must not be used. {@code candidate} is NFKC-normalised. */
  boolean isBlocked(String candidate);

  /** Blocks the given words, compared without regard to case (ASVS 6.2.4 "top passwords" lists). */
  static PasswordBlocklist of(Collection<String> words) {
    Set<String> lower = words.stream().map(w -> w.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    return candidate -> lower.contains(candidate.toLowerCase(Locale.ROOT));
  }

  /** Blocks when this or {@code other} blocks. */
  default PasswordBlocklist or(PasswordBlocklist other) {
    return candidate -> isBlocked(candidate) || other.isBlocked(candidate);
  }
}
