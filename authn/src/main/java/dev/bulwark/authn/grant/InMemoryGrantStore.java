package dev.bulwark.authn.grant;

import dev.bulwark.authn.grant.spi.GrantStore;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The in-process {@link GrantStore}. Transitions are atomic through
 * {@link ConcurrentHashMap#compute}. Final grants are kept (they are the record of who had what
 * access); hosts with long uptimes archive them through their audit log and use
 * {@code JdbcGrantStore}. Thread-safe.
 */
public final class InMemoryGrantStore implements GrantStore {

  private final ConcurrentHashMap<String, Grant> grants = new ConcurrentHashMap<>();

  @Override
  public void insert(Grant grant) {
    Objects.requireNonNull(grant, "grant");
    if (grants.putIfAbsent(grant.id(), grant) != null) {
      throw new IllegalArgumentException("grant id already exists");
    }
  }

  @Override
  public Optional<Grant> find(String id) {
    return Optional.ofNullable(grants.get(Objects.requireNonNull(id, "id")));
  }

  @Override
  public boolean transition(GrantState expected, Grant next) {
    Objects.requireNonNull(expected, "expected");
    Objects.requireNonNull(next, "next");
    boolean[] done = {false};
    grants.computeIfPresent(next.id(), (id, current) -> {
      if (current.state() != expected || !current.subject().equals(next.subject())) {
        return current;
      }
      done[0] = true;
      return next;
    });
    return done[0];
  }

  @Override
  public List<Grant> forSubject(String subject) {
    Objects.requireNonNull(subject, "subject");
    return grants.values().stream()
        .filter(g -> g.subject().equals(subject))
        .sorted(Comparator.comparing(Grant::requestedAt).thenComparing(Grant::id))
        .collect(Collectors.toList());
  }

  @Override
  public List<Grant> due(Instant now, Instant pendingRequestedBefore, int limit) {
    return grants.values().stream()
        .filter(g -> (g.state() == GrantState.APPROVED && !now.isBefore(g.activeUntil().orElseThrow()))
            || (g.state() == GrantState.PENDING && !g.requestedAt().isAfter(pendingRequestedBefore)))
        .sorted(Comparator.comparing(Grant::requestedAt).thenComparing(Grant::id))
        .limit(limit)
        .collect(Collectors.toList());
  }
}
