package dev.bulwark.spring.actuate;

import dev.bulwark.audit.AuditLog;
import dev.bulwark.audit.Finding;
import dev.bulwark.audit.VerificationReport;
import java.util.Objects;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * UP while the audit log verifies (hash chain, Merkle tree and signed checkpoints, up to its last
 * checkpoint and beyond); DOWN with the finding codes as soon as the verifier reports an error
 * (an edited, missing, reordered or forked event, a bad signature). Details: sizes, the
 * unanchored tamper window and when the log was last verified.
 */
public final class AuditLogHealthIndicator implements HealthIndicator {

  private final AuditVerification verification;
  private final AuditLog log;

  public AuditLogHealthIndicator(AuditVerification verification, AuditLog log) {
    this.verification = Objects.requireNonNull(verification, "verification");
    this.log = Objects.requireNonNull(log, "log");
  }

  @Override
  public Health health() {
    AuditVerification.Result result = verification.current();
    VerificationReport report = result.report();
    dev.bulwark.audit.AuditHealth h = log.health();
    Health.Builder b = report.intact() ? Health.up() : Health.down();
    b.withDetail("size", report.size())
        .withDetail("eventsChecked", report.eventsChecked())
        .withDetail("lastCheckpointSize", report.lastCheckpointSize())
        .withDetail("unanchoredEvents", h.unanchoredEvents())
        .withDetail("verifiedAt", result.verifiedAt().toString());
    if (!report.intact()) {
      b.withDetail("findings", report.findings().stream().map(Finding::code).map(Enum::name).distinct().sorted()
          .toList());
    }
    return b.build();
  }
}
