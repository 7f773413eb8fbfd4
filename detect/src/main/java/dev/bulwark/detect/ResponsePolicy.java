package dev.bulwark.detect;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * The response the host chooses for each risk level. The default answers LOW with ALLOW and
 * MEDIUM and HIGH with STEP_UP: an attacker who triggers the detectors for someone else's account
 * makes that user pass a second factor, never locks them out. Immutable.
 */
public final class ResponsePolicy {

  /** NONE and LOW allow; MEDIUM and HIGH step up. */
  public static final ResponsePolicy DEFAULT = new ResponsePolicy(Map.of(RiskLevel.NONE, Response.ALLOW,
      RiskLevel.LOW, Response.ALLOW, RiskLevel.MEDIUM, Response.STEP_UP, RiskLevel.HIGH, Response.STEP_UP));

  private final EnumMap<RiskLevel, Response> byLevel;

  private ResponsePolicy(Map<RiskLevel, Response> m) {
    this.byLevel = new EnumMap<>(m);
  }

  /** The same policy with {@code level} answered by {@code response} ({@code NONE} always allows). */
  public ResponsePolicy with(RiskLevel level, Response response) {
    Objects.requireNonNull(level, "level");
    Objects.requireNonNull(response, "response");
    if (level == RiskLevel.NONE && response != Response.ALLOW) {
      throw new IllegalArgumentException("an event no detector flagged is always allowed");
    }
    EnumMap<RiskLevel, Response> m = new EnumMap<>(byLevel);
    m.put(level, response);
    return new ResponsePolicy(m);
  }

  /** The response for {@code level}. */
  public Response responseFor(RiskLevel level) {
    return byLevel.get(level);
  }

  @Override
  public String toString() {
    return "ResponsePolicy" + byLevel;
  }
}
