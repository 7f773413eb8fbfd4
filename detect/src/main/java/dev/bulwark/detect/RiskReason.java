package dev.bulwark.detect;

import java.util.Objects;

/**
 * One reason an event looks risky.
 *
 * @param code stable, low-cardinality reason code, e.g. {@code account_failure_velocity}
 * @param detection the attack it points at
 * @param level how much it raises the risk
 * @param detail the figures behind it (counts, speeds), never secrets
 */
public record RiskReason(String code, Detection detection, RiskLevel level, String detail) {
  public RiskReason {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(detection, "detection");
    Objects.requireNonNull(level, "level");
    Objects.requireNonNull(detail, "detail");
  }
}
