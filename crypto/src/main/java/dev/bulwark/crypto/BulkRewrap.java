package dev.bulwark.crypto;

import dev.bulwark.common.Bytes;
import dev.bulwark.crypto.spi.CiphertextSink;
import dev.bulwark.crypto.spi.CiphertextSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Moves stored ciphertexts to their keyring's primary KEK by rewriting headers only
 * ({@link Envelope#rewrap}), page by page over a host's {@link CiphertextSource}, writing through
 * its {@link CiphertextSink}. Resumable: the returned {@link RewrapProgress} is a checkpoint.
 * Idempotent: items already current are skipped. An item that fails is left as it was and counted.
 *
 * <p>The per-version {@link RewrapProgress#dependents()} answer "is it safe to destroy version
 * n?": after a complete pass, a version with no dependents has no ciphertext left in this source.
 */
public final class BulkRewrap {
  private final Envelope envelope;
  private final int pageSize;

  /** Over {@code envelope}, reading {@code pageSize} items per page. */
  public BulkRewrap(Envelope envelope, int pageSize) {
    if (envelope == null || pageSize < 1) {
      throw new IllegalArgumentException("envelope is required and pageSize must be positive");
    }
    this.envelope = envelope;
    this.pageSize = pageSize;
  }

  /**
   * Processes at most {@code maxItems} items after {@code from}'s checkpoint and reports progress
   * after every page. Exceptions from the source propagate (the checkpoint of the last
   * completed page was already reported to {@code listener}).
   */
  public RewrapProgress run(CiphertextSource source, CiphertextSink sink, RewrapProgress from, long maxItems,
      Consumer<RewrapProgress> listener) throws Exception {
    Optional<String> last = from.lastId();
    long scanned = from.scanned();
    long rewrapped = from.rewrapped();
    long current = from.alreadyCurrent();
    long failed = from.failed();
    Map<KekVersionId, Long> dependents = new TreeMap<>(from.dependents());
    long budget = maxItems;
    while (budget > 0) {
      List<CiphertextSource.Item> page = source.page(last, (int) Math.min(pageSize, budget));
      if (page.isEmpty()) {
        RewrapProgress done = new RewrapProgress(last, scanned, rewrapped, current, failed, dependents, true);
        listener.accept(done);
        return done;
      }
      for (CiphertextSource.Item item : page) {
        scanned++;
        budget--;
        last = Optional.of(item.id());
        byte[] ct = item.ciphertext().toByteArray();
        CiphertextInfo before;
        try {
          before = Envelope.inspect(ct);
        } catch (CiphertextFormatException e) {
          failed++;
          continue;
        }
        KekVersionId dependsOn = new KekVersionId(before.keyringId(), before.kekVersion());
        try {
          byte[] next = envelope.rewrap(ct);
          CiphertextInfo after = Envelope.inspect(next);
          if (after.kekVersion() == before.kekVersion()) {
            current++;
          } else if (sink.replace(item.id(), item.ciphertext(), Bytes.copyOf(next))) {
            rewrapped++;
            dependsOn = new KekVersionId(after.keyringId(), after.kekVersion());
          } else {
            failed++;
          }
        } catch (Exception e) {
          failed++;
        }
        dependents.merge(dependsOn, 1L, Long::sum);
      }
      listener.accept(new RewrapProgress(last, scanned, rewrapped, current, failed, dependents, false));
    }
    return new RewrapProgress(last, scanned, rewrapped, current, failed, dependents, false);
  }
}
