package dev.bulwark.lifecycle;

import dev.bulwark.lifecycle.spi.HostRecords;
import dev.bulwark.lifecycle.spi.RecordState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * {@link HostRecords} in memory: for a single node, for tests, and for hosts whose records live
 * in memory. The host adds its records with {@link #insert}. Thread-safe (every method holds the
 * object's lock).
 */
public final class InMemoryHostRecords implements HostRecords {

  private final Set<DataClass> dataClasses;
  private final Map<DataClass, TreeMap<String, RecordState>> rows = new HashMap<>();

  private InMemoryHostRecords(Collection<DataClass> dataClasses) {
    this.dataClasses = Set.copyOf(dataClasses);
    if (this.dataClasses.isEmpty()) {
      throw new IllegalArgumentException("at least one data class");
    }
    for (DataClass c : this.dataClasses) {
      rows.put(c, new TreeMap<>());
    }
  }

  /** Records of these data classes. */
  public static InMemoryHostRecords of(DataClass... dataClasses) {
    return new InMemoryHostRecords(List.of(dataClasses));
  }

  /** Records of these data classes. */
  public static InMemoryHostRecords of(Collection<DataClass> dataClasses) {
    return new InMemoryHostRecords(dataClasses);
  }

  /** Adds a live record without a deadline (what a host's INSERT is to a table). */
  public synchronized void insert(RecordRef ref, Optional<String> subject, Optional<String> tenant) {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(tenant, "tenant");
    TreeMap<String, RecordState> table = table(ref.dataClass());
    if (table.containsKey(ref.id())) {
      throw new IllegalArgumentException("record " + ref + " exists");
    }
    table.put(ref.id(), new RecordState(ref, subject, tenant, Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.empty()));
  }

  private TreeMap<String, RecordState> table(DataClass c) {
    TreeMap<String, RecordState> t = rows.get(c);
    if (t == null) {
      throw new UnknownDataClassException(c, "no records of it are kept here");
    }
    return t;
  }

  @Override
  public Set<DataClass> dataClasses() {
    return dataClasses;
  }

  @Override
  public synchronized Optional<RecordState> find(RecordRef ref) {
    return Optional.ofNullable(table(ref.dataClass()).get(ref.id()));
  }

  @Override
  public synchronized List<RecordState> due(DataClass dataClass, Instant now, Predicate<RecordState> accept,
      int limit) {
    List<RecordState> out = new ArrayList<>();
    for (RecordState r : table(dataClass).values()) {
      if (r.purgeAfter().map(p -> !p.isAfter(now)).orElse(false) && accept.test(r)) {
        out.add(r);
      }
    }
    out.sort(Comparator.comparing((RecordState r) -> r.purgeAfter().orElseThrow()).thenComparing(r -> r.ref().id()));
    return out.size() > limit ? List.copyOf(out.subList(0, limit)) : out;
  }

  @Override
  public synchronized List<RecordState> ofSubject(DataClass dataClass, String subject, Predicate<RecordState> accept,
      int limit) {
    List<RecordState> out = new ArrayList<>();
    for (RecordState r : table(dataClass).values()) {
      if (out.size() >= limit) {
        break;
      }
      if (r.subject().equals(Optional.of(subject)) && accept.test(r)) {
        out.add(r);
      }
    }
    return out;
  }

  @Override
  public synchronized List<RecordState> scheduled(DataClass dataClass, Optional<String> afterId, int limit) {
    List<RecordState> out = new ArrayList<>();
    Map<String, RecordState> view = afterId.isPresent()
        ? table(dataClass).tailMap(afterId.get(), false) : table(dataClass);
    for (RecordState r : view.values()) {
      if (out.size() >= limit) {
        break;
      }
      if (!r.deleted() && r.purgeAfter().isPresent() && r.eligibleAt().isPresent()) {
        out.add(r);
      }
    }
    return out;
  }

  @Override
  public synchronized boolean replace(RecordState expected, RecordState next) {
    if (!expected.ref().equals(next.ref()) || !expected.subject().equals(next.subject())
        || !expected.tenant().equals(next.tenant())) {
      throw new IllegalArgumentException("replace keeps the record's identity, subject and tenant");
    }
    TreeMap<String, RecordState> table = table(expected.ref().dataClass());
    RecordState current = table.get(expected.ref().id());
    if (current == null || !current.equals(expected)) {
      return false;
    }
    table.put(next.ref().id(), next);
    return true;
  }

  @Override
  public synchronized void delete(Collection<RecordRef> batch) {
    for (RecordRef ref : batch) {
      table(ref.dataClass());
    }
    for (RecordRef ref : batch) {
      table(ref.dataClass()).remove(ref.id());
    }
  }

  @Override
  public synchronized OptionalLong size(DataClass dataClass) {
    return OptionalLong.of(table(dataClass).size());
  }
}
