package dev.bulwark.authn.session;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Policy;
import dev.bulwark.authn.internal.CachedClockTicker;
import dev.bulwark.authn.session.spi.SessionStore;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-process {@link SessionStore}: a Caffeine cache of sessions by token hash, whose entries
 * expire at the session's idle or absolute deadline on the store's clock, plus a per-user index.
 *
 * <p>Atomicity: every change to a user's set of sessions (create with the limit, rotation, revoke)
 * runs inside {@link ConcurrentHashMap#compute} on that user's index entry, so two logins of the
 * same user are serialised and never exceed the limit. Lookups by hash take no lock and have no
 * side effect on the cache ({@link Policy#getIfPresentQuietly}): expiry is fixed by the session's
 * deadlines, not by reads, so a read has nothing to record. Cache maintenance runs on the calling
 * thread after writes. The cache's clock is a {@link CachedClockTicker} (it may lag the clock by a
 * few calls, which only delays reclaiming memory: {@code Sessions} checks both deadlines against
 * the clock itself). For several application nodes use {@code JdbcSessionStore}.
 *
 * <p>Memory: a dead session stays for one hour past its deadline (so a late request is told
 * "idle timeout" rather than "unknown"); the per-user index keeps at most the user's limit of hashes; hashes of sessions that
 * expired are dropped the next time the user logs in or lists sessions.
 */
public final class InMemorySessionStore implements SessionStore {

  /**
   * Dead sessions are kept this long past their deadline before the cache drops them, so a late
   * request still learns why its session ended (idle or absolute) instead of "unknown".
   */
  private static final long GRACE_NANOS = 3_600_000_000_000L;

  private final Cache<TokenHash, Session> sessions;
  private final Policy<TokenHash, Session> policy;
  private final ConcurrentHashMap<String, Set<TokenHash>> byUser = new ConcurrentHashMap<>();

  /** A store that evicts expired sessions by {@code clock}. */
  public InMemorySessionStore(InstantSource clock) {
    Objects.requireNonNull(clock, "clock");
    this.sessions = Caffeine.newBuilder()
        .ticker(new CachedClockTicker(clock, InMemorySessionStore::epochNanos))
        .executor(Runnable::run)
        .expireAfter(new Expiry<TokenHash, Session>() {
          @Override
          public long expireAfterCreate(TokenHash key, Session value, long currentTime) {
            return remaining(value, currentTime);
          }

          @Override
          public long expireAfterUpdate(TokenHash key, Session value, long currentTime, long currentDuration) {
            return remaining(value, currentTime);
          }

          @Override
          public long expireAfterRead(TokenHash key, Session value, long currentTime, long currentDuration) {
            return currentDuration;
          }
        })
        .build();
    this.policy = sessions.policy();
  }

  /** A store on the system UTC clock. */
  public InMemorySessionStore() {
    this(InstantSource.system());
  }

  private static long remaining(Session s, long nowNanos) {
    long deadline = epochNanos(s.idleDeadline()) + GRACE_NANOS;
    return Math.max(0L, deadline - nowNanos);
  }

  private static long epochNanos(Instant t) {
    try {
      return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    } catch (ArithmeticException e) {
      return t.getEpochSecond() < 0 ? Long.MIN_VALUE / 2 : Long.MAX_VALUE / 2;
    }
  }

  @Override
  public CreateResult create(TokenHash hash, Session session, int max, LimitAction onLimit, Instant now) {
    Objects.requireNonNull(hash, "hash");
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(onLimit, "onLimit");
    Objects.requireNonNull(now, "now");
    if (max < 1) {
      throw new IllegalArgumentException("max must be >= 1");
    }
    boolean[] created = {false};
    List<Session> evicted = new ArrayList<>();
    byUser.compute(session.userId(), (user, existing) -> {
      Set<TokenHash> set = existing == null ? new HashSet<>() : existing;
      List<Entry> live = new ArrayList<>();
      for (TokenHash h : List.copyOf(set)) {
        Session s = sessions.getIfPresent(h);
        if (s == null || !s.isLiveAt(now)) {
          set.remove(h);
          sessions.invalidate(h);
        } else {
          live.add(new Entry(h, s));
        }
      }
      if (live.size() >= max) {
        if (onLimit == LimitAction.REJECT_NEW) {
          return set.isEmpty() ? null : set;
        }
        live.sort(Comparator.comparing((Entry e) -> e.session.createdAt()).thenComparing(e -> e.session.id()));
        int toEvict = live.size() - max + 1;
        for (int i = 0; i < toEvict; i++) {
          Entry e = live.get(i);
          set.remove(e.hash);
          sessions.invalidate(e.hash);
          evicted.add(e.session);
        }
      }
      sessions.put(hash, session);
      set.add(hash);
      created[0] = true;
      return set;
    });
    return new CreateResult(created[0], evicted);
  }

  private record Entry(TokenHash hash, Session session) {}

  @Override
  public Optional<Session> find(TokenHash hash) {
    return Optional.ofNullable(policy.getIfPresentQuietly(Objects.requireNonNull(hash, "hash")));
  }

  @Override
  public boolean touch(TokenHash hash, Instant at) {
    Objects.requireNonNull(at, "at");
    return sessions.asMap().computeIfPresent(Objects.requireNonNull(hash, "hash"), (h, s) -> s.seenAt(at)) != null;
  }

  @Override
  public boolean replace(TokenHash oldHash, TokenHash newHash, Session session) {
    Objects.requireNonNull(oldHash, "oldHash");
    Objects.requireNonNull(newHash, "newHash");
    Objects.requireNonNull(session, "session");
    Session old = sessions.getIfPresent(oldHash);
    if (old == null) {
      return false;
    }
    if (!old.userId().equals(session.userId())) {
      throw new IllegalArgumentException("a rotated session must keep its user");
    }
    boolean[] done = {false};
    byUser.compute(old.userId(), (user, set) -> {
      if (set == null || !set.contains(oldHash) || sessions.asMap().remove(oldHash) == null) {
        return set;
      }
      set.remove(oldHash);
      sessions.put(newHash, session);
      set.add(newHash);
      done[0] = true;
      return set;
    });
    return done[0];
  }

  @Override
  public Optional<Session> delete(TokenHash hash) {
    Session s = sessions.getIfPresent(Objects.requireNonNull(hash, "hash"));
    if (s == null) {
      return Optional.empty();
    }
    Session[] removed = {null};
    byUser.compute(s.userId(), (user, set) -> {
      removed[0] = sessions.asMap().remove(hash);
      if (set != null) {
        set.remove(hash);
      }
      return set == null || set.isEmpty() ? null : set;
    });
    return Optional.ofNullable(removed[0]);
  }

  @Override
  public Optional<Session> deleteById(String userId, String sessionId) {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(sessionId, "sessionId");
    Session[] removed = {null};
    byUser.computeIfPresent(userId, (user, set) -> {
      for (TokenHash h : List.copyOf(set)) {
        Session s = sessions.getIfPresent(h);
        if (s != null && s.id().equals(sessionId)) {
          removed[0] = sessions.asMap().remove(h);
          set.remove(h);
        }
      }
      return set.isEmpty() ? null : set;
    });
    return Optional.ofNullable(removed[0]);
  }

  @Override
  public List<Session> deleteAll(String userId) {
    Objects.requireNonNull(userId, "userId");
    List<Session> removed = new ArrayList<>();
    byUser.computeIfPresent(userId, (user, set) -> {
      for (TokenHash h : set) {
        Session s = sessions.asMap().remove(h);
        if (s != null) {
          removed.add(s);
        }
      }
      return null;
    });
    return removed;
  }

  @Override
  public List<Session> list(String userId, Instant now) {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(now, "now");
    List<Session> live = new ArrayList<>();
    Set<TokenHash> set = byUser.get(userId);
    if (set != null) {
      byUser.computeIfPresent(userId, (user, s) -> {
        for (TokenHash h : s) {
          Session session = sessions.getIfPresent(h);
          if (session != null && session.isLiveAt(now)) {
            live.add(session);
          }
        }
        return s;
      });
    }
    live.sort(Comparator.comparing(Session::createdAt).thenComparing(Session::id));
    return live;
  }

  /** Number of sessions held, live or awaiting eviction (for tests and metrics). */
  public long size() {
    return sessions.estimatedSize();
  }

  @Override
  public String toString() {
    return "InMemorySessionStore[" + sessions.estimatedSize() + " sessions]";
  }

}
