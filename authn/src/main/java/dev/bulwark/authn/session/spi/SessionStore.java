package dev.bulwark.authn.session.spi;

import java.time.InstantSource;
import dev.bulwark.authn.session.LimitAction;
import dev.bulwark.authn.session.Session;
import dev.bulwark.authn.session.TokenHash;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where sessions live, keyed by the SHA-256 of their token. Implement it to keep sessions in your
 * own database; Bulwark ships {@code InMemorySessionStore} (Caffeine) and
 * {@code JdbcSessionStore} (PostgreSQL). Run {@code dev.bulwark.testkit.authn.session.SessionStoreContract}
 * against your implementation.
 *
 * <p>Contract: implementations MUST be thread-safe and, when several application nodes share
 * them, safe across nodes. Methods MUST NOT return null. A store never sees a token, only its
 * hash. Exceptions other than those documented propagate to the caller of {@code Sessions} as
 * they are (the operation fails and no session is created or changed).
 */
public interface SessionStore {

  /** The result of {@link #create}. */
  record CreateResult(boolean created, List<Session> evicted) {
    public CreateResult {
      evicted = List.copyOf(evicted);
    }
  }

  /**
   * Atomically stores {@code session} under {@code hash} while enforcing the per-user limit: the
   * user's sessions that are not live at {@code now} are removed and do not count; if {@code max}
   * live sessions remain, {@code REJECT_NEW} stores nothing and returns {@code created=false},
   * {@code EVICT_OLDEST} removes the oldest live ones (by {@code createdAt}) so that exactly
   * {@code max} remain after the insert, and returns them. Two concurrent calls for the same user,
   * from any node, MUST NOT together leave more than {@code max} live sessions.
   */
  CreateResult create(TokenHash hash, Session session, int max, LimitAction onLimit, Instant now);

  /** The session stored under {@code hash}, live or not. */
  Optional<Session> find(TokenHash hash);

  /** Moves the session's last-seen time forward to {@code at} (never backwards). False if absent. */
  boolean touch(TokenHash hash, Instant at);

  /**
   * Atomically removes the session under {@code oldHash} and stores {@code session} under
   * {@code newHash}. Returns false (and changes nothing) if {@code oldHash} is absent, so a token
   * rotated twice at once yields exactly one winner.
   */
  boolean replace(TokenHash oldHash, TokenHash newHash, Session session);

  /** Removes the session under {@code hash}, returning it. */
  Optional<Session> delete(TokenHash hash);

  /** Removes {@code userId}'s session whose {@link Session#id()} is {@code sessionId}. */
  Optional<Session> deleteById(String userId, String sessionId);

  /** Removes all sessions of {@code userId}, returning them. */
  List<Session> deleteAll(String userId);

  /** The sessions of {@code userId} that are live at {@code now}, oldest first. */
  List<Session> list(String userId, Instant now);

  /**
   * An in-process store for one application node (the same as {@code new InMemorySessionStore(clock)});
   * entries are dropped an hour after their deadline on {@code clock}.
   */
  static SessionStore inMemory(InstantSource clock) {
    return new dev.bulwark.authn.session.InMemorySessionStore(clock);
  }
}
