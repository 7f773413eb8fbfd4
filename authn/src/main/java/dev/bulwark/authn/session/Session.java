package dev.bulwark.authn.session;

import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.Factor;
import java.time.Duration;
import java.time.Instant;
import java.util.AbstractSet;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A server-side session: who, at which assurance level, with which factors and when each was
 * last verified, which authorities (roles, permissions) the user held when the session was
 * issued, and its two deadlines. Never holds the token itself.
 *
 * @param id a random public handle (32 hex characters) for listing and revoking one session; it
 *     is not a credential
 * @param userId the authenticated user
 * @param assuranceLevel the level reached at login (or at the last rotation)
 * @param factors each factor verified in this session, with the time it was last verified
 * @param authTime when the user last authenticated (the login, or a later re-authentication)
 * @param createdAt when the session was created; the absolute deadline counts from here
 * @param lastSeenAt when the session was last used (moves forward on validation)
 * @param idleTimeout the inactivity limit
 * @param absoluteDeadline the instant after which the session is dead whatever its activity
 * @param elevation a temporary raise of the assurance level by step-up, if any
 * @param factorLevels the assurance level each verified factor proved the last time it was
 *     verified (a device-bound passkey AAL3, a synced one AAL2, a TOTP code AAL2, a password
 *     AAL1), one entry per verified factor; a factor given without one gets
 *     {@link #defaultLevel}
 * @param authorities the principal's authorities (role or permission names such as
 *     {@code ROLE_ADMIN}) as the host resolved them when the session was issued: an immutable,
 *     sorted set of at most {@value #MAX_AUTHORITIES} names, each 1 to
 *     {@value #MAX_AUTHORITY_LENGTH} characters without control, format or line-separator
 *     characters. Rotation and step-up keep them unchanged; when the user's roles change, revoke
 *     the user's sessions ({@link Sessions#revokeAll}) so the next login carries the new set.
 */
public record Session(
    String id,
    String userId,
    AssuranceLevel assuranceLevel,
    Map<Factor, Instant> factors,
    Instant authTime,
    Instant createdAt,
    Instant lastSeenAt,
    Duration idleTimeout,
    Instant absoluteDeadline,
    Optional<Elevation> elevation,
    Map<Factor, AssuranceLevel> factorLevels,
    Set<String> authorities) {

  /** The most authorities one session carries. */
  public static final int MAX_AUTHORITIES = 64;

  /** The longest authority name, in UTF-16 characters. */
  public static final int MAX_AUTHORITY_LENGTH = 256;

  /** A session without authorities whose factors proved the levels in {@code factorLevels}. */
  public Session(String id, String userId, AssuranceLevel assuranceLevel, Map<Factor, Instant> factors,
      Instant authTime, Instant createdAt, Instant lastSeenAt, Duration idleTimeout, Instant absoluteDeadline,
      Optional<Elevation> elevation, Map<Factor, AssuranceLevel> factorLevels) {
    this(id, userId, assuranceLevel, factors, authTime, createdAt, lastSeenAt, idleTimeout, absoluteDeadline, elevation,
        factorLevels, Set.of());
  }

  /** A session whose factors proved the default level for each ({@link #defaultLevel}). */
  public Session(String id, String userId, AssuranceLevel assuranceLevel, Map<Factor, Instant> factors,
      Instant authTime, Instant createdAt, Instant lastSeenAt, Duration idleTimeout, Instant absoluteDeadline,
      Optional<Elevation> elevation) {
    this(id, userId, assuranceLevel, factors, authTime, createdAt, lastSeenAt, idleTimeout, absoluteDeadline, elevation,
        Map.of());
  }

  /**
   * The level a factor proves when nothing more is known: a password AAL1; a passkey the
   * session's level (it may have been the single, multi-factor login); any other second factor
   * AAL2 (with the password it is two factors; only a device-bound cryptographic authenticator
   * reaches AAL3).
   */
  public static AssuranceLevel defaultLevel(Factor factor, AssuranceLevel sessionLevel) {
    switch (factor) {
      case PASSWORD:
        return AssuranceLevel.AAL1;
      case WEBAUTHN:
        return sessionLevel;
      default:
        return AssuranceLevel.AAL2;
    }
  }

  /** The level {@code factor} proved when last verified in this session; empty if it was not. */
  public Optional<AssuranceLevel> provenLevel(Factor factor) {
    if (!factors.containsKey(factor)) {
      return Optional.empty();
    }
    return Optional.ofNullable(factorLevels.get(factor));
  }

  /**
   * A step-up raised this session to {@code level} until {@code until}; afterwards the session
   * falls back to its base {@link Session#assuranceLevel()} without anyone having to act.
   */
  public record Elevation(AssuranceLevel level, Instant until) {
    public Elevation {
      Objects.requireNonNull(level, "level");
      Objects.requireNonNull(until, "until");
    }
  }

  public Session {
    Objects.requireNonNull(id, "id");
    if (id.isEmpty() || id.length() > 64) {
      throw new IllegalArgumentException("session id must be 1-64 characters");
    }
    Objects.requireNonNull(userId, "userId");
    if (userId.isEmpty() || userId.length() > 255) {
      throw new IllegalArgumentException("userId must be 1-255 characters");
    }
    Objects.requireNonNull(assuranceLevel, "assuranceLevel");
    Objects.requireNonNull(factors, "factors");
    EnumMap<Factor, Instant> copy = new EnumMap<>(Factor.class);
    factors.forEach((f, t) -> copy.put(Objects.requireNonNull(f, "factor"), Objects.requireNonNull(t, "factor time")));
    factors = Collections.unmodifiableMap(copy);
    Objects.requireNonNull(authTime, "authTime");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(lastSeenAt, "lastSeenAt");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    if (idleTimeout.isZero() || idleTimeout.isNegative()) {
      throw new IllegalArgumentException("idleTimeout must be positive");
    }
    Objects.requireNonNull(absoluteDeadline, "absoluteDeadline");
    if (!absoluteDeadline.isAfter(createdAt)) {
      throw new IllegalArgumentException("absoluteDeadline must be after createdAt");
    }
    Objects.requireNonNull(elevation, "elevation");
    Objects.requireNonNull(factorLevels, "factorLevels");
    // Every factor gets its level, recorded or the default, so that equal sessions are equal
    // whether their levels were given or derived.
    EnumMap<Factor, AssuranceLevel> levels = new EnumMap<>(Factor.class);
    for (Factor f : factors.keySet()) {
      AssuranceLevel given = factorLevels.get(f);
      levels.put(f, given != null ? given : defaultLevel(f, assuranceLevel));
    }
    for (Map.Entry<Factor, AssuranceLevel> e : factorLevels.entrySet()) {
      Objects.requireNonNull(e.getKey(), "factor");
      Objects.requireNonNull(e.getValue(), "level");
    }
    factorLevels = Collections.unmodifiableMap(levels);
    authorities = checkAuthorities(authorities);
  }

  /**
   * Validates {@code authorities} and returns them as an immutable set iterating in natural order.
   *
   * @throws IllegalArgumentException if there are more than {@value #MAX_AUTHORITIES}, or one is
   *     empty, longer than {@value #MAX_AUTHORITY_LENGTH} characters, or holds a control, format
   *     (such as a bidirectional override), line-separator or unpaired surrogate character; the
   *     message never repeats the value
   * @throws NullPointerException if the set or one of its names is null
   */
  public static Set<String> checkAuthorities(Set<String> authorities) {
    Objects.requireNonNull(authorities, "authorities");
    if (authorities instanceof CheckedAuthorities) {
      return authorities;
    }
    if (authorities.size() > MAX_AUTHORITIES) {
      throw new IllegalArgumentException("at most " + MAX_AUTHORITIES + " authorities per session");
    }
    TreeSet<String> copy = new TreeSet<>();
    for (String a : authorities) {
      Objects.requireNonNull(a, "authority");
      if (a.isEmpty() || a.length() > MAX_AUTHORITY_LENGTH) {
        throw new IllegalArgumentException("an authority must be 1-" + MAX_AUTHORITY_LENGTH + " characters");
      }
      for (int i = 0; i < a.length(); ) {
        int cp = a.codePointAt(i);
        int type = Character.getType(cp);
        if (type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
            || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE) {
          throw new IllegalArgumentException(
              "an authority must not contain control, format or line-separator characters (at index " + i + ")");
        }
        i += Character.charCount(cp);
      }
      copy.add(a);
    }
    return new CheckedAuthorities(copy);
  }

  /** An immutable sorted set that {@link #checkAuthorities} produced, so a copy is not checked twice. */
  private static final class CheckedAuthorities extends AbstractSet<String> {
    private final Set<String> set;

    CheckedAuthorities(TreeSet<String> set) {
      this.set = Collections.unmodifiableSortedSet(set);
    }

    @Override
    public Iterator<String> iterator() {
      return set.iterator();
    }

    @Override
    public int size() {
      return set.size();
    }

    @Override
    public boolean contains(Object o) {
      return o instanceof String && set.contains(o);
    }
  }

  /** True when the user held {@code authority} when this session was issued. */
  public boolean hasAuthority(String authority) {
    return authority != null && authorities.contains(authority);
  }

  /** The instant after which the session is dead unless it is used before then. */
  public Instant idleDeadline() {
    Instant idle = lastSeenAt.plus(idleTimeout);
    return idle.isBefore(absoluteDeadline) ? idle : absoluteDeadline;
  }

  /** True when {@code now} is strictly before both deadlines. */
  public boolean isLiveAt(Instant now) {
    return now.isBefore(absoluteDeadline) && now.isBefore(lastSeenAt.plus(idleTimeout));
  }

  /** The level in force at {@code now}: the elevation while it lasts, otherwise the base level. */
  public AssuranceLevel levelAt(Instant now) {
    return elevation
        .filter(e -> now.isBefore(e.until()) && e.level().compareTo(assuranceLevel) > 0)
        .map(Elevation::level)
        .orElse(assuranceLevel);
  }

  /** When {@code factor} was last verified in this session. */
  public Optional<Instant> lastVerified(Factor factor) {
    return Optional.ofNullable(factors.get(factor));
  }

  /** A copy last seen at {@code at} (never moves backwards). */
  public Session seenAt(Instant at) {
    Instant seen = at.isAfter(lastSeenAt) ? at : lastSeenAt;
    return new Session(id, userId, assuranceLevel, factors, authTime, createdAt, seen, idleTimeout, absoluteDeadline, elevation,
        factorLevels, authorities);
  }
}
