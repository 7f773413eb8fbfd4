package dev.bulwark.lifecycle.internal;

import dev.bulwark.lifecycle.Attribution;
import dev.bulwark.lifecycle.DeletionEvidence;
import dev.bulwark.lifecycle.LifecycleStoreException;
import dev.bulwark.lifecycle.RetentionPolicy;
import dev.bulwark.lifecycle.spi.ExpiryHandler;
import dev.bulwark.lifecycle.spi.KeyShredder;
import dev.bulwark.lifecycle.spi.PurgeBatchRequest;
import dev.bulwark.lifecycle.spi.RecordState;
import dev.bulwark.lifecycle.spi.SoftDeletion;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/** Shared by the stores: evidence for a batch, and the host callback for the policy's action. */
public final class Evidence {

  private Evidence() {}

  public static DeletionEvidence forBatch(PurgeBatchRequest request, List<RecordState> records) {
    List<DeletionEvidence.Item> items = new ArrayList<>(records.size());
    for (RecordState r : records) {
      items.add(new DeletionEvidence.Item(
          DeletionEvidence.hashRecord(r.ref()), r.subject().map(DeletionEvidence::hashSubject)));
    }
    return new DeletionEvidence(UUID.randomUUID(), kindOf(request.policy().action()),
        Optional.of(request.policy().dataClass()), request.policy().describe(), items,
        request.now(), request.by(), request.reference());
  }

  public static DeletionEvidence.Kind kindOf(RetentionPolicy.Action action) {
    switch (action) {
      case PURGE:
        return DeletionEvidence.Kind.PURGED;
      case ANONYMISE:
        return DeletionEvidence.Kind.ANONYMISED;
      case ARCHIVE:
        return DeletionEvidence.Kind.ARCHIVED;
      default:
        throw new IllegalStateException("unknown action " + action);
    }
  }

  /** Evidence of records a batch could not delete (set aside for the rest of the run). */
  public static DeletionEvidence failed(PurgeBatchRequest request, List<RecordState> records, String why) {
    List<DeletionEvidence.Item> items = new ArrayList<>(records.size());
    for (RecordState r : records) {
      items.add(new DeletionEvidence.Item(
          DeletionEvidence.hashRecord(r.ref()), r.subject().map(DeletionEvidence::hashSubject)));
    }
    return new DeletionEvidence(UUID.randomUUID(), DeletionEvidence.Kind.PURGE_FAILED,
        Optional.of(request.policy().dataClass()), request.policy().describe() + "; not deleted: " + why, items,
        request.now(), request.by(), request.reference());
  }

  /** The prefix of a key destruction's {@code policy} text; the key store's receipt follows it. */
  public static final String KEY_RECEIPT = "key-shred receipt ";

  /** Evidence of a subject's key destruction. */
  public static DeletionEvidence keyShredded(String subject, String receipt, Instant at, Attribution by,
      String reference) {
    return new DeletionEvidence(UUID.randomUUID(), DeletionEvidence.Kind.KEY_SHREDDED, Optional.empty(),
        KEY_RECEIPT + receipt, List.of(new DeletionEvidence.Item(DeletionEvidence.hashKey(subject),
            Optional.of(DeletionEvidence.hashSubject(subject)))), at, by, reference);
  }

  /** Calls the host's key shredder; wraps its failure once. */
  public static String destroyKey(KeyShredder shredder, String subject) {
    try {
      return Objects.requireNonNull(shredder.destroyKey(subject), "KeyShredder returned null");
    } catch (Exception e) {
      throw new LifecycleStoreException("key destruction failed; the records were erased, the key was not", e);
    }
  }

  /** Calls the host's callback for ANONYMISE/ARCHIVE; wraps its failure once. */
  public static void handOver(RetentionPolicy.Action action, ExpiryHandler handler, List<RecordState> records,
      Optional<Connection> transaction) {
    try {
      if (action == RetentionPolicy.Action.ANONYMISE) {
        handler.anonymise(List.copyOf(records), transaction);
      } else if (action == RetentionPolicy.Action.ARCHIVE) {
        handler.archive(List.copyOf(records), transaction);
      }
    } catch (Exception e) {
      throw new LifecycleStoreException("expiry handler failed for " + action + "; batch rolled back", e);
    }
  }

  /** Narrows evidence to one subject's items; empty when it names none of them. */
  public static Optional<DeletionEvidence> narrow(DeletionEvidence e, String subjectHash) {
    List<DeletionEvidence.Item> mine = new ArrayList<>();
    for (DeletionEvidence.Item i : e.items()) {
      if (i.subjectHash().map(subjectHash::equals).orElse(false)) {
        mine.add(i);
      }
    }
    if (mine.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new DeletionEvidence(e.id(), e.kind(), e.dataClass(), e.policy(), mine, e.at(), e.by(), e.reference()));
  }

  /**
   * True when the entry's recovery window is over at {@code at}: its purge date was set by the
   * window (not by an earlier retention deadline the record already had) and has passed.
   */
  public static boolean recoveryWindowEnded(SoftDeletion.Entry e, Instant at) {
    boolean setByWindow = e.priorPurgeAfter().map(p -> p.isAfter(e.purgeAfter())).orElse(true);
    return setByWindow && !e.purgeAfter().isAfter(at);
  }

  public static Instant earlier(Instant a, Optional<Instant> b) {
    return b.filter(x -> x.isBefore(a)).orElse(a);
  }
}
