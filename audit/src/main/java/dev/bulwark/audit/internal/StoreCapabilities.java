package dev.bulwark.audit.internal;

import dev.bulwark.audit.spi.StoredEvent;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * What a store can tell the writer and the verifier beyond the {@link dev.bulwark.audit.spi.AuditStore}
 * interface. The writer and the verifier ask for it by this interface, never by a store's class,
 * so any store (and any wrapper that forwards it) can offer it; every method has a default that
 * means "not known" or "not offered". Not part of the API: it may change in any release.
 */
public interface StoreCapabilities {

  /**
   * Whether the store knows that its record of checkpoints was lost while it holds events (the
   * file store: {@code checkpoints.log} was absent when it opened). The writer then refuses to
   * sign the unprotected events without an operator's acceptance, and the verifier reports them.
   */
  default boolean checkpointsLost() {
    return false;
  }

  /**
   * The store's records from {@code fromSeq} as mapped frame buffers the verifier can check in
   * parallel, giving exactly the records, in the same order, that {@code read(fromSeq)} gives; or
   * empty when the store offers no such view (the verifier then reads the record stream).
   */
  default Optional<FrameScan> frameScan(long fromSeq) {
    return Optional.empty();
  }

  /**
   * What {@code read(fromSeq)} returns before it is iterated: records for files that are not
   * part of the log, then the segments holding {@code fromSeq} and later.
   *
   * @param foreign damaged records {@code read} gives first
   * @param segments the segments, in stored order
   */
  record FrameScan(List<StoredEvent> foreign, List<MappedSegment> segments) {
    public FrameScan {
      foreign = List.copyOf(foreign);
      segments = List.copyOf(segments);
    }
  }

  /** One segment of frames, mapped; or the damaged record a store gives for a segment it cannot map. */
  interface MappedSegment {
    /** The mapped frames (null when {@link #unreadable()} is set). */
    ByteBuffer buf();

    /** How many bytes of {@link #buf()} belong to the log. */
    int limit();

    /** The segment's name, the location prefix of its records. */
    String name();

    /** The damaged record that stands for the whole segment, or null when it is mapped. */
    StoredEvent unreadable();

    /** The records from byte offset {@code from}, exactly as the store's reader gives them. */
    Iterator<StoredEvent> frames(int from);
  }
}
