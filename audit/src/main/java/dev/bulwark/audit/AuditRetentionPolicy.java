package dev.bulwark.audit;

import java.time.Duration;
import java.util.Objects;

/**
 * How long sealed segments are kept before retention may remove them.
 *
 * @param id policy name recorded in every prune receipt (e.g. {@code logs-90d})
 * @param maxAge segments whose newest event is older than this are eligible
 */
public record AuditRetentionPolicy(String id, Duration maxAge) {

  /** The default: 90 days. */
  public static final AuditRetentionPolicy DEFAULT = new AuditRetentionPolicy("default-90d", Duration.ofDays(90));

  public AuditRetentionPolicy {
    Objects.requireNonNull(id, "id");
    if (id.isBlank() || id.length() > 64) {
      throw new IllegalArgumentException("policy id is 1-64 characters");
    }
    if (Objects.requireNonNull(maxAge, "maxAge").isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException("maxAge must be positive");
    }
  }
}
