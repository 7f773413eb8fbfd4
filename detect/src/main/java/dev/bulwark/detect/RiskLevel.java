package dev.bulwark.detect;

/** How risky an event looks; {@code NONE} when no detector fired. */
public enum RiskLevel {
  NONE, LOW, MEDIUM, HIGH
}
