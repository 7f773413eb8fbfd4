package dev.bulwark.authz;

import dev.bulwark.authz.spi.AuthzStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * {@link AuthzStore} in memory, for tests and single-process hosts: nothing survives a restart.
 * Thread-safe (one lock).
 */
public final class InMemoryAuthzStore implements AuthzStore {

  private Policy definitions = Policy.empty("empty");
  private final Map<String, Binding> bindings = new LinkedHashMap<>();
  private final List<Review> reviews = new ArrayList<>();
  private long revision;

  @Override
  public synchronized Snapshot read() {
    return new Snapshot(definitions.withBindings(List.copyOf(bindings.values())), revision);
  }

  @Override
  public synchronized OptionalLong replaceDefinitions(Policy policy, long expectedRevision) {
    Objects.requireNonNull(policy, "policy");
    if (expectedRevision != revision) {
      return OptionalLong.empty();
    }
    definitions = policy.withBindings(List.of());
    for (Binding b : policy.bindings()) {
      bindings.put(b.id(), b);
    }
    return OptionalLong.of(++revision);
  }

  @Override
  public synchronized OptionalLong putBinding(Binding binding, long expectedRevision) {
    Objects.requireNonNull(binding, "binding");
    if (expectedRevision != revision) {
      return OptionalLong.empty();
    }
    bindings.put(binding.id(), binding);
    return OptionalLong.of(++revision);
  }

  @Override
  public synchronized OptionalLong removeBinding(String bindingId, long expectedRevision) {
    Objects.requireNonNull(bindingId, "bindingId");
    if (expectedRevision != revision || !bindings.containsKey(bindingId)) {
      return OptionalLong.empty();
    }
    bindings.remove(bindingId);
    return OptionalLong.of(++revision);
  }

  @Override
  public synchronized void appendReview(Review review) {
    reviews.add(Objects.requireNonNull(review, "review"));
  }

  @Override
  public synchronized List<Review> reviews(String bindingId) {
    return reviews.stream().filter(r -> r.bindingId().equals(bindingId)).toList();
  }
}
