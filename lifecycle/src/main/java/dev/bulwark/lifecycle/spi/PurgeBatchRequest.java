package dev.bulwark.lifecycle.spi;

import dev.bulwark.lifecycle.Attribution;
import dev.bulwark.lifecycle.RetentionPolicy;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One bounded purge transaction.
 *
 * @param policy the policy of the class being purged (its action decides delete, anonymise or archive)
 * @param now records with {@code purgeAfter <= now} are due
 * @param subject when present: an erasure request; every record of this subject goes,
 *     whatever its deadline (holds still apply)
 * @param limit the most rows this transaction may touch (1..10,000)
 * @param by who runs the purge and why
 * @param reference the run id or erasure request id, copied into the evidence
 * @param handler the host's callback for anonymise and archive actions
 */
public record PurgeBatchRequest(
    RetentionPolicy policy,
    Instant now,
    Optional<String> subject,
    int limit,
    Attribution by,
    String reference,
    ExpiryHandler handler) {

  /** The largest batch a store must accept; bigger transactions hold locks too long. */
  public static final int MAX_LIMIT = 10_000;

  public PurgeBatchRequest {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(subject, "subject");
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("batch limit must be between 1 and " + MAX_LIMIT);
    }
    Objects.requireNonNull(by, "by");
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(handler, "handler");
  }
}
