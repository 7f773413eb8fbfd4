package dev.bulwark.micrometer;

import dev.bulwark.audit.AuditQuery;
import dev.bulwark.audit.internal.StoreCapabilities;
import dev.bulwark.audit.spi.AuditStore;
import dev.bulwark.audit.spi.StoreHead;
import dev.bulwark.audit.spi.StoredEvent;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Delegates everything; times {@link #append} as {@code bulwark.audit.append} with an outcome.
 * Forwards what the delegate tells the writer and verifier beyond the SPI (a lost checkpoint
 * record, a parallel frame scan), so wrapping a store never weakens their checks.
 */
class ObservedAuditStore implements AuditStore, StoreCapabilities {

  private final AuditStore delegate;
  private final ObservationRegistry registry;

  ObservedAuditStore(AuditStore delegate, ObservationRegistry registry) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.registry = registry;
  }

  @Override
  public StoreHead head() {
    return delegate.head();
  }

  @Override
  public void append(List<StoredEvent> batch) {
    Observation o = Observation.createNotStarted("bulwark.audit.append", registry).start();
    try {
      delegate.append(batch);
      o.lowCardinalityKeyValue("outcome", "success");
    } catch (RuntimeException e) {
      o.lowCardinalityKeyValue("outcome", "failure");
      o.error(e);
      throw e;
    } finally {
      o.stop();
    }
  }

  @Override
  public Stream<StoredEvent> read(long fromSeq) {
    return delegate.read(fromSeq);
  }

  @Override
  public void putCheckpoint(String note) {
    delegate.putCheckpoint(note);
  }

  @Override
  public List<String> checkpoints() {
    return delegate.checkpoints();
  }

  @Override
  public List<String> recoveries() {
    return delegate.recoveries();
  }

  @Override
  public Stream<StoredEvent> query(AuditQuery query) {
    return delegate.query(query);
  }

  @Override
  public boolean checkpointsLost() {
    return delegate instanceof StoreCapabilities c && c.checkpointsLost();
  }

  @Override
  public Optional<FrameScan> frameScan(long fromSeq) {
    return delegate instanceof StoreCapabilities c ? c.frameScan(fromSeq) : Optional.empty();
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public String toString() {
    return "Observed[" + delegate + "]";
  }
}
