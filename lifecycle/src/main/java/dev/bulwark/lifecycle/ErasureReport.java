package dev.bulwark.lifecycle;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What was erased about one data subject, and when (GDPR Art. 17): the deletion evidence that
 * names the subject, narrowed to the subject's own records.
 *
 * @param subjectHash {@link DeletionEvidence#hashSubject} of the subject
 * @param evidence the purge, anonymise, archive and key-destruction evidence, oldest first
 * @param recordsRemaining records of the subject still stored (held, or not yet due)
 * @param keyShredReceipt the key store's receipt, when this report's erasure destroyed the key
 */
public record ErasureReport(
    String subjectHash, List<DeletionEvidence> evidence, long recordsRemaining, Optional<String> keyShredReceipt) {

  public ErasureReport {
    Objects.requireNonNull(subjectHash, "subjectHash");
    evidence = List.copyOf(evidence);
    if (recordsRemaining < 0) {
      throw new IllegalArgumentException("recordsRemaining must be >= 0");
    }
    Objects.requireNonNull(keyShredReceipt, "keyShredReceipt");
  }

  /** Records erased in total. */
  public long recordsErased() {
    return evidence.stream()
        .filter(e -> e.kind() == DeletionEvidence.Kind.PURGED || e.kind() == DeletionEvidence.Kind.ANONYMISED
            || e.kind() == DeletionEvidence.Kind.ARCHIVED)
        .mapToLong(DeletionEvidence::count)
        .sum();
  }
}
