package dev.bulwark.lifecycle;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The record of one irreversible step: a purge batch, an anonymisation or archive batch, or the
 * destruction of a subject's key. The store writes it in the same transaction as the deletion,
 * and the {@link dev.bulwark.lifecycle.spi.LifecycleListener} hands it to the host's audit log.
 *
 * <p>Record and subject ids appear only as SHA-256 hashes ({@link #hashRecord}, {@link
 * #hashSubject}) so that the evidence does not itself keep the personal data it attests was
 * erased. Security considerations: an unkeyed hash of a guessable id (a small integer, an e-mail
 * address) can be confirmed by anyone holding the evidence; that is the point for the data
 * subject's own report, but treat the evidence as confidential.
 *
 * @param id this evidence record's id
 * @param kind what happened
 * @param dataClass the class of the records (empty for a key destruction)
 * @param policy the policy in force ({@link RetentionPolicy#describe()}), or the erasure basis
 * @param items one entry per erased record (or per destroyed key)
 * @param at when it happened (the purger's clock)
 * @param by who ran it and why
 * @param reference the purge run id or erasure request id that grouped it
 */
public record DeletionEvidence(
    UUID id,
    Kind kind,
    Optional<DataClass> dataClass,
    String policy,
    List<Item> items,
    Instant at,
    Attribution by,
    String reference) {

  /** What the evidence attests. */
  public enum Kind {
    PURGED,
    ANONYMISED,
    ARCHIVED,
    KEY_SHREDDED,
    /** Records a purge could not delete (a foreign key, a trigger): set aside for this run, nothing deleted. */
    PURGE_FAILED,
    /** An operator moved the purge watermark back (a wrong clock); no record is deleted. */
    WATERMARK_RESET
  }

  /**
   * One erased record.
   *
   * @param recordHash {@link #hashRecord} of the record (for a key: {@link #hashKey})
   * @param subjectHash {@link #hashSubject} of its subject, when the record has one
   */
  public record Item(String recordHash, Optional<String> subjectHash) {
    public Item {
      requireHash(recordHash);
      Objects.requireNonNull(subjectHash, "subjectHash").ifPresent(DeletionEvidence::requireHash);
    }
  }

  public DeletionEvidence {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(dataClass, "dataClass");
    Objects.requireNonNull(policy, "policy");
    items = List.copyOf(items);
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(by, "by");
    Objects.requireNonNull(reference, "reference");
  }

  /** How many records (or keys) this evidence covers. */
  public int count() {
    return items.size();
  }

  /** Lower-case hex SHA-256 of {@code "record\0" + class + "\0" + id}. */
  public static String hashRecord(RecordRef ref) {
    return sha256("record\0" + ref.dataClass().name() + "\0" + ref.id());
  }

  /** Lower-case hex SHA-256 of {@code "subject\0" + subject}. */
  public static String hashSubject(String subject) {
    return sha256("subject\0" + subject);
  }

  /** Lower-case hex SHA-256 of {@code "key\0" + subject}: the item of a key destruction. */
  public static String hashKey(String subject) {
    return sha256("key\0" + subject);
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  private static void requireHash(String h) {
    if (h == null || h.length() != 64 || !h.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      throw new IllegalArgumentException("hash must be 64 lower-case hex characters");
    }
  }
}
