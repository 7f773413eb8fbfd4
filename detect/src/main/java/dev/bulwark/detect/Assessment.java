package dev.bulwark.detect;

import java.util.List;
import java.util.Objects;

/**
 * The detectors' verdict on one event.
 *
 * @param event the event
 * @param level the highest level among the findings ({@code NONE} without findings)
 * @param findings the reasons, in detector order
 * @param response what the host's policy says to do; {@code ALLOW} in shadow mode
 * @param shadow true when the detector only records (the response the policy would have chosen is
 *     {@link #wouldRespond})
 * @param wouldRespond the response the policy chose for the level, also in shadow mode
 */
public record Assessment(ActivityEvent event, RiskLevel level, List<RiskReason> findings, Response response,
    boolean shadow, Response wouldRespond) {

  public Assessment {
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(level, "level");
    findings = List.copyOf(findings);
    Objects.requireNonNull(response, "response");
    Objects.requireNonNull(wouldRespond, "wouldRespond");
  }

  /** Whether any finding points at {@code d}. */
  public boolean flags(Detection d) {
    for (RiskReason f : findings) {
      if (f.detection() == d) {
        return true;
      }
    }
    return false;
  }
}
