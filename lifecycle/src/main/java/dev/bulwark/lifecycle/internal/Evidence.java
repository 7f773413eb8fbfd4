package dev.bulwark.lifecycle.internal;

import dev.bulwark.lifecycle.DeletionEvidence;
import dev.bulwark.lifecycle.LifecycleException;
import dev.bulwark.lifecycle.RetentionPolicy;
import dev.bulwark.lifecycle.spi.ExpiryHandler;
import dev.bulwark.lifecycle.spi.PurgeBatchRequest;
import dev.bulwark.lifecycle.spi.RecordState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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

  /** Calls the host's callback for ANONYMISE/ARCHIVE; wraps its failure once. */
  public static void handOver(RetentionPolicy.Action action, ExpiryHandler handler, List<RecordState> records) {
    try {
      if (action == RetentionPolicy.Action.ANONYMISE) {
        handler.anonymise(List.copyOf(records));
      } else if (action == RetentionPolicy.Action.ARCHIVE) {
        handler.archive(List.copyOf(records));
      }
    } catch (Exception e) {
      throw new LifecycleException("expiry handler failed for " + action + "; batch rolled back", e);
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

  public static Instant earlier(Instant a, Optional<Instant> b) {
    return b.filter(x -> x.isBefore(a)).orElse(a);
  }
}
