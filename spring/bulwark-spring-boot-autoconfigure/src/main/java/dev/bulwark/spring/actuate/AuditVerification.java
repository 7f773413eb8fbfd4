package dev.bulwark.spring.actuate;

import dev.bulwark.audit.AuditVerifier;
import dev.bulwark.audit.VerificationReport;
import dev.bulwark.audit.spi.AuditStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Verifies the audit log at most once per {@code interval} and keeps the last report, so health
 * checks polled every few seconds do not re-read the whole log each time. Verification only
 * reads: it never repairs, truncates or deletes anything. Thread-safe.
 */
public final class AuditVerification {

  /** A report and when it was made. */
  public record Result(VerificationReport report, Instant verifiedAt) {}

  private final AuditVerifier verifier;
  private final AuditStore store;
  private final Clock clock;
  private final Duration interval;
  private volatile Result last;

  public AuditVerification(AuditVerifier verifier, AuditStore store, Clock clock, Duration interval) {
    this.verifier = Objects.requireNonNull(verifier, "verifier");
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.interval = Objects.requireNonNull(interval, "interval");
  }

  /** The last report if it is recent enough, otherwise a new one. */
  public synchronized Result current() {
    Instant now = clock.instant();
    Result r = last;
    if (r == null || !now.isBefore(r.verifiedAt().plus(interval))) {
      r = new Result(verifier.verify(store), now);
      last = r;
    }
    return r;
  }

  /** The last report made, without verifying. */
  public Optional<Result> last() {
    return Optional.ofNullable(last);
  }
}
