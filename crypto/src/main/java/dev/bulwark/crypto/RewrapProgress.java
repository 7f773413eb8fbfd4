package dev.bulwark.crypto;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The state of a bulk rewrap pass, and its checkpoint: pass it back to
 * {@link BulkRewrap#run} to resume after the last processed id.
 *
 * @param lastId the last id processed (empty before the first)
 * @param scanned items read
 * @param rewrapped items moved to the primary KEK
 * @param alreadyCurrent items already under the primary
 * @param failed items that could not be rewrapped (unreadable header, key unavailable, sink
 *     refused); they are unchanged
 * @param dependents for every KEK version seen, how many scanned items depend on it after this
 *     pass; once a complete pass reports 0 for an old version, no scanned item needs it
 * @param complete whether the source was read to its end
 */
public record RewrapProgress(
    Optional<String> lastId, long scanned, long rewrapped, long alreadyCurrent, long failed,
    Map<KekVersionId, Long> dependents, boolean complete) {

  /** Validates and copies. */
  public RewrapProgress {
    if (lastId == null || dependents == null) {
      throw new IllegalArgumentException("lastId and dependents must not be null");
    }
    if (scanned < 0 || rewrapped < 0 || alreadyCurrent < 0 || failed < 0) {
      throw new IllegalArgumentException("counts must not be negative");
    }
    dependents = java.util.Collections.unmodifiableMap(new TreeMap<>(dependents));
  }

  /** The state before a first pass. */
  public static RewrapProgress start() {
    return new RewrapProgress(Optional.empty(), 0, 0, 0, 0, Map.of(), false);
  }

  /** How many scanned items still depend on {@code keyringId} version {@code version}. */
  public long dependentsOf(String keyringId, int version) {
    return dependents.getOrDefault(new KekVersionId(keyringId, version), 0L);
  }
}
